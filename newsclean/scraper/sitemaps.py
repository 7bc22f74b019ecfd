"""Sitemap sources: the article URLs a site lists in its sitemaps, read as a stream.

Documents read: ``<urlset>`` (with ``<lastmod>`` and Google News' ``news:publication_date``,
``news:title`` and ``news:publication/news:language``), ``<sitemapindex>`` (its children are
read in turn, newest ``<lastmod>`` first) and text sitemaps (one URL per line); any of them may
be gzipped, which is recognised by the magic bytes rather than by the name or Content-Type.

A sitemap can list millions of URLs, so nothing is materialised: the body is decompressed in
64 KiB steps straight into an lxml pull parser (hardened options, see
:data:`~newsclean.scraper.sources.HARDENED_XML_OPTIONS`), each entry is yielded as soon as it
is parsed and then removed from the tree. Every document and every run is bounded by
:class:`SitemapLimits`. Document-level outcomes, as ``Skipped`` with the sitemap's URL:

* "parse-error": not well-formed XML, or a corrupt/truncated gzip stream;
* "not-a-sitemap": well-formed XML of another kind (an RSS feed, an HTML page);
* "too-many-urls": entries past ``max_urls_per_document`` were not read;
* "too-large": the (decompressed) document passed ``max_document_bytes`` — a gzip bomb;
* "sitemap-too-deep" / "too-many-sitemaps" / "duplicate-sitemap": a child sitemap not
  fetched because of nesting depth, the per-run document budget, or because it was read
  already (an index listing itself);
* "no-sitemaps": a robots.txt without ``Sitemap:`` lines.

Entries yielded before a document turns out to be broken or too large are kept: each of them
was well-formed on its own.
"""

from __future__ import annotations

import asyncio
import zlib
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import chain
from typing import Final, Literal
from urllib.parse import urlsplit, urlunsplit

from lxml import etree

from newsclean.scraper.records import Skipped
from newsclean.scraper.sources import (
    HARDENED_XML_OPTIONS,
    STAGE,
    SourceDocument,
    SourceFetcher,
    SourceItem,
    XmlElement,
    child,
    child_text,
    element_text,
    fetch_document,
    http_url,
    local_name,
    namespace_of,
    parse_date,
    without_leading_space,
)

GOOGLE_NEWS: Final = "http://www.google.com/schemas/sitemap-news/0.9"
GZIP_MAGIC: Final = b"\x1f\x8b"

#: bytes handed to the decompressor, and produced by it, per step
_CHUNK: Final = 64 * 1024
#: a text-sitemap line longer than this is not a URL (the protocol caps URLs at 2,048)
_MAX_TEXT_LINE: Final = 8192
#: entries parsed between two yields to the event loop, so other fetches make progress
_ENTRIES_PER_CHECKPOINT: Final = 1000
_OLDEST: Final = datetime.min.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class SitemapLimits:
    """Bounds on what one run of a sitemap source reads."""

    #: the protocol's own limit on entries per sitemap
    max_urls_per_document: int = 50_000
    #: the protocol's own limit on a sitemap's uncompressed size (50 MB)
    max_document_bytes: int = 52_428_800
    #: index levels followed below the first document; the protocol allows 1, sites use 2
    max_depth: int = 3
    #: sitemap documents fetched by one run of one source, the first one included
    max_documents: int = 1000


@dataclass(frozen=True, slots=True)
class SitemapLink:
    """A child sitemap listed in a ``<sitemapindex>``."""

    url: str
    lastmod: datetime | None


@dataclass(frozen=True, slots=True)
class SitemapSource:
    """A sitemap (urlset, index, news, text; gzipped or not) and the sitemaps it leads to."""

    url: str
    name: str = ""
    limits: SitemapLimits = SitemapLimits()

    def __post_init__(self) -> None:
        if not self.name:
            object.__setattr__(self, "name", self.url)

    async def items(self, fetcher: SourceFetcher) -> AsyncIterator[SourceItem | Skipped]:
        walk = _SitemapWalk(fetcher, self.name, self.limits)
        async for out in walk.visit(self.url, depth=0):
            yield out


