"""`kitgen pdf KIT`: the kit as it stands (after the company's edits) as a folder of PDFs.

LibreOffice converts, started here headless with a throwaway user profile (never the user's own):
the profile is initialised once, a small Basic macro is put into it, and each LibreOffice process
(one per ``-j`` job, each on its own copy of the profile) runs the macro over its share of the
documents. The macro opens a document hidden, updates its indexes (the manual's table of
contents gets its page numbers and dot leaders: LibreOffice does not refresh indexes on a plain
``--convert-to``), refreshes its fields and exports the PDF (headings become PDF bookmarks). It
logs each document as it finishes, which drives the progress display and the watchdog: a
process that makes no progress for ``timeout`` seconds is killed, the document it was working on
is reported as failed and the rest go on in a fresh process.

Where the PDFs go (docs/decisions.md): beside the kit, ``NAME-PDF/`` (or ``-o DIR``), the kit's
folder structure mirrored, ``pdf.json`` written last. Never inside the kit: `kitgen check` and a
rebuild would take the PDFs for the company's own files, and `--zip` would ship them twice. A
second run converts only the documents whose bytes changed (pdf.json keeps each source's hash).
PDF, JPEG and PNG files the company put into the kit (licence scans, certificates) are copied as
they are, so the folder is the whole dossier. ``*.new.*`` versions of a rebuild and Office lock
files are not part of the kit as submitted and are skipped.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from kitgen._version import __version__
from kitgen.errors import BuildFailed, NoOffice, NotAKit, Problem
from kitgen.kit.manifest import MANIFEST, read_manifest

PDF_MANIFEST = "pdf.json"
CONVERT = (".docx", ".xlsx")
COPY = (".pdf", ".jpg", ".jpeg", ".png")
TIMEOUT = 180                 # seconds without progress before a LibreOffice process is given up
START_TIMEOUT = 120           # initialising the throwaway profile

SOFFICE_CANDIDATES = ("soffice", "libreoffice", "/usr/bin/soffice", "/usr/lib/libreoffice/program/soffice",
                      "/opt/libreoffice/program/soffice", "/Applications/LibreOffice.app/Contents/MacOS/soffice",
                      r"C:\Program Files\LibreOffice\program\soffice.exe",
                      r"C:\Program Files (x86)\LibreOffice\program\soffice.exe")
INSTALL_HINT = ("已安装的 LibreOffice：Debian/Ubuntu 用 apt-get install libreoffice-writer-nogui libreoffice-calc-nogui "
                "fonts-noto-cjk 安装，Windows/macOS 从 libreoffice.org 下载安装；或用环境变量 KITGEN_SOFFICE 指明 soffice 的位置")


def find_soffice() -> str | None:
    """The LibreOffice executable: $KITGEN_SOFFICE, then soffice/libreoffice on PATH, then the usual places."""
    env = os.environ.get("KITGEN_SOFFICE")
    if env:
        return env if Path(env).is_file() else None
    for cand in SOFFICE_CANDIDATES:
        found = shutil.which(cand) if "/" not in cand and "\\" not in cand else (cand if Path(cand).is_file() else None)
        if found:
            return found
    return None


def default_out_dir(kit: Path) -> Path:
    return kit.parent / f"{kit.resolve().name}-PDF"


@dataclass
class PdfResult:
    out_dir: Path
    converted: list[str] = field(default_factory=list)     # kit-relative sources converted this run
    unchanged: list[str] = field(default_factory=list)     # already converted, same bytes
    copied: list[str] = field(default_factory=list)        # company PDFs/pictures copied as they are
    failed: dict[str, str] = field(default_factory=dict)   # source → why
    removed: list[str] = field(default_factory=list)       # PDFs of documents no longer in the kit
    merged: Path | None = None                             # the whole dossier in one PDF (--merge)
    not_merged: dict[str, str] = field(default_factory=dict)  # PDF → why it could not go into it
    seconds: float = 0.0

    @property
    def pdfs(self) -> list[str]:
        return self.converted + self.unchanged


Progress = Callable[[str, bool, int, int], None]           # (source, ok, done, total)


# ----------------------------------------------------------------------------------------- the kit's files
def _sha(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def kit_sources(kit: Path) -> tuple[list[str], list[str]]:
    """(documents to convert, files to copy) as kit-relative POSIX paths, sorted."""
    convert, copy = [], []
    for path in sorted(kit.rglob("*")):
        rel = path.relative_to(kit).as_posix()
        if path.is_symlink() or not path.is_file():
            continue
        if any(part.startswith((".", "~$")) for part in rel.split("/")) or ".new." in path.name:
            continue                   # hidden, Office lock files, a rebuild's proposed new versions
        suffix = path.suffix.lower()
        if suffix in CONVERT:
            convert.append(rel)
        elif suffix in COPY:
            copy.append(rel)
    return convert, copy


def pdf_names(sources: list[str]) -> dict[str, str]:
    """Each document's PDF (kit-relative). A workbook beside a Word file of the same name (07 网点清单
    .docx/.xlsx) gets "（Excel）" in its name, so that neither PDF overwrites the other."""
    stems: dict[str, int] = {}
    for rel in sources:
        key = rel.rpartition(".")[0].lower()
        stems[key] = stems.get(key, 0) + 1
    out = {}
    for rel in sources:
        stem, _, ext = rel.rpartition(".")
        clash = stems[stem.lower()] > 1 and ext.lower() != "docx"
        out[rel] = f"{stem}（Excel）.pdf" if clash and ext.lower() == "xlsx" else (
            f"{stem}（{ext}）.pdf" if clash else f"{stem}.pdf")
    return out


def _inside(root: Path, rel: str) -> Path | None:
    target = (root / rel).resolve()
    return target if target.is_relative_to(root.resolve()) else None


# ----------------------------------------------------------------------------------------- LibreOffice
_MACRO = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE script:module PUBLIC "-//OpenOffice.org//DTD OfficeDocument 1.0//EN" "module.dtd">
<script:module xmlns:script="http://openoffice.org/2000/script" script:name="Kitgen" script:language="StarBasic">
REM kitgen pdf: convert the documents listed in a job file (one "source URL TAB target URL TAB" a line),
REM updating indexes (tables of contents) and fields first. Each document's outcome ("OK" or
REM "ERR …") goes into its own file, TARGET.status, written aside and renamed: visible at once and whole.
Sub Convert(sJob As String)
  Dim sfa As Object, inp As Object, tin As Object, sLine As String, parts
  sfa = CreateUnoService("com.sun.star.ucb.SimpleFileAccess")
  inp = sfa.openFileRead(sJob)
  tin = CreateUnoService("com.sun.star.io.TextInputStream")
  tin.setInputStream(inp)
  tin.setEncoding("UTF-8")
  Do While Not tin.isEOF()
    sLine = tin.readLine()
    If Len(sLine) > 0 Then
      parts = Split(sLine, Chr(9))
      WriteStatus(sfa, parts(1) &amp; ".status", ConvertOne(parts(0), parts(1)))
    End If
  Loop
  tin.closeInput()
  StarDesktop.terminate()
End Sub

Sub WriteStatus(sfa As Object, sUrl As String, sText As String)
  Dim outp As Object, tout As Object
  If sfa.exists(sUrl &amp; ".tmp") Then sfa.kill(sUrl &amp; ".tmp")
  outp = sfa.openFileWrite(sUrl &amp; ".tmp")
  tout = CreateUnoService("com.sun.star.io.TextOutputStream")
  tout.setOutputStream(outp)
  tout.setEncoding("UTF-8")
  tout.writeString(sText)
  tout.closeOutput()
  sfa.move(sUrl &amp; ".tmp", sUrl)
End Sub

Function ConvertOne(sIn As String, sOut As String) As String
  Dim doc As Object, idx As Object, i As Integer, sFilter As String
  On Error GoTo Failed
  Dim args(0) As New com.sun.star.beans.PropertyValue
  args(0).Name = "Hidden"
  args(0).Value = True
  doc = StarDesktop.loadComponentFromURL(sIn, "_blank", 0, args())
  If IsNull(doc) Then
    ConvertOne = "ERR LibreOffice could not open the file"
    Exit Function
  End If
  If doc.supportsService("com.sun.star.text.TextDocument") Then
    sFilter = "writer_pdf_Export"
    idx = doc.getDocumentIndexes()
    For i = 0 To idx.getCount() - 1
      idx.getByIndex(i).update()
    Next i
    doc.getTextFields().refresh()
    For i = 0 To idx.getCount() - 1
      idx.getByIndex(i).update()
    Next i
  ElseIf doc.supportsService("com.sun.star.sheet.SpreadsheetDocument") Then
    sFilter = "calc_pdf_Export"
  Else
    sFilter = "writer_pdf_Export"
  End If
  Dim fd(0) As New com.sun.star.beans.PropertyValue
  fd(0).Name = "ExportBookmarks"
  fd(0).Value = True
  Dim st(1) As New com.sun.star.beans.PropertyValue
  st(0).Name = "FilterName"
  st(0).Value = sFilter
  st(1).Name = "FilterData"
  st(1).Value = fd()
  doc.storeToURL(sOut, st())
  doc.close(True)
  ConvertOne = "OK"
  Exit Function
Failed:
  ConvertOne = "ERR " &amp; Err &amp; " " &amp; Error$
  On Error Resume Next
  If Not IsNull(doc) Then doc.close(True)
End Function
</script:module>
"""
_LIBRARY = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE library:library PUBLIC "-//OpenOffice.org//DTD OfficeDocument 1.0//EN" "library.dtd">
<library:library xmlns:library="http://openoffice.org/2000/library" library:name="Standard" \
library:readonly="false" library:passwordprotected="false">
 <library:element library:name="Kitgen"/>
