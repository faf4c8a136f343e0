"""Reading untrusted Office files and spreadsheets defensively: regular files only, under a size
cap; zips vetted on their central directory (entry count, declared sizes, compression ratio) before
a byte is inflated; XML refused when it declares a DTD or entities and otherwise parsed without
entity resolution, DTD loading, network access or huge-tree support. A hostile file costs
milliseconds and raises :class:`Unreadable` saying which."""
from __future__ import annotations

import io
import os
import re
import stat
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from kitgen.ooxml.sheetcols import col_index

# limits for reading a kit's files (generous for real documents, tiny for bombs); the same values
# as kitgen/limits.py (the build verifies every file with them, so what kitgen writes, check reads)
MAX_FILE_BYTES = 100 * 1024 * 1024        # a kit file on disk
MAX_MANIFEST_BYTES = 20 * 1024 * 1024
MAX_ZIP_ENTRIES = 5000
MAX_CENTRAL_DIR = 4 * 1024 * 1024
MAX_MEMBER = 192 * 1024 * 1024            # one uncompressed zip member
MAX_TOTAL = 256 * 1024 * 1024             # all members together
MAX_RATIO = 500                           # uncompressed / compressed, for members over RATIO_FLOOR
RATIO_FLOOR = 1024 * 1024

# --------------------------------------------------------------------------------------------
# safe reading
# --------------------------------------------------------------------------------------------

class Unreadable(Exception):
    """A file that cannot (or must not) be read. ``reason`` is a short category, ``message`` Chinese.

    reasons: not_file, too_large, io, not_zip, truncated, zip_bomb, entity_bomb, bad_xml, not_word,
    not_excel, corrupt"""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason
        self.message = message

    @property
    def hostile(self) -> bool:
        return self.reason in ("zip_bomb", "entity_bomb")


def _too_large(size: int, cap: int) -> Unreadable:
    if cap >= 1048576:
        return Unreadable("too_large", f"文件过大（{size / 1048576:.0f} MB，上限 {cap // 1048576} MB）")
    return Unreadable("too_large", f"文件过大（{size} 字节，上限 {cap} 字节）")


def open_regular(path: Path, cap: int = MAX_FILE_BYTES):
    """A binary file object for a regular file (symlinks followed) of at most ``cap`` bytes, and its
    size. Devices (/dev/zero), FIFOs (which would wait for a writer) and folders are refused: the
    file is opened without blocking and checked again once open."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise Unreadable("missing", "文件不存在") from None
    except (OSError, ValueError) as e:
        raise Unreadable("io", f"无法访问（{getattr(e, 'strerror', None) or e}）") from None
    if not stat.S_ISREG(st.st_mode):
        raise Unreadable("not_file", "不是普通文件（是文件夹、设备或管道）")
    if st.st_size > cap:
        raise _too_large(st.st_size, cap)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except (OSError, ValueError) as e:
        raise Unreadable("io", f"无法读取（{getattr(e, 'strerror', None) or e}）") from None
    try:
        st = os.fstat(fd)                            # the file we opened, not the one we looked at
        if not stat.S_ISREG(st.st_mode):
            raise Unreadable("not_file", "不是普通文件（是文件夹、设备或管道）")
        if st.st_size > cap:
            raise _too_large(st.st_size, cap)
        fh = os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise
    return fh, st.st_size


def read_regular(path: Path, cap: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of a regular file (symlinks followed) of at most ``cap`` bytes."""
    fh, size = open_regular(path, cap)
    try:
        with fh:
            data = fh.read(min(size, cap) + 1)           # (read(n) allocates n bytes up front)
    except OSError as e:
        raise Unreadable("io", f"无法读取（{e.strerror or e}）") from None
    if len(data) > min(size, cap):                       # grew while we read it
        raise Unreadable("io", "文件在读取时被改动")
    return data


