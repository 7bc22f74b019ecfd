"""Fetch + clean of one URL, as a value: the seam between the run loop and an engine.

The run loop (driver) decides what to fetch and owns every state change and commit; an engine
only turns a URL into a :class:`PageOutcome`. Outcomes are plain picklable values (no
exception objects) so they can come back from another process or a Dask worker.

    LocalPages    fetch on the driver's event loop (PoliteFetcher), clean in an executor
                  (one thread, or a process pool for ``[run] workers`` > 1)
"""

from __future__ import annotations

import asyncio
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal, Protocol

from newsclean.cleaners import Article, clean_html
from newsclean.cleaners.errors import CleanerError
from newsclean.scraper.errors import FetchError, NotHtml, RetryableStatus, RobotsDisallowed
from newsclean.scraper.polite import PoliteFetcher
from newsclean.scraper.records import FetchResult

#: how a failed fetch counts in the run summary
FailureKind = Literal["failed", "robots-denied", "skipped"]


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


class PageEngine(Protocol):
    """Turns URLs into outcomes; politeness per host is the engine's duty."""

    async def process(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> PageOutcome: ...

    def close(self) -> None: ...


def clean_page(body: bytes, url: str, content_type: str | None) -> Article:
    """Top-level so a process pool (or a Dask worker) can pickle it."""
    return clean_html(body, url, content_type=content_type)


def clean_outcome(
    url: str, result: FetchResult, article_or_error: Article | CleanerError
) -> PageOutcome:
    if isinstance(article_or_error, CleanerError):
        return PageOutcome(url, result, failure=Failure.from_clean_error(article_or_error))
    return PageOutcome(url, result, article=article_or_error)


def make_executor(workers: int) -> Executor:
    """One thread keeps the event loop responsive; more workers mean processes (both cores)."""
    if workers <= 1:
        return ThreadPoolExecutor(max_workers=1, thread_name_prefix="newsclean-clean")
    return ProcessPoolExecutor(max_workers=workers)


class LocalPages:
    """The default engine: the run's PoliteFetcher, and cleaning in a local executor."""

    def __init__(self, fetcher: PoliteFetcher, workers: int) -> None:
        self._fetcher = fetcher
        self._executor = make_executor(workers)

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
        loop = asyncio.get_running_loop()
        try:
            article = await loop.run_in_executor(
                self._executor,
                clean_page,
                result.body,
                result.final_url,
                result.content_type or None,
            )
        except CleanerError as exc:
            return clean_outcome(url, result, exc)
        return PageOutcome(url, result, article=article)

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)
