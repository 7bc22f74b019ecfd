"""FeedSource: RSS 0.9x/1.0/2.0, Atom, JSON Feed, autodiscovery, and hostile XML."""

from __future__ import annotations

import json
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

import pytest

from newsclean.scraper.errors import FetchTimeout
from newsclean.scraper.feeds import FeedSource, discover_feeds, read_feed, sniff_document
from newsclean.scraper.records import Skipped
from newsclean.scraper.sources import SourceDocument, SourceItem
from tests.conftest import TEST_DATA
from tests.test_sources import FakeFetcher, Page, collect, item_urls, reasons

FEEDS = TEST_DATA / "feeds"
SITE = "https://news.example.com"


def fixture(name: str) -> bytes:
    return (FEEDS / name).read_bytes()


def items_of(outputs: list[SourceItem | Skipped]) -> list[SourceItem]:
    return [out for out in outputs if isinstance(out, SourceItem)]


def read_one(
    body: bytes, url: str = f"{SITE}/feed", max_entries: int = 100
) -> list[SourceItem | Skipped]:
    fetcher = FakeFetcher({url: Page(body)})
    return collect(FeedSource(url, name="daily", max_entries=max_entries).items(fetcher))


def test_rss2_items_with_pubdate_dc_date_guid_and_relative_link() -> None:
    url = f"{SITE}/world/rss.xml"
    outputs = read_one(fixture("rss2.xml"), url)
    found = dict(found_in=url, source="daily", language="en-gb")
    assert outputs == [
        SourceItem(
            f"{SITE}/world/2024/01/02/floods-close-roads?utm_source=rss",
            title="Floods close main roads in the north",  # whitespace collapsed
            published_at=datetime(2024, 1, 2, 9, 15, tzinfo=UTC),
            **found,
        ),
        SourceItem(
            f"{SITE}/world/2024/01/02/energy-prices",  # relative link resolved
            title="Ministers meet to discuss energy prices",
            published_at=datetime(2024, 1, 2, 8, 0, tzinfo=UTC),  # from dc:date
            **found,
        ),
        SourceItem(
            f"{SITE}/world/2024/01/01/new-year-pictures",  # from a permalink guid
            title="Live: the new year in pictures",
            published_at=datetime(2024, 1, 1, 23, 59, tzinfo=UTC),
            **found,
        ),
        Skipped("mailto:newsletter@news.example.com", "source", "invalid-url"),
    ]


def test_rss1_rdf_items_in_the_rss_namespace() -> None:
    outputs = read_one(fixture("rss1.rdf"))
    assert [(o.url, o.title, o.published_at, o.language) for o in items_of(outputs)] == [
        (
            "https://blog.example.org/2023/12/31/year-review",
            "Ein Jahr im Rückblick",
            datetime(2023, 12, 31, 17, 0, tzinfo=UTC),
            "de",
        ),
        (
            "https://blog.example.org/2023/12/20/telescope",  # no <link>: rdf:about
            "Das neue Teleskop",
            datetime(2023, 12, 20, tzinfo=UTC),
            "de",
        ),
    ]


def test_rss_091_without_namespace_or_dates() -> None:
    body = (
        b'<?xml version="1.0" encoding="ISO-8859-1"?>\n<rss version="0.91"><channel>'
        b"<title>Old</title><item><title>Caf\xe9 opens</title>"
        b"<link>http://old.example.com/cafe</link></item></channel></rss>"
    )
    assert read_one(body) == [
        SourceItem("http://old.example.com/cafe", "daily", f"{SITE}/feed", title="Café opens")
    ]


def test_atom_entries_resolve_xml_base_and_prefer_the_html_alternate() -> None:
    outputs = read_one(fixture("atom.xml"), "https://presse.example.fr/atom.xml")
    assert outputs[:2] == [
        SourceItem(
            "https://presse.example.fr/politique/2024/01/02/budget-adopte",
            "daily",
            "https://presse.example.fr/atom.xml",
            published_at=datetime(2024, 1, 2, 8, 30, tzinfo=UTC),
            title="Le budget adopté",  # type="html": markup removed
            lastmod=datetime(2024, 1, 2, 10, 0, tzinfo=UTC),
            language="fr",
        ),
        SourceItem(
            "https://sport.example.fr/match/2024/01/01/victoire",  # entry's own xml:base
            "daily",
            "https://presse.example.fr/atom.xml",
            published_at=datetime(2024, 1, 1, 22, 10, tzinfo=UTC),  # only <updated>
            title="Victoire à domicile",
            lastmod=datetime(2024, 1, 1, 22, 10, tzinfo=UTC),
            language="fr-BE",
        ),
    ]
    assert outputs[2] == Skipped("https://presse.example.fr/atom.xml", "source", "missing-link")


