"""Clean: the cleaners' public entry points, from page (or plain text) to :class:`Article`.

HTML goes through every stage once::

    bytes --decode--> str --cap (guards)--> --parse (lxml, once)--> tree
      tree --read: page features (pagetype), metadata (JSON-LD, meta, markup)--+
      tree --prune (dom rules)--> --choose (trafilatura fast; second opinion on doubt)-->
      blocks --repair (mojibake, whitespace)--> --line, block and tail rules-->
      Article(text, markdown, metadata, page type, extractor + reason, removals)

Plain text (a scraped article without markup) only has the line level. Site-level rules
(lines repeated on many pages of one site) need a batch: they are applied afterwards by the
caller with :mod:`newsclean.cleaners.sitelevel`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from typing import Literal

import lxml.html
from lxml import etree
from lxml.html import HtmlElement

from newsclean.cleaners.choose import Choice, choose_extraction
from newsclean.cleaners.dates import PageDate, search_published_date
from newsclean.cleaners.decode import decode_html
from newsclean.cleaners.dom import prune_boilerplate
from newsclean.cleaners.extract import EXTRACTOR_VERSION, Block
from newsclean.cleaners.guards import cap_html, check_tree
from newsclean.cleaners.lines import (
    LineDecisions,
    LineRule,
    decide_lines,
    default_line_rules,
    page_line_rules,
    removals_for,
)
from newsclean.cleaners.metadata import PageMetadata, identify_language, read_page_metadata
from newsclean.cleaners.pagetype import PageDecision, PageFeatures, classify
from newsclean.cleaners.records import Article, InputFormat, PageType, Removal
from newsclean.cleaners.repair import has_mojibake, normalize_line, repair_text
from newsclean.cleaners.text import is_heading_like, normalize

#: version of our cleaning rules; bump when the same input gives different output
CLEANER_VERSION = "0.3.0"

_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
_HTML_START = re.compile(r"<(!doctype\s+html|html|head|body)\b", re.IGNORECASE)
# C0 controls lxml refuses in text (and trafilatura then drops the page over); the form feed
# is HTML whitespace and becomes a space. Tab, newline and carriage return stay.
# (a regular expression: str.translate with a table runs a dict lookup per character)
_CONTROLS = re.compile("[\x00-\x08\x0b\x0e-\x1f]")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
#: the bytes of the characters _CONTROLS removes, and of the form feed
_CONTROL_BYTES = bytes([*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])
_HTML_TAG = re.compile(
    r"<(p|div|br|span|a|body|head|meta|script|style|link|title|h[1-6]|li|ul|ol|table|article"
    r"|section|img|header|footer|nav|main)\b[^>]*>",
    re.IGNORECASE,
)
#: characters looked at to tell HTML from text
SNIFF_CHARS = 20_000
_PARSER = lxml.html.HTMLParser(
    collect_ids=False,
    default_doctype=False,
    remove_comments=True,
    remove_pis=True,
    huge_tree=True,
)
# Every element an HtmlElement, chosen in C: lxml.html's own lookup is a Python call for each
# element proxy created, and walking the tree (ours and trafilatura's, on copies of it) made
# it the largest single cost of cleaning. The form-specific classes it would pick are unused.
_PARSER.set_element_class_lookup(
    etree.ElementDefaultClassLookup(
        element=HtmlElement,
        comment=lxml.html.HtmlComment,
        pi=lxml.html.HtmlProcessingInstruction,
        entity=lxml.html.HtmlEntity,
    )
)
#: blocks whose lines keep their inner whitespace
_VERBATIM_BLOCKS = frozenset({"code"})


def clean(
    data: str | bytes,
    url: str | None = None,
    *,
    input_format: Literal["html", "text", "auto"] = "auto",
    content_type: str | None = None,
) -> Article:
    """Clean a page or a plain-text article; ``input_format="auto"`` tells which it is."""
    chosen = detect_input_format(data) if input_format == "auto" else input_format
    if chosen == "html":
        return clean_html(data, url, content_type=content_type)
    text = data if isinstance(data, str) else decode_html(data, content_type).text
    return clean_text(text, url)


def detect_input_format(data: str | bytes) -> InputFormat:
    """Tell markup from plain text by the start of ``data``: "html" or "text"."""
    head = data[:SNIFF_CHARS]
    sample = head.decode("utf-8", errors="replace") if isinstance(head, bytes) else head
    sample = _without_leading_comments(sample.lstrip("\ufeff"))
    if _HTML_START.match(sample) or _XML_DECLARATION.match(sample):
        return "html"
    return "html" if len(_HTML_TAG.findall(sample)) >= 3 else "text"


def _without_leading_comments(text: str) -> str:
    """``text`` from its first non-comment character (a loop, not a backtracking regex)."""
    rest = text.lstrip()
    while rest.startswith("<!--"):
        end = rest.find("-->", 4)
        if end < 0:
            return rest
        rest = rest[end + 3 :].lstrip()
    return rest


def sanitize_text(text: str, *, controls: bool = True) -> str:
    """``text`` without NUL and lone surrogates (which no writer can store) and, unless
    ``controls`` is False, without the other C0 control characters lxml refuses (tab and
    line breaks stay, a form feed becomes a space)."""
    if _is_clean(text, controls):
        return text
    if controls:
        cleaned = _CONTROLS.sub("", text.replace("\x0c", " ") if "\x0c" in text else text)
    else:
        cleaned = text.replace("\x00", "")
    return _LONE_SURROGATE.sub("\ufffd", cleaned) if not cleaned.isascii() else cleaned


def _is_clean(text: str, controls: bool) -> bool:
    """True when ``text`` has nothing :func:`sanitize_text` would change.

    Tested on its UTF-8 bytes, in C: encoding fails on a lone surrogate, and a control
    character is a byte below 0x20 (a regular expression over a page costs ten times more).
    """
    try:
        encoded = text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    if not controls:
        return b"\x00" not in encoded
    return len(encoded.translate(None, _CONTROL_BYTES)) == len(encoded)


def clean_html(
    html: str | bytes, url: str | None = None, *, content_type: str | None = None
) -> Article:
    """Decode (bytes), parse once, read metadata, prune, extract, clean lines.

    Raises :class:`~newsclean.cleaners.guards.TreeTooLarge` for a page too large to clean
    and :class:`~newsclean.cleaners.errors.ExtractionError` when the extractor fails on it.
    """
    text = decode_html(html, content_type).text if isinstance(html, bytes) else html
    capped = cap_html(text)
    root = parse_html(capped)
    if root is None:
        return _empty_article(url)
    check_tree(root, url, source=capped)
    features = PageFeatures.read(root, url)
    page = read_page_metadata(root, url)
    dom_removals = prune_boilerplate(root)
    choice = choose_extraction(root, url, page.article_body)
    blocks = repair_blocks(choice.blocks)
    decisions = decide_lines(
        [line for block in blocks for line in block.lines],
        _line_rules(),
        [len(block.lines) for block in blocks],
        page_rules=page_line_rules(title=page.title, authors=page.authors),
    )
    kept = _kept_blocks(blocks, decisions)
    article_text = "\n\n".join("\n".join(lines) for lines, _ in kept)
    decision = classify(features, article_text)
    published = page.dates.published
    if published is None and article_text:
        published = search_published_date(root, url)
    return _html_article(
        article_text,
        "\n\n".join(md for _, md in kept if md),
        url,
        page,
        published,
        choice,
        decision,
        (*dom_removals, *removals_for(decisions)),
    )


def clean_text(text: str, url: str | None = None) -> Article:
    """Clean a plain-text article (line level only); paragraphs are kept verbatim (the
    characters NUL and lone surrogates aside, see :func:`sanitize_text`)."""
    paragraphs = split_paragraphs(sanitize_text(text, controls=False))
    decisions = decide_lines(
        [line for lines in paragraphs for line in lines],
        _line_rules(),
        [len(lines) for lines in paragraphs],
    )
    kept_paragraphs: list[str] = []
    position = 0
    for lines in paragraphs:
        kept = [
            line
            for offset, line in enumerate(lines)
            if decisions.verdicts[position + offset] is None
        ]
        position += len(lines)
        if kept:
            kept_paragraphs.append("\n".join(kept))
    article_text = "\n\n".join(kept_paragraphs)
    return Article(
        text=article_text,
        url=url,
        title=_title_from_text(kept_paragraphs),
        language=identify_language(article_text),
        input_format="text",
        # a plain-text input is an article by construction: there is no page to classify
        page_type="article" if article_text.strip() else "other",
        page_type_reason="plain-text input" if article_text.strip() else "no text",
        extractor="plain-text",
        extraction_reason="plain-text input: paragraphs kept as given",
        extractor_version="",
        cleaner_version=CLEANER_VERSION,
        removals=tuple(removals_for(decisions)),
    )


def split_paragraphs(text: str) -> list[list[str]]:
    """Paragraphs (runs of non-blank lines) of ``text``, each line stripped of edge spaces."""
    paragraphs: list[list[str]] = []
    current: list[str] = []
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = raw.strip()
        if line:
            current.append(line)
        elif current:
            paragraphs.append(current)
            current = []
    if current:
        paragraphs.append(current)
    return paragraphs


def parse_html(text: str) -> HtmlElement | None:
    """The lxml tree of ``text``; None when there is no document to parse."""
    cleaned = _XML_DECLARATION.sub("", sanitize_text(text), count=1)
    if not cleaned.strip():
        return None
    try:
        root = lxml.html.document_fromstring(cleaned, parser=_PARSER)
    except (etree.ParserError, ValueError):
        return None  # "Document is empty" and the like: there is nothing to clean
    return root if isinstance(root, HtmlElement) else None


def repair_blocks(blocks: Sequence[Block]) -> tuple[Block, ...]:
    """Blocks with mojibake repaired and whitespace normalised (see :mod:`repair`)."""
    fix = repair_text if has_mojibake("\n".join(b.markdown for b in blocks)) else _unchanged
    repaired: list[Block] = []
    for block in blocks:
        verbatim = block.kind in _VERBATIM_BLOCKS
        lines = tuple(
            line
            for line in (fix(x if verbatim else normalize_line(x)) for x in block.lines)
            if line
        )
        if lines:
            repaired.append(Block(lines=lines, markdown=fix(block.markdown), kind=block.kind))
    return tuple(repaired)


def _unchanged(text: str) -> str:
    return text


# --- helpers -------------------------------------------------------------------------------


@cache
def _line_rules() -> tuple[LineRule, ...]:
    return default_line_rules()


def _kept_blocks(
    blocks: Sequence[Block], decisions: LineDecisions
) -> list[tuple[tuple[str, ...], str]]:
    """Kept lines of each block, and its markdown with the removed lines taken out."""
    kept_blocks: list[tuple[tuple[str, ...], str]] = []
    position = 0
    for block in blocks:
        verdicts = decisions.verdicts[position : position + len(block.lines)]
        position += len(block.lines)
        kept = tuple(line for line, v in zip(block.lines, verdicts, strict=True) if v is None)
        if not kept:
            continue
        if len(kept) == len(block.lines):
            kept_blocks.append((kept, block.markdown))
            continue
        removed = {normalize(line) for line, v in zip(block.lines, verdicts, strict=True) if v}
        kept_blocks.append((kept, _markdown_without(block.markdown, removed)))
    return kept_blocks


def _markdown_without(markdown: str, removed: set[str]) -> str:
    kept = [line for line in markdown.split("\n") if normalize(_unmark(line)) not in removed]
    return "\n".join(kept).strip()


def _unmark(line: str) -> str:
    """A markdown line without its escapes (so it compares with the plain line)."""
    return line.replace("\\", "") if "\\" in line else line


def _html_article(
    text: str,
    markdown: str,
    url: str | None,
    page: PageMetadata,
    published: PageDate | None,
    choice: Choice,
    decision: PageDecision,
    removals: Sequence[Removal],
) -> Article:
    modified = page.dates.modified
    return Article(
        text=text,
        url=url,
        title=repair_text(page.title) if page.title else None,
        authors=tuple(repair_text(a) for a in page.authors),
        published_at=published.value if published else None,
        modified_at=modified.value if modified else None,
        published_at_source=published.source if published else None,
        modified_at_source=modified.source if modified else None,
        site_name=page.site_name,
        language=identify_language(text, page.declared_language),
        description=repair_text(page.description) if page.description else None,
        tags=page.tags,
        categories=page.categories,
        canonical_url=page.canonical_url,
        image_url=page.image_url,
        markdown=markdown,
        input_format="html",
        page_type=decision.page_type,
        page_type_reason=decision.reason,
        soft_failure=decision.soft_failure,
        extractor=choice.extractor,
        extraction_reason=choice.reason,
        extractor_version=EXTRACTOR_VERSION,
        cleaner_version=CLEANER_VERSION,
        removals=tuple(removals),
    )


def _empty_article(url: str | None) -> Article:
    """The article of an input with no document in it (empty, whitespace, a bare XML head)."""
    page_type: PageType = "other"
    return Article(
        text="",
        url=url,
        input_format="html",
        page_type=page_type,
        page_type_reason="no document",
        extractor="none",
        extraction_reason="no document to parse",
        extractor_version=EXTRACTOR_VERSION,
        cleaner_version=CLEANER_VERSION,
    )


def _title_from_text(paragraphs: Sequence[str]) -> str | None:
    """A plain-text article's first paragraph, when it is a one-line heading."""
    if len(paragraphs) < 2:
        return None
    first = paragraphs[0]
    return first if "\n" not in first and is_heading_like(first) else None
