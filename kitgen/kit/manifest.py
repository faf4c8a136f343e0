"""kit.json: the machine-readable manifest of a kit (../shared/spec/kit.md), from the plan and the
files the publishers produced."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from kitgen._version import __version__
from kitgen.core.plan import Plan
from kitgen.render.output import OutputFile

MANIFEST = "kit.json"


@dataclass
class BuildResult:
    out_dir: Path
    files: list[OutputFile]
    kept: list[str] = field(default_factory=list)        # company-edited files left untouched
    new_versions: list[str] = field(default_factory=list)  # where the new version of a kept file went
    zip_path: Path | None = None
    manifest: dict = field(default_factory=dict)
    orphans: list[str] = field(default_factory=list)     # edited files the profile no longer generates, kept
    rescued: list[str] = field(default_factory=list)     # files saved while the build ran, kept
    notes: list[str] = field(default_factory=list)       # leftovers of earlier builds, and what was done
    zip_skipped: list[str] = field(default_factory=list)  # links (and other non-files) not put in the zip
    warnings: list = field(default_factory=list)         # the profile's warnings (Problems)


def manifest(plan: Plan, files: list[OutputFile], dossier: list[dict] | None = None) -> dict:
    p = plan.profile
    cat = plan.catalog
    doc_paths = {d.id: d.path for d in plan.docs.values()}
    indicators = []
    for ind in cat.indicators.values():
        deleted = plan.deletions.get(ind.id)
        covering = list(dict.fromkeys(doc_paths[d] for d, _ in plan.coverage.get(ind.id, []) if d in doc_paths))
        forms = [plan.forms[f].path for f in plan.evidence.get(ind.id, [])]
        indicators.append({
            "id": ind.id, "level": ind.level, "name": ind.name,
            "status": "deleted" if deleted else "applicable", "reason": deleted.reason if deleted else None,
            "provenance": ind.provenance, "points": ind.points,
            "files": [] if deleted else covering, "forms": [] if deleted else forms,
        })
    data = {
        "format": 1,
        "kitgen": __version__,
        "catalog": {"id": cat.id, "title": cat.title, "points_provisional": cat.points_provisional},
        "profile": {"company": p.company.name, "role": p.role, "industry": p.industry, "sha256": p.sha256,
                    "network_mode": plan.ctx["net"]["mode"], "outlets": plan.ctx["net"]["total"]},
        "files": [{"path": f.path, "kind": f.kind, "title": f.title, "number": f.number,
                   "indicators": f.indicators, "sha256": f.sha256, **({"fill_ins": f.fill_ins} if f.fill_ins else {})}
                  for f in files],
        "indicators": indicators,
        "dossier": dossier or [],
        "questions": [{"key": q["key"], "label": q["label"], "status": q["status"], "count": q["count"],
                       "question": q["question"]} for q in plan.__dict__.get("_questions", [])],
    }
    overlays = getattr(plan, "overlays", None)
    if overlays:                       # which consultancy folders made this kit (name, origin, content hash)
        from kitgen.content.overlay import fingerprint
        data["overlays"] = fingerprint(overlays)
    return data


def manifest_bytes(data: dict) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def read_manifest(out_dir: Path) -> dict | None:
    """The kit.json of a folder, or None when there is none or it is unreadable (too large, not a
    regular file, not JSON, nested too deeply)."""
    from kitgen.limits import MANIFEST_MAX_BYTES
    from kitgen.ooxml.safe_read import Unreadable, read_regular
    path = out_dir / MANIFEST
    if not path.is_file():
        return None
    try:
        data = json.loads(read_regular(path, MANIFEST_MAX_BYTES).decode("utf-8-sig"))
        return data if isinstance(data, dict) else None
    except (Unreadable, OSError, ValueError, RecursionError):
        return None
