"""Issue 14, items 8 and 9: one table of limits (kitgen/limits.py) shared by validate, build, verify
and check — what validates builds, what builds passes its own check — and every read bounded
before parsing (file sizes, uncompressed sizes, regular files only, outlets_file confined)."""
from __future__ import annotations

import csv
import os
import threading
import time
import zlib
from pathlib import Path

import pytest
from click.testing import CliRunner

import kitgen
from kitgen import limits
from kitgen.cli.main import cli
from kitgen.errors import BuildFailed, InvalidInput
from tests.fixtures import check_kits as K

FIXTURES = Path(__file__).resolve().parent / "fixtures"
GOOD = (FIXTURES / "good.yaml").read_text("utf-8")
NO_OUTLETS = GOOD[:GOOD.index("outlets:")]
LICENSED = FIXTURES / "dossier_licensed.yaml"


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def write(tmp_path: Path, text: str, name: str = "client.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, "utf-8")
    return path


# ------------------------------------------------------------------ 8. one table
def test_the_format_layer_agrees_with_the_table():
    from kitgen.ooxml import docx_text, safe_read, verify, ziputil
    from kitgen.core import outlets_file, yamlsrc
    from kitgen.core import profile
    assert safe_read.MAX_FILE_BYTES == limits.KIT_FILE_MAX_BYTES
    assert safe_read.MAX_MANIFEST_BYTES == limits.MANIFEST_MAX_BYTES
    assert safe_read.MAX_ZIP_ENTRIES == limits.ZIP_MAX_ENTRIES
    assert safe_read.MAX_CENTRAL_DIR == limits.ZIP_MAX_CENTRAL_DIR
    assert safe_read.MAX_MEMBER == limits.ZIP_MAX_MEMBER
    assert safe_read.MAX_TOTAL == limits.ZIP_MAX_TOTAL
    assert safe_read.MAX_RATIO == limits.ZIP_MAX_RATIO
    assert safe_read.RATIO_FLOOR == limits.ZIP_RATIO_FLOOR
    assert verify.MAX_UNCOMPRESSED == docx_text.MAX_UNCOMPRESSED == ziputil.MAX_UNCOMPRESSED == limits.ZIP_MAX_TOTAL
    assert verify.MAX_COMPONENT_BYTES == limits.NAME_MAX_BYTES
    assert yamlsrc.MAX_BYTES == limits.YAML_MAX_BYTES and profile.MAX_TEXT == limits.TEXT_MAX_CHARS
    assert outlets_file.MAX_ROWS == limits.MAX_OUTLETS


def outlets_csv(path: Path, n: int, *, worst: bool = False) -> Path:
    """n outlets; ``worst``: every field at its longest, of the character XML escapes most ('&')."""
    caps = limits.OUTLET_FIELD_MAX_CHARS
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["网点名称", "类型", "直属/委托", "合作单位", "省", "市", "地址", "电话", "人数"])
        for i in range(n):
            if worst:
                tag = f"{i:06d}"
                w.writerow([tag + "&" * (caps["name"] - 6), "服务", "委托", tag + "&" * (caps["partner"] - 6),
                            "&" * caps["province"], "&" * caps["city"], "&" * caps["address"],
                            "&" * caps["phone"], 99999])
            else:
                w.writerow([f"浙江省第{i + 1}号服务网点", "服务", "委托" if i % 3 else "直属",
                            f"浙江合作服务公司{i % 150}" if i % 3 else "", "浙江省", "杭州市", f"某路{i}号",
                            f"0571-{8000000 + i}", 5])
    return path


def big_profile(tmp_path: Path, n: int, worst: bool = False) -> Path:
    outlets_csv(tmp_path / "outlets.csv", n, worst=worst)
    text = LICENSED.read_text("utf-8")
    text = text[:text.index("outlets:")] + "outlets_file: outlets.csv\n" + text[text.index("certifications:"):]
    return write(tmp_path, text, "big.yaml")


def _outlet_files(profile: Path):
    from kitgen.api import load_profile, plan
    from kitgen.kit.publish import produce
    files = produce(plan(load_profile(profile), require_coverage=False))
    return {f.path: f.data for f in files}


def _members(data: bytes) -> dict[str, tuple[int, int]]:
    import io
    import zipfile
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {i.filename: (i.file_size, i.compress_size) for i in zf.infolist()}


