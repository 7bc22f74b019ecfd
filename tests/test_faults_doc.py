"""docs/faults.md stays true: every test it names exists, every endpoint a row names is used
by one of that row's tests, and every fault endpoint of the test server has a row."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

from tests.support.httpserver import FAULT_PATHS, ROBOTS_FAULTS

REPO = Path(__file__).resolve().parents[1]
DOC = REPO / "docs" / "faults.md"
COLUMNS = ["Case", "Endpoint / input", "Outcome", "Retried", "Bound", "Tests"]
TEST_REF = re.compile(r"`(tests/[\w/]+\.py)::(\w+)`")
CODE = re.compile(r"`([^`]+)`")


@dataclass(frozen=True, slots=True)
class Row:
    line: int
    case: str
    endpoint: str
    tests: tuple[tuple[str, str], ...]


def table_rows(text: str) -> list[Row]:
    """Every body row of every table whose header is :data:`COLUMNS`."""
    rows: list[Row] = []
    in_table = False
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.startswith("|"):
            in_table = False
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split(" | ")]
        if cells == COLUMNS:
            in_table = True
            continue
        if not in_table or set(line) <= set("|- "):
            continue
        assert len(cells) == len(COLUMNS), f"line {number}: {len(cells)} cells"
        rows.append(Row(number, cells[0], cells[1], tuple(TEST_REF.findall(cells[5]))))
    return rows


@cache
def functions_of(path: str) -> dict[str, str]:
    """Top-level test functions of a file -> their source, decorators included."""
    source = (REPO / path).read_text(encoding="utf-8")
    lines = source.splitlines()
    functions: dict[str, str] = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            functions[node.name] = "\n".join(lines[first - 1 : node.end_lineno])
    return functions


def endpoints_named(cell: str) -> list[str]:
    """Test-server endpoints (``/path``) and robots handlers named in a row's cell."""
    return [
        code
        for code in CODE.findall(cell)
        if code.startswith("/") or code.startswith("ROBOTS_FAULTS[")
    ]


ROWS = table_rows(DOC.read_text(encoding="utf-8"))


def test_the_document_has_its_tables() -> None:
    assert len(ROWS) >= 40
    assert all(row.tests for row in ROWS), [row.case for row in ROWS if not row.tests]


@pytest.mark.parametrize("row", ROWS, ids=[f"line{row.line}" for row in ROWS])
def test_every_named_test_exists_and_uses_the_endpoint(row: Row) -> None:
    sources = []
    for path, name in row.tests:
        assert (REPO / path).is_file(), f"{row.case}: no file {path}"
        functions = functions_of(path)
        assert name in functions, f"{row.case}: no test {path}::{name}"
        sources.append(functions[name])
    for endpoint in endpoints_named(row.endpoint):
        assert any(endpoint in source for source in sources), (
            f"{row.case}: none of its tests uses {endpoint}"
        )


def test_every_fault_endpoint_has_a_row() -> None:
    named = {endpoint for row in ROWS for endpoint in endpoints_named(row.endpoint)}
    expected = set(FAULT_PATHS) | {f'ROBOTS_FAULTS["{kind}"]' for kind in ROBOTS_FAULTS}
    assert expected - named == set()


def test_the_table_reader_catches_a_missing_test() -> None:
    header = "| " + " | ".join(COLUMNS) + " |\n| --- | --- | --- | --- | --- | --- |\n"
    bogus = header + "| a case | `/silent` | x | x | x | `tests/test_faults.py::test_nope` |\n"
    (row,) = table_rows(bogus)
    assert row.tests == (("tests/test_faults.py", "test_nope"),)
    with pytest.raises(AssertionError, match="no test"):
        test_every_named_test_exists_and_uses_the_endpoint(row)
    unrelated = header + (
        "| a case | `/bomb.br` | x | x | x | `tests/test_faults.py::test_truncated_gzip_body` |\n"
    )
    with pytest.raises(AssertionError, match=re.escape("none of its tests uses /bomb.br")):
        test_every_named_test_exists_and_uses_the_endpoint(table_rows(unrelated)[0])
