"""Batch fetching throughput: plain httpx vs ``PoliteFetcher`` vs the whole ``newsclean run``.

A local site (:mod:`benchmarks.localsite`, its own process) serves N distinct article pages,
each answered after ``--latency`` seconds. In this process, one after another::

    (a)  baseline: one httpx.AsyncClient, asyncio.gather under a semaphore of --concurrency
    (a2) reference: plain httpx with the same connections split over clients of --pool-size
         (httpcore's pool costs CPU per request in proportion to its size: see the README)
    (b)  PoliteFetcher(concurrency=C, per_host_concurrency=C, min_delay=0, obey_robots=False)
    (b') the same with obey_robots=True (robots.txt is served, and loaded once per run)
    (c)  run(config, RunOptions(...)): URL-list source -> fetch -> clean -> Parquet, into a
         fresh temporary dataset, with workers=1 and workers=2

(a), (a2), (b) and (b') are repeated ``--repeat`` times, their order rotating each round, and the
median pages/s is reported with every run. (c) runs ``--run-repeat`` times per worker count.
Every page must come back 200 with the bytes the site serves; a benchmark that lost pages
says so and exits 1. Timings are ratios against (a) in the same process, never absolute
thresholds: the box is shared and noisy.

``--profile OUT`` additionally runs (c) with workers=1 under cProfile (the event-loop thread:
discovery, fetching, state, commits; cleaning runs in its executor thread and is not in it)
and prints the top functions by own time.

Exit codes: 0 done; 1 some page failed or a run timed out; 2 bad arguments.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import os
import pstats
import signal
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Coroutine, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from benchmarks.localsite import LocalSite, PageMaker, SiteSpec, serve_site
from newsclean.pipeline.config import Config
from newsclean.pipeline.run import RunOptions, run
from newsclean.pipeline.summary import RunSummary
from newsclean.scraper.polite import PoliteFetcher, PolitenessOptions


@dataclass(frozen=True, slots=True)
class Measure:
    """One timed pass over the pages."""

    label: str
    pages: int
    seconds: float
    #: CPU seconds of THIS process during the pass (a process pool's workers are not in it)
    cpu_seconds: float
    body_bytes: int
    failed: int
    note: str = ""

    @property
    def pages_per_s(self) -> float:
        return self.pages / self.seconds if self.seconds > 0 else 0.0

    @property
    def cpu_ms_per_page(self) -> float:
        return 1000 * self.cpu_seconds / self.pages if self.pages else 0.0


@contextmanager
def timed() -> Iterator[dict[str, float]]:
    """Wall and CPU time of the block, into the dict it yields (filled on exit)."""
    times: dict[str, float] = {}
    wall, cpu = time.perf_counter(), time.process_time()
    yield times
    times["seconds"] = time.perf_counter() - wall
    times["cpu"] = time.process_time() - cpu


# -- (a) the baseline ------------------------------------------------------------------------


async def fetch_with_httpx(urls: Sequence[str], concurrency: int, timeout: float) -> Measure:
    """Plain httpx: one AsyncClient, a semaphore, every body read whole."""
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    gate = asyncio.Semaphore(concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=30.0) as client:

        async def fetch_one(url: str) -> int:
            async with gate:
                response = await client.get(url)
                response.raise_for_status()
                return len(response.content)

        return await _gather_timed("(a) httpx AsyncClient + semaphore", urls, fetch_one, timeout)


async def fetch_with_small_pools(
    urls: Sequence[str], concurrency: int, per_pool: int, timeout: float
) -> Measure:
    """Reference: plain httpx with the connections split over clients of ``per_pool`` each.

    httpcore's pool does work per queued request proportional to its connection count on
    every request and release, so one pool of 64 connections costs far more CPU per page
    than 16 pools of 4. A LIFO queue hands out one client token per connection, so no
    request ever waits inside a pool.
    """
    limits = httpx.Limits(max_connections=per_pool, max_keepalive_connections=per_pool)
    clients = [
        httpx.AsyncClient(limits=limits, timeout=30.0) for _ in range(-(-concurrency // per_pool))
    ]
    tokens: asyncio.LifoQueue[httpx.AsyncClient] = asyncio.LifoQueue()
    for index in range(concurrency):
        tokens.put_nowait(clients[index % len(clients)])

    async def fetch_one(url: str) -> int:
        client = await tokens.get()
        try:
            response = await client.get(url)
            response.raise_for_status()
            return len(response.content)
        finally:
            tokens.put_nowait(client)

    label = f"(a2) httpx, {len(clients)} clients x {per_pool} conns"
    try:
        return await _gather_timed(label, urls, fetch_one, timeout)
    finally:
        for client in clients:
            await client.aclose()


# -- (b) our fetch layer ---------------------------------------------------------------------


async def fetch_with_polite(
    urls: Sequence[str], concurrency: int, obey_robots: bool, timeout: float
) -> Measure:
    """PoliteFetcher with pacing off: what our layer costs on top of httpx."""
    options = PolitenessOptions(
        concurrency=concurrency,
        per_host_concurrency=concurrency,
        min_delay=0.0,
        obey_robots=obey_robots,
        allow_private_addresses=True,  # the site is on 127.0.0.1
    )
    label = "(b') PoliteFetcher, robots on" if obey_robots else "(b) PoliteFetcher, robots off"
    async with PoliteFetcher(options) as fetcher:

        async def fetch_one(url: str) -> int:
            result = await fetcher.get(url)
            if result.status != 200:
                raise RuntimeError(f"status {result.status} for {url}")
            return len(result.body)

        return await _gather_timed(label, urls, fetch_one, timeout)


async def _gather_timed(
    label: str,
    urls: Sequence[str],
    fetch_one: Callable[[str], Awaitable[int]],
    timeout: float,
) -> Measure:
    with timed() as times:
        async with asyncio.timeout(timeout):
            outcomes = await asyncio.gather(
                *(fetch_one(url) for url in urls), return_exceptions=True
            )
    sizes = [size for size in outcomes if isinstance(size, int)]
    errors = [exc for exc in outcomes if isinstance(exc, BaseException)]
    note = f"first error: {errors[0]!r}"[:200] if errors else ""
    return Measure(label, len(urls), times["seconds"], times["cpu"], sum(sizes), len(errors), note)


# -- (c) the whole run -----------------------------------------------------------------------


def url_list_config(
    dataset: Path, url_file: Path, *, workers: int, concurrency: int, obey_robots: bool = False
) -> Config:
    """A run config: one URL-list source, pacing off, into ``dataset``."""
    return Config.model_validate(
        {
            "output": {"dataset": dataset},
            "fetch": {
                "concurrency": concurrency,
                "per_host_concurrency": min(concurrency, 64),
                "per_host_delay": 0.0,
                "obey_robots": obey_robots,
                "allow_private_addresses": True,
            },
            "run": {"workers": workers},
            "sources": [{"type": "urls", "path": url_file, "name": "bench"}],
        }
    )


@contextmanager
def stop_after(seconds: float) -> Iterator[threading.Event]:
    """SIGTERM this process after ``seconds``: the run's own handler commits and stops."""
    fired = threading.Event()

    def fire() -> None:
        fired.set()
        os.kill(os.getpid(), signal.SIGTERM)

    timer = threading.Timer(seconds, fire)
    timer.daemon = True
    timer.start()
    try:
        yield fired
    finally:
        timer.cancel()


