"""Polite, robust fetching for batch runs: robots.txt, per-host pacing, retries, give-up.

:class:`PoliteFetcher` owns the run's ``httpx.AsyncClient`` objects: one per
:data:`CONNECTIONS_PER_CLIENT` of ``concurrency``, each host on as few of them as its
``per_host_concurrency`` needs (its keep-alive connections are reused, no pool grows large).
httpcore looks over every connection of its pool each time a request starts or ends, so a
single pool of 64 connections cost 4-9 ms of CPU per page on the event loop
(``python -m benchmarks.batch_fetch``). ``get(url)``:

1. refuses at once a host whose failure budget is spent (:class:`HostFailureBudgetExceeded`);
2. checks robots.txt (loaded once per origin; :class:`RobotsDisallowed`, or
   :class:`RobotsUnavailable` while robots.txt is unreachable);
3. waits for the host's turn: at most ``per_host_concurrency`` requests in flight per host,
   request starts at least ``max(min_delay, Crawl-delay)`` seconds apart (Crawl-delay capped
   at ``max_crawl_delay``), and never before a Retry-After the host sent; then a global
   slot (``concurrency``);
4. fetches with :func:`fetch_async`, retrying transient errors (timeouts, transport errors,
   408/429/5xx) up to ``max_retries`` times with exponential backoff and full jitter
   (``uniform(0, min(backoff_max, backoff_base * 2**attempt))``). A Retry-After replaces the
   backoff; one longer than ``max_retry_after`` is not waited for: the URL fails with its
   :class:`RetryableStatus` so the run can schedule it later. TLS errors and other 4xx are
   never retried.

Every failed attempt that says the host is unwell (transient errors, TLS failures) counts
against the host; any answer from it (a page, a 404, ...) resets the count. After
``host_failure_budget`` consecutive failures the host is given up for the run.

Every connection goes through the SSRF guard (:mod:`newsclean.scraper.netguard`): a URL
from a feed, a sitemap or a redirect that leads to a cloud-metadata address, or (unless
``allow_private_addresses``) to a private or loopback one, fails with :class:`BlockedAddress`
(terminal) without a byte sent to it. An injected ``transport`` replaces the guard.

Per-URL state lives only for the duration of ``get``; per-host state (a slot and its stats)
and per-origin robots policies are kept for the run. The clock, sleep, random source and
transport are injectable, so tests need neither a network nor real waiting; an injected
``sleep(d)`` must let the injected clock advance by ``d``.
"""

from __future__ import annotations

import asyncio
import math
import random
import time
import zlib
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from types import TracebackType

import httpx

from newsclean.scraper.content_types import Accept
from newsclean.scraper.errors import (
    FetchError,
    HostFailureBudgetExceeded,
    RetryableStatus,
    TerminalFetchError,
    TlsError,
    TransientFetchError,
)
from newsclean.scraper.fetch import FetchOptions, fetch_async, make_client
from newsclean.scraper.records import FetchResult
from newsclean.scraper.robots import RobotsCache, RobotsPolicy, robot_token
from newsclean.scraper.urls import host_of

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]
_ACCEPTS: tuple[Accept, ...] = ("html", "xml", "any")
#: connections of ``concurrency`` per httpx client (see the module docstring)
CONNECTIONS_PER_CLIENT = 4


