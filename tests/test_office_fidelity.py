"""Office fidelity (issue 15): schema-valid files, refresh prompts only where needed, spreadsheets that guide.

Every Word and Excel file of a built kit is valid against the OOXML schema.

Word is stricter than LibreOffice: a property out of schema order (w:tblLayout after w:tblLook,
w:tcBorders after w:vAlign) or one a style may not hold (w:highlight in a style's run properties)
is silently dropped or "repaired". openxml-audit (pure Python, Office 2019 rules; it agrees with
Microsoft's Open XML SDK validator on those errors) checks one producer and one retailer kit, the
self-assessment workbook and the `kitgen check` report. Any error fails, with file, part and path.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from openxml_audit import FileFormat, OpenXmlValidator

import kitgen

ROOT = Path(__file__).resolve().parent
SAMPLES = ROOT.parent / "samples"
KITS = ("appliance-producer", "electronics-retailer")       # a producer and a retailer


@pytest.fixture(scope="module")
def validator() -> OpenXmlValidator:
    return OpenXmlValidator(file_format=FileFormat.OFFICE_2019, max_errors=50)


@pytest.fixture(scope="module")
def kits(tmp_path_factory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("schema-kits")
    return {name: kitgen.build(SAMPLES / f"{name}.yaml", base / name).out_dir for name in KITS}


def _errors(validator: OpenXmlValidator, path: Path, label: str) -> list[str]:
    result = validator.validate(path)
    return [f"{label}: {e.part_uri} {e.path}: {e.description}" for e in result.errors]


@pytest.mark.parametrize("name", KITS)
def test_every_office_file_of_a_kit_is_schema_valid(kits, validator, name):
    kit = kits[name]
    files = sorted(p for p in kit.rglob("*") if p.suffix in (".docx", ".xlsx"))
    assert len(files) > 40 and any(p.suffix == ".xlsx" for p in files)
    errors = [e for p in files for e in _errors(validator, p, p.relative_to(kit).as_posix())]
    assert not errors, f"{len(errors)} schema errors:\n" + "\n".join(errors[:40])


def test_assessment_workbook_and_check_report_are_schema_valid(kits, validator, tmp_path):
    from kitgen.api import load_profile, plan
    from kitgen.assess.score import assessment_workbook
    from kitgen.core.catalog import load_catalog
    from kitgen.kit.check import check_kit, xlsx_report
    cat = load_catalog(None)
    the_plan = plan(load_profile(SAMPLES / "appliance-producer.yaml", cat), cat, [], require_coverage=False)
    (tmp_path / "assess.xlsx").write_bytes(assessment_workbook(the_plan))
    (tmp_path / "check.xlsx").write_bytes(xlsx_report(check_kit(kits["electronics-retailer"])))
    errors = _errors(validator, tmp_path / "assess.xlsx", "自评表") + _errors(validator, tmp_path / "check.xlsx", "检查表")
    assert not errors, "\n".join(errors)


def test_templates_hold_none_of_the_three_error_classes():
    """The exact faults Microsoft's validator reported, at their source (the template scripts)."""
    import zipfile
    import re
    lib = ROOT.parent / "library" / "templates"
    for name in ("base.docx", "application_form.docx"):
        with zipfile.ZipFile(lib / name) as zf:
            styles = zf.read("word/styles.xml").decode()
            document = zf.read("word/document.xml").decode()
        for style in re.findall(r"<w:style\b.*?</w:style>", styles, re.S):
            assert "<w:highlight" not in style, (name, style[:120])
        assert not re.search(r"<w:tblLook\b[^>]*/>\s*<w:tblLayout", document), name
        assert not re.search(r"<w:vAlign\b[^>]*/>\s*<w:tcBorders", document), name


# ------------------------------------------------------------------ refresh prompts (issue 15.3)
def test_update_fields_only_in_documents_that_hold_a_toc(kits):
    """w:updateFields makes Word ask "update fields?" on opening: only the manual (its TOC) needs it."""
    import zipfile
    for name, kit in kits.items():
        asking = []
        for p in sorted(kit.rglob("*.docx")):
            with zipfile.ZipFile(p) as zf:
                settings = zf.read("word/settings.xml").decode()
                document = zf.read("word/document.xml").decode()
            has_toc = " TOC " in document
            if "updateFields" in settings:
                asking.append(p.relative_to(kit).as_posix())
                assert has_toc, (name, p.name)
            else:
                assert not has_toc, (name, p.name)
        assert asking == ["02 售后服务管理手册.docx"], (name, asking)
