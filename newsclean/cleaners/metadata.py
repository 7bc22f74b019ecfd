"""Metadata: what a page says about itself, read from the parsed tree in one cheap pass.

:func:`read_page_metadata` runs on the tree *before* DOM pruning (JSON-LD and bylines may sit
in elements pruning removes) and reads, in order of trust:

* JSON-LD (:mod:`newsclean.cleaners.jsonld`): the article object's headline, authors,
  dates, publisher, body (``articleBody``), section and keywords;
* meta tags, indexed once by ``name`` / ``property`` / ``itemprop`` (OpenGraph, Twitter,
  Dublin Core, Parse.ly, ...);
* markup: ``<time datetime>``, ``itemprop="author"``, ``rel="author"``, ``<title>``, ``<h1>``.

Dates are in :mod:`newsclean.cleaners.dates` (each with its source), author names in
:mod:`newsclean.cleaners.authors`. Nothing slow runs here: htmldate's search of the page is
:func:`newsclean.cleaners.dates.search_published_date`, which the caller runs only when no
date was declared.

The **title** is the headline a reader sees: the ``<h1>`` that the declared titles
(``og:title``, JSON-LD ``headline``, ``<title>``) agree with -- they usually add the site
name ("Headline | Site") -- else the first ``<h1>`` that is not the site's name, else the
declared title without its site-name part.

The **language** is identified from the clean text with py3langid; the page's declared
language (``<html lang>``, ``Content-Language``, ``og:locale``, JSON-LD ``inLanguage``) is
the prior: it wins whenever the identifier finds it plausible, and alone decides for text
too short to identify.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from urllib.parse import urljoin

from lxml.html import HtmlElement
from py3langid.langid import MODEL_FILE, LanguageIdentifier

from newsclean.cleaners.authors import clean_author_names, read_authors
from newsclean.cleaners.dates import PageDates, parse_datetime, read_declared_dates
from newsclean.cleaners.jsonld import JsonLd, JsonObject, read_json_ld, text_value, types_of
from newsclean.cleaners.text import collapse_whitespace

__all__ = ["PageMetadata", "identify_language", "parse_datetime", "read_page_metadata"]

#: characters of text handed to the language identifier (its cost grows with the sample:
#: a Python loop per byte; with the declared language as prior, a few sentences suffice)
LANGID_SAMPLE_CHARS = 600
#: below this many characters of text, the page's declared language is trusted instead
MIN_LANGID_CHARS = 80
#: the declared language is kept when the identifier gives it at least this probability
DECLARED_LANGUAGE_FLOOR = 0.05
#: an ``<h1>`` longer than this (characters) is a paragraph in a heading tag
MAX_TITLE_CHARS = 300
#: a JSON-LD ``articleBody`` shorter than this (characters) is a teaser, not a body
MIN_ARTICLE_BODY_CHARS = 200

# "Headline | Site", "Headline - Site", "Site: Headline", "Headline • Site" ...
_TITLE_SEPARATOR = re.compile(r"\s+(?:[|•·»:~]|[-–—]{1,2}|::)\s+")
_WORD = re.compile(r"\w+")
#: a declared title's last part of at most this many words may be the site's name
MAX_SITE_NAME_WORDS = 5


@dataclass(frozen=True, slots=True)
class PageMetadata:
    """Everything read about a page before its text is extracted."""

    title: str | None = None
    authors: tuple[str, ...] = ()
    dates: PageDates = PageDates()  # noqa: RUF009 (frozen, immutable default)
    site_name: str | None = None
    description: str | None = None
    image_url: str | None = None
    tags: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    canonical_url: str | None = None
    declared_language: str | None = None
    #: the JSON-LD article's ``articleBody`` (when at least MIN_ARTICLE_BODY_CHARS long)
    article_body: str | None = None
    #: ``og:type`` and the JSON-LD ``@type`` s, for the page-type decision
    og_type: str | None = None
    json_ld_types: frozenset[str] = frozenset()


def read_page_metadata(root: HtmlElement, url: str | None) -> PageMetadata:
    """Read every field of :class:`PageMetadata` from the (unpruned) tree."""
    meta = index_meta(root)
    json_ld = read_json_ld(root)
    article = json_ld.main_article(url)
    page = json_ld.main_page()
    site_name = _site_name(meta, json_ld, article)
    return PageMetadata(
        title=choose_title(root, meta, article, site_name),
        authors=read_authors(root, json_ld, article, meta, site_name),
        dates=read_declared_dates(root, meta, article, page),
        site_name=site_name,
        description=_first(meta, "og:description", "description", "twitter:description")
        or _ld_text(article, "description"),
        image_url=_image(meta, article, url),
        tags=_tags(meta, article),
        categories=_categories(meta, article),
        canonical_url=canonical_url(root, url),
        declared_language=_declared_language(root, meta, article),
        article_body=_article_body(json_ld.article_body(url)),
        og_type=_first(meta, "og:type"),
        json_ld_types=json_ld.types,
    )


def index_meta(root: HtmlElement) -> dict[str, list[str]]:
    """Every ``<meta content>`` by its lower-cased name / property / itemprop / http-equiv."""
    index: dict[str, list[str]] = {}
    for element in root.iter("meta"):
        content = element.get("content")
        if content is None or not content.strip():
            continue
        for attribute in ("name", "property", "itemprop", "http-equiv"):
            key = element.get(attribute)
            if key:
                index.setdefault(key.strip().lower(), []).append(content.strip())
    return index


# --- title ---------------------------------------------------------------------------------


def choose_title(
    root: HtmlElement,
    meta: dict[str, list[str]],
    article: JsonObject | None,
    site_name: str | None,
) -> str | None:
    """The headline a reader sees (rule in the module docstring)."""
    declared = [
        t
        for t in (
            _first(meta, "og:title"),
            _ld_text(article, "headline") or _ld_text(article, "name"),
            _first(meta, "twitter:title"),
            _page_title(root),
        )
        if t
    ]
    site_keys = _site_keys(declared, site_name)
    headings = [h for h in _h1_texts(root) if _key(h) not in site_keys]
    heads = {_key(_strip_site_name(t, site_name)) for t in declared}
    heads |= {_key(_TITLE_SEPARATOR.split(t, maxsplit=1)[0]) for t in declared}
    for heading in headings:
        if _key(heading) in heads:
            return heading
    declared_keys = [_key(t) for t in declared]
    for heading in headings:
        key = _key(heading)
        if key and any(key in d and not d.endswith(key) for d in declared_keys):
            return heading
    if headings:
        return headings[0]
    return _strip_site_name(declared[0], site_name) if declared else None


def _h1_texts(root: HtmlElement) -> list[str]:
    texts = []
    for element in root.iter("h1"):
        text = collapse_whitespace(element.text_content())
        if 2 <= len(text) <= MAX_TITLE_CHARS:
            texts.append(text)
    return texts


def _page_title(root: HtmlElement) -> str | None:
    # the head's own title first: ".//title" costs seven times more, even when it is there
    element = root.find("head/title")
    if element is None:
        element = root.find(".//title")
    if element is None:
        return None
    text = collapse_whitespace(element.text_content())
    return text or None


def _site_keys(declared: list[str], site_name: str | None) -> set[str]:
    """Normalised forms that name the site: og:site_name and the declared titles' tails."""
    keys = {_key(site_name)} if site_name else set()
    for title in declared:
        parts = _TITLE_SEPARATOR.split(title)
        if len(parts) >= 2:
            keys.add(_key(parts[-1]))
    keys.discard("")
    return keys


