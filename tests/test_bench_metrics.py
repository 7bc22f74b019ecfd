"""Benchmark scoring (benchmarks/metrics.py) on hand-computed examples, and the WCXB harness
(benchmarks/wcxb.py) on a tiny synthetic split and, when ../shared is present, on real pages."""

from __future__ import annotations

import gzip
import json
from collections import Counter
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from benchmarks import metrics, wcxb
from benchmarks.metrics import ShingleCounts

# --- tokens and shingles ------------------------------------------------------------------


def test_tokenize_lowercases_and_splits_on_non_word_characters() -> None:
    assert metrics.tokenize("Hello, World! It's 2025—ok") == [
        "hello",
        "world",
        "it",
        "s",
        "2025",
        "ok",
    ]


def test_shingles_are_contiguous_four_token_windows() -> None:
    assert metrics.shingles(["a", "b", "c", "d", "e"]) == Counter(
        {("a", "b", "c", "d"): 1, ("b", "c", "d", "e"): 1}
    )


def test_short_text_is_one_short_shingle_and_empty_text_none() -> None:
    assert metrics.shingles(["a", "b"]) == Counter({("a", "b"): 1})
    assert metrics.shingles([]) == Counter()


def test_shingle_counts_use_multisets_not_sets() -> None:
    # truth "a b c d a b c d": abcd x2, bcda, cdab, dabc (5 shingles)
    # pred  "a b c d" x3 (12 tokens): abcd x3, bcda x2, cdab x2, dabc x2 (9 shingles)
    # TP = min(3,2) + 1 + 1 + 1 = 5; FP = 9 - 5 = 4; FN = 5 - 5 = 0. As sets FP would be 0.
    counts = metrics.shingle_counts("a b c d " * 3, "A b. C d a B c D")
    assert counts == ShingleCounts(tp=5, fp=4, fn=0)
    assert counts.precision == pytest.approx(5 / 9)
    assert counts.recall == 1.0


def test_shingle_counts_of_a_partial_extraction() -> None:
    # truth 8 tokens -> 5 shingles; pred "a b c d" -> 1 shingle, found once in the truth
    counts = metrics.shingle_counts("a b c d", "a b c d a b c d")
    assert counts == ShingleCounts(tp=1, fp=0, fn=4)
    assert counts.recall == pytest.approx(0.2)


def test_identical_short_texts_score_perfectly() -> None:
    counts = metrics.shingle_counts("Hi there", "hi THERE")
    assert (counts.precision, counts.recall, counts.f1) == (1.0, 1.0, 1.0)


def test_empty_sides_leave_precision_or_recall_undefined() -> None:
    assert metrics.shingle_counts("", "a b c d e").precision is None
    assert metrics.shingle_counts("", "a b c d e").recall == 0.0
    assert metrics.shingle_counts("a b c d e", "").recall is None
    assert metrics.shingle_counts("a b c d e", "").precision == 0.0
    both_empty = metrics.shingle_counts("", "  ")
    assert (both_empty.precision, both_empty.recall, both_empty.f1) == (None, None, 0.0)


def test_shingle_scores_average_per_document_then_take_f1_of_the_means() -> None:
    docs = [
        ShingleCounts(tp=3, fp=1, fn=0),  # P 0.75, R 1.0
        ShingleCounts(tp=1, fp=0, fn=3),  # P 1.0,  R 0.25
        ShingleCounts(tp=0, fp=0, fn=5),  # empty extraction: R 0, not in the P mean
        ShingleCounts(tp=0, fp=0, fn=0),  # both empty: in neither mean
        ShingleCounts(tp=0, fp=2, fn=0),  # empty truth: P 0, not in the R mean
    ]
    scores = metrics.shingle_scores(docs)
    assert scores.precision == pytest.approx((0.75 + 1.0 + 0.0) / 3)  # 0.58333
    assert scores.recall == pytest.approx((1.0 + 0.25 + 0.0) / 3)  # 0.41667
    # 2 * 0.58333 * 0.41667 / (0.58333 + 0.41667) = 0.486111, not the mean of per-doc F1s
    assert scores.f1 == pytest.approx(0.4861111)
    assert (scores.precision_docs, scores.recall_docs) == (3, 3)


