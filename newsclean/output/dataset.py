"""The article dataset: a directory of Parquet files, hive-partitioned by crawl date.

Readable as-is by pandas, pyarrow.dataset, duckdb, polars and Spark (docs/dataset.md shows
each). The dataset is the source of truth for what was written: a commit is invisible until
one atomic rename makes a complete, fsynced file appear, so after ``kill -9`` at any instant
the pipeline rebuilds its state from :meth:`ParquetDataset.files` and
:meth:`ParquetDataset.read_keys` and never writes a version twice.

Commit, in order (crash-safe at every step)::

    1. dataset lock SHARED        cleanup (which takes it alone) cannot remove our staging file
    2. _staging/<random>.parquet.tmp    written and fsynced: hidden from every reader
    3. rename without replace into crawl_date=YYYY-MM-DD/part-<run_id>-<seq>.parquet
       (next free seq; the directory is fsynced): from here the file is visible and complete

A crash before 3 leaves only a staging file, removed by the next ``open`` / ``cleanup_staging``.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Final, cast

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds

from newsclean import __version__
from newsclean.output import atomic
from newsclean.output.atomic import fsync_dir, fsync_file, rename_noreplace
from newsclean.output.compaction import (
    CompactionReport,
    check_work_dir,
    compact,
    recover_jobs,
    remove_work_dir_if_empty,
)
from newsclean.output.errors import (
    DatasetVersionError,
    InvalidTable,
    NotADataset,
    OutputNotWritable,
)
from newsclean.output.layout import (
    MARKER_NAME,
    DatasetLayout,
    check_run_id,
    is_reader_hidden,
    part_file_name,
    part_seq,
)
from newsclean.output.locks import hold_lock
from newsclean.output.parquet import (
    TEMP_SUFFIX,
    hidden_temp_path,
    not_writable,
    read_columns,
    write_durably,
)
from newsclean.output.schema import (
    DATASET_SCHEMA,
    PARTITION_FIELD,
    SCHEMA_VERSION,
    ArticleRow,
    check_table,
    rows_to_table,
)

MARKER_FORMAT: Final = "newsclean-dataset"
#: pyarrow partitioning that types ``crawl_date`` as a date (pandas alone reads it as text)
PARTITIONING: Final = ds.partitioning(pa.schema([PARTITION_FIELD]), flavor="hive")
KEY_COLUMNS: Final = ["article_id", "content_hash"]


@dataclass(frozen=True, slots=True)
class DatasetMarker:
    """What ``_newsclean.json`` records about the dataset."""

    schema_version: int
    created_by: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class CommittedFile:
    """A data file made visible by :meth:`ParquetDataset.commit`."""

    path: Path
    crawl_date: date
    run_id: str
    seq: int
    rows: int
    size_bytes: int


@dataclass(frozen=True, slots=True)
class RecoveryReport:
    """Leftovers of crashed writers removed by :meth:`ParquetDataset.recover`."""

    staging_removed: int
    jobs_recovered: int


class ParquetDataset:
    """A newsclean dataset directory opened for writing. Create with :meth:`open`."""

    def __init__(self, layout: DatasetLayout, marker: DatasetMarker) -> None:
        self._layout = layout
        self._marker = marker

    @classmethod
    def open(
        cls, root: Path, *, create: bool = True, work_dir: Path | None = None
    ) -> ParquetDataset:
        """Open (or create) the dataset at ``root`` and clean up after crashed writers.

        Refuses a directory holding anything but a newsclean dataset (NotADataset) and a
        dataset written by a newer schema version (DatasetVersionError). ``work_dir`` is
        where compaction rebuilds partitions; it must be on the same filesystem and outside
        ``root`` (default: ``.<root name>.newsclean-work`` beside it).
        """
        layout = DatasetLayout.at(root, work_dir)
        check_work_dir(layout)
        _ensure_directory(layout.root, create)
        marker = _marker_for_writing(layout)
        dataset = cls(layout, marker)
        dataset.recover()
        return dataset

    @property
    def root(self) -> Path:
        return self._layout.root

    @property
    def marker(self) -> DatasetMarker:
        return self._marker

    def commit(
        self, data: pa.Table | Iterable[ArticleRow], *, crawl_date: date, run_id: str
    ) -> CommittedFile:
        """Make ``data`` visible as one new file of partition ``crawl_date``, atomically.

        Rows whose ``run_id`` is null get this commit's ``run_id``.
        """
        check_run_id(run_id)
        table = _with_run_id(_as_table(data), run_id)
        if table.num_rows == 0:
            raise InvalidTable("nothing to commit: no rows", None, "commit only non-empty batches")
        partition = self._layout.checked_partition_dir(crawl_date)
        with hold_lock(self._layout.lock, shared=True):
            staged = self._stage(table)
            try:
                atomic.checkpoint("commit.staged")
                target = self._publish(staged, partition, run_id)
            except OSError as exc:
                staged.unlink(missing_ok=True)
                raise not_writable(partition, exc) from exc
            atomic.checkpoint("commit.published")
            size = target.stat().st_size  # under the lock: a compaction may rename it next
        seq = part_seq(target.name, run_id) or 0
        return CommittedFile(target, crawl_date, run_id, seq, table.num_rows, size)

    def partitions(self) -> list[date]:
        """Days that have a partition directory, oldest first."""
        return [day for day, _ in self._layout.partitions()]

    def files(self, crawl_date: date | None = None) -> list[Path]:
        """Committed data files (all, or of one partition), in partition then name order."""
        if crawl_date is not None:
            return self._layout.data_files(self._layout.checked_partition_dir(crawl_date))
        return [
            path
            for _, directory in self._layout.partitions()
            for path in self._layout.data_files(directory)
        ]

    @staticmethod
    def read_keys(path: Path) -> Iterator[tuple[str, str]]:
        """``(article_id, content_hash)`` of every row of one data file, reading only those."""
        for batch in read_columns(path, KEY_COLUMNS):
            # both columns are declared non-null strings
            ids = cast("list[str]", batch.column(0).to_pylist())
            hashes = cast("list[str]", batch.column(1).to_pylist())
            yield from zip(ids, hashes, strict=True)

    def cleanup_staging(self) -> int:
        """Remove files that crashed commits left in ``_staging``; returns how many."""
        with hold_lock(self._layout.lock):
            return self._remove_staging_leftovers()

    def recover(self) -> RecoveryReport:
        """Remove staging leftovers and finish or discard crashed compactions."""
        with hold_lock(self._layout.lock):
            removed = self._remove_staging_leftovers()
            jobs = recover_jobs(self._layout)
            remove_work_dir_if_empty(self._layout)
        return RecoveryReport(removed, jobs)

    def compact(self, partition: date | None = None, *, min_files: int = 2) -> CompactionReport:
        """Merge the files of each partition (or one) into one file; see compaction.py."""
        return compact(self._layout, partition, min_files=min_files)

    def arrow_dataset(self) -> ds.Dataset:
        return open_arrow_dataset(self.root)

    def _stage(self, table: pa.Table) -> Path:
        staging = self._layout.staging
        staged = staging / f"{secrets.token_hex(8)}.parquet{TEMP_SUFFIX}"
        try:
            staging.mkdir(exist_ok=True)
            write_durably(staged, table)
        except OSError as exc:
            staged.unlink(missing_ok=True)
            raise not_writable(staged, exc) from exc
        except BaseException:
            staged.unlink(missing_ok=True)
            raise
        return staged

    def _publish(self, staged: Path, partition: Path, run_id: str) -> Path:
        if not partition.is_dir():
            partition.mkdir(exist_ok=True)
            fsync_dir(self._layout.root)
        seq = _next_seq(partition, run_id)
        while True:
            target = partition / part_file_name(run_id, seq)
            try:
                rename_noreplace(staged, target)
                break
            except FileExistsError:
                seq += 1  # a concurrent commit of the same run took this number
        fsync_dir(partition)
        return target

    def _remove_staging_leftovers(self) -> int:
        try:
            leftovers = list(self._layout.staging.iterdir())
        except FileNotFoundError:
            return 0
        for path in leftovers:
            path.unlink(missing_ok=True)
        return len(leftovers)


def open_arrow_dataset(root: Path | str) -> ds.Dataset:
    """A pyarrow dataset over ``root`` with DATASET_SCHEMA (``crawl_date`` typed as date).

    Files of older schema versions read with nulls in the columns they lack.
    """
    return ds.dataset(root, schema=DATASET_SCHEMA, format="parquet", partitioning=PARTITIONING)


def read_dataset(root: Path | str) -> pa.Table:
    """The whole dataset as one table (DATASET_SCHEMA)."""
    return open_arrow_dataset(root).to_table()


def _as_table(data: pa.Table | Iterable[ArticleRow]) -> pa.Table:
    if isinstance(data, pa.Table):
        check_table(data)
        return data
    return rows_to_table(data)


def _with_run_id(table: pa.Table, run_id: str) -> pa.Table:
    column = table.column("run_id")
    if column.null_count == 0:
        return table
    index = table.schema.get_field_index("run_id")
    filled = cast("pa.ChunkedArray[Any]", pc.fill_null(column, pa.scalar(run_id, pa.string())))
    return table.set_column(index, table.schema.field(index), filled)


def _next_seq(partition: Path, run_id: str) -> int:
    seqs = [part_seq(name, run_id) for name in os.listdir(partition)]
    return max((seq for seq in seqs if seq is not None), default=0) + 1


def check_dataset_dir(root: Path) -> None:
    """Refuse ``root`` now, writing nothing, where :meth:`ParquetDataset.open` would refuse it.

    NotADataset for a directory with other content and no marker, DatasetVersionError for a
    newer schema. A missing directory passes (open creates it). Lets a caller check before
    it puts anything (a lock, a state folder) into a directory that is not its dataset.
    """
    layout = DatasetLayout.at(root)
    if not layout.root.is_dir():
        return
    marker = _read_marker(layout.marker)
    if marker is None:
        _refuse_foreign_content(layout.root)
    elif marker.schema_version > SCHEMA_VERSION:
        raise DatasetVersionError(layout.root, marker.schema_version, SCHEMA_VERSION)


def _ensure_directory(root: Path, create: bool) -> None:
    if create:
        try:
            root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise not_writable(root, exc) from exc
    if not root.is_dir():
        raise NotADataset("no dataset directory here", root, "check the path or allow creating it")


def _marker_for_writing(layout: DatasetLayout) -> DatasetMarker:
    marker = _read_marker(layout.marker)
    if marker is None:
        _refuse_foreign_content(layout.root)
        marker = DatasetMarker(SCHEMA_VERSION, f"newsclean {__version__}", datetime.now(UTC))
        _write_marker(layout.marker, marker)
    elif marker.schema_version > SCHEMA_VERSION:
        raise DatasetVersionError(layout.root, marker.schema_version, SCHEMA_VERSION)
    elif marker.schema_version < SCHEMA_VERSION:
        # files of the new version will land here: an older newsclean must now refuse it
        marker = replace(marker, schema_version=SCHEMA_VERSION)
        _write_marker(layout.marker, marker)
    return marker


def _refuse_foreign_content(root: Path) -> None:
    foreign = sorted(name for name in os.listdir(root) if not is_reader_hidden(name))
    if foreign:
        raise NotADataset(
            f"directory is not empty and has no {MARKER_NAME} (found {foreign[0]!r})", root
        )


def _read_marker(path: Path) -> DatasetMarker | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise NotADataset(f"unreadable dataset marker: {exc}", path) from exc
    try:
        if data["format"] != MARKER_FORMAT:
            raise ValueError(data["format"])
        return DatasetMarker(
            schema_version=int(data["schema_version"]),
            created_by=str(data["created_by"]),
            created_at=datetime.fromisoformat(data["created_at"]),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise NotADataset(f"dataset marker is not newsclean's ({exc!r})", path) from exc


def _write_marker(path: Path, marker: DatasetMarker) -> None:
    document = {
        "format": MARKER_FORMAT,
        "schema_version": marker.schema_version,
        "created_by": marker.created_by,
        "created_at": marker.created_at.isoformat(),
        "partitioning": "hive: crawl_date=YYYY-MM-DD (directory names only)",
    }
    temp = hidden_temp_path(path)
    try:
        temp.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
        fsync_file(temp)
        os.replace(temp, path)
        fsync_dir(path.parent)
    except OSError as exc:
        temp.unlink(missing_ok=True)
        raise OutputNotWritable(f"cannot write the dataset marker: {exc.strerror}", path) from exc
