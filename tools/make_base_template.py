#!/usr/bin/env python3
"""Generate library/templates/base.docx: the house style every kitgen Word document is built on.

    python tools/make_base_template.py [OUT]      (default: library/templates/base.docx)

The writer (kitgen/ooxml/docx_writer.py) takes styles.xml, settings.xml, numbering.xml,
fontTable.xml, theme1.xml and webSettings.xml from this file as-is, and reads the page size and
margins from its document.xml. A consultancy can replace base.docx with its own reference
document; styles kitgen needs that the replacement lacks are copied in from this one.

Written as XML directly (not python-docx, whose default template maps East Asian text to
MS Mincho), and zipped deterministically: running the script twice gives the same bytes.

Fonts: body 宋体 10.5 pt (五号), headings 黑体 16/14/12 pt (三号/四号/小四), notes 楷体 9 pt;
notes and indicator lines are left-aligned (long lists of clause numbers would otherwise be
stretched across the line);
Latin text in Times New Roman; language zh-CN; A4, margins 2.54/2.54/3.0/2.5 cm.
"""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kitgen.ooxml.ziputil import write_zip  # noqa: E402

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

SONG, HEI, KAI = "宋体", "黑体", "楷体"
LATIN = "Times New Roman"

# A4 portrait, margins top/bottom 2.54 cm, left 3.0 cm, right 2.5 cm, header 1.5 cm, footer 1.75 cm
PAGE_W, PAGE_H = 11906, 16838
MARGIN = dict(top=1440, right=1417, bottom=1440, left=1701, header=851, footer=992, gutter=0)
TEXT_W = PAGE_W - MARGIN["left"] - MARGIN["right"]          # 8788 twips

NO_INDENT = '<w:ind w:left="0" w:leftChars="0" w:firstLine="0" w:firstLineChars="0"/>'


def fonts(east_asia: str, latin: str = LATIN) -> str:
    return (f'<w:rFonts w:ascii="{latin}" w:eastAsia="{east_asia}" w:hAnsi="{latin}" '
            f'w:cs="{latin}"/>')


def size(half_points: int) -> str:
    return f'<w:sz w:val="{half_points}"/><w:szCs w:val="{half_points}"/>'


def pstyle(sid: str, name: str, ppr: str = "", rpr: str = "", *, based: str | None = "Normal",
           nxt: str | None = None, ui: int | None = None, q: bool = True, aliases: str = "",
           default: bool = False) -> str:
    dflt = ' w:default="1"' if default else ""
    head = f'<w:style w:type="paragraph"{dflt} w:styleId="{sid}">'
    parts = [head, f'<w:name w:val="{name}"/>']
    if aliases:
        parts.append(f'<w:aliases w:val="{aliases}"/>')
    if based:
        parts.append(f'<w:basedOn w:val="{based}"/>')
    if nxt:
        parts.append(f'<w:next w:val="{nxt}"/>')
    if ui is not None:
        parts.append(f'<w:uiPriority w:val="{ui}"/>')
    if q:
        parts.append("<w:qFormat/>")
    if ppr:
        parts.append(f"<w:pPr>{ppr}</w:pPr>")
    if rpr:
        parts.append(f"<w:rPr>{rpr}</w:rPr>")
    parts.append("</w:style>")
    return "".join(parts)


def heading(level: int, half_points: int, before: int, after: int) -> str:
    return pstyle(
        f"Heading{level}", f"heading {level}",
        '<w:keepNext/><w:keepLines/>'
        f'<w:spacing w:before="{before}" w:after="{after}" w:line="288" w:lineRule="auto"/>'
        f'{NO_INDENT}<w:jc w:val="left"/><w:outlineLvl w:val="{level - 1}"/>',
        fonts(HEI) + '<w:b/><w:bCs/><w:kern w:val="0"/>' + size(half_points),
        nxt="Normal", ui=9)


def toc(level: int) -> str:
    left = 420 * (level - 1)
    chars = 200 * (level - 1)
    ind = (f'<w:ind w:left="{left}" w:leftChars="{chars}" w:firstLine="0" w:firstLineChars="0"/>')
    before = 120 if level == 1 else 0
    rpr = (fonts(HEI) if level == 1 else "") + size(21)
    return pstyle(f"TOC{level}", f"toc {level}",
                  f'<w:spacing w:before="{before}" w:after="0" w:line="360" w:lineRule="auto"/>{ind}',
                  rpr, nxt="Normal", ui=39, q=False)


