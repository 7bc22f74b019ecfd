"""The seed document: every article paragraph kept verbatim, its boilerplate tail dropped."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsclean.cleaners import clean, clean_text

SEED = Path(__file__).resolve().parent / "data" / "seed_000_e990719b735ce9f5.txt"
BOILERPLATE = [
    "Leave a Comment",
    "Ads Blocker Image Powered by Code Help Pro",
    "Ads Blocker Detected!!!",
    "We have detected that you are using extensions to block ads. Please support us by "
    "disabling these ads blocker.",
    "Powered By",
    "Best Wordpress Adblock Detecting Plugin | CHP Adblock",
]


def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


def article_paragraphs() -> list[str]:
    blocks = [b.strip() for b in seed_text().split("\n\n") if b.strip()]
    return blocks[: blocks.index("Leave a Comment")]


def test_seed_copy_matches_the_shared_original(shared_dir: Path) -> None:
    assert (shared_dir / "seed" / "000_e990719b735ce9f5.txt").read_text(
        encoding="utf-8"
    ) == seed_text()


def test_seed_keeps_every_paragraph_verbatim_and_in_order() -> None:
    article = clean_text(seed_text())
    assert article.paragraphs == article_paragraphs()
    assert "The scenario of Belarus participating in the Ukraine conflict" in article.paragraphs


@pytest.mark.parametrize("line", BOILERPLATE)
def test_seed_drops_the_boilerplate_tail(line: str) -> None:
    article = clean_text(seed_text())
    assert line not in article.text
    assert line in [r.text for r in article.removals]


def test_seed_removals_say_why() -> None:
    categories = {r.text: r.category for r in clean_text(seed_text()).removals}
    assert categories["Leave a Comment"] == "comment-prompt"
    assert categories["Ads Blocker Detected!!!"] == "adblock-notice"


def test_seed_metadata_from_plain_text() -> None:
    article = clean_text(seed_text(), "https://example.com/a")
    assert article.title == "Russia wants to negotiate directly with Ukraine"
    assert article.language == "en"
    assert article.input_format == "text"
    assert article.extractor == "plain-text"
    assert article.page_type == "article"
    assert article.url == "https://example.com/a"


def test_seed_through_auto_detection_is_plain_text() -> None:
    assert clean(seed_text()).text == clean_text(seed_text()).text
    assert clean(seed_text().encode("utf-8")).input_format == "text"
