"""WCXB benchmark: newsclean's ``clean_html`` against trafilatura, quality and speed.

Runs both extractors on the same decoded pages of the WCXB dev split, in one process,
interleaved page by page, and prints one side-by-side table (see ``benchmarks/README.md``)::

    python -m benchmarks.wcxb                       # 793 article pages, 3 timed runs
    python -m benchmarks.wcxb --limit 50 --repeat 1 --worst 10
    python -m benchmarks.wcxb --candidate trafilatura   # harness sanity check

Flow: ``load_pages`` -> ``run_benchmark`` (``run_once`` per repeat, each page timed per
extractor) -> ``score_document`` per page -> ``summarise_quality`` / ``summarise_speed`` ->
``format_report``. Scores are defined in :mod:`benchmarks.metrics`. Quality is scored on the
outputs of the first run; later runs only add timings (and a check that outputs repeat).

Exit codes: 0 done; 2 bad arguments, data not found, or the candidate cannot be imported.
"""

from __future__ import annotations

import argparse
import gc
import gzip
import json
import statistics
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import date
from pathlib import Path
from time import perf_counter
from typing import Literal
from urllib.parse import urlsplit

import trafilatura
from trafilatura.settings import Document

from benchmarks import metrics

ATTRIBUTION = (
    "Data: WCXB 1.0 dev split (Murrough-Foley/web-content-extraction-benchmark, "
    "commit c039d5e), licensed CC-BY-4.0."
)
DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "wcxb-dev"
CandidateName = Literal["newsclean", "trafilatura"]
PageTypeFilter = Literal["article", "all"]
# The three timed calls made on every page; "text" and "metadata" are the trafilatura baseline.
CallName = Literal["candidate", "text", "metadata"]
CALL_NAMES: tuple[CallName, ...] = ("candidate", "text", "metadata")


class BenchmarkError(Exception):
    """A problem that stops the benchmark before it measures anything (exit code 2)."""


@dataclass(frozen=True, slots=True)
class Page:
    """One WCXB page: where its HTML is and what a clean extraction should give."""

    page_id: str
    url: str | None
    domain: str
    page_type: str
    html_path: Path
    main_content: str
    title: str
    author: str | None
    publish_date: date | None  # only full YYYY-MM-DD truths; year-only ones are not scored
    must_contain: tuple[str, ...]
    must_not_contain: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Extraction:
    """What one extractor returned for one page, reduced to the fields that are scored."""

    text: str
    title: str | None = None
    authors: tuple[str, ...] = ()
    published: date | None = None  # a datetime is a date; its own calendar day is used
    page_type: str | None = None
    error: str | None = None  # "ExceptionType: message" when the call raised


Extractor = Callable[[str, str | None], Extraction]


# --- data -------------------------------------------------------------------------------


def load_pages(
    data_dir: Path,
    page_type: PageTypeFilter = "article",
    limit: int | None = None,
    ids: Sequence[str] = (),
) -> list[Page]:
    """The WCXB pages to run, in id order, filtered by page type, ids and limit."""
    truth_dir = data_dir / "ground-truth"
    if not truth_dir.is_dir():
        raise BenchmarkError(f"no ground-truth folder in {data_dir}")
    domains = read_domains(data_dir / "metadata.json")
    wanted = set(ids)
    pages: list[Page] = []
    for path in sorted(truth_dir.glob("*.json")):
        if wanted and path.stem not in wanted:
            continue
        page = read_page(path, data_dir / "html" / f"{path.stem}.html.gz", domains)
        if page_type == "all" or page.page_type == page_type:
            pages.append(page)
        if limit is not None and len(pages) >= limit:
            break
    return pages


def read_domains(metadata_path: Path) -> dict[str, str]:
    """page id -> domain, from the dataset's metadata.json (empty when it is missing)."""
    if not metadata_path.is_file():
        return {}
    files = json.loads(metadata_path.read_text(encoding="utf-8")).get("files", {})
    return {page_id: str(entry.get("domain", "")) for page_id, entry in files.items()}


