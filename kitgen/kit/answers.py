"""`kitgen answers KIT`: what the company typed into the kit, read back into a questionnaire.

Sources, in the kit as it is now (edited files included, ``*.new.*`` versions too): the tagged
plain-text content controls of every Word file (each holds one fact, tagged with its key), and the
答案 column of the kit's own 08 待补充信息.xlsx. A control still showing its placeholder, or left
empty, is no answer. A key given two different values is reported and left unanswered, so the
consultant decides; everything else goes into the 答案 column of the workbook this writes, which
``kitgen build PROFILE --answers FILE`` carries into every new version.

Everything read is untrusted: paths from kit.json must stay inside the kit, files are read through
kitgen.ooxml.safe_read (caps, zip and entity bombs refused), links are not followed out of the kit.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from kitgen.kit.check import _safe_rel, load_manifest
from kitgen.ooxml.fillins import PREFIX, content_controls
from kitgen.ooxml.safe_read import MAX_FILE_BYTES, Unreadable, read_regular

QUESTIONNAIRE = "08 待补充信息.xlsx"


@dataclass
class Found:
    key: str
    label: str = ""
    values: dict[str, list[str]] = field(default_factory=dict)     # value → files it was typed in


@dataclass
class ReadBack:
    rows: list[dict]                           # questionnaire rows (as render.questionnaire writes them)
    answered: int = 0
    conflicts: list[Found] = field(default_factory=list)
    unreadable: list[tuple[str, str]] = field(default_factory=list)   # (path, why)
    company: str = ""


def _inside(kit: Path, rel: str) -> Path | None:
    rel = _safe_rel(rel)
    if rel is None:
        return None
    path = kit / rel
    try:
        if path.is_symlink() or not path.resolve().is_relative_to(kit.resolve()):
            return None
    except OSError:
        return None
    return path


def _word_files(kit: Path, manifest: dict) -> list[str]:
    """The kit's Word files as listed, plus the .new versions a rebuild put beside edited ones."""
    out: list[str] = []
    for f in manifest.get("files", []):
        if not isinstance(f, dict):
            continue
        for rel in (f.get("path"), f.get("new_version")):
            if isinstance(rel, str) and rel.lower().endswith(".docx") and rel not in out:
                out.append(rel)
    return out


def read_back(kit: Path) -> ReadBack:
    from kitgen.core.facts import answers_from_workbook
    from kitgen.errors import InvalidInput
    kit = Path(kit)
    manifest = load_manifest(kit)
    questions = {q.get("key"): q for q in manifest.get("questions", []) if isinstance(q, dict)
                 and isinstance(q.get("key"), str)}
    found: dict[str, Found] = {}
    result = ReadBack(rows=[], company=str((manifest.get("profile") or {}).get("company") or ""))

    def note(key: str, label: str, value: str, where: str) -> None:
        value = value.strip()
        if not value or PREFIX in value:
            return
        f = found.setdefault(key, Found(key, label))
        f.values.setdefault(value, [])
        if where not in f.values[value]:
            f.values[value].append(where)

    for rel in _word_files(kit, manifest):
        path = _inside(kit, rel)
        if path is None or not path.is_file():
            continue
        try:
            controls = content_controls(read_regular(path, MAX_FILE_BYTES))
        except Unreadable as exc:
            result.unreadable.append((rel, exc.message))
            continue
        for c in controls:
            note(c.tag, c.alias, c.text, rel)
    sheet = _inside(kit, QUESTIONNAIRE)
    if sheet is not None and sheet.is_file():
        try:
            for a in answers_from_workbook(sheet, QUESTIONNAIRE):
                note(a.key, "", str(a.value), QUESTIONNAIRE)
        except InvalidInput as exc:
            result.unreadable.append((QUESTIONNAIRE, "；".join(p.message for p in exc.problems)))

    keys = list(questions) + [k for k in found if k not in questions]
    for key in keys:
        q = questions.get(key, {})
        f = found.get(key)
        answer, note_text = "", ""
        if f and len(f.values) == 1:
            answer = next(iter(f.values))
            result.answered += 1
        elif f:
            result.conflicts.append(f)
            note_text = "；".join(f"“{v}”（{'、'.join(files)}）" for v, files in f.values.items())
        result.rows.append({"key": key, "label": q.get("label") or (f.label if f else key),
                            "question": q.get("question") or f"请补充：{q.get('label') or key}",
                            "status": q.get("status") or "ask", "answer": answer, "conflict": note_text,
                            "count": q.get("count") or 0})
    return result


def answers_workbook(rb: ReadBack) -> bytes:
    """The read-back as a workbook ``build --answers`` accepts (same 键 / 答案 columns)."""
    from kitgen.core.facts import ANSWER_HEADER, ANSWER_SHEET, KEY_HEADER
    from kitgen.ooxml.xlsx_writer import Sheet, write_xlsx
    status = {"ask": "待回答", "default": "默认值，可修改", "answer": "已回答"}
    rows = [[n, r["question"], r["key"], status.get(r["status"], r["status"]), r["count"] or "", r["conflict"],
             r["answer"]] for n, r in enumerate(rb.rows, start=1)]
    sheet = Sheet(name=ANSWER_SHEET, header=["序号", "问题", KEY_HEADER, "原状态", "原占位次数", "不一致的填写（请核对后填答案）",
                                             ANSWER_HEADER], rows=rows, widths=[6, 40, 30, 14, 10, 40, 28],
                  title=f"{rb.company} 从文件包读回的答案（{rb.answered} 项）")
    return write_xlsx([sheet], title="待补充信息（读回）", author=rb.company)
