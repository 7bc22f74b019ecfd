"""Choosing the extraction: a cheap first pass, a second opinion only on doubt, and the
path and reason recorded on the article."""

from __future__ import annotations

import json

from newsclean.cleaners import clean_html
from newsclean.cleaners.choose import (
    FULL_LENGTH_CHARS,
    MIN_REPEATED_SHARE,
    choose_without_doubt,
    coverage_of,
    doubts_about,
    is_blob,
    repeated_share,
    without_repeats,
)
from newsclean.cleaners.clean import parse_html
from newsclean.cleaners.density import best_container, extract_by_density
from newsclean.cleaners.extract import Block

PARAGRAPHS = [
    f"Paragraph {i} of the report: the regional parliament approved a water law after two "
    "years of debate between farmers, cities and environmental groups about shortages."
    for i in range(8)
]


def article_page(body: str, head: str = "") -> str:
    return (
        f"<html><head><title>Water law passes</title>{head}</head><body>"
        f"<article><h1>Water law passes</h1>{body}</article></body></html>"
    )


def blocks(*lines: str) -> tuple[Block, ...]:
    return tuple(Block(lines=(line,), markdown=line) for line in lines)


def test_a_plain_article_takes_the_fast_path_without_doubt() -> None:
    article = clean_html(article_page("".join(f"<p>{p}</p>" for p in PARAGRAPHS)))
    assert article.extractor == "trafilatura"
    assert article.extraction_reason == "trafilatura fast pass, no doubt"


def test_a_declared_body_replaces_a_teaser_that_covers_little_of_it() -> None:
    ld = {
        "@type": "NewsArticle",
        "headline": "Water law passes",
        "articleBody": "\n\n".join(PARAGRAPHS),
    }
    head = f'<script type="application/ld+json">{json.dumps(ld)}</script>'
    teaser = f"<p>{PARAGRAPHS[0]}</p><p>Subscribe to read the rest of this article.</p>"
    article = clean_html(article_page(teaser, head))
    assert article.extractor == "json-ld"
    assert "json-ld body is the text" in article.extraction_reason
    assert all(p in article.text for p in PARAGRAPHS)
    assert article.paragraphs[0] == PARAGRAPHS[0]


def test_a_declared_body_that_the_text_covers_changes_nothing() -> None:
    ld = {"@type": "NewsArticle", "articleBody": "\n\n".join(PARAGRAPHS)}
    head = f'<script type="application/ld+json">{json.dumps(ld)}</script>'
    article = clean_html(article_page("".join(f"<p>{p}</p>" for p in PARAGRAPHS), head))
    assert article.extractor == "trafilatura"
    assert article.extraction_reason == "trafilatura fast pass, no doubt"


