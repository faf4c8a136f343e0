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
