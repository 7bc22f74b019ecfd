"""Hostile input to the cleaners: pathological pages, and one regression test per bug found.

Pathological pages (100,000 nested ``<div>``, a 50 MB single-line page, 1,000,000 ``<p>``
siblings, a 10 MB attribute, 5 MB of ``&amp;``, a 100,000-cell table, fuzz findings) are
cleaned under the product's per-document time cap -- the worker behind
``newsclean.cleaners.timecap.clean_html_capped`` -- with the child's RSS sampled meanwhile;
its ExtractionTimeout is an allowed outcome (the cap did its job). Functions the cap does not
cover (``clean_text``, ``detect_input_format``, ``decode_html``) run in
:class:`benchmarks.fuzz_cleaners.IsolatedRunner`, which kills its job process past a time cap
or :data:`MAX_RSS_MB`, so a hang fails one test instead of the whole session (it also stands
in for the product's cap if ``timecap`` is absent). Each test asserts an outcome (an Article,
or a documented CleanerError such as a size guard's), never a timing; the caps are generous
bounds (several times what the page takes on the shared 2-core box).

Bugs found by these tests, ``tests/test_properties.py`` and ``benchmarks/fuzz_cleaners.py``
each have a small test here; a bug not yet fixed is ``xfail(strict=True)`` with its cause
in the reason, so the fix turns it into a failure that asks for the mark to be removed.
The slow cases are marked ``slow``; the whole file stays under 90 s.
"""

from __future__ import annotations

import codecs
import gzip
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

import psutil
import pytest

from benchmarks.fuzz_cleaners import CLEAN_HTML, IsolatedRunner, Job, Outcome
from newsclean.cleaners import clean_html, clean_text, decode_html, detect_input_format
from newsclean.cleaners.errors import CleanerError

try:  # the product's per-document time cap (newsclean.cleaners.timecap), when present
    from newsclean.cleaners.timecap import CleaningWorker
except ImportError:  # before it lands, IsolatedRunner's cap stands in for it
    CleaningWorker = None

HOSTILE = Path(__file__).resolve().parent / "data" / "hostile"
URL = "https://news.example/2024/01/budget"
#: seconds a pathological page may take before it counts as a hang (the slowest one that
#: passes, the 100,000-cell table, takes about 17 s on the loaded development box)
DOCUMENT_TIME_CAP = 45.0
#: the 2 MB fuzzed pages take 2-7 s on the shared 2-core box (load 4): 4x headroom
FUZZED_PAGE_CAP = 30.0
FUZZED_LIST_PAGE = "fuzz_repeated_list_items.html.gz"
#: for the quadratic-rule cases: their linear fix takes well under a second
QUADRATIC_TIME_CAP = 3.0
#: seconds a cleaning worker may take to start and clean a small page
WORKER_START_SECONDS = 120.0
#: peak RSS of the cleaning child (MB); it idles at about 150-350 MB after the warm-up page
MAX_RSS_MB = 1_500.0
SENTENCE = "The finance minister said on Wednesday that the budget would raise spending on schools."
ARTICLE = "<h1>Budget raises school spending</h1>" + "".join(
    f"<p>{SENTENCE} Paragraph {n} adds that hospitals and roads get more money too.</p>"
    for n in range(6)
)


def page(body: str, head: str = "") -> str:
    return (
        f"<!DOCTYPE html><html><head>{head}<title>Budget</title></head><body>{body}</body></html>"
    )


# --- pages built in the child (module-level functions: the child imports them by name) -----


def deep_divs(levels: int) -> bytes:
    return page("<div>" * levels + f"<p>{SENTENCE}</p>" + "</div>" * levels).encode()


