"""The application dossier (issue 4): what a consultant checks in the 申请资料 of a kit.

The 11-item checklist and kit.json's ``dossier`` with correct statuses, the application form
carrying the profile (and the blank one carrying none of it), every outlet in the Word and Excel
lists (also for 3,000 outlets from a .csv), the network mode, and the org chart picture.
"""
from __future__ import annotations

import csv
import io
import random
import re
import zipfile
from pathlib import Path

import pytest

import kitgen
from kitgen.render import dossier as dz
from kitgen.ooxml.docx_text import docx_text
from kitgen.kit.publish import OutputFile

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
LICENSED = FIXTURES / "dossier_licensed.yaml"
PLAIN = FIXTURES / "dossier_plain.yaml"


def make_plan(path: Path):
    return kitgen.plan(kitgen.load_profile(path), require_coverage=False)


def build(path: Path, files_so_far: list | None = None) -> dict[str, OutputFile]:
    plan = make_plan(path)
    return {f.path: f for f in dz.dossier_files(plan, files_so_far or [])}


def edited(tmp_path: Path, source: Path, replace: list[tuple[str, str]], name: str = "client.yaml") -> Path:
    text = source.read_text("utf-8")
    for old, new in replace:
        assert old in text, old
        text = text.replace(old, new)
    out = tmp_path / name
    out.write_text(text, "utf-8")
    return out


def xlsx_rows(data: bytes, sheet: int = 0) -> list[tuple]:
    import openpyxl
    wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    return list(wb.worksheets[sheet].iter_rows(values_only=True))


@pytest.fixture(scope="module")
def licensed():
    return build(LICENSED)


@pytest.fixture(scope="module")
def plain():
    return build(PLAIN)


# ------------------------------------------------------------------------------ the 11 items
def test_checklist_statuses_licence_required_and_certificates_held():
    plan = make_plan(LICENSED)
    items = dz.dossier_manifest(plan, [OutputFile(p, k, t, b"") for p, k, t, _, _ in dz._planned(plan)])
    assert [i["item"] for i in items] == list(range(1, 12))
    status = {i["item"]: i["status"] for i in items}
    assert status == {1: "company", 2: "company", 3: "company", 4: "generated", 5: "generated", 6: "generated",
                      7: "generated", 8: "generated", 9: "generated", 10: "company", 11: "generated"}
    by = {i["item"]: i for i in items}
    assert "营业执照副本复印件" in by[1]["supply"] and "公章" in by[1]["supply"]
    assert "CCC" in by[2]["supply"] and by[2]["reason"] is None
    assert by[3]["files"] == [dz.PRODUCTS] and "检验" in by[3]["supply"]
    assert "ISO 9001:2015 质量管理体系认证" in by[10]["supply"] and "宁波市知名品牌" in by[10]["supply"]
    assert set(by[7]["files"]) == {dz.OUTLETS_DOCX, dz.OUTLETS_XLSX}
    assert dz.ORG_CHART in by[6]["files"] and dz.ORG_CHART_SOURCE in by[6]["files"]
    for i in items:
        assert set(i) == {"item", "title", "status", "reason", "files", "supply"}
        if i["status"] == "generated":
            assert i["files"] and i["supply"] is None
        if i["status"] == "not_applicable":
            assert i["reason"]


def test_checklist_statuses_no_licence_no_certificates():
    plan = make_plan(PLAIN)
    items = {i.item: i for i in dz.dossier_items(plan)}
    assert len(items) == 11
    assert items[2].status == "not_applicable"
    assert "不属于须取得生产许可或强制性认证的范围" in items[2].reason
    assert items[10].status == "not_applicable" and items[10].reason
    assert items[1].status == "company" and items[3].status == "company"
    assert all(items[n].status == "generated" for n in (4, 5, 6, 7, 8, 9, 11))


def test_checklist_document_shows_the_same_statuses(licensed, plain):
    text = docx_text(licensed[dz.CHECKLIST].data)
    for title in ("营业执照", "组织机构图（含售后服务组织机构图）", "售后服务管理体系文件及文件清单"):
        assert title in text
    assert "已提供 7 项，企业提供 4 项，不适用 0 项" in text and "kitgen" not in text
    assert "【待填写" not in text
    assert "06 申请资料/07 网点清单.xlsx" in text
    text = docx_text(plain[dz.CHECKLIST].data)
    assert "不适用（本公司产品不属于须取得生产许可或强制性认证的范围" in text
    assert "已提供 7 项，企业提供 2 项，不适用 2 项" in text


def test_every_dossier_file_has_kind_title_and_number(licensed):
    kinds = {f.kind for f in licensed.values()}
    assert kinds == {"checklist", "application", "dossier"}
    for f in licensed.values():
        assert f.title and f.number.startswith("CL/SH-SQ-"), f.path
        assert f.data
    assert set(licensed) == {p for p, *_ in dz._planned(make_plan(LICENSED))}