@dataclass(frozen=True, slots=True)
class RobotsSitemapSource:
    """The sitemaps a site names in the ``Sitemap:`` lines of its robots.txt."""

    site_url: str
    name: str = ""
    limits: SitemapLimits = SitemapLimits()

    def __post_init__(self) -> None:
        if not self.name:
            object.__setattr__(self, "name", self.site_url)

    async def items(self, fetcher: SourceFetcher) -> AsyncIterator[SourceItem | Skipped]:
        robots_url = robots_txt_url(self.site_url)
        if robots_url is None:
            yield Skipped(self.site_url, STAGE, "invalid-url", detail="site URL")
            return
        document = await fetch_document(fetcher, robots_url, accept="any", source=self.name)
        if document is None:
            return
        if isinstance(document, Skipped):
            yield document
            return
        sitemap_urls = sitemaps_in_robots_txt(document)
        if not sitemap_urls:
            yield document.skipped("no-sitemaps")
            return
        # one walk: the document budget and the loop guard span all the sitemaps named
        walk = _SitemapWalk(fetcher, self.name, self.limits)
        for url in sitemap_urls:
            async for out in walk.visit(url, depth=0):
                yield out


def robots_txt_url(site_url: str) -> str | None:
    """``<scheme>://<host>/robots.txt`` of a site URL; None when it is not an http(s) URL."""
    url = http_url(site_url)
    if url is None:
        return None
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/robots.txt", "", ""))


def sitemaps_in_robots_txt(document: SourceDocument) -> list[str]:
    """The absolute URLs of a robots.txt's ``Sitemap:`` lines, once each, in order.

    Parsed here rather than with protego so that a relative value (seen in the wild, though
    RFC 9309 wants absolute ones) resolves against the robots.txt URL.
    """
    found: list[str] = []
    for line in document.body.decode("utf-8", errors="replace").splitlines():
        key, colon, value = line.partition("#")[0].partition(":")
        if not colon or key.strip().lower() != "sitemap":
            continue
        url = http_url(value.strip(), base=document.base_url)
        if url is not None and url not in found:
            found.append(url)
    return found


@dataclass(slots=True)
class _SitemapWalk:
    """One run through a tree of sitemaps, sharing its budget and loop guard."""

    fetcher: SourceFetcher
    source: str
    limits: SitemapLimits
    visited: set[str] = field(default_factory=set)

    async def visit(self, url: str, depth: int) -> AsyncIterator[SourceItem | Skipped]:
        if url in self.visited:
            yield Skipped(url, STAGE, "duplicate-sitemap")
            return
        if len(self.visited) >= self.limits.max_documents:
            yield Skipped(url, STAGE, "too-many-sitemaps", f"{self.limits.max_documents} read")
            return
        self.visited.add(url)
        document = await fetch_document(self.fetcher, url, accept="xml", source=self.source)
        if document is None:
            return
        if isinstance(document, Skipped):
            yield document
            return
        children: list[SitemapLink] = []
        for count, out in enumerate(read_sitemap(document, self.limits), start=1):
            if isinstance(out, SitemapLink):
                children.append(out)  # at most max_urls_per_document small records
            else:
                yield out
            if count % _ENTRIES_PER_CHECKPOINT == 0:
                await asyncio.sleep(0)
        async for out in self._visit_children(children, depth + 1):
            yield out

    async def _visit_children(
        self, children: list[SitemapLink], depth: int
    ) -> AsyncIterator[SourceItem | Skipped]:
        # newest first: an hourly run wants this month's sitemap before the archive's
        for link in sorted(children, key=lambda c: c.lastmod or _OLDEST, reverse=True):
            if depth > self.limits.max_depth:
                yield Skipped(link.url, STAGE, "sitemap-too-deep", f"depth {depth}")
                continue
            async for out in self.visit(link.url, depth):
                yield out


