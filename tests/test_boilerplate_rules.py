"""The line rules added for leaks seen on real pages: datelines, disclosures, calls to action,
account buttons, copyright and contact lines, appeals, bylines -- and the sentences they keep."""

from __future__ import annotations

import pytest

from newsclean.cleaners.lines import (
    decide_lines,
    default_line_rules,
    judge_line,
    make_line,
    page_line_rules,
)


def verdict(line: str) -> tuple[str, str] | None:
    found = judge_line(make_line(line), default_line_rules())
    return (found.rule, found.category) if found else None


@pytest.mark.parametrize(
    ("line", "rule"),
    [
        ("January 22nd, 2019", "line.dateline"),
        ("Updated on November 20, 2025", "line.dateline"),
        ("Published: 12 March 2024, 10:30 am", "line.dateline"),
        ("2024-11-06", "line.dateline"),
        ("7 min read", "line.dateline"),
        ("Reading time: 4 minutes", "line.dateline"),
        (
            "This post may contain affiliate links, view my full disclosure policy.",
            "line.disclosure",
        ),
        ("As an Amazon Associate we earn from qualifying purchases.", "line.disclosure"),
        ("Products are chosen independently by our editors.", "line.disclosure"),
        ("If you buy through our links, we may earn a commission.", "line.disclosure"),
        ("Sign up for our newsletter", "line.phrase"),
        ("Get the best of Creative Boom delivered to your inbox weekly", "line.cta"),
        ("Book a demo", "line.cta"),
        ("Request a free quote today", "line.cta"),
        ("Subscribe to us", "line.cta"),
        ("Subscribe for the Latest Updates", "line.cta"),
        ("Register", "line.cta"),
        ("© Copyright 2004-2025 Example Ltd. All Rights Reserved.", "line.copyright"),
        ("Email: newsroom@example.com", "line.contact"),
        ("Page 1 of 8", "line.pagination"),
        ("This story is funded by readers like you", "line.support-appeal"),
        ("Written by Cassidy Horton", "line.byline-any"),
        ("Posted by David at December 16, 2025", "line.byline-any"),
        ("Next article: Go Wins 2010 Bossie Award", "line.teaser"),
        ("Table of Contents", "line.phrase"),
        # promotions of the site's own newsletter, accounts and ads, anywhere in a short line
        (
            "For daily tips and recipes, sign up for the Almanac newsletter.",
            "line.newsletter-promo",
        ),
        (
            "Join 10K+ people getting helpful guides, exciting case studies and much more in "
            "our newsletter every week.",
            "line.newsletter-promo",
        ),
        ("Want more? Sign up for our newsletter, The Selection.", "line.newsletter-promo"),
        ("Stay up to date by signing up for Example's Weekly Newsletter.", "line.newsletter-promo"),
        ("Catch up on our coverage and follow us on Facebook and TikTok.", "line.follow-promo"),
        ("Join the Facebook group - https://www.facebook.com/example", "line.follow-promo"),
        ("This article is exclusive to STAT+ subscribers", "line.account"),
        ("Already have an account? Log in", "line.account"),
        ("Help me spread the word about this podcast!", "line.appeal"),
        ("Did you make this? Please take a moment to leave a star rating.", "line.appeal"),
        ("Join Medium for free to get updates from this writer.", "line.appeal"),
        ("Advertisement: New AI Book!", "line.ad-label"),
    ],
)
def test_boilerplate_lines_are_recognised(line: str, rule: str) -> None:
    found = verdict(line)
    assert found is not None and found[0] == rule, found


