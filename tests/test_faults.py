"""The hostile web, fetch side: one test per fault endpoint of tests/support/httpserver.py
not already held by tests/test_fetch.py, then many faults at once through one PoliteFetcher.

Every outcome is precise (error class and reason, or status and exact bytes), and where a
fault could cost time or memory the test bounds it. docs/faults.md lists every case with the
test that holds it; tests/test_faults_doc.py keeps that table true.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import tracemalloc
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import httpx
import pytest

from newsclean.scraper.errors import (
    BodyTooLarge,
    FetchError,
    FetchTimeout,
    RetryableStatus,
    TransportError,
)
from newsclean.scraper.fetch import FetchOptions, fetch
from newsclean.scraper.netguard import AddressPolicy, GuardedTransport
from newsclean.scraper.polite import PoliteFetcher, PolitenessOptions
from newsclean.scraper.records import FetchResult
from newsclean.scraper.robots import RobotsPolicy
from tests.support.httpserver import (
    ARTICLE_HTML,
    CP1252_HTML,
    INVALID_UTF8_HTML,
    ROBOTS_FAULTS,
    LocalHttpServer,
    brotli_bomb,
    gzip_bomb,
    serve,
)

MiB = 1024 * 1024
LOCALHOST_TARGET = "http://localhost:%d/ok.html"
FAST = FetchOptions(total_timeout=2.0, connect_timeout=1.0, max_bytes=MiB)


@pytest.fixture
def http_server() -> Iterator[LocalHttpServer]:
    with serve() as server:
        yield server


def timed_failure(url: str, options: FetchOptions) -> tuple[FetchError, float]:
    started = time.monotonic()
    try:
        fetch(url, options)
    except FetchError as exc:
        return exc, time.monotonic() - started
    raise AssertionError(f"{url} did not fail")


# ---- silence ------------------------------------------------------------------------------
@pytest.mark.parametrize("path", ["/silent", "/headers-then-silence"])
def test_silence_hits_the_total_deadline(http_server: LocalHttpServer, path: str) -> None:
    error, elapsed = timed_failure(http_server.url(path), FetchOptions(total_timeout=0.5))
    assert isinstance(error, FetchTimeout)
    assert error.reason == "timeout" and error.transient
    assert 0.45 < elapsed < 1.5


def test_silent_endpoint_notices_the_client_leaving(http_server: LocalHttpServer) -> None:
    timed_failure(http_server.url("/silent"), FetchOptions(total_timeout=0.3))
    deadline = time.monotonic() + 2.0
    while http_server.in_flight and time.monotonic() < deadline:
        time.sleep(0.02)
    assert http_server.in_flight == 0  # the handler thread is free again


# ---- broken bodies --------------------------------------------------------------------------
def test_truncated_chunked_body(http_server: LocalHttpServer) -> None:
    error, elapsed = timed_failure(http_server.url("/truncated-chunked"), FAST)
    assert isinstance(error, TransportError)
    assert error.reason == "transport-error" and error.transient
    assert elapsed < 1.0


def test_truncated_gzip_body(http_server: LocalHttpServer) -> None:
    error, _ = timed_failure(http_server.url("/truncated-gzip"), FAST)
    assert isinstance(error, TransportError)
    assert "compressed body ended early" in error.message


def test_endless_chunked_body_stops_at_the_cap(http_server: LocalHttpServer) -> None:
    fetch(http_server.url("/ok.html"), FAST)  # warm up imports outside the measurement
    tracemalloc.start()
    try:
        error, elapsed = timed_failure(http_server.url("/endless-chunked"), FAST)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert isinstance(error, BodyTooLarge)
    assert error.reason == "too-large" and not error.transient
    assert elapsed < 2.0  # well before the total deadline: the cap, not the clock, stopped it
    assert peak < 3 * MiB, f"peak {peak / MiB:.2f} MiB for a 1 MiB cap"


# ---- what is fetched fine: decoding is the cleaners' job ----------------------------------
@pytest.mark.parametrize(
    ("path", "body", "content_type"),
    [
        ("/charset/missing", CP1252_HTML, "text/html"),
        ("/charset/wrong", CP1252_HTML, "text/html; charset=utf-8"),
        ("/invalid-utf8", INVALID_UTF8_HTML, "text/html; charset=utf-8"),
    ],
)
def test_charset_trouble_arrives_byte_for_byte(
    http_server: LocalHttpServer, path: str, body: bytes, content_type: str
) -> None:
    result = fetch(http_server.url(path), FAST)
    assert result.status == 200
    assert result.body == body  # not decoded, not "repaired": the cleaners judge it
    assert result.content_type == content_type
    with pytest.raises(UnicodeDecodeError):
        result.body.decode("utf-8")


# ---- robots.txt that fails ------------------------------------------------------------------
def _robots_fetcher(**options: object) -> PoliteFetcher:
    settings: dict[str, object] = {
        "min_delay": 0.0,
        "max_retries": 0,
        "allow_private_addresses": True,
        "fetch": FetchOptions(total_timeout=0.5),
        **options,
    }
    return PoliteFetcher(PolitenessOptions(**settings))  # type: ignore[arg-type]


async def _get_both(
    fetcher: PoliteFetcher, url: str
) -> tuple[RobotsPolicy | FetchError, FetchResult | FetchError]:
    async with fetcher:
        policy: RobotsPolicy | FetchError = await fetcher.robots_for(url)
        try:
            return policy, await fetcher.get(url)
        except FetchError as exc:
            return policy, exc


def test_robots_timing_out_disallows_for_now(http_server: LocalHttpServer) -> None:
    http_server.route("/robots.txt", ROBOTS_FAULTS["silent"])
    started = time.monotonic()
    policy, outcome = asyncio.run(_get_both(_robots_fetcher(), http_server.url("/ok.html")))
    assert time.monotonic() - started < 1.5  # one total deadline, then a cached verdict
    assert isinstance(policy, RobotsPolicy) and policy.status == "unavailable"
    assert isinstance(outcome, FetchError) and outcome.reason == "robots-unavailable"
    assert outcome.transient
    assert http_server.hits("/ok.html") == []
    assert len(http_server.hits("/robots.txt")) == 1


def test_robots_5xx_endpoint_disallows_for_now(http_server: LocalHttpServer) -> None:
    http_server.route("/robots.txt", ROBOTS_FAULTS["5xx"])
    policy, outcome = asyncio.run(_get_both(_robots_fetcher(), http_server.url("/ok.html")))
    assert isinstance(policy, RobotsPolicy) and policy.status == "unavailable"
    assert policy.detail == "HTTP 503"
    assert isinstance(outcome, FetchError) and outcome.reason == "robots-unavailable"
    assert http_server.hits("/ok.html") == []


def test_robots_garbage_is_parsed_leniently_and_allows(http_server: LocalHttpServer) -> None:
    # an HTML page plus binary junk: protego finds no rule it can read ("Disallow: /" in a
    # paragraph is not at the start of a line), so every URL is allowed
    http_server.route("/robots.txt", ROBOTS_FAULTS["garbage"])
    policy, outcome = asyncio.run(_get_both(_robots_fetcher(), http_server.url("/ok.html")))
    assert isinstance(policy, RobotsPolicy) and policy.status == "parsed"
    assert policy.crawl_delay is None and policy.sitemaps == ()
    assert isinstance(outcome, FetchResult) and outcome.body == ARTICLE_HTML


# ---- many faults at once through one PoliteFetcher ---------------------------------------
@dataclass(frozen=True, slots=True)
class Case:
    """One URL and what must come of it: an error reason, or a 200 with these bytes."""

    url: str
    reason: str | None = None
    body: bytes | None = None


class LoopbackNames:
    """Resolves every ``*.test`` name to 127.0.0.1, so each fault gets a host of its own
    (its own politeness slot and failure budget) while every byte stays on loopback."""

    def __init__(self) -> None:
        self.names: set[str] = set()

    def host(self, name: str) -> str:
        self.names.add(name)
        return name

    async def __call__(self, host: str, port: int) -> list[str]:
        if host == "localhost" or host in self.names:
            return ["127.0.0.1"]
        raise OSError(f"unknown test host {host}")


def fault_cases(
    names: LoopbackNames, main: LocalHttpServer, robots: dict[str, LocalHttpServer]
) -> list[Case]:
    def on(host: str, path: str, server: LocalHttpServer = main) -> str:
        return f"http://{names.host(host)}:{server.port}{path}"

    healthy = [
        Case(on(f"site-{i % 4}.test", f"{path}?i={i}"), body=ARTICLE_HTML)
        for i, path in enumerate(
            ["/ok.html", "/gzip.html", "/br.html", "/deflate.html", "/octet-stream.html"] * 4
        )
    ]
    healthy += [
        Case(on("charsets.test", "/charset/missing"), body=CP1252_HTML),
        Case(on("charsets.test", "/charset/wrong"), body=CP1252_HTML),
        Case(on("charsets.test", "/invalid-utf8"), body=INVALID_UTF8_HTML),
        Case(on("robots-garbage.test", "/ok.html", robots["garbage"]), body=ARTICLE_HTML),
    ]
    faulty = [
        Case(on("silent.test", "/silent"), "timeout"),
        Case(on("headers-silence.test", "/headers-then-silence"), "timeout"),
        Case(on("slow-loris.test", "/drip?interval=1&size=30"), "timeout"),
        Case(on("slow-headers.test", "/slow-headers?delay=30"), "timeout"),
        Case(on("reset.test", "/reset"), "transport-error"),
        Case(on("short.test", "/truncated"), "transport-error"),
        Case(on("short-chunked.test", "/truncated-chunked"), "transport-error"),
        Case(on("short-gzip.test", "/truncated-gzip"), "transport-error"),
        Case(on("rate-seconds.test", "/retry-after/seconds?seconds=2"), "http-retryable"),
        Case(on("rate-date.test", "/retry-after/date?seconds=30"), "http-retryable"),
        Case(on("unavailable.test", "/503"), "http-retryable"),
        Case(on("loop.test", "/redirect/loop-a"), "too-many-redirects"),
        Case(on("non-http.test", "/redirect/non-http"), "invalid-url"),
        Case(on("huge.test", "/huge"), "too-large"),
        Case(on("endless.test", "/endless-chunked"), "too-large"),
        Case(on("gzip-bomb.test", "/bomb.gzip"), "too-large"),
        Case(on("brotli-bomb.test", "/bomb.br"), "too-large"),
        Case(on("pdf.test", "/pdf-as-html"), "not-html"),
        Case(on("missing.test", "/404"), "http-error"),
        Case(on("robots-5xx.test", "/ok.html", robots["5xx"]), "robots-unavailable"),
        Case(on("robots-silent.test", "/ok.html", robots["silent"]), "robots-unavailable"),
        # SSRF: a redirect to a host resolving to loopback, and the metadata service
        Case(on("ssrf.test", f"/redirect/to?to={LOCALHOST_TARGET % main.port}"), "blocked-address"),
        Case("http://169.254.169.254/latest/meta-data/", "blocked-address"),
    ]
    return healthy + faulty


async def fetch_all(fetcher: PoliteFetcher, cases: list[Case]) -> list[FetchResult | FetchError]:
    async def one(case: Case) -> FetchResult | FetchError:
        try:
            return await fetcher.get(case.url)
        except FetchError as exc:
            return exc

    async with fetcher:
        return list(await asyncio.gather(*(one(case) for case in cases)))


def measure(run: Callable[[], list[FetchResult | FetchError]]) -> tuple[list[object], float, int]:
    tracemalloc.start()
    started = time.monotonic()
    try:
        outcomes: list[object] = list(run())
        elapsed = time.monotonic() - started
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return outcomes, elapsed, peak


def test_many_faults_at_once_through_one_polite_fetcher(http_server: LocalHttpServer) -> None:
    gzip_bomb(), brotli_bomb()  # built (and cached) before measuring
    with contextlib.ExitStack() as stack:
        robots = {kind: stack.enter_context(serve()) for kind in ROBOTS_FAULTS}
        for kind, server in robots.items():
            server.route("/robots.txt", ROBOTS_FAULTS[kind])
        names = LoopbackNames()
        cases = fault_cases(names, http_server, robots)
        # the guard is ON: the test names are trusted (they stand for public hosts), anything
        # else that resolves to a private address — localhost, 169.254.169.254 — is refused
        transport = GuardedTransport(
            AddressPolicy(trusted_hosts=frozenset(names.names)),
            resolve=names,
            limits=httpx.Limits(max_connections=64, max_keepalive_connections=64),
        )
        options = PolitenessOptions(
            concurrency=64,
            per_host_concurrency=2,
            min_delay=0.0,
            max_retries=0,
            fetch=FetchOptions(total_timeout=1.5, connect_timeout=1.0, max_bytes=MiB),
        )
        fetcher = PoliteFetcher(options, transport=transport)
        outcomes, elapsed, peak = measure(lambda: asyncio.run(fetch_all(fetcher, cases)))

    wrong = []
    for case, outcome in zip(cases, outcomes, strict=True):
        if case.reason is None:
            ok = isinstance(outcome, FetchResult) and outcome.body == case.body
        else:
            ok = isinstance(outcome, FetchError) and outcome.reason == case.reason
        if not ok:
            wrong.append((case.url, case.reason or 200, outcome))
    assert wrong == []
    healthy = sum(case.reason is None for case in cases)
    assert fetcher.counters.succeeded == healthy == 24
    assert sum(fetcher.counters.failures.values()) == len(cases) - healthy
    rate_limited = {
        case.url.split("/", 3)[2].split(".")[0]: outcome
        for case, outcome in zip(cases, outcomes, strict=True)
        if isinstance(outcome, RetryableStatus)
    }
    assert {host: error.status for host, error in rate_limited.items()} == {
        "rate-seconds": 429,
        "rate-date": 429,
        "unavailable": 503,
    }
    assert rate_limited["rate-seconds"].retry_after == 2.0
    date_wait = rate_limited["rate-date"].retry_after
    assert date_wait is not None and 28.0 < date_wait <= 30.0  # an HTTP-date has 1 s steps
    assert rate_limited["unavailable"].retry_after is None
    # the slowest faults end at the 1.5 s total deadline; everything ran side by side
    assert elapsed < 6.0, f"{elapsed:.1f} s"
    # four bodies hit the 1 MiB cap at once (two inflating 64 and 256 MiB bombs, a 10 GiB
    # Content-Length, an endless body); the whole run stays within a few caps
    assert peak < 12 * MiB, f"peak {peak / MiB:.1f} MiB"
    assert http_server.hits("/ok.html") and not any(
        r.headers.get("host", "").startswith("localhost") for r in http_server.requests
    )
    assert http_server.errors == []
