"""The package tree is the pipeline: dependencies point one way (STYLE.md)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "newsclean"
ORDER = ["scraper", "cleaners", "output", "pipeline"]


def _imported_stages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        for name in names:
            parts = name.split(".")
            if parts[0] == "newsclean" and len(parts) > 1 and parts[1] in ORDER:
                found.add(parts[1])
    return found


@pytest.mark.parametrize("stage", ORDER)
def test_stage_imports_only_earlier_stages(stage: str) -> None:
    allowed = set(ORDER[: ORDER.index(stage) + 1])
    offenders = {
        str(path.relative_to(PACKAGE)): sorted(_imported_stages(path) - allowed)
        for path in (PACKAGE / stage).rglob("*.py")
        if _imported_stages(path) - allowed
    }
    assert offenders == {}


def test_the_checker_sees_a_violation(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("from newsclean.pipeline.cli import main\nimport newsclean.output.schema\n")
    assert _imported_stages(bad) == {"pipeline", "output"}
