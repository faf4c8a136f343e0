"""`kitgen lint DIR` (issue 6): one broken overlay per class of problem, each finding with its
file and line; exit 0 when clean, 3 with findings."""
from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

from click.testing import CliRunner

import kitgen.cli.lint_cmd  # noqa: F401 - registers the command on the click group
from kitgen.cli.main import cli
from kitgen.content.lint import lint
from tests.test_overlay import FIXTURES, catalog_with_5327, make_reference_doc

ROOT = Path(__file__).resolve().parent.parent


def write(root: Path, rel: str, text: str) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), "utf-8")
    return path


def findings(root: Path) -> list[str]:
    return [str(p) for p in lint(root)]


def one(root: Path, needle: str) -> str:
    hits = [f for f in findings(root) if needle in f]
    assert hits, f"no finding with {needle!r} in:\n" + "\n".join(findings(root))
    return hits[0]


CLAUSE = """
- id: proc-x.purpose
  doc: proc-complaint
  order: 10
  heading: 目的
  indicators: ["5.3.2.1"]
  body:
    - p: 为使顾客满意。
"""


# ------------------------------------------------------------------ clean overlays
def test_fixture_overlays_and_a_copy_of_the_bundled_library_are_clean(tmp_path):
    assert findings(FIXTURES / "overlay_replace") == []
    full = tmp_path / "full"
    shutil.copytree(ROOT / "library" / "clauses", full / "clauses")
    shutil.copy(ROOT / "library" / "catalog.yaml", full / "catalog.yaml")
    shutil.copytree(ROOT / "library" / "templates", full / "templates")
    assert findings(full) == []


def test_new_clause_with_its_own_catalog_is_clean(tmp_path):
    o = shutil.copytree(FIXTURES / "overlay_newclause", tmp_path / "o")
    assert any("5.3.2.7" in f for f in findings(o))                  # without the catalog: unknown
    catalog_with_5327(o / "catalog.yaml")
    assert findings(o) == []


# ------------------------------------------------------------------ ids
def test_duplicate_clause_ids_within_and_across_files(tmp_path):
    write(tmp_path, "clauses/procedures/a.yaml", CLAUSE + CLAUSE.replace("order: 10", "order: 20"))
    assert one(tmp_path, "在本文件中重复").startswith("clauses/procedures/a.yaml:9:")
    write(tmp_path, "clauses/procedures/a.yaml", CLAUSE)
    write(tmp_path, "clauses/rules/b.yaml", CLAUSE)
    f = one(tmp_path, "重复")
    assert "proc-x.purpose" in f and "clauses/procedures/a.yaml" in f and f.startswith("clauses/rules/b.yaml:1:")


# ------------------------------------------------------------------ indicators
def test_indicators_must_exist_in_the_catalog(tmp_path):
    write(tmp_path, "clauses/procedures/a.yaml", CLAUSE.replace('"5.3.2.1"', '"5.3.2.1", "5.3.2.9"'))
    write(tmp_path, "clauses/forms.yaml", """
        - id: form-x
          code: JL-99
          title: 表
          procedure: proc-complaint
          indicators: ["9.9.9.9"]
          layout:
            - text: 说明
        """)
    write(tmp_path, "clauses/documents.yaml", """
        - id: proc-y
          kind: procedure
          code: CX-99
          title: 新程序
          indicators: ["5.3.2.8"]
        """)
    assert one(tmp_path, "5.3.2.9").startswith("clauses/procedures/a.yaml:5: proc-x.purpose.indicators: 引用了指标目录中不存在的指标")
    assert one(tmp_path, "9.9.9.9").startswith("clauses/forms.yaml:5: form-x.indicators:")
    assert one(tmp_path, "5.3.2.8").startswith("clauses/documents.yaml:5: proc-y.indicators:")


