"""Batch runs against the bundled demo news site: complete, incremental, exactly-once.

The first run goes through the real CLI (``newsclean run CONFIG --log-format json``) and is
shared by the module; tests that run again copy its folder (config, dataset and state) so
they do not depend on each other. Tests that edit an article start their own site.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import duckdb
import pandas as pd
import pytest
from click.testing import CliRunner

from newsclean.output.dataset import ParquetDataset
from newsclean.pipeline.cli import main
from newsclean.pipeline.demo import DemoSite, RequestRecord
from newsclean.pipeline.exitcodes import ExitCode
from newsclean.pipeline.state import RunState
from newsclean.pipeline.summary import RUNS_DIR_NAME
from newsclean.scraper.urls import normalize_url
from tests.support.runsite import (
    dataset_keys,
    dataset_rows,
    demo_config,
    demo_sources,
    preserved_logging,
    run_config,
    write_config,
)

CORRECTION = (
    "Correction: an earlier version of this story gave the wrong date for the council "
    "meeting, which takes place on Thursday evening in the old town hall."
)


@dataclass(frozen=True, slots=True)
class FirstRun:
    folder: Path
    config: Path
    exit_code: int
    summary: dict[str, object]
    stderr: str
    requests: tuple[RequestRecord, ...]  # what the site saw during the run

    @property
    def dataset(self) -> Path:
        return self.folder / "dataset"


@pytest.fixture(scope="module")
def site() -> Iterator[DemoSite]:
    with DemoSite(slow_delay=0.2) as running:
        yield running


@pytest.fixture(scope="module")
def first_run(site: DemoSite, tmp_path_factory: pytest.TempPathFactory) -> FirstRun:
    folder = tmp_path_factory.mktemp("first-run")
    config = demo_config(folder, site)
    before = len(site.requests)
    with preserved_logging():
        result = CliRunner().invoke(
            main, ["run", str(config), "--log-format", "json", "--no-progress"], obj={}
        )
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return FirstRun(
        folder,
        config,
        result.exit_code,
        json.loads(result.stdout),
        result.stderr,
        site.requests[before:],
    )


def copy_of(run: FirstRun, tmp_path: Path) -> Path:
    """A private copy of the first run's folder; returns its config path."""
    target = tmp_path / "copy"
    shutil.copytree(run.folder, target)
    return target / run.config.name


def squash(text: str) -> str:
    return " ".join(text.split())


def data_files(dataset: Path) -> dict[str, float]:
    return {str(path): path.stat().st_mtime for path in ParquetDataset.open(dataset).files()}


def article_paths(site: DemoSite) -> set[str]:
    return {urlsplit(url).path for url in site.article_urls}


# -- the first run ---------------------------------------------------------------------------


def test_first_run_writes_one_row_per_article_with_its_paragraphs(
    site: DemoSite, first_run: FirstRun
) -> None:
    rows = dataset_rows(first_run.dataset).to_pylist()
    by_url: dict[str, list[dict[str, object]]] = {}
    for row in rows:
        by_url.setdefault(str(row["url"]), []).append(row)
    expected = [a for a in site.articles if a.url not in (site.failing_url, site.disallowed_url)]
    assert len(expected) == 51
    for article in expected:
        assert len(by_url.get(article.url, [])) == 1, article.url
        row = by_url[article.url][0]
        assert row["title"] == article.title
        assert row["article_id"] is not None
        text = squash(str(row["text"]))
        for paragraph in article.text.split("\n\n"):
            assert squash(paragraph) in text, (article.url, paragraph[:60])
        assert row["http_status"] == 200
        assert row["run_id"] == first_run.summary["run_id"]
    assert site.failing_url not in by_url
    assert site.disallowed_url not in by_url
    assert all(len(versions) == 1 for versions in by_url.values())
    assert first_run.summary["rows_written"] == len(rows)


