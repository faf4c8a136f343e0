"""The system documents (manual, procedures, rules) and the record forms, as Word files."""
from __future__ import annotations

from kitgen.core.plan import Plan
from kitgen.render.compose import compose_doc, compose_form
from kitgen.render.dossier import gen_extras
from kitgen.render.output import OutputFile
from kitgen.render.word import write_docx


def document_files(plan: Plan) -> list[OutputFile]:
    out = []
    extras = gen_extras(plan)          # generated blocks another publisher draws (the org chart)
    for pdoc in plan.docs.values():
        doc = compose_doc(plan, pdoc, extras)
        out.append(OutputFile(pdoc.path, pdoc.kind, pdoc.title, write_docx(doc), pdoc.number, list(pdoc.indicators)))
    for pf in plan.forms.values():
        doc = compose_form(plan, pf)
        out.append(OutputFile(pf.path, "form", pf.title, write_docx(doc), pf.number, list(pf.indicators)))
    return out