def read_page(truth_path: Path, html_path: Path, domains: dict[str, str]) -> Page:
    """One ground-truth JSON file as a :class:`Page`."""
    record = json.loads(truth_path.read_text(encoding="utf-8"))
    truth = record["ground_truth"]
    # One file carries its URL inside ground_truth rather than at the top level.
    url = record.get("url") or truth.get("url")
    page_id = truth_path.stem
    return Page(
        page_id=page_id,
        url=url,
        domain=domains.get(page_id) or (urlsplit(url).hostname or "" if url else ""),
        page_type=record["_internal"]["page_type"]["primary"],
        html_path=html_path,
        main_content=truth.get("main_content") or "",
        title=truth.get("title") or "",
        author=truth.get("author") or None,
        publish_date=metrics.parse_full_date(truth.get("publish_date")),
        must_contain=tuple(truth.get("with") or ()),
        must_not_contain=tuple(truth.get("without") or ()),
    )


def read_html(path: Path) -> str:
    """The page's HTML as text; WCXB stores UTF-8, and a stray bad byte is replaced."""
    return gzip.decompress(path.read_bytes()).decode("utf-8", errors="replace")


# --- extractors ---------------------------------------------------------------------------


def load_candidate(name: CandidateName) -> Extractor:
    """The extractor under test: newsclean's ``clean_html``, or trafilatura as a stand-in."""
    if name == "trafilatura":
        return trafilatura_with_metadata
    try:
        # Imported here, not at the top: the benchmark must run before the cleaner exists.
        from newsclean.cleaners import clean_html
    except ImportError as exc:
        raise BenchmarkError(f"newsclean.cleaners.clean_html is not importable: {exc}") from exc

    def run_clean_html(html: str, url: str | None) -> Extraction:
        article = clean_html(html, url)
        return Extraction(
            text=article.text,
            title=article.title,
            authors=tuple(article.authors),
            published=article.published_at,
            page_type=article.page_type,
        )

    return run_clean_html


def trafilatura_text(html: str, url: str | None) -> Extraction:
    """trafilatura 2.x ``extract`` with its defaults: the text baseline."""
    return Extraction(text=trafilatura.extract(html, url=url) or "")


def trafilatura_metadata(html: str, url: str | None) -> Extraction:
    """trafilatura ``bare_extraction(with_metadata=True)``: the metadata baseline."""
    document = trafilatura.bare_extraction(html, url=url, with_metadata=True)
    if not isinstance(document, Document):  # None: trafilatura found nothing to extract
        return Extraction(text="")
    return Extraction(
        text=document.text or "",
        title=document.title,
        authors=split_authors(document.author),
        published=metrics.parse_full_date(document.date),
        page_type=document.pagetype,
    )


def trafilatura_with_metadata(html: str, url: str | None) -> Extraction:
    """Both baseline calls as one extractor, the way the baseline itself is scored."""
    return replace(trafilatura_metadata(html, url), text=trafilatura_text(html, url).text)


def split_authors(value: str | None) -> tuple[str, ...]:
    """trafilatura joins several authors with "; "."""
    return tuple(name.strip() for name in (value or "").split(";") if name.strip())


def call_timed(extractor: Extractor, html: str, url: str | None) -> tuple[Extraction, float]:
    """Run one extraction; return it and its wall time in seconds (a failure is a value)."""
    start = perf_counter()
    try:
        result = extractor(html, url)
    except Exception as exc:  # scored as an empty extraction and counted by type
        elapsed = perf_counter() - start
        return Extraction(text="", error=f"{type(exc).__name__}: {exc}"[:300]), elapsed
    return result, perf_counter() - start


# --- runs ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RunTiming:
    """Seconds spent inside each extractor during one pass over every page."""

    candidate_s: float
    text_s: float
    metadata_s: float


@dataclass(slots=True)
class RunOutputs:
    """Every call's result on every page, in page order."""

    candidate: list[Extraction] = field(default_factory=list)
    text: list[Extraction] = field(default_factory=list)
    metadata: list[Extraction] = field(default_factory=list)

    def add(self, name: CallName, result: Extraction) -> None:
        getattr(self, name).append(result)


def call_order(index: int) -> tuple[CallName, ...]:
    """Rotate which extractor goes first on each page, so none always runs on a warm cache."""
    shift = index % len(CALL_NAMES)
    return CALL_NAMES[shift:] + CALL_NAMES[:shift]


def run_once(
    pages: Sequence[Page], extractors: dict[CallName, Extractor]
) -> tuple[RunTiming, RunOutputs]:
    """One timed pass: decode each page outside the timer, then time each extractor on it."""
    seconds = dict.fromkeys(CALL_NAMES, 0.0)
    outputs = RunOutputs()
    for index, page in enumerate(pages):
        html = read_html(page.html_path)
        for name in call_order(index):
            result, elapsed = call_timed(extractors[name], html, page.url)
            seconds[name] += elapsed
            outputs.add(name, result)
    timing = RunTiming(seconds["candidate"], seconds["text"], seconds["metadata"])
    return timing, outputs


