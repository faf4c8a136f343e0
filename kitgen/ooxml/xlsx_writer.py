"""Excel output (indicator matrix, outlet list, self-assessment workbook).

SpreadsheetML is written directly (shared strings, one small style sheet): openpyxl's write-only
mode needs about 1.9 s for 10,000 styled rows x 9 columns, this about a tenth of that, and the
bytes are reproducible without post-processing (entries go through ziputil.write_zip).

Each sheet: an optional title row (merged across the columns), a bold shaded header row that is
frozen, filtered and repeated on every printed page, bordered wrapped cells in 宋体, column widths
(given in characters, or estimated from the content), A4 printing fitted to the page width
(landscape when there are more than 6 columns), and 第 N 页 共 M 页 in the printed footer.
Cells holding 【待填写：…】 are filled yellow, like the Word documents. Each row is as tall as its
most wrapped cell (estimated from the text and the column width), since neither Excel nor
LibreOffice grows rows on opening; a sheet wider than A4 portrait holds prints landscape. A sheet
may carry drop-down lists on columns (Validation).

Cell values: str, int, float, bool, None (empty) or Formula (an expression with its cached value);
anything else is written as str(value). A str is always text, even one that starts with "=".
"""
from __future__ import annotations

from kitgen.ooxml.sheetcols import col_letter

import math
import re
from dataclasses import dataclass, field

from kitgen.ooxml.xmltext import _w3cdtf, check_text
from kitgen.ooxml.ziputil import write_zip

__all__ = ["Formula", "Sheet", "Validation", "write_xlsx"]

DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "application/vnd.openxmlformats-officedocument."
FONT = "宋体"

# cellXfs indexes (see _STYLES)
S_DEFAULT, S_HEADER, S_TEXT, S_NUMBER, S_PLACEHOLDER, S_TITLE, S_CENTER = range(7)

_STYLES = (
    DECL + f'<styleSheet xmlns="{MAIN}">'
    '<fonts count="3">'
    f'<font><sz val="11"/><name val="{FONT}"/><family val="3"/><charset val="134"/></font>'
    f'<font><b/><sz val="11"/><name val="{FONT}"/><family val="3"/><charset val="134"/></font>'
    f'<font><b/><sz val="14"/><name val="{FONT}"/><family val="3"/><charset val="134"/></font>'
    '</fonts>'
    '<fills count="4"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill>'
    '<fill><patternFill patternType="solid"><fgColor rgb="FFD9D9D9"/><bgColor indexed="64"/></patternFill></fill>'
    '<fill><patternFill patternType="solid"><fgColor rgb="FFFFFF00"/><bgColor indexed="64"/></patternFill></fill>'
    '</fills>'
    '<borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border>'
    '<border><left style="thin"><color auto="1"/></left><right style="thin"><color auto="1"/></right>'
    '<top style="thin"><color auto="1"/></top><bottom style="thin"><color auto="1"/></bottom><diagonal/></border>'
    '</borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="7">'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="2" borderId="1" xfId="0" applyFont="1" applyFill="1" '
    'applyBorder="1" applyAlignment="1"><alignment horizontal="center" vertical="center" wrapText="1"/></xf>'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="1" xfId="0" applyBorder="1" applyAlignment="1">'
    '<alignment vertical="center" wrapText="1"/></xf>'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="1" xfId="0" applyBorder="1" applyAlignment="1">'
    '<alignment horizontal="center" vertical="center"/></xf>'
    '<xf numFmtId="0" fontId="0" fillId="3" borderId="1" xfId="0" applyFill="1" applyBorder="1" '
    'applyAlignment="1"><alignment vertical="center" wrapText="1"/></xf>'
    '<xf numFmtId="0" fontId="2" fillId="0" borderId="0" xfId="0" applyFont="1" applyAlignment="1">'
    '<alignment horizontal="center" vertical="center"/></xf>'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="1" xfId="0" applyBorder="1" applyAlignment="1">'
    '<alignment horizontal="center" vertical="center" wrapText="1"/></xf>'
    '</cellXfs>'
    '<cellStyles count="1"><cellStyle name="常规" xfId="0" builtinId="0"/></cellStyles>'
    '<dxfs count="0"/><tableStyles count="0" defaultTableStyle="TableStyleMedium2" '
    'defaultPivotStyle="PivotStyleLight16"/></styleSheet>')


