"""The Word writer: what a user (and Word, WPS, LibreOffice) would check in the files it makes."""
from __future__ import annotations

import io
import re
import struct
import subprocess
import zipfile
import zlib
from pathlib import Path

import pytest
from lxml import etree

from kitgen.ooxml.docx_text import UnreadableDocx, docx_text
from kitgen.render.word import BaseTemplate, write_docx
from kitgen.ooxml.model import (
    BulletList, Cover, Document, Heading, Image, PageBreak, Paragraph, Table, Toc,
)
from kitgen.ooxml.ziputil import normalize_zip, write_zip
from tests.conftest import convert_to_pdf

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
NS = {"w": W[1:-1],
      "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
      "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
      "rel": "http://schemas.openxmlformats.org/package/2006/relationships"}
ROOT = Path(__file__).resolve().parents[2]
RT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
TEXT_W_PORTRAIT = 11906 - 1701 - 1417
TEXT_W_LANDSCAPE = 16838 - 1701 - 1417
NASTY = "A&B <公司> \"双引号\" '单引号' {{ 7*7 }} {% if x %}"


def png(w: int = 40, h: int = 20, rgb=(30, 90, 160)) -> bytes:
    raw = b"".join(b"\x00" + bytes(rgb) * w for _ in range(h))

    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def full_document(rows: int = 40, landscape: bool = False) -> Document:
    """Every block type, a cover, placeholders and characters that need escaping."""
    blocks = [
        Toc(levels=2), PageBreak(),
        Heading("目的", 1, "1", ["5.1.1.1 售后服务组织机构", "5.1.1.2 售后服务负责人"]),
        Paragraph("本公司承诺在接到报修后【待填写：响应时限】小时内响应。"),
        Paragraph(NASTY),
        Heading("适用范围", 1, "2"),
        Paragraph("第一行\n第二行"),
        Heading("职责", 1, "3"),
        Heading("售后服务部", 2, "3.1", ["5.1.2.1 人员配置"]),
        BulletList(["负责投诉受理；", "负责维修派工，在【待填写：维修时限】日内完成；"]),
        Heading("细则", 3, "3.1.1"),
        Paragraph("注：时限均为最长时限。", style="note"),
        Heading("工作程序", 1, "4", ["5.2.4.1 维修承诺与时限"]),
        Paragraph("流程如下："),
        Table(header=["序号", "工作内容", "责任部门", "时限", "记录"], widths=[1, 5, 2, 2, 2],
              rows=[[str(i + 1), f"第{i + 1}步：登记顾客姓名、电话、商品型号和故障描述", "客服中心",
                     "2小时内", "维修服务单"] for i in range(rows)]),
        Image(png(), 12, 6, "org.png", "图1 售后服务组织机构图"),
        Image(png(rgb=(200, 60, 60)), 30, 15, "wide.png"),
        Heading("记录", 1, "5"),
        Table(header=[], rows=[["投诉编号", "", "受理日期", ""], ["投诉内容", ""], ["", "", "", ""]],
              widths=[2, 3, 2, 3], label_columns=(0, 2), blank_row_height_cm=1.0, font_size=9),
        Paragraph("经办人：　　　　日期：", style="signature"),
        Paragraph("批准：总经理", style="right"),
        Paragraph("居中", style="center", bold=True),
        Paragraph("标题样式", style="title"),
        Paragraph("副标题样式", style="subtitle"),
    ]
    return Document(
        title="维修服务控制程序", number="HW/SH-CX-11", company="华为&某某电器有限公司", blocks=blocks,
        cover=Cover(company="华为&某某电器有限公司", title="维修服务控制程序", number="HW/SH-CX-11",
                    version="A/0", effective_date="2026年12月1日",
                    control_rows=[("编制", ""), ("审核", ""), ("批准", "【待填写：批准人】")],
                    subtitle="售后服务管理体系文件"),
        landscape=landscape, version="A/0", author="华为&某某", created="2026-12-01",
        subject="售后服务", keywords="GB/T 27922")


def parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def xml(data: bytes, name: str = "word/document.xml"):
    return etree.fromstring(parts(data)[name])


@pytest.fixture(scope="module")
def built() -> bytes:
    return write_docx(full_document())


@pytest.fixture(scope="module")
def doc_xml(built):
    return xml(built)


# ---------------------------------------------------------------------------------------------
# package