def test_the_largest_profile_that_validates_fits_what_check_reads(tmp_path):
    """Two worst-case networks (every outlet field at its longest, all '&', which XML escapes most)
    measure what one more outlet costs in every file of the kit; at the most outlets validate
    accepts, every part and every file must stay under the limits `kitgen check` reads with."""
    from kitgen.core.outlets_file import MAX_ROWS as most          # what validate lets through
    from kitgen.ooxml import safe_read                             # what check reads
    sizes = {}
    for n in (100, 400):
        folder = tmp_path / str(n)
        folder.mkdir()
        sizes[n] = _outlet_files(big_profile(folder, n, worst=True))
    for path, data in sizes[400].items():
        if not path.endswith((".docx", ".xlsx")):
            continue
        small, large = _members(sizes[100][path]), _members(data)
        total = 0
        for member, (size, packed) in large.items():
            per = (size - small[member][0]) / 300
            at_max = size + per * (most - 400)
            total += at_max
            assert at_max < safe_read.MAX_MEMBER * 0.9, (path, member, per, at_max)
            if at_max > safe_read.RATIO_FLOOR and per > 0:
                packed_per = max((packed - small[member][1]) / 300, 1e-9)
                assert per / packed_per < safe_read.MAX_RATIO * 0.8, (path, member, per / packed_per)
        assert total < safe_read.MAX_TOTAL * 0.9, (path, total)
        file_per = (len(data) - len(sizes[100][path])) / 300
        assert len(data) + file_per * (most - 400) < safe_read.MAX_FILE_BYTES * 0.5, path


@pytest.mark.slow
def test_a_kit_at_the_maximum_outlet_count_builds_and_passes_its_own_check(tmp_path):
    profile = big_profile(tmp_path, limits.MAX_OUTLETS)
    start = time.perf_counter()
    result = run("build", profile, "-o", tmp_path / "kit")
    built = time.perf_counter() - start
    assert result.exit_code == 0, result.output
    from kitgen.kit.check import check_kit
    report = check_kit(tmp_path / "kit")
    assert not [f for f in report.findings if f.kind in ("unreadable", "missing", "manifest")], report.findings
    assert built < 600


def test_one_outlet_over_the_limit_is_refused_by_validate(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "MAX_OUTLETS", 3)
    outlets_csv(tmp_path / "o.csv", 4)
    msgs = [str(p) for p in pytest.raises(InvalidInput, kitgen.load_profile,
                                         write(tmp_path, NO_OUTLETS + "outlets_file: o.csv\n")).value.problems]
    assert any("超过" in m and "3" in m for m in msgs)
    yaml_outlets = "".join(f"  - name: 网点{i}\n" for i in range(4))
    msgs = [str(p) for p in pytest.raises(InvalidInput, kitgen.load_profile,
                                         write(tmp_path, NO_OUTLETS + "outlets:\n" + yaml_outlets)).value.problems]
    assert any("outlets" in m and "超过上限 3" in m for m in msgs)


@pytest.mark.parametrize("key,count", [("products", limits.MAX_PRODUCTS + 1), ("honors", limits.MAX_LIST_ITEMS + 1)])
def test_too_many_products_or_honours_are_refused(tmp_path, key, count):
    items = "".join(f"  - name: 商品{i}\n" if key == "products" else f"  - 荣誉{i}\n" for i in range(count))
    text = GOOD.replace("products:\n  - name: 家用空调\n    warranty_months: 12\n", "") if key == "products" else GOOD
    msgs = [str(p) for p in pytest.raises(InvalidInput, kitgen.load_profile,
                                         write(tmp_path, text + f"{key}:\n" + items)).value.problems]
    assert any(key in m and "超过上限" in m for m in msgs)


def test_an_outlet_field_longer_than_its_limit_is_refused(tmp_path):
    text = GOOD.replace("name: 杭州服务中心", "name: " + "杭" * (limits.OUTLET_FIELD_MAX_CHARS["name"] + 1))
    msgs = [str(p) for p in pytest.raises(InvalidInput, kitgen.load_profile, write(tmp_path, text)).value.problems]
    assert len(msgs) == 1 and "outlets[0].name" in msgs[0] and "过长" in msgs[0]


def test_the_build_refuses_to_write_what_check_would_call_a_zip_bomb(monkeypatch):
    from kitgen.kit.verify import verify_files
    from kitgen.ooxml import safe_read
    files, data = K.produced(str(FIXTURES / "good.yaml"))
    monkeypatch.setattr(safe_read, "MAX_MEMBER", 1000)
    with pytest.raises(BuildFailed, match="kitgen check"):
        verify_files(files)


# ------------------------------------------------------------------ 9. bounded reads
@pytest.mark.parametrize("args", [["validate", "/dev/zero"], ["validate", "{good}", "--catalog", "/dev/zero"],
                                  ["score", "/dev/zero"], ["build", "/dev/zero", "-o", "{tmp}/k"]])
def test_devices_are_refused_at_once(tmp_path, args):
    good = write(tmp_path, GOOD)
    args = [a.format(good=good, tmp=tmp_path) for a in args]
    start = time.perf_counter()
    result = run(*args)
    assert result.exit_code == 3, result.output
    assert "不是普通文件" in result.output and time.perf_counter() - start < 5


