"""Edit-safe rebuilds (kitgen/render/kitdir.py): the company's edits survive, a crash changes nothing."""
from __future__ import annotations

import copy
import functools
import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from kitgen.kit import check
from kitgen.kit import kitdir
from tests.fixtures import check_kits as K

PROFILE = K.SAMPLES / "appliance-producer.yaml"
MANUAL = "02 售后服务管理手册.docx"
MANUAL_NEW = "02 售后服务管理手册.new.docx"


@pytest.fixture(scope="session")
def profiles(tmp_path_factory) -> tuple[str, str]:
    """The sample, and the same company with another hotline (changes many documents)."""
    folder = tmp_path_factory.mktemp("profiles")
    text = PROFILE.read_text("utf-8")
    assert "400-826-5188" in text
    b = folder / "b.yaml"
    b.write_text(text.replace("400-826-5188", "400-826-9999"), "utf-8")
    return str(PROFILE), str(b)                 # the sample itself is rendered once for test_check too


@pytest.fixture()
def kit(profiles, tmp_path) -> Path:
    out = tmp_path / "kit"
    K.write(profiles[0], out)
    return out


def edit_docx(path: Path, note: str = "本公司补充的内容") -> bytes:
    def edit(name, data):
        if name == "word/document.xml":
            return data.replace(b"</w:body>", f"<w:p><w:r><w:t>{note}</w:t></w:r></w:p></w:body>".encode())
        return data
    K.rezip(path, edit)
    return path.read_bytes()


def data_of(profile: str, rel: str) -> bytes:
    files, _ = K.produced(profile)
    return next(f.data for f in files if f.path == rel)


def staging_left(kit: Path) -> list[str]:
    return [p.name for p in kit.parent.iterdir() if p.name.startswith(f".{kit.name}.kitgen-")]


def test_the_two_profiles_differ_in_many_files(profiles):
    a, _ = K.produced(profiles[0])
    b, _ = K.produced(profiles[1])
    changed = [x.path for x, y in zip(a, b) if x.data != y.data]
    assert MANUAL in changed and len(changed) >= 3


def test_edited_file_survives_a_rebuild_and_the_new_version_lands_beside_it(kit, profiles):
    edited = edit_docx(kit / MANUAL)
    (kit / "06 申请资料" / "01 营业执照.pdf").write_bytes(b"%PDF scan")     # a file of the company's
    result = K.write(profiles[1], kit)
    assert result.kept == [MANUAL] and result.new_versions == [MANUAL_NEW]
    assert (kit / MANUAL).read_bytes() == edited
    assert (kit / MANUAL_NEW).read_bytes() == data_of(profiles[1], MANUAL)
    assert (kit / "06 申请资料" / "01 营业执照.pdf").read_bytes() == b"%PDF scan"
    files, _ = K.produced(profiles[1])
    for f in files:                                   # every untouched file is the new version
        if f.path != MANUAL:
            assert (kit / f.path).read_bytes() == f.data, f.path
    entry = next(f for f in json.loads((kit / "kit.json").read_text("utf-8"))["files"] if f["path"] == MANUAL)
    assert entry["new_version"] == MANUAL_NEW
    report = check.check_kit(kit)
    assert [f.file for f in report.findings if f.kind == "edited"] == [MANUAL]
    assert [f.file for f in report.findings if f.kind == "new_version"] == [MANUAL]
    assert not staging_left(kit)


def test_the_cli_says_which_file_was_kept(kit, profiles, monkeypatch):
    import kitgen.api
    from kitgen.cli.main import cli
    monkeypatch.setattr(kitgen.api, "plan", functools.partial(kitgen.api.plan, require_coverage=False))
    edit_docx(kit / MANUAL)
    result = CliRunner().invoke(cli, ["build", profiles[1], "-o", str(kit)])
    assert result.exit_code == 0, result.output
    assert f"保留了企业修改过的文件：{MANUAL}" in result.output and MANUAL_NEW in result.output
    assert "--force" in result.output


def test_force_replaces_the_edited_file_and_removes_the_stale_new_version(kit, profiles):
    edit_docx(kit / MANUAL)
    K.write(profiles[1], kit)
    assert (kit / MANUAL_NEW).is_file()
    result = K.write(profiles[1], kit, force=True)
    assert result.kept == []
    assert (kit / MANUAL).read_bytes() == data_of(profiles[1], MANUAL)
    assert not (kit / MANUAL_NEW).exists()
    assert "new_version" not in json.dumps(json.loads((kit / "kit.json").read_text("utf-8")))
    assert not [f for f in check.check_kit(kit).findings if f.kind in ("edited", "new_version")]


