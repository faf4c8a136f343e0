"""Issue 14, items 2, 3, 4, 6 and 7: the kit folder on disk — nothing the company edited or added
is lost, nothing of another kit is let in, the company's folders stay as they were, and every
unusable output location gets a clear message with the right exit code."""
from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import stat
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from kitgen.cli.main import cli
from kitgen.errors import BuildFailed, KitgenError
from kitgen.kit import check, kitdir
from tests.fixtures import check_kits as K
from tests.test_rebuild import MANUAL, MANUAL_NEW, data_of, edit_docx, profiles, staging_left  # noqa: F401

GOOD = Path(__file__).resolve().parent / "fixtures" / "good.yaml"


@pytest.fixture()
def kit(profiles, tmp_path) -> Path:
    out = tmp_path / "kit"
    K.write(profiles[0], out)
    return out


def word_save(path: Path, data: bytes) -> None:
    """How Word saves: a temporary file beside the document, renamed over it."""
    tmp = path.with_name("~WRL0001.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


# ------------------------------------------------------------------ 2. an edit saved during a rebuild
@pytest.mark.parametrize("which", ["rewritten", "unchanged"])
def test_a_file_saved_while_the_kit_is_rebuilt_is_kept(kit, profiles, monkeypatch, which):
    """The manual changes between the two profiles (it is rewritten); a form does not (it is linked
    into the new kit). Either way the company's save, made after kitgen looked at the file and
    before the swap, must survive — with kitgen's version beside it."""
    files, _ = K.produced(profiles[1])
    a, _ = K.produced(profiles[0])
    same = next(f.path for f, g in zip(files, a) if f.data == g.data and f.path.endswith(".docx"))
    rel = MANUAL if which == "rewritten" else same
    theirs = edit_docx(_copy(kit / rel, kit.parent / "edited.docx"))

    def save_during(stage, out_dir):
        if stage == "staged":
            word_save(out_dir / rel, theirs)
    monkeypatch.setattr(kitdir, "_hook", save_during)
    result = K.write(profiles[1], kit)
    assert (kit / rel).read_bytes() == theirs
    alt = kitdir.new_name(rel)
    assert (kit / alt).read_bytes() == data_of(profiles[1], rel)
    assert rel in result.kept and alt in result.new_versions
    entry = next(e for e in json.loads((kit / "kit.json").read_text("utf-8"))["files"] if e["path"] == rel)
    assert entry["new_version"] == alt
    assert rel in [f.file for f in check.check_kit(kit).findings if f.kind == "edited"]
    assert not staging_left(kit)


def _copy(src: Path, dest: Path) -> Path:
    shutil.copy(src, dest)
    return dest


def test_a_file_added_while_the_kit_is_rebuilt_is_kept(kit, profiles, monkeypatch):
    def add_during(stage, out_dir):
        if stage == "staged":
            (out_dir / "06 申请资料" / "01 营业执照.pdf").write_bytes(b"%PDF scan")
    monkeypatch.setattr(kitdir, "_hook", add_during)
    result = K.write(profiles[1], kit)
    assert (kit / "06 申请资料" / "01 营业执照.pdf").read_bytes() == b"%PDF scan"
    assert "06 申请资料/01 营业执照.pdf" in result.rescued


# ------------------------------------------------------------------ 3. stale swap folders
def test_a_stale_old_kit_is_never_restored_into_another_clients_kit(kit, profiles, tmp_path):
    """A build killed during the swap left .kit.kitgen-old; the kit was then deleted; the next
    build (of another company) must not bring that kit's files back."""
    (kit / "06 申请资料" / "01 营业执照.pdf").write_bytes(b"%PDF client A's licence")
    aside = kit.with_name(f".{kit.name}.kitgen-old")
    shutil.copytree(kit, aside)                       # left by a build killed during the swap
    shutil.rmtree(kit)                                # the consultant deletes the kit
    other = tmp_path / "other.yaml"
    other.write_text(GOOD.read_text("utf-8"), "utf-8")
    from tests.fixtures.check_kits import write
    result = write(str(other), kit)
    assert not (kit / "06 申请资料" / "01 营业执照.pdf").exists()
    assert json.loads((kit / "kit.json").read_text("utf-8"))["profile"]["company"] == "测试电器有限公司"
    assert not aside.exists()                         # moved out of kitgen's way, kept, and said so
    parked = [p for p in kit.parent.iterdir() if p.name.startswith(aside.name + "-")]
    assert len(parked) == 1 and (parked[0] / "06 申请资料" / "01 营业执照.pdf").is_file()
    assert any(aside.name in n for n in result.notes)


def test_another_companys_kit_is_not_rebuilt_over(kit, tmp_path):
    (kit / "06 申请资料" / "01 营业执照.pdf").write_bytes(b"%PDF client A's licence")
    other = tmp_path / "other.yaml"
    other.write_text(GOOD.read_text("utf-8"), "utf-8")
    before = K.snapshot(kit)
    with pytest.raises(BuildFailed, match="文件包"):
        K.write(str(other), kit)
    assert K.snapshot(kit) == before


def test_stale_staging_folders_are_removed(kit, profiles):
    """SIGKILL (or an older kitgen on TERM) leaves .NAME.kitgen-XXXXXXXX: the next build removes it."""
    leftover = kit.with_name(f".{kit.name}.kitgen-x1y2z3_4")
    shutil.copytree(kit, leftover)
    (leftover / kitdir.STAGING_MARK).write_text("999999999", "ascii")
    result = K.write(profiles[1], kit)
    assert not leftover.exists()
    assert any(leftover.name in n for n in result.notes)
    assert not staging_left(kit)


def test_a_staging_folder_of_a_running_build_is_left_alone(kit, profiles):
    busy = kit.with_name(f".{kit.name}.kitgen-busy1234")
    busy.mkdir()
    (busy / kitdir.STAGING_MARK).write_text(str(os.getppid()), "ascii")     # a live process
    K.write(profiles[1], kit)
    assert busy.is_dir()


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_term_and_hup_stop_a_build_like_ctrl_c(profiles, tmp_path, monkeypatch, signum):
    import kitgen.api
    out = tmp_path / "kit"
    K.write(profiles[0], out)
    before = K.snapshot(out)
    monkeypatch.setattr(kitgen.api, "plan", __import__("functools").partial(kitgen.api.plan, require_coverage=False))

    def killed(stage, out_dir):
        if stage == "staged":
            os.kill(os.getpid(), signum)
    monkeypatch.setattr(kitdir, "_hook", killed)
    result = CliRunner().invoke(cli, ["build", profiles[1], "-o", str(out)])
    assert result.exit_code == 128 + signum, result.output
    assert "已终止" in result.output
    assert K.snapshot(out) == before
    assert not staging_left(out)
    assert signal.getsignal(signum) in (signal.SIG_DFL, signal.default_int_handler, None) or \
        callable(signal.getsignal(signum))


# ------------------------------------------------------------------ 4. --force and orphans
def _drop_forms(profile: str, n: int = 1):
    import copy
    files, data = K.produced(profile)
    drop = [f for f in files if f.kind == "form"][:n]
    manifest = copy.deepcopy(data)
    manifest["files"] = [e for e in manifest["files"] if e["path"] not in {f.path for f in drop}]
    return [f for f in files if f not in drop], manifest, drop


@pytest.mark.parametrize("force", [False, True])
def test_an_edited_file_no_longer_generated_is_kept_and_named(kit, profiles, force):
    keep, manifest, drop = _drop_forms(profiles[0])
    edited = edit_docx(kit / drop[0].path)
    result = kitdir.write_kit(kit, keep, manifest, force=force)
    assert (kit / drop[0].path).read_bytes() == edited
    assert result.orphans == [drop[0].path]
    data = json.loads((kit / "kit.json").read_text("utf-8"))
    assert [o["path"] for o in data["orphans"]] == [drop[0].path]
    report = check.check_kit(kit)
    assert [f.file for f in report.findings if f.kind == "orphan"] == [drop[0].path]
    # a second rebuild still keeps and names it
    again = kitdir.write_kit(kit, keep, json.loads(json.dumps(manifest)), force=force)
    assert again.orphans == [drop[0].path] and (kit / drop[0].path).read_bytes() == edited


def test_the_cli_names_the_kept_orphan(profiles, tmp_path):
    """recycling: false drops the recycling procedure; the company had edited it."""
    src = Path(profiles[0]).read_text("utf-8")
    assert "recycling: true" in src
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    a.write_text(src, "utf-8")
    b.write_text(src.replace("recycling: true", "recycling: false"), "utf-8")
    out = tmp_path / "kit"
    assert CliRunner().invoke(cli, ["build", str(a), "-o", str(out)]).exit_code == 0
    proc = next(p for p in (out / "03 程序文件").iterdir() if "回收" in p.name)
    edited = edit_docx(proc)
    for force in ([], ["--force"]):
        result = CliRunner().invoke(cli, ["build", str(b), "-o", str(out), *force])
        assert result.exit_code == 0, result.output
        assert proc.read_bytes() == edited
        assert proc.name in result.output and "不再生成" in result.output


# ------------------------------------------------------------------ 6. the output folder
def test_output_through_a_symlink_updates_the_target_and_keeps_the_link(profiles, tmp_path):
    target = tmp_path / "real" / "kit"
    target.parent.mkdir()
    link = tmp_path / "link"
    link.symlink_to(target, target_is_directory=True)
    K.write(profiles[0], link)
    assert link.is_symlink() and (target / "kit.json").is_file()
    K.write(profiles[1], link)                        # the rebuild used to be an internal error
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert (target / MANUAL).read_bytes() == data_of(profiles[1], MANUAL)
    assert not staging_left(target) and not staging_left(link)


def test_a_rebuild_keeps_the_kits_mode_and_the_companys_folders(kit, profiles):
    os.chmod(kit, 0o2775)
    private = kit / "06 申请资料" / "10 荣誉证书"
    private.mkdir()
    (private / "证书.pdf").write_bytes(b"%PDF")
    os.chmod(private, 0o700)
    empty = kit / "企业自留" / "空文件夹"
    empty.mkdir(parents=True)
    (kit / "说明.lnk").symlink_to("06 申请资料")
    K.write(profiles[1], kit)
    assert stat.S_IMODE(kit.stat().st_mode) == 0o2775
    assert stat.S_IMODE(private.stat().st_mode) == 0o700
    assert empty.is_dir() and (kit / "说明.lnk").is_symlink()
    assert (private / "证书.pdf").read_bytes() == b"%PDF"


def test_a_new_kit_gets_the_usual_folder_mode(profiles, tmp_path):
    out = tmp_path / "kit"
    K.write(profiles[0], out)
    mask = os.umask(0)
    os.umask(mask)
    assert stat.S_IMODE(out.stat().st_mode) == 0o777 & ~mask


@pytest.mark.parametrize("where", ["kit", "subfolder"])
def test_a_read_only_kit_is_not_replaced(kit, profiles, where):
    folder = kit if where == "kit" else kit / "03 程序文件"
    os.chmod(folder, 0o555)
    try:
        before = K.snapshot(kit)
        with pytest.raises(BuildFailed, match="只读"):
            K.write(profiles[1], kit)
        assert K.snapshot(kit) == before and not staging_left(kit)
    finally:
        os.chmod(folder, 0o755)


def test_a_read_only_company_folder_is_carried_over_and_rebuilds_go_on(kit, profiles):
    ro = kit / "06 申请资料" / "10 荣誉证书"
    ro.mkdir()
    (ro / "a.pdf").write_bytes(b"%PDF")
    os.chmod(ro, 0o555)
    try:
        for p in (profiles[1], profiles[0], profiles[1]):
            K.write(p, kit)
            assert (ro / "a.pdf").read_bytes() == b"%PDF"
            assert stat.S_IMODE(ro.stat().st_mode) == 0o555
            assert not [n for n in os.listdir(kit.parent) if n.endswith("kitgen-old")]
    finally:
        os.chmod(ro, 0o755)


@pytest.mark.parametrize("arg,code,words", [
    ("", 2, "不能为空"),
    (".", 2, "当前"),
    ("/", 2, "根目录"),
    ("afile/sub", 2, "是文件"),
])
def test_unusable_output_paths_get_a_message_and_exit_code(tmp_path, monkeypatch, arg, code, words):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "afile").write_text("x", "utf-8")
    result = CliRunner().invoke(cli, ["build", str(GOOD), "-o", arg])
    assert result.exit_code == code, result.output
    assert words in result.output and "内部错误" not in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile"]


