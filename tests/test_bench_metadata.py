"""The metadata benchmark's matching rules (benchmarks.metadata): names, titles, days."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from benchmarks.metadata import Answer, Truth, author_names, day_of, score, title_f1


@pytest.mark.parametrize(
    ("given", "names"),
    [
        (["Dylan Bailey, MS, RD, FAND"], {"dylan bailey"}),
        (["By Jane Doe and John Smith"], {"jane doe", "john smith"}),
        (["Genevieve Carlton, Ph.D."], {"genevieve carlton"}),
        (["Genevieve Carlton; Ph D"], {"genevieve carlton"}),
        (["Holly Wilgus, E-RYT 200"], {"holly wilgus"}),
        (["José Núñez & Ana Pérez"], {"jose nunez", "ana perez"}),
        (["Susan"], {"susan"}),
        (["Jane Doe", "John Smith"], {"jane doe", "john smith"}),
    ],
)
def test_author_strings_become_name_sets(given: list[str], names: set[str]) -> None:
    assert author_names(given) == names


def test_title_f1_forgives_a_word_not_a_site_name() -> None:
    assert title_f1("Ferry timetable for the summer season", "Ferry timetable for summer season")
    assert title_f1("What is Cloud Computing? | Google Cloud", "What is Cloud Computing?") < 0.9
    assert title_f1("A B C D E F G H I J", "A B C D E F G H I J K") >= 0.9


def test_dates_are_read_as_the_day_the_page_states() -> None:
    assert day_of("2025-09-04T23:30:00-05:00") == date(2025, 9, 4)
    assert day_of("2025-02-30") is None
    assert day_of(None) is None


def test_score_matches_each_field_and_skips_fields_without_truth(tmp_path: Path) -> None:
    truth = Truth("0001", None, "Ferry timetable", "Jane Doe, PhD", None, tmp_path / "x")
    answer = Answer("Ferry Timetable.", ("Jane Doe",), date(2025, 1, 1), 0.0)
    scores = score(truth, answer)
    assert (scores.title_exact, scores.title_match) == (True, True)
    assert (scores.author_match, scores.author_overlap) == (True, True)
    assert scores.date_match is None
    wrong = score(truth, Answer("Other news", ("Jane Doe", "Tom Lee"), None, 0.0))
    assert (wrong.title_match, wrong.author_match, wrong.author_overlap) == (False, False, True)
