"""`kitgen build a.yaml b.yaml … -o DIR -j N`: each profile into DIR/<stem>, in parallel processes;
one failing profile does not stop the others; a summary; the exit code of the worst."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from kitgen.cli.main import cli
from kitgen.cli.parallel import run_many, worst_code

ROOT = Path(__file__).resolve().parents[2]
GOOD = ROOT / "tests" / "fixtures" / "good.yaml"
SAMPLE = ROOT / "samples" / "appliance-producer.yaml"


def test_three_profiles_two_jobs_one_invalid(tmp_path):
    """Two kits, one clear error naming the bad file and line, exit 3 (invalid input)."""
    src = tmp_path / "profiles"
    src.mkdir()
    shutil.copy(GOOD, src / "alpha.yaml")
    shutil.copy(SAMPLE, src / "lanshu.yaml")
    bad = src / "broken.yaml"
    bad.write_text(GOOD.read_text("utf-8").replace("role: producer", "role: maker"), "utf-8")
    role_line = next(n for n, ln in enumerate(bad.read_text("utf-8").splitlines(), 1) if ln.startswith("role:"))
    out = tmp_path / "kits"
    env = dict(os.environ)
    env.pop("KITGEN_DEBUG", None)
    proc = subprocess.run([sys.executable, "-m", "kitgen.cli.main", "build", str(src / "alpha.yaml"), str(bad),
                           str(src / "lanshu.yaml"), "-o", str(out), "-j", "2"],
                          capture_output=True, text=True, env=env, timeout=300, check=False)
    both = proc.stdout + proc.stderr
    assert proc.returncode == 3, both
    assert "Traceback" not in both
    for stem in ("alpha", "lanshu"):
        manifest = json.loads((out / stem / "kit.json").read_text("utf-8"))
        assert manifest["files"], stem
    assert not (out / "broken").exists()
    # the error names the file and the line, in the consultant's terms
    assert f"{bad}:{role_line}: role:" in proc.stderr
    assert "maker" in proc.stderr and "producer" in proc.stderr
    # not a terminal: one plain line per profile, no bar redrawn with \r
    assert "\r" not in proc.stderr
    assert proc.stderr.count("[") >= 3 and "[3/3]" in proc.stderr
    # the summary: every profile, in the order given, and the totals
    summary = proc.stdout[proc.stdout.index("汇总"):]
    assert summary.index("alpha.yaml") < summary.index("broken.yaml") < summary.index("lanshu.yaml")
    assert "成功 2 个" in summary and "失败 1 个" in summary and "退出码 3" in summary


# ---- the pool itself, with stand-in workers (fast; no kit is built)

def fake_worker(profile, out_dir, catalog, overlays, force, make_zip):
    name = Path(profile).stem
    if name.startswith("invalid"):
        return 3, [], ["输入文件有误（共 1 处）：", f"  {profile}:2: role: 不是可选的企业类型"]
    if name.startswith("buildfail"):
        return 4, [], ["生成失败（共 1 处）：", "  5.2.4.1: 没有条款覆盖"]
    if name.startswith("crash"):
        raise RuntimeError("boom")
    if name.startswith("exit"):
        os._exit(9)                      # the worker process dies
    Path(out_dir).mkdir(parents=True, exist_ok=True)
    return 0, [f"已生成文件包：{out_dir}"], []


def _run(tmp_path, names, jobs, tty=False):
    profiles = [tmp_path / f"{n}.yaml" for n in names]
    return run_many(profiles, tmp_path / "out", None, [], False, False, jobs, fake_worker, tty=tty)


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_failure_does_not_stop_the_others(tmp_path, capsys, jobs):
    code = _run(tmp_path, ["a", "invalid", "b", "c"], jobs)
    out, err = capsys.readouterr()
    assert code == 3
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["a", "b", "c"]
    assert "invalid.yaml:2: role:" in err
    assert "成功 3 个" in out and "失败 1 个" in out
    assert err.count("完成") == 3 and "失败（退出码 3）" in err


def test_worst_exit_code_wins(tmp_path, capsys):
    assert _run(tmp_path, ["invalid", "a", "buildfail"], 2) == 4
    assert _run(tmp_path, ["crash", "invalid", "buildfail"], 2) == 1
    _, err = capsys.readouterr()
    assert "内部错误：RuntimeError: boom" in err
    assert worst_code([0, 3, 4, 1, 0]) == 1
    assert worst_code([0, 3, 2]) == 3
    assert worst_code([0, 0]) == 0
    assert worst_code([]) == 0


def test_a_dead_worker_is_one_failure(tmp_path, capsys):
    """A worker process that dies breaks the whole pool; the others are built again and succeed."""
    code = _run(tmp_path, ["a", "exit", "b", "c", "d"], 2)
    out, err = capsys.readouterr()
    assert code == 1
    assert "exit.yaml（退出码 1）" in out
    assert "意外退出" in err
    assert "成功 4 个" in out and "失败 1 个" in out
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["a", "b", "c", "d"]


def test_progress_bar_on_a_terminal(tmp_path, capsys):
    code = _run(tmp_path, ["a", "b", "invalid"], 2, tty=True)
    _, err = capsys.readouterr()
    assert code == 3
    assert "\r" in err and "3/3" in err and "#" * 24 in err
    assert "[1/3]" not in err                 # no plain lines on a terminal


def test_same_stem_twice_is_a_usage_error(tmp_path):
    (tmp_path / "x").mkdir()
    (tmp_path / "y").mkdir()
    shutil.copy(GOOD, tmp_path / "x" / "client.yaml")
    shutil.copy(GOOD, tmp_path / "y" / "client.yaml")
    result = CliRunner().invoke(cli, ["build", str(tmp_path / "x" / "client.yaml"), str(tmp_path / "y" / "client.yaml"),
                                      "-o", str(tmp_path / "out"), "-j", "2"])
    assert result.exit_code == 2
    assert "同名" in result.output
    assert not (tmp_path / "out").exists()
