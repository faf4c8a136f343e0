"""Consultancy overlays: a folder that brings its own catalog, clauses and Word templates.

An overlay folder may hold (every part optional; docs/overlays.md is the consultant's guide)::

    我的咨询公司/
      catalog.yaml              replaces the bundled indicator catalog (an explicit --catalog wins)
      clauses/                  laid out like kitgen's clauses/: documents.yaml, forms.yaml, forms/*.yaml,
        documents.yaml          manual.yaml, procedures/*.yaml, rules/*.yaml, extra/*.yaml,
        procedures/*.yaml       dossier.yaml — a clause, document or form with a bundled id
        …                       replaces it, a new id is added
      templates/
        base.docx               the house style (reference document): styles, page setup,
                                header logo, cover
        application_form.docx   the certification body's application form (docxtpl)
      packs/<industry>/         an industry pack (docs/packs.md): a new trade, or a bundled trade's
        pack.yaml               pack.yaml replaced; its clauses/ stack on the bundled pack's
        clauses/ …

The clause files may also sit directly in the overlay folder (no clauses/ level); when a
clauses/ folder exists, it is the one used. A template may also sit in that clause folder
(templates/NAME wins).

Overlays are found, in this order (a later one wins over an earlier one):

1. ``kitgen.toml`` next to the profile: ``[overlay] path = "../我的咨询公司"`` (or
   ``paths = [...]``), relative to the toml file;
2. a ``.kitgen/`` folder next to the profile;
3. each ``--overlay DIR`` in the order given (then ``--reference-doc FILE``).
"""
from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from kitgen.errors import InvalidInput, Problem

DOT_DIR = ".kitgen"
TOML = "kitgen.toml"
CATALOG = "catalog.yaml"
CLAUSES = "clauses"
TEMPLATES = "templates"
BASE = "base.docx"
APPLICATION_FORM = "application_form.docx"
KNOWN_TEMPLATES = {BASE: "企业文件的版式（参考文档：样式、页面、页眉徽标、封面）",
                   APPLICATION_FORM: "认证机构的认证申请书（docxtpl 模板，变量为 f.*）"}
CLAUSE_FILES = ("documents.yaml", "forms.yaml", "manual.yaml", "dossier.yaml")
CLAUSE_DIRS = ("forms", "procedures", "rules", "extra")     # forms/*.yaml: record forms, read after forms.yaml
PACKS = "packs"


@dataclass(frozen=True)
class Overlay:
    """One overlay: a folder, or (``--reference-doc``) a lone house-style document."""
    root: Path | None
    origin: str                      # --overlay | .kitgen | kitgen.toml | --reference-doc
    reference_doc: Path | None = None

    @property
    def name(self) -> str:
        return (self.root or self.reference_doc or Path("?")).name

    @property
    def clauses(self) -> Path | None:
        """The folder laid out like clauses/ (``clauses/`` inside the overlay, else the overlay itself)."""
        if self.root is None:
            return None
        sub = self.root / CLAUSES
        return sub if sub.is_dir() else self.root

    @property
    def catalog(self) -> Path | None:
        if self.root is None:
            return None
        path = self.root / CATALOG
        return path if path.is_file() else None

    @property
    def packs(self) -> Path | None:
        """The overlay's ``packs/`` folder (industry packs), if any."""
        if self.root is None:
            return None
        path = self.root / PACKS
        return path if path.is_dir() else None

    def template(self, name: str) -> Path | None:
        """templates/NAME, else NAME in the clause folder (where the dossier code first looked)."""
        if self.reference_doc is not None:
            return self.reference_doc if name == BASE else None
        if self.root is None:
            return None
        for path in (self.root / TEMPLATES / name, (self.clauses or self.root) / name):
            if path.is_file():
                return path
        return None

    def files(self) -> list[Path]:
        """Every file kitgen reads from this overlay (for the fingerprint in kit.json)."""
        if self.reference_doc is not None:
            return [self.reference_doc]
        out: list[Path] = []
        if self.catalog:
            out.append(self.catalog)
        if self.clauses:
            c = self.clauses
            out += [c / f for f in CLAUSE_FILES if (c / f).is_file()]
            for d in CLAUSE_DIRS:
                if (c / d).is_dir():
                    out += sorted((c / d).glob("*.yaml"))
        out += [t for t in (self.template(n) for n in sorted(KNOWN_TEMPLATES)) if t is not None]
        if self.packs:
            out += sorted(p for p in self.packs.rglob("*") if p.is_file() and p.suffix in (".yaml", ".docx"))
        return out


def _problem(file: Path | str, message: str, hint: str = "", line: int | None = None, path: str = "") -> Problem:
    return Problem(str(file), line, path, message, hint)


