"""Forms print on their pages (issue 13.4): every record form of a producer's and a retailer's kit,
converted by LibreOffice with the CJK fonts CI installs, has the number of A4 pages its `pages:`
says (1 unless the form says otherwise) — a signature line never spills alone onto a second page."""
from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

import kitgen

ROOT = Path(__file__).resolve().parents[2]
KITS = ("appliance-producer", "electronics-retailer")
_PAGE = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")


def pdf_pages(path: Path) -> int:
    """Pages of a PDF LibreOffice wrote (page objects counted; no poppler needed)."""
    return len(_PAGE.findall(path.read_bytes()))


@pytest.mark.soffice
def test_every_form_prints_on_its_pages(soffice, tmp_path):
    flat = tmp_path / "in"
    flat.mkdir()
    expected: dict[str, tuple[str, str, tuple[int, int]]] = {}
    for name in KITS:
        profile = ROOT / "samples" / f"{name}.yaml"
        kit = tmp_path / name
        kitgen.build(profile, kit)
        plan = kitgen.plan(kitgen.load_profile(profile))
        for pf in plan.forms.values():
            stem = f"{name[:1]}{len(expected):03d}"
            shutil.copy(kit / pf.path, flat / f"{stem}.docx")
            expected[stem] = (name, pf.path, pf.definition.pages)
    out = tmp_path / "pdf"
    profile_dir = tmp_path / "lo-profile"
    proc = subprocess.run([soffice, f"-env:UserInstallation={profile_dir.as_uri()}", "--headless", "--norestore",
                           "--convert-to", "pdf", "--outdir", str(out), *sorted(str(p) for p in flat.glob("*.docx"))],
                          capture_output=True, text=True, timeout=900)
    wrong, missing = [], []
    for stem, (kit, path, (low, high)) in sorted(expected.items()):
        pdf = out / f"{stem}.pdf"
        if not pdf.is_file():
            missing.append(f"{kit}/{path}")
            continue
        n = pdf_pages(pdf)
        if not low <= n <= high:
            want = str(low) if low == high else f"{low}-{high}"
            wrong.append(f"{kit}/{path}: {n} 页（pages: {want}）")
    assert not missing, f"LibreOffice could not convert: {missing}\n{proc.stderr[-2000:]}"
    assert not wrong, "forms that do not print on their pages:\n" + "\n".join(wrong)
    assert len(expected) >= 80, len(expected)


def test_pages_of_a_pdf_are_counted(tmp_path):
    pdf = tmp_path / "x.pdf"
    pdf.write_bytes(b"%PDF-1.4\n1 0 obj <</Type /Pages /Kids [2 0 R 3 0 R] /Count 2>> endobj\n"
                    b"2 0 obj <</Type /Page /Parent 1 0 R>> endobj\n3 0 obj <</Type/Page/Parent 1 0 R>> endobj\n")
    assert pdf_pages(pdf) == 2
