"""Page type and soft failures: is this page an article, and did the site really serve it?

Two cheap steps, split so that the first runs on the parsed page *before* boilerplate
pruning, which removes the very things it looks at (cookie walls, paywall boxes, teaser
grids, share bars)::

    PageFeatures.read(root, url)     five compiled XPath queries and one walk over fourteen
                                     tag names; the rest is counting in strings (in C)
    classify(features, text)         ``text`` is the cleaned main text of the page
        -> PageDecision(page_type, soft_failure, reason)

**Soft failures** are pages answered with HTTP 200 that are not what was asked for: a
block or captcha page, a soft 404, a consent wall, a paywall teaser. They are checked first
and are never articles (their ``page_type`` is "other"). Each needs two kinds of evidence:
what the page says (a "Just a moment..." title, consent language, ``isAccessibleForFree:
false``) *and* that there is little else on it (a small page, a short main text). So an
article about cookies, a story titled "404 days later" or an article followed by a
"Subscribe" box stays an article.

**Page type** ("article", "listing", "product", "forum", "other") is an additive score that
can be read in full: every class starts from :data:`PRIORS`, every signal that fires adds its
:data:`WEIGHTS` entry to one class, the highest total wins, and ``reason`` names the signals
that carried it. Signals come from what the page declares (JSON-LD / microdata ``@type``,
``og:type``, dates, authors), the main text (length, share of the page's unlinked text), the
layout (link density, teaser grids, bylines, ``<time>`` counts), the URL shape (dated slugs,
``/tag/``, ``?s=``, ``/product/``) and markup (forum software, add-to-cart, docs themes).
Weights were set by hand (round numbers, half-point steps); the article prior trades
articles lost against non-articles kept, and ``python -m benchmarks.pagetype`` measures both.

The word lists the signals use are at the end of the module.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from itertools import filterfalse
from typing import Final, Literal
from urllib.parse import parse_qsl, urlsplit

from lxml import etree
from lxml.html import HtmlElement

from newsclean.cleaners.catalogue import PhraseCatalogue, default_catalogue
from newsclean.cleaners.records import PageType
from newsclean.cleaners.text import normalize

SoftFailure = Literal["consent-wall", "blocked", "captcha", "paywall", "soft-404"]
UrlHint = Literal[
    "home", "dated", "article-slug", "listing", "search", "paged", "forum", "product", "docs"
]
Marker = Literal[
    "forum", "cart", "price", "challenge", "paywall", "error", "docs", "byline", "share", "post",
    "landing",
]  # fmt: skip

# --- the score -----------------------------------------------------------------------------

#: where each class starts. An article needs a little evidence before it beats a page with
#: none; "other" comes first among the rest, so a tie among non-articles is "other".
PRIORS: Final[Mapping[PageType, float]] = {
    "article": -0.5,
    "other": 0.0,
    "listing": 0.0,
    "product": 0.0,
    "forum": 0.0,
}

#: signal -> (class it counts for, weight). 1 is "some evidence", 3 "close to proof on its
#: own"; a negative weight counts against that class. Thresholds are the constants below.
WEIGHTS: Final[Mapping[str, tuple[PageType, float]]] = {
    # what the page declares about itself (JSON-LD / microdata / Open Graph / meta)
    "schema-article": ("article", 1.5),
    "og-article": ("article", 1.0),
    "published-date": ("article", 1.0),
    "author": ("article", 0.5),
    "schema-listing": ("listing", 3.0),
    "schema-item-list": ("listing", 0.5),
    "og-product-group": ("listing", 2.0),
    "schema-product": ("product", 3.0),
    "og-product": ("product", 2.0),
    "product-meta": ("product", 1.5),
    "schema-forum": ("forum", 4.0),
    "forum-software": ("forum", 3.0),
    "docs-software": ("other", 3.0),
    # the main text, and the page's heading
    "long-text": ("article", 0.5),
    "short-text": ("article", -1.5),
    "main-text-prose": ("article", 1.0),
    "main-text-minor": ("article", -0.5),
    "main-text-links": ("listing", 1.0),
    "prose": ("article", 0.5),
    "headline": ("article", 1.0),
    "label-title": ("article", -0.5),
    # layout and markup
    "byline": ("article", 1.0),
    "share-buttons": ("article", 0.5),
    "post-markup": ("article", 0.5),
    "dated-content": ("article", 1.0),
    "dated-items": ("listing", 1.0),
    "dated-posts": ("forum", 1.5),
    "link-density-high": ("listing", 1.5),
    "link-density-medium": ("listing", 0.5),
    "teaser-grid": ("listing", 1.0),
    "article-cards": ("listing", 0.5),
    "product-grid": ("listing", 2.0),
    "cart": ("product", 1.5),
    "price-markup": ("product", 0.5),
    "forum-markup": ("forum", 2.5),
    "forum-profiles": ("forum", 1.5),
    "docs-markup": ("other", 1.5),
    "landing-markup": ("other", 0.5),
    "login-form": ("other", 3.0),
    # URL shape
    "url-dated": ("article", 1.0),
    "url-slug": ("article", 1.0),
    "url-home": ("article", -1.5),
    "url-listing": ("listing", 2.0),
    "url-search": ("listing", 2.5),
    "url-paged": ("listing", 1.5),
    "url-product": ("product", 2.0),
    "url-forum": ("forum", 2.5),
    "url-docs": ("other", 2.0),
}

#: main text (characters) below which a page is "short", from which it is "long"
SHORT_TEXT_CHARS: Final = 500
LONG_TEXT_CHARS: Final = 5000
#: main text / the page's visible text outside links. An article's prose is most of what is
#: not a link; a listing's main text is a sliver of it, or (teasers kept) more than all of it.
PROSE_SHARE: Final = 0.6
MINOR_SHARE: Final = 0.4
LINKS_SHARE: Final = 1.5
#: ``<p>`` elements of at least :data:`PROSE_PARAGRAPH_CHARS` characters
PROSE_PARAGRAPHS: Final = 10
PROSE_PARAGRAPH_CHARS: Final = 100
#: an article's heading is a sentence; a landing page's or a section's is a label (words)
HEADLINE_WORDS: Final = 7
LABEL_WORDS: Final = 2
#: share of the page's visible text inside links
HIGH_LINK_DENSITY: Final = 0.5
MEDIUM_LINK_DENSITY: Final = 0.35
#: an article shows one to a few ``<time>``s; a listing or a thread one per item
MAX_ARTICLE_TIMES: Final = 4
TEASER_GRID: Final = 10  # headings that are links
ARTICLE_CARDS: Final = 5  # <article> elements
PRODUCT_GRID_CARTS: Final = 10  # add-to-cart marks: one per product card
PRODUCT_GRID_PRICES: Final = 50  # price class names
FORUM_MARKUP: Final = 3
FORUM_PROFILES: Final = 2  # "Joined:", "Posts:" in member panels
DOCS_MARKUP: Final = 3
LANDING_MARKUP: Final = 3
#: a password field on a page with less main text than this is a login page
LOGIN_MAX_TEXT_CHARS: Final = 2000

# Soft failures: what counts as "little else on the page".
#: a page with at most this much visible text (characters) is small enough to be an interstitial
SMALL_PAGE_CHARS: Final = 3000
#: block and captcha pages: at most this much main text
BLOCK_MAX_TEXT_CHARS: Final = 600
#: soft 404: at most this much main text (the page may list a few links or a search box)
SOFT_404_MAX_TEXT_CHARS: Final = 1500
#: consent wall: at most this much main text, and consent language at least this share of
#: the page (and of the main text, when there is more than :data:`SHORT_TEXT_CHARS` of it)
CONSENT_MAX_TEXT_CHARS: Final = 1500
CONSENT_SHARE: Final = 0.5
#: paywall teaser: at most this many paragraphs of prose, of at most this many characters
#: together (a site with a metered paywall declares every article not free, and serves all
#: of it). A paragraph is a line of at least :data:`TEASER_LINE_CHARS` that is not the
#: subscription prompt itself.
PAYWALL_MAX_PARAGRAPHS: Final = 3
PAYWALL_MAX_TEXT_CHARS: Final = 1000
TEASER_LINE_CHARS: Final = 80
#: characters of the page's visible text kept for the soft-failure checks (small pages)
TEXT_HEAD_CHARS: Final = 3000
#: longest title / h1 kept (characters)
MAX_TITLE_CHARS: Final = 300


# --- records -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PageFeatures:
    """Everything cheap read from the parsed page before boilerplate pruning.

    Text lengths are characters of whitespace-stripped text nodes of the ``<body>`` (script
    and style text left out). ``*_marks`` count class names (see :data:`_MARKER_NAMES`),
    ``*_texts`` phrases in the visible text.
    """

    url_hints: tuple[UrlHint, ...] = ()
    title: str = ""
    h1: str = ""
    og_type: str = ""  # lower-cased
    generator: str = ""
    #: JSON-LD types (top level, ``@graph`` members, ``mainEntity``) and microdata
    #: ``itemtype``s, lower-cased bare names: ("newsarticle", "breadcrumblist")
    schema_types: tuple[str, ...] = ()
    #: False when structured data declares ``isAccessibleForFree: false``
    accessible_for_free: bool | None = None
    has_published_date: bool = False
    has_author: bool = False
    has_product_meta: bool = False
    text_chars: int = 0
    link_chars: int = 0
    #: the start of the visible text, one text node a line (for the soft-failure checks)
    text_head: str = ""
    prose_paragraphs: int = 0
    article_elements: int = 0
    teaser_headlines: int = 0  # h2-h4 that hold a link or sit in one
    time_elements: int = 0
    password_inputs: int = 0
    forum_marks: int = 0
    forum_texts: int = 0
    cart_marks: int = 0
    price_marks: int = 0
    challenge_marks: int = 0  # bot-challenge markup and scripts (not a form's captcha widget)
    paywall_marks: int = 0
    paywall_texts: int = 0
    error_marks: int = 0
    docs_marks: int = 0
    byline_marks: int = 0
    share_marks: int = 0
    post_marks: int = 0
    landing_marks: int = 0

    @property
    def link_density(self) -> float:
        """Share of the page's visible text that sits inside links."""
        return self.link_chars / self.text_chars if self.text_chars else 0.0

    @classmethod
    def read(cls, root: HtmlElement, url: str | None) -> PageFeatures:
        """Read the features of a parsed page; the tree is not changed."""
        scan = _scan_elements(root)
        schema = _read_schema(scan.json_ld)
        names = ClassNames.of(_CLASSES(root))
        visible = _visible_text(_BODY_TEXT(root), scan.hidden_text)
        page_text = "\n".join(visible)
        lowered = page_text.lower()
        controls = " ".join(scan.controls).lower()
        sources = " ".join(scan.sources).lower()

        def marks(marker: Marker) -> int:
            return names.count(_MARKER_NAMES[marker])

        return cls(
            url_hints=url_hints(url),
            title=scan.title,
            h1=scan.h1,
            og_type=scan.og_type,
            generator=scan.generator,
            schema_types=_unique((*schema.types, *_microdata_types(_ITEMTYPES(root)))),
            accessible_for_free=schema.accessible_for_free,
            has_published_date=scan.published_meta or schema.published,
            has_author=scan.author_meta or schema.author,
            has_product_meta=scan.product_meta,
            text_chars=sum(map(len, visible)),
            link_chars=sum(map(len, map(str.strip, _LINK_TEXT(root)))),
            text_head=page_text[:TEXT_HEAD_CHARS],
            prose_paragraphs=int(_PROSE_PARAGRAPHS(root)),
            article_elements=scan.articles,
            teaser_headlines=scan.teasers,
            time_elements=scan.times,
            password_inputs=scan.passwords,
            forum_marks=marks("forum"),
            forum_texts=count_phrases(lowered, _FORUM_PHRASES),
            cart_marks=marks("cart")
            + count_phrases(controls, _CART_LABELS)
            + count_phrases(sources, _CART_SOURCES),
            price_marks=marks("price"),
            challenge_marks=marks("challenge") + count_phrases(sources, _CHALLENGE_SOURCES),
            paywall_marks=marks("paywall"),
            paywall_texts=count_phrases(lowered, _PAYWALL_PHRASES),
            error_marks=marks("error"),
            docs_marks=marks("docs"),
            byline_marks=marks("byline"),
            share_marks=marks("share"),
            post_marks=marks("post"),
            landing_marks=marks("landing"),
        )