def styles_xml() -> str:
    defaults = (
        '<w:docDefaults><w:rPrDefault><w:rPr>'
        f'{fonts(SONG)}<w:kern w:val="2"/>{size(21)}'
        '<w:lang w:val="en-US" w:eastAsia="zh-CN" w:bidi="ar-SA"/>'
        '</w:rPr></w:rPrDefault>'
        '<w:pPrDefault><w:pPr><w:spacing w:line="312" w:lineRule="auto"/></w:pPr></w:pPrDefault>'
        '</w:docDefaults>'
    )
    border = '<w:{0} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
    grid_borders = "".join(border.format(s) for s in
                           ("top", "left", "bottom", "right", "insideH", "insideV"))
    out = [
        DECL,
        f'<w:styles xmlns:w="{W}" xmlns:r="{R}">',
        defaults,
        # ---- paragraph styles
        pstyle("Normal", "Normal",
               '<w:widowControl w:val="0"/><w:spacing w:line="312" w:lineRule="auto"/>'
               '<w:ind w:firstLineChars="200" w:firstLine="420"/><w:jc w:val="both"/>',
               fonts(SONG) + size(21), based=None, default=True),
        heading(1, 32, 360, 180),
        heading(2, 28, 240, 120),
        heading(3, 24, 180, 60),
        pstyle("Title", "Title",
               '<w:spacing w:before="240" w:after="240" w:line="240" w:lineRule="auto"/>'
               f'{NO_INDENT}<w:jc w:val="center"/><w:outlineLvl w:val="9"/>',
               fonts(HEI) + '<w:b/><w:bCs/><w:kern w:val="28"/>' + size(44),
               nxt="Normal", ui=10),
        pstyle("Subtitle", "Subtitle",
               '<w:spacing w:before="120" w:after="240" w:line="240" w:lineRule="auto"/>'
               f'{NO_INDENT}<w:jc w:val="center"/><w:outlineLvl w:val="9"/>',
               fonts(KAI) + size(32), nxt="Normal", ui=11),
        pstyle("TOCHeading", "TOC Heading",
               '<w:keepNext/><w:spacing w:before="240" w:after="240" w:line="240" w:lineRule="auto"/>'
               f'{NO_INDENT}<w:jc w:val="center"/><w:outlineLvl w:val="9"/>',
               fonts(HEI) + '<w:b/><w:bCs/>' + size(32), nxt="Normal", ui=39),
        toc(1), toc(2), toc(3),
        pstyle("Header", "header",
               '<w:pBdr><w:bottom w:val="single" w:sz="6" w:space="1" w:color="000000"/></w:pBdr>'
               f'<w:tabs><w:tab w:val="right" w:pos="{TEXT_W}"/></w:tabs>'
               '<w:snapToGrid w:val="0"/><w:spacing w:line="240" w:lineRule="auto"/>'
               f'{NO_INDENT}<w:jc w:val="left"/>',
               size(18), ui=99, q=False),
        pstyle("Footer", "footer",
               f'<w:tabs><w:tab w:val="center" w:pos="{TEXT_W // 2}"/></w:tabs>'
               '<w:snapToGrid w:val="0"/><w:spacing w:line="240" w:lineRule="auto"/>'
               f'{NO_INDENT}<w:jc w:val="center"/>',
               size(18), ui=99, q=False),
        pstyle("Caption", "caption",
               '<w:spacing w:before="60" w:after="180" w:line="240" w:lineRule="auto"/>'
               f'{NO_INDENT}<w:jc w:val="center"/>',
               fonts(HEI) + size(18), nxt="Normal", ui=35),
        pstyle("Note", "Note",
               '<w:spacing w:before="60" w:after="60" w:line="276" w:lineRule="auto"/>'
               f'{NO_INDENT}<w:jc w:val="left"/>',
               fonts(KAI) + '<w:color w:val="595959"/>' + size(18), aliases="注释"),
        pstyle("IndicatorRef", "IndicatorRef",
               '<w:keepNext/><w:spacing w:before="0" w:after="120" w:line="276" w:lineRule="auto"/>'
               f'{NO_INDENT}<w:jc w:val="left"/>',
               fonts(KAI) + '<w:color w:val="1F4E79"/>' + size(18), aliases="对应指标"),
        pstyle("TableText", "TableText",
               '<w:spacing w:before="20" w:after="20" w:line="264" w:lineRule="auto"/>'
               f'{NO_INDENT}<w:jc w:val="left"/>',
               aliases="表格文字"),
        pstyle("Center", "Center",
               f'{NO_INDENT}<w:jc w:val="center"/>', aliases="居中"),
        pstyle("Right", "Right",
               f'{NO_INDENT}<w:jc w:val="right"/>', aliases="右对齐"),
        pstyle("Signature", "Signature",
               '<w:spacing w:before="240" w:after="120" w:line="360" w:lineRule="auto"/>'
               f'{NO_INDENT}<w:jc w:val="left"/>', ui=99),
        pstyle("ListBullet", "List Bullet",
               '<w:ind w:left="840" w:leftChars="0" w:hanging="420" w:firstLineChars="0"/>',
               ui=99),
        pstyle("CoverCompany", "CoverCompany",
               '<w:spacing w:before="1200" w:after="600" w:line="240" w:lineRule="auto"/>'
               f'{NO_INDENT}<w:jc w:val="center"/>',
               fonts(HEI) + '<w:b/><w:bCs/>' + size(36), aliases="封面单位"),
        # ---- character styles
        '<w:style w:type="character" w:default="1" w:styleId="DefaultParagraphFont">'
        '<w:name w:val="Default Paragraph Font"/><w:uiPriority w:val="1"/><w:semiHidden/>'
        '<w:unhideWhenUsed/></w:style>',
        '<w:style w:type="character" w:styleId="Placeholder"><w:name w:val="Placeholder"/>'
        '<w:aliases w:val="待填写"/><w:basedOn w:val="DefaultParagraphFont"/><w:uiPriority w:val="1"/>'
        '<w:qFormat/><w:rPr><w:color w:val="C00000"/><w:shd w:val="clear" w:color="auto" w:fill="FFFF00"/></w:rPr>'
        '</w:style>',   # (a style's rPr may not hold w:highlight: Word drops it; the runs carry their own)
        '<w:style w:type="character" w:styleId="Hyperlink"><w:name w:val="Hyperlink"/>'
        '<w:basedOn w:val="DefaultParagraphFont"/><w:uiPriority w:val="99"/><w:unhideWhenUsed/>'
        '<w:rPr><w:color w:val="0563C1"/><w:u w:val="single"/></w:rPr></w:style>',
        # ---- table styles
        '<w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/>'
        '<w:uiPriority w:val="99"/><w:semiHidden/><w:unhideWhenUsed/><w:tblPr><w:tblInd w:w="0" w:type="dxa"/>'
        '<w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="108" w:type="dxa"/>'
        '<w:bottom w:w="0" w:type="dxa"/><w:right w:w="108" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style>',
        '<w:style w:type="table" w:styleId="TableGrid"><w:name w:val="Table Grid"/>'
        '<w:basedOn w:val="TableNormal"/><w:uiPriority w:val="39"/>'
        '<w:pPr><w:spacing w:line="264" w:lineRule="auto"/><w:ind w:firstLine="0" w:firstLineChars="0"/></w:pPr>'
        f'<w:tblPr><w:tblBorders>{grid_borders}</w:tblBorders>'
        '<w:tblCellMar><w:left w:w="85" w:type="dxa"/><w:right w:w="85" w:type="dxa"/></w:tblCellMar>'
        '</w:tblPr></w:style>',
        # ---- numbering style
        '<w:style w:type="numbering" w:default="1" w:styleId="NoList"><w:name w:val="No List"/>'
        '<w:uiPriority w:val="99"/><w:semiHidden/><w:unhideWhenUsed/></w:style>',
        "</w:styles>",
    ]
    return "".join(out)


