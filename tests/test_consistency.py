"""A kit that agrees with itself (issue 12.5), on the generic library (every sample's profile, no pack
clauses): the service philosophy, policy and targets read the same in
every document that states them; the profile's approver approves the procedures everywhere; the
supervision body reports to the top manager, not to the after-sales head it supervises; the
after-sales department's teams are the same list everywhere; a fact stated twice is stated the same way."""
from __future__ import annotations

import re

import pytest

from tests.generic_kits import SAMPLES, doc, generic_kit, texts, variant_kit

KITS = sorted(SAMPLES)


def _after(text: str, label: str) -> str:
    m = re.search(re.escape(label) + r"[：:]\s*(.+?)(?:。|\n|$)", text)
    assert m, f"no “{label}” in the text"
    return m.group(1).strip()


def _table_value(text: str, label: str) -> str:
    m = re.search(r"^" + re.escape(label) + r" \| (.+?)$", text, flags=re.M)
    assert m, f"no table row “{label}”"
    return m.group(1).strip()


@pytest.mark.parametrize("name", KITS)
def test_philosophy_purpose_and_policy_read_the_same(name):
    kit = generic_kit(name)
    manual, culture = doc(kit, "02 售后服务管理手册"), doc(kit, "CX-01")
    for label in ("服务理念", "服务宗旨", "服务方针"):
        assert _after(manual, f"本公司的{label}") == _table_value(culture, label), label
    intro = doc(kit, "05 组织简介")
    assert f"以“{_after(manual, '本公司的服务理念')}”为服务理念" in intro


def test_an_answered_philosophy_changes_every_document():
    kit = variant_kit("philosophy", "furniture-xlsx",
                      answers={"service_philosophy": "木作有温度，服务有始终", "service_policy": "守时、守信、守质"})
    manual, culture, intro = doc(kit, "02 售后服务管理手册"), doc(kit, "CX-01"), doc(kit, "05 组织简介")
    assert _after(manual, "本公司的服务理念") == _table_value(culture, "服务理念") == "木作有温度，服务有始终"
    assert _after(manual, "本公司的服务方针") == _table_value(culture, "服务方针") == "守时、守信、守质"
    assert "木作有温度，服务有始终" in intro


