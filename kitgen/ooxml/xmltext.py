"""Text that goes into Office XML: the characters XML 1.0 cannot carry, escaping, W3CDTF dates.
Shared by the Word and Excel writers and the house-style copier."""
from __future__ import annotations

import re

# XML 1.0 forbids C0 controls other than tab/LF/CR, lone surrogates, U+FFFE and U+FFFF
_FORBIDDEN_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def check_text(text: str) -> None:
    """Raise ValueError naming ``text`` when it holds a character XML 1.0 cannot carry."""
    m = _FORBIDDEN_RE.search(text)
    if m:
        raise ValueError(
            f"文本含有 XML 不允许的控制字符 U+{ord(m.group()):04X}，无法写入 Word 文件：{text[:80]!r}")


def esc(text: str) -> str:
    """Escape text content (& < >)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def esc_attr(text: str) -> str:
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            .replace('"', "&quot;").replace("'", "&apos;"))


def _w3cdtf(value: str) -> str:
    """An ISO date (2026-12-01, 2026-12-01T08:00:00[Z], or 2026年12月1日) as W3CDTF UTC."""
    value = value.strip()
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", value) or \
        re.fullmatch(r"(\d{4})年(\d{1,2})月(\d{1,2})日", value)
    if m:
        y, mo, d = (int(g) for g in m.groups())
        return f"{y:04d}-{mo:02d}-{d:02d}T00:00:00Z"
    m = re.fullmatch(r"(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(:\d{2})?(Z|[+-]\d{2}:\d{2})?", value)
    if m:
        return f"{m.group(1)}T{m.group(2)}{m.group(3) or ':00'}{m.group(4) or 'Z'}"
    raise ValueError(f"Document.created must be an ISO date such as 2026-12-01, not {value!r}")