@dataclass(frozen=True, slots=True)
class PageDecision:
    """What a page is, whether it is a soft failure, and why -- in a few words."""

    page_type: PageType
    #: set for a page served with HTTP 200 that is not what was asked for; ``page_type`` is
    #: then "other", whatever the page looks like
    soft_failure: SoftFailure | None
    reason: str  # e.g. "schema newsarticle, og:type article", "link density 0.71"

    @property
    def is_article(self) -> bool:
        return self.page_type == "article" and self.soft_failure is None


@dataclass(frozen=True, slots=True)
class Signal:
    """One piece of evidence: its name (a :data:`WEIGHTS` key) and what to show for it."""

    name: str
    label: str  # e.g. "link density 0.71"

    @property
    def page_type(self) -> PageType:
        return WEIGHTS[self.name][0]

    @property
    def weight(self) -> float:
        return WEIGHTS[self.name][1]


# --- classification ------------------------------------------------------------------------


def classify(features: PageFeatures, text: str) -> PageDecision:
    """The page type of a page, or the soft failure it is; ``text`` is its cleaned main text."""
    failure = detect_soft_failure(features, text)
    if failure is not None:
        kind, why = failure
        return PageDecision("other", kind, why)
    if not text.strip():
        return PageDecision("other", None, "no main text")
    return decide(signals(features, text))


