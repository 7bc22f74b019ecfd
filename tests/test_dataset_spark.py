"""Spark reads a newsclean dataset as-is: typed columns and ``crawl_date`` as a date.

Spark is not a dependency. The test runs when ``pyspark`` is importable, or when
``NEWSCLEAN_SPARK_PYTHON`` names a Python that has it (e.g. a separate virtualenv); it needs a
Java runtime and takes ~15 s, so it is marked slow.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from newsclean.output.dataset import ParquetDataset
from tests.test_schema import sample_rows

SPARK_SCRIPT = """
import json, sys
from pyspark.sql import SparkSession
spark = (SparkSession.builder.master("local[1]").config("spark.ui.enabled", "false")
         .config("spark.sql.session.timeZone", "UTC").getOrCreate())
frame = spark.read.parquet(sys.argv[1])
types = {f.name: f.dataType.simpleString() for f in frame.schema.fields}
days = {str(r["crawl_date"]): r["count"] for r in frame.groupBy("crawl_date").count().collect()}
first = frame.where("title like 'Titel 0%'").select("published_at", "authors").collect()[0]
print(json.dumps({"types": types, "days": days, "count": frame.count(),
                  "published_at": first["published_at"].isoformat(), "authors": first["authors"]}))
spark.stop()
"""


def spark_python() -> str:
    configured = os.environ.get("NEWSCLEAN_SPARK_PYTHON")
    if configured:
        return configured
    if importlib.util.find_spec("pyspark") is not None:
        return sys.executable
    pytest.skip("pyspark not installed (set NEWSCLEAN_SPARK_PYTHON to a Python that has it)")


@pytest.mark.slow
def test_spark_reads_the_dataset(tmp_path: Path) -> None:
    python = spark_python()
    dataset = ParquetDataset.open(tmp_path / "ds")
    dataset.commit(sample_rows(4), crawl_date=date(2024, 5, 1), run_id="r")
    dataset.commit(sample_rows(2, start=4), crawl_date=date(2024, 5, 2), run_id="r")
    dataset.compact()
    result = subprocess.run(
        [python, "-c", SPARK_SCRIPT, str(dataset.root)],
        capture_output=True,
        text=True,
        timeout=110,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    types = report["types"]
    assert types["crawl_date"] == "date"
    assert types["fetched_at"] == types["published_at"] == "timestamp"
    assert (types["http_status"], types["warc_record_offset"]) == ("smallint", "bigint")
    assert types["authors"] == "array<string>"
    assert (
        types["removals"] == "array<struct<rule:string,category:string,level:string,text:string>>"
    )
    assert report["days"] == {"2024-05-01": 4, "2024-05-02": 2}
    assert report["count"] == 6
    assert report["published_at"] == "2024-04-30T17:45:00"  # UTC session zone
    assert report["authors"] == ["Zoë Ångström", "李雷"]
