"""The page-type benchmark harness (benchmarks/pagetype.py) on synthetic outcomes and on a
tiny WCXB-shaped folder written by the test."""

from __future__ import annotations

import gzip
import json
from collections import Counter
from pathlib import Path

import pytest

from benchmarks import pagetype as bench
from newsclean.cleaners.pagetype import PageDecision, Signal, SoftFailure
from newsclean.cleaners.records import PageType


def outcome(
    page_id: str,
    truth: PageType,
    page_type: PageType,
    soft: SoftFailure | None = None,
    found: tuple[Signal, ...] = (),
) -> bench.Outcome:
    decision = PageDecision(page_type, soft, "test")
    return bench.Outcome(page_id, None, truth, decision, found, 100, 0.001, 0.0001, 0.01)


OUTCOMES = [
    outcome("0001", "article", "article"),
    outcome("0002", "article", "article"),
    outcome("0003", "article", "listing"),
    outcome("0004", "listing", "listing"),
    outcome("0005", "other", "article"),
    outcome("0006", "product", "other", soft="paywall"),
]


def test_wcxb_classes_map_onto_ours() -> None:
    assert bench.WCXB_CLASSES["collection"] == "listing"
    assert bench.WCXB_CLASSES["service"] == bench.WCXB_CLASSES["documentation"] == "other"
    assert set(bench.WCXB_CLASSES.values()) == set(bench.CLASSES)


def test_confusion_counts_soft_failures_in_their_own_column() -> None:
    matrix = bench.confusion(OUTCOMES)
    assert matrix == Counter(
        {
            ("article", "article"): 2,
            ("article", "listing"): 1,
            ("listing", "listing"): 1,
            ("other", "article"): 1,
            ("product", "soft:paywall"): 1,
        }
    )
    assert bench.precision_recall(matrix, "article") == (2 / 3, 2 / 3)
    assert bench.precision_recall(matrix, "listing") == (0.5, 1.0)
    assert bench.precision_recall(matrix, "forum") == (0.0, 0.0)


def test_article_figures() -> None:
    figures = bench.article_figures((o.truth, o.decision.is_article) for o in OUTCOMES)
    assert (figures.kept, figures.articles, figures.decided) == (2, 3, 3)
    assert figures.recall == pytest.approx(2 / 3)
    assert figures.precision == pytest.approx(2 / 3)
    assert bench.article_figures([]).recall == 0.0


def test_other_priors_are_replayed_from_the_signals() -> None:
    weak = outcome("0007", "article", "other", found=(Signal("url-slug", "slug"),))
    assert not bench.with_article_prior(weak, -1.5)
    assert bench.with_article_prior(weak, 0.0)
    soft = outcome("0008", "article", "other", soft="paywall", found=weak.found)
    assert not bench.with_article_prior(soft, 5.0)


def test_report_has_every_part() -> None:
    report = bench.format_report(OUTCOMES, "trafilatura")
    for needle in (
        "true \\ decided",
        "soft:payw",
        "articles kept (article recall):  0.667  (2 of 3; 1 lost)",
        "article precision:               0.667  (1 non-articles kept as articles)",
        "article prior (rules: -0.5)",
        "soft failures flagged: 1",
        "% of trafilatura.extract",
        "CC-BY-4.0",
    ):
        assert needle in report
    errors = "\n".join(bench.format_errors(OUTCOMES, 5))
    assert "articles lost (1):" in errors and "non-articles kept (1):" in errors


def write_split(folder: Path) -> None:
    pages = {
        "0001": ("article", "https://news.example/2024/05/14/council-approves-new-bridge/"),
        "0002": ("listing", "https://news.example/tag/transport/"),
    }
    body = "<p>The council approved the bridge on Monday after a long debate about cost.</p>" * 12
    (folder / "ground-truth").mkdir(parents=True)
    (folder / "html").mkdir()
    for page_id, (label, url) in pages.items():
        record = {"url": url, "_internal": {"page_type": {"primary": label}}, "ground_truth": {}}
        (folder / "ground-truth" / f"{page_id}.json").write_text(json.dumps(record))
        head = "<head><title>Council approves new bridge</title></head>"
        html = f"<html>{head}<body>{body}</body></html>"
        (folder / "html" / f"{page_id}.html.gz").write_bytes(gzip.compress(html.encode()))


def test_main_runs_on_a_split_and_writes_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_split(tmp_path / "split")
    out = tmp_path / "decisions.json"
    code = bench.main(["--data", str(tmp_path / "split"), "--json", str(out), "--errors", "3"])
    assert code == 0
    printed = capsys.readouterr().out
    assert "Page type on 2 WCXB pages (main text: trafilatura)" in printed
    records = json.loads(out.read_text())
    assert [r["page_id"] for r in records] == ["0001", "0002"]
    assert records[0]["decision"]["page_type"] == "article"


def test_main_without_data_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert bench.main(["--data", str(tmp_path / "missing")]) == 2
    assert capsys.readouterr().err.startswith("Error: no ground-truth folder")
