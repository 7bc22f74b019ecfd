"""The cleaners' public entry points: input detection, empty input, versions, page type."""

from __future__ import annotations

import pytest

import newsclean.cleaners as cleaners
from newsclean.cleaners import (
    CLEANER_VERSION,
    Article,
    Removal,
    clean,
    clean_html,
    clean_text,
    detect_input_format,
)

HTML = (
    "<!DOCTYPE html><html><head><title>Budget raises school spending</title></head><body>"
    "<article><h1>Budget raises school spending</h1>"
    "<p>The finance minister presented a budget on Wednesday that raises spending on schools "
    "and hospitals while cutting subsidies for fossil fuels over the next four years.</p>"
    "<p>The opposition called the plan unrealistic and said it relied on optimistic growth "
    "forecasts that few independent economists share.</p>"
    "<p>Advertisement</p>"
    "<p>Parliament will vote on the budget next month, after three weeks of committee "
    "hearings in which ministers must defend every line of their departments' spending.</p>"
    "<p>Teachers' unions welcomed the extra money for schools but warned that it would not "
    "make up for a decade in which class sizes grew and pay fell behind inflation.</p>"
    "</article></body></html>"
)


def test_public_names() -> None:
    for name in ("clean", "clean_html", "clean_text", "decode_html", "detect_input_format"):
        assert callable(getattr(cleaners, name))
    assert Article and Removal and CLEANER_VERSION


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (HTML, "html"),
        (HTML.encode("utf-8"), "html"),
        ("\ufeff<html><body><p>x</p></body></html>", "html"),
        ('<?xml version="1.0"?><html><body></body></html>', "html"),
        ("<div><p>One</p><p>Two</p><a href='/'>x</a></div>", "html"),
        ("Plain text article.\n\nSecond paragraph with a < sign and a > sign.", "text"),
        ("Use <b> for bold, the manual says.", "text"),
        ("", "text"),
    ],
)
def test_detect_input_format(data: str | bytes, expected: str) -> None:
    assert detect_input_format(data) == expected


def test_clean_auto_dispatches() -> None:
    assert clean(HTML).input_format == "html"
    assert clean(HTML, input_format="text").input_format == "text"
    assert clean("Just a line of text that is an article.").input_format == "text"


def test_clean_html_accepts_bytes_with_content_type() -> None:
    body = HTML.replace("Budget raises", "Presupuesto año raises").encode("cp1252")
    article = clean_html(body, content_type="text/html; charset=windows-1252")
    assert article.title == "Presupuesto año raises school spending"
    assert "Advertisement" not in article.text


@pytest.mark.parametrize(
    "html", ["", "   ", "<html></html>", b"", b"\x00\x00", "<?xml version='1.0'?>"]
)
def test_empty_pages_give_an_empty_non_article(html: str | bytes) -> None:
    article = clean_html(html)
    assert article.text == ""
    assert not article.is_article
    assert article.page_type == "other"
    assert article.extractor == "none"


def test_plain_text_article_fields() -> None:
    article = clean_text("Title line\n\nFirst paragraph of the text.\n\nSecond one.\n\nShare this:")
    assert article.paragraphs == ["Title line", "First paragraph of the text.", "Second one."]
    assert article.markdown == ""
    assert article.extractor == "plain-text"
    assert article.cleaner_version == CLEANER_VERSION


def test_plain_text_lines_within_a_paragraph_are_judged_one_by_one() -> None:
    text = "A first paragraph that belongs to the article.\nAdvertisement\nIts second line."
    assert (
        clean_text(text).text == "A first paragraph that belongs to the article.\nIts second line."
    )


def test_html_article_is_an_article() -> None:
    article = clean_html(HTML, "https://news.example/budget")
    assert article.is_article and article.page_type == "article"
    assert article.input_format == "html"
    assert "Advertisement" not in article.text
    assert [(r.rule, r.text) for r in article.removals if r.level == "line"] == [
        ("head.title", "Budget raises school spending"),
        ("line.phrase", "Advertisement"),
    ]
    # the headline is the title, not the text's first line
    assert article.title == "Budget raises school spending"
    assert not article.text.startswith("Budget raises school spending")
    assert article.page_type_reason and article.soft_failure is None
