"""Self-assessment: the workbook a company fills in, and the score it would get (GB/T 27922-2011 clause 6).

Rules (../shared/spec/kit.md, "Self-assessment and scoring"), applied exactly:

- each applicable third-level clause is met (its points), not met (0) or partly met (share × points);
  a clause missing from the results counts as not met and is listed as unassessed;
- deleted indicators (a deleted second-level indicator deletes its clauses) leave both the earned
  and the possible points;
- score = earned / applicable × 100, then −1 per special deduction (特别扣分项) and +1 for the
  special bonus (特别加分项, at most one; more is an error). The total is not capped at 100:
  the standard's public description says nothing of a cap, and any score ≥ 95 is 五星级 anyway;
- 5 or more special deductions fail whatever the score; otherwise (inclusive thresholds)
  达标级 ≥ 70, 三星级 ≥ 80, 四星级 ≥ 90, 五星级 ≥ 95; below 70 fails.

Arithmetic is exact (fractions built from the decimal text of the points and shares), so a score of
exactly 95 is 五星级 and 69.9 is not 70 through rounding; scores are shown truncated, never rounded
up across a threshold.

``score(catalog, deletions, results, deductions, bonus) -> ScoreReport`` is the pure function; the
readers (workbook, YAML) validate input with file and line and raise InvalidInput (exit 3).
"""
from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

from kitgen.core.catalog import PROVENANCE_SHORT, Catalog
from kitgen.errors import InvalidInput, Problem

LEVELS = ((95, "五星级", 5), (90, "四星级", 4), (80, "三星级", 3), (70, "达标级", 0))
STAR_MIN = {5: 95, 4: 90, 3: 80, 0: 70}
STAR_NAME = {5: "五星级", 4: "四星级", 3: "三星级", 0: "达标级"}
FAIL_DEDUCTIONS = 5
PASS_MIN = 70

SHEET_MAIN, SHEET_DEDUCT, SHEET_BONUS, SHEET_DELETED, SHEET_PARAMS = "自评表", "特别扣分项", "特别加分项", "删减", "参数与说明"
COL_ID, COL_RESULT, COL_NOTE = "编号", "结果", "说明"
COL_DEDUCT, COL_BONUS = "扣分事项", "加分事项"
DEDUCT_ROWS = 10
PROVISIONAL_NOTICE = ("注意：本指标目录的条款分值为占位值（官方评分表未公开，仅一级分值和 5.1.2.2 有二手来源），"
                      "据此算出的得分和星级仅供参考，不是认证结论。")


class ScoreInputError(ValueError):
    """Bad input to score() (unknown clause, share out of range, deleted clause, two bonuses)."""


# --------------------------------------------------------------------------------------------
# the pure scoring function
# --------------------------------------------------------------------------------------------

@dataclass
class ClauseScore:
    id: str
    name: str
    points: float
    result: float | None          # share met 0..1; None = unassessed (counted as not met)
    earned: float
    lost: float
    sampled: bool = False
    points_provenance: str = "placeholder"


@dataclass
class ScoreReport:
    clauses: list[ClauseScore]                  # the applicable third-level clauses, catalog order
    deleted: list[str]                          # third-level clauses left out of both sides
    possible: float
    earned: float
    base: float                                 # earned / possible × 100
    deductions: list[str]
    bonus: str | None
    score: float
    level: str | None                           # None: fails
    stars: int | None                           # 5/4/3, 0 for 达标级, None when it fails
    fail_reasons: list[str]
    provisional: bool
    target_star: int | None = None
    gap: float | None = None                    # points still missing to the target (0 when reached)
    warnings: list[str] = field(default_factory=list)
    exact_score: Fraction = Fraction(0)

    @property
    def passed(self) -> bool:
        return self.level is not None

    @property
    def unassessed(self) -> list[ClauseScore]:
        return [c for c in self.clauses if c.result is None]

    @property
    def costliest(self) -> list[ClauseScore]:
        order = {c.id: n for n, c in enumerate(self.clauses)}
        return sorted((c for c in self.clauses if c.lost > 0), key=lambda c: (-c.lost, order[c.id]))

    def as_dict(self) -> dict:
        return {
            "score": self.score, "score_text": fmt(self.exact_score), "level": self.level, "stars": self.stars,
            "passed": self.passed, "fail_reasons": self.fail_reasons, "base": self.base,
            "earned": self.earned, "possible": self.possible,
            "special_deductions": self.deductions, "special_bonus": self.bonus,
            "target_star": self.target_star,
            "target_name": STAR_NAME.get(self.target_star) if self.target_star is not None else None,
            "gap": self.gap, "points_provisional": self.provisional,
            "costliest": [c.__dict__ for c in self.costliest],
            "unassessed": [c.id for c in self.unassessed], "deleted": self.deleted, "warnings": self.warnings,
            "clauses": [c.__dict__ for c in self.clauses],
        }


