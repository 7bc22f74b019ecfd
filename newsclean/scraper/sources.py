"""Sources: turn one configured entry into the URLs of candidate articles.

A source reads an index of articles — a file of URLs, a feed, a sitemap — and streams
:class:`SourceItem` records (plus :class:`Skipped` for what it could not use). Sources never
touch the network themselves: they ask a :class:`SourceFetcher`, whose pipeline implementation
adds politeness, robots.txt and conditional GET. The kinds of source::

    Source (protocol: name, items(fetcher))
    +-- UrlListSource          a text file, one URL per line            (this module)
    +-- FeedSource             RSS 0.9x/1.0/2.0, Atom 1.0, JSON Feed 1.x,
    |                          or an HTML page whose <link rel=alternate> name feeds  (feeds.py)
    +-- SitemapSource          urlset / sitemapindex / Google News / text, gzip    (sitemaps.py)
    +-- RobotsSitemapSource    the ``Sitemap:`` lines of a site's robots.txt       (sitemaps.py)

Outcomes of reading one document, shared by every source:

* fetch failed (a :class:`FetchError`) -> ``Skipped(url, "source", err.reason)``, and the source
  goes on with its other documents;
* HTTP 304 (unchanged since the last run) -> nothing from that document;
* any other non-2xx status -> ``Skipped(url, "source", "http-error")``.

:class:`SourceFilters` and :func:`filter_items` are the one implementation of per-source
filtering (URL patterns, age, item count); :func:`read_source` chains a source and its filters.
This module also holds the helpers the feed and sitemap readers share: dates, URL checks, the
hardened XML parser options and the text of an element.
"""

from __future__ import annotations

import email.utils
import re
from collections.abc import AsyncGenerator, AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Final, Literal, Protocol, TypeAlias
from urllib.parse import urljoin, urlsplit

from newsclean.scraper.errors import FetchError
from newsclean.scraper.records import FetchResult, Skipped

#: what a source expects a document to be; the fetcher sets the Accept header from it and
#: refuses bodies of another kind (see ``scraper/content_types.py``)
Accept: TypeAlias = Literal["html", "xml", "any"]

#: lxml ships no type information, so its elements are ``Any`` to mypy
XmlElement: TypeAlias = Any

STAGE: Final = "source"

#: options for every lxml XML parser that reads a source document. Entities stay unexpanded and
#: nothing outside the document is loaded (no external entity, DTD or network access), so a
#: billion-laughs or XXE document cannot grow or read files; ``huge_tree=False`` keeps libxml2's
#: own limits on text size, nesting depth and entity amplification.
HARDENED_XML_OPTIONS: Final[dict[str, bool]] = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "huge_tree": False,
    "remove_comments": True,
    "remove_pis": True,
}

#: longer "URLs" are junk (browsers and sitemaps stop near 2,000 characters)
MAX_URL_LENGTH: Final = 8192


class SourceFetcher(Protocol):
    """Fetches one document for a source; the pipeline's implementation is polite and cached.

    ``accept="html"`` admits HTML only; ``"xml"`` admits feeds and sitemaps (XML, JSON, gzip,
    plain text); ``"any"`` admits everything. Status 304 means "unchanged since the last run".
    Failures raise :class:`~newsclean.scraper.errors.FetchError` subclasses.
    """

    async def get(self, url: str, *, accept: Accept = "html") -> FetchResult: ...


@dataclass(frozen=True, slots=True)
class SourceItem:
    """One candidate article URL and what its index said about it."""

    url: str
    source: str  # name of the source that found it
    found_in: str  # the feed, sitemap or file that listed it
    published_at: datetime | None = None  # timezone-aware (UTC)
    title: str | None = None
    lastmod: datetime | None = None  # timezone-aware (UTC)
    language: str | None = None  # as the index states it, e.g. "en" or "de-AT"

    @property
    def date(self) -> datetime | None:
        """The date filters judge the item by: publication if known, else last modification."""
        return self.published_at if self.published_at is not None else self.lastmod


class Source(Protocol):
    """Anything that streams candidate articles: see the module docstring for the kinds."""

    @property
    def name(self) -> str: ...

    def items(self, fetcher: SourceFetcher) -> AsyncIterator[SourceItem | Skipped]: ...


