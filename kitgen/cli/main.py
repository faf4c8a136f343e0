"""The kitgen command line: the group, and every command registered here, explicitly.

Each command lives in its own module (a thin wrapper over the library); heavy modules (docx,
openpyxl) are imported inside the commands that need them, so that `kitgen --help` and
`kitgen validate` start fast.
"""
from __future__ import annotations

import os
import sys

import click

from kitgen._version import __version__
from kitgen.cli import zh

zh.install()         # click's own messages in Chinese, before any command (and its --help) is defined

from kitgen.cli import answers_cmd, basic_cmd, check_cmd, lint_cmd, pdf_cmd, schema_cmd, score_cmd  # noqa: E402
from kitgen.cli.common import EXIT_CODES


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
             epilog=EXIT_CODES)
@click.version_option(__version__, "--version", "-V", prog_name="kitgen", message="%(prog)s %(version)s")
def cli() -> None:
    """kitgen：由一份企业配置（client.yaml）生成 GB/T 27922-2011 商品售后服务认证的整套文件草稿。

    \b
    常用流程：
      kitgen init client.yaml        生成带注释的配置样例
      kitgen validate client.yaml    只检查配置
      kitgen build client.yaml -o 输出目录
      kitgen check 输出目录           审核文件包是否齐全
    """


for _command in (basic_cmd.validate, basic_cmd.init, basic_cmd.catalog, basic_cmd.industries, basic_cmd.build,
                 check_cmd.check, answers_cmd.answers, lint_cmd.lint, score_cmd.assess, score_cmd.score):
    cli.add_command(_command)
cli.add_command(pdf_cmd.pdf)
cli.add_command(schema_cmd.schema)


def main() -> None:  # console script entry point
    try:
        cli(prog_name="kitgen")
    except BrokenPipeError:            # `kitgen catalog | head`: the reader left, nothing to report
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(0)


if __name__ == "__main__":
    main()
