"""Metadata benchmark: title, author and publish date against WCXB dev ground truth.

::

    python -m benchmarks.metadata                     # all 1,497 pages, both tools
    python -m benchmarks.metadata --limit 200 --errors 10 --json /tmp/metadata.json

Per page: the gzip HTML is read and decoded (UTF-8) outside any timer; then, each timed
with ``time.perf_counter``, newsclean's :func:`newsclean.cleaners.clean_html` (the pipeline's
whole cleaning; its :class:`~newsclean.cleaners.records.Article` carries ``title``,
``authors``, ``published_at``) and ``trafilatura.extract_metadata`` (the metadata step
``trafilatura.bare_extraction(with_metadata=True)`` runs, extensive date search on). Both
get the page's URL.

Ground truth is ``ground_truth.title`` / ``.author`` / ``.publish_date`` of each
``ground-truth/<id>.json``: the title is always given; author and date are null on pages
that show none (about half), and are then left out of the accuracy of that field.

Matching (all after Unicode NFKC, case folding, curly quotes and dashes made plain,
whitespace collapsed):

* **title**: *exact* when the normalised strings are equal (surrounding punctuation
  ignored); *match* when exact or the token F1 (word tokens, as multisets) is >= 0.9, which
  forgives a dropped subtitle word or "&" vs "and" but not a site name glued on
  ("Title | Site" against "Title" is F1 0.8 for a four-word title).
* **author**: both sides split into names on ``,`` ``;`` ``&`` ``|`` ``/`` "and", a leading
  "by" dropped, credentials dropped (a piece in capitals such as "MS", "RD", "E-RYT",
  "Ph.D." or "M.D.", or one holding a digit), accents removed; *match* when the two name
  sets are equal; *overlap* when they share at least one name.
* **date**: *match* when the tool's publish date falls on the same calendar day as the
  truth, the day read in the time zone the page states (no conversion to UTC: a date the
  page gives as 2025-09-04T23:30-05:00 is the 4th).

Per field the report gives accuracy on the pages with a truth value (a missing answer
counts as wrong), how often the tool answered there, and the *spurious* rate: pages whose
truth is null where the tool gave a value anyway (lower is better; a null truth can also be
an annotation gap, so this is indicative).

Exit codes: 0 done; 2 bad arguments or no data folder.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime
from pathlib import Path
from time import perf_counter

import trafilatura

from newsclean.cleaners import clean_html
from newsclean.cleaners.errors import CleanerError

ATTRIBUTION = (
    "Data: WCXB 1.0 dev split (Murrough-Foley/web-content-extraction-benchmark), "
    "licensed CC-BY-4.0."
)
DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "wcxb-dev"
TOOLS = ("newsclean", "trafilatura")
#: token F1 at or above which two titles match
TITLE_F1 = 0.9

_PLAIN = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-", "\u00a0": " "})
_TOKEN = re.compile(r"\w+")
_NAME_SPLIT = re.compile(r"\s*(?:[,;&|/]|\band\b|\bund\b|\bet\b|\by\b)\s*", re.IGNORECASE)
#: a credential, not a name: "MS", "RD", "E-RYT", "Ph.D.", "Ph D", "M.D." (case matters:
#: "Susan" is a name)
_CREDENTIAL = re.compile(r"^(?:[A-Z][A-Z-]{1,6}|Ph\.?\s?D\.?|(?:[A-Z]\.){2,3})$")
_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


class BenchmarkError(Exception):
    """A problem that stops the benchmark before it measures anything (exit code 2)."""


@dataclass(frozen=True, slots=True)
class Truth:
    page_id: str
    url: str | None
    title: str
    author: str | None
    publish_date: date | None
    html_path: Path


@dataclass(frozen=True, slots=True)
class Answer:
    """What one tool said about one page (None: no answer)."""

    title: str | None
    authors: tuple[str, ...]
    publish_date: date | None
    seconds: float
    error: str | None = None


@dataclass(frozen=True, slots=True)
class Scores:
    title_exact: bool
    title_match: bool
    author_match: bool | None  # None: the truth has no author
    author_overlap: bool | None
    date_match: bool | None  # None: the truth has no date


@dataclass(frozen=True, slots=True)
class PageResult:
    truth: Truth
    answers: dict[str, Answer]
    scores: dict[str, Scores]


# --- normalising and matching --------------------------------------------------------------


def normalize(text: str) -> str:
    """NFKC, case-folded, plain quotes and dashes, whitespace collapsed."""
    folded = unicodedata.normalize("NFKC", text).translate(_PLAIN).casefold()
    return " ".join(folded.split())


def _bare(text: str) -> str:
    return normalize(text).strip(" \t\"'.,:;!?-|()[]")


def title_f1(found: str, truth: str) -> float:
    """Token F1 of two titles (word tokens as multisets)."""
    a, b = Counter(_TOKEN.findall(normalize(found))), Counter(_TOKEN.findall(normalize(truth)))
    common = sum((a & b).values())
    if not common:
        return 0.0
    precision, recall = common / sum(a.values()), common / sum(b.values())
    return 2 * precision * recall / (precision + recall)


def author_names(values: Iterable[str]) -> frozenset[str]:
    """The set of person names in author strings (see the module docstring)."""
    names: set[str] = set()
    for value in values:
        for piece in _NAME_SPLIT.split(unicodedata.normalize("NFKC", value)):
            piece = re.sub(r"^\s*by\s+", "", piece.strip(), flags=re.IGNORECASE).strip(" .")
            if not piece or _CREDENTIAL.match(piece) or any(c.isdigit() for c in piece):
                continue
            name = _without_accents(normalize(piece))
            name = " ".join(re.sub(r"[^\w\s'-]", " ", name).split())
            if name:
                names.add(name)
    return frozenset(names)


def _without_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def day_of(value: str | None) -> date | None:
    """The calendar day written at the start of an ISO date string (its own time zone)."""
    if not value:
        return None
    match = _DAY.search(value)
    if match is None:
        return None
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


def score(truth: Truth, answer: Answer) -> Scores:
    title = answer.title or ""
    exact = bool(title) and _bare(title) == _bare(truth.title)
    match = exact or (bool(title) and title_f1(title, truth.title) >= TITLE_F1)
    author_match = author_overlap = None
    if truth.author:
        wanted, found = author_names([truth.author]), author_names(answer.authors)
        author_match = bool(found) and found == wanted
        author_overlap = bool(found & wanted)
    date_match = None
    if truth.publish_date is not None:
        date_match = answer.publish_date == truth.publish_date
    return Scores(exact, match, author_match, author_overlap, date_match)


# --- data and tools -------------------------------------------------------------------------


def load_truths(data_dir: Path, limit: int | None = None) -> list[Truth]:
    truth_dir = data_dir / "ground-truth"
    if not truth_dir.is_dir():
        raise BenchmarkError(f"no ground-truth folder in {data_dir}")
    truths = []
    for path in sorted(truth_dir.glob("*.json"))[:limit]:
        record = json.loads(path.read_text(encoding="utf-8"))
        given = record["ground_truth"]
        truths.append(
            Truth(
                page_id=path.stem,
                url=record.get("url") or given.get("url"),
                title=given.get("title") or "",
                author=given.get("author") or None,
                publish_date=day_of(given.get("publish_date")),
                html_path=data_dir / "html" / f"{path.stem}.html.gz",
            )
        )
    return truths


def read_html(path: Path) -> str:
    """The page's HTML as text; WCXB stores UTF-8, and a stray bad byte is replaced."""
    return gzip.decompress(path.read_bytes()).decode("utf-8", errors="replace")


