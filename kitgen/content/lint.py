"""`kitgen lint DIR`: check a consultancy overlay before it is used.

Every finding is a Problem located in the overlay (file relative to DIR, line, field path):

- the catalog (catalog.yaml) validates as strictly as --catalog;
- clause, document and form files validate (keys, block kinds) and their ids are unique, within a
  file and across the overlay's files;
- every indicator a document, clause or form cites exists in the catalog (the overlay's own, else
  the bundled one); every applicable catalog indicator is still cited by some clause;
- every Jinja text and `when` expression parses (unknown filters included) and uses only variables
  of the profile model — top-level names and attribute chains (service.hotline), checked against a
  reference context built from the starter profile, with loop variables followed into their lists;
- cross-references exist: a clause's doc, a form's procedure, a document's related, ref('…'),
  form('…'), ind('…'), deleted('…');
- Word templates (templates/*.docx): known names, tags Word did not split across runs or break with
  proofing/bookmark marks, Jinja that parses, variables that exist (application_form.docx: f.*),
  a house-style reference document whose logo and cover can be used;
- files kitgen would silently ignore (a .yml file, an unknown template, a misspelt folder).
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kitgen.core import yamlsrc
from kitgen.core.clauses import Library
from kitgen.core.yamlsrc import join
from kitgen.errors import InvalidInput, Problem
from kitgen.content.overlay import (
    APPLICATION_FORM,
    BASE,
    CATALOG,
    CLAUSE_DIRS,
    CLAUSE_FILES,
    CLAUSES,
    KNOWN_TEMPLATES,
    TEMPLATES,
)

_DUMMY = "\x00lint-missing-"  # stands in for a missing required value (never a real id)
UNKNOWN = object()          # a value the reference context cannot tell (a filter's result, a call's …)
CTX_FUNCTIONS = {"ref": "doc", "form": "form", "ind": "indicator", "deleted": "indicator", "ph": None,
                 "fact": "fact", "has_fact": "fact"}
JINJA_GLOBALS = {"range", "dict", "lipsum", "cycler", "joiner", "namespace", "loop", "true", "false", "none",
                 "True", "False", "None"}
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_BLOCK_SCALAR = re.compile(r":\s*[|>][+-]?\d*\s*(#.*)?$|^\s*-\s*[|>][+-]?\d*\s*(#.*)?$")
_DOCXTPL_TAG = re.compile(r"\{%-?\s*(p|tr|tc|r)\s|\{\{-?\s*(p|r)\s")
_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)


# --------------------------------------------------------------------------------------------
# the reference context

@dataclass
class Reference:
    ctx: dict
    form_values: dict | None


_REFERENCE: Reference | None = None


def reference() -> Reference:
    """The context of the starter profile (kitgen/data/starter.yaml), with every list holding
    at least one sample element, and the application form's values. Built once per process."""
    global _REFERENCE
    if _REFERENCE is not None:
        return _REFERENCE
    from kitgen.api import load_profile, plan
    from kitgen.resources import data_dir
    profile = load_profile(data_dir() / "starter.yaml")
    the_plan = plan(profile, auto_overlays=False, require_coverage=False)
    ctx = dict(the_plan.ctx)
    ctx["doc"] = {"id": "", "number": "", "title": ""}
    if not ctx.get("deletions"):
        ctx["deletions"] = [{"id": "5.2.3", "name": "", "reason": ""}]
    for key in ("honors", "certifications", "sales_channels"):
        if not ctx.get(key):
            ctx[key] = [""]
    try:
        from kitgen.render.dossier_form import form_values
        values = form_values(the_plan)
    except Exception:  # noqa: BLE001 - the dossier code is optional here: skip f.* checks
        values = None
    _REFERENCE = Reference(ctx=ctx, form_values=values)
    return _REFERENCE


# --------------------------------------------------------------------------------------------
# Jinja: syntax and variables

class _Env:
    @staticmethod
    def get():
        from kitgen.core.textrender import _ENV
        return _ENV


@dataclass
class TextSite:
    """Where a text lives: for the finding's file, line and path."""
    file: str
    line: int | None
    path: str
    block: bool = False          # a YAML block scalar (| or >): text line n is file line line + n

    def at(self, lineno: int | None) -> int | None:
        if self.line is None:
            return None
        if not lineno:
            return self.line
        return self.line + lineno if self.block else self.line + lineno - 1

    def problem(self, message: str, hint: str = "", lineno: int | None = None) -> Problem:
        return Problem(self.file, self.at(lineno), self.path, message, hint)


@dataclass
class Targets:
    docs: set[str]
    forms: set[str]
    indicators: set[str] | None         # None: the catalog did not load, do not check
    facts: set[str] | None = None       # keys of the fact registry (library + packs + overlay); None: do not check


