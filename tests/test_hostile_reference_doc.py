"""Issue 14, item 1: a reference document (--reference-doc, or templates/base.docx of an overlay
lying beside a client's profile) must not carry active content into every document of every kit.

Only the fields kitgen itself uses may come with its cover or header logo; DDE/DDEAUTO,
INCLUDEPICTURE, INCLUDETEXT (in the cover, or in a text box of the header) and links to file:,
UNC or javascript: targets are refused with a located message (exit 3), and `kitgen lint` reports
them. A build that picks up an overlay by itself says so on its first line.
"""
from __future__ import annotations

import re
import shutil
from xml.sax.saxutils import escape
from pathlib import Path

import pytest
from click.testing import CliRunner

import kitgen
from kitgen.cli.main import cli
from kitgen.errors import InvalidInput
from tests.fixtures import check_kits as K
from tests.test_overlay import SAMPLE, make_reference_doc

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _edit(path: Path, part: str, fn) -> Path:
    def edit(name, data):
        return fn(data.decode("utf-8")).encode("utf-8") if name == part else data
    K.rezip(path, edit)
    return path


def cover_field(path: Path, instr: str, simple: bool = False) -> Path:
    """Put a field into the cover's title paragraph (before the page break)."""
    if simple:
        field = f'<w:fldSimple w:instr="{escape(instr, {chr(34): "&quot;"})}"><w:r><w:t>x</w:t></w:r></w:fldSimple>'
    else:                              # a complex field whose instruction Word split over two runs
        half = len(instr) // 2
        field = ('<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
                 f'<w:r><w:instrText xml:space="preserve"> {instr[:half]}</w:instrText></w:r>'
                 f'<w:r><w:instrText xml:space="preserve">{instr[half:]} </w:instrText></w:r>'
                 '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>x</w:t></w:r>'
                 '<w:r><w:fldChar w:fldCharType="end"/></w:r>')
    return _edit(path, "word/document.xml", lambda s: s.replace("{{ company }}</w:t></w:r>",
                                                                 "{{ company }}</w:t></w:r>" + field, 1))


def header_textbox_field(path: Path, instr: str) -> Path:
    """A text box (VML, inside the picture run Word keeps as the logo) holding a field."""
    box = ('<w:r><w:pict><v:shape xmlns:v="urn:schemas-microsoft-com:vml" style="width:100pt;height:20pt">'
           '<v:textbox><w:txbxContent><w:p>'
           f'<w:fldSimple w:instr="{escape(instr, {chr(34): "&quot;"})}"><w:r><w:t>x</w:t></w:r></w:fldSimple>'
           '</w:p></w:txbxContent></v:textbox></v:shape></w:pict></w:r>')
    return _edit(path, "word/header1.xml", lambda s: s.replace("</w:p>", box + "</w:p>", 1))


def cover_link(path: Path, target: str) -> Path:
    """An external hyperlink on the cover."""
    _edit(path, "word/_rels/document.xml.rels",
          lambda s: s.replace("</Relationships>", '<Relationship Id="rIdEvil" Type="http://schemas.openxmlformats.org/'
                              f'officeDocument/2006/relationships/hyperlink" Target="{target}" TargetMode="External"/>'
                              "</Relationships>"))
    return _edit(path, "word/document.xml", lambda s: s.replace(
        "{{ company }}</w:t></w:r>", '{{ company }}</w:t></w:r><w:hyperlink r:id="rIdEvil"><w:r><w:t>点此</w:t></w:r>'
                                     '</w:hyperlink>', 1))


def reference(tmp_path: Path, name: str = "house.docx") -> Path:
    return make_reference_doc(tmp_path / name)


