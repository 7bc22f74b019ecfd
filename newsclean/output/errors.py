"""Errors raised while turning articles into rows and writing Parquet files and datasets.

Every error names what went wrong, where (a path, or the URL of the article concerned) and what
to do, so the CLI can print it as one line: ``Error: <what> (<where>): <what to do>``. All of
them are terminal: retrying the same call cannot help until the cause is fixed::

    OutputError(where)                root of the output package
    +-- InvalidRow                    an article cannot become a row (naive datetime, bad status)
    +-- InvalidTable                  a table does not match ARTICLE_SCHEMA (type, nullability)
    +-- UnsafeName                    a run id or partition value would leave the dataset root
    +-- OutputNotWritable             a file or directory cannot be created, written or renamed
    |   +-- DiskFull                  ... because the disk (or the user's quota) is full
    +-- DatasetError                  the dataset directory itself is unusable
        +-- NotADataset               a directory with other content and no newsclean marker
        +-- DatasetVersionError       written by a newer schema version than this newsclean
        +-- CorruptDataFile           a visible data file cannot be read as Parquet
        +-- CompactionUnavailable     the compaction work directory cannot be used
"""

from __future__ import annotations

from pathlib import Path


class OutputError(Exception):
    """Root of every error raised by :mod:`newsclean.output`."""

    transient: bool = False
    #: short, stable machine-readable reason
    reason: str = "output-error"
    #: what to do about it, when the raiser gives no more specific advice
    default_hint: str = "see docs/dataset.md"

    def __init__(self, what: str, where: Path | str | None, hint: str = "") -> None:
        self.what = what
        #: the file or directory concerned (or the article URL for :class:`InvalidRow`)
        self.where = where
        self.hint = hint or self.default_hint
        location = f" ({where})" if where is not None else ""
        super().__init__(f"{what}{location}: {self.hint}")

    @property
    def path(self) -> Path | None:
        """The filesystem path concerned, when there is one."""
        return self.where if isinstance(self.where, Path) else None


class InvalidRow(OutputError):
    reason = "invalid-row"
    default_hint = "fix the record upstream: rows need timezone-aware datetimes"


class InvalidTable(OutputError):
    reason = "invalid-table"
    default_hint = "build tables with newsclean.output.rows_to_table (ARTICLE_SCHEMA)"


class UnsafeName(OutputError):
    reason = "unsafe-name"
    default_hint = "use letters, digits, '.', '_' and '-' only, starting with a letter or digit"


class OutputNotWritable(OutputError):
    reason = "not-writable"
    default_hint = "check that the directory exists, is writable and the disk is not full"


class DiskFull(OutputNotWritable):
    reason = "disk-full"
    default_hint = "free space on that disk, then run again: committed work is kept"


class DatasetError(OutputError):
    reason = "dataset-error"


class NotADataset(DatasetError):
    reason = "not-a-dataset"
    default_hint = "choose an empty or new directory, or a dataset created by newsclean"


class DatasetVersionError(DatasetError):
    reason = "dataset-too-new"

    def __init__(self, where: Path, found: int, supported: int) -> None:
        self.found = found
        self.supported = supported
        super().__init__(
            f"dataset written with schema version {found}, this newsclean writes {supported}",
            where,
            "upgrade newsclean (pip install -U newsclean) or write to another directory",
        )


class CorruptDataFile(DatasetError):
    reason = "corrupt-file"
    default_hint = "move the file out of the dataset and rerun to refetch its articles"


class CompactionUnavailable(DatasetError):
    reason = "compaction-unavailable"
    default_hint = "pass work_dir= on the same filesystem as the dataset"
