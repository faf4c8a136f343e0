"""Self-assessment scoring: the rules of kit.md exactly, the workbook round trip, the YAML form."""
from __future__ import annotations

import json
import shutil
from fractions import Fraction
from pathlib import Path

import pytest
from click.testing import CliRunner

import kitgen.cli.score_cmd  # noqa: F401 - registers `assess` and `score`
from kitgen.cli.main import cli
from kitgen.core import yamlsrc
from kitgen.core.catalog import load_catalog, parse_catalog
from kitgen.assess.score import ScoreInputError, fmt, score

FIXTURES = Path(__file__).parent / "fixtures"
SAMPLES = Path(__file__).resolve().parents[1] / "samples"
SOFTWARE = FIXTURES / "software-selfservice.yaml"   # self-service SaaS: deletes 5.2.3 and 5.2.6 (and their clauses)


@pytest.fixture(scope="module")
def cat():
    return parse_catalog(yamlsrc.load(FIXTURES / "score_catalog.yaml"))


@pytest.fixture(scope="module")
def ids(cat):
    return [i.id for i in cat.indicators.values() if i.level == 3]


def results(ids, met: int, share=None, *, skip=()):
    """The first `met` clauses met, the next one at `share` (when given), the rest not met."""
    out = {}
    for n, cid in enumerate(i for i in ids if i not in skip):
        out[cid] = True if n < met else (share if n == met and share is not None else False)
    return out


def run(*args):
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    return result.exit_code, result.output


# ------------------------------------------------------------------------------ the pure function

def test_all_met_is_100_and_five_stars(cat, ids):
    rep = score(cat, {}, results(ids, 10))
    assert rep.score == 100 and rep.level == "五星级" and rep.stars == 5
    assert rep.costliest == [] and rep.unassessed == [] and not rep.provisional


@pytest.mark.parametrize("met, share, expected, level", [
    (9, 0.5, 95, "五星级"),
    (9, 0.499, 94.99, "四星级"),
    (9, None, 90, "四星级"),
    (8, 0.999, 89.99, "三星级"),
    (8, None, 80, "三星级"),
    (7, None, 70, "达标级"),
    (6, 0.99, 69.9, None),
    (0, None, 0, None),
])
def test_thresholds_are_inclusive_and_exact(cat, ids, met, share, expected, level):
    rep = score(cat, {}, results(ids, met, share))
    assert rep.exact_score == Fraction(str(expected))
    assert rep.level == level
    assert rep.passed is (level is not None)


def test_69_9_fails_and_says_why(cat, ids):
    rep = score(cat, {}, results(ids, 6, 0.99))
    assert rep.level is None and rep.stars is None
    assert "69.90" in rep.fail_reasons[0] and "70" in rep.fail_reasons[0]


@pytest.mark.parametrize("met", [10, 9, 7])
def test_five_special_deductions_fail_at_any_score(cat, ids, met):
    rep = score(cat, {}, results(ids, met), deductions=["a", "b", "c", "d", "e"], bonus="x")
    assert rep.level is None and any("特别扣分项 5 项" in r for r in rep.fail_reasons)
    rep = score(cat, {}, results(ids, 10), deductions=["a", "b", "c", "d"])
    assert rep.score == 96 and rep.level == "五星级"


def test_each_deduction_costs_one_point_after_the_ratio(cat, ids):
    rep = score(cat, {}, results(ids, 9, 0.5), deductions=["三包凭证未注明维修网点地址"])
    assert rep.base == 95 and rep.score == 94 and rep.level == "四星级"


def test_deleted_indicators_leave_both_sides_of_the_ratio(cat, ids):
    # a deleted second-level indicator takes its clauses with it; the rest all met → still 100
    rep = score(cat, {"5.2.1": "不配送"}, results(ids, 10, skip=("5.2.1.1", "5.2.1.2")))
    assert rep.score == 100 and rep.level == "五星级"
    assert rep.deleted == ["5.2.1.1", "5.2.1.2"] and rep.possible == 80
    # one of the 8 remaining not met: 70/80 = 87.5, not 70/100
    r = results(ids, 10, skip=("5.2.1.1", "5.2.1.2"))
    r["5.1.1.1"] = False
    rep = score(cat, ["5.2.1"], r)
    assert rep.exact_score == Fraction(175, 2) and rep.level == "三星级"
    # deleting a single clause works the same way
    assert score(cat, ["5.2.2.3"], results(ids, 10, skip=("5.2.2.3",))).score == 100


def test_partial_shares_count_share_times_points(cat, ids):
    r = results(ids, 10)
    r["5.1.1.5"] = 0.5                     # a sampled clause
    r["5.2.2.1"] = Fraction(1, 4)
    rep = score(cat, {}, r)
    assert rep.exact_score == Fraction(175, 2)
    lost = {c.id: c.lost for c in rep.costliest}
    assert lost == {"5.2.2.1": 7.5, "5.1.1.5": 5.0}
    assert [c.id for c in rep.costliest] == ["5.2.2.1", "5.1.1.5"]     # largest loss first


