"""Clause texts and conditions are Jinja, run in the sandbox with strict undefined variables.

Profile values enter only as data in the context; they are never themselves compiled as templates,
so a company called "{{ 7*7 }}" is printed as written. Compiled templates are cached by source
text: a library is compiled once per process however many kits it builds.
"""
from __future__ import annotations

import hashlib
import os
from functools import lru_cache
from typing import Any

from jinja2 import BaseLoader, FileSystemBytecodeCache, StrictUndefined, TemplateError, TemplateNotFound, UndefinedError
from jinja2.sandbox import SandboxedEnvironment, SecurityError

from kitgen.errors import BuildFailed, KitgenError, Problem

MAX_POWER_BITS = 4096          # 2**4096: far beyond any number a document prints
MAX_REPEAT = 100_000           # 'x' * n, [..] * n: at most this many characters/items


class _Sandbox(SandboxedEnvironment):
    """The sandbox, plus limits on ** and sequence repetition, so that an overlay template cannot
    hang the build or exhaust memory ({{ 9**9**9 }}, {{ 'x' * 10**10 }})."""

    intercepted_binops = frozenset({"**", "*"})

    def call_binop(self, context, operator, left, right):
        if operator == "**" and isinstance(left, int) and isinstance(right, int) and right > 0 \
                and abs(left) > 1 and right * max(abs(left), 2).bit_length() > MAX_POWER_BITS:
            raise SecurityError(f"乘方结果过大（{left}**{right}）")
        if operator == "*":
            for seq, n in ((left, right), (right, left)):
                if isinstance(seq, (str, list, tuple)) and isinstance(n, int) and len(seq) * n > MAX_REPEAT:
                    raise SecurityError(f"重复后的长度过大（{len(seq)} × {n}）")
        return super().call_binop(context, operator, left, right)


class _TextLoader(BaseLoader):
    """Templates named by the hash of their text, so Jinja's bytecode cache can keep them."""

    def __init__(self) -> None:
        self.sources: dict[str, str] = {}

    def get_source(self, environment, template):
        if template not in self.sources:       # {% include/import/extends %} in a clause: no files here
            raise TemplateNotFound(template)
        return self.sources[template], None, lambda: True


def _bytecode_cache():
    """Compiled clause texts kept between runs (Jinja's own FileSystemBytecodeCache, keyed by the
    text's checksum): compiling ~1,500 texts is half a cold build. KITGEN_NO_CACHE=1 turns it off;
    KITGEN_CACHE_DIR moves it; an unwritable home simply means no cache."""
    if os.environ.get("KITGEN_NO_CACHE"):
        return None
    base = os.environ.get("KITGEN_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "kitgen")
    path = os.path.join(base, "jinja")
    try:
        os.makedirs(path, exist_ok=True)
        if not os.access(path, os.W_OK):
            return None
    except OSError:
        return None
    # compiled code depends on kitgen's sandbox and on the environment's settings: name them in the
    # file pattern so a changed sandbox (or kitgen version) never runs code compiled for an older one
    import jinja2
    from kitgen._version import __version__
    fingerprint = hashlib.sha1(repr((__version__, jinja2.__version__, sorted(_Sandbox.intercepted_binops),
                                     sorted(_Sandbox.intercepted_unops), True, True, False)).encode()).hexdigest()[:12]
    return FileSystemBytecodeCache(path, f"kitgen-{fingerprint}-%s.cache")


_LOADER = _TextLoader()
_ENV = _Sandbox(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False,
                trim_blocks=True, lstrip_blocks=True, loader=_LOADER, bytecode_cache=_bytecode_cache(),
                cache_size=0, auto_reload=False)


def _join_cn(values: Any, sep: str = "、") -> str:
    return sep.join(str(v) for v in values)


_ENV.filters["cnjoin"] = _join_cn
_ENV.filters["unnest"] = lambda v: unnest(v)


@lru_cache(maxsize=8192)
def _template(text: str):
    name = hashlib.sha1(text.encode("utf-8")).hexdigest()
    _LOADER.sources[name] = text
    try:
        return _ENV.get_template(name)
    finally:
        del _LOADER.sources[name]


@lru_cache(maxsize=2048)
def _expression(text: str):
    return _ENV.compile_expression(text, undefined_to_none=False)


def unnest(value: Any) -> str:
    """A value meant to sit inside a text's own brackets, with its trailing bracket group turned into a
    comma clause: "8:30-18:00（道路救援7×24小时）" → "8:30-18:00，道路救援7×24小时" (no "（…（…））")."""
    text = str(value)
    if text.endswith("）") and "（" in text and not text.startswith("【"):
        i = text.rfind("（")
        text = text[:i] + "，" + text[i + 1:-1]
    return text


def inline_brackets(head: str, note: str) -> str:
    """``head（note）`` without nesting brackets when the note ends with its own: "400-…（8:30-18:00，
    道路救援7×24小时）"."""
    return f"{head}（{unnest(note)}）"


def render(text: str, ctx: dict, where: Problem) -> str:
    """Render `text`; `where` locates it (file, line, clause) for the error message."""
    if "{" not in text:                 # most paragraphs with no variables skip Jinja entirely
        return text
    try:
        return _template(text).render(ctx)
    except KitgenError:
        raise
    except Exception as exc:   # noqa: BLE001 - any failure of a template (1/0, runaway recursion …) is its author's
        raise BuildFailed([_problem(where, exc)]) from None


def condition(expr: str, ctx: dict, where: Problem) -> bool:
    if not expr:
        return True
    try:
        return bool(_expression(expr)(**ctx))
    except KitgenError:
        raise
    except Exception as exc:   # noqa: BLE001
        raise BuildFailed([_problem(where, exc)]) from None


def _problem(where: Problem, exc: Exception) -> Problem:
    if isinstance(exc, UndefinedError):
        msg, hint = f"模板使用了不存在的变量：{exc.message}", "docs/design.md 所列的变量"
    elif isinstance(exc, SecurityError):
        msg, hint = f"模板试图访问不允许的内容（沙箱拒绝）：{exc}", "只使用文档变量，不访问 Python 内部属性"
    elif isinstance(exc, TemplateNotFound) or (isinstance(exc, TypeError) and "no loader" in str(exc)):
        msg, hint = f"模板试图读取其他文件（include / import / extends 不可用）：{exc}", "只使用文档变量，不引用其他文件"
    elif isinstance(exc, TemplateError):
        msg, hint = f"模板语法错误：{exc}", "合法的 Jinja 语法，如 {{ company.name }}"
    elif isinstance(exc, RecursionError):
        msg, hint = "模板递归过深（宏调用了自身？）", "不递归调用的宏"
    else:
        msg, hint = f"模板运行出错：{type(exc).__name__}: {exc}", "检查变量与过滤器的用法"
    line = where.line
    lineno = getattr(exc, "lineno", None)
    if line and lineno and isinstance(exc, TemplateError) and lineno > 1:
        line = line + lineno - 1
    return Problem(where.file, line, where.path, msg, hint)


def check_syntax(text: str) -> str | None:
    """None when `text` parses as a Jinja template, else the error (for `kitgen lint`)."""
    try:
        _ENV.parse(text)
        return None
    except TemplateError as exc:
        return str(exc)


def check_expression(text: str) -> str | None:
    try:
        _ENV.compile_expression(text)
        return None
    except TemplateError as exc:
        return str(exc)
