"""Scoring functions for extraction benchmarks: pure, dependency-free, unit-tested.

Text quality
    * :func:`shingle_counts` / :func:`shingle_scores` -- token 4-gram shingle precision, recall
      and F1, the ScrapingHub article-extraction-benchmark definition (WCXB uses the same).
    * :func:`bag_of_words_f1` -- lower-cased word multiset overlap F1 of one document.
    * :func:`must_contain_recall` / :func:`leak_rate` -- the WCXB ``with`` / ``without``
      snippet checks.

Metadata
    * :func:`title_exact`, :func:`title_contains`, :func:`author_matches`,
      :func:`same_calendar_date`.

Aggregation
    * :func:`mean_defined`, :func:`accuracy` -- means that skip documents a metric does not
      apply to (``None``).

Every function takes plain strings, tuples and dates, never a harness record, so the
definitions can be read and checked here in isolation.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

SHINGLE_SIZE = 4

_TOKEN = re.compile(r"\w+")
_WHITESPACE = re.compile(r"\s+")
_FULL_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
# Words that decorate a byline without naming anyone ("By Jane Doe").
_BYLINE_NOISE = frozenset({"by"})

Shingle = tuple[str, ...]


def tokenize(text: str) -> list[str]:
    """Lower-cased ``\\w+`` tokens: the unit of every text metric here."""
    return _TOKEN.findall(text.lower())


def shingles(tokens: Sequence[str], size: int = SHINGLE_SIZE) -> Counter[Shingle]:
    """The multiset of contiguous ``size``-token shingles.

    As in the ScrapingHub reference, a non-empty text shorter than ``size`` tokens yields one
    shorter shingle (all its tokens), and an empty text yields none.
    """
    if not tokens:
        return Counter()
    if len(tokens) < size:
        return Counter([tuple(tokens)])
    return Counter(tuple(tokens[i : i + size]) for i in range(len(tokens) - size + 1))


@dataclass(frozen=True, slots=True)
class ShingleCounts:
    """Shingle TP/FP/FN of one document (raw multiset counts).

    The reference divides the three by their sum so long texts do not weigh more; since only
    the per-document ratios below are ever used, that division changes nothing and the raw
    counts are kept.
    """

    tp: int
    fp: int
    fn: int

    @property
    def precision(self) -> float | None:
        """TP / (TP + FP); ``None`` when the extraction has no shingles (it is empty)."""
        predicted = self.tp + self.fp
        return self.tp / predicted if predicted else None

    @property
    def recall(self) -> float | None:
        """TP / (TP + FN); ``None`` when the ground truth has no shingles (it is empty)."""
        expected = self.tp + self.fn
        return self.tp / expected if expected else None

    @property
    def f1(self) -> float:
        """Per-document F1, for ranking documents only (0.0 where P or R is undefined)."""
        return harmonic_mean(self.precision or 0.0, self.recall or 0.0)


def shingle_counts(extracted: str, truth: str, size: int = SHINGLE_SIZE) -> ShingleCounts:
    """Multiset TP/FP/FN between the shingles of an extraction and of its ground truth."""
    predicted = shingles(tokenize(extracted), size)
    expected = shingles(tokenize(truth), size)
    tp = sum((predicted & expected).values())
    return ShingleCounts(
        tp=tp,
        fp=sum(predicted.values()) - tp,
        fn=sum(expected.values()) - tp,
    )


@dataclass(frozen=True, slots=True)
class ShingleScores:
    """Corpus-level shingle scores and how many documents each mean is taken over."""

    precision: float
    recall: float
    f1: float
    precision_docs: int
    recall_docs: int


def shingle_scores(counts: Iterable[ShingleCounts]) -> ShingleScores:
    """Average per-document P and R, then F1 = 2PR / (P + R) of the two means.

    Scoring of the edge cases, exactly as in the ScrapingHub ``evaluate.py``:

    * empty extraction, non-empty truth: recall 0; left out of the precision mean;
    * non-empty extraction, empty truth: precision 0; left out of the recall mean;
    * both empty: left out of both means;
    * a mean over no documents is reported as 0.0 (with ``*_docs`` = 0 to show it).

    So an extractor that returns nothing on a page loses recall there but no precision:
    read the count of empty extractions beside these figures.
    """
    precisions: list[float] = []
    recalls: list[float] = []
    for doc in counts:
        if doc.precision is not None:
            precisions.append(doc.precision)
        if doc.recall is not None:
            recalls.append(doc.recall)
    precision = mean_defined(precisions) or 0.0
    recall = mean_defined(recalls) or 0.0
    return ShingleScores(
        precision=precision,
        recall=recall,
        f1=harmonic_mean(precision, recall),
        precision_docs=len(precisions),
        recall_docs=len(recalls),
    )


def harmonic_mean(precision: float, recall: float) -> float:
    """2PR / (P + R), and 0.0 when both are 0."""
    total = precision + recall
    return 2 * precision * recall / total if total else 0.0


def bag_of_words_f1(extracted: str, truth: str) -> float:
    """F1 of the lower-cased word multisets of one document.

    Overlap = sum of min counts per word; P = overlap / extracted words,
    R = overlap / truth words. Both texts empty score 1.0 (they agree); exactly one empty
    scores 0.0. Averaged over all documents by the caller, none left out.
    """
    predicted = Counter(tokenize(extracted))
    expected = Counter(tokenize(truth))
    if not predicted and not expected:
        return 1.0
    overlap = sum((predicted & expected).values())
    if not overlap:
        return 0.0
    return harmonic_mean(overlap / predicted.total(), overlap / expected.total())


def normalise_for_match(text: str) -> str:
    """NFKC, case-folded, every whitespace run made one space, stripped."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return _WHITESPACE.sub(" ", folded).strip()


