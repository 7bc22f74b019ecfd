"""Feed source: the article links of an RSS, Atom or JSON feed, or of the feeds a page names.

Formats read: RSS 0.90/0.91/0.92/2.0 (``<rss><channel><item>``), RSS 0.90 and 1.0 (RDF,
``<rdf:RDF><item>``), Atom 1.0 (``<feed><entry>``) and JSON Feed 1.0/1.1. For each entry the
link, title, publication date (``pubDate``, ``dc:date``, ``published``, ``updated``,
``date_published``) and language are kept.

A feed URL that answers with an HTML page is read for autodiscovery: each
``<link rel="alternate" type="application/rss+xml|atom+xml|feed+json|json" href>`` (relative
hrefs resolved) is fetched and read as a feed. Comment feeds are left out, and a link listed by
two of those feeds (one site, RSS and Atom) is yielded once.

XML is parsed whole (a feed is small, and its size is capped by the fetcher) with the hardened
options of :data:`~newsclean.scraper.sources.HARDENED_XML_OPTIONS`, and strictly: a feed that is
not well-formed yields ``Skipped(reason="parse-error")``, never a guess. feedparser is not used
because it resolves entities with its own loose parser. Other document-level outcomes:
"not-a-feed" (the document is some other kind of XML or JSON), "too-many-entries" (the rest of
a feed past ``max_entries``), "no-feed-found" (an HTML page naming no feed).
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any, Final, Literal

from lxml import etree

from newsclean.scraper.records import Skipped
from newsclean.scraper.sources import (
    HARDENED_XML_OPTIONS,
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

ATOM: Final = "http://www.w3.org/2005/Atom"
DUBLIN_CORE: Final = "http://purl.org/dc/elements/1.1/"
RDF: Final = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
XML_LANG: Final = "{http://www.w3.org/XML/1998/namespace}lang"
JSON_FEED_VERSION_PREFIX: Final = "https://jsonfeed.org/version/1"

#: the ``type`` of an alternate ``<link>`` that names a feed
FEED_LINK_TYPES: Final = frozenset(
    {"application/rss+xml", "application/atom+xml", "application/feed+json", "application/json"}
)

DocumentKind = Literal["json", "html", "xml"]

#: bytes looked at to tell JSON, HTML and XML apart
_SNIFF_BYTES: Final = 2048
_FIRST_TAG = re.compile(rb"<(?![!?])([a-z][\w:.-]*)")
_COMMENTS_FEED = re.compile(r"comment", re.IGNORECASE)
_MARKUP_TAG = re.compile(r"<[^>]*>")


@dataclass(frozen=True, slots=True)
class FeedSource:
    """A feed URL, or a page URL whose alternate links name its feeds."""

    url: str
    name: str = ""
    #: entries read per feed document; real feeds carry 10-100, so more means a broken feed
    max_entries: int = 10_000
    #: feeds fetched from one HTML page; sites name a handful (all items, per section, podcast)
    max_discovered_feeds: int = 8

    def __post_init__(self) -> None:
        if not self.name:
            object.__setattr__(self, "name", self.url)

    async def items(self, fetcher: SourceFetcher) -> AsyncIterator[SourceItem | Skipped]:
        # "any": the URL may be a feed or a web page, which is told apart here by its bytes
        document = await fetch_document(fetcher, self.url, accept="any", source=self.name)
        if document is None:
            return
        if isinstance(document, Skipped):
            yield document
            return
        if sniff_document(document.body) != "html":
            for out in read_feed(document, max_entries=self.max_entries):
                yield out
            return
        async for out in self._discovered_items(fetcher, document):
            yield out

    async def _discovered_items(
        self, fetcher: SourceFetcher, page: SourceDocument
    ) -> AsyncIterator[SourceItem | Skipped]:
        feeds = discover_feeds(page)
        if not feeds:
            yield page.skipped("no-feed-found")
            return
        seen: set[str] = set()
        for feed_url in feeds[: self.max_discovered_feeds]:
            # "xml" admits every feed format, JSON Feed included, and refuses a web page
            document = await fetch_document(fetcher, feed_url, accept="xml", source=self.name)
            if document is None:
                continue
            if isinstance(document, Skipped):
                yield document
                continue
            for out in read_feed(document, max_entries=self.max_entries):
                if isinstance(out, SourceItem):
                    if out.url in seen:
                        continue
                    seen.add(out.url)
                yield out


def sniff_document(body: bytes) -> DocumentKind:
    """Whether a body is JSON, an HTML page or (by default) XML, from its first bytes."""
    head = body[:_SNIFF_BYTES].lstrip(b"\xef\xbb\xbf \t\r\n\f")
    if head.startswith((b"{", b"[")):
        return "json"
    lowered = head.lower()
    if lowered.startswith(b"<!doctype html"):
        return "html"
    first_tag = _FIRST_TAG.search(lowered)
    if first_tag is not None and first_tag.group(1) == b"html":
        return "html"
    return "xml"


def read_feed(document: SourceDocument, *, max_entries: int) -> Iterator[SourceItem | Skipped]:
    """The items of one feed document, in feed order; problems as ``Skipped``."""
    kind = sniff_document(document.body)
    if kind == "html":
        yield document.skipped("not-a-feed", "an HTML page where a feed was expected")
        return
    entries = _json_feed_items(document) if kind == "json" else _xml_feed_items(document)
    for count, out in enumerate(entries):
        if count >= max_entries:
            yield document.skipped("too-many-entries", f"read the first {max_entries}")
            return
        yield out


def discover_feeds(page: SourceDocument) -> list[str]:
    """The absolute URLs of the feeds an HTML page names in ``<link rel="alternate">``."""
    parser = etree.HTMLParser(no_network=True, remove_comments=True, remove_pis=True)
    root = etree.fromstring(page.body, parser)
    if root is None:  # an empty or all-whitespace page
        return []
    base = _html_base_url(root, page.base_url)
    found: list[str] = []
    for link in root.iter("link"):
        feed = _feed_link(link, base)
        if feed is not None and feed not in found:
            found.append(feed)
    return found


def _html_base_url(root: XmlElement, page_url: str) -> str:
    base = root.find(".//base[@href]")
    if base is None:
        return page_url
    return http_url(base.get("href"), base=page_url) or page_url


def _feed_link(link: XmlElement, base: str) -> str | None:
    """The URL of the feed ``link`` names, if it names a feed of articles."""
    if "alternate" not in (link.get("rel") or "").lower().split():
        return None
    media_type = (link.get("type") or "").split(";")[0].strip().lower()
    if media_type not in FEED_LINK_TYPES:
        return None
    href = link.get("href") or ""
    # WordPress and others also advertise comment feeds, whose links are comments, not articles
    if _COMMENTS_FEED.search(link.get("title") or "") or _COMMENTS_FEED.search(href):
        return None
    return http_url(href, base=base)


# -- XML feeds -----------------------------------------------------------------------------


def _xml_feed_items(document: SourceDocument) -> Iterator[SourceItem | Skipped]:
    parser = etree.XMLParser(**HARDENED_XML_OPTIONS)
    try:
        root = etree.fromstring(
            without_leading_space(document.body), parser, base_url=document.base_url
        )
    except etree.XMLSyntaxError as err:
        yield document.skipped("parse-error", str(err))
        return
    name = local_name(root)
    if name == "rss":
        channel = child(root, "channel")
        if channel is not None:
            yield from _rss_items(channel, channel, document)
    elif name == "RDF" and namespace_of(root) == RDF:
        # RSS 0.90 and 1.0: items are siblings of the channel, in the RSS namespace
        yield from _rss_items(root, _first_local(root, "channel"), document)
    elif name == "feed":
        yield from _atom_items(root, document)
    else:
        yield document.skipped("not-a-feed", f"root element <{name}>")


def _first_local(parent: XmlElement, name: str) -> XmlElement | None:
    for element in parent:
        if local_name(element) == name:
            return element
    return None


def _rss_items(
    container: XmlElement, channel: XmlElement | None, document: SourceDocument
) -> Iterator[SourceItem | Skipped]:
    language = _rss_language(channel) if channel is not None else None
    for element in container:
        if local_name(element) == "item":
            yield _rss_item(element, document, language)


def _rss_language(element: XmlElement) -> str | None:
    # core elements live in the item's own namespace: none (0.9x/2.0), RSS 1.0's or 0.90's
    core = namespace_of(element)
    return child_text(element, "language", core) or child_text(element, "language", DUBLIN_CORE)


def _rss_item(
    item: XmlElement, document: SourceDocument, channel_language: str | None
) -> SourceItem | Skipped:
    core = namespace_of(item)
    published = parse_date(child_text(item, "pubDate", core)) or parse_date(
        child_text(item, "date", DUBLIN_CORE)
    )
    return document.item(
        _rss_link(item, core) or "",
        published_at=published,
        title=child_text(item, "title", core),
        language=child_text(item, "language", DUBLIN_CORE) or channel_language,
    )


def _rss_link(item: XmlElement, core: str) -> str | None:
    link = child_text(item, "link", core)
    if link:
        return link
    # RSS 2.0: a guid is the item's permalink unless it says isPermaLink="false"
    guid = child(item, "guid", core)
    if guid is not None and (guid.get("isPermaLink") or "true").strip().lower() != "false":
        return element_text(guid) or None
    about = item.get(f"{{{RDF}}}about")  # RSS 1.0: the item's URI
    return about.strip() if about else None


def _atom_items(feed: XmlElement, document: SourceDocument) -> Iterator[SourceItem | Skipped]:
    core = namespace_of(feed)
    feed_language = feed.get(XML_LANG)
    for entry in feed:
        if local_name(entry) == "entry":
            yield _atom_item(entry, core, document, feed_language)


def _atom_item(
    entry: XmlElement, core: str, document: SourceDocument, feed_language: str | None
) -> SourceItem | Skipped:
    updated = parse_date(child_text(entry, "updated", core))
    published = parse_date(child_text(entry, "published", core))
    link = _atom_link(entry, core)
    return document.item(
        "" if link is None else link.get("href"),
        base=None if link is None else link.base,  # honours xml:base
        published_at=published or updated,
        title=_atom_title(entry, core),
        lastmod=updated,
        language=entry.get(XML_LANG) or feed_language,
    )


def _atom_title(entry: XmlElement, core: str) -> str | None:
    title = child(entry, "title", core)
    if title is None:
        return None
    text = element_text(title)
    if title.get("type") == "html":  # escaped markup: "Le budget &lt;em&gt;adopté&lt;/em&gt;"
        text = " ".join(html.unescape(_MARKUP_TAG.sub("", text)).split())
    return text or None


def _atom_link(entry: XmlElement, core: str) -> XmlElement | None:
    """The entry's alternate ``<link>`` with an href, an HTML one if there are several."""
    alternates = [
        link
        for link in entry.iterfind(f"{{{core}}}link" if core else "link")
        if (link.get("rel") or "alternate") == "alternate" and link.get("href")
    ]
    for link in alternates:
        if (link.get("type") or "text/html") == "text/html":
            return link
    return alternates[0] if alternates else None