# -- filters -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SourceFilters:
    """Which items of a source to keep.

    ``include``: when given, a URL must match one of these regexes (``re.search``);
    ``exclude``: a URL matching any of these is dropped; ``max_age``: items dated (published, or
    else last modified) longer ago than this are dropped — items without any date are KEPT,
    since many sitemaps and URL lists carry none; ``max_items``: the source stops after this
    many kept items.
    """

    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    max_age: timedelta | None = None
    max_items: int | None = None
    _include: tuple[re.Pattern[str], ...] = field(init=False, repr=False, compare=False)
    _exclude: tuple[re.Pattern[str], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.max_age is not None and self.max_age <= timedelta(0):
            raise ValueError(f"max_age must be positive, got {self.max_age}")
        if self.max_items is not None and self.max_items < 0:
            raise ValueError(f"max_items must be >= 0, got {self.max_items}")
        # compiled once here so a bad pattern fails when the config is read (re.error)
        object.__setattr__(self, "_include", tuple(re.compile(p) for p in self.include))
        object.__setattr__(self, "_exclude", tuple(re.compile(p) for p in self.exclude))

    def rejection(self, item: SourceItem, now: datetime) -> Skipped | None:
        """Why ``item`` is dropped by the pattern and age filters, or None to keep it."""
        if self._include and not any(p.search(item.url) for p in self._include):
            return Skipped(item.url, STAGE, "filtered-pattern", detail="matches no include")
        for pattern in self._exclude:
            if pattern.search(item.url):
                return Skipped(item.url, STAGE, "filtered-pattern", f"exclude {pattern.pattern}")
        date = item.date
        if self.max_age is not None and date is not None and now - date > self.max_age:
            return Skipped(item.url, STAGE, "too-old", f"dated {date.isoformat()}")
        return None


async def filter_items(
    items: AsyncIterator[SourceItem | Skipped],
    filters: SourceFilters,
    *,
    now: datetime | None = None,
) -> AsyncIterator[SourceItem | Skipped]:
    """Apply ``filters`` to a stream of items: dropped items become ``Skipped``.

    ``now`` (timezone-aware; default: the current time) is what ``max_age`` is measured from.
    Once ``max_items`` items are kept, the next one that would be kept is reported as
    ``Skipped(reason="max-items")`` and the source is closed, so the rest of it (further
    sitemaps, say) is never fetched: "max-items" is counted once per truncated source.
    """
    moment = datetime.now(UTC) if now is None else now
    if moment.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    kept = 0
    try:
        async for out in items:
            if isinstance(out, Skipped):
                yield out
                continue
            rejection = filters.rejection(out, moment)
            if rejection is not None:
                yield rejection
                continue
            if filters.max_items is not None and kept >= filters.max_items:
                yield Skipped(out.url, STAGE, "max-items", f"source stopped after {kept} items")
                return
            kept += 1
            yield out
    finally:
        if isinstance(items, AsyncGenerator):
            await items.aclose()


def read_source(
    source: Source,
    fetcher: SourceFetcher,
    filters: SourceFilters | None = None,
    *,
    now: datetime | None = None,
) -> AsyncIterator[SourceItem | Skipped]:
    """The items of ``source`` after its filters: what the pipeline iterates for one source."""
    return filter_items(source.items(fetcher), filters or SourceFilters(), now=now)


# -- URL list ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class UrlListSource:
    """A UTF-8 text file with one URL per line; blank lines and ``#`` comment lines are ignored.

    The file is read line by line (a list of millions of URLs is never held in memory). A
    missing or unreadable file raises ``OSError``: it is a configuration mistake, not a
    property of the web.
    """

    path: str | Path
    name: str = ""

    def __post_init__(self) -> None:
        if not self.name:
            object.__setattr__(self, "name", str(self.path))

    async def items(self, fetcher: SourceFetcher) -> AsyncIterator[SourceItem | Skipped]:
        found_in = str(self.path)
        for number, text in self._lines():
            url = http_url(text)
            if url is None:
                yield Skipped(text[:500], STAGE, "invalid-url", detail=f"{found_in}:{number}")
            else:
                yield SourceItem(url=url, source=self.name, found_in=found_in)

    def _lines(self) -> Iterator[tuple[int, str]]:
        """(line number, stripped text) of each line that is neither blank nor a comment."""
        with Path(self.path).open(encoding="utf-8-sig", errors="replace") as lines:
            for number, line in enumerate(lines, start=1):
                text = line.strip()
                if text and not text.startswith("#"):
                    yield number, text


# -- shared by the feed and sitemap readers ------------------------------------------------


@dataclass(frozen=True, slots=True)
class SourceDocument:
    """One fetched index document (feed, sitemap, robots.txt, HTML page) being read."""

    url: str  # as requested: recorded as ``found_in`` of its items
    base_url: str  # after redirects: relative links resolve against it
    body: bytes
    source: str  # name of the source reading it

    def item(
        self,
        link: str,
        *,
        base: str | None = None,
        published_at: datetime | None = None,
        title: str | None = None,
        lastmod: datetime | None = None,
        language: str | None = None,
    ) -> SourceItem | Skipped:
        """The item for ``link``, or why it is not a URL.

        A relative link resolves against ``base`` when given (an ``xml:base``), else against
        the document's URL.
        """
        if not link.strip():
            return Skipped(self.url, STAGE, "missing-link", detail="an entry without a link")
        url = http_url(link, base=base or self.base_url)
        if url is None:
            return Skipped(link[:500], STAGE, "invalid-url", detail=f"listed in {self.url}")
        return SourceItem(
            url=url,
            source=self.source,
            found_in=self.url,
            published_at=published_at,
            title=title or None,
            lastmod=lastmod,
            language=language or None,
        )

    def skipped(self, reason: str, detail: str = "") -> Skipped:
        """A problem with the document as a whole."""
        return Skipped(self.url, STAGE, reason, detail)


async def fetch_document(
    fetcher: SourceFetcher, url: str, *, accept: Accept, source: str
) -> SourceDocument | Skipped | None:
    """Fetch one index document; None when it is unchanged since the last run (HTTP 304)."""
    try:
        result = await fetcher.get(url, accept=accept)
    except FetchError as err:
        return Skipped(url, STAGE, err.reason, detail=err.message)
    if result.status == 304:
        return None
    if not 200 <= result.status < 300:
        return Skipped(url, STAGE, "http-error", detail=f"HTTP {result.status}")
    return SourceDocument(
        url=url, base_url=result.final_url or url, body=result.body, source=source
    )


_NOT_IN_URL = re.compile(r"[\s\x00-\x1f\x7f]")
_HTTP = re.compile(r"https?://", re.IGNORECASE)


def http_url(text: str, *, base: str | None = None) -> str | None:
    """``text`` as an absolute http(s) URL (resolved against ``base``), or None if it is not.

    Only validity is checked here; the canonical spelling is decided later, by ``urls.py``.
    """
    candidate = text.strip()
    if not candidate or len(candidate) > MAX_URL_LENGTH or _NOT_IN_URL.search(candidate):
        return None
    try:
        # urljoin parses both URLs: worth skipping for the absolute links of a large sitemap
        absolute = urljoin(base, candidate) if base and not _HTTP.match(candidate) else candidate
        parts = urlsplit(absolute)
        host = parts.hostname
    except ValueError:  # e.g. an unbalanced "[" in the host
        return None
    if parts.scheme not in {"http", "https"} or not host:
        return None
    return absolute


_YEAR_OR_MONTH = re.compile(r"(\d{4})(?:-(\d{2}))?")


def parse_date(text: str | None) -> datetime | None:
    """A date from a feed or sitemap, in UTC; None when absent or unreadable.

    Reads RFC 822 (``Tue, 02 Jan 2024 10:00:00 GMT``, RSS) and ISO 8601 / W3C datetime,
    including the W3C reduced forms ``2024`` and ``2024-01`` and date-only ``2024-01-02``.
    A time without a zone is taken as UTC.
    """
    value = (text or "").strip()
    if not value:
        return None
    parsed = _parse_iso_date(value) or _parse_rfc822_date(value)
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _parse_iso_date(value: str) -> datetime | None:
    reduced = _YEAR_OR_MONTH.fullmatch(value)
    try:
        if reduced:
            return datetime(int(reduced.group(1)), int(reduced.group(2) or 1), 1)
        # fromisoformat wants an upper-case "T" and "Z"; feeds sometimes write them in lower case
        return datetime.fromisoformat(value.upper())
    except ValueError:
        return None


def _parse_rfc822_date(value: str) -> datetime | None:
    try:
        return email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def without_leading_space(data: bytes) -> bytes:
    """XML bytes without the blank lines some CMSs print before ``<?xml``.

    libxml2 refuses an XML declaration that is not at the very start; a UTF-8 byte order mark
    goes too, as the bytes are UTF-8 (or ASCII) either way.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    return data.lstrip(b" \t\r\n")


def local_name(element: XmlElement) -> str:
    """The tag of an lxml element without its namespace ("" for comments and entities)."""
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    return tag.rpartition("}")[2]


def namespace_of(element: XmlElement) -> str:
    """The namespace URI of an lxml element ("" when it has none)."""
    tag = element.tag
    if isinstance(tag, str) and tag.startswith("{"):
        return tag[1 : tag.index("}")]
    return ""


def child(element: XmlElement, name: str, namespace: str = "") -> XmlElement | None:
    """The first direct child called ``name`` in ``namespace``, if any."""
    tag = f"{{{namespace}}}{name}" if namespace else name
    for candidate in element:
        if candidate.tag == tag:
            return candidate
    return None


def child_text(element: XmlElement, name: str, namespace: str = "") -> str | None:
    """The text of :func:`child`, whitespace-collapsed; None when absent or empty."""
    found = child(element, name, namespace)
    if found is None:
        return None
    return element_text(found) or None


def element_text(element: XmlElement) -> str:
    """All text inside an element, whitespace-collapsed, leaving entity references unexpanded.

    ``itertext()`` would return an unexpanded ``&name;`` as text, and XPath ``string()``
    expands internal entities: both are avoided on purpose.
    """
    if not len(element):  # the common case, a text-only element: no walk needed
        return " ".join((element.text or "").split())
    return " ".join("".join(_text_parts(element)).split())


def _text_parts(element: XmlElement) -> Iterator[str]:
    if element.text:
        yield element.text
    for node in element:
        if isinstance(node.tag, str):  # an element; entity references have a function tag
            yield from _text_parts(node)
        if node.tail:
            yield node.tail
