"""Outlets from a spreadsheet beside the profile (`outlets_file:`), .xlsx or .csv.

Headers may be the profile's keys or their Chinese names, values the ids or their Chinese words.
Problems point at the spreadsheet's own row and column, so the consultant can find the cell.
"""
from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from kitgen import limits
from kitgen.core.profile import OUTLET_KEYS, Checker, Outlet, outlet_from_mapping
from kitgen.core.yamlsrc import Source
from kitgen.ooxml.sheetcols import col_letter
from kitgen.errors import Problem

MAX_ROWS = limits.MAX_OUTLETS

HEADERS = {
    "name": "name", "网点名称": "name", "名称": "name", "网点": "name",
    "kind": "kind", "类型": "kind", "网点类型": "kind",
    "operator": "operator", "直属/委托": "operator", "直属／委托": "operator", "运营方式": "operator", "性质": "operator",
    "partner": "partner", "合作单位": "partner", "受托单位": "partner", "委托单位": "partner",
    "province": "province", "省": "province", "省份": "province",
    "city": "city", "市": "city", "城市": "city",
    "address": "address", "地址": "address",
    "phone": "phone", "电话": "phone", "联系电话": "phone",
    "staff": "staff", "人数": "staff", "人员数": "staff", "服务人员数": "staff",
}
VALUES = {
    "kind": {"销售": "sales", "销售网点": "sales", "服务": "service", "服务网点": "service", "售后服务": "service",
             "销售服务": "sales_service", "销售服务网点": "sales_service", "销售及服务": "sales_service"},
    "operator": {"直属": "direct", "直营": "direct", "自建": "direct", "委托": "entrusted", "授权": "entrusted"},
}
_CANONICAL_HEADERS = "网点名称, 类型, 直属/委托, 合作单位, 省, 市, 地址, 电话, 人数（或 name, kind, operator, partner, province, city, address, phone, staff）"