# -- JSON Feed -----------------------------------------------------------------------------


def _json_feed_items(document: SourceDocument) -> Iterator[SourceItem | Skipped]:
    try:
        feed = json.loads(document.body.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError) as err:
        yield document.skipped("parse-error", f"JSON: {err}")
        return
    if not isinstance(feed, dict) or not str(feed.get("version", "")).startswith(
        JSON_FEED_VERSION_PREFIX
    ):
        yield document.skipped("not-a-feed", "JSON without a jsonfeed.org version")
        return
    entries = feed.get("items")
    if not isinstance(entries, list):
        yield document.skipped("parse-error", "JSON Feed without an items list")
        return
    feed_language = _json_string(feed, "language")
    for entry in entries:
        if isinstance(entry, dict):
            yield _json_feed_item(entry, document, feed_language)
        else:
            yield document.skipped("parse-error", "a JSON Feed item that is not an object")


def _json_feed_item(
    entry: dict[str, Any], document: SourceDocument, feed_language: str | None
) -> SourceItem | Skipped:
    modified = parse_date(_json_string(entry, "date_modified"))
    return document.item(
        _json_string(entry, "url") or _json_string(entry, "external_url") or "",
        published_at=parse_date(_json_string(entry, "date_published")) or modified,
        title=_json_string(entry, "title"),
        lastmod=modified,
        language=_json_string(entry, "language") or feed_language,
    )


def _json_string(mapping: dict[str, Any], key: str) -> str | None:
    value = mapping.get(key)
    if not isinstance(value, str):
        return None
    return " ".join(value.split()) or None
