"""The plan: every decision of a build, made once, before anything is rendered.

Which documents and forms the kit holds, which clause goes where under which number, which
indicators are deleted and why, and which sections cover which indicator. The documents' own
cross-reference lines, the matrix and kit.json are all read from this one object.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from kitgen.core import derive
from kitgen.core.catalog import Catalog
from kitgen.core.clauses import ClauseDef, DocDef, FormDef, Library
from kitgen.core.context import build_context
from kitgen.core.facts import FactBook
from kitgen.core.industries import Industry
from kitgen.core.profile import Profile
from kitgen.core.textrender import condition, render
from kitgen.errors import BuildFailed, Problem

NOT_APPLICABLE = "（本公司不适用）"   # a reference to a document or form the kit leaves out

FOLDERS = {"manual": "", "procedure": "03 程序文件", "rule": "04 管理制度", "form": "05 记录表格"}
KIND_NAMES = {"manual": "手册", "procedure": "程序文件", "rule": "管理制度", "form": "记录表格"}
_UNSAFE = str.maketrans({"/": "／", "\\": "＼", ":": "：", "*": "＊", "?": "？", '"': "＂", "<": "＜", ">": "＞", "|": "｜"})


def safe_name(text: str) -> str:
    """A file name that is safe on Windows, macOS and Linux and cannot leave its folder."""
    name = text.translate(_UNSAFE)
    name = re.sub(r"[\x00-\x1f\x7f-\x9f]", "", name).strip().strip(".")
    name = name[:120]
    while len(name.encode("utf-8")) > _NAME_BYTES:     # room for ".new.docx" on a 255-byte file system
        name = name[:-1]
    name = name.rstrip(" .")
    if _WINDOWS_DEVICE.fullmatch(name):
        name = "_" + name                              # CON, NUL, AUX …: unusable as a name on Windows
    return name or "未命名"


_NAME_BYTES = 200
_WINDOWS_DEVICE = re.compile(r"(CON|PRN|AUX|NUL|COM[0-9]|LPT[0-9]) *(\..*)?", re.IGNORECASE)


@dataclass
class Section:
    clause: ClauseDef
    heading: str
    level: int
    number: str = ""
    indicators: list[str] = field(default_factory=list)       # applicable ids it cites
    explain: list[derive.Deletion] = field(default_factory=list)  # non-empty: print the deletion instead


@dataclass
class PlannedDoc:
    id: str
    kind: str               # manual | procedure | rule
    code: str
    number: str
    title: str
    path: str
    sections: list[Section] = field(default_factory=list)
    indicators: list[str] = field(default_factory=list)        # union of its sections', in catalog order
    forms: list[str] = field(default_factory=list)
    related: list[str] = field(default_factory=list)
    definition: DocDef | None = None


@dataclass
class PlannedForm:
    id: str
    code: str
    number: str
    title: str
    path: str
    procedure: str
    indicators: list[str]
    definition: FormDef


@dataclass
class Plan:
    profile: Profile
    industry: Industry
    catalog: Catalog
    library: Library
    ctx: dict
    deletions: dict[str, derive.Deletion]
    docs: dict[str, PlannedDoc]
    forms: dict[str, PlannedForm]
    left_out: dict[str, str]                                # doc/form id → why it is not in the kit
    coverage: dict[str, list[tuple[str, str]]]              # indicator → [(doc id, section label)]
    evidence: dict[str, list[str]]                          # indicator → [form id]
    overlays: list = field(default_factory=list)            # the consultancy overlays it was made with
    facts: FactBook = field(default_factory=FactBook)       # questions, defaults, answers; what was asked

    def status(self, ind_id: str) -> str:
        return "deleted" if ind_id in self.deletions else "applicable"

    def applicable(self, level: int | None = None) -> list[str]:
        return [i.id for i in self.catalog.indicators.values()
                if i.id not in self.deletions and (level is None or i.level == level)]

    @property
    def dossier(self) -> list:
        """The 11 dossier items (kitgen.core.dossier.DossierItem): statuses, reasons, files, what the
        company owes. Decided once, on first use (the dossier texts are read then)."""
        cached = self.__dict__.get("_dossier_items")
        if cached is None:
            from kitgen.core.dossier import dossier_items
            cached = self.__dict__["_dossier_items"] = dossier_items(self)
        return cached

    def doc_number(self, code: str) -> str:
        prefix = self.profile.documents.prefix
        return f"{prefix}/SH-{code}" if prefix else f"SH-{code}"


def make_plan(profile: Profile, industry: Industry, catalog: Catalog, library: Library, *,
              require_coverage: bool = True, facts: FactBook | None = None) -> Plan:
    facts = facts if facts is not None else FactBook()
    deletions = derive.deletions(profile, industry, catalog)
    ctx = build_context(profile, industry, catalog, deletions, facts)
    plan = Plan(profile=profile, industry=industry, catalog=catalog, library=library, ctx=ctx, deletions=deletions,
                docs={}, forms={}, left_out={}, coverage={}, evidence={}, facts=facts)

    def all_deleted(ids: list[str]) -> bool:
        known = [i for i in ids if i in catalog.indicators]
        return bool(known) and all(i in deletions for i in known)

    # 1. documents
    for d in library.docs.values():
        where = d.loc.problem(f"{d.id}.when", "")
        if all_deleted(d.indicators):
            plan.left_out[d.id] = "所针对的指标均已删减：" + "；".join(
                f"{deletions[i].id} {deletions[i].name}" for i in d.indicators if i in deletions)
            continue
        if not condition(d.when, ctx, where):
            plan.left_out[d.id] = "不适用于本公司（适用条件不满足）"
            continue
        number = plan.doc_number(d.code)
        folder = FOLDERS[d.kind]
        name = safe_name(f"{d.code} {d.title}" if folder else f"02 {d.title}") + ".docx"
        path = f"{folder}/{name}" if folder else name
        plan.docs[d.id] = PlannedDoc(id=d.id, kind=d.kind, code=d.code, number=number, title=d.title, path=path,
                                     definition=d)
    # 2. forms
    for f in library.forms.values():
        if f.procedure not in plan.docs:
            plan.left_out[f.id] = f"所属文件“{library.docs[f.procedure].title}”不在本文件包中"
            continue
        if all_deleted(f.indicators):
            plan.left_out[f.id] = "所证明的指标均已删减"
            continue
        if not condition(f.when, ctx, f.loc.problem(f"{f.id}.when", "")):
            plan.left_out[f.id] = "不适用于本公司（适用条件不满足）"
            continue
        number = plan.doc_number(f.code)
        path = f"{FOLDERS['form']}/{safe_name(f'{f.code} {f.title}')}.docx"
        plan.forms[f.id] = PlannedForm(id=f.id, code=f.code, number=number, title=f.title, path=path,
                                       procedure=f.procedure,
                                       indicators=[i for i in f.indicators if i not in deletions], definition=f)
        plan.docs[f.procedure].forms.append(f.id)
        for i in plan.forms[f.id].indicators:
            plan.evidence.setdefault(i, []).append(f.id)

    # cross-references now that the kit's contents are known
    def ref(doc_id: str) -> str:
        if doc_id in plan.docs:
            d = plan.docs[doc_id]
            return f"《{d.title}》（{d.number}）"
        if doc_id in library.docs:
            return f"《{library.docs[doc_id].title}》{NOT_APPLICABLE}"
        if getattr(library.omitted.get(doc_id), "title", None):
            return f"《{library.omitted[doc_id].title}》{NOT_APPLICABLE}"
        raise KeyError(f"ref('{doc_id}')：未登记的文件")

    def form(form_id: str) -> str:
        if form_id in plan.forms:
            f = plan.forms[form_id]
            return f"《{f.title}》（{f.number}）"
        if form_id in library.forms:
            return f"《{library.forms[form_id].title}》{NOT_APPLICABLE}"
        if getattr(library.omitted.get(form_id), "title", None):
            return f"《{library.omitted[form_id].title}》{NOT_APPLICABLE}"
        raise KeyError(f"form('{form_id}')：未登记的表格")

    ctx["ref"], ctx["form"] = ref, form

    # 3. clauses into documents
    by_doc: dict[str, list[ClauseDef]] = {}
    for cl in library.clauses.values():
        by_doc.setdefault(cl.doc, []).append(cl)
    order = {i: n for n, i in enumerate(catalog.indicators)}
    for doc_id, pdoc in plan.docs.items():
        dctx = dict(ctx, doc={"id": pdoc.id, "number": pdoc.number, "title": pdoc.title})
        counters = [0, 0, 0]
        cited: set[str] = set()
        for cl in sorted(by_doc.get(doc_id, []), key=lambda c: (c.order, c.id)):
            if not condition(cl.when, dctx, cl.loc.problem(f"{cl.id}.when", "")):
                continue
            known = [i for i in cl.indicators if i in catalog.indicators]
            unknown = [i for i in cl.indicators if i not in catalog.indicators]
            if unknown:
                raise BuildFailed([cl.loc.problem(f"{cl.id}.indicators", f"条款引用了指标目录中不存在的指标：{'、'.join(unknown)}",
                                                  f"{catalog.standard} 中存在的指标编号")])
            applicable = [i for i in known if i not in deletions]
            explain: list[derive.Deletion] = []
            if known and not applicable:
                if cl.on_deleted != "explain":
                    continue
                explain = [deletions[i] for i in known]
            heading = render(cl.heading, dctx, cl.loc.problem(f"{cl.id}.heading", ""))
            level = cl.level
            number = ""
            if cl.numbered:                # front matter (颁布令, 任命书 …) stands unnumbered
                counters[level - 1] += 1
                for k in range(level, 3):
                    counters[k] = 0
                number = ".".join(str(n) for n in counters[:level])
            sec = Section(clause=cl, heading=heading, level=level, number=number, indicators=applicable,
                          explain=explain)
            pdoc.sections.append(sec)
            for i in applicable:
                cited.add(i)
                plan.coverage.setdefault(i, []).append((doc_id, f"{number} {heading}".strip()))
        pdoc.indicators = sorted(cited, key=lambda i: order.get(i, 1 << 30))
        pdoc.related = [r for r in (pdoc.definition.related if pdoc.definition else [])]

    # second-level and first-level indicators are covered through their clauses
    for ind in reversed(list(catalog.indicators.values())):
        if ind.id in deletions:
            continue
        for child in ind.children:
            for entry in plan.coverage.get(child, []):
                if entry not in plan.coverage.setdefault(ind.id, []):
                    plan.coverage[ind.id].append(entry)

    missing = [i for i in plan.applicable() if not plan.coverage.get(i)
               and not catalog.indicators[i].children]
    if missing and require_coverage:
        raise BuildFailed([Problem(catalog.source or "catalog", None, i,
                                   f"适用的指标 “{catalog.indicators[i].label}” 没有任何条款覆盖",
                                   "在 clauses/ 中为它编写条款（indicators 列出该编号），或在 exclusions 中说明删减理由")
                           for i in missing])
    return plan
