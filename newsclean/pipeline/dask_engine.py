"""Scale-out page engine: fetch and clean on Dask workers, every host on exactly one worker.

::

    driver (the run's process)                         Dask workers (processes)
    BatchRun --process(url)--> DaskPages               ShardPages actor, one per shard:
                               HostShards: host ->       PoliteFetcher (the run's politeness)
                               shard (sticky for the     + LocalPages (fetch, then clean_page
                               run, least-loaded)          in the worker's own thread)
                               --actor call------------>
                               <--PageOutcome-----------  FetchResult (body kept) + Article
                                                          + the text's fingerprint

Politeness across workers. A shard is one :class:`ShardPages` actor living on one worker; a
host is given to one shard the first time it is seen and stays there for the run, so every
request to a host goes through the same :class:`PoliteFetcher` (its pacing, Crawl-delay,
robots.txt and failure budget) whatever the number of workers. Source documents (feeds,
sitemaps) are still fetched by the driver's own fetcher: a host serving both may see a driver
request and a worker request closer than its pacing.

Exactly-once. The engine only turns a URL into ONE outcome; the driver alone records state
and commits rows (:mod:`newsclean.pipeline.run`). A worker that dies can only lose the URLs in
flight on it: the loss is seen (the actor call fails, or the watcher finds the worker gone
from the scheduler), the shard is opened again on a live worker (which first waits one
``min_delay``, so the host's pacing holds across the move) and the URL is tried again, at most
``attempts`` times in all; then it comes back as a transient ``Failure`` ("worker-lost") and
the state retries it next run. A URL fetched by a worker that died is fetched again: never
committed twice.

Time cap. With ``[run] clean_timeout`` each shard cleans in a killable worker process of its
own (:class:`~newsclean.pipeline.pages.PageCleaner`), as the local engine does: a page past
the cap is a ``Failure("clean", "extract-timeout")``. That process is a child of the Dask
worker, and a daemonic process may not have children, so the LocalCluster the engine starts
has non-daemonic workers; on a cluster of daemonic workers (``distributed.worker.daemon``,
true by default for ``dask worker``) a shard logs a warning and cleans uncapped in a thread.

Fingerprints. Each shard fingerprints the articles it cleans (``DaskOptions.fingerprint``,
see :mod:`newsclean.pipeline.pages`), so the driver's near-duplicate index does not hash their
texts: the MinHash moves off the serial driver to the workers. A worker of an older version
sends none and the driver computes it, as it does for any outcome without one.

Threads. The Dask client (async API) runs on an event loop of its own, in a thread of the
driver: ``PageEngine.close()`` is synchronous and the run calls it from inside its own loop,
where an async client could not be awaited closed. :meth:`DaskPages.process` hands each call
to that loop and awaits the answer without blocking the run's loop.

``distributed`` is an optional dependency (``pip install 'newsclean[dask]'``); this module
imports it only when an engine starts, and :func:`require_dask` says what to install.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import importlib
import logging
import multiprocessing
import os
import socket
import threading
import time
import traceback
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from types import ModuleType
from typing import TYPE_CHECKING, Any, Final, TypeVar

from newsclean.cleaners import Article
from newsclean.cleaners.errors import CleanerError
from newsclean.cleaners.fingerprint import FingerprintedArticle, MinHashSpec
from newsclean.pipeline.errors import ConfigError, RunFailed
from newsclean.pipeline.pages import (
    Failure,
    LocalPages,
    PageOutcome,
    clean_outcome,
    clean_page,
    clean_page_fingerprinted,
)
from newsclean.scraper.errors import FetchError
from newsclean.scraper.polite import PoliteFetcher, PolitenessOptions
from newsclean.scraper.records import FetchResult
from newsclean.scraper.urls import host_of

if TYPE_CHECKING:
    from newsclean.pipeline.config import Config

log = logging.getLogger("newsclean.dask")

T = TypeVar("T")

INSTALL_HINT: Final = "pip install 'newsclean[dask]'"
#: the reason a URL fails with when every attempt lost its worker
WORKER_LOST: Final = "worker-lost"
#: cleaned once by every shard as it opens: a real article's first clean loads what a toy
#: page never reaches (language models, date parsing), about a second holding the GIL
WARM_UP_PAGE: Final = (
    b"<!DOCTYPE html><html><head><meta charset='utf-8'><title>Warm-up</title>"
    b"<meta property='og:type' content='article'>"
    b"<meta property='article:published_time' content='2024-03-04T06:15:00+00:00'>"
    b"<meta name='author' content='Ada Writer'></head><body><header><nav>"
    b"<a href='/'>Home</a></nav></header><main><article><h1>Warm-up</h1>"
    + b"".join(
        b"<p>" + sentence + b"</p>"
        for sentence in (
            b"The council met on Tuesday to discuss the budget for the coming year.",
            b"Members argued for hours about the cost of repairing the old bridge.",
            b"A decision on the new library was postponed until the spring session.",
            b"Residents who attended asked for more buses on the evening routes.",
            b"The mayor said the final vote would take place before the end of May.",
        )
    )
    + b"</article></main><footer><p>Copyright</p></footer></body></html>"
)
#: states of an actor's Dask future in which the actor still lives
_LIVE_STATES: Final = frozenset({"finished", "pending"})


def require_dask() -> None:
    """Raise a one-line :class:`ConfigError` unless ``dask.distributed`` can be imported."""
    _distributed()


def _distributed() -> ModuleType:
    """``distributed``, imported on first use; its objects are ``Any`` here, so type-checking
    newsclean never needs dask installed."""
    try:
        return importlib.import_module("distributed")
    except ImportError:
        raise ConfigError(
            "the dask engine needs dask.distributed, which is not installed",
            "--engine dask",
            INSTALL_HINT,
        ) from None


def _dask_failures() -> tuple[type[Exception], ...]:
    """What a Dask call raises when a worker dies or cannot be reached."""
    dask = _distributed()
    return (OSError, TimeoutError, RuntimeError, dask.KilledWorker, dask.CancelledError)


@dataclass(frozen=True, slots=True)
class DaskOptions:
    """Where the engine runs and how hard it tries when workers die."""

    #: a running scheduler (``tcp://host:8786``); None starts a LocalCluster for the run
    scheduler: str | None = None
    #: LocalCluster only: worker processes, and threads each (cleaning is CPU-bound: 1)
    n_workers: int = 2
    threads_per_worker: int = 1
    #: tries per URL across worker losses, the first included; then "worker-lost"
    attempts: int = 3
    #: seconds to start the cluster, or to wait for a live worker to move a shard to
    start_timeout: float = 60.0
    #: seconds between checks of the scheduler's worker list (a dead worker's shards are lost)
    watch_interval: float = 0.5
    #: False routes actor calls through the scheduler (a driver that cannot reach workers)
    direct_to_workers: bool = True
    #: seconds one page may take to clean on a worker (None: no cap); see "Time cap" above
    clean_timeout: float | None = None
    #: what a capped worker runs on each page, as "module:name" (None: the cleaners')
    clean_target: str | None = None
    #: fingerprint each article where it is cleaned with this spec (None: the driver hashes
    #: the texts); the run's index takes them when its spec is this one (the default)
    fingerprint: MinHashSpec | None = field(default_factory=MinHashSpec)

    def __post_init__(self) -> None:
        if self.n_workers < 1 or self.threads_per_worker < 1 or self.attempts < 1:
            raise ValueError("n_workers, threads_per_worker and attempts must be >= 1")
        if self.start_timeout <= 0 or self.watch_interval <= 0:
            raise ValueError("start_timeout and watch_interval must be > 0")


def dask_engine(
    scheduler: str | None = None,
    *,
    n_workers: int | None = None,
    attempts: int = 3,
    clean_target: str | None = None,
) -> Callable[[Config, PoliteFetcher], DaskPages]:
    """An engine factory for ``RunOptions(engine=...)``; fails at once without dask.

    ``n_workers`` (LocalCluster only) defaults to the config's ``[run] workers``; the time
    cap is the config's ``[run] clean_timeout``.
    """
    require_dask()

    def build(config: Config, fetcher: PoliteFetcher) -> DaskPages:
        options = DaskOptions(
            scheduler=scheduler,
            n_workers=n_workers or config.run.workers,
            attempts=attempts,
            clean_timeout=config.run.clean_cap,
            clean_target=clean_target,
        )
        return DaskPages(fetcher.options, options)

    return build


# -- the worker side -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ShardPlace:
    """Where a shard lives: its worker's address, machine and process."""

    address: str
    hostname: str
    pid: int