def run_urls(
    urls: Sequence[str],
    *,
    workers: int,
    concurrency: int,
    timeout: float,
    on_progress: Callable[[RunSummary], None] | None = None,
    profile: cProfile.Profile | None = None,
) -> tuple[RunSummary, float, float]:
    """``newsclean run`` over ``urls`` into a fresh temporary dataset.

    Returns the summary, wall seconds and this process's CPU seconds. Bounded: after
    ``timeout`` seconds the run is sent SIGTERM and stops after committing what it has.
    """
    with tempfile.TemporaryDirectory(prefix="newsclean-bench-") as tmp:
        url_file = Path(tmp) / "urls.txt"
        url_file.write_text("\n".join(urls) + "\n", encoding="utf-8")
        config = url_list_config(
            Path(tmp) / "dataset", url_file, workers=workers, concurrency=concurrency
        )
        options = RunOptions(on_progress=on_progress, install_signal_handlers=True)
        with stop_after(timeout), timed() as times:
            if profile is not None:
                profile.enable()
            try:
                summary = run(config, options)
            finally:
                if profile is not None:
                    profile.disable()
    return summary, times["seconds"], times["cpu"]


def measure_run(urls: Sequence[str], workers: int, concurrency: int, timeout: float) -> Measure:
    summary, seconds, cpu = run_urls(
        urls, workers=workers, concurrency=concurrency, timeout=timeout
    )
    label = f"(c) newsclean run, workers={workers}"
    return Measure(
        label, len(urls), seconds, cpu, 0, len(urls) - summary.rows_written, run_note(summary)
    )


