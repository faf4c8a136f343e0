"""Issue 14, items 11, 12 and 14: what a profile and its outlet spreadsheet say is kept as written,
bad input gets an answer (file, line, field, exit 3) instead of an internal error, and careless
spreadsheets (merged cells, hidden sheets, formulas, duplicate headers, a stray quote) are read as
the consultant sees them or said so."""
from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner

import kitgen
from kitgen.cli.main import cli
from kitgen.errors import InvalidInput

FIXTURES = Path(__file__).resolve().parent / "fixtures"
GOOD = (FIXTURES / "good.yaml").read_text("utf-8")
NO_OUTLETS = GOOD[:GOOD.index("outlets:")]


def write(tmp_path: Path, text: str, name: str = "client.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, "utf-8")
    return path


def replace(old: str, new: str) -> str:
    assert old in GOOD, old
    return GOOD.replace(old, new, 1)


def problems(path: Path) -> list[str]:
    with pytest.raises(InvalidInput) as info:
        kitgen.load_profile(path)
    return [str(p) for p in info.value.problems]


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


# ------------------------------------------------------------------ 11. values kept as written
def test_an_octal_looking_hotline_keeps_its_digits(tmp_path):
    profile = kitgen.load_profile(write(tmp_path, replace("hotline: 400-000-0000", "hotline: 02164705123")))
    assert profile.service.hotline == "02164705123"


@pytest.mark.parametrize("written", ["8:30", "7:00"])
def test_service_hours_are_a_time_of_day_not_base_60(tmp_path, written):
    profile = kitgen.load_profile(write(tmp_path, replace("hotline: 400-000-0000",
                                                         f"hotline: 400-000-0000\n  hours: {written}")))
    assert profile.service.hours == written


def test_a_leading_zero_postcode_is_kept(tmp_path):
    profile = kitgen.load_profile(write(tmp_path, replace('postcode: "310012"', "postcode: 050000")))
    assert profile.company.postcode == "050000"


def test_a_bad_postcode_message_quotes_what_was_written(tmp_path):
    (msg,) = problems(write(tmp_path, replace('postcode: "310012"', "postcode: 05000")))
    assert "05000" in msg and "2560" not in msg


@pytest.mark.parametrize("field,written", [("legal_representative", "yes"), ("short_name", "off"),
                                           ("legal_representative", "0755"), ("short_name", "1_000")])
def test_text_fields_keep_yaml_11_words_and_numbers(tmp_path, field, written):
    old = {"legal_representative": "legal_representative: 王测试", "short_name": "short_name: 测试电器"}[field]
    profile = kitgen.load_profile(write(tmp_path, replace(old, f"{field}: {written}")))
    assert getattr(profile.company, field) == written


@pytest.mark.parametrize("written,value", [("010", 10), ("0012", 12)])
def test_counts_follow_yaml_12(tmp_path, written, value):
    profile = kitgen.load_profile(write(tmp_path, replace("managers: 12", f"managers: {written}")))
    assert profile.service.managers == value


def test_a_sexagesimal_count_is_refused_quoting_it(tmp_path):
    (msg,) = problems(write(tmp_path, replace("managers: 12", "managers: 1:30")))
    assert "“1:30”" in msg and "90" not in msg.split("应为")[0]


def test_validate_passes_only_what_it_keeps(tmp_path):
    path = write(tmp_path, replace("hotline: 400-000-0000", "hotline: 02164705123"))
    result = run("validate", "-q", path)
    assert result.exit_code == 0
    profile = kitgen.load_profile(path)
    assert profile.service.hotline == "02164705123"


# ------------------------------------------------------------------ 12. bad input, an answer
def test_a_lone_surrogate_escape_is_an_input_error(tmp_path):
    path = write(tmp_path, replace("short_name: 测试电器", 'short_name: "测试\\uD800电器"'))
    result = run("validate", path)
    assert result.exit_code == 3 and "内部错误" not in result.output
    assert "client.yaml:4" in result.output and "short_name" in result.output


@pytest.mark.parametrize("char", ["\u0085", "\u009b", "\x80"])
def test_c1_control_characters_are_caught_by_validate(tmp_path, char):
    path = write(tmp_path, replace("short_name: 测试电器", f'short_name: "测试\\x{ord(char):02x}电器"'))
    result = run("validate", path)
    assert result.exit_code == 3 and f"U+{ord(char):04X}" in result.output and "short_name" in result.output


def test_a_raw_control_character_is_a_located_yaml_error(tmp_path):
    path = write(tmp_path, replace("short_name: 测试电器", "short_name: 测试\x9b电器"))
    result = run("validate", path)
    assert result.exit_code == 3 and "client.yaml:4" in result.output and "U+009B" in result.output


def test_c1_in_a_company_name_does_not_fail_the_build_blaming_kitgen(tmp_path):
    path = write(tmp_path, replace("name: 测试电器有限公司", 'name: "测试\\x85电器有限公司"'))
    result = run("build", path, "-o", tmp_path / "kit")
    assert result.exit_code == 3 and "缺陷" not in result.output and "company.name" in result.output


def csv_profile(tmp_path: Path, body: bytes, name: str = "o.csv") -> Path:
    (tmp_path / name).write_bytes(body)
    return write(tmp_path, NO_OUTLETS + f"outlets_file: {name}\n")


def test_a_csv_with_cr_only_line_ends_is_read(tmp_path):
    path = csv_profile(tmp_path, "网点名称,省\r杭州服务中心,浙江省\r宁波服务站,浙江省\r".encode())
    assert [o.name for o in kitgen.load_profile(path).outlets] == ["杭州服务中心", "宁波服务站"]


def test_a_csv_field_over_128_kib_is_an_input_error_with_its_row(tmp_path):
    path = csv_profile(tmp_path, ("网点名称,地址\n杭州,x\n宁波," + "y" * 200_000 + "\n").encode())
    result = run("validate", path)
    assert result.exit_code == 3 and "o.csv:3" in result.output and "内部错误" not in result.output


def test_init_into_a_missing_folder_is_a_usage_error(tmp_path):
    result = run("init", tmp_path / "nodir" / "x.yaml")
    assert result.exit_code == 2 and "nodir" in result.output and "不存在" in result.output
    assert not (tmp_path / "nodir").exists()


def _doc_overlay(tmp_path: Path, code: str, title: str) -> Path:
    root = tmp_path / "o" / "clauses"
    root.mkdir(parents=True)
    (root / "documents.yaml").write_text(
        f"- id: proc-x\n  kind: procedure\n  code: {code}\n  title: {title}\n  indicators: [\"5.1.7\"]\n", "utf-8")
    (root / "manual.yaml").write_text(
        "- id: proc-x.a\n  doc: proc-x\n  heading: 目的\n  indicators: [\"5.1.7\"]\n  body:\n    - p: 本程序。\n", "utf-8")
    return tmp_path / "o"


@pytest.mark.parametrize("code,title,words", [
    ("CON", "服务程序", "Windows 保留"), ("NUL", "服务程序", "Windows 保留"), ("AUX", "服务程序", "Windows 保留"),
    ("CX-20", "程" * 80, "名称过长"), ("CX-21", '"."', "Windows 保留"),
])
def test_overlay_document_names_that_cannot_be_files_are_refused(tmp_path, code, title, words):
    overlay = _doc_overlay(tmp_path, code, title if title != '"."' else "CON")
    result = run("build", FIXTURES / "good.yaml", "-o", tmp_path / "kit", "--overlay", overlay)
    assert result.exit_code == 3, result.output
    assert "documents.yaml:" in result.output and words in result.output and "内部错误" not in result.output


def test_a_long_title_that_would_make_a_long_new_name_is_caught_before_writing():
    from kitgen.kit.verify import check_path
    from kitgen.core.plan import safe_name
    assert check_path("03 程序文件/" + "程" * 83 + ".docx")          # 254 bytes: its .new would be 258
    assert len((safe_name("CX-20 " + "程" * 200) + ".new.docx").encode()) <= 255
    assert safe_name("con") == "_con" and check_path("05 记录表格/NUL.docx")


# ------------------------------------------------------------------ 14. careless spreadsheets
def xlsx_profile(tmp_path: Path, build) -> Path:
    from openpyxl import Workbook
    wb = Workbook()
    build(wb)
    wb.save(tmp_path / "o.xlsx")
    return write(tmp_path, NO_OUTLETS + "outlets_file: o.xlsx\n")


HEAD = ["网点名称", "直属/委托", "合作单位", "省", "市"]


def test_the_first_visible_sheet_is_used_and_that_is_said(tmp_path):
    def build(wb):
        hidden = wb.active
        hidden.title = "旧数据"
        hidden.append(["随便", "什么"])
        hidden.sheet_state = "hidden"
        ws = wb.create_sheet("网点")
        ws.append(HEAD)
        ws.append(["杭州服务中心", "直属", None, "浙江省", "杭州市"])
    path = xlsx_profile(tmp_path, build)
    profile = kitgen.load_profile(path)
    assert [o.name for o in profile.outlets] == ["杭州服务中心"]
    assert any("隐藏" in str(w) for w in profile.warnings)
    assert "隐藏" in run("validate", "-q", path).output


def test_merged_cells_carry_their_value_to_every_row(tmp_path):
    def build(wb):
        ws = wb.active
        ws.append(HEAD)
        ws.append(["杭州服务中心", "直属", None, "浙江省", "杭州市"])
        ws.append(["宁波服务站", "直属", None, None, "宁波市"])
        ws.append(["温州服务站", "直属", None, None, "温州市"])
        ws.merge_cells("D2:D4")
    profile = kitgen.load_profile(xlsx_profile(tmp_path, build))
    assert [o.province for o in profile.outlets] == ["浙江省"] * 3
    assert any("合并单元格" in str(w) for w in profile.warnings)


def test_a_formula_without_a_computed_value_is_said(tmp_path):
    def build(wb):
        ws = wb.active
        ws.append(HEAD)
        ws.append(["杭州服务中心", "直属", None, "=E3", "杭州市"])
    msgs = problems(xlsx_profile(tmp_path, build))
    assert any("D2" in m and "公式" in m for m in msgs)


def test_duplicate_csv_headers_are_an_error(tmp_path):
    path = csv_profile(tmp_path, "网点名称,省,省份\n杭州,浙江省,江苏省\n".encode())
    (msg,) = problems(path)
    assert "o.csv:1" in msg and "省份" in msg and "重复" not in msg or "同一列" in msg


def test_an_unterminated_quote_does_not_swallow_the_file(tmp_path):
    rows = "网点名称,省\n杭州,\"浙江省\n宁波,浙江省\n温州,浙江省\n"
    (msg,) = problems(csv_profile(tmp_path, rows.encode()))
    assert "o.csv:2" in msg and "引号" in msg


def test_twenty_thousand_unknown_columns_make_a_short_report(tmp_path):
    head = ["网点名称"] + [f"列{i}" for i in range(20_000)]
    with (tmp_path / "o.csv").open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([head, ["杭州"]])
    result = run("validate", write(tmp_path, NO_OUTLETS + "outlets_file: o.csv\n"))
    assert result.exit_code == 3 and len(result.output.splitlines()) < 60


def test_many_bad_rows_make_a_capped_report(tmp_path):
    with (tmp_path / "o.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["网点名称", "直属/委托"])
        w.writerows([[f"网点{i}", "委托"] for i in range(5000)])           # entrusted without a partner
    result = run("validate", write(tmp_path, NO_OUTLETS + "outlets_file: o.csv\n"))
    assert result.exit_code == 3 and len(result.output.splitlines()) < 60 and "另有" in result.output


@pytest.mark.parametrize("char", ["\u202e", "\u200b", "\u2066"])
def test_bidi_and_zero_width_characters_in_names_are_warned(tmp_path, char):
    path = write(tmp_path, replace("name: 杭州服务中心", f'name: "杭州{char}服务中心"'))
    result = run("validate", "-q", path)
    assert result.exit_code == 0 and "注意" in result.output and f"U+{ord(char):04X}" in result.output
    assert char not in result.output