</library:library>
"""


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)          # LibreOffice's own Python must not see ours
    env.setdefault("SAL_USE_VCLPLUGIN", "svp")
    return env


def _run(cmd: list[str], timeout: float) -> subprocess.CompletedProcess:
    """Run LibreOffice in its own process group; kill the whole group on timeout."""
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                            env=_env(), **_group())
    try:
        out, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill(proc)
        raise
    return subprocess.CompletedProcess(cmd, proc.returncode, out, b"")


def _group() -> dict:
    if os.name == "posix":
        return {"start_new_session": True}
    return {"creationflags": getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0)}


def _kill(proc: subprocess.Popen) -> None:
    try:
        if os.name == "posix":
            os.killpg(proc.pid, signal.SIGKILL)
        else:
            proc.kill()
    except (ProcessLookupError, PermissionError, OSError):
        pass
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        pass


def _profile_args(profile: Path) -> list[str]:
    return [f"-env:UserInstallation={profile.resolve().as_uri()}", "--headless", "--invisible", "--norestore",
            "--nologo", "--nodefault", "--nolockcheck"]


def make_profile(soffice: str, where: Path) -> Path:
    """A fresh LibreOffice user profile in ``where`` holding the conversion macro.

    LibreOffice fills a new profile on its first start (and would overwrite a macro put there
    before), so it is started once to initialise it, then the macro is added."""
    profile = where / "profile"
    try:
        _run([soffice, *_profile_args(profile), "--terminate_after_init"], START_TIMEOUT)
    except (subprocess.TimeoutExpired, OSError) as e:
        raise BuildFailed([Problem(soffice, None, "", f"LibreOffice 无法启动（{e}）", INSTALL_HINT)]) from None
    lib = profile / "user" / "basic" / "Standard"
    if not (profile / "user").is_dir():
        raise BuildFailed([Problem(soffice, None, "", "LibreOffice 未能建立临时用户配置", INSTALL_HINT)])
    lib.mkdir(parents=True, exist_ok=True)
    (lib / "Kitgen.xba").write_text(_MACRO, "utf-8")
    (lib / "script.xlb").write_text(_LIBRARY, "utf-8")
    xlc = profile / "user" / "basic" / "script.xlc"
    if not xlc.is_file():
        xlc.write_text('<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE library:libraries PUBLIC '
                       '"-//OpenOffice.org//DTD OfficeDocument 1.0//EN" "libraries.dtd">\n'
                       '<library:libraries xmlns:library="http://openoffice.org/2000/library" '
                       'xmlns:xlink="http://www.w3.org/1999/xlink">\n'
                       ' <library:library library:name="Standard" library:link="false"/>\n'
                       '</library:libraries>\n', "utf-8")
    return profile


@dataclass
class _Worker:
    """One LibreOffice process converting a list of (source, target) pairs."""
    soffice: str
    profile: Path
    work: Path
    items: list[tuple[Path, Path, str, str]]               # (source copy, its pdf, kit-relative source, pdf)
    proc: subprocess.Popen | None = None
    last: float = 0.0
    attempt: int = 0

    def start(self) -> None:
        self.attempt += 1
        job = self.work / f"job{self.attempt}.txt"
        # a closing tab: LibreOffice's readLine keeps the newline of the file's last line
        job.write_text("".join(f"{s.resolve().as_uri()}\t{t.resolve().as_uri()}\t\n" for s, t, _, _ in self.items),
                       "utf-8")
        macro = f'macro:///Standard.Kitgen.Convert("{job.resolve().as_uri()}")'
        self.proc = subprocess.Popen([self.soffice, *_profile_args(self.profile), macro], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, env=_env(), **_group())
        self.last = time.monotonic()

    def finished(self, ended: bool) -> list[tuple[tuple, bool, str]]:
        """(item, ok, status) for the documents whose status file has appeared. A document reported
        "OK" counts once its PDF is there (at the latest when the process has ended)."""
        out = []
        for item in list(self.items):
            status_file = item[1].with_name(item[1].name + ".status")
            if not status_file.is_file():
                continue
            try:
                status = status_file.read_text("utf-8").strip()
            except (OSError, UnicodeDecodeError):
                continue
            made = item[1].is_file() and item[1].stat().st_size > 0
            if status == "OK" and not made and not ended:
                continue                                    # written a moment later: look again
            self.items.remove(item)
            self.last = time.monotonic()
            out.append((item, status == "OK" and made, status))
        return out


def convert(kit: Path, out_dir: Path | None = None, *, jobs: int = 1, force: bool = False,
            soffice: str | None = None, timeout: float = TIMEOUT, progress: Progress | None = None,
            merge: bool = False) -> PdfResult:
    """Convert the kit's Word and Excel files to PDF in ``out_dir`` (default ``NAME-PDF`` beside it);
    ``merge``: also one PDF of the whole dossier with bookmarks (needs pypdf)."""
    start = time.perf_counter()
    kit = Path(kit)
    if not kit.is_dir() or read_manifest(kit) is None:
        raise NotAKit([Problem(str(kit), None, "", f"不是 kitgen 文件包（没有可读取的 {MANIFEST}）",
                               "kitgen build 生成的文件包文件夹")])
    out_dir = Path(out_dir) if out_dir is not None else default_out_dir(kit)
    if out_dir.resolve().is_relative_to(kit.resolve()):
        raise BuildFailed([Problem(str(out_dir), None, "", "PDF 文件夹不能放在文件包里面（kitgen check 和重新生成会把它当作企业的文件）",
                                   f"文件包旁边的文件夹，如 {default_out_dir(kit)}")])
    old = _read_pdf_manifest(out_dir)
    if out_dir.exists() and (not out_dir.is_dir() or (old is None and any(out_dir.iterdir()))):
        raise BuildFailed([Problem(str(out_dir), None, "", "输出文件夹已存在且不是 kitgen pdf 生成的（没有 pdf.json）",
                                   "一个新的或空的文件夹；为保护其中的文件，kitgen 不会写入")])
    sources, copies = kit_sources(kit)
    names = pdf_names(sources)
    result = PdfResult(out_dir=out_dir)
    old_entries = {e.get("source"): e for e in (old or {}).get("files", []) if isinstance(e, dict)}
    hashes = {rel: _sha(kit / rel) for rel in sources + copies}
    todo: list[str] = []
    for rel in sources:
        prev = old_entries.get(rel)
        target = _inside(out_dir, names[rel])
        if (not force and prev and prev.get("sha256") == hashes[rel] and target is not None and target.is_file()
                and target.stat().st_size > 0):
            result.unchanged.append(rel)
        else:
            todo.append(rel)

    if todo:                       # (a rerun with nothing changed needs no LibreOffice)
        soffice = soffice or find_soffice()
        if soffice is None:
            raise NoOffice([Problem("soffice", None, "", "找不到 LibreOffice，无法转换为 PDF", INSTALL_HINT)])
    out_dir.mkdir(parents=True, exist_ok=True)
    if todo:
        with tempfile.TemporaryDirectory(prefix="kitgen-pdf-") as tmp:
            _convert_all(soffice, kit, out_dir, Path(tmp), [(rel, names[rel]) for rel in todo],
                         max(1, min(jobs, len(todo))), timeout, result, progress, len(sources))
    for rel in copies:
        target = _inside(out_dir, rel)
        if target is None:
            continue
        if not target.is_file() or _sha(target) != hashes[rel]:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(kit / rel, target)
        result.copied.append(rel)

    # PDFs of documents the kit no longer holds (ours, unchanged since we wrote them) go
    keep = set(names.values()) | set(copies)
    for entry in old_entries.values():
        out = entry.get("pdf")
        if isinstance(out, str) and out not in keep:
            target = _inside(out_dir, out)
            if target is not None and target.is_file() and _sha(target) == entry.get("pdf_sha256"):
                target.unlink()
                result.removed.append(out)
    _prune_empty(out_dir)

    files = []
    for rel in sources:
        if rel in result.failed:
            continue
        files.append({"source": rel, "sha256": hashes[rel], "pdf": names[rel], "pdf_sha256": _sha(out_dir / names[rel])})
    for rel in copies:
        files.append({"source": rel, "sha256": hashes[rel], "pdf": rel, "pdf_sha256": hashes[rel]})
    merged_name = f"{kit.resolve().name}（全部）.pdf"
    old_merged = (old or {}).get("merged")
    if merge:
        manifest = read_manifest(kit) or {}
        kinds = {f.get("path"): f.get("kind") for f in manifest.get("files", []) if isinstance(f, dict)}
        parts = [(e["pdf"], e["source"]) for e in files if _in_merged(e["source"], e["pdf"], kinds)]
        result.merged = merge_pdfs(out_dir, sorted(parts), out_dir / merged_name, result.not_merged)
    elif isinstance(old_merged, dict) and isinstance(old_merged.get("pdf"), str):
        target = _inside(out_dir, old_merged["pdf"])     # not asked for this time: a stale one of ours goes
        if target is not None and target.is_file() and _sha(target) == old_merged.get("pdf_sha256"):
            target.unlink()
            result.removed.append(old_merged["pdf"])
    data = {"format": 1, "kitgen": __version__, "kit": str(kit.resolve()), "files": files,
            "failed": [{"source": k, "reason": v} for k, v in sorted(result.failed.items())]}
    if result.merged is not None:
        data["merged"] = {"pdf": merged_name, "pdf_sha256": _sha(result.merged)}
    (out_dir / PDF_MANIFEST).write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", "utf-8")
    result.seconds = time.perf_counter() - start
    return result


def _convert_all(soffice: str, kit: Path, out_dir: Path, tmp: Path, todo: list[tuple[str, str]], jobs: int,
                 timeout: float, result: PdfResult, progress: Progress | None, total: int) -> None:
    base = make_profile(soffice, tmp / "base")
    # documents dealt round-robin over the jobs, largest first: the processes finish together
    order = sorted(todo, key=lambda r: -(kit / r[0]).stat().st_size)
    shares = [order[k::jobs] for k in range(jobs)]
    workers = []
    for k, share in enumerate(shares):
        work = tmp / f"w{k}"
        (work / "out").mkdir(parents=True)
        profile = work / "profile"
        shutil.copytree(base, profile, symlinks=True)
        (work / "in").mkdir()
        items = []
        for n, (rel, name) in enumerate(share):
            # LibreOffice reads a copy: it leaves lock files beside what it opens, and the kit stays untouched
            src = work / "in" / f"{n:04d}{Path(rel).suffix.lower()}"
            shutil.copyfile(kit / rel, src)
            items.append((src, work / "out" / f"{n:04d}.pdf", rel, name))
        workers.append(_Worker(soffice, profile, work, items))
    done = len(result.unchanged)
    for w in workers:
        w.start()

    def report(item, ok: bool, status: str) -> None:
        nonlocal done
        _finish(item, ok, status, out_dir, result)
        done += 1
        if progress:
            progress(item[2], ok, done, total)

    try:
        while any(w.proc is not None for w in workers):
            time.sleep(0.2)
            for w in workers:
                if w.proc is None:
                    continue
                ended = w.proc.poll() is not None
                for item, ok, status in w.finished(ended):
                    report(item, ok, status)
                stuck = not ended and time.monotonic() - w.last > timeout
                if not (ended or stuck):
                    continue
                if stuck:
                    _kill(w.proc)
                for item, ok, status in w.finished(True):     # what it finished just before it ended
                    report(item, ok, status)
                w.proc = None
                if w.items:
                    # the process died or hung on the first document left: that one fails, the rest go on
                    bad = w.items.pop(0)
                    why = (f"LibreOffice 在 {int(timeout)} 秒内没有完成转换（已终止）" if stuck
                           else "LibreOffice 意外退出，未能转换")
                    report(bad, False, "ERR " + why)
                    if w.items:
                        w.start()
    finally:
        for w in workers:
            if w.proc is not None:
                _kill(w.proc)


def _finish(item: tuple[Path, Path, str, str], ok: bool, status: str, out_dir: Path, result: PdfResult) -> None:
    src, made, rel, name = item
    if not ok:
        why = status[4:] if status.startswith("ERR ") else ""
        result.failed[rel] = why if why.startswith("LibreOffice ") and not why.isascii() else (
            "LibreOffice 无法转换此文件" + (f"（{why}）" if why else ""))
        return
    target = _inside(out_dir, name)
    if target is None:
        result.failed[rel] = "文件路径越出了输出文件夹"
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(str(made), str(target))
    result.converted.append(rel)


def _read_pdf_manifest(out_dir: Path) -> dict | None:
    path = out_dir / PDF_MANIFEST
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text("utf-8"))
        return data if isinstance(data, dict) else None
    except (OSError, ValueError):
        return None


def _prune_empty(root: Path) -> None:
    for path in sorted((p for p in root.rglob("*") if p.is_dir()), key=lambda p: -len(p.parts)):
        try:
            path.rmdir()
        except OSError:
            pass


# ----------------------------------------------------------------------------------------- one merged PDF
def _in_merged(source: str, pdf: str, kinds: dict[str, str]) -> bool:
    """What a reviewer reads once: no questionnaire (it is for the company), no blank application
    form, and a workbook's PDF only when no Word file of the same name holds the same table."""
    if kinds.get(source) == "questionnaire" or "（空白）" in source:
        return False
    return "（Excel）" not in pdf