def newsclean_answer(html: str, url: str | None) -> Answer:
    started = perf_counter()
    try:
        article = clean_html(html, url)
    except CleanerError as exc:
        return Answer(None, (), None, perf_counter() - started, exc.reason)
    seconds = perf_counter() - started
    published = article.published_at.date() if article.published_at else None
    return Answer(article.title, article.authors, published, seconds)


def trafilatura_answer(html: str, url: str | None) -> Answer:
    started = perf_counter()
    document = trafilatura.extract_metadata(html, default_url=url)
    seconds = perf_counter() - started
    author = document.author if document is not None else None
    return Answer(
        document.title if document is not None else None,
        (author,) if author else (),
        day_of(document.date) if document is not None else None,
        seconds,
    )


ANSWERERS: dict[str, Callable[[str, str | None], Answer]] = {
    "newsclean": newsclean_answer,
    "trafilatura": trafilatura_answer,
}


def run(truths: Sequence[Truth], tools: Sequence[str] = TOOLS) -> list[PageResult]:
    results = []
    for truth in truths:
        html = read_html(truth.html_path)
        answers = {tool: ANSWERERS[tool](html, truth.url) for tool in tools}
        scores = {tool: score(truth, answer) for tool, answer in answers.items()}
        results.append(PageResult(truth, answers, scores))
    return results


# --- report ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FieldFigures:
    """One field, one tool: accuracy where the truth has a value, and spurious answers."""

    with_truth: int
    correct: int
    answered: int  # answers given on pages with a truth value
    without_truth: int
    spurious: int  # answers given on pages whose truth is null

    @property
    def accuracy(self) -> float:
        return self.correct / self.with_truth if self.with_truth else 0.0

    @property
    def answer_rate(self) -> float:
        return self.answered / self.with_truth if self.with_truth else 0.0

    @property
    def spurious_rate(self) -> float:
        return self.spurious / self.without_truth if self.without_truth else 0.0


#: report rows: label -> (has truth, answered, correct) read off one page's result
ROWS: dict[str, Callable[[PageResult, str], tuple[bool, bool, bool]]] = {
    "title (exact)": lambda r, t: (True, bool(r.answers[t].title), r.scores[t].title_exact),
    f"title (F1 >= {TITLE_F1})": lambda r, t: (
        True,
        bool(r.answers[t].title),
        r.scores[t].title_match,
    ),
    "author (name set)": lambda r, t: (
        r.truth.author is not None,
        bool(r.answers[t].authors),
        bool(r.scores[t].author_match),
    ),
    "author (any name)": lambda r, t: (
        r.truth.author is not None,
        bool(r.answers[t].authors),
        bool(r.scores[t].author_overlap),
    ),
    "date (same day)": lambda r, t: (
        r.truth.publish_date is not None,
        r.answers[t].publish_date is not None,
        bool(r.scores[t].date_match),
    ),
}


