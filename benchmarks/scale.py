"""Scale-out: clean a 20,000-page WARC in one process, a process pool, and a Dask cluster.

::

    build, once (cached in --warc-dir)
        pages -> FetchResult -> WarcArchiveWriter -> one .warc.gz of --pages responses
        generated: benchmark-site article pages (benchmarks.localsite, ~42 kB, 250 hosts)
        wcxb:      the WCXB dev pages (../shared/data/wcxb-dev, ~255 kB), cycled, every copy
                   under a URL of its own on its page's domain
    each round, the modes in rotating order; every mode is started before its pass and
    stopped after it (start-up timed apart), so a pass's process tree is that mode's alone:
        read     WarcSource only: what reading the archive costs the driver
        serial   WarcSource -> clean_page in this process
        pool     WarcSource -> ProcessPoolExecutor(--workers): one submit per page (as
                 LocalPages does), at most --window in flight; the Article comes back
        dask     WarcSource -> DaskPages(LocalCluster(--workers, 1 thread each)).clean():
                 the page goes to the shard of its host, the Article comes back
    once: driver, twice
        run() over --driver-rows URLs with an engine that answers at once (canned outcomes
        made from the archive's first pages): the driver's own serial cost per row -- URL
        normalisation, state, article_row, near-duplicate index, Parquet commits -- i.e. the
        ceiling of ONE driver whatever the number of workers; first with outcomes that carry
        no fingerprint (the driver hashes every kept text, the path before workers made
        them), then with the fingerprints the cleaning workers make (the run's own path)

Figures: pages/s (median of --repeat rounds, every round shown), CPU cores the mode got (CPU
seconds of the process tree / wall seconds: below the worker count, the box was shared),
peak RSS of the process tree (this process and every descendant, summed, sampled every
--interval s; median of the rounds). Every mode must give the same text per page as the
serial pass.

Exit codes: 0 done; 1 outputs differed, pages were lost or a mode failed; 2 bad arguments.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import hashlib
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from contextlib import suppress
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Literal

import psutil

from benchmarks.batch_fetch import url_list_config
from benchmarks.localsite import PageMaker, SiteSpec, article_path
from newsclean.cleaners import Article
from newsclean.cleaners.errors import CleanerError
from newsclean.cleaners.fingerprint import TextFingerprint, fingerprint_text, words_of
from newsclean.output.warc import WarcArchiveWriter
from newsclean.pipeline.dask_engine import DaskOptions, DaskPages, warm_up
from newsclean.pipeline.dedup import DedupOptions, MinHasher
from newsclean.pipeline.pages import PageOutcome, clean_page
from newsclean.pipeline.run import RunOptions, run
from newsclean.scraper.polite import PolitenessOptions
from newsclean.scraper.records import FetchResult
from newsclean.scraper.warc import WarcResponse, WarcSource

MB = 1024 * 1024
DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "wcxb-dev"
DEFAULT_WARC_DIR = Path(tempfile.gettempdir()) / "newsclean-scale"
Source = Literal["generated", "wcxb"]
Mode = Literal["read", "serial", "pool", "dask"]
MODES: tuple[Mode, ...] = ("read", "serial", "pool", "dask")
#: hosts the generated pages are spread over (the dask engine shards by host)
GENERATED_HOSTS = 250
#: canned outcomes the driver measurement cycles through (distinct URLs make distinct rows)
DRIVER_TEMPLATES = 200
CRAWLED_AT = datetime(2024, 3, 4, 6, 0, tzinfo=UTC)


# -- the archive -----------------------------------------------------------------------------


def build_archive(source: Source, pages: int, warc_dir: Path, data: Path) -> Path:
    """The cached archive of ``pages`` responses (built on first use; ~1-2 min per 20,000)."""
    folder = warc_dir / f"{source}-{pages}"
    found = sorted(folder.glob("*.warc.gz"))
    if found:
        return found[0]
    building = Path(tempfile.mkdtemp(prefix=f"{source}-{pages}-", dir=warc_dir))
    started = time.perf_counter()
    with WarcArchiveWriter(building, run_id=f"scale-{source}-{pages}", max_bytes=2**40) as out:
        for fetch in page_fetches(source, pages, data):
            out.write(fetch)
    building.rename(folder)  # whole or not at all: an interrupted build is never reused
    path = sorted(folder.glob("*.warc.gz"))[0]
    size, seconds = path.stat().st_size / MB, time.perf_counter() - started
    print(f"built {path} ({size:.0f} MB) in {seconds:.0f} s", file=sys.stderr)
    return path


def page_fetches(source: Source, pages: int, data: Path) -> Iterator[FetchResult]:
    if source == "generated":
        maker = PageMaker(SiteSpec(pages))
        for i in range(pages):
            url = f"https://www.site-{i % GENERATED_HOSTS:03d}.example{article_path(i)}"
            yield fetched(url, maker.page(i), "text/html; charset=utf-8", i)
        return
    from benchmarks.wcxb import load_pages

    originals = load_pages(data, "all")
    for i in range(pages):
        page = originals[i % len(originals)]
        copy = i // len(originals)
        url = f"https://{page.domain or 'wcxb.example'}/copy-{copy}/{page.page_id}.html"
        # no charset: WCXB pages come in several encodings and declare them in <meta>
        yield fetched(url, gzip.decompress(page.html_path.read_bytes()), "text/html", i)


def fetched(url: str, body: bytes, content_type: str, index: int) -> FetchResult:
    return FetchResult(
        requested_url=url,
        final_url=url,
        status=200,
        headers=(("content-type", content_type), ("content-length", str(len(body)))),
        body=body,
        fetched_at=CRAWLED_AT + timedelta(seconds=index),
    )


def archived(path: Path) -> Iterator[FetchResult]:
    """The archive's pages, in order; a record the reader skips is a benchmark failure."""
    for item in WarcSource(path).responses():
        if not isinstance(item, WarcResponse):
            raise RuntimeError(f"archive record skipped: {item.reason} {item.url} {item.detail}")
        yield item.fetch


