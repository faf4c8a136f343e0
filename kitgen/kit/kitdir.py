"""Writing a kit folder safely.

- The whole new kit is assembled in a staging folder beside the destination and swapped in with
  renames, so an interrupted build leaves the previous kit whole.
- A file the company edited (its hash differs from the previous kit.json) is kept untouched; the
  new version is written beside it as `NAME.new.docx`, unless `force`.
- Files the company added to the folder (scans of the licence, certificates …) are carried over,
  with the company's folders as they were (permissions, empty folders, symbolic links).
- An edited file the new profile no longer generates is kept in place and named (kit.json
  ``orphans``), with or without `force`: an edited file is never destroyed.
- A file saved while the build runs (Word saves by writing a temporary file and renaming it over
  the original) is caught at the swap: the old kit is compared with the snapshot taken before
  planning, and whatever changed is moved into the new kit (ours goes beside it as `.new`).
- The swap is journalled (``.NAME.kitgen-swap``): a build killed between the two renames is
  recovered by the next build of the same folder; leftovers that cannot be proven to be this
  kit's are never restored.
- Rebuilding with the same inputs changes nothing at all (not even modification times).
- The output folder is resolved (a symbolic link is followed, the link kept); what cannot be a
  kit folder (``/``, the current folder, a path through a file, a read-only kit) is refused with
  a message; a full disk or a missing permission is a build failure naming the folder.
"""
from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import shutil
import stat
import tempfile
from pathlib import Path

from kitgen import limits
from kitgen.errors import EXIT_USAGE, BuildFailed, KitgenError, Problem
from kitgen.kit.manifest import MANIFEST, BuildResult, manifest_bytes, read_manifest

STAGING_PREFIX = "kitgen-"             # .NAME.kitgen-XXXXXXXX (tempfile.mkdtemp's 8 characters)
STAGING_MARK = ".kitgen-staging"       # inside a staging folder: the pid that made it
_STAGING_RE = re.compile(r"[a-z0-9_]{8}")


class UnusableOutput(KitgenError):
    """The output path cannot be a kit folder (exit 2: change the -o argument)."""

    exit_code = EXIT_USAGE
    title = "输出位置不可用"


def _hook(stage: str, out_dir: Path) -> None:
    """Called at the stages of a write ("staged": just before the swap). Tests replace it."""


def _sha(path: Path) -> str | None:
    try:
        h = hashlib.sha256()
        with path.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
        return h.hexdigest()
    except (OSError, ValueError):
        return None


def new_name(rel: str) -> str:
    stem, dot, suffix = rel.rpartition(".")
    return f"{stem}.new.{suffix}" if dot else f"{rel}.new"


def _safe_target(root: Path, rel: str) -> Path:
    try:
        target = (root / rel).resolve()
        inside = target.is_relative_to(root.resolve())
    except (OSError, ValueError, RuntimeError):
        inside = False
    if not inside:
        raise BuildFailed([Problem(rel, None, "", "输出文件路径越出了文件包目录", "文件包目录内的相对路径")])
    return target


def _inside(root: Path, rel) -> Path | None:
    """root/rel when rel (read from an old kit.json, which may have been tampered with) stays inside."""
    if not isinstance(rel, str) or not rel or "\x00" in rel:
        return None
    try:
        return _safe_target(root, rel)
    except BuildFailed:
        return None


# --------------------------------------------------------------------------------------------
# the output folder

