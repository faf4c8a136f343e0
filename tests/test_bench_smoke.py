"""The benchmark runs (timings are not tests: this only checks that the harness works end to end)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_bench_quick_prints_the_table(tmp_path):
    out_json = tmp_path / "bench.json"
    proc = subprocess.run([sys.executable, str(ROOT / "bench" / "run.py"), "--quick", "--no-node",
                           "--json", str(out_json)],
                          capture_output=True, text=True, timeout=120, cwd=tmp_path, check=False)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    out = proc.stdout
    assert "kitgen benchmark" in out and "machine:" in out
    assert "kitgen --help" in out
    assert "kit: samples/appliance-producer.yaml" in out
    assert "appliance-producer + 100 outlets" in out
    assert "outlet table, Word, 9 columns" in out
    assert "targets" in out
    assert "failures:" not in out
    assert out_json.is_file() and '"table"' in out_json.read_text("utf-8")
