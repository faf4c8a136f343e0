"""`kitgen check KIT_DIR`: is the kit (as the company left it) complete? Thin wrapper over kitgen.kit.check."""
from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

import click

from kitgen.cli.common import JSON_FORMAT, echo, handle_errors, json_printable
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
    target = _report_target(xlsx_path, kit_dir) if xlsx_path is not None else None
    report = check_kit(kit_dir)
    if as_json:
        click.echo(json_printable(json.dumps({"format": JSON_FORMAT, **report.as_dict()}, ensure_ascii=False, indent=2)))
    else:
        echo(text_report(report))
    if target is not None:
        _write_report(target, xlsx_report(report), xlsx_path)
        echo(f"已写出检查表：{xlsx_path}", err=as_json)
    sys.exit(EXIT_OK if report.complete else EXIT_INCOMPLETE)


def _report_target(xlsx_path: Path, kit_dir: Path) -> Path:
    """Where the reviewer workbook may go: never into the kit (kit.json, the company's scans), never
    over a file that is not an earlier report of `kitgen check` (symbolic links are followed)."""
    from kitgen.kit.check import is_report
    from kitgen.ooxml.safe_read import Unreadable, read_regular
    shown = repr(str(xlsx_path))[1:-1]
    try:
        real = Path(os.path.realpath(xlsx_path))
        kit = Path(os.path.realpath(kit_dir))
    except (OSError, ValueError) as e:
        raise click.UsageError(f"检查表路径 {shown} 无法使用（{e}）") from None
    if real == kit or real.is_relative_to(kit):
        raise click.UsageError(f"检查表 {shown} 位于文件包之内：kitgen 不会写入文件包（会改动或覆盖 kit.json、企业的文件）；"
                               "请写到文件包之外，如 --xlsx 检查结果.xlsx")
    if real.exists():
        try:
            ours = is_report(read_regular(real, 20 * 1024 * 1024))
        except Unreadable:
            ours = False
        if not ours:
            raise click.UsageError(f"{shown} 已存在，且不是 kitgen check 写出的检查表：为免覆盖它，请换一个文件名")
    if not real.parent.is_dir():
        raise click.UsageError(f"检查表所在的文件夹 {real.parent} 不存在")
    return real


def _write_report(real: Path, data: bytes, shown: Path) -> None:
    """Write through a temporary file renamed over the target: a full disk leaves the old report."""
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{real.name}.kitgen-", dir=real.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, real)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as e:
        raise click.UsageError(f"无法写出检查表 {repr(str(shown))[1:-1]}：{e.strerror or e}") from None
