"""Outlets from a spreadsheet beside the profile (`outlets_file:`), .xlsx or .csv.

Headers may be the profile's keys or their Chinese names, values the ids or their Chinese words.
Problems point at the spreadsheet's own row and column, so the consultant can find the cell.
"""
from __future__ import annotations

import csv
import io
from pathlib import Path

from kitgen.core.profile import OUTLET_KEYS, Checker, Outlet, outlet_from_mapping
from kitgen.core.yamlsrc import Source
from kitgen.ooxml.sheetcols import col_letter
from kitgen.errors import Problem

MAX_ROWS = 100_000

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


def load_outlets_file(rel: str, checker: Checker, base_dir: Path) -> list[Outlet]:
    """Read outlets; problems are added to `checker` (file problems carry the spreadsheet's name)."""
    path = (base_dir / rel)
    if not path.is_file():
        checker.add("outlets_file", f"网点清单文件 “{rel}” 不存在", f"与配置文件同目录（{base_dir}）下的 .xlsx 或 .csv 文件")
        return []
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            rows = _read_csv(path)
        elif suffix in (".xlsx", ".xlsm"):
            rows = _read_xlsx(path)
        else:
            checker.add("outlets_file", f"不支持的网点清单格式 “{path.suffix}”", ".xlsx 或 .csv")
            return []
    except _Unreadable as exc:
        checker.add("outlets_file", f"无法读取网点清单 “{rel}”：{exc}", "用 Excel/WPS 另存为 .xlsx，或 UTF-8 编码的 .csv")
        return []
    if not rows:
        checker.add("outlets_file", f"网点清单 “{rel}” 是空的", f"第一行为表头：{_CANONICAL_HEADERS}")
        return []

    header_row, header = rows[0]
    sheet = Checker(Source(path.name, None, {}))
    columns: list[str | None] = []
    for j, cell in enumerate(header):
        text = str(cell).strip() if cell is not None else ""
        if not text:
            columns.append(None)
            continue
        key = HEADERS.get(text) or HEADERS.get(text.lower())
        if key is None:
            sheet.problems.append(Problem(path.name, header_row, f"第 {col_letter(j)} 列", f"未知的列名 “{text}”",
                                          f"以下之一：{_CANONICAL_HEADERS}"))
        columns.append(key)
    if "name" not in columns:
        sheet.problems.append(Problem(path.name, header_row, "表头", "缺少“网点名称”列", _CANONICAL_HEADERS))
    if sheet.problems:
        checker.problems.extend(sheet.problems)
        return []

    outlets: list[Outlet] = []
    seen: dict[str, int] = {}
    for row_no, cells in rows[1:]:
        if all(c is None or str(c).strip() == "" for c in cells):
            continue
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
    checker.problems.extend(sheet.problems)
    return outlets


class _Unreadable(Exception):
    pass


def _read_csv(path: Path) -> list[tuple[int, list]]:
    raw = path.read_bytes()
    for enc in ("utf-8-sig", "gb18030"):       # Excel in China saves CSV as GBK by default
        try:
            text = raw.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise _Unreadable("文件编码无法识别")
    reader = csv.reader(io.StringIO(text))
    rows = []
    for i, row in enumerate(reader, start=1):
        if i > MAX_ROWS + 1:
            raise _Unreadable(f"超过 {MAX_ROWS} 行")
        rows.append((i, row))
    return rows


def _read_xlsx(path: Path) -> list[tuple[int, list]]:
    from openpyxl import load_workbook          # heavy: imported only when a spreadsheet is used
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise _Unreadable(f"不是有效的 Excel 文件（{type(exc).__name__}）") from None
    try:
        ws = wb.worksheets[0]
        rows = []
        for i, row in enumerate(ws.iter_rows(values_only=True), start=1):
            if i > MAX_ROWS + 1:
                raise _Unreadable(f"超过 {MAX_ROWS} 行")
            rows.append((i, list(row)))
        return rows
    finally:
        wb.close()
