"""`kitgen schema`: the profile's JSON Schema, generated from the validator (kitgen.core.schema)."""
from __future__ import annotations

import json
from pathlib import Path

import click

from kitgen.cli.common import handle_errors

SCHEMA_EPILOG = """\b
在 VS Code 中（安装 Red Hat 的 YAML 扩展）配置文件第一行写：
  # yaml-language-server: $schema=kitgen-profile.schema.json
即可补全键名、提示中文说明并标出拼错的键（kitgen init 会写好这一行并在旁边生成该文件）。
也可用 check-jsonschema --schemafile kitgen-profile.schema.json client.yaml 检查。
kitgen validate 仍是最终的检查（信用代码校验位、人数关系、可删减的指标等只有它检查）。"""


def schema_text() -> str:
    from kitgen.core.schema import profile_schema
    return json.dumps(profile_schema(), ensure_ascii=False, indent=2) + "\n"


@click.command(epilog=SCHEMA_EPILOG)
@click.option("-o", "--out", "out_path", type=click.Path(dir_okay=False, path_type=Path),
              help="写入文件（默认输出到屏幕）。")
@handle_errors
def schema(out_path: Path | None) -> None:
    """输出配置文件（client.yaml）的 JSON Schema，供编辑器补全、检查键名。"""
    text = schema_text()
    if out_path is None:
        click.echo(text, nl=False)
        return
    try:
        out_path.write_text(text, "utf-8")
    except OSError as e:
        raise click.UsageError(f"无法写出 {out_path}：{e.strerror or e}") from None
    click.echo(f"已写出 {out_path}")
