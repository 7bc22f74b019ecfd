"""Density: a small, independent main-text extractor for pages trafilatura reads badly.

The classic paragraph-parent heuristic (the core of readability, without its rewriting of
the page): every paragraph with enough words votes for the element that holds it -- its
parent fully, its grandparent by half -- and the element with most votes is the article's
container. Many CMSs split one body into blocks of one template (a "text group" or "stream
field" per section, each its own ``<div class="...">``, often not even siblings): the
elements with the winner's tag, class and parent tag that won at least
:data:`MIN_PEER_SHARE` of its votes are the rest of the body and join it (readability's
sibling step, by template instead of by position). On the WCXB dev article pages this
lifted mean shingle F1 by 0.0018 (both halves alike): articles split into five to fifty
blocks were read whole, a few pages of same-template teaser cards lost precision.
The container's text blocks (paragraphs, headings, list items, quotes, preformatted text)
become the text, in document order, except those that are mostly link text (menus, teaser
lists).

It is a second opinion (see :mod:`newsclean.cleaners.choose`): on a page whose text
trafilatura gathered into one undivided block, or left short, and on a page whose densest
container holds more text than trafilatura kept. Finding the container costs one XPath
query; its blocks, a walk over it.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree
from lxml.html import HtmlElement

from newsclean.cleaners.dom import text_chars
from newsclean.cleaners.extract import Block, escape_markdown
from newsclean.cleaners.text import collapse_whitespace

#: a paragraph votes when it has at least this many characters
MIN_PARAGRAPH_CHARS = 80
#: text blocks whose text is more than this share link text are left out
MAX_LINK_SHARE = 0.5
#: the container's text must be at least this long (characters) to be a result
MIN_CONTAINER_CHARS = 500
#: an element of the winner's template joins it with at least this share of its votes
MIN_PEER_SHARE = 0.2

_PARAGRAPHS = etree.XPath("//body//p")
_TEXT_BLOCKS = frozenset({"p", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "dd"})
_HEADINGS = {"h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}


@dataclass(frozen=True, slots=True)
class Container:
    """Where the article's text is: the element most paragraphs point to and the elements of
    its template that hold the rest of the body (see the module docstring), in document
    order, none inside another."""

    elements: tuple[HtmlElement, ...]


def extract_by_density(root: HtmlElement) -> tuple[Block, ...]:
    """Blocks of the container most paragraphs point to; () when there is none."""
    container = best_container(root)
    return () if container is None else container_blocks(container)


def container_blocks(container: Container) -> tuple[Block, ...]:
    """The text blocks of ``container`` (see the module docstring); () when too short."""
    blocks = tuple(block for element in container.elements for block in _blocks_of(element))
    chars = sum(len(line) for block in blocks for line in block.lines)
    return blocks if chars >= MIN_CONTAINER_CHARS else ()


def container_chars(container: Container) -> int:
    """Characters of text in ``container``, links included (an upper bound of its blocks')."""
    return sum(text_chars(element) for element in container.elements)


def best_container(root: HtmlElement) -> Container | None:
    """The element whose paragraphs hold most text (parents fully, grandparents by half),
    with the elements of its template that hold enough of the rest."""
    votes: dict[HtmlElement, float] = {}
    for paragraph in _PARAGRAPHS(root):
        chars = len(collapse_whitespace(paragraph.text_content()))
        if chars < MIN_PARAGRAPH_CHARS:
            continue
        parent = paragraph.getparent()
        if parent is None:
            continue
        votes[parent] = votes.get(parent, 0.0) + chars
        grandparent = parent.getparent()
        if grandparent is not None and grandparent.tag != "html":
            votes[grandparent] = votes.get(grandparent, 0.0) + chars / 2
    if not votes:
        return None
    best = max(votes, key=lambda element: votes[element])
    return Container(_with_peers(best, votes))


def _with_peers(best: HtmlElement, votes: dict[HtmlElement, float]) -> tuple[HtmlElement, ...]:
    """``best`` and the elements of its template with :data:`MIN_PEER_SHARE` of its votes.

    ``votes`` holds its elements in the order of their first voting paragraph: document
    order, for elements not inside one another.
    """
    if not best.get("class"):
        return (best,)  # a bare <div> is no template
    template = _template(best)
    floor = MIN_PEER_SHARE * votes[best]
    members = {e for e, v in votes.items() if v >= floor and _template(e) == template}
    if len(members) == 1:
        return (best,)
    return tuple(
        element
        for element in votes
        if element in members and not any(a in members for a in element.iterancestors())
    )


def _template(element: HtmlElement) -> tuple[str, str, str]:
    parent = element.getparent()
    return (
        str(element.tag),
        element.get("class") or "",
        str(parent.tag) if parent is not None else "",
    )


def _blocks_of(container: HtmlElement) -> list[Block]:
    blocks: list[Block] = []
    for element in container.iter(*_TEXT_BLOCKS):
        if _has_block_ancestor_within(element, container):
            continue  # its text belongs to the enclosing block (a <p> in a <li>)
        text = collapse_whitespace(element.text_content())
        if not text or _link_share(element, text) > MAX_LINK_SHARE:
            continue
        blocks.append(_block(element.tag, text))
    return blocks


def _has_block_ancestor_within(element: HtmlElement, container: HtmlElement) -> bool:
    parent = element.getparent()
    while parent is not None and parent is not container:
        if parent.tag in _TEXT_BLOCKS:
            return True
        parent = parent.getparent()
    return False


def _link_share(element: HtmlElement, text: str) -> float:
    links = sum(len(collapse_whitespace(a.text_content())) for a in element.iter("a"))
    return links / len(text) if text else 0.0


def _block(tag: str, text: str) -> Block:
    if tag in _HEADINGS:
        return Block((text,), f"{'#' * _HEADINGS[tag]} {escape_markdown(text)}", "head")
    if tag == "li":
        return Block((f"- {text}",), f"- {escape_markdown(text)}", "list")
    if tag == "blockquote":
        return Block((text,), f"> {escape_markdown(text)}", "quote")
    if tag == "pre":
        return Block((text,), f"```\n{text}\n```", "code")
    return Block((text,), escape_markdown(text), "p")