def load_outlets_file(rel: str, checker: Checker, base_dir: Path, *, anywhere: bool = False,
                      digest=None) -> list[Outlet]:
    """Read outlets; problems are added to `checker` (file problems carry the spreadsheet's name),
    notes about what was read on the consultant's behalf to ``checker.warnings`` when it has them.

    The file must lie in the profile's folder (or below it) unless ``anywhere`` (the consultant's
    --outlets-anywhere): a profile handed over by a client cannot pull another file of the
    consultant's machine into the kit. Only a regular file under limits.OUTLETS_FILE_MAX_BYTES is
    read; ``digest`` (a hashlib object) is fed the bytes that were read."""
    path = (base_dir / rel)
    try:
        inside = path.resolve().is_relative_to(base_dir.resolve())
    except (OSError, ValueError, RuntimeError):
        inside = False
    if not anywhere and not inside:
        checker.add("outlets_file", f"网点清单文件 “{rel}” 不在配置文件所在的文件夹（{base_dir}）中",
                    "与配置文件同一文件夹（或其子文件夹）中的 .xlsx 或 .csv；确需使用别处的文件时，"
                    "在命令中加 --outlets-anywhere")
        return []
    from kitgen.ooxml.safe_read import Unreadable, read_regular
    try:
        raw = read_regular(path, limits.OUTLETS_FILE_MAX_BYTES)
    except Unreadable as e:
        if e.reason == "missing":
            checker.add("outlets_file", f"网点清单文件 “{rel}” 不存在", f"与配置文件同目录（{base_dir}）下的 .xlsx 或 .csv 文件")
        else:
            checker.add("outlets_file", f"无法读取网点清单 “{rel}”：{e.message}",
                        f"普通的 .xlsx 或 .csv 文件，不超过 {limits.OUTLETS_FILE_MAX_BYTES // limits.MiB} MB")
        return []
    if digest is not None:
        digest.update(raw)
    suffix = path.suffix.lower()
    sheet = Checker(Source(path.name, None, {}))
    notes: list[str] = []
    try:
        if suffix == ".csv":
            rows = _read_csv(raw, path.name, sheet)
        elif suffix in (".xlsx", ".xlsm"):
            rows = _read_xlsx(raw, path.name, sheet, notes)
        else:
            checker.add("outlets_file", f"不支持的网点清单格式 “{path.suffix}”", ".xlsx 或 .csv")
            return []
    except _Unreadable as exc:
        checker.add("outlets_file", f"无法读取网点清单 “{rel}”：{exc}", "用 Excel/WPS 另存为 .xlsx，或 UTF-8 编码的 .csv")
        return []
    if sheet.problems:
        checker.problems.extend(_capped(sheet.problems, path.name))
        return []
    if not rows:
        checker.add("outlets_file", f"网点清单 “{rel}” 是空的", f"第一行为表头：{_CANONICAL_HEADERS}")
        return []
    warnings = getattr(checker, "warnings", None)
    if warnings is not None:
        warnings.extend(Problem(path.name, None, "", note) for note in notes)

    header_row, header = rows[0]
    columns: list[str | None] = []
    seen_cols: dict[str, int] = {}
    filled = [str(c).strip() for c in header if c is not None and str(c).strip()]
    if len(filled) > limits.OUTLETS_MAX_COLUMNS:
        checker.problems.append(Problem(path.name, header_row, "表头", f"表头有 {len(filled)} 列，超过上限 "
                                        f"{limits.OUTLETS_MAX_COLUMNS} 列（kitgen 只认 9 列）", _CANONICAL_HEADERS))
        return []
    for j, cell in enumerate(header):
        text = str(cell).strip() if cell is not None else ""
        if not text:
            columns.append(None)
            continue
        key = HEADERS.get(text) or HEADERS.get(text.lower())
        if key is None:
            sheet.problems.append(Problem(path.name, header_row, f"第 {col_letter(j)} 列", f"未知的列名 “{text}”",
                                          f"以下之一：{_CANONICAL_HEADERS}"))
        elif key in seen_cols:
            other = seen_cols[key]
            sheet.problems.append(Problem(path.name, header_row, f"第 {col_letter(j)} 列",
                                          f"列名 “{text}” 与第 {col_letter(other)} 列 “{str(header[other]).strip()}” "
                                          f"是同一列（{OUTLET_KEYS.get(key, key)}），kitgen 不知道该用哪一列",
                                          "每一列只出现一次；删去或改名重复的列"))
            key = None
        else:
            seen_cols[key] = j
        columns.append(key)
    if "name" not in columns and "name" not in seen_cols:
        sheet.problems.append(Problem(path.name, header_row, "表头", "缺少“网点名称”列", _CANONICAL_HEADERS))
    if sheet.problems:
        checker.problems.extend(_capped(sheet.problems, path.name))
        return []

    outlets: list[Outlet] = []
    seen: dict[str, int] = {}
    for row_no, cells in rows[1:]:
        if all(c is None or str(c).strip() == "" for c in cells):
            continue
        if len(outlets) >= limits.MAX_OUTLETS:
            sheet.problems.append(Problem(path.name, row_no, "", f"网点超过 {limits.MAX_OUTLETS} 个（kitgen 的上限）",
                                          f"不超过 {limits.MAX_OUTLETS} 个网点；网点更多时，请把完整的网点清单作为企业"
                                          "自备资料放入 06 申请资料/，配置中只列主要网点"))
            break
        item: dict[str, object] = {}
        for key, cell in zip(columns, cells):
            if key is None or cell is None or (isinstance(cell, str) and not cell.strip()):
                continue
            value = cell.strip() if isinstance(cell, str) else cell
            if key in VALUES and isinstance(value, str):
                value = VALUES[key].get(value, value)
            if key == "phone" and isinstance(value, float) and value.is_integer():
                value = int(value)
            item[key] = value
        # problems name the row and the column header the consultant sees
        sheet.src = Source(path.name, None, {f"第{row_no}行": row_no})
        before = len(sheet.problems)
        outlet = outlet_from_mapping(sheet, item, f"第{row_no}行")
        for k in range(before, len(sheet.problems)):
            p = sheet.problems[k]
            key = p.path.rsplit(".", 1)[-1]
            sheet.problems[k] = Problem(p.file, row_no, f"{OUTLET_KEYS.get(key, key)}列", p.message, p.hint)
        if outlet is None:
            continue
        if outlet.name in seen:
            sheet.problems.append(Problem(path.name, row_no, "网点名称列", f"网点名称 “{outlet.name}” 与第 {seen[outlet.name]} 行重复",
                                          "每个网点名称唯一"))
            continue
        seen[outlet.name] = row_no
        outlets.append(outlet)
    if warnings is not None:
        warnings.extend(getattr(sheet, "warnings", []))
    checker.problems.extend(_capped(sheet.problems, path.name))
    return outlets


