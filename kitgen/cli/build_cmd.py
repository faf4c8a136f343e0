"""`kitgen build`: one profile, or many in parallel processes, each into its own folder."""
from __future__ import annotations

import os
import traceback
from collections import Counter
from pathlib import Path

import click

from kitgen.errors import EXIT_INTERNAL, EXIT_OK, KitgenError

KIND_LABELS = {"manual": "手册", "procedure": "程序文件", "rule": "管理制度", "form": "记录表格", "questionnaire": "待补充信息表",
               "checklist": "申请资料清单", "application": "申请书", "dossier": "申请资料", "matrix": "指标对照表"}


def _build_one(profile: Path, out_dir: Path, catalog: Path | None, overlays: list[Path], force: bool,
               make_zip: bool, reraise: bool = False, answers: Path | None = None) -> tuple[int, list[str], list[str]]:
    """Build one kit; returns (exit code, output lines, error lines). Runs in a worker process for
    `-j`, so it never raises (unless ``reraise``: KITGEN_DEBUG on a single build, for the traceback)."""
    from kitgen.api import build
    try:
        result = build(profile, out_dir, catalog=catalog, overlays=overlays, force=force, make_zip=make_zip,
                       answers=answers)
    except KitgenError as err:
        lines = [f"{err.title}（共 {len(err.problems)} 处）："] + [f"  {p}" for p in err.problems]
        return err.exit_code, [], lines
    except Exception as exc:  # reported, never a traceback
        if reraise:
            raise
        lines = [f"内部错误：{type(exc).__name__}: {exc}（请报告此缺陷，并附上命令与配置文件）"]
        if os.environ.get("KITGEN_DEBUG"):
            lines += ["  " + ln for ln in traceback.format_exc().rstrip().splitlines()]
        return EXIT_INTERNAL, [], lines
    counts = Counter(f.kind for f in result.files)
    summary = "、".join(f"{KIND_LABELS.get(k, k)} {n}" for k, n in counts.items())
    out = [f"已生成文件包：{out_dir}（{len(result.files)} 个文件：{summary}；kit.json 已写入）"]
    for kept, alt in zip(result.kept, result.new_versions):
        out.append(f"  保留了企业修改过的文件：{kept}，新版本写在：{alt}（加 --force 可覆盖）")
    if result.zip_path:
        out.append(f"  压缩包：{result.zip_path}")
    asked = [q for q in result.manifest.get("questions", []) if q.get("status") == "ask"]
    if asked:
        out.append(f"  待补充信息 {len(asked)} 项（共 {sum(q.get('count', 0) for q in asked)} 处）：填写“08 待补充信息.xlsx”的"
                   f"“答案”列后运行 kitgen build {profile} -o {out_dir} --answers 该文件")
    return EXIT_OK, out, []


def run_build(profiles: list[Path], out_dir: Path, catalog: Path | None, overlays: list[Path], force: bool,
              make_zip: bool, jobs: int, answers: Path | None = None) -> int:
    if answers is not None and len(profiles) > 1:
        raise click.UsageError("--answers 只能用于一个配置文件；多个客户请在各自的配置中写 answers_file:")
    if len(profiles) == 1:
        code, out, err = _build_one(profiles[0], out_dir, catalog, overlays, force, make_zip,
                                    reraise=bool(os.environ.get("KITGEN_DEBUG")), answers=answers)
        for line in out:
            click.echo(line)
        for line in err:
            click.secho(line, fg="red" if line and not line.startswith(" ") else None, err=True)
        return code
    stems = [p.stem for p in profiles]
    dup = [s for s, n in Counter(stems).items() if n > 1]
    if dup:
        raise click.UsageError(f"多个配置文件同名（{'、'.join(dup)}），无法各自生成到同名子目录；请改名后再试")
    from kitgen.cli.parallel import run_many
    return run_many(profiles, out_dir, catalog, overlays, force, make_zip, jobs, _build_one)
