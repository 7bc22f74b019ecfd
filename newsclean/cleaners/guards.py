"""Guards: bounds on what one document may cost, checked before the expensive work.

A pathological page must not hang or exhaust a batch. Parsing and extraction run inside lxml
and trafilatura, which cannot be interrupted safely from the same thread, so the bounds are
put on their *input*:

* :func:`cap_html` -- at most :data:`MAX_HTML_CHARS` characters of decoded HTML reach the
  parser. A larger page first loses what carries no text (``<script>``, ``<style>``,
  ``<svg>`` blocks, comments, attribute values of 100,000+ characters: inlined bundles and
  data: URIs are what makes real pages huge); if it is
  still too large, it is cut at the last tag boundary before the cap (the article is near
  the start of a page far more often than at its end).
* :func:`check_tree` -- at most :data:`MAX_TREE_ELEMENTS` elements reach the extractor
  (trafilatura's ``max_tree_size`` idea): inline formatting is stripped first, and a tree
  still too large raises :class:`TreeTooLarge`. Every element but the few the parser implies
  (``html``, ``head``, ``body``, a ``p`` around stray text) starts at a ``<`` of the source,
  so a source with few enough of them is not counted at all (a C scan of the text instead of
  a walk over the tree). Depth needs no guard of ours: the parser is
  built with ``huge_tree`` (so an old page's 300 unclosed ``<font>`` tags or a 10 MB
  attribute does not end the document), and libxml2 still caps nesting at 2,048 levels:
  what lies deeper is dropped (100,000 nested ``<div>`` parse in milliseconds to an empty
  page, which is then reported as having no main text).

A wall-clock cap on the whole cleaning of one document is
:func:`newsclean.cleaners.timecap.clean_html_capped` (a worker process that can be killed).
"""

from __future__ import annotations

import re

from lxml import etree
from lxml.html import HtmlElement

from newsclean.cleaners.errors import ExtractionError

#: decoded HTML longer than this (characters) is reduced before parsing (5 MB of ASCII)
MAX_HTML_CHARS = 5_000_000
#: how far back from the cap a tag boundary is looked for
TAG_SEARCH_CHARS = 100_000
#: a parsed page with more elements than this is reduced, then refused
MAX_TREE_ELEMENTS = 200_000
#: tags stripped (their text kept) from an oversized tree
INLINE_TAGS = ("span", "font", "b", "i", "em", "strong", "small", "u", "abbr", "sup", "sub")

_NON_TEXT_BLOCKS = re.compile(
    r"<(script|style|svg|template)\b[^>]*>.*?</\1\s*>|<!--.*?-->", re.IGNORECASE | re.DOTALL
)
# an attribute value of 100,000+ characters (inline data: URIs, serialised app state) carries
# no article text, and one can outweigh the whole page
_HUGE_ATTRIBUTE = re.compile(r"""(\s[\w:.-]+\s*=\s*)(?:"[^"]{100000,}"|'[^']{100000,}')""")
_COUNT_ELEMENTS = etree.XPath("count(//*)")


class TreeTooLarge(ExtractionError):
    """The parsed page has more elements than :data:`MAX_TREE_ELEMENTS`, even reduced."""

    reason = "tree-too-large"


def cap_html(text: str, limit: int = MAX_HTML_CHARS) -> str:
    """``text`` reduced to at most ``limit`` characters (see the module docstring)."""
    if len(text) <= limit:
        return text
    text = _HUGE_ATTRIBUTE.sub(r'\1""', _NON_TEXT_BLOCKS.sub(" ", text))
    if len(text) <= limit:
        return text
    # at a tag boundary near the cap; inside one huge text node, at the cap itself
    cut = text.rfind(">", max(limit - TAG_SEARCH_CHARS, 0), limit)
    return text[: cut + 1 if cut > 0 else limit]


def check_tree(
    root: HtmlElement,
    url: str | None = None,
    limit: int = MAX_TREE_ELEMENTS,
    *,
    source: str | None = None,
) -> None:
    """Reduce ``root`` in place when it has more than ``limit`` elements; raise
    :class:`TreeTooLarge` when it still has. ``source`` is the text ``root`` was parsed
    from, when the caller has it: see the module docstring."""
    if source is not None and source.count("<") * 2 <= limit:
        return
    if _element_count(root) <= limit:
        return
    etree.strip_tags(root, *INLINE_TAGS)
    count = _element_count(root)
    if count > limit:
        raise TreeTooLarge(f"page has {count} elements (limit {limit})", url)


def _element_count(root: HtmlElement) -> int:
    return int(_COUNT_ELEMENTS(root))