class VarChecker:
    """Walks a Jinja AST, resolving names and attribute chains against a sample context."""

    def __init__(self, ctx: dict, site: TextSite, targets: Targets | None, out: list[Problem],
                 functions: bool = True):
        self.ctx = ctx
        self.site = site
        self.targets = targets
        self.out = out
        self.functions = functions
        self.seen: set[tuple] = set()

    # -- reporting
    def _report(self, node, message: str, hint: str = "") -> None:
        key = (message, getattr(node, "lineno", None))
        if key in self.seen:
            return
        self.seen.add(key)
        self.out.append(self.site.problem(message, hint, getattr(node, "lineno", None)))

    # -- statements
    def visit(self, node, scope: dict) -> None:
        from jinja2 import nodes
        if isinstance(node, nodes.For):
            it = self.eval(node.iter, scope)
            inner = dict(scope)
            self._bind(node.target, _element(it), inner)
            inner["loop"] = UNKNOWN
            if node.test is not None:
                self.eval(node.test, inner)
            for child in node.body:
                self.visit(child, inner)
            for child in node.else_:
                self.visit(child, scope)
        elif isinstance(node, nodes.Assign):
            value = self.eval(node.node, scope)
            self._bind(node.target, value, scope)
        elif isinstance(node, nodes.AssignBlock):
            for child in node.body:
                self.visit(child, scope)
            self._bind(node.target, "", scope)
        elif isinstance(node, (nodes.Macro, nodes.CallBlock)):
            inner = dict(scope)
            for arg in node.args:
                self._bind(arg, UNKNOWN, inner)
            for d in node.defaults:
                self.eval(d, scope)
            for extra in ("caller", "varargs", "kwargs"):
                inner[extra] = UNKNOWN
            if isinstance(node, nodes.CallBlock):
                self.eval(node.call, scope)
            else:
                scope[node.name] = UNKNOWN
            for child in node.body:
                self.visit(child, inner)
        elif isinstance(node, nodes.With):
            inner = dict(scope)
            for target, value in zip(node.targets, node.values):
                self._bind(target, self.eval(value, scope), inner)
            for child in node.body:
                self.visit(child, inner)
        elif isinstance(node, (nodes.Include, nodes.Import, nodes.FromImport, nodes.Extends)):
            self._report(node, "模板使用了 include / import / extends（kitgen 的条款文字不能引用其他模板文件）",
                         "把文字直接写在条款中")
        elif isinstance(node, nodes.Expr):
            self.eval(node, scope)
        else:
            for child in node.iter_child_nodes():
                self.visit(child, scope)

    def _bind(self, target, value, scope: dict) -> None:
        from jinja2 import nodes
        if isinstance(target, nodes.Name):
            scope[target.name] = value
        elif isinstance(target, nodes.Tuple):
            for item in target.items:
                self._bind(item, UNKNOWN, scope)

    # -- expressions
    def eval(self, node, scope: dict) -> Any:
        from jinja2 import nodes
        if isinstance(node, nodes.Name):
            if node.ctx != "load":
                return UNKNOWN
            if node.name in scope:
                return scope[node.name]
            if node.name in self.ctx:
                return self.ctx[node.name]
            if node.name in JINJA_GLOBALS:
                return UNKNOWN
            near = difflib.get_close_matches(node.name, [k for k in self.ctx if not callable(self.ctx[k])]
                                             + list(scope), n=1, cutoff=0.6)
            self._report(node, f"模板使用了不存在的变量 {node.name}",
                         f" {near[0]}" if near else "docs/design.md “The context” 所列的变量")
            return UNKNOWN
        if isinstance(node, nodes.Getattr):
            return self._attr(node, self.eval(node.node, scope), node.attr)
        if isinstance(node, nodes.Getitem):
            base = self.eval(node.node, scope)
            arg = node.arg
            if isinstance(arg, nodes.Const) and isinstance(arg.value, str):
                return self._attr(node, base, arg.value)
            if isinstance(arg, nodes.Const) and isinstance(arg.value, int) and isinstance(base, list):
                return _element(base)
            self.eval(arg, scope)
            return UNKNOWN
        if isinstance(node, nodes.Call):
            callee = node.node
            if (self.functions and isinstance(callee, nodes.Name) and callee.name in CTX_FUNCTIONS
                    and callee.name not in scope):
                self._check_call(node, callee.name)
            else:
                self.eval(callee, scope)
            for a in node.args:
                self.eval(a, scope)
            for kw in node.kwargs:
                self.eval(kw.value, scope)
            for extra in (node.dyn_args, node.dyn_kwargs):
                if extra is not None:
                    self.eval(extra, scope)
            return UNKNOWN
        if isinstance(node, (nodes.Filter, nodes.Test)):
            if node.node is not None:
                self.eval(node.node, scope)
            for a in node.args:
                self.eval(a, scope)
            for kw in node.kwargs:
                self.eval(kw.value, scope)
            return UNKNOWN
        if isinstance(node, nodes.Const):
            return node.value
        for child in node.iter_child_nodes():
            self.eval(child, scope)
        return UNKNOWN

    def _attr(self, node, base: Any, name: str) -> Any:
        if base is UNKNOWN or callable(base):
            return UNKNOWN
        chain = _chain(node)
        if isinstance(base, dict):
            if name in base:
                return base[name]
            if hasattr(dict, name):
                return UNKNOWN
            parent = chain.rsplit(".", 1)[0] if "." in chain else chain
            near = difflib.get_close_matches(name, list(base), n=1, cutoff=0.6)
            hint = f" {parent}.{near[0]}" if near else f" {parent} 下可用：" + "、".join(sorted(base))[:200]
            self._report(node, f"模板使用了不存在的变量 {chain}", hint)
            return UNKNOWN
        if hasattr(type(base), name):
            return UNKNOWN
        kind = "列表" if isinstance(base, list) else "文字" if isinstance(base, str) else "数值" \
            if isinstance(base, (int, float)) else type(base).__name__
        parent = chain.rsplit(".", 1)[0] if "." in chain else chain
        self._report(node, f"模板使用了不存在的变量 {chain}（{parent} 是{kind}，没有 {name}）",
                     "docs/design.md “The context” 所列的变量")
        return UNKNOWN

    def _check_call(self, node, fname: str) -> None:
        from jinja2 import nodes
        kind = CTX_FUNCTIONS[fname]
        if kind is None or self.targets is None or not node.args:
            return
        arg = node.args[0]
        if not (isinstance(arg, nodes.Const) and isinstance(arg.value, str)):
            return
        value = arg.value
        if kind == "doc" and value not in self.targets.docs:
            near = difflib.get_close_matches(value, self.targets.docs, n=1)
            self._report(node, f"{fname}('{value}') 引用了未登记的文件", f" {near[0]}" if near else "documents.yaml 中的文件标识")
        elif kind == "form" and value not in self.targets.forms:
            near = difflib.get_close_matches(value, self.targets.forms, n=1)
            self._report(node, f"{fname}('{value}') 引用了未登记的表格", f" {near[0]}" if near else "forms.yaml 中的表格标识")
        elif kind == "indicator" and self.targets.indicators is not None and value not in self.targets.indicators:
            self._report(node, f"{fname}('{value}') 引用了指标目录中不存在的指标", "指标目录中存在的编号")
        elif kind == "fact" and self.targets.facts is not None and value not in self.targets.facts:
            near = difflib.get_close_matches(value, self.targets.facts, n=1)
            self._report(node, f"{fname}('{value}') 的键不在问题登记（questions.yaml）中",
                         f" {near[0]}" if near else "在覆盖层或行业包的 questions.yaml 中登记这个键")