def run_note(summary: RunSummary) -> str:
    note = f"rows {summary.rows_written}, files {summary.files_written}"
    if summary.interrupted:
        note += ", TIMED OUT (interrupted)"
    skipped = ", ".join(f"{stage}:{reason}={n}" for (stage, reason), n in summary.skipped.items())
    return note + (f", skipped {skipped}" if skipped else "")


# -- reference: cleaning alone ---------------------------------------------------------------


def clean_rate(site: LocalSite, sample: int) -> float:
    """Serial ``clean_html`` docs/s on the first ``sample`` pages, in this process."""
    from newsclean.cleaners import clean_html

    maker = PageMaker(site.spec)
    pages = [(maker.page(index), site.url(index)) for index in range(min(sample, site.spec.pages))]
    clean_html(pages[0][0], pages[0][1])  # lazily built tables and imports
    started = time.perf_counter()
    for body, url in pages:
        clean_html(body, url, content_type="text/html; charset=utf-8")
    return len(pages) / (time.perf_counter() - started)


# -- the report ------------------------------------------------------------------------------


def fetch_rounds(site: LocalSite, args: argparse.Namespace) -> dict[str, list[Measure]]:
    urls = site.urls()
    runners: dict[str, Callable[[Sequence[str]], Coroutine[Any, Any, Measure]]] = {
        "a": lambda u: fetch_with_httpx(u, args.concurrency, args.timeout),
        "a2": lambda u: fetch_with_small_pools(u, args.concurrency, args.pool_size, args.timeout),
        "b": lambda u: fetch_with_polite(u, args.concurrency, False, args.timeout),
        "b'": lambda u: fetch_with_polite(u, args.concurrency, True, args.timeout),
    }
    order = list(runners)
    for key in order:  # warm-up: imports, the server's first connections
        asyncio.run(runners[key](urls[: min(200, len(urls))]))
    results: dict[str, list[Measure]] = {key: [] for key in order}
    for round_number in range(args.repeat):
        rotated = order[round_number % len(order) :] + order[: round_number % len(order)]
        for key in rotated:
            before = site.stats()
            measure = asyncio.run(runners[key](urls))
            after = site.stats()
            requests = after.get("requests", 0) - before.get("requests", 0)
            robots = after.get("robots", 0) - before.get("robots", 0)
            results[key].append(
                _with_note(measure, f"server saw {requests} requests, {robots} robots.txt")
            )
            print(
                f"  round {round_number + 1} {measure.label}: {measure.pages_per_s:,.0f} pages/s",
                file=sys.stderr,
            )
    return results


def _with_note(measure: Measure, extra: str) -> Measure:
    note = f"{measure.note}; {extra}" if measure.note else extra
    return Measure(
        measure.label,
        measure.pages,
        measure.seconds,
        measure.cpu_seconds,
        measure.body_bytes,
        measure.failed,
        note,
    )


def format_rows(
    groups: Sequence[list[Measure]], baseline: float, ratio_label: str = "ratio"
) -> list[str]:
    """A header and one row per group: median pages/s, ratio to ``baseline``, every run."""
    lines = [f"{'':42} {'pages/s':>9} {ratio_label:>8} {'CPU ms/page':>11}  runs (pages/s)"]
    for group in groups:
        rate = statistics.median(m.pages_per_s for m in group)
        cpu = statistics.median(m.cpu_ms_per_page for m in group)
        ratio = f"{rate / baseline:8.2f}" if baseline else f"{'-':>8}"
        runs = " / ".join(f"{m.pages_per_s:,.0f}" for m in group)
        lines.append(f"{group[0].label:42} {rate:9,.0f} {ratio} {cpu:11.2f}  {runs}")
    return lines


