"""The check every file passes before a build reports success (kitgen/verify.py, issue 6)."""
from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

import kitgen
from kitgen.kit import verify as V
from kitgen.ooxml import verify as OV
from kitgen.errors import BuildFailed
from kitgen.kit.publish import OutputFile
from kitgen.ooxml.ziputil import read_entries, write_zip

ROOT = Path(__file__).resolve().parent.parent
GOOD = ROOT / "tests" / "fixtures" / "good.yaml"
MANUAL = "02 售后服务管理手册.docx"
MATRIX_XLSX = "07 指标对照表.xlsx"
W14 = "http://schemas.microsoft.com/office/word/2010/wordml"


@pytest.fixture(scope="module")
def kit_files() -> dict[str, OutputFile]:
    from kitgen.kit.publish import produce
    plan = kitgen.plan(kitgen.load_profile(GOOD), auto_overlays=False)
    return {f.path: f for f in produce(plan)}


def mutate(data: bytes, part: str, fn) -> bytes:
    entries = dict(read_entries(data))
    entries[part] = fn(entries[part])
    return write_zip(list(entries.items()))


def sub1(pattern: str, repl: str):
    """A mutation replacing the first match of ``pattern`` (on the part's text)."""
    def fn(b: bytes) -> bytes:
        text, n = re.subn(pattern, repl, b.decode("utf-8"), count=1)
        assert n == 1, pattern
        return text.encode("utf-8")
    return fn


def problems_of(path: str, data: bytes) -> str:
    return "\n".join(str(p) for p in V.check_file(path, data))


# ------------------------------------------------------------------ a real kit passes
def test_every_file_of_a_real_kit_passes(kit_files):
    files = list(kit_files.values())
    assert any(f.path.endswith(".xlsx") for f in files) and any(f.path.endswith(".txt") for f in files)
    for f in files:
        assert V.check_file(f.path, f.data) == [], f.path
    V.verify_files(files, b'{"format": 1}\n')


def test_fast_and_exact_paths_agree_on_every_part(kit_files):
    """The byte-level scans of the fast path find the same ids as the lxml path."""
    seen = 0
    for f in kit_files.values():
        if not f.path.endswith(".docx"):
            continue
        for name, content in read_entries(f.data):
            if not name.endswith(".xml") or name == "[Content_Types].xml":
                continue
            fast, exact = OV._analyse(content, ids=True), OV._analyse_lxml(content, ids=True)
            assert fast.message == exact.message == ""
            assert sorted(fast.rids) == sorted(exact.rids), (f.path, name)
            assert fast.ids == exact.ids, (f.path, name)
            seen += 1
    assert seen > 100


def test_verifying_a_kit_twice_is_clean_both_times(kit_files):
    files = list(kit_files.values())       # (the cache of shared parts must not hide a second file's problem)
    V.verify_files(files)
    V.verify_files(files)


