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


@dataclass(slots=True)
class _Tally:
    """What one pass learns about an element, bottom-up."""

    chars: int = 0  # characters of text it contributes (0 once it is selected for removal)
    boiler_chars: int = 0
    hits: int = 0  # text units judged boilerplate
    has_block: bool = False  # it has a block-level descendant
    has_match: bool = False  # an attribute rule selects one of its descendants
    category: str = ""
    match: Match | None = None  # the attribute rule that selects it


def prune_boilerplate(
    root: HtmlElement,
    line_rules: Sequence[LineRule],
    attribute_rules: Sequence[AttributeRule] = ATTRIBUTE_RULES,
) -> list[Removal]:
    """Remove boilerplate elements from ``root`` in place; return what was removed.

    Elements without text are removed too but not logged: they took nothing from the text.

    One bottom-up pass over the body (Python-level walks of the tree are the cost here)
    finds the elements attribute rules select and tallies, for every other element, how
    much of its text is boilerplate; a top-down walk then picks the outermost selected and
    phrase-dominated elements.
    """
    body = _body_of(root)
    if body is None:
        return []
    nodes = [el for el in body.iter(etree.Element) if el.tag not in _SKIPPED_TAGS]
    tallies = {el: _Tally() for el in nodes}
    _match_attributes(nodes, tallies, attribute_rules, body)
    _tally_text(nodes, tallies, line_rules)
    removals: list[Removal] = []
    for element, rule, category in _outermost_selected(body, tallies):
        removal = _removal(element, rule, category)
        if removal.text:  # a textless element (an icon, a tracking pixel) removes no text
            removals.append(removal)
        _drop(element)
    return removals


def _body_of(root: HtmlElement) -> HtmlElement | None:
    if root.tag == "body":
        return root
    body = root.find("body")
    return body if body is not None else root


def _match_attributes(
    nodes: Sequence[HtmlElement],
    tallies: dict[HtmlElement, _Tally],
    rules: Sequence[AttributeRule],
    body: HtmlElement,
) -> None:
    """Mark what attribute rules select (unless protected) and which elements hold blocks."""
    body_chars: list[int] = []  # computed on first need: most pages never need it
    for element in reversed(nodes):  # descendants come before their ancestors
        tally = tallies[element]
        if element is not body and _may_match(element):
            tally.match = _first_unprotected_match(element, rules, body, body_chars)
        parent = tallies.get(element.getparent())
        if parent is None:
            continue
        if tally.has_block or element.tag in BLOCK_TAGS:
            parent.has_block = True
        if tally.has_match or tally.match is not None:
            parent.has_match = True


def _may_match(element: HtmlElement) -> bool:
    """Cheap pre-check: every attribute rule needs an attribute or one of a few tags."""
    return bool(element.attrib) or element.tag in _RULE_TAGS


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


def _tally_text(
    nodes: Sequence[HtmlElement],
    tallies: dict[HtmlElement, _Tally],
    line_rules: Sequence[LineRule],
) -> None:
    """Characters, boilerplate characters and hits per element, bottom-up.

    A *text unit* is an element with no block-level descendant whose parent has one: its
    whole text is judged as one line. Loose text beside blocks counts as non-boilerplate.
    Elements an attribute rule selected contribute nothing to their ancestors.
    """
    for element in reversed(nodes):
        tally = tallies[element]
        parent = tallies.get(element.getparent())
        if tally.match is not None:
            continue
        if not tally.has_block:
            if parent is not None and not parent.has_block:
                continue  # part of a larger unit, judged there
            _judge_unit(element, tally, line_rules)
        else:
            tally.chars += _loose_chars(element)
        if parent is not None:
            _add(parent, tally)


def _outermost_selected(
    body: HtmlElement, tallies: dict[HtmlElement, _Tally]
) -> list[tuple[HtmlElement, str, str]]:
    """Elements to remove, outermost only, in document order: (element, rule, category)."""
    selected: list[tuple[HtmlElement, str, str]] = []
    stack = _element_children(body)
    while stack:
        element = stack.pop()
        tally = tallies.get(element)
        if tally is None:
            continue  # script, style, template
        if tally.match is not None:
            selected.append((element, tally.match.rule, tally.match.category))
            continue
        if _is_dominated(tally) and not bool(_PROTECTED(element)):
            selected.append((element, "dom.phrase-block", tally.category))
            continue
        if tally.has_block or tally.has_match:
            stack.extend(_element_children(element))
    return selected


def _element_children(element: HtmlElement) -> list[HtmlElement]:
    """Child elements (no comments), last first: ready to be a depth-first stack."""
    return list(element.iterchildren(etree.Element, reversed=True))


def _is_dominated(tally: _Tally) -> bool:
    return (
        tally.hits >= MIN_DOMINANT_HITS
        and tally.chars <= MAX_DOMINATED_CHARS
        and tally.boiler_chars >= DOMINANCE_THRESHOLD * tally.chars
    )


def _judge_unit(element: HtmlElement, tally: _Tally, line_rules: Sequence[LineRule]) -> None:
    text = collapse_whitespace(element.text_content())
    tally.chars = len(text)
    if not text or len(text) > MAX_UNIT_CHARS:
        return  # a long text unit is content: no line rule removes a paragraph that size
    verdict = judge_line(make_line(text), line_rules)
    if verdict is not None:
        tally.boiler_chars = tally.chars
        tally.hits = 1
        tally.category = verdict.category


def _loose_chars(element: HtmlElement) -> int:
    """Characters of text directly inside ``element`` (not inside its child elements)."""
    chars = len((element.text or "").strip())
    for child in element:
        chars += len((child.tail or "").strip())
    return chars


def _add(parent: _Tally, child: _Tally) -> None:
    parent.chars += child.chars
    parent.boiler_chars += child.boiler_chars
    parent.hits += child.hits
    if child.boiler_chars and (not parent.category or child.category == "adblock-notice"):
        parent.category = child.category


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
