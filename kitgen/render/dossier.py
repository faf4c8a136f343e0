"""The application dossier (申请资料) as documents: the 11-item checklist, the application form and
the items the kit writes (../shared/spec/kit.md items 5–7).

What each item's status is, and which files satisfy it, is a plan fact (kitgen.core.dossier,
``plan.dossier``); this module draws the pages from it. The prose of the dossier documents is data
(clauses/dossier.yaml, Jinja over the clause context, rendered in the sandbox); this module only
arranges it and fills the tables. Hooks used by the kit's publisher: ``dossier_files``,
``dossier_manifest``, ``gen_extras``.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from kitgen.core.clauses import Loc
from kitgen.core.dossier import (  # noqa: F401 - the paths are part of this publisher's API
    APPLICATION, APPLICATION_BLANK, CHECKLIST, FILE_LIST, FOLDER, LAWS, ORG_CHART, ORG_CHART_SOURCE, OUTLETS_DOCX,
    OUTLETS_XLSX, PRODUCTS, PROFILE, SALES, SYSTEM, DocText, DossierItem, _cache, _r, _text, dossier_ctx, dossier_items)
from kitgen.core.industries import LAW_KINDS, Law, load_laws
from kitgen.core.plan import Plan
from kitgen.core.textrender import condition
from kitgen.errors import BuildFailed, Problem
from kitgen.ooxml import model as m

# the checklist speaks a reviewer's language: a document the kit holds is 已提供, a copy the company attaches is
# 企业提供, an item that does not apply says why — never the tool's name or its workflow
STATUS_TEXT = {"generated": "已提供", "company": "企业提供", "not_applicable": "不适用"}
KIND_TEXT = {"manual": "手册", "procedure": "程序文件", "rule": "管理制度", "form": "记录表格",
             "checklist": "申请资料清单", "application": "认证申请书", "dossier": "申请资料", "matrix": "指标对照表"}


def _shown_files(plan: Plan, it: DossierItem) -> str:
    if it.item == 11:
        kinds = Counter(d.kind for d in plan.docs.values())
        return (f"{FILE_LIST}\n体系文件：02 售后服务管理手册；03 程序文件（{kinds.get('procedure', 0)} 份）；"
                f"04 管理制度（{kinds.get('rule', 0)} 份）；05 记录表格（{len(plan.forms)} 种）")
    return "\n".join(f for f in it.files if not f.endswith(".txt"))      # an editable source is not a dossier file


def dossier_manifest(plan: Plan, files: list) -> list[dict]:
    """kit.json's ``dossier``: exactly 11 entries from the same structure as the checklist; files
    are those of the kit that exist in ``files``."""
    present = {f.path for f in files}
    out = []
    for it in plan.dossier:
        d = it.manifest()
        d["files"] = [x for x in it.files if x in present]
        out.append(d)
    return out


# ------------------------------------------------------------------------------ document helpers
def _doc(plan: Plan, title: str, number: str, item: int | None = None, landscape: bool = False) -> m.Document:
    from kitgen.render.compose import _document
    doc = _document(plan, title, number, landscape=landscape)
    doc.blocks.append(m.Paragraph(title, style="title"))
    doc.blocks.append(m.Paragraph(plan.profile.company.name, style="subtitle"))
    line = f"文件编号：{number}　　版本：{plan.ctx['docs']['version']}"
    if item:
        line = f"申请资料第 {item} 项　　" + line
    doc.blocks.append(m.Paragraph(line, style="center"))
    return doc


def _sections(plan: Plan, doc: m.Document, dt: DocText, ctx: dict, gens: dict[str, Callable]) -> None:
    from kitgen.render.compose import _body
    n = 0
    for sec in dt.sections:
        if not condition(sec.when, ctx, sec.loc.problem(f"{sec.id}.when", "")):
            continue
        body = _body(plan, sec, ctx, gens)
        if not body:
            continue
        n += 1
        doc.blocks.append(m.Heading(_r(sec.heading, ctx, sec.loc, f"{sec.id}.heading"), level=1, number=str(n)))
        doc.blocks.extend(body)


def _gens(plan: Plan, ctx: dict) -> dict[str, Callable[[], list[m.Block]]]:
    from kitgen.render.compose import _generators
    extras = dict(gen_extras(plan))
    extras.update({
        "product_details": lambda: _product_details(plan),
        "law_table": lambda: _law_table(plan, ctx),
        "dossier_deletions": lambda: _deletions(plan),
        "certificates": lambda: _certificates(plan),
        "province_table": lambda: _province_table(plan),
    })
    return _generators(plan, extras)


def _product_details(plan: Plan) -> list[m.Block]:
    fact = plan.facts.text
    terms = plan.ctx["industry"]["terms"]
    out: list[m.Block] = []
    for k, pr in enumerate(plan.ctx["products"], start=1):
        rows = [["商品名称", pr["name"]], ["类别", pr["category"] or plan.industry.name],
                ["主要型号规格", fact("products.models", pr["name"])], ["执行标准", fact("products.standard", pr["name"])],
                ["主要功能与特点", fact("products.features", pr["name"])],
                [terms["warranty"], f"{pr['warranty_months']}个月"]]
        if pr["main_parts_warranty_months"]:
            rows.append([terms["main_parts"], f"{pr['main_parts_warranty_months']}个月"])
        if plan.ctx["has_installation"]:
            rows.append([f"是否需要{terms.get('install') or '安装'}", "是" if pr["needs_installation"] else "否"])
        out.append(m.Paragraph(f"（{k}）{pr['name']}", bold=True))
        out.append(m.Table([], rows, widths=[3, 9], repeat_header=False, label_columns=(0,)))
    return out


def applicable_laws(plan: Plan) -> list[Law]:
    """laws.yaml entries for this company: the industry's list and every all-industry entry,
    kept when their `when` holds (ecommerce, recycling, or a Jinja condition)."""
    laws = load_laws(plan.industry.law_files)
    ind = plan.industry
    ctx = plan.ctx
    flags = {"ecommerce": "ecommerce" in plan.profile.sales_channels, "recycling": bool(ctx["recycling"])}
    chosen: list[Law] = []
    seen: set[str] = set()
    ids = [i for i in ind.laws if i in laws] + [law.id for law in laws.values()
                                                  if "all" in law.industries or ind.id in law.industries]
    for lid in ids:
        if lid in seen:
            continue
        seen.add(lid)
        law = laws[lid]
        when = law.when.strip()
        if when:
            ok = flags[when] if when in flags else condition(when, ctx, Problem("kitgen/data/laws.yaml", None,
                                                                                    f"{lid}.when", ""))
            if not ok:
                continue
        chosen.append(law)
    order = {k: i for i, k in enumerate(LAW_KINDS)}
    return sorted(chosen, key=lambda law: order.get(law.kind, 99))    # stable: file order inside a kind


def _law_table(plan: Plan, ctx: dict) -> list[m.Block]:
    laws = applicable_laws(plan)
    rows: list[list[str]] = []
    kind = None
    n = 0
    unsure = False
    for law in laws:
        if law.kind != kind:
            kind = law.kind
            rows.append([f"◆ {LAW_KINDS.get(kind, kind)}"])
        n += 1
        mark = "＊" if law.confidence != "confirmed" else ""
        unsure |= bool(mark)
        title = law.title if law.kind == "standard" else f"《{law.title}》"
        rows.append([str(n), title + mark, law.number or "（文号待核）", f"{law.year}年" if law.year else "—",
                     law.note or "—"])
    blocks: list[m.Block] = [m.Table(["序号", "名称", "文号/标准号", "版本/年份", "适用条款/说明"], rows,
                                     widths=[1.0, 4.2, 3.0, 1.4, 5.4], font_size=9)]
    if unsure:
        blocks.append(m.Paragraph("注：标“＊”的条目，其文号和版本年份以官方发布的现行文本为准。",
                                  style="note"))
    return blocks


def _deletions(plan: Plan) -> list[m.Block]:
    top = [d for d in plan.deletions.values() if d.id.rsplit(".", 1)[0] not in plan.deletions]
    if not top:
        return [m.Paragraph("本公司的经营与服务涉及 GB/T 27922-2011 的全部评价指标，无不涉及项（无删减）。")]
    rows = [[d.id, d.name, d.reason] for d in top]
    return [m.Paragraph("根据本公司商品特性和服务提供方式，以下指标不涉及，申请删减（删减不影响本公司依法对顾客承担的责任）："),
            m.Table(["指标", "名称", "删减理由"], rows, widths=[1.6, 3, 9])]


def _province_table(plan: Plan) -> list[m.Block]:
    counts: dict[str, list[int]] = {}
    for o in plan.profile.outlets:
        c = counts.setdefault(o.province or "未注明省份", [0, 0])
        c[0 if o.operator == "direct" else 1] += 1
    if not counts:
        return []
    net = plan.ctx["net"]
    rows = [[prov, str(d), str(e), str(d + e)] for prov, (d, e) in counts.items()]
    rows.append(["合计", str(net["direct"]), str(net["entrusted"]), str(net["total"])])
    return [m.Table(["省级行政区", "直属网点", "委托网点", "合计"], rows, widths=[4, 2, 2, 2])]


def _certificates(plan: Plan) -> list[m.Block]:
    fact = plan.facts.text
    p = plan.profile
    rows = [[str(i), kind, name, fact("certificates.number", name), fact("certificates.valid_until", name)]
            for i, (kind, name) in enumerate(
        [("认证证书", c) for c in p.certifications] + [("荣誉", h) for h in p.honors], start=1)]
    if not rows:
        return [m.Paragraph("无。")]
    return [m.Table(["序号", "类别", "名称", "证书编号", "有效期至"], rows, widths=[1.0, 1.5, 4.6, 3.4, 2.8],
                    font_size=9)]


# ------------------------------------------------------------------------------ org chart
def org_chart(plan: Plan):
    """The chart (kitgen.render.orgchart.OrgChart), drawn once per plan."""
    cache = _cache(plan)
    if "org_chart" not in cache:
        from kitgen.render.orgchart import draw_chart
        cache["org_chart"] = draw_chart(chart_spec(plan))
    return cache["org_chart"]


def chart_spec(plan: Plan):
    from kitgen.render.orgchart import ChartSpec, outlet_groups
    ctx = dossier_ctx(plan)
    txt = _text(plan)
    dept = ctx["dept"]
    service = dept["service"]
    names = [n for n in ctx["dept_list"] if n != service]
    names.insert(len(names) // 2, service)          # the after-sales department in the middle of the row
    teams, parent = [], ""
    for name, when, outlets, loc in txt.teams:
        if not condition(when, ctx, loc.problem("org_chart.teams.when", "")):
            continue
        shown = _r(name, ctx, loc, "org_chart.teams.name")
        if shown and shown not in teams:
            teams.append(shown)
            if outlets and not parent:
                parent = shown
    note = _r(txt.note, ctx, Loc(txt.source, None), "org_chart.note") if txt.note else ""
    head = f"负责人：{plan.profile.service.manager}" if plan.profile.service.manager else ""
    return ChartSpec(company=plan.profile.company.name, gm=ctx["gm"], departments=names, service=service,
                     service_head=head, teams=teams, outlet_parent=parent,
                     groups=outlet_groups(plan.profile.outlets), note=note)


CHART_MAX_H_CM = 16.0       # leaves room on an A4 page for the title, a paragraph and the note


def _chart_blocks(plan: Plan, caption: str = "") -> list[m.Block]:
    chart = org_chart(plan)
    scale = min(1.0, CHART_MAX_H_CM / chart.height_cm)
    blocks: list[m.Block] = [m.Image(chart.png, round(chart.width_cm * scale, 2), round(chart.height_cm * scale, 2),
                                     name="组织机构图.png", caption=caption)]
    if chart.warning:
        blocks.append(m.Paragraph("注意：" + chart.warning, style="note"))
        blocks.append(m.Table(["编号", "名称"], [[a, b] for a, b in chart.legend], widths=[1, 8], font_size=9))
    return blocks


def gen_extras(plan: Plan) -> dict[str, Callable[[], list[m.Block]]]:
    """Generated blocks other documents use: the manual's appendix ``gen: org_chart``."""
    return {"org_chart": lambda: _chart_blocks(plan, "图　组织机构图（含售后服务组织机构）")}