def _chain(node) -> str:
    from jinja2 import nodes
    if isinstance(node, nodes.Name):
        return node.name
    if isinstance(node, nodes.Getattr):
        return f"{_chain(node.node)}.{node.attr}"
    if isinstance(node, nodes.Getitem):
        arg = node.arg
        if isinstance(arg, nodes.Const) and isinstance(arg.value, str):
            return f"{_chain(node.node)}.{arg.value}"
        if isinstance(arg, nodes.Const):
            return f"{_chain(node.node)}[{arg.value!r}]"
        return f"{_chain(node.node)}[…]"
    if isinstance(node, nodes.Call):
        return f"{_chain(node.node)}(…)"
    return "…"


def _element(value: Any) -> Any:
    """A sample element of a list (dict elements merged, so every key any element has counts)."""
    if not isinstance(value, (list, tuple)) or not value:
        return UNKNOWN
    if all(isinstance(v, dict) for v in value):
        merged: dict = {}
        for v in value:
            for k, x in v.items():
                merged.setdefault(k, x)
        return merged
    return value[0]


def check_text(text: str, site: TextSite, ctx: dict, targets: Targets | None, out: list[Problem],
               scope: dict | None = None) -> None:
    """A Jinja text: syntax (compiled, so unknown filters count), then variables."""
    from jinja2 import TemplateSyntaxError
    from jinja2.exceptions import TemplateError
    if not isinstance(text, str) or ("{" not in text):
        return
    env = _Env.get()
    try:
        env.compile(text)              # (compiling rewrites a tree for the sandbox: walk a fresh parse)
        ast = env.parse(text)
    except TemplateSyntaxError as exc:
        out.append(site.problem(f"模板语法错误：{exc.message}", "合法的 Jinja 语法，如 {{ company.name }}", exc.lineno))
        return
    except TemplateError as exc:
        out.append(site.problem(f"模板语法错误：{exc}", "合法的 Jinja 语法"))
        return
    VarChecker(ctx, site, targets, out).visit(ast, dict(scope or {}))


def check_expression(expr: str, site: TextSite, ctx: dict, targets: Targets | None, out: list[Problem],
                     scope: dict | None = None) -> Any:
    """A `when` (or `for`) expression: syntax, then variables. Returns the sample value."""
    from jinja2.exceptions import TemplateError
    if not isinstance(expr, str) or not expr.strip():
        return UNKNOWN
    env = _Env.get()
    try:
        env.compile_expression(expr)
        ast = env.parse("{{ " + expr + " }}")
    except TemplateError as exc:
        msg = getattr(exc, "message", None) or str(exc)
        out.append(site.problem(f"条件表达式语法错误：{msg}", "合法的 Jinja 表达式，如 has_delivery and is_producer"))
        return UNKNOWN
    checker = VarChecker(ctx, site, targets, out)
    output = ast.body[0] if ast.body else None
    node = output.nodes[0] if output is not None and getattr(output, "nodes", None) else None
    if node is None:
        return UNKNOWN
    return checker.eval(node, dict(scope or {}))


# --------------------------------------------------------------------------------------------
# the overlay's YAML files

@dataclass
class YamlFile:
    path: Path
    name: str                   # relative to the overlay
    src: yamlsrc.Source
    raw_lines: list[str]

    def site(self, ypath: str, path: str) -> TextSite:
        line = self.src.line(ypath)
        block = False
        if line and 0 < line <= len(self.raw_lines):
            block = bool(_BLOCK_SCALAR.search(self.raw_lines[line - 1].rstrip()))
        return TextSite(self.name, line, path, block)


