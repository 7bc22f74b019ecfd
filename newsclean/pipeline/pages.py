"""Fetch + clean of one URL, as a value: the seam between the run loop and an engine.

The run loop (driver) decides what to fetch and owns every state change and commit; an engine
only turns a URL into a :class:`PageOutcome`. Outcomes are plain picklable values (no
exception objects) so they can come back from another process or a Dask worker.

    LocalPages    fetch on the driver's event loop (PoliteFetcher), clean with a PageCleaner
    PageCleaner   cleans off the event loop, each page capped at ``[run] clean_timeout``:
                  ``[run] workers`` killable worker processes (CleaningWorker), each driven
                  by one thread; without a cap, one thread or a process pool as before

Time cap. lxml and trafilatura run C code no thread can interrupt, so a page past the cap
has its worker process killed (:mod:`newsclean.cleaners.timecap`); the page comes back as a
``Failure("clean", "extract-timeout")`` and the next page gets a fresh worker. The workers
are forked from a forkserver that has the cleaners imported already, so a replacement costs
~0.1 s, and a document costs one pipe round trip (pickled bytes in, an ``Article`` out: well
under a millisecond next to the ~20 ms a page takes to clean).

Fingerprints. A cleaner given a :class:`~newsclean.cleaners.fingerprint.MinHashSpec` also
computes the near-duplicate signature of each article's text where it cleans it (the worker
process, a process pool's worker, or a Dask worker's thread) and the outcome carries it
(``PageOutcome.fingerprint``): the driver's near-duplicate index then need not hash the text
(:mod:`newsclean.pipeline.dedup` says when it still does). The run asks for fingerprints only
when cleaning happens outside the driver's process: in a thread of the driver they would cost
the driver as much, and also for pages it then drops (unchanged, too short) or hashes again
(site rules changed the text).
"""

from __future__ import annotations

import asyncio
import functools
import multiprocessing
import queue
from collections.abc import Callable
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, fields
from datetime import timedelta
from typing import Literal, Protocol

from newsclean.cleaners import Article, clean_html
from newsclean.cleaners.errors import CleanerError
from newsclean.cleaners.fingerprint import (
    FingerprintedArticle,
    MinHashSpec,
    TextFingerprint,
    fingerprint_article,
)
from newsclean.cleaners.timecap import DEFAULT_TARGET, CleaningWorker
from newsclean.scraper.errors import FetchError, NotHtml, RetryableStatus, RobotsDisallowed
from newsclean.scraper.polite import PoliteFetcher
from newsclean.scraper.records import FetchResult

#: how a failed fetch counts in the run summary
FailureKind = Literal["failed", "robots-denied", "skipped"]
#: what a capped worker runs on each page, as "module:name" (tests substitute a slow one)
CLEAN_TARGET = DEFAULT_TARGET


@dataclass(frozen=True, slots=True)
class Failure:
    """Why a URL produced no page: a fetch or a clean failure, as a value."""

    stage: Literal["fetch", "clean"]
    reason: str
    transient: bool
    kind: FailureKind = "failed"
    retry_after: timedelta | None = None
    message: str = ""

    @classmethod
    def from_fetch_error(cls, exc: FetchError) -> Failure:
        kind: FailureKind = "failed"
        if isinstance(exc, RobotsDisallowed):
            kind = "robots-denied"
        elif isinstance(exc, NotHtml):
            kind = "skipped"
        retry_after = None
        if isinstance(exc, RetryableStatus) and exc.retry_after is not None:
            retry_after = timedelta(seconds=exc.retry_after)
        return cls("fetch", exc.reason, exc.transient, kind, retry_after, exc.message)

    @classmethod
    def from_clean_error(cls, exc: CleanerError) -> Failure:
        return cls("clean", exc.reason, exc.transient, "failed", None, exc.message)


@dataclass(frozen=True, slots=True)
class PageOutcome:
    """What fetching and cleaning one URL gave: a result (maybe 304), an article, or a failure."""

    url: str
    result: FetchResult | None = None
    article: Article | None = None
    failure: Failure | None = None
    #: the article text's near-duplicate fingerprint, made where it was cleaned (or None)
    fingerprint: TextFingerprint | None = None

    def __setstate__(self, state: list[object]) -> None:
        """Unpickle; an outcome pickled before a field existed gets that field's default."""
        for index, one in enumerate(fields(self)):
            value = state[index] if index < len(state) else one.default
            object.__setattr__(self, one.name, value)


