"""`kitgen check`: is a kit folder (built by kitgen, then edited by the company) complete?

The library side: ``check_kit(path) -> CheckReport`` reads kit.json and the files as they are now
and returns one :class:`Finding` per thing a reviewer must know about. The CLI
(kitgen/cli/check_cmd.py) only prints and maps to exit codes.

What is reported (kind → meaning; ``blocking`` findings make the kit incomplete):

- ``dossier``        an item of the 11-item application dossier missing, or still owed by the company
- ``missing``        a file kit.json lists is not there
- ``unreadable``     a file is damaged, not the Word/Excel file its name says, or hostile (zip bomb,
                     XML entity bomb); ``reason`` says which
- ``placeholders``   【待填写：…】 still in a document (count and the first few)
- ``uncovered``      an applicable indicator whose covering files are all gone
- ``deletion_reason`` a deleted indicator without a reason
- ``manifest``       an entry of kit.json that cannot be used (e.g. a path outside the kit)
- ``edited``         (informational) a file differs from what kitgen wrote: the company edited it
- ``new_version``    (informational) a rebuild kept an edited file and put its new version beside it
- ``orphan``         (informational) an edited file the profile no longer generates, kept by a rebuild

How the company puts an owed dossier item in place (the rule the reviewer follows): a non-empty
file in ``06 申请资料/`` (or in a sub-folder of it) whose name starts with the item number —
``01 营业执照.pdf``, ``1营业执照.jpg``, ``10 ISO9001证书.pdf``, or a folder ``10 证书/`` holding
the scans — or any path recorded in that item's ``files`` in kit.json. Files kitgen generated
(listed in kit.json ``files``) and ``*.new.*`` versions never count as the company's.

Reading is defensive: files are read only when they are regular files under a size cap; zips
are vetted on their central directory (entry count, declared sizes, compression ratio) before a
byte is inflated; XML is refused when it declares a DTD or entities and is otherwise parsed with
lxml without entity resolution, DTD loading, network access or huge-tree support; every read is
capped. A hostile file costs milliseconds and is reported as such.
"""
from __future__ import annotations

import hashlib
from collections import Counter
import json
import os
import re
import stat
from dataclasses import asdict, dataclass, field
from pathlib import Path, PurePosixPath

from kitgen.errors import NotAKit, Problem
from kitgen.ooxml.safe_read import (MAX_FILE_BYTES, MAX_MANIFEST_BYTES, Unreadable, docx_body_text,  # noqa: F401
                                    file_text, open_zip, parse_xml, read_member, read_regular, read_xlsx)

MANIFEST = "kit.json"
DOSSIER_DIR = "06 申请资料"
MAX_HASH_BYTES = 1024 * 1024 * 1024       # company scans may be large; hashing streams them

PLACEHOLDER_RE = re.compile(r"【待填写[^】\n]{0,80}】")
SAMPLES = 5                               # placeholders quoted per file

DOSSIER_TITLES = {
    1: "营业执照", 2: "生产/服务许可证或资质证书（法律法规有要求时）", 3: "申报产品/服务的详细介绍",
    4: "适用的法律法规/标准清单", 5: "组织简介", 6: "组织机构图（含售后服务组织机构图）",
    7: "产品销售网点/售后服务网点清单", 8: "商品销售方式的介绍", 9: "售后服务体系建设情况",
    10: "已获认证证书及荣誉证书复印件", 11: "售后服务管理体系文件及文件清单",
}

EXAMPLE_NAMES = {1: "营业执照", 2: "许可证", 3: "产品检验报告", 10: "认证及荣誉证书"}

KINDS = {   # kind → (Chinese group title, blocking)
    "dossier": ("申请资料缺项", True),
    "missing": ("文件缺失", True),
    "unreadable": ("文件无法读取", True),
    "placeholders": ("待填写内容", True),
    "uncovered": ("指标失去文件覆盖", True),
    "deletion_reason": ("删减未说明理由", True),
    "manifest": ("kit.json 条目有误", True),
    "unanswered": ("待补充信息未回答", False),
    "edited": ("企业修改过的文件", False),
    "new_version": ("新版本待合并", False),
    "orphan": ("已不再生成、但企业改过而保留的文件", False),
}


