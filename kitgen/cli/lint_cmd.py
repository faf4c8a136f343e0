"""`kitgen lint DIR`: check a consultancy overlay (catalog, clauses, Word templates) before use."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from kitgen.cli.common import JSON_FORMAT, echo, handle_errors, json_printable, secho
from kitgen.errors import EXIT_INVALID, EXIT_OK

LINT_EPILOG = """\b
检查内容 / what is checked:
  catalog.yaml 是否合法；条款、文件、表格标识在文件内和文件间是否唯一；
  引用的指标是否存在于目录（覆盖层自带目录，否则内置目录）；目录中的指标是否仍有条款引用；
  Jinja 文字与 when 条件能否解析，使用的变量（含 service.hotline 这样的属性链）是否存在；
  doc / procedure / related / ref('…') / form('…') 的目标是否存在；
  templates/*.docx：标签是否被 Word 拆到多个文字块或夹有校对/书签标记、Jinja 语法、变量、参考文档能否使用；
  kitgen 不会读取的文件（.yml、未知模板名、放错位置的文件）。

\b
退出码 / exit codes:
  0  没有发现问题 clean
  2  命令用法错误（如目录不存在）usage error
  3  发现问题（每条带文件和行号）findings, each with file and line"""


@click.command(epilog=LINT_EPILOG)
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出发现的问题。")
@handle_errors
def lint(directory: Path, as_json: bool) -> None:
    """检查咨询机构的覆盖层目录（指标目录、条款、Word 模板），每个问题给出文件和行号。"""
    from kitgen.content.lint import lint as run_lint
    findings = run_lint(directory)
    if as_json:
        click.echo(json_printable(json.dumps(
            {"format": JSON_FORMAT, "directory": str(directory), "ok": not findings,
             "findings": [{"file": p.file, "line": p.line, "path": p.path, "message": p.message,
                           "hint": p.hint} for p in findings]}, ensure_ascii=False, indent=2)))
    else:
        for p in findings:
            echo(str(p))
        if findings:
            secho(f"{directory}：发现 {len(findings)} 处问题。", fg="red", err=True)
        else:
            echo(f"{directory}：覆盖层检查通过，未发现问题。")
    sys.exit(EXIT_INVALID if findings else EXIT_OK)