# -- the modes -------------------------------------------------------------------------------


def digest(article: Article | None, failure: str | None = None) -> str:
    """What a pass keeps per page: a hash of the text (or the failure), compared across modes."""
    if article is None:
        return f"error:{failure}"
    return hashlib.blake2b(article.text.encode(), digest_size=12).hexdigest()


def clean_fetch(body: bytes, url: str, content_type: str) -> Article | str:
    """clean_page, a cleaner error as its reason (top-level: a pool pickles it)."""
    try:
        return clean_page(body, url, content_type or None)
    except CleanerError as exc:
        return exc.reason


def outcome_digest(result: Article | str) -> str:
    return digest(result, None) if isinstance(result, Article) else digest(None, result)


def read_pass(path: Path) -> list[str]:
    return [fetch.final_url for fetch in archived(path)]


def serial_pass(path: Path) -> list[str]:
    return [
        outcome_digest(clean_fetch(f.body, f.final_url, f.content_type)) for f in archived(path)
    ]


def pool_pass(pool: ProcessPoolExecutor, path: Path, window: int) -> list[str]:
    results: dict[int, str] = {}
    pending: dict[Future[Article | str], int] = {}

    def settle(done: set[Future[Article | str]]) -> None:
        for future in done:
            results[pending.pop(future)] = outcome_digest(future.result())

    for index, fetch in enumerate(archived(path)):
        future = pool.submit(clean_fetch, fetch.body, fetch.final_url, fetch.content_type)
        pending[future] = index
        if len(pending) >= window:
            settle(wait(pending, return_when=FIRST_COMPLETED).done)
    settle(wait(pending).done)
    return [results[i] for i in range(len(results))]