def test_shingle_scores_of_nothing_are_zero() -> None:
    scores = metrics.shingle_scores([ShingleCounts(0, 0, 0)])
    assert (scores.precision, scores.recall, scores.f1) == (0.0, 0.0, 0.0)
    assert (scores.precision_docs, scores.recall_docs) == (0, 0)


# --- bag of words --------------------------------------------------------------------------


def test_bag_of_words_f1_counts_repeated_words_once_per_occurrence() -> None:
    # pred: the x2, cat, hat (4); truth: the, cat, sat (3); overlap = 1 + 1 = 2
    # P = 2/4, R = 2/3, F1 = 2 * (1/2) * (2/3) / (1/2 + 2/3) = 4/7
    assert metrics.bag_of_words_f1("The cat, the hat.", "the cat sat") == pytest.approx(4 / 7)


def test_bag_of_words_f1_edge_cases() -> None:
    assert metrics.bag_of_words_f1("", "") == 1.0
    assert metrics.bag_of_words_f1("", "words") == 0.0
    assert metrics.bag_of_words_f1("words", "") == 0.0
    assert metrics.bag_of_words_f1("alpha", "beta") == 0.0
    assert metrics.bag_of_words_f1("Same words", "same, WORDS") == 1.0


# --- snippets ------------------------------------------------------------------------------


def test_must_contain_recall_normalises_whitespace_and_case() -> None:
    text = "Hello   World.\nSecond\tline here, with a \ufb01le and\u00a0space."
    snippets = ["hello world.", "SECOND LINE", "a file and space", "not in the text", "  "]
    # the blank snippet is not counted: 3 of 4 found
    assert metrics.must_contain_recall(snippets, text) == pytest.approx(0.75)


def test_snippet_metrics_are_undefined_without_snippets() -> None:
    assert metrics.must_contain_recall([], "text") is None
    assert metrics.leak_rate(["", " "], "text") is None


def test_leak_rate_is_the_fraction_of_boilerplate_found() -> None:
    text = "The article body.\n\nLeave a Comment"
    assert metrics.leak_rate(["leave a comment", "Subscribe now", "Home", "Log in"], text) == 0.25


# --- metadata -----------------------------------------------------------------------------


def test_title_exact_ignores_case_and_punctuation() -> None:
    assert metrics.title_exact("Top 10 Tips — 2025!", "top 10 tips - 2025")
    assert not metrics.title_exact("Top 10 Tips | Site", "Top 10 Tips")
    assert not metrics.title_exact(None, "Top 10 Tips")
    assert not metrics.title_exact("", "")


def test_title_contains_accepts_a_site_suffix_but_not_a_stray_word() -> None:
    assert metrics.title_contains(
        "Perfect Privacy Review | Website Planet", "Perfect Privacy Review"
    )
    assert metrics.title_contains("Home repair tips", "Home repair tips for renters")  # 3 of 5
    assert not metrics.title_contains("Home", "Home repair tips for renters")  # 1 of 5
    assert not metrics.title_contains("Start here", "Art")  # whole tokens only
    assert not metrics.title_contains(None, "Title")


def test_author_matches_by_normalised_name_tokens() -> None:
    assert metrics.author_matches(("By Andrew King",), "Andrew King")
    assert metrics.author_matches(("king, andrew",), "Andrew King")
    assert metrics.author_matches(("Dylan Bailey", "MS"), "Dylan Bailey, MS, RD, FAND")
    assert metrics.author_matches(
        ("Natalie Nguyen",), "Danielle DeSiato, Donna Enzmann, and Natalie Nguyen"
    )
    assert metrics.author_matches(("Alexa",), "Alexa")


def test_author_does_not_match_a_lone_first_name_or_nothing() -> None:
    assert not metrics.author_matches(("Andrew",), "Andrew King")
    assert not metrics.author_matches(("Alexa Staff",), "Alexa")
    assert not metrics.author_matches((), "Andrew King")
    assert not metrics.author_matches(("By",), "Andrew King")
    assert not metrics.author_matches(("Andrew King",), "by")