def test_json_feed_items() -> None:
    outputs = read_one(fixture("feed.json"), "https://tech.example.net/feed.json")
    assert outputs[:2] == [
        SourceItem(
            "https://tech.example.net/2024/01/02/chip-shortage-eases",
            "daily",
            "https://tech.example.net/feed.json",
            published_at=datetime(2024, 1, 2, 12, 45, tzinfo=UTC),
            title="Chip shortage eases",
            lastmod=datetime(2024, 1, 2, 14, 0, tzinfo=UTC),
            language="en-US",
        ),
        SourceItem(
            "https://elsewhere.example.com/story",  # external_url when there is no url
            "daily",
            "https://tech.example.net/feed.json",
            published_at=datetime(2024, 1, 1, 10, 0, tzinfo=UTC),  # date_modified
            title="Worth reading elsewhere",
            lastmod=datetime(2024, 1, 1, 10, 0, tzinfo=UTC),
            language="en-GB",
        ),
    ]
    assert reasons(outputs) == ["missing-link", "parse-error"]


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (fixture("malformed.xml"), "parse-error"),
        (b"", "parse-error"),
        (b'<?xml version="1.0"?><urlset><url><loc>https://a/</loc></url></urlset>', "not-a-feed"),
        (b'{"version": "1.0", "items": []}', "not-a-feed"),
        (b'{"version": "https://jsonfeed.org/version/1.1", "items": {}}', "parse-error"),
        (b'{"version": "https://jsonfeed.org/version/1.1", ', "parse-error"),
        (b"[" * 100_000 + b"]" * 100_000, "parse-error"),  # too deeply nested for json
        (b"\xff\xfe{\x00", "parse-error"),
    ],
)
def test_unusable_documents_are_skipped_with_a_reason(body: bytes, reason: str) -> None:
    outputs = read_one(body)
    assert outputs == [Skipped(f"{SITE}/feed", "source", reason)]


def test_max_entries_caps_one_feed() -> None:
    items = "".join(f"<item><link>{SITE}/a/{n}</link></item>" for n in range(50))
    body = f"<rss version='2.0'><channel>{items}</channel></rss>".encode()
    outputs = read_one(body, max_entries=10)
    assert len(item_urls(outputs)) == 10
    assert reasons(outputs) == ["too-many-entries"]


def test_feed_fetch_failure_and_not_modified() -> None:
    failing = FakeFetcher({f"{SITE}/feed": FetchTimeout(f"{SITE}/feed")})
    assert collect(FeedSource(f"{SITE}/feed").items(failing)) == [
        Skipped(f"{SITE}/feed", "source", "timeout")
    ]
    unchanged = FakeFetcher({f"{SITE}/feed": Page(status=304)})
    assert collect(FeedSource(f"{SITE}/feed").items(unchanged)) == []
    assert unchanged.calls == [(f"{SITE}/feed", "any")]


# -- autodiscovery -------------------------------------------------------------------------


def test_autodiscovery_reads_each_advertised_feed_once() -> None:
    json_feed = {
        "version": "https://jsonfeed.org/version/1",
        "items": [
            {"url": f"{SITE}/world/2024/01/02/energy-prices"},  # also in the RSS feed
            {"url": f"{SITE}/tech/2024/01/02/new-phone", "title": "A new phone"},
        ],
    }
    fetcher = FakeFetcher(
        {
            f"{SITE}/": Page(fixture("homepage.html"), content_type="text/html"),
            f"{SITE}/world/rss.xml": fixture("rss2.xml"),
            f"{SITE}/feeds/all.atom": FetchTimeout(f"{SITE}/feeds/all.atom"),
            f"{SITE}/feed.json": Page(json.dumps(json_feed).encode(), "application/feed+json"),
        }
    )
    outputs = collect(FeedSource(f"{SITE}/").items(fetcher))
    assert fetcher.calls == [
        (f"{SITE}/", "any"),
        (f"{SITE}/world/rss.xml", "xml"),  # relative href resolved; listed twice, read once
        (f"{SITE}/feeds/all.atom", "xml"),
        (f"{SITE}/feed.json", "xml"),
    ]  # the comments feed was not fetched
    assert item_urls(outputs) == [
        f"{SITE}/world/2024/01/02/floods-close-roads?utm_source=rss",
        f"{SITE}/world/2024/01/02/energy-prices",
        f"{SITE}/world/2024/01/01/new-year-pictures",
        f"{SITE}/tech/2024/01/02/new-phone",
    ]
    found_in = {o.url: o.found_in for o in outputs if isinstance(o, SourceItem)}
    assert found_in[f"{SITE}/tech/2024/01/02/new-phone"] == f"{SITE}/feed.json"
    assert reasons(outputs) == ["invalid-url", "timeout"]


