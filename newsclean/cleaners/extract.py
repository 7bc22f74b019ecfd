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

from dataclasses import dataclass
from typing import Any

import trafilatura
from lxml.html import HtmlElement
from trafilatura import bare_extraction
from trafilatura.settings import set_date_params
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
class ExtractedMetadata:
    """What trafilatura found about the page (strings as it gives them)."""

    title: str | None = None
    author: str | None = None
    date: str | None = None  # YYYY-MM-DD
    sitename: str | None = None
    description: str | None = None
    url: str | None = None
    image: str | None = None
    tags: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Extraction:
    blocks: tuple[Block, ...]
    metadata: ExtractedMetadata


def extract_tree(
    tree: HtmlElement, url: str | None = None, *, search_dates: bool = True
) -> Extraction | None:
    """Main text blocks and metadata of ``tree``; None when trafilatura finds no main text.

    ``search_dates=False`` spares htmldate's extensive search of the page text (a third of
    the metadata time), for when the page already declared its dates in markup.
    """
    try:
        document = bare_extraction(
            tree,
            url=url,
            with_metadata=True,
            include_formatting=False,
            include_comments=False,
            include_tables=True,
            date_extraction_params=_date_params(search_dates),
        )
    except (RecursionError, AttributeError, TypeError, IndexError) as exc:
        # trafilatura raises these on malformed trees; it is its failure on this document
        raise ExtractionError(f"trafilatura failed: {type(exc).__name__}: {exc}", url) from exc
    if document is None or isinstance(document, dict):
        return None
    metadata = _metadata_of(document)
    body = document.body
    if body is None:
        return Extraction(blocks=(), metadata=metadata)
    return Extraction(blocks=tuple(render_blocks(body)), metadata=metadata)


def _date_params(extensive: bool) -> dict[str, object]:
    # trafilatura hands these to htmldate.find_date as keyword arguments
    params: dict[str, object] = dict(set_date_params(extensive))
    return params


def render_blocks(body: Any) -> list[Block]:
    """Each child of trafilatura's output body as a :class:`Block` (empty ones skipped)."""
    blocks: list[Block] = []
    for child in body:
        if not isinstance(child.tag, str):
            continue
        plain = xmltotxt(child, False)
        lines = tuple(line.strip() for line in plain.split("\n") if line.strip())
        if not lines:
            continue
        markdown = xmltotxt(child, True).strip()
        if child.tag == "quote":
            markdown = "\n".join(f"> {line}" if line else ">" for line in markdown.split("\n"))
        blocks.append(Block(lines=lines, markdown=markdown, kind=str(child.tag)))
    return blocks


def _metadata_of(document: Any) -> ExtractedMetadata:
    return ExtractedMetadata(
        title=_text(document.title),
        author=_text(document.author),
        date=_text(document.date),
        sitename=_text(document.sitename),
        description=_text(document.description),
        url=_text(document.url),
        image=_text(document.image),
        tags=_texts(document.tags),
        categories=_texts(document.categories),
    )


def _text(value: object) -> str | None:
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def _texts(values: object) -> tuple[str, ...]:
    if not isinstance(values, list | tuple):
        return ()
    return tuple(v.strip() for v in values if isinstance(v, str) and v.strip())