@pytest.mark.parametrize(
    "sentence",
    [
        # an article about affiliate marketing is not a disclosure
        "To measure the outcomes of these partnerships, implement affiliate links and UTM "
        "tracking for every influencer.",
        # the steps of a how-to are imperatives, not calls to action
        "- Try an experimental feature without breaking your working code",
        "Open a separate business bank account",
        # dates inside sentences, reporting about subscriptions, names with "by"
        "The council will vote on January 22, 2019, after a month of hearings.",
        "Five million people subscribe to the newsletter, the company said on Tuesday.",
        "Stand by Me was the most requested song of the night.",
        "The copyright dispute between the two studios was settled out of court.",
        "Start saving now to reach your goal of a deposit within five years.",
        # newsletters, networks and subscribers in reporting
        "Twelve people signed up for my newsletter in the past week, and I did nothing.",
        "She decided to join the newsletter team at the Times in 2019, where she wrote on food.",
        "The company said the features are exclusive to premium members of its platform.",
        "I also identified 28 newsletters, a small subset of the newsletters I subscribe to.",
        "If you need help, you can join the Transparency.dev Slack. You might also want to "
        "follow me on Bluesky at @filippo.example or on Mastodon, where I post about my work "
        "on transparency logs and cryptography every week.",
    ],
)
def test_article_sentences_survive_the_new_rules(sentence: str) -> None:
    assert verdict(sentence) is None


def test_byline_of_a_known_author_goes_but_her_name_alone_stays() -> None:
    rules = page_line_rules("Port traffic grows", ["Jane Doe"])
    lines = [
        "Port traffic grows",
        "By Jane Doe | March 4, 2024",
        "The harbour authority said container traffic grew by six percent in the quarter.",
        "Jane Doe",
    ]
    decisions = decide_lines(lines, page_rules=rules)
    verdicts = [v.rule if v else None for v in decisions.verdicts]
    assert verdicts == ["head.title", "line.byline", None, None]


def test_labels_above_the_headline_go_and_so_does_the_headline() -> None:
    rules = page_line_rules("Port traffic grows", [])
    lines = [
        "Business",
        "Economy",
        "Port traffic grows",
        "The harbour authority said container traffic grew by six percent in the quarter.",
    ]
    verdicts = [v.rule if v else None for v in decide_lines(lines, page_rules=rules).verdicts]
    # the headline is the article's title, not a line of its text
    assert verdicts == ["head.before-title", "head.before-title", "head.title", None]
    # ... unless nothing follows it: a text is never emptied for its title
    alone = decide_lines(["Port traffic grows"], page_rules=rules)
    assert alone.verdicts == (None,)


def test_prose_above_the_headline_is_not_a_label() -> None:
    rules = page_line_rules("Port traffic grows", [])
    lines = [
        "The harbour authority said container traffic grew by six percent in the quarter.",
        "Port traffic grows",
    ]
    assert decide_lines(lines, page_rules=rules).verdicts[0] is None


def test_calls_to_action_end_the_text_with_what_follows() -> None:
    lines = [
        "The harbour authority said container traffic grew by six percent in the quarter.",
        "Dock workers agreed to a new contract last month after a week of strikes.",
        "The authority expects growth to slow later in the year as demand weakens.",
        "Get started today",
        "Privacy",
        "Terms",
    ]
    verdicts = [v.rule if v else None for v in decide_lines(lines).verdicts]
    assert verdicts == [None, None, None, "line.cta", "tail.run", "tail.run"]


def test_a_bio_of_the_page_author_goes_but_sentences_about_her_stay() -> None:
    rules = page_line_rules("Best laptops of the year", ["Ashley Biancuzzo"])
    lines = [
        "Best laptops of the year",
        "Ashley Biancuzzo said the new chips doubled battery life in her tests.",
        "Battery life matters most for students, who carry a laptop all day long.",
        "Hi, I’m Ashley Biancuzzo, and I oversee all laptop coverage at the magazine.",
        "Ashley Biancuzzo is a senior editor who has reviewed laptops for a decade.",
    ]
    verdicts = [v.rule if v else None for v in decide_lines(lines, page_rules=rules).verdicts]
    assert verdicts == ["head.title", None, None, "line.author-bio", "line.author-bio"]
    # without the page's authors, the same paragraphs are prose
    plain = decide_lines(lines, page_rules=page_line_rules("Best laptops of the year", []))
    assert all(v is None for v in plain.verdicts[1:])


@pytest.mark.parametrize("heading", ["Trending", "Why Trust Us?", "SHARE YOUR STORY"])
def test_widget_headings_are_catalogued(heading: str) -> None:
    found = verdict(heading)
    assert found is not None and found[0] == "line.phrase", found
