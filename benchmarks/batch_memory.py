"""Memory of a long ``newsclean run``: peak RSS, and RSS along the run, must stay flat.

A local site (:mod:`benchmarks.localsite`, its own process) serves small pages with no
latency. Each run size (``--compare`` then ``--urls``; 10,000 and 50,000 by default) runs in
a FRESH child process (``--child``), so one run's heap cannot flatter or burden the next::

    child: imports, URL-list file -> RSS "before" -> run(config, workers=1) -> JSON on stdout
           a thread samples RSS every --interval s (the peak); the run's progress callback
           records RSS at each 1 % of URLs done

The parent also reads the kernel's peak (``ru_maxrss`` from ``wait4``) of each child, and
prints RSS at 10 / 25 / 50 / 75 / 100 % of progress, the peaks, and the growth per 1,000 URLs
between 10 % and 100 % (flat: close to 0; the target is a peak < 400 MB whatever the size).

Bounded: a child stops its run with SIGTERM (the run commits and ends) after ``--timeout``
seconds, and the parent kills a child that is still alive 60 s after that.

Exit codes: 0 done; 1 a run failed, lost rows or timed out; 2 bad arguments.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil

from benchmarks.localsite import SiteSpec, article_path, serve_site

MB = 1024 * 1024
CHECKPOINTS = (10, 25, 50, 75, 90, 100)  # percent of URLs done, shown in the table
_KILL_GRACE = 60.0  # seconds after --timeout before the parent kills a child


# -- the child: one run, measured from inside -------------------------------------------------


class RssSampler:
    """Samples this process's RSS in a daemon thread; ``series`` is (seconds, bytes)."""

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self.series: list[tuple[float, int]] = []
        self._process = psutil.Process()
        self._started = time.perf_counter()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, name="rss-sampler", daemon=True)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join()
        self.sample_now()

    def sample_now(self) -> int:
        rss = int(self._process.memory_info().rss)
        self.series.append((time.perf_counter() - self._started, rss))
        return rss

    @property
    def peak(self) -> int:
        return max(rss for _, rss in self.series)

    def _sample(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample_now()


class ProgressRss:
    """The run's ``on_progress``: RSS each time another 1 % of the URLs is done."""

    def __init__(self, total: int, sampler: RssSampler) -> None:
        self.total = total
        self.done = 0
        self.points: dict[int, int] = {}  # percent -> RSS bytes
        self._sampler = sampler
        self._next = 1

    def __call__(self, summary: object) -> None:
        self.done += 1
        while self._next <= 100 and self.done * 100 >= self._next * self.total:
            self.points[self._next] = self._sampler.sample_now()
            self._next += 1


def run_child(args: argparse.Namespace) -> int:
    from benchmarks.batch_fetch import run_urls  # newsclean imports count in "before"

    urls = [args.base_url + article_path(index) for index in range(args.urls)]
    with RssSampler(args.interval) as sampler:
        before = sampler.sample_now()
        progress = ProgressRss(len(urls), sampler)
        summary, seconds, _ = run_urls(
            urls,
            workers=1,
            concurrency=args.concurrency,
            timeout=args.timeout,
            on_progress=progress,
        )
    result = {
        "urls": len(urls),
        "before": before,
        "peak": sampler.peak,
        "points": progress.points,
        "series": sampler.series,
        "seconds": seconds,
        "rows": summary.rows_written,
        "files": summary.files_written,
        "interrupted": summary.interrupted,
        "skipped": {f"{stage}:{reason}": n for (stage, reason), n in summary.skipped.items()},
    }
    print(json.dumps(result))
    return 0


# -- the parent: runs each size in a child -----------------------------------------------------


@dataclass(frozen=True, slots=True)
class ChildRun:
    result: dict[str, Any]
    #: the kernel's peak RSS of the child, bytes (Linux reports ru_maxrss in KiB)
    kernel_peak: int
    exit_code: int


def spawn_child(base_url: str, urls: int, args: argparse.Namespace) -> ChildRun:
    command = [
        sys.executable,
        "-m",
        "benchmarks.batch_memory",
        "--child",
        f"--base-url={base_url}",
        f"--urls={urls}",
        f"--concurrency={args.concurrency}",
        f"--timeout={args.timeout}",
        f"--interval={args.interval}",
    ]
    with subprocess.Popen(command, stdout=subprocess.PIPE) as child:
        killer = threading.Timer(args.timeout + _KILL_GRACE, child.kill)  # our own child
        killer.daemon = True
        killer.start()
        assert child.stdout is not None
        output = child.stdout.read()
        # wait4 rather than wait(): it also gives the child's resource usage
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        killer.cancel()
    lines = output.decode().strip().splitlines()
    result: dict[str, Any] = json.loads(lines[-1]) if lines else {}
    return ChildRun(result, usage.ru_maxrss * 1024, child.returncode)


def rss_at(result: dict[str, Any], percent: int) -> int | None:
    value = result.get("points", {}).get(str(percent))
    return int(value) if value is not None else None


def growth_per_1000(result: dict[str, Any]) -> float | None:
    """MB of RSS added per 1,000 URLs between 10 % and 100 % of the run."""
    first, last = rss_at(result, 10), rss_at(result, 100)
    if first is None or last is None:
        return None
    return (last - first) / MB / (0.9 * int(result["urls"]) / 1000)


def format_report(runs: Sequence[ChildRun], args: argparse.Namespace) -> list[str]:
    percents = "".join(f"{f'{p}%':>8}" for p in CHECKPOINTS)
    lines = [
        f"batch_memory: newsclean run, workers=1, concurrency {args.concurrency}, small pages, "
        f"latency 0; RSS in MB; one child process per size",
        f"{'URLs':>7} {'before':>7}{percents} {'peak':>7} {'kernel':>7} {'MB/1k':>6} "
        f"{'pages/s':>8} {'rows':>7}",
    ]
    for run in runs:
        result = run.result
        if not result:
            lines.append(f"  child failed (exit {run.exit_code}), no result")
            continue
        cells = "".join(
            f"{rss / MB:8.1f}" if (rss := rss_at(result, p)) is not None else f"{'-':>8}"
            for p in CHECKPOINTS
        )
        growth = growth_per_1000(result)
        lines.append(
            f"{result['urls']:>7} {result['before'] / MB:7.1f}{cells} {result['peak'] / MB:7.1f} "
            f"{run.kernel_peak / MB:7.1f} {growth if growth is not None else 0:6.2f} "
            f"{result['urls'] / result['seconds']:8.1f} {result['rows']:>7}"
        )
    return lines


def judge(runs: Sequence[ChildRun]) -> list[str]:
    """Lines saying what went wrong; empty when every run completed."""
    problems: list[str] = []
    for run in runs:
        result = run.result
        if run.exit_code != 0 or not result:
            problems.append(f"a child exited {run.exit_code}")
            continue
        if result["interrupted"]:
            problems.append(f"the {result['urls']}-URL run timed out")
        if result["rows"] != result["urls"]:
            problems.append(
                f"the {result['urls']}-URL run wrote {result['rows']} rows; "
                f"skipped: {result['skipped']}"
            )
    return problems


def write_series(runs: Sequence[ChildRun], path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["urls", "seconds", "rss_mb"])
        for run in runs:
            for seconds, rss in run.result.get("series", []):
                writer.writerow([run.result["urls"], f"{seconds:.2f}", f"{rss / MB:.1f}"])


def run_parent(args: argparse.Namespace) -> int:
    sizes = sorted({size for size in (args.compare, args.urls) if size > 0})
    spec = SiteSpec(max(sizes), latency=0.0, size="small")
    runs: list[ChildRun] = []
    with serve_site(spec, max_seconds=len(sizes) * (args.timeout + 2 * _KILL_GRACE)) as site:
        for size in sizes:
            print(f"  running {size} URLs ...", file=sys.stderr)
            runs.append(spawn_child(site.base_url, size, args))
    for line in format_report(runs, args):
        print(line)
    done = [run.result for run in runs if run.result]
    if len(done) == len(runs) > 1:
        peaks = [result["peak"] for result in done]
        print(
            f"peak growth from {done[0]['urls']} to {done[-1]['urls']} URLs: "
            f"{(peaks[-1] - peaks[0]) / MB:+.1f} MB; largest peak {max(peaks) / MB:.1f} MB "
            f"(target < 400 MB, flat)"
        )
        print(f"median pages/s: {statistics.median(r['urls'] / r['seconds'] for r in done):.1f}")
    print("before: after imports, before run(); kernel: ru_maxrss of the child; MB/1k: RSS")
    print("growth per 1,000 URLs between 10 % and 100 % of the run")
    if args.series:
        write_series(runs, args.series)
        print(f"RSS time series written to {args.series}")
    problems = judge(runs)
    for problem in problems:
        print(f"FAILED: {problem}")
    return 1 if problems else 0


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--urls", type=int, default=50_000)
    parser.add_argument("--compare", type=int, default=10_000, help="a smaller run; 0: none")
    parser.add_argument("--concurrency", type=int, default=16, help="the config default: 16")
    parser.add_argument("--timeout", type=float, default=1800.0, help="seconds per run")
    parser.add_argument("--interval", type=float, default=0.1, help="RSS sampling, seconds")
    parser.add_argument("--series", type=Path, help="write the RSS time series as CSV")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--base-url", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.urls < 1 or args.compare < 0 or args.concurrency < 1 or args.timeout <= 0:
        parser.error("--urls and --concurrency must be >= 1, --compare >= 0, --timeout > 0")
    if args.child and not args.base_url:
        parser.error("--child needs --base-url")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    return run_child(args) if args.child else run_parent(args)


if __name__ == "__main__":
    sys.exit(main())
