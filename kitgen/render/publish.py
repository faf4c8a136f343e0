"""Publish a plan as a kit folder: every output file, then kit.json last.

Each publisher turns the plan into OutputFiles (path, metadata, bytes); nothing touches the
destination until every file has been produced and checked, so a failure leaves no half-kit.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import kitgen
from kitgen.core.plan import Plan


@dataclass
class OutputFile:
    path: str                    # relative to the kit folder, "/" separated
    kind: str                    # manual | procedure | rule | form | checklist | application | dossier | matrix
    title: str
    data: bytes
    number: str = ""
    indicators: list[str] = field(default_factory=list)
    dossier_item: int | None = None

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass
class BuildResult:
    out_dir: Path
    files: list[OutputFile]
    kept: list[str] = field(default_factory=list)        # company-edited files left untouched
    new_versions: list[str] = field(default_factory=list)  # where the new version of a kept file went
    zip_path: Path | None = None
    manifest: dict = field(default_factory=dict)


def publish_documents(plan: Plan) -> list[OutputFile]:
    from kitgen.render.compose import compose_doc, compose_form
    from kitgen.render.docx_writer import write_docx
    out = []
    extras = _gen_extras(plan)
    for pdoc in plan.docs.values():
        doc = compose_doc(plan, pdoc, extras)
        out.append(OutputFile(pdoc.path, pdoc.kind, pdoc.title, write_docx(doc), pdoc.number, list(pdoc.indicators)))
    for pf in plan.forms.values():
        doc = compose_form(plan, pf)
        out.append(OutputFile(pf.path, "form", pf.title, write_docx(doc), pf.number, list(pf.indicators)))
    return out


def _gen_extras(plan: Plan) -> dict[str, Callable]:
    """Generated blocks provided by other publishers (e.g. the org chart picture of the dossier)."""
    from kitgen.render.dossier import gen_extras
    return gen_extras(plan)


def publish_matrix(plan: Plan) -> list[OutputFile]:
    from kitgen.render.matrix import matrix_files
    return matrix_files(plan)


def publish_dossier(plan: Plan, files_so_far: list[OutputFile]) -> list[OutputFile]:
    from kitgen.render.dossier import dossier_files
    return dossier_files(plan, files_so_far)


def produce(plan: Plan) -> list[OutputFile]:
    from kitgen.overlay import house_template
    from kitgen.render.docx_writer import house_style
    with house_style(house_template(getattr(plan, "overlays", None))):   # every .docx on the house style
        files = publish_documents(plan)
        files += publish_matrix(plan)
        files += publish_dossier(plan, files)
    return files


def manifest(plan: Plan, files: list[OutputFile], dossier: list[dict] | None = None) -> dict:
    p = plan.profile
    cat = plan.catalog
    by_ind: dict[str, list[str]] = {}
    for f in files:
        if f.kind in ("manual", "procedure", "rule", "form"):
            for i in f.indicators:
                by_ind.setdefault(i, []).append(f.path)
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
        "kitgen": kitgen.__version__,
        "catalog": {"id": cat.id, "title": cat.title, "points_provisional": cat.points_provisional},
        "profile": {"company": p.company.name, "role": p.role, "industry": p.industry, "sha256": p.sha256,
                    "network_mode": plan.ctx["net"]["mode"], "outlets": plan.ctx["net"]["total"]},
        "files": [{"path": f.path, "kind": f.kind, "title": f.title, "number": f.number,
                   "indicators": f.indicators, "sha256": f.sha256} for f in files],
        "indicators": indicators,
        "dossier": dossier or [],
    }
    overlays = getattr(plan, "overlays", None)
    if overlays:                       # which consultancy folders made this kit (name, origin, content hash)
        from kitgen.overlay import fingerprint
        data["overlays"] = fingerprint(overlays)
    return data


def publish(plan: Plan, out_dir: Path, *, force: bool = False, make_zip: bool = False) -> BuildResult:
    from kitgen.render.kitdir import write_kit
    files = produce(plan)
    from kitgen.render.dossier import dossier_manifest
    data = manifest(plan, files, dossier_manifest(plan, files))
    from kitgen.verify import verify_files
    verify_files(files, manifest_bytes(data))     # every file re-opened and checked before anything is written
    return write_kit(out_dir, files, data, force=force, make_zip=make_zip)


def manifest_bytes(data: dict) -> bytes:
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