def test_overlay_catalog_is_the_one_checked_against(tmp_path):
    catalog_with_5327(tmp_path / "catalog.yaml")
    write(tmp_path, "clauses/procedures/a.yaml", CLAUSE.replace('"5.3.2.1"', '"5.3.2.7"'))
    assert findings(tmp_path) == []
    # a catalog dropping an indicator bundled clauses cite: they would fail the build
    text = (tmp_path / "catalog.yaml").read_text("utf-8")
    start = text.index('  - id: "5.3.2.6"')
    end = text.index('  - id: "5.3.2.7"')
    text = (text[:start] + text[end:]).replace(', "5.3.2.6"', "")     # also out of the SB/T concordance
    (tmp_path / "catalog.yaml").write_text(text, "utf-8")
    f = one(tmp_path, "5.3.2.6")
    assert f.startswith("catalog.yaml") and "内置条款" in f


def test_catalog_indicator_nobody_cites(tmp_path):
    catalog_with_5327(tmp_path / "catalog.yaml")
    f = one(tmp_path, "没有任何条款引用")
    assert "5.3.2.7 投诉信息公开" in f and f.startswith("catalog.yaml:")
    line = int(f.split(":")[1])
    assert '"5.3.2.7"' in (tmp_path / "catalog.yaml").read_text("utf-8").splitlines()[line - 1]


def test_replacing_the_clauses_that_cited_an_indicator(tmp_path):
    from collections import Counter

    from kitgen.core.clauses import load_library
    lib = load_library()
    counts = Counter(i for c in lib.clauses.values() for i in c.indicators if i.count(".") == 3)
    ind = min(counts, key=lambda i: (counts[i], i))
    citing = [c for c in lib.clauses.values() if ind in c.indicators]
    text = ""
    for c in citing:                  # the overlay rewrites every clause that cited it, without it
        rest = [i for i in c.indicators if i != ind]
        text += (f"- id: {c.id}\n  doc: {c.doc}\n  heading: 改写\n  indicators: {rest!r}\n"
                 "  body:\n    - p: 略\n").replace("'", '"')
    (tmp_path / "clauses" / "extra").mkdir(parents=True)
    (tmp_path / "clauses" / "extra" / "a.yaml").write_text(text, "utf-8")
    f = one(tmp_path, "不再被任何条款引用")
    assert f.startswith("clauses/extra/a.yaml:") and f"{citing[0].id}.indicators" in f and ind in f


def test_invalid_catalog_is_reported_with_its_line(tmp_path):
    write(tmp_path, "catalog.yaml", """
        id: x
        title: y
        indicators:
          - {id: "5.1", level: 1, name: 体系}
          - {id: "5.1.1", level: 2, name: 组织, parent: "5.9"}
        """)
    assert one(tmp_path, "上级指标").startswith("catalog.yaml:5: indicators[1].parent:")


# ------------------------------------------------------------------ variables and Jinja
def test_misspelt_variable_in_an_attribute_chain(tmp_path):
    write(tmp_path, "clauses/procedures/x.yaml", """
        - id: proc-x.flow
          doc: proc-complaint
          heading: 流程
          indicators: ["5.3.2.1"]
          body:
            - p: 第一段。
            - note: 说明。
            - p: |
                受理后回复。
                热线：{{ service.hotlnie }}
        """)
    assert findings(tmp_path) == [
        "clauses/procedures/x.yaml:10: proc-x.flow.body[2]: 模板使用了不存在的变量 service.hotlnie (应为 service.hotline)"]


