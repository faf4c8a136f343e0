"""The profile contract (../shared/spec/profile.md): good input loads, every bad input in the spec's
list is reported with file, line, field and a Chinese hint, all at once, and nothing is written."""
from __future__ import annotations

import csv
from pathlib import Path

import pytest

import kitgen
from kitgen.core.derive import deletions, network_mode
from kitgen.core.catalog import load_catalog
from kitgen.core.industries import load_industries
from kitgen.errors import InvalidInput

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
GOOD = (FIXTURES / "good.yaml").read_text("utf-8")


def write(tmp_path: Path, text: str, name: str = "client.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, "utf-8")
    return path


def problems(path: Path) -> list[str]:
    with pytest.raises(InvalidInput) as info:
        kitgen.load_profile(path)
    # messages name the file as the user typed it; here that is the tmp path
    return [str(p).replace(f"{path.parent}/", "") for p in info.value.problems]


def replace(old: str, new: str) -> str:
    assert old in GOOD, old
    return GOOD.replace(old, new, 1)


def test_good_profile_loads_with_derived_values(tmp_path):
    profile = kitgen.load_profile(write(tmp_path, GOOD))
    assert profile.company.name == "测试电器有限公司"
    assert [o.operator for o in profile.outlets] == ["direct", "entrusted"]
    assert network_mode(profile) == "部分委托"
    assert len(profile.sha256) == 64


@pytest.mark.parametrize("text, line, needle", [
    ("company:\n  name: [x\n", 2, "YAML 语法错误"),
    ("company:\n\tname: x\n", 2, "Tab"),
])
def test_yaml_syntax_errors_have_a_line(tmp_path, text, line, needle):
    out = problems(write(tmp_path, text))
    assert len(out) == 1 and out[0].startswith(f"client.yaml:{line}:") and needle in out[0]


def test_not_utf8(tmp_path):
    path = tmp_path / "client.yaml"
    path.write_bytes(GOOD.encode("gb18030"))
    (msg,) = problems(path)
    assert "不是 UTF-8 编码" in msg and "UTF-8" in msg.split("应为")[1]


@pytest.mark.parametrize("text", ["", "   \n", "# 只有注释\n"])
def test_empty_file(tmp_path, text):
    (msg,) = problems(write(tmp_path, text))
    assert "文件是空的" in msg


@pytest.mark.parametrize("text", ["- a\n- b\n", "just text\n", "42\n"])
def test_top_level_not_a_mapping(tmp_path, text):
    (msg,) = problems(write(tmp_path, text))
    assert "最外层应是一组“键: 值”" in msg


def test_unknown_key_suggests_the_nearest_one(tmp_path):
    out = problems(write(tmp_path, GOOD + "outlest: []\n"))
    assert any(m.startswith(f"client.yaml:{GOOD.count(chr(10)) + 1}: outlest: 未知的键") and "“outlets”" in m
               for m in out), out


def test_unknown_nested_key(tmp_path):
    out = problems(write(tmp_path, replace("  manager: 李测试", "  manger: 李测试")))
    assert any("service.manger: 未知的键" in m and "“manager”" in m for m in out), out


def test_missing_required_keys_are_all_reported(tmp_path):
    text = "company:\n  short_name: 简称\n"
    out = problems(write(tmp_path, text))
    joined = "\n".join(out)
    for field in ("company.name", "role", "industry", "products", "delivery"):
        assert f" {field}: 缺少必填项" in joined, field


def test_wrong_types(tmp_path):
    text = replace("  employees: 120", "  employees: 很多").replace("    warranty_months: 12", "    warranty_months: [12]")
    out = problems(write(tmp_path, text))
    assert any("company.employees:" in m and "不是有效的整数" in m for m in out)
    assert any("products[0].warranty_months:" in m for m in out)


def test_value_outside_allowed_set_lists_allowed(tmp_path):
    out = problems(write(tmp_path, replace("  model: mixed", "  model: truck")))
    (msg,) = [m for m in out if "delivery.model" in m]
    for allowed in ("own_fleet", "third_party", "mixed", "customer_pickup", "none"):
        assert allowed in msg


def test_bad_credit_code_checksum(tmp_path):
    out = problems(write(tmp_path, replace("91330106MA2H7K3P0K", "91330106MA2H7K3P0A")))
    (msg,) = out
    assert msg.startswith("client.yaml:5: company.credit_code:") and "校验位" in msg and "K" in msg


def test_duplicate_outlet_names(tmp_path):
    out = problems(write(tmp_path, replace("  - name: 宁波服务站", "  - name: 杭州服务中心")))
    assert any("outlets[1].name" in m and "重复" in m for m in out), out


def test_entrusted_outlet_needs_partner(tmp_path):
    out = problems(write(tmp_path, replace("    partner: 宁波测试家电服务有限公司\n", "")))
    assert any("outlets[1].partner" in m and "合作单位" in m for m in out), out


@pytest.mark.parametrize("indicator, needle", [("9.9.9", "不存在"), ("5.1.2", "不能删减"), ("5.3.2.1", "不能删减")])
def test_bad_exclusions(tmp_path, indicator, needle):
    text = GOOD + f'exclusions:\n  - indicator: "{indicator}"\n    reason: 不适用\n'
    out = problems(write(tmp_path, text))
    assert any("exclusions[0].indicator" in m and needle in m for m in out), out


def test_exclusion_needs_reason(tmp_path):
    out = problems(write(tmp_path, GOOD + 'exclusions:\n  - indicator: "5.2.6"\n'))
    assert any("exclusions[0].reason" in m and "缺少必填项" in m for m in out), out


def test_control_characters_are_refused(tmp_path):
    out = problems(write(tmp_path, replace("name: 测试电器有限公司", 'name: "测试\\x07电器"')))
    assert any("company.name" in m and "控制字符" in m for m in out), out


def test_xml_special_characters_are_accepted(tmp_path):
    profile = kitgen.load_profile(write(tmp_path, replace("name: 测试电器有限公司", "name: 'A&B <测试> \"电器\" {{ 7*7 }}'")))
    assert profile.company.name == 'A&B <测试> "电器" {{ 7*7 }}'


def test_alias_bomb_is_stopped_fast(tmp_path):
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    prev = "a"
    for name in "bcdefghij":
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
        prev = name
    (msg,) = problems(write(tmp_path, "\n".join(lines) + "\n"))
    assert "别名炸弹" in msg


def test_every_problem_at_once_sorted_by_line(tmp_path):
    text = replace("role: producer", "role: maker").replace("industry: household_appliances", "industry: toys")
    text = text.replace("  model: mixed", "  model: truck")
    out = problems(write(tmp_path, text))
    assert len(out) == 3
    lines = [int(m.split(":")[1]) for m in out]
    assert lines == sorted(lines)


# ---------------------------------------------------------------- outlets_file
HEAD_CN = ["网点名称", "类型", "直属/委托", "合作单位", "省", "市", "地址", "电话", "人数"]


def _csv(path: Path, rows: list[list[str]], encoding="utf-8-sig") -> None:
    with path.open("w", newline="", encoding=encoding) as fh:
        csv.writer(fh).writerows(rows)


def _profile_with_file(tmp_path: Path, name: str) -> Path:
    text = GOOD.split("outlets:")[0] + f"outlets_file: {name}\n"
    return write(tmp_path, text)


def test_outlets_from_csv_with_chinese_headers_and_values(tmp_path):
    _csv(tmp_path / "o.csv", [HEAD_CN, ["A店", "销售服务", "直属", "", "浙江省", "杭州市", "x路1号", "0571-1", "3"],
                              ["B站", "服务", "委托", "某某服务公司", "江苏省", "南京市", "y路2号", "025-2", "2"]],
         encoding="gb18030")
    profile = kitgen.load_profile(_profile_with_file(tmp_path, "o.csv"))
    assert [(o.name, o.kind, o.operator, o.partner) for o in profile.outlets] == [
        ("A店", "sales_service", "direct", None), ("B站", "service", "entrusted", "某某服务公司")]


def test_outlets_from_xlsx_with_english_headers(tmp_path):
    from openpyxl import Workbook
    wb = Workbook()
    ws = wb.active
    ws.append(["name", "kind", "operator", "partner", "province", "city", "address", "phone", "staff"])
    ws.append(["A店", "sales", "direct", None, "浙江省", "杭州市", "x路", 57188880000, 4])
    wb.save(tmp_path / "o.xlsx")
    profile = kitgen.load_profile(_profile_with_file(tmp_path, "o.xlsx"))
    assert profile.outlets[0].phone == "57188880000" and profile.outlets[0].staff == 4


def test_outlets_file_missing(tmp_path):
    (msg,) = problems(_profile_with_file(tmp_path, "nope.xlsx"))
    assert "outlets_file" in msg and "不存在" in msg


def test_outlets_file_unknown_column_and_bad_row(tmp_path):
    _csv(tmp_path / "o.csv", [HEAD_CN[:3] + ["备注"], ["A店", "服务", "直属", "x"]])
    (msg,) = problems(_profile_with_file(tmp_path, "o.csv"))
    assert msg.startswith("o.csv:1:") and "未知的列名 “备注”" in msg
    _csv(tmp_path / "o.csv", [HEAD_CN, ["A店", "服务", "直属"], ["B站", "服务", "委托"], ["A店", "服务", "直属"]])
    out = problems(_profile_with_file(tmp_path, "o.csv"))
    assert any(m.startswith("o.csv:3: 合作单位列:") for m in out), out
    assert any(m.startswith("o.csv:4: 网点名称列:") and "重复" in m for m in out), out


def test_outlets_and_outlets_file_together(tmp_path):
    out = problems(write(tmp_path, GOOD + "outlets_file: o.csv\n"))
    assert any("二选一" in m for m in out)


# ---------------------------------------------------------------- deletions
def _deleted(tmp_path, text):
    profile = kitgen.load_profile(write(tmp_path, text))
    return deletions(profile, load_industries()[profile.industry], load_catalog())


def test_delivery_without_installation_deletes_only_installation(tmp_path):
    d = _deleted(tmp_path, replace("installation: own_staff", "installation: none"))
    assert "5.2.3.3" in d and "5.2.3" not in d and d["5.2.3.3"].reason


def test_no_delivery_no_installation_deletes_delivery(tmp_path):
    d = _deleted(tmp_path, replace("model: mixed", "model: none").replace("installation: own_staff", "installation: none"))
    assert {"5.2.3", "5.2.3.1", "5.2.3.4"} <= set(d)


def test_recycling_false_deletes_recycling(tmp_path):
    d = _deleted(tmp_path, GOOD + "recycling: false\n")
    assert "5.2.6" in d and "5.2.6.1" in d
    assert "5.2.6" not in _deleted(tmp_path, GOOD)        # appliances recycle by default


def test_exclusion_reason_is_kept(tmp_path):
    d = _deleted(tmp_path, GOOD + 'exclusions:\n  - indicator: "5.2.6"\n    reason: 本公司不涉及回收\n')
    assert d["5.2.6"].reason == "本公司不涉及回收" and d["5.2.6"].origin == "exclusion"
