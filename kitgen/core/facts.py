"""One fact, one place: the facts a kit may need, their consultancy defaults, and the answers.

- **questions.yaml** (library, a pack, an overlay): every fact a document may need and the profile
  may lack — its stable key, the label its placeholder shows (【待填写：label】, unique), the question
  in plain Chinese, its kind (text, number, integer, date, choice, percent), unit, example or
  choices. Keys are profile paths (``company.legal_representative``, ``service.commitments.
  response_hours``) or kit facts (``special_reserve_wan_yuan``). A key may be asked per item
  (``products.warranty_months[家用空调]``: the entry has ``item: true`` and ``{item}`` in its label).
- **defaults.yaml**: the consultancy's house values for internal deadlines, frequencies, retention
  periods and targets. A defaulted fact prints as ordinary text and is listed once in the
  questionnaire as 默认值，可修改. A later folder (pack, overlay) replaces a value key by key.
- **answers**: from the questionnaire workbook (``--answers FILE``, ``answers_file:``) or the
  profile's ``answers:`` mapping. An answer fills every placeholder of its key; it never overrides
  a value the profile states. A wrong answer is a located error (exit 3).

Clause texts use ``fact('key')`` (or ``fact('key', item)``); the context builds its own
placeholders through the same book, so every placeholder in every document is a key.
"""
from __future__ import annotations

import datetime as _dt
import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kitgen.core import yamlsrc
from kitgen.core.profile import Checker
from kitgen.core.yamlsrc import join
from kitgen.errors import InvalidInput, Problem

QUESTIONS = "questions.yaml"
DEFAULTS = "defaults.yaml"
KINDS = {"text": "文字", "number": "数字", "integer": "整数", "date": "日期", "choice": "选项", "percent": "百分比"}
QUESTION_KEYS = {"key": "键", "label": "占位标签", "question": "问题", "kind": "类型", "unit": "单位",
                 "example": "示例", "choices": "可选值", "group": "类别", "item": "按项目询问"}
GROUPS = ("企业基本信息", "售后服务组织", "服务承诺", "商品信息", "文件控制", "服务理念与目标", "内部管理", "目标与指标", "其他")
KEY_RE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$")
FULL_KEY_RE = re.compile(r"^(?P<key>[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)*)(?:\[(?P<item>[^\[\]]{1,60})\])?$")
MAX_ANSWER = 2000
PREFIX = "【待填写："


PROFILE_ROOTS = ("company.", "service.", "documents.", "consultancy.", "delivery.", "products.warranty_months", "sales_channels",
                 "target_star")


def profile_key(full_key: str) -> bool:
    """True when the fact is a field of the profile (the consultant can give it there)."""
    return full_key.startswith(PROFILE_ROOTS)


def placeholder_text(label: str) -> str:
    return f"{PREFIX}{label}】"


@dataclass
class Question:
    key: str
    label: str
    question: str
    kind: str = "text"
    unit: str = ""
    example: str = ""
    choices: list[str] = field(default_factory=list)
    group: str = "其他"
    item: bool = False
    source: str = ""

    def label_for(self, item: str | None) -> str:
        return self.label.replace("{item}", item) if self.item and item is not None else self.label

    @property
    def allowed(self) -> str:
        """What an answer must look like, in Chinese (for the questionnaire and error hints)."""
        if self.kind == "choice":
            return "以下之一：" + "、".join(self.choices)
        if self.kind == "date":
            return "日期，如 2026-12-01"
        if self.kind == "integer":
            return f"整数{('（' + self.unit + '）') if self.unit else ''}，如 {self.example or 12}"
        if self.kind == "number":
            return f"数字{('（' + self.unit + '）') if self.unit else ''}，如 {self.example or 24}"
        if self.kind == "percent":
            return f"百分数，如 {self.example or '90%'}"
        return f"文字，如 {self.example}" if self.example else "文字"


@dataclass
class Use:
    """How a fact was printed in this build."""
    key: str                  # full key (with [item])
    label: str
    how: str                  # answer | default | ask