# ------------------------------------------------------------------------------ the files
def _number(plan: Plan, code: str) -> str:
    return plan.doc_number(code)


def _planned(plan: Plan) -> list[tuple[str, str, str, str, int | None]]:
    """(path, kind, title, number, dossier item) of every file this module writes, in kit order."""
    n = lambda c: _number(plan, c)
    return [
        (CHECKLIST, "checklist", "申请资料清单", n("SQ-QD"), None),
        (APPLICATION, "application", "商品售后服务认证申请书", n("SQ-00"), None),
        (APPLICATION_BLANK, "application", "商品售后服务认证申请书（空白）", n("SQ-00"), None),
        (PRODUCTS, "dossier", "申报产品介绍", n("SQ-03"), 3),
        (LAWS, "dossier", "适用法律法规及标准清单", n("SQ-04"), 4),
        (PROFILE, "dossier", "组织简介", n("SQ-05"), 5),
        (ORG_CHART, "dossier", "组织机构图", n("SQ-06"), 6),
        (ORG_CHART_SOURCE, "dossier", "组织机构图（源文件）", n("SQ-06"), 6),
        (OUTLETS_DOCX, "dossier", "网点清单", n("SQ-07"), 7),
        (OUTLETS_XLSX, "dossier", "网点清单（Excel）", n("SQ-07"), 7),
        (SALES, "dossier", "商品销售方式介绍", n("SQ-08"), 8),
        (SYSTEM, "dossier", "售后服务体系建设情况", n("SQ-09"), 9),
        (FILE_LIST, "dossier", "售后服务管理体系文件清单", n("SQ-11"), 11),
    ]