@pytest.mark.parametrize("force", [False, True])
def test_an_interrupted_build_leaves_the_previous_kit_intact(kit, profiles, force):
    edit_docx(kit / MANUAL)
    before = K.snapshot(kit)
    with pytest.raises(RuntimeError, match="simulated"):
        K.write(profiles[1], kit, force=force, _fail_after=3)
    assert K.snapshot(kit) == before                  # same bytes, same mtimes, nothing added
    assert not staging_left(kit)


def test_an_interrupted_first_build_leaves_nothing(profiles, tmp_path):
    out = tmp_path / "kit"
    with pytest.raises(RuntimeError):
        K.write(profiles[0], out, _fail_after=3)
    assert list(tmp_path.iterdir()) == []


def test_rebuilding_with_the_same_inputs_changes_nothing(kit, profiles):
    before = K.snapshot(kit)
    dir_mtime = kit.stat().st_mtime_ns
    result = K.write(profiles[0], kit, force=True)
    assert result.kept == []
    assert K.snapshot(kit) == before and kit.stat().st_mtime_ns == dir_mtime


def test_rebuilding_twice_with_a_kept_file_changes_nothing_the_second_time(kit, profiles):
    edit_docx(kit / MANUAL)
    K.write(profiles[1], kit)
    before = K.snapshot(kit)
    result = K.write(profiles[1], kit)
    assert result.kept == [MANUAL]
    assert K.snapshot(kit) == before


def test_zip_is_not_rewritten_when_nothing_changed(kit, profiles):
    K.write(profiles[0], kit, make_zip=True)
    zpath = kit.with_name(kit.name + ".zip")
    stamp = zpath.stat().st_mtime_ns
    K.write(profiles[0], kit, make_zip=True)
    assert zpath.stat().st_mtime_ns == stamp


def test_a_file_dropped_from_the_kit_is_removed_only_when_untouched(kit, profiles):
    files, data = K.produced(profiles[0])
    drop = [f for f in files if f.kind == "form"][:2]
    keep_files = [f for f in files if f not in drop]
    manifest = copy.deepcopy(data)
    manifest["files"] = [e for e in manifest["files"] if e["path"] not in {f.path for f in drop}]
    edited = edit_docx(kit / drop[1].path)
    kitdir.write_kit(kit, keep_files, manifest)
    assert not (kit / drop[0].path).exists()
    assert (kit / drop[1].path).read_bytes() == edited


def test_a_kit_moved_aside_by_a_crash_during_the_swap_is_recovered(kit, profiles):
    edited = edit_docx(kit / MANUAL)
    aside = kit.with_name(f".{kit.name}.kitgen-old")
    staging = kit.with_name(f".{kit.name}.kitgen-abcd1234")
    K.copy_kit(kit, staging)                          # the staged kit, complete with its kit.json
    os.replace(kit, aside)                            # as if killed between the two renames …
    kit.with_name(f".{kit.name}.kitgen-swap").write_text(  # … of a journalled swap
        json.dumps({"pid": 2 ** 22 + 12345, "staging": staging.name}), "utf-8")
    result = K.write(profiles[1], kit)
    assert result.kept == [MANUAL] and (kit / MANUAL).read_bytes() == edited
    assert not aside.exists() and not staging.exists() and not staging_left(kit)


def test_a_folder_that_is_not_a_kit_is_not_overwritten(profiles, tmp_path):
    from kitgen.errors import BuildFailed
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("mine", "utf-8")
    with pytest.raises(BuildFailed):
        K.write(profiles[0], out)
    assert [p.name for p in out.iterdir()] == ["notes.txt"]


def test_a_non_empty_folder_that_is_not_a_kit_is_refused_even_with_force(tmp_path):
    """`-o ~` or `-o /tmp` by mistake must never move or rewrite someone's folder."""
    from kitgen.errors import BuildFailed
    import kitgen
    folder = tmp_path / "documents"
    folder.mkdir()
    (folder / "合同.docx").write_bytes(b"mine")
    profile = Path(__file__).resolve().parent / "fixtures" / "good.yaml"
    for force in (False, True):
        with pytest.raises(BuildFailed) as info:
            kitgen.build(profile, folder, force=force)
        assert "不是 kitgen 文件包" in str(info.value)
    assert sorted(p.name for p in folder.iterdir()) == ["合同.docx"]
    assert (folder / "合同.docx").read_bytes() == b"mine"
