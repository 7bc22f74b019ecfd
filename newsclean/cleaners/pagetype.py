"""Page type and soft failures: is this page an article, and did the site really serve it?

Two cheap steps, split so the first can run on the parsed page *before* boilerplate pruning
(which removes the very markers it looks at: cookie walls, paywall boxes, teaser grids)::

    PageFeatures.read(root, url)      a few compiled XPath queries + one regex per attribute
                                      kind; counts and short strings only
    classify(features, text)          soft failures first, then the page type by score
        -> PageDecision(page_type, soft_failure, reason)

**Soft failures** are pages answered with HTTP 200 that are not what was asked for: a
captcha or block page, a soft 404, a consent wall, a paywall teaser. They are never counted
as articles (their ``page_type`` is "other"). Each one needs *two* kinds of evidence -- what
the page says (title, consent language, ``isAccessibleForFree: false``) and that there is
little else on it (a short page or a short main text) -- so an article about cookies, a story
titled "404 days later" or an article followed by a "Subscribe" box stays an article.

**Page type** is a transparent additive score: every class starts from a prior, every signal
that fires adds its weight to one class (see :data:`WEIGHTS`), the highest total wins and
``reason`` names the signals that carried it. The prior favours "article": losing an article
costs more than keeping a non-article, so the other classes need positive evidence
(structured data, link density, teaser grids, forum or shop markup, URL shape).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
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
Marker = Literal["forum", "cart", "price", "captcha", "consent", "paywall", "error", "docs"]

#: characters of the page's visible text kept for the soft-failure checks (they are short pages)
TEXT_HEAD_CHARS: Final = 3000
#: longest title / h1 kept (characters)
MAX_TITLE_CHARS: Final = 300
#: a ``<p>`` with at least this many characters of text is prose
PROSE_PARAGRAPH_CHARS: Final = 100

# --- what is read from the tree ------------------------------------------------------------

_TITLE = etree.XPath("string(//head/title)")
_H1 = etree.XPath("string((//body//h1)[1])")
_META = etree.XPath("//meta[@content][@property or @name or @itemprop]")
_JSON_LD = etree.XPath("//script[@type='application/ld+json']/text()", smart_strings=False)
_MICRODATA_TYPES = etree.XPath(
    "//*[@itemscope][@itemtype][not(ancestor::*[@itemscope])]/@itemtype", smart_strings=False
)
_BODY_TEXT = etree.XPath(
    "//body//text()[not(parent::script or parent::style or parent::noscript"
    " or parent::template)]",
    smart_strings=False,
)
_LINK_TEXT = etree.XPath("//body//a//text()", smart_strings=False)
_CLASS_AND_ID = etree.XPath("//body//@class | //body//@id | //body/@class", smart_strings=False)
_CONTROL_TEXT = etree.XPath(
    "//button//text() | //input[@type='submit' or @type='button']/@value"
    " | //*[@role='button']//text()",
    smart_strings=False,
)
_SCRIPT_SRC = etree.XPath("//script/@src | //iframe/@src | //form/@action", smart_strings=False)
_COUNTS = {
    "articles": etree.XPath("count(//body//article)"),
    "teasers": etree.XPath(
        "count(//body//*[self::h2 or self::h3 or self::h4][.//a[@href]]"
        " | //body//a[@href][.//h2 or .//h3 or .//h4])"
    ),
    "prose": etree.XPath(
        f"count(//body//p[string-length(normalize-space()) >= {PROSE_PARAGRAPH_CHARS}])"
    ),
    "times": etree.XPath("count(//body//time)"),
    "passwords": etree.XPath("count(//input[@type='password'])"),
}

_PUBLISHED_META_KEYS = frozenset(
    {"article:published_time", "og:article:published_time", "datepublished", "pubdate"}
)
_PRODUCT_META_KEYS = frozenset(
    {"product:price:amount", "og:price:amount", "product:availability", "twitter:data1"}
)

#: class / id token prefixes, by what they mark; matched at the start of a token
_MARKER_TOKENS: Final[dict[Marker, tuple[str, ...]]] = {
    "forum": (
        "postbody", "post_body", "postbit", "postprofile", "post-author", "postauthor",
        "message--post", "messagelist", "message-userdetails", "topic-body", "topic-post",
        "topic-list", "topic-title", "bbp-reply", "bbp-topic", "phpbb", "vbulletin", "xenforo",
        "ipscomment", "cpost", "post_wrapper", "postcell", "answercell", "answer-", "question-",
        "forum", "discourse", "thread", "replies", "reply-count", "post-count", "postcount",
        "user-title", "usertitle", "signature",
    ),
    "cart": (
        "add-to-cart", "add_to_cart", "addtocart", "add-to-bag", "add_to_bag", "addtobag",
        "add-to-basket", "addtobasket", "single_add_to_cart", "product-form", "product_form",
        "buy-now", "buynow", "buy-button", "buybox", "cart-button", "product-add",
    ),
    "price": ("price", "product-price", "woocommerce-price", "money", "sale-price"),
    "captcha": (
        "g-recaptcha", "h-captcha", "cf-turnstile", "cf-challenge", "challenge-form",
        "challenge-", "cf-browser-verification", "px-captcha", "captcha", "cf-error", "cf-wrapper",
    ),
    "consent": (
        "onetrust", "cybotcookiebot", "cookiebot", "didomi", "qc-cmp", "sp_message",
        "usercentrics", "cmplz", "cookie-law", "cky-consent", "fc-consent", "truste",
        "cookie-notice", "cookie-banner", "cookie-consent", "cookieconsent", "consent-",
        "gdpr", "cookie",
    ),
    "paywall": (
        "paywall", "regwall", "tp-modal", "piano", "meter", "subscriber-only", "subscribers-only",
        "premium-content", "article-locked", "locked-content", "paywalled",
    ),
    "error": ("error404", "error-404", "error_404", "not-found", "notfound", "page-not-found"),
    "docs": (
        "toctree", "sphinx", "docs-", "doc-", "docusaurus", "md-nav", "markdown-body", "api-",
        "rst-content", "wy-nav", "gitbook", "devsite", "theme-doc", "sidebar-toc", "toc",
    ),
}
_MARKER_OF: Final = {token: marker for marker, ts in _MARKER_TOKENS.items() for token in ts}
_MARKER_RE: Final = re.compile(
    r"(?<![a-z0-9])("
    + "|".join(re.escape(t) for t in sorted(_MARKER_OF, key=len, reverse=True))
    + ")"
)
_GENERATOR_FORUMS: Final = re.compile(
    r"discourse|phpbb|vbulletin|xenforo|mybb|simple machines|smf|invision|nodebb|flarum"
    r"|vanilla|bbpress|discuz|phorum|punbb|fluxbb|lemmy",
    re.IGNORECASE,
)
_GENERATOR_DOCS: Final = re.compile(
    r"sphinx|mkdocs|docusaurus|gitbook|docfx|hugo-book|vuepress|vitepress|javadoc|doxygen"
    r"|read the docs|antora|jsdoc|starlight|mintlify|nextra",
    re.IGNORECASE,
)
_CART_LABEL: Final = re.compile(
    r"add to (?:cart|bag|basket|trolley)|buy (?:it )?now|in den (?:warenkorb|einkaufswagen)"
    r"|ajouter au panier|añadir al carrito|aggiungi al carrello|adicionar ao carrinho"
    r"|in winkelwagen|dodaj do koszyka|lägg i varukorgen|pre-?order now",
    re.IGNORECASE,
)
_SCRIPT_CAPTCHA: Final = re.compile(
    r"challenges\.cloudflare\.com|/cdn-cgi/challenge-platform|captcha-delivery\.com"
    r"|hcaptcha\.com|perimeterx|px-cdn|/_incapsula_resource|geo\.captcha",
    re.IGNORECASE,
)
_CART_ACTION: Final = re.compile(r"/cart(?:/add)?\b|add-to-cart|addtocart", re.IGNORECASE)
# Prices as written in text: "$12.99", "€ 5", "12,99 €", "£1,299.00", "USD 40".
_PRICE_TEXT: Final = re.compile(
    r"(?:[$€£¥₹]|\b(?:usd|eur|gbp|chf|cad|aud)\b)\s?\d[\d.,]*|\d[\d.,]*\s?(?:€|\b(?:eur|usd)\b)",
    re.IGNORECASE,
)
# Author panels of forum posts: "Joined: Mar 2019", "Posts: 1,204", "Beiträge: 12".
_FORUM_TEXT: Final = re.compile(
    r"\b(?:joined|posts|registered|member since|messages|reaction score|beiträge|mitglied seit"
    r"|inscrit le|messages)\s*:?\s*(?:\d|[a-z]{3,9}\.? \d)",
    re.IGNORECASE,
)
_PAYWALL_TEXT: Final = re.compile(
    r"subscribe (?:now )?to (?:continue|keep|read)|subscribers? only|for subscribers"
    r"|already a subscriber|(?:create|register for) a free account to (?:continue|read)"
    r"|you have reached your (?:limit|maximum) of free|to continue reading,? (?:please )?"
    r"(?:subscribe|log in|sign in)|unlock (?:this|the full) (?:article|story)"
    r"|réservé aux abonnés|nur für abonnenten|weiterlesen mit|für abonnenten"
    r"|exclusivo para (?:suscriptores|assinantes)|riservato agli abbonati",
    re.IGNORECASE,
)

_ARTICLE_TYPES: Final = frozenset(
    {
        "article", "newsarticle", "blogposting", "report", "reportagenewsarticle",
        "analysisnewsarticle", "opinionnewsarticle", "reviewnewsarticle",
        "backgroundnewsarticle", "askpublicnewsarticle", "satiricalarticle", "scholarlyarticle",
        "techarticle", "liveblogposting", "socialmediaposting", "medicalscholarlyarticle",
        "posting", "review", "recipe", "howto",
    }
)
_PRODUCT_TYPES: Final = frozenset(
    {"product", "offer", "aggregateoffer", "productgroup", "individualproduct", "productmodel",
     "car", "vehicle", "book", "softwareapplication", "mobileapplication", "videogame"}
)
_FORUM_TYPES: Final = frozenset(
    {"discussionforumposting", "qapage", "question", "answer", "comment", "conversation"}
)
_LISTING_TYPES: Final = frozenset(
    {"collectionpage", "itemlist", "searchresultspage", "offercatalog", "blog", "periodical",
     "publicationissue"}
)
_OG_ARTICLE: Final = frozenset({"article", "blog", "news", "newsarticle", "blogpost", "post"})
_OG_PRODUCT: Final = frozenset({"product", "og:product", "product.item", "product.group"})


@dataclass(frozen=True, slots=True)
class PageFeatures:
    """Everything cheap read from the parsed page before boilerplate pruning.

    Counts are over the ``<body>``; text lengths are characters of whitespace-stripped text
    nodes (scripts and styles left out). Markers are class/id tokens, counted per occurrence.
    """

    url_hints: tuple[UrlHint, ...] = ()
    title: str = ""
    h1: str = ""
    og_type: str = ""  # lower-cased og:type
    generator: str = ""
    #: top-level JSON-LD / microdata types, lower-cased bare names ("newsarticle", "product")
    schema_types: tuple[str, ...] = ()
    #: False when structured data declares ``isAccessibleForFree: false``
    accessible_for_free: bool | None = None
    has_published_date: bool = False
    has_product_meta: bool = False
    text_chars: int = 0
    link_chars: int = 0
    #: the start of the visible text, one text node per line (for the soft-failure checks)
    text_head: str = ""
    prose_paragraphs: int = 0
    article_elements: int = 0
    teaser_headlines: int = 0
    time_elements: int = 0
    password_inputs: int = 0
    forum_marks: int = 0
    forum_text_marks: int = 0
    cart_marks: int = 0
    price_marks: int = 0
    price_texts: int = 0
    captcha_marks: int = 0
    consent_marks: int = 0
    paywall_marks: int = 0
    paywall_texts: int = 0
    error_marks: int = 0
    docs_marks: int = 0

    @property
    def link_density(self) -> float:
        """Share of the page's visible text that sits inside links."""
        return self.link_chars / self.text_chars if self.text_chars else 0.0

    @classmethod
    def read(cls, root: HtmlElement, url: str | None) -> PageFeatures:
        head = _read_head(root)
        schema = _read_schema(root)
        text_nodes = [s.strip() for s in _BODY_TEXT(root)]
        text_nodes = [s for s in text_nodes if s]
        page_text = "\n".join(text_nodes)
        markers = _count_markers(root)
        controls = " ".join(_CONTROL_TEXT(root))
        sources = " ".join(_SCRIPT_SRC(root))
        counts = {name: int(query(root)) for name, query in _COUNTS.items()}
        return cls(
            url_hints=url_hints(url),
            title=_collapse(_TITLE(root))[:MAX_TITLE_CHARS],
            h1=_collapse(_H1(root))[:MAX_TITLE_CHARS],
            og_type=head.og_type,
            generator=head.generator,
            schema_types=schema.types,
            accessible_for_free=schema.accessible_for_free,
            has_published_date=head.published or schema.published,
            has_product_meta=head.product,
            text_chars=sum(len(s) for s in text_nodes),
            link_chars=sum(len(s.strip()) for s in _LINK_TEXT(root)),
            text_head=page_text[:TEXT_HEAD_CHARS],
            prose_paragraphs=counts["prose"],
            article_elements=counts["articles"],
            teaser_headlines=counts["teasers"],
            time_elements=counts["times"],
            password_inputs=counts["passwords"],
            forum_marks=markers["forum"],
            forum_text_marks=len(_FORUM_TEXT.findall(page_text)),
            cart_marks=markers["cart"]
            + len(_CART_LABEL.findall(controls))
            + len(_CART_ACTION.findall(sources)),
            price_marks=markers["price"],
            price_texts=len(_PRICE_TEXT.findall(page_text)),
            captcha_marks=markers["captcha"] + len(_SCRIPT_CAPTCHA.findall(sources)),
            consent_marks=markers["consent"],
            paywall_marks=markers["paywall"],
            paywall_texts=len(_PAYWALL_TEXT.findall(page_text)),
            error_marks=markers["error"],
            docs_marks=markers["docs"],
        )