def snippets_found(snippets: Iterable[str], text: str) -> tuple[int, int]:
    """(found, checked): how many non-blank snippets occur in ``text`` after normalising."""
    haystack = normalise_for_match(text)
    needles = [n for n in (normalise_for_match(s) for s in snippets) if n]
    return sum(needle in haystack for needle in needles), len(needles)


def must_contain_recall(snippets: Iterable[str], text: str) -> float | None:
    """Fraction of ``with`` snippets found in the extraction; ``None`` when there are none."""
    found, checked = snippets_found(snippets, text)
    return found / checked if checked else None


def leak_rate(snippets: Iterable[str], text: str) -> float | None:
    """Fraction of ``without`` snippets found in the extraction; ``None`` when there are none.

    Lower is better: each hit is boilerplate that leaked into the article text.
    """
    found, checked = snippets_found(snippets, text)
    return found / checked if checked else None


def normalise_title(title: str) -> str:
    """Lower-cased tokens joined by one space: punctuation and dash styles stop mattering."""
    return " ".join(tokenize(title))


def title_exact(extracted: str | None, truth: str) -> bool:
    """The normalised titles are equal (and not empty)."""
    expected = normalise_title(truth)
    return bool(expected) and normalise_title(extracted or "") == expected


def title_contains(extracted: str | None, truth: str) -> bool:
    """Token-aligned containment of one normalised title in the other.

    The truth inside the extraction always counts (``"Title | Site name"``). The extraction
    inside the truth counts only when it covers at least half of the truth's tokens, so a
    stray ``"Home"`` does not pass for ``"Home repair tips for renters"``.
    """
    expected = normalise_title(truth)
    got = normalise_title(extracted or "")
    if not expected or not got:
        return False
    if f" {expected} " in f" {got} ":
        return True
    return f" {got} " in f" {expected} " and 2 * len(got.split()) >= len(expected.split())


def name_tokens(name: str) -> frozenset[str]:
    """The tokens of a person's name, without byline words such as "by"."""
    return frozenset(tokenize(name)) - _BYLINE_NOISE


def author_matches(extracted: Sequence[str], truth: str) -> bool:
    """Some extracted name matches the truth's author string, by normalised tokens.

    ``truth`` may list several people ("A, B and C") and credentials ("Jane Doe, MD").
    One extracted name matches when its token set equals the truth's, or when one set
    contains the other and the smaller has at least two tokens (a full name, not a lone
    first name).
    """
    expected = name_tokens(truth)
    if not expected:
        return False
    for name in extracted:
        got = name_tokens(name)
        if not got:
            continue
        if got == expected:
            return True
        if min(len(got), len(expected)) >= 2 and (got <= expected or expected <= got):
            return True
    return False


def parse_full_date(value: str | None) -> date | None:
    """A ``YYYY-MM-DD`` prefix as a date; ``None`` for year-only, partial or invalid values."""
    match = _FULL_DATE.match(value or "")
    if match is None:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:  # e.g. 2025-02-30: not a calendar date, so not comparable
        return None


def same_calendar_date(extracted: date | datetime | None, truth: date) -> bool:
    """The extraction falls on the truth's calendar date.

    A datetime counts by its own date, in the offset it carries (the page's local date),
    not converted to UTC: a 23:30-05:00 timestamp is that day, as the page printed it.
    """
    if extracted is None:
        return False
    if isinstance(extracted, datetime):
        extracted = extracted.date()
    return extracted == truth


def mean_defined(values: Iterable[float | None]) -> float | None:
    """Mean of the values that are not ``None``; ``None`` when there are none."""
    defined = [v for v in values if v is not None]
    return sum(defined) / len(defined) if defined else None


def accuracy(outcomes: Iterable[bool | None]) -> tuple[float | None, int]:
    """(fraction True, documents scored), skipping ``None`` (metric not applicable)."""
    scored = [o for o in outcomes if o is not None]
    return (sum(scored) / len(scored) if scored else None), len(scored)
