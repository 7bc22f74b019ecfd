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
from collections.abc import Callable, Iterator, Sequence
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

_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_PROTECTED = etree.XPath(
    "boolean(self::h1 | self::main | descendant::h1 | descendant::main"
    " | descendant-or-self::*[@itemprop='articleBody']"
    " | descendant-or-self::article[not(contains(@class, 'comment'))])"
)


@dataclass(frozen=True, slots=True)
class ContainerPattern:
    """Plugin containers of one category, by exact ids and by class/id token patterns."""

    category: str
    ids: frozenset[str]
    #: regex alternation one whole class token (or id) must match; no capturing groups
    tokens: str


CONTAINER_PATTERNS: tuple[ContainerPattern, ...] = (
    ContainerPattern(
        "comment-prompt",
        frozenset({"comments", "respond", "disqus_thread", "comment-section", "reply-title"}),
        (
            r"comments-area|comment-respond|comment-list|commentlist|comments-section"
            r"|comment-form|comments-wrapper|comments-container|wp-block-comments"
            r"|wp-block-post-comments(?:-form)?|fb-comments|comment-reply-title|comments"
        ),
    ),
    ContainerPattern(
        "share",
        frozenset({"jp-post-flair"}),
        (
            r"share|sharing|sharedaddy|sd-sharing-enabled|sd-block|addtoany_share_save_container"
            r"|a2a_kit|social-share|social-sharing|share-buttons|sharing-buttons|share-bar"
            r"|share-links|post-share|entry-share|article-share|ssba\S*|shareaholic\S*"
            r"|heateor_sss\S*|essb_links|swp_social_panel|social-icons|follow-us"
        ),
    ),
    ContainerPattern(
        "related",
        frozenset({"jp-relatedposts", "related-posts", "related-articles"}),
        (
            r"jp-relatedposts|related-posts|relatedposts|yarpp-related\S*|crp_related\S*"
            r"|related-articles|related-stories|related-content|rp4wp-related-posts"
            r"|wp-block-jetpack-related-posts|more-stories|recommended-posts"
        ),
    ),
    ContainerPattern(
        "cookie",
        frozenset(
            {
                "cookie-notice",
                "cookie-law-info-bar",
                "onetrust-consent-sdk",
                "cybotcookiebotdialog",
                "cmplz-cookiebanner-container",
                "moove_gdpr_cookie_info_bar",
                "cookie-banner",
                "cookie-consent",
                "gdpr-consent",
            }
        ),
        (
            r"cookie-notice\S*|cookie-banner|cookie-consent\S*|cookie-law-info\S*|cli-modal\S*"
            r"|cmplz-cookiebanner|cc-window|cc-banner|cookiebar|cookie-bar|gdpr-banner"
            r"|moove-gdpr\S*|borlabs-cookie|ot-sdk-container"
        ),
    ),
    ContainerPattern(
        "newsletter",
        frozenset({"newsletter-signup", "mc_embed_signup"}),
        (
            r"mc4wp-form\S*|mc_embed_signup|newsletter-signup|newsletter-box|newsletter-form"
            r"|newsletter-widget|newsletter-block|jetpack_subscription_widget"
            r"|wp-block-jetpack-subscriptions\S*|subscribe-box"
        ),
    ),
    ContainerPattern(
        "adblock-notice",
        frozenset(),
        (r"chp[_-]ads?[_-]block\S*|chp[_-]adb\S*|adblock-notice|adblock-detect\S*"),
    ),
    ContainerPattern(
        "author-bio",
        frozenset({"author-bio", "author-box"}),
        (
            r"author-bio|author-box|about-author|about-the-author|saboxplugin-wrap|abh_box"
            r"|wp-block-post-author\S*|author-info"
        ),
    ),
    ContainerPattern(
        "ad",
        frozenset(),
        (r"adsbygoogle|advertisement|ad-container|ad-slot|ad-wrapper|ad-unit"),
    ),
)


@dataclass(frozen=True, slots=True)
class Match:
    """An element an attribute rule selected."""

    rule: str
    category: str
    guard_text_share: bool  # also keep the element when it holds most of the page text


AttributeRule = Callable[[HtmlElement], Match | None]


