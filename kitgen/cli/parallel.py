"""Many profiles at once: a process pool, a progress display, a summary, the worst exit code.

`kitgen build a.yaml b.yaml … -o DIR -j N` builds each profile into DIR/<stem> in up to N worker
processes. A profile that fails (invalid input, a build error, even a crashed worker) is reported
and the others go on. On a terminal the progress is one bar redrawn in place on stderr; otherwise
(a log, CI, a pipe) one plain line per finished profile. The summary lists every profile in the
order given, with the problems of the failed ones, and the exit code is the worst of them.
"""
from __future__ import annotations

import signal
import sys
import time
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import click

from kitgen.cli.common import printable
from kitgen.errors import EXIT_BUILD, EXIT_INTERNAL, EXIT_INVALID, EXIT_OK, EXIT_USAGE

# worst first: a bug, then a kit that could not be built, then bad input
_SEVERITY = {EXIT_INTERNAL: 4, EXIT_BUILD: 3, EXIT_INVALID: 2, EXIT_USAGE: 1, EXIT_OK: 0}
EXIT_INTERRUPTED = 130

Result = tuple[int, list[str], list[str]]           # (exit code, output lines, error lines)


def worst_code(codes) -> int:
    """The exit code of the worst outcome: internal error (1) > build failed (4) > invalid input (3)
    > usage (2) > ok (0); an unknown non-zero code counts as the worst."""
    return max(codes, key=lambda c: _SEVERITY.get(c, 5), default=EXIT_OK)


def _timed(worker: Callable[..., Result], *args) -> tuple[int, list[str], list[str], float]:
    """Runs in a worker process: the worker's result plus its duration."""
    start = time.perf_counter()
    code, out, err = worker(*args)
    return code, out, err, time.perf_counter() - start


def _ignore_sigint() -> None:
    # Ctrl-C goes to the whole process group: the parent decides (let running builds finish, start
    # no more), so workers never die half-way through writing a kit or print tracebacks
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for name in ("SIGTERM", "SIGHUP"):              # likewise a TERM/HUP sent to the process group:
        sig = getattr(signal, name, None)            # the parent stops starting builds, running ones finish
        if sig is not None:
            signal.signal(sig, signal.SIG_IGN)


class _Progress:
    def __init__(self, total: int, jobs: int, tty: bool):
        self.total, self.jobs, self.tty = total, jobs, tty
        self.done = 0
        self.failed = 0
        self.last = ""
        self.start = time.perf_counter()

    def begin(self) -> None:
        if self.tty:
            self._bar("")
        else:
            click.echo(f"生成 {self.total} 个文件包（{self.jobs} 个进程并行）……", err=True)

    def finished(self, name: str, code: int, seconds: float) -> None:
        self.done += 1
        self.failed += code != EXIT_OK
        mark = "完成" if code == EXIT_OK else f"失败（退出码 {code}）"
        if self.tty:
            self.last = f"{name} {mark}"
            self._bar(self.last)
        else:
            click.echo(f"[{self.done}/{self.total}] {name}: {mark}，{seconds:.1f} 秒", err=True)

    def tick(self) -> None:
        if self.tty:
            self._bar(self.last)

    def end(self) -> None:
        if self.tty:
            click.echo("", err=True)

    def _bar(self, last: str) -> None:
        width = 24
        filled = width * self.done // self.total
        bad = f"，失败 {self.failed}" if self.failed else ""
        elapsed = time.perf_counter() - self.start
        if len(last) > 36:                      # keep the line short: a wrapped line cannot be redrawn
            last = last[:35] + "…"
        click.echo(f"\r\x1b[K[{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total}{bad} "
                   f"{elapsed:4.0f}s {last}", nl=False, err=True)


def run_many(profiles: list[Path], out_dir: Path, catalog, overlays, force, make_zip, jobs: int,
             worker: Callable[..., Result], *, tty: bool | None = None) -> int:
    """Build every profile into out_dir/<stem>; return the worst exit code."""
    total = len(profiles)
    jobs = max(1, min(jobs, total))
    tty = sys.stderr.isatty() if tty is None else tty
    results: dict[int, tuple[int, list[str], list[str], float]] = {}
    progress = _Progress(total, jobs, tty)
    started = time.perf_counter()
    interrupted = False

    def args(i: int) -> tuple:
        return (profiles[i], out_dir / profiles[i].stem, catalog, overlays, force, make_zip)

    progress.begin()
    try:
        if jobs == 1:
            for i in range(total):
                try:
                    results[i] = _timed(worker, *args(i))
                except Exception as exc:  # noqa: BLE001 - the worker should not raise; if it does, one failure
                    results[i] = (EXIT_INTERNAL, [], [f"内部错误：{type(exc).__name__}: {exc}（请报告此缺陷）"], 0.0)
                progress.finished(profiles[i].name, results[i][0], results[i][3])
        else:
            interrupted = _run_pool(profiles, jobs, args, worker, results, progress)
    except KeyboardInterrupt:
        interrupted = True
    finally:
        progress.end()

    return _summary(profiles, out_dir, results, jobs, time.perf_counter() - started, interrupted)


