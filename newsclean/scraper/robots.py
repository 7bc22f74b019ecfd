"""robots.txt per origin (RFC 9309), parsed with protego and cached for the run.

How a robots.txt answer becomes a policy (RFC 9309 section 2.3.1):

* 2xx: the file is parsed (its first 500 KiB) -> ``"parsed"``. protego is lenient: lines
  it cannot read are skipped, common misspellings (``Disalow``) and a missing colon are
  accepted, rules before the first ``User-agent`` line are ignored; a file without one
  readable rule (an HTML page or binary junk served as robots.txt) allows everything;
* 4xx (not 408/429), too many redirects, a redirect leaving http(s), an address the SSRF
  guard refuses: the file is "unavailable" in the RFC's sense and everything is allowed ->
  ``"allow-all"`` (for a refused address nothing was sent; the pages of that origin are
  then refused by the guard themselves, as ``blocked-address``, not as a robots verdict);
* 5xx, 408, 429, timeouts, connection or TLS failures: the file is "unreachable" and
  everything is disallowed for now -> ``"unavailable"``, reported as
  :class:`RobotsUnavailable` (reason ``robots-unavailable``), distinct from a real
  ``Disallow`` (:class:`RobotsDisallowed`, reason ``robots-denied``). Such an entry expires
  after ``unavailable_ttl`` seconds so a later URL of the run tries again.

The policy also carries the Crawl-delay for our user agent (or the interval a Request-rate
line implies) and every ``Sitemap:`` line, which the sitemap source reads.
Groups are matched on the product token of our User-Agent (``newsclean`` for
``newsclean/0.1.0 (...)``), as the RFC asks.
"""

from __future__ import annotations

import asyncio
import math
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Literal

from protego import Protego

from newsclean.scraper.errors import (
    BlockedAddress,
    FetchError,
    HostFailureBudgetExceeded,
    HttpStatusError,
    InvalidUrl,
    RobotsDisallowed,
    RobotsUnavailable,
    TooManyRedirects,
)
from newsclean.scraper.records import FetchResult
from newsclean.scraper.urls import origin_of

RobotsStatus = Literal["parsed", "allow-all", "unavailable"]

#: RFC 9309 section 2.5: parse at least the first 500 KiB
MAX_PARSED_BYTES = 500 * 1024
#: errors after which robots.txt counts as absent (allow all) rather than unreachable
_ABSENT_ERRORS = (HttpStatusError, TooManyRedirects, InvalidUrl, BlockedAddress)
_PRODUCT_TOKEN = re.compile(r"[A-Za-z_-]+")


@dataclass(frozen=True, slots=True)
class RobotsPolicy:
    """What one origin's robots.txt allows us."""

    origin: str
    status: RobotsStatus
    #: seconds between requests asked of our user agent (Crawl-delay / Request-rate)
    crawl_delay: float | None = None
    #: every ``Sitemap:`` URL, in file order
    sitemaps: tuple[str, ...] = ()
    #: why the file was not parsed ("HTTP 404", "HTTP 503", "timeout", ...)
    detail: str = ""
    parser: Protego | None = field(default=None, repr=False, compare=False)

    def can_fetch(self, url: str, robot_token: str) -> bool:
        if self.status == "unavailable":
            return False
        return self.parser is None or bool(self.parser.can_fetch(url, robot_token))

    def check(self, url: str, robot_token: str) -> None:
        """Raise RobotsUnavailable / RobotsDisallowed when ``url`` may not be fetched now."""
        if self.status == "unavailable":
            raise RobotsUnavailable(url, f"robots.txt unreachable ({self.detail})")
        if not self.can_fetch(url, robot_token):
            raise RobotsDisallowed(url, f"robots.txt of {self.origin} disallows it")


def robot_token(user_agent: str) -> str:
    """The token robots.txt groups are matched on: ``newsclean/0.1 (x)`` -> ``newsclean``."""
    match = _PRODUCT_TOKEN.match(user_agent.strip())
    return match.group(0).lower() if match else user_agent.strip().lower()


def robots_url(origin: str) -> str:
    return f"{origin}/robots.txt"


def parse_robots(origin: str, body: bytes, robot_token: str) -> RobotsPolicy:
    """A parsed policy from the bytes of a robots.txt (UTF-8, first 500 KiB)."""
    text = body[:MAX_PARSED_BYTES].decode("utf-8", errors="replace")
    parser = Protego.parse(text)
    return RobotsPolicy(
        origin=origin,
        status="parsed",
        crawl_delay=_crawl_delay(parser, robot_token),
        sitemaps=tuple(parser.sitemaps),
        parser=parser,
    )


def policy_from_result(origin: str, result: FetchResult, robot_token: str) -> RobotsPolicy:
    """The policy for a robots.txt fetch that returned a response (fetch raises on >= 400)."""
    if 200 <= result.status < 300:
        return parse_robots(origin, result.body, robot_token)
    # 1xx/3xx leftovers cannot happen with our fetcher; treat as absent like a 4xx
    return RobotsPolicy(origin, "allow-all", detail=f"HTTP {result.status}")


def policy_from_error(origin: str, error: FetchError) -> RobotsPolicy:
    """The policy for a robots.txt fetch that failed."""
    if isinstance(error, HostFailureBudgetExceeded):
        raise error  # not about robots.txt: the host is gone for the run
    if isinstance(error, _ABSENT_ERRORS):
        return RobotsPolicy(origin, "allow-all", detail=error.message)
    return RobotsPolicy(origin, "unavailable", detail=error.message)


def _crawl_delay(parser: Protego, robot_token: str) -> float | None:
    delay = parser.crawl_delay(robot_token)
    rate = parser.request_rate(robot_token)
    if rate is not None and rate.requests > 0:
        interval = rate.seconds / rate.requests
        delay = interval if delay is None else max(delay, interval)
    return None if delay is None else float(delay)


class _Entry:
    __slots__ = ("expires_at", "task")

    def __init__(self, task: asyncio.Task[RobotsPolicy]) -> None:
        self.task = task
        self.expires_at = math.inf


class RobotsCache:
    """One robots.txt load per origin per run, shared by every concurrent caller."""

    def __init__(
        self,
        fetch: Callable[[str], Awaitable[FetchResult]],
        *,
        robot_token: str,
        clock: Callable[[], float] = time.monotonic,
        unavailable_ttl: float = 600.0,
    ) -> None:
        self._fetch = fetch
        self._token = robot_token
        self._clock = clock
        self._unavailable_ttl = unavailable_ttl
        self._entries: dict[str, _Entry] = {}

    def __len__(self) -> int:
        return len(self._entries)

    async def policy_for(self, url: str) -> RobotsPolicy:
        """The policy of ``url``'s origin, loading robots.txt on first use."""
        origin = origin_of(url)
        entry = self._entries.get(origin)
        if entry is None or entry.expires_at <= self._clock():
            entry = _Entry(asyncio.ensure_future(self._load(origin)))
            self._entries[origin] = entry
        # shield: one caller giving up must not cancel the load the others wait for
        try:
            policy = await asyncio.shield(entry.task)
        except FetchError:
            if self._entries.get(origin) is entry:
                del self._entries[origin]  # not a verdict on robots.txt: ask again next time
            raise
        if policy.status == "unavailable" and math.isinf(entry.expires_at):
            entry.expires_at = self._clock() + self._unavailable_ttl
        return policy

    async def _load(self, origin: str) -> RobotsPolicy:
        try:
            result = await self._fetch(robots_url(origin))
        except FetchError as exc:
            return policy_from_error(origin, exc)
        return policy_from_result(origin, result, self._token)
