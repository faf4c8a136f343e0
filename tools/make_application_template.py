#!/usr/bin/env python3
"""Generate library/templates/application_form.docx: the 商品售后服务认证申请书 as a docxtpl template.

    python tools/make_application_template.py [OUT]      (default: library/templates/application_form.docx)

Built with python-docx on library/templates/base.docx (its styles set East Asian fonts: 宋体 body, 黑体
headings; A4). Every run written here also carries w:eastAsia explicitly, so the template keeps its
fonts when a consultancy pastes it into another document. The output is zipped deterministically.

kitgen renders it with docxtpl (Jinja autoescape on, StrictUndefined, sandboxed). A consultancy can
replace it with its certification body's own form: put ``application_form.docx`` in its clause
overlay folder (``kitgen build --overlay DIR``) or over library/templates/application_form.docx, using these variables
(all plain strings unless said otherwise; in the blank form every value is blank):

  f.company_name f.credit_code f.legal_rep f.address f.postcode f.founded f.registered_capital
  f.role_name f.industry_name f.website f.employees f.service_manager f.hotline
  f.contact_name f.contact_title f.contact_phone f.contact_mobile f.contact_email
  f.service_staff f.service_managers f.certified_managers f.required_certified
  f.standard (GB/T 27922-2011) f.apply_type (初次认证) f.target_star_name f.scope
  f.sales_channels f.outlets_total f.outlets_direct f.outlets_entrusted f.partners f.network_mode
  f.multi_site f.provinces f.delivery f.installation f.outlet_list (where the outlet list is)
  f.consultancy_name f.consultancy_contact f.consultancy_phone f.body (certification body)
  f.check.<x>  "☑" or "□" for x in initial surveillance recert upgrade transfer star5 star4 star3
               star0 mode_direct mode_entrusted mode_partial
  f.products       list of {no, name, category, warranty, main_parts, install}
  f.deletions      list of {id, name, reason}
  f.certificates   list of {no, kind, name, number}
  f.has_deletions f.has_certificates   booleans
Table rows repeat with docxtpl's ``{%tr for x in f.products %}`` … ``{%tr endfor %}``.
"""
from __future__ import annotations

import io
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import docx
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_ALIGN_VERTICAL, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from kitgen.ooxml.ziputil import normalize_zip

SONG, HEI, KAI = "宋体", "黑体", "楷体"
TEXT_W = 15.5          # cm between the margins of base.docx (21 − 3.0 − 2.5)
LABEL_FILL = "F2F2F2"


def set_fonts(run, east_asia: str = SONG, size: float | None = None, bold: bool = False) -> None:
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(attr), "Times New Roman")
    fonts.set(qn("w:eastAsia"), east_asia)
    if size:
        run.font.size = Pt(size)
    if bold:
        run.font.bold = True


def para(container, text: str = "", style: str | None = None, *, font: str = SONG, size: float | None = None,
         bold: bool = False, align=None, before: float | None = None, after: float | None = None, indent0=False):
    p = container.add_paragraph(style=style) if style else container.add_paragraph()
    if text:
        set_fonts(p.add_run(text), font, size, bold)
    if align is not None:
        p.alignment = align
    fmt = p.paragraph_format
    if before is not None:
        fmt.space_before = Pt(before)
    if after is not None:
        fmt.space_after = Pt(after)
    if indent0:
        fmt.first_line_indent = Cm(0)
    return p


# schema order of the children of w:tblPr and w:tcPr (CT_TblPr, CT_TcPr): Word rejects or drops a
# property found out of order, so every one is inserted in its place rather than appended
TBLPR_ORDER = ("tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize", "tblStyleColBandSize",
               "tblW", "jc", "tblCellSpacing", "tblInd", "tblBorders", "shd", "tblLayout", "tblCellMar", "tblLook",
               "tblCaption", "tblDescription")
TCPR_ORDER = ("cnfStyle", "tcW", "gridSpan", "hMerge", "vMerge", "tcBorders", "shd", "noWrap", "tcMar",
              "textDirection", "tcFitText", "vAlign", "hideMark")


