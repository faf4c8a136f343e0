"""Where the shipped data lives: inside the wheel (kitgen/_bundled/…) or, in a source checkout,
at the top of the repository (templates/, clauses/) as the design card lays it out."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

_PKG = Path(__file__).resolve().parent


@lru_cache(maxsize=None)
def _top(name: str) -> Path:
    bundled = _PKG / "_bundled" / name          # wheel: force-included by pyproject
    if bundled.is_dir():
        return bundled
    return _PKG.parent / name                   # source checkout / editable install


def templates_dir() -> Path:
    return _top("templates")


def clauses_dir() -> Path:
    return _top("clauses")


def data_dir() -> Path:
    return _PKG / "data"