def _capped(problems: list[Problem], name: str) -> list[Problem]:
    """At most limits.MAX_PROBLEMS_PER_FILE problems of one spreadsheet, then how many more."""
    cap = limits.MAX_PROBLEMS_PER_FILE
    if len(problems) <= cap:
        return problems
    last = max((p.line or 0 for p in problems[:cap]), default=0) or None     # (sorted after the others)
    return problems[:cap] + [Problem(name, last, "", f"另有 {len(problems) - cap} 处问题未列出",
                                     "先改正上面列出的问题（同类问题多半出自同一原因），再运行 kitgen validate")]


class _Unreadable(Exception):
    pass


def _read_csv(raw: bytes, name: str, sheet: Checker) -> list[tuple[int, list]]:
    for enc in ("utf-8-sig", "gb18030"):       # Excel in China saves CSV as GBK by default
        try:
            text = raw.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise _Unreadable("文件编码无法识别")
    # newline="": the csv module sees the line ends itself (CR-only files from old Mac Excel too)
    reader = csv.reader(io.StringIO(text, newline=""))
    total_lines = len(re.findall(r"\r\n|\r|\n", text)) + (0 if text.endswith(("\n", "\r")) else 1)
    rows: list[tuple[int, list]] = []
    i = 0
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            n = len(rows) + 1
            if "field larger than field limit" in str(exc):
                sheet.problems.append(Problem(name, n, "", f"第 {n} 行有一个单元格超过 "
                                              f"{limits.CSV_FIELD_MAX_BYTES // 1024} KB（多半是引号未闭合，或粘贴了整段文字）",
                                              "每个单元格只写一项内容；检查该行的引号是否成对"))
            else:
                sheet.problems.append(Problem(name, n, "", f"第 {n} 行无法按 CSV 读取（{exc}）",
                                              "用 Excel/WPS 另存为 CSV（逗号分隔）"))
            return rows
        i += 1
        if i > limits.OUTLETS_MAX_ROWS_READ:
            raise _Unreadable(f"超过 {limits.OUTLETS_MAX_ROWS_READ} 行")
        spanned = reader.line_num - start
        if spanned > 0 and reader.line_num >= total_lines and not text.rstrip().endswith('"') \
                and any("\n" in c or "\r" in c for c in row):
            sheet.problems.append(Problem(name, i, "", f"第 {i} 行的引号 “\"” 没有闭合：此后的 {spanned} 行都被并入了"
                                          "一个单元格", "检查该行的引号是否成对（单元格里的引号应写成两个 \"\"）"))
            return rows
        rows.append((i, row))
    return rows


def _read_xlsx(raw: bytes, name: str, sheet: Checker, notes: list[str]) -> list[tuple[int, list]]:
    from kitgen.ooxml.safe_read import Unreadable, read_first_visible_sheet
    try:
        data = read_first_visible_sheet(raw, max_rows=limits.OUTLETS_MAX_ROWS_READ,
                                        max_columns=max(limits.OUTLETS_MAX_COLUMNS, 256),
                                        max_member=limits.OUTLETS_XLSX_MAX_MEMBER,
                                        max_total=limits.OUTLETS_XLSX_MAX_TOTAL)
    except Unreadable as e:
        raise _Unreadable(f"不是有效的 Excel 文件（{e.message}）") from None
    if data.truncated:
        raise _Unreadable(f"超过 {limits.OUTLETS_MAX_ROWS_READ} 行")
    notes.extend(data.notes)
    for row, col in data.formulas[:limits.MAX_PROBLEMS_PER_FILE + 1]:
        sheet.problems.append(Problem(name, row, f"第 {col_letter(col)} 列",
                                      f"单元格 {col_letter(col)}{row} 是公式，但文件中没有它的计算结果（文件不是用 Excel/WPS 保存的）",
                                      "在 Excel/WPS 中打开后保存一次，或把公式“粘贴为数值”"))
    return data.rows