def test_parse_full_date_accepts_only_complete_dates() -> None:
    assert metrics.parse_full_date("2025-09-04") == date(2025, 9, 4)
    assert metrics.parse_full_date("2025-09-04T10:00:00Z") == date(2025, 9, 4)
    assert metrics.parse_full_date("2025") is None
    assert metrics.parse_full_date("2015-11") is None
    assert metrics.parse_full_date("2025-02-30") is None
    assert metrics.parse_full_date(None) is None


def test_same_calendar_date_uses_the_datetimes_own_offset() -> None:
    late_evening = datetime(2025, 9, 4, 23, 30, tzinfo=timezone(timedelta(hours=-5)))
    assert metrics.same_calendar_date(late_evening, date(2025, 9, 4))  # 2025-09-05 in UTC
    assert not metrics.same_calendar_date(late_evening, date(2025, 9, 5))
    assert metrics.same_calendar_date(date(2025, 9, 4), date(2025, 9, 4))
    assert not metrics.same_calendar_date(None, date(2025, 9, 4))


def test_means_skip_documents_a_metric_does_not_apply_to() -> None:
    assert metrics.mean_defined([1.0, None, 0.5]) == 0.75
    assert metrics.mean_defined([None]) is None
    assert metrics.accuracy([True, None, False, True]) == (pytest.approx(2 / 3), 3)
    assert metrics.accuracy([None]) == (None, 0)


# --- harness pieces -------------------------------------------------------------------------


def test_call_order_rotates_which_extractor_goes_first() -> None:
    firsts = [wcxb.call_order(i)[0] for i in range(6)]
    assert firsts == ["candidate", "text", "metadata"] * 2
    assert all(sorted(wcxb.call_order(i)) == sorted(wcxb.CALL_NAMES) for i in range(3))


def test_split_authors_undoes_trafilaturas_join() -> None:
    assert wcxb.split_authors("Maria; Katerina ;") == ("Maria", "Katerina")
    assert wcxb.split_authors(None) == ()


def test_a_failing_extractor_is_scored_as_empty_and_its_error_kept() -> None:
    def broken(html: str, url: str | None) -> wcxb.Extraction:
        raise ValueError("bad page")

    result, seconds = wcxb.call_timed(broken, "<html></html>", None)
    assert (result.text, result.error) == ("", "ValueError: bad page")
    assert seconds >= 0.0


def test_speed_summary_takes_medians_and_ratios() -> None:
    timings = [wcxb.RunTiming(1.0, 2.0, 3.0), wcxb.RunTiming(2.0, 2.0, 3.0)]
    timings.append(wcxb.RunTiming(0.5, 1.0, 1.0))
    speed = wcxb.summarise_speed(10, timings)
    assert speed.candidate_docs_per_s == (10.0, 5.0, 20.0)
    assert speed.trafilatura_docs_per_s == (5.0, 5.0, 10.0)
    assert (speed.candidate_median, speed.trafilatura_median) == (10.0, 5.0)
    assert speed.ratio == 2.0
    assert speed.ratio_per_run == (2.0, 1.0, 2.0)
    assert speed.trafilatura_with_metadata_median == 2.0  # 10/5, 10/5, 10/2
    assert speed.ratio_with_metadata == 5.0


# --- the whole harness on a tiny synthetic split ------------------------------------------------

ARTICLE_BODY = (
    "The river rose three metres overnight and the town council opened two shelters. "
    "Volunteers carried sandbags to the old bridge until the early morning hours. "
    "Officials said the water should fall again by Thursday if the rain stops."
)


def write_page(root: Path, page_id: str, page_type: str, body: str) -> None:
    paragraphs = "".join(f"<p>{sentence.strip()}.</p>" for sentence in body.split(". "))
    html = (
        "<html><head><title>Flood update</title></head><body>"
        "<nav>Home | News | Contact</nav>"
        f"<article><h1>Flood update</h1>{paragraphs}</article>"
        "<footer>Leave a Comment</footer></body></html>"
    )
    (root / "html" / f"{page_id}.html.gz").write_bytes(gzip.compress(html.encode()))
    truth = {
        "url": f"https://example.org/{page_id}",
        "_internal": {"page_type": {"primary": page_type}},
        "ground_truth": {
            "title": "Flood update",
            "author": "Jane Doe",
            "publish_date": "2025",
            "main_content": body,
            "with": ["Volunteers carried sandbags to the old bridge"],
            "without": ["Leave a Comment"],
        },
    }
    (root / "ground-truth" / f"{page_id}.json").write_text(json.dumps(truth))


