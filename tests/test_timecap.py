"""Bounds on one document: size guards before parsing, and the killable cleaning worker."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

import pytest
from lxml.html import HtmlElement

from newsclean.cleaners import Article, clean_html
from newsclean.cleaners.errors import ExtractionError, ExtractionTimeout, WorkerFailed
from newsclean.cleaners.guards import MAX_HTML_CHARS, TreeTooLarge, cap_html, check_tree
from newsclean.cleaners.timecap import CleaningWorker, clean_html_capped

ARTICLE = (
    "<html><head><title>Ferry timetable</title></head><body><article><h1>Ferry timetable</h1>"
    + "".join(
        f"<p>The council approved a new ferry timetable, paragraph {i}, adding crossings on "
        "weekdays and a late boat on Fridays for commuters who work in the city.</p>"
        for i in range(6)
    )
    + "</article></body></html>"
)
DEEP = "<html><body>" + "<div>" * 100_000 + "deep text" + "</div>" * 100_000 + "</body></html>"
HUGE_LINE = "<html><body><p>" + "word " * 10_000_000 + "</p></body></html>"  # 50 MB


def slow_or_failing_clean(html: str | bytes, url: str | None, content_type: str | None) -> Article:
    """Worker target for these tests: sleeps, dies or fails on request, else cleans."""
    if html == "sleep":
        time.sleep(60)
    if html == "die":
        os._exit(3)
    if html == "fail":
        raise ExtractionError("extractor gave up", url)
    if html == "bug":
        raise KeyError("a library's bug")
    return clean_html(html, url, content_type=content_type)


@pytest.fixture(scope="module")
def worker() -> Iterator[CleaningWorker]:
    with CleaningWorker(target="tests.test_timecap:slow_or_failing_clean") as started:
        yield started


def test_a_deeply_nested_page_is_cleaned_without_crashing() -> None:
    started = time.monotonic()
    article = clean_html(DEEP, "https://example.com/deep")
    assert isinstance(article, Article)
    assert time.monotonic() - started < 30


def test_a_50_mb_single_line_page_is_capped_before_parsing() -> None:
    started = time.monotonic()
    article = clean_html(HUGE_LINE, "https://example.com/huge")
    assert len(article.text) <= MAX_HTML_CHARS
    assert article.text.startswith("word word")
    assert time.monotonic() - started < 60


def test_cap_html_drops_scripts_before_cutting() -> None:
    page = "<html><body><script>" + "x" * 200 + "</script><p>kept text</p></body></html>"
    assert cap_html(page, limit=100) == "<html><body> <p>kept text</p></body></html>"
    assert cap_html(page, limit=10_000) == page
    cut = cap_html("<p>a</p>" * 100, limit=50)
    assert len(cut) <= 50 and cut.endswith("</p>")


def test_an_oversized_tree_is_reduced_then_refused() -> None:
    from newsclean.cleaners.clean import parse_html

    inline = parse_html("<html><body><p>" + "<span>a</span>" * 500 + "</p></body></html>")
    assert inline is not None
    check_tree(inline, limit=100)  # the spans are stripped: small enough
    assert inline.find(".//span") is None and "aaa" in inline.text_content()
    blocks = parse_html("<html><body>" + "<p>a</p>" * 500 + "</body></html>")
    assert blocks is not None
    with pytest.raises(TreeTooLarge) as raised:
        check_tree(blocks, "https://example.com/big", limit=100)
    assert raised.value.url == "https://example.com/big"


def test_the_source_shortcut_counts_only_pages_that_could_be_too_large(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from newsclean.cleaners import guards
    from newsclean.cleaners.clean import parse_html

    source = "<html><body>" + "<p>a</p>" * 500 + "</body></html>"
    blocks = parse_html(source)
    assert blocks is not None
    with pytest.raises(TreeTooLarge):  # 1,004 "<" for a limit of 100: counted, refused
        check_tree(blocks, limit=100, source=source)
    counted: list[int] = []
    real_count = guards._element_count

    def counting(root: HtmlElement) -> int:
        counted.append(1)
        return real_count(root)

    monkeypatch.setattr(guards, "_element_count", counting)
    check_tree(blocks, limit=2_100, source=source)  # 2 x 1,004 "<" fit: not counted
    assert counted == []
    check_tree(blocks, limit=2_100)  # without the source the tree is counted
    assert counted == [1]


@pytest.mark.parametrize(
    "source",
    [
        "stray text before any tag",
        "<p>a</p></p></p></div><td>b",  # stray end tags and implied table parts
        "<html><body>" + "<b><i>x" * 50,
        "text<table><tr><td>1<td>2</table>tail",
    ],
)
def test_a_tree_has_no_more_elements_than_its_source_has_tag_starts_plus_a_few(
    source: str,
) -> None:
    from newsclean.cleaners.clean import parse_html

    root = parse_html(source)
    assert root is not None
    # the bound the shortcut relies on (with a factor of two to spare)
    assert len(list(root.iter())) <= source.count("<") + 4


def test_worker_cleans_a_page(worker: CleaningWorker) -> None:
    article = worker.clean(ARTICLE, "https://example.com/ferry", seconds=60)
    assert "new ferry timetable" in article.text and article.title == "Ferry timetable"


def test_worker_times_out_kills_and_recovers(worker: CleaningWorker) -> None:
    before = worker.clean(ARTICLE, seconds=60) and worker.pid
    started = time.monotonic()
    with pytest.raises(ExtractionTimeout) as raised:
        worker.clean("sleep", "https://example.com/slow", seconds=1)
    assert time.monotonic() - started < 10
    assert raised.value.url == "https://example.com/slow"
    assert worker.pid is None  # the overrunning child is gone
    assert "new ferry timetable" in worker.clean(ARTICLE, seconds=60).text
    assert worker.pid not in (None, before)


def test_cleaner_errors_come_back_as_themselves(worker: CleaningWorker) -> None:
    with pytest.raises(ExtractionError) as raised:
        worker.clean("fail", "https://example.com/fail", seconds=60)
    assert raised.value.message == "extractor gave up"
    assert raised.value.url == "https://example.com/fail"


def test_other_exceptions_become_extraction_errors(worker: CleaningWorker) -> None:
    with pytest.raises(ExtractionError, match="KeyError"):
        worker.clean("bug", "https://example.com/bug", seconds=60)


def test_a_dying_worker_is_reported_and_replaced(worker: CleaningWorker) -> None:
    with pytest.raises(WorkerFailed):
        worker.clean("die", "https://example.com/die", seconds=60)
    assert "new ferry timetable" in worker.clean(ARTICLE, seconds=60).text


def test_clean_html_capped_uses_a_worker_of_this_process() -> None:
    article = clean_html_capped(ARTICLE, "https://example.com/ferry", seconds=60)
    assert article.url == "https://example.com/ferry"
    assert "new ferry timetable" in article.text