@dataclass(frozen=True, slots=True)
class PolitenessOptions:
    """How hard a run may push: concurrency, pacing, retries and when to give up."""

    concurrency: int = 16
    per_host_concurrency: int = 2
    #: seconds between request starts on one host (Crawl-delay may raise it)
    min_delay: float = 1.0
    obey_robots: bool = True
    #: retries after the first attempt, for transient errors only
    max_retries: int = 3
    backoff_base: float = 1.0
    backoff_max: float = 60.0
    #: full jitter on the backoff (off: exactly ``backoff_base * 2**attempt``)
    jitter: bool = True
    #: longest Retry-After waited for in-line, seconds; longer ones fail the URL
    max_retry_after: float = 300.0
    #: a site's Crawl-delay above this (seconds) is capped, so one host cannot stall a run
    max_crawl_delay: float = 60.0
    #: consecutive failed attempts after which a host is given up; None: never
    host_failure_budget: int | None = 10
    #: seconds before an unreachable robots.txt is asked for again
    robots_unavailable_ttl: float = 600.0
    #: overrides ``fetch.user_agent`` when set
    user_agent: str | None = None
    #: connect to private/loopback/link-local addresses (the SSRF guard of
    #: :mod:`newsclean.scraper.netguard` is on otherwise); True here or in ``fetch`` allows
    allow_private_addresses: bool = False
    fetch: FetchOptions = field(default_factory=FetchOptions)

    def __post_init__(self) -> None:
        if self.concurrency < 1 or self.per_host_concurrency < 1:
            raise ValueError("concurrency limits must be >= 1")
        if min(self.min_delay, self.backoff_base, self.backoff_max, self.max_retry_after) < 0:
            raise ValueError("delays must be >= 0")
        if self.max_retries < 0:
            raise ValueError("max_retries must be >= 0")
        if self.host_failure_budget is not None and self.host_failure_budget < 1:
            raise ValueError("host_failure_budget must be >= 1 (or None)")


@dataclass(slots=True)
class HostStats:
    """What happened with one host during the run."""

    requests: int = 0  # attempts sent, robots.txt included
    retries: int = 0
    failures: int = 0  # failed attempts (transient errors and TLS failures)
    consecutive_failures: int = 0
    given_up: bool = False


@dataclass(slots=True)
class FetchCounters:
    """Run-level counters for the summary. Mutated by the fetcher; read them, don't write."""

    #: fetch attempts sent (each may include redirect hops), robots.txt included
    requests: int = 0
    robots_loads: int = 0
    retries: int = 0
    succeeded: int = 0  # get() calls that returned a 2xx result
    not_modified: int = 0  # get() calls that returned 304
    #: get() calls that raised, by the error's ``reason``
    failures: Counter[str] = field(default_factory=Counter)
    hosts: dict[str, HostStats] = field(default_factory=dict)

    @property
    def hosts_given_up(self) -> list[str]:
        return [host for host, stats in self.hosts.items() if stats.given_up]


class _HostSlot:
    """Pacing state of one host."""

    __slots__ = ("client_base", "delay", "last_start", "not_before", "semaphore", "stats", "turns")

    def __init__(
        self, per_host_concurrency: int, delay: float, stats: HostStats, client_base: int = 0
    ) -> None:
        self.semaphore = asyncio.Semaphore(per_host_concurrency)
        self.client_base = client_base  # where the host's clients start (from its name)
        self.turns = 0  # requests started: which of the host's clients goes next
        self.delay = delay
        self.last_start = -math.inf
        self.not_before = -math.inf  # set by Retry-After
        self.stats = stats

    def next_start(self) -> float:
        return max(self.last_start + self.delay, self.not_before)


def backoff_delay(
    attempt: int, *, base: float, cap: float, rng: random.Random | None = None
) -> float:
    """Seconds before retry number ``attempt + 1``; full jitter when ``rng`` is given."""
    ceiling = min(cap, base * 2.0 ** min(attempt, 62))
    return rng.uniform(0.0, ceiling) if rng is not None else ceiling


