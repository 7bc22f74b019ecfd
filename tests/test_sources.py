"""Sources core: dates, URL checks, the URL-list source, fetch outcomes and per-source filters.

``FakeFetcher`` and ``collect`` are shared with ``test_feeds.py`` and ``test_sitemaps.py``.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar

import pytest

from newsclean.scraper.errors import FetchError, FetchTimeout, HttpStatusError, RobotsDisallowed
from newsclean.scraper.records import FetchResult, Skipped
from newsclean.scraper.sources import (
    Accept,
    SourceDocument,
    SourceFetcher,
    SourceFilters,
    SourceItem,
    UrlListSource,
    fetch_document,
    filter_items,
    http_url,
    parse_date,
    read_source,
)

T = TypeVar("T")
FETCHED_AT = datetime(2024, 1, 2, 12, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Page:
    """What the fake web answers for one URL."""

    body: bytes = b""
    content_type: str = "application/xml"
    status: int = 200
    final_url: str | None = None  # where a redirect ended


@dataclass
class FakeFetcher:
    """A :class:`SourceFetcher` over a dict: url -> bytes, Page or a FetchError to raise.

    Unknown URLs raise ``HttpStatusError(404)``, as the pipeline's fetcher does.
    """

    pages: Mapping[str, bytes | Page | FetchError]
    calls: list[tuple[str, Accept]] = field(default_factory=list)

    async def get(self, url: str, *, accept: Accept = "html") -> FetchResult:
        self.calls.append((url, accept))
        page = self.pages.get(url)
        if page is None:
            raise HttpStatusError(url, 404)
        if isinstance(page, FetchError):
            raise page
        if isinstance(page, bytes):
            page = Page(page)
        return FetchResult(
            requested_url=url,
            final_url=page.final_url or url,
            status=page.status,
            headers=(("content-type", page.content_type),),
            body=page.body,
            fetched_at=FETCHED_AT,
        )

    @property
    def urls(self) -> list[str]:
        return [url for url, _ in self.calls]


def collect(items: AsyncIterator[T]) -> list[T]:
    """Run an async stream to its end and return everything it yielded."""

    async def gather() -> list[T]:
        return [out async for out in items]

    return asyncio.run(gather())


def reasons(outputs: list[SourceItem | Skipped]) -> list[str]:
    return [out.reason for out in outputs if isinstance(out, Skipped)]


def item_urls(outputs: list[SourceItem | Skipped]) -> list[str]:
    return [out.url for out in outputs if isinstance(out, SourceItem)]


# -- dates ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Tue, 02 Jan 2024 10:15:00 GMT", datetime(2024, 1, 2, 10, 15, tzinfo=UTC)),
        ("Tue, 02 Jan 2024 10:15:00 +0100", datetime(2024, 1, 2, 9, 15, tzinfo=UTC)),
        ("2 Jan 2024 10:15 EST", datetime(2024, 1, 2, 15, 15, tzinfo=UTC)),
        ("Tue, 02 Jan 2024 10:15:00 -0000", datetime(2024, 1, 2, 10, 15, tzinfo=UTC)),
        ("2024-01-02T10:15:00Z", datetime(2024, 1, 2, 10, 15, tzinfo=UTC)),
        ("2024-01-02t10:15:00z", datetime(2024, 1, 2, 10, 15, tzinfo=UTC)),
        ("2024-01-02T10:15:30.123456+02:00", datetime(2024, 1, 2, 8, 15, 30, 123456, UTC)),
        ("2024-01-02T10:15+01:00", datetime(2024, 1, 2, 9, 15, tzinfo=UTC)),
        ("2024-01-02T10:15:00", datetime(2024, 1, 2, 10, 15, tzinfo=UTC)),  # naive -> UTC
        ("2024-01-02", datetime(2024, 1, 2, tzinfo=UTC)),
        ("2024-01", datetime(2024, 1, 1, tzinfo=UTC)),
        ("2024", datetime(2024, 1, 1, tzinfo=UTC)),
        ("  2024-01-02  ", datetime(2024, 1, 2, tzinfo=UTC)),
    ],
)
def test_parse_date_reads_rfc822_and_w3c_forms_into_utc(text: str, expected: datetime) -> None:
    parsed = parse_date(text)
    assert parsed == expected
    assert parsed is not None and parsed.utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    "text", [None, "", "   ", "yesterday", "2024-13-45", "Tue, 32 Foo 2024", "2024-02-30"]
)
def test_parse_date_gives_none_for_unreadable_dates(text: str | None) -> None:
    assert parse_date(text) is None


# -- URLs ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "base", "expected"),
    [
        ("https://example.com/a?b=1#c", None, "https://example.com/a?b=1#c"),
        ("  http://example.com/  ", None, "http://example.com/"),
        ("/world/x", "https://example.com/feeds/rss", "https://example.com/world/x"),
        ("x.html", "https://example.com/feeds/rss", "https://example.com/feeds/x.html"),
        ("//cdn.example.com/a", "https://example.com/", "https://cdn.example.com/a"),
    ],
)
def test_http_url_accepts_and_resolves_http_urls(
    text: str, base: str | None, expected: str
) -> None:
    assert http_url(text, base=base) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "example.com/a",
        "/relative/without/base",
        "mailto:a@example.com",
        "javascript:alert(1)",
        "ftp://example.com/file",
        "https://",
        "https://exa mple.com/",
        "https://example.com/a b",
        "https://[::1/",
        "https://example.com/" + "a" * 9000,
    ],
)
def test_http_url_rejects_what_is_not_an_http_url(text: str) -> None:
    assert http_url(text) is None


# -- URL list ------------------------------------------------------------------------------


def test_url_list_source_reads_urls_and_reports_bad_lines(tmp_path: Path) -> None:
    path = tmp_path / "urls.txt"
    path.write_text(
        "\ufeff# seed list for the politics desk\n"
        "https://news.example.com/a\n"
        "\n"
        "   https://news.example.com/b   \n"
        "news.example.com/no-scheme\n"
        "  # indented comment\n"
        "ftp://news.example.com/file\n"
        "https://news.example.com/c\n",
        encoding="utf-8",
    )
    outputs = collect(UrlListSource(path, name="seeds").items(FakeFetcher({})))
    assert outputs == [
        SourceItem("https://news.example.com/a", "seeds", str(path)),
        SourceItem("https://news.example.com/b", "seeds", str(path)),
        Skipped("news.example.com/no-scheme", "source", "invalid-url"),
        Skipped("ftp://news.example.com/file", "source", "invalid-url"),
        SourceItem("https://news.example.com/c", "seeds", str(path)),
    ]
    details = [out.detail for out in outputs if isinstance(out, Skipped)]
    assert details == [f"{path}:5", f"{path}:7"]


def test_url_list_source_is_named_after_its_file_by_default(tmp_path: Path) -> None:
    assert UrlListSource(tmp_path / "list.txt").name == str(tmp_path / "list.txt")


def test_url_list_source_missing_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        collect(UrlListSource(tmp_path / "absent.txt").items(FakeFetcher({})))


# -- fetching one document -----------------------------------------------------------------


def fetch(fetcher: SourceFetcher, url: str) -> SourceDocument | Skipped | None:
    return asyncio.run(fetch_document(fetcher, url, accept="xml", source="s"))


def test_fetch_document_keeps_the_requested_url_and_the_final_one() -> None:
    fetcher = FakeFetcher({"https://a.example/feed": Page(b"<rss/>", final_url="https://b/feed")})
    document = fetch(fetcher, "https://a.example/feed")
    assert document is not None and not isinstance(document, Skipped)
    assert (document.url, document.base_url, document.body) == (
        "https://a.example/feed",
        "https://b/feed",
        b"<rss/>",
    )
    assert fetcher.calls == [("https://a.example/feed", "xml")]


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (FetchTimeout("https://a.example/feed"), "timeout"),
        (RobotsDisallowed("https://a.example/feed"), "robots-denied"),
        (HttpStatusError("https://a.example/feed", 410), "http-error"),
    ],
)
def test_fetch_failures_become_skipped_with_the_error_reason(
    error: FetchError, reason: str
) -> None:
    result = fetch(FakeFetcher({"https://a.example/feed": error}), "https://a.example/feed")
    assert result == Skipped("https://a.example/feed", "source", reason)


def test_unchanged_document_gives_nothing_and_odd_status_is_skipped() -> None:
    fetcher = FakeFetcher({"https://a/304": Page(status=304), "https://a/204": Page(status=199)})
    assert fetch(fetcher, "https://a/304") is None
    assert fetch(fetcher, "https://a/204") == Skipped("https://a/204", "source", "http-error")


# -- filters -------------------------------------------------------------------------------

NOW = datetime(2024, 1, 2, 12, 0, tzinfo=UTC)


def dated(url: str, hours_ago: float | None, *, lastmod_only: bool = False) -> SourceItem:
    date = None if hours_ago is None else NOW - timedelta(hours=hours_ago)
    if lastmod_only:
        return SourceItem(url, "s", "https://f", lastmod=date)
    return SourceItem(url, "s", "https://f", published_at=date)


@dataclass
class ListSource:
    """A source over a fixed list that records how far it was read and whether it was closed."""

    outputs: list[SourceItem | Skipped]
    name: str = "list"
    pulled: int = 0
    closed: bool = False

    async def items(self, fetcher: SourceFetcher) -> AsyncIterator[SourceItem | Skipped]:
        try:
            for out in self.outputs:
                self.pulled += 1
                yield out
        finally:
            self.closed = True


def run_filters(source: ListSource, filters: SourceFilters) -> list[SourceItem | Skipped]:
    return collect(read_source(source, FakeFetcher({}), filters, now=NOW))


def test_filters_keep_everything_by_default() -> None:
    outputs: list[SourceItem | Skipped] = [dated("https://a/1", 1000), dated("https://a/2", None)]
    assert run_filters(ListSource(list(outputs)), SourceFilters()) == outputs


def test_include_and_exclude_patterns() -> None:
    source = ListSource(
        [
            dated("https://news.example.com/world/1", 1),
            dated("https://news.example.com/sport/2", 1),
            dated("https://news.example.com/world/live/3", 1),
        ]
    )
    filters = SourceFilters(include=(r"/world/", r"/politics/"), exclude=(r"/live/",))
    outputs = run_filters(source, filters)
    assert item_urls(outputs) == ["https://news.example.com/world/1"]
    assert [(out.url, out.reason) for out in outputs if isinstance(out, Skipped)] == [
        ("https://news.example.com/sport/2", "filtered-pattern"),
        ("https://news.example.com/world/live/3", "filtered-pattern"),
    ]


def test_max_age_judges_the_feed_date_and_keeps_undated_items() -> None:
    source = ListSource(
        [
            dated("https://a/fresh", 2),
            dated("https://a/old", 50),
            dated("https://a/undated", None),
            dated("https://a/old-lastmod", 49, lastmod_only=True),
            dated("https://a/edge", 48),  # exactly max_age old: kept
        ]
    )
    outputs = run_filters(source, SourceFilters(max_age=timedelta(hours=48)))
    assert item_urls(outputs) == ["https://a/fresh", "https://a/undated", "https://a/edge"]
    assert [(out.url, out.reason) for out in outputs if isinstance(out, Skipped)] == [
        ("https://a/old", "too-old"),
        ("https://a/old-lastmod", "too-old"),
    ]


def test_max_age_is_measured_from_the_injected_now() -> None:
    source = ListSource([dated("https://a/1", 2)])
    later = NOW + timedelta(days=3)
    outputs = collect(
        read_source(source, FakeFetcher({}), SourceFilters(max_age=timedelta(days=1)), now=later)
    )
    assert reasons(outputs) == ["too-old"]


def test_max_items_stops_reading_the_source_and_says_so_once() -> None:
    source = ListSource(
        [
            Skipped("https://a/bad", "source", "invalid-url"),
            *[dated(f"https://a/{n}", 1) for n in range(10)],
        ]
    )
    outputs = run_filters(source, SourceFilters(exclude=(r"/0$",), max_items=3))
    assert item_urls(outputs) == ["https://a/1", "https://a/2", "https://a/3"]
    assert reasons(outputs) == ["invalid-url", "filtered-pattern", "max-items"]
    assert outputs[-1] == Skipped("https://a/4", "source", "max-items")
    assert source.pulled == 6  # the source was not read past the first surplus item
    assert source.closed


def test_filters_validate_their_settings() -> None:
    with pytest.raises(re.error):
        SourceFilters(include=("(unclosed",))
    with pytest.raises(ValueError, match="max_age"):
        SourceFilters(max_age=timedelta(0))
    with pytest.raises(ValueError, match="max_items"):
        SourceFilters(max_items=-1)
    with pytest.raises(ValueError, match="timezone-aware"):
        collect(
            filter_items(
                ListSource([]).items(FakeFetcher({})), SourceFilters(), now=NOW.replace(tzinfo=None)
            )
        )


def test_filters_compare_by_their_settings() -> None:
    assert SourceFilters(include=("a",)) == SourceFilters(include=("a",))
    assert SourceFilters(include=("a",)) != SourceFilters(include=("b",))