def usable_out_dir(out_dir: Path) -> Path:
    """The real folder a kit goes to (symbolic links resolved), or UnusableOutput saying why."""
    raw = str(out_dir)
    if raw in ("", "."):
        pass                                          # the current folder: refused below, by what it is
    given = Path(out_dir)
    try:
        real = Path(os.path.realpath(given))
    except (OSError, ValueError) as e:
        raise UnusableOutput([Problem(raw, None, "", f"输出路径无法使用（{e}）", "一个普通的文件夹路径")]) from None
    if real.parent == real:
        raise UnusableOutput([Problem(raw or "/", None, "", "输出路径是文件系统的根目录",
                                      "一个新的或已有的文件包文件夹，如 -o 文件包/客户简称")])
    try:
        cwd = Path(os.getcwd()).resolve()
    except OSError:
        cwd = None
    if cwd is not None and (cwd == real or cwd.is_relative_to(real)):
        raise UnusableOutput([Problem(raw or ".", None, "", "输出路径是当前所在的文件夹（或它的上级）：替换文件包时会把"
                                      "当前文件夹整个移走", "当前文件夹之下的一个子文件夹，如 -o 文件包/客户简称")])
    # every existing ancestor must be a folder (-o afile/sub)
    for anc in [real.parent, *real.parent.parents]:
        if anc.exists() or anc.is_symlink():
            if not anc.is_dir():
                raise UnusableOutput([Problem(raw, None, "", f"输出路径的上级 {anc} 是文件而不是文件夹",
                                              "一个文件夹中的新文件夹")])
            break
    if real.exists() and not real.is_dir():
        raise BuildFailed([Problem(raw, None, "", "输出路径已存在且不是文件夹", "一个新的或已有的文件包文件夹")])
    return real


def _os_problem(exc: OSError, where: Path | str) -> Problem:
    """A file-system failure said in Chinese, naming the file or folder."""
    name = exc.filename or where
    code = exc.errno
    if code == errno.ENOSPC or code == getattr(errno, "EDQUOT", -1):
        msg, hint = "磁盘空间不足（或超出配额），文件包未改动", "清理磁盘空间后重新生成"
    elif code in (errno.EACCES, errno.EPERM):
        msg, hint = "没有写入权限", "有写入权限的文件夹（或请管理员开放权限）"
    elif code == errno.EROFS:
        msg, hint = "所在的文件系统是只读的", "可写的磁盘或文件夹"
    elif code == errno.ENAMETOOLONG:
        msg, hint = "文件名或路径过长", "更短的输出路径"
    elif code == errno.EXDEV:
        msg, hint = "文件包与其临时文件夹不在同一个磁盘上，无法替换", "换一个输出文件夹"
    else:
        msg, hint = f"无法写入（{exc.strerror or exc}）", "可写的文件夹"
    return Problem(str(name), None, "", msg, hint)


def _readonly(path: Path) -> bool:
    try:
        st = path.stat()
    except OSError:
        return False
    return (st.st_mode & 0o222) == 0 or not os.access(path, os.W_OK)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


# --------------------------------------------------------------------------------------------
# writing

def write_kit(out_dir: Path, files: list, manifest: dict, *, force: bool = False, make_zip: bool = False,
              _fail_after: int | None = None):
    """Write `files` and kit.json into out_dir. `_fail_after` simulates a crash (tests only)."""
    given = Path(out_dir)
    out_dir = usable_out_dir(given)
    zpath = given.with_name(given.name + ".zip") if given.name else out_dir.with_name(out_dir.name + ".zip")
    if make_zip and zpath.is_symlink():
        raise BuildFailed([Problem(str(zpath), None, "", "压缩包的位置是一个符号链接：kitgen 不会通过链接写入别处的文件",
                                   "删除该链接后重新生成")])
    result = BuildResult(out_dir=given, files=files)
    try:
        _write(out_dir, files, manifest, result, force=force, _fail_after=_fail_after)
        if make_zip:
            result.zip_path = _zip(out_dir, zpath, given.name or out_dir.name, result)
    except OSError as exc:
        raise BuildFailed([_os_problem(exc, out_dir)]) from None
    return result


