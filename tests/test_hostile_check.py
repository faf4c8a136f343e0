"""Issue 14, items 5, 12 (kit.json), 13 and 14 (check during a rebuild): `kitgen check` reads a kit
handed back by a company — it must not write into it, not crash on a tampered kit.json, not let
file names drive the terminal, and not call a kit edited because a rebuild swapped it meanwhile."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from kitgen.cli.main import cli
from kitgen.kit import check, kitdir
from tests.fixtures import check_kits as K
from tests.test_rebuild import profiles  # noqa: F401


@pytest.fixture()
def kit(profiles, tmp_path) -> Path:
    out = tmp_path / "kit"
    K.write(profiles[0], out)
    return out


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


# ------------------------------------------------------------------ 5. check --xlsx
@pytest.mark.parametrize("target", ["kit.json", "06 申请资料/01 营业执照.pdf", "检查表.xlsx"])
def test_check_never_writes_into_the_kit(kit, target):
    scan = kit / "06 申请资料" / "01 营业执照.pdf"
    scan.write_bytes(b"%PDF the company's scan")
    before = K.snapshot(kit)
    result = run("check", kit, "--xlsx", kit / target)
    assert result.exit_code == 2, result.output
    assert "文件包之内" in result.output
    assert K.snapshot(kit) == before
    assert run("check", kit).exit_code in (0, 5)      # the kit is still a kit


def test_check_does_not_overwrite_a_file_that_is_not_its_report(kit, tmp_path):
    mine = tmp_path / "预算.xlsx"
    mine.write_bytes(b"PK\x03\x04 someone's workbook")
    result = run("check", kit, "--xlsx", mine)
    assert result.exit_code == 2 and "不是 kitgen check 写出的检查表" in result.output
    assert mine.read_bytes() == b"PK\x03\x04 someone's workbook"


def test_check_overwrites_its_own_earlier_report(kit, tmp_path):
    report = tmp_path / "检查表.xlsx"
    assert run("check", kit, "--xlsx", report).exit_code == 5
    first = report.read_bytes()
    result = run("check", kit, "--xlsx", report)
    assert result.exit_code == 5 and report.is_file() and report.read_bytes()[:2] == first[:2] == b"PK"


def test_check_does_not_write_through_a_link_into_the_kit(kit, tmp_path):
    link = tmp_path / "report.xlsx"
    link.symlink_to(kit / "kit.json")
    before = (kit / "kit.json").read_bytes()
    assert run("check", kit, "--xlsx", link).exit_code == 2
    assert (kit / "kit.json").read_bytes() == before


# ------------------------------------------------------------------ 12. a tampered kit.json
def _tamper(kit: Path, fn) -> None:
    data = json.loads((kit / "kit.json").read_text("utf-8"))
    fn(data)
    (kit / "kit.json").write_text(json.dumps(data, ensure_ascii=False), "utf-8")


def test_a_deeply_nested_kit_json_is_not_a_kit(kit):
    (kit / "kit.json").write_text("[" * 100_000 + "]" * 100_000, "utf-8")
    result = run("check", kit)
    assert result.exit_code == 6 and "内部错误" not in result.output


@pytest.mark.parametrize("bad", [["a", "b"], "a\x00b", {"x": 1}])
def test_kit_json_paths_that_are_lists_or_hold_nul_are_reported(kit, profiles, bad):
    def edit(data):
        data["files"][0]["path"] = bad
        data["files"][1]["new_version"] = bad
        data["dossier"][0]["files"] = [bad]
        data["indicators"][0]["files"] = [bad]
    _tamper(kit, edit)
    result = run("check", kit)
    assert result.exit_code == 5 and "内部错误" not in result.output, result.output
    assert "路径无效" in result.output
    K.write(profiles[0], kit)                          # … and a rebuild is not an internal error either


def test_a_deeply_nested_kit_json_does_not_break_a_rebuild(kit, profiles):
    (kit / "kit.json").write_text("[" * 100_000 + "]" * 100_000, "utf-8")
    with pytest.raises(Exception) as info:             # a folder that is not a kit: refused, not a crash
        K.write(profiles[0], kit)
    assert "不是 kitgen 文件包" in str(info.value)


def test_a_control_character_in_a_path_does_not_break_the_xlsx_report(kit, tmp_path):
    (kit / "06 申请资料" / "01 营业执照\x01.pdf").write_bytes(b"%PDF")
    _tamper(kit, lambda d: d["files"].append({"path": "bad\x07name.docx", "sha256": "0"}))
    report = tmp_path / "r.xlsx"
    result = run("check", kit, "--xlsx", report)
    assert result.exit_code == 5 and "内部错误" not in result.output, result.output
    assert report.is_file()


# ------------------------------------------------------------------ 13. the terminal
ESCAPES = "\x1b]0;pwned\x07\x1b[2J\x9b31m"


def test_check_escapes_control_characters_in_what_it_prints(kit):
    _tamper(kit, lambda d: (d["files"].append({"path": f"evil{ESCAPES}.docx", "title": "t", "sha256": "0"}),
                            d["profile"].update(company=f"公司{ESCAPES}")))
    for args in ([], ["--json"]):
        result = run("check", kit, *args)
        assert result.exit_code == 5
        for ch in ("\x1b", "\x07", "\x9b"):
            assert ch not in result.output, (args, result.output)
        assert "\\x1b" in result.output or "\\u001b" in result.output


def test_build_escapes_control_characters_in_what_it_prints(kit, profiles, monkeypatch):
    import functools
    import kitgen.api
    monkeypatch.setattr(kitgen.api, "plan", functools.partial(kitgen.api.plan, require_coverage=False))
    name = f"evil{ESCAPES}.docx"                       # listed in kit.json, edited, no longer generated:
    (kit / name).write_bytes(b"edited")                # the build names it as a kept orphan
    _tamper(kit, lambda d: d["files"].append({"path": name, "title": "t", "sha256": "0" * 64}))
    result = run("build", profiles[1], "-o", kit)
    assert result.exit_code == 0, result.output
    assert "evil" in result.output and "不再生成" in result.output
    for ch in ("\x1b", "\x07", "\x9b"):
        assert ch not in result.output


def test_problems_are_escaped_too(tmp_path):
    bad = tmp_path / "client.yaml"
    bad.write_text('company: {name: x}\nrole: producer\nindustry: household_appliances\n"wat\\e[2J\\e]0;x\\a": 1\n',
                   "utf-8")                            # YAML's \e and \a escapes: a key holding ESC and BEL
    result = run("validate", bad)
    assert result.exit_code == 3 and "wat" in result.output
    assert "\x1b" not in result.output and "\x07" not in result.output


# ------------------------------------------------------------------ 14. check during a rebuild
def test_check_during_a_rebuild_does_not_call_unchanged_files_edited(kit, profiles, monkeypatch):
    real = check._check_file
    state = {"swapped": False}

    def slow_check_file(*args, **kwargs):
        if not state["swapped"]:
            state["swapped"] = True
            K.write(profiles[1], kit)                 # the rebuild swaps the kit in mid-check
        return real(*args, **kwargs)
    monkeypatch.setattr(check, "_check_file", slow_check_file)
    monkeypatch.setattr(check, "_settle", 0)
    report = check.check_kit(kit)
    assert state["swapped"]
    assert [f.file for f in report.findings if f.kind == "edited"] == []


def test_check_waits_for_a_swap_under_way(kit, monkeypatch):
    journal = kitdir._journal(kit)
    journal.write_text(json.dumps({"pid": os.getpid(), "staging": "x"}), "utf-8")
    calls = []
    real = check._check_once

    def once(k):
        calls.append(1)
        if len(calls) == 2:
            journal.unlink()                         # the swap finished
        return real(k)
    monkeypatch.setattr(check, "_check_once", once)
    monkeypatch.setattr(check, "_settle", 0)
    check.check_kit(kit)
    assert len(calls) == 3
