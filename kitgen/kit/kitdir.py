"""Writing a kit folder safely.

- The whole new kit is assembled in a staging folder beside the destination and swapped in with
  renames, so an interrupted build leaves the previous kit whole.
- A file the company edited (its hash differs from the previous kit.json) is kept untouched; the
  new version is written beside it as `NAME.new.docx`, unless `force`.
- Files the company added to the folder (scans of the licence, certificates …) are carried over.
- Rebuilding with the same inputs changes nothing at all (not even modification times).
"""
from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path

from kitgen.errors import BuildFailed, Problem
from kitgen.kit.manifest import MANIFEST, BuildResult, manifest_bytes, read_manifest



def _sha(path: Path) -> str | None:
    try:
        h = hashlib.sha256()
        with path.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
        return h.hexdigest()
    except OSError:
        return None


def new_name(rel: str) -> str:
    stem, dot, suffix = rel.rpartition(".")
    return f"{stem}.new.{suffix}" if dot else f"{rel}.new"


def _safe_target(root: Path, rel: str) -> Path:
    target = (root / rel).resolve()
    if not target.is_relative_to(root.resolve()):
        raise BuildFailed([Problem(rel, None, "", "输出文件路径越出了文件包目录", "文件包目录内的相对路径")])
    return target


def _inside(root: Path, rel) -> Path | None:
    """root/rel when rel (read from an old kit.json, which may have been tampered with) stays inside."""
    if not isinstance(rel, str) or not rel:
        return None
    try:
        return _safe_target(root, rel)
    except BuildFailed:
        return None


def write_kit(out_dir: Path, files: list, manifest: dict, *, force: bool = False, make_zip: bool = False,
              _fail_after: int | None = None):
    """Write `files` and kit.json into out_dir. `_fail_after` simulates a crash (tests only)."""
    out_dir = Path(out_dir)
    _recover(out_dir)
    old = read_manifest(out_dir) if out_dir.is_dir() else None
    if out_dir.exists() and not out_dir.is_dir():
        raise BuildFailed([Problem(str(out_dir), None, "", "输出路径已存在且不是文件夹", "一个新的或已有的文件包文件夹")])
    if out_dir.is_dir() and old is None and any(out_dir.iterdir()):
        # never, not even with --force: the swap would move the whole folder (think -o ~ or -o /tmp)
        raise BuildFailed([Problem(str(out_dir), None, "", "输出文件夹不是空的，也不是 kitgen 文件包（没有 kit.json）",
                                   "一个新的或空的文件夹，如 -o 文件包/客户简称；为保护其中的文件，kitgen 不会写入")])
    old_files = [f for f in (old or {}).get("files", []) if isinstance(f, dict)]
    old_hashes = {f.get("path"): f.get("sha256") for f in old_files}
    # the .new versions earlier builds wrote, with the hash they had: removed once no longer needed
    old_alts = {f.get("new_version"): f.get("new_version_sha256") for f in old_files
                if isinstance(f.get("new_version"), str) and f.get("new_version_sha256")}

    result = BuildResult(out_dir=out_dir, files=files)
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
    new_paths = {f.path for f in files}
    for path, digest in old_hashes.items():
        if path and path not in new_paths:
            target = _inside(out_dir, path)
            if target is not None and target.is_file() and (_sha(target) == digest or force):
                removals.append(path)                    # ours, unchanged, no longer part of the kit
    for alt, digest in old_alts.items():
        if alt not in alts and alt not in new_paths and alt not in plan_writes:
            target = _inside(out_dir, alt)
            if target is not None and target.is_file() and _sha(target) == digest:
                removals.append(alt)                     # a stale .new of ours (merged, or replaced by --force)
    manifest_data = manifest_bytes(manifest)
    old_manifest = (out_dir / MANIFEST).read_bytes() if (out_dir / MANIFEST).is_file() else None
    if not plan_writes and not removals and old_manifest == manifest_data:
        result.manifest = manifest
        if make_zip:
            result.zip_path = _zip(out_dir)
        return result                                     # nothing changed: touch nothing

    parent = out_dir.resolve().parent
    parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.kitgen-", dir=parent))
    try:
        if out_dir.is_dir():
            # files about to be rewritten are not linked in: writing through a hard link would change
            # the live kit before the swap (and leave it half-changed if the build is interrupted)
            _copy_tree(out_dir, staging, skip={MANIFEST, *removals, *plan_writes})
        for n, (rel, data) in enumerate(sorted(plan_writes.items())):
            if _fail_after is not None and n >= _fail_after:
                raise RuntimeError("simulated failure")
            target = _safe_target(staging, rel)
            target.parent.mkdir(parents=True, exist_ok=True)
            if target.exists() or target.is_symlink():
                target.unlink()                           # never write into a (possibly shared) inode
            target.write_bytes(data)
        _prune_empty_dirs(staging)
        (staging / MANIFEST).write_bytes(manifest_data)   # last: a kit without it is unfinished
        _swap(staging, out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    result.manifest = manifest
    if make_zip:
        result.zip_path = _zip(out_dir)
    return result


def _aside(out_dir: Path) -> Path:
    return out_dir.with_name(f".{out_dir.name}.kitgen-old")


def _recover(out_dir: Path) -> None:
    """A build killed between the two renames of _swap leaves the previous kit moved aside and no
    kit in place: put it back before anything else."""
    aside = _aside(out_dir)
    if not out_dir.exists() and (aside / MANIFEST).is_file():
        os.replace(aside, out_dir)


def _copy_tree(src: Path, dst: Path, skip: set[str]) -> None:
    for path in sorted(src.rglob("*")):
        rel = path.relative_to(src).as_posix()
        if rel in skip or path.is_symlink():
            continue
        target = dst / rel
        if path.is_dir():
            target.mkdir(parents=True, exist_ok=True)
        elif path.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(path, target)                  # cheap; we never write into an existing file
            except OSError:
                shutil.copy2(path, target)


def _prune_empty_dirs(root: Path) -> None:
    for path in sorted((p for p in root.rglob("*") if p.is_dir()), key=lambda p: -len(p.parts)):
        try:
            path.rmdir()
        except OSError:
            pass


def _swap(staging: Path, out_dir: Path) -> None:
    """Move the staged kit into place; the old kit is moved aside first and removed last."""
    if not out_dir.exists():
        os.replace(staging, out_dir)
        return
    aside = _aside(out_dir)
    if aside.exists():
        shutil.rmtree(aside, ignore_errors=True)
    os.replace(out_dir, aside)
    try:
        os.replace(staging, out_dir)
    except BaseException:
        os.replace(aside, out_dir)
        raise
    shutil.rmtree(aside, ignore_errors=True)


def _zip(out_dir: Path) -> Path:
    """A zip of the kit beside it; entries are UTF-8 flagged (Chinese names in Windows Explorer)."""
    from kitgen.ooxml.ziputil import write_zip
    entries = []
    for path in sorted(p for p in out_dir.rglob("*") if p.is_file()):
        rel = path.relative_to(out_dir).as_posix()
        entries.append((f"{out_dir.name}/{rel}", path.read_bytes()))
    zpath = out_dir.with_name(out_dir.name + ".zip")
    data = write_zip(entries)
    if not (zpath.is_file() and zpath.stat().st_size == len(data) and zpath.read_bytes() == data):
        zpath.write_bytes(data)                       # an unchanged kit keeps its zip (and its mtime)
    return zpath