def _frac(x: Any) -> Fraction:
    if isinstance(x, bool):
        return Fraction(int(x))
    if isinstance(x, Fraction):
        return x
    if isinstance(x, int):
        return Fraction(x)
    if isinstance(x, float):
        if not math.isfinite(x):
            raise ScoreInputError(f"不是有限的数：{x}")
        return Fraction(repr(x))            # the decimal the user wrote, not the binary float
    return Fraction(str(x))


def fmt(x: Fraction | float) -> str:
    """Two decimals, truncated toward −∞ (69.996 shows as 69.99, never as 70.00)."""
    x = _frac(x)
    cents = math.floor(x * 100)
    sign = "-" if cents < 0 else ""
    cents = abs(cents)
    return f"{sign}{cents // 100}.{cents % 100:02d}"


def deleted_set(catalog: Catalog, deletions: Mapping[str, Any] | Iterable[str]) -> set[str]:
    """Every indicator id deleted, a deleted parent deleting its descendants."""
    ids = set(deletions.keys() if isinstance(deletions, Mapping) else deletions)
    out = set(ids)
    for i in ids:
        if i in catalog.indicators:
            out.update(catalog.descendants(i))
    return out


def level_for(score: Fraction | float, n_deductions: int) -> tuple[str | None, int | None, list[str]]:
    s = _frac(score)
    reasons = []
    if n_deductions >= FAIL_DEDUCTIONS:
        reasons.append(f"特别扣分项 {n_deductions} 项（达到 {FAIL_DEDUCTIONS} 项即不合格，无论得分多少）")
    if s < PASS_MIN:
        reasons.append(f"得分 {fmt(s)} 低于 {PASS_MIN} 分")
    if reasons:
        return None, None, reasons
    for minimum, name, stars in LEVELS:
        if s >= minimum:
            return name, stars, []
    raise AssertionError("unreachable")


def score(catalog: Catalog, deletions: Mapping[str, Any] | Iterable[str], results: Mapping[str, Any],
          deductions: Iterable[str] = (), bonus: str | Iterable[str] | None = None, *,
          target_star: int | None = None) -> ScoreReport:
    """Score a self-assessment. ``results``: clause id → True/False or a share in [0, 1] (None or a
    missing clause = not assessed = not met). ``deletions``: ids (or a dict keyed by id) of deleted
    indicators. ``bonus``: one description (or a list of at most one). Raises ScoreInputError."""
    gone = deleted_set(catalog, deletions)
    clauses3 = [i for i in catalog.indicators.values() if i.level == 3]
    applicable = [i for i in clauses3 if i.id not in gone]
    if not applicable:
        raise ScoreInputError("没有适用的条款：全部被删减，无法计分")
    known = {i.id for i in clauses3}
    shares: dict[str, Fraction | None] = {}
    for cid, value in results.items():
        cid = str(cid)
        if cid not in known:
            what = catalog.indicators.get(cid)
            raise ScoreInputError(f"“{cid}” 是{what.level}级指标，请按其下的三级条款填写" if what
                                  else f"“{cid}” 不是指标目录中的条款编号")
        if cid in gone:
            raise ScoreInputError(f"条款 {cid} 已删减，不计分，不应填写结果")
        if value is None:
            shares[cid] = None
            continue
        share = _frac(value)
        if share < 0 or share > 1:
            raise ScoreInputError(f"条款 {cid} 的结果 {value} 不在 0 到 1 之间")
        shares[cid] = share
    deductions = [str(d) for d in deductions]
    if bonus is None or isinstance(bonus, str):
        bonuses = [bonus] if bonus else []
    else:
        bonuses = [str(b) for b in bonus if b]
    if len(bonuses) > 1:
        raise ScoreInputError(f"特别加分项至多一项，填了 {len(bonuses)} 项")

    warnings = []
    possible = earned = Fraction(0)
    out: list[ClauseScore] = []
    for ind in applicable:
        if ind.points is None:
            warnings.append(f"条款 {ind.id} 在指标目录中没有分值，按 0 分计")
        pts = _frac(ind.points or 0)
        share = shares.get(ind.id)
        got = pts * share if share is not None else Fraction(0)
        if share is not None and 0 < share < 1 and not ind.sampled:
            warnings.append(f"条款 {ind.id} {ind.name} 不是抽样评分的条款，审核时通常只按符合或不符合计分，"
                            f"此处按比例 {float(share):g} 计")
        possible += pts
        earned += got
        out.append(ClauseScore(ind.id, ind.name, float(pts), None if share is None else float(share),
                               float(got), float(pts - got), ind.sampled, ind.points_provenance))
    if possible == 0:
        raise ScoreInputError("适用条款的分值合计为 0，无法计分")
    base = earned / possible * 100
    total = base - len(deductions) + (1 if bonuses else 0)
    level, stars, reasons = level_for(total, len(deductions))
    gap = None
    if target_star is not None:
        gap = float(max(Fraction(0), STAR_MIN[target_star] - total))
    return ScoreReport(clauses=out, deleted=[i.id for i in clauses3 if i.id in gone], possible=float(possible),
                       earned=float(earned), base=float(base), deductions=deductions,
                       bonus=bonuses[0] if bonuses else None, score=float(total), level=level, stars=stars,
                       fail_reasons=reasons, provisional=catalog.points_provisional, target_star=target_star,
                       gap=gap, warnings=warnings, exact_score=total)


