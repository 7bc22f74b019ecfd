"""diff: what changed between two datasets, per article, column and domain."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import click
from click.testing import CliRunner

from newsclean.pipeline.diff import COMPARED_COLUMNS, diff_command, diff_datasets, render_diff
from newsclean.pipeline.reclean import RecleanOptions, reclean
from tests.test_warc_support import BASE_DATE, WarcBuilder, archive_of_pages, article_page, page_url

ADDED_SENTENCE = "A late correction: the vote was in fact held on Wednesday, officials said."


def rebuilt(tmp_path: Path, name: str, *archives: Path) -> Path:
    output = tmp_path / name
    summary = reclean([str(a) for a in archives], RecleanOptions(output=output))
    assert summary.rows_written > 0
    return output


def invoke(*args: str) -> click.testing.Result:
    return CliRunner().invoke(diff_command, list(args), obj={"debug": False})


def test_a_changed_page_in_a_second_archive_is_exactly_what_diff_reports(tmp_path: Path) -> None:
    old = rebuilt(tmp_path, "old", archive_of_pages(tmp_path / "a.warc.gz", 6))
    recrawl = archive_of_pages(
        tmp_path / "b.warc.gz", 6, changed={3: ADDED_SENTENCE}, day=BASE_DATE + timedelta(days=1)
    )
    new = rebuilt(tmp_path, "new", recrawl)
    report = diff_datasets(old, new)
    assert (report.added, report.removed, report.common) == (0, 0, 6)
    assert report.text_changed == 1
    assert report.text_changed_share == 1 / 6
    changed = {c.column: c.changed for c in report.columns if c.changed}
    assert changed == {"text": 1, "markdown": 1}
    (domain,) = report.domains
    assert (domain.domain, domain.changed, domain.text_changed) == ("news.example.org", 1, 1)
    (example,) = report.examples
    assert example.url == page_url(3)
    assert f"+{ADDED_SENTENCE}" in example.diff.splitlines()
    assert not any(
        line.startswith("-") and not line.startswith("---") for line in example.diff.splitlines()
    )
    assert report.similarity_sample == 1
    assert report.mean_similarity is not None and 0.9 < report.mean_similarity < 1.0


def test_added_removed_and_metadata_changes_are_counted(tmp_path: Path) -> None:
    old_archive = WarcBuilder()
    new_archive = WarcBuilder()
    for index in range(4):
        old_archive.response(page_url(index), article_page(index))
    new_archive.response(page_url(0), article_page(0))
    new_archive.response(page_url(1), article_page(1, author="Jo Byline"))
    new_archive.response(page_url(3), article_page(3, title="A new headline"))
    new_archive.response(page_url(7, "other.example"), article_page(7))
    old = rebuilt(tmp_path, "old", old_archive.write(tmp_path / "a.warc.gz"))
    new = rebuilt(tmp_path, "new", new_archive.write(tmp_path / "b.warc.gz"))
    report = diff_datasets(old, new)
    assert (report.added, report.removed, report.common) == (1, 1, 3)
    assert report.added_urls == (page_url(7, "other.example"),)
    assert report.removed_urls == (page_url(2),)
    changed = {c.column: c.changed for c in report.columns}
    assert changed["authors"] == 1
    assert changed["title"] == 1
    # the headline is the title, not a line of the text: the text is the same
    assert changed["language"] == changed["text"] == changed["published_at"] == 0
    assert changed["page_type"] == 0
    domains = {d.domain: (d.added, d.removed, d.changed) for d in report.domains}
    assert domains == {"other.example": (1, 0, 0), "news.example.org": (0, 1, 2)}
    text = render_diff(report)
    assert "articles: 1 added, 1 removed, 3 in both" in text
    assert "authors" in text and "other.example" in text


def test_the_latest_version_of_each_article_is_compared(tmp_path: Path) -> None:
    first = archive_of_pages(tmp_path / "a.warc.gz", 3)
    later = archive_of_pages(
        tmp_path / "b.warc.gz", 3, changed={1: ADDED_SENTENCE}, day=BASE_DATE + timedelta(days=2)
    )
    old = rebuilt(tmp_path, "old", first)
    both = rebuilt(tmp_path, "both", first, later)  # two versions of article 1
    report = diff_datasets(old, both)
    assert (report.old.rows, report.new.rows) == (3, 4)
    assert (report.old.articles, report.new.articles) == (3, 3)
    assert report.text_changed == 1 and report.examples[0].url == page_url(1)
    assert diff_datasets(both, both).identical


def test_identical_datasets_and_the_command_line(tmp_path: Path) -> None:
    old = rebuilt(tmp_path, "old", archive_of_pages(tmp_path / "a.warc.gz", 3))
    result = invoke(str(old), str(old))
    assert result.exit_code == 0, result.output
    assert "no differences" in result.stdout
    assert "text changed: 0 of 3 (0.0%)" in result.stdout

    result = invoke(str(old), str(old), "--json")
    document = json.loads(result.stdout)
    assert document["added"] == document["removed"] == document["text_changed"] == 0
    assert set(document["columns"]) == set(COMPARED_COLUMNS)

    missing = invoke(str(old), str(tmp_path / "not-a-dataset"))
    assert missing.exit_code == 2
    assert missing.stderr.startswith("Error: not a newsclean dataset (no _newsclean.json) (")


def test_help_shows_examples_of_this_command() -> None:
    result = invoke("--help")
    assert result.exit_code == 0
    assert "Examples:" in result.stdout and "Exit codes:" in result.stdout
    assert "newsclean diff news-dataset rebuilt" in result.stdout
