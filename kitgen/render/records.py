"""Every record a procedure or rule names exists (issue 13.2).

A record named in a step's 记录 cell, or any 《…》 in a procedure's or rule's text, must be one of:

- a record form of this kit (by title: ``form('id')`` prints 《title》（number）, a plain name is
  matched by the title too) — the document's 记录 section then lists it;
- another document of the kit (a procedure, a rule, the manual, an application document, the
  matrix), or a document of the library the company does not use (printed 《…》（本公司不适用）);
- a law, regulation or standard of laws.yaml (the library's or the pack's), or the catalog's standard;
- a record the company keeps outside the kit, declared in the document's ``external_records``
  (documents.yaml): a contract, a licence, an invoice, a system's work order.

Anything else fails the build (exit 4), naming the document, the clause and the record, with the
fix: add a form, or declare the record external. Composing a document collects its mentions
(``mentions``); ``scan`` classifies them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from kitgen.core.clauses import ClauseDef
from kitgen.core.plan import KIND_NAMES, Plan, PlannedDoc
from kitgen.core.textrender import render
from kitgen.errors import Problem
from kitgen.ooxml import model as m

STEP_HEADER = ["序号", "工作内容", "责任部门/岗位", "时限", "记录"]
BOOK = re.compile(r"《([^《》\n]{1,80})》(（本公司不适用）)?")
PAREN = re.compile(r"（[^（）]*）|\([^()]*\)")
SPLIT = re.compile(r"[、，,；;]")
STANDARD_BEFORE = re.compile(r"\b(?:GB|GB/T|GB/Z|SB/T|QB/T|JC/T|JG/T|JB/T|JT/T|HJ|WS/T|SN/T|YY/T|T/[A-Z]+)\s?[0-9.]+(?:-[0-9]{4})?\s*$")
NOTHING = {"", "—", "-", "无", "／", "/"}
# documents of the kit that are not system documents (file names without their number)
KIT_FILES = ("申请资料清单", "指标对照表", "待补充信息表", "认证申请书")


@dataclass
class Mention:
    clause: ClauseDef
    text: str
    step: bool                  # the 记录 cell of a procedure step


@dataclass
class Scan:
    forms: list[str] = field(default_factory=list)        # form ids named, in order of first mention
    external: list[str] = field(default_factory=list)     # declared external records named
    problems: list[Problem] = field(default_factory=list)


def mentions(clause: ClauseDef, blocks: list[m.Block]) -> list[Mention]:
    """The texts of a clause's composed blocks: the step tables' 记录 cells, and all the rest."""
    out: list[Mention] = []
    for b in blocks:
        if isinstance(b, (m.Paragraph, m.Heading)):
            out.append(Mention(clause, b.text, False))
        elif isinstance(b, m.BulletList):
            out.extend(Mention(clause, t, False) for t in b.items)
        elif isinstance(b, m.Table):
            steps = list(b.header) == STEP_HEADER
            for row in b.rows:
                for k, cell in enumerate(row):
                    if isinstance(cell, str):
                        out.append(Mention(clause, cell, steps and k == 4))
    return out


class Names:
    """What a name in a document can be, for one plan (built once per plan)."""

    def __init__(self, plan: Plan):
        lib = plan.library
        self.forms = {f.title: fid for fid, f in plan.forms.items()}
        gone = [v for v in lib.omitted.values() if getattr(v, "title", None)]
        self.other_forms = {f.title for f in lib.forms.values()} | {v.title for v in gone if hasattr(v, "layout")}
        self.documents = {d.title for d in lib.docs.values()} | {v.title for v in gone if not hasattr(v, "layout")}
        for item in plan.dossier:
            self.documents.update(_stem(f) for f in item.files)
        self.documents.update(KIT_FILES)
        from kitgen.core.industries import load_laws
        self.laws = {law.title for law in load_laws(plan.industry.law_files).values()}
        title = plan.catalog.title or ""
        std = plan.catalog.standard or ""
        self.laws.add(title.replace(std, "").strip() if std else title)

    def law(self, name: str) -> bool:
        """A title of laws.yaml, also without 中华人民共和国 or its edition (国家危险废物名录（2025年版）)."""
        for title in (name, f"中华人民共和国{name}"):
            if title in self.laws or any(t.startswith(title + "（") for t in self.laws):
                return True
        return False

    def document(self, name: str) -> bool:
        return name in self.documents


def _stem(path: str) -> str:
    """'06 申请资料/07 网点清单.docx' → 网点清单."""
    stem = PurePosixPath(path).stem
    head, _, rest = stem.partition(" ")
    stem = rest if rest and head.replace("-", "").isalnum() and any(ch.isdigit() for ch in head) else stem
    return stem.removesuffix(".源文件")


def names_of(plan: Plan) -> Names:
    cached = plan.__dict__.get("_record_names")
    if cached is None:
        cached = plan.__dict__["_record_names"] = Names(plan)
    return cached


def _external(plan: Plan, pdoc: PlannedDoc) -> list[str]:
    """The document's declared external records, rendered (a name may use the context:
    ``{{ industry.customer }}信息系统``)."""
    d = pdoc.definition
    if d is None or not d.external_records:
        return []
    ctx = dict(plan.ctx, doc={"id": pdoc.id, "number": pdoc.number, "title": pdoc.title})
    where = d.loc.problem(f"{d.id}.external_records", "")
    return [render(name, ctx, where).strip() for name in d.external_records]


def scan(plan: Plan, pdoc: PlannedDoc, found: list[Mention]) -> Scan:
    names = names_of(plan)
    external = _external(plan, pdoc)
    out = Scan()
    reported: set[tuple[str, str]] = set()

    def use_form(fid: str) -> None:
        if fid not in out.forms:
            out.forms.append(fid)

    def use_external(name: str) -> None:
        if name not in out.external:
            out.external.append(name)

    def problem(mention: Mention, name: str, why: str, hint: str) -> None:
        if (mention.clause.id, name) in reported:
            return
        reported.add((mention.clause.id, name))
        kind = KIND_NAMES.get(pdoc.kind, "文件")
        out.problems.append(mention.clause.loc.problem(
            mention.clause.id, f"{kind}《{pdoc.title}》（{pdoc.id}）的条款 {mention.clause.id} 提到的记录“{name}”{why}", hint))

    def hint(name: str) -> str:
        return (f"本文件包中的一份记录表格（在 forms.yaml 或 forms/*.yaml 中增加，procedure: {pdoc.id}，正文用 "
                f"form('表格标识') 引用），或企业在文件包之外保存的记录（合同、证照、发票、信息系统中的单据）："
                f"在 documents.yaml 的 {pdoc.id} 中声明 external_records: [{name}]")

    def classify(mention: Mention, name: str, in_book: bool, not_applicable: bool) -> None:
        if name in names.forms:
            use_form(names.forms[name])
        elif name in external:
            use_external(name)
        elif not_applicable or names.document(name) or (in_book and names.law(name)):
            return
        elif name in names.other_forms:
            problem(mention, name, "是记录表格，但不在本文件包中（适用条件不满足或已删减）",
                    "用 form('表格标识') 引用该表格（不适用时印作“本公司不适用”），或给该步骤加上与表格相同的 when 条件")
        else:
            problem(mention, name, "既不是本文件包中的记录表格、文件或法律法规标准，也未声明为体系外记录", hint(name))

    for mention in found:
        for match in BOOK.finditer(mention.text):
            if STANDARD_BEFORE.search(mention.text[:match.start()]):
                continue                    # GB 18582-2020《…》: a standard named by its number
            classify(mention, match.group(1).strip(), True, bool(match.group(2)))
        if not mention.step:
            continue
        for part in _parts(BOOK.sub("、", mention.text)):
            written = part.strip().strip("。")       # as written (a declared name may carry a remark: 预约登记（DMS）)
            name = PAREN.sub("", written).strip().strip("。")   # without its remarks: 《…》（编号）（调查栏）
            if name in NOTHING:
                continue
            known = (lambda n: n in names.forms or n in external or names.document(n))
            if known(written) or not known(name):
                name = written                         # a problem names the record as the text writes it
            classify(mention, name, False, False)
    return out


def _parts(text: str) -> list[str]:
    """A 记录 cell split at 、，； outside brackets."""
    parts, depth, cur = [], 0, []
    for ch in text:
        if ch in "（(":
            depth += 1
        elif ch in "）)":
            depth = max(0, depth - 1)
        if depth == 0 and SPLIT.match(ch):
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    parts.append("".join(cur))
    return parts
