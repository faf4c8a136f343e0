"""`kitgen check`: a reviewer's view of a kit folder as the company left it."""
from __future__ import annotations

import json
import os
import time
import tracemalloc
from pathlib import Path

import pytest
from click.testing import CliRunner

import kitgen.cli.check_cmd  # noqa: F401 - registers `check` on the group
from kitgen.kit import check
from kitgen.cli.main import cli
from kitgen.errors import NotAKit
from tests.fixtures import check_kits as K

PROFILE = K.SAMPLES / "appliance-producer.yaml"
MANUAL = "02 售后服务管理手册.docx"
MATRIX_XLSX = "07 指标对照表.xlsx"


@pytest.fixture(scope="session")
def master_kit(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("master") / "kit"
    K.write(PROFILE, out)
    return out


@pytest.fixture()
def kit(master_kit, tmp_path) -> Path:
    return K.copy_kit(master_kit, tmp_path / "kit")


def run(*args):
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def kinds(report, kind):
    return [f for f in report.findings if f.kind == kind]


def manifest(kit: Path) -> dict:
    return json.loads((kit / "kit.json").read_text("utf-8"))


def a_docx_with_placeholders(kit: Path) -> str:
    return next(f["path"] for f in manifest(kit)["files"] if f["path"] == MANUAL)


# ------------------------------------------------------------------------------ fresh and complete

def test_fresh_kit_reports_company_owed_items_and_exits_5(kit):
    report = check.check_kit(kit)
    assert not report.complete
    owed = {f.item for f in kinds(report, "dossier")}
    expected = {d["item"] for d in manifest(kit)["dossier"] if d["status"] == "company"}
    expected |= set(range(1, 12)) - {d["item"] for d in manifest(kit)["dossier"]}
    assert expected and owed == expected
    assert 1 in owed                                         # 营业执照 is always the company's
    assert any(f.count > 0 and f.samples for f in kinds(report, "placeholders"))
    assert not kinds(report, "missing") and not kinds(report, "unreadable") and not kinds(report, "edited")
    code, out = run("check", str(kit))
    assert code == 5
    assert "申请资料第 1 项" in out and "06 申请资料/" in out and "“01 ”" in out
    assert "【待填写" in out and "结论：文件包不完整" in out


def test_after_owed_files_are_in_place_and_placeholders_filled_it_exits_0(kit):
    K.put_owed_files(kit)
    assert K.fill_placeholders(kit) > 0
    report = check.check_kit(kit)
    assert [f.message for f in report.blocking] == []
    assert report.complete
    # the filled files differ from the build: reported, but only for information
    edited = kinds(report, "edited")
    assert edited and all(not f.blocking for f in edited)
    assert MANUAL in {f.file for f in edited}
    code, out = run("check", str(kit))
    assert code == 0, out
    assert "结论：文件包完整" in out and "企业修改过的文件" in out


def test_owed_item_may_be_a_numbered_folder_or_a_path_recorded_in_kit_json(kit):
    (kit / "06 申请资料" / "10 荣誉证书").mkdir()
    (kit / "06 申请资料" / "10 荣誉证书" / "ISO9001.jpg").write_bytes(b"\xff\xd8scan")
    (kit / "06 申请资料" / "1营业执照.pdf").write_bytes(b"%PDF")            # no padding, no space
    (kit / "06 申请资料" / "02 许可证.pdf").write_bytes(b"")               # empty: does not count
    data = manifest(kit)
    for d in data["dossier"]:
        if d["item"] == 3:
            d["files"].append("附件/产品检验报告.pdf")
    (kit / "附件").mkdir()
    (kit / "附件" / "产品检验报告.pdf").write_bytes(b"%PDF")
    (kit / "kit.json").write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    owed = {f.item for f in kinds(check.check_kit(kit), "dossier")}
    assert 10 not in owed and 1 not in owed and 3 not in owed
    assert 2 in owed


def test_a_generated_file_of_the_kit_never_counts_as_the_company_s(kit):
    # 03 申报产品介绍.docx is generated, but item 3 is owed: the company must add its own file
    data = manifest(kit)
    item3 = next(d for d in data["dossier"] if d["item"] == 3)
    if item3["status"] != "company":
        pytest.skip("item 3 is not company-owed in this build")
    assert 3 in {f.item for f in kinds(check.check_kit(kit), "dossier")}


# ------------------------------------------------------------------------------ damage

def test_deleted_kit_file_is_reported_missing_with_the_indicators_it_alone_covered(kit):
    data = manifest(kit)
    victim = next(f["path"] for f in data["files"] if f["kind"] == "procedure")
    alone = [i["id"] for i in data["indicators"] if i["status"] == "applicable" and i["files"] == [victim]]
    (kit / victim).unlink()
    report = check.check_kit(kit)
    assert [f.file for f in kinds(report, "missing")] == [victim]
    assert {f.indicator for f in kinds(report, "uncovered")} >= set(alone)
    code, out = run("check", str(kit))
    assert code == 5 and victim in out and "文件不存在" in out


def test_every_covering_file_gone_makes_the_indicator_uncovered(kit):
    data = manifest(kit)
    ind = next(i for i in data["indicators"] if i["status"] == "applicable" and i["level"] == 3)
    for f in ind["files"]:
        (kit / f).unlink(missing_ok=True)
    assert ind["id"] in {f.indicator for f in kinds(check.check_kit(kit), "uncovered")}


def test_edited_file_is_informational_only(kit):
    def edit(name, data):
        if name == "word/document.xml":
            return data.replace(b"</w:body>", b"<w:p><w:r><w:t>company note</w:t></w:r></w:p></w:body>")
        return data
    K.rezip(kit / MANUAL, edit)
    before = {(f.kind, f.file) for f in check.check_kit(kit).blocking}
    report = check.check_kit(kit)
    assert [f.file for f in kinds(report, "edited")] == [MANUAL]
    assert {(f.kind, f.file) for f in report.blocking} == before      # no new blocking finding
    assert "company note" in check.docx_body_text((kit / MANUAL).read_bytes())


def _finding_for(kit, rel):
    report = check.check_kit(kit)
    found = [f for f in report.findings if f.file == rel and f.kind == "unreadable"]
    assert len(found) == 1, report.findings
    return found[0], report


HANG = 20        # seconds: a hostile file must not hang the check (its speed is the benchmark's business)


def _timed_read(path: Path) -> tuple[check.Unreadable, float, int]:
    tracemalloc.start()
    t = time.perf_counter()
    try:
        check.file_text(path, check.read_regular(path))
    except check.Unreadable as e:
        err = e
    else:
        raise AssertionError("read without complaint")
    elapsed = time.perf_counter() - t
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return err, elapsed, peak


def test_truncated_docx_is_reported_as_damaged(kit):
    path = kit / MANUAL
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    err, elapsed, _ = _timed_read(path)
    assert err.reason in ("truncated", "corrupt") and elapsed < HANG
    f, report = _finding_for(kit, MANUAL)
    assert "截断" in f.message or "损坏" in f.message
    assert not report.complete


def test_truncated_in_the_middle_of_a_member_is_damaged_too(kit):
    path = kit / MANUAL
    data = bytearray(path.read_bytes())
    start = data.find(b"word/document.xml") + 40
    data[start:start + 2000] = bytes(2000)                 # scribble over compressed data
    path.write_bytes(bytes(data))
    err, elapsed, _ = _timed_read(path)
    assert err.reason in ("corrupt", "truncated", "bad_xml") and elapsed < HANG


def test_zip_bomb_claiming_and_holding_1_gib_is_refused_fast(kit):
    bomb = K.zip_bomb_docx(1024)
    assert len(bomb) < 2 * 1024 * 1024                     # the test file stays small
    (kit / MANUAL).write_bytes(bomb)
    err, elapsed, peak = _timed_read(kit / MANUAL)
    assert err.reason == "zip_bomb" and err.hostile
    assert elapsed < HANG and peak < 32 * 1024 * 1024
    f, _ = _finding_for(kit, MANUAL)
    assert "压缩炸弹" in f.message


def test_zip_bomb_under_the_size_cap_is_caught_by_its_ratio(kit):
    (kit / MANUAL).write_bytes(K.zip_bomb_docx(40))      # 40 MiB in about 40 KB
    err, elapsed, peak = _timed_read(kit / MANUAL)
    assert err.reason == "zip_bomb" and "压缩比" in err.message
    assert elapsed < HANG and peak < 32 * 1024 * 1024


def test_zip_declaring_less_than_it_holds_stops_at_the_declared_size(kit):
    (kit / MANUAL).write_bytes(K.lying_docx())
    err, elapsed, peak = _timed_read(kit / MANUAL)
    assert err.reason in ("corrupt", "bad_xml") and elapsed < HANG and peak < 32 * 1024 * 1024


def test_xml_entity_bomb_in_document_xml_is_refused_fast(kit):
    (kit / MANUAL).write_bytes(K.entity_bomb_docx())
    err, elapsed, peak = _timed_read(kit / MANUAL)
    assert err.reason == "entity_bomb" and err.hostile and elapsed < HANG and peak < 32 * 1024 * 1024
    f, _ = _finding_for(kit, MANUAL)
    assert "实体炸弹" in f.message


def test_xml_entity_bomb_in_an_xlsx_is_refused_fast(kit):
    path = kit / MATRIX_XLSX
    path.write_bytes(K.entity_bomb_xlsx(path.read_bytes()))
    err, elapsed, _ = _timed_read(path)
    assert err.reason == "entity_bomb" and elapsed < HANG


def test_parser_itself_never_expands_entities():
    # even without the DTD refusal, the parser is configured not to resolve entities
    from lxml import etree
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False)
    t = time.perf_counter()
    try:                                   # libxml2 either leaves the entity unexpanded or refuses it
        root = etree.fromstring(K.BILLION_LAUGHS.encode(), parser)
        assert len(etree.tostring(root)) < 10_000
    except etree.XMLSyntaxError as e:
        assert "amplification" in str(e) or "entity" in str(e).lower()
    assert time.perf_counter() - t < 1