# --------------------------------------------------------------------------------------------
# the check
# --------------------------------------------------------------------------------------------

@dataclass
class Finding:
    kind: str
    file: str            # path relative to the kit ("" for kit-wide findings)
    message: str         # Chinese, complete on its own
    blocking: bool
    reason: str = ""     # unreadable: its category; dossier: owed / missing / unlisted
    count: int = 0       # placeholders: how many
    samples: list[str] = field(default_factory=list)
    item: int | None = None        # dossier item number
    indicator: str = ""            # uncovered / deletion_reason

    @property
    def label(self) -> str:
        return KINDS[self.kind][0]

    def as_dict(self) -> dict:
        d = asdict(self)
        d["label"] = self.label
        return d


@dataclass
class CheckReport:
    kit: Path
    company: str
    kitgen_version: str
    findings: list[Finding]
    files_checked: int = 0
    unanswered: list[dict] = field(default_factory=list)     # {key, label, count}, most placeholders first

    @property
    def blocking(self) -> list[Finding]:
        return [f for f in self.findings if f.blocking]

    @property
    def complete(self) -> bool:
        return not self.blocking

    def by_kind(self) -> dict[str, list[Finding]]:
        out: dict[str, list[Finding]] = {k: [] for k in KINDS}
        for f in self.findings:
            out[f.kind].append(f)
        return {k: v for k, v in out.items() if v}

    def summary(self) -> str:
        groups = self.by_kind()
        blocking = [f"{KINDS[k][0]} {len(v)}" + (f" 个文件共 {sum(f.count for f in v)} 处" if k == "placeholders" else "")
                    for k, v in groups.items() if KINDS[k][1]]
        info = [f"{KINDS[k][0]} {len(v)}" for k, v in groups.items() if not KINDS[k][1]]
        if self.complete:
            head = f"结论：文件包完整（检查了 {self.files_checked} 个文件）"
        else:
            head = f"结论：文件包不完整，共 {len(self.blocking)} 项须处理（{'，'.join(blocking)}）"
        return head + (f"；另有参考信息：{'，'.join(info)}" if info else "") + "。"

    def as_dict(self) -> dict:
        return {"kit": str(self.kit), "company": self.company, "kitgen": self.kitgen_version,
                "complete": self.complete, "files_checked": self.files_checked,
                "blocking": len(self.blocking), "summary": self.summary(), "unanswered": self.unanswered,
                "findings": [f.as_dict() for f in self.findings]}


def load_manifest(kit: Path) -> dict:
    """kit.json as a dict, or NotAKit saying why."""
    name = str(kit)
    if not kit.exists():
        raise NotAKit([Problem(name, None, "", "文件夹不存在", "kitgen build 生成的文件包文件夹")])
    if not kit.is_dir():
        raise NotAKit([Problem(name, None, "", "不是文件夹", "kitgen build 生成的文件包文件夹")])
    mpath = kit / MANIFEST
    if not mpath.exists():
        raise NotAKit([Problem(str(mpath), None, "", "没有 kit.json：这不是 kitgen 文件包，或生成未完成",
                               "用 kitgen build 重新生成文件包")])
    try:
        raw = read_regular(mpath, MAX_MANIFEST_BYTES)
        data = json.loads(raw.decode("utf-8-sig"))
    except Unreadable as e:
        raise NotAKit([Problem(str(mpath), None, "", f"kit.json 无法读取：{e.message}", "kitgen 生成的 kit.json")]) from None
    except (UnicodeDecodeError, ValueError) as e:
        raise NotAKit([Problem(str(mpath), getattr(e, "lineno", None), "", f"kit.json 不是有效的 JSON（{e}）",
                               "kitgen 生成的 kit.json；被改坏时请重新生成文件包")]) from None
    except RecursionError:
        raise NotAKit([Problem(str(mpath), None, "", "kit.json 嵌套层级过深，不是 kitgen 生成的",
                               "kitgen 生成的 kit.json；被改坏时请重新生成文件包")]) from None
    if not isinstance(data, dict) or not isinstance(data.get("files"), list):
        raise NotAKit([Problem(str(mpath), None, "files", "kit.json 缺少文件清单（files）", "kitgen 生成的 kit.json")])
    if data.get("format") != 1:
        raise NotAKit([Problem(str(mpath), None, "format", f"kit.json 格式版本 “{data.get('format')}” 不受支持",
                               "format: 1（由本版本 kitgen 生成）")])
    return data


