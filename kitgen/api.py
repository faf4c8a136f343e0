"""The library's front door: load a profile, plan a kit, build it. No click, no printing."""
from __future__ import annotations

import hashlib
from pathlib import Path

from kitgen.core import yamlsrc
from kitgen.core.catalog import Catalog, load_catalog
from kitgen.core.industries import load_industries
from kitgen.core.profile import Profile, read_profile
from kitgen.errors import InvalidInput


def load_profile(path: str | Path, catalog: Catalog | Path | None = None) -> Profile:
    """Read and validate a profile; raises InvalidInput carrying every problem found."""
    path = Path(path)
    cat = catalog if isinstance(catalog, Catalog) else load_catalog(catalog)
    src = yamlsrc.load(path, display=str(path))
    industries = load_industries()

    def outlets(rel: str, checker):
        from kitgen.core.outlets_file import load_outlets_file
        return load_outlets_file(rel, checker, path.parent)

    profile = read_profile(src, industry_ids={k: v.name for k, v in industries.items()},
                           indicator_rule=cat.deletion_refusal, outlet_loader=outlets)
    profile.source_path = path
    digest = hashlib.sha256(path.read_bytes())
    if profile.outlets_file:
        digest.update((path.parent / profile.outlets_file).read_bytes())
    profile.sha256 = digest.hexdigest()
    return profile


def plan(profile: Profile, catalog: Catalog | Path | None = None, overlays: list[Path] | None = None, *,
         require_coverage: bool = True):
    """Decide the kit's contents (kitgen.core.plan.Plan) without writing anything."""
    from kitgen.core.clauses import load_library
    from kitgen.core.plan import make_plan
    cat = catalog if isinstance(catalog, Catalog) else load_catalog(catalog)
    industry = load_industries()[profile.industry]
    return make_plan(profile, industry, cat, load_library(overlays), require_coverage=require_coverage)


def build(profile_path: str | Path, out_dir: str | Path, *, catalog: Path | None = None,
          overlays: list[Path] | None = None, force: bool = False, make_zip: bool = False):
    """Validate, plan and write a kit into out_dir; returns kitgen.render.publish.BuildResult."""
    from kitgen.render.publish import publish
    cat = load_catalog(catalog)
    profile = load_profile(profile_path, cat)
    the_plan = plan(profile, cat, overlays)
    return publish(the_plan, Path(out_dir), force=force, make_zip=make_zip)


__all__ = ["load_profile", "plan", "build", "InvalidInput"]