@pytest.mark.parametrize("err,words", [(errno.ENOSPC, "磁盘空间不足"), (errno.EACCES, "没有写入权限"),
                                       (errno.EROFS, "只读")])
def test_a_full_disk_or_a_read_only_parent_is_a_build_failure_naming_the_folder(kit, profiles, monkeypatch,
                                                                                 err, words):
    before = K.snapshot(kit)
    real = Path.write_bytes

    def failing(self, data):
        if ".kitgen-" in str(self):
            raise OSError(err, os.strerror(err), str(self))
        return real(self, data)
    monkeypatch.setattr(Path, "write_bytes", failing)
    with pytest.raises(BuildFailed, match=words):
        K.write(profiles[1], kit)
    assert K.snapshot(kit) == before and not staging_left(kit)


def test_the_cli_maps_a_full_disk_to_exit_4(profiles, tmp_path, monkeypatch):
    import tempfile
    monkeypatch.setattr(tempfile, "mkdtemp", lambda **kw: (_ for _ in ()).throw(
        OSError(errno.EACCES, "Permission denied", kw.get("dir"))))
    result = CliRunner().invoke(cli, ["build", str(GOOD), "-o", str(tmp_path / "kit")])
    assert result.exit_code == 4 and "没有写入权限" in result.output and "内部错误" not in result.output