def test_unknown_top_level_name_loop_variable_and_when(tmp_path):
    write(tmp_path, "clauses/procedures/x.yaml", """
        - id: proc-x.a
          doc: proc-complaint
          heading: "{{ compnay.name }}"
          indicators: ["5.3.2.1"]
          when: "has_delivery and is_prodcer"
          body:
            - table:
                header: [名称, 保修]
                for: "p in products"
                row: ["{{ p.name }}", "{{ p.warranty_monts }}"]
            - p: "{% for o in outlets %}{{ o.adress }}{% endfor %}{% set n = 1 %}{{ n }}{{ loop_x }}"
              when: "net.totl > 0"
            - steps:
                - {do: "{{ company.name.upper() }}", who: "{{ company.name.nope }}"}
        """)
    out = findings(tmp_path)
    expect = [
        ("clauses/procedures/x.yaml:3: proc-x.a.heading:", "compnay (应为 company)"),
        ("clauses/procedures/x.yaml:5: proc-x.a.when:", "is_prodcer (应为 is_producer)"),
        ("clauses/procedures/x.yaml:10: proc-x.a.body[0].table.row[1]:", "p.warranty_monts (应为 p.warranty_months)"),
        ("clauses/procedures/x.yaml:11: proc-x.a.body[1]:", "o.adress (应为 o.address)"),
        ("clauses/procedures/x.yaml:11: proc-x.a.body[1]:", "loop_x"),
        ("clauses/procedures/x.yaml:12: proc-x.a.body[1].when:", "net.totl (应为 net.total)"),
        ("clauses/procedures/x.yaml:14: proc-x.a.body[2].steps[0]:", "company.name.nope（company.name 是文字"),
    ]
    for prefix, what in expect:
        assert any(f.startswith(prefix) and what in f for f in out), (prefix, what, out)
    assert len(out) == len(expect), out                 # .upper(), n and the loop variables are fine


def test_jinja_that_does_not_parse(tmp_path):
    write(tmp_path, "clauses/procedures/x.yaml", """
        - id: proc-x.a
          doc: proc-complaint
          heading: 目的
          indicators: ["5.3.2.1"]
          when: "has_delivery and"
          body:
            - p: |
                第一行。
                {% if has_delivery %}第二行没有 endif。
            - p: "{{ company.name | no_such_filter }}"
        """)
    out = findings(tmp_path)
    assert any(f.startswith("clauses/procedures/x.yaml:5: proc-x.a.when: 条件表达式语法错误") for f in out), out
    assert any(f.startswith("clauses/procedures/x.yaml:9: proc-x.a.body[0]: 模板语法错误") for f in out), out
    assert any(f.startswith("clauses/procedures/x.yaml:10: proc-x.a.body[1]: 模板语法错误") and "no_such_filter" in f
               for f in out), out


def test_form_layout_texts_are_checked(tmp_path):
    write(tmp_path, "clauses/forms.yaml", """
        - id: form-x
          code: JL-99
          title: 表
          procedure: proc-complaint
          indicators: ["5.3.2.4"]
          layout:
            - fields:
                - [编号, "{{ industry.custmer }}姓名"]
            - sign: ["{{ dept.servce }}负责人"]
        """)
    out = findings(tmp_path)
    assert any(f.startswith("clauses/forms.yaml:8: form-x.layout[0]:") and "industry.custmer" in f for f in out), out
    assert any(f.startswith("clauses/forms.yaml:9: form-x.layout[1]:") and "dept.servce (应为 dept.service)" in f
               for f in out), out


# ------------------------------------------------------------------ references
def test_references_to_documents_and_forms(tmp_path):
    write(tmp_path, "clauses/documents.yaml", """
        - id: proc-y
          kind: procedure
          code: CX-99
          title: 新程序
          indicators: ["5.3.2"]
          related: [proc-complaint, proc-repiar]
        """)
    write(tmp_path, "clauses/forms.yaml", """
        - id: form-y
          code: JL-99
          title: 表
          procedure: proc-yy
          layout:
            - text: 说明
        """)
    write(tmp_path, "clauses/procedures/y.yaml", """
        - id: proc-y.a
          doc: proc-z
          heading: 目的
          indicators: ["5.3.2.1"]
          body:
            - p: 见{{ ref('proc-complant') }}与{{ form('form-complaint') }}、{{ form('form-nope') }}，{{ ind('5.9.9.9') }}
        """)
    out = findings(tmp_path)
    for prefix, what in [
        ("clauses/documents.yaml:6: proc-y.related:", "相关文件 “proc-repiar” 未登记 (应为 proc-repair)"),
        ("clauses/forms.yaml:4: form-y.procedure:", "表格所属文件 “proc-yy” 未登记"),
        ("clauses/procedures/y.yaml:2: proc-y.a.doc:", "条款所属文件 “proc-z” 未在 documents.yaml 中登记"),
        ("clauses/procedures/y.yaml:6: proc-y.a.body[0]:", "ref('proc-complant') 引用了未登记的文件 (应为 proc-complaint)"),
        ("clauses/procedures/y.yaml:6: proc-y.a.body[0]:", "form('form-nope') 引用了未登记的表格"),
        ("clauses/procedures/y.yaml:6: proc-y.a.body[0]:", "ind('5.9.9.9') 引用了指标目录中不存在的指标"),
    ]:
        assert any(f.startswith(prefix) and what in f for f in out), (prefix, what, out)
    assert not any("form-complaint" in f for f in out)