@dataclass
class FactBook:
    questions: dict[str, Question] = field(default_factory=dict)
    defaults: dict[str, Any] = field(default_factory=dict)      # key → typed value
    default_sources: dict[str, str] = field(default_factory=dict)
    answers: dict[str, Any] = field(default_factory=dict)        # full key → typed value
    uses: dict[str, Use] = field(default_factory=dict)           # full key → how it was printed
    tags: dict[str, str] = field(default_factory=dict)           # placeholder label → full key

    # -- looking facts up
    def question(self, key: str) -> Question:
        q = self.questions.get(key)
        if q is None:
            raise KeyError(f"fact('{key}')：questions.yaml 中没有这个键")
        return q

    def full_key(self, key: str, item: Any = None) -> str:
        return f"{key}[{item}]" if item is not None and item != "" else key

    def value(self, key: str, item: Any = None) -> tuple[Any, str]:
        """(typed value, how): an answer, else the default, else (None, 'ask')."""
        full = self.full_key(key, item)
        if full in self.answers:
            return self.answers[full], "answer"
        if full in self.defaults:
            return self.defaults[full], "default"
        if key in self.defaults and item is not None:
            return self.defaults[key], "default"
        return None, "ask"

    def text(self, key: str, item: Any = None) -> str:
        """What a document prints for the fact: the answer, the default, or its placeholder."""
        q = self.question(key)
        value, how = self.value(key, item)
        full = self.full_key(key, item)
        label = q.label_for(None if item is None else str(item))
        self.uses.setdefault(full, Use(full, label, how))
        if value is None:
            self.tags[label] = full
            return placeholder_text(label)
        return format_value(q, value)

    def given(self, key: str, value: Any, item: Any = None) -> Any:
        """``value`` when the profile gives one, else the fact's answer/default, else its
        placeholder — the context's way of printing a profile field."""
        if value not in (None, "", []):
            return value
        q = self.question(key)
        answered, how = self.value(key, item)
        if answered is None:
            return self.text(key, item)
        full = self.full_key(key, item)
        self.uses.setdefault(full, Use(full, q.label_for(None if item is None else str(item)), how))
        return answered if q.kind in ("integer",) else format_value(q, answered)

    def adhoc(self, label: str) -> str:
        """``ph('label')`` of an overlay's own text: a placeholder keyed by its label, or by the
        registered key that shows that label."""
        for q in self.questions.values():
            if not q.item and q.label == label:
                return self.text(q.key)
        if label in self.answers:
            self.uses.setdefault(label, Use(label, label, "answer"))
            return str(self.answers[label])
        self.tags[label] = label
        self.uses.setdefault(label, Use(label, label, "ask"))
        return placeholder_text(label)


def format_value(q: Question, value: Any) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if q.kind == "date" and isinstance(value, _dt.date):
        return f"{value.year}年{value.month}月{value.day}日"
    if q.kind == "percent":
        return f"{_num(value)}%"
    if isinstance(value, (int, float)):
        return _num(value)
    return str(value)


def _num(value: float | int) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


# ------------------------------------------------------------------------------ reading the registry
def fact_roots(library: Path, industry: str, pack: Path | None, overlays: list) -> list[Path]:
    """Folders that may hold questions.yaml / defaults.yaml, in stacking order: the library, the
    bundled pack, then each overlay (its root, then its pack of the same industry)."""
    roots = [library] + ([pack] if pack is not None else [])
    for o in overlays:
        root = getattr(o, "root", None)
        if root is None:
            continue
        roots.append(root)
        if (root / "packs" / industry).is_dir():
            roots.append(root / "packs" / industry)
    return roots


def _display(path: Path) -> str:
    from kitgen.resources import library_dir
    try:
        return path.relative_to(library_dir().parent).as_posix()
    except ValueError:
        return str(path)


def load_questions(roots: list[Path]) -> dict[str, Question]:
    out: dict[str, Question] = {}
    labels: dict[str, tuple[str, str]] = {}
    problems: list[Problem] = []
    for root in roots:
        path = root / QUESTIONS
        if not path.is_file():
            continue
        src = yamlsrc.load(path, _display(path))
        c = Checker(src)
        if not isinstance(src.data, list):
            c.add("", "问题登记文件的最外层应是列表", "- key: company.legal_representative")
        for i, item in enumerate(src.data if isinstance(src.data, list) else []):
            p = join("", i)
            if c.mapping(item, p, QUESTION_KEYS, ("key", "label", "question")) is None:
                continue
            key = str(item.get("key") or "")
            if not KEY_RE.match(key):
                c.add(f"{p}.key", f"键 “{key}” 格式不对", "小写字母、数字、下划线，以点分层，如 service.hotline")
                continue
            kind = c.choice(item.get("kind", "text"), f"{p}.kind", KINDS, "类型") or "text"
            choices = [str(x) for x in item.get("choices") or []] if isinstance(item.get("choices"), list) else []
            if kind == "choice" and not choices:
                c.add(f"{p}.choices", "选项类问题须列出可选值", "[是, 否]")
            label = str(item["label"])
            is_item = item.get("item") is True
            if is_item and "{item}" not in label:
                c.add(f"{p}.label", "按项目询问的问题，标签中须有 {item}", "{item}保修期（月）")
            if "】" in label or "【" in label:
                c.add(f"{p}.label", "标签中不能有【】", "简短的名称，如 法定代表人")
            other = labels.get(label)
            if other and other[0] != key:
                c.add(f"{p}.label", f"标签 “{label}” 已用于键 “{other[0]}”（{other[1]}）",
                      "每个键一个不同的标签（文件中的占位符据此对应到键）")
            labels[label] = (key, src.name)
            out[key] = Question(key=key, label=label, question=str(item["question"]), kind=kind,
                                unit=str(item.get("unit") or ""), example=str(item.get("example") or ""),
                                choices=choices, group=str(item.get("group") or "其他"), item=is_item,
                                source=f"{src.name}:{src.line(p) or ''}")
        problems += c.problems
    if problems:
        raise InvalidInput(problems)
    return out