@pytest.mark.parametrize("content, reason", [
    (b"%PDF-1.4\n%binary\n" * 50, "not_zip"),
    (b"", "not_zip"),
])
def test_not_an_office_file(kit, content, reason):
    (kit / MANUAL).write_bytes(content)
    f, _ = _finding_for(kit, MANUAL)
    assert f.reason == reason and "不是" in f.message


def test_an_excel_file_named_docx_is_not_a_word_file_and_vice_versa(kit):
    xlsx = (kit / MATRIX_XLSX).read_bytes()
    docx = (kit / MANUAL).read_bytes()
    (kit / MANUAL).write_bytes(xlsx)
    (kit / MATRIX_XLSX).write_bytes(docx)
    report = check.check_kit(kit)
    by_file = {f.file: f for f in kinds(report, "unreadable")}
    assert by_file[MANUAL].reason == "not_word" and "Word" in by_file[MANUAL].message
    assert by_file[MATRIX_XLSX].reason == "not_excel" and "Excel" in by_file[MATRIX_XLSX].message


@pytest.mark.skipif(os.name == "nt", reason="symlinks to devices")
def test_a_device_in_place_of_a_file_is_not_read(kit):
    (kit / MANUAL).unlink()
    os.symlink("/dev/zero", kit / MANUAL)
    f, _ = _finding_for(kit, MANUAL)
    assert f.reason == "not_file"