@dataclass(frozen=True, slots=True)
class WorkerFault:
    """An unexpected exception on a worker (a bug, not a page's fate), carried as a value."""

    url: str
    error: str
    traceback: str


class WorkerFaultError(RuntimeError):
    """Raised on the driver for a :class:`WorkerFault`: the run counts it as internal-error."""

    def __init__(self, fault: WorkerFault) -> None:
        self.fault = fault
        super().__init__(f"{fault.error} on a Dask worker ({fault.url})\n{fault.traceback}")


class ShardPages:
    """A Dask actor: fetches and cleans the pages of the hosts of one shard, on one worker.

    Its async methods run on the worker's event loop; cleaning goes to a thread of its own
    (:class:`LocalPages` with one worker), so a long extraction never stalls the worker's
    heartbeats or this shard's other fetches.
    """

    def __init__(
        self,
        politeness: PolitenessOptions,
        shard: int,
        clean_timeout: float | None = None,
        clean_target: str | None = None,
        fingerprint: MinHashSpec | None = None,
    ) -> None:
        self.shard = shard
        self._politeness = politeness
        self._clean_timeout = clean_timeout
        self._clean_target = clean_target
        self._fingerprint = fingerprint
        self._fetcher: PoliteFetcher | None = None
        self._pages: LocalPages | None = None
        self._cleaner: concurrent.futures.ThreadPoolExecutor | None = None
        self._not_before = 0.0  # time.monotonic() before which no request may start

    async def open(self, hold: float) -> ShardPlace:
        """Open the fetcher; with ``hold`` > 0 (a moved shard) wait that long before fetching."""
        # pay the first clean's loading now, not while this shard's first requests are out
        await asyncio.to_thread(warm_up)
        fetcher = PoliteFetcher(self._politeness)
        await fetcher.__aenter__()
        self._fetcher = fetcher
        self._pages = LocalPages(
            fetcher,
            1,
            self._capped_timeout(),
            clean_target=self._clean_target,
            fingerprint=self._fingerprint,
        )
        self._not_before = time.monotonic() + hold
        address = str(_distributed().get_worker().address)
        return ShardPlace(address, socket.gethostname(), os.getpid())

    async def process(
        self, url: str, etag: str | None, last_modified: str | None
    ) -> PageOutcome | WorkerFault:
        try:
            await self._hold()
            pages = self._require_pages()
            return await pages.process(url, etag=etag, last_modified=last_modified)
        except Exception as exc:  # a bug: the driver must hear of it, not think the worker died
            log.exception("shard %d failed on %s", self.shard, url)
            return _fault(url, exc)

    async def clean(
        self, result: FetchResult
    ) -> Article | FingerprintedArticle | Failure | WorkerFault:
        """Clean a page fetched elsewhere (an archive); the driver keeps its own copy of it.

        A :class:`FingerprintedArticle` when the shard fingerprints, else the Article alone.
        """
        pages = self._pages
        if pages is not None and pages.cleaner.timeout is not None:
            outcome = await pages.cleaner.clean(result.final_url, result)
            if outcome.article is not None and self._fingerprint is not None:
                return FingerprintedArticle(outcome.article, outcome.fingerprint)
            return outcome.article or outcome.failure or _fault(result.final_url, None)
        if self._cleaner is None:
            self._cleaner = concurrent.futures.ThreadPoolExecutor(1, "newsclean-shard-clean")
        loop = asyncio.get_running_loop()
        clean = (
            clean_page
            if self._fingerprint is None
            else functools.partial(clean_page_fingerprinted, spec=self._fingerprint)
        )
        try:
            return await loop.run_in_executor(
                self._cleaner, clean, result.body, result.final_url, result.content_type or None
            )
        except CleanerError as exc:
            return Failure.from_clean_error(exc)
        except Exception as exc:  # a bug: the driver must hear of it, not think the worker died
            log.exception("shard %d failed to clean %s", self.shard, result.final_url)
            return _fault(result.final_url, exc)

    async def close(self) -> None:
        if self._pages is not None:
            self._pages.close()
        if self._cleaner is not None:
            self._cleaner.shutdown(wait=True, cancel_futures=True)
        if self._fetcher is not None:
            await self._fetcher.__aexit__(None, None, None)
        self._pages = self._fetcher = self._cleaner = None

    async def _hold(self) -> None:
        wait = self._not_before - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)

    def _capped_timeout(self) -> float | None:
        """The time cap, when this worker may start the process it needs (see the module)."""
        if self._clean_timeout is None:
            return None
        if multiprocessing.current_process().daemon:
            log.warning(
                "shard %d: no per-page time cap: this dask worker is a daemonic process, which"
                " may not start a cleaning process (set distributed.worker.daemon: false)",
                self.shard,
            )
            return None
        return self._clean_timeout

    def _require_pages(self) -> LocalPages:
        if self._pages is None:
            raise RuntimeError(f"shard {self.shard} is not open")
        return self._pages