# --------------------------------------------------------------------------------------------
# reading a result value (workbook cell or YAML value)
# --------------------------------------------------------------------------------------------

_YES = {"是", "符合", "满足", "已符合", "y", "yes", "true", "t", "√", "✓", "✔", "ok", "1"}
_NO = {"否", "不符合", "不满足", "未符合", "n", "no", "false", "f", "×", "✗", "✘", "x", "0"}
_PARTIAL = re.compile(r"^(?:部分(?:符合)?)?\s*[（(：:\s]*\s*([0-9]+(?:\.[0-9]+)?)\s*(%|％)?\s*[)）]?$")
RESULT_HINT = "是、否、部分（写比例，如 部分 0.6），或 0 到 1 之间的比例（如 0.6、60%）；留空表示未评价"


def parse_result(value: Any) -> tuple[Fraction | None, str | None]:
    """(share, None) or (None, None) for empty, or (None, error message)."""
    if value is None:
        return None, None
    if isinstance(value, bool):
        return Fraction(int(value)), None
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            return None, f"结果 “{value}” 不是有效的数"
        share = _frac(value)
        if share < 0 or share > 1:
            return None, f"比例 {value} 不在 0 到 1 之间"
        return share, None
    text = str(value).strip()
    if not text:
        return None, None
    low = text.lower()
    if low in _YES:
        return Fraction(1), None
    if low in _NO:
        return Fraction(0), None
    m = _PARTIAL.match(text)
    if m:
        share = Fraction(m.group(1)) / (100 if m.group(2) else 1)
        if share < 0 or share > 1:
            return None, f"比例 “{text}” 不在 0 到 1（0% 到 100%）之间"
        return share, None
    if text.startswith("部分"):
        return None, "填了“部分”但没有写符合比例"
    return None, f"无法识别的结果 “{text}”"


# --------------------------------------------------------------------------------------------
# inputs: the workbook and the YAML form
# --------------------------------------------------------------------------------------------

@dataclass
class ScoreInput:
    source: str
    company: str
    results: dict[str, Fraction | None]
    deductions: list[str]
    bonus: str | None
    deletions: dict[str, str]               # id → reason
    target_star: int | None
    catalog: Catalog


