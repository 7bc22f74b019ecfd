"""Extraction: metadata (dates, authors, language, canonical URL...) and the markdown rendition."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from newsclean.cleaners import CLEANER_VERSION, clean_html
from newsclean.cleaners.metadata import parse_datetime, split_authors

BODY = "".join(
    f"<p>{sentence}</p>"
    for sentence in [
        "The harbour authority said on Monday that container traffic grew by six percent in "
        "the first quarter, driven by exports of machinery and cars to Asia.",
        "Dock workers agreed to a new contract last month after a week of strikes that had "
        "left dozens of ships waiting outside the port.",
        "The authority expects growth to slow later in the year as demand in Europe weakens "
        "and shipping companies cut the number of weekly services.",
    ]
)


def page(head: str = "", body: str = BODY, lang: str = "en") -> str:
    return (
        f'<html lang="{lang}"><head><title>Port traffic grows</title>{head}</head>'
        f"<body><article><h1>Port traffic grows</h1>{body}</article></body></html>"
    )


def test_dates_from_meta_tags_keep_their_offset() -> None:
    head = (
        '<meta property="article:published_time" content="2024-03-04T09:30:00+01:00">'
        '<meta property="article:modified_time" content="2024-03-05T10:00:00Z">'
    )
    article = clean_html(page(head))
    assert article.published_at == datetime(2024, 3, 4, 9, 30, tzinfo=timezone(timedelta(hours=1)))
    assert article.modified_at == datetime(2024, 3, 5, 10, 0, tzinfo=UTC)


def test_dates_from_json_ld() -> None:
    head = (
        '<script type="application/ld+json">{"@context": "https://schema.org", '
        '"@graph": [{"@type": "NewsArticle", "headline": "Port traffic grows", '
        '"datePublished": "2024-03-04T09:30:00-05:00", "dateModified": "2024-03-06", '
        '"author": {"@type": "Person", "name": "Ana Ruiz"}}]}</script>'
    )
    article = clean_html(page(head))
    assert article.published_at == datetime(2024, 3, 4, 9, 30, tzinfo=timezone(timedelta(hours=-5)))
    # a date without a time is midnight UTC
    assert article.modified_at == datetime(2024, 3, 6, tzinfo=UTC)
    assert article.authors == ("Ana Ruiz",)


def test_date_only_from_trafilatura_is_midnight_utc() -> None:
    body = BODY + "<p>Published on 2023-11-02.</p>"
    article = clean_html(page('<meta name="date" content="2023-11-02">', body=body))
    assert article.published_at == datetime(2023, 11, 2, tzinfo=UTC)
    assert article.published_at is not None and article.published_at.tzinfo is not None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-01-02T03:04:05Z", datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)),
        ("2024-01-02T03:04:05", datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)),
        ("2024-01-02", datetime(2024, 1, 2, tzinfo=UTC)),
        ("1970-01-01", None),
        ("next tuesday", None),
        ("", None),
    ],
)
def test_parse_datetime(value: str, expected: datetime | None) -> None:
    assert parse_datetime(value) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("By Jane Doe and John Roe", ("Jane Doe", "John Roe")),
        ("Jane Doe, John Roe", ("Jane Doe", "John Roe")),
        ("Jane Doe; John Roe; Jane Doe", ("Jane Doe", "John Roe")),
        ("by E. Smith", ("E. Smith",)),
        ("", ()),
        (None, ()),
    ],
)
def test_split_authors(raw: str | None, expected: tuple[str, ...]) -> None:
    assert split_authors(raw) == expected


def test_authors_from_meta_are_split() -> None:
    article = clean_html(page('<meta name="author" content="By Jane Doe and John Roe">'))
    assert article.authors == ("Jane Doe", "John Roe")


def test_page_metadata_fields() -> None:
    head = (
        '<meta property="og:site_name" content="Harbour Times">'
        '<meta name="description" content="Container traffic grew by six percent.">'
        '<meta property="og:image" content="https://harbour.example/img/port.jpg">'
        '<meta property="article:tag" content="shipping">'
        '<meta property="article:tag" content="trade">'
        '<link rel="canonical" href="/news/port-traffic">'
    )
    article = clean_html(page(head), "https://harbour.example/news/port-traffic?utm=x")
    assert article.title == "Port traffic grows"
    assert article.site_name == "Harbour Times"
    assert article.description == "Container traffic grew by six percent."
    assert article.image_url == "https://harbour.example/img/port.jpg"
    assert article.canonical_url == "https://harbour.example/news/port-traffic"
    assert set(article.tags) >= {"shipping", "trade"}
    assert article.url == "https://harbour.example/news/port-traffic?utm=x"
    assert article.language == "en"
    assert article.extractor == "trafilatura"
    assert article.extractor_version and article.cleaner_version == CLEANER_VERSION


def test_language_is_identified_from_the_text_not_the_template() -> None:
    german = (
        "<p>Der Hafen meldete am Montag, dass der Containerverkehr im ersten Quartal um sechs "
        "Prozent gewachsen ist, getragen von Exporten von Maschinen und Autos nach Asien.</p>"
        "<p>Die Hafenarbeiter hatten sich im vergangenen Monat nach einer Woche Streik auf "
        "einen neuen Vertrag geeinigt.</p>"
    )
    assert clean_html(page(body=german, lang="en-US")).language == "de"


def test_markdown_keeps_headings_lists_and_quotes() -> None:
    body = (
        BODY
        + "<h2>What comes next</h2><ul><li>New cranes arrive in May</li>"
        + "<li>A second terminal opens in 2026</li></ul>"
        + "<blockquote><p>We are ready for bigger ships than ever before, the director said."
        + "</p></blockquote>"
        + "<p>The port will publish its next figures in <b>July</b>.</p>"
    )
    article = clean_html(page(body=body))
    markdown = article.markdown
    assert "## What comes next" in markdown
    assert "- New cranes arrive in May" in markdown
    assert "> We are ready for bigger ships than ever before" in markdown
    assert "July" in markdown  # bold and italic are not kept (see cleaners/extract.py)
    assert "What comes next" in article.text and "**" not in article.text
    assert "\n\n" in article.text


def test_markdown_loses_removed_lines_too() -> None:
    body = BODY.replace("</p><p>Dock", "</p><p>Advertisement</p><p>Dock")
    article = clean_html(page(body=body))
    assert "Advertisement" not in article.text
    assert "Advertisement" not in article.markdown