def count_changed_outputs(first: RunOutputs, later: RunOutputs) -> int:
    """Pages where a later run's text differs from the first run's, over all three calls."""
    return sum(
        a.text != b.text
        for name in CALL_NAMES
        for a, b in zip(getattr(first, name), getattr(later, name), strict=True)
    )


@dataclass(frozen=True, slots=True)
class RunResults:
    """The first run's outputs, every run's timings, and how many outputs did not repeat."""

    outputs: RunOutputs
    timings: tuple[RunTiming, ...]
    changed_outputs: int


def run_benchmark(
    pages: Sequence[Page],
    candidate: Extractor,
    repeat: int,
    progress: Callable[[str], None] = lambda _: None,
) -> RunResults:
    """Warm every extractor up on the first page, then make ``repeat`` (at least 1) passes."""
    extractors: dict[CallName, Extractor] = {
        "candidate": candidate,
        "text": trafilatura_text,
        "metadata": trafilatura_metadata,
    }
    # Untimed warm-up: first-call imports and lazily built tables are not per-page cost.
    warm_html = read_html(pages[0].html_path)
    for extractor in extractors.values():
        call_timed(extractor, warm_html, pages[0].url)
    timings: list[RunTiming] = []
    first: RunOutputs = RunOutputs()
    changed = 0
    for run in range(max(repeat, 1)):
        gc.collect()  # start every pass with the same collector state
        timing, outputs = run_once(pages, extractors)
        timings.append(timing)
        if run == 0:
            first = outputs
        else:
            changed += count_changed_outputs(first, outputs)
        progress(f"run {run + 1}/{repeat}: {len(pages)} pages, {format_timing(timing)}")
    return RunResults(outputs=first, timings=tuple(timings), changed_outputs=changed)


def format_timing(timing: RunTiming) -> str:
    return (
        f"candidate {timing.candidate_s:.1f} s, trafilatura extract {timing.text_s:.1f} s, "
        f"bare_extraction {timing.metadata_s:.1f} s"
    )


def baseline_extractions(outputs: RunOutputs) -> list[Extraction]:
    """trafilatura as scored: text from ``extract``, metadata from ``bare_extraction``."""
    return [
        replace(meta, text=text.text, error=text.error or meta.error)
        for text, meta in zip(outputs.text, outputs.metadata, strict=True)
    ]


# --- scoring ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DocScore:
    """Every score of one extractor on one page (``None``: not applicable to this page)."""

    page_id: str
    domain: str
    shingles: metrics.ShingleCounts
    bag_of_words_f1: float
    must_contain_recall: float | None
    leak_rate: float | None
    title_exact: bool | None
    title_contains: bool | None
    author: bool | None
    publish_date: bool | None
    is_article_agrees: bool | None
    empty: bool
    error: str | None


def score_document(page: Page, extraction: Extraction) -> DocScore:
    """Score one extraction against its page's ground truth."""
    title = page.title or None
    return DocScore(
        page_id=page.page_id,
        domain=page.domain,
        shingles=metrics.shingle_counts(extraction.text, page.main_content),
        bag_of_words_f1=metrics.bag_of_words_f1(extraction.text, page.main_content),
        must_contain_recall=metrics.must_contain_recall(page.must_contain, extraction.text),
        leak_rate=metrics.leak_rate(page.must_not_contain, extraction.text),
        title_exact=metrics.title_exact(extraction.title, title) if title else None,
        title_contains=metrics.title_contains(extraction.title, title) if title else None,
        author=metrics.author_matches(extraction.authors, page.author) if page.author else None,
        publish_date=(
            metrics.same_calendar_date(extraction.published, page.publish_date)
            if page.publish_date
            else None
        ),
        is_article_agrees=(
            (extraction.page_type == "article") == (page.page_type == "article")
            if extraction.page_type is not None
            else None
        ),
        empty=not metrics.tokenize(extraction.text),
        error=extraction.error,
    )


@dataclass(frozen=True, slots=True)
class Rate:
    """A fraction and the number of pages it is taken over."""

    value: float | None
    pages: int


