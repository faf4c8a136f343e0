"""申请资料第7项 网点清单: every outlet, in Word (grouped by province, landscape, header repeating)
and Excel (one row an outlet). Linear in the number of outlets: 10,000 outlets are one pass each."""
from __future__ import annotations

from collections.abc import Callable

from kitgen.core.plan import Plan
from kitgen.core.profile import OPERATORS, OUTLET_KINDS
from kitgen.ooxml import model as m

DOCX_HEADER = ["序号", "网点名称", "类型", "直属/委托", "合作单位", "城市", "地址", "电话", "人数"]
DOCX_WIDTHS = [0.9, 4.2, 1.9, 1.5, 4.4, 1.6, 5.2, 2.4, 0.9]
XLSX_HEADER = ["序号", "网点名称", "类型", "直属/委托", "合作单位", "省", "市", "地址", "电话", "人数"]
XLSX_WIDTHS = [7, 30, 14, 10, 30, 12, 12, 40, 16, 7]
NO_PROVINCE = "未注明省份"


def by_province(outlets) -> list[tuple[str, list[tuple[int, object]]]]:
    """(province, [(serial number, outlet)]) in order of first appearance; serial numbers follow the
    grouped order, so the Word and Excel lists number every outlet the same way."""
    groups: dict[str, list] = {}
    for o in outlets:
        groups.setdefault(o.province or NO_PROVINCE, []).append(o)
    out = []
    n = 0
    for prov, items in groups.items():
        numbered = []
        for o in items:
            n += 1
            numbered.append((n, o))
        out.append((prov, numbered))
    return out


def outlet_rows(plan: Plan) -> list[list[str]]:
    """The Word table rows: a spanning row per province, then its outlets."""
    rows: list[list[str]] = []
    kinds, ops = OUTLET_KINDS, OPERATORS
    for prov, items in by_province(plan.profile.outlets):
        direct = sum(1 for _, o in items if o.operator == "direct")
        rows.append([f"◆ {prov}：共 {len(items)} 个（直属 {direct} 个，委托 {len(items) - direct} 个）"])
        for n, o in items:
            rows.append([str(n), o.name, kinds.get(o.kind, o.kind), ops.get(o.operator, o.operator),
                         o.partner or "—", o.city or "—", o.address or "—", o.phone or "—",
                         "—" if o.staff is None else str(o.staff)])
    return rows


def outlet_docx(plan: Plan, number: str, make_doc: Callable, intro: list[m.Block]) -> m.Document:
    doc = make_doc(plan, "销售网点/售后服务网点清单", number, 7, landscape=True)
    doc.blocks.extend(intro)
    if not plan.profile.outlets:
        return doc
    heads = sum(isinstance(b, m.Heading) for b in doc.blocks)
    doc.blocks.append(m.Heading("网点明细", level=1, number=str(heads + 1)))
    doc.blocks.append(m.Table(DOCX_HEADER, outlet_rows(plan), widths=DOCX_WIDTHS, font_size=8))
    return doc


def outlet_xlsx(plan: Plan) -> bytes:
    from kitgen.ooxml.xlsx_writer import Formula, Sheet, Validation, write_xlsx
    p = plan.profile
    kinds, ops = OUTLET_KINDS, OPERATORS
    rows = []
    summary: dict[str, list[int]] = {}
    for prov, items in by_province(p.outlets):
        counts = summary.setdefault(prov, [0, 0])
        for n, o in items:
            rows.append([n, o.name, kinds.get(o.kind, o.kind), ops.get(o.operator, o.operator), o.partner or "",
                         o.province or "", o.city or "", o.address or "", o.phone or "", o.staff])
            counts[0 if o.operator == "direct" else 1] += 1
    net = plan.ctx["net"]
    # drop-down lists on 类型 and 直属/委托 (also for rows the company adds below)
    lists = [Validation(2, tuple(kinds.values()), extra_rows=200), Validation(3, tuple(ops.values()), extra_rows=200)]
    sheets = [Sheet(name="网点清单", header=XLSX_HEADER, rows=rows, widths=XLSX_WIDTHS,
                    title=f"{p.company.name} 销售网点/售后服务网点清单（共 {net['total']} 个，{net['mode']}）",
                    validations=lists)]
    # the summary counts the list (a reviewer, or the company after editing it, sees them recomputed)
    first, last = 3, 2 + len(rows)                 # data rows of 网点清单 (title, header above)
    sheet_ref = "'网点清单'!"

    def count(prov: str, op: str) -> str:
        where = '""' if prov == NO_PROVINCE else '"' + prov.replace('"', '""') + '"'
        return (f'COUNTIFS({sheet_ref}$F${first}:$F${last},{where},'
                f'{sheet_ref}$D${first}:$D${last},"{ops[op]}")')
    srows = []
    for k, (prov, (d, e)) in enumerate(summary.items()):
        r = 3 + k                                  # its row in 按省份汇总 (title, header above)
        srows.append([prov, Formula(count(prov, "direct"), d), Formula(count(prov, "entrusted"), e),
                      Formula(f"B{r}+C{r}", d + e)])
    top, bottom = 3, 2 + len(srows)
    if srows:
        srows.append(["合计", Formula(f"SUM(B{top}:B{bottom})", net["direct"]),
                      Formula(f"SUM(C{top}:C{bottom})", net["entrusted"]),
                      Formula(f"SUM(D{top}:D{bottom})", net["total"])])
    else:
        srows.append(["合计", net["direct"], net["entrusted"], net["total"]])
    sheets.append(Sheet(name="按省份汇总", header=["省级行政区", "直属网点", "委托网点", "合计"], rows=srows,
                        widths=[20, 12, 12, 12], title="网点分布（按省级行政区）"))
    created = p.documents.effective_date.isoformat() if p.documents.effective_date else ""
    return write_xlsx(sheets, title="网点清单", author=p.documents.editor or p.company.name, created=created)
