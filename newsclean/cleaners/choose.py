"""Choose: which extraction of a page becomes its text, and why.

The first opinion is cheap: trafilatura in fast mode (its own comparison with readability and
jusText skipped). A second opinion costs a second extraction, so it is asked for only when
a cheap signal says the first is doubtful (:func:`doubts_about`):

* **short** -- the text is under :data:`MIN_CONFIDENT_CHARS`, or under
  :data:`MIN_PAGE_SHARE` of the page's visible text: fast mode misses bodies split into many
  small blocks, and div soup without ``<article>`` / ``<main>``. A text of
  :data:`FULL_LENGTH_CHARS` or more is a whole article body however heavy the page around
  it (comments, teaser lists): on the WCXB pages the full cascade never found more there;
* **the whole page** -- the text holds nearly all of the page's visible text (more than
  :data:`MAX_PAGE_SHARE`) and many of its lines are menu entries (at least
  :data:`MIN_MENU_LINE_SHARE` of at most :data:`MAX_MENU_WORDS` words): fast mode found no
  article in a div soup and kept everything, menus and teasers included;
* **one undivided block** -- a single line holds most of a long text (more than
  :data:`BLOB_SHARE` of at least :data:`MIN_BLOB_CHARS`): the page's text was gathered
  wholesale (trafilatura's baseline rescue), menus and teasers run into the article;
* **misses the declared body** -- the page declares its article body in JSON-LD
  (``articleBody``) and the text covers less than :data:`MIN_BODY_COVERAGE` of it.

On doubt, two more candidates are made: an independent paragraph-density extractor
(:mod:`newsclean.cleaners.density`, a millisecond) and, unless density already settles the
doubt, trafilatura's full cascade (main extractor, then readability and jusText, then its
recall retry; tens of milliseconds). They are compared (:func:`choose_extraction`):

* with a declared body, the candidate (of the three) covering most of it wins -- unless it
  is one undivided block, when the declared body (in paragraphs) is the same text better
  divided -- and unless even that one
  covers less than :data:`MAX_COVERAGE_TO_REPLACE` of a body longer than itself: then the
  declared body becomes the text (it is what the publisher says the article is; truncated
  teasers are ruled out by :data:`MIN_ARTICLE_BODY_CHARS` and by requiring it to be longer);
* for the whole page, density's text wins when it is shorter but keeps at least
  :data:`MIN_KEEP` of the page's, else the full cascade's when it is shorter but not empty
  (its comparison with readability and jusText found the article in the dump: the div-soup
  pages of the quality gate need it);
* for an undivided block, density's text wins when it is divided and keeps at least
  :data:`MIN_KEEP` of the block's length (the two agree on the content, and the divided
  one lets the line rules see its lines); else the fast text stays: the full cascade is
  not asked, as on the WCXB dev pages it never divided a block density had not (0 of 8
  pages, at 40-60 ms each). When the block is also short, the full cascade is asked first
  and the first of it and density that divides the text wins: it may find the rest;
* when trafilatura found next to nothing (under :data:`MIN_TRUSTED_CHARS` in both passes)
  and the density extractor finds :data:`MIN_DENSITY_GAIN` times more, density wins;
* otherwise, the full cascade's text wins when it is longer (the cascade only swaps in a
  longer text when its own checks pass), else the fast text stays.

Without doubt, one more check: when the container most paragraphs point to (the density
extractor's, a millisecond) holds more text than the fast pass kept (:data:`MIN_CONTAINER_GAIN`),
its blocks are made, and they replace the fast text when they hold nearly all of it
(:data:`MIN_SUPERSET_KEPT` of its shingles) and add to it (:data:`MIN_SUPERSET_NEW` of theirs
are new): trafilatura dropped part of the article's own container (a section it took for
boilerplate by its class or its links). On the 793 WCXB dev article pages this picked
density on 34 and lifted mean shingle recall from 0.943 to 0.952, precision unchanged.

Whichever path chose it, a text that says the same thing twice keeps one copy: when second
and later copies of long lines (of at least :data:`MIN_REPEATED_LINE_CHARS`) make up
:data:`MIN_REPEATED_SHARE` or more of its characters, the blocks whose long lines all came
before are dropped (:func:`without_repeats`). Prose does not repeat whole paragraphs; a page
that renders its article twice (a desktop and a mobile copy, a tabbed and an accordion copy,
a template's placeholder paragraphs) does, and the extractors keep both. A list or table
repeating a line now and then stays under the share. On the 793 WCXB dev article pages this
changed 4 pages, all for the better (mean shingle precision 0.932 to 0.934), on both the even
and the odd half.

Every choice is a :class:`Choice` naming the path (``Article.extractor``) and the reason
(``Article.extraction_reason``), so a surprising text can be traced to the rule that picked
it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml.html import HtmlElement

from newsclean.cleaners.density import (
    best_container,
    container_blocks,
    container_chars,
    extract_by_density,
)
from newsclean.cleaners.dom import text_chars
from newsclean.cleaners.extract import Block, extract_tree, render_plain_blocks
from newsclean.cleaners.text import collapse_whitespace

#: fast text shorter than this (characters) is doubtful
MIN_CONFIDENT_CHARS = 500
#: fast text holding less than this share of the page's visible text is doubtful ...
MIN_PAGE_SHARE = 0.3
#: ... unless it is this long (characters, some 700 words)
FULL_LENGTH_CHARS = 4000
#: ... and so is fast text holding more than this share of it, when at least
#: MIN_MENU_LINE_SHARE of its lines have at most MAX_MENU_WORDS words (menu entries)
MAX_PAGE_SHARE = 0.9
MIN_MENU_LINE_SHARE = 0.4
MAX_MENU_WORDS = 3
#: a text covering less than this share of the JSON-LD body misses part of the article
MIN_BODY_COVERAGE = 0.8
#: the declared body replaces the extracted text only when that covers less than this share
MAX_COVERAGE_TO_REPLACE = 0.5
#: the full cascade replaces the fast text only when longer by this factor
MIN_GAIN = 1.1
#: one line holding more than this share of a text ...
BLOB_SHARE = 0.5
#: ... of at least this many characters makes it an undivided block
MIN_BLOB_CHARS = 1000
#: a candidate replaces an undivided block or the whole page when it keeps this share of
#: its length (less is an excerpt: a teaser list or one section the density vote picked)
MIN_KEEP = 0.5
#: trafilatura's text under this (characters) may give way to density's ...
MIN_TRUSTED_CHARS = 1000
#: ... when density's is this many times longer
MIN_DENSITY_GAIN = 3.0
#: pages with more visible text than this (characters) get no full cascade
MAX_CASCADE_CHARS = 300_000
#: JSON-LD bodies shorter than this (characters) are teasers
MIN_ARTICLE_BODY_CHARS = 200
#: the densest container is looked into when it holds this many times the fast text ...
MIN_CONTAINER_GAIN = 1.1
#: ... and its text replaces the fast text when it holds this share of the fast text's
#: shingles and this share of its own are new
MIN_SUPERSET_KEPT = 0.8
MIN_SUPERSET_NEW = 0.1
#: a text whose repeated copies of long lines (of at least MIN_REPEATED_LINE_CHARS
#: characters) make up this share of its characters says the same thing twice
MIN_REPEATED_SHARE = 0.2
MIN_REPEATED_LINE_CHARS = 60
#: words per shingle when comparing texts
SHINGLE_WORDS = 3

_WORD = re.compile(r"\w+")
WHOLE_PAGE = "the whole page"
UNDIVIDED = "one undivided block"
_SKIPPED_TEXT_TAGS = ("script", "style", "template", "noscript")


@dataclass(frozen=True, slots=True)
class Choice:
    """The blocks that become the text, the path that produced them and why it was chosen."""

    blocks: tuple[Block, ...]
    extractor: str
    reason: str


def choose_extraction(root: HtmlElement, url: str | None, article_body: str | None) -> Choice:
    """Extract the main text of the (pruned) tree, asking a second opinion only on doubt;
    a text that repeats itself keeps one copy of its repeated lines."""
    choice = _choose(root, url, article_body)
    repeated = repeated_share(choice.blocks)
    if repeated < MIN_REPEATED_SHARE:
        return choice
    reason = f"{choice.reason}; repeats {repeated:.2f} of itself, the repeats dropped"
    return Choice(without_repeats(choice.blocks), choice.extractor, reason)


def _choose(root: HtmlElement, url: str | None, article_body: str | None) -> Choice:
    """The fast pass, or on doubt the best of the second opinions (module docstring)."""
    fast = extract_tree(root, url, fast=True).blocks
    body = article_body if article_body and len(article_body) >= MIN_ARTICLE_BODY_CHARS else None
    # a long text without menu lines is no doubt whatever the page's size: not measured then
    page_chars = visible_chars(root) if _page_size_matters(fast) else 0
    doubt = doubts_about(fast, page_chars, body)
    if doubt is None:
        return choose_without_doubt(root, fast)
    page_chars = page_chars or visible_chars(root)
    density = extract_by_density(root)
    if body is None:
        by_density = _choose_density_first(fast, density, doubt)
        if by_density is not None:
            return by_density
        if doubt.startswith(UNDIVIDED):
            return Choice(fast, "trafilatura", f"{doubt}; density does not divide it")
    # jusText, in the full cascade, is quadratic in short paragraphs: huge pages skip it
    full = extract_tree(root, url, fast=False).blocks if page_chars <= MAX_CASCADE_CHARS else fast
    if body is not None:
        return _choose_with_body((fast, full, density), body, doubt)
    if doubt.startswith(WHOLE_PAGE):
        return _choose_for_whole_page(fast, full, doubt)
    if is_blob(fast):
        return _choose_for_blob(fast, full, density, doubt)
    best = full if _chars(full) > MIN_GAIN * _chars(fast) else fast
    if _chars(best) < MIN_TRUSTED_CHARS and _chars(density) >= MIN_DENSITY_GAIN * max(
        _chars(best), 1
    ):
        return Choice(density, "density", f"{doubt}; trafilatura found next to nothing")
    if not best:
        return Choice((), "none", f"{doubt}; no extractor found main text")
    if best is full:
        return Choice(full, "trafilatura", f"{doubt}; full cascade found more text")
    return Choice(fast, "trafilatura", f"{doubt}; full cascade found no more text")


def choose_without_doubt(root: HtmlElement, fast: tuple[Block, ...]) -> Choice:
    """The fast text, unless the densest container extends it (see the module docstring)."""
    container = best_container(root)
    if container is None or container_chars(container) < MIN_CONTAINER_GAIN * _chars(fast):
        return Choice(fast, "trafilatura", "trafilatura fast pass, no doubt")
    density = container_blocks(container)
    fast_shingles, density_shingles = _shingles(_text(fast)), _shingles(_text(density))
    kept = _share_in(fast_shingles, density_shingles)
    novel = 1.0 - _share_in(density_shingles, fast_shingles)
    if density and kept >= MIN_SUPERSET_KEPT and novel >= MIN_SUPERSET_NEW:
        reason = f"density holds {kept:.2f} of the fast text and adds {novel:.2f} more"
        return Choice(density, "density", f"trafilatura fast pass, no doubt; {reason}")
    return Choice(fast, "trafilatura", "trafilatura fast pass, no doubt; density adds nothing")


def repeated_share(blocks: tuple[Block, ...]) -> float:
    """Share of the characters of ``blocks`` in second and later copies of long lines."""
    seen: set[str] = set()
    repeated = 0
    for line in (line for block in blocks for line in block.lines):
        if len(line) < MIN_REPEATED_LINE_CHARS:
            continue
        if line in seen:
            repeated += len(line)
        seen.add(line)
    return repeated / _chars(blocks) if repeated else 0.0


def without_repeats(blocks: tuple[Block, ...]) -> tuple[Block, ...]:
    """``blocks`` without the blocks whose long lines all came before (the first copy stays)."""
    seen: set[str] = set()
    kept: list[Block] = []
    for block in blocks:
        long_lines = [line for line in block.lines if len(line) >= MIN_REPEATED_LINE_CHARS]
        if long_lines and all(line in seen for line in long_lines):
            continue
        seen.update(long_lines)
        kept.append(block)
    return tuple(kept)


def _choose_density_first(
    fast: tuple[Block, ...], density: tuple[Block, ...], doubt: str
) -> Choice | None:
    """Density's text for the whole page or an undivided block, when it does the job (then
    the full cascade, tens of milliseconds, is not run); None to ask the full cascade."""
    if _chars(density) < MIN_KEEP * _chars(fast):
        return None
    if doubt.startswith(WHOLE_PAGE):
        if _chars(density) < _chars(fast):
            return Choice(density, "density", f"{doubt}; density found the article in it")
    elif doubt.startswith(UNDIVIDED) and not is_blob(density):
        # (a short text that is also one block may miss most of the article: the full
        # cascade is asked first there)
        return Choice(density, "density", f"{doubt}; density divides the text")
    return None


def _choose_for_whole_page(fast: tuple[Block, ...], full: tuple[Block, ...], doubt: str) -> Choice:
    if 0 < _chars(full) < _chars(fast):
        return Choice(full, "trafilatura", f"{doubt}; full cascade found the article in it")
    return Choice(fast, "trafilatura", f"{doubt}; no candidate found the article in it")


def _choose_for_blob(
    fast: tuple[Block, ...], full: tuple[Block, ...], density: tuple[Block, ...], doubt: str
) -> Choice:
    for name, blocks in (("trafilatura", full), ("density", density)):
        if not is_blob(blocks) and _chars(blocks) >= MIN_KEEP * _chars(fast):
            what = "full cascade" if name == "trafilatura" else "density"
            return Choice(blocks, name, f"{doubt}; {what} divides the text")
    return Choice(fast, "trafilatura", f"{doubt}; no candidate divides it")


def _page_size_matters(blocks: tuple[Block, ...]) -> bool:
    """True when :func:`doubts_about` needs the page's visible characters to judge ``blocks``
    (it may find them short, or the whole page)."""
    return _chars(blocks) < FULL_LENGTH_CHARS or _menu_line_share(blocks) >= MIN_MENU_LINE_SHARE


def doubts_about(blocks: tuple[Block, ...], page_chars: int, body: str | None) -> str | None:
    """Why the fast extraction is doubtful (rules in the module docstring), or None."""
    chars = _chars(blocks)
    if chars < MIN_CONFIDENT_CHARS:
        return f"short: {chars} chars"
    if chars < MIN_PAGE_SHARE * page_chars and chars < FULL_LENGTH_CHARS:
        return f"short: {chars} of {page_chars} visible chars"
    if chars > MAX_PAGE_SHARE * page_chars and _menu_line_share(blocks) >= MIN_MENU_LINE_SHARE:
        return f"{WHOLE_PAGE}: {chars} of {page_chars} visible chars"
    if is_blob(blocks):
        return f"{UNDIVIDED} of {_longest_line(blocks)} chars"
    if body is not None:
        coverage = coverage_of(body, _text(blocks))
        if coverage < MIN_BODY_COVERAGE:
            return f"covers {coverage:.2f} of the json-ld body"
    return None


def _choose_with_body(candidates: tuple[tuple[Block, ...], ...], body: str, doubt: str) -> Choice:
    names = ("fast", "full", "density")
    covers = [coverage_of(body, _text(blocks)) for blocks in candidates]
    best_index = max(range(len(candidates)), key=lambda i: (covers[i], -i))
    best, best_cover = candidates[best_index], covers[best_index]
    extractor = "density" if names[best_index] == "density" else "trafilatura"
    detail = f"{doubt}; " + ", ".join(
        f"{name} covers {cover:.2f}" for name, cover in zip(names, covers, strict=True)
    )
    declared = tuple(body_blocks(body))
    if is_blob(best) and len(declared) > 1 and best_cover >= MIN_BODY_COVERAGE:
        # the same text, but the declared one is divided into paragraphs
        return Choice(declared, "json-ld", f"{detail}; the json-ld body is the text, divided")
    if best_cover >= MAX_COVERAGE_TO_REPLACE or len(body) <= _chars(best):
        return Choice(best, extractor, detail)
    return Choice(declared, "json-ld", f"{detail}; the json-ld body is the text")


def body_blocks(body: str) -> list[Block]:
    """A JSON-LD ``articleBody`` as blocks: one per paragraph (blank-line or line separated)."""
    paragraphs = [p for p in re.split(r"\n\s*\n|\r\n", body) if p.strip()]
    if len(paragraphs) == 1:
        paragraphs = [p for p in body.split("\n") if p.strip()]
    return render_plain_blocks(collapse_whitespace(p) for p in paragraphs)


def coverage_of(reference: str, text: str) -> float:
    """Share of ``reference``'s word shingles that occur in ``text`` (0 when it has none)."""
    return _share_in(_shingles(reference), _shingles(text))


