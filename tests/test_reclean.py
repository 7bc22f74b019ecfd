"""reclean: a dataset rebuilt from archives, deterministically, with no network."""

from __future__ import annotations

import io
import json
from collections import Counter
from datetime import timedelta
from pathlib import Path

import click
import pyarrow as pa
import pytest
from click.testing import CliRunner
from warcio.archiveiterator import ArchiveIterator

from newsclean.output.dataset import read_dataset
from newsclean.pipeline.reclean import RecleanOptions, reclean, reclean_command
from newsclean.pipeline.summary import RunSummary
from tests.test_warc_support import (
    BASE_DATE,
    WarcBuilder,
    archive_of_pages,
    article_page,
    marker,
    page_url,
)


def rebuild(output: Path, *archives: Path, **options: object) -> RunSummary:
    return reclean([str(a) for a in archives], RecleanOptions(output=output, **options))  # type: ignore[arg-type]


def rows(dataset: Path) -> pa.Table:
    return read_dataset(dataset).sort_by([("url", "ascending"), ("fetched_at", "ascending")])


def data_files(dataset: Path) -> dict[str, bytes]:
    return {
        p.relative_to(dataset).as_posix(): p.read_bytes()
        for p in sorted(dataset.rglob("*.parquet"))
    }


def two_day_archive(path: Path) -> Path:
    """Four pages on 4 March and two on 5 March, plus pages that are not articles."""
    builder = WarcBuilder()
    for index in range(6):
        day = BASE_DATE + timedelta(days=1 if index >= 4 else 0, minutes=index)
        builder.response(page_url(index), article_page(index), date=day)
    builder.response(page_url(90), b"<html><body><p>Short.</p></body></html>")
    builder.response(page_url(91), b"<html><body></body></html>")
    builder.response(page_url(0), article_page(0), date=BASE_DATE + timedelta(hours=5))
    return builder.write(path)


def test_rebuilding_twice_gives_identical_datasets_down_to_the_bytes(tmp_path: Path) -> None:
    archive = two_day_archive(tmp_path / "in" / "crawl.warc.gz")
    first = rebuild(tmp_path / "one", archive, commit_every=3)
    second = rebuild(tmp_path / "two", archive, commit_every=3)
    assert first.run_id == second.run_id and first.run_id.startswith("reclean-")
    assert first.rows_written == second.rows_written == 6
    assert rows(tmp_path / "one").equals(rows(tmp_path / "two"))
    one, two = data_files(tmp_path / "one"), data_files(tmp_path / "two")
    assert list(one) == list(two)
    assert one == two  # same names, same bytes
    assert sorted({name.split("/")[0] for name in one}) == [
        "crawl_date=2024-03-04",
        "crawl_date=2024-03-05",
    ]


def test_the_run_id_follows_the_archives_content_not_their_path(tmp_path: Path) -> None:
    archive = two_day_archive(tmp_path / "a" / "crawl.warc.gz")
    copy = tmp_path / "elsewhere" / "crawl.warc.gz"
    copy.parent.mkdir()
    copy.write_bytes(archive.read_bytes())
    assert rebuild(tmp_path / "one", archive).run_id == rebuild(tmp_path / "two", copy).run_id
    assert data_files(tmp_path / "one") == data_files(tmp_path / "two")
    changed = archive_of_pages(tmp_path / "b" / "crawl.warc.gz", 3)
    assert rebuild(tmp_path / "three", changed).run_id != rebuild(tmp_path / "one", archive).run_id


def test_rows_carry_their_archive_record_and_its_date(tmp_path: Path) -> None:
    archive = two_day_archive(tmp_path / "crawl.warc.gz")
    summary = rebuild(tmp_path / "out", archive)
    table = rows(tmp_path / "out").to_pylist()
    data = archive.read_bytes()
    for row in table:
        assert row["warc_filename"] == "crawl.warc.gz"
        member = io.BytesIO(data[row["warc_record_offset"] :])
        record = next(iter(ArchiveIterator(member)))
        assert record.rec_headers.get_header("WARC-Target-URI") == row["url"]
        warc_date = record.rec_headers.get_header("WARC-Date")
        assert row["fetched_at"].strftime("%Y-%m-%dT%H:%M:%SZ") == warc_date
        assert row["crawl_date"] == row["fetched_at"].date()
        assert row["run_id"] == summary.run_id
        index = int(row["url"].rsplit("-", 1)[1].split(".")[0])
        assert marker(index) in row["text"]
    assert summary.skipped == Counter(
        {("clean", "too-short"): 1, ("clean", "not-article:other"): 1, ("dedup", "duplicate"): 1}
    )
    assert int(summary.exit_code) == 0


def test_into_an_existing_dataset_only_missing_versions_are_added(tmp_path: Path) -> None:
    first = archive_of_pages(tmp_path / "a.warc.gz", 3)
    rebuild(tmp_path / "out", first)
    before = data_files(tmp_path / "out")
    again = rebuild(tmp_path / "out", first)
    assert again.rows_written == 0 and data_files(tmp_path / "out") == before
    assert again.skipped == Counter({("dedup", "duplicate"): 3})
    more = archive_of_pages(tmp_path / "b.warc.gz", 5)
    assert rebuild(tmp_path / "out", more).rows_written == 2
    assert read_dataset(tmp_path / "out").num_rows == 5


def test_a_damaged_archive_is_used_as_far_as_it_reads(tmp_path: Path) -> None:
    archive = archive_of_pages(tmp_path / "a.warc.gz", 5)
    data = archive.read_bytes()
    archive.write_bytes(data[: len(data) - 700])  # the last page is cut
    summary = rebuild(tmp_path / "out", archive)
    assert summary.rows_written == 4
    assert summary.skipped == Counter({("source", "corrupt-archive"): 1})
    assert summary.domains["(archive)"]["failed"] == 1
    assert summary.exit_code.name == "PARTIAL"