def dossier_files(plan: Plan, files_so_far: list) -> list:
    """Every dossier file: the checklist, the application form (filled and blank) and the items
    kitgen writes, as OutputFiles in kit order."""
    from kitgen.render.word import write_docx
    from kitgen.render.dossier_form import application_form
    from kitgen.render.dossier_outlets import outlet_docx, outlet_xlsx
    from kitgen.render.output import OutputFile

    planned = _planned(plan)
    meta = {path: (kind, title, number, item) for path, kind, title, number, item in planned}
    items = plan.dossier
    out: list = []

    def add(path: str, data: bytes) -> None:
        kind, title, number, item = meta[path]
        out.append(OutputFile(path, kind, title, data, number, [], item))

    def docx(path: str, doc: m.Document) -> None:
        try:
            add(path, write_docx(doc))
        except ValueError as exc:
            raise BuildFailed([Problem(path, None, "", f"无法生成 Word 文件：{exc}", "检查企业配置中的文字")]) from None

    docx(CHECKLIST, checklist_document(plan, items))
    filled, blank = application_form(plan, meta[APPLICATION][2])
    add(APPLICATION, filled)
    add(APPLICATION_BLANK, blank)
    for item, path in ((3, PRODUCTS), (4, LAWS), (5, PROFILE)):
        docx(path, item_document(plan, item, meta[path][2]))
    docx(ORG_CHART, org_chart_document(plan, meta[ORG_CHART][2]))
    add(ORG_CHART_SOURCE, org_chart(plan).dot.encode("utf-8"))
    docx(OUTLETS_DOCX, outlet_docx(plan, meta[OUTLETS_DOCX][2], _doc, _item_intro(plan, 7, meta[OUTLETS_DOCX][2])))
    add(OUTLETS_XLSX, outlet_xlsx(plan))
    for item, path in ((8, SALES), (9, SYSTEM)):
        docx(path, item_document(plan, item, meta[path][2]))
    listed = [(f.path, f.kind, f.title, f.number) for f in files_so_far] + \
             [(p, k, t, n) for p, k, t, n, _ in planned]
    docx(FILE_LIST, file_list_document(plan, listed, meta[FILE_LIST][2]))
    order = {p: i for i, (p, *_) in enumerate(planned)}
    out.sort(key=lambda f: order[f.path])
    return out


