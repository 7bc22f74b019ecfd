"""DOM-level boilerplate removal: prune the parsed page in place before extraction.

Two kinds of rules, each named and logged as a ``Removal(level="dom")``:

* **Attribute rules** (:data:`ATTRIBUTE_RULES`) recognise an element by what it is, not by
  what it says: hidden elements (``hidden``, ``aria-hidden="true"``, inline ``display:none`` /
  ``visibility:hidden``), dialogs and modals (``<dialog>``, ``role="dialog"``,
  ``aria-modal``), ``<noscript>``, ``<form>``, and containers of well-known plugins named by
  stable ids and class tokens (comment sections, share bars, related posts, cookie banners,
  newsletter boxes, ad-block notices, author boxes).
* **Phrase dominance** (``dom.phrase-block``) recognises an element by what it says, so it
  also works when class names are random: a container whose text units are mostly
  catalogue boilerplate (judged by the same line rules as the text level) goes as a whole.

Guards keep the article safe: nothing that holds the page's ``<h1>``, ``<main>``, an
``<article>`` (other than a comment's) or ``itemprop="articleBody"`` is removed, and hidden
elements and forms that hold most of the page's text stay (some sites hide the body until a
script runs, ASP.NET wraps whole pages in one form).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from lxml import etree
from lxml.html import HtmlElement

from newsclean.cleaners.lines import LineRule, judge_line, make_line
from newsclean.cleaners.records import Removal
from newsclean.cleaners.text import collapse_whitespace, word_set

#: a phrase-dominated container: at least this share of its text is boilerplate ...
DOMINANCE_THRESHOLD = 0.7
#: ... in at least this many separate text units ...
MIN_DOMINANT_HITS = 2
#: ... and it is no larger than this (characters)
MAX_DOMINATED_CHARS = 5000
#: hidden elements and forms holding more than this share of the body text are kept
MAX_HIDDEN_SHARE = 0.5
REMOVAL_TEXT_LIMIT = 500
#: text units longer than this (characters) are not judged: they count as content
MAX_UNIT_CHARS = 600

BLOCK_TAGS = word_set(
    """
    address article aside blockquote center dd details dialog div dl dt fieldset figcaption
    figure footer form h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section summary table
    tbody td tfoot th thead tr ul
    """
)
_SKIPPED_TAGS = frozenset({"head", "script", "style", "template"})
_RULE_TAGS = frozenset({"dialog", "noscript", "form"})

_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
#: a run of text this long (characters) is prose, not a menu entry or a button
LONG_TEXT_CHARS = 200
_HOLDS_LONG_TEXT = etree.XPath(
    f"boolean(.//text()[string-length(normalize-space(.)) > {LONG_TEXT_CHARS}])"
)
# React streaming server rendering sends content in <div hidden id="S:7"> for a script to
# move into place: hidden on the wire, visible to every reader.
_STREAMED_ID = re.compile(r"^S:\d+$")
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

#: attributes without which no attribute rule can select an element (besides _RULE_TAGS)
_RULE_ATTRIBUTES = frozenset({"hidden", "aria-hidden", "style", "role", "aria-modal"})
_CONTAINER_NAME_SET = frozenset(_CONTAINER_NAMES)
# Block tags as one string: XPath tests membership with one contains() instead of dozens of
# self:: tests (five times faster on real pages).
_BLOCK_NAMES = " " + " ".join(sorted(BLOCK_TAGS)) + " "
_IS_BLOCK = f"contains('{_BLOCK_NAMES}', concat(' ', local-name(), ' '))"
# Text units: block elements none of whose children is a block (their text is one "line").
_TEXT_UNITS = etree.XPath(f".//*[{_IS_BLOCK}][not(*[{_IS_BLOCK}])]")


def prune_boilerplate(
    root: HtmlElement,
    line_rules: Sequence[LineRule],
    attribute_rules: Sequence[AttributeRule] = ATTRIBUTE_RULES,
) -> list[Removal]:
    """Remove boilerplate elements from ``root`` in place; return what was removed.

    Elements without text are removed too but not logged: they took nothing from the text.

    Two passes, each kept to work in C where it can (Python-level walks of the tree are the
    cost here): attribute rules run only on elements a cheap pre-check lets through, and the
    phrase-dominance pass judges only text units (found by one XPath), then looks up from
    the few units judged boilerplate for the outermost container they dominate.
    """
    body = _body_of(root)
    if body is None:
        return []
    removals: list[Removal] = []
    for element, rule, category in _attribute_matches(body, attribute_rules):
        _remove(element, rule, category, removals)
    for element, category in _dominated_containers(body, line_rules):
        _remove(element, "dom.phrase-block", category, removals)
    return removals


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
    body: HtmlElement, rules: Sequence[AttributeRule]
) -> list[tuple[HtmlElement, str, str]]:
    """Outermost elements an attribute rule selects (unless protected), in document order."""
    selected: list[tuple[HtmlElement, str, str]] = []
    body_chars: list[int] = []  # computed on first need: most pages never need it
    for element in body.iter(etree.Element):
        if element.tag in _SKIPPED_TAGS or not _may_match(element):
            continue
        match = _first_unprotected_match(element, rules, body, body_chars)
        if match is not None:
            selected.append((element, match.rule, match.category))
    chosen = {element for element, _, _ in selected}
    return [m for m in selected if not _has_ancestor_in(m[0], chosen)]


def _has_ancestor_in(element: HtmlElement, elements: set[HtmlElement]) -> bool:
    parent = element.getparent()
    while parent is not None:
        if parent in elements:
            return True
        parent = parent.getparent()
    return False


def _may_match(element: HtmlElement) -> bool:
    """Cheap pre-check: every attribute rule needs one of a few attributes or tags, or a
    class / id that names a known container."""
    if element.tag in _RULE_TAGS:
        return True
    names = element.keys()
    if not names:
        return False
    if not _RULE_ATTRIBUTES.isdisjoint(names):
        return True
    return _names_container(element.get("class")) or _names_container(element.get("id"))


def _names_container(value: str | None) -> bool:
    if not value:
        return False
    tokens = value.lower().split()
    if not _CONTAINER_NAME_SET.isdisjoint(tokens):
        return True
    return any(token.startswith(_CONTAINER_PREFIXES) for token in tokens)


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
            body_chars.append(max(len(collapse_whitespace(body.text_content())), 1))
        chars = len(collapse_whitespace(element.text_content()))
        return chars > MAX_HIDDEN_SHARE * body_chars[0]
    return False


# --- phrase dominance ----------------------------------------------------------------------


@dataclass(slots=True)
class _Tally:
    """Boilerplate seen below one container: characters, text units, and their category."""

    boiler_chars: int = 0
    hits: int = 0
    category: str = ""


def _dominated_containers(
    body: HtmlElement, line_rules: Sequence[LineRule]
) -> list[tuple[HtmlElement, str]]:
    """Outermost containers whose text is mostly boilerplate units (see the module doc)."""
    hits = _boilerplate_units(body, line_rules)
    if len(hits) < MIN_DOMINANT_HITS:
        return []  # the common case: no container can be dominated
    tallies: dict[HtmlElement, _Tally] = {}
    chain: dict[HtmlElement, list[HtmlElement]] = {}
    sizes: dict[HtmlElement, int] = {}  # collapsed text length of each ancestor looked at
    for unit, chars, category in hits:
        chain[unit] = _ancestors_within(unit, body, sizes)
        for ancestor in chain[unit]:
            tally = tallies.setdefault(ancestor, _Tally())
            tally.boiler_chars += chars
            tally.hits += 1
            if not tally.category or category == "adblock-notice":
                tally.category = category
    selected: list[tuple[HtmlElement, str]] = []
    taken: set[HtmlElement] = set()
    for unit, _chars, _category in hits:
        outermost = None
        for ancestor in chain[unit]:
            if ancestor in taken:
                outermost = None
                break
            tally = tallies[ancestor]
            if tally.hits >= MIN_DOMINANT_HITS and _is_dominated(sizes[ancestor], tally):
                outermost = ancestor
        if outermost is not None and not bool(_PROTECTED(outermost)):
            taken.add(outermost)
            selected.append((outermost, tallies[outermost].category))
    return [(e, c) for e, c in selected if not _has_ancestor_in(e, taken)]


def _boilerplate_units(
    body: HtmlElement, line_rules: Sequence[LineRule]
) -> list[tuple[HtmlElement, int, str]]:
    """(unit, characters, category) of every text unit a line rule judges boilerplate."""
    hits: list[tuple[HtmlElement, int, str]] = []
    for unit in _TEXT_UNITS(body):
        raw = unit.text_content()
        if not raw or len(raw) > 4 * MAX_UNIT_CHARS:
            continue
        text = collapse_whitespace(raw)
        if not text or len(text) > MAX_UNIT_CHARS:
            continue  # a long text unit is content: no line rule removes a paragraph that size
        verdict = judge_line(make_line(text), line_rules)
        if verdict is not None:
            hits.append((unit, len(text), verdict.category))
    return hits


def _ancestors_within(
    unit: HtmlElement, body: HtmlElement, sizes: dict[HtmlElement, int]
) -> list[HtmlElement]:
    """``unit``'s ancestors below ``body``, innermost first, while their text fits
    MAX_DOMINATED_CHARS (those above are larger still: none of them can be dominated);
    ``sizes`` caches each one's text length."""
    ancestors: list[HtmlElement] = []
    parent = unit.getparent()
    while parent is not None and parent is not body:
        size = sizes.get(parent)
        if size is None:
            raw = parent.text_content()
            # whitespace counts in the raw length: a cheap bound before collapsing
            size = len(raw) if len(raw) > 4 * MAX_DOMINATED_CHARS else len(collapse_whitespace(raw))
            sizes[parent] = size
        if size > MAX_DOMINATED_CHARS:
            break
        ancestors.append(parent)
        parent = parent.getparent()
    return ancestors


def _is_dominated(chars: int, tally: _Tally) -> bool:
    return chars <= MAX_DOMINATED_CHARS and tally.boiler_chars >= DOMINANCE_THRESHOLD * chars


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