def merge_pdfs(out_dir: Path, parts: list[tuple[str, str]], target: Path,
               skipped: dict[str, str] | None = None) -> Path:
    """``parts`` (pdf path relative to out_dir, kit source) in order, as one PDF: a bookmark per
    folder, under it one per document, under that the document's own bookmarks (its headings).
    A PDF that cannot be read (a damaged scan the company put in) is left out and noted in ``skipped``."""
    try:
        from pypdf import PdfReader, PdfWriter
    except ImportError:
        raise BuildFailed([Problem("pypdf", None, "", "合并 PDF 需要 pypdf", "pip install pypdf（或 pip install 'kitgen[pdf]'）")]) from None
    writer = PdfWriter()
    folders: dict[str, object] = {}
    for rel, _source in parts:
        start = len(writer.pages)
        try:
            reader = PdfReader(str(out_dir / rel))
            writer.append(reader, import_outline=False)
        except Exception as e:  # noqa: BLE001 - pypdf raises many kinds on a damaged file
            while len(writer.pages) > start:          # nothing half-appended stays in
                writer.remove_page(len(writer.pages) - 1)
            if skipped is not None:
                skipped[rel] = f"无法读取（{type(e).__name__}）"
            continue
        if len(writer.pages) == start:
            continue
        folder, _, name = rel.rpartition("/")
        parent = None
        if folder:
            if folder not in folders:
                folders[folder] = writer.add_outline_item(title=folder, page_number=start, is_open=False)
            parent = folders[folder]
        item = writer.add_outline_item(title=name.rpartition(".")[0], page_number=start, parent=parent,
                                       is_open=False)
        _copy_outline(reader, reader.outline, writer, item, start)
    writer.page_mode = "/UseOutlines"
    tmp = target.with_name(f".{target.name}.tmp")
    with tmp.open("wb") as fh:
        writer.write(fh)
    os.replace(tmp, target)
    return target


def _copy_outline(reader, items, writer, parent, offset: int) -> None:
    last = None
    for it in items:
        if isinstance(it, list):
            if last is not None:
                _copy_outline(reader, it, writer, last, offset)
            continue
        try:
            page = reader.get_destination_page_number(it)
        except Exception:  # noqa: BLE001 - a bookmark without a usable destination is left out
            continue
        if page is None or page < 0:
            continue
        last = writer.add_outline_item(title=str(it.title), page_number=offset + page, parent=parent, is_open=False)