def test_structure_problems_from_the_clause_loader(tmp_path):
    write(tmp_path, "clauses/procedures/x.yaml", """
        - id: proc-x.a
          doc: proc-complaint
          heading: 目的
          titel: 拼错的键
          body:
            - gen: no_such_block
        """)
    out = findings(tmp_path)
    assert any(f.startswith("clauses/procedures/x.yaml:4:") and "titel" in f for f in out), out
    assert any(f.startswith("clauses/procedures/x.yaml:6:") and "no_such_block" in f for f in out), out
    write(tmp_path, "clauses/procedures/x.yaml", "- id: [unclosed\n")
    assert one(tmp_path, "YAML 语法错误").startswith("clauses/procedures/x.yaml:1")


# ------------------------------------------------------------------ Word templates
def _application_form(path: Path, *paragraphs: list[str], proof_err_in: int | None = None) -> Path:
    """A docx whose paragraphs are given as lists of runs (Word's splitting, by hand)."""
    import docx
    from docx.oxml import OxmlElement
    d = docx.Document()
    for k, runs in enumerate(paragraphs):
        p = d.add_paragraph()
        made = [p.add_run(r) for r in runs]
        if proof_err_in == k:
            pe = OxmlElement("w:proofErr")
            pe.set("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}type", "spellStart")
            made[0]._r.addnext(pe)
    path.parent.mkdir(parents=True, exist_ok=True)
    d.save(str(path))
    return path


def test_word_template_tags_split_across_runs(tmp_path):
    _application_form(tmp_path / "templates" / "application_form.docx",
                      ["申请单位：", "{{ f.company_", "name }}"],
                      ["统一社会信用代码：{{ f.credit_code }}"])
    out = findings(tmp_path)
    assert len(out) == 1, out
    assert out[0].startswith("templates/application_form.docx: word/document.xml: 段落“申请单位：{{ f.company_name }}”")
    assert "{{ f.company_name }} 被 Word 拆分到 2 个文字块" in out[0]


def test_word_template_tag_broken_by_proofing_mark(tmp_path):
    _application_form(tmp_path / "templates" / "application_form.docx",
                      ["{{ f.compa", "ny_name }}"], proof_err_in=0)
    f = one(tmp_path, "拆分")
    assert "word/document.xml" in f and "校对标记 proofErr" in f
    _application_form(tmp_path / "templates" / "application_form.docx", ["{{ f.company_name }}", "x"], proof_err_in=0)
    assert findings(tmp_path) == []                      # a proofing mark outside the tag is harmless
    import docx
    d = docx.Document(str(tmp_path / "templates" / "application_form.docx"))
    r = d.paragraphs[0].runs[0]._r
    from docx.oxml import OxmlElement
    t = r.find("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}t")
    t.text = "{{ f.company"
    pe = OxmlElement("w:bookmarkStart")
    pe.set("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}id", "0")
    pe.set("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}name", "_GoBack")
    r.addnext(pe)
    r2 = d.paragraphs[0].runs[1]._r
    r2.find("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}t").text = "_name }}"
    d.save(str(tmp_path / "templates" / "application_form.docx"))
    f = one(tmp_path, "拆分")
    assert "中间夹有书签 bookmarkStart" in f and "段落“{{ f.company_name }}”" in f


