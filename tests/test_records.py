"""Issue 13: every record a document names exists, every procedure has one shape, the complete pack.

The records check (kitgen.render.records) runs when a kit is composed: a record named in a step's
记录 cell, or a 《…》 in a procedure's or rule's text, must be a form of the kit, a document of the kit,
a law or standard, or declared in the document's ``external_records``; else the build fails (exit 4).
"""
from __future__ import annotations

import re
import shutil
import textwrap
from pathlib import Path

import pytest

import kitgen
from kitgen.core.clauses import load_library
from kitgen.errors import BuildFailed
from kitgen.ooxml import model as m
from kitgen.render.compose import compose_doc, compose_form
from kitgen.render.dossier import gen_extras
from tests.packs.kits import SAMPLES as PACK_PROFILES

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = sorted((ROOT / "samples").glob("*.yaml"))
SHAPE = ["目的", "适用范围", "职责", "工作程序", "检查与考核", "相关文件", "记录"]


def profiles() -> list[Path]:
    """Every sample, and every pack profile of tests/packs/kits.py that exists."""
    found = {p.resolve() for p in SAMPLES}
    found |= {p.resolve() for p in PACK_PROFILES.values() if p.is_file()}
    fixtures = ROOT / "tests" / "fixtures" / "packs"
    if fixtures.is_dir():
        found |= {p.resolve() for p in fixtures.glob("*.yaml")}
    return sorted(found)


def plan_of(path: Path):
    return kitgen.plan(kitgen.load_profile(path))


def composed(plan) -> dict[str, m.Document]:
    """Every procedure and rule of the plan, composed; the records check's problems collected."""
    extras = gen_extras(plan)
    problems: list = []
    docs = {d.id: compose_doc(plan, d, extras, problems) for d in plan.docs.values() if d.kind in ("procedure", "rule")}
    assert not problems, "\n".join(str(p) for p in problems)
    return docs


def level1(doc: m.Document) -> list[str]:
    return [b.text for b in doc.blocks if isinstance(b, m.Heading) and b.level == 1]


@pytest.mark.parametrize("profile", profiles(), ids=lambda p: p.stem)
def test_every_record_named_is_in_the_kit_or_declared_external(profile):
    composed(plan_of(profile))          # the check raises nothing: every record resolves


@pytest.mark.parametrize("profile", profiles(), ids=lambda p: p.stem)
def test_every_procedure_has_the_seven_sections(profile):
    plan = plan_of(profile)
    docs = composed(plan)
    bad = {}
    for doc_id, doc in docs.items():
        if plan.docs[doc_id].kind != "procedure":
            continue
        heads = level1(doc)
        shown = [h for h in heads if h in SHAPE]
        if shown != SHAPE:
            bad[doc_id] = heads
    assert not bad, f"{profile.stem}: procedures without 目的/适用范围/职责/工作程序/检查与考核/相关文件/记录: {bad}"


@pytest.mark.parametrize("profile", SAMPLES, ids=lambda p: p.stem)
def test_each_kit_holds_the_complete_pack(profile):
    plan = plan_of(profile)
    rules = [d for d in plan.docs.values() if d.kind == "rule"]
    assert len(rules) >= 10, (profile.stem, [d.title for d in rules])
    assert len(plan.forms) >= 40, (profile.stem, len(plan.forms))
    titles = {f.title for f in plan.forms.values()}
    for title in ("售后服务承诺书", "服务承诺公示牌", "售后服务收费标准公示", "服务监督电话公示", "年度售后服务目标及分解表",
                  "管理者代表任命书", "售后服务管理师聘任书", "服务监督员任命书", "内部评审员任命书",
                  "年度培训计划表", "员工培训档案", "售后服务管理师登记表", "内部评审计划", "内部评审检查表",
                  "内部评审报告", "管理评审计划", "管理评审报告", "顾客满意度测评方案", "顾客满意度测评报告",
                  "投诉分析报告", "缺陷商品召回公告", "召回处理记录", "应急演练记录", "服务收费标准（价目表）",
                  "服务设施设备台账", "计量器具检定校准计划及记录", "服务人员资格登记表"):
        assert title in titles, (profile.stem, title)
    docs = {d.title for d in plan.docs.values()}
    for title in ("管理评审控制程序", "售后服务岗位职责说明书", "服务礼仪与热线服务规范", "现场服务规范",
                  "售后服务收费管理制度", "售后服务专项应急预案"):
        assert title in docs, (profile.stem, title)
    net, ctx = plan.ctx["net"], plan.ctx
    for title in ("委托服务协议", "网点授权书", "委托网点年度考评表"):
        assert (title in titles) == bool(net["has_entrusted"]), (profile.stem, title)
    assert ("服务供方评价与管理制度" in docs) == bool(ctx["third_party_delivery"] or ctx["partner_install"]
                                                  or ctx["recycling"]), profile.stem
    assert ("三包凭证" in titles) == bool(ctx["industry"]["three_guarantees"]), profile.stem


