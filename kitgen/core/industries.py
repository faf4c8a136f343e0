"""The industry registry (kitgen/data/industries.yaml) and the law list (laws.yaml)."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from kitgen.core import yamlsrc
from kitgen.core.profile import INSTALLATIONS, Checker
from kitgen.core.yamlsrc import join
from kitgen.errors import InvalidInput
from kitgen.resources import data_dir

KEYS = {"id": "行业代码", "name": "行业名称", "product_noun": "商品称谓", "customer": "顾客称谓",
        "physical_delivery": "是否有实物交付", "recycling": "默认是否回收", "installation": "典型安装方式",
        "terms": "行业用语", "services": "行业特色服务", "three_guarantees": "适用三包规定", "license": "法定许可",
        "laws": "适用法律法规", "delete": "默认删减"}
TERMS = {"repair": "维修", "install": "安装", "delivery": "配送", "onsite": "上门/现场服务"}
LAW_KEYS = {"id": "标识", "title": "名称", "number": "文号/标准号", "year": "版本年份", "kind": "类别", "note": "说明",
            "industries": "适用行业", "when": "适用条件", "confidence": "可靠程度"}
LAW_KINDS = {"law": "法律", "regulation": "行政法规", "rule": "部门规章/规范性文件", "standard": "标准"}


@dataclass
class Industry:
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


@lru_cache(maxsize=1)
def load_industries() -> dict[str, Industry]:
    src = yamlsrc.load(data_dir() / "industries.yaml")
    c = Checker(src)
    out: dict[str, Industry] = {}
    if not isinstance(src.data, list):
        raise InvalidInput([src.problem("", "行业文件应是列表", "- id: household_appliances")])
    for i, item in enumerate(src.data):
        path = join("", i)
        if c.mapping(item, path, KEYS, ("id", "name", "product_noun")) is None:
            continue
        terms = item.get("terms") or {}
        c.mapping(terms, f"{path}.terms", TERMS)
        ind = Industry(
            id=str(item["id"]), name=str(item["name"]), product_noun=str(item["product_noun"]),
            customer=str(item.get("customer") or "顾客"),
            physical_delivery=bool(item.get("physical_delivery", True)), recycling=bool(item.get("recycling", False)),
            installation=c.choice(item.get("installation", "none"), f"{path}.installation", INSTALLATIONS, "安装方式") or "none",
            terms={k: str(terms.get(k) or v) for k, v in TERMS.items()} if isinstance(terms, dict) else dict(TERMS),
            services=[str(s) for s in item.get("services") or []],
            three_guarantees=str(item.get("three_guarantees") or ""), license=str(item.get("license") or ""),
            laws=[str(x) for x in item.get("laws") or []],
            delete=[(str(d["indicator"]), str(d["reason"])) for d in item.get("delete") or []
                    if isinstance(d, dict) and "indicator" in d and "reason" in d])
        out[ind.id] = ind
    if c.problems:
        raise InvalidInput(c.problems)
    return out


@lru_cache(maxsize=1)
def load_laws() -> dict[str, Law]:
    src = yamlsrc.load(data_dir() / "laws.yaml")
    c = Checker(src)
    out: dict[str, Law] = {}
    for i, item in enumerate(src.data if isinstance(src.data, list) else []):
        path = join("", i)
        if c.mapping(item, path, LAW_KEYS, ("id", "title")) is None:
            continue
        inds = item.get("industries") or ["all"]
        out[str(item["id"])] = Law(id=str(item["id"]), title=str(item["title"]), number=str(item.get("number") or ""),
                                   year=str(item.get("year") or ""), kind=str(item.get("kind") or "law"),
                                   note=str(item.get("note") or ""),
                                   industries=[str(x) for x in (inds if isinstance(inds, list) else [inds])],
                                   when=str(item.get("when") or ""), confidence=str(item.get("confidence") or "confirmed"))
    if c.problems:
        raise InvalidInput(c.problems)
    return out
