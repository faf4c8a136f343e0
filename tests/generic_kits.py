"""Kits of the samples (and of a few variants), built once per test session, and their documents' text —
for the tests of the generic library: consistency, reader bugs, tool names, trade words, counts.

``generic_kit(name)`` builds a sample's profile on the generic library alone: its pack's terms,
departments, statutory facts and defaults, but none of its clauses — the text every trade gets from
library/clauses where its pack does not replace it. ``sample_kit(name)`` is the kit as shipped."""
from __future__ import annotations

import json
import re
import tempfile
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

import yaml

import kitgen
from kitgen.ooxml.docx_text import docx_text

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = {p.stem: p for p in sorted((ROOT / "samples").glob("*.yaml"))}
SPARSE = ROOT / "tests" / "fixtures" / "sparse-furniture.yaml"
_OUT = Path(tempfile.mkdtemp(prefix="kitgen-generic-"))


@contextmanager
def generic_library_only():
    """Builds inside use library/clauses only: the industry pack's clause folder is not stacked."""
    import kitgen.content.overlay as overlay
    original = overlay.clause_roots
    overlay.clause_roots = lambda overlays, industry=None: original(overlays, None)
    try:
        yield
    finally:
        overlay.clause_roots = original


@lru_cache(maxsize=None)
def sample_kit(name: str) -> Path:
    """A sample's kit as shipped (name = samples/<name>.yaml, or "sparse-furniture")."""
    profile = SPARSE if name == "sparse-furniture" else SAMPLES[name]
    out = _OUT / name
    kitgen.build(profile, out)
    return out


@lru_cache(maxsize=None)
def generic_kit(name: str) -> Path:
    """A sample's profile built on the generic library alone."""
    profile = SPARSE if name == "sparse-furniture" else SAMPLES[name]
    out = _OUT / f"generic-{name}"
    with generic_library_only():
        kitgen.build(profile, out)
    return out


def variant_kit(name: str, base: str, **changes) -> Path:
    """A sample with top-level keys of its profile replaced (answers, documents, departments …),
    built on the generic library alone."""
    return _variant(name, base, json.dumps(changes, ensure_ascii=False, sort_keys=True))


@lru_cache(maxsize=None)
def _variant(name: str, base: str, changes_json: str) -> Path:
    src = SPARSE if base == "sparse-furniture" else SAMPLES[base]
    data = yaml.safe_load(src.read_text("utf-8"))
    for key, value in json.loads(changes_json).items():
        if isinstance(value, dict) and isinstance(data.get(key), dict):
            data[key] = {**data[key], **value}
        else:
            data[key] = value
    folder = _OUT / f"profile-{name}"
    folder.mkdir(parents=True, exist_ok=True)
    for extra in src.parent.glob(f"{src.stem.split('-')[0]}*"):      # outlet files beside the sample
        if extra.suffix in (".xlsx", ".csv") and not (folder / extra.name).exists():
            (folder / extra.name).write_bytes(extra.read_bytes())
    profile = folder / "profile.yaml"
    profile.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    out = _OUT / name
    with generic_library_only():
        kitgen.build(profile, out)
    return out


@lru_cache(maxsize=None)
def texts(kit: Path) -> dict[str, str]:
    """Kit path → the document's text (every .docx of the kit)."""
    return {p.relative_to(kit).as_posix(): docx_text(p) for p in sorted(kit.rglob("*.docx"))}


def doc(kit: Path, starts: str) -> str:
    """The text of the one document whose kit path (or file name) starts with ``starts``."""
    found = [t for path, t in texts(kit).items() if path.startswith(starts) or path.rsplit("/", 1)[-1].startswith(starts)]
    assert len(found) == 1, f"{starts}: {len(found)} documents in {kit.name}"
    return found[0]


def questions(kit: Path) -> list[dict]:
    return json.loads((kit / "kit.json").read_text("utf-8"))["questions"]


def open_counts(kit: Path) -> tuple[int, int]:
    """(questions still asked, placeholders printed for them) — issue 12's measure."""
    ask = [q for q in questions(kit) if q["status"] == "ask"]
    return len(ask), sum(q["count"] for q in ask)


FILL_IN = re.compile(r"【[^【】]*】")


def without_fill_ins(text: str) -> str:
    return FILL_IN.sub("【】", text)