def decide(found: Iterable[Signal], priors: Mapping[PageType, float] = PRIORS) -> PageDecision:
    """Add the weights up per class; the highest total wins, ties in ``priors`` order."""
    found = tuple(found)
    totals = dict(priors)
    for signal in found:
        totals[signal.page_type] += signal.weight
    winner = max(totals, key=lambda page_type: totals[page_type])
    return PageDecision(winner, None, _reason(winner, found))


def _reason(winner: PageType, found: Sequence[Signal]) -> str:
    """The signals that carried the winner, strongest first (or those that sank "article")."""
    carried = sorted((s for s in found if s.page_type == winner and s.weight > 0), key=_strength)
    if not carried:
        carried = sorted(
            (s for s in found if s.page_type == "article" and s.weight < 0), key=_strength
        )
    return ", ".join(s.label for s in carried[:3]) or "no evidence either way"


def _strength(signal: Signal) -> float:
    return -abs(signal.weight)


def signals(features: PageFeatures, text: str) -> list[Signal]:
    """Every signal that fires for this page (soft failures aside)."""
    chars = len(text.strip())
    return [
        *_declared_signals(features),
        *_text_signals(features, chars),
        *_layout_signals(features),
        *_markup_signals(features, chars),
        *_url_signals(features.url_hints),
    ]


def _declared_signals(f: PageFeatures) -> Iterator[Signal]:
    types = set(f.schema_types)
    if found := types & _ARTICLE_TYPES:
        yield Signal("schema-article", f"schema {min(found)}")
    if found := types & _LISTING_TYPES:
        yield Signal("schema-listing", f"schema {min(found)}")
    elif "itemlist" in types:
        yield Signal("schema-item-list", "schema itemlist")
    if found := types & _PRODUCT_TYPES:
        yield Signal("schema-product", f"schema {min(found)}")
    if found := types & _FORUM_TYPES:
        yield Signal("schema-forum", f"schema {min(found)}")
    if f.og_type in _OG_ARTICLE:
        # many CMSs declare og:type "article" on every page (service pages, "about us"): it
        # counts only beside something an article declares with it (a date, an author, a
        # schema.org article type)
        if f.has_published_date or f.has_author or types & _ARTICLE_TYPES:
            yield Signal("og-article", f"og:type {f.og_type}")
    elif f.og_type in _OG_PRODUCT:
        yield Signal("og-product", f"og:type {f.og_type}")
    elif f.og_type in _OG_PRODUCT_GROUP:
        yield Signal("og-product-group", f"og:type {f.og_type}")
    if f.has_published_date:
        yield Signal("published-date", "published date")
    if f.has_author:
        yield Signal("author", "author declared")
    if f.has_product_meta:
        yield Signal("product-meta", "product price meta")
    generator = f.generator.lower()
    if any(name in generator for name in _FORUM_GENERATORS):
        yield Signal("forum-software", f"generator {f.generator[:40]}")
    elif any(name in generator for name in _DOCS_GENERATORS):
        yield Signal("docs-software", f"generator {f.generator[:40]}")


def _text_signals(f: PageFeatures, chars: int) -> Iterator[Signal]:
    if chars >= LONG_TEXT_CHARS:
        yield Signal("long-text", f"main text {chars} chars")
    elif chars < SHORT_TEXT_CHARS:
        yield Signal("short-text", f"main text only {chars} chars")
    if f.text_chars:  # no visible text read: a page rendered by script, or no page at all
        yield from _share_signals(chars, f.text_chars - f.link_chars)
    if f.prose_paragraphs >= PROSE_PARAGRAPHS:
        yield Signal("prose", f"{f.prose_paragraphs} prose paragraphs")
    words = headline_words(f)
    if words >= HEADLINE_WORDS:
        yield Signal("headline", f"{words}-word headline")
    elif words <= LABEL_WORDS and (f.title or f.h1):
        yield Signal("label-title", f"{words}-word title")


def _share_signals(chars: int, unlinked: int) -> Iterator[Signal]:
    share = chars / unlinked if unlinked > 0 else LINKS_SHARE
    if share >= LINKS_SHARE:
        yield Signal("main-text-links", "main text is mostly link text")
    elif share >= PROSE_SHARE:
        yield Signal("main-text-prose", f"main text {share:.0%} of unlinked text")
    elif share < MINOR_SHARE:
        yield Signal("main-text-minor", f"main text only {share:.0%} of unlinked text")


def headline_words(f: PageFeatures) -> int:
    """Words in the page's heading: its ``<h1>`` or the longest part of its title."""
    parts = _TITLE_SEPARATORS.split(f.title)
    return max(len(f.h1.split()), *(len(part.split()) for part in parts))


def _layout_signals(f: PageFeatures) -> Iterator[Signal]:
    if f.byline_marks:
        yield Signal("byline", "byline markup")
    if f.share_marks:
        yield Signal("share-buttons", "share buttons")
    if f.post_marks:
        yield Signal("post-markup", "post/entry markup")
    if 0 < f.time_elements <= MAX_ARTICLE_TIMES:
        yield Signal("dated-content", f"{f.time_elements} <time>")
    elif f.time_elements > MAX_ARTICLE_TIMES and _looks_like_forum(f):
        yield Signal("dated-posts", f"{f.time_elements} <time> in a forum")
    elif f.time_elements > MAX_ARTICLE_TIMES:
        yield Signal("dated-items", f"{f.time_elements} <time>")
    density = f.link_density
    if density >= HIGH_LINK_DENSITY:
        yield Signal("link-density-high", f"link density {density:.2f}")
    elif density >= MEDIUM_LINK_DENSITY:
        yield Signal("link-density-medium", f"link density {density:.2f}")
    if f.teaser_headlines >= TEASER_GRID:
        yield Signal("teaser-grid", f"{f.teaser_headlines} headline links")
    if f.article_elements >= ARTICLE_CARDS:
        yield Signal("article-cards", f"{f.article_elements} <article> cards")


