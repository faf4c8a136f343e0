"""Industry packs (library/packs/<id>/) and the law list (laws.yaml).

A pack is everything specific to one trade (docs/packs.md): ``pack.yaml`` (terms, customer noun,
services, the department model by role, statutory facts, laws, default deletions, forbidden and
signature words) and a ``clauses/`` folder laid out like the library's, whose clauses, documents
and forms replace the generic ones by id or add to them — a pack is a bundled overlay chosen by
``industry``. A consultancy adds a trade (or replaces a bundled pack's pack.yaml) with
``packs/<id>/`` in its overlay folder; clause folders stack: bundled pack, then the overlays'.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from kitgen.core import yamlsrc
from kitgen.core.profile import DEPARTMENT_KEYS, INSTALLATIONS, ROLES, Checker
from kitgen.core.yamlsrc import join
from kitgen.errors import InvalidInput, Problem
from kitgen.resources import data_dir, library_dir

PACK_FILE = "pack.yaml"
KEYS = {"id": "行业代码", "name": "行业名称", "product_noun": "商品称谓", "customer": "顾客称谓",
        "physical_delivery": "是否有实物交付", "recycling": "默认是否回收", "installation": "典型安装方式",
        "terms": "行业用语", "services": "行业特色服务", "three_guarantees": "适用三包规定", "license": "法定许可",
        "laws": "适用法律法规", "delete": "默认删减", "departments": "各角色的部门设置", "forbidden": "禁用词",
        "signature": "必现用语", "facts": "法定事实", "handover": "交付方式",
        "reasons": "删减理由（按本行业的说法）", "commitments": "本行业对外承诺的时限项目"}
HANDOVER = {"": "无", "pickup": "顾客到店提货时的当面交付计为交付（如新车交付）",
            "deployment": "由本公司或合作方部署实施时，网络交付计为交付（如软件上线）"}
TERMS = {"repair": "维修", "install": "安装", "delivery": "配送", "onsite": "上门/现场服务"}
LAW_KEYS = {"id": "标识", "title": "名称", "number": "文号/标准号", "year": "版本年份", "kind": "类别", "note": "说明",
            "industries": "适用行业", "when": "适用条件", "confidence": "可靠程度"}
LAW_KINDS = {"law": "法律", "regulation": "行政法规", "rule": "部门规章/规范性文件", "standard": "标准"}
_ID = re.compile(r"^[a-z][a-z0-9_]{1,40}$")


@dataclass
class Industry:
    """One trade's pack (the name is kept from the days of a single industries.yaml)."""
    id: str
    name: str
    product_noun: str
    customer: str = "顾客"
    physical_delivery: bool = True
    recycling: bool = False
    installation: str = "none"
    terms: dict[str, str] = field(default_factory=dict)
    services: list[str] = field(default_factory=list)
    three_guarantees: str = ""
    license: str = ""
    laws: list[str] = field(default_factory=list)
    delete: list[tuple[str, str]] = field(default_factory=list)
    departments: dict[str, dict[str, str]] = field(default_factory=dict)   # role → function key → name
    forbidden: list[str] = field(default_factory=list)
    signature: list[str] = field(default_factory=list)
    facts: dict[str, Any] = field(default_factory=dict)
    handover: str = ""                                        # "" | pickup | deployment (derive.has_delivery)
    reasons: dict[str, str] = field(default_factory=dict)     # indicator → the trade's reason for a derived deletion
    commitments: list[str] = field(default_factory=list)      # commitment keys the trade promises ([] = all)
    clause_roots: list[Path] = field(default_factory=list)   # bundled pack's clauses/, then the overlays'
    law_files: list[Path] = field(default_factory=list)
    source: str = ""


@dataclass
class Law:
    id: str
    title: str
    number: str
    year: str
    kind: str
    note: str = ""
    industries: list[str] = field(default_factory=lambda: ["all"])
    when: str = ""
    confidence: str = "confirmed"


def packs_dir() -> Path:
    return library_dir() / "packs"


def _display(path: Path) -> str:
    try:
        return path.relative_to(library_dir().parent).as_posix()
    except ValueError:
        return str(path)


def pack_folders(root: Path) -> list[Path]:
    """The pack folders under ``root`` (a folder holding ``<id>/pack.yaml``), in name order."""
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir() if p.is_dir() and (p / PACK_FILE).is_file())


def load_industries(overlay_pack_roots: tuple[Path, ...] | list[Path] = ()) -> dict[str, Industry]:
    """Every pack: the bundled ones, then each overlay's ``packs/`` (a pack.yaml with a bundled id
    replaces it; its clauses stack on the bundled pack's). Raises InvalidInput with every problem."""
    return dict(_load(tuple(Path(p) for p in overlay_pack_roots)))


@lru_cache(maxsize=16)
def _load(overlay_pack_roots: tuple[Path, ...]) -> tuple[tuple[str, Industry], ...]:
    out: dict[str, Industry] = {}
    problems: list[Problem] = []
    for root in (packs_dir(), *overlay_pack_roots):
        for folder in pack_folders(root):
            ind = _read_pack(folder / PACK_FILE, problems)
            if ind is None:
                continue
            before = out.get(ind.id)
            if before is not None:          # an overlay's pack.yaml for a bundled trade: its facts win, clauses stack
                ind.clause_roots = before.clause_roots + ind.clause_roots
                ind.law_files = before.law_files + ind.law_files
            out[ind.id] = ind
    if problems:
        raise InvalidInput(problems)
    return tuple(out.items())