def _write(out_dir: Path, files: list, manifest: dict, result: BuildResult, *, force: bool,
           _fail_after: int | None) -> None:
    _leftovers(out_dir, result)
    snap = _snapshot(out_dir) if out_dir.is_dir() else {}     # before any file is judged (see _rescue)
    old = read_manifest(out_dir) if out_dir.is_dir() else None
    if out_dir.is_dir() and old is None and any(out_dir.iterdir()):
        # never, not even with --force: the swap would move the whole folder (think -o ~ or -o /tmp)
        raise BuildFailed([Problem(str(out_dir), None, "", "输出文件夹不是空的，也不是 kitgen 文件包（没有 kit.json）",
                                   "一个新的或空的文件夹，如 -o 文件包/客户简称；为保护其中的文件，kitgen 不会写入")])
    if old is not None:
        _same_company(out_dir, old, manifest)
    old_files = [f for f in (old or {}).get("files", []) if isinstance(f, dict) and isinstance(f.get("path"), str)]
    old_orphans = [f for f in (old or {}).get("orphans", []) if isinstance(f, dict) and isinstance(f.get("path"), str)]
    old_hashes = {f["path"]: f.get("sha256") for f in old_orphans + old_files}
    # the .new versions earlier builds wrote, with the hash they had: removed once no longer needed
    old_alts = {f.get("new_version"): f.get("new_version_sha256") for f in old_files
                if isinstance(f.get("new_version"), str) and f.get("new_version_sha256")}

    plan_writes: dict[str, bytes] = {}
    entries = {f["path"]: f for f in manifest["files"]}
    alts: set[str] = set()
    for f in files:
        target = _safe_target(out_dir, f.path) if out_dir.exists() else None
        current = _sha(target) if target is not None and target.is_file() else None
        if current == f.sha256:
            continue                                      # already exactly this (with or without --force)
        if current is None or force:
            plan_writes[f.path] = f.data
            continue
        if old_hashes.get(f.path) == current:
            plan_writes[f.path] = f.data                  # untouched since the last build: replace
            continue
        # edited by the company (or a file of theirs with our name): keep it, write ours beside it
        result.kept.append(f.path)
        alt = new_name(f.path)
        alts.add(alt)
        result.new_versions.append(alt)
        if _sha(_safe_target(out_dir, alt)) != f.sha256:
            plan_writes[alt] = f.data                     # (an identical .new is left alone: no mtime change)
        entries[f.path]["sha256"] = old_hashes.get(f.path) or f.sha256
        entries[f.path]["new_version"] = alt
        entries[f.path]["new_version_sha256"] = f.sha256
    removals = []
    orphans = []
    new_paths = {f.path for f in files}
    titles = {f["path"]: f.get("title") for f in old_orphans + old_files}
    for path, digest in old_hashes.items():
        if path and path not in new_paths:
            target = _inside(out_dir, path)
            if target is None or not target.is_file():
                continue
            if _sha(target) == digest:
                removals.append(path)                    # ours, unchanged, no longer part of the kit
            else:
                # edited by the company and no longer generated: never destroyed (not even with
                # --force), kept where it is and named in kit.json, the build's output and check
                orphans.append({"path": path, "title": titles.get(path) or Path(path).stem, "sha256": digest})
    for alt, digest in old_alts.items():
        if alt not in alts and alt not in new_paths and alt not in plan_writes:
            target = _inside(out_dir, alt)
            if target is not None and target.is_file() and _sha(target) == digest:
                removals.append(alt)                     # a stale .new of ours (merged, or replaced by --force)
    if orphans:
        manifest["orphans"] = orphans
    result.orphans = [o["path"] for o in orphans]
    manifest_data = manifest_bytes(manifest)
    old_manifest = (out_dir / MANIFEST).read_bytes() if (out_dir / MANIFEST).is_file() else None
    result.manifest = manifest
    if not plan_writes and not removals and old_manifest == manifest_data:
        return                                            # nothing changed: touch nothing

    if out_dir.is_dir():
        _refuse_readonly(out_dir, [*plan_writes, *removals])
    parent = out_dir.parent
    parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.{STAGING_PREFIX}", dir=parent))
    try:
        (staging / STAGING_MARK).write_text(str(os.getpid()), "ascii")
        modes: dict[Path, int] = {}
        if out_dir.is_dir():
            # files about to be rewritten are not linked in: writing through a hard link would change
            # the live kit before the swap (and leave it half-changed if the build is interrupted)
            modes = _copy_tree(out_dir, staging, skip={MANIFEST, *removals, *plan_writes})
        for n, (rel, data) in enumerate(sorted(plan_writes.items())):
            if _fail_after is not None and n >= _fail_after:
                raise RuntimeError("simulated failure")
            target = _safe_target(staging, rel)
            target.parent.mkdir(parents=True, exist_ok=True)
            if target.exists() or target.is_symlink():
                target.unlink()                           # never write into a (possibly shared) inode
            target.write_bytes(data)
        _prune_empty_dirs(staging, {str(Path(r).parent) for r in removals if "/" in r})
        (staging / MANIFEST).write_bytes(manifest_data)   # last: a kit without it is unfinished
        (staging / STAGING_MARK).unlink()
        for path, mode in sorted(modes.items(), key=lambda kv: -len(kv[0].parts)):
            os.chmod(path, mode)                          # the company's folders keep their permissions
        _own_mode(staging, out_dir)
        _hook("staged", out_dir)
        _swap(staging, out_dir, snap, result, files, manifest, old_hashes)
    except BaseException:
        _rmtree(staging)
        raise


