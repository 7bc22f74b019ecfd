"""DOM-level boilerplate removal: prune the parsed page in place before extraction.

**Attribute rules** (:data:`ATTRIBUTE_RULES`) recognise an element by what it is, not by
what it says, and each removal is logged as a ``Removal(level="dom")``: hidden elements
(``hidden``, ``aria-hidden="true"``, inline ``display:none`` / ``visibility:hidden``),
dialogs and modals (``<dialog>``, ``role="dialog"``, ``aria-modal``), ``<noscript>``,
``<form>``, and containers of well-known plugins named by stable ids and class tokens
(comment sections, share bars, related posts, cookie banners, newsletter boxes, ad-block
notices, author boxes).

What an element *says* is judged after extraction, where it is cheap: a block of the
extracted text made mostly of boilerplate lines goes as a whole (``line.block``, see
:mod:`newsclean.cleaners.lines`), which also catches containers with random class names.
(An earlier DOM-level version judged every text unit of the page; on the WCXB pages it
removed nothing the block rule does not, at a tenth of the extraction's time.)

Guards keep the article safe: nothing that holds the page's ``<h1>``, ``<main>``, an
``<article>`` (other than a comment's) or ``itemprop="articleBody"`` is removed, and hidden
elements and forms that hold most of the page's text stay (some sites hide the body until a
script runs, ASP.NET wraps whole pages in one form).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from lxml import etree
from lxml.html import HtmlElement

from newsclean.cleaners.records import Removal
from newsclean.cleaners.text import collapse_whitespace, word_set

#: hidden elements and forms holding more than this share of the body text are kept
MAX_HIDDEN_SHARE = 0.5
REMOVAL_TEXT_LIMIT = 500
#: class and id values whose verdict is remembered
NAME_CACHE_SIZE = 16_384
#: elements whose text no reader sees (code, drawings, embedded frames and plugins, media
#: and their fallback text, images and inputs, the choices of a drop-down), dropped unlogged
#: (the extractor drops them too, after copying them); a ``<template>``'s content may be
#: moved into the page by a script: it stays
SILENT_TAGS = frozenset(
    {"script", "style", "svg", "iframe", "canvas", "object", "embed", "select", "datalist"}
    | {"img", "picture", "source", "video", "audio", "input"}
)
_SKIPPED_TAGS = frozenset({"head", "template", *SILENT_TAGS})
_RULE_TAGS = frozenset({"dialog", "noscript", "form"})
#: children of ``<head>`` no later stage reads (metadata and page features are read before
#: pruning): the extractor copies the whole tree several times a pass, head included
HEAD_SILENT_TAGS = frozenset({"script", "style", "noscript", "link"})
#: the one script kind that stays: the extractor's rescue and forum check read JSON-LD
_JSON_LD_TYPE = "application/ld+json"

_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
#: a run of text this long (characters) is prose, not a menu entry or a button
LONG_TEXT_CHARS = 200
_HOLDS_LONG_TEXT = etree.XPath(
    f"boolean(.//text()[string-length(normalize-space(.)) > {LONG_TEXT_CHARS}])"
)
# React streaming server rendering sends content in <div hidden id="S:7"> for a script to
# move into place: hidden on the wire, visible to every reader.
_STREAMED_ID = re.compile(r"^S:\d+$")
_TEXT_CHARS = etree.XPath("string-length(normalize-space(.))")
_PROTECTED = etree.XPath(
    "boolean(self::h1 | self::main | descendant::h1 | descendant::main"
    " | descendant-or-self::*[@itemprop='articleBody']"
    " | descendant-or-self::article[not(contains(@class, 'comment'))])"
)


@dataclass(frozen=True, slots=True)
class ContainerPattern:
    """Plugin containers of one category, by a class token or id (compared lower-cased)."""

    category: str
    #: whole class tokens or ids
    names: frozenset[str]
    #: beginnings of class tokens or ids (plugins that number or suffix their names)
    prefixes: tuple[str, ...] = ()


CONTAINER_PATTERNS: tuple[ContainerPattern, ...] = (
    ContainerPattern(
        "comment-prompt",
        word_set(
            """
            comments respond disqus_thread comment-section reply-title comments-area
            comment-respond comment-list commentlist comments-section comment-form
            comments-wrapper comments-container wp-block-comments wp-block-post-comments
            wp-block-post-comments-form fb-comments comment-reply-title
            """
        ),
    ),
    ContainerPattern(
        "share",
        word_set(
            """
            share sharing sharedaddy sd-sharing-enabled sd-block jp-post-flair
            addtoany_share_save_container a2a_kit social-share social-sharing share-buttons
            sharing-buttons share-bar share-links post-share entry-share article-share
            essb_links swp_social_panel social-icons follow-us
            """
        ),
        ("ssba", "shareaholic", "heateor_sss"),
    ),
    ContainerPattern(
        "related",
        word_set(
            """
            jp-relatedposts related-posts relatedposts related-articles related-stories
            related-content rp4wp-related-posts wp-block-jetpack-related-posts more-stories
            recommended-posts
            """
        ),
        ("yarpp-related", "crp_related"),
    ),
    ContainerPattern(
        "cookie",
        word_set(
            """
            cookie-banner cookie-bar cookiebar cookie-law-info-bar onetrust-consent-sdk
            cybotcookiebotdialog cmplz-cookiebanner cmplz-cookiebanner-container
            moove_gdpr_cookie_info_bar gdpr-consent gdpr-banner cc-window cc-banner
            borlabs-cookie ot-sdk-container
            """
        ),
        ("cookie-notice", "cookie-consent", "cookie-law-info", "cli-modal", "moove-gdpr"),
    ),
    ContainerPattern(
        "newsletter",
        word_set(
            """
            mc_embed_signup newsletter-signup newsletter-box newsletter-form newsletter-widget
            newsletter-block jetpack_subscription_widget subscribe-box
            """
        ),
        ("mc4wp-form", "wp-block-jetpack-subscriptions"),
    ),
    ContainerPattern(
        "adblock-notice",
        word_set("adblock-notice"),
        ("chp_ads", "chp-ads", "chp_adb", "chp-adb", "adblock-detect"),
    ),
    ContainerPattern(
        "author-bio",
        word_set(
            """
            author-bio author-box about-author about-the-author saboxplugin-wrap abh_box
            author-info
            """
        ),
        ("wp-block-post-author",),
    ),
    ContainerPattern(
        "ad",
        word_set("adsbygoogle advertisement ad-container ad-slot ad-wrapper ad-unit"),
    ),
)


@dataclass(frozen=True, slots=True)
class Match:
    """An element an attribute rule selected."""

    rule: str
    category: str
    #: keep the element when it holds most of the page's text
    guard_text_share: bool
    #: keep the element when it holds a paragraph-sized text (hidden content that a
    #: script reveals: streamed server rendering, lazy article bodies)
    guard_long_text: bool = False


AttributeRule = Callable[[HtmlElement], Match | None]


def hidden_rule(element: HtmlElement) -> Match | None:
    attrib = element.attrib
    style = attrib.get("style")
    aria = attrib.get("aria-hidden")
    if _STREAMED_ID.match(attrib.get("id", "")):
        return None
    if (
        "hidden" in attrib
        or (aria is not None and aria.strip().lower() == "true")
        or (style is not None and _HIDDEN_STYLE.search(style))
    ):
        return Match("dom.hidden", "hidden", guard_text_share=True, guard_long_text=True)
    return None


def modal_rule(element: HtmlElement) -> Match | None:
    attrib = element.attrib
    role = attrib.get("role")
    modal = attrib.get("aria-modal")
    if (
        element.tag == "dialog"
        or (role is not None and role.strip().lower() in ("dialog", "alertdialog"))
        or (modal is not None and modal.strip().lower() == "true")
    ):
        return Match("dom.modal", "modal", guard_text_share=True)
    return None


def noscript_rule(element: HtmlElement) -> Match | None:
    return Match("dom.noscript", "noscript", False) if element.tag == "noscript" else None


def form_rule(element: HtmlElement) -> Match | None:
    if element.tag != "form":
        return None
    return Match("dom.form", "form", guard_text_share=True, guard_long_text=True)


_CONTAINER_NAMES = {name: p.category for p in CONTAINER_PATTERNS for name in p.names}
_CONTAINER_PREFIXES = tuple(prefix for p in CONTAINER_PATTERNS for prefix in p.prefixes)
_PREFIX_CATEGORY = {prefix: p.category for p in CONTAINER_PATTERNS for prefix in p.prefixes}


def container_category(names: str) -> str | None:
    """Category of the first class token / id in ``names`` that a container pattern knows."""
    for name in names.lower().split():
        category = _CONTAINER_NAMES.get(name)
        if category is not None:
            return category
        if name.startswith(_CONTAINER_PREFIXES):
            for prefix, prefix_category in _PREFIX_CATEGORY.items():
                if name.startswith(prefix):
                    return prefix_category
    return None


def container_rule(element: HtmlElement) -> Match | None:
    """Known plugin containers by their stable id or a class token."""
    category = container_category(f"{element.get('class', '')} {element.get('id', '')}")
    if category is None:
        return None
    # A comment section may well hold more text than the article; anything else that does
    # is a theme wrapping the article in a "share" or "related" box (broken markup).
    return Match(f"dom.container.{category}", category, category != "comment-prompt")


ATTRIBUTE_RULES: tuple[AttributeRule, ...] = (
    hidden_rule,
    modal_rule,
    noscript_rule,
    form_rule,
    container_rule,
)

# --- pruning -------------------------------------------------------------------------------

_CONTAINER_NAME_SET = frozenset(_CONTAINER_NAMES)


def prune_boilerplate(
    root: HtmlElement, attribute_rules: Sequence[AttributeRule] = ATTRIBUTE_RULES
) -> list[Removal]:
    """Remove boilerplate elements from ``root`` in place; return what was removed.

    Elements without text are removed too but not logged: they took nothing from the text,
    and neither do scripts, styles, drawings and frames (:data:`SILENT_TAGS`). Only the outermost
    selected element of a nest is removed (and logged).
    """
    body = _body_of(root)
    if body is None:
        return []
    candidates, silent = _walk_body(body)
    removals: list[Removal] = []
    for element, rule, category in _attribute_matches(body, candidates, attribute_rules):
        _remove(element, rule, category, removals)
    for element in silent:
        _drop(element)
    _drop_head_silent(root)
    return removals


def _drop_head_silent(root: HtmlElement) -> None:
    """Drop :data:`HEAD_SILENT_TAGS` children of ``<head>`` (JSON-LD scripts stay);
    ``<meta>`` and ``<title>`` stay for the date search, which may read the whole page."""
    head = root.find("head") if root.tag != "head" else root
    if head is None:
        return
    for element in [e for e in head if e.tag in HEAD_SILENT_TAGS]:
        if element.tag == "script" and (element.get("type") or "").lower() == _JSON_LD_TYPE:
            continue
        _drop(element)


def _remove(element: HtmlElement, rule: str, category: str, removals: list[Removal]) -> None:
    removal = _removal(element, rule, category)
    if removal.text:  # a textless element (an icon, a tracking pixel) removes no text
        removals.append(removal)
    _drop(element)


def _body_of(root: HtmlElement) -> HtmlElement | None:
    if root.tag == "body":
        return root
    body = root.find("body")
    return body if body is not None else root


def _attribute_matches(
    body: HtmlElement, candidates: Sequence[HtmlElement], rules: Sequence[AttributeRule]
) -> list[tuple[HtmlElement, str, str]]:
    """Outermost elements an attribute rule selects (unless protected).

    Candidates come in document order, so an element's selected ancestor is always known
    before it: the element is then skipped before its (costlier) rules and guards run.
    """
    selected: list[tuple[HtmlElement, str, str]] = []
    chosen: set[HtmlElement] = set()
    body_chars: list[int] = []  # computed on first need: most pages never need it
    for element in candidates:
        if chosen and _has_ancestor_in(element, chosen):
            continue
        match = _first_unprotected_match(element, rules, body, body_chars)
        if match is not None:
            selected.append((element, match.rule, match.category))
            chosen.add(element)
    return selected


#: attributes without which no attribute rule can select an element (besides _RULE_TAGS)
_RULE_ATTRIBUTES = frozenset({"hidden", "aria-hidden", "style", "role", "aria-modal"})


def _walk_body(body: HtmlElement) -> tuple[list[HtmlElement], list[HtmlElement]]:
    """(candidates, silent) of the body, each in document order.

    *Candidates* are the elements worth running the attribute rules on: one walk with a
    cheap test per element (its tag, its attribute names, its class and id tokens against a
    set), measured faster than XPath prefilters, whose per-node predicate evaluation in
    libxml2 costs more than this loop. *Silent* elements (:data:`SILENT_TAGS`) never show
    text; the extractor drops them too, but only after copying the tree with them, three
    times a pass.
    """
    candidates: list[HtmlElement] = []
    silent: list[HtmlElement] = []
    for element in body.iter(etree.Element):
        tag = element.tag
        if tag in _SKIPPED_TAGS:
            if tag in SILENT_TAGS:
                silent.append(element)
            continue
        if tag in _RULE_TAGS:
            candidates.append(element)
            continue
        names = element.keys()
        if not names:
            continue
        if not _RULE_ATTRIBUTES.isdisjoint(names):
            candidates.append(element)
            continue
        class_names, ident = element.get("class"), element.get("id")
        if (class_names and _names_container(class_names)) or (ident and _names_container(ident)):
            candidates.append(element)
    return candidates, silent


def _has_ancestor_in(element: HtmlElement, elements: set[HtmlElement]) -> bool:
    parent = element.getparent()
    while parent is not None:
        if parent in elements:
            return True
        parent = parent.getparent()
    return False


@lru_cache(maxsize=NAME_CACHE_SIZE)
def _names_container(value: str) -> bool:
    """True when a class or id value holds a token naming a known container (remembered:
    a theme repeats the same class strings on hundreds of elements)."""
    lowered = value.lower()
    if not _CONTAINER_NAME_SET.isdisjoint(lowered.split()):
        return True
    return _CONTAINER_PREFIX_TOKEN.search(lowered) is not None


_CONTAINER_PREFIX_TOKEN = re.compile(
    r"(?<!\S)(?:" + "|".join(re.escape(p) for p in _CONTAINER_PREFIXES) + r")"
)


def _first_unprotected_match(
    element: HtmlElement, rules: Sequence[AttributeRule], body: HtmlElement, body_chars: list[int]
) -> Match | None:
    for rule in rules:
        match = rule(element)
        if match is not None and not _is_protected(element, match, body, body_chars):
            return match
    return None


def _is_protected(
    element: HtmlElement, match: Match, body: HtmlElement, body_chars: list[int]
) -> bool:
    if bool(_PROTECTED(element)):
        return True
    if match.guard_long_text and bool(_HOLDS_LONG_TEXT(element)):
        return True
    if match.guard_text_share:
        if not body_chars:
            body_chars.append(max(text_chars(body), 1))
        return text_chars(element) > MAX_HIDDEN_SHARE * body_chars[0]
    return False


def text_chars(element: HtmlElement) -> int:
    """Characters of the element's text with whitespace runs as one space (counted in C:
    no copy of the text is made)."""
    return int(_TEXT_CHARS(element))


def _removal(element: HtmlElement, rule: str, category: str) -> Removal:
    text = collapse_whitespace(element.text_content())[:REMOVAL_TEXT_LIMIT]
    return Removal(rule=rule, category=category, text=text, level="dom")


def _drop(element: HtmlElement) -> None:
    """Remove ``element`` but keep its tail text, which belongs to the parent."""
    parent = element.getparent()
    if parent is None:
        return
    tail = element.tail
    if tail and tail.strip():
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(element)