def _check_clause(catalog: Catalog, gone: set[str], deletions: dict[str, str], cid: str) -> tuple[str, str] | None:
    """(message, hint) when ``cid`` cannot carry a result."""
    ind = catalog.indicators.get(cid)
    if ind is None:
        return f"“{cid}” 不是指标目录（{catalog.standard}）中的条款编号", "三级条款编号，如 5.1.1.1（见 kitgen catalog）"
    if ind.level != 3:
        return f"“{cid}” 是{ind.level}级指标，结果应按其下的三级条款逐条填写", "三级条款编号，如 " + (
            (catalog.descendants(cid) or ["5.1.1.1"])[-1])
    if cid in gone:
        why = deletions.get(cid) or next((deletions[a] for a in deletions if cid.startswith(a + ".")), "")
        return (f"条款 {cid} {ind.name} 已删减（{why or '见删减清单'}），删减的条款不计分，不应填写结果",
                "不列出已删减的条款（若该条款其实适用，先在配置中取消删减再重新生成）")
    return None


def load_yaml_input(path: Path, catalog: Catalog) -> ScoreInput:
    """The YAML form of kit.md: profile (relative to this file), results, special_deductions, special_bonus."""
    from kitgen.api import load_profile
    from kitgen.core import derive, yamlsrc
    from kitgen.core.industries import load_industries
    from kitgen.core.profile import Checker
    src = yamlsrc.load(path, display=str(path))
    c = Checker(src)
    keys = {"profile": "配置文件", "results": "各条款结果", "special_deductions": "特别扣分项", "special_bonus": "特别加分项"}
    data = c.mapping(src.data, "", keys, ("profile",))
    if data is None or c.problems:
        raise InvalidInput(c.problems)
    prof_rel = data.get("profile")
    if not isinstance(prof_rel, str):
        raise InvalidInput([src.problem("profile", "profile 应是配置文件的路径", "如 profile: client.yaml（相对本文件）")])
    prof_path = (path.parent / prof_rel)
    if not prof_path.is_file():
        raise InvalidInput([src.problem("profile", f"找不到配置文件 {prof_path}", "相对本文件所在文件夹的路径")])
    from kitgen.content.overlay import pack_roots, resolve
    ovs = resolve(prof_path, [])
    profile = load_profile(prof_path, catalog, ovs)
    industry = load_industries(pack_roots(ovs))[profile.industry]
    dels = derive.deletions(profile, industry, catalog)
    deletions = {k: v.reason for k, v in dels.items()}
    gone = deleted_set(catalog, deletions)
    results: dict[str, Fraction | None] = {}
    raw = data.get("results")
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        c.add("results", "results 应是“条款编号: 结果”的列表", '"5.1.1.1": true')
        raw = {}
    for key, value in raw.items():
        p = f"results.{key}"
        bad = _check_clause(catalog, gone, deletions, str(key))
        if bad:
            c.add(p, *bad)
            continue
        share, err = parse_result(value)
        if err:
            c.add(p, f"条款 {key}：{err}", "true（符合）、false（不符合）或 0 到 1 之间的比例（部分符合），如 0.5")
            continue
        results[str(key)] = share
    deductions: list[str] = []
    rd = data.get("special_deductions")
    if rd is not None:
        if not isinstance(rd, list):
            c.add("special_deductions", "特别扣分项应是列表，每项一句描述", "- 三包凭证未注明维修网点地址")
        else:
            for n, d in enumerate(rd):
                if not isinstance(d, (str, int, float)) or isinstance(d, bool) or not str(d).strip():
                    c.add(f"special_deductions[{n}]", "每个特别扣分项应是一句非空的描述", "- 三包凭证未注明维修网点地址")
                else:
                    deductions.append(str(d).strip())
    bonus = None
    rb = data.get("special_bonus")
    if isinstance(rb, list):
        items = [b for b in rb if b not in (None, "")]
        if len(items) > 1:
            c.add("special_bonus", f"特别加分项至多一项，这里有 {len(items)} 项", "只保留最重要的一项（至多 +1 分）")
        elif items:
            bonus = str(items[0]).strip()
    elif isinstance(rb, (dict, bool)):
        c.add("special_bonus", "特别加分项应是一句描述", "special_bonus: 全国首家提供以旧换新上门回收的企业")
    elif rb not in (None, ""):
        bonus = str(rb).strip()
    if c.problems:
        raise InvalidInput(c.problems)
    return ScoreInput(source=str(path), company=profile.company.name, results=results, deductions=deductions,
                      bonus=bonus, deletions=deletions, target_star=profile.target_star, catalog=catalog)


