"""The library's front door: load a profile, plan a kit, build it. No click, no printing."""
from __future__ import annotations

import hashlib
from pathlib import Path

from kitgen.core import yamlsrc
from kitgen.core.catalog import Catalog, load_catalog
from kitgen.core.industries import load_industries
from kitgen.core.profile import Profile, read_profile
from kitgen.errors import InvalidInput


def load_profile(path: str | Path, catalog: Catalog | Path | None = None, overlays: list | None = None, *,
                 outlets_anywhere: bool = False) -> Profile:
    """Read and validate a profile; raises InvalidInput carrying every problem found.

    ``overlays``: resolved overlays (kitgen.content.overlay.Overlay) whose ``packs/`` add trades;
    by default those found beside the profile. ``outlets_anywhere``: the consultant allows an
    ``outlets_file`` outside the profile's folder."""
    from kitgen.content.overlay import pack_roots, resolve
    path = Path(path)
    cat = catalog if isinstance(catalog, Catalog) else load_catalog(catalog)
    src = yamlsrc.load(path, display=str(path))
    industries = load_industries(pack_roots(resolve(path, []) if overlays is None else overlays))
    digest = hashlib.sha256(src.raw)

    def outlets(rel: str, checker):
        from kitgen.core.outlets_file import load_outlets_file
        return load_outlets_file(rel, checker, path.parent, anywhere=outlets_anywhere, digest=digest)

    profile = read_profile(src, industry_ids={k: v.name for k, v in industries.items()},
                           indicator_rule=cat.deletion_refusal, outlet_loader=outlets)
    profile.source_path = path
    profile.sha256 = digest.hexdigest()       # the profile's bytes, then the outlets file's as read
    return profile


def plan(profile: Profile, catalog: Catalog | Path | None = None, overlays: list | None = None, *,
         require_coverage: bool = True, auto_overlays: bool = True, answers: Path | None = None):
    """Decide the kit's contents (kitgen.core.plan.Plan) without writing anything.

    ``overlays``: consultancy folders (Paths, or kitgen.content.overlay.Overlay objects) stacked on the
    bundled library; those next to the profile (kitgen.toml, .kitgen/) come first unless
    ``auto_overlays`` is False. The plan records them as ``plan.overlays`` (templates, house style)."""
    from kitgen.content.overlay import catalog_path, resolve
    from kitgen.core.textrender import build_budget
    ovs = resolve(getattr(profile, "source_path", None), overlays, auto=auto_overlays)
    cat = catalog if isinstance(catalog, Catalog) else load_catalog(catalog_path(ovs, catalog))
    with build_budget():
        return _plan(profile, cat, ovs, require_coverage=require_coverage, answers=answers)


def _plan(profile: Profile, cat: Catalog, ovs: list, *, require_coverage: bool = True, answers: Path | None = None):
    from kitgen.content.overlay import clause_roots, pack_roots
    from kitgen.core.clauses import load_library
    from kitgen.core.plan import make_plan
    industry = load_industries(pack_roots(ovs))[profile.industry]
    library = load_library(clause_roots(ovs, industry.id))
    facts = load_fact_book(profile, industry, ovs, answers)
    the_plan = make_plan(profile, industry, cat, library, require_coverage=require_coverage, facts=facts)
    the_plan.overlays = ovs
    return the_plan


def load_fact_book(profile: Profile, industry, ovs: list, answers: Path | None = None):
    """The questions, defaults (library, pack, overlays) and the answers: the profile's
    ``answers_file``, then its ``answers:`` mapping, then ``answers`` (the command line) — a later
    source wins for the same key."""
    from kitgen.core.facts import answers_from_file, answers_from_mapping, fact_roots, load_facts
    from kitgen.core.industries import packs_dir
    from kitgen.errors import Problem
    from kitgen.resources import library_dir
    pack = packs_dir() / industry.id
    raw = []
    base = profile.source_path.parent if profile.source_path else Path(".")
    name = str(profile.source_path) if profile.source_path else "profile"
    if profile.answers_file:
        path = base / profile.answers_file
        try:       # like outlets_file: a profile handed over by a client cannot pull in any file of this machine
            inside = path.resolve().is_relative_to(base.resolve())
        except (OSError, ValueError, RuntimeError):
            inside = False
        if not inside:
            raise InvalidInput([Problem(name, None, "answers_file", f"答案表 “{profile.answers_file}” 不在配置文件所在的文件夹中",
                                        "与配置文件同一文件夹（或其子文件夹）中的答案表；别处的表请用命令行 --answers 给出")])
        if not path.is_file():
            raise InvalidInput([Problem(name, None, "answers_file", f"找不到答案表 {path}",
                                        "相对本配置文件所在文件夹的路径，如 08 待补充信息.xlsx")])
        raw += answers_from_file(path)
    if profile.answers:
        raw += answers_from_mapping(profile.answers, name, lambda p: profile.answer_lines.get(p.split(".", 1)[-1]))
    if answers is not None:
        answers = Path(answers)
        if not answers.is_file():
            raise InvalidInput([Problem(str(answers), None, "", "找不到答案表", "kitgen 生成的 08 待补充信息.xlsx（填好答案列）")])
        raw += answers_from_file(answers)
    return load_facts(fact_roots(library_dir(), industry.id, pack if pack.is_dir() else None, ovs), raw)


def open_facts(profile: Profile, catalog: Catalog, overlays: list | None = None):
    """What a build of ``profile`` would leave open: the questionnaire's unanswered rows (dicts with
    key, label, count, status) and the deletions derived from the profile. Plans and renders the
    kit in memory (nothing is written), so the rows are exactly those a build would ask."""
    from kitgen.kit.publish import produce
    the_plan = plan(profile, catalog, overlays, auto_overlays=overlays is None)
    produce(the_plan)
    rows = [r for r in the_plan.__dict__.get("_questions", []) if r["status"] == "ask"]
    return rows, list(the_plan.deletions.values())


def build(profile_path: str | Path, out_dir: str | Path, *, catalog: Path | None = None,
          overlays: list | None = None, force: bool = False, make_zip: bool = False,
          reference_doc: Path | None = None, auto_overlays: bool = True, answers: Path | None = None,
          outlets_anywhere: bool = False):
    """Validate, plan and write a kit into out_dir; returns kitgen.kit.publish.BuildResult.

    ``overlays`` as for ``plan``; ``reference_doc`` a house-style .docx applied last (like an
    overlay holding only templates/base.docx). An explicit ``catalog`` wins over an overlay's."""
    from kitgen.content.overlay import catalog_path, house_template, reference_overlay, resolve
    from kitgen.kit.kitdir import usable_out_dir
    from kitgen.kit.publish import publish
    usable_out_dir(Path(out_dir))      # -o /, -o ., -o afile/sub: said before any work
    extra = list(overlays or []) + ([reference_overlay(reference_doc)] if reference_doc else [])
    ovs = resolve(profile_path, extra, auto=auto_overlays)
    house_template(ovs)                # a reference document that cannot be used fails before any work
    cat = load_catalog(catalog_path(ovs, catalog))
    profile = load_profile(profile_path, cat, ovs, outlets_anywhere=outlets_anywhere)
    from kitgen.core.textrender import build_budget
    with build_budget():               # every template of this build shares one budget (limits.py)
        the_plan = _plan(profile, cat, ovs, answers=answers)
        return publish(the_plan, Path(out_dir), force=force, make_zip=make_zip)


__all__ = ["load_profile", "plan", "build", "InvalidInput"]