@dataclass(frozen=True, slots=True)
class PageDecision:
    """What a page is, whether it is a soft failure, and why -- in a few words."""

    page_type: PageType
    #: "consent-wall" | "blocked" | "captcha" | "paywall" | "soft-404"; ``page_type`` is then
    #: "other", whatever the page pretends to be
    soft_failure: SoftFailure | None
    reason: str  # e.g. "json-ld product", "link density 0.71"

    @property
    def is_article(self) -> bool:
        return self.page_type == "article" and self.soft_failure is None


# --- reading helpers -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Head:
    og_type: str
    generator: str
    published: bool
    product: bool


@dataclass(frozen=True, slots=True)
class _Schema:
    types: tuple[str, ...]
    accessible_for_free: bool | None
    published: bool


def _read_head(root: HtmlElement) -> _Head:
    og_type = generator = ""
    published = product = False
    for meta in _META(root):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").lower()
        content = meta.get("content") or ""
        if key == "og:type" and not og_type:
            og_type = content.strip().lower()
        elif key == "generator":
            generator = f"{generator} {content}".strip()
        elif key in _PUBLISHED_META_KEYS:
            published = published or bool(content.strip())
        elif key in _PRODUCT_META_KEYS:
            product = product or (key != "twitter:data1" or bool(_PRICE_TEXT.search(content)))
    return _Head(og_type, generator[:200], published, product)