def _norm(v: Any) -> str:
    return re.sub(r"\s+", "", str(v)) if v is not None else ""


def _find_header(sheet, wanted: str) -> tuple[int, dict[str, int]] | None:
    for rnum in sorted(sheet.rows)[:30]:
        cols = {_norm(v): c for c, v in sheet.rows[rnum].items() if isinstance(v, str)}
        if any(k.startswith(wanted) for k in cols):
            return rnum, cols
    return None


def _col(cols: dict[str, int], prefix: str) -> int | None:
    for k, c in cols.items():
        if k.startswith(prefix):
            return c
    return None


def load_workbook_input(path: Path, catalog: Catalog) -> ScoreInput:
    """The workbook `kitgen assess` wrote, as the company filled it in."""
    from kitgen.limits import SCORE_FILE_MAX_BYTES
    from kitgen.ooxml.safe_read import Unreadable, read_regular, read_xlsx
    from kitgen.ooxml.sheetcols import col_letter
    name = str(path)
    try:
        sheets = {s.name: s for s in read_xlsx(read_regular(path, SCORE_FILE_MAX_BYTES))}
    except Unreadable as e:
        raise InvalidInput([Problem(name, None, "", f"无法读取自评表：{e.message}",
                                    "kitgen assess 生成、用 Excel/WPS 填写后保存的 .xlsx 文件")]) from None
    problems: list[Problem] = []

    def prob(sheet: str, row: int | None, col: int | None, message: str, hint: str = "") -> None:
        where = f"{sheet}!{col_letter(col)}{row}" if row and col is not None else sheet
        problems.append(Problem(name, row, where, message, hint))

    main = sheets.get(SHEET_MAIN) or next((s for s in sheets.values() if _find_header(s, COL_RESULT)), None)
    if main is None or _find_header(main, COL_ID) is None:
        raise InvalidInput([Problem(name, None, SHEET_MAIN, "找不到自评表（表头含“编号”和“结果”的工作表）",
                                    "用 kitgen assess 生成的自评表")])
    hrow, cols = _find_header(main, COL_ID)
    c_id, c_res = _col(cols, COL_ID), _col(cols, COL_RESULT)
    if c_res is None:
        raise InvalidInput([Problem(name, hrow, main.name, "自评表缺少“结果”列", "kitgen assess 生成的表头")])

    # parameters and deletions (frozen when the workbook was made)
    target = None
    company = ""
    params = sheets.get(SHEET_PARAMS)
    if params is not None:
        for rnum, cells in sorted(params.rows.items()):
            key, val = _norm(cells.get(0)), cells.get(1)
            if key == "目标星级" and val not in (None, ""):
                target = _parse_star(val)
                if target == -1:
                    prob(SHEET_PARAMS, rnum, 1, f"无法识别的目标星级 “{val}”", "0（达标级）、3、4 或 5")
                    target = None
            elif key == "企业名称" and val:
                company = str(val)
    deletions: dict[str, str] = {}
    dsheet = sheets.get(SHEET_DELETED)
    if dsheet is None:
        prob(SHEET_DELETED, None, None, "工作簿缺少“删减”工作表，无法确定哪些条款不计分",
             "用 kitgen assess 重新生成自评表，把结果抄过去")
    else:
        found = _find_header(dsheet, COL_ID)
        if found:
            drow, dcols = found
            dc_id, dc_reason = _col(dcols, COL_ID), _col(dcols, "删减理由")
            for rnum in sorted(r for r in dsheet.rows if r > drow):
                cid = _norm(dsheet.cell(rnum, dc_id))
                if not cid:
                    continue
                if cid not in catalog.indicators:
                    prob(SHEET_DELETED, rnum, dc_id, f"删减清单中的 “{cid}” 不是指标目录中的编号", "指标编号，如 5.2.6")
                    continue
                deletions[cid] = str(dsheet.cell(rnum, dc_reason) or "") if dc_reason is not None else ""
    gone = deleted_set(catalog, deletions)

    results: dict[str, Fraction | None] = {}
    seen: dict[str, int] = {}
    for rnum in sorted(r for r in main.rows if r > hrow):
        raw_id = main.cell(rnum, c_id)
        cid = _norm(raw_id)
        value = main.cell(rnum, c_res)
        if not re.fullmatch(r"\d+(\.\d+)+", cid):
            if value not in (None, "") and cid not in ("说明", "注意"):
                prob(main.name, rnum, c_id, f"这一行填了结果，但编号 “{raw_id or ''}” 不是条款编号", "三级条款编号，如 5.1.1.1")
            continue
        bad = _check_clause(catalog, gone, deletions, cid)
        if bad:
            if bad[0].startswith("条款") and value in (None, ""):
                continue                 # a deleted clause's row left empty: harmless
            prob(main.name, rnum, c_id, *bad)
            continue
        if cid in seen:
            prob(main.name, rnum, c_id, f"条款 {cid} 出现了两次（另见第 {seen[cid]} 行）", "每个条款一行")
            continue
        seen[cid] = rnum
        share, err = parse_result(value)
        if err:
            prob(main.name, rnum, c_res, f"条款 {cid}：{err}", RESULT_HINT)
            continue
        results[cid] = share

    deductions = _list_column(sheets.get(SHEET_DEDUCT), COL_DEDUCT)
    bonuses = _list_column(sheets.get(SHEET_BONUS), COL_BONUS)
    if len(bonuses) > 1:
        prob(SHEET_BONUS, bonuses[1][0], bonuses[1][1], f"特别加分项至多一项，这里填了 {len(bonuses)} 项",
             "只保留最重要的一项（至多 +1 分）")
    if problems:
        raise InvalidInput(problems)
    return ScoreInput(source=name, company=company, results=results, deductions=[d for _, _, d in deductions],
                      bonus=bonuses[0][2] if bonuses else None, deletions=deletions, target_star=target,
                      catalog=catalog)


