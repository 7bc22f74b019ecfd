"""The cleaning quality gate: pinned pages, scores, and floors they may not cross.

Every ``tests/quality/<name>.html.gz`` is cleaned with :func:`newsclean.cleaners.clean_html`
and compared with its ``<name>.json``, written by hand (``tests/quality/build_pages.py``):

* shingle F1 -- token 4-gram shingles (``\\w+``, lower-cased) of the clean text against
  ``expected_text``, P and R averaged over pages, F1 of the two means (benchmarks/metrics.py);
* must-contain recall -- share of ``must_contain`` snippets found (whitespace and case
  folded), over all snippets of all pages;
* leak rate -- share of ``must_not_contain`` snippets found: boilerplate left in the text.

The test fails when a figure crosses its floor in ``tests/quality/floors.json`` and prints
every figure, per page too, with trafilatura's plain output on the same pages for reference
(no assertion on it). Lowering a floor is an explicit commit that says why
(tests/quality/README.md).
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
import trafilatura

from benchmarks.metrics import (
    ShingleCounts,
    shingle_counts,
    shingle_scores,
    snippets_found,
)
from newsclean.cleaners import clean_html

QUALITY = Path(__file__).resolve().parent / "quality"
FLOORS = QUALITY / "floors.json"
PAGES = sorted(p.name.removesuffix(".json") for p in QUALITY.glob("*.json") if p != FLOORS)


@dataclass(frozen=True, slots=True)
class PageResult:
    name: str
    counts: ShingleCounts
    #: (found, checked) of the must-contain and must-not-contain snippets
    kept: tuple[int, int]
    leaked: tuple[int, int]


@dataclass(frozen=True, slots=True)
class GateFigures:
    shingle_precision: float
    shingle_recall: float
    shingle_f1: float
    must_contain_recall: float
    leak_rate: float

    def as_dict(self) -> dict[str, float]:
        return {
            "shingle_precision": self.shingle_precision,
            "shingle_recall": self.shingle_recall,
            "shingle_f1": self.shingle_f1,
            "must_contain_recall": self.must_contain_recall,
            "leak_rate": self.leak_rate,
        }


def load_case(name: str) -> dict[str, object]:
    case: dict[str, object] = json.loads((QUALITY / f"{name}.json").read_text(encoding="utf-8"))
    return case


def page_bytes(name: str) -> bytes:
    return gzip.decompress((QUALITY / f"{name}.html.gz").read_bytes())


def score_page(name: str, text: str) -> PageResult:
    case = load_case(name)
    must = case["must_contain"]
    must_not = case["must_not_contain"]
    expected = case["expected_text"]
    assert isinstance(must, list) and isinstance(must_not, list) and isinstance(expected, str)
    return PageResult(
        name,
        shingle_counts(text, expected),
        snippets_found(must, text),
        snippets_found(must_not, text),
    )


def figures(results: list[PageResult]) -> GateFigures:
    scores = shingle_scores(r.counts for r in results)
    kept = sum(r.kept[0] for r in results), sum(r.kept[1] for r in results)
    leaked = sum(r.leaked[0] for r in results), sum(r.leaked[1] for r in results)
    return GateFigures(
        shingle_precision=scores.precision,
        shingle_recall=scores.recall,
        shingle_f1=scores.f1,
        must_contain_recall=kept[0] / kept[1],
        leak_rate=leaked[0] / leaked[1],
    )


@cache
def newsclean_results() -> list[PageResult]:
    results = []
    for name in PAGES:
        case = load_case(name)
        content_type = case.get("content_type")
        assert isinstance(case["url"], str) and isinstance(content_type, str | None)
        article = clean_html(page_bytes(name), case["url"], content_type=content_type)
        results.append(score_page(name, article.text))
    return results


def trafilatura_results() -> list[PageResult]:
    """trafilatura 2.x defaults on the same pages, for the printout only."""
    results = []
    for name in PAGES:
        case = load_case(name)
        text = trafilatura.extract(page_bytes(name).decode("utf-8"), url=case["url"]) or ""
        results.append(score_page(name, text))
    return results


def report(label: str, results: list[PageResult]) -> str:
    gate = figures(results)
    lines = [
        f"{label}: shingle P {gate.shingle_precision:.4f} R {gate.shingle_recall:.4f}"
        f" F1 {gate.shingle_f1:.4f}; must-contain recall {gate.must_contain_recall:.4f};"
        f" leak rate {gate.leak_rate:.4f} ({len(results)} pages)"
    ]
    for r in results:
        lines.append(
            f"  {r.name:32} P {r.counts.precision or 0:.3f} R {r.counts.recall or 0:.3f}"
            f" kept {r.kept[0]}/{r.kept[1]} leaked {r.leaked[0]}/{r.leaked[1]}"
        )
    return "\n".join(lines)


def test_the_set_is_pinned_and_well_formed() -> None:
    assert 15 <= len(PAGES) <= 30
    languages = set()
    for name in PAGES:
        assert (QUALITY / f"{name}.html.gz").is_file(), name
        case = load_case(name)
        assert case["must_contain"] and case["must_not_contain"], name
        expected = case["expected_text"]
        assert isinstance(expected, str)
        # the expectations describe the page: every must-contain snippet is in the expected
        # text and on the page; no must-not snippet is in the expected text
        html = page_bytes(name).decode("utf-8")
        for snippet in case["must_contain"]:  # type: ignore[attr-defined]
            assert snippet in expected, (name, snippet)
        for snippet in case["must_not_contain"]:  # type: ignore[attr-defined]
            assert snippets_found([snippet], expected) == (0, 1), (name, snippet)
        assert html.count("<p") >= 1 or "t-9x" in html
        languages.add(case["language"])
    assert len(languages) >= 6


def test_cleaning_quality_stays_above_the_pinned_floors() -> None:
    floors = json.loads(FLOORS.read_text(encoding="utf-8"))
    ours = newsclean_results()
    print()
    print(report("newsclean", ours))
    print(report("trafilatura (reference, not gated)", trafilatura_results()))
    got = figures(ours).as_dict()
    crossed = []
    for name, floor in floors["minimum"].items():
        if got[name] < floor:
            crossed.append(f"{name} {got[name]:.4f} < floor {floor}")
    for name, ceiling in floors["maximum"].items():
        if got[name] > ceiling:
            crossed.append(f"{name} {got[name]:.4f} > ceiling {ceiling}")
    assert not crossed, "quality gate crossed: " + "; ".join(crossed)


def test_the_floors_name_known_figures() -> None:
    floors = json.loads(FLOORS.read_text(encoding="utf-8"))
    known = set(GateFigures(0, 0, 0, 0, 0).as_dict())
    assert set(floors["minimum"]) | set(floors["maximum"]) <= known
    assert {"shingle_f1", "must_contain_recall"} <= set(floors["minimum"])
    assert "leak_rate" in floors["maximum"]


@pytest.mark.parametrize(
    ("text", "kept", "leaked"),
    [("", 0, 0), ("everything", 3, 1)],
)
def test_the_gate_can_fail(text: str, kept: int, leaked: int) -> None:
    """An empty extraction scores zero; one holding the whole page leaks."""
    name = "en_wordpress_adblock"
    case = load_case(name)
    if text == "everything":
        text = f"{case['expected_text']}\n\n" + "\n".join(case["must_not_contain"])  # type: ignore[arg-type]
    result = score_page(name, text)
    assert result.kept[0] == kept
    assert (result.leaked[0] > 0) == bool(leaked)
    assert (result.counts.recall or 0.0) == (1.0 if text else 0.0)