# ------------------------------------------------------------------------------ application form
def test_application_form_carries_the_profile(licensed):
    text = docx_text(licensed[dz.APPLICATION].data)
    for value in ("浙江测澜电器有限公司", "91330282764523186E", "陈测试", "周联系", "13957400000", "5 个",
                  "GB/T 27922-2011", "初次认证", "☑五星级", "☑网点部分委托", "3 个",
                  "家用空调", "电热水器", "ISO 9001:2015 质量管理体系认证", "杭州测衡企业管理咨询有限公司",
                  "法定代表人（签字）"):
        assert value in text, value
    assert "☑网点全直属" not in text


def test_application_form_placeholders_and_deletions(plain):
    text = docx_text(plain[dz.APPLICATION].data)
    assert "【待填写：统一社会信用代码】" in text and "【待填写：法定代表人】" in text
    assert "☑网点全直属" in text and "☑三星级" in text
    assert "5.2.6" in text                 # recycling: false → deleted, with its reason
    xml = zipfile.ZipFile(io.BytesIO(plain[dz.APPLICATION].data)).read("word/document.xml").decode()
    assert re.search(r'<w:highlight w:val="yellow"/>.{0,400}【待填写：统一社会信用代码】', xml, re.DOTALL)


def test_company_name_with_markup_prints_as_written(tmp_path):
    weird = 'A&B <电器> "{{ 7*7 }}" 有限公司'
    path = edited(tmp_path, LICENSED, [("name: 浙江测澜电器有限公司", "name: '" + weird.replace("'", "''") + "'")])
    files = build(path)
    for f in files.values():
        if f.path.endswith(".docx"):
            text = docx_text(f.data)           # parses: the XML stayed valid
            if f.kind in ("application", "checklist") and "空白" not in f.path:
                assert weird in text, f.path
    assert weird in docx_text(files[dz.APPLICATION].data)
    assert "A&B <电器> \"49\"" not in docx_text(files[dz.APPLICATION].data)
    assert weird in docx_text(files[dz.PROFILE].data)


def test_blank_form_has_no_profile_values(licensed):
    text = docx_text(licensed[dz.APPLICATION_BLANK].data)
    assert "商品售后服务认证申请书" in text and "法定代表人（签字）" in text
    for value in ("浙江测澜电器有限公司", "91330282764523186E", "陈测试", "周联系", "13957400000", "家用空调",
                  "ISO 9001", "杭州测衡", "部分委托）", "☑", "【待填写"):
        assert value not in text, value


def test_application_form_is_reproducible():
    a = build(LICENSED)
    b = build(LICENSED)
    for path in a:
        assert a[path].data == b[path].data, path


# ------------------------------------------------------------------------------ network mode
@pytest.mark.parametrize("ops,mode", [(("direct", "direct"), "全直属"), (("entrusted", "entrusted"), "全委托"),
                                      (("direct", "entrusted"), "部分委托")])
def test_network_mode_is_derived(tmp_path, ops, mode):
    outlets = "\n".join(
        f"  - {{name: 网点{i}, operator: {op}, province: 浙江省, city: 杭州市"
        + (f", partner: 合作单位{i}" if op == "entrusted" else "") + "}"
        for i, op in enumerate(ops))
    text = PLAIN.read_text("utf-8")
    text = text[:text.index("outlets:")] + "outlets:\n" + outlets + "\n" + text[text.index("target_star:"):]
    path = tmp_path / "c.yaml"
    path.write_text(text, "utf-8")
    plan = make_plan(path)
    assert plan.ctx["net"]["mode"] == mode
    files = {f.path: f for f in dz.dossier_files(plan, [])}
    system = docx_text(files[dz.SYSTEM].data)
    assert f"网点{mode}" in system
    assert f"☑网点{mode}" in docx_text(files[dz.APPLICATION].data)
    if "entrusted" in ops:
        assert "合作单位1" in system                       # partners named
        assert "委托服务协议" in system and "巡检" in system   # how entrusted outlets are supervised
        assert "服务网点管理制度" in system and "服务监督与考核控制程序" in system