def _safe_rel(rel) -> str | None:
    """``rel`` if it is a relative path that stays inside the kit, else None."""
    if not isinstance(rel, str) or not rel or "\x00" in rel or "\\" in rel:
        return None
    p = PurePosixPath(rel)
    if p.is_absolute() or ".." in p.parts or re.match(r"^[A-Za-z]:", rel):
        return None
    return rel


def _sha_file(path: Path) -> str | None:
    h = hashlib.sha256()
    try:
        with open(path, "rb") as fh:
            read = 0
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                h.update(chunk)
                read += len(chunk)
                if read > MAX_HASH_BYTES:
                    return None
    except OSError:
        return None
    return h.hexdigest()


def _item_prefix(n: int) -> re.Pattern:
    return re.compile(rf"^0?{n}(?!\d)")


def company_files(kit: Path, item: int, kit_paths: set[str]) -> list[str]:
    """Files the company put in place for dossier item ``item`` (see the module docstring)."""
    folder = kit / DOSSIER_DIR
    if not folder.is_dir():
        return []
    pat = _item_prefix(item)
    found: list[str] = []

    def usable(p: Path) -> bool:
        rel = p.relative_to(kit).as_posix()
        name = p.name
        if rel in kit_paths or ".new." in name or name.endswith(".new") or name.startswith((".", "~$")):
            return False
        try:
            st = os.stat(p)
        except OSError:
            return False
        return stat.S_ISREG(st.st_mode) and st.st_size > 0

    try:
        entries = sorted(folder.iterdir())
    except OSError:
        return []
    for entry in entries:
        if not pat.match(entry.name):
            continue
        if entry.is_dir() and not entry.is_symlink():
            inner = sorted(p for p in entry.rglob("*") if p.is_file())[:200]
            found += [p.relative_to(kit).as_posix() for p in inner if usable(p)]
        elif usable(entry):
            found.append(entry.relative_to(kit).as_posix())
    return found


def _kit_state(kit: Path):
    """What changes when a rebuild swaps a kit in (the folder's and kit.json's identity), and
    whether a swap is under way (its journal beside the kit)."""
    out = []
    for p in (kit, kit / MANIFEST):
        try:
            st = os.stat(p)
            out.append((st.st_ino, st.st_size, st.st_mtime_ns))
        except (OSError, ValueError):
            out.append(None)
    busy = kit.with_name(f".{kit.name}.kitgen-swap").exists() if kit.name else False
    return tuple(out), busy


CHECK_ATTEMPTS = 4
_settle = 0.25          # seconds to wait for a rebuild's swap to finish before checking again


def check_kit(kit: str | Path) -> CheckReport:
    """Check a kit folder; raises NotAKit when it is not one. Never raises for a bad file in it.

    A rebuild may swap the kit in while it is being checked: the old kit.json would then be
    compared with the new files (every regenerated file "edited"). The check notices (the folder's
    and kit.json's identity changed, or a swap journal is beside the kit) and checks again."""
    import time
    kit = Path(kit)
    for attempt in range(CHECK_ATTEMPTS):
        before = _kit_state(kit)
        try:
            report = _check_once(kit)
        except NotAKit:
            if attempt + 1 < CHECK_ATTEMPTS and (before[1] or _kit_state(kit) != before):
                time.sleep(_settle)
                continue
            raise
        after = _kit_state(kit)
        if after == before and not after[1]:
            return report
        time.sleep(_settle)
    return report


