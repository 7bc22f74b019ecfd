"""Metadata read from the parsed page: JSON-LD, titles, authors, dates with their source,
language with the declared one as prior, and Unicode repair of the text."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest

from newsclean.cleaners import clean_html
from newsclean.cleaners.authors import clean_author_names
from newsclean.cleaners.clean import parse_html
from newsclean.cleaners.dates import date_from_url, parse_datetime
from newsclean.cleaners.jsonld import read_json_ld
from newsclean.cleaners.metadata import identify_language, read_page_metadata
from newsclean.cleaners.repair import has_mojibake, normalize_line, repair_text

URL = "https://harbour.example/news/2024/03/04/port-traffic"
SENTENCES = [
    "The harbour authority said on Monday that container traffic grew by six percent in the "
    "first quarter, driven by exports of machinery and cars to Asia.",
    "Dock workers agreed to a new contract last month after a week of strikes that had left "
    "dozens of ships waiting outside the port.",
    "The authority expects growth to slow later in the year as demand in Europe weakens and "
    "shipping companies cut the number of weekly services.",
    "Ferry operators reported their best winter in a decade, with freight bookings up and "
    "passenger numbers back above their level before the pandemic.",
]
BODY = "".join(f"<p>{s}</p>" for s in SENTENCES)


def page(head: str = "", body: str = BODY, h1: str = "Port traffic grows", lang: str = "en") -> str:
    return (
        f'<html lang="{lang}"><head><title>Port traffic grows | Harbour Times</title>{head}'
        f"</head><body><header><a href='/'>Harbour Times</a></header><article><h1>{h1}</h1>"
        f"{body}</article></body></html>"
    )


def json_ld(data: object) -> str:
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


def metadata(html: str, url: str | None = URL):  # type: ignore[no-untyped-def]
    root = parse_html(html)
    assert root is not None
    return read_page_metadata(root, url)


# --- JSON-LD -----------------------------------------------------------------------------------


def test_json_ld_graph_resolves_author_references() -> None:
    graph = {
        "@context": "https://schema.org",
        "@graph": [
            {"@type": "WebSite", "@id": "https://harbour.example/#site", "name": "Harbour Times"},
            {
                "@type": "NewsArticle",
                "@id": f"{URL}#article",
                "headline": "Port traffic grows",
                "author": [{"@id": "https://harbour.example/#/person/1"}],
                "datePublished": "2024-03-04T09:30:00+01:00",
            },
            {"@type": "Person", "@id": "https://harbour.example/#/person/1", "name": "Ana Ruiz"},
        ],
    }
    found = metadata(page(json_ld(graph)))
    assert found.authors == ("Ana Ruiz",)
    assert found.dates.published is not None and found.dates.published.source == "json-ld"
    assert found.site_name == "Harbour Times"


def test_the_article_object_of_this_page_wins_over_related_ones() -> None:
    related = {
        "@type": "ItemList",
        "itemListElement": [
            {"@type": "NewsArticle", "url": "https://harbour.example/other", "headline": "Other"}
        ],
    }
    own = {"@type": "NewsArticle", "url": URL, "headline": "Port traffic grows"}
    root = parse_html(page(json_ld(related) + json_ld(own)))
    assert root is not None
    article = read_json_ld(root).main_article(URL)
    assert article is not None and article["headline"] == "Port traffic grows"


def test_bad_and_deeply_nested_json_ld_is_skipped() -> None:
    bad = '<script type="application/ld+json">{"@type": "NewsArticle",, }</script>'
    found = metadata(page(bad + json_ld({"@type": "NewsArticle", "author": "Jo Lee"})))
    assert found.authors == ("Jo Lee",)


def test_organisation_author_gives_way_to_a_person_byline() -> None:
    ld = {"@type": "Article", "url": URL, "author": {"@type": "Organization", "name": "Acme"}}
    byline = '<p class="byline">By Jane Doe</p>'
    assert metadata(page(json_ld(ld), body=byline + BODY)).authors == ("Jane Doe",)
    assert metadata(page(json_ld(ld))).authors == ("Acme",)


# --- title -----------------------------------------------------------------------------------


def test_title_is_the_h1_the_declared_titles_agree_with() -> None:
    head = '<meta property="og:title" content="Port traffic grows - Harbour Times">'
    assert metadata(page(head)).title == "Port traffic grows"


def test_an_h1_naming_the_site_is_not_the_title() -> None:
    html = page(
        '<meta property="og:site_name" content="Harbour Times">', h1="Harbour Times"
    ).replace("</h1>", "</h1><h1>Port traffic grows</h1>")
    assert metadata(html).title == "Port traffic grows"


def test_without_h1_the_declared_title_loses_its_site_name() -> None:
    html = page(h1="").replace("<h1></h1>", "")
    assert metadata(html).title == "Port traffic grows"


# --- authors ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("By Jane Doe and John Roe", ("Jane Doe", "John Roe")),
        ("Jane Doe, Staff Writer", ("Jane Doe",)),
        ("Staff", ()),
        ("Podium Staff", ("Podium Staff",)),
        ("Jane Doe | @janedoe", ("Jane Doe",)),
        ("Email the author", ()),
        ("https://www.facebook.com/janedoe", ()),
        ("Luke Kim December 9, 2024", ("Luke Kim",)),
        ("Cazzy Magennis Last Updated August 1", ("Cazzy Magennis",)),
        ("Dylan Bailey, MS, RD, FAND", ("Dylan Bailey",)),
        ("View all posts by Ray Ansari", ("Ray Ansari",)),
        ("Mayank Gupta, CEO of CaseBasix", ("Mayank Gupta",)),
        ("Jane Doe; Jane Doe", ("Jane Doe",)),
        ("ByAmy Roeder", ("Amy Roeder",)),
        ("di Mario Rossi", ("Mario Rossi",)),
        ("April Smith", ("April Smith",)),
        ("JANE DOE, JOHN ROE", ("JANE DOE", "JOHN ROE")),
    ],
)
def test_author_noise_is_removed(raw: str, expected: tuple[str, ...]) -> None:
    assert clean_author_names(raw) == expected


def test_meta_author_equal_to_the_site_is_a_last_resort() -> None:
    head = (
        '<meta property="og:site_name" content="Harbour Times">'
        '<meta name="author" content="Harbour Times">'
    )
    byline = '<span class="author-name">Jane Doe</span>'
    assert metadata(page(head, body=byline + BODY)).authors == ("Jane Doe",)
    assert metadata(page(head)).authors == ("Harbour Times",)


# --- dates -----------------------------------------------------------------------------------


def test_each_date_carries_its_source() -> None:
    ld = json_ld({"@type": "NewsArticle", "url": URL, "datePublished": "2024-03-04T09:30:00Z"})
    meta = '<meta property="article:published_time" content="2024-03-05T10:00:00+02:00">'
    time_tag = '<time datetime="2024-03-06T08:00:00Z" itemprop="datePublished">6 March</time>'
    assert clean_html(page(ld + meta), URL).published_at_source == "json-ld"
    article = clean_html(page(meta), URL)
    assert article.published_at_source == "meta"
    assert article.published_at == datetime(2024, 3, 5, 10, tzinfo=timezone(timedelta(hours=2)))
    assert clean_html(page(body=time_tag + BODY), URL).published_at_source == "time"
    from_url = clean_html(page(), URL)
    assert (from_url.published_at, from_url.published_at_source) == (
        datetime(2024, 3, 4, tzinfo=UTC),
        "url",
    )


def test_a_date_in_the_text_is_the_slow_last_resort() -> None:
    dated = "<p>Published on March 4, 2024 by the harbour desk.</p>" + BODY
    article = clean_html(page(body=dated), "https://harbour.example/news/port-traffic")
    assert article.published_at_source == "text"
    assert article.published_at is not None and article.published_at.date().isoformat() == (
        "2024-03-04"
    )


def test_no_date_means_no_source() -> None:
    article = clean_html(page(), "https://harbour.example/news/port-traffic")
    assert (article.published_at, article.published_at_source) == (None, None)


def test_modified_date_and_its_source() -> None:
    meta = '<meta property="article:modified_time" content="2024-03-07T12:00:00Z">'
    article = clean_html(page(meta), URL)
    assert article.modified_at == datetime(2024, 3, 7, 12, tzinfo=UTC)
    assert article.modified_at_source == "meta"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (
            "2024-03-04T09:30:00+0100",
            datetime(2024, 3, 4, 9, 30, tzinfo=timezone(timedelta(hours=1))),
        ),
        ("2024-03-04 09:30:00", datetime(2024, 3, 4, 9, 30, tzinfo=UTC)),
        ("Mon, 04 Mar 2024 09:30:00 GMT", datetime(2024, 3, 4, 9, 30, tzinfo=UTC)),
        ("2024/03/04", datetime(2024, 3, 4, tzinfo=UTC)),
        ("20240304", datetime(2024, 3, 4, tzinfo=UTC)),
        ("2999-01-01", None),
    ],
)
def test_date_formats(value: str, expected: datetime | None) -> None:
    assert parse_datetime(value) == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://x.example/2024/03/04/story", datetime(2024, 3, 4, tzinfo=UTC)),
        ("https://x.example/news/2024-3-4-story", datetime(2024, 3, 4, tzinfo=UTC)),
        ("https://x.example/20240304/story", datetime(2024, 3, 4, tzinfo=UTC)),
        ("https://x.example/2024/03/story", None),
        ("https://x.example/2024/13/40/story", None),
        (None, None),
    ],
)
def test_dates_in_urls(url: str | None, expected: datetime | None) -> None:
    assert date_from_url(url) == expected


# --- language ----------------------------------------------------------------------------------


def test_declared_language_is_kept_when_the_text_allows_it() -> None:
    assert identify_language(" ".join(SENTENCES), "en") == "en"
    # Norwegian declared on a text the identifier finds Danish-or-Norwegian: the prior decides
    bokmal = (
        "Havnevesenet sa mandag at containertrafikken økte med seks prosent i første kvartal, "
        "drevet av eksport av maskiner og biler til Asia, og at veksten ventes å avta."
    )
    assert identify_language(bokmal, "no") == "no"


def test_declared_language_is_overruled_by_clearly_other_text() -> None:
    german = (
        "Der Hafen meldete am Montag, dass der Containerverkehr im ersten Quartal um sechs "
        "Prozent gewachsen ist, getragen von Exporten von Maschinen und Autos nach Asien."
    )
    assert identify_language(german, "en") == "de"
    assert identify_language("Kurz.", "en") == "en"  # too short to identify: declared wins


# --- text repair -----------------------------------------------------------------------------


def test_mojibake_is_repaired_and_valid_text_left_alone() -> None:
    assert repair_text("Thatâ€™s not budgetingâ€”itâ€™s crisis financing") == (
        "That’s not budgeting—it’s crisis financing"
    )
    valid = "Café naïve “quotes” ﬁ São Paulo &amp; Ça va"
    assert not has_mojibake(valid) and repair_text(valid) == valid
    assert normalize_line("a\u00a0 b\u200b c\u00ad") == "a b c"


def test_mojibake_in_a_page_is_repaired_in_the_article() -> None:
    broken = BODY.replace("last month", "last monthâ€”after a vote")
    article = clean_html(page(body=broken), URL)
    assert "last month—after a vote" in article.text and "â€" not in article.markdown
