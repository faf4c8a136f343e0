"""Many profiles at once: a process pool, a progress display, a summary, the worst exit code."""
from __future__ import annotations

import sys
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

import click


def run_many(profiles: list[Path], out_dir: Path, catalog, overlays, force, make_zip, jobs, worker) -> int:
    results: dict[Path, tuple[int, list[str], list[str]]] = {}
    tty = sys.stderr.isatty()
    total = len(profiles)

    def progress(done: int, name: str, code: int) -> None:
        mark = "完成" if code == 0 else "失败"
        if tty:
            width = 30
            filled = int(width * done / total)
            click.echo(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} {name} {mark}".ljust(70),
                       nl=done == total, err=True)
        else:
            click.echo(f"[{done}/{total}] {name}: {mark}", err=True)

    if jobs <= 1:
        for n, prof in enumerate(profiles, start=1):
            results[prof] = worker(prof, out_dir / prof.stem, catalog, overlays, force, make_zip)
            progress(n, prof.name, results[prof][0])
    else:
        with ProcessPoolExecutor(max_workers=min(jobs, total)) as pool:
            futures = {pool.submit(worker, prof, out_dir / prof.stem, catalog, overlays, force, make_zip): prof
                       for prof in profiles}
            for n, fut in enumerate(as_completed(futures), start=1):
                prof = futures[fut]
                try:
                    results[prof] = fut.result()
                except Exception as exc:  # noqa: BLE001 - a crashed worker is one failed profile
                    results[prof] = (1, [], [f"内部错误：{type(exc).__name__}: {exc}"])
                progress(n, prof.name, results[prof][0])
    click.echo("\n汇总：")
    worst = 0
    for prof in profiles:
        code, out, err = results[prof]
        worst = max(worst, code)
        status = "成功" if code == 0 else f"失败（退出码 {code}）"
        click.echo(f"  {prof}: {status}")
        for line in out:
            click.echo(f"    {line}")
        for line in err:
            click.echo(f"    {line}", err=True)
    ok = sum(1 for c, _, _ in results.values() if c == 0)
    click.echo(f"共 {total} 个配置：成功 {ok} 个，失败 {total - ok} 个。")
    return worst