def _list_column(sheet, prefix: str) -> list[tuple[int, int, str]]:
    if sheet is None:
        return []
    found = _find_header(sheet, prefix)
    if not found:
        return []
    hrow, cols = found
    col = _col(cols, prefix)
    out = []
    for rnum in sorted(r for r in sheet.rows if r > hrow):
        v = sheet.cell(rnum, col)
        if v not in (None, "") and str(v).strip():
            out.append((rnum, col, str(v).strip()))
    return out


def _parse_star(value: Any) -> int | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and int(value) in STAR_NAME:
        return int(value)
    text = str(value)
    for stars, name in STAR_NAME.items():
        if name in text:
            return stars
    m = re.match(r"\s*(\d)", text)
    if m and int(m.group(1)) in STAR_NAME:
        return int(m.group(1))
    return -1


def load_input(path: Path, catalog: Catalog) -> ScoreInput:
    path = Path(path)
    if not path.exists():
        raise InvalidInput([Problem(str(path), None, "", "文件不存在", "kitgen assess 生成的 .xlsx，或 YAML 形式的自评结果")])
    from kitgen.limits import SCORE_FILE_MAX_BYTES
    from kitgen.ooxml.safe_read import Unreadable, open_regular
    try:                               # a regular file under the cap: not /dev/zero, not a FIFO
        fh, _ = open_regular(path, SCORE_FILE_MAX_BYTES)
        with fh:
            head = fh.read(4)
    except Unreadable as e:
        raise InvalidInput([Problem(str(path), None, "", f"无法读取：{e.message}",
                                    "kitgen assess 生成的 .xlsx，或 YAML 形式的自评结果（普通文件）")]) from None
    except OSError:
        head = b""
    if path.suffix.lower() in (".xlsx", ".xlsm") or head == b"PK\x03\x04":
        return load_workbook_input(path, catalog)
    return load_yaml_input(path, catalog)


def score_input(inp: ScoreInput) -> ScoreReport:
    try:
        return score(inp.catalog, inp.deletions, inp.results, inp.deductions, inp.bonus, target_star=inp.target_star)
    except ScoreInputError as e:
        raise InvalidInput([Problem(inp.source, None, "", str(e))]) from None


# --------------------------------------------------------------------------------------------
# the report
# --------------------------------------------------------------------------------------------