def _read_schema(root: HtmlElement) -> _Schema:
    types: list[str] = []
    free: bool | None = None
    published = False
    for entity in _json_ld_entities(root):
        entity_types = _types_of(entity.get("@type"))
        types.extend(entity_types)
        if _ARTICLE_TYPES.intersection(entity_types) and entity.get("datePublished"):
            published = True
        if _declares_not_free(entity):
            free = False
        elif free is None and entity.get("isAccessibleForFree") is not None:
            free = True
    types.extend(_bare_type(t) for value in _MICRODATA_TYPES(root) for t in value.split())
    return _Schema(tuple(dict.fromkeys(t for t in types if t)), free, published)


def _json_ld_entities(root: HtmlElement) -> Iterator[dict[str, object]]:
    """Top-level JSON-LD entities (``@graph`` members included) and their ``mainEntity``."""
    for raw in _JSON_LD(root):
        try:
            data = json.loads(raw)
        except ValueError:
            continue  # broken JSON-LD is common; it is simply not evidence
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
    """"https://schema.org/NewsArticle" -> "newsarticle"."""
    return value.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1].strip().lower()


def _declares_not_free(entity: dict[str, object]) -> bool:
    parts = entity.get("hasPart")
    candidates: list[object] = [entity.get("isAccessibleForFree")]
    for part in parts if isinstance(parts, list) else [parts]:
        if isinstance(part, dict):
            candidates.append(part.get("isAccessibleForFree"))
    return any(v is False or (isinstance(v, str) and v.lower() == "false") for v in candidates)


