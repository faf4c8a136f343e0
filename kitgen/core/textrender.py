"""Clause texts and conditions are Jinja, run in the sandbox with strict undefined variables.

Profile values enter only as data in the context; they are never themselves compiled as templates,
so a company called "{{ 7*7 }}" is printed as written. Compiled templates are cached by source
text: a library is compiled once per process however many kits it builds.
"""
from __future__ import annotations

import contextvars
import functools
import hashlib
import os
import re
import time
import types
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

from jinja2 import BaseLoader, FileSystemBytecodeCache, StrictUndefined, TemplateError, TemplateNotFound, UndefinedError
from jinja2 import nodes
from jinja2.runtime import markup_join, str_join
from jinja2.sandbox import SandboxedEnvironment, SandboxedFormatter, SecurityError
from jinja2.visitor import NodeTransformer
from markupsafe import EscapeFormatter, Markup

from kitgen import limits
from kitgen.errors import BuildFailed, KitgenError, Problem

MAX_POWER_BITS = limits.TEMPLATE_MAX_POWER_BITS   # 2**4096: far beyond any number a document prints
MAX_REPEAT = limits.TEMPLATE_MAX_STRING           # 'x' * n, [..] * n: at most this many characters/items
MAX_STRING = limits.TEMPLATE_MAX_STRING           # any string or list a template builds
MAX_WIDTH = limits.TEMPLATE_MAX_WIDTH             # '{:>N}', zfill, center, indent, '%0Nd' …
CALL_STEPS = 16                                   # a call (a macro above all: ~20 µs) costs as much as 16 loop steps
SANDBOX_VERSION = 2                               # compiled templates carry the guards below: part of the cache key


class TemplateLimit(SecurityError):
    """A template asked for more than a document ever needs (its message is Chinese)."""


class _Budget:
    """What one rendering may still do: loop iterations and calls, characters produced, time."""
    __slots__ = ("steps", "chars", "limit", "deadline", "tick")

    def __init__(self, steps: int = limits.TEMPLATE_MAX_STEPS, chars: int = limits.TEMPLATE_MAX_OUTPUT) -> None:
        self.steps = steps
        self.chars = chars
        self.limit = chars
        self.deadline = time.monotonic() + limits.TEMPLATE_MAX_SECONDS
        self.tick = 0

    def step(self, n: int = 1) -> None:
        self.steps -= n
        if self.steps < 0:
            build = _BUILD.get()
            if build is not None and build[0] < limits.TEMPLATE_MAX_STEPS:
                raise TemplateLimit(f"本次生成中全部模板的运算量超出上限（共 {limits.TEMPLATE_MAX_BUILD_STEPS} 次）")
            raise TemplateLimit(f"模板的运算量超出上限（循环与调用共 {limits.TEMPLATE_MAX_STEPS} 次）")
        self.tick += n
        if self.tick >= 2048:
            self.tick = 0
            if time.monotonic() > self.deadline:
                raise TemplateLimit(f"模板运行超过 {limits.TEMPLATE_MAX_SECONDS:g} 秒")

    def produce(self, n: int) -> None:
        self.chars -= n
        if self.chars < 0:
            raise TemplateLimit(f"模板生成的文字超过上限（{self.limit} 字）")
        self.step()


_BUDGET: contextvars.ContextVar[_Budget | None] = contextvars.ContextVar("kitgen_template_budget", default=None)
_BUILD: contextvars.ContextVar[list[int] | None] = contextvars.ContextVar("kitgen_build_budget", default=None)


@contextmanager
def build_budget():
    """One build's renderings share limits.TEMPLATE_MAX_BUILD_STEPS (an overlay of a thousand
    clauses, each just under the per-text limit, cannot keep a build busy for minutes)."""
    token = _BUILD.set([limits.TEMPLATE_MAX_BUILD_STEPS])
    try:
        yield
    finally:
        _BUILD.reset(token)


def _budget() -> _Budget:
    b = _BUDGET.get()
    if b is None:                      # a rendering outside ``limited()``: one shared budget
        b = _Budget()
        _BUDGET.set(b)
    return b