def text_report(rep: ScoreReport, company: str = "", source: str = "", top: int = 10) -> str:
    lines = [f"售后服务自评得分{('：' + company) if company else ''}{('（' + source + '）') if source else ''}"]
    n_app, n_del = len(rep.clauses), len(rep.deleted)
    lines.append(f"  适用条款 {n_app} 项" + (f"（删减 {n_del} 项，不计入得分和总分）" if n_del else "")
                 + f"；涉及项总分 {fmt(Fraction(repr(rep.possible)))}，实得 {fmt(Fraction(repr(rep.earned)))}")
    adj = []
    if rep.deductions:
        adj.append(f"特别扣分 {len(rep.deductions)} 项（−{len(rep.deductions)}）")
    if rep.bonus:
        adj.append("特别加分 1 项（+1）")
    lines.append(f"  折算得分 {fmt(Fraction(repr(rep.base)))}" + (f"；{'；'.join(adj)}" if adj else ""))
    verdict = rep.level if rep.level else "不合格（" + "；".join(rep.fail_reasons) + "）"
    lines.append(f"  最终得分 {fmt(rep.exact_score)} —— {verdict}")
    if rep.target_star is not None:
        tname, tmin = STAR_NAME[rep.target_star], STAR_MIN[rep.target_star]
        reached = rep.stars is not None and rep.stars >= rep.target_star if rep.target_star else rep.passed
        if reached:
            lines.append(f"  目标 {tname}（≥ {tmin} 分）：已达到")
        else:
            need = []
            if rep.gap:
                need.append(f"还差 {_ceil2(rep.gap)} 分")
            if len(rep.deductions) >= FAIL_DEDUCTIONS:
                need.append(f"并须把特别扣分项减到 {FAIL_DEDUCTIONS - 1} 项以内")
            lines.append(f"  目标 {tname}（≥ {tmin} 分）：" + "，".join(need or ["未达到"]))
    else:
        lines.append("  配置中没有目标星级（target_star）")
    if rep.deductions:
        lines.append("  特别扣分项：")
        lines += [f"    {n}. {d}" for n, d in enumerate(rep.deductions, 1)]
    if rep.bonus:
        lines.append(f"  特别加分项：{rep.bonus}")
    cost = rep.costliest
    if cost:
        lines.append(f"  失分最多的条款（共 {len(cost)} 项失分" + (f"，列出前 {top} 项" if len(cost) > top else "") + "）：")
        for c in cost[:top]:
            how = "未评价" if c.result is None else ("不符合" if c.result == 0 else f"部分符合 {c.result:g}")
            lines.append(f"    {c.id} {c.name}：失 {_num(c.lost)} 分（{how}，满分 {_num(c.points)}）")
    una = rep.unassessed
    if una:
        shown = "、".join(f"{c.id} {c.name}" for c in una) if len(una) <= 15 else "、".join(c.id for c in una)
        lines.append(f"  未评价的条款 {len(una)} 项（按不符合计）：{shown}")
    for w in rep.warnings:
        lines.append(f"  提示：{w}")
    if rep.provisional:
        lines.append("  " + PROVISIONAL_NOTICE)
    return "\n".join(lines)


def _num(x: float) -> str:
    return f"{x:.4f}".rstrip("0").rstrip(".")


def _ceil2(x: float) -> str:
    cents = math.ceil(round(x * 100, 6))
    return f"{cents // 100}.{cents % 100:02d}"


# --------------------------------------------------------------------------------------------
# the self-assessment workbook (`kitgen assess`)
# --------------------------------------------------------------------------------------------

