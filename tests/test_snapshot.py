"""The library snapshot (issue 16, kitgen/core/snapshot.py): one file of compiled templates,
compiled conditions and parsed library YAML, kept between runs — and never loaded when anyone else
could have written it, nor when it was changed after it was signed.

Builds with the snapshot, without it and from it give the same bytes; a snapshot in a folder or
file another user could write, a link, a tampered or truncated file, one signed with another key or
written for other versions is ignored (and replaced by the next build). The positive control: a
forged entry that *is* properly signed and placed would run, so the refusals are what stop it.
"""
from __future__ import annotations

import hashlib
import hmac
import marshal
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from kitgen.core import snapshot, textrender

ROOT = Path(__file__).resolve().parent.parent
PROFILE = ROOT / "samples" / "appliance-producer.yaml"
POSIX = hasattr(os, "geteuid")


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """A fresh cache folder for this test, and a process that has loaded nothing yet."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("KITGEN_CACHE_DIR", str(folder))
    monkeypatch.delenv("KITGEN_NO_CACHE", raising=False)
    _forget()
    yield folder
    _forget()


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A cache folder holding the snapshot of one build (copied by the tests that change it)."""
    folder = tmp_path_factory.mktemp("snap") / "cache"
    mp = pytest.MonkeyPatch()
    mp.setenv("KITGEN_CACHE_DIR", str(folder))
    mp.delenv("KITGEN_NO_CACHE", raising=False)
    _forget()
    try:
        import kitgen
        kitgen.build(PROFILE, folder.parent / "kit", auto_overlays=False)
    finally:
        mp.undo()
        _forget()
    return folder


def _copy(built: Path, cache: Path) -> None:
    import shutil
    shutil.copytree(built, cache)
    if POSIX:
        cache.chmod(0o700)


def _forget():
    snapshot.reset()
    textrender._PRELOADED.clear()
    textrender._template.cache_clear()
    textrender._expression.cache_clear()


def _snap(folder: Path) -> Path:
    files = [p for p in folder.iterdir() if p.name.endswith(".snap")]
    assert len(files) == 1, files
    return files[0]


def _kit(path: Path) -> dict[str, bytes]:
    return {p.relative_to(path).as_posix(): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()}


def _build(tmp_path: Path, name: str) -> dict[str, bytes]:
    import kitgen
    kitgen.build(PROFILE, tmp_path / name, auto_overlays=False)
    return _kit(tmp_path / name)


def test_one_file_in_a_private_folder_and_the_same_kit_with_or_without_it(cache, tmp_path, monkeypatch):
    first = _build(tmp_path, "first")                   # compiles, parses, writes the snapshot
    names = sorted(p.name for p in cache.iterdir())
    assert len(names) == 2 and names[1] == snapshot.KEY_NAME and names[0].endswith(".snap"), names
    if POSIX:
        assert stat.S_IMODE(cache.stat().st_mode) == 0o700
        for p in cache.iterdir():
            assert stat.S_IMODE(p.stat().st_mode) == 0o600 and p.stat().st_uid == os.geteuid()
    _forget()
    loaded = snapshot.current()
    kinds = {k: len(v) for k, v in loaded.entries.items()}
    assert kinds.get("template", 0) > 500 and kinds.get("expression", 0) > 20 and kinds.get("yaml", 0) > 20, kinds
    second = _build(tmp_path, "second")                  # everything from the snapshot
    assert not loaded.added, "a build from a complete snapshot compiled something again"
    monkeypatch.setenv("KITGEN_NO_CACHE", "1")
    _forget()
    third = _build(tmp_path, "third")
    assert not any(p.name.startswith(".snapshot-") for p in cache.iterdir())
    strip = {"kit.json"}                                  # (holds nothing of the cache, but its paths)
    assert {k: v for k, v in first.items() if k not in strip} == {k: v for k, v in second.items() if k not in strip}
    assert {k: v for k, v in first.items() if k not in strip} == {k: v for k, v in third.items() if k not in strip}


def test_no_cache_writes_nothing(cache, tmp_path, monkeypatch):
    monkeypatch.setenv("KITGEN_NO_CACHE", "1")
    _build(tmp_path, "kit")
    assert not cache.exists()


