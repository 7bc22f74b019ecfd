"""The run state is a cache of the dataset: lose it, break it or compact under it, and the
next run rebuilds it from the files and writes nothing twice.

Runs go against a generated site (:class:`ArticleFarm`) whose sitemap lists more articles
over time, with a small ``commit_every`` so that every run makes several files. The farm's
article pages carry no validators, so a re-fetched article comes back 200 with the same text
and only the state's record of committed versions keeps it from being written again.
"""

from __future__ import annotations

import os
import random
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from newsclean.output.dataset import ParquetDataset
from newsclean.pipeline.cli import main
from newsclean.pipeline.lock import RunLock, lock_path
from newsclean.pipeline.state import RunState, state_path
from tests.support.runsite import (
    ArticleFarm,
    article_farm,
    dataset_keys,
    dataset_rows,
    run_config,
    write_config,
)

COUNT = 40


@pytest.fixture
def farm() -> Iterator[ArticleFarm]:
    with article_farm(COUNT) as running:
        yield running


def farm_config(folder: Path, farm: ArticleFarm, **run: str | int) -> Path:
    return write_config(
        folder / "farm.toml",
        sources=[{"type": "sitemap", "name": "farm", "url": farm.sitemap_url}],
        run={"commit_every": 3, **run},
    )


def assert_no_duplicates(dataset: Path, expected_rows: int) -> None:
    keys = dataset_keys(dataset)
    assert sum(keys.values()) == expected_rows
    assert set(keys.values()) == {1}
    urls = dataset_rows(dataset).column("url").to_pylist()
    assert len(urls) == len(set(urls)) == expected_rows


def sorted_rows(dataset: Path) -> list[dict[str, object]]:
    rows = dataset_rows(dataset).to_pylist()
    return sorted(rows, key=lambda row: (str(row["article_id"]), str(row["content_hash"])))


# -- a lost or broken state ------------------------------------------------------------------


def break_state(path: Path, how: str) -> None:
    data = path.read_bytes()
    if how == "deleted":
        path.unlink()
    elif how == "garbage":
        path.write_bytes(random.Random(7).randbytes(len(data)))
    elif how == "zeroed-pages":  # a valid header, torn pages behind it
        path.write_bytes(data[:4096] + bytes(len(data) - 4096))
    else:  # pragma: no cover
        raise AssertionError(how)


@pytest.mark.parametrize("how", ["deleted", "garbage", "zeroed-pages"])
def test_broken_state_is_rebuilt_from_the_dataset_without_duplicates(
    farm: ArticleFarm, tmp_path: Path, how: str
) -> None:
    farm.publish(20)
    config = farm_config(tmp_path, farm)
    dataset = tmp_path / "dataset"
    first = run_config(config)
    assert first.rows_written == 20
    assert first.files_written == 7
    path = state_path(dataset)
    assert not path.with_name(path.name + "-wal").exists()  # closed cleanly: nothing else
    break_state(path, how)

    before = farm.article_requests()
    second = run_config(config)
    # the URLs were forgotten, so every article was fetched again...
    assert farm.article_requests() - before == 20
    # ...and recognised as already committed
    assert second.rows_written == 0
    assert second.skipped[("dedup", "unchanged")] == 20
    assert second.exit_code == 0
    assert_no_duplicates(dataset, 20)
    with RunState.for_dataset(dataset) as state:
        assert state.version_count() == 20
        assert len(state.known_files()) == 7
    quarantined = list(path.parent.glob("state.sqlite3.corrupt-*"))
    assert len(quarantined) == (0 if how == "deleted" else 1)

    # and the rebuilt state carries on incrementally
    farm.publish(30)
    before = farm.article_requests()
    third = run_config(config)
    assert third.rows_written == 10
    assert farm.article_requests() - before == 10
    assert_no_duplicates(dataset, 30)


def test_deleted_data_file_is_forgotten_by_the_state(farm: ArticleFarm, tmp_path: Path) -> None:
    """The dataset is the truth: a file removed by hand leaves the state too."""
    farm.publish(9)
    config = farm_config(tmp_path, farm)
    dataset = tmp_path / "dataset"
    run_config(config)
    files = ParquetDataset.open(dataset).files()
    assert len(files) == 3
    files[0].unlink()
    run_config(config)
    with RunState.for_dataset(dataset) as state:
        assert state.version_count() == 6
        assert len(state.known_files()) == 2