def load_defaults(roots: list[Path], questions: dict[str, Question]) -> tuple[dict[str, Any], dict[str, str]]:
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    problems: list[Problem] = []
    for root in roots:
        path = root / DEFAULTS
        if not path.is_file():
            continue
        src = yamlsrc.load(path, _display(path))
        c = Checker(src)
        if src.data is None:
            continue
        if not isinstance(src.data, dict):
            c.add("", "默认值文件应是“键: 值”", "visit_days: 3")
            problems += c.problems
            continue
        for key, raw in src.data.items():
            q = questions.get(str(key))
            if q is None:
                near = difflib.get_close_matches(str(key), list(questions), n=1, cutoff=0.6)
                c.add(str(key), f"默认值的键 “{key}” 不在问题登记（questions.yaml）中",
                      f"“{near[0]}”" if near else "questions.yaml 中登记的键")
                continue
            if raw is None or raw == "":
                values.pop(q.key, None)          # an overlay clearing a house default: ask instead
                continue
            value, why = convert(q, raw)
            if why:
                c.add(str(key), f"默认值 “{raw}” 无效：{why}", q.allowed)
                continue
            values[q.key] = value
            sources[q.key] = src.name
        problems += c.problems
    if problems:
        raise InvalidInput(problems)
    return values, sources


def convert(q: Question, raw: Any) -> tuple[Any, str | None]:
    """A raw answer (YAML value or spreadsheet cell) as the fact's typed value, or why it is not one."""
    if isinstance(raw, (dict, list)):
        return None, "应是一个值，而不是列表或键值组"
    if q.kind == "text":
        text = _text(raw)
        if len(text) > MAX_ANSWER:
            return None, f"文字过长（{len(text)} 字）"
        if re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]", text):
            return None, "含有 Word 无法保存的控制字符"
        if PREFIX in text:
            return None, "仍是待填写的占位符"
        return text, None
    if q.kind == "choice":
        text = _text(raw)
        return (text, None) if text in q.choices else (None, f"“{text}” 不是可选值")
    if q.kind == "date":
        if isinstance(raw, _dt.datetime):
            return raw.date(), None
        if isinstance(raw, _dt.date):
            return raw, None
        text = _text(raw)
        m = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", text)
        if m:
            try:
                return _dt.date(*map(int, m.groups())), None
            except ValueError:
                pass
        return None, f"“{text}” 不是有效日期"
    # numbers
    value = raw
    if isinstance(raw, str):
        text = raw.strip().replace("，", "").replace(",", "")
        if q.kind == "percent":
            text = text.rstrip("%％").strip()
        if q.unit and text.endswith(q.unit):
            text = text[: -len(q.unit)].strip()
        try:
            value = float(text) if re.fullmatch(r"-?\d+(\.\d+)?", text) else None
        except ValueError:
            value = None
        if value is None:
            return None, f"“{raw}” 不是数字"
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
        return None, f"“{raw}” 不是数字"
    if value < 0 or value > 10**12:
        return None, f"{_num(value)} 超出合理范围"
    if q.kind == "integer":
        if not float(value).is_integer():
            return None, f"{_num(value)} 不是整数"
        return int(value), None
    if q.kind == "percent" and value > 100:
        return None, f"{_num(value)}% 超过 100%"
    return (int(value) if float(value).is_integer() else float(value)), None


def _text(raw: Any) -> str:
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    if isinstance(raw, _dt.date):
        return raw.isoformat()
    return str(raw).strip()


# ------------------------------------------------------------------------------ answers
@dataclass
class RawAnswer:
    key: str              # full key as written
    value: Any
    where: Problem        # file, line, path — for a located error