def insert_ordered(parent, child, order: tuple[str, ...]) -> None:
    """Put ``child`` into ``parent`` before the first sibling that the schema places after it."""
    rank = order.index(child.tag.split("}", 1)[1])
    for sibling in parent:
        name = sibling.tag.split("}", 1)[1] if isinstance(sibling.tag, str) and "}" in sibling.tag else ""
        if name in order and order.index(name) > rank:
            sibling.addprevious(child)
            return
    parent.append(child)


def shade(cell, fill: str) -> None:
    tcpr = cell._tc.get_or_add_tcPr()
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    insert_ordered(tcpr, shd, TCPR_ORDER)


def fixed_layout(table, widths_cm: list[float]) -> None:
    """w:tblW, w:tblLayout fixed and w:gridCol widths (WPS sizes by gridCol, Word by tblW)."""
    tbl = table._tbl
    tblpr = tbl.tblPr
    tblw = tblpr.find(qn("w:tblW"))
    if tblw is None:
        tblw = OxmlElement("w:tblW")
        insert_ordered(tblpr, tblw, TBLPR_ORDER)
    tblw.set(qn("w:w"), str(int(sum(widths_cm) * 567)))
    tblw.set(qn("w:type"), "dxa")
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    insert_ordered(tblpr, layout, TBLPR_ORDER)       # before w:tblLook, which python-docx already wrote
    grid = tbl.tblGrid
    for gc, w in zip(grid.findall(qn("w:gridCol")), widths_cm):
        gc.set(qn("w:w"), str(int(w * 567)))
    for row in table.rows:
        for j, cell in enumerate(row.cells):
            if j < len(widths_cm):
                cell.width = Cm(widths_cm[j])


def cant_split(row, header: bool = False) -> None:
    trpr = row._tr.get_or_add_trPr()
    trpr.append(OxmlElement("w:cantSplit"))
    if header:
        trpr.append(OxmlElement("w:tblHeader"))


def row_height(row, cm: float) -> None:
    trpr = row._tr.get_or_add_trPr()
    h = OxmlElement("w:trHeight")
    h.set(qn("w:val"), str(int(cm * 567)))
    h.set(qn("w:hRule"), "atLeast")
    trpr.append(h)


def cell_text(cell, text: str, *, label: bool = False, center: bool = False, bold: bool = False, size=10.5) -> None:
    p = cell.paragraphs[0]
    p.style = "TableText"
    if text:
        set_fonts(p.add_run(text), SONG, size, bold or False)
    if label or center:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if label:
        shade(cell, LABEL_FILL)
    cell.vertical_alignment = WD_ALIGN_VERTICAL.CENTER


def form_table(doc, rows: list[list[str]], widths: list[float], label_cols=(0, 2)) -> None:
    """A label/value grid: a row shorter than the column count spans its last cell."""
    ncols = len(widths)
    t = doc.add_table(rows=len(rows), cols=ncols)
    t.style = "Table Grid"
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    fixed_layout(t, widths)
    for i, values in enumerate(rows):
        row = t.rows[i]
        cant_split(row)
        row_height(row, 0.85)
        if len(values) < ncols:
            row.cells[len(values) - 1].merge(row.cells[ncols - 1])
        for j, text in enumerate(values):
            spans = len(values) < ncols and j == len(values) - 1
            cell_text(row.cells[j], text, label=j in label_cols and not spans)
    para(doc, "", after=0)