def _same_company(out_dir: Path, old: dict, manifest: dict) -> None:
    """A kit is rebuilt only for the company it was built for: another company's build would carry
    that kit's files (licence scans, edited documents) into its own."""
    was = old.get("profile") if isinstance(old.get("profile"), dict) else {}
    now = manifest.get("profile") or {}
    before, after = str(was.get("company") or ""), str(now.get("company") or "")
    if before and after and before != after:
        raise BuildFailed([Problem(str(out_dir), None, "", f"此文件夹是 “{before}” 的文件包，本次配置的企业是 “{after}”："
                                   "为免把一家企业的文件带进另一家的文件包，kitgen 不会写入",
                                   "换一个输出文件夹；若是同一家企业更名，先把 kit.json 中 profile.company 改为新名称")])


def _refuse_readonly(out_dir: Path, changes: list[str]) -> None:
    """A read-only kit, or a read-only folder kitgen would have to change, is not replaced."""
    folders = {out_dir}
    for rel in changes:
        parent = (out_dir / rel).parent
        while parent != out_dir and parent.is_relative_to(out_dir):
            if parent.is_dir():
                folders.add(parent)
            parent = parent.parent
    for folder in sorted(folders, key=lambda p: len(p.parts)):
        if _readonly(folder):
            what = "文件包文件夹" if folder == out_dir else "文件包中的文件夹"
            raise BuildFailed([Problem(str(folder), None, "", f"{what}是只读的：kitgen 不会改动它（文件包未改动）",
                                       "如需重新生成，先取消该文件夹的只读属性")])


def _own_mode(staging: Path, out_dir: Path) -> None:
    """The staged kit gets the old kit's mode and group (2775 stays 2775), or, for a new kit, what
    mkdir would have given it (mkdtemp makes 0700)."""
    try:
        st = out_dir.stat()
    except OSError:
        os.chmod(staging, 0o777 & ~_umask())
        return
    try:
        if st.st_gid != staging.stat().st_gid:
            os.chown(staging, -1, st.st_gid)
    except OSError:
        pass
    os.chmod(staging, stat.S_IMODE(st.st_mode))