@dataclass(frozen=True, slots=True)
class QualitySummary:
    """Corpus-level quality figures of one extractor."""

    shingle: metrics.ShingleScores
    bag_of_words_f1: float
    must_contain_recall: Rate
    leak_rate: Rate
    title_exact: Rate
    title_contains: Rate
    author: Rate
    publish_date: Rate
    is_article_agreement: Rate
    empty_extractions: int
    errors: dict[str, int]  # exception type -> pages


def summarise_quality(scores: Sequence[DocScore]) -> QualitySummary:
    """Aggregate per-page scores into the figures printed in the table."""
    return QualitySummary(
        shingle=metrics.shingle_scores(s.shingles for s in scores),
        bag_of_words_f1=metrics.mean_defined(s.bag_of_words_f1 for s in scores) or 0.0,
        must_contain_recall=mean_rate([s.must_contain_recall for s in scores]),
        leak_rate=mean_rate([s.leak_rate for s in scores]),
        title_exact=accuracy_rate(s.title_exact for s in scores),
        title_contains=accuracy_rate(s.title_contains for s in scores),
        author=accuracy_rate(s.author for s in scores),
        publish_date=accuracy_rate(s.publish_date for s in scores),
        is_article_agreement=accuracy_rate(s.is_article_agrees for s in scores),
        empty_extractions=sum(s.empty for s in scores),
        errors=dict(Counter(s.error.split(":")[0] for s in scores if s.error)),
    )


def mean_rate(values: Sequence[float | None]) -> Rate:
    return Rate(metrics.mean_defined(values), sum(v is not None for v in values))


def accuracy_rate(outcomes: Iterable[bool | None]) -> Rate:
    value, pages = metrics.accuracy(outcomes)
    return Rate(value, pages)


@dataclass(frozen=True, slots=True)
class SpeedSummary:
    """Docs per second per run and their medians; ratios are candidate / baseline."""

    pages: int
    candidate_docs_per_s: tuple[float, ...]
    trafilatura_docs_per_s: tuple[float, ...]  # extract() alone
    trafilatura_with_metadata_docs_per_s: tuple[float, ...]  # extract() + bare_extraction()
    candidate_median: float
    trafilatura_median: float
    trafilatura_with_metadata_median: float
    ratio: float  # candidate median / trafilatura extract() median
    ratio_per_run: tuple[float, ...]
    ratio_with_metadata: float  # candidate median / trafilatura (extract + bare) median


def summarise_speed(pages: int, timings: Sequence[RunTiming]) -> SpeedSummary:
    """Docs/s of each run, their medians and the candidate-to-trafilatura ratios."""
    candidate = tuple(docs_per_second(pages, t.candidate_s) for t in timings)
    text = tuple(docs_per_second(pages, t.text_s) for t in timings)
    both = tuple(docs_per_second(pages, t.text_s + t.metadata_s) for t in timings)
    return SpeedSummary(
        pages=pages,
        candidate_docs_per_s=candidate,
        trafilatura_docs_per_s=text,
        trafilatura_with_metadata_docs_per_s=both,
        candidate_median=statistics.median(candidate),
        trafilatura_median=statistics.median(text),
        trafilatura_with_metadata_median=statistics.median(both),
        ratio=statistics.median(candidate) / statistics.median(text),
        ratio_per_run=tuple(c / t for c, t in zip(candidate, text, strict=True)),
        ratio_with_metadata=statistics.median(candidate) / statistics.median(both),
    )


def docs_per_second(pages: int, seconds: float) -> float:
    # A pass always takes some time; the floor only guards a division on an empty clock.
    return pages / max(seconds, 1e-9)


@dataclass(frozen=True, slots=True)
class PageDelta:
    """How much worse (negative) the candidate's shingle F1 is than trafilatura's on a page."""

    page_id: str
    domain: str
    candidate_f1: float
    trafilatura_f1: float
    delta: float


def worst_pages(
    candidate: Sequence[DocScore], baseline: Sequence[DocScore], count: int
) -> list[PageDelta]:
    """The ``count`` pages where the candidate loses the most per-page shingle F1."""
    deltas = [
        PageDelta(c.page_id, c.domain, c.shingles.f1, b.shingles.f1, c.shingles.f1 - b.shingles.f1)
        for c, b in zip(candidate, baseline, strict=True)
    ]
    return sorted(deltas, key=lambda d: (d.delta, d.page_id))[:count]