# A small theme: Excel always writes one, and validators (openxml-audit, strict) expect the
# workbook to relate to it. Our cells name their fonts explicitly, so it only sets the defaults.
_THEME_FILL = '<a:solidFill><a:schemeClr val="phClr"/></a:solidFill>'
_THEME_LINE = ('<a:ln w="{w}" cap="flat" cmpd="sng" algn="ctr">' + _THEME_FILL
               + '<a:prstDash val="solid"/><a:miter lim="800000"/></a:ln>')
_THEME = (
    DECL + '<a:theme xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" name="体系文件">'
    '<a:themeElements><a:clrScheme name="体系文件">'
    '<a:dk1><a:sysClr val="windowText" lastClr="000000"/></a:dk1>'
    '<a:lt1><a:sysClr val="window" lastClr="FFFFFF"/></a:lt1>'
    + "".join(f"<a:{n}><a:srgbClr val=\"{v}\"/></a:{n}>" for n, v in (
        ("dk2", "44546A"), ("lt2", "E7E6E6"), ("accent1", "4472C4"), ("accent2", "ED7D31"),
        ("accent3", "A5A5A5"), ("accent4", "FFC000"), ("accent5", "5B9BD5"), ("accent6", "70AD47"),
        ("hlink", "0563C1"), ("folHlink", "954F72")))
    + '</a:clrScheme><a:fontScheme name="体系文件">'
    + "".join(f'<a:{k}><a:latin typeface="Times New Roman"/><a:ea typeface=""/><a:cs typeface=""/>'
              f'<a:font script="Hans" typeface="{ea}"/></a:{k}>' for k, ea in (("majorFont", "黑体"),
                                                                               ("minorFont", FONT)))
    + '</a:fontScheme><a:fmtScheme name="体系文件">'
    f'<a:fillStyleLst>{_THEME_FILL * 3}</a:fillStyleLst>'
    f'<a:lnStyleLst>{"".join(_THEME_LINE.format(w=w) for w in (6350, 12700, 19050))}</a:lnStyleLst>'
    f'<a:effectStyleLst>{"<a:effectStyle><a:effectLst/></a:effectStyle>" * 3}</a:effectStyleLst>'
    f'<a:bgFillStyleLst>{_THEME_FILL * 3}</a:bgFillStyleLst>'
    '</a:fmtScheme></a:themeElements><a:objectDefaults/><a:extraClrSchemeLst/></a:theme>')


@dataclass(frozen=True)
class Validation:
    """A drop-down list on one column's data rows (Excel 数据验证 / LibreOffice 有效性).

    strict: other values are refused (errorStyle stop); otherwise Excel warns and lets them through
    (a column whose cells may hold "删减：理由" or "部分 0.6" beside the listed values).
    extra_rows: the list also covers that many empty rows below the data, for rows the user adds."""
    col: int                       # 0-based column index
    values: tuple[str, ...]
    strict: bool = True
    prompt: str = ""               # shown when the cell is selected
    extra_rows: int = 0
    data_rows: tuple[int, ...] = ()  # only these data rows (0-based); empty = the whole column


@dataclass(frozen=True)
class Formula:
    """A cell computed by Excel: ``expr`` without the leading "=", ``value`` the result kitgen already
    knows (cached, so viewers that do not recalculate, and kitgen's own readers, see it)."""
    expr: str
    value: int | float | str | None = None


@dataclass
class Sheet:
    name: str
    header: list[str]
    rows: list[list]
    widths: list[float] = field(default_factory=list)     # column widths in characters; empty = estimated
    title: str = ""                                        # optional title row above the header
    validations: list[Validation] = field(default_factory=list)


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def _sheet_names(sheets: list[Sheet]) -> list[str]:
    names: list[str] = []
    seen: set[str] = set()
    for i, s in enumerate(sheets):
        check_text(s.name or "")
        base = _BAD_SHEET_CHARS.sub("_", (s.name or "").strip()).strip("'") or f"Sheet{i + 1}"
        base = base[:31]
        name, n = base, 2
        while name.lower() in seen:
            suffix = f"({n})"
            name = base[:31 - len(suffix)] + suffix
            n += 1
        seen.add(name.lower())
        names.append(name)
    return names