def _copy_tree(src: Path, dst: Path, skip: set[str]) -> dict[Path, int]:
    """Link (or copy) the old kit's files into staging, recreate its folders (empty ones too) and
    symbolic links; returns the folders' permissions, applied once everything is written."""
    modes: dict[Path, int] = {}
    for root, dirs, names in os.walk(src, followlinks=False):
        rroot = Path(root)
        for name in sorted(dirs + names):
            path = rroot / name
            rel = path.relative_to(src).as_posix()
            if rel in skip:
                continue
            target = dst / rel
            try:
                st = os.lstat(path)
            except OSError:
                continue
            if stat.S_ISLNK(st.st_mode):
                target.parent.mkdir(parents=True, exist_ok=True)
                os.symlink(os.readlink(path), target)
            elif stat.S_ISDIR(st.st_mode):
                target.mkdir(parents=True, exist_ok=True)
                modes[target] = stat.S_IMODE(st.st_mode)
            elif stat.S_ISREG(st.st_mode):
                target.parent.mkdir(parents=True, exist_ok=True)
                try:
                    os.link(path, target)              # cheap; we never write into an existing file
                except OSError:
                    shutil.copy2(path, target)
    return modes


def _prune_empty_dirs(root: Path, candidates: set[str]) -> None:
    """Folders left empty by removing our own files (and only those: a company's empty folder stays)."""
    todo = set()
    for rel in candidates:
        p = Path(rel)
        while str(p) not in ("", "."):
            todo.add(root / p)
            p = p.parent
    for path in sorted(todo, key=lambda p: -len(p.parts)):
        try:
            path.rmdir()
        except OSError:
            pass


def _rmtree(path: Path) -> None:
    """Remove a folder of ours completely, read-only sub-folders included."""
    def retry(func, p, _exc):
        try:
            os.chmod(os.path.dirname(p), 0o700)
            if func is os.rmdir or func is os.unlink:
                func(p)
            else:
                shutil.rmtree(p, ignore_errors=True)
        except OSError:
            pass
    if path.is_symlink():
        path.unlink()
    elif path.exists():
        shutil.rmtree(path, onerror=retry)


# --------------------------------------------------------------------------------------------
# the swap, its journal, and what a build finds left over

def _aside(out_dir: Path) -> Path:
    return out_dir.with_name(f".{out_dir.name}.kitgen-old")


def _journal(out_dir: Path) -> Path:
    return out_dir.with_name(f".{out_dir.name}.kitgen-swap")


def _write_journal(path: Path, data: dict) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    os.replace(tmp, path)


def _read_journal(path: Path) -> dict | None:
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


def _alive(pid) -> bool:
    if not isinstance(pid, int) or pid <= 0 or pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def _snapshot(folder: Path) -> dict[str, list[int]]:
    """Every regular file below ``folder``: (inode, size, mtime). A save by Word (a new file renamed
    over the old) changes the inode; an edit in place changes size or mtime."""
    out: dict[str, list[int]] = {}
    for root, _dirs, names in os.walk(folder, followlinks=False):
        for name in names:
            path = Path(root) / name
            try:
                st = os.lstat(path)
            except OSError:
                continue
            if stat.S_ISREG(st.st_mode):
                out[path.relative_to(folder).as_posix()] = [st.st_ino, st.st_size, st.st_mtime_ns]
    return out


def _swap(staging: Path, out_dir: Path, snap: dict, result: BuildResult, files: list, manifest: dict,
          old_hashes: dict) -> None:
    """Move the staged kit into place; the old kit is moved aside first, what changed in it while
    the build ran is moved into the new kit, and the old kit is removed last."""
    if not out_dir.exists():
        os.replace(staging, out_dir)
        return
    aside = _aside(out_dir)
    journal = _journal(out_dir)
    if aside.exists() or aside.is_symlink():
        # only a leftover _leftovers has already judged (a journalled one is gone by now)
        result.notes.append(f"发现 {aside.name}（此前中断留下、来源不明），已移到 {_park(aside).name}，未使用")
    _write_journal(journal, {"pid": os.getpid(), "staging": staging.name, "snapshot": snap,
                             "generated": {f.path: f.sha256 for f in files}, "old_hashes": old_hashes})
    os.replace(out_dir, aside)
    try:
        os.replace(staging, out_dir)
    except BaseException:
        os.replace(aside, out_dir)
        journal.unlink(missing_ok=True)
        raise
    _rescue(aside, out_dir, snap, {f.path: f.sha256 for f in files}, old_hashes, result, manifest)
    _rmtree(aside)
    journal.unlink(missing_ok=True)


