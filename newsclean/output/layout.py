"""Where things live in a dataset directory, and the only ways names are made there.

::

    root/
      _newsclean.json                 marker: schema_version, created_by
      _newsclean.lock                 flock: commits share it, cleanup and swaps take it alone
      _staging/<random>.parquet.tmp   files being committed (hidden from every reader)
      crawl_date=2024-05-01/
        part-<run_id>-00001.parquet   committed data files: the only visible ``*.parquet``
    .<root name>.newsclean-work/      sibling of root, exists only while compacting

Every name under ``root`` is derived from a ``datetime.date`` (partition) or from a run id
that must match ``[A-Za-z0-9][A-Za-z0-9._-]*``: nothing taken from a URL, a domain or a title
reaches a path, so no input can leave the root. duckdb and polars read every ``*.parquet``
under the root, hidden or not, so anything that is not a committed data file never carries
that suffix inside the root, and compaction builds its replacement partitions outside it.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Final

from newsclean.output.errors import UnsafeName
from newsclean.output.schema import PARTITION_COLUMN

MARKER_NAME: Final = "_newsclean.json"
LOCK_NAME: Final = "_newsclean.lock"
STAGING_NAME: Final = "_staging"
DATA_SUFFIX: Final = ".parquet"
WORK_DIR_SUFFIX: Final = ".newsclean-work"
RUN_ID_MAX_LEN: Final = 128

_RUN_ID: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_PARTITION: Final = re.compile(re.escape(PARTITION_COLUMN) + r"=(\d{4})-(\d{2})-(\d{2})")


def partition_name(day: date) -> str:
    """``crawl_date=YYYY-MM-DD`` for a ``datetime.date`` (a datetime is refused: which zone?)."""
    if isinstance(day, datetime) or not isinstance(day, date):
        raise UnsafeName(
            f"crawl_date must be a datetime.date, not {type(day).__name__}",
            None,
            "pass the UTC day, e.g. fetched_at.astimezone(UTC).date()",
        )
    return f"{PARTITION_COLUMN}={day.year:04d}-{day.month:02d}-{day.day:02d}"


def parse_partition(name: str) -> date | None:
    """The day of a partition directory name; None for anything else."""
    match = _PARTITION.fullmatch(name)
    if match is None:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:  # crawl_date=2024-02-31 is not ours
        return None


def check_run_id(run_id: str) -> str:
    """``run_id`` if it is safe inside a file name; UnsafeName otherwise."""
    if (
        not isinstance(run_id, str)
        or len(run_id) > RUN_ID_MAX_LEN
        or _RUN_ID.fullmatch(run_id) is None
    ):
        raise UnsafeName(f"run id {run_id!r} cannot be used in a file name", None)
    return run_id


def part_file_name(run_id: str, seq: int) -> str:
    return f"part-{check_run_id(run_id)}-{seq:05d}{DATA_SUFFIX}"


def part_seq(name: str, run_id: str) -> int | None:
    """The sequence number of a data file of ``run_id``; None for any other name."""
    prefix = f"part-{run_id}-"
    if not (name.startswith(prefix) and name.endswith(DATA_SUFFIX)):
        return None
    digits = name[len(prefix) : -len(DATA_SUFFIX)]
    return int(digits) if digits.isdigit() else None


def is_data_file_name(name: str) -> bool:
    """True for the names readers treat as data: ``*.parquet`` not hidden by ``.`` or ``_``."""
    return name.endswith(DATA_SUFFIX) and not name.startswith((".", "_"))


def is_reader_hidden(name: str) -> bool:
    """True for names pyarrow, pandas and Spark skip (leading ``.`` or ``_``)."""
    return name.startswith((".", "_"))


@dataclass(frozen=True, slots=True)
class DatasetLayout:
    """The paths of one dataset; computing them touches nothing on disk."""

    root: Path
    work_dir: Path

    @classmethod
    def at(cls, root: Path, work_dir: Path | None = None) -> DatasetLayout:
        absolute = Path(os.path.abspath(root))
        return cls(absolute, Path(os.path.abspath(work_dir or default_work_dir(absolute))))

    @property
    def marker(self) -> Path:
        return self.root / MARKER_NAME

    @property
    def lock(self) -> Path:
        return self.root / LOCK_NAME

    @property
    def staging(self) -> Path:
        return self.root / STAGING_NAME

    def partition_dir(self, day: date) -> Path:
        return self.root / partition_name(day)

    def checked_partition_dir(self, day: date) -> Path:
        """The partition directory, refusing one that (through a symlink) leaves the root."""
        path = self.partition_dir(day)
        if os.path.lexists(path) and not path.resolve().is_relative_to(self.root.resolve()):
            raise UnsafeName("partition directory points outside the dataset", path)
        return path

    def partitions(self) -> list[tuple[date, Path]]:
        """Partition directories present, oldest first (symlinks and other names ignored)."""
        found: list[tuple[date, Path]] = []
        with os.scandir(self.root) as entries:
            for entry in entries:
                day = parse_partition(entry.name)
                if day is not None and entry.is_dir(follow_symlinks=False):
                    found.append((day, Path(entry.path)))
        return sorted(found)

    def data_files(self, partition_dir: Path) -> list[Path]:
        """Visible data files of one partition, by name; [] if the directory is gone."""
        try:
            with os.scandir(partition_dir) as entries:
                names = [
                    entry.name
                    for entry in entries
                    if is_data_file_name(entry.name) and entry.is_file(follow_symlinks=False)
                ]
        except FileNotFoundError:
            return []
        return [partition_dir / name for name in sorted(names)]


def default_work_dir(root: Path) -> Path:
    """``.<root name>.newsclean-work`` beside the root: same filesystem, outside every glob."""
    return root.parent / f".{root.name}{WORK_DIR_SUFFIX}"