# ------------------------------------------------------------------ refused snapshots
def _forge(folder: Path, marker: Path, key: bytes | None = None) -> None:
    """Replace the compiled code of every template in the snapshot with code that creates
    ``marker`` when the template renders, signed with ``key`` (default: the folder's own key)."""
    path = _snap(folder)
    data = path.read_bytes()
    body = data[len(snapshot.MAGIC) + 32:]
    versions, entries = marshal.loads(body)
    evil = compile(f"open({str(marker)!r}, 'w').close()\n"
                   "def root(context, missing=None, environment=None):\n    yield ''\n"
                   "name = None\nblocks = {}\ndebug_info = ''\n", "<forged>", "exec")
    entries["template"] = {k: marshal.dumps(evil) for k in entries["template"]}
    body = marshal.dumps((versions, entries))
    key = key if key is not None else (folder / snapshot.KEY_NAME).read_bytes()
    path.write_bytes(snapshot.MAGIC + hmac.new(key, body, hashlib.sha256).digest() + body)


def _renders(marker: Path) -> bool:
    """Render one library text in this process, as a build would; did forged code run?"""
    _forget()
    from kitgen.errors import Problem
    textrender.render("{{ company.name }}", {"company": {"name": "x"}}, Problem("t", 1, "", ""))
    return marker.exists()


def test_a_signed_snapshot_in_a_private_folder_is_what_runs(cache, built, tmp_path):
    """The positive control for the refusals below: the forged entry does run when it passes."""
    _copy(built, cache)
    marker = tmp_path / "ran"
    _forge(cache, marker)
    assert _renders(marker)


@pytest.mark.parametrize("how", ["tampered", "other_key", "truncated", "group_writable_file",
                                 "group_writable_folder", "symlinked_snapshot", "symlinked_folder",
                                 "other_versions", "garbage"])
