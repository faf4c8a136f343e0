"""The kit's documents (issue 3): what a consultant opening the kit would check.

Each sample is built once per session; variants of one profile show that role, delivery,
installation, outlets' operators, recycling and industry change the text (compared as text).
"""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

import kitgen
from kitgen.ooxml.docx_text import docx_text

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = sorted((ROOT / "samples").glob("*.yaml"))
PROC_DIR, RULE_DIR, FORM_DIR = "03 程序文件", "04 管理制度", "05 记录表格"
MANUAL = "02 售后服务管理手册.docx"


@pytest.fixture(scope="session")
def sample_kits(tmp_path_factory) -> dict[str, Path]:
    out = {}
    base = tmp_path_factory.mktemp("kits")
    for sample in SAMPLES:
        kitgen.build(sample, base / sample.stem)
        out[sample.stem] = base / sample.stem
    return out


def kit_text(kit: Path, rel: str) -> str:
    return docx_text(kit / rel)


def all_text(kit: Path, folder: str = "") -> str:
    root = kit / folder if folder else kit
    return "\n".join(docx_text(p) for p in sorted(root.rglob("*.docx")))


def manifest(kit: Path) -> dict:
    return json.loads((kit / "kit.json").read_text("utf-8"))


# ------------------------------------------------------------------ contents
def test_every_sample_builds_a_complete_kit(sample_kits):
    assert len(sample_kits) >= 4
    for name, kit in sample_kits.items():
        data = manifest(kit)
        kinds = [f["kind"] for f in data["files"]]
        assert kinds.count("manual") == 1, name
        assert kinds.count("procedure") >= 12, (name, kinds.count("procedure"))
        assert kinds.count("rule") >= 5, name
        assert kinds.count("form") >= 12, (name, kinds.count("form"))
        assert (kit / "07 指标对照表.docx").is_file() and (kit / "07 指标对照表.xlsx").is_file(), name
        for f in data["files"]:
            assert (kit / f["path"]).is_file(), (name, f["path"])


def test_every_applicable_clause_is_cited_in_text_and_listed_with_files(sample_kits):
    for name, kit in sample_kits.items():
        data = manifest(kit)
        texts = {f["path"]: docx_text(kit / f["path"]) for f in data["files"]
                 if f["kind"] in ("manual", "procedure", "rule")}
        for ind in data["indicators"]:
            if ind["level"] != 3:
                continue
            if ind["status"] == "deleted":
                assert ind["reason"] and ind["files"] == [], (name, ind["id"])
                continue
            assert ind["files"], (name, ind["id"])
            cited = [p for p in ind["files"] if f"{ind['id']} {ind['name']}" in texts[p]]
            assert cited, f"{name}: {ind['id']} listed but not printed as 对应指标 in {ind['files']}"


def test_sections_say_which_indicators_they_serve(sample_kits):
    text = kit_text(sample_kits["appliance-producer"], f"{PROC_DIR}/CX-13 维修服务控制程序.docx")
    assert "对应指标：5.2.4.1 维修承诺与时限" in text


def test_documents_are_written_for_this_company(sample_kits):
    profile = yaml.safe_load((ROOT / "samples/appliance-producer.yaml").read_text("utf-8"))
    kit = sample_kits["appliance-producer"]
    manual = kit_text(kit, MANUAL)
    repair = kit_text(kit, f"{PROC_DIR}/CX-13 维修服务控制程序.docx")
    complaint = kit_text(kit, f"{PROC_DIR}/CX-17 顾客投诉处理控制程序.docx")
    assert profile["company"]["name"] in manual
    assert profile["service"]["hotline"] in repair and profile["service"]["department"] in repair
    assert profile["products"][0]["name"] in manual
    c = profile["service"]["commitments"]
    assert f"{c['response_hours']}小时" in repair and f"{c['repair_days']}日" in repair
    assert f"{c['complaint_days']}日" in complaint
    assert profile["service"]["manager"] in manual


def test_missing_facts_are_visible_placeholders_never_empty(sample_kits):
    # the software sample leaves out the legal representative on purpose
    manual = kit_text(sample_kits["software-company"], MANUAL)
    assert "【待填写：" in manual
    assert "None" not in manual and "{{" not in manual


def test_deleted_indicator_text_is_absent_and_explained(sample_kits):
    # the software sample deploys with its own consultants: 5.2.3 stays as 部署实施 (pack handover:
    # deployment), recycling does not apply and is deleted with its reason
    kit = sample_kits["software-company"]
    data = manifest(kit)
    deleted = {i["id"] for i in data["indicators"] if i["status"] == "deleted"}
    assert "5.2.6" in deleted and "5.2.3" not in deleted
    paths = [f["path"] for f in data["files"]]
    assert not any("废弃商品回收" in p for p in paths) and any("部署实施与上线验收" in p for p in paths)
    manual = kit_text(kit, MANUAL)
    assert "删减" in manual and "5.2.6 废弃商品回收" in manual
    assert "对应指标：5.2.6.1" not in manual and "对应指标：5.2.3.1" in manual


# ------------------------------------------------------------------ variants change the text
BASE = yaml.safe_load((ROOT / "samples/appliance-producer.yaml").read_text("utf-8"))


def build_variant(tmp_path: Path, name: str, **changes) -> Path:
    data = json.loads(json.dumps(BASE, default=str))
    for path, value in changes.items():
        node = data
        keys = path.split("__")
        for k in keys[:-1]:
            node = node[k]
        if value is None:
            node.pop(keys[-1], None)
        else:
            node[keys[-1]] = value
    prof = tmp_path / f"{name}.yaml"
    prof.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    out = tmp_path / name
    kitgen.build(prof, out)
    return out


