"""Compaction: merge a partition's small files into one, never showing readers a mixed state.

Readers see a partition as the set of ``*.parquet`` files in ``crawl_date=.../``. That set
has to go from the old files to the merged one in ONE step, so a partition is rebuilt in a
job directory outside the dataset root (duckdb and polars globs read hidden files too, so a
rebuild inside the root would show its rows twice) and swapped in whole::

    1. job dir   <work>/job-<token>/ created and flock'ed (its lock marks it alive)
    2. merge     old files -> <job>/new/part-compact-....parquet, fsynced
    3. lock      dataset lock EXCLUSIVE: no commit lands during the swap; re-list the
                 partition; files committed since step 2 are hard-linked into <job>/new
    4. intent    <job>/intent.json names the partition (needed only by the fallback)
    5. swap      renameat2(<job>/new, partition, RENAME_EXCHANGE): one atomic step;
                 afterwards <job>/new holds the OLD files, outside the root
    6. delete    the job directory, old files with it

A crash anywhere leaves the partition either wholly old (before 5) or wholly new (after 5);
the job directory is invisible to readers either way and the next ``recover_jobs`` (run by
``ParquetDataset.open`` and by every ``compact``) deletes it once its lock is free.

Fallback where RENAME_EXCHANGE is unavailable (non-Linux libc, filesystems without it):
step 5 becomes two renames, ``partition -> <job>/old`` then ``<job>/new -> partition``.
Readers never see a doubled state, but between the two renames (microseconds) the partition
is absent. A crash between them is repaired by recovery, which moves the complete, fsynced
``<job>/new`` into place (it was made durable before step 4).
"""

from __future__ import annotations

import errno
import json
import os
import secrets
import shutil
from collections.abc import Iterable
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Final, Literal

import pyarrow as pa

from newsclean.output import atomic
from newsclean.output.atomic import exchange, fsync_dir, fsync_file, rename_noreplace
from newsclean.output.errors import CompactionUnavailable, DatasetError
from newsclean.output.layout import DatasetLayout, parse_partition, part_file_name
from newsclean.output.locks import hold_lock, is_abandoned
from newsclean.output.parquet import (
    ROW_GROUP_ROWS,
    hidden_temp_path,
    not_writable,
    open_writer,
    read_table,
)
from newsclean.output.schema import conform_table

SwapMode = Literal["exchange", "fallback"]
SkipReason = Literal["too-few-files", "changed-concurrently"]

JOB_PREFIX: Final = "job-"
JOB_LOCK_NAME: Final = "job.lock"
INTENT_NAME: Final = "intent.json"
NEW_DIR: Final = "new"
OLD_DIR: Final = "old"


@dataclass(frozen=True, slots=True)
class PartitionCompaction:
    """One partition merged: how many files went in, and the file that replaced them."""

    crawl_date: date
    files_merged: int
    rows: int
    path: Path
    swap: SwapMode


@dataclass(frozen=True, slots=True)
class PartitionSkip:
    """A partition left as it was, and why (an expected outcome, not an error)."""

    crawl_date: date
    reason: SkipReason


@dataclass(frozen=True, slots=True)
class CompactionReport:
    compacted: tuple[PartitionCompaction, ...] = ()
    skipped: tuple[PartitionSkip, ...] = ()
    #: abandoned jobs of crashed compactions cleaned up before starting
    recovered_jobs: int = 0

    @property
    def files_merged(self) -> int:
        return sum(p.files_merged for p in self.compacted)

    @property
    def rows(self) -> int:
        return sum(p.rows for p in self.compacted)


def compact(layout: DatasetLayout, partition: date | None, *, min_files: int) -> CompactionReport:
    """Merge each partition (or just ``partition``) holding at least ``min_files`` files."""
    if min_files < 1:
        raise ValueError("min_files must be at least 1")
    _prepare_work_dir(layout)
    try:
        with hold_lock(layout.lock):
            recovered = recover_jobs(layout)
        days = [partition] if partition is not None else [day for day, _ in layout.partitions()]
        outcomes = [compact_partition(layout, day, min_files=min_files) for day in days]
    finally:
        with hold_lock(layout.lock):
            remove_work_dir_if_empty(layout)
    return CompactionReport(
        compacted=tuple(o for o in outcomes if isinstance(o, PartitionCompaction)),
        skipped=tuple(o for o in outcomes if isinstance(o, PartitionSkip)),
        recovered_jobs=recovered,
    )