def test_placeholders_are_found_in_xlsx_cells_too(kit):
    from kitgen.ooxml.xlsx_writer import Sheet, write_xlsx
    (kit / MATRIX_XLSX).write_bytes(write_xlsx([Sheet("表", ["a", "b"], [["x", "【待填写：负责人】"],
                                                                      ["【待填写：负责人】", 3]])]))
    report = check.check_kit(kit)
    f = next(f for f in kinds(report, "placeholders") if f.file == MATRIX_XLSX)
    assert f.count == 2 and f.samples == ["【待填写：负责人】"]


def test_a_deletion_without_a_reason_and_a_path_outside_the_kit(kit):
    data = manifest(kit)
    ind = next(i for i in data["indicators"] if i["level"] == 3)
    ind["status"], ind["reason"] = "deleted", ""
    data["files"].append({"path": "../../etc/passwd", "kind": "rule", "title": "x", "sha256": "0"})
    (kit / "kit.json").write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    report = check.check_kit(kit)
    assert [f.indicator for f in kinds(report, "deletion_reason")] == [ind["id"]]
    assert [f.reason for f in kinds(report, "manifest")] == ["bad_path"]


def test_new_version_beside_a_kept_file_is_reported(kit):
    data = manifest(kit)
    entry = next(f for f in data["files"] if f["path"] == MANUAL)
    entry["new_version"] = "02 售后服务管理手册.new.docx"
    (kit / entry["new_version"]).write_bytes((kit / MANUAL).read_bytes())
    (kit / "kit.json").write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    f = kinds(check.check_kit(kit), "new_version")
    assert len(f) == 1 and not f[0].blocking and ".new.docx" in f[0].message


# ------------------------------------------------------------------------------ not a kit, outputs

def test_not_a_kit_exits_6(tmp_path):
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "a.docx").write_bytes(b"x")
    a_file = tmp_path / "f.txt"
    a_file.write_text("x")
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "kit.json").write_text("{not json", "utf-8")
    wrong = tmp_path / "wrong"
    wrong.mkdir()
    (wrong / "kit.json").write_text('["a list"]', "utf-8")
    for target in (plain, a_file, broken, wrong, tmp_path / "nowhere"):
        with pytest.raises(NotAKit):
            check.check_kit(target)
        code, out = run("check", str(target))
        assert code == 6, (target, out)
        assert "Traceback" not in out


def test_json_and_xlsx_outputs(kit, tmp_path):
    sheet_path = tmp_path / "审核.xlsx"
    result = CliRunner().invoke(cli, ["check", str(kit), "--json", "--xlsx", str(sheet_path)])
    assert result.exit_code == 5
    data = json.loads(result.stdout)
    assert data["complete"] is False and data["blocking"] == len([f for f in data["findings"] if f["blocking"]])
    assert {"kind", "label", "file", "message", "blocking"} <= set(data["findings"][0])
    sheets = check.read_xlsx(sheet_path.read_bytes())
    rows = sheets[0].rows
    assert rows[2][0] == "序号" or "序号" in rows[2].values()
    messages = [cells.get(4) for r, cells in rows.items() if r > 2]
    assert sum(1 for m in messages if m and "申请资料第" in m) == len([f for f in data["findings"]
                                                                   if f["kind"] == "dossier"])


def test_whole_check_is_fast(kit):
    t = time.perf_counter()
    check.check_kit(kit)
    assert time.perf_counter() - t < 3
