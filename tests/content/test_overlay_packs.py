"""A consultancy adds a trade through its overlay (packs/<industry>/, the shape of a bundled pack):
lint checks it with located findings, validate and build accept the new industry."""
from __future__ import annotations

import shutil
from pathlib import Path

import yaml
from click.testing import CliRunner

from kitgen.cli.main import cli
from kitgen.content.lint import lint
from kitgen.ooxml.docx_text import docx_text

ROOT = Path(__file__).resolve().parents[2]
OVERLAY = ROOT / "tests" / "fixtures" / "overlay_pack"
GOOD = ROOT / "tests" / "fixtures" / "good.yaml"
DELIVERY = "packs/boats/clauses/procedures/proc-delivery.yaml"


def overlay(tmp_path: Path) -> Path:
    dst = tmp_path / "咨询公司"
    shutil.copytree(OVERLAY, dst)
    return dst


def test_a_new_trade_in_an_overlay_lints_clean_and_builds(tmp_path):
    ov = overlay(tmp_path)
    assert lint(ov) == []
    profile = tmp_path / "boat.yaml"
    data = yaml.safe_load(GOOD.read_text("utf-8"))
    data["industry"] = "boats"
    profile.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    runner = CliRunner()
    result = runner.invoke(cli, ["validate", str(profile)])
    assert result.exit_code == 3 and "boats" in result.output          # unknown without the overlay
    (tmp_path / "kitgen.toml").write_text('[overlay]\npath = "咨询公司"\n', "utf-8")
    result = runner.invoke(cli, ["build", str(profile), "-o", str(tmp_path / "kit")])
    assert result.exit_code == 0, result.output
    text = docx_text(tmp_path / "kit" / "03 程序文件" / "CX-12 配送与安装调试控制程序.docx")
    assert "试航 4 小时" in text and "【待填写：码头泊位数】" in text
    assert "上门测量" not in text                                   # the omitted generic furniture clause


def test_lint_locates_mistakes_in_an_overlay_pack(tmp_path):
    ov = overlay(tmp_path)
    clause = ov / DELIVERY
    clause.write_text(clause.read_text("utf-8").replace("boats.berth_count", "boats.berth_cnt")
                      .replace("sea_trial_hours }}", "sea_trial_hour }}"), "utf-8")
    pack = ov / "packs/boats/pack.yaml"
    pack.write_text(pack.read_text("utf-8").replace("signature:", "signatur:"), "utf-8")
    out = [str(p) for p in lint(ov)]
    assert any(f.startswith(f"{DELIVERY}:6:") and "fact('boats.berth_cnt')" in f and "boats.berth_count" in f
               for f in out), out
    assert any(f.startswith(f"{DELIVERY}:6:") and "industry.facts.sea_trial_hour " in f for f in out), out
    assert any(f.startswith("packs/boats/pack.yaml:") and "signatur" in f and "signature" in f for f in out), out
    (ov / "packs/boats/questions.yaml").write_text(
        "- {key: boats.berth_count, label: 码头泊位数, question: 自有码头泊位数？, kind: count}\n", "utf-8")
    out = [str(p) for p in lint(ov)]
    assert any(f.startswith("packs/boats/questions.yaml:1:") and "count" in f for f in out), out


def test_every_bundled_pack_lints_clean():
    from kitgen.core.industries import packs_dir
    for pack in sorted(p for p in packs_dir().iterdir() if (p / "pack.yaml").is_file()):
        assert lint(pack) == [], pack.name