def _run_pool(profiles, jobs, args, worker, results, progress) -> bool:
    """Run the builds in a process pool; True when interrupted (Ctrl-C): the builds already running
    finish and are reported, the others are not started. A worker process that dies (killed for
    memory, say) breaks the pool and every build in it: those are run again one at a time, each in
    a pool of its own, so that only the profile that kills its process is reported as failed."""
    interrupted, broken = _pool_pass(list(range(len(profiles))), jobs, profiles, args, worker, results, progress)
    for i in broken:
        if interrupted:
            break
        interrupted, again = _pool_pass([i], 1, profiles, args, worker, results, progress)
        if again:
            results[i] = (EXIT_INTERNAL, [], ["内部错误：生成该文件包的进程意外退出（可能内存不足或被系统终止）"], 0.0)
            progress.finished(profiles[i].name, EXIT_INTERNAL, 0.0)
    return interrupted


def _pool_pass(indices, jobs, profiles, args, worker, results, progress) -> tuple[bool, list[int]]:
    """One pool over ``indices``: (interrupted, the indices lost to a broken pool)."""
    pool = ProcessPoolExecutor(max_workers=jobs, initializer=_ignore_sigint)
    pending: dict[Future, int] = {}
    broken: list[int] = []
    interrupted = False
    try:
        for i in indices:
            pending[pool.submit(_timed, worker, *args(i))] = i
        while pending:
            try:
                done, _ = wait(pending, timeout=0.5 if progress.tty else None, return_when=FIRST_COMPLETED)
            except KeyboardInterrupt:
                interrupted = True
                for fut in pending:
                    fut.cancel()                 # those not started yet; running ones finish
                click.echo("\n已中断：正在完成已开始的文件包，其余不再生成……", err=True)
                continue
            if not done:
                progress.tick()                  # keep the clock on the bar moving
                continue
            for fut in done:
                i = pending.pop(fut)
                if fut.cancelled():
                    continue
                try:
                    results[i] = fut.result()
                except BrokenProcessPool:
                    broken.append(i)
                    continue
                except Exception as exc:  # noqa: BLE001 - a worker that raised: one failed profile
                    results[i] = (EXIT_INTERNAL, [], [f"内部错误：{type(exc).__name__}: {exc}（请报告此缺陷）"], 0.0)
                progress.finished(profiles[i].name, results[i][0], results[i][3])
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return interrupted, sorted(broken)


def _summary(profiles: list[Path], out_dir: Path, results: dict, jobs: int, seconds: float,
             interrupted: bool) -> int:
    total = len(profiles)
    ok = sum(1 for r in results.values() if r[0] == EXIT_OK)
    failed = len(results) - ok
    skipped = total - len(results)
    click.echo(f"\n汇总（{total} 个配置，{jobs} 个进程，用时 {seconds:.1f} 秒）：")
    for i, prof in enumerate(profiles):
        if i not in results:
            click.echo(f"  未生成  {prof}（已中断）")
            continue
        code, out, err, secs = results[i]
        if code == EXIT_OK:
            click.echo(f"  成功  {prof} → {out_dir / prof.stem}（{secs:.1f} 秒）")
            for line in out:                     # (the line naming the folder is repeated above)
                if not line.startswith("已生成文件包："):
                    click.echo(printable(f"        {line.strip()}"))
        else:
            click.echo(f"  失败  {prof}（退出码 {code}）")
            for line in out:                     # e.g. the overlays it picked up by itself
                click.echo(printable(f"        {line.strip()}"))
            for line in err:
                click.secho(printable(f"        {line.strip()}"), err=True,
                            fg="red" if line and not line.startswith(" ") else None)
    worst = worst_code(r[0] for r in results.values())
    if interrupted:
        worst = EXIT_INTERRUPTED if worst == EXIT_OK else worst
    parts = [f"成功 {ok} 个", f"失败 {failed} 个"] + ([f"未生成 {skipped} 个"] if skipped else [])
    click.echo(f"共 {total} 个配置：{'，'.join(parts)}。" + (f"退出码 {worst}（取最严重的一个）。" if worst else ""))
    return worst


__all__ = ["run_many", "worst_code"]
