"""Compose: the plan's documents and forms as block-model Documents (no file I/O here).

Clause texts are rendered against the context; `gen` blocks are filled from the plan, so the
tables in the documents (commitments, lists, matrix, deletions) are the same data as kit.json.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace
from typing import Callable

from kitgen.core.catalog import PROVENANCE_SHORT
from kitgen.core.clauses import ClauseDef, FormDef
from kitgen.core.context import PARTNER_TABLE_MAX
from kitgen.core.plan import KIND_NAMES, NOT_APPLICABLE, Plan, PlannedDoc, PlannedForm
from kitgen.core.profile import COMMITMENTS
from kitgen.core.textrender import condition, inline_brackets, render
from kitgen.errors import BuildFailed
from kitgen.ooxml import model as m
from kitgen.render import records

STEP_HEADER = records.STEP_HEADER           # 序号 / 工作内容 / 责任部门/岗位 / 时限 / 记录
STEP_WIDTHS = [1.0, 6.0, 2.4, 1.8, 2.4]


def ind_label(plan: Plan, ind_id: str) -> str:
    ind = plan.catalog.indicators.get(ind_id)
    return ind.label if ind else ind_id


def _signer(plan: Plan, key: str, value: str | None) -> str:
    """A name for a cover's signature row: the profile's or an answer, else blank — the row is a
    signature box the company signs by hand, not a fill-in (the name is asked where texts print it)."""
    if value:
        return value
    answered, how = plan.facts.value(key)
    return str(answered) if answered is not None and how == "answer" else ""


def _cover(plan: Plan, title: str, number: str, subtitle: str = "", manual: bool = False) -> m.Cover:
    ctx = plan.ctx
    d = ctx["docs"]
    docs = plan.profile.documents
    # the manual is approved by the top manager (who signs its 颁布令); procedures, rules and forms
    # by the profile's approver — the same names the texts state (proc-documents, manual 4.1)
    approver = (_signer(plan, "gm_name", plan.profile.company.legal_representative) if manual
                else _signer(plan, "documents.approver", docs.approver))
    # the cover's date is the release date stamped on issue: printed when known (profile or answer),
    # else left blank like the signatures; the texts that state the date (颁布令, proc-documents) ask for it
    known_date = docs.effective_date or (plan.facts.value("documents.effective_date")[0]
                                         if plan.facts.value("documents.effective_date")[1] == "answer" else None)
    return m.Cover(company=plan.profile.company.name, title=title, number=number, version=d["version"],
                   effective_date=d["effective_date"] if known_date else "", subtitle=subtitle,
                   control_rows=[("编制", _signer(plan, "documents.editor", docs.editor)),
                                 ("审核", _signer(plan, "documents.reviewer", docs.reviewer)), ("批准", approver)])


def _document(plan: Plan, title: str, number: str, landscape: bool = False) -> m.Document:
    p = plan.profile
    return m.Document(title=title, number=number, company=p.company.name, landscape=landscape,
                      version=plan.ctx["docs"]["version"], author=p.documents.editor or p.company.name,
                      created=p.documents.effective_date.isoformat() if p.documents.effective_date else "",
                      subject="GB/T 27922-2011 商品售后服务评价体系", keywords="售后服务认证",
                      fill_ins=plan.facts.tags)


# ------------------------------------------------------------------ system documents
def compose_doc(plan: Plan, pdoc: PlannedDoc, extras: dict[str, Callable] | None = None,
                problems: list | None = None) -> m.Document:
    """The document as blocks. A procedure's or rule's records are checked (kitgen.render.records):
    problems go into ``problems`` when given (the kit reports every document's at once), else the
    first document with one fails (BuildFailed)."""
    doc = _document(plan, pdoc.title, pdoc.number)
    doc.cover = _cover(plan, pdoc.title, pdoc.number, KIND_NAMES[pdoc.kind] if pdoc.kind != "manual" else "",
                       manual=pdoc.kind == "manual")
    ctx = dict(plan.ctx, doc={"id": pdoc.id, "number": pdoc.number, "title": pdoc.title})
    blocks = doc.blocks
    if pdoc.kind == "manual":
        blocks.append(m.Toc(levels=2))
        blocks.append(m.PageBreak())
    if pdoc.indicators and pdoc.kind != "manual":   # the manual covers everything: its matrix says so
        blocks.append(m.Paragraph("本文件对应指标：" + "、".join(_third_level_compact(plan, pdoc.indicators)), style="note"))
    gens = _generators(plan, extras)
    found: list[records.Mention] = []
    for sec in pdoc.sections:
        blocks.append(m.Heading(sec.heading, level=sec.level, number=sec.number,
                                indicators=[ind_label(plan, i) for i in sec.indicators]))
        if sec.explain:
            for d in sec.explain:
                blocks.append(m.Paragraph(f"本条款（{d.id} {d.name}）删减，不适用于本公司。删减理由：{d.reason}"))
            continue
        body = _body(plan, sec.clause, ctx, gens)
        found += records.mentions(sec.clause, body)
        blocks.extend(body)
    if pdoc.kind in ("procedure", "rule"):
        named = records.scan(plan, pdoc, found)
        if problems is not None:
            problems.extend(named.problems)
        elif named.problems:
            raise BuildFailed(named.problems)
        n = len([s for s in pdoc.sections if s.level == 1])
        blocks.append(m.Heading("相关文件", level=1, number=str(n + 1)))
        related = [plan.ctx["ref"](r) for r in pdoc.related]
        blocks.append(m.BulletList(related) if related else m.Paragraph("无。"))
        blocks.append(m.Heading("记录", level=1, number=str(n + 2)))
        blocks.extend(_records_section(plan, pdoc, named))
    return doc


def product_rows(ctx: dict) -> tuple[list[str], list[list[str]], list[float]]:
    """The product table in the trade's words (terms.warranty, terms.main_parts, terms.install); the
    main-parts and installation columns only when some product has them."""
    terms = ctx["industry"]["terms"]
    products = ctx["products"]
    parts = any(pr["main_parts_warranty_months"] for pr in products)
    install = any(pr["needs_installation"] for pr in products)
    header = ["商品名称", "类别", terms["warranty"]]
    widths = [3, 2.4, 2]
    if parts:
        header.append(terms["main_parts"])
        widths.append(2.2)
    if install:
        header.append(f"是否需{terms.get('install') or '安装'}")
        widths.append(1.6)
    rows = []
    for pr in products:
        row = [pr["name"], pr["category"] or "—", f"{pr['warranty_months']}个月"]
        if parts:
            row.append(f"{pr['main_parts_warranty_months']}个月" if pr["main_parts_warranty_months"] else "—")
        if install:
            row.append("是" if pr["needs_installation"] else "否")
        rows.append(row)
    return header, rows, widths


def _records_section(plan: Plan, pdoc: PlannedDoc, named: "records.Scan") -> list[m.Block]:
    """Every form the document uses: its own first, then those of other documents it names (marked
    with the document that lays them down); then the records it keeps outside the kit."""
    own = [plan.forms[f] for f in pdoc.forms]
    others = [plan.forms[f] for f in named.forms if f not in pdoc.forms]
    keep, retention = plan.ctx["dept"]["service"], plan.ctx["docs"]["retention"]
    out: list[m.Block] = []
    if own or others:
        rows = [[f.number, f.title, "本文件", keep, retention] for f in own]
        rows += [[f.number, f.title, f"引用（{plan.docs[f.procedure].number}）", keep, retention] for f in others]
        out.append(m.Table(["记录编号", "记录名称", "规定文件", "保存部门", "保存期限"], rows, widths=[3, 5.2, 3, 2.4, 2]))
    else:
        out.append(m.Paragraph("本文件不单独设置记录表格，相关记录按本公司记录控制要求保存。"))
    if others:
        out.append(m.Paragraph("注：“规定文件”为“引用”的记录，其格式和保存要求由括号中的文件规定，本文件的活动使用该记录。",
                               style="note"))
    if named.external:
        out.append(m.Paragraph("本文件使用的体系外记录（企业在本文件包之外保存，如合同、证照、票据和信息系统中的单据）："
                               + "、".join(named.external) + "。", style="note"))
    return out


def _third_level_compact(plan: Plan, ids: list[str]) -> list[str]:
    """Indicator ids as a reader wants them: third-level clauses, a parent's id when all are cited."""
    cited = set(ids)
    out: list[str] = []
    for ind in plan.catalog.indicators.values():
        if ind.level == 2:
            kids = [k for k in ind.children if k not in plan.deletions]
            if kids and all(k in cited for k in kids):
                out.append(f"{ind.id}（全部）")
            else:
                out.extend(k for k in kids if k in cited)
                if not kids and ind.id in cited:
                    out.append(ind.id)
    return out


def _body(plan: Plan, cl: ClauseDef, ctx: dict, gens: dict[str, Callable]) -> list[m.Block]:
    return tidy_departments(_blocks(plan, cl, ctx, gens), plan.ctx.get("dept_list") or [])


_JOINERS = ("、", "和", "及", "与", "会同", "以及", "或")


def _dept_pattern(names: tuple[str, ...]):
    alt = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return re.compile(f"(?:{alt})(?:(?:{'|'.join(_JOINERS)})(?:{alt}))+")


_DEPT_RE: dict[tuple[str, ...], re.Pattern] = {}


def tidy_text(text: str, names: tuple[str, ...]) -> str:
    """One company department named twice in a row — functions that share a department, written
    as ``{{ dept.service }}、{{ dept.quality }}`` or ``…会同…`` — is named once."""
    if not names or not text:
        return text
    pat = _DEPT_RE.get(names)
    if pat is None:
        pat = _DEPT_RE[names] = _dept_pattern(names)
    split = re.compile("(" + "|".join(_JOINERS) + ")")

    def once(m: re.Match) -> str:
        parts = split.split(m.group())
        seen: list[str] = []
        joins: list[str] = []
        for i in range(0, len(parts), 2):
            if parts[i] not in seen:
                if seen:
                    joins.append(parts[i - 1])
                seen.append(parts[i])
        if len(seen) == 1:
            return seen[0]
        out = seen[0]
        for j, name in zip(joins, seen[1:]):
            out += ("、" if j == "会同" and len(seen) > 2 else j) + name
        return out
    return pat.sub(once, text)


def tidy_departments(blocks: list[m.Block], dept_list: list[str]) -> list[m.Block]:
    """Departments named once where several functions share one: in text, and in duty tables whose
    rows are departments (two rows for the same department become one)."""
    names = tuple(n for n in dept_list if n)
    if not names:
        return blocks
    out: list[m.Block] = []
    for b in blocks:
        if isinstance(b, m.Paragraph):
            b = replace(b, text=tidy_text(b.text, names))
        elif isinstance(b, m.BulletList):
            b = replace(b, items=[tidy_text(t, names) for t in b.items])
        elif isinstance(b, m.Table):
            rows = [[tidy_text(c, names) if isinstance(c, str) else c for c in row] for row in b.rows]
            if b.header and "部门" in str(b.header[0]) and len(b.header) >= 2:
                merged: dict[str, list[str]] = {}
                order: list[str] = []
                for row in rows:
                    key = row[0] if row else ""
                    if key in merged and len(row) == len(merged[key]) and key:
                        merged[key] = [key] + [_joined(a, c) for a, c in zip(merged[key][1:], row[1:])]
                    else:
                        merged[key if key else f"\x00{len(order)}"] = row
                        order.append(key if key else f"\x00{len(order)}")
                rows = [merged[k] for k in order]
            b = replace(b, rows=rows)
        out.append(b)
    return out


def _joined(a: str, b: str) -> str:
    if not b or b in a:
        return a
    if not a:
        return b
    return a + ("" if a.endswith(("。", "；", "！")) else "；") + b


def _blocks_of(plan: Plan, block: dict, ctx: dict, where) -> list[m.Block]:
    """A form's `list` or `table` block, rendered as in a clause body."""
    if "list" in block:
        items = [render(t, ctx, where).strip() for t in block["list"]]
        return [m.BulletList([t for t in items if t])] if any(items) else []
    if condition(str(block["table"].get("when") or ""), ctx, where):
        return [_table(block["table"], ctx, where)]
    return []


def _blocks(plan: Plan, cl: ClauseDef, ctx: dict, gens: dict[str, Callable]) -> list[m.Block]:
    out: list[m.Block] = []
    for j, block in enumerate(cl.body):
        loc = cl.block_locs[j] if j < len(cl.block_locs) else cl.loc
        where = loc.problem(f"{cl.id}.body[{j}]", "")
        if not condition(str(block.get("when") or ""), ctx, where):
            continue
        if "p" in block or "note" in block:
            style = "note" if "note" in block else "body"
            text = render(block.get("p") or block.get("note") or "", ctx, where)
            out.extend(m.Paragraph(line.strip(), style=style) for line in text.splitlines() if line.strip())
        elif "list" in block:
            items = [render(t, ctx, where).strip() for t in block["list"]]
            items = [t for t in items if t]
            if items:
                out.append(m.BulletList(items))
        elif "table" in block:
            if condition(str(block["table"].get("when") or ""), ctx, where):
                out.append(_table(block["table"], ctx, where))
        elif "steps" in block:
            rows = []
            for step in block["steps"]:
                if not condition(str(step.get("when") or ""), ctx, where):
                    continue
                cells = [render(str(step.get(k) or "—"), ctx, where).strip() or "—" for k in ("do", "who", "time", "record")]
                cells = _without_left_out(cells)
                if cells is None:                  # the step works with a document the kit leaves out
                    continue
                rows.append([str(len(rows) + 1)] + cells)
            if rows:
                out.append(m.Table(STEP_HEADER, rows, widths=STEP_WIDTHS))
        elif "gen" in block:
            out.extend(gens[block["gen"]]())
    return out


def _table(spec: dict, ctx: dict, where) -> m.Table:
    header = [render(str(h), ctx, where) for h in spec.get("header") or []]
    rows: list[list[str]] = []
    for row in spec.get("rows") or []:
        cells = [render(str(cell), ctx, where) for cell in row]
        if cells and not cells[0].strip():     # a row whose first cell renders empty is left out
            continue                           # (a department the company does not have, a condition)
        cells = _without_left_out(cells)
        if cells is not None:
            rows.append(cells)
    if spec.get("for"):
        var, _, expr = str(spec["for"]).partition(" in ")
        var = var.strip()
        if not var.isidentifier() or not expr.strip():
            raise BuildFailed([replace(where, message=f"无法理解的循环 “{spec['for']}”", hint="形如 p in products")])
        items = _evaluate(expr.strip(), ctx, where)
        for item in items:
            sub = dict(ctx, **{var: item})
            rows.append([render(str(cell), sub, where) for cell in spec.get("row") or []])
    widths = [float(w) for w in spec.get("widths") or []]
    if widths and len(widths) != len(header):
        widths = []
    return m.Table(header, rows or [["—"] * len(header)], widths=widths)


def _without_left_out(cells: list[str]) -> list[str] | None:
    """A table row or procedure step that names a document or form the kit leaves out: a list of
    records loses that item ("《A》、《B》（本公司不适用）" → "《A》"); a row that needs it is left out (None)."""
    if not any(NOT_APPLICABLE in c for c in cells):
        return cells
    out = []
    for c in cells:
        if NOT_APPLICABLE in c:
            kept = [part for part in c.split("、") if NOT_APPLICABLE not in part]
            if not kept:
                return None
            c = "、".join(kept)
        out.append(c)
    return out


def _evaluate(expr: str, ctx: dict, where):
    from kitgen.core.textrender import _expression, _problem
    try:
        return list(_expression(expr)(**ctx) or [])
    except Exception as exc:  # noqa: BLE001 - reported with its location
        raise BuildFailed([_problem(where, exc)]) from None


# ------------------------------------------------------------------ generated blocks
def _place(o) -> str:
    """Province and city, the city once where they are the same (上海市, not 上海市上海市)."""
    prov, city = o.province or "", o.city or ""
    return prov if city == prov else prov + city


_FRAME = frozenset({"目的", "适用范围", "职责", "总则", "管理职责", "检查与考核", "目的和适用范围"})   # not evidence

def _generators(plan: Plan, extras: dict[str, Callable] | None) -> dict[str, Callable[[], list[m.Block]]]:
    ctx = plan.ctx
    p = plan.profile

    def outlet_summary() -> list[m.Block]:
        net = ctx["net"]
        if not net["total"]:
            return [m.Paragraph("本公司目前未设立独立的销售或售后服务网点，售后服务由总部" + ctx["service"]["department"] + "统一提供。")]
        rows = []
        by_prov = Counter((o.province or "未注明省份", o.operator) for o in p.outlets)
        provinces = list(dict.fromkeys(o.province or "未注明省份" for o in p.outlets))
        for prov in provinces:
            d, e = by_prov.get((prov, "direct"), 0), by_prov.get((prov, "entrusted"), 0)
            rows.append([prov, str(d), str(e), str(d + e)])
        rows.append(["合计", str(net["direct"]), str(net["entrusted"]), str(net["total"])])
        return [m.Paragraph(f"本公司现有网点 {net['total']} 个（直属 {net['direct']} 个、委托 {net['entrusted']} 个），"
                            f"服务网络方式为“{net['mode']}”，分布于 {len(provinces)} 个省级行政区。"),
                m.Table(["省份", "直属网点", "委托网点", "合计"], rows, widths=[4, 2, 2, 2])]

    def outlet_table() -> list[m.Block]:
        if not p.outlets:
            return outlet_summary()
        rows = [[str(n), o.name, ctx["outlets"][n - 1]["kind_name"], "直属" if o.operator == "direct" else "委托",
                 o.partner or "—", _place(o), o.address or "—", o.phone or "—"]
                for n, o in enumerate(p.outlets, start=1)]
        return [m.Table(["序号", "网点名称", "类型", "直属/委托", "合作单位", "省市", "地址", "电话"], rows,
                        widths=[0.8, 3.2, 1.6, 1.2, 3, 1.8, 3.6, 2], font_size=8)]

    def partner_table() -> list[m.Block]:
        partners: dict[str, list] = {}
        for o in p.outlets:
            if o.operator == "entrusted" and o.partner:
                partners.setdefault(o.partner, []).append(o)
        if not partners:
            return [m.Paragraph("本公司服务网点均为直属网点，目前无委托合作单位。")]
        if len(partners) > PARTNER_TABLE_MAX:        # a system document summarises; the outlet list has them all
            provinces = {o.province for os_ in partners.values() for o in os_ if o.province}
            return [m.Paragraph(f"本公司现有委托服务单位 {len(partners)} 家，设立委托网点 {sum(len(v) for v in partners.values())} 个，"
                                f"分布于 {len(provinces)} 个省级行政区。各委托服务单位及其网点的名称、地区、地址和电话见申请资料"
                                "《网点清单》（Word 和 Excel 版）。")]
        rows = [[str(n), name, str(len(os_)), "、".join(dict.fromkeys(_place(o) for o in os_)) or "—"]
                for n, (name, os_) in enumerate(partners.items(), start=1)]
        return [m.Table(["序号", "合作单位（受托方）", "委托网点数", "服务区域"], rows, widths=[0.8, 5, 1.6, 4])]

    def product_table() -> list[m.Block]:
        header, rows, widths = product_rows(ctx)
        return [m.Table(header, rows, widths=widths)]

    def doc_list(kind: str) -> list[m.Block]:
        docs = [d for d in plan.docs.values() if d.kind == kind]
        rows = [[str(n), d.number, d.title, ctx["docs"]["version"]] for n, d in enumerate(docs, start=1)]
        return [m.Table(["序号", "文件编号", "文件名称", "版本"], rows, widths=[0.8, 3.4, 7, 1.4])]

    def form_list() -> list[m.Block]:
        rows = [[str(n), f.number, f.title, plan.docs[f.procedure].title]
                for n, f in enumerate(plan.forms.values(), start=1)]
        return [m.Table(["序号", "记录编号", "记录名称", "所属文件"], rows, widths=[0.8, 3.2, 4.6, 5.4])]

    def deletions() -> list[m.Block]:
        top = [d for d in plan.deletions.values() if d.id.count(".") == 2 or d.id.rsplit(".", 1)[0] not in plan.deletions]
        if not top:
            return [m.Paragraph("本公司的经营与服务涉及 GB/T 27922-2011 的全部评价指标，本手册无删减。")]
        rows = [[d.id, d.name, d.reason] for d in top]
        return [m.Paragraph("根据本公司商品特性和服务提供方式，以下指标不适用，予以删减（删减指标不影响本公司对顾客的责任）："),
                m.Table(["指标", "名称", "删减理由"], rows, widths=[1.6, 3, 9])]

    def commitments() -> list[m.Block]:
        rows = []
        s = ctx["service"]
        rows.append(["服务热线", inline_brackets(s["hotline"], s["hours"])])
        terms = ctx["industry"]["terms"]
        trade = {"onsite_hours": terms.get("onsite"), "repair_days": terms.get("repair"),    # the trade's words
                 "delivery_days": terms.get("delivery"), "install_hours": terms.get("install"),
                 "return_days": terms.get("return"), "visit_days": terms.get("visit"),
                 "parts_years": terms.get("parts")}
        shown = plan.industry.commitments or list(COMMITMENTS)        # the promises this trade makes
        for key, (label, unit) in COMMITMENTS.items():
            if key not in shown:
                continue
            if key == "delivery_days" and not ctx["has_delivery"]:
                continue
            if key == "install_hours" and not ctx["has_installation"]:
                continue
            if trade.get(key):
                label = (f"{trade[key]}供应年限" if key == "parts_years" else
                         f"{trade[key]}{'完成' if key == 'repair_days' else ''}时限")
            rows.append([label, f"{ctx['commit'][key]}{unit}"])
        return [m.Table(["承诺项目", "承诺内容"], rows, widths=[4, 9])]

    def revision_log() -> list[m.Block]:
        d = ctx["docs"]
        return [m.Table(["版本", "修订内容", "修订人", "批准人", "生效日期"],
                        [[d["version"], "初版发布", d["editor"], d["approver"], d["effective_date"]],
                         ["", "", "", "", ""], ["", "", "", "", ""]], widths=[1.4, 6, 2, 2, 2.6])]

    def matrix() -> list[m.Block]:
        rows = []
        for ind in plan.catalog.indicators.values():
            if ind.level == 1:
                continue
            status = "删减" if ind.id in plan.deletions else "适用"
            docs = "；".join(dict.fromkeys(plan.docs[d].number for d, _ in plan.coverage.get(ind.id, [])))
            rows.append([ind.id, ind.name, status, docs or "—", PROVENANCE_SHORT.get(ind.provenance, "")])
        return [m.Paragraph("下表列出各评价指标在本公司售后服务管理体系文件中的对应关系；“可靠程度”标明该指标条目的来源可靠性，"
                            "“重建”条目为依据公开资料整理的参考条目，并非标准原文。", style="note"),
                m.Table(["指标", "名称", "状态", "对应文件", "可靠程度"], rows, widths=[1.5, 3.4, 1, 6.4, 1.4], font_size=8)]

    def org_chart() -> list[m.Block]:
        return [m.Paragraph("组织机构图见申请资料《组织机构图》。", style="note")]

    def review_checklist() -> list[m.Block]:
        """The internal review checklist: every third-level indicator of the catalog in order — what
        to check (the catalog's gist), how, and where the evidence is (the sections that cite it and
        the forms that record it); a deleted one with its reason, not scored."""
        methods = {"5.1": ("查文件和记录，问管理人员", "抽查人员、设施和记录，按样本的符合比例评分"),
                   "5.2": ("查文件和记录，看现场，问服务人员", "抽样查服务记录和现场，按样本的符合比例评分"),
                   "5.3": ("查记录和信息系统，问服务人员", "抽样查记录并电话回访顾客，按样本的符合比例评分")}
        rows = []
        marked = False
        for ind in plan.catalog.indicators.values():
            if ind.level != 3:
                continue
            top = ind.id.split(".")[0] + "." + ind.id.split(".")[1]
            if ind.id in plan.deletions:
                rows.append([ind.label, f"删减，不评审、不计分。删减理由：{plan.deletions[ind.id].reason}", "—", "—",
                             "不适用", "—"])
                continue
            star = "※" if ind.provenance == "reconstructed" else ""
            marked = marked or bool(star)
            how = methods.get(top, methods["5.1"])[1 if ind.sampled else 0]
            where: dict[str, list[str]] = {}          # document code → its sections that cite the indicator
            for doc_id, label in plan.coverage.get(ind.id, []):
                secs = where.setdefault(plan.docs[doc_id].code, [])
                sec, _, heading = label.partition(" ") if label[:1].isdigit() else ("", "", label)
                if sec and sec not in secs and heading not in _FRAME:     # 目的, 职责 … point nowhere
                    secs.append(sec)
            forms = [plan.forms[f].code for f in plan.evidence.get(ind.id, [])]
            # one document a line, its code held to its first section (no break inside "CX-04 4.1")
            evidence = "\n".join(f"{code}\u00a0{'、'.join(secs)}" if secs else code for code, secs in where.items())
            evidence += ("\n记录\u00a0" + "、".join(forms)) if forms else ""
            rows.append([f"{ind.label}{star}", ind.summary or ind.name, how, evidence or "—", "", ""])
        note = ("说明：证据栏列出本公司体系文件中规定该指标的章节（文件编号后缀及章节号，QM 为手册、CX 为程序文件、ZD 为管理制度）"
                "和记录该指标执行情况的记录表格（JL）；评审结果填 符合 / 部分符合 / 不符合，不符合的开具不符合项。")
        if marked:
            note += "标“※”的指标条目为依据公开资料重建的参考条目，检查内容是本公司对该指标的理解，不是标准原文。"
        return [m.Paragraph(note, style="note"),
                m.Table(["指标", "检查内容", "查证方法", "证据所在（文件章节；记录）", "评审结果", "得分"], rows,
                        widths=[2.8, 5.6, 3.0, 7.2, 1.6, 1.2], font_size=8)]

    gens = {"review_checklist": review_checklist, "outlet_summary": outlet_summary, "outlet_table": outlet_table, "partner_table": partner_table,
            "product_table": product_table, "procedure_list": lambda: doc_list("procedure"),
            "rule_list": lambda: doc_list("rule"), "form_list": form_list, "deletions": deletions,
            "matrix": matrix, "commitments": commitments, "revision_log": revision_log, "org_chart": org_chart}
    gens.update(extras or {})
    return gens


# ------------------------------------------------------------------ record forms
def _blank(labels: list[str], landscape: bool) -> int:
    """Underscores per signer so that one signature line stays on one line (about 40 full-width
    characters across a portrait A4 text width, 58 landscape; an underscore is half as wide)."""
    return max(6, min(12, int(2 * _sign_room(labels, landscape) / max(1, len(labels)))))


def _sign_room(labels: list[str], landscape: bool) -> int:
    """Full-width characters left for the blanks on one signature line (about 40 across a portrait
    A4 text width, 58 landscape), after the labels, their colons and the gaps between entries."""
    return (58 if landscape else 40) - sum(len(x) + 1 for x in labels) - 2 * (len(labels) - 1)


def _sign_rows(labels: list[str], landscape: bool) -> list[list[str]]:
    """Signers on one line when they fit with a usable blank each; else in even rows (5 → 3 + 2), so
    that an entry never wraps mid-way and 日期 never stands alone on a line."""
    if len(labels) <= 1 or _sign_room(labels, landscape) >= 3 * len(labels):
        return [labels] if labels else []
    rows = -(-len(labels) // 3)
    size = -(-len(labels) // rows)
    return [labels[k:k + size] for k in range(0, len(labels), size)]


def compose_form(plan: Plan, pf: PlannedForm, extras: dict[str, Callable] | None = None) -> m.Document:
    """A record form (style ``form``: number line, the document it serves and its indicators), or a
    letter (style ``letter``: 承诺书, 公示, 任命书, 协议 — its title and text only; the number stays in
    the page header)."""
    fd: FormDef = pf.definition
    doc = _document(plan, pf.title, pf.number, landscape=fd.landscape)
    ctx = dict(plan.ctx, doc={"id": pf.id, "number": pf.number, "title": pf.title})
    owner = plan.docs[pf.procedure]
    blocks = doc.blocks
    blocks.append(m.Paragraph(pf.title, style="title"))
    if fd.style != "letter":
        blocks.append(m.Paragraph(f"表单编号：{pf.number}　　　　No.________", style="right"))
        inds = "、".join(ind_label(plan, i) for i in pf.indicators) or "—"
        blocks.append(m.Paragraph(f"依据文件：《{owner.title}》（{owner.number}）　对应指标：{inds}", style="note"))
    gens: dict[str, Callable] | None = None
    names = tuple(n for n in plan.ctx.get("dept_list") or [] if n)
    for j, block in enumerate(fd.layout):
        where = fd.loc.problem(f"{fd.id}.layout[{j}]", "")
        if not condition(str(block.get("when") or ""), ctx, where):
            continue
        if "p" in block or "right" in block:          # a letter's text (body style), or its sign-off (right)
            text = render(str(block.get("p") or block.get("right") or ""), ctx, where)
            style = "right" if "right" in block else "body"
            blocks.extend(m.Paragraph(tidy_text(t.strip(), names), style=style) for t in text.splitlines() if t.strip())
            continue
        if "list" in block or "table" in block:
            blocks.extend(tidy_departments(_blocks_of(plan, block, ctx, where), list(names)))
            continue
        if "gen" in block:
            if gens is None:
                gens = _generators(plan, extras)
            blocks.extend(gens[block["gen"]]())
            continue
        if "fields" in block:
            rows_spec = [[render(str(lbl), ctx, where) for lbl in row] for row in block["fields"] or []]
            width = max((len(r) for r in rows_spec), default=1)
            rows = []
            for labels in rows_spec:
                cells: list[str] = []
                for lbl in labels:
                    cells += [lbl, ""]
                rows.append(cells)              # a short row: the writer spreads its last blank cell
            widths = []
            for col in range(width):        # a label column as wide as its longest label needs
                longest = max((len(r[col]) for r in rows_spec if col < len(r)), default=4)
                widths += [max(2.0, min(4.2, 0.5 * longest + 0.6)), 4.0]
            if width == 1:                  # free-text fields (内容、原因、处理意见): room to write
                widths, height = [3.0, 11.0], 1.8
            else:
                height = 0.75
            doc.blocks.append(m.Table([], rows, widths=widths, repeat_header=False,
                                      label_columns=tuple(range(0, 2 * width, 2)), blank_row_height_cm=height))
        elif "grid" in block:
            g = block["grid"] or {}
            cols = [render(str(c), ctx, where) for c in g.get("columns") or []]
            given = g.get("rows")
            if isinstance(given, list):       # pre-printed rows (check items, score lines) with blanks
                rows = []
                for row in given:
                    if not isinstance(row, list):
                        continue
                    cells = [render(str(c), ctx, where) for c in row] + [""] * (len(cols) - len(row))
                    if row and str(row[0]).strip() and not cells[0].strip():
                        continue        # a pre-printed row whose first cell renders empty (a condition) is left out
                    rows.append(cells)
                widths = [float(w) for w in g.get("widths") or []]
                blocks.append(m.Table(cols, rows, widths=widths if len(widths) == len(cols) else [],
                                      blank_row_height_cm=0.7, font_size=9))
                continue
            n = int(given or 10)
            widths = [float(w) for w in g.get("widths") or []]
            if len(widths) != len(cols):
                widths = []
            blocks.append(m.Table(cols, [[""] * len(cols) for _ in range(n)], widths=widths,
                                  blank_row_height_cm=0.8, font_size=9))
        elif "heading" in block:
            blocks.append(m.Paragraph(render(str(block["heading"]), ctx, where).strip(), style="body", bold=True))
        elif "text" in block:
            text = render(str(block["text"]), ctx, where)
            blocks.extend(m.Paragraph(t.strip(), style="note") for t in text.splitlines() if t.strip())
        elif "sign" in block:
            labels = [render(str(s), ctx, where) for s in block["sign"] or []]
            for row in _sign_rows(labels, fd.landscape):
                parts = [f"{label}：{'_' * _blank(row, fd.landscape)}" for label in row]
                blocks.append(m.Paragraph("　　".join(parts), style="signature"))
    return doc