def item_document(plan: Plan, item: int, number: str) -> m.Document:
    txt = _text(plan)
    dt = txt.documents.get(item)
    title = (dt.title if dt and dt.title else txt.items[item].title)
    doc = _doc(plan, title, number, item)
    if dt:
        ctx = dossier_ctx(plan, f"dossier-{item}", number, title)
        _sections(plan, doc, dt, ctx, _gens(plan, ctx))
    return doc


def _item_intro(plan: Plan, item: int, number: str) -> list[m.Block]:
    """The sections of dossier.yaml for a document whose main table is built here (7, 11)."""
    txt = _text(plan)
    dt = txt.documents.get(item)
    if not dt:
        return []
    holder = m.Document(title="", number="", company="")
    ctx = dossier_ctx(plan, f"dossier-{item}", number, dt.title)
    _sections(plan, holder, dt, ctx, _gens(plan, ctx))
    return holder.blocks


def org_chart_document(plan: Plan, number: str) -> m.Document:
    doc = _doc(plan, "组织机构图", number, 6)
    net = plan.ctx["net"]
    doc.blocks.append(m.Paragraph(
        f"下图为本公司组织机构图，虚线框内为售后服务组织机构：{plan.ctx['service']['department']}下设"
        f"{'、'.join(chart_spec(plan).teams) or '若干班组'}"
        + (f"，管理网点 {net['total']} 个（直属 {net['direct']} 个、委托 {net['entrusted']} 个，{net['mode']}）。"
           if net["total"] else "，未设独立网点。")))
    doc.blocks.extend(_chart_blocks(plan))
    doc.blocks.append(m.Paragraph("组织机构调整时，本图随之更新，并在文件发放及更改记录中登记。", style="note"))
    return doc


