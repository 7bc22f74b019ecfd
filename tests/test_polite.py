"""PoliteFetcher: retries and backoff (fake time), failure budget, pacing and concurrency.

Timing-sensitive behaviour is checked two ways: with an injected clock/sleep (exact, no real
waiting) and against the real local server, measuring on the server side.
"""

from __future__ import annotations

import asyncio
import itertools
import random
import ssl
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from newsclean.scraper.errors import (
    FetchError,
    HostFailureBudgetExceeded,
    HttpStatusError,
    RetryableStatus,
    TlsError,
    TransportError,
)
from newsclean.scraper.fetch import FetchOptions
from newsclean.scraper.polite import PoliteFetcher, PolitenessOptions, backoff_delay
from newsclean.scraper.records import FetchResult
from tests.support.httpserver import (
    ARTICLE_HTML,
    Exchange,
    LocalHttpServer,
    serve,
)


@pytest.fixture
def http_server() -> Iterator[LocalHttpServer]:
    with serve() as server:
        yield server


HTML = b"<!doctype html><html><body>ok</body></html>"
Handler = Callable[[httpx.Request], httpx.Response]


class FakeTime:
    """An injected clock whose sleep returns at once and moves the clock on."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)


def ok(_: httpx.Request | None = None) -> httpx.Response:
    return httpx.Response(200, headers={"content-type": "text/html"}, content=HTML)


def scripted(*responses: httpx.Response | Exception) -> tuple[Handler, list[str]]:
    """A handler answering with the given responses in turn (the last one repeats)."""
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(str(request.url))
        answer = responses[min(len(calls), len(responses)) - 1]
        if isinstance(answer, Exception):
            raise answer
        return answer

    return handler, calls


def make_fetcher(
    handler: Handler, fake: FakeTime | None = None, **options: Any
) -> tuple[PoliteFetcher, FakeTime]:
    fake = fake or FakeTime()
    defaults: dict[str, Any] = {"min_delay": 0.0, "obey_robots": False, "jitter": False}
    fetcher = PoliteFetcher(
        PolitenessOptions(**{**defaults, **options}),
        transport=httpx.MockTransport(handler),
        clock=fake.clock,
        sleep=fake.sleep,
    )
    return fetcher, fake


async def get_all(fetcher: PoliteFetcher, urls: list[str]) -> list[FetchResult | FetchError]:
    async def one(url: str) -> FetchResult | FetchError:
        try:
            return await fetcher.get(url)
        except FetchError as exc:
            return exc

    async with fetcher:
        return list(await asyncio.gather(*(one(u) for u in urls)))


def get_one(fetcher: PoliteFetcher, url: str = "http://site.test/a") -> FetchResult | FetchError:
    return asyncio.run(get_all(fetcher, [url]))[0]


# ---- retries and backoff -------------------------------------------------------------------
def test_exponential_backoff_without_jitter() -> None:
    handler, calls = scripted(httpx.Response(503), httpx.Response(503), httpx.Response(503), ok())
    fetcher, fake = make_fetcher(handler, max_retries=3, backoff_base=0.5)
    result = get_one(fetcher)
    assert isinstance(result, FetchResult) and result.status == 200
    assert fake.sleeps == [0.5, 1.0, 2.0]
    assert len(calls) == 4
    assert fetcher.counters.retries == 3
    assert fetcher.counters.requests == 4
    assert fetcher.counters.succeeded == 1


def test_backoff_is_capped() -> None:
    handler, _ = scripted(httpx.Response(500))
    fetcher, fake = make_fetcher(handler, max_retries=4, backoff_base=10, backoff_max=25)
    assert isinstance(get_one(fetcher), RetryableStatus)
    assert fake.sleeps == [10, 20, 25, 25]


def test_full_jitter_draws_from_the_injected_rng() -> None:
    handler, _ = scripted(httpx.Response(502))
    fake = FakeTime()
    fetcher = PoliteFetcher(
        PolitenessOptions(min_delay=0, obey_robots=False, max_retries=3, backoff_base=2),
        transport=httpx.MockTransport(handler),
        clock=fake.clock,
        sleep=fake.sleep,
        rng=random.Random(7),
    )
    assert isinstance(get_one(fetcher), RetryableStatus)
    expected_rng = random.Random(7)
    expected = [expected_rng.uniform(0, ceiling) for ceiling in (2, 4, 8)]
    assert fake.sleeps == expected
    assert all(0 <= d <= c for d, c in zip(fake.sleeps, (2, 4, 8), strict=True))


def test_backoff_delay_function() -> None:
    assert [backoff_delay(a, base=1, cap=100) for a in range(5)] == [1, 2, 4, 8, 16]
    assert backoff_delay(200, base=1, cap=60) == 60
    rng = random.Random(1)
    draws = [backoff_delay(3, base=1, cap=60, rng=rng) for _ in range(200)]
    assert all(0 <= d <= 8 for d in draws) and max(draws) > 6 and min(draws) < 2


def test_retries_exhausted_raise_the_last_error() -> None:
    handler, calls = scripted(httpx.Response(503))
    fetcher, _ = make_fetcher(handler, max_retries=2)
    error = get_one(fetcher)
    assert isinstance(error, RetryableStatus) and error.status == 503
    assert len(calls) == 3
    assert fetcher.counters.failures["http-retryable"] == 1


@pytest.mark.parametrize(
    "transient",
    [httpx.ConnectError("refused"), httpx.ReadTimeout("slow"), httpx.RemoteProtocolError("x")],
)
def test_transport_errors_and_timeouts_are_retried(transient: Exception) -> None:
    handler, calls = scripted(transient, transient, ok())
    fetcher, _ = make_fetcher(handler, max_retries=3)
    assert isinstance(get_one(fetcher), FetchResult)
    assert len(calls) == 3


@pytest.mark.parametrize("status", [408, 429, 500, 502, 504])
def test_retryable_statuses(status: int) -> None:
    handler, calls = scripted(httpx.Response(status), ok())
    fetcher, _ = make_fetcher(handler, max_retries=1)
    assert isinstance(get_one(fetcher), FetchResult)
    assert len(calls) == 2


def test_retry_after_seconds_replaces_backoff() -> None:
    handler, calls = scripted(httpx.Response(429, headers={"retry-after": "7"}), ok())
    fetcher, fake = make_fetcher(handler, max_retries=3, backoff_base=1)
    assert isinstance(get_one(fetcher), FetchResult)
    assert fake.sleeps == [7.0]
    assert len(calls) == 2


def test_retry_after_holds_back_the_whole_host() -> None:
    starts: dict[str, list[float]] = {}
    fake = FakeTime()

    def handler(request: httpx.Request) -> httpx.Response:
        starts.setdefault(request.url.path, []).append(fake.now)
        if request.url.path == "/a" and len(starts["/a"]) == 1:
            return httpx.Response(503, headers={"retry-after": "30"})
        return ok()

    # no retries: /a fails at once, yet the host's next URL still waits out the Retry-After
    fetcher, _ = make_fetcher(handler, fake, max_retries=0)

    async def run() -> None:
        async with fetcher:
            with pytest.raises(RetryableStatus):
                await fetcher.get("http://site.test/a")
            await fetcher.get("http://other.test/c")  # another host is not held back
            await fetcher.get("http://site.test/b")

    asyncio.run(run())
    assert starts["/c"][0] == starts["/a"][0]
    assert starts["/b"][0] == starts["/a"][0] + 30
    assert fake.sleeps == [30]


def test_retry_after_beyond_the_cap_fails_at_once() -> None:
    handler, calls = scripted(httpx.Response(429, headers={"retry-after": "3600"}), ok())
    fetcher, fake = make_fetcher(handler, max_retries=3, max_retry_after=300)
    error = get_one(fetcher)
    assert isinstance(error, RetryableStatus) and error.retry_after == 3600
    assert fake.sleeps == []
    assert len(calls) == 1


def test_no_retry_on_404() -> None:
    handler, calls = scripted(httpx.Response(404), ok())
    fetcher, fake = make_fetcher(handler, max_retries=3)
    assert isinstance(get_one(fetcher), HttpStatusError)
    assert len(calls) == 1 and fake.sleeps == []
    assert fetcher.counters.retries == 0


def test_no_retry_on_tls_failure() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        try:
            raise ssl.SSLCertVerificationError(1, "[SSL: CERTIFICATE_VERIFY_FAILED] expired")
        except ssl.SSLError as exc:
            raise httpx.ConnectError(str(exc)) from exc

    calls: list[httpx.Request] = []
    fetcher, fake = make_fetcher(handler, max_retries=3)
    assert isinstance(get_one(fetcher, "https://site.test/a"), TlsError)
    assert len(calls) == 1 and fake.sleeps == []


# ---- host failure budget -------------------------------------------------------------------
def test_failure_budget_gives_the_host_up() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(str(request.url))
        if request.url.host == "dead.test":
            raise httpx.ConnectError("connection refused")
        return ok()

    calls: list[str] = []
    fetcher, _ = make_fetcher(handler, max_retries=0, host_failure_budget=3)

    async def run() -> list[str]:
        outcomes = []
        async with fetcher:
            for url in [f"http://dead.test/{i}" for i in range(5)] + ["http://alive.test/"]:
                try:
                    await fetcher.get(url)
                    outcomes.append("ok")
                except FetchError as exc:
                    outcomes.append(exc.reason)
        return outcomes

    outcomes = asyncio.run(run())
    assert outcomes == ["transport-error"] * 3 + ["host-failure-budget"] * 2 + ["ok"]
    assert [c for c in calls if "dead.test" in c] == [f"http://dead.test/{i}" for i in range(3)]
    assert fetcher.counters.hosts_given_up == ["dead.test"]
    assert fetcher.counters.hosts["dead.test"].failures == 3
    assert fetcher.counters.failures["host-failure-budget"] == 2


def test_budget_counts_attempts_and_stops_retries() -> None:
    handler, calls = scripted(httpx.Response(503))
    fetcher, _ = make_fetcher(handler, max_retries=10, host_failure_budget=4)
    error = get_one(fetcher)
    assert isinstance(error, HostFailureBudgetExceeded)
    assert error.host == "site.test" and error.failures == 4
    assert len(calls) == 4


def test_any_answer_resets_the_failure_count() -> None:
    handler, _ = scripted(
        httpx.ConnectError("x"),
        httpx.ConnectError("x"),
        httpx.Response(404),  # the host answered
        httpx.ConnectError("x"),
        httpx.ConnectError("x"),
        ok(),
    )
    fetcher, _ = make_fetcher(handler, max_retries=0, host_failure_budget=3)
    urls = [f"http://site.test/{i}" for i in range(6)]

    async def run() -> list[str]:
        outcomes = []
        async with fetcher:
            for url in urls:
                try:
                    await fetcher.get(url)
                    outcomes.append("ok")
                except FetchError as exc:
                    outcomes.append(exc.reason)
        return outcomes

    assert asyncio.run(run()) == ["transport-error"] * 2 + ["http-error"] + [
        "transport-error"
    ] * 2 + ["ok"]
    assert not fetcher.counters.hosts["site.test"].given_up


# ---- pacing ------------------------------------------------------------------------------
def test_min_delay_spaces_request_starts() -> None:
    fake = FakeTime()
    starts: list[float] = []

    def handler(request: httpx.Request) -> httpx.Response:
        starts.append(fake.now)
        return ok()

    fetcher, _ = make_fetcher(handler, fake, min_delay=1.5, per_host_concurrency=2)
    results = asyncio.run(get_all(fetcher, [f"http://site.test/{i}" for i in range(4)]))
    assert all(isinstance(r, FetchResult) for r in results)
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert len(gaps) == 3 and all(gap >= 1.5 for gap in gaps)


def test_crawl_delay_raises_the_delay_and_is_capped() -> None:
    fake = FakeTime()
    starts: list[float] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/robots.txt":
            return httpx.Response(200, text="User-agent: *\nCrawl-delay: 1000\n")
        starts.append(fake.now)
        return ok()

    fetcher, _ = make_fetcher(handler, fake, min_delay=0.5, obey_robots=True, max_crawl_delay=4.0)
    asyncio.run(get_all(fetcher, [f"http://site.test/{i}" for i in range(3)]))
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert gaps == [4.0, 4.0]


def test_crawl_delay_spacing_on_a_real_server(http_server: LocalHttpServer) -> None:
    http_server.static(
        "/robots.txt", b"User-agent: *\nCrawl-delay: 0.3\n", content_type="text/plain"
    )
    options = PolitenessOptions(min_delay=0.0, per_host_concurrency=2, allow_private_addresses=True)
    fetcher = PoliteFetcher(options)
    urls = [http_server.url("/ok.html"), http_server.url("/gzip.html")]
    results = asyncio.run(get_all(fetcher, urls))
    assert all(isinstance(r, FetchResult) for r in results)
    arrivals = sorted(r.arrived for r in http_server.requests)
    assert len(arrivals) == 3  # robots.txt, then the two pages
    gaps = [b - a for a, b in itertools.pairwise(arrivals)]
    assert all(gap >= 0.28 for gap in gaps), gaps


def test_retry_after_honoured_on_a_real_server(http_server: LocalHttpServer) -> None:
    def flaky(ex: Exchange) -> None:
        if len(http_server.hits("/flaky")) == 1:
            ex.send(429, b"slow down", headers=[("Retry-After", "1")])
        else:
            ex.send(200, ARTICLE_HTML)

    http_server.route("/flaky", flaky)
    options = PolitenessOptions(
        min_delay=0.0, obey_robots=False, max_retries=2, allow_private_addresses=True
    )
    fetcher = PoliteFetcher(options)
    result = asyncio.run(get_all(fetcher, [http_server.url("/flaky")]))[0]
    assert isinstance(result, FetchResult) and result.body == ARTICLE_HTML
    first, second = http_server.hits("/flaky")
    assert second.arrived - first.arrived >= 0.98


# ---- concurrency ---------------------------------------------------------------------------
def test_per_host_concurrency_on_a_real_server(http_server: LocalHttpServer) -> None:
    def slow(ex: Exchange) -> None:
        ex.sleep(0.15)
        ex.send(200, ARTICLE_HTML)

    http_server.route("/slow", slow)
    options = PolitenessOptions(
        concurrency=16,
        per_host_concurrency=2,
        min_delay=0.0,
        obey_robots=False,
        allow_private_addresses=True,
    )
    urls = [http_server.url(f"/slow?i={i}") for i in range(6)]
    results = asyncio.run(get_all(PoliteFetcher(options), urls))
    assert all(isinstance(r, FetchResult) for r in results)
    assert http_server.max_in_flight == 2


def test_global_concurrency() -> None:
    in_flight = 0
    peak = 0

    async def handler(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await asyncio.sleep(0.02)
        in_flight -= 1
        return ok()

    options = PolitenessOptions(
        concurrency=3, per_host_concurrency=2, min_delay=0.0, obey_robots=False
    )
    fetcher = PoliteFetcher(options, transport=httpx.MockTransport(handler))
    urls = [f"http://host{h}.test/{i}" for h in range(6) for i in range(3)]
    results = asyncio.run(get_all(fetcher, urls))
    assert all(isinstance(r, FetchResult) for r in results)
    assert peak == 3
    assert fetcher.counters.requests == 18


def test_per_host_limit_holds_across_many_hosts() -> None:
    in_flight: dict[str, int] = {}
    peaks: dict[str, int] = {}

    async def handler(request: httpx.Request) -> httpx.Response:
        host = request.url.host
        in_flight[host] = in_flight.get(host, 0) + 1
        peaks[host] = max(peaks.get(host, 0), in_flight[host])
        await asyncio.sleep(0.01)
        in_flight[host] -= 1
        return ok()

    options = PolitenessOptions(
        concurrency=64, per_host_concurrency=3, min_delay=0.0, obey_robots=False
    )
    fetcher = PoliteFetcher(options, transport=httpx.MockTransport(handler))
    urls = [f"http://h{h}.test/{i}" for i in range(10) for h in range(4)]
    asyncio.run(get_all(fetcher, urls))
    assert peaks == {f"h{h}.test": 3 for h in range(4)}


# ---- the rest of the contract --------------------------------------------------------------
def test_state_is_per_host_not_per_url() -> None:
    fetcher, _ = make_fetcher(ok, obey_robots=True)
    urls = [f"http://h{i % 4}.test/story/{i}" for i in range(200)]
    results = asyncio.run(get_all(fetcher, urls))
    assert all(isinstance(r, FetchResult) for r in results)
    assert len(fetcher.counters.hosts) == 4
    assert fetcher.counters.robots_loads == 4
    assert fetcher.counters.requests == 204
    assert fetcher.counters.hosts["h1.test"].requests == 51


def test_accept_and_validators_pass_through() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.headers.get("if-none-match") == '"x"':
            return httpx.Response(304)
        return httpx.Response(
            200, headers={"content-type": "application/rss+xml"}, content=b"<rss/>"
        )

    fetcher, _ = make_fetcher(handler)

    async def run() -> tuple[FetchResult, FetchResult]:
        async with fetcher:
            feed = await fetcher.get("http://site.test/feed", accept="xml")
            again = await fetcher.get("http://site.test/feed", accept="xml", etag='"x"')
            return feed, again

    feed, again = asyncio.run(run())
    assert feed.body == b"<rss/>" and again.status == 304
    assert seen[0].headers["accept"].startswith("application/rss+xml")
    assert fetcher.counters.not_modified == 1 and fetcher.counters.succeeded == 1


def test_user_agent_option_overrides_fetch_options() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers["user-agent"])
        return ok()

    fetch_options = FetchOptions(user_agent="from-fetch/1.0")
    fetcher, _ = make_fetcher(handler, fetch=fetch_options)
    get_one(fetcher)
    overriding, _ = make_fetcher(handler, fetch=fetch_options, user_agent="override/2.0")
    get_one(overriding)
    assert seen == ["from-fetch/1.0", "override/2.0"]
    assert overriding.robot_token == "override"


def test_get_outside_the_context_is_an_error() -> None:
    fetcher, _ = make_fetcher(ok)
    with pytest.raises(RuntimeError, match="async with"):
        asyncio.run(fetcher.get("http://site.test/"))


@pytest.mark.parametrize(
    "kwargs",
    [
        {"concurrency": 0},
        {"per_host_concurrency": 0},
        {"min_delay": -1},
        {"max_retries": -1},
        {"host_failure_budget": 0},
    ],
)
def test_politeness_options_are_validated(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        PolitenessOptions(**kwargs)


def test_transport_error_when_everything_fails() -> None:
    handler, calls = scripted(httpx.ConnectError("refused"))
    fetcher, fake = make_fetcher(handler, max_retries=2, backoff_base=1)
    assert isinstance(get_one(fetcher), TransportError)
    assert fake.sleeps == [1, 2] and len(calls) == 3