def _count_markers(root: HtmlElement) -> Counter[Marker]:
    tokens = " ".join(_CLASS_AND_ID(root)).lower()
    return Counter(_MARKER_OF[token] for token in _MARKER_RE.findall(tokens))


def _collapse(text: str) -> str:
    return " ".join(text.split())


# --- URL shape -----------------------------------------------------------------------------

_DATED_PATH: Final = re.compile(r"/(?:19|20)\d\d[/-](?:0?[1-9]|1[0-2])(?:[/-](?:[0-2]?\d|3[01]))?/")
_ARCHIVE_PATH: Final = re.compile(r"/(?:19|20)\d\d(?:/(?:0?[1-9]|1[0-2]))?/?$")
_NUMERIC_ID: Final = re.compile(r"[-_/.](?:\d{5,}|[a-z]?\d{6,})(?:\.html?)?/?$")
_LISTING_SEGMENTS: Final = frozenset(
    {
        "tag", "tags", "category", "categories", "topic", "topics", "section", "sections",
        "archive", "archives", "author", "authors", "label", "labels", "collections", "c",
        "list", "latest", "all", "index", "rubrik", "rubrique", "thema", "themen", "ressort",
    }
)
_INDEX_LAST_SEGMENTS: Final = frozenset(
    {"news", "blog", "blogs", "articles", "posts", "stories", "press", "newsroom",
     "press-releases", "insights", "resources", "events", "issues", "magazine", "nachrichten",
     "actualites", "noticias", "notizie"}
)
_FORUM_SEGMENTS: Final = frozenset(
    {"forum", "forums", "thread", "threads", "topic", "t", "questions", "viewtopic.php",
     "showthread.php", "comments", "discussion", "discussions", "community", "board"}
)
_PRODUCT_SEGMENTS: Final = frozenset(
    {"product", "products", "p", "dp", "item", "itm", "shop", "store", "buy", "produkt", "produit"}
)
_DOCS_SEGMENTS: Final = frozenset(
    {"docs", "doc", "documentation", "manual", "reference", "api", "sdk", "guide", "guides",
     "handbook", "kb", "knowledge-base", "help", "support", "wiki", "learn", "tutorial"}
)
_SEARCH_KEYS: Final = frozenset({"s", "q", "query", "search", "keyword", "keywords", "k"})
_PAGE_KEYS: Final = frozenset({"page", "p", "pg", "paged", "start", "offset"})
_LANGUAGE_ROOT: Final = re.compile(r"^/(?:[a-z]{2}(?:[-_][a-z]{2})?/?)?$", re.IGNORECASE)
_HOME_FILES: Final = re.compile(r"^/(?:index|default|home)\.(?:html?|php|aspx?)$", re.IGNORECASE)