def _display_len(text: str) -> int:
    """Width in Excel character units: CJK and full-width characters count double."""
    longest = 0
    for line in text.split("\n"):
        n = 0
        for ch in line:
            n += 2 if ord(ch) > 0x2E7F else 1
        longest = max(longest, n)
    return longest


def _widths(sheet: Sheet, ncols: int) -> list[float]:
    given = list(sheet.widths or [])
    out = []
    sample = sheet.rows[:300]
    for j in range(ncols):
        if j < len(given) and given[j] and given[j] > 0:
            out.append(float(given[j]))
            continue
        longest = _display_len(str(sheet.header[j])) if j < len(sheet.header) else 4
        for r in sample:
            if j < len(r) and r[j] is not None:
                longest = max(longest, _display_len(str(r[j])))
        out.append(float(min(max(longest + 2, 6), 50)))
    return out


# Row heights: Excel and LibreOffice do not grow a row to its wrapped text when they open a file
# (the rows print overlapping), so every row gets the height of its tallest cell. A line of 11 pt
# 宋体 takes 14.25 pt in Excel (its default row height) and about 14.4–15 pt in LibreOffice with
# Noto CJK, measured on a 17-line cell of the matrix: 15 pt, so that long cells do not overflow in
# LibreOffice while Excel gains at most a line's blank at the bottom; the rest is cell padding.
LINE_PT = 15.0
PAD_PT = 2.25


def _cell_lines(text: str, width: float) -> int:
    """How many lines ``text`` wraps to in a column ``width`` characters wide (CJK counts double)."""
    usable = max(width - 0.5, 1.0)                  # the cell's inner margins
    if "\n" not in text and len(text) * 2 <= usable:
        return 1                                    # fast path: short enough even if all CJK
    lines = 0
    for line in text.split("\n"):
        n = _display_len(line)
        lines += max(1, math.ceil(n / usable))
    return lines


def _row_height(values, widths: list[float]) -> float | None:
    """The height (points) a row needs, or None for a single line (the default height)."""
    lines = 1
    for j, v in enumerate(values):
        if isinstance(v, str) and v and j < len(widths):
            lines = max(lines, _cell_lines(v, widths[j]))
    if lines == 1:
        return None
    return round(lines * LINE_PT + PAD_PT, 2)


def _cell_value(ref: str, v) -> str:
    """A Formula cell: the expression and its cached value."""
    expr = f"<f>{_esc(v.expr)}</f>"
    if isinstance(v.value, bool) or v.value is None:
        return f'<c r="{ref}" s="{S_NUMBER}">{expr}</c>'
    if isinstance(v.value, (int, float)):
        return f'<c r="{ref}" s="{S_NUMBER}">{expr}<v>{v.value!r}</v></c>'
    check_text(str(v.value))
    return f'<c r="{ref}" s="{S_TEXT}" t="str">{expr}<v>{_esc(str(v.value))}</v></c>'


def _validations_xml(sheet: Sheet, letters: list[str], first: int, last: int) -> str:
    out = []
    for val in sheet.validations:
        if not (0 <= val.col < len(letters)) or not val.values:
            continue
        for v in val.values:
            check_text(v)
        listed = ",".join(v.replace('"', '""') for v in val.values)
        if len(listed) > 255:                           # Excel's limit for an inline list
            raise ValueError(f"validation list of column {val.col} too long for Excel (255 characters)")
        end = max(last + val.extra_rows, first)
        col = letters[val.col]
        sqref = (" ".join(f"{col}{first + i}" for i in val.data_rows if 0 <= i <= last - first)
                 if val.data_rows else f"{col}{first}:{col}{end}")
        if not sqref:
            continue
        style = "" if val.strict else ' errorStyle="warning"'
        prompt = (f' showInputMessage="1" promptTitle="可选值" prompt="{_esc(val.prompt).replace(chr(34), "&quot;")}"'
                  if val.prompt else "")
        out.append(f'<dataValidation type="list"{style} allowBlank="1"{prompt} showErrorMessage="1" '
                   f'errorTitle="不在可选值中" error="{_esc("可选：" + "、".join(val.values)).replace(chr(34), "&quot;")}" '
                   f'sqref="{sqref}"><formula1>"{_esc(listed)}"</formula1></dataValidation>')
    return f'<dataValidations count="{len(out)}">{"".join(out)}</dataValidations>' if out else ""


