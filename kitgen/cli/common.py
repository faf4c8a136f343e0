"""What every command shares: the exit-code epilog, printing problems, mapping errors to exit codes."""
from __future__ import annotations

import functools
import os
import re
import signal
import sys
from contextlib import contextmanager
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


# what a terminal would act on rather than print: C0 controls but tab and newline (ESC starts the
# sequences that retitle a window or move the cursor), DEL, C1 controls (U+009B is CSI), and the
# bidi controls that make a file name read backwards
_TERMINAL_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def printable(text) -> str:
    """``text`` safe to print on a terminal: every control character shown as an escape (\\x1b …)."""
    def show(m: re.Match) -> str:
        n = ord(m.group())
        return f"\\x{n:02x}" if n < 0x100 else f"\\u{n:04x}"
    return _TERMINAL_UNSAFE.sub(show, str(text))


def json_printable(text: str) -> str:
    """JSON text (json.dumps escapes C0 already) with C1 and bidi controls escaped as \\uXXXX too."""
    return _TERMINAL_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def echo(text="", **kwargs) -> None:
    """click.echo of ``printable(text)``: names from profiles, kits and overlays cannot drive the terminal."""
    click.echo(printable(text), **kwargs)


def secho(text="", **kwargs) -> None:
    click.secho(printable(text), **kwargs)


def echo_problems(err: KitgenError) -> None:
    problems = err.problems
    click.secho(f"{err.title}（共 {len(problems)} 处）：", fg="red", err=True)
    for p in problems:
        echo(f"  {p}", err=True)


class Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP, raised where the program is (like Ctrl-C): cleanup code runs."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


@contextmanager
def terminate_as_interrupt():
    """Within the block, SIGTERM and SIGHUP interrupt like Ctrl-C (KeyboardInterrupt), so that a
    build being stopped removes its staging folder and never leaves a half-swapped kit. Only in
    the main thread (signal handlers can be set nowhere else)."""
    import threading
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {}

    def handler(signum, _frame):
        raise Terminated(signum)
    for name in ("SIGTERM", "SIGHUP"):
        sig = getattr(signal, name, None)
        if sig is not None:
            try:
                previous[sig] = signal.signal(sig, handler)
            except (ValueError, OSError):
                pass
    try:
        yield
    finally:
        for sig, old in previous.items():
            try:
                signal.signal(sig, old)
            except (ValueError, OSError):
                pass


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
        except Terminated as stop:
            click.echo("已终止，未写入任何不完整的文件包。", err=True)
            sys.exit(128 + stop.signum)
        except KeyboardInterrupt:
            click.echo("已中断，未写入任何不完整的文件包。", err=True)
            sys.exit(130)
        except Exception as exc:  # noqa: BLE001 - the last line of defence: no traceback for users
            if os.environ.get("KITGEN_DEBUG"):
                raise
            secho(f"内部错误：{type(exc).__name__}: {exc}", fg="red", err=True)
            click.echo("这是 kitgen 的缺陷，请将命令和配置文件一并报告（设置 KITGEN_DEBUG=1 可查看详细信息）。", err=True)
            sys.exit(EXIT_INTERNAL)
    return wrapper


catalog_option = click.option("--catalog", "catalog_path", type=click.Path(dir_okay=False, path_type=Path),
                              help="使用自己的指标目录 YAML 代替内置目录（将严格校验）。")
