"""Safety of what a build reads and writes (issue 6).

- Overlay clause text runs in Jinja's sandbox: reaching Python internals, reading files or running
  code fails the build with a clear message (exit 4, no traceback) and writes nothing.
- Profile values are data: a value holding ``{{ 7*7 }}`` is printed as written, in the generated
  documents, the docxtpl application form and a house-style cover.
- File names cannot leave the kit folder, whatever the company is called.
- Markup characters in names (& < > " ') stay valid XML everywhere (the verifier parses every part).
"""
from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml

import kitgen
from kitgen.errors import BuildFailed
from kitgen.ooxml.docx_text import docx_text

ROOT = Path(__file__).resolve().parent.parent
GOOD = ROOT / "tests" / "fixtures" / "good.yaml"
MANUAL = "02 售后服务管理手册.docx"
APPLICATION = "06 申请资料/00 认证申请书.docx"
PROFILE_DOC = "06 申请资料/05 组织简介.docx"
OUTLETS_DOCX = "06 申请资料/07 网点清单.docx"
CX17 = "03 程序文件/CX-17 顾客投诉处理控制程序.docx"


def good() -> dict:
    return yaml.safe_load(GOOD.read_text("utf-8"))


def write_profile(path: Path, data: dict) -> Path:
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    return path


def overlay_with(tmp_path: Path, clause: dict, name: str = "evil-overlay") -> Path:
    """An overlay folder whose manual.yaml adds one clause (a new id in the bundled manual)."""
    root = tmp_path / name
    (root / "clauses").mkdir(parents=True)
    (root / "clauses" / "manual.yaml").write_text(
        yaml.safe_dump([clause], allow_unicode=True, sort_keys=False), "utf-8")
    return root


def clause(**fields) -> dict:
    base = {"id": "manual.consultancy-extra", "doc": "manual", "order": 999, "heading": "咨询机构补充条款",
            "level": 1, "body": [{"p": "本公司……"}]}
    base.update(fields)
    return base


# ------------------------------------------------------------------ the sandbox
MARKER = "/tmp/kitgen-sandbox-escaped"
ATTACKS = {
    "str-mro": "{{ ''.__class__.__mro__ }}",
    "dict-init": "{{ company.__init__ }}",
    "cycler-globals": "{{ cycler.__init__.__globals__ }}",
    "subclasses": "{% for x in ().__class__.__base__.__subclasses__() %}{{ x }}{% endfor %}",
    "lipsum-os": "{{ lipsum.__globals__['os'].popen('touch " + MARKER + "').read() }}",
    "joiner-os": "{{ joiner.__init__.__globals__.os.system('touch " + MARKER + "') }}",
    "attr-filter": "{{ company|attr('__class__') }}",
    "format-string": "{{ '{0.__class__.__init__.__globals__}'.format(company) }}",
    "function-globals": "{{ ref.__globals__ }}",
    "include-file": "{% include '/etc/passwd' %}",
    "import-module": "{% import 'os' as os %}{{ os }}",
    "extends-file": "{% extends '/etc/passwd' %}",
    "self-globals": "{{ self.__init__.__globals__ }}",
    "huge-power": "{{ 9**999999999 }}",
    "huge-repeat": "{{ 'x' * 10**10 }}",
    "huge-range": "{{ range(10**9)|list|length }}",
    "division-by-zero": "{{ 1/0 }}",
    "recursion": "{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}",
}


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_an_overlay_clause_cannot_escape_the_sandbox(tmp_path, name):
    overlay = overlay_with(tmp_path, clause(body=[{"p": "正文：" + ATTACKS[name]}]))
    out = tmp_path / "kit"
    with pytest.raises(BuildFailed) as exc:
        kitgen.build(GOOD, out, overlays=[overlay], auto_overlays=False)
    text = str(exc.value)
    assert "manual.yaml" in text and "manual.consultancy-extra" in text      # where: file and clause
    assert "模板" in text                                                     # what: a template problem
    if name.startswith(("include", "import", "extends")):
        assert "模板试图读取其他文件" in text
    assert not out.exists()
    assert not Path(MARKER).exists()


@pytest.mark.parametrize("where", ["heading", "when", "table-for", "table-row"])
def test_every_place_a_clause_holds_jinja_is_sandboxed(tmp_path, where):
    attack = "().__class__.__base__.__subclasses__()"
    fields = {
        "heading": {"heading": "{{ " + attack + " }}"},
        "when": {"when": attack},
        "table-for": {"body": [{"table": {"header": ["a"], "for": f"x in {attack}", "row": ["{{ x }}"]}}]},
        "table-row": {"body": [{"table": {"header": ["a"], "rows": [["{{ " + attack + " }}"]]}}]},
    }[where]
    overlay = overlay_with(tmp_path, clause(**fields))
    with pytest.raises(BuildFailed, match="沙箱拒绝"):
        kitgen.build(GOOD, tmp_path / "kit", overlays=[overlay], auto_overlays=False)
    assert not (tmp_path / "kit").exists()


