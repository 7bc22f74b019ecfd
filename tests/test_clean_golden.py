"""Golden cleaning cases: every ``tests/golden/<name>.html.gz`` beside its ``<name>.json``.

Each JSON names snippets the clean text must contain and must not contain (compared with
whitespace collapsed), optional exact metadata (``expect``) and optional caps on how often a
word may appear (``max_count``, case-insensitive).

Regenerating: the pages and their expectations are written by hand in
``tests/golden/build_goldens.py``; run ``.venv/bin/python tests/golden/build_goldens.py`` after
editing it. Expectations are never taken from the cleaner's own output, so a rebuild cannot
bless a regression. Add a case there, not by dropping files here.
"""

from __future__ import annotations

import gzip
import json
from datetime import datetime
from functools import cache
from pathlib import Path

import pytest

from newsclean.cleaners import Article, clean_html

GOLDEN = Path(__file__).resolve().parent / "golden"
CASES = sorted(p.stem for p in GOLDEN.glob("*.json"))


def collapse(text: str) -> str:
    return " ".join(text.split())


@cache
def run(name: str) -> tuple[dict[str, object], Article]:
    case = json.loads((GOLDEN / f"{name}.json").read_text(encoding="utf-8"))
    body = gzip.decompress((GOLDEN / f"{name}.html.gz").read_bytes())
    article = clean_html(body, case["url"], content_type=case.get("content_type"))
    return case, article


def test_there_are_golden_cases() -> None:
    assert len(CASES) >= 9
    for name in CASES:
        assert (GOLDEN / f"{name}.html.gz").is_file(), name


@pytest.mark.parametrize("name", CASES)
def test_golden_must_contain(name: str) -> None:
    case, article = run(name)
    text = collapse(article.text)
    missing = [s for s in case["must_contain"] if collapse(s) not in text]
    assert not missing, f"{name}: lost article text"


@pytest.mark.parametrize("name", CASES)
def test_golden_must_not_contain(name: str) -> None:
    case, article = run(name)
    text = collapse(article.text)
    leaked = [s for s in case["must_not_contain"] if collapse(s) in text]
    assert not leaked, f"{name}: boilerplate left in the text"
    for word, limit in case.get("max_count", {}).items():
        assert text.lower().count(word) <= limit, word


@pytest.mark.parametrize("name", CASES)
def test_golden_metadata(name: str) -> None:
    case, article = run(name)
    for field, expected in case.get("expect", {}).items():
        value = getattr(article, field)
        if isinstance(value, datetime):
            assert value == datetime.fromisoformat(expected), field
        elif isinstance(value, tuple):
            assert list(value) == expected, field
        else:
            assert value == expected, field


@pytest.mark.parametrize("name", CASES)
def test_golden_markdown_has_no_boilerplate_either(name: str) -> None:
    case, article = run(name)
    markdown = collapse(article.markdown.replace("*", "").replace("\\", ""))
    assert article.markdown
    leaked = [s for s in case["must_not_contain"] if collapse(s) in markdown]
    assert not leaked