# ------------------------------------------------------------------------------ outlet list
def test_outlet_list_holds_every_outlet(licensed):
    plan = make_plan(LICENSED)
    text = docx_text(licensed[dz.OUTLETS_DOCX].data)
    rows = xlsx_rows(licensed[dz.OUTLETS_XLSX].data)
    assert rows[1] == ("序号", "网点名称", "类型", "直属/委托", "合作单位", "省", "市", "地址", "电话", "人数")
    body = rows[2:]
    assert len(body) == len(plan.profile.outlets) == 5
    for o in plan.profile.outlets:
        assert o.name in text
        row = next(r for r in body if r[1] == o.name)
        assert row[3] == ("直属" if o.operator == "direct" else "委托")
        if o.operator == "entrusted":
            assert o.partner in text and row[4] == o.partner
    assert "◆ 江苏省：共 2 个（直属 0 个，委托 2 个）" in text
    xml = zipfile.ZipFile(io.BytesIO(licensed[dz.OUTLETS_DOCX].data)).read("word/document.xml").decode()
    assert "<w:tblHeader/>" in xml and 'w:orient="landscape"' in xml


def big_profile(tmp_path: Path, n: int) -> Path:
    rng = random.Random(4)
    provinces = ["浙江省", "江苏省", "广东省", "山东省", "河南省", "四川省", "湖北省", "湖南省", "河北省", "福建省",
                 "安徽省", "江西省", "陕西省", "辽宁省", "云南省", "新疆维吾尔自治区", "北京市", "上海市"]
    with (tmp_path / "outlets.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["网点名称", "类型", "直属/委托", "合作单位", "省", "市", "地址", "电话", "人数"])
        for i in range(n):
            prov = rng.choice(provinces)
            entrusted = rng.random() < 0.7
            w.writerow([f"{prov}第{i + 1}号服务网点", "服务", "委托" if entrusted else "直属",
                        f"{prov}合作服务公司{i % 150}" if entrusted else "", prov, "某市", f"某路{i}号",
                        f"0571-{8000000 + i}", rng.randint(2, 20)])
    text = LICENSED.read_text("utf-8")
    text = text[:text.index("outlets:")] + "outlets_file: outlets.csv\n" + text[text.index("certifications:"):]
    path = tmp_path / "big.yaml"
    path.write_text(text, "utf-8")
    return path


@pytest.mark.slow
def test_three_thousand_outlets_from_csv(tmp_path):
    path = big_profile(tmp_path, 3000)
    plan = make_plan(path)
    assert len(plan.profile.outlets) == 3000
    files = {f.path: f for f in dz.dossier_files(plan, [])}     # (its time: bench/run.py)
    lines = docx_text(files[dz.OUTLETS_DOCX].data).splitlines()
    names = {line.split(" | ")[1] for line in lines if re.match(r"^\d+ \| ", line)}
    assert names == {o.name for o in plan.profile.outlets}
    rows = xlsx_rows(files[dz.OUTLETS_XLSX].data)[2:]
    assert len(rows) == 3000 and [r[0] for r in rows] == list(range(1, 3001))
    assert {r[1] for r in rows} == names
    entrusted = [r for r in rows if r[3] == "委托"]
    assert entrusted and all(r[4] for r in entrusted)
    # the chart groups by province: one picture of reasonable size
    from PIL import Image
    chart = dz.org_chart(plan)
    im = Image.open(io.BytesIO(chart.png))
    assert im.size[0] == 1134 and im.size[1] < 2000
    assert "新疆维吾尔自治区" in chart.dot and "第2999号" not in chart.dot


# ------------------------------------------------------------------------------ org chart
def test_org_chart_is_a_png_embedded_in_the_docx(licensed):
    from PIL import Image
    plan = make_plan(LICENSED)
    chart = dz.org_chart(plan)
    assert chart is dz.org_chart(plan)                     # drawn once per plan
    im = Image.open(io.BytesIO(chart.png))
    im.verify()
    assert im.format == "PNG" and 14 <= chart.width_cm <= 17
    z = zipfile.ZipFile(io.BytesIO(licensed[dz.ORG_CHART].data))
    media = [n for n in z.namelist() if n.startswith("word/media/")]
    assert len(media) == 1 and z.read(media[0])[:8] == b"\x89PNG\r\n\x1a\n"
    assert z.read(media[0]) == chart.png
    src = licensed[dz.ORG_CHART_SOURCE].data.decode("utf-8")
    assert "digraph" in src and "客户服务中心" in src and "苏州恒测家电服务有限公司" in src
    # the manual's appendix gets the same picture
    from kitgen.ooxml import model as m
    blocks = dz.gen_extras(plan)["org_chart"]()
    assert isinstance(blocks[0], m.Image) and blocks[0].png == chart.png


def test_org_chart_without_a_cjk_font(monkeypatch):
    from kitgen.render import orgchart
    monkeypatch.setattr(orgchart, "find_cjk_font", lambda: None)
    plan = make_plan(LICENSED)
    doc = dz.org_chart_document(plan, "X")
    chart = dz.org_chart(plan)
    assert chart.warning and chart.legend and chart.png.startswith(b"\x89PNG")
    from kitgen.render.word import write_docx
    text = docx_text(write_docx(doc))
    assert "未找到中文字体" in text and "浙江测澜电器有限公司" in text


# ------------------------------------------------------------------------------ items 4 and 11
def test_laws_follow_industry_channels_and_recycling(licensed, plain):
    text = docx_text(licensed[dz.LAWS].data)
    for title in ("中华人民共和国消费者权益保护法", "中华人民共和国电子商务法", "废弃电器电子产品回收处理管理条例",
                  "部分商品修理更换退货责任规定", "GB/T 27922-2011"):
        assert title in text, title
    text = docx_text(plain[dz.LAWS].data)
    assert "中华人民共和国产品质量法" in text
    assert "电子商务法" not in text and "废弃电器电子产品" not in text and "GB 5296.6-2004" in text


def test_file_list_names_every_file_of_the_kit():
    plan = make_plan(LICENSED)
    others = [OutputFile("02 售后服务管理手册.docx", "manual", "售后服务管理手册", b"x", "CL/SH-QM-01"),
              OutputFile("03 程序文件/CX-13 维修服务控制程序.docx", "procedure", "维修服务控制程序", b"x", "CL/SH-CX-13"),
              OutputFile("07 指标对照表.xlsx", "matrix", "指标对照表（Excel）", b"x", "CL/SH-QM-01-附表")]
    files = {f.path: f for f in dz.dossier_files(plan, others)}
    text = docx_text(files[dz.FILE_LIST].data)
    for f in others + list(files.values()):
        assert f.title in text, f.path
        assert f.path.rsplit("/", 1)[-1] in text, f.path
    assert "CL/SH-CX-13" in text and "A/0" in text
    entry = next(i for i in dz.dossier_manifest(plan, others + list(files.values())) if i["item"] == 11)
    assert "03 程序文件/CX-13 维修服务控制程序.docx" in entry["files"] and dz.FILE_LIST in entry["files"]


# ------------------------------------------------------------------------------ a consultancy's overlay
def test_overlay_replaces_texts_and_form(tmp_path):
    import docx
    overlay = tmp_path / "overlay"
    overlay.mkdir()
    src = (Path(dz.__file__).resolve().parents[2] / "library" / "clauses" / "dossier.yaml").read_text("utf-8")
    (overlay / "dossier.yaml").write_text(src.replace("营业执照副本复印件（加盖公章）", "营业执照副本复印件一份（加盖骑缝章）"),
                                          "utf-8")
    d = docx.Document()
    d.add_paragraph("认证机构专用申请表：{{ f.company_name }}／{{ f.credit_code }}／{{ f.network_mode }}")
    d.save(str(overlay / "application_form.docx"))
    plan = kitgen.plan(kitgen.load_profile(LICENSED), overlays=[overlay], require_coverage=False)
    items = {i.item: i for i in dz.dossier_items(plan)}
    assert items[1].supply == "营业执照副本复印件一份（加盖骑缝章）"
    files = {f.path: f for f in dz.dossier_files(plan, [])}
    assert "认证机构专用申请表：浙江测澜电器有限公司／91330282764523186E／部分委托" in docx_text(files[dz.APPLICATION].data)


def test_overlay_errors_are_reported(tmp_path):
    import docx

    from kitgen.errors import BuildFailed, InvalidInput
    overlay = tmp_path / "overlay"
    overlay.mkdir()
    (overlay / "dossier.yaml").write_text("items:\n  - item: 12\n    title: 营业执照\n", "utf-8")
    plan = kitgen.plan(kitgen.load_profile(LICENSED), overlays=[overlay], require_coverage=False)
    with pytest.raises(InvalidInput) as exc:
        dz.dossier_items(plan)
    assert "序号 “12” 无效" in str(exc.value)
    # an overlay (or a pack) may replace single items: the others stay the library's
    (overlay / "dossier.yaml").write_text("items:\n  - item: 1\n    title: 营业执照\n    supply: 营业执照正副本\n",
                                          "utf-8")
    plan = kitgen.plan(kitgen.load_profile(LICENSED), overlays=[overlay], require_coverage=False)
    items = {i.item: i for i in dz.dossier_items(plan)}
    assert len(items) == 11 and items[1].supply == "营业执照正副本" and items[4].status == "generated"
    (overlay / "dossier.yaml").unlink()
    d = docx.Document()
    d.add_paragraph("{{ f.no_such_field }}")
    d.save(str(overlay / "application_form.docx"))
    plan = kitgen.plan(kitgen.load_profile(LICENSED), overlays=[overlay], require_coverage=False)
    with pytest.raises(BuildFailed) as exc:
        dz.dossier_files(plan, [])
    assert "认证申请书模板出错" in str(exc.value) and "no_such_field" in str(exc.value)