def test_a_share_on_a_clause_that_is_not_sampled_is_counted_with_a_warning(cat, ids):
    r = results(ids, 10)
    r["5.1.1.1"] = 0.5
    rep = score(cat, {}, r)
    assert rep.score == 95 and any("5.1.1.1" in w and "抽样" in w for w in rep.warnings)


def test_bonus_adds_one_and_at_most_one(cat, ids):
    rep = score(cat, {}, results(ids, 8, 0.9), bonus="全国首家以旧换新上门回收")
    assert rep.score == 90 and rep.level == "四星级"
    assert score(cat, {}, results(ids, 8, 0.9), bonus=["只有一项"]).score == 90
    with pytest.raises(ScoreInputError, match="至多一项"):
        score(cat, {}, results(ids, 10), bonus=["一", "二"])


def test_unassessed_clauses_count_as_not_met_and_are_listed(cat, ids):
    r = {cid: True for cid in ids[:7]}
    r[ids[7]] = None
    rep = score(cat, {}, r)
    assert rep.score == 70
    assert [c.id for c in rep.unassessed] == ids[7:]


@pytest.mark.parametrize("bad, message", [
    ({"9.9.9.9": True}, "不是指标目录"),
    ({"5.1.1": True}, "2级指标"),
    ({"5.1.1.1": 1.5}, "不在 0 到 1"),
    ({"5.1.1.1": -0.1}, "不在 0 到 1"),
])
def test_bad_results_are_refused(cat, bad, message):
    with pytest.raises(ScoreInputError, match=message):
        score(cat, {}, bad)


def test_a_result_for_a_deleted_clause_is_refused(cat):
    with pytest.raises(ScoreInputError, match="已删减"):
        score(cat, ["5.2.1"], {"5.2.1.1": True})


def test_target_distance(cat, ids):
    rep = score(cat, {}, results(ids, 8, 0.75), target_star=4)
    assert rep.gap == 2.5
    assert score(cat, {}, results(ids, 10), target_star=5).gap == 0


def test_bundled_catalog_all_met_is_exactly_100_with_deletions():
    from kitgen.api import load_profile
    from kitgen.core import derive
    from kitgen.core.industries import load_industries
    cat = load_catalog()
    profile = load_profile(SOFTWARE, cat)
    dels = derive.deletions(profile, load_industries()[profile.industry], cat)
    applicable = [i.id for i in cat.indicators.values() if i.level == 3 and i.id not in dels]
    rep = score(cat, dels, {i: True for i in applicable})
    assert rep.exact_score == 100 and rep.level == "五星级" and rep.provisional
    assert len(rep.deleted) == 6


def test_display_never_rounds_up_across_a_threshold():
    assert fmt(Fraction(69999, 1000)) == "69.99" and fmt(Fraction(95)) == "95.00" and fmt(-2) == "-2.00"


# ------------------------------------------------------------------------------ the workbook

@pytest.fixture()
def workbook(tmp_path) -> Path:
    out = tmp_path / "自评表.xlsx"
    code, text = run("assess", SOFTWARE, "-o", out)
    assert code == 0, text
    assert "占位" in text
    return out


def fill(path: Path, value_for, deductions=(), bonuses=()):
    """Fill the workbook the way a company does, in a spreadsheet program (openpyxl saves it)."""
    import openpyxl
    wb = openpyxl.load_workbook(path)
    ws = wb["自评表"]
    header = [c.value for c in ws[2]]
    c_id, c_res = header.index("编号") + 1, next(n for n, h in enumerate(header, 1) if h.startswith("结果"))
    for row in range(3, ws.max_row + 1):
        cid = ws.cell(row, c_id).value
        if cid and cid[0].isdigit():
            ws.cell(row, c_res).value = value_for(cid)
    for n, d in enumerate(deductions):
        wb["特别扣分项"].cell(3 + n, 2).value = d
    for n, b in enumerate(bonuses):
        wb["特别加分项"].cell(3 + n, 2).value = b
    wb.save(path)


def test_assess_writes_one_row_per_applicable_clause_with_documents(workbook):
    from kitgen.kit.check import read_xlsx
    sheets = {s.name: s for s in read_xlsx(workbook.read_bytes())}
    assert list(sheets) == ["自评表", "特别扣分项", "特别加分项", "删减", "参数与说明"]
    main = sheets["自评表"]
    header = main.rows[2]
    assert header[0] == "编号" and "结果" in header[9] and header[10] == "说明"
    rows = [main.rows[r] for r in sorted(main.rows) if r > 2]
    assert rows[0][0] == "说明" and "占位" in rows[0][2]            # the provisional-points notice
    clauses = [r for r in rows if str(r.get(0, "")).startswith("5.")]
    cat = load_catalog()
    assert len(clauses) == sum(1 for i in cat.indicators.values() if i.level == 3) - 6
    assert not any(r[0].startswith(("5.2.3.", "5.2.6.")) for r in clauses)
    assert all(r.get(7) for r in clauses)                          # the kit documents that address it
    assert any("YZ/SH-" in r[7] for r in clauses)
    assert {r[0] for r in (sheets["删减"].rows[k] for k in sheets["删减"].rows if k > 2)} >= {"5.2.3", "5.2.6"}


