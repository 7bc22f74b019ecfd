"""docs/schema.md and docs/dataset.md stay true: every column documented as declared, and the
Python examples run against a real dataset."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pyarrow as pa
import pytest

from newsclean.output.dataset import ParquetDataset
from newsclean.output.schema import ARTICLE_SCHEMA, PARTITION_FIELD, SCHEMA_VERSION
from tests.test_schema import sample_rows

DOCS = Path(__file__).resolve().parents[1] / "docs"
ROW = re.compile(r"^\| (\w+) \| ([^|]+) \| (yes|no) \|", re.MULTILINE)
CODE = re.compile(r"^```(python[^\n]*)\n(.*?)^```", re.MULTILINE | re.DOTALL)


def doc_type(data_type: pa.DataType) -> str:
    """How docs/schema.md spells an Arrow type."""
    if pa.types.is_date32(data_type):
        return "date32"
    if pa.types.is_timestamp(data_type):
        return f"timestamp[{data_type.unit}, {data_type.tz}]"
    if pa.types.is_list(data_type):
        item = data_type.value_type
        if pa.types.is_struct(item):
            return f"list<struct<{', '.join(f.name for f in item)}>>"
        return f"list<{doc_type(item)}>"
    return str(data_type)


def documented_columns() -> dict[str, tuple[str, bool]]:
    text = (DOCS / "schema.md").read_text(encoding="utf-8")
    return {m[1]: (m[2].strip(), m[3] == "yes") for m in ROW.finditer(text)}


def test_every_column_is_documented_with_its_type_and_nullability() -> None:
    documented = documented_columns()
    declared = {
        field.name: (doc_type(field.type), field.nullable)
        for field in [*ARTICLE_SCHEMA, PARTITION_FIELD]
    }
    assert documented == declared


def test_docs_state_the_current_schema_version() -> None:
    assert f"(now **{SCHEMA_VERSION}**)" in (DOCS / "schema.md").read_text(encoding="utf-8")


def python_examples() -> list[tuple[str, str]]:
    """``(label, code)`` of each ```python block; "python spark" blocks need a Spark session."""
    examples = []
    for name in ("schema.md", "dataset.md"):
        text = (DOCS / name).read_text(encoding="utf-8")
        blocks = [m[2] for m in CODE.finditer(text) if m[1].strip() == "python"]
        examples += [(f"{name}-{index}", code) for index, code in enumerate(blocks)]
    return examples


@pytest.fixture(scope="module")
def news_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    here = tmp_path_factory.mktemp("docs")
    dataset = ParquetDataset.open(here / "news")
    dataset.commit(sample_rows(4), crawl_date=date(2024, 5, 1), run_id="r1")
    dataset.commit(sample_rows(4, start=4), crawl_date=date(2024, 5, 2), run_id="r1")
    return here


@pytest.mark.parametrize(
    ("label", "code"), [pytest.param(*example, id=example[0]) for example in python_examples()]
)
def test_python_examples_run(
    label: str, code: str, news_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(news_dir)
    exec(compile(code, label, "exec"), {})


def test_there_are_examples_for_every_python_reader() -> None:
    code = "\n".join(c for _, c in python_examples())
    for reader in ("import pandas", "import duckdb", "import polars", "open_arrow_dataset"):
        assert reader in code