def list_table(doc, header: list[str], widths: list[float], loop: str, cells: list[str],
               empty_text: str, empty_cond: str) -> None:
    """A header row, then docxtpl row tags: {%tr for …%} / the row / {%tr endfor %}, and a
    spanning 无 row when the list is empty."""
    ncols = len(header)
    t = doc.add_table(rows=6, cols=ncols)
    t.style = "Table Grid"
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    fixed_layout(t, widths)
    hdr = t.rows[0]
    cant_split(hdr, header=True)
    for j, h in enumerate(header):
        cell_text(hdr.cells[j], h, label=True, bold=True)
    tags = [(1, "{%tr for " + loop + " %}"), (3, "{%tr endfor %}"), (4, "{%tr if " + empty_cond + " %}")]
    for i, tag in tags:
        t.rows[i].cells[0].paragraphs[0].add_run(tag)
    data = t.rows[2]
    cant_split(data)
    row_height(data, 0.75)
    for j, text in enumerate(cells):
        cell_text(data.cells[j], text, center=j == 0)
    empty = t.rows[5]
    empty.cells[0].merge(empty.cells[ncols - 1])
    cell_text(empty.cells[0], empty_text, center=True)
    # the {%tr endif %} row
    end = t.add_row()
    end.cells[0].paragraphs[0].add_run("{%tr endif %}")
    para(doc, "", after=0)


def page_field(paragraph, instr: str) -> None:
    for kind, text in (("begin", None), (None, instr), ("separate", None), (None, "1"), ("end", None)):
        r = paragraph.add_run()
        set_fonts(r, SONG, 9)
        if kind:
            fc = OxmlElement("w:fldChar")
            fc.set(qn("w:fldCharType"), kind)
            r._element.append(fc)
        elif text == instr:
            it = OxmlElement("w:instrText")
            it.set(qn("xml:space"), "preserve")
            it.text = f" {instr} "
            r._element.append(it)
        else:
            r.text = text


def heading(doc, text: str) -> None:
    p = doc.add_paragraph(style="Heading 2")
    set_fonts(p.add_run(text), HEI, 14, True)