def test_every_part_is_well_formed_xml_and_content_types_cover_it(built):
    p = parts(built)
    names = list(p)
    assert names[0] == "[Content_Types].xml"
    for name, data in p.items():
        if name.endswith((".xml", ".rels")):
            etree.fromstring(data)                     # raises on malformed XML
    ct = etree.fromstring(p["[Content_Types].xml"])
    overrides = {o.get("PartName") for o in ct if o.tag.endswith("Override")}
    defaults = {d.get("Extension") for d in ct if d.tag.endswith("Default")}
    for name in names:
        if name == "[Content_Types].xml":
            continue
        assert "/" + name in overrides or name.rsplit(".", 1)[1] in defaults, name
    # every relationship target exists
    rels = etree.fromstring(p["word/_rels/document.xml.rels"])
    for rel in rels:
        assert "word/" + rel.get("Target") in p, rel.get("Target")


def test_rebuild_is_byte_identical_and_zip_stamps_are_fixed(built):
    assert write_docx(full_document()) == built
    with zipfile.ZipFile(io.BytesIO(built)) as zf:
        assert {i.date_time for i in zf.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert {i.compress_type for i in zf.infolist()} == {zipfile.ZIP_DEFLATED}


def test_source_date_epoch_sets_zip_stamps(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1796083200")     # 2026-12-01T00:00:00Z
    data = write_zip([("b.xml", b"<b/>"), ("[Content_Types].xml", b"<T/>")])
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert zf.namelist() == ["[Content_Types].xml", "b.xml"]
        assert {i.date_time for i in zf.infolist()} == {(2026, 12, 1, 0, 0, 0)}


def test_normalize_zip_makes_foreign_zips_reproducible():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr(zipfile.ZipInfo("x.xml", (2024, 5, 6, 7, 8, 10)), b"<x/>")
        zf.writestr(zipfile.ZipInfo("[Content_Types].xml", (2025, 1, 2, 3, 4, 6)), b"<T/>")
    once = normalize_zip(buf.getvalue())
    assert normalize_zip(once) == once
    with zipfile.ZipFile(io.BytesIO(once)) as zf:
        assert zf.namelist() == ["[Content_Types].xml", "x.xml"]
        assert zf.read("x.xml") == b"<x/>"
        assert {i.date_time for i in zf.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_core_and_app_properties(built):
    core = parts(built)["docProps/core.xml"].decode()
    assert "<dc:title>维修服务控制程序</dc:title>" in core
    assert "<dc:creator>华为&amp;某某</dc:creator>" in core
    assert "<cp:lastModifiedBy>华为&amp;某某</cp:lastModifiedBy>" in core
    assert "<cp:keywords>GB/T 27922</cp:keywords>" in core
    assert '<dcterms:created xsi:type="dcterms:W3CDTF">2026-12-01T00:00:00Z</dcterms:created>' in core
    assert '<dcterms:modified xsi:type="dcterms:W3CDTF">2026-12-01T00:00:00Z</dcterms:modified>' in core
    app = parts(built)["docProps/app.xml"].decode()
    assert "kitgen" not in app and "<Application>" not in app   # no tool name in files that leave the consultancy
    bare = write_docx(Document(title="t", number="", company="c", blocks=[Paragraph("x")]))
    assert "dcterms:created" not in parts(bare)["docProps/core.xml"].decode()
    with pytest.raises(ValueError):
        write_docx(Document(title="t", number="", company="c", created="next tuesday"))


# ---------------------------------------------------------------------------------------------
# text

def test_text_prints_as_written_including_escapes(built):
    text = docx_text(built)
    assert NASTY in text
    assert "49" not in text                             # {{ 7*7 }} is never evaluated
    assert "华为&某某电器有限公司" in text               # cover
    assert "第一行 第二行" in text                       # \n → line break (normalised to a space)
    assert "对应指标：5.1.1.1 售后服务组织机构；5.1.1.2 售后服务负责人" in text
    assert "序号 | 工作内容 | 责任部门 | 时限 | 记录" in text
    assert "40 | 第40步：登记顾客姓名、电话、商品型号和故障描述 | 客服中心 | 2小时内 | 维修服务单" in text
    assert "HW/SH-CX-11" in text                       # cover table (headers are excluded)


def test_line_break_is_a_w_br(doc_xml):
    p = next(p for p in doc_xml.iter(W + "p") if "第一行" in "".join(p.itertext()))
    assert p.find(".//w:br", NS) is not None


def test_control_characters_are_refused_with_the_text_named():
    for bad in ("响应\x07时限", "a\x00b", "x\x1by"):
        with pytest.raises(ValueError, match="控制字符") as e:
            write_docx(Document(title="t", number="n", company="c", blocks=[Paragraph(bad)]))
        assert repr(bad)[1:-1][:3] in str(e.value)
    with pytest.raises(ValueError):
        write_docx(Document(title="t", number="n", company="c",
                            blocks=[Table(header=["a"], rows=[["ok"], ["b\x0bad"]])]))
    with pytest.raises(ValueError):
        write_docx(Document(title="t", number="n", company="c\x01"))


def test_placeholders_are_their_own_highlighted_runs(doc_xml):
    marked = []
    for r in doc_xml.iter(W + "r"):
        if r.find("w:rPr/w:highlight[@w:val='yellow']", NS) is not None:
            marked.append("".join(t.text or "" for t in r.iter(W + "t")))
    assert "【待填写：响应时限】" in marked
    assert "【待填写：维修时限】" in marked               # inside a bullet
    assert "【待填写：批准人】" in marked                 # inside the cover table
    assert all(m.startswith("【待填写") and m.endswith("】") for m in marked)


# ---------------------------------------------------------------------------------------------
# styles, page, header and footer

def test_styles_set_chinese_fonts_and_no_mincho(built):
    p = parts(built)
    styles = p["word/styles.xml"].decode()
    assert 'w:eastAsia="宋体"' in styles and 'w:eastAsia="黑体"' in styles
    assert '<w:lang w:val="en-US" w:eastAsia="zh-CN"' in styles
    for name, data in p.items():
        if name.endswith(".xml"):
            low = data.decode("utf-8").lower()
            assert "mincho" not in low and "明朝" not in low, name
    root = etree.fromstring(p["word/styles.xml"])
    by_id = {s.get(W + "styleId"): s for s in root.iter(W + "style")}
    normal = by_id["Normal"]
    assert normal.find("w:pPr/w:ind", NS).get(W + "firstLineChars") == "200"
    for level, size in ((1, "32"), (2, "28"), (3, "24")):
        h = by_id[f"Heading{level}"]
        assert h.find("w:name", NS).get(W + "val") == f"heading {level}"
        assert h.find("w:pPr/w:outlineLvl", NS).get(W + "val") == str(level - 1)
        assert h.find("w:pPr/w:keepNext", NS) is not None
        assert h.find("w:rPr/w:rFonts", NS).get(W + "eastAsia") == "黑体"
        assert h.find("w:rPr/w:sz", NS).get(W + "val") == size
        assert h.find("w:rPr/w:b", NS) is not None
    for sid in ("Title", "Subtitle", "TOC1", "TOC2", "TOC3", "Header", "Footer", "TableGrid",
                "Note", "IndicatorRef", "Placeholder", "ListBullet", "TableText"):
        assert sid in by_id, sid
    settings = p["word/settings.xml"].decode()
    assert '<w:updateFields w:val="true"/>' in settings
    assert 'w:eastAsia="zh-CN"' in settings                   # themeFontLang


def test_a4_portrait_and_landscape():
    for landscape, (w, h) in ((False, (11906, 16838)), (True, (16838, 11906))):
        root = xml(write_docx(full_document(rows=3, landscape=landscape)))
        sz = root.find(".//w:body/w:sectPr/w:pgSz", NS)
        assert (int(sz.get(W + "w")), int(sz.get(W + "h"))) == (w, h)
        assert (sz.get(W + "orient") == "landscape") == landscape
        mar = root.find(".//w:body/w:sectPr/w:pgMar", NS)
        assert (mar.get(W + "top"), mar.get(W + "bottom"), mar.get(W + "left"), mar.get(W + "right")) == \
            ("1440", "1440", "1701", "1417")
        text_w = TEXT_W_LANDSCAPE if landscape else TEXT_W_PORTRAIT
        for tbl in root.iter(W + "tbl"):
            total = int(tbl.find("w:tblPr/w:tblW", NS).get(W + "w"))
            cols = [int(g.get(W + "w")) for g in tbl.iter(W + "gridCol")]
            assert sum(cols) == total
        first_table = next(root.iter(W + "tbl"))                  # the cover table is narrower
        body_tables = list(root.iter(W + "tbl"))[1:]
        assert int(first_table.find("w:tblPr/w:tblW", NS).get(W + "w")) < text_w
        assert all(int(t.find("w:tblPr/w:tblW", NS).get(W + "w")) == text_w for t in body_tables)


def test_header_has_company_and_number_footer_has_page_x_of_y(built):
    p = parts(built)
    rels = etree.fromstring(p["word/_rels/document.xml.rels"])
    targets = {r.get("Id"): r.get("Target") for r in rels}
    sect = etree.fromstring(p["word/document.xml"]).find(".//w:body/w:sectPr", NS)
    default_hdr = sect.find("w:headerReference[@w:type='default']", NS).get(f"{{{NS['r']}}}id")
    default_ftr = sect.find("w:footerReference[@w:type='default']", NS).get(f"{{{NS['r']}}}id")
    hdr = etree.fromstring(p["word/" + targets[default_hdr]])
    hdr_text = "".join(hdr.itertext())
    assert "华为&某某电器有限公司" in hdr_text and "HW/SH-CX-11" in hdr_text
    assert hdr.find(".//w:tab[@w:val='right']", NS).get(W + "pos") == str(TEXT_W_PORTRAIT)
    ftr = etree.fromstring(p["word/" + targets[default_ftr]])
    instr = [i.text.strip() for i in ftr.iter(W + "instrText")]
    assert instr == ["PAGE", "NUMPAGES"]
    kinds = [f.get(W + "fldCharType") for f in ftr.iter(W + "fldChar")]
    assert kinds == ["begin", "separate", "end"] * 2
    assert "第" in "".join(ftr.itertext()) and "共" in "".join(ftr.itertext())
    # the cover page has its own (empty) header and footer
    assert sect.find("w:titlePg", NS) is not None
    first_hdr = sect.find("w:headerReference[@w:type='first']", NS).get(f"{{{NS['r']}}}id")
    assert "".join(etree.fromstring(p["word/" + targets[first_hdr]]).itertext()).strip() == ""


def test_no_cover_no_title_page():
    root = xml(write_docx(Document(title="t", number="N-1", company="C", blocks=[Paragraph("x")])))
    assert root.find(".//w:titlePg", NS) is None
    assert root.find(".//w:headerReference[@w:type='first']", NS) is None


def test_cover_is_followed_by_a_page_break(doc_xml):
    body = doc_xml.find("w:body", NS)
    kids = list(body)
    cover_table = next(i for i, el in enumerate(kids) if el.tag == W + "tbl")
    after = kids[cover_table + 1]
    assert (after.find("w:pPr/w:pageBreakBefore", NS) is not None
            or after.find(".//w:br[@w:type='page']", NS) is not None)


# ---------------------------------------------------------------------------------------------
# headings, TOC, lists

def test_headings_numbered_styled_bookmarked_with_indicator_line(doc_xml):
    paras = list(doc_xml.iter(W + "p"))
    styles = [(p.find("w:pPr/w:pStyle", NS).get(W + "val") if p.find("w:pPr/w:pStyle", NS) is not None else "",
               "".join(t.text or "" for t in p.iter(W + "t"))) for p in paras]
    assert ("Heading1", "1 目的") in styles
    assert ("Heading2", "3.1 售后服务部") in styles
    assert ("Heading3", "3.1.1 细则") in styles
    i = styles.index(("Heading1", "1 目的"))
    assert styles[i + 1] == ("IndicatorRef", "对应指标：5.1.1.1 售后服务组织机构；5.1.1.2 售后服务负责人")
    j = styles.index(("Heading1", "2 适用范围"))
    assert styles[j + 1][0] != "IndicatorRef"
    heads = [p for p in paras if (p.find("w:pPr/w:pStyle", NS) is not None
                                   and p.find("w:pPr/w:pStyle", NS).get(W + "val").startswith("Heading"))]
    assert all(h.find("w:bookmarkStart", NS).get(W + "name").startswith("_Toc") for h in heads)


def test_toc_field_lists_headings_with_links(doc_xml, built):
    instr = [i.text for i in doc_xml.iter(W + "instrText") if "TOC" in i.text]
    assert instr == [' TOC \\o "1-2" \\h \\z \\u ']
    body_paras = list(doc_xml.iter(W + "p"))
    toc_paras = [p for p in body_paras if p.find("w:pPr/w:pStyle", NS) is not None
                 and p.find("w:pPr/w:pStyle", NS).get(W + "val") in ("TOC1", "TOC2", "TOC3")]
    texts = ["".join(t.text or "" for t in p.iter(W + "t")) for p in toc_paras]
    assert texts == ["1 目的", "2 适用范围", "3 职责", "3.1 售后服务部", "4 工作程序", "5 记录"]
    bookmarks = {b.get(W + "name") for b in doc_xml.iter(W + "bookmarkStart")}
    anchors = [h.get(W + "anchor") for h in doc_xml.iter(W + "hyperlink")]
    assert len(anchors) == 6 and set(anchors) <= bookmarks
    # begin … separate … end, in that order, once
    kinds = []
    for p in toc_paras:
        kinds += [f.get(W + "fldCharType") for f in p.iter(W + "fldChar")]
    assert kinds == ["begin", "separate", "end"]
    assert '<w:updateFields w:val="true"/>' in parts(built)["word/settings.xml"].decode()


def test_toc_without_headings_is_still_a_complete_field():
    root = xml(write_docx(Document(title="t", number="n", company="c", blocks=[Toc(levels=3)])))
    kinds = [f.get(W + "fldCharType") for f in root.iter(W + "fldChar")]
    assert kinds == ["begin", "separate", "end"]


def test_bullets_use_the_bullet_numbering(built, doc_xml):
    numbering = etree.fromstring(parts(built)["word/numbering.xml"])
    bullets = [p for p in doc_xml.iter(W + "p") if p.find("w:pPr/w:numPr", NS) is not None]
    assert len(bullets) == 2
    num_id = bullets[0].find("w:pPr/w:numPr/w:numId", NS).get(W + "val")
    num = numbering.find(f"w:num[@w:numId='{num_id}']", NS)
    abstract = numbering.find(f"w:abstractNum[@w:abstractNumId='{num.find('w:abstractNumId', NS).get(W + 'val')}']", NS)
    assert abstract.find("w:lvl/w:numFmt", NS).get(W + "val") == "bullet"
    assert abstract.find("w:lvl/w:lvlText", NS).get(W + "val") in ("●", "•")


# ---------------------------------------------------------------------------------------------
# ids, images

def test_ids_are_unique(doc_xml, built):
    bids = [b.get(W + "id") for b in doc_xml.iter(W + "bookmarkStart")]
    names = [b.get(W + "name") for b in doc_xml.iter(W + "bookmarkStart")]
    assert len(bids) == len(set(bids)) == len(names) == len(set(names)) == 7
    assert sorted(b.get(W + "id") for b in doc_xml.iter(W + "bookmarkEnd")) == sorted(bids)
    docpr = [d.get("id") for d in doc_xml.iter(f"{{{NS['wp']}}}docPr")]
    assert len(docpr) == len(set(docpr)) == 2
    rels = etree.fromstring(parts(built)["word/_rels/document.xml.rels"])
    rids = [r.get("Id") for r in rels]
    assert len(rids) == len(set(rids))


def test_images_are_embedded_with_their_size_and_caption(built, doc_xml):
    p = parts(built)
    assert p["word/media/image1.png"] == png()
    assert "word/media/image2.png" in p
    assert 'Extension="png" ContentType="image/png"' in p["[Content_Types].xml"].decode()
    extents = [(int(e.get("cx")), int(e.get("cy"))) for e in doc_xml.iter(f"{{{NS['wp']}}}extent")]
    assert extents[0] == (12 * 360000, 6 * 360000)
    # a picture wider than the text is scaled down to the text width, keeping its proportions
    cx, cy = extents[1]
    assert abs(cx - TEXT_W_PORTRAIT * 635) < 360 and abs(cx / cy - 2) < 0.001
    assert "图1 售后服务组织机构图" in docx_text(built)
    rels = etree.fromstring(p["word/_rels/document.xml.rels"])
    embeds = [b.get(f"{{{NS['r']}}}embed") for b in doc_xml.iter("{http://schemas.openxmlformats.org/drawingml/2006/main}blip")]
    targets = {r.get("Id"): r.get("Target") for r in rels}
    assert [targets[e] for e in embeds] == ["media/image1.png", "media/image2.png"]


def test_non_picture_bytes_are_refused():
    with pytest.raises(ValueError, match="PNG"):
        write_docx(Document(title="t", number="n", company="c", blocks=[Image(b"not a picture", 3, 3)]))


# ---------------------------------------------------------------------------------------------
# tables

def test_table_widths_header_repeat_and_layout(doc_xml):
    tbl = [t for t in doc_xml.iter(W + "tbl")][1]
    pr = tbl.find("w:tblPr", NS)
    assert pr.find("w:tblW", NS).get(W + "type") == "dxa"
    assert int(pr.find("w:tblW", NS).get(W + "w")) == TEXT_W_PORTRAIT
    assert pr.find("w:tblLayout", NS).get(W + "type") == "fixed"
    assert pr.find("w:tblBorders/w:insideH", NS).get(W + "val") == "single"
    cols = [int(g.get(W + "w")) for g in tbl.iter(W + "gridCol")]
    assert sum(cols) == TEXT_W_PORTRAIT
    assert abs(cols[1] / cols[0] - 5) < 0.01                    # widths [1, 5, 2, 2, 2]
    rows = tbl.findall("w:tr", NS)
    assert rows[0].find("w:trPr/w:tblHeader", NS) is not None
    assert rows[0].find("w:trPr/w:cantSplit", NS) is not None
    assert all(r.find("w:trPr/w:tblHeader", NS) is None for r in rows[1:])
    hdr_cell = rows[0].find("w:tc", NS)
    assert hdr_cell.find("w:tcPr/w:shd", NS).get(W + "fill")
    assert hdr_cell.find(".//w:r/w:rPr/w:b", NS) is not None
    tcw = [int(c.find("w:tcPr/w:tcW", NS).get(W + "w")) for c in rows[1].findall("w:tc", NS)]
    assert tcw == cols
    # cells: no first-line indent (TableText style)
    assert rows[1].find(".//w:pPr/w:pStyle", NS).get(W + "val") == "TableText"


def test_form_table_labels_blank_rows_spans_and_small_font(doc_xml, built):
    tbl = [t for t in doc_xml.iter(W + "tbl")][2]
    rows = tbl.findall("w:tr", NS)
    assert all(r.find("w:trPr/w:tblHeader", NS) is None for r in rows)        # no header list
    label = rows[0].findall("w:tc", NS)[0]
    blank = rows[0].findall("w:tc", NS)[1]
    assert label.find("w:tcPr/w:shd", NS) is not None
    assert blank.find("w:tcPr/w:shd", NS) is None
    spanned = rows[1].findall("w:tc", NS)
    assert len(spanned) == 2 and spanned[1].find("w:tcPr/w:gridSpan", NS).get(W + "val") == "3"
    height = rows[2].find("w:trPr/w:trHeight", NS)
    assert height.get(W + "hRule") == "exact" and int(height.get(W + "val")) == 567
    assert rows[0].find("w:trPr/w:trHeight", NS).get(W + "hRule") == "atLeast"
    assert rows[0].find(".//w:r/w:rPr/w:sz", NS).get(W + "val") == "18"
    styles = parts(built)["word/styles.xml"].decode()
    table_text = re.search(r'<w:style w:type="paragraph" w:styleId="TableText">.*?</w:style>', styles).group()
    assert 'w:firstLineChars="0"' in table_text


def test_table_edge_cases():
    ok = write_docx(Document(title="t", number="n", company="c", blocks=[
        Table(header=["a", "b"], rows=[], widths=[1]),                 # wrong widths → equal
        Table(header=["a", "b"], rows=[["1", "2"]]),                    # two tables in a row
        Table(header=[], rows=[]),                                      # nothing to show
    ]))
    root = xml(ok)
    tables = list(root.iter(W + "tbl"))
    assert len(tables) == 2
    assert [int(g.get(W + "w")) for g in tables[0].iter(W + "gridCol")] == [TEXT_W_PORTRAIT // 2] * 2
    body = list(root.find("w:body", NS))
    i = body.index(tables[0])
    assert body[i + 1].tag == W + "p"                                   # tables never touch
    assert body[-2].tag == W + "p"                                      # the body ends on a paragraph
    with pytest.raises(ValueError, match="3 cells"):
        write_docx(Document(title="t", number="n", company="c",
                            blocks=[Table(header=["a", "b"], rows=[["1", "2", "3"]])]))


def test_only_long_rows_may_break_across_pages():
    root = xml(write_docx(Document(title="t", number="n", company="c", blocks=[
        Table(header=["a", "b"],
              rows=[["短", "行"], ["长" * 300, "x"], ["多行", "\n".join("行" * 3 for _ in range(9))]])])))
    rows = next(root.iter(W + "tbl")).findall("w:tr", NS)
    split = [r.find("w:trPr/w:cantSplit", NS) is None for r in rows]
    assert split == [False, False, True, True]


def test_unknown_paragraph_style_is_an_error():
    with pytest.raises(ValueError, match="paragraph style"):
        write_docx(Document(title="t", number="n", company="c", blocks=[Paragraph("x", style="fancy")]))


def test_3000_row_table():
    rows = [[str(i), f"网点{i}&", "直属", "广东省", "深圳市", f"科技园{i}号", "0755-1234", "5",
             "【待填写：负责人】" if i % 100 == 0 else "张三"] for i in range(3000)]
    doc = Document(title="网点清单", number="N", company="C",
                   blocks=[Table(header=list("ABCDEFGHI"), rows=rows, font_size=9)])
    data = write_docx(doc)                 # (its speed is measured by bench/run.py, not here)
    text = docx_text(data)
    assert "2999 | 网点2999& | 直属 | 广东省 | 深圳市 | 科技园2999号 | 0755-1234 | 5 | 张三" in text
    assert text.count("\n") == 3000


@pytest.mark.slow
def test_10000_row_table_is_written_whole():
    rows = [[str(i), f"网点{i}", "直属", "广东省", "深圳市", f"科技园{i}号", "0755-1234", "5", "张三"]
            for i in range(10000)]
    doc = Document(title="t", number="N", company="C", blocks=[Table(header=list("ABCDEFGHI"), rows=rows)])
    text = docx_text(write_docx(doc))       # speed: bench/run.py
    assert text.count("科技园") == 10000 and "网点9999" in text


# ---------------------------------------------------------------------------------------------
# base template

def test_committed_base_template_is_what_the_script_generates():
    import importlib.util
    spec = importlib.util.spec_from_file_location("make_base_template", ROOT / "tools" / "make_base_template.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    assert mod.build() == (ROOT / "library" / "templates" / "base.docx").read_bytes(), \
        "library/templates/base.docx is stale: run python tools/make_base_template.py"


def test_house_template_keeps_its_page_and_gets_missing_styles(tmp_path):
    """A consultancy's reference document (here: a Letter-sized one with no kitgen styles,
    no numbering, an attached template) still gives a complete document."""
    doc_xml = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
               f'<w:document xmlns:w="{NS["w"]}"><w:body><w:p/><w:sectPr>'
               '<w:pgSz w:w="12240" w:h="15840"/>'
               '<w:pgMar w:top="1000" w:right="1000" w:bottom="1000" w:left="1200" w:header="500" '
               'w:footer="500" w:gutter="0"/></w:sectPr></w:body></w:document>')
    styles = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
              f'<w:styles xmlns:w="{NS["w"]}"><w:style w:type="paragraph" w:default="1" w:styleId="Normal">'
              '<w:name w:val="Normal"/><w:rPr><w:rFonts w:eastAsia="仿宋"/></w:rPr></w:style>'
              '<w:style w:type="paragraph" w:styleId="Header"><w:name w:val="header"/>'
              '<w:pPr><w:tabs><w:tab w:val="center" w:pos="4680"/></w:tabs></w:pPr></w:style></w:styles>')
    settings = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                f'<w:settings xmlns:w="{NS["w"]}" xmlns:r="{NS["r"]}"><w:attachedTemplate r:id="rId1"/>'
                '<w:defaultTabStop w:val="720"/><w:compat/></w:settings>')
    rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            f'<Relationships xmlns="{NS["rel"]}">'
            f'<Relationship Id="rId1" Type="{RT}styles" Target="styles.xml"/>'
            f'<Relationship Id="rId2" Type="{RT}settings" Target="settings.xml"/>'
            '</Relationships>')
    house = tmp_path / "house.docx"
    house.write_bytes(write_zip([("word/document.xml", doc_xml.encode()), ("word/styles.xml", styles.encode()),
                                 ("word/settings.xml", settings.encode()),
                                 ("word/_rels/document.xml.rels", rels.encode())]))
    base = BaseTemplate.load(house)
    assert BaseTemplate.load(house) is base                           # cached
    assert (base.page.width, base.page.height, base.page.left, base.page.right) == (12240, 15840, 1200, 1000)
    data = write_docx(full_document(rows=3), base)
    p = parts(data)
    root = etree.fromstring(p["word/styles.xml"])
    ids = {s.get(W + "styleId") for s in root.iter(W + "style")}
    assert {"IndicatorRef", "Heading1", "TableText", "Placeholder"} <= ids
    assert 'w:eastAsia="仿宋"' in p["word/styles.xml"].decode()       # the house Normal stays
    settings_out = p["word/settings.xml"].decode()
    assert "updateFields" in settings_out and "attachedTemplate" not in settings_out
    assert "word/numbering.xml" in p                                  # bullets still work
    doc = etree.fromstring(p["word/document.xml"])
    assert doc.find(".//w:body/w:sectPr/w:pgSz", NS).get(W + "w") == "12240"
    tbl = list(doc.iter(W + "tbl"))[1]
    assert int(tbl.find("w:tblPr/w:tblW", NS).get(W + "w")) == 12240 - 1200 - 1000
    hdr = p["word/header1.xml"].decode()
    assert 'w:val="clear" w:pos="4680"' in hdr
    assert docx_text(data).count("对应指标") == 3


def test_template_with_missing_parts_falls_back(tmp_path):
    bare = tmp_path / "bare.docx"
    bare.write_bytes(write_zip([("word/document.xml", b"<broken")]))
    base = BaseTemplate.load(bare)
    assert base.page.width == 11906
    data = write_docx(Document(title="t", number="n", company="c", blocks=[BulletList(["x"])]), base)
    assert "word/styles.xml" in parts(data) and "x" in docx_text(data)
    with pytest.raises(FileNotFoundError):
        BaseTemplate.load(tmp_path / "nope.docx")
    junk = tmp_path / "junk.docx"
    junk.write_bytes(b"not a zip")
    with pytest.raises(ValueError):
        BaseTemplate.load(junk)


# ---------------------------------------------------------------------------------------------
# docx_text

def test_docx_text_refuses_what_it_cannot_read(tmp_path, monkeypatch):
    with pytest.raises(UnreadableDocx, match="不是有效的 Word"):
        docx_text(b"plain text")
    with pytest.raises(UnreadableDocx, match="document.xml"):
        docx_text(write_zip([("word/other.xml", b"<x/>")]))
    with pytest.raises(UnreadableDocx, match="XML"):
        docx_text(write_zip([("word/document.xml", b"<w:document")]))
    bomb = (b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
            b'<d>&b;</d>')
    with pytest.raises(UnreadableDocx):
        docx_text(write_zip([("word/document.xml", bomb)]))
    import kitgen.ooxml.docx_text as dt
    monkeypatch.setattr(dt, "MAX_UNCOMPRESSED", 1000)
    with pytest.raises(UnreadableDocx, match="MB"):
        docx_text(write_zip([("word/document.xml", b"<x>" + b" " * 5000 + b"</x>")]))
    with pytest.raises(UnreadableDocx):
        docx_text(tmp_path / "missing.docx")
    assert issubclass(UnreadableDocx, Exception) and UnreadableDocx("r").reason == "r"


def test_docx_text_reads_word_edited_structures():
    body = (f'<w:document xmlns:w="{NS["w"]}"><w:body>'
            '<w:sdt><w:sdtContent><w:p><w:r><w:t>控件内</w:t></w:r></w:p></w:sdtContent></w:sdt>'
            '<w:p><w:r><w:t xml:space="preserve">a  </w:t></w:r><w:ins><w:r><w:t>新增</w:t></w:r></w:ins>'
            '<w:del><w:r><w:delText>删掉</w:delText></w:r></w:del>'
            '<w:r><w:instrText> PAGE </w:instrText></w:r></w:p>'
            '<w:p/>'
            '<w:tbl><w:tr><w:tc><w:p><w:r><w:t>x</w:t></w:r></w:p></w:tc><w:tc><w:p/></w:tc>'
            '<w:tc><w:p><w:r><w:t>z</w:t></w:r></w:p></w:tc></w:tr>'
            '<w:tr><w:tc><w:p/></w:tc><w:tc><w:p/></w:tc></w:tr></w:tbl>'
            '</w:body></w:document>').encode()
    assert docx_text(write_zip([("word/document.xml", body)])) == "控件内\na 新增\nx |  | z"


# ---------------------------------------------------------------------------------------------
# LibreOffice

@pytest.mark.soffice
def test_libreoffice_converts_every_block_type(soffice, tmp_path):
    path = tmp_path / "全部块.docx"
    path.write_bytes(write_docx(full_document(rows=60)))
    pdf = convert_to_pdf(soffice, path, tmp_path / "out")
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    pages = len(re.findall(rb"/Type\s*/Page[^s]", data))
    if pages == 0:                                                  # compressed object streams
        try:
            out = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, timeout=30).stdout
            pages = int(re.search(r"Pages:\s+(\d+)", out).group(1))
        except (OSError, AttributeError, subprocess.TimeoutExpired):
            pages = 2 if data.count(b"/Page") > 2 else 0
    assert pages > 1