def assessment_workbook(plan, profile_label: str = "") -> bytes:
    """The self-assessment workbook for a plan: one row per applicable third-level clause."""
    from kitgen._version import __version__
    from kitgen.ooxml.xlsx_writer import Formula, Sheet, Validation, write_xlsx
    cat = plan.catalog
    p = plan.profile
    gone = deleted_set(cat, plan.deletions)
    rows: list[list] = []
    if cat.points_provisional:
        rows.append(["说明", "", PROVISIONAL_NOTICE, "", None, "", "", "", "", "", ""])
    for ind in cat.indicators.values():
        if ind.level != 3 or ind.id in gone:
            continue
        docs: dict[str, list[str]] = {}
        for doc_id, section in plan.coverage.get(ind.id, []):
            d = plan.docs.get(doc_id)
            if d is not None:
                docs.setdefault(f"{d.number} {d.title}", []).append(section)
        doc_text = "\n".join(f"{k}（{'；'.join(v)}）" for k, v in docs.items())
        forms = "\n".join(f"{plan.forms[f].number} {plan.forms[f].title}" for f in plan.evidence.get(ind.id, [])
                          if f in plan.forms)
        pts = ind.points if ind.points is not None else None
        if pts is not None and ind.points_provenance == "placeholder":
            pts_note = "占位"
        else:
            pts_note = {"known": "已知", "likely": "较可靠"}.get(ind.points_provenance, "")
        rows.append([ind.id, ind.name, ind.summary, PROVENANCE_SHORT.get(ind.provenance, ind.provenance),
                     pts, pts_note, "是" if ind.sampled else "否", doc_text or "（无文件覆盖）", forms, "", ""])
    company = p.company.name
    main = Sheet(SHEET_MAIN, [COL_ID, "条款名称", "要求概述（转述，非标准原文）", "条款可靠程度", "分值", "分值来源", "抽样评分",
                              "对应的文件包文件", "证明记录", f"{COL_RESULT}（是/否/部分+比例）", COL_NOTE],
                 rows, widths=[10, 20, 44, 10, 8, 8, 8, 44, 30, 16, 30],
                 title=f"{company} 售后服务自评表（{cat.standard}）",
                 # a drop-down on 结果; other ratios (部分 0.7, 70%) pass with a warning
                 validations=[Validation(9, ("是", "否", "部分 0.8", "部分 0.6", "部分 0.5"), strict=False,
                                         prompt="是、否，或 部分+比例（如 部分 0.6、60%）；留空为未评价")])
    total_points = sum(r[4] for r in rows if isinstance(r[4], (int, float)))
    points_ref = f"'{SHEET_MAIN}'!E3:E{2 + len(rows)}"        # title and header rows above the clauses
    deduct = Sheet(SHEET_DEDUCT, ["序号", f"{COL_DEDUCT}（每项在得分外扣 1 分；5 项及以上即不合格）", "类型", COL_NOTE],
                   [[n, "", "", ""] for n in range(1, DEDUCT_ROWS + 1)], widths=[6, 60, 30, 30],
                   title="特别扣分项：不符合法律法规、本公司服务制度、行业特殊要求，或影响服务体系运行的情况")
    bonus = Sheet(SHEET_BONUS, ["序号", f"{COL_BONUS}（至多一项，+1 分）", COL_NOTE], [[1, "", ""]],
                  widths=[6, 60, 30], title="特别加分项：高于法律法规要求、处于行业领先的售后服务特别优势")
    deleted_rows = [[i.id, i.name, plan.deletions[i.id].reason] for i in cat.indicators.values()
                    if i.id in plan.deletions]
    dels = Sheet(SHEET_DELETED, [COL_ID, "名称", "删减理由"], deleted_rows or [["", "（无删减）", ""]],
                 widths=[10, 24, 70], title="删减的指标（不计入得分和总分；由配置决定，请勿在此修改）")
    target = p.target_star
    params = Sheet(SHEET_PARAMS, ["项目", "内容"], [
        ["企业名称", company],
        ["配置文件", profile_label],
        ["指标目录", f"{cat.id}（{cat.title}）"],
        ["目标星级", f"{target}（{STAR_NAME[target]}）" if target is not None else ""],
        ["生成工具", f"kitgen {__version__}"],
        ["结果填写", ("“自评表”的“结果”列：是（符合，得全部分值）、否（不符合，0 分）、部分（写比例，如 部分 0.6 或 60%，"
                  "按比例得分，适用于抽样核查的条款）；留空表示未评价，按不符合计。")],
        ["计分规则", ("得分 = 实得分 ÷ 适用条款总分 × 100；删减的条款不计入分子和分母；每个特别扣分项在此之外扣 1 分，"
                  "特别加分项至多 1 项、加 1 分；特别扣分项达 5 项即不合格。达标级 ≥ 70，三星级 ≥ 80，四星级 ≥ 90，五星级 ≥ 95。")],
        ["计分命令", "kitgen score 本文件.xlsx"],
        ["分值说明", PROVISIONAL_NOTICE if cat.points_provisional else "条款分值取自指标目录。"],
        ["适用条款总分", Formula(f"SUM({points_ref})", total_points)],
    ], widths=[12, 100], title="参数与填写说明")
    return write_xlsx([main, deduct, bonus, dels, params], title=f"{company} 售后服务自评表", author="kitgen")