def _park(path: Path) -> Path:
    """Rename a leftover out of kitgen's way, keeping it (never deleted unseen)."""
    for n in range(1, 1000):
        target = path.with_name(f"{path.name}-{n}")
        if not target.exists() and not target.is_symlink():
            os.replace(path, target)
            return target
    raise BuildFailed([Problem(str(path), None, "", "无法移开此前中断留下的文件夹", "手动删除或改名后重新生成")])


def _rescue(aside: Path, out_dir: Path, snap: dict, generated: dict[str, str], old_hashes: dict,
            result: BuildResult, manifest: dict | None) -> None:
    """Files of the old kit that changed after ``snap`` was taken (saved while the build ran) win:
    moved into the new kit; where that replaces a file we generated, ours goes beside it as .new."""
    changed_manifest = False
    entries = {e["path"]: e for e in (manifest or {}).get("files", []) if isinstance(e, dict)}
    for root, _dirs, names in os.walk(aside, followlinks=False):
        for name in sorted(names):
            src = Path(root) / name
            rel = src.relative_to(aside).as_posix()
            if rel == MANIFEST:
                continue
            try:
                st = os.lstat(src)
            except OSError:
                continue
            if not stat.S_ISREG(st.st_mode) or snap.get(rel) == [st.st_ino, st.st_size, st.st_mtime_ns]:
                continue                                  # unchanged since the build looked at it
            dest = out_dir / rel
            if dest.is_file() and not dest.is_symlink():
                dst = os.lstat(dest)
                if dst.st_ino == st.st_ino or _sha(dest) == _sha(src):
                    continue
                if rel in generated and _sha(dest) == generated[rel]:
                    alt = new_name(rel)
                    os.replace(dest, out_dir / alt)       # ours beside it; theirs in place
                    os.replace(src, dest)
                    entry = entries.get(rel)
                    if entry is not None:
                        entry["sha256"] = old_hashes.get(rel) or generated[rel]
                        entry["new_version"] = alt
                        entry["new_version_sha256"] = generated[rel]
                        changed_manifest = True
                    if rel not in result.kept:
                        result.kept.append(rel)
                        result.new_versions.append(alt)
                else:
                    os.replace(src, dest)
            elif not dest.exists() and not dest.is_symlink():
                dest.parent.mkdir(parents=True, exist_ok=True)
                os.replace(src, dest)
            else:
                continue                                  # a folder or link now: left in the old kit
            result.rescued.append(rel)
    if changed_manifest and manifest is not None:
        tmp = out_dir / f".{MANIFEST}.kitgen-tmp"
        tmp.write_bytes(manifest_bytes(manifest))
        os.replace(tmp, out_dir / MANIFEST)


