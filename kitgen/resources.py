"""Where the content library lives: `library/` at the top of a source checkout, or
`kitgen/_library/` inside a wheel (force-included by pyproject).

The library is everything a consultant reads and may change — the indicator catalog, laws and
standards, clause texts, record forms, Word templates, the starter profile (and, with the
industry-pack round, the packs and defaults). An overlay folder has the same shape.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

_PKG = Path(__file__).resolve().parent


@lru_cache(maxsize=None)
def library_dir() -> Path:
    bundled = _PKG / "_library"                 # wheel
    if bundled.is_dir():
        return bundled
    return _PKG.parent / "library"              # source checkout / editable install


def templates_dir() -> Path:
    return library_dir() / "templates"


def clauses_dir() -> Path:
    return library_dir() / "clauses"


def data_dir() -> Path:
    """The library's top-level data files (catalog.yaml, laws.yaml, industries.yaml, starter.yaml)."""
    return library_dir()