def _check_once(kit: Path) -> CheckReport:
    data = load_manifest(kit)
    findings: list[Finding] = []
    add = findings.append
    profile = data.get("profile") if isinstance(data.get("profile"), dict) else {}
    report = CheckReport(kit=kit, company=str(profile.get("company") or ""),
                         kitgen_version=str(data.get("kitgen") or ""), findings=findings)

    # 1. the files kit.json lists: present, readable, placeholders, edited
    state: dict[str, str] = {}           # path → ok | missing | unreadable
    kit_paths: set[str] = set()
    edited: list[Finding] = []
    tally: Counter = Counter()           # placeholder label → occurrences across the kit
    for n, entry in enumerate(data["files"]):
        rel = _safe_rel(entry.get("path")) if isinstance(entry, dict) else None
        if rel is None:
            shown = entry.get("path") if isinstance(entry, dict) else entry
            add(Finding("manifest", str(shown or ""), f"kit.json 第 {n + 1} 个文件条目的路径无效或越出文件包目录"
                        f"（{shown!r}），未检查", True, reason="bad_path"))
            continue
        kit_paths.add(rel)
        state[rel] = _check_file(kit, rel, entry, add, edited, tally)
    report.files_checked = len(state)
    _unanswered(data, tally, report, add)

    # 2. the dossier
    dossier = data.get("dossier") if isinstance(data.get("dossier"), list) else []
    listed: dict[int, dict] = {}
    for entry in dossier:
        if isinstance(entry, dict) and isinstance(entry.get("item"), int):
            listed.setdefault(entry["item"], entry)
    for item in sorted(set(DOSSIER_TITLES) | set(listed)):
        entry = listed.get(item)
        title = str((entry or {}).get("title") or DOSSIER_TITLES.get(item, f"第 {item} 项"))
        _check_dossier_item(kit, item, title, entry, state, kit_paths, add)

    # 3. indicators: coverage and deletion reasons
    for ind in data.get("indicators") or []:
        if not isinstance(ind, dict):
            continue
        ind_id, name = str(ind.get("id") or ""), str(ind.get("name") or "")
        if ind.get("status") == "deleted":
            if not str(ind.get("reason") or "").strip():
                add(Finding("deletion_reason", "", f"指标 {ind_id} {name} 已删减，但没有写明删减理由",
                            True, indicator=ind_id))
            continue
        files = [f for f in (ind.get("files") or []) if isinstance(f, str)]
        if not files:
            if ind.get("level") == 3:
                add(Finding("uncovered", "", f"适用的指标 {ind_id} {name} 没有任何文件覆盖（生成时即未覆盖）",
                            True, indicator=ind_id))
            continue
        alive = [f for f in files if _alive(kit, f, state)]
        if not alive:
            gone = "、".join(files[:3]) + ("等" if len(files) > 3 else "")
            add(Finding("uncovered", "", f"适用的指标 {ind_id} {name} 的覆盖文件都已缺失或无法读取（{gone}）",
                        True, indicator=ind_id))

    findings.extend(edited)
    for entry in data.get("orphans") or []:          # edited files a rebuild kept though no longer generated
        rel = _safe_rel(entry.get("path")) if isinstance(entry, dict) else None
        if rel and (kit / rel).is_file():
            findings.append(Finding("orphan", rel, "本次配置已不再生成此文件，但企业修改过，重新生成时原样保留；"
                                                   "确认不再需要后可删除", False, reason="orphan"))
    order = {k: n for n, k in enumerate(KINDS)}
    findings.sort(key=lambda f: order[f.kind])            # stable: file order inside each kind
    return report


def _alive(kit: Path, rel: str, state: dict[str, str]) -> bool:
    if rel in state:
        return state[rel] == "ok"
    safe = _safe_rel(rel)
    return bool(safe) and (kit / safe).is_file()