# ------------------------------------------------------------------ each class of corruption
_BODY_END = r"<w:sectPr"
CORRUPTIONS = {
    "not-a-zip": (None, None, "不是有效的 zip"),
    "truncated-xml": ("word/document.xml", lambda b: b[: len(b) // 2], "XML 无法解析"),
    "unbound-prefix": ("word/document.xml", sub1(_BODY_END, "<x:bogus/><w:sectPr"), "XML 无法解析"),
    "dtd": ("word/document.xml", sub1(r"\?>", '?><!DOCTYPE w:document [<!ENTITY e "x">]>'), "DTD"),
    "c1-control": ("word/document.xml", sub1(r'(<w:t xml:space="preserve">)', "\\1\u0085"), "U+0085"),
    "del-as-reference": ("word/document.xml", sub1(r'(<w:t xml:space="preserve">)', "\\1&#127;"), "U+007F"),
    "duplicate-bookmark": ("word/document.xml", sub1(r'<w:bookmarkStart w:id="1"', '<w:bookmarkStart w:id="0"'),
                           "w:bookmarkStart/@w:id = 0 重复"),
    "duplicate-docpr": ("word/document.xml",
                        sub1(_BODY_END, '<w:p><w:r><w:drawing><wp:inline><wp:docPr id="1" name="a"/></wp:inline>'
                                        '</w:drawing></w:r></w:p><w:p><w:r><w:drawing><wp:inline>'
                                        '<wp:docPr id="1" name="b"/></wp:inline></w:drawing></w:r></w:p><w:sectPr'),
                        "wp:docPr/@id = 1 重复"),
    "duplicate-paraid": ("word/document.xml",
                         lambda b: re.sub(rb"<w:p>", b'<w:p xmlns:w14="' + W14.encode() + b'" w14:paraId="0000ABCD">',
                                          b, count=2), "w14:paraId = 0000ABCD 重复"),
    "paraid-too-large": ("word/document.xml",
                         lambda b: re.sub(rb"<w:p>", b'<w:p xmlns:w14="' + W14.encode() + b'" w14:paraId="80000000">',
                                          b, count=1), "80000000"),
    "duplicate-rel-id": ("word/_rels/document.xml.rels", sub1(r'Id="rId2"', 'Id="rId1"'), "关系编号 rId1 重复"),
    "missing-target": ("word/_rels/document.xml.rels", sub1(r'Target="styles.xml"', 'Target="nowhere.xml"'),
                       "nowhere.xml 不存在"),
    "undeclared-rid": ("word/document.xml", sub1(r'r:id="rId\d+"', 'r:id="rId999"'), "未声明的关系编号：rId999"),
    "override-for-missing-part": ("[Content_Types].xml",
                                  sub1(r"</Types>", '<Override PartName="/word/ghost.xml" '
                                                    'ContentType="application/xml"/></Types>'), "/word/ghost.xml"),
    "wrong-main-type": ("[Content_Types].xml",
                        sub1(r'(PartName="/word/document.xml" ContentType=")[^"]+"', '\\1application/xml"'),
                        "主文档的内容类型"),
}


@pytest.mark.parametrize("case", sorted(CORRUPTIONS))
def test_each_corruption_is_found_and_named(kit_files, case):
    part, fn, expected = CORRUPTIONS[case]
    data = kit_files[MANUAL].data
    corrupt = b"PK\x03\x04 not really a zip" if part is None else mutate(data, part, fn)
    found = problems_of(MANUAL, corrupt)
    assert expected in found, found
    assert found.startswith(MANUAL), found            # the file is named first
    if part:
        assert (part if case != "wrong-main-type" else "word/document.xml") in found   # … and the part
    with pytest.raises(BuildFailed) as exc:
        V.verify_files([OutputFile(MANUAL, "manual", "手册", corrupt)])
    assert exc.value.exit_code == 4


def test_a_part_missing_from_content_types(kit_files):
    entries = read_entries(kit_files[MANUAL].data) + [("word/extra.bin", b"\0\1")]
    found = problems_of(MANUAL, write_zip(entries))
    assert "word/extra.bin" in found and "Content_Types" in found


def test_an_orphan_relationship_part_and_an_escaping_entry(kit_files):
    entries = read_entries(kit_files[MANUAL].data)
    orphan = write_zip(entries + [("word/_rels/ghost.xml.rels", dict(entries)["word/_rels/document.xml.rels"])])
    assert "ghost.xml 不存在" in problems_of(MANUAL, orphan)
    escaping = write_zip(entries + [("../evil.xml", b"<a/>")])
    assert "zip 条目名称" in problems_of(MANUAL, escaping)


def test_duplicate_zip_entries(kit_files):
    import io
    import warnings
    import zipfile
    buf = io.BytesIO(kit_files[MANUAL].data)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with zipfile.ZipFile(buf, "a") as zf:
            zf.writestr("word/document.xml", b"<x/>")
    assert "重复的条目" in problems_of(MANUAL, buf.getvalue())


def test_docpr_ids_must_be_unique_across_header_and_body(kit_files):
    data = kit_files[MANUAL].data
    drawing = ('<w:r xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing">'
               '<w:drawing><wp:inline><wp:docPr id="{}" name="logo"/></wp:inline></w:drawing></w:r>')
    body_ids = re.findall(rb'<wp:docPr id="(\d+)"', dict(read_entries(data))["word/document.xml"])
    assert body_ids, "the manual of good.yaml has the org chart picture"
    clash = mutate(data, "word/header1.xml", sub1(r"</w:p>", drawing.format(body_ids[0].decode()) + "</w:p>"))
    found = problems_of(MANUAL, clash)
    assert "wp:docPr/@id" in found and "另见" in found
    fine = mutate(data, "word/header1.xml", sub1(r"</w:p>", drawing.format("9999") + "</w:p>"))
    assert problems_of(MANUAL, fine) == ""


def test_a_comment_hiding_a_fake_duplicate_is_not_a_false_alarm(kit_files):
    data = mutate(kit_files[MANUAL].data, "word/document.xml",
                  sub1(_BODY_END, '<!-- <w:bookmarkStart w:id="0" w:name="x"/> --><w:sectPr'))
    assert problems_of(MANUAL, data) == ""


def test_spreadsheets_are_checked_too(kit_files):
    data = kit_files[MATRIX_XLSX].data
    assert problems_of(MATRIX_XLSX, data) == ""
    bad = mutate(data, "xl/sharedStrings.xml", sub1(r"(<t xml:space=\"preserve\">)", "\\1\u0086"))
    assert "U+0086" in problems_of(MATRIX_XLSX, bad)
    bad = mutate(data, "xl/_rels/workbook.xml.rels", sub1(r'Target="worksheets/sheet1.xml"', 'Target="worksheets/x.xml"'))
    assert "worksheets/x.xml" in problems_of(MATRIX_XLSX, bad)


def test_text_and_json_files():
    assert V.check_file("a.txt", "组织机构图\n".encode()) == []
    assert "UTF-8" in str(V.check_file("a.txt", "中文".encode("gbk"))[0])
    assert "U+0007" in str(V.check_file("a.txt", b"a\x07b")[0])
    assert "JSON" in str(V.check_file("kit.json", b"{")[0])


# ------------------------------------------------------------------ paths
@pytest.mark.parametrize("path", ["../x.docx", "a/../../x.docx", "/etc/passwd", "C:/x.docx", "a\\b.docx", "",
                                  "a//b.docx", "./a.docx", "a\x00b.docx", "a/\x85.docx", "x.docx ",
                                  "名" * 100 + ".docx"])
def test_unsafe_paths_are_refused(path):
    assert V.check_path(path) is not None
    with pytest.raises(BuildFailed) as exc:
        V.verify_files([OutputFile(path, "dossier", "x", b"")])
    assert "输出文件路径不安全" in str(exc.value)


def test_paths_that_collide_on_windows_or_macos_are_refused():
    files = [OutputFile("06 申请资料/a.txt", "dossier", "x", b"a"), OutputFile("06 申请资料/A.TXT", "dossier", "y", b"b")]
    with pytest.raises(BuildFailed, match="重复"):
        V.verify_files(files)
    with pytest.raises(BuildFailed, match="重复"):
        V.verify_files([OutputFile("KIT.json", "dossier", "x", b"{}")])
    with pytest.raises(BuildFailed, match="文件夹同名"):
        V.verify_files([OutputFile("a", "dossier", "x", b""), OutputFile("a/b.txt", "dossier", "y", b"")])


# ------------------------------------------------------------------ wired into the build
@pytest.fixture
def corrupt_matrix(monkeypatch):
    """The matrix publisher returns a .docx whose document.xml is broken."""
    from kitgen.kit import publish
    real = publish.publish_matrix

    def broken(plan):
        files = real(plan)
        for f in files:
            if f.path.endswith(".docx"):
                f.data = mutate(f.data, "word/document.xml", lambda b: b[:-20])
        return files
    monkeypatch.setattr(publish, "publish_matrix", broken)


def test_a_failing_file_stops_the_build_before_anything_is_written(corrupt_matrix, tmp_path):
    out = tmp_path / "kit"
    with pytest.raises(BuildFailed) as exc:
        kitgen.build(GOOD, out, auto_overlays=False)
    assert exc.value.exit_code == 4
    assert "07 指标对照表.docx" in str(exc.value) and "word/document.xml" in str(exc.value)
    assert not out.exists()
    assert sorted(os.listdir(tmp_path)) == []          # no staging folder left behind either


def test_a_failing_file_leaves_an_existing_kit_untouched(corrupt_matrix, monkeypatch, tmp_path):
    out = tmp_path / "kit"
    monkeypatch.undo()
    kitgen.build(GOOD, out, auto_overlays=False)
    before = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in out.rglob("*") if p.is_file()}
    from kitgen.kit import publish
    real = publish.publish_matrix
    monkeypatch.setattr(publish, "publish_matrix",
                        lambda plan: [OutputFile(f.path, f.kind, f.title, b"garbage" if f.path.endswith("xlsx") else f.data,
                                                 f.number, f.indicators) for f in real(plan)])
    with pytest.raises(BuildFailed, match="07 指标对照表.xlsx"):
        kitgen.build(GOOD, out, auto_overlays=False)
    after = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in out.rglob("*") if p.is_file()}
    assert after == before


def test_cli_exit_4_names_the_file_without_traceback(corrupt_matrix, tmp_path):
    from kitgen.cli.main import cli
    out = tmp_path / "kit"
    result = CliRunner().invoke(cli, ["build", str(GOOD), "-o", str(out)])
    assert result.exit_code == 4, result.output
    assert "07 指标对照表.docx" in result.output and "未通过校验" in result.output
    assert "Traceback" not in result.output
    assert not out.exists()


def test_the_manifest_is_checked(monkeypatch, tmp_path):
    from kitgen.kit import publish
    monkeypatch.setattr(publish, "manifest_bytes", lambda data: b"{not json")
    with pytest.raises(BuildFailed, match="kit.json"):
        kitgen.build(GOOD, tmp_path / "kit", auto_overlays=False)
    assert not (tmp_path / "kit").exists()