def test_autodiscovery_resolves_against_the_base_element_and_the_redirect_target() -> None:
    page = (
        b"<html><head><base href='/en/'>"
        b"<link rel='alternate home' type='application/atom+xml' href='news.atom'>"
        b"</head></html>"
    )
    document = SourceDocument(f"{SITE}/", "https://www.example.com/home/", page, "s")
    assert discover_feeds(document) == ["https://www.example.com/en/news.atom"]


def test_page_without_feeds_is_skipped() -> None:
    page = Page(b"<!doctype html><html><head><title>x</title></head></html>", "text/html")
    fetcher = FakeFetcher({f"{SITE}/": page})
    assert collect(FeedSource(f"{SITE}/").items(fetcher)) == [
        Skipped(f"{SITE}/", "source", "no-feed-found")
    ]


def test_a_discovered_feed_that_is_html_is_not_followed_further() -> None:
    page = b'<html><head><link rel="alternate" type="application/rss+xml" href="/x"></head></html>'
    fetcher = FakeFetcher({f"{SITE}/": page, f"{SITE}/x": page})
    outputs = collect(FeedSource(f"{SITE}/").items(fetcher))
    assert outputs == [Skipped(f"{SITE}/x", "source", "not-a-feed")]
    assert fetcher.urls == [f"{SITE}/", f"{SITE}/x"]


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (b'\xef\xbb\xbf  {"version": 1}', "json"),
        (b"<!DOCTYPE html><html>", "html"),
        (b"<!-- cms --><HTML lang=en>", "html"),
        (b'<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml">', "html"),
        (b'<?xml version="1.0"?>\n<rss version="2.0">', "xml"),
        (b"<feed xmlns='http://www.w3.org/2005/Atom'>", "xml"),
        (b"", "xml"),
    ],
)
def test_sniff_document(head: bytes, kind: str) -> None:
    assert sniff_document(head) == kind


# -- hostile XML ---------------------------------------------------------------------------


def test_billion_laughs_feed_does_not_expand() -> None:
    body = fixture("billion_laughs.xml")
    tracemalloc.start()
    try:
        outputs = read_one(body)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # libxml2 refuses the amplification outright; expanded, &lol9; would be 3 GB of "lol"
    assert outputs == [Skipped(f"{SITE}/feed", "source", "parse-error")]
    assert "amplification" in repr(outputs[0])
    assert peak < 5_000_000


def test_small_entity_expansions_stay_unexpanded_text() -> None:
    # under libxml2's amplification limit: the entity must still not be substituted
    body = (
        b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY lol "lollollollollollollollollol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        b"<rss version='2.0'><channel><item><title>a &lol2; b</title>"
        b"<link>https://laughs.example.com/a</link></item></channel></rss>"
    )
    outputs = read_one(body)
    assert outputs == [
        SourceItem("https://laughs.example.com/a", "daily", f"{SITE}/feed", title="a b")
    ]


def test_external_entities_are_not_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET-5d1c", encoding="utf-8")
    body = fixture("xxe.xml").replace(b"SECRET_PATH", str(secret).encode())
    outputs = read_one(body)
    assert "TOPSECRET" not in repr(outputs)
    assert outputs == [
        SourceItem("https://xxe.example.com/article?leak=", "daily", f"{SITE}/feed", title="Leak:")
    ]


def test_external_entity_in_an_atom_href_is_not_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET-91aa", encoding="utf-8")
    body = (
        f'<?xml version="1.0"?><!DOCTYPE feed [<!ENTITY s SYSTEM "file://{secret}">]>'
        '<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>&s;</title>'
        '<link href="https://a.example/&s;"/></entry></feed>'
    ).encode()
    outputs = read_one(body)
    assert "TOPSECRET" not in repr(outputs)
    # an external entity in an attribute is a well-formedness error: the feed is refused
    assert reasons(outputs) == ["parse-error"]


def test_read_feed_directly_from_a_document() -> None:
    document = SourceDocument(f"{SITE}/f", f"{SITE}/f", fixture("rss2.xml"), "direct")
    outputs = list(read_feed(document, max_entries=2))
    assert len(item_urls(outputs)) == 2
    assert reasons(outputs) == ["too-many-entries"]
    assert {o.source for o in outputs if isinstance(o, SourceItem)} == {"direct"}


def test_source_names_default_to_the_url() -> None:
    assert FeedSource(f"{SITE}/feed").name == f"{SITE}/feed"
    assert FeedSource(f"{SITE}/feed", name="Daily").name == "Daily"


def test_blank_lines_before_the_xml_declaration_are_tolerated() -> None:
    # a common CMS mistake that libxml2 alone refuses
    body = b"\xef\xbb\xbf\n\n  " + fixture("rss1.rdf")
    assert len(item_urls(read_one(body))) == 2