def _looks_like_forum(f: PageFeatures) -> bool:
    return bool(f.forum_marks or f.forum_texts or "forum" in f.url_hints)


def _markup_signals(f: PageFeatures, chars: int) -> Iterator[Signal]:
    if f.cart_marks >= PRODUCT_GRID_CARTS:
        yield Signal("product-grid", f"{f.cart_marks} add-to-cart marks")
    elif f.price_marks >= PRODUCT_GRID_PRICES:
        yield Signal("product-grid", f"{f.price_marks} price marks")
    if 0 < f.cart_marks < PRODUCT_GRID_CARTS:
        yield Signal("cart", "add-to-cart")
    if f.price_marks:
        yield Signal("price-markup", "price markup")
    if f.forum_marks >= FORUM_MARKUP:
        yield Signal("forum-markup", f"{f.forum_marks} forum class names")
    if f.forum_texts >= FORUM_PROFILES:
        yield Signal("forum-profiles", f"{f.forum_texts} member profile fields")
    if f.docs_marks >= DOCS_MARKUP:
        yield Signal("docs-markup", f"{f.docs_marks} docs class names")
    if f.landing_marks >= LANDING_MARKUP:
        yield Signal("landing-markup", f"{f.landing_marks} hero/pricing/cta names")
    if f.password_inputs and chars < LOGIN_MAX_TEXT_CHARS:
        yield Signal("login-form", "login form")


def _url_signals(hints: Iterable[UrlHint]) -> Iterator[Signal]:
    for hint in hints:
        name, label = _URL_SIGNALS[hint]
        yield Signal(name, label)


_URL_SIGNALS: Final[Mapping[UrlHint, tuple[str, str]]] = {
    "dated": ("url-dated", "dated url"),
    "article-slug": ("url-slug", "headline slug"),
    "home": ("url-home", "home page url"),
    "listing": ("url-listing", "listing url"),
    "search": ("url-search", "search url"),
    "paged": ("url-paged", "paged url"),
    "forum": ("url-forum", "forum url"),
    "product": ("url-product", "product url"),
    "docs": ("url-docs", "docs url"),
}


# --- soft failures -------------------------------------------------------------------------


def detect_soft_failure(features: PageFeatures, text: str) -> tuple[SoftFailure, str] | None:
    """The soft failure this page is, with why; None for a page that is what it says."""
    main = text.strip()
    for check in (_blocked_or_captcha, _soft_404, _consent_wall, _paywall):
        found = check(features, main)
        if found is not None:
            return found
    return None


def _blocked_or_captcha(f: PageFeatures, text: str) -> tuple[SoftFailure, str] | None:
    if len(text) > BLOCK_MAX_TEXT_CHARS or f.text_chars > SMALL_PAGE_CHARS:
        return None
    if _declares_article(f):
        return None  # a firewall's page is not the CMS's: it never carries article metadata
    said = "\n".join((f.title, f.h1, f.text_head[:1000]))
    if block := _BLOCK_WORDS.search(said):
        return "blocked", f"block page: {block.group(0).strip()!r}"
    if captcha := _CAPTCHA_WORDS.search(said):
        return "captcha", f"challenge page: {captcha.group(0).strip()!r}"
    if f.challenge_marks and len(text) < SHORT_TEXT_CHARS:
        return "captcha", "bot-challenge markup on an empty page"
    return None


def _declares_article(f: PageFeatures) -> bool:
    return bool(_ARTICLE_TYPES.intersection(f.schema_types)) or f.og_type in _OG_ARTICLE


def _soft_404(f: PageFeatures, text: str) -> tuple[SoftFailure, str] | None:
    if len(text) > SOFT_404_MAX_TEXT_CHARS:
        return None
    for where, said in (("title", f.title), ("h1", f.h1)):
        if found := _NOT_FOUND_WORDS.search(said):
            return "soft-404", f"{where} says {found.group(0).strip()!r}"
    if f.error_marks:
        return "soft-404", "error-page markup"
    return None


def _consent_wall(f: PageFeatures, text: str) -> tuple[SoftFailure, str] | None:
    if len(text) > CONSENT_MAX_TEXT_CHARS or f.text_chars > SMALL_PAGE_CHARS:
        return None
    share = consent_share(f.text_head)
    if share < CONSENT_SHARE:
        return None
    if len(text) >= SHORT_TEXT_CHARS and consent_share(text) < CONSENT_SHARE:
        return None  # a small page with a banner, but the main text is about something else
    return "consent-wall", f"consent language {share:.0%} of the page"


def consent_share(text: str) -> float:
    """Share of ``text`` (characters, judged a line at a time) that is consent-dialog language.

    Dialog language is the site's voice ("we use cookies", "our partners"), its buttons
    ("Accept all", "Manage preferences") and the catalogue's cookie phrases -- not the word
    "cookie" alone, which an article about cookies says in every paragraph.
    """
    catalogue = default_catalogue()
    total = consent = 0
    for line in text.split("\n"):
        size = len(line.strip())
        total += size
        if size and (
            _CONSENT_WORDS.search(line) or _catalogue_category(catalogue, line) == "cookie"
        ):
            consent += size
    return consent / total if total else 0.0


def _paywall(f: PageFeatures, text: str) -> tuple[SoftFailure, str] | None:
    if f.accessible_for_free is False:
        said = "isAccessibleForFree false"
    elif f.paywall_texts and (f.paywall_marks or _says_paywall(f.text_head)):
        said = "subscription prompt"
    else:
        return None
    paragraphs = _teaser_paragraphs(text)
    if paragraphs is None:
        return None
    count = len(paragraphs)
    return "paywall", f"{said}, teaser of {count} paragraph{'' if count == 1 else 's'}"


def _teaser_paragraphs(text: str) -> list[str] | None:
    """The prose lines of a teaser, subscription prompt left out; None for more than that."""
    if len(text) > SMALL_PAGE_CHARS:
        return None  # the common case: a whole article, decided without reading its lines
    catalogue = default_catalogue()
    paragraphs: list[str] = []
    for line in (line.strip() for line in text.split("\n")):
        if len(line) >= TEASER_LINE_CHARS and _catalogue_category(catalogue, line) != "paywall":
            paragraphs.append(line)
    chars = sum(map(len, paragraphs))
    if len(paragraphs) > PAYWALL_MAX_PARAGRAPHS or chars > PAYWALL_MAX_TEXT_CHARS:
        return None
    return paragraphs