def test_the_records_section_lists_forms_used_from_other_documents():
    plan = plan_of(ROOT / "samples" / "appliance-producer.yaml")
    doc = composed(plan)["proc-review"]
    i = next(k for k, b in enumerate(doc.blocks) if isinstance(b, m.Heading) and b.text == "记录")
    table = doc.blocks[i + 1]
    assert isinstance(table, m.Table) and table.header[:3] == ["记录编号", "记录名称", "规定文件"]
    rows = {r[1]: r[2] for r in table.rows}
    own = [t for t, how in rows.items() if how == "本文件"]
    assert own[:3] == ["管理评审计划", "管理评审报告", "会议签到及纪要"]
    assert list(rows)[:len(own)] == own                     # its own forms first
    assert rows["内部评审报告"].startswith("引用（") and "CX-09" in rows["内部评审报告"]
    assert rows["不符合及纠正预防措施单"].startswith("引用（")


def test_external_records_are_named_in_the_records_section():
    plan = plan_of(ROOT / "samples" / "appliance-producer.yaml")
    doc = composed(plan)["proc-repair"]
    text = "\n".join(b.text for b in doc.blocks if isinstance(b, m.Paragraph))
    assert "本文件使用的体系外记录" in text and "服务工单（信息系统）" in text


def _overlay(tmp_path: Path, record: str, external: str = "") -> Path:
    ov = tmp_path / "ov"
    (ov / "clauses" / "procedures").mkdir(parents=True)
    (ov / "clauses" / "procedures" / "x.yaml").write_text(textwrap.dedent(f"""\
        - id: proc-repair.extra-step
          doc: proc-repair
          order: 48
          heading: 额外步骤
          level: 2
          indicators: ["5.2.4.1"]
          body:
            - steps:
                - {{do: "登记", who: "{{{{ dept.service }}}}", time: "当日", record: "{record}"}}
            - p: 依据《不存在的管理办法》执行。
        """), "utf-8")
    if external:
        lib = load_library([])
        d = lib.docs["proc-repair"]
        (ov / "clauses" / "documents.yaml").write_text(textwrap.dedent(f"""\
            - id: proc-repair
              kind: procedure
              code: {d.code}
              title: {d.title}
              indicators: {d.indicators}
              related: {d.related}
              external_records: [{", ".join(d.external_records + [external])}]
            """), "utf-8")
    return ov


def test_an_unknown_record_fails_the_build_naming_document_clause_record_and_fix(tmp_path):
    ov = _overlay(tmp_path, "神秘台账")
    plan = kitgen.plan(kitgen.load_profile(ROOT / "samples" / "appliance-producer.yaml"), overlays=[ov])
    from kitgen.render.documents import document_files
    with pytest.raises(BuildFailed) as err:           # raised after composing, before any file is written
        document_files(plan)
    text = "\n".join(str(p) for p in err.value.problems)
    assert "《维修服务控制程序》（proc-repair）" in text and "proc-repair.extra-step" in text
    assert "“神秘台账”" in text and "“不存在的管理办法”" in text
    assert "external_records" in text and "forms/*.yaml" in text
    assert err.value.exit_code == 4
    lines = [p for p in err.value.problems if "神秘台账" in p.message]
    assert lines[0].file.endswith("x.yaml") and lines[0].line == 1


def test_a_declared_external_record_passes(tmp_path):
    ov = _overlay(tmp_path, "神秘台账", external="神秘台账, 不存在的管理办法")
    plan = kitgen.plan(kitgen.load_profile(ROOT / "samples" / "appliance-producer.yaml"), overlays=[ov])
    doc = composed(plan)["proc-repair"]
    notes = [b.text for b in doc.blocks if isinstance(b, m.Paragraph) and "体系外记录" in b.text]
    assert notes and "神秘台账" in notes[0]


def test_the_build_exits_4_on_a_missing_record(tmp_path):
    from click.testing import CliRunner
    from kitgen.cli.main import cli
    ov = _overlay(tmp_path, "神秘台账")
    res = CliRunner().invoke(cli, ["build", str(ROOT / "samples" / "electronics-retailer.yaml"), "-o", str(tmp_path / "k"),
                                   "--overlay", str(ov)])
    assert res.exit_code == 4, res.output
    assert "神秘台账" in res.output and "proc-repair.extra-step" in res.output


def test_review_checklist_has_a_row_per_third_level_indicator():
    plan = plan_of(ROOT / "samples" / "electronics-retailer.yaml")
    doc = compose_form(plan, plan.forms["form-review-checklist"], gen_extras(plan))
    table = next(b for b in doc.blocks if isinstance(b, m.Table) and b.header and b.header[0] == "指标")
    ids = [re.match(r"[\d.]+", r[0]).group() for r in table.rows]
    third = [i.id for i in plan.catalog.indicators.values() if i.level == 3]
    assert ids == third
    for row in table.rows:
        ind = re.match(r"[\d.]+", row[0]).group()
        if ind in plan.deletions:
            assert row[1].startswith("删减") and plan.deletions[ind].reason in row[1]
        else:
            assert row[1] and row[3] != "—", row              # what to check, where the evidence is
    assert plan.deletions, "the retailer sample deletes installation: a deleted row is shown"


