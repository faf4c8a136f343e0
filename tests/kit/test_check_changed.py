"""Issue 16: the build records in kit.json what `kitgen check` finds in each file (its hash and
its placeholders); check re-reads only the files whose bytes changed since, and reports which
(``files_read``), with the same findings as a check that reads everything."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

import kitgen
from kitgen.kit import check
from tests.fixtures import check_kits as K

PROFILE = K.SAMPLES / "auto-dealer.yaml"
MANUAL = "02 售后服务管理手册.docx"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("changed") / "kit"
    kitgen.build(PROFILE, out, auto_overlays=False)
    return out


@pytest.fixture()
def kit(built, tmp_path) -> Path:
    return K.copy_kit(built, tmp_path / "kit")


def _manifest(kit: Path) -> dict:
    return json.loads((kit / "kit.json").read_text("utf-8"))


def _findings(report) -> list:
    return sorted((f.kind, f.file, f.message, f.count, tuple(f.samples)) for f in report.findings)


def test_every_file_carries_the_builds_scan(kit):
    files = _manifest(kit)["files"]
    assert files and all(f["scan"]["sha256"] == f["sha256"] for f in files)
    assert sum(f["scan"]["count"] for f in files) > 0
    manual = next(f for f in files if f["path"] == MANUAL)
    assert manual["scan"]["count"] > 0 and all(s.startswith("【待填写") for s in manual["scan"]["samples"])


def test_an_unedited_kit_is_checked_without_reading_a_file(kit):
    report = check.check_kit(kit)
    assert report.files_read == []
    assert report.files_checked == len(_manifest(kit)["files"])
    assert any(f.kind == "placeholders" and f.file == MANUAL for f in report.findings)


def test_one_edited_document_is_the_only_one_read(kit):
    before = check.check_kit(kit)
    K.rezip(kit / MANUAL, lambda name, data: data.replace("【待填写：".encode(), "【待填写：新增 ".encode(), 1)
            if name == "word/document.xml" else data)
    report = check.check_kit(kit)
    assert report.files_read == [MANUAL]
    edited = [f for f in report.findings if f.kind == "edited"]
    assert [f.file for f in edited] == [MANUAL]
    manual = next(f for f in report.findings if f.kind == "placeholders" and f.file == MANUAL)
    assert any("新增" in s for s in manual.samples)
    # every other file's findings are the recorded ones, unchanged
    others = lambda r: [x for x in _findings(r) if x[1] != MANUAL and x[0] not in ("unanswered",)]  # noqa: E731
    assert others(report) == others(before)


def test_filling_a_placeholder_is_seen(kit):
    K.rezip(kit / MANUAL, lambda name, data: K.PLACEHOLDER.sub("已填写", data.decode()).encode()
            if name == "word/document.xml" else data)
    report = check.check_kit(kit)
    assert report.files_read == [MANUAL]
    assert not any(f.kind == "placeholders" and f.file == MANUAL for f in report.findings)


def test_the_records_give_what_reading_every_file_gives(kit, tmp_path):
    """A kit.json without the scans (an older kitgen's, or edited) makes check read every file,
    and the findings are the same as from the records."""
    fast = check.check_kit(kit)
    data = _manifest(kit)
    for f in data["files"]:
        f.pop("scan")
    (kit / "kit.json").write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    slow = check.check_kit(kit)
    assert len(slow.files_read) == len(data["files"])
    assert _findings(slow) == _findings(fast)
    assert slow.unanswered == fast.unanswered


def test_a_forged_scan_of_other_bytes_is_not_believed(kit):
    data = _manifest(kit)
    entry = next(f for f in data["files"] if f["path"] == MANUAL)
    entry["scan"] = {**entry["scan"], "sha256": "0" * 64, "count": 0, "samples": [], "labels": {}}
    (kit / "kit.json").write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    report = check.check_kit(kit)
    assert report.files_read == [MANUAL]
    assert any(f.kind == "placeholders" and f.file == MANUAL for f in report.findings)


# ------------------------------------------------------------------ the streamed reading
_W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def _docx(body: str) -> bytes:
    from kitgen.ooxml.ziputil import write_zip
    doc = f'<?xml version="1.0" encoding="UTF-8"?><w:document {_W}><w:body>{body}</w:body></w:document>'
    types = ('<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
             '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
             'wordprocessingml.document.main+xml"/></Types>')
    return write_zip([("[Content_Types].xml", types.encode()), ("word/document.xml", doc.encode())])


def _p(text: str) -> str:
    return f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>"


def _tr(*cells: str) -> str:
    return "<w:tr>" + "".join(f"<w:tc>{c}</w:tc>" for c in cells) + "</w:tr>"


NESTED = (_p("第一段") + "<w:sdt><w:sdtPr/><w:sdtContent>" + _p("控件中的段落") + "</w:sdtContent></w:sdt>"
          + "<w:ins>" + _p("修订插入的段落【待填写：联系人】") + "</w:ins>"
          + "<w:tbl>" + _tr(_p("甲"), _p("乙")) + "<w:sdt><w:sdtContent>" + _tr(_p("控件行"), _p("x"))
          + "</w:sdtContent></w:sdt>" + _tr(_p("外层") + "<w:tbl>" + _tr(_p("内层1"), _p("内层2")) + "</w:tbl>", _p(""))
          + _tr(_p(""), _p("")) + "</w:tbl>"
          + "<w:customXml><w:tbl>" + _tr(_p("自定义"), _p("表格")) + "</w:tbl></w:customXml>"
          + "<w:p><w:r><w:t>带</w:t></w:r><w:r><w:tab/><w:t>制表符</w:t></w:r><w:del><w:r><w:delText>删去</w:delText>"
            "</w:r></w:del></w:p>" + _p("末段"))


def test_the_streamed_text_is_the_tree_walks_text(built):
    """check reads a changed .docx as a stream (one row in memory at a time): the lines are those of
    the tree walk, for a document with controls, revisions, nested and wrapped tables — and for
    every document of a kit."""
    from kitgen.ooxml.docx_text import docx_text
    from kitgen.ooxml.safe_read import docx_body_text
    data = _docx(NESTED)
    assert docx_body_text(data) == docx_text(data)
    assert "控件行 | x" in docx_body_text(data) and "修订插入的段落" in docx_body_text(data)
    for path in sorted(built.rglob("*.docx")):
        raw = path.read_bytes()
        assert docx_body_text(raw) == docx_text(raw), path.name


def test_a_dtd_in_a_streamed_document_is_refused():
    from kitgen.ooxml.safe_read import Unreadable, docx_body_text
    from kitgen.ooxml.ziputil import write_zip
    doc = ('<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa">]>'
           f'<w:document {_W}><w:body>' + _p("&a;") + "</w:body></w:document>")
    data = write_zip([("word/document.xml", doc.encode())])
    with pytest.raises(Unreadable) as e:
        docx_body_text(data)
    assert e.value.reason == "entity_bomb"


def test_the_streamed_workbook_text_is_read_xlsxs():
    """An edited workbook is read as a stream too: the same strings, in the same order, as the
    tree reader's cells (rows out of order, a row number twice, inline and shared strings, numbers)."""
    from kitgen.ooxml.safe_read import read_xlsx, xlsx_text
    from kitgen.ooxml.ziputil import write_zip
    main = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
    wb = f'<workbook {main} {rel}><sheets><sheet name="甲" sheetId="1" r:id="rId1"/></sheets></workbook>'
    rels = ('<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="worksheet" Target="worksheets/sheet1.xml"/></Relationships>')
    sst = f'<sst {main}><si><t>共享一</t></si><si><r><t>富</t></r><r><t>文本</t></r></si></sst>'
    sheet = (f'<worksheet {main}><sheetData>'
             '<row r="3"><c r="B3" t="s"><v>0</v></c><c r="A3" t="inlineStr"><is><t>内联</t></is></c></row>'
             '<row r="1"><c r="A1" t="s"><v>1</v></c><c r="C1"><v>42</v></c><c t="str"><v>公式值</v></c></row>'
             '<row r="3"><c r="D3" t="s"><v>0</v></c></row>'
             '<row><c r="A9" t="inlineStr"><is><t>无行号【待填写：电话】</t></is></c></row>'
             '</sheetData></worksheet>')
    data = write_zip([("xl/workbook.xml", wb.encode()), ("xl/_rels/workbook.xml.rels", rels.encode()),
                      ("xl/sharedStrings.xml", sst.encode()), ("xl/worksheets/sheet1.xml", sheet.encode())])
    tree = "\n".join(v for s in read_xlsx(data) for _r, cells in sorted(s.rows.items())
                     for _c, v in sorted(cells.items()) if isinstance(v, str) and v)
    assert xlsx_text(data) == tree
    assert "富文本" in tree and "无行号【待填写：电话】" in tree and "内联" not in tree   # row 3 given twice: the last wins