def _read_pack(path: Path, problems: list[Problem]) -> Industry | None:
    src = yamlsrc.load(path, _display(path))
    c = Checker(src)
    item = src.data
    if c.mapping(item, "", KEYS, ("id", "name", "product_noun")) is None:
        problems.extend(c.problems or [src.problem("", "行业包文件应是“键: 值”", "id: automotive")])
        return None
    pid = str(item["id"])
    if not _ID.match(pid) or pid != path.parent.name:
        c.add("id", f"行业代码 “{pid}” 应与文件夹名 “{path.parent.name}” 相同，且只用小写字母、数字和下划线",
              path.parent.name)
    terms = item.get("terms") or {}
    if not isinstance(terms, dict):
        c.add("terms", "应是“键: 值”", "repair: 维修")
        terms = {}
    departments = _departments(c, item.get("departments"))
    clauses = path.parent / "clauses"
    laws = path.parent / "laws.yaml"
    ind = Industry(
        id=pid, name=str(item["name"]), product_noun=str(item["product_noun"]),
        customer=str(item.get("customer") or "顾客"),
        physical_delivery=bool(item.get("physical_delivery", True)), recycling=bool(item.get("recycling", False)),
        installation=c.choice(item.get("installation", "none"), "installation", INSTALLATIONS, "安装方式") or "none",
        terms={**TERMS, **{str(k): str(v) for k, v in terms.items() if v not in (None, "")}},
        services=_strings(c, item.get("services"), "services"),
        three_guarantees=str(item.get("three_guarantees") or ""), license=str(item.get("license") or ""),
        laws=_strings(c, item.get("laws"), "laws"),
        delete=[(str(d["indicator"]), str(d["reason"])) for d in item.get("delete") or []
                if isinstance(d, dict) and "indicator" in d and "reason" in d],
        departments=departments,
        forbidden=_strings(c, item.get("forbidden"), "forbidden"),
        signature=_strings(c, item.get("signature"), "signature"),
        facts=item.get("facts") if isinstance(item.get("facts"), dict) else {},
        handover=c.choice(item.get("handover") or "", "handover", HANDOVER, "交付方式") or "",
        reasons={str(k): str(v) for k, v in (item.get("reasons") or {}).items()}
        if isinstance(item.get("reasons"), dict) else {},
        commitments=_commitment_keys(c, item.get("commitments")),
        clause_roots=[clauses] if clauses.is_dir() else [],
        law_files=[laws] if laws.is_file() else [],
        source=src.name)
    if item.get("facts") is not None and not isinstance(item.get("facts"), dict):
        c.add("facts", "应是“键: 值”", "three_guarantee_periods: …")
    problems.extend(c.problems)
    return ind


def _commitment_keys(c: Checker, value: Any) -> list[str]:
    from kitgen.core.profile import COMMITMENTS
    keys = _strings(c, value, "commitments")
    for i, k in enumerate(keys):
        if k not in COMMITMENTS:
            c.add(join("commitments", i), f"未知的承诺项目 “{k}”", "、".join(COMMITMENTS))
    return [k for k in keys if k in COMMITMENTS]


def _strings(c: Checker, value: Any, path: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list):
        c.add(path, "应是列表", "[…, …]")
        return []
    return [str(v) for v in value]


def _departments(c: Checker, value: Any) -> dict[str, dict[str, str]]:
    """role → {function key → department name}; every role, every function key (a retailer's
    production may be empty). Several functions may share one department."""
    out: dict[str, dict[str, str]] = {}
    if c.mapping(value, "departments", ROLES, tuple(ROLES)) is None:
        return out
    for role in ROLES:
        model = value.get(role)
        path = f"departments.{role}"
        required = tuple(k for k in DEPARTMENT_KEYS if not (k == "production" and role == "retailer"))
        if c.mapping(model, path, {k: k for k in DEPARTMENT_KEYS}, required) is None:
            continue
        names = {k: ("" if model.get(k) is None else str(model.get(k)).strip()) for k in DEPARTMENT_KEYS}
        for k, name in names.items():
            if not name and not (k == "production" and role == "retailer"):
                c.add(f"{path}.{k}", "部门名称为空", "该职能由哪个部门承担（可与其他职能同一部门），如 客户服务部")
        out[role] = names
    return out


@lru_cache(maxsize=16)
def _laws(extra: tuple[Path, ...]) -> dict[str, Law]:
    out: dict[str, Law] = {}
    problems: list[Problem] = []
    for path in (data_dir() / "laws.yaml", *extra):
        src = yamlsrc.load(path, _display(path))
        c = Checker(src)
        for i, item in enumerate(src.data if isinstance(src.data, list) else []):
            lpath = join("", i)
            if c.mapping(item, lpath, LAW_KEYS, ("id", "title")) is None:
                continue
            inds = item.get("industries") or ["all"]
            out[str(item["id"])] = Law(id=str(item["id"]), title=str(item["title"]),
                                       number=str(item.get("number") or ""),
                                       year=str(item.get("year") or ""), kind=str(item.get("kind") or "law"),
                                       note=str(item.get("note") or ""),
                                       industries=[str(x) for x in (inds if isinstance(inds, list) else [inds])],
                                       when=str(item.get("when") or ""),
                                       confidence=str(item.get("confidence") or "confirmed"))
        problems.extend(c.problems)
    if problems:
        raise InvalidInput(problems)
    return out


def load_laws(extra: tuple[Path, ...] | list[Path] = ()) -> dict[str, Law]:
    """The library's laws.yaml, then each extra file (a pack's laws.yaml): same id replaces."""
    return _laws(tuple(Path(p) for p in extra))