def _unanswered(data: dict, tally: Counter, report: "CheckReport", add) -> None:
    """The questionnaire's keys still open, with how many placeholders each has left (the labels
    found in the files, mapped to keys through kit.json's ``questions``)."""
    if not tally:
        return
    keys: dict[str, str] = {}
    for q in data.get("questions") or []:
        if isinstance(q, dict) and isinstance(q.get("label"), str) and isinstance(q.get("key"), str):
            keys[q["label"]] = q["key"]
    report.unanswered = [{"key": keys.get(label, label), "label": label, "count": n}
                         for label, n in sorted(tally.items(), key=lambda kv: (-kv[1], kv[0]))]
    shown = "、".join(f"{u['label']}（{u['count']}）" for u in report.unanswered[:8])
    more = "等" if len(report.unanswered) > 8 else ""
    add(Finding("unanswered", "", f"{len(report.unanswered)} 个问题尚未回答，共 {sum(tally.values())} 处：{shown}{more}；"
                                  "填写“08 待补充信息.xlsx”的“答案”列后用 kitgen build --answers 重新生成", False,
                reason="unanswered", count=sum(tally.values())))


def _check_file(kit: Path, rel: str, entry: dict, add, edited: list[Finding], tally: Counter | None = None) -> str:
    path = kit / rel
    if not path.exists() and not path.is_symlink():
        add(Finding("missing", rel, f"文件不存在（{entry.get('title') or path.name}）", True, reason="missing"))
        return "missing"
    try:
        data = read_regular(path)
    except Unreadable as e:
        add(Finding("unreadable", rel, f"无法读取：{e.message}", True, reason=e.reason))
        return "unreadable"
    digest = hashlib.sha256(data).hexdigest()
    recorded = entry.get("sha256")
    if isinstance(recorded, str) and recorded and digest != recorded:
        edited.append(Finding("edited", rel, "与生成时不同（企业已修改）", False,
                              reason="edited"))
    alt = entry.get("new_version")
    if isinstance(alt, str) and _safe_rel(alt) and (kit / alt).is_file():
        edited.append(Finding("new_version", rel, f"重新生成时此文件已被企业修改而保留，kitgen 的新版本在 {alt}，"
                                                  "请比对后合并（合并后删除 .new 文件）", False, reason="new_version"))
    try:
        text = file_text(path, data)
    except Unreadable as e:
        add(Finding("unreadable", rel, f"无法读取：{e.message}", True, reason=e.reason))
        return "unreadable"
    found = PLACEHOLDER_RE.findall(text)
    if tally is not None:
        tally.update(f[len("【待填写："):-1] for f in found if f.startswith("【待填写："))
    if found:
        samples = list(dict.fromkeys(found))[:SAMPLES]
        more = "等" if len(set(found)) > len(samples) else ""
        add(Finding("placeholders", rel, f"尚有 {len(found)} 处待填写：{'、'.join(samples)}{more}", True,
                    reason="placeholders", count=len(found), samples=samples))
    return "ok"


def _check_dossier_item(kit: Path, item: int, title: str, entry: dict | None, state: dict[str, str],
                        kit_paths: set[str], add) -> None:
    label = f"第 {item} 项 {title}"
    status = (entry or {}).get("status")
    files = [f for f in ((entry or {}).get("files") or []) if isinstance(f, str)]
    if status == "not_applicable":
        return
    if status == "generated":
        if any(_alive(kit, f, state) for f in files):
            for f in files:              # dossier files kit.json does not list among its files
                if f not in state and _safe_rel(f) and (kit / f).is_file():
                    _vet_company_file(kit, f, add)
            return
        where = "、".join(files) if files else "（kit.json 未记录文件）"
        add(Finding("dossier", files[0] if files else DOSSIER_DIR,
                    f"申请资料{label}：应由文件包提供，但文件已缺失或无法读取：{where}", True, item=item, reason="missing"))
        return
    # company-owed (or not listed in kit.json at all): a recorded path, or a numbered file in 06 申请资料/
    theirs = [f for f in files if f not in kit_paths and _safe_rel(f) and (kit / f).is_file()
              and (kit / f).stat().st_size > 0]
    theirs += company_files(kit, item, kit_paths)
    if theirs:
        for f in dict.fromkeys(theirs):
            _vet_company_file(kit, f, add)
        return
    short = EXAMPLE_NAMES.get(item) or re.sub(r"（.*?）|[/\\:*?\"<>|]", "", title)[:20]
    example = f"{DOSSIER_DIR}/{item:02d} {short}.pdf"
    if entry is None:
        msg = (f"申请资料{label}：kit.json 的申请资料清单未列出此项，{DOSSIER_DIR}/ 中也没有以 “{item:02d} ” 开头的文件"
               f"（如 {example}）")
        reason = "unlisted"
    else:
        supply = str(entry.get("supply") or "").strip()
        what = f"须由企业提供：{supply.rstrip('。')}" if supply else "须由企业提供"
        msg = (f"申请资料{label}：尚未放入。{what}。请把扫描件或复印件放在 {DOSSIER_DIR}/ 中，"
               f"文件名以 “{item:02d} ” 开头（如 {example}）")
        reason = "owed"
    add(Finding("dossier", DOSSIER_DIR, msg, True, item=item, reason=reason))


