"""The indicator matrix (指标对照表), Word and Excel, from the plan's coverage — never typed twice."""
from __future__ import annotations

from kitgen.core.catalog import PROVENANCE_SHORT
from kitgen.core.plan import Plan
from kitgen.ooxml import model as m

DOCX = "07 指标对照表.docx"
XLSX = "07 指标对照表.xlsx"
HEADER = ["指标编号", "指标名称", "状态", "覆盖文件及章节", "证明记录", "可靠程度"]


def _sections_by_document(plan: Plan, ind_id: str, with_sections: bool) -> list[str]:
    """One line per covering document: its number and title, then the sections that serve it."""
    grouped: dict[str, list[str]] = {}
    for doc_id, label in plan.coverage.get(ind_id, []):
        number = label.split(" ", 1)[0] if label[:1].isdigit() else label
        grouped.setdefault(doc_id, [])
        if number not in grouped[doc_id]:
            grouped[doc_id].append(number)
    lines = []
    for doc_id, secs in grouped.items():
        d = plan.docs[doc_id]
        head = f"{d.number}《{d.title}》"
        lines.append(f"{head} {'、'.join(secs)}" if with_sections else head)
    return lines


def matrix_rows(plan: Plan) -> list[list[str]]:
    rows = []
    for ind in plan.catalog.indicators.values():
        deleted = plan.deletions.get(ind.id)
        if deleted:
            status, covered, forms = f"删减：{deleted.reason}", "", ""
        else:
            status = "适用"
            covered = "\n".join(_sections_by_document(plan, ind.id, with_sections=ind.level == 3))
            forms = "\n".join(f"{plan.forms[f].number}《{plan.forms[f].title}》" for f in plan.evidence.get(ind.id, []))
        name = "　" * (ind.level - 1) + ind.name
        rows.append([ind.id, name, status, covered, forms, PROVENANCE_SHORT.get(ind.provenance, ind.provenance)])
    return rows


def matrix_files(plan: Plan) -> list:
    from kitgen.render.word import write_docx
    from kitgen.render.output import OutputFile
    from kitgen.ooxml.xlsx_writer import Sheet, Validation, write_xlsx
    p = plan.profile
    rows = matrix_rows(plan)
    number = plan.doc_number("QM-01") + "-附表"
    note = (f"本表列出各评价指标在本公司售后服务管理体系文件中的对应位置，与各文件中的“对应指标”标注一致。指标目录：{plan.catalog.title}。"
            "“可靠程度”标明目录条目的来源：已证实＝多个公开来源一致；较可靠＝单一来源或有力推断；"
            "重建＝依据公开资料整理的参考条目，并非标准原文，编号与措辞以标准正式文本为准。")
    applicable = [i for i in plan.applicable(3)]
    deleted3 = [i for i in plan.deletions if plan.catalog.indicators[i].level == 3]
    summary = (f"三级指标共 {len(applicable) + len(deleted3)} 项：适用 {len(applicable)} 项，删减 {len(deleted3)} 项；"
               f"适用指标均已由体系文件覆盖。")
    doc = m.Document(title="指标对照表", number=number, company=p.company.name, landscape=True,
                     version=plan.ctx["docs"]["version"], author=p.documents.editor or p.company.name,
                     created=p.documents.effective_date.isoformat() if p.documents.effective_date else "",
                     subject="GB/T 27922-2011 指标对照表")
    doc.blocks += [m.Paragraph("售后服务管理体系指标对照表", style="title"),
                   m.Paragraph(p.company.name, style="subtitle"),
                   m.Paragraph(summary), m.Paragraph(note, style="note"),
                   m.Table(HEADER, [[c or "—" for c in r] for r in rows],
                           widths=[1.6, 3.4, 3.4, 9.4, 4.6, 1.4], font_size=8)]
    docx = write_docx(doc)
    # widths sum to about what A4 landscape prints at full size (the rows grow to their wrapped text);
    # drop-down lists on the status (适用, or 删减：理由 — a warning only) and the provenance
    sheet = Sheet(name="指标对照表", header=HEADER, rows=rows, widths=[9, 22, 24, 44, 28, 9],
                  title=f"{p.company.name} 售后服务管理体系指标对照表（{plan.catalog.standard}）",
                  validations=[Validation(2, ("适用", "删减"), strict=False,
                                          prompt="适用；删减的写“删减：理由”"),
                               Validation(5, tuple(dict.fromkeys(PROVENANCE_SHORT.values())))])
    xlsx = write_xlsx([sheet], title="指标对照表", author=p.documents.editor or p.company.name,
                      created=p.documents.effective_date.isoformat() if p.documents.effective_date else "")
    inds = [i for i in plan.applicable()]
    return [OutputFile(DOCX, "matrix", "指标对照表", docx, number, inds),
            OutputFile(XLSX, "matrix", "指标对照表（Excel）", xlsx, number, inds)]
