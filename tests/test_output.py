"""write_parquet: one file, read back by pyarrow, pandas, duckdb and polars; atomic on crash."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from newsclean.output import atomic
from newsclean.output.errors import InvalidTable, OutputError, OutputNotWritable
from newsclean.output.parquet import write_parquet
from newsclean.output.schema import ARTICLE_SCHEMA, rows_to_table
from tests.test_schema import LONG_TEXT, expected_record, sample_rows

REPO = Path(__file__).resolve().parents[1]


class SimulatedCrash(BaseException):
    """Raised at a checkpoint: like kill -9, no ``except Exception`` handler sees it."""


@pytest.fixture(scope="module")
def rows() -> list:  # type: ignore[type-arg]
    return sample_rows(8, run_id="r1")


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory, rows: list) -> Path:  # type: ignore[type-arg]
    path = tmp_path_factory.mktemp("out") / "articles.parquet"
    write_parquet(path, rows_to_table(rows))
    return path


# -- round trip --------------------------------------------------------------------------


def test_pyarrow_reads_the_declared_schema_and_values(written: Path, rows: list) -> None:  # type: ignore[type-arg]
    table = pq.read_table(written)
    assert table.schema.equals(ARTICLE_SCHEMA, check_metadata=True)
    assert table.to_pylist() == [expected_record(r) for r in rows]
    assert pq.ParquetFile(written).schema_arrow.field("text").metadata[b"description"]


def test_file_physical_types_are_spark_friendly(written: Path) -> None:
    text = str(pq.ParquetFile(written).schema)
    assert "timeUnit=microseconds" in text and "isAdjustedToUTC=true" in text
    assert "INT96" not in text and "nanoseconds" not in text.lower()


def test_pandas_reads_typed_columns(written: Path, rows: list) -> None:  # type: ignore[type-arg]
    frame = pd.read_parquet(written)
    assert list(frame.columns) == ARTICLE_SCHEMA.names
    assert str(frame["fetched_at"].dtype) == "datetime64[us, UTC]"
    assert str(frame["published_at"].dtype) == "datetime64[us, UTC]"
    assert frame["published_at"][0] == pd.Timestamp(rows[0].published_at)
    assert pd.isna(frame["published_at"][1])
    assert frame["title"][0] == "Titel 0: Ünïcødé — 東京"
    assert list(frame["authors"][0]) == ["Zoë Ångström", "李雷"]
    assert list(frame["tags"][1]) == []
    assert frame["text"][2] == LONG_TEXT + "2"
    assert frame["text"][3] == rows[3].text  # tab, NUL and U+2028 survive
    assert frame["removals"][0][1] == {
        "rule": "dom.hidden",
        "category": "adblock-notice",
        "level": "dom",
        "text": "Bitte Adblocker deaktivieren",
    }


def test_duckdb_reads_typed_columns(written: Path, rows: list) -> None:  # type: ignore[type-arg]
    con = duckdb.connect()
    described = con.execute(f"DESCRIBE SELECT * FROM read_parquet('{written}')").fetchall()
    types = {row[0]: row[1] for row in described}
    assert types["fetched_at"] == "TIMESTAMP WITH TIME ZONE"
    assert types["http_status"] == "SMALLINT"
    assert types["warc_record_offset"] == "BIGINT"
    assert types["authors"] == "VARCHAR[]"
    assert types["removals"].startswith("STRUCT(") and types["removals"].endswith(")[]")
    con.execute("SET TimeZone = 'UTC'")
    got = con.execute(
        f"SELECT article_id, title, authors, published_at, len(text), removals[1].category "
        f"FROM '{written}' ORDER BY url, text LIMIT 8"
    ).fetchall()
    by_id = {g[0]: g for g in got}
    first = by_id[rows[0].article_id]
    assert first[1:4] == (rows[0].title, list(rows[0].authors), rows[0].published_at)
    assert first[5] == "share"
    assert by_id[rows[2].article_id][4] == len(rows[2].text)


def test_polars_reads_typed_columns(written: Path, rows: list) -> None:  # type: ignore[type-arg]
    frame = pl.read_parquet(written)
    assert frame.schema["fetched_at"] == pl.Datetime("us", "UTC")
    assert frame.schema["http_status"] == pl.Int16
    assert frame.schema["authors"] == pl.List(pl.String)
    assert isinstance(frame.schema["removals"], pl.List)
    records = frame.to_dicts()
    assert records[0]["published_at"] == rows[0].published_at
    assert records[0]["authors"] == list(rows[0].authors)
    assert records[1]["published_at"] is None and records[1]["categories"] == []
    assert records[3]["text"] == rows[3].text


# -- atomicity ---------------------------------------------------------------------------


def test_exception_mid_write_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(self: pq.ParquetWriter, table: pa.Table, row_group_size: int | None = None) -> None:
        raise RuntimeError("disk vanished")

    monkeypatch.setattr(pq.ParquetWriter, "write_table", fail)
    target = tmp_path / "a.parquet"
    with pytest.raises(RuntimeError, match="disk vanished"):
        write_parquet(target, rows_to_table(sample_rows(2)))
    assert os.listdir(tmp_path) == []


def test_failed_replacement_keeps_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "a.parquet"
    write_parquet(target, rows_to_table(sample_rows(2)))
    before = target.read_bytes()

    def crash(name: str) -> None:
        if name == "write.temp-written":
            raise SimulatedCrash(name)

    monkeypatch.setattr(atomic, "checkpoint", crash)
    with pytest.raises(SimulatedCrash):
        write_parquet(target, rows_to_table(sample_rows(5)))
    assert target.read_bytes() == before
    assert os.listdir(tmp_path) == ["a.parquet"]


def test_kill_9_before_rename_leaves_only_a_hidden_temp(tmp_path: Path) -> None:
    script = (
        "import os, signal, sys\n"
        "from pathlib import Path\n"
        "from newsclean.output import atomic, write_parquet, rows_to_table\n"
        "from tests.test_schema import sample_rows\n"
        "atomic.checkpoint = lambda name: os.kill(os.getpid(), signal.SIGKILL)\n"
        "write_parquet(Path(sys.argv[1]), rows_to_table(sample_rows(3)))\n"
    )
    target = tmp_path / "a.parquet"
    result = subprocess.run(
        [sys.executable, "-c", script, str(target)], cwd=REPO, capture_output=True, timeout=60
    )
    assert result.returncode == -9, result.stderr
    assert not target.exists()
    (leftover,) = os.listdir(tmp_path)
    assert leftover.startswith(".a.parquet.") and leftover.endswith(".tmp")
    # no reader picks the leftover up: pyarrow skips dot files, globs want *.parquet
    found = duckdb.connect().execute(f"SELECT count(*) FROM glob('{tmp_path}/**/*.parquet')")
    assert found.fetchall() == [(0,)]
    assert pq.ParquetFile(tmp_path / leftover).metadata.num_rows == 3  # complete, just hidden


def test_write_replaces_an_existing_file(tmp_path: Path) -> None:
    target = tmp_path / "a.parquet"
    write_parquet(target, rows_to_table(sample_rows(2)))
    write_parquet(target, rows_to_table(sample_rows(5)))
    assert pq.read_metadata(target).num_rows == 5
    assert os.listdir(tmp_path) == ["a.parquet"]


# -- errors ------------------------------------------------------------------------------


def test_missing_directory_is_not_writable(tmp_path: Path) -> None:
    target = tmp_path / "missing" / "a.parquet"
    with pytest.raises(OutputNotWritable) as caught:
        write_parquet(target, rows_to_table(sample_rows(1)))
    assert caught.value.path == target
    message = str(caught.value)
    assert message.startswith("cannot write: ") and f"({target}): " in message
    assert "\n" not in message


def test_write_refuses_a_table_of_another_schema(tmp_path: Path) -> None:
    with pytest.raises(InvalidTable):
        write_parquet(tmp_path / "a.parquet", pa.table({"text": ["x"]}))
    assert os.listdir(tmp_path) == []


def test_error_tree_in_docstring_matches_the_classes() -> None:
    from newsclean.output import errors

    documented = {
        line.split("+-- ")[-1].split()[0]
        for line in (errors.__doc__ or "").splitlines()
        if "+-- " in line
    }
    declared = {
        name
        for name, value in vars(errors).items()
        if isinstance(value, type) and issubclass(value, OutputError) and value is not OutputError
    }
    assert documented == declared


def test_dates_written_are_utc_instants(tmp_path: Path) -> None:
    target = tmp_path / "a.parquet"
    write_parquet(target, rows_to_table(sample_rows(1)))
    published = pq.read_table(target, columns=["published_at"]).column(0)[0].as_py()
    assert published == datetime(2024, 4, 30, 17, 45, tzinfo=UTC)