def _share_in(wanted: set[tuple[str, ...]], found: set[tuple[str, ...]]) -> float:
    return len(wanted & found) / len(wanted) if wanted else 0.0


def visible_chars(root: HtmlElement) -> int:
    """Characters of text in the page body, scripts and styles left out (counted in C)."""
    body = root.find("body")
    scope = body if body is not None else root
    total = text_chars(scope)
    hidden = sum(text_chars(e) for e in scope.iter(*_SKIPPED_TEXT_TAGS))
    return max(total - hidden, 0)


def _shingles(text: str) -> set[tuple[str, ...]]:
    words = _WORD.findall(text.lower())
    if len(words) < SHINGLE_WORDS:
        return {tuple(words)} if words else set()
    # zip of shifted views builds the tuples in C (a comprehension of slices costs 5 times more)
    return set(zip(*(words[i:] for i in range(SHINGLE_WORDS)), strict=False))


def is_blob(blocks: tuple[Block, ...]) -> bool:
    """Most of a long text in one line (see the module docstring)."""
    chars = _chars(blocks)
    return chars >= MIN_BLOB_CHARS and _longest_line(blocks) > BLOB_SHARE * chars


def _menu_line_share(blocks: tuple[Block, ...]) -> float:
    lines = [line for block in blocks for line in block.lines]
    short = sum(1 for line in lines if len(line.split()) <= MAX_MENU_WORDS)
    return short / len(lines) if lines else 0.0


def _longest_line(blocks: tuple[Block, ...]) -> int:
    return max((len(line) for block in blocks for line in block.lines), default=0)


def _chars(blocks: tuple[Block, ...]) -> int:
    return sum(len(line) for block in blocks for line in block.lines)


def _text(blocks: tuple[Block, ...]) -> str:
    return "\n".join(line for block in blocks for line in block.lines)
