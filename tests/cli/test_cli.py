"""The CLI as a consultant uses it: exit codes, messages, no tracebacks."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from kitgen.cli.main import cli

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = sorted((ROOT / "samples").glob("*.yaml"))


def run(*args: str, cwd: Path | None = None):
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def test_at_least_four_samples_validate():
    assert len(SAMPLES) >= 4
    code, out = run("validate", *map(str, SAMPLES))
    assert code == 0, out
    assert out.count("配置有效") == len(SAMPLES)


def test_init_writes_a_profile_that_validates_and_refuses_to_overwrite(tmp_path):
    target = tmp_path / "x.yaml"
    code, _ = run("init", str(target))
    assert code == 0 and target.is_file()
    assert "# " in target.read_text("utf-8")              # commented for the consultant
    code, out = run("validate", str(target))
    assert code == 0, out
    target.write_text("mine", "utf-8")
    code, out = run("init", str(target))
    assert code == 2 and target.read_text("utf-8") == "mine"


def test_invalid_profile_exit_3_without_traceback_and_writes_nothing(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("company:\n  name: 某公司\nrole: maker\n", "utf-8")
    out_dir = tmp_path / "kit"
    proc = subprocess.run([sys.executable, "-m", "kitgen.cli.main", "build", str(bad), "-o", str(out_dir)],
                          capture_output=True, text=True)
    assert proc.returncode == 3
    assert "Traceback" not in proc.stderr + proc.stdout
    assert "bad.yaml:3: role:" in proc.stderr and "producer" in proc.stderr
    assert not out_dir.exists()


def test_catalog_shows_the_tree_with_provenance():
    code, out = run("catalog")
    assert code == 0
    assert "一级 3 项 / 二级 15 项 / 三级 52 项" in out
    assert "5.1.2.2 售后服务管理师配置" in out and "[confirmed]" in out and "[reconstructed]" in out
    code, out = run("catalog", "--json")
    data = json.loads(out)
    levels = [i["level"] for i in data["indicators"]]
    assert (levels.count(1), levels.count(2), levels.count(3)) == (3, 15, 52)
    assert all(i["provenance"] in ("confirmed", "likely", "reconstructed") for i in data["indicators"])


def test_broken_custom_catalog_is_rejected(tmp_path):
    cat = tmp_path / "my.yaml"
    cat.write_text(
        "id: x\ntitle: 自定义\nindicators:\n"
        "  - {id: '5.1', level: 1, name: 体系}\n"
        "  - {id: '5.1.1', level: 2, name: 组织, provenance: sure}\n"
        "  - {id: '5.9.1.1', level: 3, parent: '5.9.1', name: 孤儿}\n"
        "  - {id: '5.1.1.1', level: 3, name: 部门, colour: red}\n", "utf-8")
    code, out = run("catalog", "--catalog", str(cat))
    assert code == 3
    assert "my.yaml:5: indicators[1].provenance" in out and "confirmed" in out
    assert "my.yaml:6: indicators[2].parent" in out
    assert "my.yaml:7: indicators[3].colour: 未知的键" in out


def test_custom_catalog_is_used_for_validation(tmp_path):
    cat = tmp_path / "my.yaml"
    cat.write_text("id: x\ntitle: 自定义\nindicators:\n  - {id: '5.1', level: 1, name: 体系}\n"
                   "  - {id: '5.1.1', level: 2, name: 组织}\n  - {id: '5.1.1.1', level: 3, name: 部门}\n", "utf-8")
    profile = tmp_path / "p.yaml"
    profile.write_text((ROOT / "tests/fixtures/good.yaml").read_text("utf-8") +
                       'exclusions:\n  - indicator: "5.2.6"\n    reason: x\n', "utf-8")
    code, out = run("validate", "--catalog", str(cat), str(profile))
    assert code == 3 and "5.2.6" in out and "不存在" in out


def test_industries_lists_the_ten():
    code, out = run("industries")
    assert code == 0
    for ind in ("household_appliances", "furniture", "automotive", "electronics", "machinery",
                "building_materials", "apparel", "food", "software", "general"):
        assert ind in out


def test_version_and_help_document_exit_codes():
    code, out = run("--version")
    assert code == 0 and "kitgen" in out
    code, out = run("--help")
    assert code == 0 and "退出码" in out and "3  配置" in out


def test_usage_error_is_exit_2():
    code, _ = run("build")
    assert code == 2


def test_module_entry_points_reach_every_command(tmp_path):
    """`python -m kitgen …` and `python -m kitgen.cli.main …` are `kitgen …`: every command is
    registered in one place (cli/main.py), not by a side-effect import."""
    for entry in (["-m", "kitgen"], ["-m", "kitgen.cli.main"]):
        proc = subprocess.run([sys.executable, *entry, "check", str(tmp_path)], capture_output=True, text=True,
                              timeout=60)
        assert proc.returncode == 6, proc.stderr           # an empty folder is not a kit
        assert "kit.json" in proc.stderr
        for command in ("validate", "init", "build", "check", "assess", "score", "lint", "catalog", "industries"):
            proc = subprocess.run([sys.executable, *entry, command, "--help"], capture_output=True, text=True,
                                  timeout=60)
            assert proc.returncode == 0 and "Usage:" in proc.stdout, (entry, command, proc.stderr)
