"""Site level: lines repeated across many pages of one domain are removed, real text stays."""

from __future__ import annotations

import pytest

from newsclean.cleaners import Article
from newsclean.cleaners.sitelevel import (
    ProfileFormatError,
    SiteProfile,
    apply_site_rules,
    domain_of,
    line_key,
)

FOOTER = "Harbour Times is published by Harbour Media Group from its newsroom in Portsmouth."
RELATED = "Related:"
QUOTE = '"We will not close the port while I am mayor," the mayor told reporters on Monday.'
STORIES = [
    "The council approved a new ferry timetable that adds two crossings on weekdays.",
    "Fishermen protested against the new quota outside the town hall on Friday.",
    "A storm damaged the pier, and repairs will take at least three weeks.",
    "The harbour master retired after thirty years and was replaced by her deputy.",
    "Container traffic grew by six percent in the first quarter of the year.",
    "A new cycling lane along the seafront opens to the public next month.",
    "The museum received a grant to restore two nineteenth-century sailing boats.",
    "Local schools will teach sailing as part of the sports curriculum from autumn.",
    "The ferry operator raised fares by four percent, citing higher fuel costs.",
    "Volunteers cleaned two tonnes of plastic from the beaches over the weekend.",
]


def page(index: int, *, quote: bool = False, host: str = "harbour.example") -> Article:
    lines = [STORIES[index], f"Updated {index + 2} hours ago"]
    if quote:
        lines.append(QUOTE)
    lines += [f"Second paragraph of story number {index}, which is its own.", RELATED, FOOTER]
    text = "\n\n".join(lines)
    return Article(text=text, markdown=text, url=f"https://www.{host}/news/{index}")


def profile_of(articles: list[Article]) -> SiteProfile:
    profile = SiteProfile()
    for article in articles:
        profile.observe(domain_of(article.url) or "", article)
    return profile


def test_shared_footer_and_related_lines_are_removed_from_every_page() -> None:
    articles = [page(i) for i in range(10)]
    profile = profile_of(articles)
    for index, article in enumerate(articles):
        cleaned = apply_site_rules(article, profile)
        assert FOOTER not in cleaned.text and RELATED not in cleaned.paragraphs
        assert STORIES[index] in cleaned.text
        assert f"story number {index}" in cleaned.text
        site = [r for r in cleaned.removals if r.level == "site"]
        assert {r.rule for r in site} == {"site.repeated"}
        assert {r.text for r in site} >= {FOOTER, RELATED}
        assert FOOTER not in cleaned.markdown


def test_short_template_lines_differing_in_numbers_are_one_line() -> None:
    articles = [page(i) for i in range(10)]
    cleaned = apply_site_rules(articles[3], profile_of(articles))
    assert "Updated 5 hours ago" not in cleaned.text
    assert line_key("Updated 3 hours ago") == line_key("Updated 12 hours ago")


def test_long_lines_keep_their_numbers_apart() -> None:
    first = "The central bank raised its main interest rate by 0.25 points to 4.5 percent today."
    second = "The central bank raised its main interest rate by 0.5 points to 4.75 percent today."
    assert line_key(first) != line_key(second)


def test_a_quote_repeated_in_three_of_ten_pages_is_kept() -> None:
    articles = [page(i, quote=i in (1, 4, 7)) for i in range(10)]
    profile = profile_of(articles)
    for index in (1, 4, 7):
        assert QUOTE in apply_site_rules(articles[index], profile).text


def test_a_quote_on_most_pages_is_still_kept() -> None:
    # syndicated coverage of one event quotes the same sentence: it is news, not template
    articles = [page(i, quote=True) for i in range(10)]
    cleaned = apply_site_rules(articles[0], profile_of(articles))
    assert QUOTE in cleaned.text and FOOTER not in cleaned.text


def test_a_line_on_every_page_of_a_two_page_domain_is_kept() -> None:
    articles = [page(0, host="tiny.example"), page(1, host="tiny.example")]
    profile = profile_of(articles)
    assert profile.pages_seen("tiny.example") == 2
    assert apply_site_rules(articles[0], profile) is articles[0]


def test_domains_are_counted_apart() -> None:
    profile = profile_of([page(i) for i in range(10)])
    other = page(0, host="other.example")
    assert apply_site_rules(other, profile) is other


def test_profile_round_trips_through_bytes() -> None:
    articles = [page(i) for i in range(10)]
    profile = profile_of(articles)
    restored = SiteProfile.from_bytes(profile.to_bytes())
    assert restored.to_bytes() == profile.to_bytes()
    assert restored.pages_seen("harbour.example") == 10
    assert apply_site_rules(articles[2], restored) == apply_site_rules(articles[2], profile)


@pytest.mark.parametrize("data", [b"", b"not json", b'{"version": 99}', b'{"version": 1}'])
def test_bad_profile_bytes_raise_a_format_error(data: bytes) -> None:
    with pytest.raises(ProfileFormatError):
        SiteProfile.from_bytes(data)


def test_article_without_url_is_left_alone_unless_a_domain_is_given() -> None:
    articles = [page(i) for i in range(10)]
    profile = profile_of(articles)
    anonymous = Article(text=articles[0].text)
    assert apply_site_rules(anonymous, profile) is anonymous
    assert FOOTER not in apply_site_rules(anonymous, profile, "harbour.example").text