def figures(results: Sequence[PageResult], tool: str, row: str) -> FieldFigures:
    read = ROWS[row]
    with_truth = correct = answered = without_truth = spurious = 0
    for result in results:
        has_truth, gave, right = read(result, tool)
        if has_truth:
            with_truth += 1
            answered += gave
            correct += right
        else:
            without_truth += 1
            spurious += gave
    return FieldFigures(with_truth, correct, answered, without_truth, spurious)


def format_report(results: Sequence[PageResult], tools: Sequence[str]) -> str:
    lines = [f"Metadata on {len(results)} WCXB pages", ""]
    header = f"{'field':<22}{'pages':>6}"
    for tool in tools:
        header += f"  {tool + ' acc':>16}{'answered':>9}{'spurious':>9}"
    lines.append(header)
    for row in ROWS:
        first = figures(results, tools[0], row)
        line = f"{row:<22}{first.with_truth:>6}"
        for tool in tools:
            f = figures(results, tool, row)
            spurious = f"{f.spurious_rate:.3f}" if f.without_truth else "-"
            line += f"  {f.accuracy:>16.3f}{f.answer_rate:>9.3f}{spurious:>9}"
        lines.append(line)
    lines.append("")
    lines.append("pages: with a truth value; acc: correct / pages; answered: a value given there;")
    lines.append("spurious: a value given where the truth is null (share of those pages)")
    for tool in tools:
        times = [r.answers[tool].seconds for r in results]
        errors = sum(1 for r in results if r.answers[tool].error)
        lines.append(
            f"{tool}: {1000 * sum(times) / max(len(times), 1):.1f} ms/page"
            + (f", {errors} pages failed" if errors else "")
        )
    lines += ["", ATTRIBUTION]
    return "\n".join(lines)


def format_errors(results: Sequence[PageResult], tool: str, count: int) -> list[str]:
    """Up to ``count`` misses per field for ``tool``: truth against answer."""
    out = [f"misses of {tool}:"]
    checks: tuple[tuple[str, Callable[[PageResult], bool]], ...] = (
        ("title", lambda r: not r.scores[tool].title_match),
        ("author", lambda r: r.scores[tool].author_match is False),
        ("date", lambda r: r.scores[tool].date_match is False),
    )
    for label, wrong in checks:
        misses = [r for r in results if wrong(r)][:count]
        for r in misses:
            answer = r.answers[tool]
            got: object = {
                "title": answer.title,
                "author": answer.authors,
                "date": answer.publish_date,
            }[label]
            want: object = {
                "title": r.truth.title,
                "author": r.truth.author,
                "date": r.truth.publish_date,
            }[label]
            out.append(f"  {label} {r.truth.page_id}: want {want!r}, got {got!r}")
    return out


def summary_json(results: Sequence[PageResult], tools: Sequence[str]) -> dict[str, object]:
    return {
        "pages": len(results),
        "fields": {
            row: {
                tool: {
                    **asdict(figures(results, tool, row)),
                    "accuracy": figures(results, tool, row).accuracy,
                    "answer_rate": figures(results, tool, row).answer_rate,
                    "spurious_rate": figures(results, tool, row).spurious_rate,
                }
                for tool in tools
            }
            for row in ROWS
        },
        "per_page": [
            {
                "page_id": r.truth.page_id,
                "truth": {
                    "title": r.truth.title,
                    "author": r.truth.author,
                    "publish_date": _iso(r.truth.publish_date),
                },
                **{
                    tool: {
                        "title": r.answers[tool].title,
                        "authors": list(r.answers[tool].authors),
                        "publish_date": _iso(r.answers[tool].publish_date),
                        "error": r.answers[tool].error,
                        **asdict(r.scores[tool]),
                    }
                    for tool in tools
                },
            }
            for r in results
        ],
    }


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


# --- command line ---------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.metadata",
        description="Title, author and date accuracy on WCXB dev: newsclean vs trafilatura.",
    )
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="a WCXB split folder")
    parser.add_argument("--limit", type=int, default=None, help="only the first N pages")
    parser.add_argument("--errors", type=int, default=0, help="list N misses per field")
    parser.add_argument("--json", type=Path, default=None, help="write figures and pages here")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        truths = load_truths(args.data, args.limit)
    except BenchmarkError as exc:
        print(f"Error: {exc}: pass --data with a WCXB split folder", file=sys.stderr)
        return 2
    results = run(truths)
    print(format_report(results, TOOLS))
    if args.errors:
        for tool in TOOLS:
            print("\n".join(["", *format_errors(results, tool, args.errors)]))
    if args.json:
        args.json.write_text(json.dumps(summary_json(results, TOOLS), indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