async def dask_pass(engine: DaskPages, path: Path, window: int) -> list[str]:
    results: dict[int, str] = {}
    slots = asyncio.Semaphore(window)

    async def one(index: int, fetch: FetchResult) -> None:
        try:
            outcome = await engine.clean(fetch)
            failure = outcome.failure.reason if outcome.failure is not None else None
            results[index] = digest(outcome.article, failure)
        finally:
            slots.release()

    tasks = []
    for index, fetch in enumerate(archived(path)):
        await slots.acquire()
        tasks.append(asyncio.create_task(one(index, fetch)))
    await asyncio.gather(*tasks)
    return [results[i] for i in range(len(results))]


# -- measuring -------------------------------------------------------------------------------


@dataclass
class Pass:
    mode: Mode
    pages: int
    seconds: float
    cpu_seconds: float
    peak_rss: int
    startup: float
    #: CPU seconds of this process alone (reading, and handing pages out and results back)
    driver_cpu_seconds: float
    outputs: list[str] = field(repr=False)

    @property
    def pages_per_s(self) -> float:
        return self.pages / self.seconds

    @property
    def cores(self) -> float:
        return self.cpu_seconds / self.seconds

    @property
    def pages_per_cpu_s(self) -> float:
        """Pages per CPU second of the whole tree: the cost of a mode, whatever the load."""
        return self.pages / self.cpu_seconds

    @property
    def driver_cpu_ms(self) -> float:
        """CPU ms per page spent by the driver process."""
        return 1000 * self.driver_cpu_seconds / self.pages


def tree() -> list[psutil.Process]:
    me = psutil.Process()
    return [me, *me.children(recursive=True)]


def tree_cpu() -> float:
    total = 0.0
    for process in tree():
        with suppress(psutil.NoSuchProcess):
            total += sum(process.cpu_times()[:2])
    return total


def tree_rss() -> int:
    total = 0
    for process in tree():
        with suppress(psutil.NoSuchProcess):
            total += process.memory_info().rss
    return total


class PeakRss:
    """The peak summed RSS of this process and its descendants, sampled in a thread."""

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, name="rss", daemon=True)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, tree_rss())

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, tree_rss())
            self._stop.wait(self.interval)


def timed(mode: Mode, startup: float, work: Callable[[], list[str]], rss: PeakRss) -> Pass:
    """One pass of ``work``; called with the mode started, inside its RSS sampler."""
    cpu, own, started = tree_cpu(), time.process_time(), time.perf_counter()
    outputs = work()
    seconds = time.perf_counter() - started
    cpu, own = tree_cpu() - cpu, time.process_time() - own
    return Pass(mode, len(outputs), seconds, cpu, rss.peak, startup, own, outputs)


def run_mode(mode: Mode, path: Path, args: argparse.Namespace) -> Pass:
    with PeakRss(args.interval) as rss:
        if mode == "read":
            done = timed(mode, 0.0, lambda: read_pass(path), rss)
        elif mode == "serial":
            done = timed(mode, 0.0, lambda: serial_pass(path), rss)
        elif mode == "pool":
            done = _pool_mode(path, args, rss)
        else:
            done = _dask_mode(path, args, rss)
    done.peak_rss = rss.peak
    return done


def _pool_mode(path: Path, args: argparse.Namespace, rss: PeakRss) -> Pass:
    started = time.perf_counter()
    with ProcessPoolExecutor(max_workers=args.workers, initializer=warm_up) as pool:
        # start every worker (each warms up in its initializer) before the clock starts
        list(pool.map(time.sleep, [0.2] * args.workers))
        startup = time.perf_counter() - started
        return timed("pool", startup, lambda: pool_pass(pool, path, args.window), rss)


def _dask_mode(path: Path, args: argparse.Namespace, rss: PeakRss) -> Pass:
    started = time.perf_counter()
    engine = DaskPages(PolitenessOptions(), DaskOptions(n_workers=args.workers))
    try:
        startup = time.perf_counter() - started  # the cluster, and every shard warmed up
        return timed(
            "dask", startup, lambda: asyncio.run(dask_pass(engine, path, args.window)), rss
        )
    finally:
        engine.close()