def test_assess_refuses_to_overwrite_a_filled_workbook(workbook):
    code, out = run("assess", SOFTWARE, "-o", workbook)
    assert code == 2 and "--force" in out


def test_score_all_met_workbook(workbook):
    fill(workbook, lambda cid: "是")
    code, out = run("score", workbook)
    assert code == 0, out
    assert "最终得分 100.00 —— 五星级" in out and "目标 三星级（≥ 80 分）：已达到" in out
    assert "占位" in out                                           # points are provisional, said plainly


def test_score_workbook_with_shares_deductions_and_bonus(workbook):
    fill(workbook, lambda cid: {"5.1.2.2": "否", "5.1.1.1": "部分 0.5", "5.1.1.2": "60%"}.get(cid, "是"),
         deductions=["三包凭证未注明维修网点地址"], bonuses=["行业领先的远程运维平台"])
    code, out = run("score", workbook, "--json")
    assert code == 0, out
    data = json.loads(out)
    assert data["special_deductions"] == ["三包凭证未注明维修网点地址"] and data["special_bonus"]
    assert data["costliest"][0]["id"] == "5.1.2.2"                 # 5 points: the largest loss first
    assert data["points_provisional"] is True and data["target_star"] == 3


def test_score_unassessed_rows_are_listed(workbook):
    fill(workbook, lambda cid: None if cid.startswith("5.3.2") else "是")
    code, out = run("score", workbook)
    assert code == 0 and "未评价的条款 6 项" in out and "5.3.2.1" in out


def test_five_deductions_fail_but_the_exit_code_is_0(workbook):
    fill(workbook, lambda cid: "是", deductions=["一", "二", "三", "四", "五"])
    code, out = run("score", workbook)
    assert code == 0 and "不合格" in out and "特别扣分项 5 项" in out


def test_bad_workbook_input_names_sheet_row_and_cell(workbook):
    import openpyxl
    fill(workbook, lambda cid: {"5.1.1.1": 1.5, "5.1.1.2": "部分"}.get(cid, "是"), bonuses=["一", "二"])
    wb = openpyxl.load_workbook(workbook)
    ws = wb["自评表"]
    ws.cell(ws.max_row + 1, 1).value = "5.2.3.1"                   # a deleted clause, with a result
    ws.cell(ws.max_row, 10).value = "是"
    ws.cell(ws.max_row + 1, 1).value = "5.9.9.9"
    ws.cell(ws.max_row, 10).value = "是"
    wb.save(workbook)
    code, out = run("score", workbook)
    assert code == 3
    assert "自评表!J4" in out and "不在 0 到 1" in out                # row 4: the first clause after the notice
    assert "自评表!J5" in out and "没有写符合比例" in out
    assert "已删减" in out and "5.9.9.9" in out
    assert "特别加分项!B4" in out and "至多一项" in out
    assert "Traceback" not in out


# ------------------------------------------------------------------------------ the YAML form

@pytest.fixture()
def yaml_dir(tmp_path) -> Path:
    shutil.copy(SOFTWARE, tmp_path / "client.yaml")
    (tmp_path / "自评").mkdir()
    return tmp_path


def test_yaml_form_with_profile_relative_to_the_file(yaml_dir):
    cat = load_catalog()
    applicable = [i.id for i in cat.indicators.values() if i.level == 3
                  and not i.id.startswith(("5.2.3.", "5.2.6."))]
    lines = ["profile: ../client.yaml", "results:"] + [f'  "{i}": true' for i in applicable]
    lines += ["special_deductions:", "  - 三包凭证未注明维修网点地址", "special_bonus: 全国首家"]
    path = yaml_dir / "自评" / "results.yaml"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    code, out = run("score", path)
    assert code == 0, out
    assert "最终得分 100.00 —— 五星级" in out and "特别扣分 1 项" in out


def test_yaml_form_errors_have_file_and_line(yaml_dir):
    path = yaml_dir / "results.yaml"
    path.write_text('profile: client.yaml\nresults:\n  "5.1.1.1": true\n  "5.1.1.2": 1.5\n  "5.2.3.1": true\n'
                    '  "5.7.1.1": false\nspecial_bonus: [一, 二]\n', "utf-8")
    code, out = run("score", path)
    assert code == 3
    assert f"{path}:4: results.5.1.1.2:" in out and "0 到 1" in out
    assert f"{path}:5:" in out and "已删减" in out
    assert f"{path}:6:" in out and "5.7.1.1" in out
    assert f"{path}:7: special_bonus:" in out and "至多一项" in out


def test_yaml_missing_profile_and_unknown_key(yaml_dir):
    path = yaml_dir / "r.yaml"
    path.write_text("profile: nowhere.yaml\nresultz: {}\n", "utf-8")
    code, out = run("score", path)
    assert code == 3 and "resultz" in out
    path.write_text("profile: nowhere.yaml\n", "utf-8")
    code, out = run("score", path)
    assert code == 3 and "nowhere.yaml" in out


def test_score_help_documents_the_exit_codes():
    code, out = run("score", "--help")
    assert code == 0 and "0 已算出得分" in out and "3 输入有误" in out