class PageEngine(Protocol):
    """Turns URLs into outcomes; politeness per host is the engine's duty."""

    async def process(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> PageOutcome: ...

    def close(self) -> None: ...


def clean_page(body: bytes, url: str, content_type: str | None) -> Article:
    """Top-level so a process pool (or a Dask worker) can pickle it."""
    return clean_html(body, url, content_type=content_type)


def clean_page_fingerprinted(
    body: bytes, url: str, content_type: str | None, spec: MinHashSpec
) -> FingerprintedArticle:
    """:func:`clean_page` and the text's fingerprint (top-level: a process pool pickles it)."""
    return fingerprint_article(clean_page(body, url, content_type), spec)


def clean_outcome(
    url: str,
    result: FetchResult,
    article_or_error: Article | FingerprintedArticle | CleanerError,
) -> PageOutcome:
    if isinstance(article_or_error, CleanerError):
        return PageOutcome(url, result, failure=Failure.from_clean_error(article_or_error))
    if isinstance(article_or_error, FingerprintedArticle):
        cleaned = article_or_error
        return PageOutcome(url, result, article=cleaned.article, fingerprint=cleaned.fingerprint)
    return PageOutcome(url, result, article=article_or_error)


def make_executor(workers: int) -> Executor:
    """One thread keeps the event loop responsive; more workers mean processes (both cores)."""
    if workers <= 1:
        return ThreadPoolExecutor(max_workers=1, thread_name_prefix="newsclean-clean")
    return ProcessPoolExecutor(max_workers=workers)


def worker_start_method() -> str:
    """forkserver where the platform has it (a replacement worker is a cheap fork), else spawn."""
    return "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"


class PageCleaner:
    """Cleans fetched pages off the event loop; with ``timeout`` (seconds), each page capped.

    Capped: ``workers`` :class:`CleaningWorker` processes and as many threads, each thread
    taking an idle worker for one page, so no page waits behind another's overrun. The
    workers start at once, in those threads, while the run fetches its first pages.
    Uncapped (``timeout`` None): :func:`make_executor`'s thread or process pool.
    ``fingerprint``: also fingerprint each article's text with this spec, where it is cleaned.
    """

    def __init__(
        self,
        workers: int,
        timeout: float | None,
        target: str | None = None,
        fingerprint: MinHashSpec | None = None,
    ) -> None:
        self.timeout = timeout
        self.fingerprint = fingerprint
        self._idle: queue.SimpleQueue[CleaningWorker] = queue.SimpleQueue()
        self._workers: list[CleaningWorker] = []
        if timeout is None:
            self._executor = make_executor(workers)
            return
        self._executor = ThreadPoolExecutor(workers, thread_name_prefix="newsclean-clean")
        method = worker_start_method()
        for _ in range(workers):
            worker = CleaningWorker(target or CLEAN_TARGET, start_method=method)
            self._workers.append(worker)
            self._idle.put(worker)
            self._executor.submit(worker.start)

    def submit(
        self, body: bytes, url: str, content_type: str | None
    ) -> Future[Article | FingerprintedArticle]:
        """Clean one page in the executor (capped when ``timeout`` is set); the future raises
        the :class:`CleanerError` of a page that failed or overran."""
        return self._executor.submit(self._clean_function(), body, url, content_type)

    async def clean(self, url: str, result: FetchResult) -> PageOutcome:
        """The outcome of cleaning ``result`` (fetched for ``url``): an article or a failure."""
        job = self.submit(result.body, result.final_url, result.content_type or None)
        try:
            cleaned = await asyncio.wrap_future(job)
        except CleanerError as exc:
            return clean_outcome(url, result, exc)
        return clean_outcome(url, result, cleaned)

    def _clean_function(
        self,
    ) -> Callable[[bytes, str, str | None], Article | FingerprintedArticle]:
        """What the executor runs per page; a process pool's must pickle (no bound method)."""
        if self.timeout is not None:
            return self._clean_capped
        if self.fingerprint is not None:
            return functools.partial(clean_page_fingerprinted, spec=self.fingerprint)
        return clean_page

    def _clean_capped(
        self, body: bytes, url: str, content_type: str | None
    ) -> Article | FingerprintedArticle:
        assert self.timeout is not None
        worker = self._idle.get()  # never waits: one worker per thread of the executor
        try:
            if self.fingerprint is None:
                return worker.clean(body, url, seconds=self.timeout, content_type=content_type)
            return worker.clean_fingerprinted(
                body, url, seconds=self.timeout, spec=self.fingerprint, content_type=content_type
            )
        finally:
            self._idle.put(worker)

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)
        for worker in self._workers:
            worker.close()


def cleans_in_process(workers: int, timeout: float | None) -> bool:
    """Does a :class:`PageCleaner` with these settings clean in a thread of this process?"""
    return timeout is None and workers <= 1


class LocalPages:
    """The default engine: the run's PoliteFetcher, and cleaning in a local :class:`PageCleaner`.

    ``clean_timeout``: seconds one page may take to clean (None: no cap, the page is cleaned
    in a thread of this process, or a process pool for ``workers`` > 1). ``fingerprint``: the
    spec to fingerprint articles with where they are cleaned (None: no fingerprints).
    """

    def __init__(
        self,
        fetcher: PoliteFetcher,
        workers: int,
        clean_timeout: float | None = None,
        *,
        clean_target: str | None = None,
        fingerprint: MinHashSpec | None = None,
    ) -> None:
        self._fetcher = fetcher
        self.cleaner = PageCleaner(workers, clean_timeout, clean_target, fingerprint)

    async def process(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> PageOutcome:
        try:
            result = await self._fetcher.get(
                url, accept="html", etag=etag, last_modified=last_modified
            )
        except FetchError as exc:
            return PageOutcome(url, failure=Failure.from_fetch_error(exc))
        if result.status == 304:
            return PageOutcome(url, result)
        return await self.cleaner.clean(url, result)

    def close(self) -> None:
        self.cleaner.close()
