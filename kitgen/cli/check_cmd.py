"""`kitgen check KIT_DIR`: is the kit (as the company left it) complete? Thin wrapper over kitgen.kit.check."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from kitgen.cli.common import JSON_FORMAT, handle_errors
from kitgen.errors import EXIT_INCOMPLETE, EXIT_OK

CHECK_EPILOG = """\b
企业如何“放入”须自行提供的申请资料（第 1、2、10 项等）：
  把文件放在文件包的“06 申请资料/”中，文件名以项目编号开头，如
  “06 申请资料/01 营业执照.pdf”“06 申请资料/10 ISO9001证书.jpg”，
  或建一个以编号开头的文件夹（“06 申请资料/10 荣誉证书/”）放入多份扫描件。
\b
退出码：0 完整；5 不完整（有须处理的项目）；6 不是 kitgen 文件包（没有或无法读取 kit.json）；
        2 命令用法错误。企业修改过的文件只作提示，不影响完整性。"""


@click.command(epilog=CHECK_EPILOG)
@click.argument("kit_dir", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出检查结果。")
@click.option("--xlsx", "xlsx_path", type=click.Path(dir_okay=False, path_type=Path),
              help="另外写出供审核人员使用的 Excel 检查表。")
@handle_errors
def check(kit_dir: Path, as_json: bool, xlsx_path: Path | None) -> None:
    """审核文件包是否齐全：申请资料 11 项、文件能否打开、待填写内容、指标覆盖、删减理由、企业改过的文件。"""
    from kitgen.kit.check import check_kit, text_report, xlsx_report
    report = check_kit(kit_dir)
    if as_json:
        click.echo(json.dumps({"format": JSON_FORMAT, **report.as_dict()}, ensure_ascii=False, indent=2))
    else:
        click.echo(text_report(report))
    if xlsx_path is not None:
        try:
            xlsx_path.write_bytes(xlsx_report(report))
        except OSError as e:
            raise click.UsageError(f"无法写出检查表 {xlsx_path}：{e.strerror or e}") from None
        click.echo(f"已写出检查表：{xlsx_path}", err=as_json)
    sys.exit(EXIT_OK if report.complete else EXIT_INCOMPLETE)
