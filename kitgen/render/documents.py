"""The system documents (manual, procedures, rules) and the record forms, as Word files."""
from __future__ import annotations

from kitgen.core.plan import Plan
from kitgen.errors import BuildFailed
from kitgen.render.compose import compose_doc, compose_form
from kitgen.render.dossier import gen_extras
from kitgen.render.output import OutputFile
from kitgen.render.word import write_docx


def document_files(plan: Plan) -> list[OutputFile]:
    """Every system document and form. A record a procedure or rule names that is neither a form of
    the kit nor declared external fails the build (exit 4), every such record of every document at once."""
    out = []
    extras = gen_extras(plan)          # generated blocks another publisher draws (the org chart)
    problems: list = []
    composed = [(pdoc, compose_doc(plan, pdoc, extras, problems)) for pdoc in plan.docs.values()]
    if problems:
        raise BuildFailed(problems)
    for pdoc, doc in composed:
        out.append(OutputFile(pdoc.path, pdoc.kind, pdoc.title, write_docx(doc), pdoc.number, list(pdoc.indicators)))
    for pf in plan.forms.values():
        doc = compose_form(plan, pf, extras)
        out.append(OutputFile(pf.path, "form", pf.title, write_docx(doc), pf.number, list(pf.indicators)))
    return out
