"""Word output on the library's look: the bundled templates/base.docx as the default base, and as
the fallback that completes a consultancy's reference document (styles, numbering, settings).

Publishers call ``write_docx(doc)``; inside ``house_style(base)`` (set once per build by
kitgen.kit.publish) every document is written on the house style instead."""
from __future__ import annotations

from pathlib import Path

from kitgen.ooxml import docx_writer as _w
from kitgen.ooxml.docx_writer import house_style  # noqa: F401 - re-exported for publishers
from kitgen.ooxml.model import Document
from kitgen.resources import templates_dir


def bundled_template() -> _w.BaseTemplate:
    return _w.BaseTemplate.load(templates_dir() / "base.docx")


def _is_bundled(path: Path | str) -> bool:
    try:
        return Path(path).resolve() == (templates_dir() / "base.docx").resolve()
    except OSError:
        return False


class BaseTemplate(_w.BaseTemplate):
    """ooxml's BaseTemplate with the library's base.docx as default and fallback."""

    @classmethod
    def load(cls, path: Path | str | None = None, fallback: _w.BaseTemplate | None = None) -> _w.BaseTemplate:
        if path is None or _is_bundled(path):
            return bundled_template()
        return _w.BaseTemplate.load(path, fallback=fallback or bundled_template())

    @classmethod
    def from_bytes(cls, data: bytes, source: str = "<bytes>",
                   fallback: _w.BaseTemplate | None = None) -> _w.BaseTemplate:
        return _w.BaseTemplate.from_bytes(data, source, fallback=fallback or bundled_template())


def write_docx(doc: Document, base: _w.BaseTemplate | None = None) -> bytes:
    """``doc`` as .docx bytes on ``base``, else the house style in force, else the bundled base."""
    return _w.write_docx(doc, base or _w.current_house() or bundled_template())
