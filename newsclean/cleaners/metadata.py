"""Metadata helpers: exact dates from structured data, author lists, language, canonical URL.

trafilatura's metadata gives the publication *day* only; pages usually carry exact,
timezone-qualified timestamps in ``<meta property="article:published_time">``, microdata or
JSON-LD (``datePublished`` / ``dateModified``). Those are read first (:func:`read_page_dates`,
which must run before DOM pruning, as JSON-LD may sit inside pruned elements). Rules for
times, so that every datetime leaving the cleaners is timezone-aware:

* a timestamp with an offset keeps it;
* a timestamp without one is taken as UTC;
* a date without a time (``2023-01-13``) becomes midnight UTC of that day.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urljoin

import py3langid
from lxml import etree
from lxml.html import HtmlElement

#: earliest publication year believed; older values are template junk (epoch 0, 1900)
MIN_YEAR = 1990
#: characters of text handed to the language identifier
LANGID_SAMPLE_CHARS = 2000
#: below this many characters of text, the page's declared language is trusted instead
MIN_LANGID_CHARS = 80

_PUBLISHED_META = etree.XPath(
    "//meta[@property='article:published_time' or @property='og:article:published_time'"
    " or @name='article:published_time' or @itemprop='datePublished'"
    " or @name='pubdate' or @name='publishdate' or @name='parsely-pub-date'"
    " or @name='sailthru.date' or @name='dcterms.created' or @name='DC.date.issued'"
    " or @name='date']/@content"
    " | //time[@itemprop='datePublished']/@datetime"
)
_MODIFIED_META = etree.XPath(
    "//meta[@property='article:modified_time' or @property='og:updated_time'"
    " or @name='article:modified_time' or @itemprop='dateModified'"
    " or @name='dcterms.modified' or @name='last-modified']/@content"
    " | //time[@itemprop='dateModified']/@datetime"
)
_JSON_LD = etree.XPath("//script[@type='application/ld+json']/text()")
_CANONICAL = etree.XPath("//link[@rel='canonical']/@href | //meta[@property='og:url']/@content")
_HTML_LANG = etree.XPath("/html/@lang | //meta[@http-equiv='content-language']/@content")
# "y"/"e" (and in es/it/pt) are left out: they would split initials such as "E. Smith".
_AUTHOR_SPLIT = re.compile(r"\s*(?:;|,|&|\band\b|\bund\b|\bet\b)\s*", re.IGNORECASE)
_BY_PREFIX = re.compile(r"^(?:by|von|par|por|di|door)\s*:?\s+", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class PageDates:
    """Publication and modification times a page declares in its markup."""

    published_at: datetime | None = None
    modified_at: datetime | None = None


def read_page_dates(root: HtmlElement) -> PageDates:
    """Exact dates from meta tags, ``<time itemprop>`` and JSON-LD, meta tags first."""
    published = _first_datetime(_strings(_PUBLISHED_META(root)))
    modified = _first_datetime(_strings(_MODIFIED_META(root)))
    if published is None or modified is None:
        ld_published, ld_modified = _json_ld_dates(root)
        published = published or ld_published
        modified = modified or ld_modified
    return PageDates(published_at=published, modified_at=modified)


def parse_datetime(value: str) -> datetime | None:
    """An ISO 8601 date or timestamp as an aware datetime (rules in the module docstring)."""
    text = value.strip()
    if not text:
        return None
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            parsed = datetime.combine(day, time(0, 0), tzinfo=UTC)
        else:
            parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed if _is_plausible(parsed) else None


def _is_plausible(moment: datetime) -> bool:
    latest = datetime.now(UTC) + timedelta(days=2)
    return moment.year >= MIN_YEAR and moment <= latest


def _first_datetime(values: Iterator[str]) -> datetime | None:
    for value in values:
        parsed = parse_datetime(value)
        if parsed is not None:
            return parsed
    return None


def _strings(values: object) -> Iterator[str]:
    if isinstance(values, list):
        for value in values:
            if isinstance(value, str):
                yield str(value)


def _json_ld_dates(root: HtmlElement) -> tuple[datetime | None, datetime | None]:
    published: datetime | None = None
    modified: datetime | None = None
    for node in _json_ld_objects(root):
        if published is None:
            published = _date_field(node, "datePublished")
        if modified is None:
            modified = _date_field(node, "dateModified")
        if published is not None and modified is not None:
            break
    return published, modified


def _date_field(node: dict[str, object], key: str) -> datetime | None:
    value = node.get(key)
    return parse_datetime(value) if isinstance(value, str) else None


def _json_ld_objects(root: HtmlElement) -> Iterator[dict[str, object]]:
    """Every JSON object in the page's JSON-LD scripts, depth first; bad JSON is skipped."""
    for script in _strings(_JSON_LD(root)):
        try:
            data: object = json.loads(script)
        except ValueError:
            continue  # malformed JSON-LD is common and carries nothing we can use
        yield from _walk(data)


def _walk(data: object) -> Iterator[dict[str, object]]:
    if isinstance(data, dict):
        yield data
        for value in data.values():
            if isinstance(value, dict | list):
                yield from _walk(value)
    elif isinstance(data, list):
        for item in data:
            yield from _walk(item)


def split_authors(raw: str | None) -> tuple[str, ...]:
    """``"By Jane Doe and John Roe"`` / ``"Doe; Roe"`` / ``"A, B"`` -> ``("Jane Doe", ...)``."""
    if not raw:
        return ()
    names: list[str] = []
    for part in _AUTHOR_SPLIT.split(raw):
        name = _BY_PREFIX.sub("", part.strip()).strip(" .,:;|-")
        if name and name.lower() not in {n.lower() for n in names}:
            names.append(name)
    return tuple(names)


def identify_language(text: str, declared: str | None = None) -> str | None:
    """ISO 639-1 code of ``text`` (py3langid); the page's declared language for short text."""
    sample = text[:LANGID_SAMPLE_CHARS]
    if len(sample.strip()) >= MIN_LANGID_CHARS:
        code, _score = py3langid.classify(sample)
        return str(code)
    return declared


def declared_language(root: HtmlElement) -> str | None:
    """The primary subtag of ``<html lang>`` (or Content-Language meta), lower-cased."""
    for value in _strings(_HTML_LANG(root)):
        code = value.strip().split("-")[0].split("_")[0].lower()
        if 2 <= len(code) <= 3 and code.isalpha():
            return code
    return None


def canonical_url(root: HtmlElement, base: str | None) -> str | None:
    """``<link rel="canonical">`` (else ``og:url``), made absolute against ``base``."""
    for value in _strings(_CANONICAL(root)):
        href = value.strip()
        if href:
            return urljoin(base, href) if base else href
    return None