def test_letters_print_title_and_text_only():
    plan = plan_of(ROOT / "samples" / "appliance-producer.yaml")
    doc = compose_form(plan, plan.forms["form-commitment-letter"], gen_extras(plan))
    texts = [b.text for b in doc.blocks if isinstance(b, m.Paragraph)]
    assert texts[0] == "售后服务承诺书"
    assert not any(t.startswith(("表单编号", "依据文件")) for t in texts)
    assert any(isinstance(b, m.Table) and b.header == ["承诺项目", "承诺内容"] for b in doc.blocks)
    assert any(b.style == "right" and "盖章" in b.text for b in doc.blocks if isinstance(b, m.Paragraph))
    assert "400-826-5188" in "\n".join(texts)


def test_forms_folder_is_read_after_forms_yaml_and_replaces_by_id(tmp_path):
    ov = tmp_path / "ov"
    (ov / "clauses" / "forms").mkdir(parents=True)
    (ov / "clauses" / "forms.yaml").write_text(textwrap.dedent("""\
        - id: form-x
          code: JL-90
          title: 先写的表
          procedure: proc-repair
          layout: [{text: 一}]
        """), "utf-8")
    (ov / "clauses" / "forms" / "a.yaml").write_text(textwrap.dedent("""\
        - id: form-x
          code: JL-90
          title: 后写的表
          procedure: proc-repair
          pages: 2-3
          style: letter
          layout: [{p: 正文}, {right: 落款}]
        - id: form-complaint
          code: JL-01
          title: 投诉登记表（覆盖层）
          procedure: proc-complaint
          layout: [{text: 二}]
        """), "utf-8")
    lib = load_library([ov / "clauses"])
    assert lib.forms["form-x"].title == "后写的表" and lib.forms["form-x"].pages == (2, 3)
    assert lib.forms["form-x"].style == "letter"
    assert lib.forms["form-complaint"].title == "投诉登记表（覆盖层）"
    assert load_library([]).forms["form-commitment-letter"].pages == (1, 1)


@pytest.mark.parametrize("value, hint", [("0", "页数"), ("3-2", "页数"), ("x", "页数")])
def test_a_bad_pages_value_is_reported(tmp_path, value, hint):
    from kitgen.errors import InvalidInput
    ov = tmp_path / "ov"
    (ov / "clauses" / "forms").mkdir(parents=True)
    (ov / "clauses" / "forms" / "a.yaml").write_text(textwrap.dedent(f"""\
        - id: form-x
          code: JL-90
          title: 表
          procedure: proc-repair
          pages: "{value}"
          style: poster
          layout: [{{text: 一}}]
        """), "utf-8")
    with pytest.raises(InvalidInput) as err:
        load_library([ov / "clauses"])
    text = "\n".join(str(p) for p in err.value.problems)
    assert hint in text and "样式" in text and "forms/a.yaml" in text


def test_lint_reads_forms_folder(tmp_path):
    from kitgen.content.lint import lint
    ov = tmp_path / "ov"
    (ov / "clauses" / "forms").mkdir(parents=True)
    (ov / "clauses" / "forms" / "a.yaml").write_text(textwrap.dedent("""\
        - id: form-x
          code: JL-90
          title: 表
          procedure: proc-nope
          layout: [{p: "{{ nosuch }}"}]
        """), "utf-8")
    problems = lint(ov)
    text = "\n".join(str(p) for p in problems)
    assert "proc-nope" in text and "nosuch" in text
    assert "不会读取" not in text


def test_a_later_folder_adds_external_records_without_repeating_the_entry(tmp_path):
    from kitgen.content.lint import lint
    from kitgen.errors import InvalidInput
    ov = tmp_path / "ov"
    (ov / "clauses").mkdir(parents=True)
    (ov / "clauses" / "documents.yaml").write_text("- {id: proc-repair, external_records: [维修发票, 神秘台账]}\n", "utf-8")
    lib = load_library([ov / "clauses"])
    base = load_library([]).docs["proc-repair"]
    assert lib.docs["proc-repair"].title == base.title and lib.docs["proc-repair"].code == base.code
    assert lib.docs["proc-repair"].external_records == base.external_records + ["维修发票", "神秘台账"]
    assert not [p for p in lint(ov) if "external_records" in p.path or "proc-repair" in p.path]
    (ov / "clauses" / "documents.yaml").write_text("- {id: proc-nope, external_records: [维修发票]}\n", "utf-8")
    with pytest.raises(InvalidInput) as err:
        load_library([ov / "clauses"])
    assert "proc-nope" in str(err.value) and "未登记" in str(err.value)
    assert any("proc-nope" in p.message for p in lint(ov))