def report(
    site: LocalSite,
    fetches: dict[str, list[Measure]],
    runs: list[list[Measure]],
    clean: float,
    args: argparse.Namespace,
) -> int:
    """Print the tables; the exit code says whether every page made it."""
    print()
    for line in header_lines(site.spec, args):
        print(line)
    baseline = statistics.median(m.pages_per_s for m in fetches["a"])
    for line in format_rows(list(fetches.values()), baseline):
        print(line)
    ratio = statistics.median(m.pages_per_s for m in fetches["b"]) / baseline
    print(f"(b)/(a) = {ratio:.2f}  (target >= 0.90: our fetch layer costs <= 10 %)")
    if runs:
        print()
        print(
            f"clean_html alone (serial, this process, first {args.clean_sample} pages): "
            f"{clean:,.1f} docs/s"
        )
        for line in format_rows(runs, clean, "vs clean"):
            print(line)
        print("  'vs clean': against clean_html alone; CPU excludes process-pool workers")
    return check_complete([*fetches.values(), *runs])


def header_lines(spec: SiteSpec, args: argparse.Namespace) -> list[str]:
    maker = PageMaker(spec)
    sizes = [len(maker.page(index)) for index in range(min(spec.pages, 500))]
    bound = (
        f"{args.concurrency} / {spec.latency:g} s = {args.concurrency / spec.latency:,.0f} pages/s"
        if spec.latency
        else "none (latency 0)"
    )
    load = " / ".join(f"{value:.2f}" for value in os.getloadavg())
    return [
        f"batch_fetch: {spec.pages} pages ({statistics.mean(sizes) / 1000:.1f} kB mean, "
        f"{min(sizes) / 1000:.0f}-{max(sizes) / 1000:.0f} kB{', gzip' if spec.gzip else ''}), "
        f"latency {spec.latency * 1000:.0f} ms, concurrency {args.concurrency}, "
        f"{args.repeat} rounds, {os.cpu_count()} CPUs, load average {load}",
        f"latency bound: {bound}",
    ]


def check_complete(groups: Sequence[list[Measure]]) -> int:
    """Print every pass's note; 1 when a pass lost pages or bodies differed."""
    failed = 0
    for group in groups:
        failed += sum(measure.failed for measure in group)
        notes = Counter(measure.note for measure in group)
        for note, times in notes.items():
            print(f"  {group[0].label}: {note}{f' (x{times})' if times > 1 else ''}")
    fetched = {m.body_bytes for group in groups for m in group if m.body_bytes}
    if len(fetched) > 1:
        print(f"WARNING: body bytes differ between passes: {sorted(fetched)}")
        failed += 1
    if failed:
        print(f"FAILED: {failed} pages/rows missing (see the notes above)")
    return 1 if failed else 0


# -- the profile -----------------------------------------------------------------------------

#: where a profiled function lives -> the area it is counted in (first match wins)
_AREAS: tuple[tuple[str, str], ...] = (
    ("httpcore", "httpcore (connection pool, HTTP/1.1)"),
    ("httpx", "httpx (client, models)"),
    ("anyio", "anyio (httpcore's network backend)"),
    ("h11", "h11 (HTTP parsing)"),
    ("newsclean/scraper", "newsclean.scraper (fetch layer)"),
    ("datasketch", "near-duplicate MinHash (dedup, datasketch)"),
    ("numpy", "near-duplicate MinHash (dedup, datasketch)"),
    ("newsclean/pipeline/dedup", "near-duplicate MinHash (dedup, datasketch)"),
    ("newsclean/pipeline/state", "newsclean.pipeline.state (SQLite)"),
    ("sqlite3", "newsclean.pipeline.state (SQLite)"),
    ("newsclean/pipeline", "newsclean.pipeline (run loop)"),
    ("newsclean/output", "newsclean.output (rows, Parquet)"),
    ("pyarrow", "newsclean.output (rows, Parquet)"),
    ("newsclean/cleaners", "newsclean.cleaners (in the loop thread)"),
    ("asyncio", "asyncio (event loop, tasks)"),
    ("selectors", "asyncio (event loop, tasks)"),
    ("select.epoll", "waiting in epoll (idle, or for the GIL)"),
    # builtins are named by their object; these are httpcore's and anyio's socket calls
    ("_socket.socket", "socket calls (httpcore/anyio)"),
    ("select.poll", "socket calls (httpcore/anyio)"),
    ("_hashlib", "hashing (content and body SHA-256)"),
)