def test_filters_apply_before_cleaning(tmp_path: Path) -> None:
    builder = WarcBuilder()
    builder.response(page_url(1), article_page(1, lang="de"))
    builder.response(page_url(2), article_page(2, lang="en"))
    builder.response(page_url(3, "other.example"), article_page(3, lang="de"))
    builder.response(page_url(4), article_page(4, lang="de"), date=BASE_DATE + timedelta(days=3))
    archive = builder.write(tmp_path / "a.warc.gz")
    summary = rebuild(
        tmp_path / "out",
        archive,
        languages=("de",),
        domains=("example.org",),
        until=BASE_DATE + timedelta(days=1),
    )
    assert [row["url"] for row in rows(tmp_path / "out").to_pylist()] == [page_url(1)]
    assert summary.skipped == Counter(
        {
            ("source", "filtered-language"): 1,
            ("source", "filtered-domain"): 1,
            ("source", "filtered-date"): 1,
        }
    )


def test_worker_processes_give_the_same_dataset(tmp_path: Path) -> None:
    archive = two_day_archive(tmp_path / "crawl.warc.gz")
    rebuild(tmp_path / "one", archive, commit_every=4)
    rebuild(tmp_path / "two", archive, commit_every=4, workers=2)
    assert data_files(tmp_path / "one") == data_files(tmp_path / "two")


# -- command line ------------------------------------------------------------------------------


def invoke(*args: str) -> click.testing.Result:
    return CliRunner().invoke(reclean_command, list(args), obj={"debug": False})


def test_the_command_rebuilds_and_prints_a_summary(tmp_path: Path) -> None:
    archive = two_day_archive(tmp_path / "in" / "crawl.warc.gz")
    result = invoke(str(tmp_path / "in"), "--output", str(tmp_path / "out"), "--no-progress")
    assert result.exit_code == 0, result.output
    assert "6 new rows in 2 files; exit 0 (OK)" in result.stdout
    result = invoke(str(archive), "--output", str(tmp_path / "out"), "--json")
    assert result.exit_code == 0
    summary = json.loads(result.stdout)
    assert summary["rows_written"] == 0 and summary["exit_status"] == "OK"


def test_the_command_exit_codes(tmp_path: Path) -> None:
    missing = invoke(str(tmp_path / "nope-*.warc.gz"), "--output", str(tmp_path / "out"))
    assert missing.exit_code == 2
    assert missing.stderr.strip().startswith("Error: no file matches this pattern (")
    assert not (tmp_path / "out").exists()

    archive = archive_of_pages(tmp_path / "a.warc.gz", 2)
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "notes.csv").write_text("a,b\n")
    refused = invoke(str(archive), "--output", str(foreign))
    assert refused.exit_code == 2
    assert "not a newsclean dataset" in refused.stderr
    assert sorted(p.name for p in foreign.iterdir()) == ["notes.csv"]

    data = archive.read_bytes()
    archive.write_bytes(data[:-300])
    partial = invoke(str(archive), "--output", str(tmp_path / "out"), "--json")
    assert partial.exit_code == 1
    assert json.loads(partial.stdout)["exit_status"] == "PARTIAL"

    bad_date = invoke(str(archive), "--output", str(tmp_path / "out"), "--since", "yesterday")
    assert bad_date.exit_code == 2


def test_help_shows_examples_of_this_command() -> None:
    result = invoke("--help")
    assert result.exit_code == 0
    assert "Examples:" in result.stdout and "Exit codes:" in result.stdout
    assert "newsclean reclean news-archive --output rebuilt" in result.stdout


@pytest.mark.parametrize("value", ["2024-03-04", "2024-03-04T06:15:00Z", "2024-03-04T08:15+02:00"])
def test_since_accepts_days_and_times(tmp_path: Path, value: str) -> None:
    archive = archive_of_pages(tmp_path / "a.warc.gz", 2)
    result = invoke(str(archive), "--output", str(tmp_path / "out"), "--since", value, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["rows_written"] == 2


@pytest.mark.parametrize("workers", [1, 2])
def test_a_page_that_never_finishes_cleaning_is_a_counted_timeout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: int
) -> None:
    # the worker target hangs on pages holding this marker (tests/test_time_cap_run.py)
    from tests.test_time_cap_run import PATHOLOGICAL

    monkeypatch.setattr(
        "newsclean.pipeline.pages.CLEAN_TARGET", "tests.test_time_cap_run:slow_clean"
    )
    builder = WarcBuilder()
    for index in range(4):
        page = article_page(index)
        if index == 1:
            page = page.replace(b"</body>", PATHOLOGICAL + b"</body>")
        builder.response(page_url(index), page, date=BASE_DATE + timedelta(minutes=index))
    archive = builder.write(tmp_path / "a.warc.gz")
    summary = rebuild(tmp_path / "out", archive, workers=workers, clean_timeout=2.0)
    assert summary.skipped == Counter({("clean", "extract-timeout"): 1})
    assert summary.rows_written == 3
    assert sorted(rows(tmp_path / "out").column("url").to_pylist()) == [
        page_url(i) for i in (0, 2, 3)
    ]


def test_the_time_cap_is_an_option_and_can_be_switched_off(tmp_path: Path) -> None:
    archive = archive_of_pages(tmp_path / "a.warc.gz", 2)
    result = CliRunner().invoke(
        reclean_command,
        [str(archive), "--output", str(tmp_path / "out"), "--clean-timeout", "0", "--json"],
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["rows_written"] == 2
    with pytest.raises(ValueError):
        RecleanOptions(output=tmp_path / "x", clean_timeout=0)