def test_doubts() -> None:
    long_lines = blocks(*PARAGRAPHS)
    assert doubts_about(long_lines, page_chars=1500, body=None) is None
    assert doubts_about(blocks("Too short."), page_chars=100, body=None) == "short: 10 chars"
    assert (doubts_about(long_lines, page_chars=20_000, body=None) or "").startswith("short:")
    # a text of article length is no doubt however heavy the page around it
    article_length = blocks(*PARAGRAPHS * (FULL_LENGTH_CHARS // sum(map(len, PARAGRAPHS)) + 1))
    assert doubts_about(article_length, page_chars=100_000, body=None) is None
    menu = blocks(*["Home", "News", "Sport", "Weather"] * 20, *PARAGRAPHS[:3])
    whole = doubts_about(menu, page_chars=sum(len(b.lines[0]) for b in menu), body=None)
    assert whole is not None and whole.startswith("the whole page")
    blob = blocks(" ".join(PARAGRAPHS), "Short tail line.")
    assert is_blob(blob) and not is_blob(long_lines)
    assert (doubts_about(blob, page_chars=1500, body=None) or "").startswith("one undivided")
    other_body = "A completely different article about the price of bread in the capital city."
    assert "json-ld body" in (doubts_about(long_lines, page_chars=1500, body=other_body) or "")


def test_coverage_of_a_reference() -> None:
    assert coverage_of("one two three four", "zero one two three four five") == 1.0
    assert coverage_of("one two three four", "nothing in common here") == 0.0
    assert coverage_of("", "anything") == 0.0


def test_density_picks_the_container_most_paragraphs_point_to() -> None:
    html = (
        "<html><body><div id='menu'><p>Home</p><p>About</p></div>"
        "<div id='story'><h2>What the law changes</h2>"
        + "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
        + "<p><a href='/a'>Related story one that is linked</a> <a href='/b'>and two</a></p>"
        "</div><div id='teasers'><p>A teaser paragraph that is long enough to vote for its own "
        "container but stands alone among the teasers of the page.</p></div></body></html>"
    )
    root = parse_html(html)
    assert root is not None
    container = best_container(root)
    assert container is not None and [e.get("id") for e in container.elements] == ["story"]
    found = extract_by_density(root)
    assert [b.kind for b in found][:2] == ["head", "p"]
    assert found[0].markdown == "## What the law changes"
    text = "\n".join(line for b in found for line in b.lines)
    assert all(p in text for p in PARAGRAPHS) and "Related story" not in text and "Home" not in text


def test_density_replaces_a_fast_text_it_holds_and_extends() -> None:
    root = parse_html(article_page("".join(f"<p>{p}</p>" for p in PARAGRAPHS)))
    assert root is not None
    # the fast pass kept five of the container's eight paragraphs
    partial = choose_without_doubt(root, blocks(*PARAGRAPHS[:5]))
    assert partial.extractor == "density"
    assert partial.reason.startswith("trafilatura fast pass, no doubt; density holds 1.00")
    assert [line for b in partial.blocks for line in b.lines] == PARAGRAPHS
    # a fast text density does not hold stays, and so does one it holds without adding to it
    other = choose_without_doubt(root, blocks("A different text entirely, about bread. " * 3))
    assert other.extractor == "trafilatura"
    whole = choose_without_doubt(root, blocks(*PARAGRAPHS))
    assert whole.extractor == "trafilatura" and whole.blocks == blocks(*PARAGRAPHS)


def _section(title: str, paragraphs: list[str]) -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return f"<div class='stream'><div class='text-block rich'><h2>{title}</h2>{body}</div></div>"


def test_density_reads_a_body_split_into_blocks_of_one_template() -> None:
    sections = [PARAGRAPHS[:3], PARAGRAPHS[3:5], PARAGRAPHS[5:]]
    teaser = "A teaser paragraph long enough to vote, in a card of another template entirely."
    html = (
        "<html><body><main>"
        + "".join(_section(f"Part {n}", part) for n, part in enumerate(sections))
        + f"</main><aside><div class='card'><p>{teaser}</p></div></aside></body></html>"
    )
    root = parse_html(html)
    assert root is not None
    container = best_container(root)
    assert container is not None and len(container.elements) == 3
    text = "\n".join(line for b in extract_by_density(root) for line in b.lines)
    assert all(p in text for p in PARAGRAPHS) and teaser not in text
    assert text.index(PARAGRAPHS[0]) < text.index(PARAGRAPHS[3]) < text.index(PARAGRAPHS[5])
    # a block of the template with less than a fifth of the winner's votes does not join
    small = (
        "<html><body>"
        + _section("Main", PARAGRAPHS)
        + _section("Aside", [PARAGRAPHS[0][:90]])
        + "</body></html>"
    )
    root = parse_html(small)
    assert root is not None
    container = best_container(root)
    assert container is not None and len(container.elements) == 1


def test_density_finds_nothing_without_paragraphs() -> None:
    root = parse_html("<html><body><div>Just a line.</div></body></html>")
    assert root is not None and extract_by_density(root) == ()


def test_a_page_without_text_records_why() -> None:
    article = clean_html("<html><body><nav><a href='/'>Home</a></nav></body></html>")
    assert article.text == "" and article.page_type == "other"
    assert article.extraction_reason.startswith("short: 4 chars")
    empty = clean_html("<html><body></body></html>")
    assert empty.extractor == "none" and "no extractor found main text" in empty.extraction_reason


def test_an_article_rendered_twice_keeps_one_copy() -> None:
    # a desktop and a mobile copy of the same story: without the rule every paragraph is
    # in the text twice
    copy = "<h2>What the law changes</h2>" + "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    article = clean_html(
        article_page(f"<div class='desktop'>{copy}</div><div class='mobile'>{copy}</div>")
    )
    assert all(article.text.count(p) == 1 for p in PARAGRAPHS)
    assert "repeats 0." in article.extraction_reason
    assert article.extraction_reason.endswith("the repeats dropped")


def test_repeated_share_counts_second_copies_of_long_lines_only() -> None:
    once = blocks(*PARAGRAPHS[:4])
    assert repeated_share(once) == 0.0
    twice = blocks(*PARAGRAPHS[:4], *PARAGRAPHS[:4])
    assert repeated_share(twice) == 0.5
    # short lines (labels, table cells) repeat in any text and do not count
    assert repeated_share(blocks(*PARAGRAPHS[:4], "Price:", "Price:", "Price:")) == 0.0


def test_without_repeats_drops_later_copies_and_keeps_the_rest() -> None:
    paragraphs = blocks(*PARAGRAPHS[:3])
    heading = (Block(lines=("In short",), markdown="## In short", kind="head"),)
    closing = "A closing line that is new: the law takes effect next spring, the minister said."
    mixed = (Block(lines=(PARAGRAPHS[0], closing), markdown="", kind="list"),)
    text = paragraphs + heading + paragraphs + mixed
    # the second copy goes; the short heading and a block with a new long line stay
    assert without_repeats(text) == paragraphs + heading + mixed


def test_a_text_that_repeats_a_line_now_and_then_stays_whole() -> None:
    # one quoted line again among eight paragraphs is under MIN_REPEATED_SHARE of the text
    text = blocks(*PARAGRAPHS, PARAGRAPHS[0])
    assert 0 < repeated_share(text) < MIN_REPEATED_SHARE
    article = clean_html(
        article_page("".join(f"<p>{p}</p>" for p in PARAGRAPHS) + f"<p>{PARAGRAPHS[0]}</p>")
    )
    assert article.text.count(PARAGRAPHS[0]) == 2 and "repeats" not in article.extraction_reason
