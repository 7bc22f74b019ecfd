"""Batch cleaning throughput: ``clean_html`` in one process vs a process pool of 2.

The pages are the WCXB dev split's article pages when ``../shared/data/wcxb-dev`` exists (or
``--data``), else pages of the benchmark site (:mod:`benchmarks.localsite`). Bodies are bytes,
as a fetch hands them to the cleaner. Each round times, in rotating order::

    serial           clean_html on every page in this process
    pool, chunked    ProcessPoolExecutor(--workers).map(..., chunksize=--chunksize)
    pool, per page   one submit per page (what the run loop's run_in_executor does)

The pool is started and warmed (imports, phrase tables) before any timing; its start-up time
is printed apart. docs/s are medians of ``--repeat`` rounds; the speedup is median pool docs/s
over median serial docs/s (target >= 1.7 with 2 workers). Every round must give the same text
for every page as the serial pass: a difference is reported and makes the exit code 1.

Exit codes: 0 done; 1 outputs differed or pages failed; 2 bad arguments or no pages.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import os
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import psutil

from benchmarks.localsite import PageMaker, SiteSpec, article_path
from newsclean.cleaners import clean_html
from newsclean.cleaners.errors import CleanerError

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "wcxb-dev"
PageSource = Literal["auto", "wcxb", "generated"]
Mode = Literal["serial", "pool, chunked", "pool, per page"]
MODES: tuple[Mode, ...] = ("serial", "pool, chunked", "pool, per page")


@dataclass(frozen=True, slots=True)
class Doc:
    url: str
    body: bytes


@dataclass(frozen=True, slots=True)
class Pass:
    """One timed pass over every page in one mode."""

    mode: Mode
    seconds: float
    #: CPU seconds of this process and its pool workers during the pass
    cpu_seconds: float
    #: per page: a hash of the cleaned text, or "error:<reason>"
    outputs: tuple[str, ...]

    @property
    def docs_per_s(self) -> float:
        return len(self.outputs) / self.seconds

    @property
    def docs_per_cpu_s(self) -> float:
        """Pages per CPU second: the cost of a page, whatever share of the box we got."""
        return len(self.outputs) / self.cpu_seconds if self.cpu_seconds > 0 else 0.0

    @property
    def cores(self) -> float:
        """CPUs this benchmark actually got: below the worker count when the box is busy."""
        return self.cpu_seconds / self.seconds


def clean_one(doc: Doc) -> str:
    """Clean one page and reduce the Article to a hash of its text (top-level: picklable)."""
    try:
        article = clean_html(doc.body, doc.url)
    except CleanerError as exc:
        return f"error:{exc.reason}"
    return hashlib.blake2b(article.text.encode(), digest_size=12).hexdigest()


# -- pages -----------------------------------------------------------------------------------


def load_docs(source: PageSource, data: Path, count: int) -> tuple[list[Doc], str]:
    """``count`` pages and a line saying where they come from."""
    if source == "wcxb" or (source == "auto" and data.is_dir()):
        from benchmarks.wcxb import load_pages

        pages = load_pages(data, "article", limit=count)
        docs = [
            Doc(page.url or f"https://{page.domain}/{page.page_id}", _gunzip(page.html_path))
            for page in pages
        ]
        return docs, f"WCXB dev article pages from {data}"
    maker = PageMaker(SiteSpec(count))
    docs = [Doc(f"http://127.0.0.1:8080{article_path(i)}", maker.page(i)) for i in range(count)]
    return docs, "generated benchmark-site article pages (benchmarks.localsite)"


def _gunzip(path: Path) -> bytes:
    return gzip.decompress(path.read_bytes())


# -- the three modes -------------------------------------------------------------------------


def run_serial(docs: Sequence[Doc]) -> tuple[str, ...]:
    return tuple(clean_one(doc) for doc in docs)


def run_chunked(pool: Executor, docs: Sequence[Doc], chunksize: int) -> tuple[str, ...]:
    return tuple(pool.map(clean_one, docs, chunksize=chunksize))


def run_per_page(pool: Executor, docs: Sequence[Doc]) -> tuple[str, ...]:
    futures = [pool.submit(clean_one, doc) for doc in docs]
    return tuple(future.result() for future in futures)


def cpu_seconds() -> float:
    """User + system CPU of this process and its live children (the pool's workers)."""
    me = psutil.Process()
    total = float(sum(me.cpu_times()[:2]))
    for child in me.children(recursive=True):
        with suppress(psutil.NoSuchProcess):
            total += sum(child.cpu_times()[:2])
    return total


def timed_pass(mode: Mode, work: Callable[[], tuple[str, ...]]) -> Pass:
    cpu, started = cpu_seconds(), time.perf_counter()
    outputs = work()
    seconds = time.perf_counter() - started
    return Pass(mode, seconds, cpu_seconds() - cpu, outputs)


def measure(
    docs: Sequence[Doc], workers: int, chunksize: int, repeat: int
) -> tuple[dict[Mode, list[Pass]], float]:
    """Every round of every mode, and the pool's start-up seconds."""
    clean_one(docs[0])  # this process: imports and lazily built tables
    started = time.perf_counter()
    with ProcessPoolExecutor(max_workers=workers) as pool:
        # start every worker and let it build its tables: one small task each, in parallel
        list(pool.map(clean_one, [docs[0]] * workers * 2, chunksize=1))
        startup = time.perf_counter() - started
        runners: dict[Mode, Callable[[], tuple[str, ...]]] = {
            "serial": lambda: run_serial(docs),
            "pool, chunked": lambda: run_chunked(pool, docs, chunksize),
            "pool, per page": lambda: run_per_page(pool, docs),
        }
        passes: dict[Mode, list[Pass]] = {mode: [] for mode in MODES}
        for round_number in range(repeat):
            shift = round_number % len(MODES)
            for mode in MODES[shift:] + MODES[:shift]:
                done = timed_pass(mode, runners[mode])
                passes[mode].append(done)
                print(
                    f"  round {round_number + 1} {mode}: {done.docs_per_s:.1f} docs/s",
                    file=sys.stderr,
                )
    return passes, startup


# -- the report ------------------------------------------------------------------------------


def report(
    passes: dict[Mode, list[Pass]],
    startup: float,
    docs: Sequence[Doc],
    origin: str,
    args: argparse.Namespace,
) -> int:
    sizes = [len(doc.body) for doc in docs]
    print()
    print(
        f"batch_extract: {len(docs)} pages ({statistics.mean(sizes) / 1000:.1f} kB mean), "
        f"{origin}; {args.repeat} rounds; pool of {args.workers} (chunksize {args.chunksize}); "
        f"{os.cpu_count()} CPUs"
    )
    serial = statistics.median(p.docs_per_s for p in passes["serial"])
    print(f"{'':16} {'docs/s':>8} {'speedup':>8} {'CPUs got':>8} {'docs/CPU-s':>10}  runs (docs/s)")
    for mode, rounds in passes.items():
        rate = statistics.median(p.docs_per_s for p in rounds)
        cores = statistics.median(p.cores for p in rounds)
        per_cpu = statistics.median(p.docs_per_cpu_s for p in rounds)
        runs = " / ".join(f"{p.docs_per_s:.1f}" for p in rounds)
        print(f"{mode:16} {rate:8.1f} {rate / serial:8.2f} {cores:8.2f} {per_cpu:10.1f}  {runs}")
    chunked = statistics.median(p.docs_per_s for p in passes["pool, chunked"])
    print(
        f"speedup, pool chunked / serial = {chunked / serial:.2f} "
        f"(target >= 1.7 with 2 workers); pool start-up {startup:.2f} s (not timed above)"
    )
    print(
        "CPUs got: CPU seconds of this process and its workers / wall seconds; a pool that got "
        "fewer CPUs than workers was sharing the machine"
    )
    efficiency = statistics.median(p.docs_per_cpu_s for p in passes["pool, chunked"]) / (
        statistics.median(p.docs_per_cpu_s for p in passes["serial"])
    )
    print(
        f"pool CPU efficiency (docs/CPU-s, chunked / serial) = {efficiency:.2f}; on {args.workers} "
        f"otherwise idle cores that would give about {args.workers * efficiency:.2f}x "
        "(a projection, not a measurement)"
    )
    print(f"load average at the end: {' / '.join(f'{v:.2f}' for v in os.getloadavg())}")
    reference = passes["serial"][0].outputs
    errors = sum(output.startswith("error:") for output in reference)
    differing = sum(
        1
        for rounds in passes.values()
        for one in rounds
        for mine, theirs in zip(one.outputs, reference, strict=True)
        if mine != theirs
    )
    if errors:
        print(f"pages that failed to clean: {errors}")
    if differing:
        print(f"FAILED: {differing} page outputs differ from the first serial pass")
    return 1 if differing else 0


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=400)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--chunksize", type=int, default=0, help="0: pages / (workers * 8)")
    parser.add_argument("--source", choices=("auto", "wcxb", "generated"), default="auto")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = parser.parse_args(argv)
    if args.pages < 1 or args.repeat < 1 or args.workers < 1 or args.chunksize < 0:
        parser.error("--pages, --repeat and --workers must be >= 1, --chunksize >= 0")
    if args.source == "wcxb" and not args.data.is_dir():
        parser.error(f"no WCXB data at {args.data}")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    docs, origin = load_docs(args.source, args.data, args.pages)
    if not docs:
        print("no pages to clean", file=sys.stderr)
        return 2
    args.chunksize = args.chunksize or max(1, len(docs) // (args.workers * 8))
    passes, startup = measure(docs, args.workers, args.chunksize, args.repeat)
    return report(passes, startup, docs, origin, args)


if __name__ == "__main__":
    sys.exit(main())