def numbering_xml() -> str:
    """One bullet list (abstractNum named bullet-list, num 1): ● then ○ ■ repeating."""
    marks = ["●", "○", "■", "●", "○", "■", "●", "○", "■"]
    lvls = []
    for i, mark in enumerate(marks):
        left = 840 + 420 * i
        lvls.append(
            f'<w:lvl w:ilvl="{i}"><w:start w:val="1"/><w:numFmt w:val="bullet"/>'
            f'<w:lvlText w:val="{mark}"/><w:lvlJc w:val="left"/>'
            f'<w:pPr><w:ind w:left="{left}" w:hanging="420"/></w:pPr>'
            f'<w:rPr><w:rFonts w:ascii="{SONG}" w:eastAsia="{SONG}" w:hAnsi="{SONG}" w:hint="eastAsia"/>'
            f'<w:sz w:val="14"/><w:szCs w:val="14"/></w:rPr></w:lvl>')
    return (DECL + f'<w:numbering xmlns:w="{W}" xmlns:r="{R}">'
            '<w:abstractNum w:abstractNumId="0"><w:nsid w:val="5A1C0B01"/>'
            '<w:multiLevelType w:val="hybridMultilevel"/><w:tmpl w:val="3E4A9C02"/>'
            '<w:name w:val="bullet-list"/>' + "".join(lvls) + "</w:abstractNum>"
            '<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num></w:numbering>')


