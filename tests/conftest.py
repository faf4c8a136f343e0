"""Shared test helpers: LibreOffice (soffice) for the tests that convert documents to PDF."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

SOFFICE_CANDIDATES = ("soffice", "libreoffice", "/usr/bin/soffice", "/usr/lib/libreoffice/program/soffice",
                      "/opt/libreoffice/program/soffice",
                      "/Applications/LibreOffice.app/Contents/MacOS/soffice")


def find_soffice() -> str | None:
    env = os.environ.get("KITGEN_SOFFICE")
    if env and Path(env).is_file():
        return env
    for cand in SOFFICE_CANDIDATES:
        found = shutil.which(cand) if "/" not in cand else (cand if Path(cand).is_file() else None)
        if found:
            return found
    return None


@pytest.fixture(scope="session")
def soffice() -> str:
    """The soffice executable; skips the test (with the reason shown by -ra) when missing."""
    path = find_soffice()
    if path is None:
        pytest.skip("LibreOffice (soffice) 未安装：跳过转换为 PDF 的检查"
                    "（apt-get install libreoffice-writer-nogui fonts-noto-cjk，或设置 KITGEN_SOFFICE）")
    return path


def convert_to_pdf(soffice: str, path: Path, outdir: Path, timeout: int = 120) -> Path:
    """Convert ``path`` to PDF in ``outdir`` with a private LibreOffice profile; return the PDF.

    Raises AssertionError with LibreOffice's output when no PDF comes out."""
    path, outdir = Path(path), Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    profile = outdir / ".lo-profile"
    profile.mkdir(exist_ok=True)
    cmd = [soffice, f"-env:UserInstallation={profile.resolve().as_uri()}", "--headless",
           "--norestore", "--convert-to", "pdf", "--outdir", str(outdir), str(path)]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as e:
        raise AssertionError(f"LibreOffice did not convert {path.name} within {timeout}s") from e
    pdf = outdir / (path.stem + ".pdf")
    assert pdf.is_file() and pdf.stat().st_size > 0, (
        f"LibreOffice produced no PDF for {path.name} (exit {proc.returncode}):\n"
        f"{proc.stdout}\n{proc.stderr}")
    return pdf