def _says_paywall(text: str) -> bool:
    catalogue = default_catalogue()
    return any(_catalogue_category(catalogue, line) == "paywall" for line in text.split("\n"))


def _catalogue_category(catalogue: PhraseCatalogue, line: str) -> str | None:
    """The catalogue category of a line that is, opens with, or is mostly a known phrase."""
    normalized = normalize(line)
    if not normalized:
        return None
    phrase = catalogue.exact(normalized) or catalogue.leading(normalized)
    if phrase is not None:
        return phrase.category
    match = catalogue.coverage(normalized)
    return match.category if match is not None and match.ratio >= CONSENT_SHARE else None


# --- reading the tree ----------------------------------------------------------------------

# Each query is one walk over the tree in C; the element scan (:func:`_scan_elements`) is one
# more, handing Python only :data:`_SCANNED_TAGS`. Predicates on axes
# (``[not(parent::script)]``) cost more than a whole walk, so script and style text is taken
# out afterwards instead; and "/html//" walks are several times faster than "//" ones.
_BODY_TEXT: Final = etree.XPath("/html/body//text()", smart_strings=False)
_LINK_TEXT: Final = etree.XPath("/html/body//a//text()", smart_strings=False)
_CLASSES: Final = etree.XPath("/html//@class", smart_strings=False)
_ITEMTYPES: Final = etree.XPath("/html//@itemtype", smart_strings=False)
_PROSE_PARAGRAPHS: Final = etree.XPath(
    f"count(/html/body//p[string-length() >= {PROSE_PARAGRAPH_CHARS}])"
)
_SCANNED_TAGS: Final = (
    "title", "meta", "script", "style", "iframe", "form", "input", "button", "h1", "h2", "h3",
    "h4", "article", "time",
)  # fmt: skip
_HEADLINE_TAGS: Final = frozenset({"h2", "h3", "h4"})
_MICRODATA_TYPE: Final = re.compile(r"schema\.org/(\w+)", re.IGNORECASE)


@dataclass(slots=True)
class _ElementScan:
    """What one walk over :data:`_SCANNED_TAGS` collects (filled in while walking)."""

    title: str = ""
    h1: str = ""
    og_type: str = ""
    generator: str = ""
    published_meta: bool = False
    author_meta: bool = False
    product_meta: bool = False
    json_ld: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)  # script/iframe src, form action
    controls: list[str] = field(default_factory=list)  # button labels, submit values
    hidden_text: set[str] = field(default_factory=set)  # script and style text
    passwords: int = 0
    articles: int = 0
    times: int = 0
    teasers: int = 0


def _scan_elements(root: HtmlElement) -> _ElementScan:
    scan = _ElementScan()
    for element in root.iter(*_SCANNED_TAGS):
        tag = element.tag
        if tag in _HEADLINE_TAGS:
            scan.teasers += _is_headline_link(element)
        elif tag in ("script", "style"):
            _scan_script(element, scan)
        elif tag == "meta":
            _scan_meta(element, scan)
        elif tag == "time":
            scan.times += 1
        elif tag == "article":
            scan.articles += 1
        elif tag in ("input", "button"):
            _scan_control(element, scan)
        elif tag == "h1":
            scan.h1 = scan.h1 or _collapse(element.text_content())[:MAX_TITLE_CHARS]
        elif tag == "title":
            _scan_title(element, scan)
        elif source := element.get("src") or element.get("action"):  # iframe, form
            scan.sources.append(source)
    return scan


def _is_headline_link(heading: HtmlElement) -> bool:
    """A teaser headline: a heading that holds a link or sits in one."""
    for _ in heading.iter("a"):
        return True
    parent = heading.getparent()
    grandparent = parent.getparent() if parent is not None else None
    return any(e is not None and e.tag == "a" for e in (parent, grandparent))


def _scan_title(title: HtmlElement, scan: _ElementScan) -> None:
    parent = title.getparent()
    # an <svg> in the body has <title>s too
    if not scan.title and parent is not None and parent.tag == "head":
        scan.title = _collapse(title.text_content())[:MAX_TITLE_CHARS]


def _scan_script(element: HtmlElement, scan: _ElementScan) -> None:
    text = element.text
    if text:
        scan.hidden_text.add(text.strip())
    if element.tag != "script":
        return
    if text and (element.get("type") or "").lower() == "application/ld+json":
        scan.json_ld.append(text)
    if source := element.get("src"):
        scan.sources.append(source)


def _scan_meta(meta: HtmlElement, scan: _ElementScan) -> None:
    key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").lower()
    content = (meta.get("content") or "").strip()
    if not key or not content:
        return
    if key == "og:type":
        scan.og_type = scan.og_type or content.lower()
    elif key == "generator":
        scan.generator = f"{scan.generator} {content}".strip()[:200]
    elif key in _PUBLISHED_META_KEYS:
        scan.published_meta = True
    elif key in _AUTHOR_META_KEYS:
        scan.author_meta = True
    elif key in _PRODUCT_META_KEYS:
        scan.product_meta = True


def _scan_control(element: HtmlElement, scan: _ElementScan) -> None:
    if element.tag == "button":
        scan.controls.append(element.text_content())
        return
    kind = (element.get("type") or "").lower()
    if kind == "password":
        scan.passwords += 1
    elif kind in ("submit", "button"):
        scan.controls.append(element.get("value") or "")


def _visible_text(nodes: Iterable[str], hidden: set[str]) -> list[str]:
    """Stripped, non-empty text nodes, script and style text left out (C-level iteration)."""
    return list(filterfalse(hidden.__contains__, filter(None, map(str.strip, nodes))))


def count_phrases(haystack: str, phrases: Iterable[str]) -> int:
    """Occurrences of the literal ``phrases`` in ``haystack`` (both lower-cased)."""
    return sum(haystack.count(phrase) for phrase in phrases if phrase in haystack)


