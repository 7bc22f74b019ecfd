"""The partitioned dataset: marker, crash-safe commits, listing, keys, readers, path safety."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from newsclean.output import atomic
from newsclean.output import dataset as dataset_module
from newsclean.output.dataset import ParquetDataset, open_arrow_dataset, read_dataset
from newsclean.output.errors import (
    CorruptDataFile,
    DatasetVersionError,
    InvalidTable,
    NotADataset,
    UnsafeName,
)
from newsclean.output.schema import ARTICLE_SCHEMA, DATASET_SCHEMA, rows_to_table
from tests.test_schema import expected_record, sample_rows

REPO = Path(__file__).resolve().parents[1]
DAY = date(2024, 5, 1)
NEXT_DAY = date(2024, 5, 2)


class SimulatedCrash(BaseException):
    """Raised at a checkpoint: like kill -9, no ``except Exception`` handler sees it."""


def crash_at(point: str):  # type: ignore[no-untyped-def]
    def checkpoint(name: str) -> None:
        if name == point:
            raise SimulatedCrash(name)

    return checkpoint


def row_multiset(root: Path) -> Counter[str]:
    """Every visible row (with its crawl_date) as canonical JSON, counted."""
    records = read_dataset(root).to_pylist()
    return Counter(json.dumps(r, sort_keys=True, default=str) for r in records)


def counts_by_reader(root: Path) -> dict[str, int]:
    glob = f"{root}/**/*.parquet"
    con = duckdb.connect()
    counts = {
        "pyarrow": open_arrow_dataset(root).count_rows(),
        "pandas": len(pd.read_parquet(root)),
    }
    if con.execute(f"SELECT count(*) FROM glob('{glob}')").fetchall() == [(0,)]:
        # duckdb and polars raise on a glob matching no file (docs/dataset.md)
        return {**counts, "duckdb": 0, "polars": 0}
    query = f"SELECT count(*) FROM read_parquet('{glob}', hive_partitioning=true)"
    counts["duckdb"] = con.execute(query).fetchall()[0][0]
    lazy = pl.scan_parquet(glob, hive_partitioning=True)
    counts["polars"] = lazy.select(pl.len()).collect().item()
    return counts


@pytest.fixture
def dataset(tmp_path: Path) -> ParquetDataset:
    return ParquetDataset.open(tmp_path / "ds")


# -- open / marker -----------------------------------------------------------------------


def test_open_creates_the_marker(tmp_path: Path) -> None:
    root = tmp_path / "a" / "ds"
    opened = ParquetDataset.open(root)
    marker = json.loads((root / "_newsclean.json").read_text())
    assert marker["schema_version"] == 1 and marker["created_by"].startswith("newsclean ")
    assert opened.marker.schema_version == 1 and opened.marker.created_at.tzinfo is not None
    assert ParquetDataset.open(root).marker == opened.marker


def test_open_without_create_refuses_a_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(NotADataset):
        ParquetDataset.open(tmp_path / "nope", create=False)


def test_dataset_of_a_newer_schema_is_refused_with_advice(tmp_path: Path) -> None:
    root = tmp_path / "ds"
    ParquetDataset.open(root)
    marker = json.loads((root / "_newsclean.json").read_text())
    (root / "_newsclean.json").write_text(json.dumps({**marker, "schema_version": 99}))
    with pytest.raises(DatasetVersionError) as caught:
        ParquetDataset.open(root)
    message = str(caught.value)
    assert "schema version 99" in message and "upgrade newsclean" in message
    assert "\n" not in message and caught.value.path == root.absolute()


def test_newer_code_upgrades_the_marker_and_older_code_then_refuses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "ds"
    ParquetDataset.open(root)
    with monkeypatch.context() as patched:
        patched.setattr(dataset_module, "SCHEMA_VERSION", 2)
        assert ParquetDataset.open(root).marker.schema_version == 2
    with pytest.raises(DatasetVersionError):
        ParquetDataset.open(root)


def test_directory_with_other_content_is_refused(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(NotADataset, match=r"notes\.txt"):
        ParquetDataset.open(tmp_path)
    assert os.listdir(tmp_path) == ["notes.txt"]


def test_hidden_neighbours_such_as_the_pipeline_state_are_fine(tmp_path: Path) -> None:
    (tmp_path / "_state").mkdir()
    ParquetDataset.open(tmp_path)
    assert (tmp_path / "_newsclean.json").is_file()


@pytest.mark.parametrize("content", ["{not json", '{"format": "other"}', "[]"])
def test_unreadable_marker_is_refused(tmp_path: Path, content: str) -> None:
    (tmp_path / "_newsclean.json").write_text(content)
    with pytest.raises(NotADataset, match="marker"):
        ParquetDataset.open(tmp_path)


# -- commit / files / read_keys ----------------------------------------------------------


def test_commit_names_files_by_partition_run_and_sequence(dataset: ParquetDataset) -> None:
    first = dataset.commit(sample_rows(3), crawl_date=DAY, run_id="run-1")
    second = dataset.commit(sample_rows(2, start=3), crawl_date=DAY, run_id="run-1")
    other = dataset.commit(sample_rows(1), crawl_date=NEXT_DAY, run_id="run-1")
    root = dataset.root
    assert first.path == root / "crawl_date=2024-05-01" / "part-run-1-00001.parquet"
    assert second.path.name == "part-run-1-00002.parquet" and second.seq == 2
    assert other.path == root / "crawl_date=2024-05-02" / "part-run-1-00001.parquet"
    assert (first.rows, first.crawl_date, first.run_id) == (3, DAY, "run-1")
    assert first.size_bytes == first.path.stat().st_size
    assert dataset.files() == [first.path, second.path, other.path]
    assert dataset.files(DAY) == [first.path, second.path]
    assert dataset.partitions() == [DAY, NEXT_DAY]


def test_committed_file_has_the_schema_and_no_partition_column(dataset: ParquetDataset) -> None:
    committed = dataset.commit(sample_rows(2), crawl_date=DAY, run_id="r")
    table = pq.read_table(committed.path, partitioning=None)
    assert table.schema.equals(ARTICLE_SCHEMA, check_metadata=True)
    assert "crawl_date" not in table.column_names


def test_commit_fills_a_missing_run_id_and_keeps_given_ones(dataset: ParquetDataset) -> None:
    rows = sample_rows(1, run_id=None) + sample_rows(1, start=1, run_id="upstream")
    committed = dataset.commit(rows, crawl_date=DAY, run_id="r7")
    assert pq.read_table(committed.path).column("run_id").to_pylist() == ["r7", "upstream"]


def test_read_keys_reads_only_the_keys(dataset: ParquetDataset) -> None:
    rows = sample_rows(6)
    committed = dataset.commit(rows, crawl_date=DAY, run_id="r")
    keys = list(ParquetDataset.read_keys(committed.path))
    assert keys == [(r.article_id, r.content_hash) for r in rows]


def test_read_keys_of_a_damaged_file_is_a_clear_error(dataset: ParquetDataset) -> None:
    committed = dataset.commit(sample_rows(1), crawl_date=DAY, run_id="r")
    committed.path.write_bytes(b"PAR1 not really")
    with pytest.raises(CorruptDataFile) as caught:
        list(ParquetDataset.read_keys(committed.path))
    assert caught.value.path == committed.path


def test_commit_accepts_a_table_and_refuses_empty_or_foreign_ones(
    dataset: ParquetDataset,
) -> None:
    assert dataset.commit(rows_to_table(sample_rows(2)), crawl_date=DAY, run_id="r").rows == 2
    with pytest.raises(InvalidTable, match="no rows"):
        dataset.commit([], crawl_date=DAY, run_id="r")
    with pytest.raises(InvalidTable):
        dataset.commit(pa.table({"text": ["x"]}), crawl_date=DAY, run_id="r")
    assert len(dataset.files()) == 1


def test_concurrent_commits_of_one_run_never_overwrite(dataset: ParquetDataset) -> None:
    def commit_five(worker: int) -> None:
        for i in range(5):
            rows = sample_rows(1, start=worker * 10 + i)
            dataset.commit(rows, crawl_date=DAY, run_id="shared")

    threads = [threading.Thread(target=commit_five, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    names = [p.name for p in dataset.files()]
    assert names == [f"part-shared-{n:05d}.parquet" for n in range(1, 21)]
    assert open_arrow_dataset(dataset.root).count_rows() == 20


# -- readers -----------------------------------------------------------------------------


def test_every_reader_sees_the_rows_and_crawl_date(dataset: ParquetDataset) -> None:
    dataset.commit(sample_rows(4), crawl_date=DAY, run_id="r")
    dataset.commit(sample_rows(2, start=4), crawl_date=NEXT_DAY, run_id="r")
    root = dataset.root
    glob = f"{root}/**/*.parquet"

    arrow = read_dataset(root)
    assert arrow.schema.equals(DATASET_SCHEMA)
    assert Counter(arrow.column("crawl_date").to_pylist()) == {DAY: 4, NEXT_DAY: 2}

    frame = pd.read_parquet(root)
    assert list(frame.columns) == DATASET_SCHEMA.names
    assert Counter(str(d) for d in frame["crawl_date"]) == {"2024-05-01": 4, "2024-05-02": 2}

    duck = duckdb.connect().execute(
        f"SELECT crawl_date, count(*) FROM read_parquet('{glob}', hive_partitioning=true) "
        "GROUP BY ALL ORDER BY 1"
    )
    assert duck.fetchall() == [(DAY, 4), (NEXT_DAY, 2)]

    lazy = pl.scan_parquet(glob, hive_partitioning=True)
    polars_days = lazy.group_by("crawl_date").len().sort("crawl_date").collect()
    assert polars_days.schema["crawl_date"] == pl.Date
    assert polars_days.rows() == [(DAY, 4), (NEXT_DAY, 2)]


def test_dataset_values_round_trip(dataset: ParquetDataset) -> None:
    rows = sample_rows(8, run_id="r")
    dataset.commit(rows, crawl_date=DAY, run_id="r")
    got = read_dataset(dataset.root).to_pylist()
    assert got == [{**expected_record(r), "crawl_date": DAY} for r in rows]


def test_dataset_bookkeeping_is_invisible_to_every_reader(dataset: ParquetDataset) -> None:
    dataset.commit(sample_rows(3), crawl_date=DAY, run_id="r")
    (dataset.root / "_staging").mkdir(exist_ok=True)
    (dataset.root / "_staging" / "leftover.parquet.tmp").write_bytes(b"half a file")
    assert counts_by_reader(dataset.root) == dict.fromkeys(
        ["pyarrow", "pandas", "duckdb", "polars"], 3
    )


# -- crash safety ------------------------------------------------------------------------


def test_crash_before_the_rename_shows_nothing_and_is_cleaned(
    dataset: ParquetDataset, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(atomic, "checkpoint", crash_at("commit.staged"))
    with pytest.raises(SimulatedCrash):
        dataset.commit(sample_rows(3), crawl_date=DAY, run_id="r")
    assert dataset.files() == []
    assert open_arrow_dataset(dataset.root).count_rows() == 0
    assert len(os.listdir(dataset.root / "_staging")) == 1
    monkeypatch.undo()
    assert ParquetDataset.open(dataset.root).recover().staging_removed == 0  # open cleaned it
    assert os.listdir(dataset.root / "_staging") == []


def test_crash_after_the_rename_leaves_a_complete_file(
    dataset: ParquetDataset, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(atomic, "checkpoint", crash_at("commit.published"))
    rows = sample_rows(3)
    with pytest.raises(SimulatedCrash):
        dataset.commit(rows, crawl_date=DAY, run_id="r")
    (path,) = dataset.files()
    assert list(ParquetDataset.read_keys(path)) == [(r.article_id, r.content_hash) for r in rows]


def test_exception_while_writing_leaves_no_file_at_all(
    dataset: ParquetDataset, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(self: pq.ParquetWriter, table: pa.Table, row_group_size: int | None = None) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pq.ParquetWriter, "write_table", fail)
    with pytest.raises(Exception, match="No space left"):
        dataset.commit(sample_rows(2), crawl_date=DAY, run_id="r")
    assert dataset.files() == [] and os.listdir(dataset.root / "_staging") == []


KILL_SCRIPT = """
import os, signal, sys
from datetime import date
from pathlib import Path
from newsclean.output import atomic, ParquetDataset
from tests.test_schema import sample_rows

