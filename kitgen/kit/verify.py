"""Every file of a kit is checked before anything is written (publish calls ``verify_files``).

Kit-level rules live here — paths (relative, "/"-separated, no empty/"."/".." component, no
backslash, drive letter or control character, each component at most 255 bytes in UTF-8, unique
even on a case-insensitive file system; ``kit.json`` is kitgen's own) — and each file's content is
judged by kitgen.ooxml.verify (Office packages, text, JSON). A failure raises
:class:`kitgen.errors.BuildFailed` naming the file, the part and the problem (exit code 4);
nothing has been written by then.
"""
from __future__ import annotations

import unicodedata
from collections.abc import Iterable

import re

from kitgen import limits
from kitgen.errors import BuildFailed, Problem
from kitgen.ooxml import verify as _ov
from kitgen.ooxml.safe_read import Unreadable, open_zip
from kitgen.ooxml.verify import _BAD_CHARS, _DRIVE, MAX_COMPONENT_BYTES

MANIFEST = "kit.json"
# names Windows reserves for devices, with or without an extension (CON, CON.docx, com1.txt …)
_WINDOWS_DEVICE = re.compile(r"(CON|PRN|AUX|NUL|COM[0-9¹²³]|LPT[0-9¹²³]) *(\..*)?", re.IGNORECASE)


def check_file(path: str, data, cache: dict | None = None) -> list[Problem]:
    """The problems of one file, judged by its extension."""
    return [Problem(f.file, None, f.path, f.message, f.hint) for f in _ov.check_file(path, data, cache)]


# ------------------------------------------------------------------------------------ paths
def check_path(path) -> str | None:
    """None when ``path`` is a safe relative path inside a kit folder, else what is wrong."""
    if not isinstance(path, str) or not path:
        return "文件路径为空"
    bad = _BAD_CHARS.search(path)
    if bad:
        return f"文件路径含有控制字符 U+{ord(bad.group()):04X}"
    if "\\" in path:
        return "文件路径含有反斜杠"
    if path.startswith("/") or _DRIVE.match(path):
        return "文件路径是绝对路径"
    for comp in path.split("/"):
        if comp in ("", ".", ".."):
            return "文件路径含有空的、“.” 或 “..” 的部分"
        if len(comp.encode("utf-8")) > MAX_COMPONENT_BYTES:
            return f"文件名过长（{len(comp.encode('utf-8'))} 字节，文件系统最多 {MAX_COMPONENT_BYTES} 字节）"
        if len(comp.encode("utf-8")) + limits.NEW_SUFFIX_BYTES > MAX_COMPONENT_BYTES:
            return (f"文件名过长（{len(comp.encode('utf-8'))} 字节：企业修改过的文件保留时，新版本名称加 “.new” 后"
                    f"超过文件系统的 {MAX_COMPONENT_BYTES} 字节）")
        if comp != comp.rstrip(" ."):
            return "文件名以空格或句点结尾（Windows 无法使用）"
        if _WINDOWS_DEVICE.fullmatch(comp.rstrip(" ")):
            return f"文件名 “{comp}” 是 Windows 保留的设备名，在 Windows 上无法使用"
    return None


def _readable_by_check(path: str, data) -> list[Problem]:
    """What `kitgen check` will refuse to read (kitgen/limits.py): a kit is never written that its own
    check would call too large or a zip bomb."""
    if not isinstance(data, (bytes, bytearray)):
        return []
    hint = "更少的网点、商品或更短的文字（上限见 docs/security.md）"
    if len(data) > limits.KIT_FILE_MAX_BYTES:
        return [Problem(path, None, "", f"生成的文件过大（{len(data) // limits.MiB} MB，kitgen check 的上限 "
                                        f"{limits.KIT_FILE_MAX_BYTES // limits.MiB} MB）", hint)]
    if not path.lower().endswith((".docx", ".xlsx")):
        return []
    try:
        open_zip(bytes(data)).close()
    except Unreadable as e:
        return [Problem(path, None, "", f"生成的文件超出 kitgen check 的读取上限：{e.message}", hint)]
    return []


def _fold(path: str) -> str:
    return unicodedata.normalize("NFC", path).casefold()


# ------------------------------------------------------------------------------------ files
def verify_files(files: Iterable, manifest: bytes | None = None) -> None:
    """Check every OutputFile (``.path``, ``.data``) and optionally the kit.json bytes; raise
    BuildFailed listing every problem found."""
    problems: list[Problem] = []
    cache: dict = {}
    seen: dict[str, str] = {_fold(MANIFEST): MANIFEST}
    for f in files:
        path = getattr(f, "path", None)
        why = check_path(path)
        if why:
            problems.append(Problem(str(path), None, "", f"输出文件路径不安全：{why}",
                                    "文件包目录内的相对路径，由 “/” 分隔的普通文件名组成"))
            continue
        key = _fold(path)
        if key in seen:
            other = seen[key]
            problems.append(Problem(path, None, "", f"输出文件路径与 “{other}” 重复（不区分大小写的文件系统上是同一个文件）",
                                    "每个输出文件一个不同的名称"))
            continue
        # a file may not also be a folder of another file ("a" and "a/b")
        seen[key] = path
        problems += check_file(path, f.data, cache)
        problems += _readable_by_check(path, f.data)
    folders = {k.rsplit("/", 1)[0] for k in seen if "/" in k}
    for folder in sorted(folders):
        parts = folder.split("/")
        for i in range(1, len(parts) + 1):
            prefix = "/".join(parts[:i])
            if prefix in seen:
                problems.append(Problem(seen[prefix], None, "", "输出文件与另一个输出文件所在的文件夹同名",
                                        "文件与文件夹使用不同的名称"))
    if manifest is not None:
        problems += check_file(MANIFEST, manifest)
    if problems:
        raise BuildFailed(problems)
