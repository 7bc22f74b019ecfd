"""Single Parquet files: the one set of writer options, and the atomic ``write_parquet``.

A file appears under its final name complete or not at all: it is written to a hidden
temporary name in the same directory (``.<name>.<random>.tmp``: a leading dot hides it from
pyarrow, pandas and Spark, and the ``.tmp`` suffix from ``*.parquet`` globs in duckdb and
polars), fsynced, renamed over the target with ``os.replace`` and the directory fsynced.
"""

from __future__ import annotations

import errno
import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Final

import pyarrow as pa
import pyarrow.parquet as pq

from newsclean.output import atomic
from newsclean.output.atomic import fsync_dir, fsync_file
from newsclean.output.errors import CorruptDataFile, DiskFull, OutputNotWritable
from newsclean.output.schema import ARTICLE_SCHEMA, check_table

#: rows per row group: ~8k articles is 40-160 MB of text, a unit readers parallelise over
ROW_GROUP_ROWS: Final = 8_192
#: zstd compresses article text ~2x better than snappy and every target reader supports it
COMPRESSION: Final = "zstd"
COMPRESSION_LEVEL: Final = 3
TEMP_SUFFIX: Final = ".tmp"
#: errno values meaning the disk or the user's quota is full: said as such to the user
DISK_FULL_ERRNOS: Final = frozenset({errno.ENOSPC, errno.EDQUOT})


def write_parquet(path: Path, table: pa.Table) -> None:
    """Write ``table`` (ARTICLE_SCHEMA) to ``path`` atomically; replaces an existing file."""
    check_table(table, path)
    temp = hidden_temp_path(path)
    try:
        write_durably(temp, table)
        atomic.checkpoint("write.temp-written")
        os.replace(temp, path)
        fsync_dir(path.parent)
    except OSError as exc:
        discard_temp(temp)
        raise not_writable(path, exc) from exc
    except BaseException:
        # an interrupted write leaves nothing; only a killed process leaves a hidden .tmp
        discard_temp(temp)
        raise


def write_durably(path: Path, table: pa.Table) -> None:
    """Write ``table`` to ``path`` with the house options and fsync it (not atomic by itself)."""
    with open_writer(path) as writer:
        writer.write_table(table, row_group_size=ROW_GROUP_ROWS)
    fsync_file(path)


def open_writer(path: Path) -> pq.ParquetWriter:
    """A ParquetWriter for ARTICLE_SCHEMA with the options every newsclean file uses."""
    return pq.ParquetWriter(
        path,
        ARTICLE_SCHEMA,
        compression=COMPRESSION,
        compression_level=COMPRESSION_LEVEL,
        # microseconds end to end: Spark reads them without INT96 or nanosecond support
        coerce_timestamps="us",
        allow_truncated_timestamps=False,
        use_dictionary=True,
        write_statistics=True,
        # v1 data pages: the page format every reader (old Spark included) understands
        data_page_version="1.0",
        store_schema=True,
    )


def read_columns(path: Path, columns: list[str]) -> Iterator[pa.RecordBatch]:
    """Batches of only ``columns`` from one file; CorruptDataFile if it is not Parquet.

    Damage past the footer (a torn page, flipped bytes) surfaces while iterating, as
    CorruptDataFile too.
    """
    try:
        with pq.ParquetFile(path) as parquet:
            yield from parquet.iter_batches(columns=columns)
    except (pa.ArrowInvalid, OSError) as exc:
        if not is_corruption(exc):
            raise
        raise corrupt_file(path, exc) from exc


def read_table(path: Path) -> pa.Table:
    """One whole file; CorruptDataFile if it is not Parquet."""
    try:
        return pq.read_table(path, partitioning=None)  # the file's own columns only
    except (pa.ArrowInvalid, OSError) as exc:
        if not is_corruption(exc):
            raise
        raise corrupt_file(path, exc) from exc


def corrupt_file(path: Path, exc: Exception) -> CorruptDataFile:
    # pyarrow may name the file in its message; the error names it once, as its "where"
    detail = " ".join(
        str(exc).replace(f"Could not open Parquet input source '{path}': ", "").split()
    )
    return CorruptDataFile(f"not a readable Parquet file: {detail}", path)


def is_corruption(exc: Exception) -> bool:
    """Did reading fail on the file's bytes (not on the filesystem)?

    pyarrow reports bad bytes as ArrowInvalid, or as a plain OSError without an errno
    ("Couldn't deserialize thrift", a corrupt compressed page); a real I/O failure carries
    its errno or is a subclass (FileNotFoundError: a file compacted away meanwhile) and is
    not corruption.
    """
    return isinstance(exc, pa.ArrowInvalid) or (type(exc) is OSError and exc.errno is None)


def hidden_temp_path(path: Path) -> Path:
    """A unique name beside ``path`` that no dataset reader or ``*.parquet`` glob picks up."""
    return path.with_name(f".{path.name}.{secrets.token_hex(6)}{TEMP_SUFFIX}")


def not_writable(path: Path, exc: OSError) -> OutputNotWritable:
    """The error for a failed write at ``path``: DiskFull when the disk or quota is full."""
    if exc.errno in DISK_FULL_ERRNOS:
        return DiskFull(f"disk full: {os.strerror(exc.errno)}", path)
    # pyarrow's OSErrors carry the errno and a long message naming the temporary file
    reason = os.strerror(exc.errno) if exc.errno else (exc.strerror or str(exc))
    return OutputNotWritable(f"cannot write: {reason}", path)


def discard_temp(path: Path) -> None:
    """Remove what a failed write left at ``path``, if anything.

    Only "it is not there" is ignored (never created; or its folder is not a folder): the
    write's own error is what the caller reports, and must not be replaced by this one.
    """
    try:
        path.unlink()
    except (FileNotFoundError, NotADirectoryError):
        return
