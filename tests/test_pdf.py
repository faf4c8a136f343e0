"""`kitgen pdf` (issue 15): the kit as PDFs for submission, and spreadsheets that print.

One sample kit is converted once per module (LibreOffice, -j 2); the tests read the PDFs with
poppler's pdftotext. What is checked is what a reviewer leafing through the PDF folder would see:
every document has its PDF, the manual's contents page shows page numbers (and each entry is on
the page it names), the indicator matrix prints its rows legibly (none overlapping, none much
taller than its text, pages growing with the rows). Without LibreOffice these tests skip with
the reason shown; the missing-LibreOffice message and the watchdog are tested with stand-ins.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

import kitgen
from kitgen.cli.main import cli
from kitgen.kit.pdf import convert, kit_sources, pdf_names

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "appliance-producer.yaml"
MANUAL = "02 售后服务管理手册"
MATRIX_PDF = "07 指标对照表（Excel）.pdf"


def run(*args: str, env: dict | None = None):
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False, env=env)
    return result.exit_code, result.output


def pdftotext(pdf: Path, *opts: str) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext（poppler-utils）未安装：跳过读取 PDF 内容的检查")
    return subprocess.run(["pdftotext", *opts, str(pdf), "-"], capture_output=True, text=True, check=True).stdout


def _one_page_pdf() -> bytes:
    """A small valid PDF (pypdf when present, else a hand-written one)."""
    try:
        import io
        from pypdf import PdfWriter
    except ImportError:
        return (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
                b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
    w = PdfWriter()
    w.add_blank_page(595, 842)
    buf = io.BytesIO()
    w.write(buf)
    return buf.getvalue()


@pytest.fixture(scope="module")
def converted(soffice, tmp_path_factory):
    """(kit, pdf folder, seconds): one sample kit converted with `kitgen pdf -j 2`."""
    base = tmp_path_factory.mktemp("pdf")
    kit = kitgen.build(SAMPLE, base / "客户文件包").out_dir
    (kit / "06 申请资料" / "01 营业执照.pdf").write_bytes(_one_page_pdf())      # a scan the company put in
    (kit / "06 申请资料" / "02 许可证.pdf").write_bytes(b"%PDF-1.4\n% damaged\n")  # and a damaged one
    before = {p.relative_to(kit).as_posix(): p.read_bytes() for p in kit.rglob("*") if p.is_file()}
    start = time.perf_counter()
    code, out = run("pdf", str(kit), "-j", "2", env={"KITGEN_SOFFICE": soffice})
    seconds = time.perf_counter() - start
    assert code == 0, out
    after = {p.relative_to(kit).as_posix(): p.read_bytes() for p in kit.rglob("*") if p.is_file()}
    assert after == before, "kitgen pdf changed the kit (lock files, rewritten documents)"
    print(f"\nkitgen pdf converted {len(kit_sources(kit)[0])} documents in {seconds:.1f}s")
    return kit, base / "客户文件包-PDF", seconds


@pytest.mark.soffice
def test_every_document_has_its_pdf_beside_the_kit(converted):
    kit, out, _ = converted
    sources, copies = kit_sources(kit)
    names = pdf_names(sources)
    assert len(sources) > 50 and copies == ["06 申请资料/01 营业执照.pdf", "06 申请资料/02 许可证.pdf"]
    for rel in sources:
        pdf = out / names[rel]
        assert pdf.is_file() and pdf.read_bytes().startswith(b"%PDF"), rel
    # a workbook beside a Word file of the same name keeps its own PDF
    assert names["07 指标对照表.xlsx"] == MATRIX_PDF and (out / "07 指标对照表.pdf").is_file()
    assert (out / "06 申请资料" / "01 营业执照.pdf").is_file()                     # copied as it is
    data = json.loads((out / "pdf.json").read_text("utf-8"))
    assert data["format"] == 1 and not data["failed"]
    assert {f["source"] for f in data["files"]} == set(sources) | set(copies)
    # the PDF folder is not mistaken for company files: the kit checks as before
    code, _ = run("check", str(kit), "--json")
    assert code in (0, 5)


@pytest.mark.soffice
def test_manual_contents_page_shows_page_numbers_that_are_right(converted):
    _, out, _ = converted
    pdf = out / f"{MANUAL}.pdf"
    pages = pdftotext(pdf, "-layout").split("\f")
    first = next(i for i, p in enumerate(pages) if re.search(r"目\s*录", p))
    contents = pages[first]
    for p in pages[first + 1:]:                               # the contents may run onto more pages
        if not re.search(r"\.{5,}\s*\d+\s*$", p, re.M):
            break
        contents += "\n" + p
    entries = re.findall(r"^\s*(\S.*?)\s*\.{5,}\s*(\d+)\s*$", contents, re.M)       # dot leaders, then a number
    assert len(entries) >= 30, contents[:1500]
    titles = [t for t, _ in entries]
    assert "修订记录" in titles and any(t.startswith("1 ") for t in titles)
    numbers = [int(n) for _, n in entries]
    assert numbers == sorted(numbers) and numbers[-1] > 20
    for title, n in entries:                                  # each entry is on the page it names
        assert title in pages[int(n) - 1].replace("  ", " "), (title, n)
    # headings became PDF bookmarks (pdftotext lists none, so look for the outline in the file)
    assert b"/Outlines" in pdf.read_bytes()


def _lines(pdf: Path) -> list[list[tuple[float, float, float, float, str]]]:
    """Per page: the text lines (xMin, yMin, xMax, yMax, text), page footers left out."""
    xml = pdftotext(pdf, "-bbox-layout")
    pages = []
    for page in re.findall(r"<page .*?</page>", xml, re.S):
        lines = []
        for m in re.finditer(r'<line xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</line>',
                             page, re.S):
            text = "".join(re.findall(r">([^<]*)</word>", m.group(5)))
            if not re.fullmatch(r"第\d+页共\d+页", text):
                lines.append((*map(float, m.groups()[:4]), text))
        pages.append(lines)
    return pages


def _overlapping(lines) -> list[tuple[str, str]]:
    """Pairs of text lines drawn over each other (same columns, overlapping heights)."""
    bad = []
    for i, a in enumerate(lines):
        for b in lines[i + 1:]:
            if min(a[2], b[2]) - max(a[0], b[0]) > 2:
                if min(a[3], b[3]) - max(a[1], b[1]) > 0.3 * min(a[3] - a[1], b[3] - b[1]):
                    bad.append((a[4][:20], b[4][:20]))
    return bad


def _blank_gaps(lines) -> list[float]:
    """The vertical gaps between the bands of text on a page."""
    bands: list[list[float]] = []
    for y0, y1 in sorted((ln[1], ln[3]) for ln in lines):
        if bands and y0 <= bands[-1][1]:
            bands[-1][1] = max(bands[-1][1], y1)
        else:
            bands.append([y0, y1])
    return [b[0] - a[1] for a, b in zip(bands, bands[1:])]


@pytest.mark.soffice
def test_matrix_prints_rows_legibly(converted):
    """Before issue 15 LibreOffice printed the matrix's 72 multi-line rows overlapping on one page."""
    kit, out, _ = converted
    pages = _lines(out / MATRIX_PDF)
    assert len(pages) >= 5, f"{len(pages)} page(s): the rows do not take the room their text needs"
    height = sorted(ln[3] - ln[1] for p in pages for ln in p)[len([ln for p in pages for ln in p]) // 2]
    for n, lines in enumerate(pages, 1):
        assert not _overlapping(lines), (n, _overlapping(lines)[:5])
        # no row much taller than its text: the blank space between one row's text and the next
        # is the cell padding plus what the estimate gives too much. Rows are sized for Excel and
        # WPS (宋体: ASCII exactly half a CJK character); LibreOffice's fallback fonts set Latin
        # narrower, so a cell listing many "XX/SH-JL-27《…》" wraps less there: up to about three
        # blank lines in a long row, never text drawn over text (asserted above)
        assert max(_blank_gaps(lines), default=0) < 3.6 * height, (n, sorted(_blank_gaps(lines))[-3:])
    text = "\n".join(ln[4] for p in pages for ln in p)
    for ind in ("5.1.1.1", "5.2.4.1", "5.3.2.5"):
        assert ind in text


@pytest.mark.soffice
def test_printed_pages_grow_with_the_rows(soffice, tmp_path):
    from kitgen.ooxml.xlsx_writer import Sheet, write_xlsx
    kit = tmp_path / "kit"
    kit.mkdir()
    (kit / "kit.json").write_text('{"format": 1, "files": []}', "utf-8")
    cell = "第一行说明文字\n第二行说明文字\n第三行：" + "较长的说明文字" * 6
    for n in (20, 60):
        rows = [[f"5.{i}", f"条目{i}", cell, "已证实"] for i in range(n)]
        (kit / f"{n}.xlsx").write_bytes(write_xlsx([Sheet("s", ["编号", "名称", "说明", "可靠程度"], rows,
                                                           widths=[8, 12, 30, 8])]))
    result = convert(kit, tmp_path / "pdf", soffice=soffice)
    assert not result.failed
    counts = {n: len(_lines(tmp_path / "pdf" / f"{n}.pdf")) for n in (20, 60)}
    assert counts[20] >= 2 and counts[60] >= 2.5 * counts[20], counts
    for n in (20, 60):
        for lines in _lines(tmp_path / "pdf" / f"{n}.pdf"):
            assert not _overlapping(lines)


@pytest.mark.soffice
def test_second_run_converts_only_what_the_company_changed(converted, soffice):
    kit, out, _ = converted
    code, output = run("pdf", str(kit), env={"KITGEN_SOFFICE": soffice})
    assert code == 0 and "转换 0 个" in output, output
    form = kit / "05 记录表格" / "JL-01 投诉登记处理单.docx"
    import docx
    d = docx.Document(str(form))
    d.add_paragraph("企业补充：投诉电话 400-000-0000")
    d.save(str(form))
    code, output = run("pdf", str(kit), env={"KITGEN_SOFFICE": soffice})
    assert code == 0 and "转换 1 个" in output, output
    assert "400-000-0000" in pdftotext(out / "05 记录表格" / "JL-01 投诉登记处理单.pdf")


@pytest.mark.soffice
def test_merge_makes_one_pdf_of_the_dossier_with_bookmarks(converted, soffice):
    pypdf = pytest.importorskip("pypdf", reason="pypdf 未安装：跳过合并 PDF 的检查（pip install pypdf）")
    kit, out, _ = converted
    code, output = run("pdf", str(kit), "--merge", env={"KITGEN_SOFFICE": soffice})
    assert code == 0 and "合并的 PDF" in output, output
    assert "未能并入合并的 PDF：06 申请资料/02 许可证.pdf" in output     # the damaged scan: noted, no crash
    merged = out / f"{kit.name}（全部）.pdf"
    reader = pypdf.PdfReader(str(merged))
    parts = [p for p in sorted(out.rglob("*.pdf")) if p != merged and p.name != "02 许可证.pdf"]
    included = [p for p in parts if "（Excel）" not in p.name and "（空白）" not in p.name and "待补充信息" not in p.name]
    assert len(reader.pages) == sum(len(pypdf.PdfReader(str(p)).pages) for p in included)
    outline = reader.outline

    def children(title: str) -> list[str]:
        """The titles of the bookmarks right under the top-level bookmark ``title``."""
        k = next(i for i, it in enumerate(outline) if not isinstance(it, list) and it.title == title)
        sub = outline[k + 1] if k + 1 < len(outline) and isinstance(outline[k + 1], list) else []
        return [it.title for it in sub if not isinstance(it, list)]

    top = [it.title for it in outline if not isinstance(it, list)]
    assert top[:2] == ["01 申请资料清单", MANUAL] and "03 程序文件" in top and "05 记录表格" in top
    assert "修订记录" in children(MANUAL)                                     # the manual's own headings
    assert any(t.startswith("CX-01 ") for t in children("03 程序文件"))
    # the scan the company put in is part of the dossier; the blank form and the questionnaire are not
    assert "01 营业执照" in children("06 申请资料") and "00 认证申请书" in children("06 申请资料")
    assert not any("空白" in t or "待补充" in t for t in top + children("06 申请资料"))
    # not asked for again: the merged PDF, no longer kept up to date, goes
    code, output = run("pdf", str(kit), env={"KITGEN_SOFFICE": soffice})
    assert code == 0 and not merged.exists()


# ------------------------------------------------------------------ without LibreOffice
def _tiny_kit(tmp_path: Path) -> Path:
    from kitgen.ooxml.xlsx_writer import Sheet, write_xlsx
    kit = tmp_path / "kit"
    kit.mkdir()
    (kit / "kit.json").write_text('{"format": 1, "files": []}', "utf-8")
    for name in ("a.xlsx", "b.xlsx"):
        (kit / name).write_bytes(write_xlsx([Sheet("s", ["h"], [["x"]])]))
    return kit


def test_without_libreoffice_exit_7_says_what_to_install(tmp_path):
    kit = _tiny_kit(tmp_path)
    code, out = run("pdf", str(kit), env={"KITGEN_SOFFICE": str(tmp_path / "no-soffice")})
    assert code == 7, out
    assert "LibreOffice" in out and "apt-get install" in out and "KITGEN_SOFFICE" in out
    assert not (tmp_path / "kit-PDF").exists()


def test_not_a_kit_and_pdf_folder_inside_the_kit_are_refused(tmp_path):
    code, out = run("pdf", str(tmp_path))
    assert code == 6, out
    kit = _tiny_kit(tmp_path)
    code, out = run("pdf", str(kit), "-o", str(kit / "PDF"))
    assert code == 2 and "不能放在文件包里面" in out, out
    other = tmp_path / "mine"
    other.mkdir()
    (other / "notes.txt").write_text("mine", "utf-8")
    code, out = run("pdf", str(kit), "-o", str(other), env={"KITGEN_SOFFICE": sys.executable})
    assert code == 4 and "pdf.json" in out and (other / "notes.txt").read_text("utf-8") == "mine"


@pytest.mark.skipif(os.name != "posix", reason="the stand-in LibreOffice is a shell script")
def test_a_hung_libreoffice_is_killed_and_reported(tmp_path):
    """A LibreOffice that never finishes: each document waits for the watchdog, then fails; no hang."""
    fake = tmp_path / "soffice"
    fake.write_text(textwrap.dedent("""\
        #!/bin/sh
        for a in "$@"; do
          case "$a" in
            -env:UserInstallation=file://*) mkdir -p "${a#-env:UserInstallation=file://}/user" ;;
            --terminate_after_init) exit 0 ;;
          esac
        done
        exec sleep 600
        """), "utf-8")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    kit = _tiny_kit(tmp_path)
    start = time.perf_counter()
    result = convert(kit, tmp_path / "out", soffice=str(fake), timeout=1.5)
    assert time.perf_counter() - start < 30
    assert set(result.failed) == {"a.xlsx", "b.xlsx"}
    assert all("秒内没有完成转换" in why for why in result.failed.values())
    code = subprocess.run(["pgrep", "-f", str(fake)], capture_output=True).returncode
    assert code != 0, "a LibreOffice stand-in was left running"