def build(out: Path) -> None:
    doc = docx.Document(str(ROOT / "library" / "templates" / "base.docx"))
    body = doc.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    sec = doc.sections[0]
    sec.orientation = WD_ORIENT.PORTRAIT
    sec.page_width, sec.page_height = Cm(21.0), Cm(29.7)
    sec.top_margin = sec.bottom_margin = Cm(2.54)
    sec.left_margin, sec.right_margin = Cm(3.0), Cm(2.5)
    sec.different_first_page_header_footer = True

    hp = sec.header.paragraphs[0]
    hp.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    set_fonts(hp.add_run("商品售后服务认证申请书"), SONG, 9)
    fp = sec.footer.paragraphs[0]
    fp.alignment = WD_ALIGN_PARAGRAPH.CENTER
    set_fonts(fp.add_run("第 "), SONG, 9)
    page_field(fp, "PAGE")
    set_fonts(fp.add_run(" 页  共 "), SONG, 9)
    page_field(fp, "NUMPAGES")
    set_fonts(fp.add_run(" 页"), SONG, 9)

    # ---------------------------------------------------------------- cover
    para(doc, "", before=48)
    para(doc, "商品售后服务认证申请书", font=HEI, size=26, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=12,
         indent0=True)
    para(doc, "（认证依据：{{ f.standard }}《商品售后服务评价体系》）", font=KAI, size=14,
         align=WD_ALIGN_PARAGRAPH.CENTER, after=96, indent0=True)
    t = doc.add_table(rows=4, cols=2)
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    fixed_layout(t, [3.2, 9.3])
    for i, (label, value) in enumerate((("申请组织", "{{ f.company_name }}"),
                                        ("申请类型", "{{ f.apply_type }}"),
                                        ("认证机构", "{{ f.body }}"),
                                        ("申请日期", "{{ f.date }}"))):
        row = t.rows[i]
        row_height(row, 1.2)
        set_fonts(row.cells[0].paragraphs[0].add_run(label + "："), HEI, 14)
        row.cells[0].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.DISTRIBUTE
        row.cells[0].vertical_alignment = WD_ALIGN_VERTICAL.BOTTOM
        set_fonts(row.cells[1].paragraphs[0].add_run(value), SONG, 14)
        row.cells[1].vertical_alignment = WD_ALIGN_VERTICAL.BOTTOM
        for p in (row.cells[0].paragraphs[0], row.cells[1].paragraphs[0]):
            p.paragraph_format.first_line_indent = Cm(0)
        # value cell: a bottom border line to write on
        tcpr = row.cells[1]._tc.get_or_add_tcPr()
        borders = OxmlElement("w:tcBorders")
        bottom = OxmlElement("w:bottom")
        for k, v in (("w:val", "single"), ("w:sz", "6"), ("w:space", "0"), ("w:color", "000000")):
            bottom.set(qn(k), v)
        borders.append(bottom)
        insert_ordered(tcpr, borders, TCPR_ORDER)  # before w:vAlign
    para(doc, "（申请组织盖章）", font=KAI, size=12, align=WD_ALIGN_PARAGRAPH.RIGHT, before=6, indent0=True)
    para(doc, "", before=72)
    para(doc, "填表说明", font=HEI, size=12, bold=True, indent0=True, after=4)
    for line in ("1. 本申请书由申请组织如实填写，组织名称、地址等应与营业执照一致；栏目不够时可另附页。",
                 "2. 随本申请书提交《申请资料清单》所列资料，复印件须加盖申请组织公章。",
                 "3. 多场所（网点）情况见随附的《网点清单》；删减（不涉及项）须说明理由。",
                 "4. 申请书须经法定代表人签字并加盖公章后生效。"):
        para(doc, line, size=10.5, indent0=True, after=2)
    pb = doc.add_paragraph()
    pb.add_run().add_break(WD_BREAK.PAGE)

    # ---------------------------------------------------------------- 一 申请类型
    w4 = [3.7, 4.05, 3.7, 4.05]
    heading(doc, "一、申请类型与认证依据")
    form_table(doc, [
        ["申请类型", ("{{ f.check.initial }}初次认证　{{ f.check.surveillance }}监督审核　{{ f.check.recert }}再认证　"
                      "{{ f.check.upgrade }}星级提升　{{ f.check.transfer }}转换认证机构")],
        ["认证依据", "{{ f.standard }}《商品售后服务评价体系》"],
        ["拟申请星级", ("{{ f.check.star5 }}五星级　{{ f.check.star4 }}四星级　{{ f.check.star3 }}三星级　"
                        "{{ f.check.star0 }}达标级")],
    ], [3.4, 12.1], label_cols=(0,))

    heading(doc, "二、申请组织基本情况")
    form_table(doc, [
        ["组织名称", "{{ f.company_name }}"],
        ["统一社会信用代码", "{{ f.credit_code }}", "成立时间", "{{ f.founded }}"],
        ["法定代表人", "{{ f.legal_rep }}", "注册资本", "{{ f.registered_capital }}"],
        ["注册地址", "{{ f.address }}"],
        ["邮政编码", "{{ f.postcode }}", "员工总数", "{{ f.employees }}"],
        ["企业类型", "{{ f.role_name }}", "所属行业", "{{ f.industry_name }}"],
        ["网址", "{{ f.website }}"],
        ["售后服务负责人", "{{ f.service_manager }}", "服务热线", "{{ f.hotline }}"],
        ["联系人", "{{ f.contact_name }}", "职务", "{{ f.contact_title }}"],
        ["联系电话", "{{ f.contact_phone }}", "手机", "{{ f.contact_mobile }}"],
        ["电子邮箱", "{{ f.contact_email }}"],
    ], w4)

    heading(doc, "三、售后服务人员")
    form_table(doc, [
        ["售后服务人员数", "{{ f.service_staff }}", "服务管理人员数", "{{ f.service_managers }}"],
        ["持证售后服务管理师", "{{ f.certified_managers }}", "应配售后服务管理师", "{{ f.required_certified }}"],
    ], w4)

    heading(doc, "四、申请认证范围")
    form_table(doc, [["认证范围", "{{ f.scope }}"]], [3.4, 12.1], label_cols=(0,))
    list_table(doc, ["序号", "商品/服务名称", "类别", "{{ f.warranty_label }}", "{{ f.main_parts_label }}", "需安装"],
               [1.2, 4.7, 2.4, 2.3, 3.1, 1.8], "p in f.products",
               ["{{ p.no }}", "{{ p.name }}", "{{ p.category }}", "{{ p.warranty }}", "{{ p.main_parts }}",
                "{{ p.install }}"], "无", "not f.products")

    heading(doc, "五、销售方式与服务网络")
    form_table(doc, [
        ["商品销售方式", "{{ f.sales_channels }}"],
        ["服务提供方式", ("{{ f.check.mode_direct }}网点全直属　{{ f.check.mode_entrusted }}网点全委托　"
                          "{{ f.check.mode_partial }}网点部分委托")],
        ["网点总数", "{{ f.outlets_total }}", "多场所", "{{ f.multi_site }}"],
        ["直属网点数", "{{ f.outlets_direct }}", "委托网点数", "{{ f.outlets_entrusted }}"],
        ["委托合作单位数", "{{ f.partners }}", "网点分布", "{{ f.provinces }}"],
        ["配送方式", "{{ f.delivery }}", "安装方式", "{{ f.installation }}"],
        ["网点清单", "{{ f.outlet_list }}"],
    ], w4)

    heading(doc, "六、不涉及项（删减）说明")
    list_table(doc, ["指标", "名称", "删减理由"], [1.8, 3.2, 10.5], "d in f.deletions",
               ["{{ d.id }}", "{{ d.name }}", "{{ d.reason }}"], "无不涉及项（无删减）", "not f.has_deletions")

    heading(doc, "七、已获认证及荣誉")
    list_table(doc, ["序号", "类别", "名称", "证书编号"], [1.2, 2.4, 7.4, 4.5], "c in f.certificates",
               ["{{ c.no }}", "{{ c.kind }}", "{{ c.name }}", "{{ c.number }}"], "无", "not f.has_certificates")

    heading(doc, "八、咨询机构")
    form_table(doc, [
        ["咨询机构名称", "{{ f.consultancy_name }}"],
        ["咨询师", "{{ f.consultancy_contact }}", "联系电话", "{{ f.consultancy_phone }}"],
    ], w4)

    heading(doc, "九、申请方声明")
    para(doc, "本组织自愿申请商品售后服务认证，并声明如下：", size=10.5, after=2)
    for line in ("1. 本申请书所填信息及随附的申请资料真实、准确、有效，复印件与原件一致；",
                 "2. 本组织依法设立并合法经营，近三年内未发生重大产品质量、售后服务事故和严重失信行为；",
                 "3. 本组织的售后服务管理体系已建立并运行，愿意遵守认证机构的认证规则，配合审核，按规定交纳认证费用；",
                 "4. 获证后按规定使用认证证书和标志，并接受认证机构的监督。"):
        p = para(doc, line, size=10.5, after=2)
        p.paragraph_format.left_indent = Cm(1.3)
        p.paragraph_format.first_line_indent = Cm(-0.5)
    t = doc.add_table(rows=2, cols=2)
    fixed_layout(t, [7.75, 7.75])
    for i, (a, b) in enumerate((("法定代表人（签字）：", "申请组织（公章）："), ("", "日期：　　　　年　　月　　日"))):
        for j, text in enumerate((a, b)):
            c = t.rows[i].cells[j]
            row_height(t.rows[i], 1.3)
            if text:
                set_fonts(c.paragraphs[0].add_run(text), SONG, 12)
            c.paragraphs[0].paragraph_format.first_line_indent = Cm(0)
            c.vertical_alignment = WD_ALIGN_VERTICAL.BOTTOM

    # the form holds no table of contents: without w:updateFields Word opens it without asking to
    # update fields (base.docx's settings carry it for the documents that do)
    for uf in doc.settings.element.findall(qn("w:updateFields")):
        doc.settings.element.remove(uf)

    cp = doc.core_properties
    cp.title = "商品售后服务认证申请书"
    cp.author = ""
    cp.last_modified_by = ""
    cp.subject = cp.keywords = cp.comments = cp.category = ""
    cp.revision = 1
    import datetime as dt
    cp.created = cp.modified = dt.datetime(2020, 1, 1)
    buf = io.BytesIO()
    doc.save(buf)
    out.write_bytes(normalize_zip(buf.getvalue()))


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "library" / "templates" / "application_form.docx"
    build(target)
    print(target)
