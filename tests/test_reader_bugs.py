"""The bugs a reader trips on (issue 12.6), each asserted on the documents' text: document numbers
without a prefix, doubled words, left-out documents inside process tables, nested brackets, the
outlet summary repeated in the manual, and a manual that lists thousands of outlets."""
from __future__ import annotations

import csv
import re

import pytest
import yaml

import kitgen
from tests.generic_kits import (SAMPLES, SPARSE, doc, generic_kit, generic_library_only, sample_kit, texts,
                                variant_kit, without_fill_ins)

KITS = sorted(SAMPLES) + ["sparse-furniture"]

# doubled 2–4 character words that are proper Chinese: a verb before a noun that starts with it
ALLOWED_DOUBLES = ("发布发布说明",)           # 发布 + 发布说明 (publish the release notes)
DOUBLED = re.compile(r"([\u4e00-\u9fff]{2,4})\1")


def test_no_prefix_gives_plain_numbers_and_no_dangling_sentence():
    assert "prefix" not in (yaml.safe_load(SPARSE.read_text("utf-8")).get("documents") or {})
    kit = generic_kit("sparse-furniture")
    everything = "\n".join(texts(kit).values())
    assert "SH-QM-01" in everything and "SH-CX-02" in everything
    assert not re.search(r"(?<![A-Za-z0-9])/SH-", everything)
    assert "为本公司代号" not in everything and not re.search(r"其中\s+为", everything)
    assert "格式为“SH-类别代码-流水号”，其中“SH”表示售后服务体系文件" in doc(kit, "CX-02")


def test_a_prefix_is_explained_once():
    text = doc(generic_kit("furniture-xlsx"), "CX-02")
    assert "格式为“QJ/SH-类别代码-流水号”，其中“QJ”为本公司代号，“SH”表示售后服务体系文件" in text


def _kit(name, generic):
    return generic_kit(name) if generic else sample_kit(name)


@pytest.mark.parametrize("generic", [True, False], ids=["generic", "shipped"])
@pytest.mark.parametrize("name", KITS)
def test_no_doubled_words(name, generic):
    found = {}
    for path, text in texts(_kit(name, generic)).items():
        plain = without_fill_ins(text)
        for m in DOUBLED.finditer(plain):
            around = plain[max(0, m.start() - 8):m.end() + 8]
            if not any(phrase in around for phrase in ALLOWED_DOUBLES):
                found.setdefault(path, []).append(around)
    assert not found, found


@pytest.mark.parametrize("generic", [True, False], ids=["generic", "shipped"])
@pytest.mark.parametrize("name", KITS)
def test_left_out_documents_never_appear_inside_tables(name, generic):
    for path, text in texts(_kit(name, generic)).items():
        rows = [line for line in text.splitlines() if " | " in line and "本公司不适用" in line]
        assert not rows, f"{path}: {rows[:2]}"


def test_a_step_keeps_its_records_that_exist():
    # a company that neither delivers nor installs has no delivery form: the exchange step names only
    # the returns form
    kit = variant_kit("no-delivery", "sparse-furniture", delivery={"model": "none", "installation": "none"})
    assert not any("配送／安装验收单" in path for path in texts(kit))
    quality = doc(kit, "CX-14")
    step = next(line for line in quality.splitlines() if line.split(" | ")[1:2] and "更换：" in line)
    assert "《更换及退货登记表》" in step and "配送/安装验收单" not in step


@pytest.mark.parametrize("name", KITS)
def test_no_nested_brackets(name):
    """The generic library's texts (a pack's own texts are its engineer's: tests/packs)."""
    nested = re.compile(r"（[^（）\n]*（[^（）\n]*）[^（）\n]*）")
    for path, text in texts(generic_kit(name)).items():
        plain = without_fill_ins(text)
        bad = [m.group(0) for m in nested.finditer(plain)
               if not re.search(r"》（", m.group(0))]        # 《文件》（编号） inside a note is a citation
        assert not bad, f"{path}: {bad[:3]}"


def test_hours_with_their_own_brackets_read_as_one_clause():
    kit = generic_kit("auto-dealer")
    hours = yaml.safe_load(SAMPLES["auto-dealer"].read_text("utf-8"))["service"]["hours"]
    assert hours.endswith("）")
    flat = hours[:hours.rfind("（")] + "，" + hours[hours.rfind("（") + 1:-1]
    manual = doc(kit, "02 售后服务管理手册")
    assert f"（服务时间：{flat}）" in manual
    assert f"（{hours}）" not in "\n".join(texts(kit).values())


def test_the_manual_summarises_the_outlets_once():
    manual = doc(generic_kit("furniture-xlsx"), "02 售后服务管理手册")
    assert manual.count("省份 | 直属网点 | 委托网点 | 合计") == 1
    assert "申请资料《网点清单》" in manual


@pytest.fixture(scope="module")
def big_kit(tmp_path_factory):
    """A furniture maker with 3,000 outlets (2,400 entrusted to 480 partners) in 20 provinces."""
    folder = tmp_path_factory.mktemp("outlets3000")
    provinces = ["广东省", "广西壮族自治区", "湖南省", "湖北省", "江西省", "福建省", "浙江省", "江苏省", "上海市", "北京市",
                 "天津市", "河北省", "山东省", "河南省", "四川省", "重庆市", "云南省", "贵州省", "陕西省", "山西省"]
    with (folder / "outlets.csv").open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["name", "kind", "operator", "partner", "province", "city", "address", "phone", "staff"])
        for i in range(3000):
            entrusted = i % 5 != 0
            w.writerow([f"第{i + 1}服务网点", "service", "entrusted" if entrusted else "direct",
                        f"协作服务公司{i // 5 + 1}号" if entrusted else "", provinces[i % 20], "某市", f"某路{i + 1}号",
                        f"0000-{i:06d}", 3])
    data = yaml.safe_load(SAMPLES["furniture-xlsx"].read_text("utf-8"))
    data["outlets_file"] = "outlets.csv"
    (folder / "big.yaml").write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    with generic_library_only():
        kitgen.build(folder / "big.yaml", folder / "kit")
    return folder / "kit"


def test_thousands_of_outlets_are_summarised_not_listed(big_kit):
    manual = doc(big_kit, "02 售后服务管理手册")
    assert "协作服务公司" not in manual and "第2999服务网点" not in manual
    assert "本公司现有委托服务单位 600 家，设立委托网点 2400 个" in manual
    assert "委托服务单位如下" not in manual
    assert "申请资料《网点清单》" in manual
    assert len(manual) < 60_000                         # the 40-outlet sample's manual is about 40,000 characters
    for starts in ("ZD-01", "CX-04"):
        text = doc(big_kit, starts)
        assert "协作服务公司17号" not in text and len(text) < 40_000, starts
    outlets = doc(big_kit, "07 网点清单")
    assert "第2999服务网点" in outlets and "协作服务公司17号" in outlets   # the outlet list has them all