def check_answers(raw: list[RawAnswer], questions: dict[str, Question]) -> dict[str, Any]:
    """Typed answers by full key; InvalidInput listing every wrong one (unknown key, wrong kind).
    A later answer for the same key wins (sources are given oldest first)."""
    out: dict[str, Any] = {}
    problems: list[Problem] = []
    for a in raw:
        if a.value is None or (isinstance(a.value, str) and not a.value.strip()):
            continue                                             # left blank: still unanswered
        m = FULL_KEY_RE.match(str(a.key).strip())
        q = questions.get(m.group("key")) if m else None
        if q is None and not m and not str(a.key).isascii():
            # a placeholder an overlay wrote as ph('label'): its label is its key, its answer text
            value, why = convert(Question(key="", label=str(a.key), question=""), a.value)
            if why:
                problems.append(Problem(a.where.file, a.where.line, a.where.path, f"“{a.key}”的答案无效：{why}", "文字"))
            else:
                out[str(a.key).strip()] = value
            continue
        if q is None:
            near = difflib.get_close_matches(str(a.key), list(questions), n=1, cutoff=0.6)
            problems.append(Problem(a.where.file, a.where.line, a.where.path, f"未知的问题键 “{a.key}”",
                                    f"“{near[0]}”" if near else "待补充信息表“键”列中的键"))
            continue
        if m.group("item") and not q.item:
            problems.append(Problem(a.where.file, a.where.line, a.where.path,
                                    f"问题 “{q.key}” 不按项目询问，键后不能有 [{m.group('item')}]", q.key))
            continue
        value, why = convert(q, a.value)
        if why:
            problems.append(Problem(a.where.file, a.where.line, a.where.path,
                                    f"“{q.label}”（{a.key}）的答案无效：{why}", q.allowed))
            continue
        out[str(a.key).strip()] = value
    if problems:
        raise InvalidInput(problems)
    return out


def answers_from_mapping(data: Any, src_name: str, line_of, base_path: str = "answers",
                         plain: dict[str, str] | None = None) -> list[RawAnswer]:
    """``answers:`` in a profile (or a YAML answers file): key → value. ``plain``: the source text of
    plain scalars YAML 1.1 typed as something else (yamlsrc.Source.plain): an answer is what was typed."""
    if data is None:
        return []
    if not isinstance(data, dict):
        raise InvalidInput([Problem(src_name, line_of(base_path), base_path, "answers 应是“键: 值”",
                                    "special_reserve_wan_yuan: 50")])
    out = []
    for k, v in data.items():
        path = join(base_path, str(k)) if base_path else str(k)
        if plain and path in plain and not isinstance(v, str):
            v = plain[path]
        out.append(RawAnswer(str(k), v, Problem(src_name, line_of(path), path, "")))
    return out


ANSWER_SHEET = "待补充信息"
KEY_HEADER = "键"
ANSWER_HEADER = "答案"


def answers_from_workbook(path: Path, display: str | None = None) -> list[RawAnswer]:
    """The 答案 column of a questionnaire workbook (any sheet whose header row has 键 and 答案)."""
    from kitgen.ooxml.safe_read import Unreadable, read_regular, read_xlsx
    name = display or str(path)
    try:
        sheets = read_xlsx(read_regular(path))
    except Unreadable as exc:
        raise InvalidInput([Problem(name, None, "", f"无法读取答案表：{exc.message}",
                                    "kitgen 生成的“08 待补充信息.xlsx”（填好“答案”列）")]) from None
    out: list[RawAnswer] = []
    found = False
    for sheet in sheets:
        header = None
        for r, cells in sorted(sheet.rows.items()):
            texts = {str(v).strip(): c for c, v in cells.items() if isinstance(v, str)}
            if KEY_HEADER in texts and ANSWER_HEADER in texts:
                header = (r, texts[KEY_HEADER], texts[ANSWER_HEADER])
                break
        if header is None:
            continue
        found = True
        hr, kc, ac = header
        for r, cells in sorted(sheet.rows.items()):
            if r <= hr:
                continue
            key, value = cells.get(kc), cells.get(ac)
            if key in (None, "") or value in (None, ""):
                continue
            out.append(RawAnswer(str(key).strip(), value,
                                 Problem(name, None, f"工作表“{sheet.name}”第 {r} 行（{key}）", "")))
    if not found:
        raise InvalidInput([Problem(name, None, "", "答案表中找不到“键”和“答案”两列",
                                    "kitgen 生成的“08 待补充信息.xlsx”，不改动表头")])
    return out


def answers_from_file(path: Path, base: Path | None = None) -> list[RawAnswer]:
    """An answers file: the questionnaire workbook (.xlsx) or a YAML mapping (.yaml/.yml)."""
    display = str(path)
    if path.suffix.lower() in (".yaml", ".yml"):
        src = yamlsrc.load(path, display)
        return answers_from_mapping(src.data, src.name, src.line, base_path="", plain=src.plain)
    if path.suffix.lower() != ".xlsx":
        raise InvalidInput([Problem(display, None, "", "答案文件应是 .xlsx（待补充信息表）或 .yaml",
                                    "08 待补充信息.xlsx")])
    return answers_from_workbook(path, display)


def load_facts(roots: list[Path], raw_answers: list[RawAnswer]) -> FactBook:
    questions = load_questions(roots)
    defaults, sources = load_defaults(roots, questions)
    answers = check_answers(raw_answers, questions)
    return FactBook(questions=questions, defaults=defaults, default_sources=sources, answers=answers)