def hidden_rule(element: HtmlElement) -> Match | None:
    attrib = element.attrib
    style = attrib.get("style")
    aria = attrib.get("aria-hidden")
    if (
        "hidden" in attrib
        or (aria is not None and aria.strip().lower() == "true")
        or (style is not None and _HIDDEN_STYLE.search(style))
    ):
        return Match("dom.hidden", "hidden", guard_text_share=True)
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
    return Match("dom.form", "form", guard_text_share=True) if element.tag == "form" else None


def _container_index(
    patterns: Sequence[ContainerPattern],
) -> tuple[dict[str, str], re.Pattern[str]]:
    """Exact ids to category, and one regex over all class/id tokens (group name = index)."""
    ids = {element_id: p.category for p in patterns for element_id in p.ids}
    alternatives = "|".join(f"(?P<c{index}>{p.tokens})" for index, p in enumerate(patterns))
    return ids, re.compile(rf"(?:^|\s)(?:{alternatives})(?=\s|$)", re.IGNORECASE)


_CONTAINER_IDS, _CONTAINER_TOKENS = _container_index(CONTAINER_PATTERNS)


def container_rule(element: HtmlElement) -> Match | None:
    """Known plugin containers by their stable id or a class token."""
    attrib = element.attrib
    element_id = attrib.get("id")
    category = _CONTAINER_IDS.get(element_id.strip().lower()) if element_id else None
    if category is None:
        names = f"{attrib.get('class', '')} {element_id or ''}"
        match = _CONTAINER_TOKENS.search(names) if names.strip() else None
        if match is None or match.lastgroup is None:
            return None
        category = CONTAINER_PATTERNS[int(match.lastgroup[1:])].category
    return Match(f"dom.container.{category}", category, False)


ATTRIBUTE_RULES: tuple[AttributeRule, ...] = (
    hidden_rule,
    modal_rule,
    noscript_rule,
    form_rule,
    container_rule,
)

# Walking every element in Python costs more than the rest of the pruning; one XPath (in C)
# picks the few elements any attribute rule could select. A rule added above must be covered
# here too: every element it selects must contain one of these tags, attributes or
# (lower-cased) substrings of its class or id -- tests/test_clean_dom.py holds this.
CANDIDATE_TAGS = ("dialog", "noscript", "form")
CANDIDATE_ATTRIBUTES = ("hidden", "aria-hidden", "aria-modal", "role", "style")
CANDIDATE_NAME_HINTS = (
    "comment", "respond", "disqus", "reply", "shar", "addtoany", "a2a", "ssba", "heateor",
    "essb", "swp_", "social", "follow", "related", "more-stories", "recommended", "cookie",
    "onetrust", "cybot", "cmplz", "cc-", "gdpr", "borlabs", "ot-sdk", "newsletter", "mc4wp",
    "mc_embed", "subscri", "chp", "adblock", "author", "abh_", "sabox", "adsbygoogle",
    "advert", "ad-",
)  # fmt: skip


def _candidate_xpath() -> etree.XPath:
    names = "translate(concat(@class, ' ', @id), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', "
    names += "'abcdefghijklmnopqrstuvwxyz')"
    tests = [f"self::{tag}" for tag in CANDIDATE_TAGS]
    tests += [f"@{attribute}" for attribute in CANDIDATE_ATTRIBUTES]
    tests += [f"contains({names}, '{hint}')" for hint in CANDIDATE_NAME_HINTS]
    return etree.XPath(f".//*[{' or '.join(tests)}]")


ATTRIBUTE_CANDIDATES = _candidate_xpath()


# --- pruning -------------------------------------------------------------------------------


def prune_boilerplate(
    root: HtmlElement,
    line_rules: Sequence[LineRule],
    attribute_rules: Sequence[AttributeRule] = ATTRIBUTE_RULES,
) -> list[Removal]:
    """Remove boilerplate elements from ``root`` in place; return what was removed."""
    body = _body_of(root)
    if body is None:
        return []
    removals: list[Removal] = []
    for element, match in list(_attribute_matches(body, attribute_rules)):
        removals.append(_removal(element, match.rule, match.category))
        _drop(element)
    for element, category in _phrase_dominated(body, line_rules):
        removals.append(_removal(element, "dom.phrase-block", category))
        _drop(element)
    return removals


def _body_of(root: HtmlElement) -> HtmlElement | None:
    if root.tag == "body":
        return root
    body = root.find("body")
    return body if body is not None else root


