"""The boilerplate phrase catalogue: known UI strings, and how a line is matched against them.

Two tab-separated files ship in ``data/`` with the same columns (phrase, category, language,
source): ``boilerplate-phrases.tsv`` (real strings of WordPress core, common plugins and news
sites, shared with the team) and ``extra-phrases.tsv`` (well-known strings we added for
languages and categories the first file lacks). A phrase is matched on the normalised form
(:func:`newsclean.cleaners.text.normalize`) in three ways, each with its own strictness:

* :meth:`PhraseCatalogue.exact` -- the whole line is the phrase ("Advertisement", "Leave a
  Comment"). Any phrase may match this way, however short.
* :meth:`PhraseCatalogue.coverage` -- phrases of at least two words and
  ``MIN_COVERAGE_CHARS`` characters found inside the line, as whole words; the caller decides
  which share of the line they must cover. A one-word phrase never counts here, so "cookies"
  or "Email" inside a sentence is never a match.
* :meth:`PhraseCatalogue.leading` -- the line opens with a multi-word phrase ("Leave a Reply
  to Anna"); the caller limits what may follow.
* :meth:`PhraseCatalogue.prefix` -- the line opens with a phrase followed by a separator
  ("Read more: ...", "Lire aussi : ..."), used for teaser lines.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources

from newsclean.cleaners.text import normalize

CATALOGUE_FILES = ("boilerplate-phrases.tsv", "extra-phrases.tsv")
#: shortest phrase (normalised characters) allowed to match inside a longer line
MIN_COVERAGE_CHARS = 8
# What may follow a teaser prefix: the rest of the line is a headline, not a sentence.
_PREFIX_SEPARATORS = (":", "|", "-", ">", '"', "/")


@dataclass(frozen=True, slots=True)
class Phrase:
    """One catalogue row."""

    text: str
    category: str
    language: str
    source: str
    normalized: str


@dataclass(frozen=True, slots=True)
class CoverageMatch:
    """The phrases found inside a line and the share of the line they cover."""

    ratio: float  # covered characters / characters of the normalised line
    phrases: tuple[Phrase, ...]

    @property
    def category(self) -> str:
        longest = max(self.phrases, key=lambda p: len(p.normalized))
        return longest.category


class PhraseCatalogue:
    """Phrases indexed for the three kinds of match."""

    def __init__(self, phrases: Iterable[Phrase]) -> None:
        self.phrases: tuple[Phrase, ...] = tuple(p for p in phrases if p.normalized)
        self._exact: dict[str, Phrase] = {}
        self._by_first_word: dict[str, list[Phrase]] = {}
        # (first word, start of the second word) -> phrases: most lines hold some first word
        # ("a", "you", "the"...), few hold a phrase's first two words
        self._by_pair: dict[tuple[str, str], list[Phrase]] = {}
        for phrase in self.phrases:
            self._exact.setdefault(phrase.normalized, phrase)
            if _is_coverage_phrase(phrase.normalized):
                first, second = phrase.normalized.split(" ")[:2]
                self._by_first_word.setdefault(first, []).append(phrase)
                self._by_pair.setdefault((first, second[:2]), []).append(phrase)
        for bucket in (*self._by_first_word.values(), *self._by_pair.values()):
            bucket.sort(key=lambda p: len(p.normalized), reverse=True)
        self._first_words = frozenset(self._by_first_word)

    def __len__(self) -> int:
        return len(self.phrases)

    def exact(self, normalized: str) -> Phrase | None:
        """The phrase that *is* this (normalised) line, if any."""
        return self._exact.get(normalized)

    def coverage(self, normalized: str) -> CoverageMatch | None:
        """Multi-word phrases found in the line as whole words, longest first, no overlaps."""
        tokens = normalized.split(" ")
        if self._first_words.isdisjoint(tokens):
            return None  # the common case, decided in C
        found: list[Phrase] = []
        covered = 0
        position = 0
        free_from = 0  # matches never overlap: the next one starts after the last one ends
        first_words = self._first_words
        last = len(tokens) - 1
        for index, token in enumerate(tokens):
            if position >= free_from and token in first_words and index < last:
                match = self._longest_pair_at(normalized, position, token, tokens[index + 1])
                if match is not None:
                    found.append(match)
                    covered += len(match.normalized)
                    free_from = position + len(match.normalized)
            position += len(token) + 1
        if not found:
            return None
        return CoverageMatch(ratio=covered / len(normalized), phrases=tuple(found))

    def prefix(self, normalized: str) -> Phrase | None:
        """The longest phrase the line opens with, when a separator follows it."""
        first = normalized.split(" ", 1)[0].rstrip(":|")
        candidates = self._by_first_word.get(first, [])
        single = self._exact.get(first)
        for phrase in [*candidates, *([single] if single else [])]:
            rest = normalized[len(phrase.normalized) :]
            if normalized.startswith(phrase.normalized) and rest.lstrip().startswith(
                _PREFIX_SEPARATORS
            ):
                return phrase
        return None

    def leading(self, normalized: str) -> Phrase | None:
        """The longest multi-word phrase the line opens with (as whole words), if any."""
        return self._longest_at(normalized, 0, normalized.split(" ", 1)[0])

    def _longest_pair_at(self, text: str, position: int, first: str, second: str) -> Phrase | None:
        """The longest phrase at ``position`` whose first two words open the line's."""
        best: Phrase | None = None
        for key in ((first, second[:2]), (first, second[:1])):
            for phrase in self._by_pair.get(key, ()):
                if best is not None and len(phrase.normalized) <= len(best.normalized):
                    break
                stop = position + len(phrase.normalized)
                if text.startswith(phrase.normalized, position) and _is_boundary(text, stop):
                    best = phrase
                    break
        return best

    def _longest_at(self, text: str, position: int, first: str) -> Phrase | None:
        bucket = self._by_first_word.get(first)
        if bucket is None:
            return None
        for phrase in bucket:
            stop = position + len(phrase.normalized)
            if text.startswith(phrase.normalized, position) and _is_boundary(text, stop):
                return phrase
        return None


def _is_coverage_phrase(normalized: str) -> bool:
    return " " in normalized and len(normalized) >= MIN_COVERAGE_CHARS


def _is_boundary(text: str, index: int) -> bool:
    return index >= len(text) or not text[index].isalnum() or not text[index - 1].isalnum()


def read_phrases(lines: Iterable[str]) -> Iterator[Phrase]:
    """Rows of a catalogue TSV (with its header line) as :class:`Phrase` records."""
    reader = csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE)
    for row in reader:
        text = (row.get("phrase") or "").strip()
        if text:
            yield Phrase(
                text=text,
                category=(row.get("category") or "other").strip(),
                language=(row.get("language") or "und").strip(),
                source=(row.get("source") or "").strip(),
                normalized=normalize(text),
            )


@cache
def default_catalogue() -> PhraseCatalogue:
    """The catalogue built from the TSV files shipped in ``newsclean/cleaners/data``."""
    data = resources.files("newsclean.cleaners") / "data"
    phrases: list[Phrase] = []
    for name in CATALOGUE_FILES:
        with (data / name).open(encoding="utf-8") as handle:
            phrases.extend(read_phrases(handle))
    return PhraseCatalogue(phrases)