def _vet_company_file(kit: Path, rel: str, add) -> None:
    """A file the company supplied: Office files must at least open (placeholders are theirs to keep)."""
    path = kit / rel
    if path.suffix.lower() not in (".docx", ".xlsx"):
        return
    try:
        file_text(path, read_regular(path))
    except Unreadable as e:
        add(Finding("unreadable", rel, f"企业提供的申请资料无法读取：{e.message}", True, reason=e.reason))


# --------------------------------------------------------------------------------------------
# reports
# --------------------------------------------------------------------------------------------

_NUM = "一二三四五六七八九十"


def text_report(report: CheckReport) -> str:
    lines = [f"文件包检查：{report.kit}" + (f"（{report.company}" + (f"，kitgen {report.kitgen_version} 生成）"
                                                                   if report.kitgen_version else "）")
                                          if report.company else "")]
    groups = report.by_kind()
    for n, (kind, items) in enumerate(groups.items()):
        title, blocking = KINDS[kind]
        lines.append("")
        note = "" if blocking else "，仅供参考，不影响完整性"
        lines.append(f"{_NUM[n] if n < len(_NUM) else n + 1}、{title}（{len(items)}{note}）")
        mark = "  ×" if blocking else "  ·"
        for f in items:
            where = f"{f.file}：" if f.file and kind not in ("dossier", "uncovered", "deletion_reason") else ""
            lines.append(f"{mark} {where}{f.message}")
    if not groups:
        lines.append("")
        lines.append("  未发现问题。")
    lines.append("")
    lines.append(report.summary())
    return "\n".join(lines)


_XML_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def _cell(text: str) -> str:
    """Text for a workbook cell: characters Excel cannot hold (control characters in a file name)
    shown as escapes instead of failing the report."""
    return _XML_UNSAFE.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100
                           else f"\\u{ord(m.group()):04x}", text)


REPORT_SHEET = "检查结果"
REPORT_HEADER = ["序号", "类别", "影响完整性", "文件", "说明", "待填写处数", "待填写示例", "审核意见"]


def is_report(data: bytes) -> bool:
    """Is ``data`` a workbook `kitgen check --xlsx` wrote (so that writing over it loses nothing)?"""
    try:
        sheets = read_xlsx(data)
    except Unreadable:
        return False
    if [s.name for s in sheets] != [REPORT_SHEET]:
        return False
    rows = sheets[0].rows
    return any([row.get(c) for c in range(len(REPORT_HEADER))] == REPORT_HEADER for row in list(rows.values())[:3])


def xlsx_report(report: CheckReport) -> bytes:
    from kitgen.ooxml.xlsx_writer import Sheet, write_xlsx
    rows = []
    for n, f in enumerate(report.findings, start=1):
        rows.append([n, f.label, "是" if f.blocking else "否", _cell(f.file), _cell(f.message),
                     f.count or None, _cell("、".join(f.samples)), ""])
    if not rows:
        rows.append([None, "", "", "", "未发现问题", None, "", ""])
    rows.append([None, "结论", "", "", _cell(report.summary()), None, "", ""])
    title = _cell(f"文件包检查结果：{report.company or report.kit.name}")
    sheet = Sheet(REPORT_SHEET, REPORT_HEADER, rows,
                  widths=[6, 18, 10, 40, 70, 10, 40, 30], title=title)
    return write_xlsx([sheet], title=title, author="kitgen")
