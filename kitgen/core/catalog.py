"""The indicator catalog: GB/T 27922-2011's tree (or a consultancy's own file), strictly validated.

The bundled catalog is kitgen/data/catalog.yaml. `--catalog my.yaml` replaces it; a custom catalog
is checked exactly as strictly as a profile (every problem at once, with its line).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from kitgen.core import yamlsrc
from kitgen.core.profile import Checker
from kitgen.core.yamlsrc import join
from kitgen.errors import InvalidInput
from kitgen.resources import data_dir

PROVENANCE = {"confirmed": "已证实（多个公开来源一致）", "likely": "较可靠（单一来源或有力推断）",
              "reconstructed": "重建（未见公开来源，仅供参考）"}
PROVENANCE_SHORT = {"confirmed": "已证实", "likely": "较可靠", "reconstructed": "重建"}
POINTS_PROVENANCE = {"known": "已知", "likely": "较可靠", "placeholder": "占位"}

TOP = {"id": "目录标识", "title": "名称", "standard": "标准号", "version": "版本", "points_provisional": "分值是否为占位",
       "notice": "说明", "indicators": "指标", "sbt10401": "SB/T 10401-2006 对照"}
IND = {"id": "编号", "level": "层级", "parent": "上级编号", "name": "名称", "summary": "要求概述", "provenance": "可靠程度",
       "points": "分值", "points_provenance": "分值来源", "sampled": "是否抽样评分", "deletable": "是否可删减"}
SBT = {"standard": "标准号", "concordance_provenance": "对照关系可靠程度", "producer": "生产型企业", "retailer": "销售服务型企业"}
SBT_SIDE = {"provenance": "可靠程度", "units": "单项"}
SBT_UNIT = {"unit": "单项名称", "indicators": "指标"}
SBT_IND = {"name": "指标名称", "maps": "对应 GB/T 27922 指标"}


@dataclass
class Indicator:
    id: str
    level: int
    name: str
    parent: str | None = None
    summary: str = ""
    provenance: str = "reconstructed"
    points: float | None = None
    points_provenance: str = "placeholder"
    sampled: bool = False
    deletable: bool = False
    children: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.id} {self.name}"


@dataclass
class SbtIndicator:
    unit: str
    name: str
    maps: list[str]


@dataclass
class Catalog:
    id: str
    title: str
    standard: str
    version: Any
    points_provisional: bool
    notice: str
    indicators: dict[str, Indicator]            # in tree order
    sbt_producer: list[SbtIndicator] = field(default_factory=list)
    sbt_retailer: list[SbtIndicator] = field(default_factory=list)
    sbt_provenance: dict[str, str] = field(default_factory=dict)
    source: str = ""

    def level(self, n: int) -> list[Indicator]:
        return [i for i in self.indicators.values() if i.level == n]

    def descendants(self, ind_id: str) -> list[str]:
        out = []
        for child in self.indicators[ind_id].children:
            out.append(child)
            out.extend(self.descendants(child))
        return out

    def deletion_refusal(self, ind_id: str) -> str | None:
        """None when `ind_id` may be deleted (删减); otherwise why not, in Chinese."""
        ind = self.indicators.get(ind_id)
        if ind is None:
            return f"指标 “{ind_id}” 在指标目录（{self.standard}）中不存在"
        if not ind.deletable:
            top = ind_id.split(".")[0] + "." + ind_id.split(".")[1] if ind_id.count(".") else ind_id
            top_name = self.indicators[top].name if top in self.indicators else ""
            return f"指标 “{ind.label}” 属于 {top} {top_name}，不能删减"
        return None


def bundled_path() -> Path:
    return data_dir() / "catalog.yaml"


@lru_cache(maxsize=8)
def _load_cached(path: str, mtime: float) -> Catalog:
    return parse_catalog(yamlsrc.load(Path(path), library=True))


def load_catalog(path: Path | None = None) -> Catalog:
    path = Path(path) if path else bundled_path()
    try:
        mtime = path.stat().st_mtime
    except OSError:
        return parse_catalog(yamlsrc.load(path))     # raises the not-found problem
    return _load_cached(str(path.resolve()), mtime)


def parse_catalog(src: yamlsrc.Source) -> Catalog:
    c = Checker(src)
    data = src.data
    if c.mapping(data, "", TOP, ("id", "title", "indicators")) is None:
        raise InvalidInput(c.problems)
    raw = data.get("indicators")
    indicators: dict[str, Indicator] = {}
    if not isinstance(raw, list) or not raw:
        c.add("indicators", "指标列表为空或不是列表", "- {id: \"5.1\", level: 1, name: 售后服务体系}")
        raw = []
    for i, item in enumerate(raw):
        path = join("indicators", i)
        if c.mapping(item, path, IND, ("id", "level", "name")) is None:
            continue
        ind_id = c.text(item.get("id"), f"{path}.id")
        level = item.get("level")
        name = c.text(item.get("name"), f"{path}.name")
        if not ind_id or not name:
            continue
        if level not in (1, 2, 3) or isinstance(level, bool):
            c.add(f"{path}.level", f"层级 “{level}” 无效", "1、2 或 3")
            continue
        if ind_id.count(".") != level:
            c.add(f"{path}.id", f"编号 “{ind_id}” 与层级 {level} 不符", f"{level} 级指标的编号形如 " +
                  {1: "5.1", 2: "5.1.1", 3: "5.1.1.1"}[level])
        if ind_id in indicators:
            c.add(f"{path}.id", f"指标编号 “{ind_id}” 重复", "每个编号只出现一次")
            continue
        parent = c.text(item.get("parent"), f"{path}.parent")
        if level > 1:
            parent = parent or ind_id.rsplit(".", 1)[0]
            if parent not in indicators:
                c.add(f"{path}.parent", f"上级指标 “{parent}” 不存在或未列在本指标之前", "先列上级指标，再列下级")
                continue
            if indicators[parent].level != level - 1:
                c.add(f"{path}.parent", f"上级指标 “{parent}” 的层级不是 {level - 1}", f"{level - 1} 级指标的编号")
                continue
        prov = c.choice(item.get("provenance", "reconstructed"), f"{path}.provenance", PROVENANCE, "可靠程度")
        pprov = c.choice(item.get("points_provenance", "placeholder"), f"{path}.points_provenance",
                         POINTS_PROVENANCE, "分值来源")
        points = c.number(item.get("points"), f"{path}.points", hint="不小于 0 的分值，如 2.5")
        sampled = c.boolean(item.get("sampled"), f"{path}.sampled") or False
        deletable = c.boolean(item.get("deletable"), f"{path}.deletable")
        if deletable is None:
            deletable = indicators[parent].deletable if parent else False
        ind = Indicator(id=ind_id, level=level, name=name, parent=parent if level > 1 else None,
                        summary=c.text(item.get("summary"), f"{path}.summary") or "",
                        provenance=prov or "reconstructed", points=points, points_provenance=pprov or "placeholder",
                        sampled=sampled, deletable=deletable)
        indicators[ind_id] = ind
        if ind.parent:
            indicators[ind.parent].children.append(ind_id)
    if raw and not any(i.level == 1 for i in indicators.values()):
        c.add("indicators", "没有一级指标", "至少一个 level: 1 的指标")
    for ind in indicators.values():
        if ind.level == 2 and not ind.children:
            c.add("indicators", f"二级指标 “{ind.label}” 下没有三级条款", "为它列出至少一个三级条款")
    cat = Catalog(id=c.text(data.get("id"), "id") or "", title=c.text(data.get("title"), "title") or "",
                  standard=c.text(data.get("standard"), "standard") or c.text(data.get("title"), "title") or "",
                  version=data.get("version"), points_provisional=bool(data.get("points_provisional", True)),
                  notice=c.text(data.get("notice"), "notice") or "", indicators=indicators, source=src.name)
    _sbt(c, data.get("sbt10401"), cat)
    if c.problems:
        raise InvalidInput(c.problems)
    return cat


def _sbt(c: Checker, raw: Any, cat: Catalog) -> None:
    if raw is None or c.mapping(raw, "sbt10401", SBT) is None:
        return
    cat.sbt_provenance["concordance"] = raw.get("concordance_provenance", "reconstructed")
    for side in ("producer", "retailer"):
        sraw = raw.get(side)
        path = f"sbt10401.{side}"
        if sraw is None or c.mapping(sraw, path, SBT_SIDE, ("units",)) is None:
            continue
        cat.sbt_provenance[side] = sraw.get("provenance", "reconstructed")
        out = cat.sbt_producer if side == "producer" else cat.sbt_retailer
        units = sraw.get("units")
        if not isinstance(units, list):
            c.add(f"{path}.units", "应是列表", "- unit: 服务文化")
            continue
        for i, unit in enumerate(units):
            upath = join(f"{path}.units", i)
            if c.mapping(unit, upath, SBT_UNIT, ("unit", "indicators")) is None:
                continue
            for j, ind in enumerate(unit.get("indicators") or []):
                ipath = join(f"{upath}.indicators", j)
                if c.mapping(ind, ipath, SBT_IND, ("name",)) is None:
                    continue
                maps = ind.get("maps") or []
                for k, m in enumerate(maps):
                    if str(m) not in cat.indicators:
                        c.add(join(f"{ipath}.maps", k), f"对应的指标 “{m}” 不在指标目录中", "目录中存在的指标编号")
                out.append(SbtIndicator(unit=str(unit["unit"]), name=str(ind["name"]), maps=[str(m) for m in maps]))
