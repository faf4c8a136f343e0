"""Publish a plan as a kit folder: every publisher's files, verified, then written with kit.json last.

Each publisher (kitgen.render.*) turns the plan into OutputFiles (path, metadata, bytes); nothing
touches the destination until every file has been produced and checked, so a failure leaves no
half-kit. This module only orchestrates: it passes publishers what they need and writes what they
return (kitgen.kit.kitdir).
"""
from __future__ import annotations

from collections import Counter
from pathlib import Path

from kitgen.core.plan import Plan
from kitgen.kit.manifest import BuildResult, manifest, manifest_bytes
from kitgen.render.output import OutputFile

__all__ = ["BuildResult", "OutputFile", "manifest", "manifest_bytes", "produce", "publish"]


def publish_documents(plan: Plan) -> list[OutputFile]:
    from kitgen.render.documents import document_files
    return document_files(plan)


def publish_matrix(plan: Plan) -> list[OutputFile]:
    from kitgen.render.matrix import matrix_files
    return matrix_files(plan)


def publish_dossier(plan: Plan, files_so_far: list[OutputFile]) -> list[OutputFile]:
    from kitgen.render.dossier import dossier_files
    return dossier_files(plan, files_so_far)


def produce(plan: Plan) -> list[OutputFile]:
    from kitgen.content.overlay import house_template
    from kitgen.render.word import house_style
    with house_style(house_template(getattr(plan, "overlays", None))):   # every .docx on the house style
        files = publish_documents(plan)
        files += publish_matrix(plan)
        files += publish_dossier(plan, files)
    files.append(publish_questionnaire(plan, files))
    return files


def fill_in_counts(files: list[OutputFile]) -> dict[str, Counter]:
    """kit path → placeholder label → count, read from the bytes each publisher produced."""
    from kitgen.ooxml.fillins import count_fill_ins
    out: dict[str, Counter] = {}
    for f in files:
        found = count_fill_ins(f.data, "." + f.path.rsplit(".", 1)[-1]) if "." in f.path else Counter()
        if found:
            out[f.path] = found
    return out


def publish_questionnaire(plan: Plan, files: list[OutputFile]) -> OutputFile:
    from kitgen.render.questionnaire import questionnaire_file
    counts = fill_in_counts(files)
    out, rows = questionnaire_file(plan, counts)
    keys = {row["label"]: row["key"] for row in rows}
    for f in files:                        # kit.json: each file's placeholders by key (check reads these)
        f.fill_ins = {keys.get(label, label): n for label, n in sorted(counts.get(f.path, Counter()).items())}
    plan.__dict__["_questions"] = rows
    return out


def publish(plan: Plan, out_dir: Path, *, force: bool = False, make_zip: bool = False) -> BuildResult:
    from kitgen.kit.kitdir import write_kit
    from kitgen.kit.verify import verify_files
    from kitgen.render.dossier import dossier_manifest
    files = produce(plan)
    data = manifest(plan, files, dossier_manifest(plan, files))
    verify_files(files, manifest_bytes(data))     # every file re-opened and checked before anything is written
    result = write_kit(out_dir, files, data, force=force, make_zip=make_zip)
    result.warnings = list(getattr(plan.profile, "warnings", []) or [])
    return result