def settings_xml() -> str:
    return (DECL + f'<w:settings xmlns:w="{W}" xmlns:r="{R}">'
            '<w:zoom w:percent="100"/>'
            '<w:bordersDoNotSurroundHeader/><w:bordersDoNotSurroundFooter/>'
            '<w:defaultTabStop w:val="420"/>'
            '<w:drawingGridVerticalSpacing w:val="156"/>'
            '<w:displayHorizontalDrawingGridEvery w:val="0"/>'
            '<w:displayVerticalDrawingGridEvery w:val="2"/>'
            '<w:characterSpacingControl w:val="compressPunctuation"/>'
            '<w:updateFields w:val="true"/>'
            '<w:compat><w:spaceForUL/><w:balanceSingleByteDoubleByteWidth/>'
            '<w:doNotLeaveBackslashAlone/><w:ulTrailSpace/><w:doNotExpandShiftReturn/>'
            '<w:adjustLineHeightInTable/><w:useFELayout/>'
            '<w:compatSetting w:name="compatibilityMode" w:uri="http://schemas.microsoft.com/office/word" w:val="15"/>'
            '</w:compat>'
            '<w:themeFontLang w:val="en-US" w:eastAsia="zh-CN"/>'
            '<w:clrSchemeMapping w:bg1="light1" w:t1="dark1" w:bg2="light2" w:t2="dark2" '
            'w:accent1="accent1" w:accent2="accent2" w:accent3="accent3" w:accent4="accent4" '
            'w:accent5="accent5" w:accent6="accent6" w:hyperlink="hyperlink" '
            'w:followedHyperlink="followedHyperlink"/>'
            '<w:decimalSymbol w:val="."/><w:listSeparator w:val=","/>'
            '</w:settings>')


def font_table_xml() -> str:
    def font(name, alt, panose, charset, family, pitch):
        a = f'<w:altName w:val="{alt}"/>' if alt else ""
        return (f'<w:font w:name="{name}">{a}<w:panose1 w:val="{panose}"/>'
                f'<w:charset w:val="{charset}"/><w:family w:val="{family}"/><w:pitch w:val="{pitch}"/></w:font>')
    return (DECL + f'<w:fonts xmlns:w="{W}" xmlns:r="{R}">'
            + font(LATIN, "", "02020603050405020304", "00", "roman", "variable")
            + font(SONG, "SimSun", "02010600030101010101", "86", "auto", "variable")
            + font(HEI, "SimHei", "02010609060101010101", "86", "modern", "fixed")
            + font(KAI, "KaiTi", "02010609060101010101", "86", "modern", "fixed")
            + "</w:fonts>")


def theme_xml() -> str:
    A = "http://schemas.openxmlformats.org/drawingml/2006/main"
    colors = [("dk1", '<a:sysClr val="windowText" lastClr="000000"/>'),
              ("lt1", '<a:sysClr val="window" lastClr="FFFFFF"/>'),
              ("dk2", '<a:srgbClr val="44546A"/>'), ("lt2", '<a:srgbClr val="E7E6E6"/>'),
              ("accent1", '<a:srgbClr val="4472C4"/>'), ("accent2", '<a:srgbClr val="ED7D31"/>'),
              ("accent3", '<a:srgbClr val="A5A5A5"/>'), ("accent4", '<a:srgbClr val="FFC000"/>'),
              ("accent5", '<a:srgbClr val="5B9BD5"/>'), ("accent6", '<a:srgbClr val="70AD47"/>'),
              ("hlink", '<a:srgbClr val="0563C1"/>'), ("folHlink", '<a:srgbClr val="954F72"/>')]
    clr = "".join(f"<a:{n}>{v}</a:{n}>" for n, v in colors)

    def font_set(latin, ea):
        return (f'<a:latin typeface="{latin}"/><a:ea typeface=""/><a:cs typeface=""/>'
                f'<a:font script="Hans" typeface="{ea}"/><a:font script="Hant" typeface="{ea}"/>')
    solid = '<a:solidFill><a:schemeClr val="phClr"/></a:solidFill>'
    line = ('<a:ln w="{w}" cap="flat" cmpd="sng" algn="ctr">' + solid +
            '<a:prstDash val="solid"/><a:miter lim="800000"/></a:ln>')
    effect = "<a:effectStyle><a:effectLst/></a:effectStyle>"
    return (DECL + f'<a:theme xmlns:a="{A}" name="体系文件">'
            f'<a:themeElements><a:clrScheme name="体系文件">{clr}</a:clrScheme>'
            '<a:fontScheme name="体系文件">'
            f'<a:majorFont>{font_set(LATIN, HEI)}</a:majorFont>'
            f'<a:minorFont>{font_set(LATIN, SONG)}</a:minorFont></a:fontScheme>'
            '<a:fmtScheme name="体系文件">'
            f'<a:fillStyleLst>{solid}{solid}{solid}</a:fillStyleLst>'
            f'<a:lnStyleLst>{line.format(w=6350)}{line.format(w=12700)}{line.format(w=19050)}</a:lnStyleLst>'
            f'<a:effectStyleLst>{effect}{effect}{effect}</a:effectStyleLst>'
            f'<a:bgFillStyleLst>{solid}{solid}{solid}</a:bgFillStyleLst>'
            '</a:fmtScheme></a:themeElements><a:objectDefaults/><a:extraClrSchemeLst/></a:theme>')