def _load_yaml(path: Path, name: str, out: list[Problem]) -> YamlFile | None:
    try:
        src = yamlsrc.load(path, name)
    except InvalidInput as exc:
        out.extend(exc.problems)
        return None
    try:
        raw = path.read_bytes().decode("utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError):
        raw = []
    return YamlFile(path, name, src, raw)


@dataclass
class Linter:
    root: Path
    out: list[Problem] = field(default_factory=list)
    pack: str = ""                    # linting library/packs-shaped folder packs/<pack> of an overlay
    fact_keys: set[str] | None = None

    def rel(self, path: Path) -> str:
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return str(path)

    # ---------------------------------------------------------------- entry
    def run(self) -> list[Problem]:
        from kitgen.content.overlay import Overlay
        ov = Overlay(root=self.root, origin="lint")
        used: set[Path] = set()
        catalog, cat_file = self.catalog(used)
        clause_root = ov.clauses
        files = self.clause_files(clause_root, used) if clause_root else {}
        lib, merged = self.libraries(files)
        indicators = set(catalog.indicators) if catalog is not None else None
        if self.fact_keys is None:
            self.fact_keys = self.facts(used, [])
        from kitgen.core.facts import DEFAULTS, QUESTIONS
        used.update(self.root / n for n in (QUESTIONS, DEFAULTS) if (self.root / n).is_file())
        targets = Targets(docs=set(merged.docs) if merged else set(), forms=set(merged.forms) if merged else set(),
                          indicators=indicators, facts=self.fact_keys)
        ref = reference()
        ctx = ref.ctx
        if self.pack:
            ctx = self.pack_context(ctx, used)
        if lib is not None:
            self.check_library(files, lib, merged, catalog, targets, ctx)
            if catalog is not None and not self.pack:
                self.coverage(catalog, cat_file, lib, merged, files)
        if not self.pack:
            self.templates(ov, used, ref)
            self.packs(used)
        self.unused(clause_root, used)
        if not used and not self.out:
            self.out.append(Problem(self.root.name or str(self.root), None, "",
                                    "目录中没有 kitgen 能使用的内容",
                                    "catalog.yaml、clauses/（documents.yaml、manual.yaml、procedures/…）或 templates/"))
        return sorted(self.out, key=lambda p: (p.file, p.line or 0, p.path, p.message))

    # ---------------------------------------------------------------- facts and packs
    def facts(self, used: set[Path], extra_roots: list[Path]) -> set[str] | None:
        """Validate questions.yaml / defaults.yaml here (on top of the library's and the given
        roots'); the registry's keys, or None when it does not load."""
        from kitgen.core.facts import DEFAULTS, QUESTIONS, load_defaults, load_questions
        from kitgen.resources import library_dir
        roots = [library_dir(), *extra_roots, self.root]
        for name in (QUESTIONS, DEFAULTS):
            if (self.root / name).is_file():
                used.add(self.root / name)
        try:
            questions = load_questions(roots)
            load_defaults(roots, questions)
        except InvalidInput as exc:
            self.out.extend(self._relative(exc.problems))
            return None
        return set(questions)

    def _relative(self, problems: list[Problem]) -> list[Problem]:
        root = str(self.root.resolve())
        out = []
        for p in problems:
            f = p.file
            if f.startswith(root):
                f = Path(f).resolve().relative_to(self.root.resolve()).as_posix()
            out.append(Problem(f, p.line, p.path, p.message, p.hint))
        return out

    def pack_context(self, ctx: dict, used: set[Path]) -> dict:
        """The reference context with this pack's terms and statutory facts."""
        from kitgen.core.industries import PACK_FILE, _read_pack
        path = self.root / PACK_FILE
        used.add(path)
        for extra in ("laws.yaml",):
            if (self.root / extra).is_file():
                used.add(self.root / extra)
        problems: list[Problem] = []
        ind = _read_pack(path, problems) if path.is_file() else None
        self.out.extend(self._relative(problems))
        if ind is None:
            if not path.is_file():
                self.out.append(Problem(PACK_FILE, None, "", "行业包缺少 pack.yaml", "见 docs/packs.md"))
            return ctx
        industry = dict(ctx["industry"], id=ind.id, name=ind.name, product_noun=ind.product_noun,
                        customer=ind.customer, terms=dict(ind.terms), services=list(ind.services),
                        three_guarantees=ind.three_guarantees, license=ind.license, facts=ind.facts)
        return dict(ctx, industry=industry)

    def packs(self, used: set[Path]) -> None:
        """An overlay's packs/<industry>/: each linted like an overlay (pack.yaml, clauses, facts),
        its findings named packs/<industry>/…"""
        from kitgen.content.overlay import PACKS
        from kitgen.core.industries import pack_folders, packs_dir
        folder = self.root / PACKS
        if not folder.is_dir():
            return
        for pack in pack_folders(folder):
            bundled = packs_dir() / pack.name
            sub = Linter(pack, pack=pack.name)
            sub.fact_keys = sub.facts(set(), [bundled] if bundled.is_dir() else [])
            for p in sub.run():
                used_name = f"{PACKS}/{pack.name}/{p.file}" if not p.file.startswith("/") else p.file
                self.out.append(Problem(used_name, p.line, p.path, p.message, p.hint))
            used.update(f for f in pack.rglob("*") if f.is_file())
        for stray in sorted(p for p in folder.iterdir() if p.is_dir() and not (p / "pack.yaml").is_file()):
            self.out.append(Problem(f"{PACKS}/{stray.name}/", None, "", "行业包文件夹中没有 pack.yaml，不会被使用",
                                    "packs/<行业代码>/pack.yaml（见 docs/packs.md）"))

    # ---------------------------------------------------------------- catalog
    def catalog(self, used: set[Path]):
        from kitgen.core.catalog import load_catalog, parse_catalog
        path = self.root / CATALOG
        if not path.is_file():
            return load_catalog(None), None
        used.add(path)
        yf = _load_yaml(path, CATALOG, self.out)
        if yf is None:
            return None, None
        try:
            return parse_catalog(yf.src), yf
        except InvalidInput as exc:
            self.out.extend(exc.problems)
            return None, yf

    # ---------------------------------------------------------------- clause files
    def clause_files(self, croot: Path, used: set[Path]) -> dict[str, YamlFile]:
        paths = [croot / f for f in CLAUSE_FILES if (croot / f).is_file() and f != "dossier.yaml"]
        for d in CLAUSE_DIRS:
            if (croot / d).is_dir():
                paths += sorted((croot / d).glob("*.yaml"))
        if (croot / "dossier.yaml").is_file():
            used.add(croot / "dossier.yaml")     # the dossier texts are checked when the kit is built
        out: dict[str, YamlFile] = {}
        for p in paths:
            used.add(p)
            yf = _load_yaml(p, self.rel(p), self.out)
            if yf is not None:
                out[yf.name] = yf
        return out

    def unused(self, croot: Path | None, used: set[Path]) -> None:
        """Files kitgen would silently ignore."""
        if self.root / CLAUSES == croot:
            for f in CLAUSE_FILES:
                if (self.root / f).is_file():
                    self.out.append(Problem(f, None, "", "已有 clauses/ 文件夹，此文件不会被读取",
                                            f"移到 clauses/{f}"))
            for d in CLAUSE_DIRS:
                if (self.root / d).is_dir():
                    self.out.append(Problem(d + "/", None, "", "已有 clauses/ 文件夹，此文件夹不会被读取",
                                            f"移到 clauses/{d}/"))
        for p in sorted(self.root.rglob("*")):
            if not p.is_file() or any(part.startswith(".") for part in p.relative_to(self.root).parts[:-1]):
                continue
            if p in used or p.parent == self.root / TEMPLATES:
                continue
            suffix = p.suffix.lower()
            if suffix in (".yaml", ".yml"):
                hint = "扩展名改为 .yaml" if suffix == ".yml" else (
                    "catalog.yaml、clauses/documents.yaml、forms.yaml、forms/*.yaml、manual.yaml、procedures/*.yaml、"
                    "rules/*.yaml、extra/*.yaml 之一")
                self.out.append(Problem(self.rel(p), None, "", "kitgen 不会读取此文件", hint))
            elif suffix in (".docx", ".dotx", ".doc"):
                why = (f"已被 templates/{p.name} 取代，此文件不会被使用" if (self.root / TEMPLATES / p.name).is_file()
                       else "Word 模板应放在 templates/ 中，此文件不会被使用")
                self.out.append(Problem(self.rel(p), None, "", why,
                                        "templates/base.docx 或 templates/application_form.docx"))

    def libraries(self, files: dict[str, YamlFile]) -> tuple[Library | None, Library | None]:
        """The overlay's own library (its files only) and the merged one (bundled + overlay)."""
        from kitgen.core import clauses as cl
        lib = Library()
        problems: list[Problem] = []
        self.file_of: dict[tuple[str, str], YamlFile] = {}      # (kind, id) → file
        self.index_of: dict[tuple[str, str], int] = {}          # (kind, id) → list index in its file
        first_seen: dict[str, YamlFile] = {}
        added: list = []                                        # {id, external_records} entries
        for name, yf in files.items():
            base = name.rsplit("/", 1)[-1]
            one = Library(defer_unknown=True)
            kind = {"documents.yaml": "doc", "forms.yaml": "form"}.get(base, "clause")
            if name.rsplit("/", 2)[-2:-1] == ["forms"]:          # forms/*.yaml: record forms too
                kind = "form"
            src = self._safe_source(yf, kind)
            loader = {"doc": cl._docs, "form": cl._forms, "clause": cl._clauses}[kind]
            try:
                loader(src, one, problems)
            except Exception as exc:  # noqa: BLE001 - the loader's own bug must not hide the other findings
                self.out.append(Problem(yf.name, None, "", f"无法读取此文件：{type(exc).__name__}: {exc}",
                                        "按 docs/design.md 的条款格式书写"))
                continue
            items = {"doc": one.docs, "form": one.forms, "clause": one.clauses}[kind]
            for iid in [i for i in items if i.startswith(_DUMMY)]:
                del items[iid]
            if isinstance(yf.src.data, list):
                for i, item in enumerate(yf.src.data):
                    if isinstance(item, dict) and "id" in item:
                        self.index_of.setdefault((kind, str(item["id"])), i)
            for iid in items:
                if kind == "clause" and iid in first_seen and first_seen[iid] is not yf:
                    i = self.index_of.get((kind, iid), 0)
                    other = first_seen[iid]
                    self.out.append(yf.src.problem(join("", i) + ".id",
                                                   f"条款标识 “{iid}” 与 {other.name} 中的条款重复",
                                                   "覆盖层内每个条款标识只出现一次"))
                    continue
                first_seen.setdefault(iid, yf)
                self.file_of[(kind, iid)] = yf
            added += one.added_records
            lib.docs.update(one.docs)
            lib.forms.update(one.forms)
            lib.clauses.update({k: v for k, v in one.clauses.items() if self.file_of.get(("clause", k)) is yf})
        self.out.extend(problems)
        try:
            from kitgen.core.industries import packs_dir
            pack_clauses = packs_dir() / self.pack / CLAUSES if self.pack else None
            bundled = cl.load_library([pack_clauses] if pack_clauses is not None and pack_clauses.is_dir() else [])
        except InvalidInput as exc:           # the bundled library itself is broken: report and stop
            self.out.extend(exc.problems)
            return lib, None
        self.bundled = bundled
        merged = Library(docs={**bundled.docs, **lib.docs}, forms={**bundled.forms, **lib.forms},
                         clauses={**bundled.clauses, **lib.clauses})
        for ident, _records, loc in added:
            if ident not in merged.docs:
                self.out.append(loc.problem(f"{ident}.external_records", f"文件 “{ident}” 未登记，不能为它补充体系外记录",
                                            _near(ident, merged.docs, "已登记的文件标识；新文件须写全 kind、code、title")))
        return lib, merged

    def _safe_source(self, yf: YamlFile, kind: str) -> yamlsrc.Source:
        """The file's data with every missing required key reported here and filled with a dummy,
        so that the clause loader (which indexes required keys) cannot fail on it."""
        from kitgen.core import clauses as cl
        keys, required, fill = {
            "doc": (cl.DOC_KEYS, ("id", "kind", "code", "title"), {"kind": "procedure"}),
            "form": (cl.FORM_KEYS, ("id", "code", "title", "procedure", "layout"), {"layout": []}),
            "clause": (cl.CLAUSE_KEYS, ("id", "doc", "heading"), {}),
        }[kind]
        data = yf.src.data
        if not isinstance(data, list):
            return yf.src
        patched = []
        for i, item in enumerate(data):
            adds = kind == "doc" and isinstance(item, dict) and set(item) == {"id", "external_records"}
            if isinstance(item, dict) and "omit" not in item and not adds and any(item.get(k) in (None, "") for k in required):
                item = dict(item)
                for k in required:
                    if item.get(k) in (None, ""):
                        self.out.append(yf.src.problem(join(join("", i), k), f"缺少必填项 “{k}”（{keys[k]}）", "填写此项"))
                        item[k] = fill.get(k, f"{_DUMMY}{i}")
            patched.append(item)
        return yamlsrc.Source(yf.src.name, patched, yf.src.lines)

    # ---------------------------------------------------------------- clauses, documents, forms
    def check_library(self, files, lib: Library, merged: Library | None, catalog, targets: Targets,
                      ctx: dict) -> None:
        known = set(catalog.indicators) if catalog is not None else None
        std = catalog.standard if catalog is not None else ""

        def ind_check(yf: YamlFile, ypath: str, path: str, ids: list[str]) -> None:
            if known is None:
                return
            for k, i in enumerate(ids):
                if i not in known:
                    near = difflib.get_close_matches(i, known, n=1, cutoff=0.8)
                    self.out.append(Problem(yf.name, yf.src.line(join(ypath, k)), path,
                                            f"引用了指标目录中不存在的指标 {i}",
                                            f" {near[0]}" if near else f"{std or '指标目录'}中存在的编号"))

        for did, d in lib.docs.items():
            yf = self.file_of[("doc", did)]
            i = self.index_of.get(("doc", did), 0)
            yp = join("", i)
            ind_check(yf, f"{yp}.indicators", f"{did}.indicators", d.indicators)
            for k, r in enumerate(d.related):
                if merged is not None and r not in merged.docs:
                    self.out.append(Problem(yf.name, yf.src.line(join(f"{yp}.related", k)), f"{did}.related",
                                            f"相关文件 “{r}” 未登记", _near(r, merged.docs, "documents.yaml 中的文件标识")))
            if d.when:
                check_expression(d.when, yf.site(f"{yp}.when", f"{did}.when"), ctx, targets, self.out)

        for fid, f in lib.forms.items():
            yf = self.file_of[("form", fid)]
            i = self.index_of.get(("form", fid), 0)
            yp = join("", i)
            ind_check(yf, f"{yp}.indicators", f"{fid}.indicators", f.indicators)
            if merged is not None and f.procedure not in merged.docs and not f.procedure.startswith(_DUMMY):
                self.out.append(Problem(yf.name, yf.src.line(f"{yp}.procedure"), f"{fid}.procedure",
                                        f"表格所属文件 “{f.procedure}” 未登记",
                                        _near(f.procedure, merged.docs, "documents.yaml 中的文件标识")))
            fctx = dict(ctx, doc={"id": fid, "number": "", "title": f.title})
            if f.when:
                check_expression(f.when, yf.site(f"{yp}.when", f"{fid}.when"), fctx, targets, self.out)
            for j, block in enumerate(f.layout):
                if not isinstance(block, dict):
                    continue
                bp = f"{yp}.layout[{j}]"
                where = f"{fid}.layout[{j}]"
                if block.get("when"):
                    check_expression(str(block["when"]), yf.site(f"{bp}.when", f"{where}.when"), fctx, targets,
                                     self.out)
                for ypath, text in _form_texts(block, bp):
                    check_text(text, yf.site(ypath, where), fctx, targets, self.out)
                if any(k in block for k in ("p", "list", "table", "gen")):   # body blocks, as in a clause
                    self.block(yf, bp, where, {k: v for k, v in block.items() if k != "when"}, fctx, targets)

        for cid, c in lib.clauses.items():
            yf = self.file_of[("clause", cid)]
            i = self.index_of.get(("clause", cid), 0)
            yp = join("", i)
            ind_check(yf, f"{yp}.indicators", f"{cid}.indicators", c.indicators)
            if merged is not None and c.doc not in merged.docs and not c.doc.startswith(_DUMMY):
                self.out.append(Problem(yf.name, yf.src.line(f"{yp}.doc"), f"{cid}.doc",
                                        f"条款所属文件 “{c.doc}” 未在 documents.yaml 中登记",
                                        _near(c.doc, merged.docs, "documents.yaml 中的文件标识，如 proc-repair")))
            title = merged.docs[c.doc].title if merged is not None and c.doc in merged.docs else ""
            cctx = dict(ctx, doc={"id": c.doc, "number": "", "title": title})
            if c.when:
                check_expression(c.when, yf.site(f"{yp}.when", f"{cid}.when"), cctx, targets, self.out)
            check_text(c.heading, yf.site(f"{yp}.heading", f"{cid}.heading"), cctx, targets, self.out)
            for j, block in enumerate(c.body):
                if isinstance(block, dict):
                    self.block(yf, f"{yp}.body[{j}]", f"{cid}.body[{j}]", block, cctx, targets)

    def block(self, yf: YamlFile, bp: str, where: str, block: dict, ctx: dict, targets: Targets) -> None:
        out = self.out
        if block.get("when"):
            check_expression(str(block["when"]), yf.site(f"{bp}.when", f"{where}.when"), ctx, targets, out)
        for key in ("p", "note"):
            if isinstance(block.get(key), str):
                check_text(block[key], yf.site(f"{bp}.{key}", where), ctx, targets, out)
        if isinstance(block.get("list"), list):
            for k, item in enumerate(block["list"]):
                check_text(item, yf.site(f"{bp}.list[{k}]", where), ctx, targets, out)
        table = block.get("table")
        if isinstance(table, dict):
            tp = f"{bp}.table"
            if table.get("when"):
                check_expression(str(table["when"]), yf.site(f"{tp}.when", f"{where}.table.when"), ctx, targets, out)
            for k, h in enumerate(table.get("header") or []):
                check_text(str(h), yf.site(join(f"{tp}.header", k), f"{where}.table.header[{k}]"), ctx, targets, out)
            for r, row in enumerate(table.get("rows") or []):
                for k, cell in enumerate(row if isinstance(row, list) else []):
                    check_text(str(cell), yf.site(f"{tp}.rows[{r}][{k}]", f"{where}.table.rows[{r}][{k}]"),
                               ctx, targets, out)
            scope: dict = {}
            if table.get("for"):
                spec = str(table["for"])
                var, sep, expr = spec.partition(" in ")
                var = var.strip()
                site = yf.site(f"{tp}.for", f"{where}.table.for")
                if not sep or not var.isidentifier() or not expr.strip():
                    out.append(site.problem(f"无法理解的循环 “{spec}”", "形如 p in products"))
                else:
                    value = check_expression(expr.strip(), site, ctx, targets, out)
                    scope[var] = _element(value)
            for k, cell in enumerate(table.get("row") or []):
                check_text(str(cell), yf.site(f"{tp}.row[{k}]", f"{where}.table.row[{k}]"), ctx, targets, out,
                           scope=scope)
        steps = block.get("steps")
        if isinstance(steps, list):
            for k, step in enumerate(steps):
                if not isinstance(step, dict):
                    continue
                sp = f"{bp}.steps[{k}]"
                if step.get("when"):
                    check_expression(str(step["when"]), yf.site(f"{sp}.when", f"{where}.steps[{k}].when"), ctx,
                                     targets, out)
                for key in ("do", "who", "time", "record"):
                    if step.get(key) is not None:
                        check_text(str(step[key]), yf.site(f"{sp}.{key}", f"{where}.steps[{k}]"), ctx, targets, out)

    # ---------------------------------------------------------------- coverage
    def coverage(self, catalog, cat_file: YamlFile | None, lib: Library, merged: Library | None,
                 files: dict[str, YamlFile]) -> None:
        if merged is None:
            return
        cited: set[str] = set()
        for c in merged.clauses.values():
            cited.update(c.indicators)
        bundled = getattr(self, "bundled", None)
        for ind in catalog.indicators.values():
            if ind.children or ind.id in cited:
                continue
            # a bundled clause that cited it and was replaced by an overlay clause
            culprit = None
            if bundled is not None:
                for cid, c in bundled.clauses.items():
                    if ind.id in c.indicators and cid in lib.clauses:
                        culprit = cid
                        break
            if culprit is not None:
                yf = self.file_of[("clause", culprit)]
                i = self.index_of.get(("clause", culprit), 0)
                self.out.append(Problem(yf.name, yf.src.line(join("", i) + ".indicators"), f"{culprit}.indicators",
                                        f"替换内置条款后，指标 {ind.label} 不再被任何条款引用（生成将失败，除非企业删减该指标）",
                                        f"在 indicators 中保留 {ind.id}，或另写条款引用它"))
            elif cat_file is not None:
                k = next((n for n, item in enumerate(cat_file.src.data.get("indicators") or [])
                          if isinstance(item, dict) and str(item.get("id")) == ind.id), None)
                line = cat_file.src.line(f"indicators[{k}]") if k is not None else None
                self.out.append(Problem(cat_file.name, line, ind.id,
                                        f"指标 {ind.label} 没有任何条款引用（生成将失败，除非企业删减该指标）",
                                        "在覆盖层的条款文件中写一条 indicators 含此编号的条款"))
        if cat_file is not None and catalog is not None:
            known = set(catalog.indicators)
            for cid, c in merged.clauses.items():
                if cid in lib.clauses:
                    continue
                missing = [i for i in c.indicators if i not in known]
                if missing:
                    self.out.append(Problem(cat_file.name, None, cid,
                                            f"内置条款 {cid}（{c.loc.file}）引用的指标 {'、'.join(missing)} 不在本目录中（生成将失败）",
                                            "目录保留这些编号，或在覆盖层中用同一标识改写该条款"))

    # ---------------------------------------------------------------- Word templates
    def templates(self, ov, used: set[Path], ref: Reference) -> None:
        for tname in KNOWN_TEMPLATES:
            p = ov.template(tname)
            if p is not None:
                used.add(p)
                self.out.extend(lint_docx(p, self.rel(p), ref))
        tdir = self.root / TEMPLATES
        if not tdir.is_dir():
            return
        for p in sorted(tdir.iterdir()):
            if p.is_dir() or p.name.startswith((".", "~$")):
                continue
            name = self.rel(p)
            if p.suffix.lower() != ".docx":
                hint = "用 Word “另存为” .docx" if p.suffix.lower() in (".doc", ".dotx", ".docm", ".wps") else \
                    "templates/ 只放 base.docx 和 application_form.docx"
                self.out.append(Problem(name, None, "", "kitgen 不会使用此文件（模板须为 .docx）", hint))
                continue
            if p.name not in KNOWN_TEMPLATES:
                near = difflib.get_close_matches(p.name, list(KNOWN_TEMPLATES), n=1, cutoff=0.5)
                self.out.append(Problem(name, None, "", "kitgen 不认识此模板名称，不会使用它",
                                        f" {near[0]}" if near else "、".join(KNOWN_TEMPLATES)))


def _near(value: str, options, default: str) -> str:
    near = difflib.get_close_matches(value, list(options), n=1)
    return f" {near[0]}" if near else default


def _form_texts(block: dict, bp: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    if isinstance(block.get("fields"), list):
        for r, row in enumerate(block["fields"]):
            for k, lbl in enumerate(row if isinstance(row, list) else []):
                out.append((f"{bp}.fields[{r}][{k}]", str(lbl)))
    grid = block.get("grid")
    if isinstance(grid, dict):
        for k, c in enumerate(grid.get("columns") or []):
            out.append((f"{bp}.grid.columns[{k}]", str(c)))
        if isinstance(grid.get("rows"), list):
            for r, row in enumerate(grid["rows"]):
                for k, c in enumerate(row if isinstance(row, list) else []):
                    out.append((f"{bp}.grid.rows[{r}][{k}]", str(c)))
    for key in ("text", "heading", "right"):
        if block.get(key) is not None:
            out.append((f"{bp}.{key}", str(block[key])))
    if isinstance(block.get("sign"), list):
        for k, s in enumerate(block["sign"]):
            out.append((f"{bp}.sign[{k}]", str(s)))
    return out


# --------------------------------------------------------------------------------------------
# Word templates

@dataclass
class _Para:
    part: str
    text: str
    owners: list[int]                      # per character: index of its run
    marks: list[tuple[int, str]]           # (position, element name) of proofing/bookmark/field marks


_MARKS = {"proofErr": "校对标记 proofErr", "bookmarkStart": "书签 bookmarkStart", "bookmarkEnd": "书签 bookmarkEnd",
          "commentRangeStart": "批注", "commentRangeEnd": "批注", "permStart": "权限标记", "permEnd": "权限标记",
          "fldChar": "域代码", "instrText": "域代码", "fldSimple": "域代码", "hyperlink": "超链接",
          "ins": "修订标记", "del": "修订标记", "smartTag": "智能标记", "customXml": "自定义 XML"}


class _ParaText:
    """The text of one paragraph with, per character, the run it is in, and the marks between."""

    def __init__(self) -> None:
        self.text: list[str] = []
        self.owners: list[int] = []
        self.marks: list[tuple[int, str]] = []
        self.runs: dict[int, int] = {}

    def walk(self, el, run_index: int | None) -> None:
        for child in el:
            tag = child.tag if isinstance(child.tag, str) else ""
            if not tag.startswith(W):
                if tag:
                    self.walk(child, run_index)
                continue
            name = tag[len(W):]
            if name in ("p", "txbxContent"):        # a nested paragraph is its own paragraph
                continue
            if name in _MARKS:
                self.marks.append((len(self.text), _MARKS[name]))
            if name == "r":
                self.walk(child, self.runs.setdefault(id(child), len(self.runs)))
            elif name == "t":
                s = child.text or ""
                self.text.extend(s)
                self.owners.extend([run_index if run_index is not None else -1] * len(s))
            elif name not in ("del", "instrText", "delText"):
                self.walk(child, run_index)
            if name in ("hyperlink", "ins", "smartTag", "customXml", "fldSimple"):   # the wrapper's end
                self.marks.append((len(self.text), _MARKS[name]))


def _paragraphs(part: str, root) -> list[_Para]:
    out = []
    for p in root.iter(f"{W}p"):
        pt = _ParaText()
        pt.walk(p, None)
        s = "".join(pt.text)
        if s.strip():
            out.append(_Para(part, s, pt.owners, pt.marks))
    return out


def _docx_parts(entries: dict[str, bytes]) -> list[str]:
    names = ["word/document.xml"] + sorted(n for n in entries if re.fullmatch(r"word/(header|footer)\d*\.xml", n))
    names += [n for n in ("word/footnotes.xml", "word/endnotes.xml") if n in entries]
    return [n for n in names if n in entries]


def lint_docx(path: Path, name: str, ref: Reference | None = None) -> list[Problem]:
    """Findings for one Word template of an overlay."""
    from kitgen.ooxml.ziputil import read_entries
    out: list[Problem] = []
    try:
        entries = dict(read_entries(path.read_bytes(), max_total=50 * 1024 * 1024))
    except Exception as exc:  # noqa: BLE001 - any unreadable file is a finding
        return [Problem(name, None, "", f"无法作为 .docx 打开：{exc}", "用 Word 另存的 .docx 文件")]
    if "word/document.xml" not in entries:
        return [Problem(name, None, "", "不是 Word 文档（缺少 word/document.xml）", "用 Word 另存的 .docx 文件")]
    from kitgen.ooxml.docx_writer import _xml
    if path.name == BASE:
        return _lint_reference(path, name, entries)
    paras: list[_Para] = []
    for part in _docx_parts(entries):
        try:
            root = _xml(entries[part])
        except Exception as exc:  # noqa: BLE001
            out.append(Problem(name, None, part, f"XML 无法解析：{exc}", "用 Word 重新保存"))
            continue
        paras.extend(_paragraphs(part, root))
    split_hint = "在 Word 中删除整个标签后一次性重新输入（不要分段修改；可先关闭拼写检查）"
    for para in paras:
        shown = para.text.strip()
        shown = shown if len(shown) <= 60 else shown[:57] + "…"
        for m in _TAG.finditer(para.text):
            s, e = m.span()
            tag = m.group()
            runs = {o for o in para.owners[s:e]}
            inside = sorted({n for pos, n in para.marks if s < pos < e})
            if len(runs) > 1:
                between = f"，中间夹有{'、'.join(inside)}" if inside else ""
                out.append(Problem(name, None, para.part,
                                   f"段落“{shown}”中的标签 {tag} 被 Word 拆分到 {len(runs)} 个文字块（w:r）中{between}",
                                   split_hint))
            elif inside:
                out.append(Problem(name, None, para.part,
                                   f"段落“{shown}”中的标签 {tag} 中间夹有{'、'.join(inside)}", split_hint))
        rest = _TAG.sub("", para.text)
        for opener in ("{{", "{%", "{#"):
            if opener in rest:
                out.append(Problem(name, None, para.part, f"段落“{shown}”中的 {opener} 没有在同一段落内闭合",
                                   "标签的开始和结束写在同一段落中"))
                break
    # Jinja over the whole document, one paragraph a line (docxtpl's p/tr/tc/r tags as plain tags)
    by_part: dict[str, list[_Para]] = {}
    for para in paras:
        by_part.setdefault(para.part, []).append(para)
    from jinja2 import TemplateSyntaxError
    from jinja2.exceptions import TemplateError
    from jinja2.sandbox import SandboxedEnvironment
    env = SandboxedEnvironment(autoescape=True)
    for part, ps in by_part.items():
        lines = [_DOCXTPL_TAG.sub(lambda m: m.group()[:2] + " ", p.text.replace("\n", " ")) for p in ps]
        source = "\n".join(lines)
        if "{" not in source:
            continue
        try:
            ast = env.parse(source)
            env.compile(ast)
        except TemplateSyntaxError as exc:
            k = (exc.lineno or 1) - 1
            shown = ps[k].text.strip()[:60] if 0 <= k < len(ps) else ""
            out.append(Problem(name, None, part, f"模板语法错误（段落“{shown}”）：{exc.message}",
                               "合法的 Jinja / docxtpl 语法，{% %} 成对出现"))
            continue
        except TemplateError as exc:
            out.append(Problem(name, None, part, f"模板语法错误：{exc}", "合法的 Jinja / docxtpl 语法"))
            continue
        if path.name == APPLICATION_FORM and ref is not None and ref.form_values is not None:
            found: list[Problem] = []      # "line" = paragraph number, turned into the paragraph's text
            VarChecker({"f": ref.form_values}, TextSite(name, 0, part, block=True), None, found,
                       functions=False).visit(ast, {})
            for prob in found:
                k = (prob.line or 1) - 1
                shown = ps[k].text.strip()[:60] if 0 <= k < len(ps) else ""
                out.append(Problem(prob.file, None, part, f"{prob.message}（段落“{shown}”）", prob.hint))
    return out


def _lint_reference(path: Path, name: str, entries: dict[str, bytes]) -> list[Problem]:
    """base.docx: usable as a house style (its cover placeholders are merged across runs by kitgen
    itself, so split tags are no problem there); parts that do not parse; header pictures kitgen
    cannot take as the logo."""
    from kitgen.ooxml.docx_writer import _xml
    from kitgen.render.word import BaseTemplate
    out: list[Problem] = []
    for part in sorted(n for n in entries if n.endswith((".xml", ".rels"))):
        try:
            _xml(entries[part])
        except Exception as exc:  # noqa: BLE001
            out.append(Problem(name, None, part, f"XML 无法解析（kitgen 将忽略此部件）：{exc}", "用 Word 重新保存"))
    try:
        base = BaseTemplate.from_bytes(path.read_bytes(), source=str(path))
    except Exception as exc:  # noqa: BLE001
        out.append(Problem(name, None, "", f"参考文档（企业文件版式）无法使用：{exc}",
                           "页眉徽标为嵌入的图片；封面只用 {{ company }} {{ title }} 等占位符"))
        return out
    headers = [n for n in entries if re.fullmatch(r"word/header\d*\.xml", n)]
    pictures = sum(entries[n].count(b"<w:drawing") + entries[n].count(b"<w:pict") for n in headers)
    if pictures and base.house is not None and base.house.logo is None and base.house.first_logo is None:
        out.append(Problem(name, None, "", "页眉中有图片，但不是默认页眉中可直接复制的图片（文本框、形状或组合中的图片不会作为徽标）",
                           "在默认页眉中直接插入图片（插入 → 图片）"))
    return out


def lint(path: Path | str) -> list[Problem]:
    """Every finding for the overlay folder ``path`` (empty: clean). A folder holding pack.yaml is
    linted as an industry pack (its terms and statutory facts in the reference context)."""
    root = Path(path)
    from kitgen.core.industries import PACK_FILE
    if (root / PACK_FILE).is_file():
        from kitgen.core.industries import packs_dir
        linter = Linter(root, pack=root.name)
        bundled = packs_dir() / root.name
        extra = [bundled] if bundled.is_dir() and bundled.resolve() != root.resolve() else []
        linter.fact_keys = linter.facts(set(), extra)
        return linter.run()
    return Linter(root).run()