def single_line_page(megabytes: int) -> bytes:
    sentence = (SENTENCE + " ").encode()
    return (
        page("<article><p>{}</p></article>")
        .encode()
        .replace(b"{}", sentence * (megabytes * 2**20 // len(sentence)))
    )


def many_paragraphs(count: int) -> bytes:
    return page("<p>Short paragraph of text.</p>" * count).encode()


def huge_attribute(megabytes: int) -> bytes:
    value = "a" * (megabytes * 2**20)
    return page(f'<div title="{value}"><article>{ARTICLE}</article></div>').encode()


def entity_page(megabytes: int) -> bytes:
    return page("<article><p>" + "&amp;" * (megabytes * 2**20 // 5) + "</p></article>").encode()


def big_table(cells: int, per_row: int = 100) -> bytes:
    row = "<tr>" + "<td>cell value</td>" * per_row + "</tr>"
    return page(
        f"<article><h1>Results</h1><table>{row * (cells // per_row)}</table></article>"
    ).encode()


def mostly_utf8(megabytes: int) -> bytes:
    """Non-ASCII UTF-8 with one broken byte at the end: a page cut in the middle of a char."""
    return page("<p>" + "é" * (megabytes * 2**20 // 2) + "</p>").encode() + b"\xc3"


def comment_run(comments: int) -> str:
    return "<!---->" * comments + "no markup follows"


def tail_run_text(pairs: int) -> str:
    """A share line and a two-word fragment, many times: every share line opens a tail run."""
    return f"{SENTENCE}\n" + "Share\nfoo bar\n" * pairs


def tail_section_text(sections: int) -> str:
    """'About the author' headings, each over a line too long to be part of a section."""
    return ("About the author\n" + "word " * 90 + "end.\n") * sections


def fixture_page(name: str) -> bytes:
    """A saved fuzz finding (gzip: their repeated parts compress 50-100 times)."""
    return gzip.decompress((HOSTILE / name).read_bytes())


# --- the isolated runs ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def runner() -> Iterator[IsolatedRunner]:
    with IsolatedRunner(DOCUMENT_TIME_CAP, MAX_RSS_MB) as isolated:
        yield isolated


def run_isolated(
    runner: IsolatedRunner,
    builder: str,
    *args: object,
    target: str = CLEAN_HTML,
    time_cap: float = DOCUMENT_TIME_CAP,
) -> Outcome:
    runner.time_cap = time_cap
    job = Job(
        target=target,
        builder=f"{__name__}:{builder}",
        builder_args=args,
        kwargs=(("url", URL),) if target == CLEAN_HTML else (),
    )
    return runner.run(job)


@pytest.fixture(scope="module")
def page_cleaner(runner: IsolatedRunner) -> Iterator[Callable[..., Outcome]]:
    """Cleans a built page under the per-document time cap: the product's own
    (``CleaningWorker``, as ``clean_html_capped`` uses it; a timeout is then its documented
    ExtractionTimeout) when it exists, else IsolatedRunner's (a timeout is then a hang)."""
    if CleaningWorker is None:
        yield lambda builder, *args, seconds: run_isolated(runner, builder, *args, time_cap=seconds)
        return
    with CleaningWorker() as worker:
        yield lambda builder, *args, seconds: clean_capped(worker, builder, args, seconds)


def clean_capped(
    worker: CleaningWorker, builder: str, args: tuple[object, ...], seconds: float
) -> Outcome:
    """``worker.clean`` on the page ``builder(*args)`` makes, its child's RSS sampled meanwhile.

    A worker without a live child is warmed first: its cap also counts the child's start
    (imports, a few seconds), which would otherwise be charged to the page.
    """
    if worker.pid is None:
        worker.clean(page(f"<article>{ARTICLE}</article>"), URL, seconds=WORKER_START_SECONDS)
    data = globals()[builder](*args)
    peak = [0.0]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.02):
            pid = worker.pid
            if pid is not None:
                with suppress(psutil.Error):  # the child was just killed or replaced
                    peak[0] = max(peak[0], psutil.Process(pid).memory_info().rss / 2**20)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started = time.monotonic()
    try:
        article = worker.clean(data, URL, seconds=seconds)
    except CleanerError as exc:
        elapsed = time.monotonic() - started
        detail = f"{type(exc).__name__}: {exc}"
        return Outcome("cleaner-error", elapsed, peak[0], detail=detail, reason=exc.reason)
    finally:
        done.set()
        sampler.join()
    return Outcome("ok", time.monotonic() - started, peak[0], result_chars=len(article.text))


def assert_survived(outcome: Outcome) -> None:
    """An Article (or a documented CleanerError), in time, within the memory cap."""
    summary = (
        f"{outcome.kind} after {outcome.seconds:.1f} s, peak RSS {outcome.peak_rss_mb:.0f} MB"
        f" (+{outcome.rss_growth_mb:.0f} MB): {outcome.detail}"
    )
    assert outcome.kind in ("ok", "cleaner-error"), summary
    assert outcome.peak_rss_mb < MAX_RSS_MB, summary


@dataclass(frozen=True, slots=True)
class Pathological:
    builder: str
    args: tuple[int, ...]


PATHOLOGICAL = {
    "100k-nested-divs": Pathological("deep_divs", (100_000,)),
    "50MB-single-line": Pathological("single_line_page", (50,)),
    "10MB-attribute": Pathological("huge_attribute", (10,)),
    "5MB-of-amp-entities": Pathological("entity_page", (5,)),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(PATHOLOGICAL))
def test_pathological_page_is_cleaned_in_bounds(
    page_cleaner: Callable[..., Outcome], name: str
) -> None:
    case = PATHOLOGICAL[name]
    assert_survived(page_cleaner(case.builder, *case.args, seconds=DOCUMENT_TIME_CAP))


@pytest.mark.slow
def test_table_of_100k_cells_is_cleaned_in_bounds(page_cleaner: Callable[..., Outcome]) -> None:
    outcome = page_cleaner("big_table", 100_000, seconds=DOCUMENT_TIME_CAP)
    assert_survived(outcome)
    assert outcome.result_chars > 100_000  # the table is the article here: it is kept


@pytest.mark.slow
@pytest.mark.xfail(
    CleaningWorker is None,
    strict=True,
    reason="no input-size guard and no time cap in clean_html: 1,000,000 <p> siblings (30 MB) "
    "run for minutes (trafilatura's tree passes, render_blocks, the DOM tally over 1M "
    "elements) and pass 1.8 GB RSS",
)
def test_a_million_paragraphs_is_refused_or_capped(page_cleaner: Callable[..., Outcome]) -> None:
    # a size guard's refusal or the cap's ExtractionTimeout both end it in bounds
    assert_survived(page_cleaner("many_paragraphs", 1_000_000, seconds=10.0))


@pytest.mark.slow
def test_broken_utf8_of_50mb_decodes_in_bounds(runner: IsolatedRunner) -> None:
    target = "newsclean.cleaners:decode_html"
    assert_survived(run_isolated(runner, "mostly_utf8", 50, target=target, time_cap=6.0))


def test_detect_input_format_on_a_run_of_comments(runner: IsolatedRunner) -> None:
    target = "newsclean.cleaners:detect_input_format"
    outcome = run_isolated(runner, "comment_run", 30, target=target, time_cap=2.0)
    assert outcome.kind == "ok", outcome.detail


def test_tail_run_rule_is_not_quadratic(runner: IsolatedRunner) -> None:
    target = "newsclean.cleaners:clean_text"
    outcome = run_isolated(
        runner, "tail_run_text", 10_000, target=target, time_cap=QUADRATIC_TIME_CAP
    )
    assert outcome.kind == "ok", outcome.detail


def test_tail_section_rule_is_not_quadratic(runner: IsolatedRunner) -> None:
    target = "newsclean.cleaners:clean_text"
    outcome = run_isolated(
        runner, "tail_section_text", 2_000, target=target, time_cap=QUADRATIC_TIME_CAP
    )
    assert outcome.kind == "ok", outcome.detail


@pytest.mark.slow
def test_fuzzed_page_of_repeated_list_items(page_cleaner: Callable[..., Outcome]) -> None:
    outcome = page_cleaner("fixture_page", FUZZED_LIST_PAGE, seconds=FUZZED_PAGE_CAP)
    assert_survived(outcome)
    assert outcome.reason != "extract-timeout", outcome.detail


@pytest.mark.slow
def test_fuzzed_page_of_repeated_product_attributes(page_cleaner: Callable[..., Outcome]) -> None:
    name = "fuzz_repeated_product_attributes.html.gz"
    outcome = page_cleaner("fixture_page", name, seconds=FUZZED_PAGE_CAP)
    assert_survived(outcome)
    assert outcome.reason != "extract-timeout", outcome.detail


# --- small hostile pages, in this process --------------------------------------------------


def test_nul_bytes_everywhere() -> None:
    body = bytes(b for c in page(f"<article>{ARTICLE}</article>").encode() for b in (c, 0))
    article = clean_html(body, URL)
    assert SENTENCE in article.text
    assert "\x00" not in article.text


def test_utf16_without_bom_keeps_ascii_text() -> None:
    body = page(f"<article>{ARTICLE}<p>Zürich und Genf.</p></article>").encode("utf-16-le")
    article = clean_html(body, URL)
    assert SENTENCE in article.text
    assert "\x00" not in article.text


def test_unknown_meta_charset_is_ignored() -> None:
    body = page(f"<article>{ARTICLE}<p>Café crème.</p></article>", '<meta charset="x-foo">')
    decoded = decode_html(body.encode("utf-8"))
    assert decoded.source == "detected"
    assert "Café crème" in clean_html(body.encode("utf-8"), URL).text


def test_meta_charset_undefined() -> None:
    decode_html((HOSTILE / "charset_undefined.html").read_bytes())


@pytest.mark.parametrize("label", ["rot13", "base64", "hex", "zlib", "punycode", "idna"])
def test_meta_charset_naming_a_non_text_codec(label: str) -> None:
    body = (HOSTILE / "charset_rot13_binary.html").read_bytes()  # a page, then binary junk
    decode_html(body.replace(b"rot13", label.encode()))


def test_meta_charset_utf7_is_not_believed() -> None:
    body = (HOSTILE / "charset_utf7.html").read_bytes()
    assert decode_html(body).encoding != "utf-7"
    assert "+ADw-script+AD4-" in clean_html(body, URL).text


def test_deeply_nested_json_ld() -> None:
    body = (HOSTILE / "json_ld_nested.html").read_bytes()  # 2,000 "[" in a JSON-LD script
    assert SENTENCE in clean_html(body, URL).text


def test_canonical_link_with_a_broken_ipv6_host() -> None:
    body = (HOSTILE / "canonical_ipv6.html").read_bytes()
    assert SENTENCE in clean_html(body, URL).text


@pytest.mark.parametrize("bad", ["\x00", "\ud800"])
def test_clean_text_output_has_no_nul_or_lone_surrogate(bad: str) -> None:
    text = clean_text(f"{SENTENCE}{bad}\n\n{SENTENCE}").text
    assert bad not in text
    text.encode("utf-8")


def test_nesting_deeper_than_256_keeps_the_article() -> None:
    body = (HOSTILE / "font_nesting.html").read_bytes()  # 300 unclosed <font> mid-article
    text = clean_html(body, URL).text
    assert "Paragraph 0:" in text
    assert "Paragraph 5:" in text


def test_article_after_a_10mb_attribute_is_kept() -> None:
    assert SENTENCE in clean_html(huge_attribute(10), URL).text


@pytest.mark.parametrize("control", ["\x0c", "\x08", "\x0b", "\x1f"])
def test_control_character_beside_a_removed_element(control: str) -> None:
    tail = f"<div>{control}<div class='share-buttons'>Share</div>Closing line of the story.</div>"
    assert SENTENCE in clean_html(page(f"<article>{ARTICLE}{tail}</article>"), URL).text


@pytest.mark.parametrize(
    "block",
    [
        "<p>Flat rates for maintenance\x19techs, engineers and parts specialists.</p>",
        "<ul><li>Flat rates for maintenance\x19techs</li><li>Engineers</li></ul>",
    ],
    ids=["paragraph", "list-item"],
)
def test_control_character_in_the_article_keeps_the_article(block: str) -> None:
    text = clean_html(page(f"<article>{ARTICLE}{block}</article>"), URL).text
    assert SENTENCE in text


def test_bom_of_every_kind_is_decoded() -> None:
    text = page(f"<article>{ARTICLE}</article>")
    for bom, codec in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
        (codecs.BOM_UTF32_LE, "utf-32-le"),
        (codecs.BOM_UTF32_BE, "utf-32-be"),
    ):
        assert SENTENCE in clean_html(bom + text.encode(codec), URL).text, codec


def test_detect_input_format_on_short_comment_runs() -> None:
    # the exponential case above, at a size it still answers: html after comments is html
    assert detect_input_format("<!---->" * 12 + "<html><body><p>x</p>") == "html"
