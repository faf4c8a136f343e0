"""`kitgen build`: one profile, or many in parallel processes, each into its own folder."""
from __future__ import annotations

import functools
import os
import traceback
from collections import Counter
from pathlib import Path

import click

from kitgen.cli.common import printable
from kitgen.errors import EXIT_INTERNAL, EXIT_OK, KitgenError

KIND_LABELS = {"manual": "手册", "procedure": "程序文件", "rule": "管理制度", "form": "记录表格", "questionnaire": "待补充信息表",
               "checklist": "申请资料清单", "application": "申请书", "dossier": "申请资料", "matrix": "指标对照表"}


def _auto_overlays(profile: Path) -> list[str]:
    """The line that says which overlays the build picked up by itself (kitgen.toml, .kitgen/):
    a reference document or clauses lying beside a client's profile change every document."""
    from kitgen.content.overlay import discover
    try:
        found = discover(profile)
    except KitgenError:
        return []                      # the build itself reports the broken kitgen.toml
    if not found:
        return []
    names = "、".join(f"{o.root}（{o.origin}）" for o in found)
    return [f"注意：自动使用了配置文件旁的覆盖层 {names}（其中的条款、模板、参考文档用于本文件包；先用 kitgen lint 检查）"]


def _build_one(profile: Path, out_dir: Path, catalog: Path | None, overlays: list[Path], force: bool,
               make_zip: bool, reraise: bool = False, answers: Path | None = None,
               outlets_anywhere: bool = False) -> tuple[int, list[str], list[str]]:
    """Build one kit; returns (exit code, output lines, error lines). Runs in a worker process for
    `-j`, so it never raises (unless ``reraise``: KITGEN_DEBUG on a single build, for the traceback)."""
    from kitgen.api import build
    first = _auto_overlays(profile)
    try:
        result = build(profile, out_dir, catalog=catalog, overlays=overlays, force=force, make_zip=make_zip,
                       answers=answers, outlets_anywhere=outlets_anywhere)
    except KitgenError as err:
        lines = [f"{err.title}（共 {len(err.problems)} 处）："] + [f"  {p}" for p in err.problems]
        return err.exit_code, first, lines
    except Exception as exc:  # reported, never a traceback
        if reraise:
            raise
        lines = [f"内部错误：{type(exc).__name__}: {exc}（请报告此缺陷，并附上命令与配置文件）"]
        if os.environ.get("KITGEN_DEBUG"):
            lines += ["  " + ln for ln in traceback.format_exc().rstrip().splitlines()]
        return EXIT_INTERNAL, first, lines
    counts = Counter(f.kind for f in result.files)
    summary = "、".join(f"{KIND_LABELS.get(k, k)} {n}" for k, n in counts.items())
    out = first + [f"已生成文件包：{out_dir}（{len(result.files)} 个文件：{summary}；kit.json 已写入）"]
    for note in result.notes:
        out.append(f"  {note}")
    for w in result.warnings:
        out.append(f"  注意：{w}")
    for kept, alt in zip(result.kept, result.new_versions):
        out.append(f"  保留了企业修改过的文件：{kept}，新版本写在：{alt}（加 --force 可覆盖）")
    for rel in result.rescued:
        if rel not in result.kept:
            out.append(f"  生成期间被保存的文件已保留：{rel}")
    for rel in result.orphans:
        out.append(f"  保留了企业修改过、但本次配置不再生成的文件：{rel}（原样保留；如不再需要请自行删除）")
    if result.zip_path:
        out.append(f"  压缩包：{result.zip_path}")
        for rel in result.zip_skipped:
            out.append(f"  未放入压缩包（符号链接或不是普通文件）：{rel}")
    asked = [q for q in result.manifest.get("questions", []) if q.get("status") == "ask"]
    if asked:
        out.append(f"  待补充信息 {len(asked)} 项（共 {sum(q.get('count', 0) for q in asked)} 处）：填写“08 待补充信息.xlsx”的"
                   f"“答案”列后运行 kitgen build {profile} -o {out_dir} --answers 该文件")
    return EXIT_OK, out, []


def run_build(profiles: list[Path], out_dir: Path, catalog: Path | None, overlays: list[Path], force: bool,
              make_zip: bool, jobs: int, answers: Path | None = None, *, outlets_anywhere: bool = False) -> int:
    if answers is not None and len(profiles) > 1:
        raise click.UsageError("--answers 只能用于一个配置文件；多个客户请在各自的配置中写 answers_file:")
    if len(profiles) == 1:
        code, out, err = _build_one(profiles[0], out_dir, catalog, overlays, force, make_zip,
                                    reraise=bool(os.environ.get("KITGEN_DEBUG")), answers=answers,
                                    outlets_anywhere=outlets_anywhere)
        for line in out:
            click.echo(printable(line))
        for line in err:
            click.secho(printable(line), fg="red" if line and not line.startswith(" ") else None, err=True)
        return code
    stems = [p.stem for p in profiles]
    dup = [s for s, n in Counter(stems).items() if n > 1]
    if dup:
        raise click.UsageError(f"多个配置文件同名（{'、'.join(dup)}），无法各自生成到同名子目录；请改名后再试")
    from kitgen.cli.parallel import run_many
    worker = functools.partial(_build_one, outlets_anywhere=True) if outlets_anywhere else _build_one
    return run_many(profiles, out_dir, catalog, overlays, force, make_zip, jobs, worker)
