"""Spreadsheet column letters (A, B, … Z, AA …), shared by the Excel writer, the outlet reader and
`check`/`score` — one definition so a message's "第 AB 列" and a written cell agree."""


def col_letter(i: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    s, i = "", i + 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


def col_index(letters: str) -> int:
    """A → 0, AA → 26."""
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n - 1
