"""A normalised plain-text dump of a .docx, for golden tests and for scanning placeholders.

``docx_text(source)`` returns the body in document order, one line per non-empty paragraph and
one line per table row (cells joined by " | ", rows whose cells are all empty left out);
headers, footers, field instructions and deleted (tracked) text are excluded; whitespace inside a
line is collapsed to single spaces. Works on any .docx, including ones a company edited in Word
or WPS (content controls, hyperlinks, smart tags, tracked insertions are read through).

The reader is defensive: it parses with lxml without entity expansion, DTDs or network access,
and refuses archives that are not zips, lack word/document.xml, or unpack to more than 200 MB.
Every such failure raises :class:`UnreadableDocx` with a reason (in Chinese, for reports).
"""
from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

__all__ = ["UnreadableDocx", "docx_text", "MAX_UNCOMPRESSED"]

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
MAX_UNCOMPRESSED = 256 * 1024 * 1024     # = safe_read.MAX_TOTAL (kitgen/limits.py ZIP_MAX_TOTAL)
_WS = re.compile(r"\s+")


class UnreadableDocx(Exception):
    """The file cannot be read as a Word document; ``reason`` says why."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _read_document_xml(source: Path | str | bytes) -> bytes:
    if isinstance(source, (bytes, bytearray)):
        data = bytes(source)
        label = "文件"
    else:
        path = Path(source)
        label = path.name
        try:
            data = path.read_bytes()
        except OSError as e:
            raise UnreadableDocx(f"{label}：无法读取（{e.strerror or e}）") from e
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError) as e:
        raise UnreadableDocx(f"{label}：不是有效的 Word（.docx）文件（无法解压）") from e
    with zf:
        infos = zf.infolist()
        total = sum(i.file_size for i in infos)
        if total > MAX_UNCOMPRESSED:
            raise UnreadableDocx(f"{label}：解压后超过 {MAX_UNCOMPRESSED // (1024 * 1024)} MB，拒绝读取")
        try:
            info = zf.getinfo("word/document.xml")
        except KeyError:
            raise UnreadableDocx(f"{label}：缺少 word/document.xml，不是 Word 文档") from None
        try:
            with zf.open(info) as fh:
                xml = fh.read(MAX_UNCOMPRESSED + 1)
        except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, RuntimeError) as e:
            raise UnreadableDocx(f"{label}：word/document.xml 已损坏（{e}）") from e
        if len(xml) > MAX_UNCOMPRESSED:
            raise UnreadableDocx(f"{label}：解压后超过 {MAX_UNCOMPRESSED // (1024 * 1024)} MB，拒绝读取")
    return xml


def _parse(xml: bytes, label: str = "文件"):
    from lxml import etree
    if b"<!DOCTYPE" in xml[:4096] or b"<!ENTITY" in xml:
        raise UnreadableDocx(f"{label}：word/document.xml 含有 DTD/实体声明，拒绝读取")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False,
                             load_dtd=False, dtd_validation=False)
    try:
        return etree.fromstring(xml, parser)
    except etree.XMLSyntaxError as e:
        raise UnreadableDocx(f"{label}：word/document.xml 不是有效的 XML（{e}）") from e


_SKIP = {W + "instrText", W + "delText", W + "del", W + "moveFrom", MC + "Fallback",
         W + "rPr", W + "pPr", W + "sectPr", W + "tblPr", W + "trPr", W + "tcPr", W + "tblGrid"}


def _inline_text(el, out: list[str]) -> None:
    """Collect the visible text under ``el`` (a paragraph or part of one)."""
    for child in el:
        tag = child.tag
        if not isinstance(tag, str) or tag in _SKIP:
            continue
        if tag == W + "t":
            if child.text:
                out.append(child.text)
        elif tag in (W + "tab", W + "br", W + "cr"):
            out.append(" ")
        elif tag == W + "noBreakHyphen":
            out.append("-")
        elif tag == W + "sym":
            out.append("?")
        else:
            _inline_text(child, out)


def _norm(text: str) -> str:
    return _WS.sub(" ", text).strip()


def _paragraph(p) -> str:
    out: list[str] = []
    _inline_text(p, out)
    return _norm("".join(out))


def _cell(tc) -> str:
    pieces = []
    for el in tc:
        tag = el.tag
        if tag == W + "p":
            t = _paragraph(el)
            if t:
                pieces.append(t)
        elif tag == W + "tbl":                         # nested table: flattened into the cell
            for line in _block_lines(el):
                pieces.append(line)
        elif tag in (W + "sdt", W + "customXml"):
            content = el.find(W + "sdtContent") if tag == W + "sdt" else el
            if content is not None:
                t = _cell(content)
                if t:
                    pieces.append(t)
    return " ".join(pieces)


def _row_cells(tr) -> list[str]:
    cells = []
    for el in tr:
        if el.tag == W + "tc":
            cells.append(_cell(el))
        elif el.tag in (W + "sdt", W + "customXml"):
            content = el.find(W + "sdtContent") if el.tag == W + "sdt" else el
            if content is not None:
                cells.extend(_row_cells(content))
    return cells


def _table_rows(tbl):
    for el in tbl:
        if el.tag == W + "tr":
            yield el
        elif el.tag in (W + "sdt", W + "customXml"):
            content = el.find(W + "sdtContent") if el.tag == W + "sdt" else el
            if content is not None:
                yield from _table_rows(content)


def _block_lines(container):
    for el in container:
        tag = el.tag
        if tag == W + "p":
            t = _paragraph(el)
            if t:
                yield t
        elif tag == W + "tbl":
            for tr in _table_rows(el):
                cells = _row_cells(tr)
                if any(cells):
                    yield " | ".join(cells).rstrip()
        elif tag == W + "sdt":
            content = el.find(W + "sdtContent")
            if content is not None:
                yield from _block_lines(content)
        elif tag in (W + "customXml", W + "ins", W + "moveTo", W + "smartTag"):
            yield from _block_lines(el)


def docx_text(source: Path | str | bytes) -> str:
    """The plain text of a .docx body (see the module docstring); raises UnreadableDocx."""
    label = "文件" if isinstance(source, (bytes, bytearray)) else Path(source).name
    root = _parse(_read_document_xml(source), label)
    body = root.find(W + "body")
    if body is None:
        raise UnreadableDocx(f"{label}：word/document.xml 没有正文（w:body）")
    return "\n".join(_block_lines(body))