def test_a_snapshot_anyone_else_could_have_written_is_ignored_and_rebuilt(cache, built, tmp_path, how):
    if not POSIX and how in ("group_writable_file", "group_writable_folder", "symlinked_snapshot",
                             "symlinked_folder"):
        pytest.skip("POSIX permissions")
    _copy(built, cache)
    marker = tmp_path / "ran"
    path = _snap(cache)
    if how == "other_key":
        _forge(cache, marker, key=b"k" * 32)
    else:
        _forge(cache, marker)
    data = path.read_bytes()
    if how == "tampered":
        path.write_bytes(data[:-40] + bytes([data[-40] ^ 1]) + data[-39:])
    elif how == "truncated":
        path.write_bytes(data[: len(data) // 2])
    elif how == "garbage":
        path.write_bytes(b"\x00" * 1000)
    elif how == "group_writable_file":
        path.chmod(0o664)
    elif how == "group_writable_folder":
        cache.chmod(0o770)
    elif how == "symlinked_snapshot":
        real = tmp_path / "elsewhere.snap"
        path.rename(real)
        path.symlink_to(real)
    elif how == "symlinked_folder":
        real = tmp_path / "real-cache"
        cache.rename(real)
        cache.symlink_to(real)
    elif how == "other_versions":
        body = data[len(snapshot.MAGIC) + 32:]
        versions, entries = marshal.loads(body)
        body = marshal.dumps(("another kitgen", entries))
        key = (cache / snapshot.KEY_NAME).read_bytes()
        path.write_bytes(snapshot.MAGIC + hmac.new(key, body, hashlib.sha256).digest() + body)
    assert not _renders(marker)
    assert snapshot.current().loaded_from is None
    saved = snapshot.save()                       # what the build compiled replaces the bad snapshot …
    if how in ("group_writable_folder", "symlinked_folder"):
        assert not saved                          # … except in a folder kitgen cannot trust
        return
    assert saved
    _forget()
    assert snapshot.current().loaded_from is not None
    assert not _renders(marker)


@pytest.mark.skipif(not POSIX or os.geteuid() != 0, reason="changing a file's owner needs root")
def test_a_snapshot_owned_by_another_user_is_ignored(cache, built, tmp_path):
    _copy(built, cache)
    marker = tmp_path / "ran"
    _forge(cache, marker)
    os.chown(_snap(cache), 65534, 65534)
    assert not _renders(marker)
    os.chown(_snap(cache), 0, 0)
    os.chown(cache / snapshot.KEY_NAME, 65534, 65534)
    assert not _renders(marker)
    os.chown(cache / snapshot.KEY_NAME, 0, 0)
    os.chown(cache, 65534, 65534)
    assert not _renders(marker)
    assert not snapshot.save()                    # a folder of another user is never written
    os.chown(cache, 0, 0)


@pytest.mark.skipif(not POSIX or os.geteuid() != 0, reason="changing a file's owner needs root")
def test_a_snapshot_of_another_user_is_replaced_by_ours(cache, built, tmp_path):
    """Refused, then rebuilt: the next save puts this user's own snapshot in its place."""
    _copy(built, cache)
    marker = tmp_path / "ran"
    _forge(cache, marker)
    os.chown(_snap(cache), 65534, 65534)
    assert not _renders(marker)
    assert snapshot.current().loaded_from is None
    assert snapshot.save()
    assert _snap(cache).stat().st_uid == os.geteuid()
    _forget()
    assert snapshot.current().loaded_from is not None
    assert not _renders(marker)


@pytest.mark.skipif(not POSIX, reason="POSIX permissions")
def test_the_default_folder_is_private_inside_an_older_shared_one(tmp_path, monkeypatch):
    """~/.cache/kitgen made by an older kitgen with mode 0755: the snapshot goes to a 0700 folder
    of its own inside it, and is used."""
    monkeypatch.delenv("KITGEN_CACHE_DIR", raising=False)
    monkeypatch.delenv("KITGEN_NO_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    old = tmp_path / "xdg" / "kitgen"
    old.mkdir(parents=True)
    old.chmod(0o755)
    _forget()
    try:
        _build(tmp_path, "kit")
        folder = Path(snapshot.cache_dir())
        assert folder.parent == old and stat.S_IMODE(folder.stat().st_mode) == 0o700
        _forget()
        assert snapshot.current().loaded_from is not None
    finally:
        _forget()


def test_a_folder_that_cannot_be_written_means_no_snapshot(cache, tmp_path):
    cache.parent.mkdir(exist_ok=True)
    cache.write_text("a file, not a folder")
    _build(tmp_path, "kit")                       # builds all the same
    assert cache.read_text() == "a file, not a folder"


def test_a_syntax_error_is_not_kept(cache):
    from kitgen.errors import BuildFailed, Problem
    with pytest.raises(BuildFailed):
        textrender.render("{{ broken", {}, Problem("f", 1, "", ""))
    assert not snapshot.current().added


def test_the_snapshot_changes_with_the_sandbox(cache):
    """Code compiled for another version of the sandbox (this module's source) is never used."""
    before = textrender._fingerprint()
    textrender._own_source.cache_clear()
    textrender._settings.cache_clear()
    try:
        real = textrender._own_source.__wrapped__()
        assert real and real in before
    finally:
        textrender._own_source.cache_clear()
        textrender._settings.cache_clear()


def test_a_cli_build_from_a_fresh_interpreter_uses_the_snapshot(cache, tmp_path):
    env = dict(os.environ, KITGEN_CACHE_DIR=str(cache))
    env.pop("KITGEN_NO_CACHE", None)
    code = ("import sys, kitgen; from kitgen.core import snapshot; kitgen.build(sys.argv[1], sys.argv[2], "
            "auto_overlays=False); s = snapshot.current(); print(len(s.added), s.loaded_from is not None)")
    outs = []
    for name in ("a", "b"):
        proc = subprocess.run([sys.executable, "-c", code, str(PROFILE), str(tmp_path / name)], env=env,
                              capture_output=True, text=True, timeout=300, check=False)
        assert proc.returncode == 0, proc.stderr[-2000:]
        outs.append(proc.stdout.split())
    assert outs[0][1] == "False" and int(outs[0][0]) == 0      # (saved: nothing left to add)
    assert outs[1] == ["0", "True"]
    assert _kit(tmp_path / "a").keys() == _kit(tmp_path / "b").keys()
