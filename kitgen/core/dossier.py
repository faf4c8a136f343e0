"""The application dossier as plan facts: for each of the 11 items its status (generated /
company / not_applicable), why, the kit files that satisfy it and what the company must bring.

Decided here, once, without drawing anything: the checklist (kitgen.render.dossier), kit.json's
``dossier``, ``kitgen check`` and the questionnaire all read ``plan.dossier``. The wording comes
from the library's clauses/dossier.yaml (an overlay may replace it), rendered in the sandbox.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from kitgen.core import yamlsrc
from kitgen.core.clauses import ClauseDef, Loc
from kitgen.core.profile import Checker
from kitgen.core.textrender import condition, render
from kitgen.core.yamlsrc import join
from kitgen.errors import InvalidInput

# where the dossier's files sit in the kit
FOLDER = "06 申请资料"
CHECKLIST = "01 申请资料清单.docx"
APPLICATION = f"{FOLDER}/00 认证申请书.docx"
APPLICATION_BLANK = f"{FOLDER}/00 认证申请书（空白）.docx"
PRODUCTS = f"{FOLDER}/03 申报产品介绍.docx"
LAWS = f"{FOLDER}/04 适用法律法规及标准清单.docx"
PROFILE = f"{FOLDER}/05 组织简介.docx"
ORG_CHART = f"{FOLDER}/06 组织机构图.docx"
ORG_CHART_SOURCE = f"{FOLDER}/06 组织机构图.源文件.txt"
OUTLETS_DOCX = f"{FOLDER}/07 网点清单.docx"
OUTLETS_XLSX = f"{FOLDER}/07 网点清单.xlsx"
SALES = f"{FOLDER}/08 商品销售方式介绍.docx"
SYSTEM = f"{FOLDER}/09 售后服务体系建设情况.docx"
FILE_LIST = f"{FOLDER}/11 文件清单.docx"

SOURCE = "dossier.yaml"
GENS = ("province_table", "partner_table", "product_table", "commitments", "product_details", "law_table",
        "dossier_deletions", "certificates", "org_chart")
ITEM_KEYS = {"item": "序号", "title": "资料名称", "note": "说明", "supply": "企业须提供的资料", "reason": "不适用理由",
             "extra": "附加说明"}
DOC_KEYS = {"item": "序号", "title": "文件名称", "sections": "章节"}
SECTION_KEYS = {"heading": "标题", "when": "适用条件", "body": "正文"}
BLOCK_KEYS = ("p", "note", "list", "table", "steps", "gen")


# ------------------------------------------------------------------------------ the text (dossier.yaml)
@dataclass
class ItemText:
    item: int
    title: str
    note: str
    supply: str
    reason: str
    extra: list[tuple[str, str]]          # (text, when)
    loc: Loc


@dataclass
class DocText:
    item: int
    title: str
    sections: list[ClauseDef]


@dataclass
class DossierText:
    items: dict[int, ItemText]
    documents: dict[int, DocText]
    teams: list[tuple[str, str, bool, Loc]]   # (name, when, outlets hang here, loc)
    note: str
    source: str


def _sources(plan) -> list[Path]:
    """Every dossier.yaml of the stacked clause folders (library, pack, overlays), in order."""
    from kitgen.resources import clauses_dir
    roots = list(getattr(plan.library, "roots", []) or []) or [clauses_dir()]
    found = [Path(root) / SOURCE for root in roots if (Path(root) / SOURCE).is_file()]
    return found or [clauses_dir() / SOURCE]


def merged_text(paths: list[Path]) -> DossierText:
    """The first file whole; each later one (a pack's, an overlay's) replaces the items and documents
    it defines (by item number) and, when it has one, the org chart."""
    base = load_text(paths[0], complete=True)
    items, documents = dict(base.items), dict(base.documents)
    teams, note, source = base.teams, base.note, base.source
    for path in paths[1:]:
        part = load_text(path, complete=False)
        items.update(part.items)
        documents.update(part.documents)
        if part.teams or part.note:
            teams, note, source = part.teams, part.note, part.source
    return DossierText(items, documents, teams, note, source)


_TEXT_CACHE: dict[tuple, DossierText] = {}


def load_text(path: Path, complete: bool = True) -> DossierText:
    st = path.stat()
    key = (str(path), st.st_mtime_ns, st.st_size, complete)
    hit = _TEXT_CACHE.get(key)
    if hit is None:
        hit = _TEXT_CACHE[key] = _parse_text(path, complete)
    return hit


def _parse_text(path: Path, complete: bool = True) -> DossierText:
    name = f"clauses/{SOURCE}" if path.parent.name == "clauses" else str(path)
    src = yamlsrc.load(path, name)
    c = Checker(src)
    data = src.data if isinstance(src.data, dict) else {}
    if not isinstance(src.data, dict):
        c.add("", "申请资料文字文件的最外层应是“键: 值”", "items: / documents: / org_chart:")
    c.mapping(data, "", {"items": "清单各项", "documents": "申请资料正文", "org_chart": "组织机构图"},
              ("items",) if complete else ())

    items: dict[int, ItemText] = {}
    for i, it in enumerate(data.get("items") or []):
        path_ = join("items", i)
        if c.mapping(it, path_, ITEM_KEYS, ("item", "title")) is None:
            continue
        n = it.get("item")
        if not isinstance(n, int) or not 1 <= n <= 11 or n in items:
            c.add(f"{path_}.item", f"序号 “{n}” 无效或重复", "1 到 11 的整数，各项各一次")
            continue
        extra = []
        for j, ex in enumerate(it.get("extra") or []):
            if c.mapping(ex, join(f"{path_}.extra", j), {"text": "文字", "when": "适用条件"}, ("text",)) is not None:
                extra.append((str(ex["text"]), str(ex.get("when") or "")))
        items[n] = ItemText(n, str(it["title"]), str(it.get("note") or ""), str(it.get("supply") or ""),
                            str(it.get("reason") or ""), extra, Loc(src.name, src.line(path_)))
    missing = [str(n) for n in range(1, 12) if n not in items]
    if complete and missing and not c.problems:
        c.add("items", f"申请资料清单缺少第 {'、'.join(missing)} 项", "1 到 11 项齐全")

    documents: dict[int, DocText] = {}
    for i, d in enumerate(data.get("documents") or []):
        dpath = join("documents", i)
        if c.mapping(d, dpath, DOC_KEYS, ("item", "sections")) is None:
            continue
        n = d.get("item")
        sections = []
        for k, sec in enumerate(d.get("sections") or []):
            spath = join(f"{dpath}.sections", k)
            if c.mapping(sec, spath, SECTION_KEYS, ("heading",)) is None:
                continue
            body = sec.get("body") or []
            if not isinstance(body, list):
                c.add(f"{spath}.body", "正文应是列表", "- p: …")
                body = []
            locs = []
            for b, block in enumerate(body):
                bpath = join(f"{spath}.body", b)
                kinds = [key for key in (block if isinstance(block, dict) else {}) if key != "when"]
                if len(kinds) != 1 or kinds[0] not in BLOCK_KEYS:
                    c.add(bpath, f"无法识别的正文块 “{'、'.join(map(str, kinds))}”", "、".join(BLOCK_KEYS) + " 之一")
                elif kinds[0] == "gen" and block["gen"] not in GENS:
                    c.add(f"{bpath}.gen", f"未知的自动生成块 “{block['gen']}”", "、".join(GENS) + " 之一")
                locs.append(Loc(src.name, src.line(bpath)))
            sections.append(ClauseDef(id=f"dossier.{n}.{k + 1}", doc=f"dossier-{n}", order=k, heading=str(sec["heading"]),
                                      level=1, indicators=[], when=str(sec.get("when") or ""), on_deleted="",
                                      body=[b for b in body if isinstance(b, dict)], loc=Loc(src.name, src.line(spath)),
                                      block_locs=locs))
        documents[n] = DocText(n, str(d.get("title") or ""), sections)

    chart = data.get("org_chart") or {}
    teams = []
    if c.mapping(chart, "org_chart", {"teams": "班组", "note": "图注"}) is not None:
        for j, t in enumerate(chart.get("teams") or []):
            tpath = join("org_chart.teams", j)
            if c.mapping(t, tpath, {"name": "名称", "when": "适用条件", "outlets": "下挂网点"}, ("name",)) is not None:
                teams.append((str(t["name"]), str(t.get("when") or ""), bool(t.get("outlets")),
                              Loc(src.name, src.line(tpath))))
    if c.problems:
        raise InvalidInput(c.problems)
    return DossierText(items, documents, teams, str(chart.get("note") or "") if isinstance(chart, dict) else "",
                       src.name)


# ------------------------------------------------------------------------------ the items
@dataclass
class DossierItem:
    item: int
    title: str
    note: str
    status: str                       # generated | company | not_applicable
    reason: str | None = None
    files: list[str] = field(default_factory=list)       # kit paths that satisfy it (or hold its draft)
    supply: str | None = None         # what the company must bring

    def manifest(self) -> dict:
        return {"item": self.item, "title": self.title, "status": self.status, "reason": self.reason,
                "files": list(self.files), "supply": self.supply}


def _cache(plan) -> dict:
    return plan.__dict__.setdefault("_kitgen_dossier", {})


def _text(plan) -> DossierText:
    cache = _cache(plan)
    if "text" not in cache:
        cache["text"] = merged_text(_sources(plan))
    return cache["text"]


def dossier_ctx(plan, doc_id: str = "dossier", number: str = "", title: str = "") -> dict:
    """The clause context plus ``dz`` (kit counts, outlet figures) and ``doc``."""
    cache = _cache(plan)
    if "dz" not in cache:
        p = plan.profile
        kinds = Counter(o.kind for o in p.outlets)
        from kitgen.core.profile import OUTLET_KINDS
        cache["dz"] = {
            "kit": {"procedures": sum(1 for d in plan.docs.values() if d.kind == "procedure"),
                    "rules": sum(1 for d in plan.docs.values() if d.kind == "rule"),
                    "forms": len(plan.forms), "documents": len(plan.docs) + len(plan.forms)},
            "kinds_text": "、".join(f"{OUTLET_KINDS[k]} {kinds[k]} 个" for k in OUTLET_KINDS if kinds.get(k)) or "无",
            "province_count": len({o.province or "未注明省份" for o in p.outlets}),
            "partner_count": len(plan.ctx["net"]["partners"]),
            "license": plan.industry.license,
            "managers_known": p.service.managers is not None,
        }
    return dict(plan.ctx, dz=cache["dz"], doc={"id": doc_id, "number": number, "title": title})


def _r(text: str, ctx: dict, loc: Loc, path: str) -> str:
    return render(text, ctx, loc.problem(path, "")).strip()


def dossier_items(plan, other_paths: list[str] | None = None) -> list[DossierItem]:
    """The 11 items, their statuses and files. ``other_paths``: the kit's other files (for item 11);
    by default the plan's documents and forms."""
    txt = _text(plan)
    ctx = dossier_ctx(plan)
    p = plan.profile
    if other_paths is None:
        other_paths = [d.path for d in plan.docs.values()] + [f.path for f in plan.forms.values()]
    out: list[DossierItem] = []
    for n in range(1, 12):
        t = txt.items[n]
        supply = _r(t.supply, ctx, t.loc, f"items[{n}].supply") if t.supply else ""
        extra = [_r(text, ctx, t.loc, f"items[{n}].extra") for text, when in t.extra
                 if condition(when, ctx, t.loc.problem(f"items[{n}].extra.when", ""))]
        it = DossierItem(n, t.title, t.note, "generated")
        if n == 1:
            it.status, it.supply = "company", supply
        elif n == 2:
            if plan.industry.license:
                it.status, it.supply = "company", supply
            else:
                it.status, it.reason = "not_applicable", _r(t.reason, ctx, t.loc, f"items[{n}].reason")
        elif n == 3:
            it.status, it.files, it.supply = "company", [PRODUCTS], supply
        elif n == 4:
            it.files = [LAWS]
        elif n == 5:
            it.files = [PROFILE]
        elif n == 6:
            it.files = [ORG_CHART, ORG_CHART_SOURCE]
        elif n == 7:
            it.files = [OUTLETS_DOCX, OUTLETS_XLSX]
        elif n == 8:
            it.files = [SALES]
        elif n == 9:
            it.files = [SYSTEM]
        elif n == 10:
            if p.certifications or p.honors:
                it.status, it.supply = "company", supply
            else:
                it.status, it.reason = "not_applicable", _r(t.reason, ctx, t.loc, f"items[{n}].reason")
        elif n == 11:
            system = sorted(x for x in other_paths if x.endswith(".docx") and not x.startswith(FOLDER)
                            and x != CHECKLIST and not x.startswith("07 "))
            it.files = [FILE_LIST] + system
        if extra:
            it.supply = "；".join([s for s in [it.supply or ""] if s] + extra) if it.status == "company" else it.supply
            if it.status == "not_applicable":
                it.reason = "；".join([it.reason or ""] + extra)
        out.append(it)
    return out