# -- reading one document ------------------------------------------------------------------


class _UnreadableDocument(Exception):
    """Raised inside the reader, turned into a ``Skipped`` for the document at its edge."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


def read_sitemap(
    document: SourceDocument, limits: SitemapLimits
) -> Iterator[SourceItem | SitemapLink | Skipped]:
    """Stream the entries of one sitemap document: items, child sitemaps and problems."""
    chunks = document_chunks(document.body, limits.max_document_bytes)
    try:
        first = without_leading_space(next(chunks, b""))
        stream = chain([first], chunks)
        if _looks_like_text_sitemap(first):
            yield from _text_sitemap_entries(stream, document, limits)
        else:
            yield from _xml_sitemap_entries(stream, document, limits)
    except _UnreadableDocument as problem:
        yield document.skipped(problem.reason, problem.detail)


def document_chunks(body: bytes, max_bytes: int) -> Iterator[bytes]:
    """The document in chunks, gunzipped if it is gzip, stopping past ``max_bytes``.

    Raises :class:`_UnreadableDocument` ("too-large", "parse-error") from the iteration.
    """
    pieces = _gunzipped(body) if body.startswith(GZIP_MAGIC) else _slices(body)
    total = 0
    for piece in pieces:
        total += len(piece)
        if total > max_bytes:
            raise _UnreadableDocument("too-large", f"more than {max_bytes} bytes decompressed")
        yield piece


def _slices(body: bytes) -> Iterator[bytes]:
    view = memoryview(body)
    for start in range(0, len(body), _CHUNK):
        yield bytes(view[start : start + _CHUNK])


def _gunzipped(body: bytes) -> Iterator[bytes]:
    """Decompress gzip, including files of several members, never more than a chunk at once."""
    view = memoryview(body)
    inflater = _new_gunzip()
    for start in range(0, len(body), _CHUNK):
        pending = bytes(view[start : start + _CHUNK])
        while pending:
            if inflater.eof:  # the next member of a multi-member file, or padding after it
                pending = pending.lstrip(b"\0")
                if not pending:
                    break
                inflater = _new_gunzip()
            try:
                out = inflater.decompress(pending, _CHUNK)
            except zlib.error as err:
                raise _UnreadableDocument("parse-error", f"corrupt gzip: {err}") from err
            if out:
                yield out
            pending = inflater.unconsumed_tail or inflater.unused_data
    yield from _drained(inflater)
    if not inflater.eof:
        raise _UnreadableDocument("parse-error", "truncated gzip stream")


def _drained(inflater: zlib._Decompress) -> Iterator[bytes]:
    """Output the inflater still holds after its last input, a chunk at a time."""
    while not inflater.eof:
        out = inflater.decompress(b"", _CHUNK)
        if not out:
            return
        yield out


def _new_gunzip() -> zlib._Decompress:
    return zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)  # 16+: expect a gzip header


def _looks_like_text_sitemap(first_chunk: bytes) -> bool:
    return first_chunk[:8].lower().startswith((b"http://", b"https://"))


def _text_sitemap_entries(
    stream: Iterator[bytes], document: SourceDocument, limits: SitemapLimits
) -> Iterator[SourceItem | Skipped]:
    count = 0
    for line in _lines(stream):
        text = line.decode("utf-8", errors="replace").strip()
        if not text:
            continue
        if count >= limits.max_urls_per_document:
            yield document.skipped("too-many-urls", f"read the first {count}")
            return
        count += 1
        yield document.item(text)


def _lines(stream: Iterator[bytes]) -> Iterator[bytes]:
    pending = b""
    for chunk in stream:
        lines = (pending + chunk).split(b"\n")
        pending = lines.pop()
        yield from lines
        if len(pending) > _MAX_TEXT_LINE:
            raise _UnreadableDocument("parse-error", f"a line longer than {_MAX_TEXT_LINE} bytes")
    yield pending


SitemapKind = Literal["urlset", "sitemapindex"]


def _xml_sitemap_entries(
    stream: Iterator[bytes], document: SourceDocument, limits: SitemapLimits
) -> Iterator[SourceItem | SitemapLink | Skipped]:
    parser = etree.XMLPullParser(
        events=("start", "end"), base_url=document.base_url, **HARDENED_XML_OPTIONS
    )
    kind: SitemapKind | None = None
    depth = 0
    count = 0
    try:
        for chunk in stream:
            parser.feed(chunk)
            for event, element in parser.read_events():
                if event == "start":
                    depth += 1
                    if depth == 1:
                        kind = _sitemap_kind(element)
                        if kind is None:
                            yield document.skipped("not-a-sitemap", f"<{local_name(element)}>")
                            return
                    continue
                depth -= 1
                if depth != 1 or kind is None:
                    continue  # only the root's children are entries; they hold the rest
                entry = _sitemap_entry(element, kind, document)
                _forget(element)
                if entry is None:
                    continue
                if count >= limits.max_urls_per_document:
                    yield document.skipped("too-many-urls", f"read the first {count}")
                    return
                count += 1
                yield entry
        parser.close()
    except etree.XMLSyntaxError as err:
        yield document.skipped("parse-error", str(err))


def _sitemap_kind(root: XmlElement) -> SitemapKind | None:
    match local_name(root):
        case "urlset":
            return "urlset"
        case "sitemapindex":
            return "sitemapindex"
    return None


def _forget(element: XmlElement) -> None:
    """Drop a parsed entry and the siblings before it, so the tree never grows."""
    element.clear()
    parent = element.getparent()
    while element.getprevious() is not None:
        del parent[0]


def _sitemap_entry(
    element: XmlElement, kind: SitemapKind, document: SourceDocument
) -> SourceItem | SitemapLink | Skipped | None:
    """What one child of the root says; None for elements that are not entries."""
    name = local_name(element)
    core = namespace_of(element)
    if kind == "sitemapindex" and name == "sitemap":
        return _child_sitemap(element, core, document)
    if kind == "urlset" and name == "url":
        return _url_entry(element, core, document)
    return None


def _child_sitemap(
    element: XmlElement, core: str, document: SourceDocument
) -> SitemapLink | Skipped:
    fields = _children_by_tag(element)
    loc = _text(fields, core, "loc") or ""
    url = http_url(loc, base=document.base_url)
    if url is None:
        return Skipped(loc[:500], STAGE, "invalid-url", detail=f"listed in {document.url}")
    return SitemapLink(url=url, lastmod=parse_date(_text(fields, core, "lastmod")))


def _url_entry(element: XmlElement, core: str, document: SourceDocument) -> SourceItem | Skipped:
    fields = _children_by_tag(element)
    published_at: datetime | None = None
    title: str | None = None
    language: str | None = None
    news = fields.get(f"{{{GOOGLE_NEWS}}}news")
    if news is not None:
        published_at = parse_date(child_text(news, "publication_date", GOOGLE_NEWS))
        title = child_text(news, "title", GOOGLE_NEWS)
        publication = child(news, "publication", GOOGLE_NEWS)
        if publication is not None:
            language = child_text(publication, "language", GOOGLE_NEWS)
    return document.item(
        _text(fields, core, "loc") or "",
        lastmod=parse_date(_text(fields, core, "lastmod")),
        published_at=published_at,
        title=title,
        language=language,
    )


def _children_by_tag(element: XmlElement) -> dict[str, XmlElement]:
    """The first direct child of each tag: one pass instead of one search per field."""
    found: dict[str, XmlElement] = {}
    for node in element:
        if isinstance(node.tag, str):
            found.setdefault(node.tag, node)
    return found


def _text(fields: dict[str, XmlElement], namespace: str, name: str) -> str | None:
    found = fields.get(f"{{{namespace}}}{name}" if namespace else name)
    return None if found is None else element_text(found) or None
