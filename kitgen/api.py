"""The library's front door: load a profile, plan a kit, build it. No click, no printing."""
from __future__ import annotations

import hashlib
from pathlib import Path

from kitgen.core import yamlsrc
from kitgen.core.catalog import Catalog, load_catalog
from kitgen.core.industries import load_industries
from kitgen.core.profile import Profile, read_profile
from kitgen.errors import InvalidInput


def load_profile(path: str | Path, catalog: Catalog | Path | None = None, overlays: list | None = None) -> Profile:
    """Read and validate a profile; raises InvalidInput carrying every problem found.

    ``overlays``: resolved overlays (kitgen.content.overlay.Overlay) whose ``packs/`` add trades;
    by default those found beside the profile."""
    from kitgen.content.overlay import pack_roots, resolve
    path = Path(path)
    cat = catalog if isinstance(catalog, Catalog) else load_catalog(catalog)
    src = yamlsrc.load(path, display=str(path))
    industries = load_industries(pack_roots(resolve(path, []) if overlays is None else overlays))

    def outlets(rel: str, checker):
        from kitgen.core.outlets_file import load_outlets_file
        return load_outlets_file(rel, checker, path.parent)

    profile = read_profile(src, industry_ids={k: v.name for k, v in industries.items()},
                           indicator_rule=cat.deletion_refusal, outlet_loader=outlets)
    profile.source_path = path
    digest = hashlib.sha256(src.raw)
    if profile.outlets_file:
        digest.update((path.parent / profile.outlets_file).read_bytes())
    profile.sha256 = digest.hexdigest()
    return profile


def plan(profile: Profile, catalog: Catalog | Path | None = None, overlays: list | None = None, *,
         require_coverage: bool = True, auto_overlays: bool = True):
    """Decide the kit's contents (kitgen.core.plan.Plan) without writing anything.

    ``overlays``: consultancy folders (Paths, or kitgen.content.overlay.Overlay objects) stacked on the
    bundled library; those next to the profile (kitgen.toml, .kitgen/) come first unless
    ``auto_overlays`` is False. The plan records them as ``plan.overlays`` (templates, house style)."""
    from kitgen.content.overlay import catalog_path, resolve
    ovs = resolve(getattr(profile, "source_path", None), overlays, auto=auto_overlays)
    cat = catalog if isinstance(catalog, Catalog) else load_catalog(catalog_path(ovs, catalog))
    return _plan(profile, cat, ovs, require_coverage=require_coverage)


def _plan(profile: Profile, cat: Catalog, ovs: list, *, require_coverage: bool = True):
    from kitgen.core.clauses import load_library
    from kitgen.core.plan import make_plan
    from kitgen.content.overlay import clause_roots
    industry = load_industries()[profile.industry]
    the_plan = make_plan(profile, industry, cat, load_library(clause_roots(ovs)), require_coverage=require_coverage)
    the_plan.overlays = ovs
    return the_plan


def build(profile_path: str | Path, out_dir: str | Path, *, catalog: Path | None = None,
          overlays: list | None = None, force: bool = False, make_zip: bool = False,
          reference_doc: Path | None = None, auto_overlays: bool = True):
    """Validate, plan and write a kit into out_dir; returns kitgen.kit.publish.BuildResult.

    ``overlays`` as for ``plan``; ``reference_doc`` a house-style .docx applied last (like an
    overlay holding only templates/base.docx). An explicit ``catalog`` wins over an overlay's."""
    from kitgen.content.overlay import catalog_path, house_template, reference_overlay, resolve
    from kitgen.kit.publish import publish
    extra = list(overlays or []) + ([reference_overlay(reference_doc)] if reference_doc else [])
    ovs = resolve(profile_path, extra, auto=auto_overlays)
    house_template(ovs)                # a reference document that cannot be used fails before any work
    cat = load_catalog(catalog_path(ovs, catalog))
    profile = load_profile(profile_path, cat, ovs)
    the_plan = _plan(profile, cat, ovs)
    return publish(the_plan, Path(out_dir), force=force, make_zip=make_zip)


__all__ = ["load_profile", "plan", "build", "InvalidInput"]
