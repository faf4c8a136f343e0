"""Publish a plan as a kit folder: every publisher's files, verified, then written with kit.json last.

Each publisher (kitgen.render.*) turns the plan into OutputFiles (path, metadata, bytes); nothing
touches the destination until every file has been produced and checked, so a failure leaves no
half-kit. This module only orchestrates: it passes publishers what they need and writes what they
return (kitgen.kit.kitdir).
"""
from __future__ import annotations

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
    return files


def publish(plan: Plan, out_dir: Path, *, force: bool = False, make_zip: bool = False) -> BuildResult:
    from kitgen.kit.kitdir import write_kit
    from kitgen.kit.verify import verify_files
    from kitgen.render.dossier import dossier_manifest
    files = produce(plan)
    data = manifest(plan, files, dossier_manifest(plan, files))
    verify_files(files, manifest_bytes(data))     # every file re-opened and checked before anything is written
    return write_kit(out_dir, files, data, force=force, make_zip=make_zip)
