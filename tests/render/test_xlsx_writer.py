"""The Excel writer: what a user opening the workbook (or printing it) would check."""
from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest
from lxml import etree

from kitgen.ooxml.xlsx_writer import Sheet, write_xlsx

HEADER = ["序号", "网点名称", "类型", "省份", "城市", "地址", "电话", "人数", "负责人"]


def outlets(n: int) -> list[list]:
    return [[str(i + 1), f"第{i + 1}号网点&<>", "直属", "广东省", "深圳市", f"南山区科技园{i}号",
             "0755-12345678", 5 + i % 3, "【待填写：负责人】" if i % 10 == 0 else "张三"] for i in range(n)]


def build(n: int = 30, **kw) -> bytes:
    return write_xlsx([Sheet("网点清单", HEADER, outlets(n), title="售后服务网点清单", **kw),
                       Sheet("说明", ["项目", "内容"], [["来源", "kitgen"], ["公式?", "=1+1"]])],
                      title="网点清单", author="华为&某某", created="2026-12-01")


@pytest.fixture(scope="module")
def wb():
    return openpyxl.load_workbook(io.BytesIO(build()))


def test_values_round_trip_as_written(wb):
    ws = wb["网点清单"]
    assert ws["A1"].value == "售后服务网点清单"
    assert [c.value for c in ws[2]] == HEADER
    assert ws["B3"].value == "第1号网点&<>"
    assert ws["H3"].value == 5 and isinstance(ws["H3"].value, int)
    assert ws.max_row == 32
    assert wb["说明"]["B3"].value == "=1+1" and wb["说明"]["B3"].data_type == "s"   # text, not a formula


def test_title_row_header_freeze_filter_and_print_titles(wb):
    ws = wb["网点清单"]
    assert "A1:I1" in [str(r) for r in ws.merged_cells.ranges]
    assert ws.freeze_panes == "A3"
    assert ws.auto_filter.ref == "A2:I32"
    assert ws.print_title_rows == "$2:$2"
    head = ws["B2"]
    assert head.font.b and head.fill.fgColor.rgb.endswith("D9D9D9")
    assert head.alignment.wrap_text
    assert ws["F3"].alignment.wrap_text and ws["F3"].border.left.style == "thin"
    assert ws["B3"].font.name == "宋体" and head.font.name == "宋体"
    assert ws["I3"].fill.fgColor.rgb.endswith("FFFF00")          # 【待填写：…】 shows up in yellow
    other = wb["说明"]
    assert other.freeze_panes == "A2" and other.auto_filter.ref == "A1:B3"


def test_column_widths_and_page_setup(wb):
    ws = wb["网点清单"]
    assert ws.column_dimensions["F"].width > ws.column_dimensions["A"].width
    assert ws.page_setup.paperSize == 9                              # A4
    assert ws.page_setup.orientation == "landscape"                  # 9 columns
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert wb["说明"].page_setup.orientation == "portrait"
    given = openpyxl.load_workbook(io.BytesIO(write_xlsx([Sheet("s", ["a", "b"], [["1", "2"]], widths=[7, 33])])))
    assert given["s"].column_dimensions["A"].width == 7
    assert given["s"].column_dimensions["B"].width == 33


def test_properties_and_reproducibility():
    data = build()
    assert build() == data
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert zf.namelist()[0] == "[Content_Types].xml"
        assert {i.date_time for i in zf.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        core = zf.read("docProps/core.xml").decode()
        for name in zf.namelist():
            if name.endswith((".xml", ".rels")):
                etree.fromstring(zf.read(name))
    assert "2026-12-01T00:00:00Z" in core and "<dc:creator>华为&amp;某某</dc:creator>" in core
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert wb.properties.title == "网点清单"
    assert wb.properties.created.year == 2026


def test_sheet_names_are_made_valid_and_unique():
    data = write_xlsx([Sheet("a/b:c*?[x]", ["h"], []), Sheet("A/B:C*?[X]", ["h"], []),
                       Sheet("很长的工作表名称" * 5, ["h"], []), Sheet("", [], [["x"]])])
    names = openpyxl.load_workbook(io.BytesIO(data)).sheetnames
    assert len(set(n.lower() for n in names)) == 4
    assert all(len(n) <= 31 and not set(n) & set("[]:*?/\\") for n in names)


def test_control_characters_are_refused():
    with pytest.raises(ValueError, match="控制字符"):
        write_xlsx([Sheet("s", ["h"], [["bad\x07"]])])
    with pytest.raises(ValueError):
        write_xlsx([])


def test_10000_rows_are_written_whole():
    rows = outlets(10000)
    data = write_xlsx([Sheet("网点清单", HEADER, rows)])        # (its speed: bench/run.py)
    ws = openpyxl.load_workbook(io.BytesIO(data), read_only=True)["网点清单"]
    assert ws.max_row == 10001