@dataclass(frozen=True, slots=True)
class ClassNames:
    """The page's class names, and the pieces they are made of (cut at spaces, ``-``, ``_``).

    A name part ("price", "add-to-cart") is counted where it occurs in the names, provided
    each of its pieces is a whole piece of some name: "price" counts on a page with
    "product-price" or "product__price", not on one whose only match is "priceless". The
    pieces are taken from the distinct class attributes (a page repeats most of them), and
    plain ``str.count`` does the counting: both run in C, many times faster than a regex
    alternation of every part, which the regex engine tries at every position.
    """

    text: str  # every class attribute, lower-cased, joined by spaces
    pieces: frozenset[str]

    @classmethod
    def of(cls, classes: Sequence[str]) -> ClassNames:
        distinct = " ".join(set(classes)).lower()
        return cls(" ".join(classes).lower(), frozenset(_pieces(distinct)))

    def count(self, parts: Iterable[str]) -> int:
        """Occurrences of the parts whose pieces are all present."""
        return sum(
            self.text.count(part) for part in parts if self.pieces.issuperset(_part_pieces(part))
        )


def _pieces(names: str) -> list[str]:
    return names.replace("-", " ").replace("_", " ").split()


@cache
def _part_pieces(part: str) -> tuple[str, ...]:
    return tuple(_pieces(part))


def _collapse(text: str) -> str:
    return " ".join(text.split())


def _unique(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v for v in values if v))


def _microdata_types(itemtypes: Iterable[str]) -> list[str]:
    """schema.org ``itemtype``s (nested ones too), lower-cased bare names."""
    return [name.lower() for name in _MICRODATA_TYPE.findall(" ".join(itemtypes))]


# --- structured data -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Schema:
    types: tuple[str, ...]
    accessible_for_free: bool | None
    published: bool  # an article entity has a datePublished
    author: bool  # an article entity has an author


def _read_schema(json_ld: Iterable[str]) -> _Schema:
    types: list[str] = []
    free: bool | None = None
    published = author = False
    for entity in _json_ld_entities(json_ld):
        entity_types = _types_of(entity.get("@type"))
        types.extend(entity_types)
        if _ARTICLE_TYPES.intersection(entity_types):
            published = published or bool(entity.get("datePublished"))
            author = author or bool(entity.get("author"))
        if _declares_not_free(entity):
            free = False
        elif free is None and entity.get("isAccessibleForFree") is not None:
            free = True
    return _Schema(tuple(types), free, published, author)


def _json_ld_entities(scripts: Iterable[str]) -> Iterator[dict[str, object]]:
    """Top-level JSON-LD entities (``@graph`` members included) and their ``mainEntity``."""
    for raw in scripts:
        try:
            data = json.loads(raw)
        except (ValueError, RecursionError):
            continue  # broken (or absurdly nested) JSON-LD is common, and simply no evidence
        for entity in _top_level(data):
            yield entity
            main = entity.get("mainEntity")
            if isinstance(main, dict):
                yield main


def _top_level(data: object) -> Iterator[dict[str, object]]:
    if isinstance(data, list):
        for item in data:
            yield from _top_level(item)
    elif isinstance(data, dict):
        graph = data.get("@graph")
        if isinstance(graph, list):
            yield from (item for item in graph if isinstance(item, dict))
        if "@type" in data:
            yield data


def _types_of(value: object) -> list[str]:
    if isinstance(value, str):
        return [_bare_type(value)]
    if isinstance(value, list):
        return [_bare_type(v) for v in value if isinstance(v, str)]
    return []


def _bare_type(value: str) -> str:
    """ "https://schema.org/NewsArticle" -> "newsarticle"."""
    return value.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1].strip().lower()


def _declares_not_free(entity: dict[str, object]) -> bool:
    values: list[object] = [entity.get("isAccessibleForFree")]
    parts = entity.get("hasPart")
    for part in parts if isinstance(parts, list) else [parts]:
        if isinstance(part, dict):
            values.append(part.get("isAccessibleForFree"))
    return any(v is False or (isinstance(v, str) and v.lower() == "false") for v in values)


# --- URL shape -----------------------------------------------------------------------------


def url_hints(url: str | None) -> tuple[UrlHint, ...]:
    """What the shape of ``url`` suggests about the page, in a fixed order."""
    if not url:
        return ()
    parts = urlsplit(url)
    path = parts.path or "/"
    host = parts.netloc.lower()
    segments = [_FILE_SUFFIX.sub("", s.lower()) for s in path.split("/") if s]
    query = {k.lower(): v for k, v in parse_qsl(parts.query, keep_blank_values=True)}
    slug = bool(segments) and _is_article_slug(segments[-1])
    archive = bool(_ARCHIVE_PATH.search(path))  # "/2024/03/": a month's archive, not a story
    dated = not archive and bool(_DATED_PATH.search(path) or _NUMERIC_ID.search(path.lower()))
    search = bool(_SEARCH_KEYS.intersection(query) or _SEARCH_SEGMENTS.intersection(segments))
    checks: tuple[tuple[UrlHint, bool], ...] = (
        ("home", bool(_LANGUAGE_ROOT.match(path) or _HOME_FILES.match(path)) and not search),
        ("dated", dated),
        ("article-slug", slug),
        ("listing", not slug and not dated and _is_listing_path(segments, path)),
        ("search", search),
        ("paged", bool(_PAGE_PATH.search(path) or _paged_query(query))),
        ("forum", bool(_FORUM_SEGMENTS.intersection(segments) or host.startswith(_FORUM_HOSTS))),
        ("product", bool(_PRODUCT_SEGMENTS.intersection(segments[:-1]))),
        ("docs", bool(_DOCS_SEGMENTS.intersection(segments) or host.startswith(_DOCS_HOSTS))),
    )
    return tuple(hint for hint, holds in checks if holds)


def _is_article_slug(segment: str) -> bool:
    """A headline turned into a path segment: four or more words joined by - or _."""
    words = [w for w in re.split(r"[-_+]", segment) if w]
    return len(words) >= 4 and sum(w.isalpha() for w in words) >= 3


def _is_listing_path(segments: Sequence[str], path: str) -> bool:
    if len(segments) >= 2 and segments[-2] == "page" and segments[-1].isdigit():
        segments = segments[:-2]  # "/category/local/page/2/" is "/category/local/"
    if segments and segments[-1] in _INDEX_LAST_SEGMENTS:
        return True
    # "/tag/transport/", "/category/local" -- not "/topics/gear/best-gps-watch"
    return bool(_LISTING_SEGMENTS.intersection(segments[-2:])) or bool(_ARCHIVE_PATH.search(path))


def _paged_query(query: dict[str, str]) -> bool:
    return any(query.get(key, "").isdigit() and query[key] not in ("0", "1") for key in _PAGE_KEYS)


# --- vocabulary ----------------------------------------------------------------------------