def open_overlay(path: Path | str, origin: str = "--overlay", *, via: Path | None = None) -> Overlay:
    """An overlay folder; InvalidInput when it is missing or not a folder."""
    path = Path(path)
    where = via or path
    if not path.exists():
        raise InvalidInput([_problem(where, f"覆盖层目录不存在：{path}", "咨询机构覆盖层文件夹的路径")])
    if not path.is_dir():
        raise InvalidInput([_problem(where, f"覆盖层应是文件夹：{path}",
                                     "一个文件夹（其中放 catalog.yaml、clauses/、templates/）")])
    return Overlay(root=path, origin=origin)


def reference_overlay(path: Path | str) -> Overlay:
    """``--reference-doc FILE``: a house-style .docx without an overlay folder."""
    path = Path(path)
    if not path.is_file():
        raise InvalidInput([_problem(path, "参考文档不存在", "一个 .docx 文件")])
    if path.suffix.lower() != ".docx":
        raise InvalidInput([_problem(path, "参考文档应是 Word .docx 文件", "另存为 .docx（不是 .doc 或 .dotx）")])
    return Overlay(root=None, origin="--reference-doc", reference_doc=path)


# --------------------------------------------------------------------------------------------
# discovery

def read_toml(path: Path) -> list[Path]:
    """The overlay folders a kitgen.toml names (relative to the toml file)."""
    try:
        raw = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput([_problem(path, "文件不是 UTF-8 编码", "用 UTF-8 编码保存")]) from None
    except OSError as exc:
        raise InvalidInput([_problem(path, f"无法读取：{exc.strerror}", "可读的文件")]) from None
    data = _parse_toml(raw, path)
    unknown = [k for k in data if k != "overlay"]
    problems = [_problem(path, f"无法识别的设置 [{k}]", "[overlay]") for k in unknown]
    section = data.get("overlay", {})
    if not isinstance(section, dict):
        problems.append(_problem(path, "overlay 应是一个表（[overlay]）", '[overlay]\npath = "../我的咨询公司"'))
        section = {}
    for k in section:
        if k not in ("path", "paths"):
            problems.append(_problem(path, f"[overlay] 中无法识别的设置 “{k}”", "path 或 paths"))
    values: list = []
    for key in ("path", "paths"):
        v = section.get(key)
        if v is None:
            continue
        items = v if isinstance(v, list) else [v]
        for item in items:
            if not isinstance(item, str) or not item.strip():
                problems.append(_problem(path, f"[overlay] {key} 应是文件夹路径（文字）", '"../我的咨询公司"', path=key))
            else:
                values.append(item)
    if problems:
        raise InvalidInput(problems)
    return [(path.parent / v).resolve() if not Path(v).is_absolute() else Path(v) for v in values]


def _parse_toml(text: str, path: Path) -> dict:
    try:
        import tomllib  # Python 3.11+
    except ModuleNotFoundError:  # pragma: no cover - Python 3.10
        try:
            import tomli as tomllib  # type: ignore[no-redef]
        except ModuleNotFoundError:
            return _mini_toml(text, path)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        raise InvalidInput([_problem(path, f"TOML 语法错误：{exc}", '[overlay]\npath = "../我的咨询公司"',
                                     line=int(m.group(1)) if m else None)]) from None


_TOML_LINE = re.compile(r'^\s*([A-Za-z_][\w-]*)\s*=\s*(.+?)\s*$')
_TOML_STR = re.compile(r'"((?:[^"\\]|\\.)*)"|\'([^\']*)\'')


def _mini_toml(text: str, path: Path) -> dict:
    """The subset kitgen.toml needs (tables, string and string-list values), for Python 3.10
    without tomli."""
    data: dict = {}
    table = data
    for n, line in enumerate(text.splitlines(), start=1):
        line = _strip_comment(line).strip()
        if not line:
            continue
        if line.startswith("[") and line.endswith("]"):
            table = data.setdefault(line[1:-1].strip(), {})
            continue
        m = _TOML_LINE.match(line)
        if not m:
            raise InvalidInput([_problem(path, f"TOML 语法错误：{line}", 'path = "../我的咨询公司"', line=n)])
        key, raw = m.groups()
        strings = [a if a or not b else b for a, b in _TOML_STR.findall(raw)]
        strings = [s.replace('\\\\', '\\').replace('\\"', '"') for s in strings]
        if raw.startswith("["):
            table[key] = strings
        elif strings:
            table[key] = strings[0]
        else:
            raise InvalidInput([_problem(path, f"TOML 值无法识别：{raw}", '"文字"', line=n)])
    return data


def _strip_comment(line: str) -> str:
    quote = ""
    for i, ch in enumerate(line):
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch == "#":
            return line[:i]
    return line