def url_hints(url: str | None) -> tuple[UrlHint, ...]:
    """What the shape of ``url`` suggests about the page, in a fixed order."""
    if not url:
        return ()
    parts = urlsplit(url)
    path = parts.path or "/"
    segments = [s.lower() for s in path.split("/") if s]
    query = {k.lower(): v for k, v in parse_qsl(parts.query, keep_blank_values=True)}
    hints: list[UrlHint] = []
    if _LANGUAGE_ROOT.match(path) or _HOME_FILES.match(path):
        hints.append("home")
    if _DATED_PATH.search(path) or _NUMERIC_ID.search(path.lower()):
        hints.append("dated")
    if segments and segments[-1].count("-") >= 3 and not segments[-1].isdigit():
        hints.append("article-slug")
    if (
        _LISTING_SEGMENTS.intersection(segments[:-1] if len(segments) > 1 else segments)
        or (segments and segments[-1] in _INDEX_LAST_SEGMENTS)
        or _ARCHIVE_PATH.search(path)
    ):
        hints.append("listing")
    if _SEARCH_KEYS.intersection(query) or "search" in segments:
        hints.append("search")
    if _PAGE_KEYS.intersection(query) or re.search(r"/page/\d+/?$", path):
        hints.append("paged")
    if _FORUM_SEGMENTS.intersection(segments) or "forum" in parts.netloc.split(".")[0]:
        hints.append("forum")
    if _PRODUCT_SEGMENTS.intersection(segments[:-1]):
        hints.append("product")
    if _DOCS_SEGMENTS.intersection(segments) or parts.netloc.startswith(("docs.", "developer.")):
        hints.append("docs")
    return tuple(hints)