HOSTILE = [
    ("cover DDEAUTO", lambda p: cover_field(p, 'DDEAUTO c:\\\\windows\\\\system32\\\\cmd.exe "/k calc.exe"'), "DDEAUTO"),
    ("cover INCLUDEPICTURE http", lambda p: cover_field(p, 'INCLUDEPICTURE "http://evil.example/x.png" \\d',
                                                         simple=True), "INCLUDEPICTURE"),
    ("cover INCLUDETEXT unc", lambda p: cover_field(p, 'INCLUDETEXT "\\\\\\\\host\\\\share\\\\x.docx"'), "INCLUDETEXT"),
    ("header text box", lambda p: header_textbox_field(p, 'INCLUDEPICTURE "http://evil.example/t.png"'),
     "INCLUDEPICTURE"),
    ("cover link file:", lambda p: cover_link(p, "file:///C:/Windows/System32/calc.exe"), "file:"),
    ("cover link UNC", lambda p: cover_link(p, "\\\\evil-host\\share\\x.docx"), "evil-host"),
    ("cover link javascript:", lambda p: cover_link(p, "javascript:alert(1)"), "javascript:"),
]


@pytest.mark.parametrize("label,make,shown", HOSTILE, ids=[h[0] for h in HOSTILE])
def test_reference_doc_with_active_content_is_refused_with_a_located_message(tmp_path, label, make, shown):
    ref = make(reference(tmp_path))
    out = tmp_path / "kit"
    result = CliRunner().invoke(cli, ["build", str(SAMPLE), "-o", str(out), "--reference-doc", str(ref)])
    assert result.exit_code == 3, result.output
    assert "house.docx" in result.output and shown in result.output
    assert ("word/document.xml" if "cover" in label else "word/header1.xml") in result.output
    assert not out.exists()


@pytest.mark.parametrize("label,make,shown", HOSTILE, ids=[h[0] for h in HOSTILE])
def test_lint_reports_the_active_content(tmp_path, label, make, shown):
    overlay = tmp_path / "o"
    (overlay / "templates").mkdir(parents=True)
    make(make_reference_doc(overlay / "templates" / "base.docx"))
    result = CliRunner().invoke(cli, ["lint", str(overlay)])
    assert result.exit_code == 3, result.output
    assert "templates/base.docx" in result.output and shown in result.output


def test_fields_kitgen_uses_and_web_links_still_pass(tmp_path):
    ref = cover_field(reference(tmp_path), "PAGE \\* MERGEFORMAT")
    ref = cover_field(ref, 'REF _Ref123 \\h', simple=True)
    ref = cover_link(ref, "https://www.example.com/")
    result = kitgen.build(SAMPLE, tmp_path / "kit", reference_doc=ref, auto_overlays=False)
    assert result.files


def test_an_overlay_beside_the_profile_is_announced_on_the_first_line(tmp_path):
    client = tmp_path / "client"
    client.mkdir()
    profile = client / "client.yaml"
    shutil.copy(SAMPLE, profile)
    (client / ".kitgen" / "templates").mkdir(parents=True)
    make_reference_doc(client / ".kitgen" / "templates" / "base.docx")
    result = CliRunner().invoke(cli, ["build", str(profile), "-o", str(tmp_path / "kit")])
    assert result.exit_code == 0, result.output
    first = result.output.splitlines()[0]
    assert "覆盖层" in first and ".kitgen" in first
    # … and a hostile one there is refused like a --reference-doc
    header_textbox_field(client / ".kitgen" / "templates" / "base.docx", 'DDE "cmd" "/c calc"')
    result = CliRunner().invoke(cli, ["build", str(profile), "-o", str(tmp_path / "kit2")])
    assert result.exit_code == 3 and ".kitgen" in result.output.splitlines()[0]
    assert re.search(r"base\.docx.*DDE", result.output)


def test_a_plain_build_says_nothing_about_overlays(tmp_path):
    result = CliRunner().invoke(cli, ["build", str(SAMPLE), "-o", str(tmp_path / "kit")])
    assert result.exit_code == 0 and "覆盖层" not in result.output


def test_the_library_refuses_it_too(tmp_path):
    ref = cover_field(reference(tmp_path), "DDEAUTO x y")
    with pytest.raises(InvalidInput, match="DDEAUTO"):
        kitgen.build(SAMPLE, tmp_path / "kit", reference_doc=ref, auto_overlays=False)
