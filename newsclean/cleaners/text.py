"""Text helpers shared by the cleaning rules: normalising a line for matching, counting words.

Matching is done on a *normalised* form of a line (case-folded, quotes and dashes unified,
whitespace collapsed, decorative punctuation stripped from both ends) so that
"- ADVERTISEMENT -", "Advertisement" and "advertisement:" are one label. The original line is
what is kept or removed; the normalised form is only ever compared.
"""

from __future__ import annotations

import re
import unicodedata

# (a dict of replacements, applied by replace_chars: str.translate costs a dict lookup per
# character of the line, fifteen times the cost of one C scan per replaced character)
_QUOTES = {
    "\u2018": "'",
    "\u2019": "'",
    "\u201a": "'",
    "\u201b": "'",
    "\u2032": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "\u00ab": '"',
    "\u00bb": '"',
    "\u2010": "-",
    "\u2011": "-",
    "\u2012": "-",
    "\u2013": "-",
    "\u2014": "-",
    "\u2015": "-",
    "\u2212": "-",
    "\u2026": "...",
    "\u00a0": " ",
    "\u202f": " ",
    "\u200b": "",
    "\ufeff": "",
}
_SPACES = re.compile(r"\s+")
# French typography puts a (thin) space before ":", "!" and "?"; matching ignores it.
_SPACE_BEFORE_PUNCT = re.compile(r" (?=[:!?;])")
# Decoration around labels: bullets, dashes, pipes, arrows, stars, brackets, trailing dots.
_EDGE_CHARS = " \t-|•·*#>:»«›‹_=~/\\.!?,;()[]{}<>+\"'▶►→←↑↓✓✔✕✖×"
_WORD = re.compile(r"\w+")


def normalize(line: str) -> str:
    """The comparable form of ``line``: case-folded, punctuation-unified, edges stripped."""
    if line.isascii():  # the common case: nothing to unify but case and spaces
        text = " ".join(line.split()).lower()
    else:
        text = replace_chars(unicodedata.normalize("NFKC", line), _QUOTES)
        text = " ".join(text.split()).casefold()
    text = _SPACE_BEFORE_PUNCT.sub("", text)
    return text.strip(_EDGE_CHARS)


def replace_chars(text: str, replacements: dict[str, str]) -> str:
    """``text`` with each key character of ``replacements`` replaced by its value."""
    for old, new in replacements.items():
        if old in text:
            text = text.replace(old, new)
    return text


def collapse_whitespace(text: str) -> str:
    """``text`` on one line with single spaces (for comparing and for removal logs)."""
    return " ".join(text.split())


def word_count(text: str) -> int:
    """Whitespace-separated tokens (a run of CJK text counts as one)."""
    return len(text.split())


def words(text: str) -> list[str]:
    return _WORD.findall(text)


_SENTENCE_END = (".", "!", "?", "…", '"', "”", "»", ")", "'", "’")


def looks_like_prose(line: str, min_words: int = 6) -> bool:
    """True when ``line`` reads as a sentence (ends like one and is not a stub).

    Link titles, labels and menu entries rarely end with sentence punctuation; article
    sentences nearly always do. Used to stop trailing-boilerplate runs at article text.
    """
    stripped = line.rstrip()
    return stripped.endswith(_SENTENCE_END) and word_count(stripped) >= min_words


def is_heading_like(line: str, max_words: int = 20) -> bool:
    """A short line that does not end like a sentence (a title, a subheading)."""
    stripped = line.strip()
    return 0 < word_count(stripped) <= max_words and not stripped.endswith((".", "!", "?", ":"))


def word_set(text: str) -> frozenset[str]:
    """The whitespace-separated words of ``text`` (for word lists written as one string)."""
    return frozenset(text.split())