def warm_up() -> None:
    """Clean :data:`WARM_UP_PAGE` once in this process (what a worker does before timing)."""
    clean_page(WARM_UP_PAGE, "https://www.example.com/news/warm-up.html", "text/html")


def _fault(url: str, exc: Exception | None) -> WorkerFault:
    if exc is None:
        return WorkerFault(url, "no article and no failure", "")
    return WorkerFault(url, f"{type(exc).__name__}: {exc}", traceback.format_exc(limit=20))


# -- the driver side -------------------------------------------------------------------------


class HostShards:
    """Which shard fetches each host: sticky for the run; a new host goes to the shard with
    the fewest hosts (ties: the lowest index), so a handful of hosts spreads evenly."""

    def __init__(self, count: int) -> None:
        if count < 1:
            raise ValueError("at least one shard is needed")
        self.count = count
        self._shard_of: dict[str, int] = {}
        self._hosts = [0] * count

    def shard_of(self, host: str) -> int:
        shard = self._shard_of.get(host)
        if shard is None:
            shard = min(range(self.count), key=self._hosts.__getitem__)
            self._shard_of[host] = shard
            self._hosts[shard] += 1
        return shard

    def hosts_per_shard(self) -> list[int]:
        return list(self._hosts)


@dataclass(slots=True)
class EngineStats:
    """What the engine went through; read it, don't write it."""

    #: shards opened again on another worker after theirs was lost
    moved_shards: int = 0
    #: URLs tried again after their worker was lost
    retried_urls: int = 0
    #: URLs given up as "worker-lost" (every attempt lost its worker)
    lost_urls: int = 0