def _eocd_check(data: bytes) -> None:
    """Refuse a zip whose end-of-central-directory record announces too many entries or too big a
    directory, before zipfile parses (and allocates for) the whole directory."""
    tail = data[-(65535 + 22):]
    pos = tail.rfind(b"PK\x05\x06")
    if pos < 0:
        if data[:4] == b"PK\x03\x04":
            raise Unreadable("truncated", "zip 文件不完整（缺少中央目录，文件可能被截断）")
        raise Unreadable("not_zip", "不是 Office 文件（不是 zip 格式）")
    rec = tail[pos:pos + 22]
    if len(rec) < 22:
        raise Unreadable("truncated", "zip 文件不完整（文件可能被截断）")
    _sig, _disk, _cd_disk, _n_here, n_total, cd_size, cd_offset, _clen = struct.unpack("<IHHHHIIH", rec)
    if n_total != 0xFFFF and n_total > MAX_ZIP_ENTRIES:
        raise Unreadable("zip_bomb", f"zip 含 {n_total} 个条目（上限 {MAX_ZIP_ENTRIES}），疑似压缩炸弹，拒绝读取")
    if cd_size != 0xFFFFFFFF and cd_size > MAX_CENTRAL_DIR:
        raise Unreadable("zip_bomb", "zip 中央目录异常庞大，疑似压缩炸弹，拒绝读取")
    if cd_offset != 0xFFFFFFFF and cd_size != 0xFFFFFFFF:
        start = len(data) - len(tail) + pos
        if cd_offset + cd_size > start:
            raise Unreadable("truncated", "zip 文件不完整（中央目录位置与文件长度不符，文件可能被截断）")


def open_zip(data: bytes, *, max_member: int | None = None, max_total: int | None = None) -> zipfile.ZipFile:
    """A ZipFile over ``data`` whose central directory has been vetted (sizes, ratio, count);
    ``max_member`` / ``max_total`` default to MAX_MEMBER / MAX_TOTAL."""
    max_member = MAX_MEMBER if max_member is None else max_member
    max_total = MAX_TOTAL if max_total is None else max_total
    _eocd_check(data)
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as e:
        raise Unreadable("corrupt", f"zip 结构已损坏（{e}）") from None
    except (OSError, ValueError, EOFError, struct.error) as e:
        raise Unreadable("truncated", f"zip 结构已损坏或被截断（{e}）") from None
    infos = zf.infolist()
    if len(infos) > MAX_ZIP_ENTRIES:
        raise Unreadable("zip_bomb", f"zip 含 {len(infos)} 个条目，疑似压缩炸弹，拒绝读取")
    total = 0
    for info in infos:
        size, packed = info.file_size, info.compress_size
        total += size
        if size > max_member:
            raise Unreadable("zip_bomb", f"zip 条目 {info.filename} 声称解压后 {size / 1048576:.0f} MB（上限 {max_member // 1048576} MB），"
                                         f"疑似压缩炸弹（zip bomb），拒绝解压")
        if size > RATIO_FLOOR and size > MAX_RATIO * max(packed, 1):
            raise Unreadable("zip_bomb", f"zip 条目 {info.filename} 压缩比约 {size // max(packed, 1)}:1，"
                                         f"疑似压缩炸弹（zip bomb），拒绝解压")
    if total > max_total:
        raise Unreadable("zip_bomb", f"zip 解压后共 {total / 1048576:.0f} MB，疑似压缩炸弹（zip bomb），拒绝解压")
    return zf


def read_member(zf: zipfile.ZipFile, name: str, cap: int = MAX_MEMBER) -> bytes:
    try:
        info = zf.getinfo(name)
    except KeyError:
        raise Unreadable("corrupt", f"缺少 {name}") from None
    try:
        with zf.open(info) as fh:             # zipfile stops at the declared size and checks the CRC
            out = fh.read(min(info.file_size, cap) + 1)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError, RuntimeError) as e:
        raise Unreadable("corrupt", f"{name} 已损坏或被截断（{e}）") from None
    if len(out) > cap:
        raise Unreadable("zip_bomb", f"{name} 解压后超过 {cap // 1048576} MB，拒绝读取")
    return out