def _targets(text: str, header: str) -> dict[str, str]:
    """Target name → target value, from the table whose header line starts with ``header``."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(header))
    cols = lines[start].split(" | ")
    value_col = cols.index("目标值") if "目标值" in cols else cols.index("年度目标值")
    out = {}
    for line in lines[start + 1:]:
        cells = line.split(" | ")
        if len(cells) != len(cols):
            break
        out[cells[0]] = cells[value_col]
    return out


@pytest.mark.parametrize("name", KITS)
def test_service_targets_are_the_same_in_the_manual_and_the_culture_procedure(name):
    kit = generic_kit(name)
    manual = _targets(doc(kit, "02 售后服务管理手册"), "目标项目 | 计算方法 | 目标值")
    culture = _targets(doc(kit, "CX-01"), "目标项目 | 计算方法 | 年度目标值")
    assert manual == culture
    assert {"顾客满意度", "响应及时率", "修复及时率", "投诉处理及时率", "回访及时率"} <= set(manual)
    # a target the procedures check carries the manual's value
    for path, text in texts(kit).items():
        for name_, value in manual.items():
            for m in re.finditer(r"^" + re.escape(name_) + r" \| [^|\n]+ \| ([^|\n]+)$", text, flags=re.M):
                assert m.group(1) == value, f"{path}: {name_} {m.group(1)} ≠ {value}"


def test_house_targets_print_as_ordinary_text():
    kit = generic_kit("furniture-xlsx")
    manual = _targets(doc(kit, "02 售后服务管理手册"), "目标项目 | 计算方法 | 目标值")
    assert manual["顾客满意度"] == "≥90%" and manual["投诉处理及时率"] == "100%"


@pytest.mark.parametrize("name", KITS)
def test_the_profiles_approver_approves_procedures_and_rules_everywhere(name):
    kit = generic_kit(name)
    import yaml
    approver = (yaml.safe_load(SAMPLES[name].read_text("utf-8")).get("documents") or {}).get("approver")
    assert approver
    for path, text in texts(kit).items():
        if path.startswith(("03 程序文件/", "04 管理制度/")):
            assert f"批准 | {approver} |" in text, path
    documents = doc(kit, "CX-02")
    assert re.search(r"^程序文件 \| CX \| \S+ \| " + re.escape(approver) + "$", documents, flags=re.M)
    assert re.search(r"^管理制度 \| ZD \| \S+ \| " + re.escape(approver) + "$", documents, flags=re.M)
    assert f"主责部门编制，{approver}批准" in doc(kit, "02 售后服务管理手册")


def test_an_approver_other_than_the_top_manager_is_still_the_approver_of_procedures():
    kit = variant_kit("approver", "furniture-xlsx", documents={"approver": "罗振宇", "reviewer": "黄嘉欣"})
    for path, text in texts(kit).items():
        if path.startswith(("03 程序文件/", "04 管理制度/")):
            assert "批准 | 罗振宇 |" in text, path
    manual = doc(kit, "02 售后服务管理手册")
    assert "批准 | 梁志鸿 |" in manual                  # the manual: the top manager, who signs its 颁布令
    assert "主责部门编制，罗振宇批准" in manual


@pytest.mark.parametrize("name", KITS)
def test_the_supervision_body_reports_to_the_top_manager(name):
    kit = generic_kit(name)
    for starts in ("02 售后服务管理手册", "CX-07"):
        text = doc(kit, starts)
        assert "直接向总经理报告" in text, starts
    for path, text in texts(kit).items():
        for sentence in re.split(r"[。；\n]", text):
            if "监督" in sentence and re.search(r"向售后服务负责人(报告|负责)|对售后服务负责人负责", sentence):
                pytest.fail(f"{path}: the supervision reports to the head it supervises: {sentence}")


def test_supervision_inside_the_service_department_is_still_independent():
    kit = variant_kit("one-department", "furniture-xlsx", departments={"supervision": "客户服务部"})
    manual = doc(kit, "02 售后服务管理手册")
    assert "服务监督员由总经理任命，不承担被监督的服务实施工作" in manual
    assert "独立于客户服务部" not in manual
    assert "其服务监督员由总经理任命" in doc(kit, "CX-07")


def _teams(text: str, intro: str) -> list[str]:
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if intro in line)
    out = []
    for line in lines[start + 1:]:
        m = re.match(r"^(\S{2,16}组)：", line)
        if not m:
            if out:
                break
            continue
        out.append(m.group(1))
    return out


@pytest.mark.parametrize("name", KITS)
def test_the_after_sales_teams_are_one_list(name):
    kit = generic_kit(name)
    manual = _teams(doc(kit, "02 售后服务管理手册"), "按职能下设以下班组")
    organization = _teams(doc(kit, "CX-04"), "内部按业务设置以下职能组")
    assert manual == organization and len(manual) >= 6
    chart = doc(kit, "06 组织机构图")
    assert all(team in chart for team in manual), (manual, chart[:300])


def test_a_fact_stated_in_several_documents_is_stated_the_same_way():
    kit = variant_kit("facts", "furniture-xlsx",
                      answers={"special_reserve_wan_yuan": 80, "insurance": "产品责任险（保额300万元）"})
    where = {"02 售后服务管理手册": 0, "ZD-02": 0, "CX-18": 0, "CX-06": 0, "09 售后服务体系建设情况": 0}
    for starts in where:
        text = doc(kit, starts)
        assert "80万元" in text.replace(" ", ""), starts
        assert "【待填写：专项准备金" not in text
    for starts in ("02 售后服务管理手册", "ZD-02", "CX-18", "CX-06"):
        assert "产品责任险（保额300万元）" in doc(kit, starts), starts
