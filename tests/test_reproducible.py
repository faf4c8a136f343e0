"""Reproducible builds (issue 6): the same profile, overlay and kitgen version give byte-identical
files, whatever the process (hash seed), the time zone, the output folder or the day; with
SOURCE_DATE_EPOCH set every zip entry carries that time, and two such builds are identical too.

Builds run in fresh interpreters with different PYTHONHASHSEED values: a set or dict of strings
iterated into a document would show here and not in an in-process comparison.
"""
from __future__ import annotations

import datetime as dt
import io
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = sorted((ROOT / "samples").glob("*.yaml"))
FIXTURES = ROOT / "tests" / "fixtures"
OVERLAY = FIXTURES / "overlay_replace"

# builds every (profile, out[, overlay]) triple given as arguments, in this one process
_BUILDER = """
import sys, kitgen
args = sys.argv[1:]
for prof, out, overlay in zip(args[0::3], args[1::3], args[2::3]):
    kitgen.build(prof, out, overlays=[overlay] if overlay != "-" else None, auto_overlays=False)
"""


def run_builds(jobs: list[tuple[Path, Path, Path | None]], **env_extra: str) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("SOURCE_DATE_EPOCH", "PYTHONHASHSEED", "TZ")}
    env.update(env_extra)
    args = [str(a) if a is not None else "-" for job in jobs for a in job]
    proc = subprocess.run([sys.executable, "-c", _BUILDER, *args], env=env, capture_output=True, text=True,
                          cwd=ROOT, timeout=600, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]


def kit_files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def zip_diff(a: bytes, b: bytes) -> str:
    """Which entries of two zips differ (for the failure message)."""
    try:
        za, zb = zipfile.ZipFile(io.BytesIO(a)), zipfile.ZipFile(io.BytesIO(b))
    except zipfile.BadZipFile:
        return "(not zips)"
    names_a, names_b = [i.filename for i in za.infolist()], [i.filename for i in zb.infolist()]
    if names_a != names_b:
        return f"entry order/names differ: {names_a} vs {names_b}"
    out = []
    for ia, ib in zip(za.infolist(), zb.infolist(), strict=True):
        if ia.date_time != ib.date_time:
            out.append(f"{ia.filename}: stamp {ia.date_time} vs {ib.date_time}")
        da, db = za.read(ia), zb.read(ib)
        if da != db:
            k = next(i for i in range(min(len(da), len(db)) + 1) if da[i:i + 1] != db[i:i + 1])
            out.append(f"{ia.filename}: content differs at byte {k}: {da[max(0, k - 60):k + 60]!r} vs "
                       f"{db[max(0, k - 60):k + 60]!r}")
    return "; ".join(out) or "(same entries; zip metadata differs)"


def assert_identical(a: Path, b: Path) -> None:
    fa, fb = kit_files(a), kit_files(b)
    assert sorted(fa) == sorted(fb), set(fa) ^ set(fb)
    assert "kit.json" in fa
    different = [name for name in fa if fa[name] != fb[name]]
    details = [f"{name}: {zip_diff(fa[name], fb[name])}" for name in different[:3]]
    assert not different, f"{len(different)} files differ:\n" + "\n".join(details)


def zip_stamps(root: Path) -> set[tuple]:
    stamps = set()
    for p in root.rglob("*"):
        if p.suffix in (".docx", ".xlsx"):
            with zipfile.ZipFile(p) as zf:
                stamps |= {i.date_time for i in zf.infolist()}
    return stamps


@pytest.fixture(scope="module")
def house(tmp_path_factory) -> Path:
    """An overlay holding only a house style (reference document with logo and cover)."""
    from tests.test_overlay import make_reference_doc
    root = tmp_path_factory.mktemp("house")
    (root / "templates").mkdir()
    make_reference_doc(root / "templates" / "base.docx")
    return root


def _jobs(base: Path, profiles, house: Path | None = None) -> list[tuple[Path, Path, Path | None]]:
    jobs = [(p, base / p.stem, None) for p in profiles]
    jobs.append((FIXTURES / "good.yaml", base / "good+overlay", OVERLAY))        # an overlay's clauses too
    if house is not None:
        jobs.append((SAMPLES[0], base / "house", house))                          # a house style's logo and cover
    return jobs