@pytest.fixture()
def tiny_split(tmp_path: Path) -> Path:
    (tmp_path / "html").mkdir()
    (tmp_path / "ground-truth").mkdir()
    write_page(tmp_path, "0001", "article", ARTICLE_BODY)
    write_page(tmp_path, "0002", "listing", ARTICLE_BODY)
    write_page(tmp_path, "0003", "article", ARTICLE_BODY)
    return tmp_path


def test_load_pages_filters_by_page_type_and_limit(tiny_split: Path) -> None:
    pages = wcxb.load_pages(tiny_split, "article")
    assert [p.page_id for p in pages] == ["0001", "0003"]
    assert pages[0].domain == "example.org"
    assert pages[0].publish_date is None  # year-only truth is not scored
    assert [p.page_id for p in wcxb.load_pages(tiny_split, "all", limit=2)] == ["0001", "0002"]
    assert [p.page_id for p in wcxb.load_pages(tiny_split, "all", ids=["0002"])] == ["0002"]


def test_harness_scores_a_perfect_candidate_against_trafilatura(tiny_split: Path) -> None:
    pages = wcxb.load_pages(tiny_split, "article")
    by_url = {p.url: p for p in pages}

    def oracle(html: str, url: str | None) -> wcxb.Extraction:
        page = by_url[url]
        return wcxb.Extraction(text=page.main_content, title=page.title, authors=("Jane Doe",))

    results = wcxb.run_benchmark(pages, oracle, repeat=2)
    report = wcxb.build_report(pages, results, "oracle", "article", worst=1)
    assert report.candidate.shingle.f1 == 1.0
    assert report.candidate.bag_of_words_f1 == 1.0
    assert report.candidate.must_contain_recall == wcxb.Rate(1.0, 2)
    assert report.candidate.leak_rate == wcxb.Rate(0.0, 2)
    assert report.candidate.author == wcxb.Rate(1.0, 2)
    assert report.candidate.publish_date == wcxb.Rate(None, 0)
    assert report.changed_outputs_in_later_runs == 0
    assert len(report.speed.candidate_docs_per_s) == 2
    text = wcxb.format_report(report)
    assert "shingle F1" in text and "1.000" in text
    assert text.rstrip().endswith(wcxb.ATTRIBUTION)


def test_cli_runs_the_stand_in_and_writes_json(tiny_split: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "figures.json"
    argv = ["--data", str(tiny_split), "--candidate", "trafilatura", "--repeat", "1"]
    assert wcxb.main([*argv, "--json", str(out), "--worst", "2"]) == 0
    printed = capsys.readouterr().out
    assert "ratio trafilatura/trafilatura docs/s" in printed
    figures = json.loads(out.read_text())
    assert figures["pages"] == 2
    assert figures["candidate"]["shingle"] == figures["trafilatura"]["shingle"]
    assert len(figures["candidate_pages"]) == 2


def test_cli_reports_a_missing_data_folder(tmp_path: Path, capsys) -> None:
    assert wcxb.main(["--data", str(tmp_path / "nope"), "--candidate", "trafilatura"]) == 2
    assert capsys.readouterr().err.startswith("Error: no ground-truth folder")


# --- real WCXB pages (only when ../shared is present) ---------------------------------------


@pytest.mark.shared
def test_wcxb_dev_split_has_793_article_pages(shared_dir: Path) -> None:
    pages = wcxb.load_pages(shared_dir / "data" / "wcxb-dev", "article")
    assert len(pages) == 793
    assert all(p.html_path.is_file() for p in pages)


@pytest.mark.shared
def test_trafilatura_against_itself_gives_identical_quality(shared_dir: Path) -> None:
    pages = wcxb.load_pages(shared_dir / "data" / "wcxb-dev", "article", limit=4)
    results = wcxb.run_benchmark(pages, wcxb.trafilatura_with_metadata, repeat=1)
    report = wcxb.build_report(pages, results, "trafilatura", "article", worst=0)
    assert report.candidate == report.trafilatura
    assert report.candidate.shingle.f1 > 0.5  # real extraction happened
