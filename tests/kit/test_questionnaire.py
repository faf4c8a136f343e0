"""The questionnaire round trip (issue 12): one row per missing fact, answers flow into every
document, a wrong answer is a located error, typed-in content controls come back."""
from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
import yaml
from click.testing import CliRunner

from kitgen.cli.main import cli
from kitgen.ooxml.docx_text import docx_text

ROOT = Path(__file__).resolve().parents[2]
GOOD = ROOT / "tests" / "fixtures" / "good.yaml"
PLACEHOLDER = re.compile(r"【待填写：([^】]*)】")
QUESTIONNAIRE = "08 待补充信息.xlsx"


def run(*args):
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    return result.exit_code, result.output


def all_text(kit: Path) -> dict[str, str]:
    return {p.relative_to(kit).as_posix(): docx_text(p) for p in sorted(kit.rglob("*.docx"))}


def sheet_rows(path: Path) -> tuple[list[str], list[list]]:
    ws = openpyxl.load_workbook(path).worksheets[0]
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    header_at = next(i for i, r in enumerate(rows) if "键" in r and "答案" in r)
    return rows[header_at], rows[header_at + 1:]


@pytest.fixture(scope="module")
def fresh(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("q") / "kit"
    code, output = run("build", GOOD, "-o", out)
    assert code == 0, output
    return out


def test_one_row_per_key_and_every_placeholder_is_a_row(fresh):
    header, rows = sheet_rows(fresh / QUESTIONNAIRE)
    key_col = header.index("键")
    keys = [r[key_col] for r in rows]
    assert keys and len(keys) == len(set(keys)), "a key asked twice"
    manifest = json.loads((fresh / "kit.json").read_text("utf-8"))
    labels = {q["label"]: q["key"] for q in manifest["questions"]}
    assert set(labels.values()) == set(keys)
    seen = set()
    for path, text in all_text(fresh).items():
        for label in PLACEHOLDER.findall(text):
            assert label in labels, f"{path}: placeholder 【待填写：{label}】 is no row of the questionnaire"
            seen.add(labels[label])
    asked = {q["key"] for q in manifest["questions"] if q["status"] == "ask"}
    assert seen == asked
    # the counts are the placeholders in the documents
    by_key = {q["key"]: q["count"] for q in manifest["questions"]}
    legal = sum(t.count("【待填写：邮编】") for t in all_text(fresh).values())
    if "company.postcode" in by_key:
        assert by_key["company.postcode"] >= legal


@pytest.mark.soffice
def test_content_controls_stay_yellow_in_libreoffice(fresh, soffice, tmp_path):
    from PIL import Image

    from tests.conftest import convert_to_pdf
    import subprocess
    pdf = convert_to_pdf(soffice, fresh / "06 申请资料" / "05 组织简介.docx", tmp_path)
    subprocess.run(["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "p")], check=True)
    png = next(tmp_path.glob("p*.png"))
    colours = {c for _n, c in Image.open(png).convert("RGB").getcolors(1 << 24)}
    assert (255, 255, 0) in colours, "the placeholders lost their yellow highlight"


def test_placeholders_are_content_controls_tagged_with_their_key(fresh):
    with zipfile.ZipFile(fresh / "02 售后服务管理手册.docx") as z:
        xml = z.read("word/document.xml").decode("utf-8")
    controls = re.findall(r'<w:sdt><w:sdtPr><w:alias w:val="([^"]*)"/><w:tag w:val="([^"]*)"/></w:sdtPr>'
                          r'<w:sdtContent><w:r><w:rPr><w:rStyle w:val="Placeholder"/><w:highlight w:val="yellow"/>'
                          r'</w:rPr><w:t xml:space="preserve">【待填写：([^】]*)】</w:t>', xml)
    assert controls, "no tagged content control in the manual"
    for alias, tag, label in controls:
        assert alias == label and tag


def _answer_for(allowed: str, n: int):
    if allowed.startswith("以下之一："):
        return allowed.split("：", 1)[1].split("、")[0]
    if allowed.startswith("日期"):
        return f"2027-03-{n % 27 + 1:02d}"
    if allowed.startswith(("整数", "数字")):
        return 1000 + n
    if allowed.startswith("百分数"):
        return f"{50 + n % 40}%"
    return f"答案甲{n}号"


def test_every_answer_lands_where_its_key_was_and_nothing_is_left(fresh, tmp_path):
    header, rows = sheet_rows(fresh / QUESTIONNAIRE)
    wb = openpyxl.load_workbook(fresh / QUESTIONNAIRE)
    ws = wb.worksheets[0]
    first = next(i for i, r in enumerate(ws.iter_rows(values_only=True), start=1) if "键" in r and "答案" in r)
    kcol, acol, allow = header.index("键") + 1, header.index("答案") + 1, header.index("示例或可选值") + 1
    given = {}
    for r in range(first + 1, ws.max_row + 1):
        key = ws.cell(r, kcol).value
        value = _answer_for(ws.cell(r, allow).value or "", r)
        ws.cell(r, acol).value = value
        given[key] = value
    answers = tmp_path / "answers.xlsx"
    wb.save(answers)
    out = tmp_path / "kit2"
    code, output = run("build", GOOD, "-o", out, "--answers", answers)
    assert code == 0, output
    texts = all_text(out)
    left = {p: PLACEHOLDER.findall(t) for p, t in texts.items() if "【待填写" in t}
    assert not left, f"placeholders left after answering every row: {left}"
    before = all_text(fresh)
    manifest = json.loads((fresh / "kit.json").read_text("utf-8"))
    label_of = {q["key"]: q["label"] for q in manifest["questions"]}
    for key, value in given.items():
        label = label_of.get(key)
        shown = str(value) if not isinstance(value, str) or not re.match(r"\d{4}-\d\d-\d\d", value) else \
            "{0}年{1}月{2}日".format(*map(int, value.split("-")))
        if label is None:
            continue                  # a default row: its value was already printed
        for path, text in before.items():
            if f"【待填写：{label}】" in text:
                assert shown in texts[path], f"{path}: the answer to {key} ({shown}) is not where its placeholder was"
    data = json.loads((out / "kit.json").read_text("utf-8"))
    assert all(q["status"] != "ask" for q in data["questions"])


def test_wrong_answers_are_located_errors(tmp_path):
    profile = tmp_path / "p.yaml"
    data = yaml.safe_load(GOOD.read_text("utf-8"))
    data["answers"] = {"service.commitments.parts_years": "十年", "target_star": "六星级", "no_such_key": 1,
                       "company.employees": 12.5}
    profile.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    code, output = run("build", profile, "-o", tmp_path / "kit")
    assert code == 3, output
    lines = output.splitlines()

    def line_of(key):
        return next(n for n, ln in enumerate(profile.read_text("utf-8").splitlines(), 1) if ln.strip().startswith(key))
    assert any(f"p.yaml:{line_of('service.commitments.parts_years')}" in ln and "不是数字" in ln for ln in lines), output
    assert any("target_star" in ln and "以下之一" in ln and "五星级" in ln for ln in lines), output
    assert any("no_such_key" in ln and "未知的问题键" in ln for ln in lines), output
    assert any("company.employees" in ln and "不是整数" in ln for ln in lines), output
    assert not (tmp_path / "kit").exists()


def test_a_wrong_cell_in_the_workbook_names_sheet_row_and_key(fresh, tmp_path):
    wb = openpyxl.load_workbook(fresh / QUESTIONNAIRE)
    ws = wb.worksheets[0]
    header_row = next(i for i, r in enumerate(ws.iter_rows(values_only=True), start=1) if "键" in r)
    header = [c.value for c in ws[header_row]]
    kcol, acol = header.index("键") + 1, header.index("答案") + 1
    row = next(r for r in range(header_row + 1, ws.max_row + 1)
               if ws.cell(r, kcol).value == "service.commitments.parts_years")
    ws.cell(row, acol).value = "很多年"
    bad = tmp_path / "bad.xlsx"
    wb.save(bad)
    code, output = run("build", GOOD, "-o", tmp_path / "kit", "--answers", bad)
    assert code == 3
    assert f"工作表“待补充信息”第 {row} 行（service.commitments.parts_years）" in output and "不是数字" in output


def test_answers_file_in_the_profile_and_answers_mapping(tmp_path):
    profile = tmp_path / "p.yaml"
    data = yaml.safe_load(GOOD.read_text("utf-8"))
    data["answers"] = {"company.website": "https://zhao.example.cn"}
    profile.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    (tmp_path / "a.yaml").write_text("company.address: 杭州市文一路1号\n", "utf-8")
    data["answers_file"] = "a.yaml"
    profile.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    code, output = run("build", profile, "-o", tmp_path / "kit")
    assert code == 0, output
    text = "\n".join(all_text(tmp_path / "kit").values())
    assert "https://zhao.example.cn" in text and "杭州市文一路1号" in text
    assert "【待填写：企业网址】" not in text and "【待填写：企业地址】" not in text
    data["answers_file"] = "missing.xlsx"
    profile.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    code, output = run("build", profile, "-o", tmp_path / "kit3")
    assert code == 3 and "answers_file" in output and "找不到答案表" in output


def _type_into_control(docx: Path, key: str, value: str) -> None:
    """What a company does in Word: type into the content control tagged ``key``."""
    with zipfile.ZipFile(docx) as z:
        items = [(i, z.read(i.filename)) for i in z.infolist()]
    out = []
    for info, data in items:
        if info.filename == "word/document.xml":
            xml = data.decode("utf-8")
            xml, n = re.subn(rf'(<w:tag w:val="{re.escape(key)}"/>.*?<w:t xml:space="preserve">)【待填写：[^】]*】',
                             rf"\g<1>{value}", xml, count=1, flags=re.S)
            assert n == 1, f"no control tagged {key}"
            data = xml.encode("utf-8")
        out.append((info, data))
    with zipfile.ZipFile(docx, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in out:
            z.writestr(info, data)


def test_typed_control_is_read_back_and_survives_the_rebuild(fresh, tmp_path):
    import shutil
    kit = tmp_path / "kit"
    shutil.copytree(fresh, kit)
    manual = kit / "02 售后服务管理手册.docx"
    manifest = json.loads((kit / "kit.json").read_text("utf-8"))
    key = next(q["key"] for q in manifest["questions"] if q["status"] == "ask"
               and f"【待填写：{q['label']}】" in docx_text(manual))
    _type_into_control(manual, key, "企业填的值")
    out = tmp_path / "answers.xlsx"
    code, output = run("answers", kit, "-o", out)
    assert code == 0, output
    header, rows = sheet_rows(out)
    got = {r[header.index("键")]: r[header.index("答案")] for r in rows}
    assert got[key] == "企业填的值"
    code, output = run("build", GOOD, "-o", kit, "--answers", out)
    assert code == 0, output
    assert "企业填的值" in docx_text(manual)                       # the company's file, kept
    new = kit / "02 售后服务管理手册.new.docx"
    assert new.is_file() and "企业填的值" in docx_text(new)           # and carried into the new version
    others = [p for p, t in all_text(kit).items() if "企业填的值" in t]
    assert len(others) >= 2


def test_two_values_for_one_key_are_reported_not_chosen(fresh, tmp_path):
    import shutil
    kit = tmp_path / "kit"
    shutil.copytree(fresh, kit)
    manifest = json.loads((kit / "kit.json").read_text("utf-8"))
    texts = all_text(kit)
    key, label = next((q["key"], q["label"]) for q in manifest["questions"]
                      if sum(f"【待填写：{q['label']}】" in t for t in texts.values()) >= 2)
    files = [p for p, t in texts.items() if f"【待填写：{label}】" in t][:2]
    _type_into_control(kit / files[0], key, "甲值")
    _type_into_control(kit / files[1], key, "乙值")
    out = tmp_path / "a.xlsx"
    result = CliRunner().invoke(cli, ["answers", str(kit), "-o", str(out)])
    assert result.exit_code == 0
    assert key in result.stderr and "甲值" in result.stderr and "乙值" in result.stderr
    header, rows = sheet_rows(out)
    row = next(r for r in rows if r[header.index("键")] == key)
    assert not row[header.index("答案")]


def test_answers_refuses_to_write_into_the_kit(fresh):
    code, output = run("answers", fresh, "-o", fresh / "x.xlsx")
    assert code == 2 and "文件包内" in output


def test_check_reports_unanswered_keys_with_counts(fresh):
    result = CliRunner().invoke(cli, ["check", str(fresh), "--json"])
    data = json.loads(result.output)
    unanswered = {u["key"]: u["count"] for u in data["unanswered"]}
    manifest = json.loads((fresh / "kit.json").read_text("utf-8"))
    asked = {q["key"]: q["count"] for q in manifest["questions"] if q["status"] == "ask"}
    docx_keys = {k: n for k, n in asked.items()}
    for key, n in unanswered.items():
        assert key in docx_keys and 0 < n <= docx_keys[key]
    assert sum(unanswered.values()) > 0


def test_validate_passes_a_sparse_profile_and_says_what_stays_open(tmp_path):
    sparse = tmp_path / "sparse.yaml"
    sparse.write_text("company:\n  name: 稀疏家具有限公司\nrole: producer\nindustry: furniture\n"
                      "products:\n  - name: 实木餐桌\ndelivery:\n  model: own_fleet\n  installation: own_staff\n",
                      "utf-8")
    code, output = run("validate", sparse)
    assert code == 0, output
    assert "配置有效" in output and "company.legal_representative" in output and "法定代表人" in output
    assert "service.commitments.response_hours" in output and "响应时限" in output and "删减 5.2.6" in output


def test_a_choice_gets_a_drop_down_in_its_answer_cell(fresh):
    wb = openpyxl.load_workbook(fresh / QUESTIONNAIRE)
    ws = wb.worksheets[0]
    header_row = next(i for i, r in enumerate(ws.iter_rows(values_only=True), start=1) if "键" in r)
    header = [c.value for c in ws[header_row]]
    row = next(r for r in range(header_row + 1, ws.max_row + 1) if ws.cell(r, header.index("键") + 1).value == "target_star")
    cell = f"{openpyxl.utils.get_column_letter(header.index('答案') + 1)}{row}"
    lists = [dv for dv in ws.data_validations.dataValidation if cell in str(dv.sqref).split()]
    assert lists and "五星级" in lists[0].formula1


def test_answers_keep_what_was_typed_and_stay_in_the_profiles_folder(tmp_path):
    profile = tmp_path / "p.yaml"
    text = GOOD.read_text("utf-8") + "answers:\n  company.contact.phone: 02164705123\n  company.postcode: 050000\n"
    profile.write_text(text, "utf-8")
    code, output = run("build", profile, "-o", tmp_path / "kit")
    assert code == 0, output
    everything = "\n".join(all_text(tmp_path / "kit").values())
    assert "02164705123" in everything                    # not the octal 299076179
    (tmp_path / "sub").mkdir()
    elsewhere = tmp_path.parent / "answers-elsewhere.yaml"
    elsewhere.write_text("gm_name: 某人\n", "utf-8")
    profile.write_text(GOOD.read_text("utf-8") + f"answers_file: ../{elsewhere.name}\n", "utf-8")
    code, output = run("build", profile, "-o", tmp_path / "kit2")
    assert code == 3 and "不在配置文件所在的文件夹中" in output and "--answers" in output