def test_the_cli_reports_a_sandbox_escape_cleanly(tmp_path):
    overlay = overlay_with(tmp_path, clause(body=[{"p": ATTACKS["cycler-globals"]}]))
    out = tmp_path / "kit"
    proc = subprocess.run([sys.executable, "-m", "kitgen.cli.main", "build", str(GOOD), "-o", str(out),
                           "--overlay", str(overlay)], capture_output=True, text=True, cwd=tmp_path, check=False)
    assert proc.returncode == 4, proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    assert "沙箱拒绝" in proc.stderr and "manual.yaml" in proc.stderr and "__init__" in proc.stderr
    assert not out.exists()


def test_a_harmless_overlay_clause_still_builds(tmp_path):
    """The control for the tests above: the same overlay with ordinary Jinja builds."""
    overlay = overlay_with(tmp_path, clause(body=[{"p": "由{{ dept.service }}负责，{{ 3 * 4 }}个月复核一次。"}]))
    kitgen.build(GOOD, tmp_path / "kit", overlays=[overlay], auto_overlays=False)
    assert "咨询机构补充条款" in docx_text(tmp_path / "kit" / MANUAL)
    assert "12个月复核一次" in docx_text(tmp_path / "kit" / MANUAL)


# ------------------------------------------------------------------ profile values are data
TEMPLATE_LIKE = ["{{ 7*7 }}", "{% if true %}是{% endif %}", "{# 注释 #}", "{{ company.__init__ }}",
                 "{{ title }}", "{%p if x %}", "${HOME}", "%s%n"]