# -- the driver's own cost -------------------------------------------------------------------


#: one canned outcome: the page as fetched, as cleaned, and its text's fingerprint
Template = tuple[FetchResult, Article, TextFingerprint | None]


class CannedPages:
    """A PageEngine answering at once with a cleaned page: only the driver's work is left."""

    def __init__(self, templates: Sequence[Template]) -> None:
        self._templates = templates

    async def process(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> PageOutcome:
        index = int(url.rsplit("-", 1)[1].removesuffix(".html"))
        fetch, article, fingerprint = self._templates[index % len(self._templates)]
        return PageOutcome(
            url,
            replace(fetch, requested_url=url, final_url=url),
            replace(article, url=url),
            fingerprint=fingerprint,
        )

    def close(self) -> None:
        pass


@dataclass(frozen=True)
class DriverCost:
    rows: int
    seconds: float
    cpu_seconds: float
    #: the canned outcomes carried the fingerprints cleaning workers make
    fingerprints: bool
    #: signatures the run's near-duplicate index took from outcomes / computed itself
    signatures_received: int
    signatures_computed: int

    @property
    def rows_per_s(self) -> float:
        return self.rows / self.seconds

    @property
    def cpu_ms_per_row(self) -> float:
        return 1000 * self.cpu_seconds / self.rows

    @property
    def ceiling(self) -> float:
        """Rows per second one driver can take when it has a core to itself."""
        return 1000 / self.cpu_ms_per_row


@dataclass(frozen=True)
class SignatureCost:
    """CPU ms per text of the near-duplicate signature, where each side pays it."""

    #: what DuplicateIndex.assign computes from a text that came without a fingerprint
    driver_ms: float
    #: what a cleaning worker spends on fingerprint_text (signature, word count, sha256)
    worker_ms: float


def driver_templates(path: Path) -> list[Template]:
    """The archive's first DRIVER_TEMPLATES articles, cleaned and fingerprinted."""
    spec = DedupOptions().minhash_spec()
    templates: list[Template] = []
    for fetch in archived(path):
        result = clean_fetch(fetch.body, fetch.final_url, fetch.content_type)
        if isinstance(result, Article) and result.is_article and len(result.text.split()) > 50:
            templates.append((fetch, result, fingerprint_text(result.text, spec)))
        if len(templates) >= DRIVER_TEMPLATES:
            break
    return templates


def driver_cost(templates: Sequence[Template], rows: int, *, fingerprints: bool) -> DriverCost:
    canned = [(f, a, p if fingerprints else None) for f, a, p in templates]
    with tempfile.TemporaryDirectory(prefix="newsclean-scale-driver-") as folder:
        urls = Path(folder) / "urls.txt"
        urls.write_text(
            "".join(
                f"https://www.site-{i % GENERATED_HOSTS:03d}.example/news/row-{i}.html\n"
                for i in range(rows)
            ),
            encoding="utf-8",
        )
        config = url_list_config(Path(folder) / "dataset", urls, workers=1, concurrency=16)
        options = RunOptions(
            install_signal_handlers=False, engine=lambda _c, _f: CannedPages(canned)
        )
        cpu, started = time.process_time(), time.perf_counter()
        summary = run(config, options)
        seconds = time.perf_counter() - started
        cpu_seconds = time.process_time() - cpu
        if summary.rows_written != rows:
            raise RuntimeError(f"driver run wrote {summary.rows_written} rows of {rows}")
    return DriverCost(
        rows,
        seconds,
        cpu_seconds,
        fingerprints,
        summary.signatures_received,
        summary.signatures_computed,
    )


def signature_cost(texts: Sequence[str], repeat: int = 5) -> SignatureCost:
    """CPU ms per text of a signature made by the driver (from the text) and by a worker."""
    options = DedupOptions()
    hasher, spec = MinHasher.for_options(options), options.minhash_spec()
    started = time.process_time()
    for _ in range(repeat):
        for text in texts:
            hasher.band_keys(hasher.signature(words_of(text)))
    driver = time.process_time() - started
    started = time.process_time()
    for _ in range(repeat):
        for text in texts:
            fingerprint_text(text, spec)
    worker = time.process_time() - started
    per_text = 1000 / (repeat * len(texts))
    return SignatureCost(driver * per_text, worker * per_text)


# -- the report ------------------------------------------------------------------------------


def measure(path: Path, args: argparse.Namespace) -> dict[Mode, list[Pass]]:
    modes: tuple[Mode, ...] = tuple(args.modes)
    passes: dict[Mode, list[Pass]] = {mode: [] for mode in modes}
    for round_number in range(args.repeat):
        shift = round_number % len(modes)
        for mode in modes[shift:] + modes[:shift]:
            done = run_mode(mode, path, args)
            passes[mode].append(done)
            print(
                f"  round {round_number + 1} {mode}: {done.pages_per_s:.1f} pages/s, "
                f"{done.cores:.2f} cores, peak {done.peak_rss / MB:.0f} MB, "
                f"start-up {done.startup:.1f} s",
                file=sys.stderr,
            )
    return passes


def report(
    passes: dict[Mode, list[Pass]],
    drivers: Sequence[DriverCost],
    signature: SignatureCost | None,
    path: Path,
    args: argparse.Namespace,
) -> int:
    print()
    print(
        f"scale: {args.pages} pages ({args.source}) from {path.name} "
        f"({path.stat().st_size / MB:.0f} MB); {args.repeat} rounds; {args.workers} workers, "
        f"window {args.window}; {os.cpu_count()} CPUs"
    )
    serial = _median_rate(passes.get("serial"))
    print(
        f"{'mode':8} {'pages/s':>8} {'vs serial':>9} {'cores':>6} {'pages/CPU-s':>11} "
        f"{'driver ms':>9} {'peak MB':>8} {'start s':>8}  rounds (pages/s)"
    )
    for mode, rounds in passes.items():
        rate = _median_rate(rounds)
        ratio = f"{rate / serial:9.2f}" if serial else f"{'-':>9}"
        print(
            f"{mode:8} {rate:8.1f} {ratio} {statistics.median(p.cores for p in rounds):6.2f} "
            f"{statistics.median(p.pages_per_cpu_s for p in rounds):11.1f} "
            f"{statistics.median(p.driver_cpu_ms for p in rounds):9.2f} "
            f"{statistics.median(p.peak_rss for p in rounds) / MB:8.0f} "
            f"{statistics.median(p.startup for p in rounds):8.1f}  "
            + " / ".join(f"{p.pages_per_s:.1f}" for p in rounds)
        )
    for driver in drivers:
        where = "from the workers" if driver.fingerprints else "none: hashed on the driver"
        print(
            f"driver   {driver.rows_per_s:8.1f} rows/s here ({driver.rows} rows, "
            f"{driver.cpu_seconds / driver.seconds:.2f} cores); {driver.cpu_ms_per_row:.2f} CPU ms "
            f"per row = {driver.ceiling:.0f} rows/s on a core of its own: one driver's ceiling, "
            f"whatever the workers (fingerprints {where}; signatures: "
            f"{driver.signatures_received} received, {driver.signatures_computed} computed)"
        )
    if len(drivers) == 2:
        print(
            f"         fingerprints from the workers: {drivers[1].cpu_ms_per_row:.2f} / "
            f"{drivers[0].cpu_ms_per_row:.2f} = "
            f"{drivers[1].cpu_ms_per_row / drivers[0].cpu_ms_per_row:.2f}x the driver's CPU per row"
        )
    if signature is not None:
        print(
            f"         near-duplicate MinHash of a text: {signature.driver_ms:.2f} CPU ms on the "
            f"driver (no fingerprint), {signature.worker_ms:.2f} ms on a worker (fingerprint)"
        )
    print(
        "cores: CPU seconds of the process tree / wall seconds; pages/CPU-s: pages per CPU "
        "second of the tree (what a mode costs, whatever the load); driver ms: CPU ms per page "
        "of this process alone; peak MB: RSS of this process and its descendants, summed; "
        "medians of the rounds"
    )
    print(f"load average at the end: {' / '.join(f'{v:.2f}' for v in os.getloadavg())}")
    return _check(passes, args.pages)


def _median_rate(rounds: Sequence[Pass] | None) -> float:
    return statistics.median(p.pages_per_s for p in rounds) if rounds else 0.0


def _check(passes: dict[Mode, list[Pass]], pages: int) -> int:
    cleaned = [p for mode, rounds in passes.items() if mode != "read" for p in rounds]
    short = [p for rounds in passes.values() for p in rounds if p.pages != pages]
    if short:
        print(f"FAILED: {len(short)} passes did not see all {pages} pages")
        return 1
    if not cleaned:
        return 0
    reference = cleaned[0].outputs
    differing = {
        f"{one.mode} round {index + 1}": count
        for mode, rounds in passes.items()
        for index, one in enumerate(rounds)
        if mode != "read"
        and (count := sum(a != b for a, b in zip(one.outputs, reference, strict=True)))
    }
    errors = sum(output.startswith("error:") for output in reference)
    if errors:
        print(f"pages that failed to clean: {errors}")
    if differing:
        print(
            "FAILED: page texts differ from the first pass: "
            + ", ".join(f"{name}: {count}" for name, count in differing.items())
            + " (did the cleaners change on disk during the benchmark? fresh worker "
            "processes import the code as it is when they start)"
        )
        return 1
    return 0


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.scale", description=__doc__)
    parser.add_argument("--pages", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--window", type=int, default=8, help="pages in flight (pool, dask)")
    parser.add_argument("--source", choices=("generated", "wcxb"), default="generated")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="WCXB split folder")
    parser.add_argument("--warc-dir", type=Path, default=DEFAULT_WARC_DIR)
    parser.add_argument(
        "--modes", type=lambda s: s.split(","), default=list(MODES), help="read,serial,pool,dask"
    )
    parser.add_argument("--driver-rows", type=int, default=20_000, help="0 skips it")
    parser.add_argument("--interval", type=float, default=0.2, help="RSS sampling, seconds")
    parser.add_argument("--json", type=Path, help="write every figure here")
    args = parser.parse_args(argv)
    if args.pages < 1 or args.repeat < 1 or args.workers < 1 or args.window < 1:
        parser.error("--pages, --repeat, --workers and --window must be >= 1")
    if unknown := set(args.modes) - set(MODES):
        parser.error(f"unknown modes: {', '.join(sorted(unknown))}")
    if args.source == "wcxb" and not args.data.is_dir():
        parser.error(f"no WCXB data at {args.data}")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    args.warc_dir.mkdir(parents=True, exist_ok=True)
    path = build_archive(args.source, args.pages, args.warc_dir, args.data)
    warm_up()  # this process: the serial pass must not pay the first clean's loading
    passes = measure(path, args)
    drivers: list[DriverCost] = []
    signature = None
    if args.driver_rows > 0:
        templates = driver_templates(path)
        drivers = [driver_cost(templates, args.driver_rows, fingerprints=f) for f in (False, True)]
        signature = signature_cost([article.text for _f, article, _p in templates])
    code = report(passes, drivers, signature, path, args)
    if args.json is not None:
        figures = {
            "args": {k: str(v) for k, v in vars(args).items()},
            "passes": {
                mode: [{k: v for k, v in asdict(p).items() if k != "outputs"} for p in rounds]
                for mode, rounds in passes.items()
            },
            "driver": [asdict(driver) for driver in drivers],
            "signature": asdict(signature) if signature is not None else None,
        }
        args.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    return code


if __name__ == "__main__":
    sys.exit(main())
