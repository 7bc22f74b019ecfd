"""Page-type benchmark: newsclean's page type and soft-failure rules on every WCXB dev page.

::

    python -m benchmarks.pagetype                    # all 1,497 pages, main text from trafilatura
    python -m benchmarks.pagetype --text newsclean   # main text from clean_html (the pipeline's)
    python -m benchmarks.pagetype --limit 200 --errors 20 --json /tmp/pagetype.json

Per page, outside any timer: read the gzip file, decode it (UTF-8), parse it once with the
cleaners' parser. Then, timed with ``time.perf_counter``: ``PageFeatures.read`` on the tree,
``trafilatura.extract`` on the string (the baseline, and the main text by default) and
``classify``. WCXB's classes are mapped onto ours (:data:`WCXB_CLASSES`) and the report
prints a confusion matrix, per-class precision and recall, the article figures the rules
are tuned for (articles kept = article recall; article precision), the same on the
even-numbered and odd-numbered pages (a check that no half carries the result), what other
article priors would give, the soft failures flagged, and the time taken.

Exit codes: 0 done; 2 bad arguments or no data folder.
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from time import perf_counter
from typing import Literal

import trafilatura

from newsclean.cleaners.clean import parse_html
from newsclean.cleaners.pagetype import (
    PRIORS,
    PageDecision,
    PageFeatures,
    Signal,
    classify,
    decide,
    signals,
)
from newsclean.cleaners.records import PageType

ATTRIBUTION = (
    "Data: WCXB 1.0 dev split (Murrough-Foley/web-content-extraction-benchmark), "
    "licensed CC-BY-4.0."
)
DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "wcxb-dev"
TextSource = Literal["trafilatura", "newsclean"]
#: WCXB's page classes -> ours
WCXB_CLASSES: dict[str, PageType] = {
    "article": "article",
    "listing": "listing",
    "collection": "listing",
    "product": "product",
    "forum": "forum",
    "service": "other",
    "documentation": "other",
}
CLASSES: tuple[PageType, ...] = ("article", "listing", "product", "forum", "other")
#: article priors shown in the trade-off table (the rules use ``PRIORS["article"]``)
PRIOR_STEPS = (0.5, 0.0, -0.5, -1.0, -1.5)


class BenchmarkError(Exception):
    """A problem that stops the benchmark before it measures anything (exit code 2)."""


@dataclass(frozen=True, slots=True)
class Page:
    page_id: str
    url: str | None
    label: str  # WCXB's class
    html_path: Path

    @property
    def truth(self) -> PageType:
        return WCXB_CLASSES.get(self.label, "other")


@dataclass(frozen=True, slots=True)
class Outcome:
    """What the rules said about one page, and how long each step took (seconds)."""

    page_id: str
    url: str | None
    truth: PageType
    decision: PageDecision
    found: tuple[Signal, ...]  # empty for soft failures and pages without text
    text_chars: int  # of the main text, stripped
    read_seconds: float
    classify_seconds: float
    baseline_seconds: float

    @property
    def predicted(self) -> str:
        """The page type, or "soft:<kind>" for a soft failure."""
        soft = self.decision.soft_failure
        return f"soft:{soft}" if soft else self.decision.page_type


@dataclass(frozen=True, slots=True)
class ArticleFigures:
    kept: int  # true articles decided "article"
    articles: int  # true articles
    decided: int  # pages decided "article"

    @property
    def recall(self) -> float:
        return self.kept / self.articles if self.articles else 0.0

    @property
    def precision(self) -> float:
        return self.kept / self.decided if self.decided else 0.0


# --- data ----------------------------------------------------------------------------------


def load_pages(data_dir: Path, limit: int | None = None) -> list[Page]:
    """Every WCXB page in id order (the first ``limit`` with a limit)."""
    truth_dir = data_dir / "ground-truth"
    if not truth_dir.is_dir():
        raise BenchmarkError(f"no ground-truth folder in {data_dir}")
    pages: list[Page] = []
    for path in sorted(truth_dir.glob("*.json"))[:limit]:
        record = json.loads(path.read_text(encoding="utf-8"))
        # one file carries its URL inside ground_truth rather than at the top level
        url = record.get("url") or record.get("ground_truth", {}).get("url")
        label = record["_internal"]["page_type"]["primary"]
        pages.append(Page(path.stem, url, label, data_dir / "html" / f"{path.stem}.html.gz"))
    return pages


def read_html(path: Path) -> str:
    """The page's HTML as text; WCXB stores UTF-8, and a stray bad byte is replaced."""
    return gzip.decompress(path.read_bytes()).decode("utf-8", errors="replace")


# --- running -------------------------------------------------------------------------------