def discover(profile_path: Path | str | None) -> list[Overlay]:
    """The overlays next to a profile: kitgen.toml's folders, then .kitgen/."""
    if profile_path is None:
        return []
    folder = Path(profile_path).resolve().parent
    out: list[Overlay] = []
    toml = folder / TOML
    if toml.is_file():
        for p in read_toml(toml):
            out.append(open_overlay(p, "kitgen.toml", via=toml))
    dot = folder / DOT_DIR
    if dot.is_dir():
        out.append(Overlay(root=dot, origin=DOT_DIR))
    return out


def resolve(profile_path: Path | str | None, overlays: Iterable[Path | str | Overlay] | None = None, *,
            auto: bool = True) -> list[Overlay]:
    """Discovered overlays (when ``auto``), then the given ones; later wins. A folder named twice
    keeps its last place."""
    found = discover(profile_path) if auto else []
    for o in overlays or []:
        found.append(o if isinstance(o, Overlay) else open_overlay(o))
    out: list[Overlay] = []
    seen: dict[Path, int] = {}
    for o in found:
        key = (o.root or o.reference_doc).resolve()
        if key in seen:
            out[seen[key]] = None  # type: ignore[call-overload]
        seen[key] = len(out)
        out.append(o)
    return [o for o in out if o is not None]


# --------------------------------------------------------------------------------------------
# what the build takes from the overlays

def _as_overlays(overlays) -> list[Overlay]:
    return [o if isinstance(o, Overlay) else open_overlay(o) for o in (overlays or [])]


def clause_roots(overlays, industry: str | None = None) -> list[Path]:
    """The clause folders stacked on the bundled library, in order (a later one wins): the bundled
    pack of ``industry``, then for each overlay its clauses and its own pack of that industry."""
    out: list[Path] = []
    if industry:
        from kitgen.core.industries import packs_dir
        bundled = packs_dir() / industry / CLAUSES
        if bundled.is_dir():
            out.append(bundled)
    for o in _as_overlays(overlays):
        if o.clauses is not None:
            out.append(o.clauses)
        if industry and o.packs is not None and (o.packs / industry / CLAUSES).is_dir():
            out.append(o.packs / industry / CLAUSES)
    return out


def pack_roots(overlays) -> tuple[Path, ...]:
    """The overlays' ``packs/`` folders, in order."""
    return tuple(o.packs for o in _as_overlays(overlays) if o.packs is not None)


def catalog_path(overlays, explicit: Path | None = None) -> Path | None:
    """The catalog file to use: --catalog, else the last overlay's catalog.yaml, else None (bundled)."""
    if explicit is not None:
        return Path(explicit)
    for o in reversed(_as_overlays(overlays)):
        if o.catalog is not None:
            return o.catalog
    return None


def template_path(name: str, overlays=None) -> Path:
    """The Word template ``name`` (base.docx, application_form.docx): the last overlay's
    templates/NAME, else the bundled templates/NAME. The one place templates are looked up."""
    for o in reversed(_as_overlays(overlays)):
        found = o.template(name)
        if found is not None:
            return found
    from kitgen.resources import templates_dir
    return templates_dir() / name


def plan_template(plan, name: str) -> Path:
    """``template_path`` for the overlays a plan was made with (kitgen.api sets plan.overlays)."""
    return template_path(name, getattr(plan, "overlays", None))


def house_template(overlays=None):
    """The BaseTemplate every document of the kit is written on (bundled, or the house style);
    InvalidInput naming the file when the reference document cannot be used."""
    from kitgen.render.word import BaseTemplate
    path = template_path(BASE, overlays)
    try:
        return BaseTemplate.load(path)
    except (ValueError, FileNotFoundError) as exc:
        raise InvalidInput([_problem(path, f"参考文档（企业文件版式）无法使用：{exc}",
                                     "用 Word 另存的 .docx；页眉徽标为嵌入的图片；封面只用 {{ company }} 等占位符")]) from None
    except Exception as exc:  # noqa: BLE001 - a hostile or broken file is an input error, not a bug
        raise InvalidInput([_problem(path, f"参考文档无法读取：{type(exc).__name__}: {exc}",
                                     "用 Word 另存的 .docx")]) from None


def fingerprint(overlays) -> list[dict]:
    """What kit.json records about the overlays: name, how it was found, a hash of its files
    (relative names + contents), so two kits can be compared without absolute paths."""
    out = []
    for o in _as_overlays(overlays):
        h = hashlib.sha256()
        base = o.root or (o.reference_doc.parent if o.reference_doc else None)
        for f in o.files():
            rel = f.relative_to(base).as_posix() if base else f.name
            h.update(rel.encode("utf-8") + b"\0")
            h.update(hashlib.sha256(f.read_bytes()).digest())
        out.append({"name": o.name, "origin": o.origin, "sha256": h.hexdigest()})
    return out
