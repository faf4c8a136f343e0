"""Kits of every industry pack, built once per test session, and the text measures the pack tests use."""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import kitgen
from kitgen.core.industries import load_industries, packs_dir
from kitgen.ooxml import model as m

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "packs"

# the sample (or fixture) profile that shows each pack
SAMPLES = {
    "household_appliances": ROOT / "samples" / "appliance-producer.yaml",
    "automotive": ROOT / "samples" / "auto-dealer.yaml",
    "electronics": ROOT / "samples" / "electronics-retailer.yaml",
    "furniture": ROOT / "samples" / "furniture-xlsx.yaml",
    "software": ROOT / "samples" / "software-company.yaml",
    "machinery": ROOT / "samples" / "crane-maker.yaml",
}

# the documents that face the trade (delivery/deployment, repair/support, quality guarantee,
# recycling, product information) — plus every record form and every document a pack adds
FACING = ("proc-delivery", "proc-repair", "proc-support", "proc-quality", "proc-recycling", "proc-info")


def pack_ids() -> list[str]:
    return sorted(p.name for p in packs_dir().iterdir() if (p / "pack.yaml").is_file())


def profile_for(pack: str) -> Path:
    return SAMPLES.get(pack) or FIXTURES / f"{pack}.yaml"


@lru_cache(maxsize=None)
def pack_plan(pack: str):
    return kitgen.plan(kitgen.load_profile(profile_for(pack)))


@lru_cache(maxsize=None)
def pack_kit(pack: str, out: Path) -> Path:
    kitgen.build(profile_for(pack), out / pack)
    return out / pack


def block_texts(doc: m.Document) -> list[str]:
    out: list[str] = []
    for b in doc.blocks:
        if isinstance(b, m.Heading):
            out.append(b.text)
        elif isinstance(b, m.Paragraph):
            out.append(b.text)
        elif isinstance(b, m.BulletList):
            out.extend(b.items)
        elif isinstance(b, m.Table):
            out.extend(str(c) for c in b.header)
            out.extend(str(c) for row in b.rows for c in row)
    return out


def facing_texts(plan) -> list[str]:
    """The text of the trade-facing documents and all record forms, composed in memory."""
    from kitgen.render.compose import compose_doc, compose_form
    from kitgen.render.dossier import gen_extras
    pack_root = packs_dir() / plan.industry.id / "clauses"
    generic = set()
    from kitgen.core.clauses import load_library
    generic = set(load_library([]).docs)
    texts: list[str] = []
    extras = gen_extras(plan)
    for d in plan.docs.values():
        if d.id in FACING or (d.id not in generic and pack_root.is_dir()):
            texts += block_texts(compose_doc(plan, d, extras))
    for f in plan.forms.values():
        if _management_form(f) and f.procedure not in FACING:
            continue
        texts += block_texts(compose_form(plan, f))
    return texts


def _management_form(f) -> bool:
    """A generic form of the management system (library/clauses/forms/*.yaml: appointment letters,
    review, training, supervision registers …) — the same in every trade by design, so not part of
    the trade-facing text; forms.yaml's forms and every pack's forms still count."""
    where = f.definition.loc.file.replace("\\", "/")
    return "/forms/" in where and "packs/" not in where


_SPLIT = re.compile(r"[。；！？\n]+")
_NUMBERS = re.compile(r"[0-9０-９]+(?:[.．][0-9]+)?")
_DOCNO = re.compile(r"[A-Za-z]*/?SH-[A-Z]+-?[A-Z0-9]*")


def masked_sentences(plan) -> set[str]:
    """Sentences of the trade-facing text with names, numbers and the trade's nouns masked."""
    p, ctx = plan.profile, plan.ctx
    ind = plan.industry
    nouns = {p.company.name, p.company.short_name or "", ind.name, ind.product_noun, ind.customer,
             *ind.terms.values(), *(pr.name for pr in p.products), *(pr.category or "" for pr in p.products),
             *ctx["dept_list"], *(o.name for o in p.outlets), *(o.partner or "" for o in p.outlets),
             p.service.manager or "", p.service.hotline or ""}
    nouns = sorted((n for n in nouns if n and len(n) >= 2), key=len, reverse=True)
    out: set[str] = set()
    for text in facing_texts(plan):
        for s in _SPLIT.split(text):
            for n in nouns:
                s = s.replace(n, "〈名〉")
            s = _NUMBERS.sub("#", _DOCNO.sub("〈号〉", s))
            s = re.sub(r"\s+", "", s)
            if len(s) >= 8:
                out.add(s)
    return out


def shared_share(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a) if a else 0.0


def all_department_names() -> set[str]:
    """Every department name any pack's model or any sample names: the vocabulary a kit is checked against."""
    import yaml
    names: set[str] = set()
    for ind in load_industries().values():
        for model in ind.departments.values():
            names.update(n for n in model.values() if n)
    for sample in (ROOT / "samples").glob("*.yaml"):
        data = yaml.safe_load(sample.read_text("utf-8")) or {}
        names.update(str(v) for v in (data.get("departments") or {}).values() if v)
        svc = (data.get("service") or {}).get("department")
        if svc:
            names.add(str(svc))
    return names