def text_source(name: TextSource) -> Callable[[str, str | None, str], str]:
    """How the main text is had: trafilatura's (already computed) or ``clean_html``'s."""
    if name == "trafilatura":
        return lambda html, url, baseline_text: baseline_text
    from newsclean.cleaners import clean_html

    return lambda html, url, baseline_text: clean_html(html, url).text


def run_page(page: Page, main_text: Callable[[str, str | None, str], str]) -> Outcome:
    html = read_html(page.html_path)
    root = parse_html(html)
    started = perf_counter()
    features = PageFeatures.read(root, page.url) if root is not None else PageFeatures()
    read_seconds = perf_counter() - started
    started = perf_counter()
    baseline_text = extract_baseline(html, page.url)
    baseline_seconds = perf_counter() - started
    text = main_text(html, page.url, baseline_text)
    started = perf_counter()
    decision = classify(features, text)
    classify_seconds = perf_counter() - started
    found = () if decision.soft_failure or not text.strip() else tuple(signals(features, text))
    return Outcome(
        page.page_id,
        page.url,
        page.truth,
        decision,
        found,
        len(text.strip()),
        read_seconds,
        classify_seconds,
        baseline_seconds,
    )


def extract_baseline(html: str, url: str | None) -> str:
    """``trafilatura.extract`` with its defaults; "" when it finds nothing or fails."""
    try:
        return trafilatura.extract(html, url=url) or ""
    except Exception as exc:  # a failing page is scored as a page without text
        print(f"warning: trafilatura failed on {url}: {type(exc).__name__}", file=sys.stderr)
        return ""


def run(pages: Sequence[Page], source: TextSource) -> list[Outcome]:
    main_text = text_source(source)
    if pages:
        run_page(pages[0], main_text)  # warm-up (imports, phrase catalogue), not counted
    return [run_page(page, main_text) for page in pages]


# --- scoring -------------------------------------------------------------------------------


def confusion(outcomes: Iterable[Outcome]) -> Counter[tuple[str, str]]:
    """(true class, predicted class or "soft:<kind>") -> pages."""
    return Counter((o.truth, o.predicted) for o in outcomes)


def precision_recall(matrix: Counter[tuple[str, str]], page_type: str) -> tuple[float, float]:
    hits = matrix[(page_type, page_type)]
    predicted = sum(n for (_, p), n in matrix.items() if p == page_type)
    actual = sum(n for (t, _), n in matrix.items() if t == page_type)
    return (hits / predicted if predicted else 0.0, hits / actual if actual else 0.0)


def article_figures(pairs: Iterable[tuple[PageType, bool]]) -> ArticleFigures:
    """From (true class, decided "article") pairs."""
    kept = articles = decided = 0
    for truth, is_article in pairs:
        articles += truth == "article"
        decided += is_article
        kept += truth == "article" and is_article
    return ArticleFigures(kept, articles, decided)


def with_article_prior(outcome: Outcome, prior: float) -> bool:
    """Would the page be an article with another article prior (soft failures stay out)?"""
    if outcome.decision.soft_failure or not outcome.text_chars:
        return False
    priors = {**PRIORS, "article": prior}
    return decide(outcome.found, priors).is_article


# --- report --------------------------------------------------------------------------------


def format_report(outcomes: Sequence[Outcome], source: TextSource) -> str:
    matrix = confusion(outcomes)
    lines = [
        f"Page type on {len(outcomes)} WCXB pages (main text: {source})",
        "",
        *format_matrix(matrix),
        "",
        *format_per_class(matrix),
        "",
        *format_articles(outcomes),
        "",
        *format_priors(outcomes),
        "",
        *format_soft_failures(outcomes),
        "",
        *format_timing(outcomes),
        "",
        ATTRIBUTION,
    ]
    return "\n".join(lines)


def format_matrix(matrix: Counter[tuple[str, str]]) -> list[str]:
    soft = sorted({p for _, p in matrix if p.startswith("soft:")})
    columns = [*CLASSES, *soft]
    rows = ["true \\ decided  " + " ".join(f"{c:>9.9}" for c in columns) + "    total"]
    for truth in CLASSES:
        counts = [matrix[(truth, c)] for c in columns]
        cells = " ".join(f"{n:>9}" for n in counts)
        rows.append(f"{truth:<15}  {cells}  {sum(counts):>7}")
    return rows


def format_per_class(matrix: Counter[tuple[str, str]]) -> list[str]:
    rows = ["class       precision  recall"]
    for page_type in CLASSES:
        precision, recall = precision_recall(matrix, page_type)
        rows.append(f"{page_type:<10}  {precision:>9.3f}  {recall:>6.3f}")
    return rows


