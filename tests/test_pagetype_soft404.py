"""Soft 404: only real not-found wording flags a page, never a number in a real title."""

from __future__ import annotations

import pytest

from newsclean.cleaners.pagetype import PageFeatures, classify

SHORT_TEXT = "Sorry."  # a soft 404 says little; so may a short real page


@pytest.mark.parametrize(
    "title",
    [
        "404",
        "404 | Harbour Herald",
        "Harbour Herald - 404",
        "Error 404",
        "404 Not Found",
        "HTTP 404 | Harbour Herald",
        "Oops! 404 error",
        "Page not found | Northfield Courier",
        "Not Found",
        "Nothing found - Harbour Herald",
        "The page you requested cannot be found",
        "Oops! That page can’t be found.",
        "This page doesn't exist",
        "Seite nicht gefunden",
    ],
)
def test_not_found_wording_in_the_title_of_a_short_page_is_a_soft_404(title: str) -> None:
    decision = classify(PageFeatures(title=title, text_chars=200), SHORT_TEXT)
    assert decision.soft_failure == "soft-404"


@pytest.mark.parametrize(
    "title",
    [
        "Flight 404",
        "Budget cuts hit route 404 | Harbour Herald",
        "Area code 404 runs out of numbers",
        "404 days later, the ferry is back",
        "Storm closes highway 404",
        "The cure that can't be found",
        "Why the perfect diet doesn't exist",
        "Missing hiker not found after three days",
        "The story of the missing lighthouse keeper",
        "The app is no longer available in Europe",
    ],
)
def test_a_real_title_holding_a_number_or_a_phrase_is_not_a_soft_404(title: str) -> None:
    decision = classify(PageFeatures(title=title, h1=title, text_chars=200), SHORT_TEXT)
    assert decision.soft_failure is None


def test_not_found_wording_in_the_h1_counts_too() -> None:
    features = PageFeatures(title="Harbour Herald", h1="Sorry, we couldn't find that page")
    assert classify(features, SHORT_TEXT).soft_failure == "soft-404"