_DTD = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


def refuse_dtd(xml: bytes, name: str) -> None:
    if _DTD.search(xml):
        raise Unreadable("entity_bomb", f"{name} 含有 DTD/实体声明（Office 文件不会有，疑似 XML 实体炸弹），拒绝读取")


def parse_xml(xml: bytes, name: str):
    """An lxml element tree, or Unreadable. DTDs and entity declarations are refused outright."""
    from lxml import etree
    refuse_dtd(xml, name)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False,
                             dtd_validation=False, remove_comments=True, remove_pis=True)
    try:
        return etree.fromstring(xml, parser)
    except etree.XMLSyntaxError as e:
        raise Unreadable("bad_xml", f"{name} 不是有效的 XML（{e}）") from None


class _DtdGuard:
    """A read-only file object over a zip member that refuses it as soon as a DTD or entity
    declaration goes by (what refuse_dtd does on a whole part), so a part is never held whole."""

    OVERLAP = 1024

    def __init__(self, fh, name: str):
        self.fh, self.name, self.tail = fh, name, b""

    def read(self, n: int = -1) -> bytes:
        try:
            chunk = self.fh.read(n if n and n > 0 else 1 << 16)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError, RuntimeError) as e:
            raise Unreadable("corrupt", f"{self.name} 已损坏或被截断（{e}）") from None
        refuse_dtd(self.tail + chunk, self.name)
        self.tail = (self.tail + chunk)[-self.OVERLAP:]
        return chunk


def docx_body_text(data: bytes) -> str:
    """The body text of a .docx (kitgen.ooxml.docx_text's lines) after vetting the zip; the
    document part is inflated and parsed as a stream (docx_text_stream), never held whole."""
    zf = open_zip(data)
    with zf:
        names = set(zf.namelist())
        if "word/document.xml" not in names:
            if "xl/workbook.xml" in names:
                raise Unreadable("not_word", "不是 Word 文件（是 Excel 文件改了扩展名）")
            raise Unreadable("not_word", "不是 Word 文件（缺少 word/document.xml）")
        from kitgen.ooxml.docx_text import UnreadableDocx, docx_text_stream
        try:
            with zf.open("word/document.xml") as fh:
                return docx_text_stream(_DtdGuard(fh, "word/document.xml"))
        except UnreadableDocx as e:
            reason = e.reason.split("：", 1)[-1]
            raise Unreadable("entity_bomb" if "DTD" in reason else "corrupt", reason) from None
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError, RuntimeError) as e:
            raise Unreadable("corrupt", f"word/document.xml 已损坏或被截断（{e}）") from None


@dataclass
class XlsxSheet:
    name: str
    rows: dict[int, dict[int, object]] = field(default_factory=dict)   # row number → {column index: value}

    def cell(self, row: int, col: int):
        return self.rows.get(row, {}).get(col)


_REF = re.compile(r"([A-Z]{1,3})(\d+)$")
_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_RELNS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKGREL = "{http://schemas.openxmlformats.org/package/2006/relationships}"


def _text_of(el) -> str:
    """Concatenated <t> under a shared string / inline string, phonetic runs (rPh) left out."""
    out = []
    for t in el.iter(_MAIN + "t"):
        parent = t.getparent()
        if parent is not None and parent.tag == _MAIN + "rPh":
            continue
        out.append(t.text or "")
    return "".join(out)