class PoliteFetcher:
    """Fetch many URLs politely through one shared client. Use as ``async with``."""

    def __init__(
        self,
        options: PolitenessOptions | None = None,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self.options = opts = options or PolitenessOptions()
        base = replace(
            opts.fetch,
            user_agent=opts.fetch.user_agent if opts.user_agent is None else opts.user_agent,
            allow_private_addresses=opts.allow_private_addresses
            or opts.fetch.allow_private_addresses,
        )
        self._fetch_options = {accept: replace(base, accept=accept) for accept in _ACCEPTS}
        self.robot_token = robot_token(base.user_agent)
        self.counters = FetchCounters()
        self._transport = transport
        self._clock = clock
        self._sleep = sleep
        self._rng = rng if rng is not None else random.Random()
        self._clients: tuple[httpx.AsyncClient, ...] = ()
        self._global: asyncio.Semaphore | None = None
        self._slots: dict[str, _HostSlot] = {}
        self._robots = RobotsCache(
            self._load_robots_txt,
            robot_token=self.robot_token,
            clock=clock,
            unavailable_ttl=opts.robots_unavailable_ttl,
        )

    async def __aenter__(self) -> PoliteFetcher:
        # an injected transport is one object: one client in front of it
        count = 1 if self._transport is not None else self._client_count()
        # every client may open `concurrency` connections, so no request ever waits for a
        # pool slot (the global semaphore bounds what is in flight); idle ones are capped
        self._clients = tuple(
            make_client(
                self._fetch_options["html"],
                transport=self._transport,
                max_connections=self.options.concurrency,
                max_keepalive_connections=max(
                    -(-self.options.concurrency // count), self.options.per_host_concurrency
                ),
            )
            for _ in range(count)
        )
        self._global = asyncio.Semaphore(self.options.concurrency)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        clients, self._clients = self._clients, ()
        for client in clients:
            await client.aclose()

    async def get(
        self,
        url: str,
        *,
        accept: Accept = "html",
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> FetchResult:
        """Fetch ``url`` politely; raises a :class:`FetchError` (see the module docstring)."""
        try:
            result = await self._get(url, accept, etag, last_modified)
        except FetchError as exc:
            self.counters.failures[exc.reason] += 1
            raise
        if result.status == 304:
            self.counters.not_modified += 1
        else:
            self.counters.succeeded += 1
        return result

    async def robots_for(self, url: str) -> RobotsPolicy:
        """The robots.txt policy of ``url``'s origin (loaded once per run), e.g. its sitemaps."""
        host = host_of(url)
        policy = await self._robots.policy_for(url)
        self._apply_crawl_delay(self._slot(host), policy)
        return policy

    # ---- one URL -------------------------------------------------------------------------
    async def _get(
        self, url: str, accept: Accept, etag: str | None, last_modified: str | None
    ) -> FetchResult:
        host = host_of(url)
        slot = self._slot(host)
        self._check_budget(url, host, slot)
        if self.options.obey_robots:
            policy = await self.robots_for(url)
            policy.check(url, self.robot_token)
        options = self._fetch_options[accept]
        return await self._fetch_with_retries(url, host, slot, options, etag, last_modified)

    async def _load_robots_txt(self, robots_url: str) -> FetchResult:
        self.counters.robots_loads += 1
        host = host_of(robots_url)
        slot = self._slot(host)
        return await self._fetch_with_retries(
            robots_url, host, slot, self._fetch_options["any"], None, None
        )

    async def _fetch_with_retries(
        self,
        url: str,
        host: str,
        slot: _HostSlot,
        options: FetchOptions,
        etag: str | None,
        last_modified: str | None,
    ) -> FetchResult:
        attempt = 0
        while True:
            self._check_budget(url, host, slot)
            try:
                result = await self._fetch_in_slot(url, slot, options, etag, last_modified)
            except TransientFetchError as exc:
                self._record_failure(slot)
                self._defer_host(slot, exc)
                delay = self._retry_delay(exc, attempt)
                if delay is None:
                    raise
            except TlsError:
                self._record_failure(slot)
                raise
            except TerminalFetchError:
                slot.stats.consecutive_failures = 0  # the host answered
                raise
            else:
                slot.stats.consecutive_failures = 0
                return result
            attempt += 1
            slot.stats.retries += 1
            self.counters.retries += 1
            await self._sleep(delay)

    async def _fetch_in_slot(
        self,
        url: str,
        slot: _HostSlot,
        options: FetchOptions,
        etag: str | None,
        last_modified: str | None,
    ) -> FetchResult:
        client, global_slots = self._require_open(slot)
        async with slot.semaphore:
            while True:
                wait = slot.next_start() - self._clock()
                if wait > 0:
                    await self._sleep(wait)
                    continue
                async with global_slots:
                    # another request of this host may have started while we queued
                    if slot.next_start() > self._clock():
                        continue
                    slot.last_start = self._clock()
                    slot.stats.requests += 1
                    self.counters.requests += 1
                    return await fetch_async(
                        url, client, options, etag=etag, last_modified=last_modified
                    )

    # ---- host bookkeeping ---------------------------------------------------------------
    def _slot(self, host: str) -> _HostSlot:
        slot = self._slots.get(host)
        if slot is None:
            stats = self.counters.hosts.setdefault(host, HostStats())
            slot = _HostSlot(
                self.options.per_host_concurrency,
                self.options.min_delay,
                stats,
                client_base=zlib.crc32(host.encode()),
            )
            self._slots[host] = slot
        return slot

    def _apply_crawl_delay(self, slot: _HostSlot, policy: RobotsPolicy) -> None:
        if policy.crawl_delay is not None:
            asked = min(policy.crawl_delay, self.options.max_crawl_delay)
            slot.delay = max(slot.delay, asked)

    def _check_budget(self, url: str, host: str, slot: _HostSlot) -> None:
        if slot.stats.given_up:
            raise HostFailureBudgetExceeded(url, host, slot.stats.consecutive_failures)

    def _record_failure(self, slot: _HostSlot) -> None:
        stats = slot.stats
        stats.failures += 1
        stats.consecutive_failures += 1
        budget = self.options.host_failure_budget
        if budget is not None and stats.consecutive_failures >= budget:
            stats.given_up = True

    def _retry_delay(self, exc: TransientFetchError, attempt: int) -> float | None:
        """Seconds to wait before the next attempt, or None when the URL should fail now."""
        opts = self.options
        if attempt >= opts.max_retries:
            return None
        retry_after = exc.retry_after if isinstance(exc, RetryableStatus) else None
        if retry_after is not None:
            return retry_after if retry_after <= opts.max_retry_after else None
        rng = self._rng if opts.jitter else None
        return backoff_delay(attempt, base=opts.backoff_base, cap=opts.backoff_max, rng=rng)

    def _defer_host(self, slot: _HostSlot, exc: TransientFetchError) -> None:
        """A Retry-After holds back every request to the host, not only this URL's retry.

        One beyond ``max_retry_after`` is not applied: the host would stall the run; its
        URLs fail instead and spend the host's failure budget.
        """
        retry_after = exc.retry_after if isinstance(exc, RetryableStatus) else None
        if retry_after is not None and retry_after <= self.options.max_retry_after:
            slot.not_before = max(slot.not_before, self._clock() + retry_after)

    def _client_count(self) -> int:
        return max(1, -(-self.options.concurrency // CONNECTIONS_PER_CLIENT))

    def _require_open(self, slot: _HostSlot) -> tuple[httpx.AsyncClient, asyncio.Semaphore]:
        """The client for this request of ``slot``'s host, and the global slots.

        A host keeps to its own few clients -- as many as its ``per_host_concurrency`` needs
        at :data:`CONNECTIONS_PER_CLIENT` each, taken in turn from a place fixed by its name
        -- so its connections are reused and no pool holds many of them.
        """
        if not self._clients or self._global is None:
            raise RuntimeError("PoliteFetcher is not open: use 'async with PoliteFetcher(...)'")
        count = len(self._clients)
        spread = min(count, -(-self.options.per_host_concurrency // CONNECTIONS_PER_CLIENT))
        turn, slot.turns = slot.turns, slot.turns + 1
        index = (slot.client_base + turn % spread) % count
        return self._clients[index], self._global