def compact_partition(
    layout: DatasetLayout, day: date, *, min_files: int
) -> PartitionCompaction | PartitionSkip:
    partition = layout.checked_partition_dir(day)
    listed = layout.data_files(partition)
    if not listed or len(listed) < min_files:
        return PartitionSkip(day, "too-few-files")
    with ExitStack() as stack:
        job = _start_job(layout, stack)
        merged = job / NEW_DIR / part_file_name(_compaction_run_id(), 1)
        # until the swap, a failed job is plain garbage: remove it and report
        try:
            rows = _merge(listed, merged)
            atomic.checkpoint("compact.merged")
        except FileNotFoundError:
            _remove_tree(job)
            return PartitionSkip(day, "changed-concurrently")  # a listed file went away
        except OSError as exc:
            _remove_tree(job)
            raise not_writable(merged, exc) from exc
        except Exception:
            _remove_tree(job)
            raise
        with hold_lock(layout.lock):
            swap = _swap_in(layout, partition, listed, job)
        if swap is None:
            _remove_tree(job)
            return PartitionSkip(day, "changed-concurrently")
        atomic.checkpoint("compact.swapped")
        _remove_tree(job)
        atomic.checkpoint("compact.old-deleted")
    return PartitionCompaction(day, len(listed), rows, partition / merged.name, swap)


def recover_jobs(layout: DatasetLayout) -> int:
    """Finish or delete jobs left by dead compactions; the caller holds the dataset lock."""
    try:
        jobs = sorted(layout.work_dir.iterdir())
    except FileNotFoundError:
        return 0
    recovered = 0
    for job in jobs:
        if job.name.startswith(JOB_PREFIX) and is_abandoned(job / JOB_LOCK_NAME):
            _finish_abandoned(layout, job)
            recovered += 1
    return recovered


def check_work_dir(layout: DatasetLayout) -> None:
    """Refuse a work directory inside the root: globs would see rebuilt partitions twice."""
    if layout.work_dir.is_relative_to(layout.root):
        raise CompactionUnavailable(
            "compaction work directory is inside the dataset",
            layout.work_dir,
            "choose a work_dir outside the dataset root, on the same filesystem",
        )


def _prepare_work_dir(layout: DatasetLayout) -> None:
    check_work_dir(layout)
    try:
        layout.work_dir.mkdir(exist_ok=True)
        same_device = os.stat(layout.work_dir).st_dev == os.stat(layout.root).st_dev
    except OSError as exc:
        raise CompactionUnavailable(
            f"cannot create the work directory: {exc.strerror}", layout.work_dir
        ) from exc
    if not same_device:
        with hold_lock(layout.lock):
            remove_work_dir_if_empty(layout)
        raise CompactionUnavailable(
            "work directory is not on the dataset's filesystem", layout.work_dir
        )


def _start_job(layout: DatasetLayout, stack: ExitStack) -> Path:
    """A new job directory, locked before recovery (which takes the lock alone) can see it."""
    job = layout.work_dir / f"{JOB_PREFIX}{secrets.token_hex(8)}"
    try:
        with hold_lock(layout.lock, shared=True):
            layout.work_dir.mkdir(exist_ok=True)  # a recovery may have removed it while empty
            job.mkdir()
            stack.enter_context(hold_lock(job / JOB_LOCK_NAME))
        (job / NEW_DIR).mkdir()
    except OSError as exc:
        raise not_writable(job, exc) from exc
    return job


def _merge(sources: Iterable[Path], target: Path) -> int:
    """Concatenate ``sources`` (conformed to ARTICLE_SCHEMA) into ``target``; rows written."""
    temp = hidden_temp_path(target)
    rows = 0
    pending: list[pa.Table] = []
    with open_writer(temp) as writer:
        for source in sources:
            table = conform_table(read_table(source), source)
            rows += table.num_rows
            pending.append(table)
            # buffer small files so the merged file gets full-sized row groups
            if sum(t.num_rows for t in pending) >= ROW_GROUP_ROWS:
                writer.write_table(pa.concat_tables(pending), row_group_size=ROW_GROUP_ROWS)
                pending = []
        if pending:
            writer.write_table(pa.concat_tables(pending), row_group_size=ROW_GROUP_ROWS)
    fsync_file(temp)
    os.replace(temp, target)
    fsync_dir(target.parent)
    return rows