def _strip_site_name(title: str, site_name: str | None) -> str:
    """``title`` without a trailing (or leading) site-name part."""
    parts = _TITLE_SEPARATOR.split(title)
    if len(parts) < 2:
        return title
    site = _key(site_name) if site_name else ""
    if site and _key(parts[0]) == site:
        return title[title.find(parts[1]) :].strip()
    last = parts[-1]
    if (site and _key(last) == site) or len(last.split()) <= MAX_SITE_NAME_WORDS:
        return title[: title.rfind(last)].rstrip(" |•·»:~-–—")
    return title


def _key(text: str | None) -> str:
    return " ".join(_WORD.findall(text.lower())) if text else ""


# --- other fields ------------------------------------------------------------------------


def _site_name(
    meta: dict[str, list[str]], json_ld: JsonLd, article: JsonObject | None
) -> str | None:
    named = _first(meta, "og:site_name", "application-name", "apple-mobile-web-app-title")
    if named:
        return named
    if article is not None:
        publisher = text_value(json_ld.resolve(article.get("publisher")))
        if publisher:
            return publisher
    for obj in json_ld.objects:
        if "WebSite" in types_of(obj):
            return text_value(obj.get("name"))
    return None


def _image(meta: dict[str, list[str]], article: JsonObject | None, base: str | None) -> str | None:
    value = _first(meta, "og:image", "og:image:url", "twitter:image", "twitter:image:src")
    if value is None and article is not None:
        image = article.get("image")
        if isinstance(image, list):
            image = image[0] if image else None
        value = image.get("url") if isinstance(image, dict) else image  # type: ignore[assignment]
        value = value if isinstance(value, str) else None
    if not value:
        return None
    return _absolute(value, base)


