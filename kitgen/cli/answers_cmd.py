"""`kitgen answers KIT -o FILE`: read what the company typed into the kit back into a questionnaire."""
from __future__ import annotations

from pathlib import Path

import click

from kitgen.cli.common import handle_errors

ANSWERS_EPILOG = """\b
读取范围：文件包中每份 Word 文件（含企业修改过的文件和 *.new.docx）里带标记的填写域，
以及“08 待补充信息.xlsx”的“答案”列。仍显示“待填写”或为空的不算答案；同一项在不同文件中
填了不同内容的，列出各处内容，不代为选择，请核对后在“答案”列填写。
\b
然后：kitgen build 配置.yaml -o 文件包 --answers 读回的文件.xlsx（或在配置中写 answers_file:）。
\b
退出码：0 已写出；2 用法错误（如输出文件已存在且未加 --force，或输出在文件包内）；6 不是 kitgen 文件包。"""


@click.command(epilog=ANSWERS_EPILOG)
@click.argument("kit_dir", type=click.Path(path_type=Path))
@click.option("-o", "--out", "out_path", type=click.Path(dir_okay=False, path_type=Path),
              help="输出的 Excel 文件（默认：文件包旁的“文件包名-答案.xlsx”）。")
@click.option("--force", is_flag=True, help="覆盖已存在的输出文件。")
@handle_errors
def answers(kit_dir: Path, out_path: Path | None, force: bool) -> None:
    """把企业在文件包中填写的内容（Word 填写域、待补充信息表）读回为一张答案表。"""
    from kitgen.kit.answers import answers_workbook, read_back
    rb = read_back(kit_dir)
    out = out_path or kit_dir.resolve().with_name(f"{kit_dir.resolve().name}-答案.xlsx")
    try:
        inside = out.resolve().is_relative_to(kit_dir.resolve())
    except OSError:
        inside = False
    if inside:
        raise click.UsageError(f"输出文件 {out} 在文件包内；请写到文件包之外，以免被当作企业资料")
    if out.exists() and not force:
        raise click.UsageError(f"{out} 已存在；换一个文件名或加 --force")
    try:
        out.write_bytes(answers_workbook(rb))
    except OSError as e:
        raise click.UsageError(f"无法写出 {out}：{e.strerror or e}") from None
    click.echo(f"已读回 {rb.answered} 项答案，写出：{out}")
    for f in rb.conflicts:
        values = "；".join(f"“{v}”（{'、'.join(files)}）" for v, files in f.values.items())
        click.secho(f"  {f.key} 在不同文件中填写不一致，未采用：{values}", fg="yellow", err=True)
    for rel, why in rb.unreadable:
        click.secho(f"  无法读取 {rel}：{why}", fg="yellow", err=True)
    click.echo(f"下一步：kitgen build 配置文件 -o {kit_dir} --answers {out}")
