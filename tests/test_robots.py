"""robots.txt: parsing, RFC 9309 status handling, the per-run cache, and PoliteFetcher's use."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from newsclean.scraper.errors import (
    FetchError,
    FetchTimeout,
    HostFailureBudgetExceeded,
    HttpStatusError,
    InvalidUrl,
    RetryableStatus,
    RobotsDisallowed,
    RobotsUnavailable,
    TlsError,
    TooManyRedirects,
    TransportError,
)
from newsclean.scraper.polite import PoliteFetcher, PolitenessOptions
from newsclean.scraper.records import FetchResult
from newsclean.scraper.robots import (
    MAX_PARSED_BYTES,
    RobotsCache,
    RobotsPolicy,
    parse_robots,
    policy_from_error,
    policy_from_result,
    robot_token,
)
from tests.support.httpserver import (
    LocalHttpServer,
    serve,
)


@pytest.fixture
def http_server() -> Iterator[LocalHttpServer]:
    with serve() as server:
        yield server


ORIGIN = "https://news.example"
ROBOTS = b"""# a typical news site
User-agent: newsclean
Disallow: /private
Allow: /private/open
Crawl-delay: 2

User-agent: *
Disallow: /

Sitemap: https://news.example/sitemap.xml
Sitemap: https://news.example/news-sitemap.xml
"""


def _result(body: bytes, status: int = 200) -> FetchResult:
    return FetchResult(
        requested_url=f"{ORIGIN}/robots.txt",
        final_url=f"{ORIGIN}/robots.txt",
        status=status,
        headers=(("content-type", "text/plain"),),
        body=body,
        fetched_at=datetime.now(UTC),
    )


# ---- parsing -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("user_agent", "token"),
    [
        ("newsclean/0.1.0 (news article extractor)", "newsclean"),
        ("Research-Bot/2.0", "research-bot"),
        ("my_crawler", "my_crawler"),
        ("Mozilla/5.0 (compatible; Foo)", "mozilla"),
    ],
)
def test_robot_token(user_agent: str, token: str) -> None:
    assert robot_token(user_agent) == token


def test_parse_groups_delay_and_sitemaps() -> None:
    policy = parse_robots(ORIGIN, ROBOTS, "newsclean")
    assert policy.status == "parsed"
    assert policy.can_fetch(f"{ORIGIN}/world/story-1", "newsclean")
    assert not policy.can_fetch(f"{ORIGIN}/private/notes", "newsclean")
    assert policy.can_fetch(f"{ORIGIN}/private/open/page", "newsclean")
    # any other robot falls into the "*" group
    assert not policy.can_fetch(f"{ORIGIN}/world/story-1", "otherbot")
    assert policy.crawl_delay == 2.0
    assert policy.sitemaps == (
        "https://news.example/sitemap.xml",
        "https://news.example/news-sitemap.xml",
    )


def test_request_rate_becomes_a_delay() -> None:
    policy = parse_robots(ORIGIN, b"User-agent: *\nRequest-rate: 2/10s\n", "newsclean")
    assert policy.crawl_delay == 5.0
    both = parse_robots(ORIGIN, b"User-agent: *\nCrawl-delay: 7\nRequest-rate: 1/3\n", "x")
    assert both.crawl_delay == 7.0


def test_empty_or_odd_files() -> None:
    empty = parse_robots(ORIGIN, b"", "newsclean")
    assert empty.can_fetch(f"{ORIGIN}/anything", "newsclean")
    assert empty.crawl_delay is None and empty.sitemaps == ()
    binary = parse_robots(ORIGIN, b"\xff\xfe\x00garbage\nUser-agent: *\nDisallow: /x\n", "nc")
    assert not binary.can_fetch(f"{ORIGIN}/x", "nc")


def test_only_the_first_500_kib_are_parsed() -> None:
    padding = b"# " + b"p" * MAX_PARSED_BYTES + b"\n"
    policy = parse_robots(
        ORIGIN, b"User-agent: *\nDisallow: /a\n" + padding + b"Disallow: /b\n", "x"
    )
    assert not policy.can_fetch(f"{ORIGIN}/a", "x")
    assert policy.can_fetch(f"{ORIGIN}/b", "x")


def test_robots_txt_itself_is_always_allowed() -> None:
    policy = parse_robots(ORIGIN, b"User-agent: *\nDisallow: /\n", "newsclean")
    assert policy.can_fetch(f"{ORIGIN}/robots.txt", "newsclean")


# ---- RFC 9309 status handling -------------------------------------------------------------
URL = f"{ORIGIN}/robots.txt"


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (HttpStatusError(URL, 404), "allow-all"),
        (HttpStatusError(URL, 403), "allow-all"),
        (HttpStatusError(URL, 401), "allow-all"),
        (TooManyRedirects(URL), "allow-all"),
        (InvalidUrl(URL, "redirect to a non-http(s) URL"), "allow-all"),
        (RetryableStatus(URL, 500), "unavailable"),
        (RetryableStatus(URL, 503, 30.0), "unavailable"),
        (RetryableStatus(URL, 429), "unavailable"),
        (FetchTimeout(URL), "unavailable"),
        (TransportError(URL, "connection refused"), "unavailable"),
        (TlsError(URL, "certificate"), "unavailable"),
    ],
)
def test_policy_from_error(error: FetchError, status: str) -> None:
    policy = policy_from_error(ORIGIN, error)
    assert policy.status == status
    assert policy.detail
    assert policy.can_fetch(f"{ORIGIN}/a", "newsclean") is (status == "allow-all")


def test_host_budget_is_not_a_robots_verdict() -> None:
    with pytest.raises(HostFailureBudgetExceeded):
        policy_from_error(ORIGIN, HostFailureBudgetExceeded(URL, "news.example", 10))


def test_policy_from_a_response() -> None:
    assert policy_from_result(ORIGIN, _result(ROBOTS), "newsclean").status == "parsed"


def test_check_raises_distinct_errors() -> None:
    unavailable = RobotsPolicy(ORIGIN, "unavailable", detail="HTTP 503")
    with pytest.raises(RobotsUnavailable) as info:
        unavailable.check(f"{ORIGIN}/a", "newsclean")
    assert info.value.reason == "robots-unavailable"
    assert info.value.transient  # "for now": the run may try again later
    denied = parse_robots(ORIGIN, ROBOTS, "newsclean")
    with pytest.raises(RobotsDisallowed) as denied_info:
        denied.check(f"{ORIGIN}/private/x", "newsclean")
    assert denied_info.value.reason == "robots-denied"
    assert not denied_info.value.transient
    denied.check(f"{ORIGIN}/public", "newsclean")  # allowed: no error


# ---- the cache -----------------------------------------------------------------------------
class FakeRobotsSource:
    def __init__(self, outcome: bytes | FetchError, delay: float = 0.01) -> None:
        self.outcome = outcome
        self.delay = delay
        self.calls: list[str] = []
        self.now = 0.0

    def clock(self) -> float:
        return self.now

    async def fetch(self, url: str) -> FetchResult:
        self.calls.append(url)
        await asyncio.sleep(self.delay)
        if isinstance(self.outcome, FetchError):
            raise self.outcome
        return _result(self.outcome)


def test_one_load_per_origin_for_concurrent_callers() -> None:
    source = FakeRobotsSource(ROBOTS)
    cache = RobotsCache(source.fetch, robot_token="newsclean", clock=source.clock)

    async def run() -> list[RobotsPolicy]:
        urls = [f"{ORIGIN}/a/{i}" for i in range(20)] + ["http://news.example/x"]
        return await asyncio.gather(*(cache.policy_for(u) for u in urls))

    policies = asyncio.run(run())
    assert source.calls == [f"{ORIGIN}/robots.txt", "http://news.example/robots.txt"]
    assert len({id(p) for p in policies[:20]}) == 1
    assert len(cache) == 2


def test_unavailable_expires_parsed_does_not() -> None:
    source = FakeRobotsSource(RetryableStatus(URL, 503), delay=0)
    cache = RobotsCache(
        source.fetch, robot_token="newsclean", clock=source.clock, unavailable_ttl=60
    )

    async def policy() -> RobotsPolicy:
        return await cache.policy_for(f"{ORIGIN}/a")

    assert asyncio.run(policy()).status == "unavailable"
    source.now = 59.0
    asyncio.run(policy())
    assert len(source.calls) == 1  # still cached
    source.now = 61.0
    source.outcome = ROBOTS
    assert asyncio.run(policy()).status == "parsed"
    source.now = 10_000.0
    asyncio.run(policy())
    assert len(source.calls) == 2


def test_load_failure_is_not_cached() -> None:
    source = FakeRobotsSource(HostFailureBudgetExceeded(URL, "news.example", 3), delay=0)
    cache = RobotsCache(source.fetch, robot_token="newsclean", clock=source.clock)
    for _ in range(2):
        with pytest.raises(HostFailureBudgetExceeded):
            asyncio.run(cache.policy_for(f"{ORIGIN}/a"))
    assert len(source.calls) == 2
    assert len(cache) == 0


def test_a_cancelled_caller_does_not_cancel_the_shared_load() -> None:
    source = FakeRobotsSource(ROBOTS, delay=0.05)
    cache = RobotsCache(source.fetch, robot_token="newsclean", clock=source.clock)

    async def run() -> RobotsPolicy:
        impatient = asyncio.create_task(cache.policy_for(f"{ORIGIN}/a"))
        patient = asyncio.create_task(cache.policy_for(f"{ORIGIN}/b"))
        await asyncio.sleep(0.01)
        impatient.cancel()
        return await patient

    assert asyncio.run(run()).status == "parsed"
    assert len(source.calls) == 1


# ---- through PoliteFetcher against a real server ------------------------------------------
def _fetcher(**options: object) -> PoliteFetcher:
    defaults: dict[str, object] = {
        "min_delay": 0.0,
        "max_retries": 0,
        "allow_private_addresses": True,  # the test server is on 127.0.0.1
    }
    opts = PolitenessOptions(**{**defaults, **options})  # type: ignore[arg-type]
    return PoliteFetcher(opts)


async def _outcomes(fetcher: PoliteFetcher, urls: list[str]) -> list[int | str]:
    outcomes: list[int | str] = []
    async with fetcher:
        for url in urls:
            try:
                outcomes.append((await fetcher.get(url)).status)
            except FetchError as exc:
                outcomes.append(exc.reason)
    return outcomes


def test_robots_allow_and_deny(http_server: LocalHttpServer) -> None:
    http_server.static(
        "/robots.txt",
        b"User-agent: *\nDisallow: /no-type.html\n",
        content_type="text/plain",
    )
    urls = [http_server.url(p) for p in ("/ok.html", "/no-type.html", "/gzip.html")]
    fetcher = _fetcher()
    assert asyncio.run(_outcomes(fetcher, urls)) == [200, "robots-denied", 200]
    assert http_server.hits("/no-type.html") == []  # never asked for
    assert len(http_server.hits("/robots.txt")) == 1  # once for the run
    assert fetcher.counters.failures["robots-denied"] == 1
    assert fetcher.counters.robots_loads == 1


def test_robots_group_for_our_token(http_server: LocalHttpServer) -> None:
    http_server.static(
        "/robots.txt",
        b"User-agent: newsclean\nDisallow: /\n\nUser-agent: *\nAllow: /\n",
        content_type="text/plain",
    )
    url = http_server.url("/ok.html")
    assert asyncio.run(_outcomes(_fetcher(), [url])) == ["robots-denied"]
    other = _fetcher(user_agent="friendlybot/1.0 (+https://x.example)")
    assert asyncio.run(_outcomes(other, [url])) == [200]
    assert http_server.hits("/ok.html")[0].headers["user-agent"].startswith("friendlybot/")


def test_robots_404_allows_everything(http_server: LocalHttpServer) -> None:
    # the standard server answers 404 for /robots.txt
    assert asyncio.run(_outcomes(_fetcher(), [http_server.url("/ok.html")])) == [200]
    assert len(http_server.hits("/robots.txt")) == 1


@pytest.mark.parametrize("code", [500, 503])
def test_robots_5xx_disallows_for_now(http_server: LocalHttpServer, code: int) -> None:
    http_server.static("/robots.txt", b"oops", status=code, content_type="text/plain")
    urls = [http_server.url("/ok.html"), http_server.url("/gzip.html")]
    assert asyncio.run(_outcomes(_fetcher(), urls)) == ["robots-unavailable"] * 2
    assert http_server.hits("/ok.html") == []
    assert len(http_server.hits("/robots.txt")) == 1  # cached (for robots_unavailable_ttl)


def test_robots_unreachable_disallows(http_server: LocalHttpServer) -> None:
    http_server.route("/robots.txt", lambda ex: ex.reset())
    outcome = asyncio.run(_outcomes(_fetcher(), [http_server.url("/ok.html")]))
    assert outcome == ["robots-unavailable"]


def test_robots_ignored_when_not_obeyed(http_server: LocalHttpServer) -> None:
    http_server.static("/robots.txt", b"User-agent: *\nDisallow: /\n", content_type="text/plain")
    fetcher = _fetcher(obey_robots=False)
    assert asyncio.run(_outcomes(fetcher, [http_server.url("/ok.html")])) == [200]
    assert http_server.hits("/robots.txt") == []


def test_sitemaps_and_crawl_delay_are_exposed(http_server: LocalHttpServer) -> None:
    http_server.static(
        "/robots.txt",
        b"User-agent: *\nCrawl-delay: 1.5\nSitemap: https://x.example/s1.xml\n"
        b"Sitemap: https://x.example/s2.xml.gz\n",
        content_type="text/plain",
    )

    async def run() -> RobotsPolicy:
        async with _fetcher() as fetcher:
            return await fetcher.robots_for(http_server.url("/any/page"))

    policy = asyncio.run(run())
    assert policy.sitemaps == ("https://x.example/s1.xml", "https://x.example/s2.xml.gz")
    assert policy.crawl_delay == 1.5
    assert policy.origin == http_server.base_url
