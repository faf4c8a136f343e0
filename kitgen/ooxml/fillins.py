"""Fill-in placeholders (【待填写：label】) in Office files: counting them, and reading back what a
company typed into the plain-text content controls that carry them.

Reading is defensive (kitgen.ooxml.safe_read: size caps, zip and entity bombs refused): the kits
handed back by companies are untrusted input.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from kitgen.ooxml.safe_read import Unreadable, open_zip, parse_xml, read_member

PREFIX = "【待填写："
LABEL_RE = re.compile(r"【待填写：([^】<>\n]{1,120})】")
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_DOCX_PARTS = re.compile(r"^word/(document|header\d*|footer\d*|footnotes|endnotes)\.xml$")
_XLSX_PARTS = re.compile(r"^xl/(sharedStrings|worksheets/sheet\d+)\.xml$")


_PREFIX_BYTES = PREFIX.encode()
_BRACKET = "【".encode()


def count_fill_ins(data: bytes, ext: str, brackets: dict | None = None) -> Counter:
    """label → how many times 【待填写：label】 appears in a .docx or .xlsx (other kinds: none).
    A placeholder is always written whole in one text node, so the XML can be searched as text.
    ``brackets``, when given, is filled with part name → whether the part holds a "【" or a
    character reference (the parts read: body, headers, footers, notes; shared strings, sheets)."""
    ext = ext.lower()
    parts = _DOCX_PARTS if ext == ".docx" else _XLSX_PARTS if ext == ".xlsx" else None
    out: Counter = Counter()
    if parts is None or b"PK" not in data[:4]:
        return out
    zf = open_zip(data)
    for name in zf.namelist():
        if parts.match(name) or (brackets is not None and ext == ".xlsx" and name.startswith("xl/worksheets/")
                                 and name.endswith(".xml")):
            raw = read_member(zf, name)
            if brackets is not None:
                brackets[name] = _BRACKET in raw or b"&#" in raw
            if _PREFIX_BYTES in raw and parts.match(name):
                out.update(LABEL_RE.findall(raw.decode("utf-8", "replace")))
    return out


@dataclass
class Control:
    tag: str           # the fact's key
    alias: str         # its label
    text: str          # what the control holds now


def content_controls(data: bytes) -> list[Control]:
    """The tagged content controls of a .docx (body, headers, footers), with their current text."""
    zf = open_zip(data)
    out: list[Control] = []
    for name in zf.namelist():
        if not _DOCX_PARTS.match(name):
            continue
        raw = read_member(zf, name)
        if b"<w:sdt" not in raw and b":sdt" not in raw:
            continue
        root = parse_xml(raw, name)
        for sdt in root.iter(f"{W}sdt"):
            pr = sdt.find(f"{W}sdtPr")
            if pr is None:
                continue
            tag = pr.find(f"{W}tag")
            if tag is None or not tag.get(f"{W}val"):
                continue
            alias = pr.find(f"{W}alias")
            content = sdt.find(f"{W}sdtContent")
            text = "" if content is None else "".join(t.text or "" for t in content.iter(f"{W}t"))
            out.append(Control(tag.get(f"{W}val"), alias.get(f"{W}val") if alias is not None else "", text))
    return out


__all__ = ["Control", "LABEL_RE", "PREFIX", "Unreadable", "content_controls", "count_fill_ins"]
