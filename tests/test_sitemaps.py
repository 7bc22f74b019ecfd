"""SitemapSource and RobotsSitemapSource: indexes, gzip, news sitemaps, limits, hostile input.

Ends with the one test that runs a source through a real ``httpx.AsyncClient`` against a tiny
HTTP server on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import gc
import gzip
import threading
import tracemalloc
import zlib
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import psutil
import pytest

from newsclean.scraper.errors import HttpStatusError, TransportError
from newsclean.scraper.records import FetchResult, Skipped
from newsclean.scraper.sitemaps import (
    RobotsSitemapSource,
    SitemapLimits,
    SitemapSource,
    _UnreadableDocument,
    document_chunks,
    robots_txt_url,
)
from newsclean.scraper.sources import (
    Accept,
    SourceFilters,
    SourceItem,
    read_source,
)
from tests.conftest import TEST_DATA
from tests.test_sources import FakeFetcher, Page, collect, item_urls, reasons

SITEMAPS = TEST_DATA / "sitemaps"
SITE = "https://news.example.com"
URLSET_HEAD = b'<?xml version="1.0"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'


def fixture(name: str, site: str = SITE) -> bytes:
    """A fixture document, its links pointed at ``site``."""
    return (SITEMAPS / name).read_bytes().replace(SITE.encode(), site.encode())


def news_site(site: str = SITE) -> dict[str, bytes | Page]:
    """robots.txt -> index -> (gzipped urlset, news sitemap), as one site serves them."""
    return {
        f"{site}/robots.txt": Page(fixture("robots.txt", site), "text/plain"),
        f"{site}/sitemaps/index.xml": fixture("sitemap_index.xml", site),
        f"{site}/sitemaps/articles-2023-12.xml.gz": Page(
            gzip.compress(fixture("articles-2023-12.xml", site)), "application/gzip"
        ),
        f"{site}/sitemaps/news.xml": fixture("news.xml", site),
    }


def expected_news_site_items(site: str = SITE) -> list[SourceItem]:
    news = f"{site}/sitemaps/news.xml"
    articles = f"{site}/sitemaps/articles-2023-12.xml.gz"
    return [
        # the news sitemap first: its <lastmod> in the index is the newest
        SourceItem(
            f"{site}/world/2024/01/02/floods-close-roads",
            "daily",
            news,
            published_at=datetime(2024, 1, 2, 9, 15, tzinfo=UTC),
            title="Floods close main roads in the north",
            language="en",
        ),
        SourceItem(
            f"{site}/de/2024/01/02/hochwasser",
            "daily",
            news,
            published_at=datetime(2024, 1, 2, tzinfo=UTC),
            title="Hochwasser sperrt Straßen",
            lastmod=datetime(2024, 1, 2, 11, 0, tzinfo=UTC),
            language="de",
        ),
        SourceItem(
            f"{site}/world/2023/12/30/ceasefire-talks",  # not the nested image:loc
            "daily",
            articles,
            lastmod=datetime(2023, 12, 30, 15, 20, tzinfo=UTC),
        ),
        SourceItem(
            f"{site}/business/2023/12/29/markets-close-year",
            "daily",
            articles,
            lastmod=datetime(2023, 12, 29, tzinfo=UTC),
        ),
        SourceItem(f"{site}/culture/2023/12/28/best-books", "daily", articles),
    ]


def test_index_leads_to_a_news_sitemap_and_a_gzipped_urlset() -> None:
    fetcher = FakeFetcher(news_site())
    outputs = collect(SitemapSource(f"{SITE}/sitemaps/index.xml", name="daily").items(fetcher))
    assert [o for o in outputs if isinstance(o, SourceItem)] == expected_news_site_items()
    assert [(o.url, o.reason) for o in outputs if isinstance(o, Skipped)] == [
        ("javascript:alert(1)", "invalid-url"),  # in the index
        (f"{SITE}/sitemaps/articles-2023-12.xml.gz", "missing-link"),  # a <url> without <loc>
    ]
    assert fetcher.calls == [
        (f"{SITE}/sitemaps/index.xml", "xml"),
        (f"{SITE}/sitemaps/news.xml", "xml"),  # relative <loc> resolved
        (f"{SITE}/sitemaps/articles-2023-12.xml.gz", "xml"),
    ]


def test_robots_txt_sitemap_lines_are_followed_once_each() -> None:
    fetcher = FakeFetcher(news_site())
    source = RobotsSitemapSource(f"{SITE}/some/page?x=1", name="daily")
    outputs = collect(source.items(fetcher))
    assert item_urls(outputs) == [item.url for item in expected_news_site_items()]
    assert fetcher.urls == [
        f"{SITE}/robots.txt",
        f"{SITE}/sitemaps/index.xml",
        f"{SITE}/sitemaps/news.xml",
        f"{SITE}/sitemaps/articles-2023-12.xml.gz",
    ]
    # robots.txt names the news sitemap too: read already through the index
    assert (f"{SITE}/sitemaps/news.xml", "duplicate-sitemap") in [
        (o.url, o.reason) for o in outputs if isinstance(o, Skipped)
    ]
    assert fetcher.calls[0] == (f"{SITE}/robots.txt", "any")


def test_robots_txt_without_sitemaps_or_missing() -> None:
    bare = FakeFetcher({f"{SITE}/robots.txt": b"User-agent: *\nDisallow: /private\n"})
    assert collect(RobotsSitemapSource(SITE).items(bare)) == [
        Skipped(f"{SITE}/robots.txt", "source", "no-sitemaps")
    ]
    assert collect(RobotsSitemapSource(SITE).items(FakeFetcher({}))) == [
        Skipped(f"{SITE}/robots.txt", "source", "http-error")
    ]
    assert collect(RobotsSitemapSource("news.example.com").items(FakeFetcher({}))) == [
        Skipped("news.example.com", "source", "invalid-url")
    ]


def test_robots_txt_url() -> None:
    assert robots_txt_url("HTTPS://News.Example.com:8443/a/b?c#d") == (
        "https://News.Example.com:8443/robots.txt"
    )
    assert robots_txt_url("ftp://example.com/") is None


def test_text_sitemap_one_url_per_line() -> None:
    fetcher = FakeFetcher({f"{SITE}/sitemap.txt": Page(fixture("sitemap.txt"), "text/plain")})
    outputs = collect(SitemapSource(f"{SITE}/sitemap.txt").items(fetcher))
    assert item_urls(outputs) == [
        f"{SITE}/world/2024/01/02/floods-close-roads",
        f"{SITE}/world/2024/01/02/energy-prices",
        f"{SITE}/culture/2024/01/01/new-year-concert",
    ]
    assert outputs[2] == Skipped("not a url", "source", "invalid-url")


def test_text_sitemap_with_an_endless_line_is_refused() -> None:
    body = b"https://a.example/1\nhttps://a.example/" + b"x" * 200_000
    outputs = collect(SitemapSource(f"{SITE}/s.txt").items(FakeFetcher({f"{SITE}/s.txt": body})))
    assert item_urls(outputs) == ["https://a.example/1"]
    assert reasons(outputs) == ["parse-error"]


def test_index_children_are_read_newest_first_and_undated_last() -> None:
    index = (
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<sitemap><loc>{SITE}/undated.xml</loc></sitemap>"
        f"<sitemap><loc>{SITE}/2022.xml</loc><lastmod>2022-06</lastmod></sitemap>"
        f"<sitemap><loc>{SITE}/2024.xml</loc><lastmod>2024-01-01</lastmod></sitemap>"
        "</sitemapindex>"
    ).encode()
    urlset = URLSET_HEAD + b"</urlset>"
    pages: dict[str, bytes | Page] = {f"{SITE}/index.xml": index}
    pages |= {f"{SITE}/{n}.xml": urlset for n in ("undated", "2022", "2024")}
    fetcher = FakeFetcher(pages)
    assert collect(SitemapSource(f"{SITE}/index.xml").items(fetcher)) == []
    assert fetcher.urls == [
        f"{SITE}/index.xml",
        f"{SITE}/2024.xml",
        f"{SITE}/2022.xml",
        f"{SITE}/undated.xml",
    ]


def nested_indexes(levels: int) -> dict[str, bytes | Page]:
    """index0 -> index1 -> ... -> index{levels-1} -> leaf urlset."""
    pages: dict[str, bytes | Page] = {}
    for level in range(levels):
        target = f"{SITE}/index{level + 1}.xml" if level + 1 < levels else f"{SITE}/leaf.xml"
        pages[f"{SITE}/index{level}.xml"] = (
            f"<sitemapindex><sitemap><loc>{target}</loc></sitemap></sitemapindex>".encode()
        )
    pages[f"{SITE}/leaf.xml"] = URLSET_HEAD + f"<url><loc>{SITE}/a</loc></url></urlset>".encode()
    return pages


def test_nesting_depth_is_limited() -> None:
    fetcher = FakeFetcher(nested_indexes(3))  # the leaf is 3 levels below the first index
    deep_enough = SitemapSource(f"{SITE}/index0.xml", limits=SitemapLimits(max_depth=3))
    assert item_urls(collect(deep_enough.items(fetcher))) == [f"{SITE}/a"]
    shallow = SitemapSource(f"{SITE}/index0.xml", limits=SitemapLimits(max_depth=2))
    assert collect(shallow.items(fetcher)) == [
        Skipped(f"{SITE}/leaf.xml", "source", "sitemap-too-deep")
    ]


def test_an_index_listing_itself_is_read_once() -> None:
    index = f"<sitemapindex><sitemap><loc>{SITE}/index.xml</loc></sitemap></sitemapindex>"
    fetcher = FakeFetcher({f"{SITE}/index.xml": index.encode()})
    outputs = collect(SitemapSource(f"{SITE}/index.xml").items(fetcher))
    assert outputs == [Skipped(f"{SITE}/index.xml", "source", "duplicate-sitemap")]
    assert len(fetcher.calls) == 1


def test_a_failing_or_unchanged_child_does_not_stop_the_others() -> None:
    pages = news_site()
    pages[f"{SITE}/sitemaps/news.xml"] = Page(status=304)
    del pages[f"{SITE}/sitemaps/articles-2023-12.xml.gz"]
    outputs = collect(SitemapSource(f"{SITE}/sitemaps/index.xml").items(FakeFetcher(pages)))
    assert item_urls(outputs) == []
    assert (f"{SITE}/sitemaps/articles-2023-12.xml.gz", "http-error") in [
        (o.url, o.reason) for o in outputs if isinstance(o, Skipped)
    ]


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"<rss version='2.0'><channel/></rss>", "not-a-sitemap"),
        (b"<!doctype html><html><body>Not found</body></html>", "parse-error"),
        (b"", "parse-error"),
        (gzip.compress(b"<urlset>")[:-12], "parse-error"),  # truncated gzip
        (b"\x1f\x8b\x08\x00garbage-after-a-gzip-magic", "parse-error"),
    ],
)
def test_unusable_sitemaps_are_skipped(body: bytes, reason: str) -> None:
    fetcher = FakeFetcher({f"{SITE}/s.xml": body})
    assert collect(SitemapSource(f"{SITE}/s.xml").items(fetcher)) == [
        Skipped(f"{SITE}/s.xml", "source", reason)
    ]


def test_a_sitemap_broken_halfway_keeps_the_entries_before_the_break() -> None:
    body = URLSET_HEAD + f"<url><loc>{SITE}/a</loc></url><url><loc>{SITE}/b</loc>".encode()
    outputs = collect(SitemapSource(f"{SITE}/s.xml").items(FakeFetcher({f"{SITE}/s.xml": body})))
    assert item_urls(outputs) == [f"{SITE}/a"]
    assert reasons(outputs) == ["parse-error"]


def test_multi_member_gzip_is_read_whole() -> None:
    members = [
        gzip.compress(URLSET_HEAD),
        gzip.compress(f"<url><loc>{SITE}/a</loc></url>".encode()),
        gzip.compress(f"<url><loc>{SITE}/b</loc></url></urlset>".encode()),
    ]
    body = b"".join(members) + b"\0" * 16  # some servers pad with NULs
    outputs = collect(SitemapSource(f"{SITE}/s.gz").items(FakeFetcher({f"{SITE}/s.gz": body})))
    assert outputs == [
        SourceItem(f"{SITE}/a", f"{SITE}/s.gz", f"{SITE}/s.gz"),
        SourceItem(f"{SITE}/b", f"{SITE}/s.gz", f"{SITE}/s.gz"),
    ]


def ten_sitemaps() -> dict[str, bytes | Page]:
    """An index of ten sitemaps holding one URL each."""
    children = "".join(f"<sitemap><loc>{SITE}/s{n}.xml</loc></sitemap>" for n in range(10))
    pages: dict[str, bytes | Page] = {
        f"{SITE}/index.xml": f"<sitemapindex>{children}</sitemapindex>".encode()
    }
    for n in range(10):
        pages[f"{SITE}/s{n}.xml"] = (
            URLSET_HEAD + f"<url><loc>{SITE}/{n}</loc></url></urlset>".encode()
        )
    return pages


def test_each_child_counts_against_the_document_budget() -> None:
    fetcher = FakeFetcher(ten_sitemaps())
    source = SitemapSource(f"{SITE}/index.xml", limits=SitemapLimits(max_documents=4))
    outputs = collect(source.items(fetcher))
    assert item_urls(outputs) == [f"{SITE}/0", f"{SITE}/1", f"{SITE}/2"]
    assert reasons(outputs) == ["too-many-sitemaps"] * 7
    assert len(fetcher.calls) == 4


def test_filters_apply_to_sitemap_items() -> None:
    fetcher = FakeFetcher(news_site())
    source = SitemapSource(f"{SITE}/sitemaps/index.xml", name="daily")
    filters = SourceFilters(exclude=(r"/de/",), max_age=timedelta(days=3))
    outputs = collect(read_source(source, fetcher, filters, now=datetime(2024, 1, 3, tzinfo=UTC)))
    assert item_urls(outputs) == [
        f"{SITE}/world/2024/01/02/floods-close-roads",
        f"{SITE}/culture/2023/12/28/best-books",  # undated: kept
    ]
    assert [(o.url, o.reason) for o in outputs if isinstance(o, Skipped)] == [
        ("javascript:alert(1)", "invalid-url"),
        (f"{SITE}/de/2024/01/02/hochwasser", "filtered-pattern"),
        (f"{SITE}/world/2023/12/30/ceasefire-talks", "too-old"),
        (f"{SITE}/business/2023/12/29/markets-close-year", "too-old"),
        (f"{SITE}/sitemaps/articles-2023-12.xml.gz", "missing-link"),
    ]


def test_max_items_stops_fetching_further_sitemaps() -> None:
    fetcher = FakeFetcher(ten_sitemaps())
    source = SitemapSource(f"{SITE}/index.xml")
    outputs = collect(read_source(source, fetcher, SourceFilters(max_items=2)))
    assert item_urls(outputs) == [f"{SITE}/0", f"{SITE}/1"]
    assert outputs[-1] == Skipped(f"{SITE}/2", "source", "max-items")
    # one document past the limit is read, to learn that there was more
    assert fetcher.urls == [
        f"{SITE}/index.xml",
        f"{SITE}/s0.xml",
        f"{SITE}/s1.xml",
        f"{SITE}/s2.xml",
    ]


# -- size limits and hostile input ---------------------------------------------------------


def million_url_sitemap() -> Iterator[bytes]:
    yield URLSET_HEAD + b"\n"
    for start in range(0, 1_000_000, 10_000):
        yield "".join(
            f"<url><loc>https://big.example.com/articles/{n}</loc>"
            "<lastmod>2024-01-02</lastmod></url>\n"
            for n in range(start, start + 10_000)
        ).encode()
    yield b"</urlset>\n"


def gzipped(parts: Iterator[bytes]) -> bytes:
    """gzip built piece by piece: the plain document is never held whole."""
    compressor = zlib.compressobj(6, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    return b"".join([*(compressor.compress(part) for part in parts), compressor.flush()])


def count_items(source: SitemapSource, fetcher: FakeFetcher) -> tuple[int, list[object]]:
    """How many items a source yields, and its last output; nothing else is kept."""

    async def consume() -> tuple[int, list[object]]:
        count, last = 0, []
        async for out in source.items(fetcher):
            count += isinstance(out, SourceItem)
            last = [out]
        return count, last

    return asyncio.run(consume())


@dataclass
class Growth:
    peak: int = 0


@contextmanager
def rss_growth(interval: float = 0.02) -> Iterator[Growth]:
    """The largest growth of this process's resident size while the block runs (bytes)."""
    process = psutil.Process()
    gc.collect()
    start = process.memory_info().rss
    growth = Growth()
    done = threading.Event()

    def sample() -> None:
        while not done.wait(interval):
            growth.peak = max(growth.peak, process.memory_info().rss - start)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        yield growth
    finally:
        done.set()
        sampler.join()
        growth.peak = max(growth.peak, process.memory_info().rss - start)