def _leftovers(out_dir: Path, result: BuildResult) -> None:
    """What an earlier build left beside the kit, handled deliberately before anything else:

    - a journalled swap killed between its two renames (kit missing, old kit aside, staged kit
      there): the old kit is put back — it is this folder's kit, proven by the journal;
    - a journalled swap that completed (or whose kit has since been deleted): what changed while
      that build ran is rescued into the kit, then the old kit is removed — never restored;
    - staging folders of builds that are no longer running: removed (they hold only generated
      files and links to the kit's own);
    - an old kit aside without a journal (an older kitgen, or unknown): never restored; moved out
      of the way under a numbered name and reported."""
    parent = out_dir.parent
    if not parent.is_dir():
        return
    journal = _journal(out_dir)
    aside = _aside(out_dir)
    if journal.exists():
        data = _read_journal(journal) or {}
        if _alive(data.get("pid")):
            raise BuildFailed([Problem(str(out_dir), None, "", "另一个 kitgen 正在生成此文件包", "等它完成后再运行")])
        staging = parent / str(data.get("staging") or "?")
        if not out_dir.exists() and aside.is_dir() and staging.is_dir() and (staging / MANIFEST).is_file():
            os.replace(aside, out_dir)                    # killed between the two renames: put it back
            result.notes.append("上次生成在替换文件包时被中断：已恢复生成前的文件包")
        elif aside.is_dir():
            if out_dir.is_dir():                          # the swap was done: keep what changed meanwhile
                snap = data.get("snapshot") if isinstance(data.get("snapshot"), dict) else {}
                gen = data.get("generated") if isinstance(data.get("generated"), dict) else {}
                old = data.get("old_hashes") if isinstance(data.get("old_hashes"), dict) else {}
                _rescue(aside, out_dir, snap, gen, old, result, read_manifest(out_dir))
            else:
                result.notes.append(f"文件包已被删除：上次中断留下的旧文件包 {aside.name} 未恢复，已删除")
            _rmtree(aside)
        if data.get("staging") and staging.exists():
            _rmtree(staging)
        journal.unlink(missing_ok=True)
    elif aside.exists() or aside.is_symlink():
        parked = _park(aside)
        result.notes.append(f"发现 {aside.name}（此前中断留下、无法确认属于此文件包），未恢复，已改名为 {parked.name}；"
                            "确认无用后可删除")
    prefix = f".{out_dir.name}.{STAGING_PREFIX}"
    for entry in parent.iterdir():
        if not entry.name.startswith(prefix) or not _STAGING_RE.fullmatch(entry.name[len(prefix):]):
            continue
        if entry.is_symlink() or not entry.is_dir():
            continue
        mark = entry / STAGING_MARK
        try:
            pid = int(mark.read_text("ascii").strip()) if mark.is_file() else None
        except (OSError, ValueError):
            pid = None
        if pid is not None and _alive(pid):
            continue                                      # another build is writing it right now
        _rmtree(entry)
        result.notes.append(f"已删除此前中断的生成留下的临时文件夹 {entry.name}")


# --------------------------------------------------------------------------------------------
# the zip

def _zip(out_dir: Path, zpath: Path, top: str, result: BuildResult) -> Path:
    """A zip of the kit beside it; entries are UTF-8 flagged (Chinese names in Windows Explorer).
    Symbolic links (and anything not a regular file) are skipped and reported, never followed;
    the zip is written to a temporary file and renamed over the old one (a full disk leaves the
    old zip whole); an unchanged kit keeps its zip (and its mtime)."""
    import zipfile
    from kitgen.ooxml.ziputil import zip_timestamp
    members: list[tuple[str, Path]] = []
    for root, dirs, names in os.walk(out_dir, followlinks=False):
        dirs.sort()
        for name in sorted(dirs + names):
            path = Path(root) / name
            rel = path.relative_to(out_dir).as_posix()
            try:
                st = os.lstat(path)
            except OSError:
                continue
            if stat.S_ISDIR(st.st_mode):
                continue
            if stat.S_ISREG(st.st_mode):
                members.append((rel, path))
            else:
                result.zip_skipped.append(rel)            # a link (maybe to /etc/shadow), a pipe …
    members.sort()
    stamp = zip_timestamp()
    fd, tmp_name = tempfile.mkstemp(prefix=f".{zpath.name}.kitgen-", dir=zpath.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as fh, zipfile.ZipFile(fh, "w", zipfile.ZIP_DEFLATED) as zf:
            for rel, path in members:
                info = zipfile.ZipInfo(f"{top}/{rel}", date_time=stamp)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.create_system = 3
                info.external_attr = 0o100644 << 16
                size = os.path.getsize(path)
                with open(path, "rb") as src, zf.open(info, "w", force_zip64=size > (1 << 31)) as dst:
                    shutil.copyfileobj(src, dst, 1 << 20)
        if zpath.is_file() and not zpath.is_symlink() and zpath.stat().st_size == tmp.stat().st_size \
                and _sha(zpath) == _sha(tmp):
            tmp.unlink()                                  # an unchanged kit keeps its zip (and its mtime)
        else:
            os.replace(tmp, zpath)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return zpath
