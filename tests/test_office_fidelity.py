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


# ------------------------------------------------------------------ spreadsheets that guide (issue 15.4)
def _validations(ws) -> dict[str, tuple[str, list[str], str | None]]:
    """column letter → (range, listed values, errorStyle) of the sheet's list validations."""
    out = {}
    for dv in ws.data_validations.dataValidation:
        assert dv.type == "list"
        ref = str(dv.sqref)
        out[ref[0]] = (ref, dv.formula1.strip('"').split(","), dv.errorStyle)
    return out


def test_matrix_has_lists_on_status_and_provenance_and_rows_as_tall_as_their_text(kits):
    import openpyxl
    ws = openpyxl.load_workbook(kits["appliance-producer"] / "07 指标对照表.xlsx")["指标对照表"]
    lists = _validations(ws)
    last = ws.max_row
    assert lists["C"][0] == f"C3:C{last}" and lists["C"][1] == ["适用", "删减"]
    assert lists["C"][2] == "warning"                 # "删减：理由" stays possible
    assert lists["F"][0] == f"F3:F{last}" and sorted(lists["F"][1]) == sorted(["已证实", "较可靠", "重建"])
    assert lists["F"][2] in (None, "stop")
    # every row at least as tall as its most wrapped cell; a one-line row keeps the default height
    for r in range(3, last + 1):
        lines = max(str(c.value or "").count("\n") + 1 for c in ws[r])
        height = ws.row_dimensions[r].height
        if lines > 1:
            assert height and height >= lines * 14, (r, lines, height)
    assert ws.page_setup.orientation == "landscape"


def test_outlet_list_has_lists_and_its_summary_counts_with_formulas(kits):
    import openpyxl
    path = kits["appliance-producer"] / "06 申请资料" / "07 网点清单.xlsx"
    wb = openpyxl.load_workbook(path)
    ws = wb["网点清单"]
    lists = _validations(ws)
    assert lists["C"][1] == ["销售网点", "服务网点", "销售服务网点"]
    assert lists["D"][1] == ["直属", "委托"]
    assert int(lists["D"][0].split(":")[1][1:]) >= ws.max_row + 100      # rows the company adds
    summary = wb["按省份汇总"]
    assert str(summary["B3"].value).startswith("=COUNTIFS('网点清单'!$F$3:$F$")
    assert summary["D3"].value == "=B3+C3"
    total = summary.cell(summary.max_row, 4).value
    assert summary.cell(summary.max_row, 1).value == "合计" and total.startswith("=SUM(D3:D")
    # the cached values are the counts (what a viewer that does not recalculate shows)
    cached = openpyxl.load_workbook(path, data_only=True)["按省份汇总"]
    data = json_manifest(kits["appliance-producer"])
    assert cached.cell(cached.max_row, 4).value == data["profile"]["outlets"]
    assert sum(cached.cell(r, 4).value for r in range(3, cached.max_row)) == data["profile"]["outlets"]


def test_assessment_result_column_has_a_list_and_total_points_a_formula(tmp_path):
    import openpyxl
    from kitgen.api import load_profile, plan
    from kitgen.assess.score import assessment_workbook, load_input, score_input
    from kitgen.core.catalog import load_catalog
    cat = load_catalog(None)
    the_plan = plan(load_profile(SAMPLES / "electronics-retailer.yaml", cat), cat, [], require_coverage=False)
    path = tmp_path / "assess.xlsx"
    path.write_bytes(assessment_workbook(the_plan))
    wb = openpyxl.load_workbook(path)
    lists = _validations(wb["自评表"])
    assert lists["J"][1][:2] == ["是", "否"] and lists["J"][2] == "warning"
    params = {r[0].value: r[1].value for r in wb["参数与说明"].iter_rows(min_row=3)}
    assert params["适用条款总分"].startswith("=SUM('自评表'!E3:E")
    cached = {r[0].value: r[1].value for r in openpyxl.load_workbook(path, data_only=True)["参数与说明"].iter_rows(min_row=3)}
    points = [c.value for c in wb["自评表"]["E"][2:] if isinstance(c.value, (int, float))]
    assert cached["适用条款总分"] == pytest.approx(sum(points))
    # every value of the list is a result `kitgen score` understands
    ws = wb["自评表"]
    for n, value in enumerate(lists["J"][1]):
        ws.cell(3 + n + (1 if ws["A3"].value == "说明" else 0), 10).value = value
    wb.save(path)
    score_input(load_input(path, cat))


def json_manifest(kit: Path) -> dict:
    import json
    return json.loads((kit / "kit.json").read_text("utf-8"))
