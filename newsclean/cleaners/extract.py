"""Extract: the main text and metadata of a parsed page, with trafilatura.

One trafilatura run per page: :func:`extract_tree` hands it the already parsed and pruned lxml
tree (trafilatura copies a tree it is given, so ours is not changed) with metadata on. Its
result body -- ``<head rend="h2">``, ``<p>``, ``<list>``, ``<quote>``, ``<table>`` ... -- is
rendered child by child into :class:`Block` s holding both the plain lines and the markdown
of that child, so the line cleaner can drop a block from both renditions at once instead of
running a second extraction for markdown.

Formatting (``include_formatting``) stays off: on the WCXB dev article pages it changed which
text trafilatura picked, and lost text (one page fell from 0.86 to 0.39 shingle recall). The
structure markdown needs (headings, lists, quotes, tables) is in the body without it; bold
and italic are not.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import trafilatura
from lxml.html import HtmlElement
from trafilatura import bare_extraction
from trafilatura.xml import xmltotxt

from newsclean.cleaners.errors import ExtractionError

EXTRACTOR_NAME = "trafilatura"
EXTRACTOR_VERSION: str = str(trafilatura.__version__)


@dataclass(frozen=True, slots=True)
class Block:
    """One top-level element of the extracted body: its plain lines and its markdown."""

    lines: tuple[str, ...]
    markdown: str
    kind: str = "p"  # trafilatura's element name: p, head, list, quote, table, code...


@dataclass(frozen=True, slots=True)
class Extraction:
    blocks: tuple[Block, ...]


def extract_tree(tree: HtmlElement, url: str | None = None, *, fast: bool = False) -> Extraction:
    """Main text blocks of ``tree`` by trafilatura (no blocks when it finds no main text).

    Metadata is off: :mod:`newsclean.cleaners.metadata` reads it from our own tree, and
    trafilatura's metadata pass (htmldate above all) cost as much as its extraction.
    ``fast=True`` skips trafilatura's own comparison with readability and jusText; the
    caller then decides itself when a second opinion is worth its cost.
    """
    try:
        document = bare_extraction(
            tree,
            url=url,
            fast=fast,
            with_metadata=False,
            include_formatting=False,
            include_comments=False,
            include_tables=True,
        )
    except (RecursionError, AttributeError, TypeError, IndexError) as exc:
        # trafilatura raises these on malformed trees; it is its failure on this document
        raise ExtractionError(f"trafilatura failed: {type(exc).__name__}: {exc}", url) from exc
    if document is None or isinstance(document, dict) or document.body is None:
        return Extraction(blocks=())
    return Extraction(blocks=tuple(render_blocks(document.body)))


def render_plain_blocks(paragraphs: Iterable[str]) -> list[Block]:
    """Blocks of text that came without markup (a JSON-LD body): markdown-escaped copies."""
    blocks = []
    for paragraph in paragraphs:
        lines = tuple(line.strip() for line in paragraph.split("\n") if line.strip())
        if lines:
            blocks.append(Block(lines=lines, markdown=escape_markdown("\n".join(lines))))
    return blocks


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]])")
_MARKDOWN_LINE_START = re.compile(r"^(\s*)([#>+-])(?=\s)", re.MULTILINE)
_MARKDOWN_NUMBERED = re.compile(r"^(\s*\d+)([.)])(?=\s)", re.MULTILINE)
# any of the three above: most paragraphs need no escape, and one search costs a third
_MARKDOWN_ANY = re.compile(r"[\\`*_\[\]]|^\s*(?:[#>+-]|\d+[.)])(?=\s)", re.MULTILINE)


def escape_markdown(text: str) -> str:
    """``text`` with the characters markdown would read as formatting escaped."""
    if _MARKDOWN_ANY.search(text) is None:
        return text
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", text)
    return _MARKDOWN_NUMBERED.sub(r"\1\\\2", _MARKDOWN_LINE_START.sub(r"\1\\\2", escaped))


def render_blocks(body: Any) -> list[Block]:
    """Each child of trafilatura's output body as a :class:`Block` (empty ones skipped).

    trafilatura's markdown rendition costs more than its plain one (it copies the element to
    escape it), so it is asked for only where markdown has structure of its own: lists,
    quotes, tables, code. A paragraph's markdown is its escaped plain text, a heading's
    the same behind ``#`` s for its level.
    """
    blocks: list[Block] = []
    for child in body:
        if not isinstance(child.tag, str):
            continue
        # a childless paragraph's text is its plain rendition: no renderer walk needed
        plain = (child.text or "") if len(child) == 0 else xmltotxt(child, False)
        lines = tuple(line.strip() for line in plain.split("\n") if line.strip())
        if not lines:
            continue
        blocks.append(Block(lines=lines, markdown=_markdown_of(child, lines), kind=str(child.tag)))
    return blocks


def _markdown_of(element: Any, lines: tuple[str, ...]) -> str:
    if element.tag == "p":
        return escape_markdown("\n".join(lines))
    if element.tag == "head":
        return f"{'#' * _heading_level(element)} {escape_markdown(' '.join(lines))}"
    if element.tag == "quote" and len(element) == 0:
        return "\n".join(f"> {escape_markdown(line)}" for line in lines)
    if element.tag == "list" and element.get("rend") != "ol" and _is_flat_list(element):
        return "\n".join(_list_item_markdown(line) for line in lines)
    markdown = str(xmltotxt(element, True)).strip()
    if element.tag == "quote":
        markdown = "\n".join(f"> {line}" if line else ">" for line in markdown.split("\n"))
    return markdown


def _is_flat_list(element: Any) -> bool:
    """A list whose items hold only inline text (no nested list, table or quote)."""
    return all(len(item) == 0 or item.find(".//list") is None for item in element)


def _list_item_markdown(line: str) -> str:
    if line.startswith("- "):
        return f"- {escape_markdown(line[2:])}"
    return escape_markdown(line)


def _heading_level(element: Any) -> int:
    rend = str(element.get("rend") or "h2")
    return int(rend[1]) if len(rend) == 2 and rend[0] == "h" and rend[1] in "123456" else 2