@pytest.mark.parametrize("which", ["profile", "outlets", "score", "catalog"])
def test_a_fifo_is_refused_without_waiting(tmp_path, which):
    fifo = tmp_path / ("o.csv" if which == "outlets" else "fifo.yaml")
    os.mkfifo(fifo)
    good = write(tmp_path, NO_OUTLETS + "outlets_file: o.csv\n" if which == "outlets" else GOOD)
    args = {"profile": ["validate", fifo], "outlets": ["validate", good], "score": ["score", fifo],
            "catalog": ["validate", good, "--catalog", fifo]}[which]
    box = {}
    t = threading.Thread(target=lambda: box.setdefault("r", run(*args)), daemon=True)
    t.start()
    t.join(10)
    assert not t.is_alive(), "kitgen waited on a FIFO"
    assert box["r"].exit_code == 3 and "不是普通文件" in box["r"].output


def spaces_xlsx(path: Path, megabytes: int) -> Path:
    """A real .xlsx (a few KB per MiB) whose address cell holds `megabytes` MiB of spaces."""
    from openpyxl import Workbook
    import zipfile
    import io
    wb = Workbook()
    ws = wb.active
    ws.append(["网点名称", "地址"])
    ws.append(["杭州", "SPACES"])
    buf = io.BytesIO()
    wb.save(buf)
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as zf:
        entries = {n: zf.read(n) for n in zf.namelist()}
    part = next(n for n, d in entries.items() if b"SPACES" in d)
    head, tail = entries[part].split(b"SPACES")
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = c.compress(head) + c.flush(zlib.Z_FULL_FLUSH)
    c2 = zlib.compressobj(9, zlib.DEFLATED, -15)
    chunk = c2.compress(b" " * (1 << 20)) + c2.flush(zlib.Z_FULL_FLUSH)
    c3 = zlib.compressobj(9, zlib.DEFLATED, -15)
    last = c3.compress(tail) + c3.flush(zlib.Z_FINISH)
    crc = zlib.crc32(head)
    mib = b" " * (1 << 20)
    for _ in range(megabytes):
        crc = zlib.crc32(mib, crc)
    crc = zlib.crc32(tail, crc)
    raw = [(n, d, zlib.crc32(d), len(d), 0) for n, d in entries.items() if n != part]
    raw.append((part, first + chunk * megabytes + last, crc, len(head) + len(tail) + (megabytes << 20), 8))
    path.write_bytes(K.raw_zip(raw))
    return path


def test_an_outlet_workbook_inflating_to_gigabytes_is_refused_before_it_is_inflated(tmp_path):
    spaces_xlsx(tmp_path / "o.xlsx", 1536)
    assert (tmp_path / "o.xlsx").stat().st_size < 4 * 1024 * 1024
    import tracemalloc
    tracemalloc.start()
    start = time.perf_counter()
    result = run("validate", write(tmp_path, NO_OUTLETS + "outlets_file: o.xlsx\n"))
    elapsed = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert result.exit_code == 3 and "o.xlsx" in result.output, result.output
    assert elapsed < 5 and peak < 64 * 1024 * 1024


def test_an_outlet_workbook_under_the_caps_is_streamed(tmp_path, monkeypatch):
    """Within the declared-size caps, the sheet is streamed (a huge text node is refused by the
    parser) rather than held whole."""
    spaces_xlsx(tmp_path / "o.xlsx", 24)
    result = run("validate", write(tmp_path, NO_OUTLETS + "outlets_file: o.xlsx\n"))
    assert result.exit_code == 3 and "o.xlsx" in result.output and "内部错误" not in result.output


def test_a_huge_csv_is_refused_before_it_is_read(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "OUTLETS_FILE_MAX_BYTES", 1024 * 1024)
    (tmp_path / "o.csv").write_bytes("网点名称\n杭州".encode() + b" " * (2 * 1024 * 1024) + b"\n")
    result = run("validate", write(tmp_path, NO_OUTLETS + "outlets_file: o.csv\n"))
    assert result.exit_code == 3 and "文件过大" in result.output


def test_outlets_file_is_confined_to_the_profiles_folder(tmp_path):
    secret = tmp_path / "secret"
    secret.mkdir()
    outlets_csv(secret / "o.csv", 2)
    client = tmp_path / "client"
    client.mkdir()
    (client / "link.csv").symlink_to(secret / "o.csv")
    for ref in ("../secret/o.csv", str(secret / "o.csv"), "link.csv"):
        path = write(client, NO_OUTLETS + f"outlets_file: {ref}\n")
        result = run("validate", path)
        assert result.exit_code == 3 and "不在配置文件所在的文件夹" in result.output, (ref, result.output)
        assert "--outlets-anywhere" in result.output
        assert run("validate", "-q", path, "--outlets-anywhere").exit_code == 0
    (client / "sub").mkdir()
    outlets_csv(client / "sub" / "o.csv", 2)
    assert run("validate", "-q", write(client, NO_OUTLETS + "outlets_file: sub/o.csv\n")).exit_code == 0