class WorkerLost(Exception):
    """The worker of a shard is gone (or unreachable): what it had in flight is lost."""


@dataclass(slots=True)
class _Shard:
    index: int
    actor: Any  # distributed.Actor proxying a ShardPages
    future: Any  # distributed.Future of the actor
    place: ShardPlace
    lost: asyncio.Event = field(default_factory=asyncio.Event)

    def is_alive(self) -> bool:
        return not self.lost.is_set() and self.future.status in _LIVE_STATES


class ShardRouter:
    """Everything that touches Dask; lives on the engine's own event loop (see DaskPages)."""

    def __init__(self, politeness: PolitenessOptions, options: DaskOptions) -> None:
        self.politeness = politeness
        self.options = options
        self.stats = EngineStats()
        self._cluster: Any = None  # distributed.LocalCluster, when the engine started one
        self._client: Any = None  # distributed.Client (asynchronous)
        self._failures: tuple[type[Exception], ...] = ()
        self._shards: list[_Shard] = []
        self._hosts = HostShards(1)
        self._moving: list[asyncio.Lock] = []
        self._binding = asyncio.Lock()
        #: shards given up for dead; their futures are released at close, not before, as
        #: abandoned actor calls may still be waiting on them
        self._lost: list[_Shard] = []
        self._watcher: asyncio.Task[None] | None = None
        #: set when no live worker could be found for start_timeout: every URL fails fast
        self._gave_up = False

    async def start(self) -> None:
        dask = _distributed()
        self._failures = _dask_failures()
        opts = self.options
        target: Any = opts.scheduler
        if opts.scheduler is None:
            # a time cap needs worker processes that may start a child: not daemonic ones
            daemon = opts.clean_timeout is None
            with importlib.import_module("dask").config.set({"distributed.worker.daemon": daemon}):
                self._cluster = target = await dask.LocalCluster(
                    n_workers=opts.n_workers,
                    threads_per_worker=opts.threads_per_worker,
                    processes=True,
                    asynchronous=True,
                    dashboard_address=":0",  # a free port: never clash with another cluster's
                )
        self._client = client = await dask.Client(
            target,
            asynchronous=True,
            direct_to_workers=opts.direct_to_workers,
            timeout=opts.start_timeout,
        )
        await client.wait_for_workers(1, timeout=opts.start_timeout)
        workers = sorted(await self._worker_addresses())
        self._shards = list(
            await asyncio.gather(*(self._open(i, w, 0.0) for i, w in enumerate(workers)))
        )
        self._hosts = HostShards(len(self._shards))
        self._moving = [asyncio.Lock() for _ in self._shards]
        self._watcher = asyncio.create_task(self._watch())
        log.info("dask engine: %d shards on %s", len(self._shards), client.scheduler.address)

    async def process(self, url: str, etag: str | None, last_modified: str | None) -> PageOutcome:
        try:
            host = host_of(url)
        except FetchError as exc:
            return PageOutcome(url, failure=Failure.from_fetch_error(exc))
        reply = await self._routed(host, url, "process", url, etag, last_modified)
        if reply is None:
            return PageOutcome(url, failure=worker_lost_failure())
        if isinstance(reply, WorkerFault):
            raise WorkerFaultError(reply)
        assert isinstance(reply, PageOutcome)
        return reply

    async def clean(self, result: FetchResult, url: str | None = None) -> PageOutcome:
        url = url or result.requested_url
        try:
            host = host_of(result.final_url)
        except FetchError:
            host = ""  # cleaning needs no politeness: any shard will do
        reply = await self._routed(host, url, "clean", result)
        if reply is None:
            return PageOutcome(url, result, failure=worker_lost_failure("clean"))
        if isinstance(reply, WorkerFault):
            raise WorkerFaultError(reply)
        if isinstance(reply, Failure):
            return PageOutcome(url, result, failure=reply)
        assert isinstance(reply, Article | FingerprintedArticle)
        return clean_outcome(url, result, reply)

    def place_of(self, host: str) -> ShardPlace:
        """Where ``host`` is fetched now (assigning it a shard if it had none)."""
        return self._shards[self._hosts.shard_of(host)].place

    def places(self) -> list[ShardPlace]:
        return [shard.place for shard in self._shards]

    async def close(self) -> None:
        if self._watcher is not None:
            self._watcher.cancel()
            await asyncio.gather(self._watcher, return_exceptions=True)
        _cancel_abandoned_calls()
        await asyncio.gather(*(self._close_shard(s) for s in self._shards + self._lost))
        self._shards, self._lost = [], []
        if self._client is not None:
            await self._client.close()
        if self._cluster is not None:
            await self._cluster.close()

    # -- one call, and what a lost worker costs it --

    async def _routed(self, host: str, url: str, method: str, *args: object) -> object | None:
        """The actor's answer, trying again on a live worker; None when every attempt lost.

        An attempt is spent by a call lost with its worker, or by a failed move of the shard;
        a URL that finds its shard already lost waits for the move without spending one.
        """
        index = self._hosts.shard_of(host)
        spent = 0
        while spent < self.options.attempts and not self._gave_up:
            shard = self._shards[index]
            if not shard.is_alive():
                spent += 0 if await self._move(shard) else 1
                continue
            try:
                return await self._call(shard, method, *args)
            except WorkerLost as exc:
                spent += 1
                log.warning(
                    "worker %s lost with %s in flight (shard %d, attempt %d of %d): %s",
                    shard.place.address,
                    url,
                    index,
                    spent,
                    self.options.attempts,
                    exc,
                )
            if spent < self.options.attempts:
                self.stats.retried_urls += 1
        self.stats.lost_urls += 1
        return None

    async def _call(self, shard: _Shard, method: str, *args: object) -> object:
        if not shard.is_alive():
            shard.lost.set()
            raise WorkerLost("the shard's actor is gone")
        lost = asyncio.ensure_future(shard.lost.wait())
        try:
            reply = asyncio.ensure_future(getattr(shard.actor, method)(*args))
        except Exception as exc:  # the actor proxy refuses calls once its worker is gone
            lost.cancel()
            shard.lost.set()
            raise WorkerLost(f"{type(exc).__name__}: {exc}") from exc
        try:
            await asyncio.wait((reply, lost), return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (reply, lost):
                if not task.done():
                    task.cancel()
        if not reply.done() or reply.cancelled():
            raise WorkerLost("the worker left the scheduler")
        try:
            return reply.result()
        except Exception as exc:  # comm closed, actor missing: ShardPages itself never raises
            shard.lost.set()
            raise WorkerLost(f"{type(exc).__name__}: {exc}") from exc

    async def _move(self, lost: _Shard) -> bool:
        """Open a lost shard again on a live worker (once, however many calls saw the loss);
        False when that failed."""
        lost.lost.set()
        async with self._moving[lost.index]:
            if self._gave_up:
                return False
            if self._shards[lost.index] is not lost:
                return True  # moved by another call meanwhile
            try:
                worker = await self._live_worker(exclude=lost.place.address)
            except TimeoutError:
                log.error("no live Dask worker for %.0f s: giving up", self.options.start_timeout)
                self._gave_up = True
                return False
            try:
                fresh = await self._open(lost.index, worker, self.politeness.min_delay)
            except self._failures as exc:  # that worker may be dying too: the next attempt retries
                log.warning("could not open shard %d on %s: %s", lost.index, worker, exc)
                return False
            self._shards[lost.index] = fresh
            self._lost.append(lost)
            self.stats.moved_shards += 1
            log.warning(
                "shard %d moved from %s to %s",
                lost.index,
                lost.place.address,
                fresh.place.address,
            )
            return True

    async def _live_worker(self, exclude: str) -> str:
        """The live worker with the fewest live shards (waits start_timeout for one)."""
        deadline = time.monotonic() + self.options.start_timeout
        while True:
            live: list[str] = sorted(set(await self._worker_addresses()) - {exclude})
            if live:
                load = Counter(s.place.address for s in self._shards if s.is_alive())
                return min(live, key=lambda address: load[address])
            if time.monotonic() > deadline:
                raise TimeoutError
            await asyncio.sleep(self.options.watch_interval)

    async def _open(self, index: int, worker: str, hold: float) -> _Shard:
        client = self._require_client()
        future = client.submit(
            ShardPages,
            self.politeness,
            index,
            self.options.clean_timeout,
            self.options.clean_target,
            self.options.fingerprint,
            actor=True,
            workers=[worker],
            allow_other_workers=True,  # if that worker dies meanwhile, any other will do
            key=f"newsclean-shard-{index}-{uuid.uuid4().hex[:12]}",
        )
        timeout = self.options.start_timeout
        # an Actor binds to the client that is current where it is unpickled, and a caller's
        # context (``with Client(...)`` elsewhere in the process) would otherwise win; the
        # lock keeps concurrent opens from interleaving as_current's enter and exit
        async with self._binding:
            with client.as_current():
                actor = await asyncio.wait_for(_awaited(future), timeout)
        place = await asyncio.wait_for(_awaited(actor.open(hold)), timeout)
        return _Shard(index, actor, future, place)

    async def _close_shard(self, shard: _Shard) -> None:
        if shard.is_alive():
            try:
                await asyncio.wait_for(_awaited(shard.actor.close()), 10.0)
            except self._failures as exc:  # a worker that is gone has nothing left to close
                log.info("shard %d did not close cleanly: %s", shard.index, exc)
        shard.future.release()

    async def _watch(self) -> None:
        """Mark the shards of workers the scheduler no longer lists (an idle shard's loss)."""
        while True:
            await asyncio.sleep(self.options.watch_interval)
            try:
                live = await self._worker_addresses()
            except OSError as exc:
                log.warning("cannot reach the Dask scheduler: %s", exc)
                continue
            for shard in self._shards:
                if shard.place.address not in live or not shard.is_alive():
                    shard.lost.set()

    async def _worker_addresses(self) -> set[str]:
        """The workers the scheduler lists now (a killed one leaves within moments)."""
        return {str(address) for address in await self._require_client().nthreads()}

    def _require_client(self) -> Any:
        if self._client is None:
            raise RuntimeError("the dask engine is not started")
        return self._client


def _cancel_abandoned_calls() -> None:
    """End the actor calls still trying to reach a dead worker (Dask retries a connection for
    up to its connect timeout) before their shard's future is released: released first, they
    would fail with an error Dask logs as unhandled."""
    for task in asyncio.all_tasks():
        if task.get_coro().__qualname__.endswith("wait_then_set_result"):  # type: ignore[union-attr]
            task.cancel()


async def _awaited(awaitable: Awaitable[T]) -> T:
    """A Dask future or actor future as a coroutine (what ``asyncio.wait_for`` wants)."""
    return await awaitable


def worker_lost_failure(stage: str = "fetch") -> Failure:
    return Failure(
        "clean" if stage == "clean" else "fetch",
        WORKER_LOST,
        transient=True,
        message="the Dask worker handling this URL was lost on every attempt",
    )


# -- the engine the run sees -----------------------------------------------------------------


class DaskPages:
    """A :class:`~newsclean.pipeline.pages.PageEngine` on a Dask cluster (see the module doc).

    Starting blocks until the shards are open (a LocalCluster takes a few seconds) and
    raises :class:`RunFailed` (one line) when the cluster cannot be started or reached.
    """

    def __init__(self, politeness: PolitenessOptions, options: DaskOptions | None = None) -> None:
        require_dask()
        self.options = opts = options or DaskOptions()
        self._loop = _LoopThread("newsclean-dask")
        self._router = ShardRouter(politeness, opts)
        try:
            self._loop.run(self._router.start(), timeout=opts.start_timeout * 2)
        except Exception as exc:  # any start failure is one line for the user
            self._abandon()
            where = opts.scheduler or f"local cluster of {opts.n_workers} workers"
            raise RunFailed(
                f"cannot start the dask engine: {type(exc).__name__}: {exc}".rstrip(": "),
                where,
                "check the --scheduler address and that its workers run newsclean",
            ) from exc

    @property
    def stats(self) -> EngineStats:
        return self._router.stats

    async def process(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> PageOutcome:
        return await self._loop.call(self._router.process(url, etag, last_modified))

    async def clean(self, result: FetchResult, url: str | None = None) -> PageOutcome:
        """Clean an already fetched page (an archived one) on the worker owning its host;
        the outcome is for ``url`` (default: the page's requested URL)."""
        return await self._loop.call(self._router.clean(result, url))

    def place_of(self, host: str) -> ShardPlace:
        """Where ``host`` is fetched now; callable from any thread but the engine's."""
        return self._loop.run(_returning(self._router.place_of, host), timeout=10.0)

    def places(self) -> list[ShardPlace]:
        """Where every shard lives now, in shard order."""
        return self._loop.run(_returning(self._router.places), timeout=10.0)

    def close(self) -> None:
        try:
            self._loop.run(self._router.close(), timeout=self.options.start_timeout)
        finally:
            self._loop.stop()

    def _abandon(self) -> None:
        """Tear down a half-started engine; the start failure is what gets reported."""
        try:
            self.close()
        except Exception:  # the start failure is what the user needs; this one is logged
            log.exception("could not tear down the half-started dask engine")


async def _returning(function: Callable[..., T], *args: object) -> T:
    return function(*args)


class _LoopThread:
    """An event loop running in a daemon thread of its own."""

    def __init__(self, name: str) -> None:
        self.loop = asyncio.new_event_loop()
        self.loop.set_exception_handler(_quiet_cancellations)
        self._thread = threading.Thread(target=self.loop.run_forever, name=name, daemon=True)
        self._thread.start()

    async def call(self, coro: Coroutine[Any, Any, T]) -> T:
        """Await ``coro`` on this loop from another one (cancelling it cancels ``coro``)."""
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(coro, self.loop))

    def run(self, coro: Coroutine[Any, Any, T], timeout: float) -> T:
        """Run ``coro`` on this loop and wait for it (from a thread that is not this loop's)."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def stop(self) -> None:
        if not self._thread.is_alive():
            return
        try:
            self.run(_cancel_other_tasks(), timeout=10.0)
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self._thread.join(timeout=10.0)
        if not self._thread.is_alive():
            self.loop.close()


def _quiet_cancellations(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    """Calls abandoned to a dead worker end cancelled, which is no error to log."""
    error = context.get("exception")
    if isinstance(error, asyncio.CancelledError | concurrent.futures.CancelledError):
        return
    loop.default_exception_handler(context)


async def _cancel_other_tasks() -> None:
    """What asyncio.run does on exit: cancel what is left (Dask's callbacks) and let it end."""
    current = asyncio.current_task()
    tasks = [task for task in asyncio.all_tasks() if task is not current]
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