def _words(text: str) -> tuple[str, ...]:
    """A word list written as one string (whitespace-separated)."""
    return tuple(text.split())


def _phrases(text: str) -> tuple[str, ...]:
    """A phrase list written as one string, phrases separated by ``|``."""
    return tuple(p.strip() for p in text.split("|") if p.strip())


_ARTICLE_TYPES: Final = frozenset(
    _words(
        """
        article newsarticle blogposting report reportagenewsarticle analysisnewsarticle
        opinionnewsarticle reviewnewsarticle backgroundnewsarticle askpublicnewsarticle
        satiricalarticle scholarlyarticle medicalscholarlyarticle liveblogposting
        socialmediaposting review recipe
        """
    )
)  # "techarticle" is left out: documentation sites use it for every page
_LISTING_TYPES: Final = frozenset({"collectionpage", "searchresultspage", "offercatalog"})
_PRODUCT_TYPES: Final = frozenset(
    _words("product offer aggregateoffer productgroup individualproduct productmodel")
)
# "question" / "answer" / "comment" are left out: articles carry them in FAQ and comments.
_FORUM_TYPES: Final = frozenset({"discussionforumposting", "qapage"})
_OG_ARTICLE: Final = frozenset(_words("article blog news newsarticle blogpost post"))
_OG_PRODUCT: Final = frozenset(_words("product og:product product.item"))
_OG_PRODUCT_GROUP: Final = frozenset(_words("product.group product.category"))

_PUBLISHED_META_KEYS: Final = frozenset(
    _words("article:published_time og:article:published_time datepublished pubdate")
)
_AUTHOR_META_KEYS: Final = frozenset(
    _words("author article:author og:article:author parsely-author sailthru.author dc.creator")
)
_PRODUCT_META_KEYS: Final = frozenset(
    _words("product:price:amount og:price:amount product:availability og:availability")
)

#: class / id name parts, by what they mark (matched as whole pieces: :class:`ClassNames`).
#: Forum names are those of forum software only: "thread", "replies" or "forum" also name
#: the comment sections of articles.
_MARKER_NAMES: Final[Mapping[Marker, tuple[str, ...]]] = {
    "forum": _words(
        """
        postbit postbody postprofile postcount message--post messagelist message-userdetails
        usertitle topic-body topic-post topic-list topic-title topic-meta-data reply-count
        bbp-reply bbp-topic phpbb vbulletin xenforo ipscomment cpost post_wrapper postcell
        answercell discourse
        """
    ),
    "cart": _words(
        """
        add-to-cart add_to_cart addtocart add-to-bag add_to_bag addtobag add-to-basket
        addtobasket single_add_to_cart product-form product_form buy-now buynow buy-button
        buybox cart-button
        """
    ),
    "price": _words("price prices money"),
    # Not "recaptcha" or "cf-turnstile": contact and comment forms carry those widgets too.
    "challenge": _words("cf-challenge challenge-form cf-browser-verification px-captcha"),
    "paywall": _words(
        """
        paywall regwall tp-modal piano subscriber-only subscribers-only premium-content
        article-locked locked-content paywalled
        """
    ),
    "error": _words("error404 error-404 error_404 not-found notfound page-not-found"),
    "docs": _words(
        """
        toctree sphinx docs docusaurus md-nav markdown-body rst-content wy-nav gitbook
        devsite theme-doc sidebar-toc
        """
    ),
    "byline": _words(
        """
        byline author authors posted-by postedby posted-on entry-date dateline pubdate publish-date
        published-date article-date post-date article-meta entry-meta post-meta
        """
    ),
    "share": _words("share sharing sharedaddy addtoany a2a shareaholic sharethis"),
    "post": _words(
        """
        hentry entry-content entry-title post-content post-title post-body article-body
        article-content articlebody story-body single-post type-post
        """
    ),
    "landing": _words("hero testimonial testimonials pricing accordion cta"),
}

# Literal phrases, looked for in lower-cased text.
_FORUM_PHRASES: Final = _phrases(
    """joined: | posts: | registered: | member since | reaction score | beiträge: |
    mitglied seit | inscrit le | messages: | replies: | likes received"""
)
_PAYWALL_PHRASES: Final = _phrases(
    """subscribe to continue | subscribe now to continue | subscribe to read |
    subscribe to keep reading | subscribers only | for subscribers | already a subscriber |
    free account to continue | free account to read | reached your limit of free |
    continue reading, subscribe | to continue reading, please | unlock this article |
    unlock the full article | réservé aux abonnés | nur für abonnenten | für abonnenten |
    weiterlesen mit | exclusivo para suscriptores | exclusivo para assinantes |
    riservato agli abbonati"""
)
_CART_LABELS: Final = _phrases(
    """add to cart | add to bag | add to basket | add to trolley | buy now | buy it now |
    in den warenkorb | in den einkaufswagen | ajouter au panier | añadir al carrito |
    aggiungi al carrello | adicionar ao carrinho | in winkelwagen | dodaj do koszyka |
    lägg i varukorgen | pre-order now | preorder now"""
)
_CART_SOURCES: Final = _words("/cart add-to-cart addtocart add_to_cart")
# The challenge page's own scripts; not the bot-detection scripts that run on every page of a
# protected site ("/cdn-cgi/challenge-platform/scripts/jsd/", "js.datadome.co").
_CHALLENGE_SOURCES: Final = _words("/challenge-platform/h/ captcha-delivery.com")
_FORUM_GENERATORS: Final = _phrases(
    """discourse | phpbb | vbulletin | xenforo | mybb | simple machines | invision |
    nodebb | flarum | vanilla | bbpress | discuz | phorum | punbb | fluxbb | lemmy"""
)
_DOCS_GENERATORS: Final = _phrases(
    """sphinx | docutils | mkdocs | docusaurus | gitbook | docfx | hugo-book | vuepress |
    vitepress | javadoc | doxygen | read the docs | antora | jsdoc | starlight | mintlify |
    nextra"""
)

_TITLE_SEPARATORS: Final = re.compile(r"\s+[|–—·»:-]\s+|\s*::\s*")