# --- report ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Report:
    """Every figure of one benchmark run; this is what ``--json`` writes."""

    attribution: str
    candidate_name: str
    trafilatura_version: str
    page_type: str
    pages: int
    repeat: int
    changed_outputs_in_later_runs: int
    candidate: QualitySummary
    trafilatura: QualitySummary
    speed: SpeedSummary
    worst: tuple[PageDelta, ...]
    candidate_pages: tuple[DocScore, ...]
    trafilatura_pages: tuple[DocScore, ...]


def build_report(
    pages: Sequence[Page],
    results: RunResults,
    candidate_name: str,
    page_type: str,
    worst: int,
) -> Report:
    """Score the first run's outputs and gather every figure into one :class:`Report`."""
    candidate_scores = tuple(
        score_document(p, e) for p, e in zip(pages, results.outputs.candidate, strict=True)
    )
    baseline_scores = tuple(
        score_document(p, e)
        for p, e in zip(pages, baseline_extractions(results.outputs), strict=True)
    )
    return Report(
        attribution=ATTRIBUTION,
        candidate_name=candidate_name,
        trafilatura_version=trafilatura.__version__,
        page_type=page_type,
        pages=len(pages),
        repeat=len(results.timings),
        changed_outputs_in_later_runs=results.changed_outputs,
        candidate=summarise_quality(candidate_scores),
        trafilatura=summarise_quality(baseline_scores),
        speed=summarise_speed(len(pages), results.timings),
        worst=tuple(worst_pages(candidate_scores, baseline_scores, worst)),
        candidate_pages=candidate_scores,
        trafilatura_pages=baseline_scores,
    )


def format_report(report: Report) -> str:
    """The side-by-side table printed by the CLI."""
    name = report.candidate_name
    lines = [
        f"WCXB dev split, {report.page_type} pages: {report.pages}; "
        f"{name} vs trafilatura {report.trafilatura_version} (defaults); "
        f"{report.repeat} timed run(s)",
        "",
        f"{'metric':<40}{name:>20}{'trafilatura':>20}",
        "-" * 80,
    ]
    lines += [format_row(label, a, b) for label, a, b in quality_rows(report)]
    lines += ["-" * 80, *speed_lines(report), ""]
    if report.changed_outputs_in_later_runs:
        lines.append(
            f"warning: {report.changed_outputs_in_later_runs} outputs differed between runs "
            "(quality is scored on run 1)"
        )
    lines += error_lines(report)
    lines += worst_lines(report.worst)
    lines.append(report.attribution)
    return "\n".join(lines)


Cell = float | int | None


def quality_rows(report: Report) -> list[tuple[str, Cell, Cell]]:
    """(label, candidate value, trafilatura value) for each quality row of the table."""
    a, b = report.candidate, report.trafilatura
    rows: list[tuple[str, Cell, Cell]] = [
        ("shingle precision", a.shingle.precision, b.shingle.precision),
        ("shingle recall", a.shingle.recall, b.shingle.recall),
        ("shingle F1", a.shingle.f1, b.shingle.f1),
        ("bag-of-words F1", a.bag_of_words_f1, b.bag_of_words_f1),
    ]
    rows += [rate_row(label, a, b, attribute) for label, attribute in RATE_ROWS[:2]]
    rows += [
        ("empty extractions (pages)", a.empty_extractions, b.empty_extractions),
        ("errors (pages)", sum(a.errors.values()), sum(b.errors.values())),
    ]
    rows += [rate_row(label, a, b, attribute) for label, attribute in RATE_ROWS[2:]]
    return rows


# (table label, QualitySummary attribute) of the figures that are a Rate.
RATE_ROWS: tuple[tuple[str, str], ...] = (
    ("must-contain recall", "must_contain_recall"),
    ("must-not-contain leak rate", "leak_rate"),
    ("title exact", "title_exact"),
    ("title contains", "title_contains"),
    ("author", "author"),
    ("publish date", "publish_date"),
    ("is-article agreement", "is_article_agreement"),
)


def rate_row(
    label: str, a: QualitySummary, b: QualitySummary, attribute: str
) -> tuple[str, Cell, Cell]:
    """One row of fractions, labelled with how many pages the candidate's is taken over."""
    rate_a: Rate = getattr(a, attribute)
    rate_b: Rate = getattr(b, attribute)
    pages = f"{rate_a.pages}" if rate_a.pages == rate_b.pages else f"{rate_a.pages}/{rate_b.pages}"
    return f"{label} (n={pages})", rate_a.value, rate_b.value