# -- compaction ------------------------------------------------------------------------------


def test_compact_merges_files_keeps_rows_and_later_runs_write_no_duplicates(
    farm: ArticleFarm, tmp_path: Path
) -> None:
    config = farm_config(tmp_path, farm, refetch_after="1h")
    dataset = tmp_path / "dataset"
    for listed in (10, 20, 30):
        farm.publish(listed)
        assert run_config(config).rows_written == 10
    files_before = ParquetDataset.open(dataset).files()
    assert len(files_before) == 12  # 4 per run: 3 + 3 + 3 + 1
    rows_before = sorted_rows(dataset)

    result = CliRunner().invoke(main, ["compact", str(dataset)], obj={})
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "compacted 1 partitions: 12 files merged, 30 rows"
    files_after = ParquetDataset.open(dataset).files()
    assert len(files_after) == 1
    assert not set(files_after) & set(files_before)
    assert sorted_rows(dataset) == rows_before  # the row multiset, every column
    with RunState.for_dataset(dataset) as state:
        assert state.known_files() == {files_after[0].relative_to(dataset).as_posix()}
        assert state.version_count() == 30

    # a day later every article is due again: all 30 are re-fetched (200, same text) and
    # none is written again; the 5 newly listed ones are
    farm.publish(35)
    before = farm.article_requests()
    summary = run_config(config, days_later=1)
    assert farm.article_requests() - before == 35
    assert summary.rows_written == 5
    assert summary.skipped[("dedup", "unchanged")] == 30
    assert_no_duplicates(dataset, 35)

    # that run's clock was a day ahead: its 5 rows (2 files) are the next day's partition,
    # which compacting merges; the first partition (1 file) is left as it is
    assert len(ParquetDataset.open(dataset).partitions()) == 2
    result = CliRunner().invoke(main, ["compact", str(dataset)], obj={})
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "compacted 1 partitions: 2 files merged, 5 rows"
    result = CliRunner().invoke(main, ["compact", str(dataset)], obj={})
    assert result.stdout.strip() == "compacted 0 partitions: 0 files merged, 0 rows"
    assert run_config(config, days_later=2).rows_written == 0
    assert_no_duplicates(dataset, 35)


def test_compact_refuses_while_a_run_holds_the_lock(farm: ArticleFarm, tmp_path: Path) -> None:
    farm.publish(6)
    config = farm_config(tmp_path, farm)
    dataset = tmp_path / "dataset"
    run_config(config)
    files = ParquetDataset.open(dataset).files()
    with RunLock(lock_path(dataset)):
        result = CliRunner().invoke(main, ["compact", str(dataset)], obj={})
    assert result.exit_code == 6
    (line,) = result.stderr.splitlines()
    assert line.startswith("Error: another newsclean run (pid ")
    assert f"pid {os.getpid()}" in line
    assert ParquetDataset.open(dataset).files() == files


def test_compact_of_a_missing_dataset_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["compact", str(tmp_path / "nope")], obj={})
    assert result.exit_code == 2
    assert "does not exist" in result.stderr


def test_compact_of_a_folder_that_is_no_dataset_leaves_it_alone(tmp_path: Path) -> None:
    for folder, content in ((tmp_path / "empty", []), (tmp_path / "csvs", ["a.csv"])):
        folder.mkdir()
        for name in content:
            (folder / name).write_text("x,y\n", encoding="utf-8")
        result = CliRunner().invoke(main, ["compact", str(folder)], obj={})
        assert result.exit_code == 2
        (line,) = result.stderr.splitlines()
        assert line.startswith("Error: not a newsclean dataset")
        assert sorted(path.name for path in folder.iterdir()) == content


def test_copied_dataset_with_its_state_stays_exactly_once(
    farm: ArticleFarm, tmp_path: Path
) -> None:
    """The state names files relative to the dataset, so a moved dataset keeps working."""
    farm.publish(12)
    original = tmp_path / "a"
    config = farm_config(original, farm)
    run_config(config)
    moved = tmp_path / "b"
    shutil.copytree(original, moved)
    farm.publish(15)
    summary = run_config(moved / config.name)
    assert summary.rows_written == 3
    assert_no_duplicates(moved / "dataset", 15)