@pytest.fixture(scope="module")
def variants(tmp_path_factory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("variants")
    direct_only = [dict(o, operator="direct", partner=None) for o in BASE["outlets"]]
    for o in direct_only:
        o.pop("partner", None)
    return {
        "base": build_variant(tmp, "base"),
        "retailer": build_variant(tmp, "retailer", role="retailer"),
        "no_install": build_variant(tmp, "no_install", delivery__installation="none"),
        "third_party": build_variant(tmp, "third_party", delivery__model="third_party"),
        "direct_only": build_variant(tmp, "direct_only", outlets=direct_only),
        "no_recycling": build_variant(tmp, "no_recycling", recycling=False),
        "furniture": build_variant(tmp, "furniture", industry="furniture"),
    }


def test_role_changes_the_text(variants):
    producer = all_text(variants["base"], PROC_DIR)
    retailer = all_text(variants["retailer"], PROC_DIR)
    assert "先行负责" in retailer
    assert retailer.count("供应商") > producer.count("供应商")
    production_dept = BASE.get("departments", {}).get("production", "生产制造部")
    assert production_dept in producer and production_dept not in retailer


def test_installation_none_keeps_delivery_drops_installation(variants):
    data = manifest(variants["no_install"])
    status = {i["id"]: i["status"] for i in data["indicators"]}
    assert status["5.2.3.3"] == "deleted" and status["5.2.3.1"] == "applicable"
    base = kit_text(variants["base"], f"{PROC_DIR}/CX-12 配送与安装调试控制程序.docx")
    without = kit_text(variants["no_install"], f"{PROC_DIR}/CX-12 配送与安装调试控制程序.docx")
    assert "5.2.3.3 安装调试" in base and "5.2.3.3 安装调试" not in without
    assert "对应指标：5.2.3.1" in without


def test_delivery_model_changes_the_delivery_procedure(variants):
    own = kit_text(variants["base"], f"{PROC_DIR}/CX-12 配送与安装调试控制程序.docx")
    carrier = kit_text(variants["third_party"], f"{PROC_DIR}/CX-12 配送与安装调试控制程序.docx")
    assert own != carrier
    for name in BASE["delivery"].get("carriers", []):
        assert name in carrier


def test_entrusted_outlets_bring_partner_supervision(variants):
    mixed = kit_text(variants["base"], f"{RULE_DIR}/ZD-01 服务网点管理制度.docx")
    direct = kit_text(variants["direct_only"], f"{RULE_DIR}/ZD-01 服务网点管理制度.docx")
    partner = next(o["partner"] for o in BASE["outlets"] if o.get("operator") == "entrusted")
    assert "委托" in mixed and partner in all_text(variants["base"])
    assert mixed.count("委托服务协议") > direct.count("委托服务协议")
    assert "部分委托" in kit_text(variants["base"], MANUAL)
    assert "全直属" in kit_text(variants["direct_only"], MANUAL)


def test_recycling_false_removes_the_recycling_documents(variants):
    with_r = [f["path"] for f in manifest(variants["base"])["files"]]
    without = [f["path"] for f in manifest(variants["no_recycling"])["files"]]
    assert any("废弃商品回收" in p for p in with_r)
    assert not any("废弃商品回收" in p for p in without)
    assert "5.2.6" in kit_text(variants["no_recycling"], MANUAL)       # explained, not silently gone


def test_industry_brings_its_own_terms(variants):
    furniture = all_text(variants["furniture"], PROC_DIR)
    appliances = all_text(variants["base"], PROC_DIR)
    assert "上门测量" in furniture and "上门测量" not in appliances


def test_auto_dealer_and_software_speak_their_trade(sample_kits):
    auto = all_text(sample_kits["auto-dealer"], PROC_DIR)
    soft = all_text(sample_kits["software-company"], PROC_DIR)
    assert "道路救援" in auto and "车辆维修" in auto
    assert "远程运维" in soft and "部署实施" in soft


# ------------------------------------------------------------------ escaping
HOSTILE = 'A&B <电器> "引号" \'单引\' {{ 7*7 }} {% if %}'


def test_special_characters_print_as_written_and_files_stay_valid(tmp_path):
    kit = build_variant(tmp_path, "hostile", company__name=HOSTILE, service__department="服务部<&>",
                        service__hotline="400-{{x}}")
    manual = kit_text(kit, MANUAL)
    assert HOSTILE in manual and "服务部<&>" in manual and "49" not in manual.split(HOSTILE)[0][-5:]
    for path in kit.rglob("*.docx"):
        docx_text(path)                                   # parses: the XML is valid
    assert "400-{{x}}" in kit_text(kit, f"{PROC_DIR}/CX-13 维修服务控制程序.docx")


# ------------------------------------------------------------------ LibreOffice
@pytest.mark.soffice
def test_libreoffice_converts_every_document_of_a_kit(sample_kits, soffice, tmp_path):
    kit = sample_kits["appliance-producer"]
    files = sorted(p for p in kit.rglob("*") if p.suffix in (".docx", ".xlsx"))
    flat = tmp_path / "in"
    flat.mkdir()
    names = []
    for n, p in enumerate(files):                         # one soffice run for all: fast
        target = flat / f"{n:03d}{p.suffix}"
        shutil.copy(p, target)
        names.append(target)
    out = tmp_path / "pdf"
    profile = tmp_path / "lo-profile"
    proc = subprocess.run([soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
                           "--convert-to", "pdf", "--outdir", str(out), *map(str, names)],
                          capture_output=True, text=True, timeout=600)
    missing = [files[i].relative_to(kit).as_posix() for i, n in enumerate(names)
               if not (out / f"{n.stem}.pdf").is_file() or (out / f"{n.stem}.pdf").stat().st_size == 0]
    assert not missing, f"LibreOffice could not convert: {missing}\n{proc.stderr[-2000:]}"