root, point = Path(sys.argv[1]), sys.argv[2]

def checkpoint(name):
    if name == point:
        os.kill(os.getpid(), signal.SIGKILL)

dataset = ParquetDataset.open(root)
atomic.checkpoint = checkpoint
dataset.commit(sample_rows(4), crawl_date=date(2024, 5, 1), run_id="killed")
"""


@pytest.mark.parametrize(("point", "visible"), [("commit.staged", 0), ("commit.published", 4)])
def test_kill_9_during_commit(tmp_path: Path, point: str, visible: int) -> None:
    root = tmp_path / "ds"
    result = subprocess.run(
        [sys.executable, "-c", KILL_SCRIPT, str(root), point],
        cwd=REPO,
        capture_output=True,
        timeout=60,
    )
    assert result.returncode == -9, result.stderr.decode()
    assert counts_by_reader(root) == dict.fromkeys(
        ["pyarrow", "pandas", "duckdb", "polars"], visible
    )
    reopened = ParquetDataset.open(root)
    assert os.listdir(root / "_staging") == []
    keys = [k for path in reopened.files() for k in ParquetDataset.read_keys(path)]
    assert len(keys) == visible


def test_cleanup_waits_for_a_commit_in_flight(
    dataset: ParquetDataset, monkeypatch: pytest.MonkeyPatch
) -> None:
    staged, release = threading.Event(), threading.Event()

    def pause(name: str) -> None:
        if name == "commit.staged":
            staged.set()
            release.wait(10)

    monkeypatch.setattr(atomic, "checkpoint", pause)
    committer = threading.Thread(
        target=dataset.commit, args=(sample_rows(2),), kwargs={"crawl_date": DAY, "run_id": "r"}
    )
    committer.start()
    assert staged.wait(10)
    removed: list[int] = []
    cleaner = threading.Thread(target=lambda: removed.append(dataset.cleanup_staging()))
    cleaner.start()
    cleaner.join(0.3)
    assert cleaner.is_alive()  # blocked by the commit's shared lock
    release.set()
    committer.join(10)
    cleaner.join(10)
    assert removed == [0] and len(dataset.files()) == 1


# -- path safety -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "run_id",
    ["../../escape", "a/b", "", ".hidden", "_under", "a\x00b", "x" * 200, "ünï", "a b", "-x"],
)
def test_hostile_run_ids_are_refused(tmp_path: Path, run_id: str) -> None:
    dataset = ParquetDataset.open(tmp_path / "ds")
    before = sorted(os.listdir(tmp_path))
    with pytest.raises(UnsafeName):
        dataset.commit(sample_rows(1), crawl_date=DAY, run_id=run_id)
    assert sorted(os.listdir(tmp_path)) == before and dataset.files() == []


@pytest.mark.parametrize(
    "crawl_date", ["2024-05-01/../../x", datetime(2024, 5, 1, tzinfo=UTC), 20240501]
)
def test_partition_must_be_a_date(dataset: ParquetDataset, crawl_date: object) -> None:
    with pytest.raises(UnsafeName):
        dataset.commit(sample_rows(1), crawl_date=crawl_date, run_id="r")  # type: ignore[arg-type]


def test_url_and_domain_never_reach_a_path(dataset: ParquetDataset) -> None:
    import dataclasses

    (row,) = sample_rows(1)
    hostile = dataclasses.replace(row, url="../../../etc/passwd", domain="../..", title="/x")
    committed = dataset.commit([hostile], crawl_date=DAY, run_id="r")
    assert committed.path.parent == dataset.root / "crawl_date=2024-05-01"


def test_partition_symlinked_outside_the_root_is_refused(tmp_path: Path) -> None:
    dataset = ParquetDataset.open(tmp_path / "ds")
    outside = tmp_path / "outside"
    outside.mkdir()
    (dataset.root / "crawl_date=2024-05-01").symlink_to(outside)
    with pytest.raises(UnsafeName, match="outside"):
        dataset.commit(sample_rows(1), crawl_date=DAY, run_id="r")
    assert os.listdir(outside) == []
