"""`kitgen pdf KIT_DIR`: the kit as it stands, as PDFs for submission. Thin wrapper over kitgen.kit.pdf."""
from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from kitgen.cli.common import handle_errors
from kitgen.errors import EXIT_BUILD, EXIT_OK

PDF_EPILOG = """\b
PDF 放在文件包旁边的“文件包名-PDF/”文件夹中（可用 -o 指定），目录结构与文件包相同；
企业放入文件包的 PDF、JPG、PNG 文件（营业执照扫描件等）原样复制；*.new.* 新版本不转换。
再次运行只转换内容有变化的文件（--force 全部重新转换）。--merge 另出一个带书签的合并 PDF
（不含待补充信息表、空白申请书和与 Word 版重复的 Excel 表）。转换由 LibreOffice 在后台完成，
使用临时的用户配置，不影响本机 LibreOffice 的设置；手册目录的页码在转换时更新。
\b
退出码：0 全部转换成功；4 有文件转换失败（逐个列出）；6 不是 kitgen 文件包；
        7 未安装 LibreOffice（提示如何安装）；2 命令用法错误。"""


class _Bar:
    """One line redrawn in place on a terminal; nothing but failures otherwise."""

    def __init__(self, tty: bool):
        self.tty = tty
        self.start = time.perf_counter()

    def __call__(self, rel: str, ok: bool, done: int, total: int) -> None:
        if not ok:
            if self.tty:
                click.echo("\r\x1b[K", nl=False, err=True)
            click.secho(f"  转换失败：{rel}", fg="red", err=True)
        if self.tty:
            width = 24
            filled = width * done // max(total, 1)
            name = rel.rsplit("/", 1)[-1]
            name = name if len(name) <= 30 else name[:29] + "…"
            click.echo(f"\r\x1b[K[{'#' * filled}{'.' * (width - filled)}] {done}/{total} "
                       f"{time.perf_counter() - self.start:4.0f}s {name}", nl=False, err=True)

    def end(self) -> None:
        if self.tty:
            click.echo("", err=True)


@click.command(epilog=PDF_EPILOG)
@click.argument("kit_dir", type=click.Path(path_type=Path))
@click.option("-o", "--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="PDF 文件夹（默认：文件包旁边的“文件包名-PDF”）。")
@click.option("-j", "--jobs", default=1, show_default=True, type=click.IntRange(1, 16),
              help="同时运行的 LibreOffice 进程数。")
@click.option("--force", is_flag=True, help="全部重新转换（默认只转换有变化的文件）。")
@click.option("--merge", is_flag=True, help="另外合并为一个 PDF（“文件包名（全部）.pdf”，带书签；需要 pypdf）。")
@handle_errors
def pdf(kit_dir: Path, out_dir: Path | None, jobs: int, force: bool, merge: bool) -> None:
    """把文件包（含企业修改后的文件）转换为 PDF，供提交认证机构：手册目录带页码，标题成为书签。"""
    from kitgen.kit.pdf import convert, default_out_dir
    if out_dir is not None and kit_dir.is_dir() and out_dir.resolve().is_relative_to(kit_dir.resolve()):
        raise click.UsageError(f"PDF 文件夹不能放在文件包里面（kitgen check 和重新生成会把它当作企业的文件）；"
                               f"请用文件包旁边的文件夹，如 {default_out_dir(kit_dir)}")
    if merge:
        try:
            import pypdf  # noqa: F401
        except ImportError:
            raise click.UsageError("--merge 需要 pypdf：pip install pypdf（或 pip install 'kitgen[pdf]'）") from None
    bar = _Bar(sys.stderr.isatty())
    try:
        result = convert(kit_dir, out_dir, jobs=jobs, force=force, progress=bar, merge=merge)
    finally:
        bar.end()
    parts = [f"转换 {len(result.converted)} 个"]
    if result.unchanged:
        parts.append(f"未变化 {len(result.unchanged)} 个")
    if result.copied:
        parts.append(f"原样复制 {len(result.copied)} 个")
    if result.failed:
        parts.append(f"失败 {len(result.failed)} 个")
    click.echo(f"PDF 文件夹：{result.out_dir}（{'，'.join(parts)}；用时 {result.seconds:.1f} 秒）")
    if result.merged is not None:
        click.echo(f"  合并的 PDF：{result.merged}")
        for rel, why in sorted(result.not_merged.items()):
            click.secho(f"  未能并入合并的 PDF：{rel}：{why}", fg="yellow", err=True)
    for rel, why in sorted(result.failed.items()):
        click.secho(f"  失败：{rel}：{why}", fg="red", err=True)
    sys.exit(EXIT_BUILD if result.failed else EXIT_OK)