def _sheet_parts(zf, names: set[str]) -> list[tuple[str, str]]:
    """(sheet name, part) of every worksheet, in the workbook's order; refuses what is not a
    workbook and a sheet whose part is missing."""
    if "xl/workbook.xml" not in names:
        if "word/document.xml" in names:
            raise Unreadable("not_excel", "不是 Excel 文件（是 Word 文件改了扩展名）")
        raise Unreadable("not_excel", "不是 Excel 文件（缺少 xl/workbook.xml）")
    wb = parse_xml(read_member(zf, "xl/workbook.xml"), "xl/workbook.xml")
    targets: dict[str, str] = {}
    if "xl/_rels/workbook.xml.rels" in names:
        rels = parse_xml(read_member(zf, "xl/_rels/workbook.xml.rels"), "xl/_rels/workbook.xml.rels")
        for rel in rels.iter(_PKGREL + "Relationship"):
            target = rel.get("Target") or ""
            target = target.lstrip("/") if target.startswith("/") else "xl/" + target
            targets[rel.get("Id") or ""] = str(PurePosixPath(target))
    out = []
    for n, sh in enumerate(wb.iter(_MAIN + "sheet")):
        part = targets.get(sh.get(_RELNS + "id") or "", f"xl/worksheets/sheet{n + 1}.xml")
        if part not in names:
            raise Unreadable("corrupt", f"工作表 {sh.get('name')} 的内容（{part}）缺失")
        out.append((sh.get("name") or f"Sheet{n + 1}", part))
    return out


def read_xlsx(data: bytes) -> list[XlsxSheet]:
    """Cell values of every worksheet of an .xlsx (strings, numbers, booleans), vetted like docx."""
    zf = open_zip(data)
    with zf:
        names = set(zf.namelist())
        parts = _sheet_parts(zf, names)
        shared: list[str] = []
        if "xl/sharedStrings.xml" in names:
            sst = parse_xml(read_member(zf, "xl/sharedStrings.xml"), "xl/sharedStrings.xml")
            shared = [_text_of(si) for si in sst.iter(_MAIN + "si")]
        sheets: list[XlsxSheet] = []
        for name, part in parts:
            root = parse_xml(read_member(zf, part), part)
            sheet = XlsxSheet(name)
            for r_index, row in enumerate(root.iter(_MAIN + "row"), start=1):
                rnum = int(row.get("r") or r_index) if (row.get("r") or "").isdigit() else r_index
                cells: dict[int, object] = {}
                for c_index, c in enumerate(row.iter(_MAIN + "c")):
                    m = _REF.match(c.get("r") or "")
                    col = col_index(m.group(1)) if m else c_index
                    cells[col] = _cell_value(c, shared)
                sheet.rows[rnum] = cells
            sheets.append(sheet)
    return sheets


_V, _IS, _F = _MAIN + "v", _MAIN + "is", _MAIN + "f"


def _children(c):
    """A cell's first <v>, first <is> and whether it has an <f> (one pass over its children,
    cheaper than three ``find`` calls: an outlet list has a million cells)."""
    v = is_ = None
    f = False
    for ch in c:
        tag = ch.tag
        if tag == _V:
            if v is None:
                v = ch
        elif tag == _IS:
            if is_ is None:
                is_ = ch
        elif tag == _F:
            f = True
    return v, is_, f


def _cell_value(c, shared: list[str], kids=None):
    t = c.get("t") or "n"
    v, is_, _f = kids if kids is not None else _children(c)
    raw = v.text if v is not None else None
    if t == "inlineStr":
        return _text_of(is_) if is_ is not None else ""
    if raw is None:
        return None
    if t == "s":
        try:
            return shared[int(raw)]
        except (ValueError, IndexError):
            return None
    if t == "b":
        return raw.strip() == "1"
    if t in ("str", "e", "d"):
        return raw
    try:
        num = float(raw)
    except ValueError:
        return raw
    return int(num) if num.is_integer() and abs(num) < 1e15 else num


def file_text(path: Path, data: bytes) -> str:
    """The searchable text of a kit file (docx body, xlsx cell values); '' for other kinds."""
    suffix = path.suffix.lower()
    if suffix == ".docx":
        return docx_body_text(data)
    if suffix == ".xlsx":
        return xlsx_text(data)
    return ""


