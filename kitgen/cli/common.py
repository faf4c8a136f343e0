"""What every command shares: the exit-code epilog, printing problems, mapping errors to exit codes."""
from __future__ import annotations

import functools
import os
import sys
from pathlib import Path

import click

from kitgen.errors import EXIT_INTERNAL, KitgenError

EXIT_CODES = """\b
退出码 / exit codes:
  0  成功 ok
  1  内部错误（请报告）internal error
  2  命令用法错误 usage error
  3  配置、指标目录、条款库或覆盖层有误 invalid profile, catalog, clauses or overlay
  4  生成失败（指标未覆盖、模板错误、文件校验失败）build failed
  5  文件包不完整（check）kit incomplete
  6  不是 kitgen 文件包（check、pdf）not a kit
  7  未安装 LibreOffice（pdf）LibreOffice not installed"""


JSON_FORMAT = 1   # the "format" field of every --json output (raised when a field changes meaning)


def echo_problems(err: KitgenError) -> None:
    problems = err.problems
    click.secho(f"{err.title}（共 {len(problems)} 处）：", fg="red", err=True)
    for p in problems:
        click.echo(f"  {p}", err=True)


def handle_errors(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except KitgenError as err:
            echo_problems(err)
            sys.exit(err.exit_code)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except BrokenPipeError:
            raise
        except KeyboardInterrupt:
            click.echo("已中断，未写入任何不完整的文件包。", err=True)
            sys.exit(130)
        except Exception as exc:  # noqa: BLE001 - the last line of defence: no traceback for users
            if os.environ.get("KITGEN_DEBUG"):
                raise
            click.secho(f"内部错误：{type(exc).__name__}: {exc}", fg="red", err=True)
            click.echo("这是 kitgen 的缺陷，请将命令和配置文件一并报告（设置 KITGEN_DEBUG=1 可查看详细信息）。", err=True)
            sys.exit(EXIT_INTERNAL)
    return wrapper


catalog_option = click.option("--catalog", "catalog_path", type=click.Path(dir_okay=False, path_type=Path),
                              help="使用自己的指标目录 YAML 代替内置目录（将严格校验）。")