def profile_areas(stats: pstats.Stats) -> list[tuple[str, float]]:
    """Own time (tottime) per area, seconds, largest first."""
    totals: dict[str, float] = {}
    for (filename, _, name), row in stats.stats.items():  # type: ignore[attr-defined]
        where = f"{filename} {name}"
        area = next((label for key, label in _AREAS if key in where), "other")
        totals[area] = totals.get(area, 0.0) + row[2]
    return sorted(totals.items(), key=lambda item: -item[1])


def print_profile(profile: cProfile.Profile, pages: int, top: int) -> None:
    stream = io.StringIO()
    stats = pstats.Stats(profile, stream=stream)
    print()
    print(f"profile of (c) workers=1, event-loop thread only, {pages} pages; own time per area")
    print("(a call that releases the GIL also waits here for the cleaning thread to yield it)")
    for area, seconds in profile_areas(stats):
        print(f"  {area:42} {seconds:8.2f} s {1000 * seconds / pages:8.2f} ms/page")
    stats.sort_stats("tottime").print_stats(top)
    print(stream.getvalue())


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=5000)
    parser.add_argument("--latency", type=float, default=0.05, help="seconds per answer")
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--repeat", type=int, default=3, help="rounds of (a), (a2), (b), (b')")
    parser.add_argument("--run-repeat", type=int, default=1, help="runs of (c) per worker count")
    parser.add_argument("--workers", default="1,2", help="worker counts for (c); '' skips (c)")
    parser.add_argument("--gzip", action="store_true", help="serve pages gzipped")
    parser.add_argument("--pool-size", type=int, default=4, help="connections per client in (a2)")
    parser.add_argument("--clean-sample", type=int, default=200)
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds per measured pass")
    parser.add_argument(
        "--profile",
        type=int,
        default=0,
        metavar="PAGES",
        help="also profile (c) workers=1 over PAGES pages",
    )
    parser.add_argument("--profile-top", type=int, default=30)
    args = parser.parse_args(argv)
    if args.pages < 1 or args.repeat < 1 or args.concurrency < 1 or args.latency < 0:
        parser.error("--pages, --repeat and --concurrency must be >= 1, --latency >= 0")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    worker_counts = [int(w) for w in args.workers.split(",") if w.strip()]
    spec = SiteSpec(args.pages, args.latency, "article", args.gzip)
    passes = 4 * args.repeat + len(worker_counts) * args.run_repeat + 4
    with serve_site(spec, max_seconds=args.timeout * passes) as site:
        fetches = fetch_rounds(site, args)
        runs = run_rounds(site, worker_counts, args)
        clean = clean_rate(site, args.clean_sample) if runs else 0.0
        code = report(site, fetches, runs, clean, args)
        if args.profile:
            profile = cProfile.Profile()
            urls = site.urls(min(args.profile, args.pages))
            summary, _, _ = run_urls(
                urls, workers=1, concurrency=args.concurrency, timeout=args.timeout, profile=profile
            )
            print_profile(profile, len(urls), args.profile_top)
            print(f"  {run_note(summary)}")
    return code


def run_rounds(
    site: LocalSite, worker_counts: Sequence[int], args: argparse.Namespace
) -> list[list[Measure]]:
    """(c) for each worker count, rounds interleaved; one list per worker count."""
    results: list[list[Measure]] = [[] for _ in worker_counts]
    for round_number in range(args.run_repeat):
        for index, workers in enumerate(worker_counts):
            measure = measure_run(site.urls(), workers, args.concurrency, args.timeout)
            results[index].append(measure)
            print(
                f"  round {round_number + 1} {measure.label}: {measure.pages_per_s:,.1f} pages/s",
                file=sys.stderr,
            )
    return [group for group in results if group]


if __name__ == "__main__":
    sys.exit(main())