# ------------------------------------------------------------------ 7. the zip
def test_zip_skips_links_and_reports_them(kit, profiles, tmp_path):
    secret = tmp_path / "shadow"
    secret.write_text("root:$6$secret", "utf-8")
    (kit / "06 申请资料" / "01 营业执照.pdf").symlink_to(secret)
    result = K.write(profiles[0], kit, make_zip=True)
    with zipfile.ZipFile(result.zip_path) as zf:
        names = zf.namelist()
        assert not [n for n in names if "营业执照" in n]
        assert all(b"$6$secret" not in zf.read(n) for n in names)
    assert result.zip_skipped == ["06 申请资料/01 营业执照.pdf"]


def test_zip_through_a_symlinked_zip_is_refused(kit, profiles, tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("mine", "utf-8")
    kit.with_name(kit.name + ".zip").symlink_to(victim)
    with pytest.raises(BuildFailed, match="符号链接"):
        K.write(profiles[1], kit, make_zip=True)
    assert victim.read_text("utf-8") == "mine"


def test_zip_on_a_full_disk_keeps_the_old_zip(kit, profiles, monkeypatch):
    K.write(profiles[0], kit, make_zip=True)
    zpath = kit.with_name(kit.name + ".zip")
    old = zpath.read_bytes()

    def full(*_a, **_k):
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(shutil, "copyfileobj", full)
    with pytest.raises(BuildFailed, match="磁盘空间不足"):
        K.write(profiles[1], kit, make_zip=True)
    assert zpath.read_bytes() == old
    assert not [p for p in kit.parent.iterdir() if p.name.startswith(f".{zpath.name}")]
