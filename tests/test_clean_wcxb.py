"""Sanity check on real pages (WCXB dev split in ../shared): no article text lost compared with
trafilatura alone, and no more boilerplate left in.

A small fixed sample keeps this fast; the full comparison lives in ``benchmarks/``. Metric:
token 4-gram shingle recall/precision (tokens ``\\w+``, lower-cased), averaged per page, and
the ground truth's "without" snippets found in the output (leaks).
"""

from __future__ import annotations

import gzip
import json
import re
from collections import Counter
from pathlib import Path

import pytest
import trafilatura

from newsclean.cleaners import clean_html

SAMPLE = 30
_WORD = re.compile(r"\w+")


def shingles(text: str) -> Counter[tuple[str, ...]]:
    tokens = _WORD.findall(text.lower())
    return Counter(tuple(tokens[i : i + 4]) for i in range(len(tokens) - 3))


def precision_recall(predicted: str, gold: str) -> tuple[float, float]:
    got, want = shingles(predicted), shingles(gold)
    overlap = sum((got & want).values())
    precision = overlap / sum(got.values()) if got else 0.0
    recall = overlap / sum(want.values()) if want else 1.0
    return precision, recall


def leaks(predicted: str, snippets: list[str]) -> int:
    flat = " ".join(_WORD.findall(predicted.lower()))
    found = [" ".join(_WORD.findall(s.lower())) for s in snippets]
    return sum(1 for s in found if s and s in flat)


def article_pages(root: Path) -> list[tuple[bytes, str | None, dict[str, object]]]:
    pages = []
    for truth_file in sorted((root / "ground-truth").glob("*.json")):
        truth = json.loads(truth_file.read_text(encoding="utf-8"))
        if truth["_internal"]["page_type"]["primary"] != "article":
            continue
        body = gzip.decompress((root / "html" / f"{truth_file.stem}.html.gz").read_bytes())
        pages.append((body, truth.get("url"), truth["ground_truth"]))
        if len(pages) == SAMPLE:
            break
    return pages


@pytest.mark.shared
def test_no_article_text_lost_and_less_boilerplate(shared_dir: Path) -> None:
    pages = article_pages(shared_dir / "data" / "wcxb-dev")
    assert len(pages) == SAMPLE
    ours_p = ours_r = base_p = base_r = 0.0
    ours_leaks = base_leaks = 0
    for body, url, truth in pages:
        gold = str(truth.get("main_content") or "")
        without = list(truth.get("without") or [])  # type: ignore[call-overload]
        ours = clean_html(body, url).text
        base = trafilatura.extract(body, url=url, include_comments=False) or ""
        p, r = precision_recall(ours, gold)
        ours_p, ours_r = ours_p + p, ours_r + r
        p, r = precision_recall(base, gold)
        base_p, base_r = base_p + p, base_r + r
        ours_leaks += leaks(ours, without)
        base_leaks += leaks(base, without)
    assert ours_r / SAMPLE >= base_r / SAMPLE - 0.005, "lost article text vs trafilatura"
    assert ours_p / SAMPLE >= base_p / SAMPLE, "less precise than trafilatura alone"
    assert ours_leaks <= base_leaks