def web_settings_xml() -> str:
    return (DECL + f'<w:webSettings xmlns:w="{W}" xmlns:r="{R}">'
            '<w:optimizeForBrowser/><w:allowPNG/></w:webSettings>')


def document_xml() -> str:
    m = MARGIN
    return (DECL + f'<w:document xmlns:w="{W}" xmlns:r="{R}"><w:body>'
            '<w:p><w:r><w:t>基础模板：样式、页面与页眉页脚格式。</w:t></w:r></w:p>'
            f'<w:sectPr><w:pgSz w:w="{PAGE_W}" w:h="{PAGE_H}"/>'
            f'<w:pgMar w:top="{m["top"]}" w:right="{m["right"]}" w:bottom="{m["bottom"]}" '
            f'w:left="{m["left"]}" w:header="{m["header"]}" w:footer="{m["footer"]}" w:gutter="{m["gutter"]}"/>'
            '<w:cols w:space="425"/><w:docGrid w:linePitch="312"/></w:sectPr>'
            '</w:body></w:document>')


CT_BASE = "application/vnd.openxmlformats-officedocument"
RT_BASE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def build() -> bytes:
    parts = [
        ("word/document.xml", "wordprocessingml.document.main+xml", None, document_xml()),
        ("word/styles.xml", "wordprocessingml.styles+xml", "styles", styles_xml()),
        ("word/settings.xml", "wordprocessingml.settings+xml", "settings", settings_xml()),
        ("word/webSettings.xml", "wordprocessingml.webSettings+xml", "webSettings", web_settings_xml()),
        ("word/fontTable.xml", "wordprocessingml.fontTable+xml", "fontTable", font_table_xml()),
        ("word/numbering.xml", "wordprocessingml.numbering+xml", "numbering", numbering_xml()),
        ("word/theme/theme1.xml", "theme+xml", "theme", theme_xml()),
    ]
    overrides = "".join(f'<Override PartName="/{p}" ContentType="{CT_BASE}.{ct}"/>' for p, ct, _, _ in parts)
    content_types = (
        DECL + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        + overrides +
        '<Override PartName="/docProps/core.xml" '
        'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
        f'<Override PartName="/docProps/app.xml" ContentType="{CT_BASE}.extended-properties+xml"/>'
        "</Types>")
    root_rels = (
        DECL + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{RT_BASE}/officeDocument" Target="word/document.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/'
        'metadata/core-properties" Target="docProps/core.xml"/>'
        f'<Relationship Id="rId3" Type="{RT_BASE}/extended-properties" Target="docProps/app.xml"/>'
        "</Relationships>")
    doc_rels = "".join(
        f'<Relationship Id="rId{i}" Type="{RT_BASE}/{rt}" Target="{p[len("word/"):]}"/>'
        for i, (p, _, rt, _) in enumerate(parts[1:], start=1))
    doc_rels = (DECL + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                + doc_rels + "</Relationships>")
    core = (DECL + '<cp:coreProperties '
            'xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            '<dc:title>基础模板</dc:title><dc:creator></dc:creator></cp:coreProperties>')
    app = (DECL + '<Properties '
           'xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
           'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
           '<DocSecurity>0</DocSecurity></Properties>')
    entries = [("[Content_Types].xml", content_types), ("_rels/.rels", root_rels),
               ("word/_rels/document.xml.rels", doc_rels)]
    entries += [(p, xml) for p, _, _, xml in parts]
    entries += [("docProps/core.xml", core), ("docProps/app.xml", app)]
    return write_zip([(n, x.encode("utf-8")) for n, x in entries])


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else ROOT / "library" / "templates" / "base.docx"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(build())
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