@contextmanager
def limited(chars: int = limits.TEMPLATE_MAX_OUTPUT):
    """A fresh budget for one rendering (a clause text, a condition, the application form), drawn
    from the build's budget when there is one. ``chars``: what it may print (a Word template's
    own XML counts too)."""
    build = _BUILD.get()
    start = limits.TEMPLATE_MAX_STEPS if build is None else max(0, min(limits.TEMPLATE_MAX_STEPS, build[0]))
    budget = _Budget(start, chars)
    token = _BUDGET.set(budget)
    try:
        yield
    finally:
        _BUDGET.reset(token)
        if build is not None:
            build[0] -= start - max(budget.steps, 0)


def _size(value: Any) -> int:
    return len(value) if isinstance(value, (str, list, tuple, dict, set)) else 0


def _checked(value: Any) -> Any:
    if _size(value) > MAX_STRING:
        raise TemplateLimit(f"模板生成的文字或列表过长（{_size(value)}，上限 {MAX_STRING}）")
    return value


def _width(n: Any, what: str) -> None:
    if isinstance(n, int) and not isinstance(n, bool) and n > MAX_WIDTH:
        raise TemplateLimit(f"{what}的宽度 {n} 过大（上限 {MAX_WIDTH}）")


_SPEC = re.compile(r"(?:.?[<>=^])?[-+ ]?z?#?0?(\d*)[,_]?(?:\.(\d+))?[a-zA-Z%]?")
_PRINTF = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?[hlL]?[a-zA-Z%]")


def _check_spec(spec: str) -> None:
    """A str.format field spec: width and precision bounded; no nested {…} widths."""
    if "{" in spec:
        raise TemplateLimit("格式说明中不能再嵌套 {…}（宽度须直接写出）")
    m = _SPEC.fullmatch(spec)
    if m:
        for g in m.groups():
            if g and int(g) > MAX_WIDTH:
                raise TemplateLimit(f"格式宽度或精度 {int(g)} 过大（上限 {MAX_WIDTH}）")


def _check_printf(fmt: Any) -> None:
    """A printf-style format ('%05d', the format filter): widths and precisions bounded, no '*'."""
    if not isinstance(fmt, str):
        return
    for m in _PRINTF.finditer(fmt):
        for g in m.groups():
            if g == "*":
                raise TemplateLimit("格式中不能用 * 指定宽度")
            if g and int(g) > MAX_WIDTH:
                raise TemplateLimit(f"格式宽度或精度 {int(g)} 过大（上限 {MAX_WIDTH}）")


class _LimitedFormatter(SandboxedFormatter):
    """str.format in the sandbox, each field's spec bounded and the whole result counted."""

    def vformat(self, format_string, args, kwargs):
        self._made = len(format_string)
        return super().vformat(format_string, args, kwargs)

    def format_field(self, value, format_spec):
        _check_spec(format_spec)
        out = super().format_field(value, format_spec)
        self._made += len(out)
        if self._made > MAX_STRING:
            raise TemplateLimit(f"格式化后的文字过长（上限 {MAX_STRING} 字）")
        return out


class _LimitedEscapeFormatter(_LimitedFormatter, EscapeFormatter):
    def __init__(self, env, escape):
        _LimitedFormatter.__init__(self, env, escape=escape)


def _str_method_check(obj: str, name: str, args: tuple, kwargs: dict) -> None:
    """What a str method would build, bounded before it is built."""
    if name in ("zfill", "ljust", "rjust", "center"):
        width = args[0] if args else kwargs.get("width")
        _width(width, f"{name}()")
    elif name == "expandtabs":
        size = args[0] if args else kwargs.get("tabsize", 8)
        _width(size, "expandtabs()")
        if isinstance(size, int) and len(obj) + obj.count("\t") * max(size, 0) > MAX_STRING:
            raise TemplateLimit("expandtabs() 后的文字过长")
    elif name == "replace" and len(args) >= 2 and isinstance(args[0], str) and isinstance(args[1], str):
        old, new = args[0], args[1]
        hits = obj.count(old) if old else len(obj) + 1
        if len(args) > 2 and isinstance(args[2], int) and args[2] >= 0:
            hits = min(hits, args[2])
        if len(obj) + hits * (len(new) - len(old)) > MAX_STRING:
            raise TemplateLimit(f"replace() 后的文字过长（上限 {MAX_STRING} 字）")
    elif name == "join" and args:
        items = args[0]
        n = len(items) if hasattr(items, "__len__") else 0
        if n and len(obj) * (n - 1) > MAX_STRING:
            raise TemplateLimit(f"join() 后的文字过长（上限 {MAX_STRING} 字）")