def format_articles(outcomes: Sequence[Outcome]) -> list[str]:
    def figures(selected: Iterable[Outcome]) -> ArticleFigures:
        return article_figures((o.truth, o.decision.is_article) for o in selected)

    every = figures(outcomes)
    even = figures(o for o in outcomes if int(o.page_id) % 2 == 0)
    odd = figures(o for o in outcomes if int(o.page_id) % 2 == 1)
    wrongly = every.decided - every.kept
    return [
        f"articles kept (article recall):  {every.recall:.3f}  "
        f"({every.kept} of {every.articles}; {every.articles - every.kept} lost)",
        f"article precision:               {every.precision:.3f}  "
        f"({wrongly} non-articles kept as articles)",
        f"  even ids: recall {even.recall:.3f} precision {even.precision:.3f}   "
        f"odd ids: recall {odd.recall:.3f} precision {odd.precision:.3f}",
    ]


def format_priors(outcomes: Sequence[Outcome]) -> list[str]:
    rows = [f"article prior (rules: {PRIORS['article']:+.1f})   recall  precision"]
    for prior in PRIOR_STEPS:
        pairs = ((o.truth, with_article_prior(o, prior)) for o in outcomes)
        figures = article_figures(pairs)
        rows.append(f"  {prior:+.1f}{'':22}{figures.recall:.3f}  {figures.precision:>9.3f}")
    return rows


def format_soft_failures(outcomes: Sequence[Outcome]) -> list[str]:
    flagged = [o for o in outcomes if o.decision.soft_failure]
    rows = [f"soft failures flagged: {len(flagged)} (WCXB pages are all real pages)"]
    rows.extend(
        f"  {o.page_id} {o.truth:<8} {o.decision.soft_failure}: {o.decision.reason}  {o.url}"
        for o in flagged
    )
    return rows


def format_timing(outcomes: Sequence[Outcome]) -> list[str]:
    def per_page(values: Iterable[float]) -> float:
        return statistics.fmean(values) * 1000

    read = per_page(o.read_seconds for o in outcomes)
    decide_ms = per_page(o.classify_seconds for o in outcomes)
    baseline = per_page(o.baseline_seconds for o in outcomes)
    ratio = (read + decide_ms) / baseline if baseline else 0.0
    read_median = statistics.median(o.read_seconds for o in outcomes) * 1000
    return [
        f"PageFeatures.read    {read:7.2f} ms/page (median {read_median:.2f})",
        f"classify             {decide_ms:7.2f} ms/page",
        f"trafilatura.extract  {baseline:7.2f} ms/page (same pages, same process)",
        f"read + classify = {ratio:.1%} of trafilatura.extract",
    ]


def format_errors(outcomes: Sequence[Outcome], limit: int) -> list[str]:
    """The first ``limit`` articles lost and non-articles kept, with the signals behind them."""
    lost = [o for o in outcomes if o.truth == "article" and not o.decision.is_article]
    kept = [o for o in outcomes if o.truth != "article" and o.decision.is_article]
    rows: list[str] = []
    for title, selected in (("articles lost", lost), ("non-articles kept", kept)):
        rows.append(f"{title} ({len(selected)}):")
        rows.extend(
            f"  {o.page_id} {o.truth:<8} -> {o.predicted:<8} {o.decision.reason}  {o.url}"
            for o in selected[:limit]
        )
    return rows


def write_json(outcomes: Sequence[Outcome], path: Path) -> None:
    records = [
        {
            "page_id": o.page_id,
            "url": o.url,
            "truth": o.truth,
            "decision": asdict(o.decision),
            "signals": [s.name for s in o.found],
            "text_chars": o.text_chars,
            "read_ms": o.read_seconds * 1000,
        }
        for o in outcomes
    ]
    path.write_text(json.dumps(records, indent=1), encoding="utf-8")


# --- command line --------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.pagetype",
        description="Page type and soft failures on the WCXB dev pages.",
    )
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="a WCXB split folder")
    parser.add_argument(
        "--text",
        choices=("trafilatura", "newsclean"),
        default="trafilatura",
        help="where the main text comes from (default: trafilatura.extract)",
    )
    parser.add_argument("--limit", type=int, default=None, help="only the first N pages")
    parser.add_argument("--errors", type=int, default=0, help="list N mistakes of each kind")
    parser.add_argument("--json", type=Path, default=None, help="write per-page decisions here")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        pages = load_pages(args.data, args.limit)
    except BenchmarkError as exc:
        print(f"Error: {exc}: pass --data with a WCXB split folder", file=sys.stderr)
        return 2
    outcomes = run(pages, args.text)
    print(format_report(outcomes, args.text))
    if args.errors:
        print("\n".join(["", *format_errors(outcomes, args.errors)]))
    if args.json:
        write_json(outcomes, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