# Block and challenge pages, in their title, h1 or first lines.
_BLOCK_WORDS: Final = re.compile(
    r"attention required|access denied|access to this (?:page|site|website) (?:has been|is) "
    r"(?:denied|blocked)|\b403 forbidden\b|^forbidden$|you (?:have been|are|were) blocked"
    r"|request (?:blocked|rejected|denied)|error 10(?:0[5-9]|1\d|20)\b"
    r"|pardon our interruption|(?:ip|address) (?:has been )?(?:blocked|banned)"
    r"|zugriff verweigert|accès refusé|acceso denegado",
    re.IGNORECASE | re.MULTILINE,
)
_CAPTCHA_WORDS: Final = re.compile(
    r"just a moment\.*|checking (?:your browser|if the site connection is secure)"
    r"|verify(?:ing)? (?:that )?you are (?:a )?human|are you (?:a robot|human)|robot or human"
    r"|human verification|security check|one more step|\bcaptcha\b|bot (?:check|verification)"
    r"|ddos protection|please (?:wait while we|stand by while we) verify"
    r"|press (?:&|and) hold|enable javascript and cookies to continue",
    re.IGNORECASE,
)
# Soft 404s, in the title or h1.
_NOT_FOUND_WORDS: Final = re.compile(
    # Real not-found wording only, about the page itself. "404" counts as a title part of its
    # own ("404", "404 | Site", "Site - Error 404") or with not-found words ("Error 404",
    # "404 Not Found", "HTTP 404"); a number in a real title does not ("404 days later",
    # "Flight 404", "Budget cuts hit route 404 | Site"). Phrases that a headline can hold
    # ("The cure that can't be found", "Why the perfect diet doesn't exist") count only
    # when they speak of the page (or stand as a title part of their own).
    r"(?:^|[|:–—-])\s*(?:(?:error|http)\s*)?404\s*(?:[|:–—-]|$)"
    r"|\b(?:error|http)\s*404\b|\b404\s*(?:error|not found|page not found)\b"
    r"|\b(?:page|file|article|content|story|url|document)s? (?:was |were |is )?not found"
    r"|(?:^|[|:–—-])\s*(?:not found|nothing (?:was )?found)\b"
    r"|\b(?:page|content|article|story)\s+(?:you (?:are|were|['’]re) looking for |you "
    r"requested |requested )?(?:is |was |has been )?(?:missing|unavailable|no longer (?:exists"
    r"|available)|(?:can['’]?t|cannot|could not|couldn['’]?t) be found|(?:does not|doesn['’]?t)"
    r" exist)"
    r"|(?:can['’]?t|cannot|could not|couldn['’]?t) find (?:that|this|the|your) page"
    r"|seite (?:wurde )?nicht gefunden|page (?:introuvable|non trouvée)"
    r"|página no encontrada|pagina non trovata|pagina niet gevonden|sidan hittades inte"
    r"|strona nie (?:została )?znaleziona",
    re.IGNORECASE,
)
# Consent-dialog language: the site's voice and its buttons, in a few languages.
_CONSENT_WORDS: Final = re.compile(
    r"\b(?:we|this (?:web)?site|our partners)(?: and our partners)? (?:use|uses|store|process"
    r"|collect|share)\b|uses? cookies|use of cookies|store and/or access|information on (?:a|your)"
    r" device|(?:accept|reject|allow|refuse|decline|deny) all|accept (?:cookies|and continue|&"
    r" close)|manage (?:cookies|preferences|settings|options|consent|choices|privacy)"
    r"|(?:cookie|privacy|consent) (?:settings|preferences|policy|notice|statement|choices)"
    r"|your (?:privacy|choices|consent)|legitimate interests?|personali[sz]ed (?:ads|advertising"
    r"|content)|before you continue|by clicking|you (?:agree|consent) to|withdraw (?:your )?"
    r"consent|\bvendors\b|\bgdpr\b|wir verwenden cookies|verwendet cookies|einwilligung"
    r"|zustimm|alle akzeptieren|nous utilisons des cookies|utilise des cookies|tout accepter"
    r"|consentement|utilizamos cookies|aceptar todo|consentimiento|utilizziamo (?:i )?cookie"
    r"|accetta tutti|consenso",
    re.IGNORECASE,
)

# URL shape.
#: "/2024/03/", "/2024-03-", "/20240304/" somewhere in the path
_DATED_PATH: Final = re.compile(
    r"/(?:19|20)\d\d[/-](?:0?[1-9]|1[0-2])[/-]|/(?:19|20)\d\d(?:0[1-9]|1[0-2])[0-3]\d/"
)
_ARCHIVE_PATH: Final = re.compile(r"/(?:19|20)\d\d(?:/(?:0?[1-9]|1[0-2]))?/?$")
#: a long number ending the path: a CMS article or post id ("...-48018", "/361373/")
_NUMERIC_ID: Final = re.compile(r"[-_/.](?:\d{5,}|[a-z]?\d{6,})(?:\.[a-z]{2,5})?/?$")
_PAGE_PATH: Final = re.compile(r"/page/\d+/?$")
_FILE_SUFFIX: Final = re.compile(r"\.(?:s?html?|php|aspx?|jsp)$")
_LANGUAGE_ROOT: Final = re.compile(r"^/(?:[a-z]{2}(?:[-_][a-z]{2,4})?/?)?$", re.IGNORECASE)
_HOME_FILES: Final = re.compile(r"^/(?:index|default|home)\.(?:html?|php|aspx?)$", re.IGNORECASE)
_LISTING_SEGMENTS: Final = frozenset(
    _words(
        """
        tag tags category categories topic topics section sections archive archives author
        authors label labels collections collection rubrik rubrique thema themen ressort
        schlagwort
        """
    )
)
_INDEX_LAST_SEGMENTS: Final = frozenset(
    _words(
        """
        news blog blogs articles posts stories press newsroom press-releases latest insights
        resources events issues magazine nachrichten aktuelles actualites noticias notizie
        nieuws
        """
    )
)
_SEARCH_SEGMENTS: Final = frozenset(_words("search suche recherche buscar cerca zoeken"))
_SEARCH_KEYS: Final = frozenset(_words("s q query search keyword keywords searchterm"))
_PAGE_KEYS: Final = frozenset(_words("page pg paged pagenum start offset"))
_FORUM_SEGMENTS: Final = frozenset(
    _words(
        """
        forum forums thread threads t questions viewtopic showthread comments discussion
        discussions board boards
        """
    )
)
_FORUM_HOSTS: Final = _words("forum. forums. community. discuss. discourse. boards.")
_PRODUCT_SEGMENTS: Final = frozenset(
    _words("product products dp item itm produkt produkte produit producto")
)
_DOCS_SEGMENTS: Final = frozenset(
    _words("docs doc documentation manual reference api sdk handbook kb")
)
_DOCS_HOSTS: Final = _words("docs. doc. developer. developers. devdocs. api.")