def xlsx_text(data: bytes) -> str:
    """The string cells of every worksheet, row by row (what ``read_xlsx`` gives, its strings
    joined by lines), with the shared strings and each sheet streamed: no tree of a sheet is built."""
    zf = open_zip(data)
    lines: list[str] = []
    with zf:
        names = set(zf.namelist())
        parts = _sheet_parts(zf, names)
        shared: list[str] = []
        if "xl/sharedStrings.xml" in names:
            for si in _iterparse(zf, "xl/sharedStrings.xml", _MAIN + "si"):
                shared.append(_text_of(si))
                si.clear()
                while si.getprevious() is not None:
                    del si.getparent()[0]
        for _name, part in parts:
            rows: dict[int, dict[int, object]] = {}
            for r_index, row in enumerate(_iterparse(zf, part, _MAIN + "row"), start=1):
                r_attr = row.get("r") or ""
                rnum = int(r_attr) if r_attr.isdigit() else r_index
                cells: dict[int, object] = {}
                for c_index, c in enumerate(row.iter(_MAIN + "c")):
                    m = _REF.match(c.get("r") or "")
                    col = col_index(m.group(1)) if m else c_index
                    value = _cell_value(c, shared)
                    cells[col] = value if isinstance(value, str) and value else None
                rows[rnum] = {k: v for k, v in cells.items() if v is not None}
                row.clear()
                while row.getprevious() is not None:
                    del row.getparent()[0]
            for _r, kept in sorted(rows.items()):
                lines.extend(v for _c, v in sorted(kept.items()))
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# one worksheet, streamed (an outlet list of tens of thousands of rows)
# --------------------------------------------------------------------------------------------