def _tags(meta: dict[str, list[str]], article: JsonObject | None) -> tuple[str, ...]:
    tags = list(meta.get("article:tag", ()))
    if not tags and article is not None:
        tags = _split_keywords(article.get("keywords"))
    if not tags:
        for key in ("news_keywords", "keywords"):
            tags = [t for value in meta.get(key, ()) for t in _split_keywords(value)]
            if tags:
                break
    return _unique(tags)


def _categories(meta: dict[str, list[str]], article: JsonObject | None) -> tuple[str, ...]:
    sections = list(meta.get("article:section", ()))
    if not sections and article is not None:
        sections = _split_keywords(article.get("articleSection"))
    return _unique(sections)


def _split_keywords(value: object) -> list[str]:
    if isinstance(value, list):
        return [t for v in value for t in _split_keywords(v)]
    if not isinstance(value, str):
        return []
    return [part.strip() for part in value.split(",") if part.strip()]


def _article_body(body: str | None) -> str | None:
    return body if body and len(body) >= MIN_ARTICLE_BODY_CHARS else None


def _declared_language(
    root: HtmlElement, meta: dict[str, list[str]], article: JsonObject | None
) -> str | None:
    candidates = [
        root.get("lang"),
        root.get("xml:lang"),
        _first(meta, "content-language", "og:locale", "language", "dc.language"),
        _ld_text(article, "inLanguage"),
    ]
    for value in candidates:
        code = language_code(value)
        if code:
            return code
    return None


def language_code(value: str | None) -> str | None:
    """The primary subtag of a language tag (``"en-US"``, ``"pt_BR"``), lower-cased."""
    if not value:
        return None
    code = value.strip().split(",")[0].split("-")[0].split("_")[0].lower()
    return code if 2 <= len(code) <= 3 and code.isalpha() else None


def canonical_url(root: HtmlElement, base: str | None) -> str | None:
    """``<link rel="canonical">`` (else ``og:url``), made absolute against ``base``."""
    for element in root.iter("link"):
        if (element.get("rel") or "").strip().lower() == "canonical":
            href = _absolute((element.get("href") or "").strip(), base)
            if href:
                return href
    for element in root.iter("meta"):
        if element.get("property") == "og:url":
            href = _absolute((element.get("content") or "").strip(), base)
            if href:
                return href
    return None


def _absolute(href: str, base: str | None) -> str | None:
    """``href`` made absolute against ``base``; None when it is not a usable URL at all
    ("http://[" makes urljoin raise)."""
    if not href:
        return None
    try:
        return urljoin(base, href) if base else href
    except ValueError:
        return None


def _first(meta: dict[str, list[str]], *keys: str) -> str | None:
    for key in keys:
        for value in meta.get(key, ()):
            text = collapse_whitespace(value)
            if text:
                return text
    return None


def _ld_text(article: JsonObject | None, key: str) -> str | None:
    return text_value(article.get(key)) if article is not None else None


def _unique(values: list[str]) -> tuple[str, ...]:
    seen: dict[str, str] = {}
    for value in values:
        seen.setdefault(value.casefold(), value)
    return tuple(seen.values())


def split_authors(raw: str | None) -> tuple[str, ...]:
    """``"By Jane Doe and John Roe"`` -> ``("Jane Doe", "John Roe")`` (see ``authors``)."""
    return clean_author_names(raw)


# --- language ----------------------------------------------------------------------------


@cache
def _identifier() -> LanguageIdentifier:
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def identify_language(text: str, declared: str | None = None) -> str | None:
    """ISO 639-1 code of ``text``, with the page's declared language as the prior.

    The declared language is kept when the identifier gives it at least
    :data:`DECLARED_LANGUAGE_FLOOR` (text in two languages, quotes, short pages), and decides
    alone for text under :data:`MIN_LANGID_CHARS`.
    """
    sample = text[:LANGID_SAMPLE_CHARS]
    if len(sample.strip()) < MIN_LANGID_CHARS:
        return declared
    ranked: list[tuple[str, float]] = _identifier().rank(sample)  # probabilities, best first
    if declared:
        for label, probability in ranked:
            if label == declared and probability >= DECLARED_LANGUAGE_FLOOR:
                return declared
    return str(ranked[0][0])