@pytest.fixture(scope="module")
def template_kit(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("tpl")
    data = good()
    data["company"]["name"] = "某某{{ 7*7 }}电器有限公司"
    data["company"]["short_name"] = "{% if true %}是{% endif %}"
    data["company"]["address"] = "{# 注释 #} ${HOME} %s%n"
    data["service"]["manager"] = "{{ company.__init__ }}"
    data["service"]["hotline"] = "{{ title }}"
    data["products"][0]["name"] = "{%p if x %}空调"
    data["outlets"][0]["name"] = "{{ 7*7 }}号网点"
    data["consultancy"] = {"name": "{{ 7*7 }}咨询"}
    data["documents"] = {"editor": "{{ 7*7 }}", "effective_date": "2026-12-01"}
    prof = write_profile(tmp / "client.yaml", data)
    kitgen.build(prof, tmp / "kit", auto_overlays=False)
    return tmp / "kit"


@pytest.mark.parametrize("rel", [MANUAL, APPLICATION, PROFILE_DOC, OUTLETS_DOCX])
def test_a_profile_value_holding_jinja_prints_as_written(template_kit, rel):
    text = docx_text(template_kit / rel)
    assert "某某{{ 7*7 }}电器有限公司" in text, text[:500]
    assert "某某49电器有限公司" not in text


def test_every_template_like_value_survives_in_the_documents(template_kit):
    manual = docx_text(template_kit / MANUAL)
    application = docx_text(template_kit / APPLICATION)
    for value in ("{{ company.__init__ }}", "{{ title }}", "{%p if x %}空调"):
        assert value in manual, value
    for value in ("某某{{ 7*7 }}电器有限公司", "{%p if x %}空调", "{{ title }}", "{{ 7*7 }}咨询"):
        assert value in application, value
    assert "{{ 7*7 }}号网点" in docx_text(template_kit / OUTLETS_DOCX)
    with zipfile.ZipFile(template_kit / MANUAL) as zf:          # core properties: the editor as written
        assert "<dc:creator>{{ 7*7 }}</dc:creator>" in zf.read("docProps/core.xml").decode("utf-8")


def test_a_house_cover_does_not_render_profile_values(tmp_path):
    """House-style cover placeholders are filled once, with plain text: a company called
    "{{ title }}" does not pull the title in a second time."""
    from tests.test_overlay import make_reference_doc
    house = tmp_path / "house"
    (house / "templates").mkdir(parents=True)
    make_reference_doc(house / "templates" / "base.docx")
    data = good()
    data["company"]["name"] = "{{ title }}&{{ number }}<公司>"
    prof = write_profile(tmp_path / "client.yaml", data)
    kitgen.build(prof, tmp_path / "kit", overlays=[house], auto_overlays=False)
    text = docx_text(tmp_path / "kit" / CX17)
    assert "{{ title }}&{{ number }}<公司>" in text
    assert text.count("顾客投诉处理控制程序") >= 1


# ------------------------------------------------------------------ file names
HOSTILE_NAMES = ["../../x", "..\\..\\x", "/etc/passwd", "C:\\Windows\\x", "\\\\server\\share\\x",
                 "x/../../../../tmp/evil", "␀NUL\u200b\u202e名", "．．／．．／x", "~/.ssh/authorized_keys",
                 "con", "a" * 300]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_a_hostile_company_name_does_not_write_outside_the_kit(tmp_path, name):
    work = tmp_path / "deep" / "er"
    work.mkdir(parents=True)
    data = good()
    data["company"]["name"] = name
    data["company"]["short_name"] = name[:20]
    data["outlets"][0]["name"] = name
    data["products"][0]["name"] = name
    prof = write_profile(work / "client.yaml", data)
    before = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*"))
    out = work / "kit"
    result = kitgen.build(prof, out, auto_overlays=False, make_zip=True)
    after = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*"))
    new = [p for p in after if p not in before]
    kit_rel = out.relative_to(tmp_path).as_posix()
    zip_rel = kit_rel + ".zip"
    assert all(p == kit_rel or p.startswith(kit_rel + "/") or p == zip_rel for p in new), new
    root = out.resolve()
    for p in out.rglob("*"):
        assert p.resolve().is_relative_to(root), p
        assert not p.is_symlink()
    for f in result.files:
        assert (out / f.path).resolve().is_relative_to(root)
    with zipfile.ZipFile(result.zip_path) as zf:
        for n in zf.namelist():
            assert n.startswith("kit/") and ".." not in n.split("/") and "\\" not in n
    assert name in docx_text(out / MANUAL)
    assert not Path("/tmp/evil").exists() and not (tmp_path / "x").exists()


# ------------------------------------------------------------------ markup characters
MARKUP = "A&B <\"公司\"> 'x' &amp; &lt; ]]> <![CDATA[x]]> <!-- -->"


def test_markup_characters_stay_valid_xml_everywhere(tmp_path):
    from kitgen.kit.verify import check_file
    data = good()
    data["company"]["name"] = MARKUP
    data["company"]["short_name"] = "&<>\"'"
    data["company"]["contact"] = {"name": "<张三>", "email": "a&b@example.com"}
    data["service"]["manager"] = "O'Brien & \"Sons\""
    data["service"]["department"] = "<售后>&部"
    data["products"][0]["name"] = "<空调>&\"冰箱\""
    data["outlets"][0]["name"] = "<网点>&'1'"
    data["outlets"][1]["partner"] = "\"合作\"&<公司>"
    data["certifications"] = ["ISO <9001> & 'x'"]
    data["documents"] = {"editor": "<编>&'制'", "reviewer": "\"审\"", "approver": "&批", "version": "A/0<1>"}
    data["consultancy"] = {"name": "&咨询<>", "contact": "'x'", "phone": "\"1\""}
    prof = write_profile(tmp_path / "client.yaml", data)
    result = kitgen.build(prof, tmp_path / "kit", auto_overlays=False)
    out = tmp_path / "kit"
    for f in result.files:                           # re-read from disk: every part of every file parses
        assert check_file(f.path, (out / f.path).read_bytes()) == [], f.path
    for rel in (MANUAL, APPLICATION, PROFILE_DOC, OUTLETS_DOCX):
        text = docx_text(out / rel)
        assert MARKUP in text, rel
    assert "O'Brien & \"Sons\"" in docx_text(out / MANUAL)
    with zipfile.ZipFile(out / MANUAL) as zf:
        from lxml import etree
        app = etree.fromstring(zf.read("docProps/app.xml"))
        core = etree.fromstring(zf.read("docProps/core.xml"))
    assert app.findtext("{*}Company") == MARKUP
    assert core.findtext("{http://purl.org/dc/elements/1.1/}creator") == "<编>&'制'"
    import openpyxl
    wb = openpyxl.load_workbook(out / "06 申请资料/07 网点清单.xlsx")
    values = {c.value for row in wb.active.iter_rows() for c in row}
    assert "<网点>&'1'" in values and "\"合作\"&<公司>" in values


# ------------------------------------------------------------------ the application form (docxtpl)
@pytest.mark.parametrize("name", ["str-mro", "cycler-globals", "include-file", "huge-power", "huge-repeat",
                                  "division-by-zero", "format-string"])
def test_an_application_form_template_cannot_escape_the_sandbox(tmp_path, name):
    """A certification body's form (a consultancy's templates/application_form.docx) renders in the
    same limited sandbox: every attempt is a BuildFailed naming the template."""
    import datetime as dt

    import docx

    from kitgen.render.dossier_form import render_form
    template = tmp_path / "application_form.docx"
    d = docx.Document()
    d.add_paragraph("申请单位：{{ f.company_name }}")
    d.add_paragraph(ATTACKS[name].replace("company", "f"))
    d.save(str(template))
    with pytest.raises(BuildFailed) as exc:
        render_form(template, {"company_name": "x"}, title="t", author="a", created=dt.datetime(2026, 12, 1))
    assert "application_form.docx" in str(exc.value) and "认证申请书模板出错" in str(exc.value)
    assert not Path(MARKER).exists()