def _swap_in(
    layout: DatasetLayout, partition: Path, listed: list[Path], job: Path
) -> SwapMode | None:
    """Steps 3-5 under the exclusive dataset lock; None if the partition lost files meanwhile."""
    new_dir = job / NEW_DIR
    current = set(layout.data_files(partition))
    if not current.issuperset(listed):
        return None  # another compaction or a person removed files: do not resurrect them
    try:
        _link_newcomers(partition, set(listed), new_dir)
    except OSError:
        return None  # no hard links here: leave the newcomers for the next compaction
    fsync_dir(new_dir)
    _write_intent(job, partition.name)
    atomic.checkpoint("compact.intent-written")
    mode = _swap(new_dir, partition, job)
    fsync_dir(layout.root)
    fsync_dir(job)
    return mode


def _swap(new_dir: Path, partition: Path, job: Path) -> SwapMode:
    try:
        if exchange(new_dir, partition):
            atomic.checkpoint("compact.exchanged")
            return "exchange"
        _swap_by_two_renames(partition, job)
    except OSError as exc:
        raise CompactionUnavailable(f"cannot swap the partition in: {exc}", partition) from exc
    return "fallback"


def _link_newcomers(partition: Path, listed: set[Path], new_dir: Path) -> None:
    """Carry over regular files that arrived after listing (commits made during the merge)."""
    with os.scandir(partition) as entries:
        for entry in entries:
            path = Path(entry.path)
            if path not in listed and entry.is_file(follow_symlinks=False):
                os.link(path, new_dir / entry.name)


def _swap_by_two_renames(partition: Path, job: Path) -> None:
    old_dir = job / OLD_DIR
    os.rename(partition, old_dir)
    atomic.checkpoint("compact.fallback-old-moved")
    try:
        os.rename(job / NEW_DIR, partition)
    except OSError:
        os.rename(old_dir, partition)  # put the old partition back rather than leave a hole
        raise


def _write_intent(job: Path, partition_name: str) -> None:
    intent = job / INTENT_NAME
    temp = hidden_temp_path(intent)
    temp.write_text(json.dumps({"partition": partition_name}), encoding="utf-8")
    fsync_file(temp)
    os.replace(temp, intent)
    fsync_dir(job)


def _read_intent(job: Path) -> str | None:
    """The partition directory name a job was about to swap, if it got that far."""
    try:
        data = json.loads((job / INTENT_NAME).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (ValueError, OSError) as exc:
        raise DatasetError(f"unreadable compaction intent: {exc}", job / INTENT_NAME) from exc
    name = data.get("partition") if isinstance(data, dict) else None
    if not isinstance(name, str) or parse_partition(name) is None:
        raise DatasetError("compaction intent names no partition", job / INTENT_NAME)
    return name


def _finish_abandoned(layout: DatasetLayout, job: Path) -> None:
    partition_name = _read_intent(job)
    new_dir, old_dir = job / NEW_DIR, job / OLD_DIR
    if partition_name is not None and old_dir.is_dir() and new_dir.is_dir():
        # died between the two fallback renames: the merged partition is complete, install it
        _restore_partition(new_dir, layout.root / partition_name)
        fsync_dir(layout.root)
    _remove_tree(job)


def _restore_partition(new_dir: Path, partition: Path) -> None:
    if not os.path.lexists(partition):
        os.rename(new_dir, partition)
        return
    # a commit recreated the partition meanwhile: move the merged files in beside its file
    for source in sorted(new_dir.iterdir()):
        target = partition / source.name
        try:
            rename_noreplace(source, target)
        except FileExistsError:
            if not os.path.samefile(source, target):
                raise DatasetError(
                    "cannot restore a compacted partition: a different file has its name",
                    target,
                    f"move the files of {new_dir} into {partition} by hand",
                ) from None
            source.unlink()
    fsync_dir(partition)


def _compaction_run_id() -> str:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"compact-{stamp}-{secrets.token_hex(3)}"


def _remove_tree(path: Path) -> None:
    # errors are ignored during the walk (a concurrent recovery may delete the same files)
    # and judged by the result: a tree that is still there is a real failure.
    shutil.rmtree(path, ignore_errors=True)
    if os.path.lexists(path):
        raise not_writable(path, OSError(0, "cannot delete compaction leftovers"))


def remove_work_dir_if_empty(layout: DatasetLayout) -> None:
    """Remove the work directory unless a job is in it; the caller holds the dataset lock."""
    try:
        layout.work_dir.rmdir()
    except FileNotFoundError:
        return
    except OSError as exc:
        if exc.errno in (errno.ENOTEMPTY, errno.EEXIST):
            return  # another job is running in it
        raise not_writable(layout.work_dir, exc) from exc