class _SharedStrings:
    def __init__(self):
        self.index: dict[str, int] = {}
        self.count = 0

    def get(self, s: str) -> int:
        self.count += 1
        i = self.index.get(s)
        if i is None:
            i = self.index[s] = len(self.index)
        return i

    def xml(self) -> str:
        items = "".join(f'<si><t xml:space="preserve">{_esc(s)}</t></si>' for s in self.index)
        return (DECL + f'<sst xmlns="{MAIN}" count="{self.count}" uniqueCount="{len(self.index)}">'
                + items + "</sst>")


def _quote_sheet(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


def _sheet_xml(sheet: Sheet, name: str, index: int, sst: _SharedStrings) -> tuple[str, list[str]]:
    header = [("" if h is None else str(h)) for h in (sheet.header or [])]
    rows = sheet.rows or []
    ncols = max([len(header)] + [len(r) for r in rows] + [1])
    letters = [col_letter(j) for j in range(ncols)]
    last_col = letters[-1]
    data: list[str] = []
    rnum = 0
    merges: list[str] = []
    if sheet.title:
        check_text(sheet.title)
        rnum += 1
        data.append(f'<row r="{rnum}" ht="28" customHeight="1"><c r="A{rnum}" s="{S_TITLE}" t="s">'
                    f"<v>{sst.get(sheet.title)}</v></c></row>")
        if ncols > 1:
            merges.append(f"A{rnum}:{last_col}{rnum}")
    widths = _widths(sheet, ncols)
    header_row = 0
    if header:
        rnum += 1
        header_row = rnum
        cells = []
        for j, h in enumerate(header):
            check_text(h)
            cells.append(f'<c r="{letters[j]}{rnum}" s="{S_HEADER}" t="s"><v>{sst.get(h)}</v></c>')
        ht = _row_height(header, widths)
        attr = f' ht="{ht:g}" customHeight="1"' if ht else ""
        data.append(f'<row r="{rnum}"{attr}>{"".join(cells)}</row>')

    # short columns (序号, 类型, 省份 …) are centred, judged on a sample of the rows
    text_style = []
    for j in range(ncols):
        longest = max((len(r[j]) for r in rows[:200] if j < len(r) and isinstance(r[j], str)), default=0)
        hdr = len(header[j]) if j < len(header) else 0
        text_style.append(S_CENTER if longest <= 6 and hdr <= 6 else S_TEXT)
    get = sst.get
    # a text no longer than this (characters, even if all CJK) fits one line of its column
    one_line = [max(w - 0.5, 1.0) / 2 for w in widths]
    for r in rows:
        rnum += 1
        cells = []
        rs = str(rnum)
        lines = 1
        for j, v in enumerate(r):
            ref = letters[j] + rs
            if v is None or v == "":
                cells.append(f'<c r="{ref}" s="{S_TEXT}"/>')
            elif isinstance(v, str):
                if len(v) > one_line[j] or "\n" in v:
                    lines = max(lines, _cell_lines(v, widths[j]))
                if "【待填写" in v:
                    check_text(v)
                    cells.append(f'<c r="{ref}" s="{S_PLACEHOLDER}" t="s"><v>{get(v)}</v></c>')
                else:
                    cells.append(f'<c r="{ref}" s="{text_style[j]}" t="s"><v>{get(v)}</v></c>')
            elif isinstance(v, bool):
                cells.append(f'<c r="{ref}" s="{S_NUMBER}" t="b"><v>{int(v)}</v></c>')
            elif isinstance(v, (int, float)) and not (isinstance(v, float) and not math.isfinite(v)):
                cells.append(f'<c r="{ref}" s="{S_NUMBER}"><v>{v!r}</v></c>')
            elif isinstance(v, Formula):
                cells.append(_cell_value(ref, v))
            else:
                cells.append(f'<c r="{ref}" s="{S_TEXT}" t="s"><v>{get(str(v))}</v></c>')
        for j in range(len(r), ncols):                     # borders on short rows too
            cells.append(f'<c r="{letters[j]}{rs}" s="{S_TEXT}"/>')
        attr = f' ht="{round(lines * LINE_PT + PAD_PT, 2):g}" customHeight="1"' if lines > 1 else ""
        data.append(f'<row r="{rs}"{attr}>{"".join(cells)}</row>')

    last_row = max(rnum, 1)
    cols = "".join(f'<col min="{j + 1}" max="{j + 1}" width="{w:.2f}" customWidth="1"/>'
                   for j, w in enumerate(widths))
    if header_row:
        top = f"A{header_row + 1}"
        view = '<sheetView tabSelected="1" workbookViewId="0">' if index == 0 else '<sheetView workbookViewId="0">'
        view += (f'<pane ySplit="{header_row}" topLeftCell="{top}" activePane="bottomLeft" state="frozen"/>'
                 f'<selection pane="bottomLeft" activeCell="{top}" sqref="{top}"/></sheetView>')
    else:
        view = ('<sheetView tabSelected="1" workbookViewId="0"/>' if index == 0
                else '<sheetView workbookViewId="0"/>')
    landscape = ncols > 6 or sum(widths) > 100      # ~100 characters fill A4 portrait at full size
    parts = [
        DECL, f'<worksheet xmlns="{MAIN}" xmlns:r="{REL}">',
        '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>',
        f'<dimension ref="A1:{last_col}{last_row}"/>',
        f"<sheetViews>{view}</sheetViews>",
        '<sheetFormatPr defaultRowHeight="15"/>',
        f"<cols>{cols}</cols>",
        "<sheetData>", "".join(data), "</sheetData>",
    ]
    names: list[str] = []
    if header_row:
        ref = f"A{header_row}:{last_col}{max(last_row, header_row)}"
        parts.append(f'<autoFilter ref="{ref}"/>')
        q = _quote_sheet(name)
        names.append(f'<definedName name="_xlnm._FilterDatabase" localSheetId="{index}" hidden="1">'
                     f"{_esc(q)}!$A${header_row}:${last_col}${max(last_row, header_row)}</definedName>")
        names.append(f'<definedName name="_xlnm.Print_Titles" localSheetId="{index}">'
                     f"{_esc(q)}!${header_row}:${header_row}</definedName>")
    if merges:
        parts.append(f'<mergeCells count="{len(merges)}">'
                     + "".join(f'<mergeCell ref="{m}"/>' for m in merges) + "</mergeCells>")
    if sheet.validations:                              # CT_Worksheet: after mergeCells, before printOptions
        parts.append(_validations_xml(sheet, letters, header_row + 1, last_row))
    parts.append('<printOptions horizontalCentered="1"/>'
                 '<pageMargins left="0.5" right="0.5" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
                 f'<pageSetup paperSize="9" orientation="{"landscape" if landscape else "portrait"}" '
                 'fitToWidth="1" fitToHeight="0"/>'
                 '<headerFooter><oddFooter>&amp;C第 &amp;P 页 共 &amp;N 页</oddFooter></headerFooter>'
                 "</worksheet>")
    return "".join(parts), names


def write_xlsx(sheets: list[Sheet], title: str = "", author: str = "", created: str = "") -> bytes:
    """The bytes of an .xlsx holding ``sheets``; the same arguments give the same bytes."""
    if not sheets:
        raise ValueError("write_xlsx needs at least one sheet")
    for v in (title, author, created):
        check_text(v or "")
    names = _sheet_names(sheets)
    sst = _SharedStrings()
    sheet_parts: list[tuple[str, bytes]] = []
    defined: list[str] = []
    for i, (sheet, name) in enumerate(zip(sheets, names, strict=True)):
        xml, dn = _sheet_xml(sheet, name, i, sst)
        sheet_parts.append((f"xl/worksheets/sheet{i + 1}.xml", xml.encode()))
        defined.extend(dn)

    # shared strings that reached the table unchecked (plain cells) are checked once, here
    for s in sst.index:
        check_text(s)

    n = len(sheets)
    workbook = (
        DECL + f'<workbook xmlns="{MAIN}" xmlns:r="{REL}"><workbookPr/>'
        '<bookViews><workbookView xWindow="0" yWindow="0" windowWidth="28800" windowHeight="16000"/></bookViews>'
        "<sheets>" + "".join(f'<sheet name="{_esc(nm).replace(chr(34), "&quot;")}" sheetId="{i + 1}" '
                             f'r:id="rId{i + 1}"/>' for i, nm in enumerate(names)) + "</sheets>"
        + (f"<definedNames>{''.join(defined)}</definedNames>" if defined else "")
        + '<calcPr calcId="191029"/></workbook>')
    wb_rels = (DECL + f'<Relationships xmlns="{PKG_REL}">'
               + "".join(f'<Relationship Id="rId{i + 1}" Type="{REL}/worksheet" '
                         f'Target="worksheets/sheet{i + 1}.xml"/>' for i in range(n))
               + f'<Relationship Id="rId{n + 1}" Type="{REL}/styles" Target="styles.xml"/>'
               + f'<Relationship Id="rId{n + 2}" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>'
               + f'<Relationship Id="rId{n + 3}" Type="{REL}/theme" Target="theme/theme1.xml"/>'
               + "</Relationships>")
    content_types = (
        DECL + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{CT}spreadsheetml.sheet.main+xml"/>'
        + "".join(f'<Override PartName="/xl/worksheets/sheet{i + 1}.xml" '
                  f'ContentType="{CT}spreadsheetml.worksheet+xml"/>' for i in range(n))
        + f'<Override PartName="/xl/styles.xml" ContentType="{CT}spreadsheetml.styles+xml"/>'
        f'<Override PartName="/xl/sharedStrings.xml" ContentType="{CT}spreadsheetml.sharedStrings+xml"/>'
        f'<Override PartName="/xl/theme/theme1.xml" ContentType="{CT}theme+xml"/>'
        '<Override PartName="/docProps/core.xml" '
        'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
        f'<Override PartName="/docProps/app.xml" ContentType="{CT}extended-properties+xml"/>'
        "</Types>")
    root_rels = (
        DECL + f'<Relationships xmlns="{PKG_REL}">'
        f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/>'
        f'<Relationship Id="rId2" Type="{PKG_REL}/metadata/core-properties" Target="docProps/core.xml"/>'
        f'<Relationship Id="rId3" Type="{REL}/extended-properties" Target="docProps/app.xml"/>'
        "</Relationships>")
    core_items = []
    if title:
        core_items.append(f"<dc:title>{_esc(title)}</dc:title>")
    if author:
        core_items.append(f"<dc:creator>{_esc(author)}</dc:creator>"
                          f"<cp:lastModifiedBy>{_esc(author)}</cp:lastModifiedBy>")
    if created:
        stamp = _w3cdtf(created)
        core_items.append(f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
                          f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified>')
    core = (DECL + '<cp:coreProperties '
            'xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:dcmitype="http://purl.org/dc/dcmitype/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            + "".join(core_items) + "</cp:coreProperties>")
    app = (DECL + '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
           'extended-properties" xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/'
           'docPropsVTypes"><DocSecurity>0</DocSecurity></Properties>')
    entries = [("[Content_Types].xml", content_types.encode()), ("_rels/.rels", root_rels.encode()),
               ("xl/workbook.xml", workbook.encode()), ("xl/_rels/workbook.xml.rels", wb_rels.encode()),
               ("xl/styles.xml", _STYLES.encode()), ("xl/theme/theme1.xml", _THEME.encode())]
    entries += sheet_parts
    entries += [("xl/sharedStrings.xml", sst.xml().encode()),
                ("docProps/core.xml", core.encode()), ("docProps/app.xml", app.encode())]
    return write_zip(entries)