def test_a_million_url_sitemap_is_streamed_and_capped() -> None:
    body = gzipped(million_url_sitemap())  # about 2.8 MB; 91 MB once decompressed
    url = "https://big.example.com/sitemap.xml.gz"
    fetcher = FakeFetcher({url: body})
    with rss_growth() as growth:
        count, last = count_items(SitemapSource(url), fetcher)
    assert count == 50_000  # SitemapLimits.max_urls_per_document, the protocol's limit
    assert last == [Skipped(url, "source", "too-many-urls")]
    # libxml2's tree is invisible to tracemalloc: the process size shows whether parsed
    # entries are dropped (measured: under 1 MB of growth; 40 MB when they are kept)
    assert growth.peak < 15_000_000, growth.peak

    # tracemalloc slows allocation-heavy code about fivefold, so memory is traced over a
    # smaller cap: a list of 20,000 items would already take some 10 MB, the whole
    # decompressed document 91 MB
    limits = SitemapLimits(max_urls_per_document=20_000)
    tracemalloc.start()
    try:
        count, last = count_items(SitemapSource(url, limits=limits), fetcher)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert (count, last) == (20_000, [Skipped(url, "source", "too-many-urls")])
    assert peak < 4_000_000, peak  # measured: about 0.8 MB


def gzip_bomb(gigabytes: int) -> bytes:
    """A valid sitemap that inflates to ``gigabytes`` GiB from about 1 MB: repeated members."""
    pad = gzip.compress(b"<pad>" + b"x" * (8 << 20) + b"</pad>\n")  # 8 MiB of text each
    head = gzip.compress(URLSET_HEAD + b"<url><loc>https://bomb.example.com/a</loc></url>")
    return head + pad * (gigabytes * 128)