@dataclass
class SheetRows:
    """The rows of one worksheet: ``rows`` [(row number, [cell values by column index])], what the
    reader did on the consultant's behalf (``notes``), and cells it could not read (``formulas``:
    (row, column) of formulas saved without a computed value)."""
    name: str
    rows: list[tuple[int, list]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    formulas: list[tuple[int, int]] = field(default_factory=list)
    truncated: bool = False


_MERGE = re.compile(r"([A-Z]{1,3})(\d+):([A-Z]{1,3})(\d+)$")


def _iterparse(zf: zipfile.ZipFile, name: str, tag: str):
    """Elements ``tag`` of part ``name``, streamed; the part's declared size has been vetted."""
    from lxml import etree
    with zf.open(name) as fh:
        head = fh.read(4096)
    refuse_dtd(head, name)
    fh = zf.open(name)
    try:
        for _event, el in etree.iterparse(fh, events=("end",), tag=tag, resolve_entities=False,
                                          no_network=True, huge_tree=False, load_dtd=False,
                                          remove_comments=True, remove_pis=True):
            yield el
    except etree.XMLSyntaxError as e:
        raise Unreadable("bad_xml", f"{name} 不是有效的 XML（{e}）") from None
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as e:
        raise Unreadable("corrupt", f"{name} 已损坏或被截断（{e}）") from None
    finally:
        fh.close()


def read_first_visible_sheet(data: bytes, *, max_rows: int, max_columns: int,
                             max_member: int | None = None, max_total: int | None = None) -> SheetRows:
    """The first visible worksheet of an .xlsx (hidden sheets skipped), read without building the
    sheet in memory: every part's declared size is checked before it is inflated; merged cells
    carry their value to every cell of the range (said in ``notes``); a formula saved without its
    computed value is listed in ``formulas``. At most ``max_rows`` rows and ``max_columns`` columns
    are kept (``truncated`` says when there were more rows)."""
    zf = open_zip(data, max_member=max_member, max_total=max_total)
    with zf:
        names = set(zf.namelist())
        if "xl/workbook.xml" not in names:
            raise Unreadable("not_excel", "不是 Excel 文件（缺少 xl/workbook.xml）")
        cap = MAX_MEMBER if max_member is None else max_member
        wb = parse_xml(read_member(zf, "xl/workbook.xml", cap), "xl/workbook.xml")
        targets: dict[str, str] = {}
        if "xl/_rels/workbook.xml.rels" in names:
            rels = parse_xml(read_member(zf, "xl/_rels/workbook.xml.rels", cap), "xl/_rels/workbook.xml.rels")
            for rel in rels.iter(_PKGREL + "Relationship"):
                target = rel.get("Target") or ""
                target = target.lstrip("/") if target.startswith("/") else "xl/" + target
                targets[rel.get("Id") or ""] = str(PurePosixPath(target))
        sheets = list(wb.iter(_MAIN + "sheet"))
        if not sheets:
            raise Unreadable("not_excel", "工作簿中没有工作表")
        visible = [(n, s) for n, s in enumerate(sheets) if (s.get("state") or "visible") == "visible"]
        if not visible:
            raise Unreadable("not_excel", "工作簿中的工作表都是隐藏的")
        n, sh = visible[0]
        out = SheetRows(sh.get("name") or f"Sheet{n + 1}")
        if n > 0:
            hidden = "、".join(f"“{s.get('name')}”" for s in sheets[:n])
            out.notes.append(f"工作表 {hidden} 是隐藏的，已使用第一个可见的工作表 “{out.name}”")
        part = targets.get(sh.get(_RELNS + "id") or "", f"xl/worksheets/sheet{n + 1}.xml")
        if part not in names:
            raise Unreadable("corrupt", f"工作表 {out.name} 的内容（{part}）缺失")
        shared: list[str] = []
        if "xl/sharedStrings.xml" in names:
            for si in _iterparse(zf, "xl/sharedStrings.xml", _MAIN + "si"):
                shared.append(_text_of(si))
                si.clear()
        merges: list[tuple[int, int, int, int]] = []
        rows: dict[int, list] = {}
        columns: dict[str, int] = {}        # a cell reference's letters → column index
        for el in _iterparse(zf, part, (_MAIN + "row", _MAIN + "mergeCell")):
            if el.tag == _MAIN + "mergeCell":
                m = _MERGE.match(el.get("ref") or "")
                if m:
                    merges.append((int(m.group(2)), col_index(m.group(1)), int(m.group(4)), col_index(m.group(3))))
                continue
            if len(rows) >= max_rows:
                out.truncated = True
                el.clear()
                continue
            r_attr = el.get("r") or ""
            rnum = int(r_attr) if r_attr.isdigit() else (max(rows) + 1 if rows else 1)
            cells: list = []
            for c_index, c in enumerate(el.iter(_MAIN + "c")):
                ref = c.get("r") or ""
                letters = ref.rstrip("0123456789")
                col = columns.get(letters) if letters != ref and letters else None
                if col is None:
                    m = _REF.match(ref)
                    col = col_index(m.group(1)) if m else c_index
                    if m and letters == m.group(1):
                        columns[letters] = col
                if col >= max_columns:
                    continue
                kids = _children(c)
                value = _cell_value(c, shared, kids)
                if value is None and kids[2]:
                    out.formulas.append((rnum, col))
                while len(cells) <= col:
                    cells.append(None)
                cells[col] = value
            rows[rnum] = cells
            el.clear()
            while el.getprevious() is not None:          # keep the streamed tree empty
                del el.getparent()[0]
        for r1, c1, r2, c2 in merges:                    # a merged range shows its top-left value
            top = rows.get(r1, [])
            value = top[c1] if c1 < len(top) else None
            if value is None or c1 >= max_columns:
                continue
            filled = 0
            for r in range(r1, min(r2, r1 + max_rows) + 1):
                for c in range(c1, min(c2, max_columns - 1) + 1):
                    if (r, c) == (r1, c1):
                        continue
                    cells = rows.setdefault(r, [])
                    while len(cells) <= c:
                        cells.append(None)
                    if cells[c] is None:
                        cells[c] = value
                        filled += 1
            if filled:
                from kitgen.ooxml.sheetcols import col_letter
                out.notes.append(f"合并单元格 {col_letter(c1)}{r1}:{col_letter(c2)}{r2} 的内容"
                                 f"“{str(value)[:20]}”已用于其中的每一格")
        out.rows = sorted(rows.items())
    return out