def test_first_run_is_partial_because_of_the_failing_url(
    site: DemoSite, first_run: FirstRun
) -> None:
    assert first_run.exit_code == int(ExitCode.PARTIAL) == 1
    assert first_run.summary["exit_status"] == "PARTIAL"
    totals = first_run.summary["totals"]
    assert isinstance(totals, dict)
    assert totals["failed"] == 1
    skipped = {(s["stage"], s["reason"]): s["count"] for s in first_run.summary["skipped"]}  # type: ignore[attr-defined]
    assert skipped[("fetch", "http-retryable")] == 1
    failing_path = urlsplit(site.failing_url).path
    assert [r.status for r in first_run.requests if r.path == failing_path] == [500]
    with RunState.for_dataset(first_run.dataset) as state:
        known = state.url_state(normalize_url(site.failing_url))
    assert known is not None
    assert known.failures == 1
    assert known.next_retry_at is not None  # transient: due again later, not terminal


def test_robots_disallowed_url_is_never_requested(site: DemoSite, first_run: FirstRun) -> None:
    disallowed = urlsplit(site.disallowed_url).path
    assert any(r.path == "/robots.txt" for r in first_run.requests)
    assert disallowed in site.content.paths()  # the site does serve it...
    assert site.hits(site.disallowed_url) == 0  # ...but nobody asked, in any test so far
    skipped = {(s["stage"], s["reason"]): s["count"] for s in first_run.summary["skipped"]}  # type: ignore[attr-defined]
    assert skipped[("fetch", "robots-denied")] == 1
    totals = first_run.summary["totals"]
    assert isinstance(totals, dict)
    assert totals["robots-denied"] == 1


def test_manifest_matches_the_dataset(first_run: FirstRun) -> None:
    run_id = str(first_run.summary["run_id"])
    manifest_path = first_run.dataset / RUNS_DIR_NAME / f"{run_id}.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    assert manifest == first_run.summary  # what --log-format json printed
    rows = dataset_rows(first_run.dataset).to_pandas()
    ours = rows[rows["run_id"] == run_id]
    assert manifest["rows_written"] == len(ours) == len(rows) > 0
    files = ParquetDataset.open(first_run.dataset).files()
    assert manifest["files_written"] == sum(run_id in path.name for path in files) >= 1
    assert manifest["totals"]["kept"] == manifest["rows_written"]
    assert manifest["totals"]["discovered"] == sum(manifest["sources"].values())
    assert manifest["exit_code"] == first_run.exit_code
    assert manifest["ended_at"] is not None
    with RunState.for_dataset(first_run.dataset) as state:
        (record,) = state.runs()
    assert record.run_id == run_id
    assert record.exit_status == first_run.exit_code
    assert record.manifest_path == str(manifest_path)
    assert record.ended_at is not None


def test_dataset_has_no_duplicate_versions_read_by_pandas_and_duckdb(first_run: FirstRun) -> None:
    frame = pd.read_parquet(first_run.dataset)
    assert not frame.duplicated(["article_id", "content_hash"]).any()
    assert not frame.duplicated(["url"]).any()
    files = str(first_run.dataset / "crawl_date=*" / "*.parquet")
    with duckdb.connect() as con:
        doubled = con.execute(
            "SELECT article_id, content_hash, count(*) FROM read_parquet(?, hive_partitioning=true)"
            " GROUP BY ALL HAVING count(*) > 1",
            [files],
        ).fetchall()
        (count,) = con.execute("SELECT count(*) FROM read_parquet(?)", [files]).fetchone() or (0,)
    assert doubled == []
    assert count == len(frame)


# -- the second run --------------------------------------------------------------------------


def test_second_run_over_unchanged_sources_writes_nothing_and_fetches_no_article(
    site: DemoSite, first_run: FirstRun, tmp_path: Path
) -> None:
    config = copy_of(first_run, tmp_path)
    dataset = config.parent / "dataset"
    files_before = data_files(dataset)
    keys_before = dataset_keys(dataset)
    before = len(site.requests)
    summary = run_config(config)
    requests = site.requests[before:]
    assert summary.rows_written == 0
    assert summary.files_written == 0
    assert summary.total("fetched") == 0
    assert data_files(dataset) == files_before
    assert dataset_keys(dataset) == keys_before
    fetched = {r.path for r in requests}
    assert not fetched & article_paths(site), sorted(fetched & article_paths(site))
    # the listings were asked for, conditionally, and were unchanged
    statuses = {r.path: r.status for r in requests}
    assert statuses["/feed.xml"] == 304
    assert statuses["/news-sitemap.xml"] == 304
    assert urlsplit(site.failing_url).path not in fetched  # its retry is not due yet
    assert summary.exit_code == ExitCode.OK
    manifest = dataset / RUNS_DIR_NAME / f"{summary.run_id}.json"
    assert json.loads(manifest.read_text(encoding="utf-8"))["rows_written"] == 0


