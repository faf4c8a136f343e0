"""YAML loading that remembers where every value came from.

PyYAML's composer gives nodes with line marks; we build plain Python values from them ourselves,
recording the line of each field path, refusing duplicate keys, and counting nodes as aliases are
expanded so that an alias bomb ("billion laughs") is stopped long before it fills memory.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from kitgen import limits
from kitgen.errors import InvalidInput, Problem

MAX_BYTES = limits.YAML_MAX_BYTES      # a profile or clause file is never this large
MAX_NODES = limits.YAML_MAX_NODES      # values after alias expansion
MAX_DEPTH = limits.YAML_MAX_DEPTH
_SURROGATE = re.compile("[\ud800-\udfff]")


class Source:
    """A loaded YAML document: its data plus the line of every field path."""

    def __init__(self, name: str, data: Any, lines: dict[str, int], raw: bytes = b"",
                 plain: dict[str, str] | None = None):
        self.name = name
        self.data = data
        self.lines = lines
        self.raw = raw              # the file's bytes, e.g. for kit.json's profile hash
        # field path → the source text of a plain (unquoted) scalar that YAML 1.1 typed as something
        # other than text (02164705123 → octal, 8:30 → base 60, yes → true, 050000 → 20480): text
        # fields keep what was written, number fields read it by YAML 1.2 rules (see ``yaml12``)
        self.plain = plain or {}

    def line(self, path: str) -> int | None:
        """The line of `path`, or of its nearest ancestor that has one."""
        while True:
            if path in self.lines:
                return self.lines[path]
            if not path:
                return None
            cut = max(path.rfind("."), path.rfind("["))
            path = path[:cut] if cut > 0 else ""

    def problem(self, path: str, message: str, hint: str = "") -> Problem:
        return Problem(self.name, self.line(path), path, message, hint)


def join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else str(key)


class _Builder:
    def __init__(self, name: str):
        self.name = name
        self.lines: dict[str, int] = {}
        self.count = 0                       # values after alias expansion (what a naive loader builds)
        self.memo: dict[int, tuple[Any, int]] = {}
        self.scalar = yaml.SafeLoader("")    # only its scalar constructors are used
        self.plain: dict[str, str] = {}

    def build(self, node: yaml.Node, path: str, depth: int) -> Any:
        if id(node) in self.memo:            # an alias: reuse the value, but count what it expands to
            value, size = self.memo[id(node)]
            self._count(size, node)
            return value
        if depth > MAX_DEPTH:
            raise InvalidInput([Problem(self.name, node.start_mark.line + 1, "",
                                        f"嵌套层级超过 {MAX_DEPTH} 层", "层级较浅的结构")])
        before = self.count
        self._count(1, node)
        self.lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            value: Any = {}
            self.scalar.flatten_mapping(node)
            for knode, vnode in node.value:
                if not isinstance(knode, yaml.ScalarNode):
                    raise InvalidInput([Problem(self.name, knode.start_mark.line + 1, path,
                                                "键必须是简单文字", "如 name: 值")])
                key = self.scalar.construct_object(knode)
                key = str(key) if not isinstance(key, str) else key
                if _SURROGATE.search(key):
                    raise InvalidInput([Problem(self.name, knode.start_mark.line + 1, path,
                                                "键中含有无效的 Unicode 代理字符", "普通文字的键")])
                sub = join(path, key)
                if key in value:
                    raise InvalidInput([Problem(self.name, knode.start_mark.line + 1, sub,
                                                f"键 “{key}” 重复出现", "每个键只写一次")])
                self.lines[sub] = knode.start_mark.line + 1
                value[key] = self.build(vnode, sub, depth + 1)
        elif isinstance(node, yaml.SequenceNode):
            value = [self.build(item, join(path, i), depth + 1) for i, item in enumerate(node.value)]
        else:
            try:
                value = self.scalar.construct_object(node)
            except (ValueError, OverflowError) as exc:    # 2026-02-30, an integer of 5,000 digits …
                raise InvalidInput([Problem(self.name, node.start_mark.line + 1, path,
                                            f"无法识别的值 “{str(node.value)[:40]}”（{type(exc).__name__}）",
                                            "普通文字、数字或有效日期（年-月-日）；文字可加引号")]) from None
            if isinstance(value, str) and _SURROGATE.search(value):
                bad = _SURROGATE.search(value).group()
                raise InvalidInput([Problem(self.name, node.start_mark.line + 1, path,
                                            f"文字中含有无效的 Unicode 代理字符 \\u{ord(bad):04X}（不是一个真正的字符）",
                                            "删去该转义（如 \"\\uD800\"），直接输入要写的文字")])
            if not node.style and not isinstance(value, str):     # plain: None (pure parser) or "" (libyaml)
                self.plain[path] = node.value        # what was written, before YAML 1.1 typed it
        if not isinstance(node, yaml.ScalarNode):     # only collections are worth remembering
            self.memo[id(node)] = (value, self.count - before)
        return value

    def _count(self, n: int, node: yaml.Node) -> None:
        self.count += n
        if self.count > MAX_NODES:
            raise InvalidInput([Problem(self.name, node.start_mark.line + 1, "",
                                        "YAML 展开后过大（可能是别名炸弹 alias bomb）",
                                        "普通的、不含大量别名(&/*)引用的 YAML")])


def load(path: Path, display: str | None = None) -> Source:
    """Load a YAML file; every failure is an InvalidInput with file and line. Only a regular file
    of at most MAX_BYTES is read (not /dev/zero, not a FIFO that would wait for a writer)."""
    from kitgen.ooxml.safe_read import Unreadable, read_regular
    name = display or str(path)
    try:
        raw = read_regular(Path(path), MAX_BYTES)
    except Unreadable as e:
        if e.reason == "missing":
            raise InvalidInput([Problem(name, None, "", "文件不存在", "一个存在的 YAML 文件路径")]) from None
        if e.reason == "too_large":
            raise InvalidInput([Problem(name, None, "", e.message, f"{MAX_BYTES // limits.MiB} MB 以内的 YAML 文件")]) from None
        raise InvalidInput([Problem(name, None, "", f"无法读取文件：{e.message}", "一个普通的、可读的 YAML 文件")]) from None
    return loads(raw, name)


_INT12 = re.compile(r"[-+]?[0-9]+")
_FLOAT12 = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")


def yaml12(text: str) -> Any:
    """A plain scalar's value under YAML 1.2's core schema: 010 is ten, 8:30 and 1_000 are text,
    yes/no are text; true/false, null, decimal, 0o/0x integers and floats as usual."""
    t = text.strip()
    if t in ("", "~", "null", "Null", "NULL"):
        return None
    if t in ("true", "True", "TRUE"):
        return True
    if t in ("false", "False", "FALSE"):
        return False
    if _INT12.fullmatch(t):
        return int(t, 10)
    if re.fullmatch(r"0o[0-7]+", t):
        return int(t[2:], 8)
    if re.fullmatch(r"0x[0-9a-fA-F]+", t):
        return int(t[2:], 16)
    if _FLOAT12.fullmatch(t):
        return float(t)
    if re.fullmatch(r"[-+]?\.(inf|Inf|INF)", t):
        return float("-inf") if t.startswith("-") else float("inf")
    if t in (".nan", ".NaN", ".NAN"):
        return float("nan")
    return text


# libyaml's parser (when PyYAML was built with it) composes the same nodes with the same line marks
# about 5x faster. Any error is re-parsed by the pure-Python parser, whose messages and marks the
# Chinese translations below are written for; text with a tab goes to it directly, since libyaml
# accepts tabs (after "key:") that the pure parser refuses with the 使用了 Tab 缩进 message.
_FAST_LOADER = getattr(yaml, "CSafeLoader", None)


def _compose(text: str):
    if _FAST_LOADER is not None and "\t" not in text:
        try:
            return yaml.compose(text, Loader=_FAST_LOADER)
        except yaml.YAMLError:
            pass
    return yaml.compose(text, Loader=yaml.SafeLoader)


def loads(raw: bytes, name: str) -> Source:
    if len(raw) > MAX_BYTES:
        raise InvalidInput([Problem(name, None, "", f"文件过大（{len(raw) // 1024 // 1024} MB）",
                                    "20 MB 以内的 YAML 文件")])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InvalidInput([Problem(name, line, "", "文件不是 UTF-8 编码",
                                    "用 UTF-8 编码另存（记事本/WPS“另存为”时选择 UTF-8）")]) from None
    if not text.strip() or all(not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()):
        raise InvalidInput([Problem(name, None, "", "文件是空的", "至少包含 company、role、industry 等内容")])
    try:
        node = _compose(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if exc.context_mark and "stream end" in str(exc.problem or ""):
            mark = exc.context_mark            # an unclosed bracket: point at where it was opened
        line = mark.line + 1 if mark else None
        what = _yaml_problem(exc)
        raise InvalidInput([Problem(name, line, "", f"YAML 语法错误：{what}",
                                    "检查缩进（用空格，不用 Tab）、冒号后的空格和引号是否成对")]) from None
    except yaml.reader.ReaderError as exc:     # a control character YAML does not allow, anywhere
        line = text[:max(exc.position, 0)].count("\n") + 1
        code = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or "?")
        raise InvalidInput([Problem(name, line, "", f"含有 YAML 不允许的控制字符 U+{code:04X}",
                                    "删去该不可见字符（多半是从别处复制来的）")]) from None
    except yaml.YAMLError as exc:
        raise InvalidInput([Problem(name, None, "", f"YAML 语法错误：{exc}", "合法的 YAML")]) from None
    except RecursionError:                     # "[[[[…" thousands deep: PyYAML's composer recurses
        raise InvalidInput([Problem(name, None, "", f"嵌套层级过深（超过 {MAX_DEPTH} 层）", "层级较浅的结构")]) from None
    if node is None:
        raise InvalidInput([Problem(name, None, "", "文件是空的", "至少包含 company、role、industry 等内容")])
    builder = _Builder(name)
    try:
        data = builder.build(node, "", 0)
    except yaml.constructor.ConstructorError as exc:
        mark = exc.problem_mark
        raise InvalidInput([Problem(name, mark.line + 1 if mark else None, "",
                                    f"无法识别的值：{exc.problem}", "普通文字、数字、日期或列表")]) from None
    except RecursionError:
        raise InvalidInput([Problem(name, None, "", "嵌套过深", "层级较浅的结构")]) from None
    return Source(name, data, builder.lines, raw, builder.plain)


_YAML_WORDS = {
    "mapping values are not allowed here": "此处不能出现“键: 值”（冒号后的内容可能需要加引号，或缩进不对）",
    "could not find expected ':'": "缺少冒号“:”",
    "found character '\\t' that cannot start any token": "使用了 Tab 缩进",
    "did not find expected key": "缩进不一致，找不到预期的键",
    "found undefined alias": "引用了未定义的别名(*)",
    "found unexpected end of stream": "文件意外结束（引号或括号未闭合）",
    "did not find expected ',' or ']'": "方括号列表未正确闭合",
    "expected ',' or ']'": "方括号 [ ] 未闭合",
    "expected ',' or '}'": "花括号 { } 未闭合",
    "expected the node content": "缺少内容（括号或引号未闭合？）",
    "while scanning a quoted scalar": "引号未闭合",
    "did not find expected ',' or '}'": "花括号映射未正确闭合",
    "found duplicate anchor": "锚点(&)重复",
}


def _yaml_problem(exc: yaml.MarkedYAMLError) -> str:
    problem = str(exc.problem or exc.context or "")
    for eng, zh in _YAML_WORDS.items():
        if eng in problem:
            return zh
    return problem