def format_row(label: str, a: Cell, b: Cell) -> str:
    return f"{label:<40}{format_cell(a):>20}{format_cell(b):>20}"


def format_cell(value: Cell) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, int):
        return str(value)
    return f"{value:.3f}"


def speed_lines(report: Report) -> list[str]:
    speed = report.speed
    runs = " / ".join
    return [
        f"{f'docs/s (median of {report.repeat})':<40}"
        f"{speed.candidate_median:>20.1f}{speed.trafilatura_median:>20.1f}",
        f"{'docs/s per run':<40}"
        f"{runs(f'{v:.1f}' for v in speed.candidate_docs_per_s):>20}"
        f"{runs(f'{v:.1f}' for v in speed.trafilatura_docs_per_s):>20}",
        f"{'ratio ' + report.candidate_name + '/trafilatura docs/s':<40}{speed.ratio:>20.2f}"
        f"   (per run: {runs(f'{r:.2f}' for r in speed.ratio_per_run)})",
        "",
        f"trafilatura extract + bare_extraction(with_metadata): "
        f"{speed.trafilatura_with_metadata_median:.1f} docs/s median "
        f"(runs: {runs(f'{v:.1f}' for v in speed.trafilatura_with_metadata_docs_per_s)}); "
        f"ratio {report.candidate_name}/that: {speed.ratio_with_metadata:.2f}",
    ]


def error_lines(report: Report) -> list[str]:
    lines = []
    for label, summary in (
        (report.candidate_name, report.candidate),
        ("trafilatura", report.trafilatura),
    ):
        if summary.errors:
            counts = ", ".join(f"{kind} x{n}" for kind, n in sorted(summary.errors.items()))
            lines.append(f"errors in {label}: {counts}")
    return lines


def worst_lines(worst: Sequence[PageDelta]) -> list[str]:
    if not worst:
        return []
    lines = ["", "pages where the candidate loses most shingle F1 vs trafilatura:"]
    lines.append(f"  {'id':<6}{'domain':<40}{'cand F1':>9}{'traf F1':>9}{'delta':>9}")
    lines += [
        f"  {d.page_id:<6}{(d.domain or '?')[:39]:<40}"
        f"{d.candidate_f1:>9.3f}{d.trafilatura_f1:>9.3f}{d.delta:>+9.3f}"
        for d in worst
    ]
    lines.append("")
    return lines


def write_json(report: Report, path: Path) -> None:
    """Every figure, including per-page scores, as JSON (dates as ISO strings)."""
    path.write_text(json.dumps(asdict(report), indent=1, default=str), encoding="utf-8")


# --- CLI ---------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.wcxb",
        description="Compare newsclean.cleaners.clean_html with trafilatura on WCXB.",
        epilog="Example: python -m benchmarks.wcxb --limit 100 --repeat 1 --worst 10",
    )
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="WCXB split folder")
    parser.add_argument("--limit", type=positive_int, help="run only the first N pages")
    parser.add_argument("--page-type", choices=("article", "all"), default="article")
    parser.add_argument("--repeat", type=positive_int, default=3, help="timed runs (default 3)")
    parser.add_argument("--worst", type=int, default=0, metavar="N", help="list N worst pages")
    parser.add_argument("--json", type=Path, metavar="OUT", help="write every figure here")
    parser.add_argument(
        "--candidate",
        choices=("newsclean", "trafilatura"),
        default="newsclean",
        help="extractor under test; 'trafilatura' checks the harness against itself",
    )
    parser.add_argument("--ids", default="", help="comma-separated page ids, e.g. 0001,0042")
    return parser.parse_args(argv)


def positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    ids = [i.strip() for i in args.ids.split(",") if i.strip()]
    try:
        candidate = load_candidate(args.candidate)
        pages = load_pages(args.data, args.page_type, args.limit, ids)
        if not pages:
            raise BenchmarkError(f"no {args.page_type} pages selected in {args.data}")
    except BenchmarkError as exc:
        print(
            f"Error: {exc}: check --data / --candidate (see benchmarks/README.md)", file=sys.stderr
        )
        return 2
    results = run_benchmark(pages, candidate, args.repeat, progress=print_progress)
    report = build_report(pages, results, args.candidate, args.page_type, args.worst)
    print(format_report(report))
    if args.json:
        write_json(report, args.json)
    return 0


def print_progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


if __name__ == "__main__":
    sys.exit(main())