def test_word_template_jinja_syntax_and_variables(tmp_path):
    _application_form(tmp_path / "templates" / "application_form.docx",
                      ["{% if f.has_deletions %}删减：{{ f.deletionz }}"],
                      ["{{ f.company_nmae }}"])
    out = findings(tmp_path)
    assert any("模板语法错误" in f and "if" in f for f in out), out
    _application_form(tmp_path / "templates" / "application_form.docx",
                      ["{%tr for p in f.products %}"], ["{{ p.name }}"], ["{%tr endfor %}"],
                      ["{{ f.company_nmae }}"])
    out = findings(tmp_path)
    assert len(out) == 1, out
    assert out[0].startswith("templates/application_form.docx: word/document.xml: 模板使用了不存在的变量 f.company_nmae")
    assert "段落“{{ f.company_nmae }}”" in out[0] and out[0].endswith("(应为 f.company_name)")


def test_reference_doc_problems(tmp_path):
    (tmp_path / "templates").mkdir()
    make_reference_doc(tmp_path / "templates" / "base.docx", split=True)
    assert findings(tmp_path) == []                      # kitgen merges split cover placeholders itself
    make_reference_doc(tmp_path / "templates" / "base.docx", extra_cover="{{ comapny }}")
    f = one(tmp_path, "comapny")
    assert f.startswith("templates/base.docx:") and "无法识别" in f
    (tmp_path / "templates" / "base.docx").write_bytes(b"not a zip")
    assert one(tmp_path, "无法作为 .docx 打开").startswith("templates/base.docx:")


def test_files_kitgen_would_ignore(tmp_path):
    write(tmp_path, "clauses/procedures/a.yml", CLAUSE)
    write(tmp_path, "clauses/procedure/b.yaml", CLAUSE)
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "base .docx").write_bytes(b"x")
    (tmp_path / "templates" / "application_form.doc").write_bytes(b"x")
    out = findings(tmp_path)
    assert any(f.startswith("clauses/procedures/a.yml:") and ".yaml" in f for f in out), out
    assert any(f.startswith("clauses/procedure/b.yaml:") and "不会读取" in f for f in out), out
    assert any(f.startswith("templates/base .docx:") and "base.docx" in f for f in out), out
    assert any(f.startswith("templates/application_form.doc:") and ".docx" in f for f in out), out


def test_empty_folder_is_a_finding(tmp_path):
    assert "没有 kitgen 能使用的内容" in one(tmp_path, "没有")


# ------------------------------------------------------------------ the command
def test_cli_exit_codes_and_output(tmp_path):
    runner = CliRunner()
    clean = runner.invoke(cli, ["lint", str(FIXTURES / "overlay_replace")], catch_exceptions=False)
    assert clean.exit_code == 0 and "检查通过" in clean.output
    write(tmp_path, "clauses/procedures/x.yaml", CLAUSE.replace("为使顾客满意。", '"{{ service.hotlnie }}"'))
    bad = runner.invoke(cli, ["lint", str(tmp_path)], catch_exceptions=False)
    assert bad.exit_code == 3
    assert "clauses/procedures/x.yaml:7: proc-x.purpose.body[0]: 模板使用了不存在的变量 service.hotlnie" in bad.output
    js = runner.invoke(cli, ["lint", "--json", str(tmp_path)], catch_exceptions=False)
    assert js.exit_code == 3 and '"line": 7' in js.output
    missing = runner.invoke(cli, ["lint", str(tmp_path / "nope")])
    assert missing.exit_code == 2
    helptext = runner.invoke(cli, ["lint", "--help"]).output
    assert "0  没有发现问题" in helptext and "3  发现问题" in helptext


def test_missing_required_keys_are_findings_not_crashes(tmp_path):
    write(tmp_path, "clauses/procedures/x.yaml", """
        - doc: proc-complaint
          heading: 无标识
        - id: proc-x.b
          heading: 无所属文件
        """)
    write(tmp_path, "clauses/forms.yaml", """
        - id: form-x
          code: JL-99
          title: 无版式
          procedure: proc-complaint
        """)
    out = findings(tmp_path)
    assert any(f.startswith("clauses/procedures/x.yaml:1: [0].id: 缺少必填项 “id”") for f in out), out
    assert any(f.startswith("clauses/procedures/x.yaml:3: [1].doc: 缺少必填项 “doc”") for f in out), out
    assert any(f.startswith("clauses/forms.yaml:1: [0].layout: 缺少必填项 “layout”") for f in out), out
    assert not any("未登记" in f for f in out), out