def test_a_gzip_bomb_stops_at_the_decompressed_size_cap() -> None:
    body = gzip_bomb(1)
    assert len(body) < 2_000_000
    url = "https://bomb.example.com/sitemap.xml.gz"
    tracemalloc.start()
    try:
        outputs = collect(SitemapSource(url).items(FakeFetcher({url: body})))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert outputs == [
        SourceItem("https://bomb.example.com/a", url, url),
        Skipped(url, "source", "too-large"),
    ]
    assert peak < 8_000_000, peak


def test_document_chunks_never_passes_the_cap_by_more_than_a_chunk() -> None:
    body = gzip.compress(b"\0" * (20 << 20))
    produced = 0
    with pytest.raises(_UnreadableDocument, match="more than 1048576 bytes") as raised:
        for chunk in document_chunks(body, 1 << 20):
            produced += len(chunk)
            assert len(chunk) <= 64 * 1024
    assert raised.value.reason == "too-large"
    assert produced <= 1 << 20


def test_billion_laughs_and_external_entities_in_a_sitemap(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET-c0ffee", encoding="utf-8")
    laughs = "".join(f'<!ENTITY l{n + 1} "{f"&l{n};" * 10}">' for n in range(9))
    bomb = (
        f'<?xml version="1.0"?><!DOCTYPE urlset [<!ENTITY l0 "lol">{laughs}]>'
        f"<urlset><url><loc>{SITE}/a?&l9;</loc></url></urlset>"
    ).encode()
    xxe = (
        f'<?xml version="1.0"?><!DOCTYPE urlset [<!ENTITY s SYSTEM "file://{secret}">]>'
        f"<urlset><url><loc>{SITE}/b?&s;</loc></url></urlset>"
    ).encode()
    fetcher = FakeFetcher({f"{SITE}/bomb.xml": bomb, f"{SITE}/xxe.xml": xxe})
    bomb_outputs = collect(SitemapSource(f"{SITE}/bomb.xml").items(fetcher))
    assert bomb_outputs == [Skipped(f"{SITE}/bomb.xml", "source", "parse-error")]
    xxe_outputs = collect(SitemapSource(f"{SITE}/xxe.xml").items(fetcher))
    assert xxe_outputs == [SourceItem(f"{SITE}/b?", f"{SITE}/xxe.xml", f"{SITE}/xxe.xml")]
    assert "TOPSECRET" not in repr(xxe_outputs)


# -- through a real HTTP client ------------------------------------------------------------


@dataclass
class HttpxFetcher:
    """The smallest honest :class:`SourceFetcher` over httpx (no politeness, no caching)."""

    client: httpx.AsyncClient

    async def get(self, url: str, *, accept: Accept = "html") -> FetchResult:
        try:
            response = await self.client.get(url, follow_redirects=True)
        except httpx.TransportError as err:
            raise TransportError(url, str(err)) from err
        if response.status_code >= 400:
            raise HttpStatusError(url, response.status_code)
        return FetchResult(
            requested_url=url,
            final_url=str(response.url),
            status=response.status_code,
            headers=tuple((k.lower(), v) for k, v in response.headers.items()),
            body=response.content,
            fetched_at=datetime.now(UTC),
            redirect_chain=tuple(str(r.url) for r in response.history),
        )


class SiteServer:
    """``news_site()`` served over HTTP on 127.0.0.1, robots.txt behind a redirect."""

    def __init__(self) -> None:
        self.requests: list[str] = []
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        pages = news_site(self.base)
        pages[f"{self.base}/robots-live.txt"] = pages.pop(f"{self.base}/robots.txt")
        self.pages = {url.removeprefix(self.base): page for url, page in pages.items()}
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.requests.append(self.path)
                if self.path == "/robots.txt":
                    self.send_response(301)
                    self.send_header("Location", "/robots-live.txt")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                page = server.pages.get(self.path)
                if page is None:
                    self.send_error(404)
                    return
                if isinstance(page, bytes):
                    page = Page(page)
                self.send_response(page.status)
                self.send_header("Content-Type", page.content_type)
                self.send_header("Content-Length", str(len(page.body)))
                self.end_headers()
                self.wfile.write(page.body)

            def log_message(self, format: str, *args: object) -> None:
                pass  # keep the test output clean

        return Handler


@pytest.fixture
def site_server() -> Iterator[SiteServer]:
    server = SiteServer()
    server.thread.start()
    try:
        yield server
    finally:
        server.httpd.shutdown()
        server.httpd.server_close()
        server.thread.join(timeout=5)


def test_robots_sitemaps_through_a_real_http_client(site_server: SiteServer) -> None:
    base = site_server.base

    async def run() -> list[SourceItem | Skipped]:
        timeout = httpx.Timeout(5.0)
        async with httpx.AsyncClient(timeout=timeout, trust_env=False) as client:
            source = RobotsSitemapSource(base, name="daily")
            items: AsyncIterator[SourceItem | Skipped] = source.items(HttpxFetcher(client))
            return [out async for out in items]

    outputs = asyncio.run(run())
    assert [o for o in outputs if isinstance(o, SourceItem)] == expected_news_site_items(base)
    assert site_server.requests == [
        "/robots.txt",
        "/robots-live.txt",
        "/sitemaps/index.xml",
        "/sitemaps/news.xml",
        "/sitemaps/articles-2023-12.xml.gz",
    ]


def test_blank_lines_before_the_xml_declaration_are_tolerated() -> None:
    body = b"\r\n\n" + fixture("news.xml")
    fetcher = FakeFetcher({f"{SITE}/s.xml": gzip.compress(body)})
    outputs = collect(SitemapSource(f"{SITE}/s.xml").items(fetcher))
    assert len(item_urls(outputs)) == 2
    assert reasons(outputs) == []