class _Guard(NodeTransformer):
    """Rewrites a parsed template so that loops, concatenation (~) and output go through the
    budget: ``for x in y`` iterates ``__kg_iter(y)``, ``a ~ b`` is ``__kg_concat(a, b)`` and every
    printed value passes ``__kg_out``."""

    def visit_For(self, node):
        self.generic_visit(node)
        node.iter = nodes.Call(nodes.Name("__kg_iter", "load"), [node.iter], [], None, None, lineno=node.lineno)
        return node

    def visit_Concat(self, node):
        self.generic_visit(node)
        return nodes.Call(nodes.Name("__kg_concat", "load"), list(node.nodes), [], None, None, lineno=node.lineno)

    def visit_Output(self, node):
        self.generic_visit(node)
        node.nodes = [nodes.Call(nodes.Name("__kg_out", "load"), [n], [], None, None, lineno=n.lineno)
                      for n in node.nodes]
        return node


def _kg_iter(iterable):
    b = _budget()
    for item in iterable:
        b.step()
        yield item


def _kg_out(value):
    _budget().produce(len(value) if isinstance(value, str) else 1)
    return value


class _Sandbox(SandboxedEnvironment):
    """The sandbox, plus limits on what a template may build and do, so that an overlay template
    cannot hang the build or exhaust memory: ** and sequence repetition ({{ 9**9**9 }},
    {{ 'x' * 10**10 }}), padding and format widths ('{:>999999999}', zfill, center, indent,
    '%0999999999d'), doubling a string with ~ or +, and loops (three nested range(1000)) — each
    rendering has a budget of loop steps, characters and time (kitgen/limits.py). Past a limit the
    build fails (exit 4) naming the clause."""

    intercepted_binops = frozenset({"**", "*", "+", "%"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.globals.pop("lipsum", None)                 # lipsum(n=10**9)
        self.globals["__kg_iter"] = _kg_iter
        self.globals["__kg_out"] = _kg_out
        self.globals["__kg_concat"] = self._concat
        for name, pre in (("center", _pre_center), ("indent", _pre_indent), ("format", _pre_format),
                          ("replace", _pre_replace), ("join", _pre_join), ("batch", _pre_batch),
                          ("slice", _pre_slice), ("tojson", _pre_tojson), ("wordwrap", None), ("truncate", None)):
            if name in self.filters:
                self.filters[name] = _guarded(self.filters[name], pre)

    def _generate(self, source, name, filename, defer_init=False):
        # (rewrites the tree in place: compile a tree you keep walking afterwards from its text)
        return super()._generate(_Guard().visit(source), name, filename, defer_init=defer_init)

    def _concat(self, *parts):
        total = sum(len(p) if isinstance(p, str) else len(str(p)) for p in parts)
        if total > MAX_STRING:
            raise TemplateLimit(f"用 ~ 连接后的文字过长（{total} 字，上限 {MAX_STRING} 字）")
        _budget().step()
        return (markup_join if self.autoescape else str_join)(parts)

    def call_binop(self, context, operator, left, right):
        if operator == "**" and isinstance(left, int) and isinstance(right, int) and right > 0 \
                and abs(left) > 1 and right * max(abs(left), 2).bit_length() > MAX_POWER_BITS:
            raise TemplateLimit(f"乘方结果过大（{left}**{right}）")
        if operator == "*":
            for seq, n in ((left, right), (right, left)):
                if isinstance(seq, (str, list, tuple)) and isinstance(n, int) and len(seq) * n > MAX_REPEAT:
                    raise TemplateLimit(f"重复后的长度过大（{len(seq)} × {n}）")
        if operator == "+" and isinstance(left, (str, list, tuple)) and isinstance(right, (str, list, tuple)) \
                and len(left) + len(right) > MAX_STRING:
            raise TemplateLimit(f"相加后的长度过大（{len(left)} + {len(right)}，上限 {MAX_STRING}）")
        if operator == "%" and isinstance(left, str):
            _check_printf(left)
        _budget().step()
        return _checked(super().call_binop(context, operator, left, right))

    def call(__self, __context, __obj, *args, **kwargs):  # noqa: N805 - jinja's signature
        _budget().step(CALL_STEPS)
        owner = getattr(__obj, "__self__", None)
        if isinstance(owner, str) and isinstance(__obj, (types.BuiltinMethodType, types.MethodType)):
            _str_method_check(owner, getattr(__obj, "__name__", ""), args, kwargs)
        return _checked(super().call(__context, __obj, *args, **kwargs))

    def wrap_str_format(self, value):
        """str.format / format_map with bounded field widths (jinja's own wrapper, our formatter)."""
        if not isinstance(value, (types.MethodType, types.BuiltinMethodType)) \
                or value.__name__ not in ("format", "format_map"):
            return None
        f_self = value.__self__
        if not isinstance(f_self, str):
            return None
        str_type = type(f_self)
        is_format_map = value.__name__ == "format_map"
        if isinstance(f_self, Markup):
            formatter = _LimitedEscapeFormatter(self, escape=f_self.escape)
        else:
            formatter = _LimitedFormatter(self)

        def wrapper(*args, **kwargs):
            if is_format_map:
                if kwargs:
                    raise TypeError("format_map() takes no keyword arguments")
                if len(args) != 1:
                    raise TypeError(f"format_map() takes exactly one argument ({len(args)} given)")
                kwargs = args[0]
                args = ()
            return str_type(formatter.vformat(f_self, args, kwargs))
        return functools.update_wrapper(wrapper, value)


def _guarded(fn, pre):
    # a filter jinja passes a context, eval context or environment first (pass_context …, and the
    # async variants such as join and slice): the checks see the filter's own arguments
    skip = 1 if getattr(fn, "jinja_pass_arg", None) is not None else 0

    @functools.wraps(fn)
    def guarded(*args, **kwargs):
        if pre is not None:
            pre(*args[skip:], **kwargs)
        _budget().step()
        return _checked(fn(*args, **kwargs))
    return guarded


def _pre_center(value=None, width=80, *_a, **_k):
    _width(width, "center")


def _pre_indent(s="", width=4, *_a, **_k):
    size = width if isinstance(width, int) and not isinstance(width, bool) else len(str(width))
    _width(size, "indent")
    if len(str(s)) + (str(s).count("\n") + 1) * size > MAX_STRING:
        raise TemplateLimit(f"indent 后的文字过长（上限 {MAX_STRING} 字）")


def _pre_format(value="", *_a, **_k):
    _check_printf(str(value))


def _pre_replace(s="", old="", new="", count=None, *_a, **_k):
    _str_method_check(str(s), "replace", (str(old), str(new)) + ((count,) if count is not None else ()), {})


def _pre_join(value=(), d="", *_a, **_k):
    n = len(value) if hasattr(value, "__len__") else 0
    if n and len(str(d)) * (n - 1) > MAX_STRING:
        raise TemplateLimit(f"join 后的文字过长（上限 {MAX_STRING} 字）")


def _pre_batch(value=(), linecount=1, *_a, **_k):
    if isinstance(linecount, int) and linecount > 100_000:
        raise TemplateLimit(f"batch 的每组数量 {linecount} 过大")


def _pre_slice(value=(), slices=1, *_a, **_k):
    if isinstance(slices, int) and slices > 100_000:
        raise TemplateLimit(f"slice 的份数 {slices} 过大")


def _pre_tojson(value=None, indent=None, *_a, **_k):
    if isinstance(indent, int) and indent > 64:
        raise TemplateLimit(f"tojson 的缩进 {indent} 过大")


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
                                     sorted(_Sandbox.intercepted_unops), True, True, False,
                                     SANDBOX_VERSION)).encode()).hexdigest()[:12]
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
        with limited():
            return _template(text).render(ctx)
    except KitgenError:
        raise
    except Exception as exc:   # noqa: BLE001 - any failure of a template (1/0, runaway recursion …) is its author's
        raise BuildFailed([_problem(where, exc)]) from None


def condition(expr: str, ctx: dict, where: Problem) -> bool:
    if not expr:
        return True
    try:
        with limited():
            return bool(_expression(expr)(**ctx))
    except KitgenError:
        raise
    except Exception as exc:   # noqa: BLE001
        raise BuildFailed([_problem(where, exc)]) from None


def _problem(where: Problem, exc: Exception) -> Problem:
    if isinstance(exc, UndefinedError):
        msg, hint = f"模板使用了不存在的变量：{exc.message}", "docs/design.md 所列的变量"
    elif isinstance(exc, TemplateLimit):
        msg, hint = f"模板超出限制：{exc}", "只生成文件需要的文字：不用超大的宽度、超长的重复或多重的大循环（上限见 docs/security.md）"
    elif isinstance(exc, MemoryError):
        msg, hint = "模板耗尽了内存", "只生成文件需要的文字"
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
