"""Deterministic zip writing for the Office files kitgen produces.

Two builds of the same input must give byte-identical files, so every entry gets the same
timestamp (1980-01-01 00:00:00, or SOURCE_DATE_EPOCH when set), the same permissions, the same
compression, and entries come in a fixed order with ``[Content_Types].xml`` first (Office and
some validators expect it there).
"""
from __future__ import annotations

import io
import os
import time
import zipfile

CONTENT_TYPES = "[Content_Types].xml"
_DOS_EPOCH = (1980, 1, 1, 0, 0, 0)
_COMPRESSLEVEL = 6
_FILE_MODE = 0o100644            # regular file, rw-r--r--
MAX_UNCOMPRESSED = 256 * 1024 * 1024   # (kitgen/limits.py ZIP_MAX_TOTAL) what normalize_zip (and docx_text) accept as input


def zip_timestamp() -> tuple[int, int, int, int, int, int]:
    """The timestamp every entry gets: SOURCE_DATE_EPOCH (UTC) when set and valid, else 1980-01-01."""
    raw = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if raw:
        try:
            secs = int(raw)
        except ValueError:
            secs = -1
        if secs >= 315532800:                  # 1980-01-01T00:00:00Z: zip cannot go earlier
            t = time.gmtime(secs)
            if t.tm_year <= 2107:
                # DOS time has 2-second resolution: round down so the stamp is stable
                return (t.tm_year, t.tm_mon, t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec - t.tm_sec % 2)
    return _DOS_EPOCH


def _ordered(entries: list[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
    seen: set[str] = set()
    for name, data in entries:
        if name in seen:
            raise ValueError(f"duplicate zip entry: {name}")
        if not isinstance(data, (bytes, bytearray)):
            raise TypeError(f"zip entry {name} must be bytes, not {type(data).__name__}")
        seen.add(name)
    first = [e for e in entries if e[0] == CONTENT_TYPES]
    return first + [e for e in entries if e[0] != CONTENT_TYPES]


def write_zip(entries: list[tuple[str, bytes]]) -> bytes:
    """Zip ``entries`` (name, data) deterministically; ``[Content_Types].xml`` goes first, the
    others keep the caller's order (which the caller must keep fixed)."""
    stamp = zip_timestamp()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in _ordered(entries):
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3           # unix, so external_attr means the same everywhere
            info.external_attr = _FILE_MODE << 16
            zf.writestr(info, bytes(data), compress_type=zipfile.ZIP_DEFLATED,
                        compresslevel=_COMPRESSLEVEL)
    return buf.getvalue()


def read_entries(data: bytes, max_total: int = MAX_UNCOMPRESSED) -> list[tuple[str, bytes]]:
    """All file entries of a zip, in stored order, refusing archives whose content exceeds
    ``max_total`` bytes once uncompressed (checked on the declared sizes and while reading)."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        infos = [i for i in zf.infolist() if not i.is_dir()]
        if sum(i.file_size for i in infos) > max_total:
            raise ValueError(f"zip content exceeds {max_total // (1024 * 1024)} MB uncompressed")
        out: list[tuple[str, bytes]] = []
        total = 0
        for info in infos:
            with zf.open(info) as fh:
                chunk = fh.read(max_total - total + 1)
            total += len(chunk)
            if total > max_total:
                raise ValueError(f"zip content exceeds {max_total // (1024 * 1024)} MB uncompressed")
            out.append((info.filename, chunk))
    return out


def normalize_zip(data: bytes) -> bytes:
    """Rewrite any zip (e.g. one openpyxl or python-docx saved, with the current time in every
    entry) deterministically: same entries, same order ([Content_Types].xml first), fixed stamps."""
    return write_zip(read_entries(data))