def checklist_document(plan: Plan, items: list[DossierItem]) -> m.Document:
    ctx = plan.ctx
    number = _number(plan, "SQ-QD")
    doc = _doc(plan, "申请资料清单", number)
    doc.blocks.append(m.Paragraph(
        f"认证依据：GB/T 27922-2011《商品售后服务评价体系》　　拟申请星级：{ctx['target_star_name']}", style="center"))
    doc.blocks.append(m.Paragraph(
        f"企业类型：{ctx['role_name']}（{ctx['industry']['name']}）　　服务网络：{ctx['net']['mode']}"
        f"（网点 {ctx['net']['total']} 个）", style="center"))
    rows = []
    for it in items:
        if it.status == "generated":
            status, what = STATUS_TEXT["generated"], _shown_files(plan, it)
        elif it.status == "company":
            status = STATUS_TEXT["company"]
            what = f"附：{it.supply}" if it.supply else "附复印件"
            if it.files:
                what = f"{_shown_files(plan, it)}\n" + what
        else:
            status, what = f"{STATUS_TEXT['not_applicable']}（{it.reason}）", "—"
        rows.append([str(it.item), it.title, it.note, status, what])
    doc.blocks.append(m.Table(["序号", "资料名称", "说明", "状态", "所附文件与资料"], rows,
                              widths=[0.9, 2.6, 3.2, 2.0, 5.0], font_size=9))
    counts = Counter(it.status for it in items)
    doc.blocks.append(m.Paragraph(
        f"共 11 项：{STATUS_TEXT['generated']} {counts['generated']} 项，{STATUS_TEXT['company']} {counts['company']} 项，"
        f"{STATUS_TEXT['not_applicable']} {counts['not_applicable']} 项。"))
    doc.blocks.append(m.BulletList([
        "“已提供”的资料为本申请资料包中的文件，列出的是文件在资料包中的位置和名称。",
        "“企业提供”的资料为复印件，加盖本公司公章；证书均在有效期内。",
        "“不适用”的项目注明了不适用的理由。",
    ]))
    doc.blocks.append(m.Paragraph("整理人：____________　　审核人：____________　　日期：____________",
                                  style="signature"))
    return doc


FOLDER_GROUPS = (("03 程序文件/", "程序文件"), ("04 管理制度/", "管理制度"), ("05 记录表格/", "记录表格"),
                 (FOLDER + "/", "申请资料"))
FORMATS = {"docx": "Word", "xlsx": "Excel", "txt": "文本", "pdf": "PDF"}


def file_list_document(plan: Plan, listed: list[tuple[str, str, str, str]], number: str) -> m.Document:
    doc = _doc(plan, "售后服务管理体系文件清单", number, 11)
    doc.blocks.extend(_item_intro(plan, 11, number))
    version = plan.ctx["docs"]["version"]
    rows: list[list[str]] = []
    current = None
    n = 0
    for path, kind, title, num in sorted(listed, key=lambda x: x[0]):
        folder, name = next(((f, g) for f, g in FOLDER_GROUPS if path.startswith(f)), ("", ""))
        group = f"◆ {name}（文件夹：{folder.rstrip('/')}）" if folder else "◆ 文件包根目录"
        if group != current:
            current = group
            rows.append([group])
        n += 1
        ext = path.rsplit(".", 1)[-1].lower() if "." in path else ""
        rows.append([str(n), num or "—", title, version, FORMATS.get(ext, ext.upper() or "—"), path[len(folder):]])
    heads = sum(isinstance(b, m.Heading) for b in doc.blocks)
    doc.blocks.append(m.Heading("文件清单", level=1, number=str(heads + 1)))
    doc.blocks.append(m.Table(["序号", "文件编号", "文件名称", "版本", "格式", "文件名"], rows,
                              widths=[1.0, 2.7, 4.4, 1.0, 1.1, 5.2], font_size=8))
    return doc
