"""Records that leave the cleaners: the clean article and the log of what was removed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

InputFormat = Literal["html", "text"]
PageType = Literal["article", "listing", "product", "forum", "other"]
RemovalLevel = Literal["dom", "line", "site"]
#: where the character encoding of a page was learnt, in the order they are tried
EncodingSource = Literal["bom", "http-header", "meta", "detected", "fallback", "unicode"]
#: where a date was read: JSON-LD, a meta tag, a ``<time>`` element, the URL, the page text
DateSource = Literal["json-ld", "meta", "time", "url", "text"]


@dataclass(frozen=True, slots=True)
class Decoded:
    """A page's bytes turned into text, and how the encoding was chosen."""

    text: str
    encoding: str  # Python codec name, e.g. "utf-8", "cp1251", "shift_jis"
    source: EncodingSource
    #: charset the HTTP header declared, when it was present but overruled (wrong header)
    overruled_header: str | None = None
    #: True when undecodable bytes had to be replaced by U+FFFD
    lossy: bool = False


@dataclass(frozen=True, slots=True)
class Removal:
    """One piece of boilerplate taken out, and the rule that took it."""

    rule: str  # stable rule id, e.g. "dom.hidden", "line.phrase", "line.label"
    category: str  # e.g. "adblock-notice", "comment-prompt", "share", "cookie", "ad-label"
    text: str  # the removed text (whitespace-collapsed, possibly truncated to 500 chars)
    level: RemovalLevel = "line"


@dataclass(frozen=True, slots=True)
class Article:
    """A cleaned article: the text and its metadata.

    ``text`` is the article and only the article: paragraphs separated by one blank line.
    """

    text: str
    url: str | None = None
    title: str | None = None
    authors: tuple[str, ...] = ()
    published_at: datetime | None = None  # timezone-aware
    modified_at: datetime | None = None  # timezone-aware
    #: where ``published_at`` / ``modified_at`` were read (None when there is no date)
    published_at_source: DateSource | None = None
    modified_at_source: DateSource | None = None
    site_name: str | None = None
    language: str | None = None  # ISO 639-1 where known
    description: str | None = None
    tags: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    canonical_url: str | None = None
    image_url: str | None = None
    #: markdown rendition of the article (headings, lists, quotes kept); "" for text input
    markdown: str = ""
    input_format: InputFormat = "html"
    page_type: PageType = "article"
    #: why ``page_type`` was decided (the page-type classifier's explanation); "" when unknown
    page_type_reason: str = ""
    #: the page is not the article it claims to be: "consent-wall", "blocked", "captcha",
    #: "paywall", "soft-404"; None when no such failure was seen
    soft_failure: str | None = None
    #: which extraction path produced ``text`` ("trafilatura", "json-ld", "readability",
    #: "density", "plain-text", "none")
    extractor: str = "trafilatura"
    #: why that path was chosen, e.g. "trafilatura: no doubt" or "json-ld: covers 0.62 of
    #: its body, trafilatura 0.31"; "" for plain text
    extraction_reason: str = ""
    extractor_version: str = ""
    cleaner_version: str = ""
    removals: tuple[Removal, ...] = ()

    @property
    def is_article(self) -> bool:
        return self.page_type == "article" and bool(self.text.strip())

    @property
    def paragraphs(self) -> list[str]:
        return [p for p in self.text.split("\n\n") if p.strip()]