def _attribute_matches(
    body: HtmlElement, rules: Sequence[AttributeRule]
) -> Iterator[tuple[HtmlElement, Match]]:
    """Unprotected elements some rule selects, outermost only (their subtrees are skipped)."""
    body_chars: list[int] = []  # computed on first need: most pages never need it
    selected: set[HtmlElement] = set()
    for element in ATTRIBUTE_CANDIDATES(body):
        match = _first_match(element, rules)
        if match is None or _inside(element, selected, body):
            continue
        if not _is_protected(element, match, body, body_chars):
            selected.add(element)
            yield element, match


def _inside(element: HtmlElement, selected: set[HtmlElement], body: HtmlElement) -> bool:
    """True when an ancestor of ``element`` (below ``body``) is selected or is skipped."""
    for ancestor in element.iterancestors():
        if ancestor is body:
            return False
        if ancestor in selected or ancestor.tag in _SKIPPED_TAGS:
            return True
    return False


def _first_match(element: HtmlElement, rules: Sequence[AttributeRule]) -> Match | None:
    for rule in rules:
        match = rule(element)
        if match is not None:
            return match
    return None


def _element_children(element: HtmlElement) -> list[HtmlElement]:
    """Child elements (no comments), last first: ready to be a depth-first stack."""
    return list(element.iterchildren(etree.Element, reversed=True))


def _is_protected(
    element: HtmlElement, match: Match, body: HtmlElement, body_chars: list[int]
) -> bool:
    if bool(_PROTECTED(element)):
        return True
    if match.guard_text_share:
        if not body_chars:
            body_chars.append(max(len(collapse_whitespace(body.text_content())), 1))
        chars = len(collapse_whitespace(element.text_content()))
        return chars > MAX_HIDDEN_SHARE * body_chars[0]
    return False


@dataclass(slots=True)
class _Tally:
    """Text statistics of one element, gathered bottom-up."""

    chars: int = 0
    boiler_chars: int = 0
    hits: int = 0
    has_block: bool = False  # the element has a block-level descendant
    category: str = ""


def _phrase_dominated(
    body: HtmlElement, line_rules: Sequence[LineRule]
) -> list[tuple[HtmlElement, str]]:
    """Outermost containers whose text is dominated by boilerplate units."""
    tallies = _tally(body, line_rules)
    selected: list[tuple[HtmlElement, str]] = []
    stack = _element_children(body)
    while stack:
        element = stack.pop()
        tally = tallies.get(element)
        if tally is None or tally.boiler_chars == 0:
            continue
        if _is_dominated(tally) and not bool(_PROTECTED(element)):
            selected.append((element, tally.category))
            continue
        stack.extend(_element_children(element))
    return selected


def _is_dominated(tally: _Tally) -> bool:
    return (
        tally.hits >= MIN_DOMINANT_HITS
        and tally.chars <= MAX_DOMINATED_CHARS
        and tally.boiler_chars >= DOMINANCE_THRESHOLD * tally.chars
    )


def _tally(body: HtmlElement, line_rules: Sequence[LineRule]) -> dict[HtmlElement, _Tally]:
    """Per element: characters, boilerplate characters and hits, in one bottom-up pass.

    A *text unit* is an element with no block-level descendant whose parent has one: its
    whole text is judged as one line. Loose text beside blocks counts as non-boilerplate.
    """
    # lxml hands out the same proxy object while a reference lives: ``nodes`` keeps them.
    nodes = [el for el in body.iter(etree.Element) if el.tag not in _SKIPPED_TAGS]
    tallies: dict[HtmlElement, _Tally] = {el: _Tally() for el in nodes}
    for element in reversed(nodes):  # descendants come before their ancestors
        tally = tallies[element]
        parent = element.getparent()
        parent_tally = tallies.get(parent) if parent is not None else None
        if parent_tally is not None and (tally.has_block or element.tag in BLOCK_TAGS):
            parent_tally.has_block = True
    for element in reversed(nodes):
        tally = tallies[element]
        parent = element.getparent()
        parent_tally = tallies.get(parent) if parent is not None else None
        if not tally.has_block:
            if parent_tally is not None and not parent_tally.has_block:
                continue  # part of a larger unit, judged there
            _judge_unit(element, tally, line_rules)
        else:
            tally.chars += _loose_chars(element)
        if parent_tally is not None:
            _add(parent_tally, tally)
    return tallies


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
