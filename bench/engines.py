"""The outlet table (the dossier's Word 网点清单, 9 columns) rendered by kitgen and by docxtpl.

Imported by bench/run.py for the in-process measure, and run as a script for the cold-process one:

    python bench/engines.py ENGINE DATA.json TEMPLATE.docx OUT.docx     (ENGINE: kitgen | docxtpl)

so that a cold run pays for Python's start-up, the engine's imports, reading the data and one
render, like `node bench/docxtemplater_table.js` does for docxtemplater, and for nothing else
(this file imports only json, sys and pathlib at the top).
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

# the Word 网点清单 of the dossier (kitgen/render/dossier_outlets.py: DOCX_HEADER, DOCX_WIDTHS, 8 pt)
COLUMNS = ["序号", "网点名称", "类型", "直属/委托", "合作单位", "城市", "地址", "电话", "人数"]
KEYS = ["no", "name", "kind", "operator", "partner", "city", "address", "phone", "staff"]
WIDTHS = [0.9, 4.2, 1.9, 1.3, 4.4, 1.6, 5.4, 2.4, 0.9]
FONT_SIZE = 8


def table_document(outlets: list[dict[str, str]]):
    """A model.Document holding one model.Table: the header and a row per outlet."""
    from kitgen.ooxml import model as m
    rows = [[o[k] for k in KEYS] for o in outlets]
    return m.Document(title="产品销售网点/售后服务网点清单", number="LS/SH-SQ-07", company="浙江澜舒电器有限公司",
                      landscape=True, blocks=[m.Table(COLUMNS, rows, widths=WIDTHS, font_size=FONT_SIZE)])


def render_kitgen(outlets: list[dict[str, str]], out: Path, template: Path | None = None) -> None:
    """Render, then verify the file as a build does before writing it (kitgen.kit.verify: every
    part parsed, ids, relationships, what `kitgen check` would refuse): the comparison with the
    template engines, which verify nothing, includes kitgen's own verification."""
    from kitgen.kit.verify import _readable_by_check, check_file
    from kitgen.render.word import write_docx
    data = write_docx(table_document(outlets))
    problems = check_file(out.name, data) + _readable_by_check(out.name, data)
    if problems:
        raise RuntimeError(f"kitgen's verification refused its own table: {problems[0]}")
    out.write_bytes(data)


def render_docxtpl(outlets: list[dict[str, str]], out: Path, template: Path | None = None) -> None:
    from docxtpl import DocxTemplate
    tpl = DocxTemplate(str(template))
    tpl.render({"outlets": outlets}, autoescape=True)
    tpl.save(str(out))


ENGINES = {"kitgen": render_kitgen, "docxtpl": render_docxtpl}


def main(argv: list[str]) -> int:
    if len(argv) != 4 or argv[0] not in ENGINES:
        print("usage: python bench/engines.py kitgen|docxtpl DATA.json TEMPLATE.docx OUT.docx", file=sys.stderr)
        return 2
    engine, data, template, out = argv
    outlets = json.loads(Path(data).read_text("utf-8"))["outlets"]
    ENGINES[engine](outlets, Path(out), Path(template) if template else None)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
