"""08 待补充信息.xlsx — the questionnaire: one row per distinct fact the kit still asks, per house
default it used, and per answer it was given, with the documents that use it and how often.

The company fills the 答案 column; ``kitgen build PROFILE --answers 08 待补充信息.xlsx`` (or
``answers_file:``) then prints each answer wherever its key's placeholder was. The rows come from
the plan's fact book (what was asked, defaulted, answered) and from the placeholders actually
written into the other files (counted by the kit's publisher) — one source, not a second list.
"""
from __future__ import annotations

from collections import Counter

from kitgen.core.facts import ANSWER_HEADER, ANSWER_SHEET, FULL_KEY_RE, GROUPS, KEY_HEADER, Question, format_value
from kitgen.core.plan import Plan
from kitgen.ooxml.xlsx_writer import Sheet, Validation, write_xlsx
from kitgen.render.output import OutputFile

PATH = "08 待补充信息.xlsx"
TITLE = "待补充信息"
HEADER = ["序号", "类别", "问题", KEY_HEADER, "示例或可选值", "单位", "状态", "当前内容", "使用的文件（次数）", "次数",
          ANSWER_HEADER]
WIDTHS = [6, 12, 40, 30, 28, 6, 14, 20, 48, 6, 24]
STATUS = {"ask": "待回答", "default": "默认值，可修改", "answer": "已回答"}


def _question(plan: Plan, full_key: str) -> Question | None:
    m = FULL_KEY_RE.match(full_key)
    return plan.facts.questions.get(m.group("key")) if m else None


def questionnaire_rows(plan: Plan, counts: dict[str, Counter]) -> list[dict]:
    """The rows, as dicts (also what kit.json's ``questions`` records). ``counts``: kit path →
    label → placeholders of that label in the file."""
    facts = plan.facts
    by_key: dict[str, dict] = {}
    label_key = dict(facts.tags)
    for path, labels in sorted(counts.items()):
        for label, n in labels.items():
            key = label_key.get(label, label)
            row = by_key.setdefault(key, {"key": key, "label": label, "status": "ask", "files": {}, "count": 0})
            row["files"][path] = row["files"].get(path, 0) + n
            row["count"] += n
    for full, use in facts.uses.items():
        if use.how == "ask" or full in by_key:
            continue
        by_key[full] = {"key": full, "label": use.label, "status": use.how, "files": {}, "count": 0}
    rows = []
    for key, row in by_key.items():
        q = _question(plan, key)
        if q is not None:
            value, how = facts.value(q.key, FULL_KEY_RE.match(key).group("item"))
        else:                              # an overlay's own ph('label'): keyed by its label
            value, how = facts.answers.get(key), ("answer" if key in facts.answers else "ask")
        row["status"] = how if row["count"] == 0 else "ask"
        row["question"] = q.question if q else f"请补充：{row['label']}"
        row["group"] = q.group if q else "其他"
        row["allowed"] = q.allowed if q else "文字"
        row["unit"] = q.unit if q else ""
        row["current"] = "" if value is None else format_value(q, value) if q else str(value)
        row["answer"] = row["current"] if how == "answer" else ""
        rows.append(row)
    group_order = {g: i for i, g in enumerate(GROUPS)}
    status_order = {"ask": 0, "default": 1, "answer": 2}
    rows.sort(key=lambda r: (status_order[r["status"]], group_order.get(r["group"], 99), r["key"]))
    return rows


def questionnaire_file(plan: Plan, counts: dict[str, Counter]) -> tuple[OutputFile, list[dict]]:
    rows = questionnaire_rows(plan, counts)
    table = []
    for n, r in enumerate(rows, start=1):
        files = "；".join(f"{p}（{c}）" for p, c in r["files"].items())
        table.append([n, r["group"], r["question"], r["key"], r["allowed"], r["unit"], STATUS[r["status"]],
                      r["current"], files, r["count"] or "", r["answer"]])
    p = plan.profile
    asked = sum(1 for r in rows if r["status"] == "ask")
    # a drop-down in the 答案 cell of every question whose answer is a choice
    by_choices: dict[tuple[str, ...], list[int]] = {}
    for i, r in enumerate(rows):
        q = _question(plan, r["key"])
        if q is not None and q.kind == "choice" and q.choices:
            by_choices.setdefault(tuple(q.choices), []).append(i)
    answer_col = HEADER.index(ANSWER_HEADER)
    validations = [Validation(answer_col, choices, strict=True, prompt="、".join(choices), data_rows=tuple(idx))
                   for choices, idx in by_choices.items()]
    sheet = Sheet(name=ANSWER_SHEET, header=HEADER, rows=table, widths=WIDTHS, validations=validations,
                  title=f"{p.company.name} 待补充信息（共 {len(rows)} 项，待回答 {asked} 项）：请在最后一列“答案”中填写，"
                        "默认值可直接采用或改写；不要改动“键”列")
    data = write_xlsx([sheet], title=TITLE, author=p.documents.editor or p.company.name,
                      created=p.documents.effective_date.isoformat() if p.documents.effective_date else "")
    return OutputFile(PATH, "questionnaire", TITLE, data), rows