@pytest.fixture(scope="module")
def two_builds(tmp_path_factory, house) -> tuple[Path, Path]:
    """Every sample (and overlay builds) built in two processes that differ in hash seed, time
    zone and output folder; the first also builds the appliance sample a second time in-process."""
    a, b = tmp_path_factory.mktemp("build-a"), tmp_path_factory.mktemp("other-place") / "b"
    jobs_a = _jobs(a, SAMPLES, house) + [(SAMPLES[0], a / "again" / SAMPLES[0].stem, None)]
    run_builds(jobs_a, PYTHONHASHSEED="1", TZ="UTC")
    run_builds(_jobs(b, SAMPLES, house), PYTHONHASHSEED="2", TZ="Asia/Shanghai")
    return a, b


@pytest.mark.parametrize("name", [p.stem for p in SAMPLES] + ["good+overlay", "house"])
def test_two_builds_are_byte_identical(two_builds, name):
    a, b = two_builds
    assert_identical(a / name, b / name)


def test_a_second_build_in_the_same_process_is_identical(two_builds):
    a, _ = two_builds
    assert_identical(a / SAMPLES[0].stem, a / "again" / SAMPLES[0].stem)


def test_zip_stamps_are_fixed_and_core_dates_come_from_the_profile(two_builds):
    a, _ = two_builds
    assert zip_stamps(a) == {(1980, 1, 1, 0, 0, 0)}
    today = dt.date.today().isoformat()
    appliance = a / "appliance-producer"
    effective = re.search(r"effective_date:\s*[\"']?(\d{4}-\d{2}-\d{2})", (ROOT / "samples" /
                                                                           "appliance-producer.yaml").read_text("utf-8"))
    assert effective, "the appliance sample sets documents.effective_date"
    seen = 0
    for p in appliance.rglob("*"):
        if p.suffix not in (".docx", ".xlsx"):
            continue
        with zipfile.ZipFile(p) as zf:
            core = zf.read("docProps/core.xml").decode("utf-8")
        dates = set(re.findall(r"(\d{4}-\d{2}-\d{2})T", core))
        assert today not in dates or today == effective.group(1), p
        if "（空白）" not in p.name:               # the blank application form has no company, no date of its own
            assert dates == {effective.group(1)}, (p.name, core)
        seen += 1
    assert seen > 50


def test_source_date_epoch_is_honoured_and_still_reproducible(tmp_path):
    epoch = 1_767_225_600 + 3 * 3600 + 7        # 2026-01-01T03:00:07Z: odd seconds round down (DOS time)
    profiles = [SAMPLES[0], ROOT / "samples" / "furniture-xlsx.yaml"]
    a, b = tmp_path / "a", tmp_path / "b"
    run_builds(_jobs(a, profiles), PYTHONHASHSEED="3", SOURCE_DATE_EPOCH=str(epoch), TZ="UTC")
    run_builds(_jobs(b, profiles), PYTHONHASHSEED="4", SOURCE_DATE_EPOCH=str(epoch), TZ="America/New_York")
    for name in [p.stem for p in profiles] + ["good+overlay"]:
        assert_identical(a / name, b / name)
    assert zip_stamps(a) == {(2026, 1, 1, 3, 0, 6)}


@pytest.mark.parametrize("value", ["", "not-a-number", "-5", "100", "99999999999999"])
def test_a_bad_source_date_epoch_falls_back_to_1980(monkeypatch, value):
    from kitgen.ooxml.ziputil import zip_timestamp
    monkeypatch.setenv("SOURCE_DATE_EPOCH", value)
    assert zip_timestamp() == (1980, 1, 1, 0, 0, 0)


def test_the_application_form_is_normalised(monkeypatch):
    """docxtpl/python-docx output goes through ziputil: fixed stamps, [Content_Types].xml first, and
    core properties from the profile (python-docx would write the current time)."""
    import kitgen
    from kitgen.render.dossier_form import application_form
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    plan = kitgen.plan(kitgen.load_profile(SAMPLES[0]), auto_overlays=False)
    first = application_form(plan, "LS/SH-SQ-00")
    assert application_form(plan, "LS/SH-SQ-00") == first
    for data in first:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
            assert infos[0].filename == "[Content_Types].xml"
            assert {i.date_time for i in infos} == {(2023, 11, 14, 22, 13, 20)}
            core = zf.read("docProps/core.xml").decode("utf-8")
        assert set(re.findall(r"(\d{4}-\d{2}-\d{2})T", core)) <= {"2026-12-01", "2020-01-01"}, core
        assert "<dcterms:modified" in core and "<cp:lastPrinted" in core
