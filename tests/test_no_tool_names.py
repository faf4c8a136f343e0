"""No tool in the documents (issue 12.7) and a checklist in the certification body's language (issue
13.5): the files that go to a certification body speak as the company, never name kitgen or its
machinery — not in the text, not in the package's properties, theme or list names."""
from __future__ import annotations

import re
import zipfile

import pytest

from tests.generic_kits import SAMPLES, doc, generic_kit, sample_kit, texts

KITS = sorted(SAMPLES) + ["sparse-furniture"]
TOOL_WORDS = ("kitgen", "Kitgen", "KITGEN", "Graphviz", "DOT 文本")
WORKFLOW_WORDS = ("生成计划", "咨询师核实", "咨询师确认", "请逐一核对")


@pytest.mark.parametrize("name", KITS)
def test_no_document_names_the_tool(name):
    for path, text in texts(sample_kit(name)).items():
        found = [w for w in TOOL_WORDS if w in text]
        assert not found, f"{path}: {found}"


@pytest.mark.parametrize("name", KITS)
def test_the_generic_library_speaks_as_the_company(name):
    for path, text in texts(generic_kit(name)).items():
        found = [w for w in TOOL_WORDS + WORKFLOW_WORDS if w in text]
        assert not found, f"{path}: {found}"


@pytest.mark.parametrize("name", ["furniture-xlsx", "software-company"])
def test_no_office_file_carries_the_tool_name_in_its_parts(name):
    kit = sample_kit(name)
    for f in sorted(kit.rglob("*")):
        if f.suffix not in (".docx", ".xlsx"):
            continue
        with zipfile.ZipFile(f) as z:
            for part in z.namelist():
                if part.endswith((".xml", ".rels")):
                    assert b"kitgen" not in z.read(part).lower(), f"{f.relative_to(kit)}: {part}"


@pytest.mark.parametrize("name", KITS)
def test_checklist_speaks_a_reviewers_language(name):
    text = doc(generic_kit(name), "01 申请资料清单")
    rows = [line.split(" | ") for line in text.splitlines() if re.match(r"^\d{1,2} \| ", line)]
    assert len(rows) == 11
    for row in rows:
        status = row[3]
        assert status in ("已提供", "企业提供") or re.fullmatch(r"不适用（.+）", status), row
    assert re.search(r"共 11 项：已提供 \d+ 项，企业提供 \d+ 项，不适用 \d+ 项。", text)
    for word in ("草稿", "咨询师", "请逐一核对", "黄色"):
        assert word not in text, word


def test_items_the_company_supplies_say_what_is_attached():
    text = doc(generic_kit("furniture-xlsx"), "01 申请资料清单")
    row = next(line for line in text.splitlines() if line.startswith("1 | 营业执照"))
    assert row.split(" | ")[3] == "企业提供" and "附：营业执照副本复印件" in row
    row = next(line for line in text.splitlines() if line.startswith("3 | "))
    assert "06 申请资料/03 申报产品介绍.docx" in row and "附：" in row