def test_changed_article_with_refetch_after_adds_exactly_one_row(tmp_path: Path) -> None:
    with DemoSite(slow_delay=0.2) as site:
        config = demo_config(tmp_path, site, run={"refetch_after": "1d"})
        dataset = tmp_path / "dataset"
        first = run_config(config)
        assert first.rows_written > 50
        keys_after_first = dataset_keys(dataset)

        edited = site.articles[7]
        site.set_article_text(edited.url, edited.text + "\n\n" + CORRECTION)

        # refetch_after has not passed: nothing is re-fetched, the edit is not seen yet
        before = len(site.requests)
        quiet = run_config(config)
        assert quiet.rows_written == 0
        assert not {r.path for r in site.requests[before:]} & article_paths(site)

        # two days later every article is due again: one changed, the rest answer 304
        before = len(site.requests)
        later = run_config(config, days_later=2)
        requests = site.requests[before:]
        assert later.rows_written == 1
        assert later.total("not-modified") >= len(site.articles) - 1
        article_statuses = [r.status for r in requests if r.path in article_paths(site)]
        assert article_statuses.count(200) == 1
        assert len(article_statuses) == len(site.articles)

        keys = dataset_keys(dataset)
        assert max(keys.values()) == 1
        (new_key,) = keys.keys() - keys_after_first.keys()
        assert set(keys_after_first) <= set(keys)
        rows = dataset_rows(dataset).to_pylist()
        versions = [row for row in rows if row["url"] == edited.url]
        assert len(versions) == 2
        assert {row["article_id"] for row in versions} == {new_key[0]}
        newest = next(row for row in versions if row["content_hash"] == new_key[1])
        assert squash(CORRECTION) in squash(str(newest["text"]))

        # and once seen, the edit is not written again
        again = run_config(config, days_later=4)
        assert again.rows_written == 0
        assert dataset_keys(dataset) == keys


def test_loopback_sources_are_refused_unless_the_config_allows_private_addresses(
    tmp_path: Path,
) -> None:
    with DemoSite(slow_delay=0.2) as fresh:
        config = write_config(
            tmp_path / "guarded.toml",
            sources=demo_sources(fresh),
            fetch={"allow_private_addresses": False},
        )
        summary = run_config(config)
        assert fresh.requests == ()  # not one byte sent to 127.0.0.1
    assert summary.rows_written == 0
    assert summary.skipped[("source", "blocked-address")] == 2
    assert summary.exit_code == ExitCode.PARTIAL  # a source that cannot be read is a failure


# -- soft failures: pages answered 200 that are not articles ---------------------------------


@pytest.mark.parametrize(
    "kind",
    [
        "consent-wall",
        "soft-404",
        "paywall",
        "section",
        "tag",
    ],
)
def test_soft_failure_pages_are_not_kept_and_their_reason_is_counted(
    site: DemoSite, first_run: FirstRun, kind: str
) -> None:
    url = site.non_article_urls[kind]
    path = urlsplit(url).path
    assert [r.status for r in first_run.requests if r.path == path] == [200]
    rows = dataset_rows(first_run.dataset).to_pylist()
    assert url not in {row["url"] for row in rows}, f"{kind} page kept as an article"
    with RunState.for_dataset(first_run.dataset) as state:
        known = state.url_state(normalize_url(url))
    assert known is not None
    reason = known.last_status
    assert reason is not None
    assert reason != "ok"
    skipped = {(s["stage"], s["reason"]): s["count"] for s in first_run.summary["skipped"]}  # type: ignore[attr-defined]
    assert skipped.get(("clean", reason), 0) >= 1
