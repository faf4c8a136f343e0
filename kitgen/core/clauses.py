"""The clause library: documents.yaml, forms.yaml (then forms/*.yaml) and the clause files, loaded and checked.

Several library folders can be stacked (bundled first, then a consultancy's overlay): a later
clause, document or form with the same id replaces the earlier one; new ids are added.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kitgen.core import yamlsrc
from kitgen.core.profile import Checker
from kitgen.core.yamlsrc import join
from kitgen.errors import InvalidInput, Problem
from kitgen.resources import clauses_dir

DOC_KINDS = {"manual": "手册", "procedure": "程序文件", "rule": "管理制度"}
DOC_KEYS = {"id": "标识", "kind": "类别", "code": "编号后缀", "title": "名称", "indicators": "对应指标",
            "related": "相关文件", "when": "适用条件", "external_records": "体系外记录"}
CLAUSE_KEYS = {"id": "标识", "doc": "所属文件", "order": "顺序", "heading": "标题", "level": "标题层级",
               "indicators": "对应指标", "when": "适用条件", "on_deleted": "删减时处理", "numbered": "是否编号",
               "body": "正文"}
FORM_KEYS = {"id": "标识", "code": "编号后缀", "title": "名称", "procedure": "所属程序/制度", "indicators": "对应指标",
             "when": "适用条件", "landscape": "横向", "layout": "版式", "pages": "页数", "style": "样式"}
FORM_STYLES = {"form": "表单（印表单编号、依据文件和对应指标）", "letter": "文书（承诺书、公示、任命书、协议：只印标题和正文）"}
BLOCK_KINDS = {"p": "段落", "list": "列表", "table": "表格", "steps": "流程表", "note": "注释", "gen": "自动生成块"}
FORM_BLOCKS = {"fields": "字段表", "grid": "台账", "heading": "栏目标题", "text": "文字", "sign": "签字栏",
               "p": "正文段落", "right": "右对齐文字（落款）", "list": "列表", "table": "表格", "gen": "自动生成块"}
GEN_BLOCKS = ("outlet_summary", "outlet_table", "partner_table", "product_table", "procedure_list", "rule_list",
              "form_list", "deletions", "matrix", "commitments", "revision_log", "org_chart", "review_checklist")
TABLE_KEYS = {"header": "表头", "widths": "列宽", "rows": "行", "for": "循环", "row": "循环行", "when": "适用条件"}
STEP_KEYS = {"do": "工作内容", "who": "责任部门/岗位", "time": "时限", "record": "记录"}


@dataclass
class Loc:
    file: str
    line: int | None

    def problem(self, path: str, message: str, hint: str = "") -> Problem:
        return Problem(self.file, self.line, path, message, hint)


@dataclass
class DocDef:
    id: str
    kind: str
    code: str
    title: str
    indicators: list[str]
    related: list[str]
    when: str
    loc: Loc
    external_records: list[str] = field(default_factory=list)   # records kept outside the kit (contracts, licences)


@dataclass
class ClauseDef:
    id: str
    doc: str
    order: float
    heading: str
    level: int
    indicators: list[str]
    when: str
    on_deleted: str
    body: list[dict]
    loc: Loc
    block_locs: list[Loc] = field(default_factory=list)
    numbered: bool = True


@dataclass
class FormDef:
    id: str
    code: str
    title: str
    procedure: str
    indicators: list[str]
    when: str
    landscape: bool
    layout: list[dict]
    loc: Loc
    pages: tuple[int, int] = (1, 1)     # how many A4 pages it prints on: (least, most); a one-page form is (1, 1)
    style: str = "form"                 # form | letter (FORM_STYLES)


@dataclass
class Library:
    docs: dict[str, DocDef] = field(default_factory=dict)
    clauses: dict[str, ClauseDef] = field(default_factory=dict)
    forms: dict[str, FormDef] = field(default_factory=dict)
    roots: list[Path] = field(default_factory=list)
    omitted: dict[str, Any] = field(default_factory=dict)   # id → the definition a later folder removed (`omit: true`)
    # `kitgen lint` reads one file at a time: records added to a document defined elsewhere are kept
    # here (id, records, location) and checked against the merged library instead of failing
    defer_unknown: bool = False
    added_records: list = field(default_factory=list)


def clause_files(root: Path) -> list[Path]:
    files = []
    for name in ("manual.yaml",):
        if (root / name).is_file():
            files.append(root / name)
    for sub in ("procedures", "rules", "extra"):
        if (root / sub).is_dir():
            files.extend(sorted((root / sub).glob("*.yaml")))
    return files


def form_files(root: Path) -> list[Path]:
    """forms.yaml, then forms/*.yaml (by name): one topic per file, same replace-by-id rules."""
    files = [root / "forms.yaml"] if (root / "forms.yaml").is_file() else []
    if (root / "forms").is_dir():
        files.extend(sorted((root / "forms").glob("*.yaml")))
    return files


def load_library(overlays: list[Path] | None = None) -> Library:
    """The bundled library, then each overlay folder on top. Raises InvalidInput with every problem."""
    lib = Library()
    problems: list[Problem] = []
    for root in [clauses_dir(), *(overlays or [])]:
        lib.roots.append(root)
        _load_root(root, lib, problems)
    _check_links(lib, problems)
    if problems:
        raise InvalidInput(problems)
    return lib


def _rel(root: Path, path: Path) -> str:
    """How messages name a clause file: library/… for the bundled library and its packs, and
    relative to the overlay folder for an overlay (packs/<id>/clauses/… for an overlay's pack)."""
    from kitgen.resources import library_dir
    base = root.parent
    try:
        if path.resolve().is_relative_to(library_dir().resolve()) and root.resolve() != clauses_dir().resolve():
            base = library_dir().parent
        elif root.parent.parent.name == "packs":
            base = root.parent.parent.parent
        return path.relative_to(base).as_posix() if not base.is_absolute() or path.is_relative_to(base) \
            else str(path)
    except (ValueError, OSError):
        return str(path)


def _load_root(root: Path, lib: Library, problems: list[Problem]) -> None:
    docs = root / "documents.yaml"
    if docs.is_file():
        src = yamlsrc.load(docs, _rel(root, docs))
        _docs(src, lib, problems)
    for path in form_files(root):
        src = yamlsrc.load(path, _rel(root, path))
        _forms(src, lib, problems)
    for path in clause_files(root):
        src = yamlsrc.load(path, _rel(root, path))
        _clauses(src, lib, problems)


def _lacks(item: dict, required: tuple[str, ...]) -> bool:
    """A required key is missing: already reported by the checker, so skip the item."""
    return any(item.get(k) in (None, "") for k in required)


def _as_list(src: yamlsrc.Source, c: Checker, what: str) -> list:
    if not isinstance(src.data, list):
        c.add("", f"{what}文件的最外层应是列表", "- id: …")
        return []
    return src.data


def _str_list(c: Checker, value: Any, path: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list):
        c.add(path, "应是列表", '["5.2.4.1", "5.2.4.2"]')
        return []
    return [str(v) for v in value]


def _entries(src: yamlsrc.Source, c: Checker, what: str, keys: dict, required: tuple[str, ...], noun: str,
             lib: Library | None = None, store: dict | None = None):
    """The well-formed entries of a library file, each once: (index, field path, mapping, id).

    ``- {id: X, omit: true}`` removes X as defined by an earlier folder (a pack or an overlay
    dropping a generic clause, document or form); it is not yielded."""
    seen: set[str] = set()
    for i, item in enumerate(_as_list(src, c, what)):
        path = join("", i)
        if (isinstance(item, dict) and set(item) == {"id", "external_records"} and lib is not None
                and store is lib.docs):
            # ``- {id: X, external_records: [...]}`` adds records kept outside the kit to X as an
            # earlier folder defined it (a pack declaring what its own clauses name)
            ident = str(item["id"])
            more = _str_list(c, item.get("external_records"), f"{path}.external_records")
            if ident in store:
                store[ident].external_records = list(dict.fromkeys([*store[ident].external_records, *more]))
            elif lib.defer_unknown:
                lib.added_records.append((ident, more, Loc(src.name, src.line(path))))
            else:
                c.add(f"{path}.id", f"文件 “{ident}” 未登记，不能为它补充体系外记录",
                      "已登记的文件标识；新文件须写全 kind、code、title")
            continue
        if isinstance(item, dict) and "omit" in item:
            if c.mapping(item, path, {"id": "标识", "omit": "删除"}, ("id",)) is None:
                continue
            if item.get("omit") is not True:
                c.add(f"{path}.omit", "omit 只能是 true", "omit: true（删除前面的文件夹中同一标识的定义）")
            elif store is not None and lib is not None:
                gone = store.pop(str(item["id"]), None)
                lib.omitted.setdefault(str(item["id"]), gone)
            continue
        if c.mapping(item, path, keys, required) is None or _lacks(item, required):
            continue
        ident = str(item["id"])
        if ident in seen:
            c.add(f"{path}.id", f"{noun} “{ident}” 在本文件中重复", "唯一的标识")
            continue
        seen.add(ident)
        yield i, path, item, ident


def _docs(src: yamlsrc.Source, lib: Library, problems: list[Problem]) -> None:
    c = Checker(src)
    for _, path, item, did in _entries(src, c, "文件登记", DOC_KEYS, ("id", "kind", "code", "title"), "文件标识",
                                       lib, lib.docs):
        kind = c.choice(item.get("kind"), f"{path}.kind", DOC_KINDS, "文件类别")
        _check_name(c, item, path)
        lib.docs[did] = DocDef(id=did, kind=kind or "procedure", code=str(item["code"]), title=str(item["title"]),
                               indicators=_str_list(c, item.get("indicators"), f"{path}.indicators"),
                               related=_str_list(c, item.get("related"), f"{path}.related"),
                               when=str(item.get("when") or ""), loc=Loc(src.name, src.line(path)),
                               external_records=_str_list(c, item.get("external_records"), f"{path}.external_records"))
    problems.extend(c.problems)


def _forms(src: yamlsrc.Source, lib: Library, problems: list[Problem]) -> None:
    c = Checker(src)
    required = ("id", "code", "title", "procedure", "layout")
    for _, path, item, fid in _entries(src, c, "记录表格", FORM_KEYS, required, "表格标识", lib, lib.forms):
        _check_name(c, item, path)
        layout = item.get("layout")
        if not isinstance(layout, list):
            c.add(f"{path}.layout", "版式应是列表", "- fields: [[编号, 日期]]")
            continue
        for j, block in enumerate(layout):
            bpath = join(f"{path}.layout", j)
            if not isinstance(block, dict) or not [k for k in block if k != "when"]:
                c.add(bpath, "版式块应是一组键值", "fields / grid / text / sign 之一")
                continue
            kinds = [k for k in block if k != "when"]
            if len(kinds) != 1 or kinds[0] not in FORM_BLOCKS:
                c.add(bpath, f"无法识别的版式块 “{'、'.join(map(str, kinds))}”",
                      "以下之一：" + "、".join(f"{k}（{v}）" for k, v in FORM_BLOCKS.items()))
            elif kinds[0] in BLOCK_KINDS:          # p / list / table / gen: as in a clause body
                _check_block(c, block, bpath)
            elif kinds[0] == "right" and not isinstance(block["right"], str):
                c.add(join(bpath, "right"), "应是文字", "落款，如 {{ company.name }}（盖章）")
        style = str(item.get("style") or "form")
        if style not in FORM_STYLES:
            c.add(f"{path}.style", f"样式 “{style}” 无效", "以下之一：" + "、".join(f"{k}（{v}）" for k, v in FORM_STYLES.items()))
            style = "form"
        lib.forms[fid] = FormDef(id=fid, code=str(item["code"]), title=str(item["title"]),
                                 procedure=str(item["procedure"]),
                                 indicators=_str_list(c, item.get("indicators"), f"{path}.indicators"),
                                 when=str(item.get("when") or ""), landscape=bool(item.get("landscape", False)),
                                 layout=layout, loc=Loc(src.name, src.line(path)),
                                 pages=_pages(c, item.get("pages"), f"{path}.pages"), style=style)
    problems.extend(c.problems)


_DEVICE = re.compile(r"(CON|PRN|AUX|NUL|COM[0-9]|LPT[0-9])", re.IGNORECASE)
_CODE_BAD = re.compile(r'[\x00-\x1f\x7f-\x9f/\\:*?"<>|]')
NAME_BYTES = 200          # "code title" in a file name: room for ".new.docx" within 255 bytes


def _check_name(c: Checker, item: dict, path: str) -> None:
    """A document's or form's code and title become its file name "CODE TITLE.docx": refuse what
    cannot be a file name everywhere (Windows device names, path characters, over-long names)."""
    code, title = str(item.get("code")).strip(), str(item.get("title")).strip()
    if _DEVICE.fullmatch(code) or _DEVICE.fullmatch(title.rstrip(" .")):
        c.add(f"{path}.code", f"编号 “{code}” 与 Windows 保留的设备名（CON、NUL、AUX 等）相同，文件在 Windows 上无法打开",
              "字母、数字和连字符组成的编号，如 CX-19")
    elif _CODE_BAD.search(code):
        c.add(f"{path}.code", f"编号 “{code!r}” 含有不能用于文件名的字符（/ \\ : * ? \" < > | 或控制字符）",
              "字母、数字和连字符组成的编号，如 CX-19")
    size = len(f"{code} {title}".encode("utf-8"))
    if size > NAME_BYTES:
        c.add(f"{path}.title", f"名称过长（编号与名称共 {size} 字节，用作文件名时超出文件系统的限制）",
              f"编号与名称合计不超过 {NAME_BYTES} 字节（约 60 个汉字）")


def _pages(c: Checker, value: Any, path: str) -> tuple[int, int]:
    """`pages: 2` (exactly two A4 pages) or `pages: 2-4` (a register whose rows the plan generates)."""
    if value is None:
        return (1, 1)
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 50:
        return (value, value)
    text = str(value).replace("–", "-").replace(" ", "")
    low, sep, high = text.partition("-")
    if sep and low.isdigit() and high.isdigit() and 1 <= int(low) <= int(high) <= 50:
        return (int(low), int(high))
    c.add(path, f"页数 “{value}” 无效", "1 到 50 的整数（如 1），或范围（如 2-4）")
    return (1, 1)


def _clauses(src: yamlsrc.Source, lib: Library, problems: list[Problem]) -> None:
    c = Checker(src)
    for i, path, item, cid in _entries(src, c, "条款", CLAUSE_KEYS, ("id", "doc", "heading"), "条款标识",
                                          lib, lib.clauses):
        level = item.get("level", 1)
        if level not in (1, 2, 3):
            c.add(f"{path}.level", f"标题层级 “{level}” 无效", "1、2 或 3")
            level = 1
        order = item.get("order", i * 10)
        if not isinstance(order, (int, float)) or isinstance(order, bool):
            c.add(f"{path}.order", f"顺序 “{order}” 不是数字", "数字，如 40")
            order = i * 10
        on_deleted = str(item.get("on_deleted") or "")
        if on_deleted not in ("", "explain", "omit"):
            c.add(f"{path}.on_deleted", f"“{on_deleted}” 无效", "explain 或 omit")
        body = item.get("body") or []
        block_locs = []
        if not isinstance(body, list):
            c.add(f"{path}.body", "正文应是列表", "- p: 本公司……")
            body = []
        for j, block in enumerate(body):
            bpath = join(f"{path}.body", j)
            block_locs.append(Loc(src.name, src.line(bpath)))
            _check_block(c, block, bpath)
        lib.clauses[cid] = ClauseDef(id=cid, doc=str(item["doc"]), order=float(order), heading=str(item["heading"]),
                                     level=level, indicators=_str_list(c, item.get("indicators"), f"{path}.indicators"),
                                     when=str(item.get("when") or ""), on_deleted=on_deleted, body=body,
                                     loc=Loc(src.name, src.line(path)), block_locs=block_locs,
                                     numbered=item.get("numbered", True) is not False)
    problems.extend(c.problems)


def _check_block(c: Checker, block: Any, path: str) -> None:
    if not isinstance(block, dict):
        c.add(path, "正文块应是一组键值", "- p: 本公司……")
        return
    kinds = [k for k in block if k != "when"]
    if len(kinds) != 1 or kinds[0] not in BLOCK_KINDS:
        c.add(path, f"无法识别的正文块 “{'、'.join(map(str, kinds)) or '（空）'}”",
              "以下之一：" + "、".join(f"{k}（{v}）" for k, v in BLOCK_KINDS.items()))
        return
    kind = kinds[0]
    value = block[kind]
    if kind in ("p", "note") and not isinstance(value, str):
        c.add(join(path, kind), "应是文字", "一段文字")
    elif kind == "list" and not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
        c.add(join(path, kind), "应是文字列表", '["……", "……"]')
    elif kind == "gen" and value not in GEN_BLOCKS:
        c.add(join(path, kind), f"未知的自动生成块 “{value}”", "以下之一：" + "、".join(GEN_BLOCKS))
    elif kind == "table":
        if c.mapping(value, join(path, kind), TABLE_KEYS, ("header",)) is not None:
            if "for" in value and "row" not in value:
                c.add(join(path, "table.row"), "有 for 循环时必须给出 row", '["{{ p.name }}", "……"]')
            if "rows" not in value and "for" not in value:
                c.add(join(path, "table"), "表格没有行", "rows: 或 for: + row:")
    elif kind == "steps":
        if not isinstance(value, list):
            c.add(join(path, kind), "应是列表", "- {do: …, who: …, time: …, record: …}")
        else:
            for k, step in enumerate(value):
                c.mapping(step, join(join(path, kind), k), {**STEP_KEYS, "when": "适用条件"}, ("do",))


def _check_links(lib: Library, problems: list[Problem]) -> None:
    # an omitted document takes its clauses and forms with it
    for store, owner in ((lib.clauses, "doc"), (lib.forms, "procedure")):
        for ident in [k for k, v in store.items() if getattr(v, owner) in lib.omitted and getattr(v, owner) not in lib.docs]:
            del store[ident]
    for doc in lib.docs.values():
        doc.related = [r for r in doc.related if not (r in lib.omitted and r not in lib.docs)]
    for clause in lib.clauses.values():
        if clause.doc not in lib.docs:
            problems.append(clause.loc.problem(f"{clause.id}.doc", f"条款所属文件 “{clause.doc}” 未在 documents.yaml 中登记",
                                               "documents.yaml 中的文件标识，如 proc-repair"))
    for form in lib.forms.values():
        if form.procedure not in lib.docs:
            problems.append(form.loc.problem(f"{form.id}.procedure", f"表格所属文件 “{form.procedure}” 未登记",
                                             "documents.yaml 中的文件标识"))
    for doc in lib.docs.values():
        for rel in doc.related:
            if rel not in lib.docs:
                problems.append(doc.loc.problem(f"{doc.id}.related", f"相关文件 “{rel}” 未登记", "documents.yaml 中的文件标识"))
