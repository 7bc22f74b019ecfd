"""Line-level boilerplate rules, the tail rules, and the phrase catalogue they use."""

from __future__ import annotations

import pytest

from newsclean.cleaners import clean_text
from newsclean.cleaners.catalogue import default_catalogue
from newsclean.cleaners.lines import decide_lines, judge_line, make_line
from newsclean.cleaners.lines import default_line_rules as line_rules
from newsclean.cleaners.text import normalize


def verdict(line: str) -> tuple[str, str] | None:
    found = judge_line(make_line(line), line_rules())
    return (found.rule, found.category) if found else None


def test_catalogue_holds_the_shared_tsv_and_our_additions() -> None:
    catalogue = default_catalogue()
    shared = [p for p in catalogue.phrases if not p.source.startswith("newsclean")]
    assert len(shared) == 586
    languages = {p.language for p in catalogue.phrases}
    assert {"en", "de", "fr", "es", "it", "pt", "nl"} <= languages
    for language in ("en", "de", "fr", "es", "it", "pt", "nl"):
        categories = {p.category for p in catalogue.phrases if p.language == language}
        assert {"comment-prompt", "read-more", "ad-label", "share"} <= categories, language


@pytest.mark.parametrize(
    "line",
    [
        "Advertisement",
        "- ADVERTISEMENT -",
        "Anzeige",
        "Publicité",
        "Publicidad",
        "Pubblicità",
        "Advertentie",
        "Publicidade",
        "Story continues below advertisement",
    ],
)
def test_ad_labels(line: str) -> None:
    assert verdict(line) is not None
    assert verdict(line) == ("line.phrase", "ad-label")


@pytest.mark.parametrize(
    "line",
    [
        "Read more: Council unveils new cycling strategy",
        "READ MORE: Why the talks stalled",
        "Also read: How sanctions work",
        "Lesen Sie auch: Neue Radwege für die Innenstadt",
        "Lire aussi : Les faillites en hausse",
        "Lee también: Madrid amplía los horarios",
        "Leggi anche: Il governo approva la manovra",
        "Leia também: O Brasil e a inflação",
        "Lees ook: Kabinet valt over stikstof",
    ],
)
def test_teaser_lines(line: str) -> None:
    found = verdict(line)
    assert found is not None and found[1] in ("read-more", "related"), found


@pytest.mark.parametrize(
    ("line", "category"),
    [
        ("Leave a Comment", "comment-prompt"),
        ("Leave a Reply", "comment-prompt"),
        ("Leave a Reply to Anna Smith", "comment-prompt"),
        (
            "Your email address will not be published. Required fields are marked *",
            "comment-prompt",
        ),
        ("Schreibe einen Kommentar", "comment-prompt"),
        ("12 Comments", "comment-prompt"),
        ("Anna Smith says:", "comment-list-meta"),
        ("Share this:", "share"),
        ("Facebook Twitter WhatsApp Email", "share"),
        ("Follow us on Google News", "share"),
        ("Sign up for our daily newsletter to get the top stories in your inbox.", "newsletter"),
        ("Abonnez-vous à notre newsletter", "newsletter"),
        (
            "We use cookies to ensure that we give you the best experience on our website. "
            "If you continue to use this site we will assume that you are happy with it.",
            "cookie",
        ),
        (
            "Wir verwenden Cookies, um Ihnen das beste Nutzererlebnis zu bieten. Alle akzeptieren",
            "cookie",
        ),
        ("About the author", "author-bio"),
        ("Subscribe to continue reading", "paywall"),
        ("Ads Blocker Detected!!!", "adblock-notice"),
    ],
)
def test_boilerplate_lines(line: str, category: str) -> None:
    found = verdict(line)
    assert found is not None and found[1] == category, found


ARTICLE_SENTENCES = [
    # en
    "Many sites greet readers with a banner that says they use cookies, and regulators now "
    "want the button to reject them to be as visible as the one to accept them.",
    "Readers who leave a comment under the article are asked for an email address that, the "
    "site promises, will not be published anywhere.",
    "The plugin shows a notice saying “Ads Blocker Detected!!!” to readers who block ads, and "
    "the publisher says it has raised revenue by a tenth.",
    "Advertisement spending fell by four percent last year, the industry association said.",
    "Read more about the study in the report the researchers published on Monday.",
    "Mother says",
    # de
    "Viele Websites verwenden Cookies, um das Verhalten ihrer Leser zu verfolgen, und die "
    "Datenschutzbehörde will das nun strenger prüfen.",
    "Wer einen Kommentar schreibt, muss künftig seine E-Mail-Adresse bestätigen, teilte der "
    "Verlag am Montag mit.",
    # fr
    "Les sites qui utilisent des cookies publicitaires devront désormais obtenir un "
    "consentement explicite, a rappelé la CNIL dans un communiqué.",
    "Laisser un commentaire sous un article est devenu un geste politique pour de nombreux "
    "lecteurs, selon une étude publiée mardi.",
    # es
    "Muchos sitios web utilizan cookies para mostrar publicidad personalizada, según un "
    "informe de la agencia de protección de datos.",
    "Los lectores que bloquean la publicidad ven un aviso que les pide desactivar el "
    "bloqueador de anuncios, explicó el editor del diario.",
    # it
    "Molti siti utilizzano i cookie per profilare i lettori, e il Garante ha aperto "
    "un'istruttoria su dieci grandi editori.",
    # pt
    "Muitos sites usam cookies para rastrear os leitores, e a autoridade de proteção de "
    "dados quer regras mais claras para o consentimento.",
    # nl
    "Veel websites gebruiken cookies om advertenties te tonen, en de toezichthouder wil dat "
    "lezers die eenvoudig kunnen weigeren.",
]


@pytest.mark.parametrize("sentence", ARTICLE_SENTENCES)
def test_article_sentences_that_mention_boilerplate_survive(sentence: str) -> None:
    assert verdict(sentence) is None


def test_article_about_cookies_survives_intact_even_at_the_end() -> None:
    text = "\n\n".join(["Why sites ask about cookies", *ARTICLE_SENTENCES])
    article = clean_text(text)
    assert article.text == text
    assert article.removals == ()


def test_tail_run_takes_short_lines_after_terminal_boilerplate() -> None:
    body = [
        "The council approved the budget after a long debate on Tuesday evening, and the "
        "mayor said that work on the new bridge would begin in the spring.",
        "Officials expect the bridge to open within three years.",
        "Leave a Comment",
        "Ads Blocker Detected!!!",
        "Some custom notice text",
        "Powered By",
        "Best Wordpress Adblock Detecting Plugin | CHP Adblock",
    ]
    decisions = decide_lines(body)
    assert decisions.kept == (True, True, False, False, False, False, False)
    assert decisions.verdicts[4] is not None and decisions.verdicts[4].rule.startswith("tail.")


def test_tail_run_stops_at_sentences() -> None:
    body = [
        "The council approved the budget after a long debate on Tuesday evening, and the "
        "mayor said that work on the new bridge would begin in the spring.",
        "Read more: Bridge plans unveiled",
        "The company did not respond to a request for comment on Friday.",
    ]
    assert decide_lines(body).kept == (True, False, True)


def test_ad_label_in_a_final_list_does_not_take_the_list() -> None:
    body = ["A long article paragraph. " * 10, "Bring water", "Advertisement", "Wear a hat"]
    assert decide_lines(body).kept == (True, True, False, True)


def test_tail_section_takes_an_author_bio() -> None:
    body = ["A long article paragraph with many words in it. " * 12] * 3 + [
        "About the author",
        "Jane Doe has covered city politics for the paper since 2015. She lives in Leeds.",
    ]
    kept = decide_lines(body).kept
    assert kept == (True, True, True, False, False)


def test_tail_section_ends_at_the_next_heading_after_the_bio() -> None:
    body = ["A long article paragraph with many words in it. " * 12] * 3 + [
        "About the author",
        "Jane Doe",
        "Jane Doe has covered city politics for the paper since 2015. She lives in Leeds.",
        "References",
        "City council minutes, March 2024",
    ]
    kept = decide_lines(body).kept
    assert kept == (True, True, True, False, False, False, True, True)


def test_tail_rules_never_take_most_of_the_text() -> None:
    body = ["Leave a Comment", "Short line one", "Short line two", "Short line three"]
    kept = decide_lines(body).kept
    assert kept[1:] == (True, True, True)


def test_normalize_unifies_labels() -> None:
    assert normalize("  - ADVERTISEMENT -  ") == "advertisement"
    assert normalize("Lire aussi\u00a0: x") == "lire aussi: x"
    assert normalize("“Quoted”…") == "quoted"


def test_every_removal_names_rule_category_and_text() -> None:
    article = clean_text(
        "A real paragraph of the article that goes on for a while.\n\nAdvertisement"
    )
    (removal,) = article.removals
    assert (removal.rule, removal.category, removal.text, removal.level) == (
        "line.phrase",
        "ad-label",
        "Advertisement",
        "line",
    )


@pytest.mark.parametrize(
    ("line", "rule"),
    [
        ("Enjoyed this piece? We need your help to keep publishing.", "line.donation"),
        (
            "The Review is a non-profit project kept alive by reader donations – no ads, no "
            "paywalls, just the generosity of our community.",
            "line.donation",
        ),
        (
            "Support Example Weekly! Donate via PayPal or become a Patron on Patreon.",
            "line.donation",
        ),
        (
            "Disclaimer: The information contained herein is for informational purposes only "
            "and is not legal advice.",
            "line.disclaimer",
        ),
        (
            "This article is for informational purposes only and does not constitute financial "
            "advice.",
            "line.disclaimer",
        ),
        (
            "Securities and advisory services offered through Example Securities, Inc., member "
            "FINRA/SIPC.",
            "line.disclaimer",
        ),
        ("Example Wealth, LLC is a Registered Investment Adviser.", "line.disclaimer"),
        ("Tags: Employment, Health & Fitness, Small Businesses", "line.taxonomy"),
        ("Filed under: Politics, Europe", "line.taxonomy"),
    ],
)
def test_appeals_disclaimers_and_labels_are_boilerplate(line: str, rule: str) -> None:
    found = verdict(line)
    assert found is not None and found[0] == rule


@pytest.mark.parametrize(
    "line",
    [
        "Creators on Patreon earned more than $1 billion last year, the company said.",
        "The museum was funded by donations from local families, its director said.",
        "The chatbot's answer is not medical advice, experts warned, and patients should ask.",
        "Regulators said the securities were offered through a shell company in Delaware.",
        "Did you like this recipe? Please leave a comment below.",
        "Tags are small labels that help readers find related posts on a blog.",
    ],
)
def test_sentences_about_donations_advice_and_tags_stay(line: str) -> None:
    assert verdict(line) is None


PROSE = "An article paragraph long enough to read as prose, which the line rules keep as it is."


def test_a_run_of_ellipsis_excerpts_after_the_article_is_a_teaser_list() -> None:
    lines = [
        PROSE,
        PROSE,
        "Related posts",
        "Many people dream of becoming entrepreneurs, and often the biggest...",
        "Letting technology do the heavy lifting for certain monotonous tasks…",
        "Every January, companies promise themselves that this year...",
    ]
    decisions = decide_lines(lines, block_sizes=[1] * len(lines))
    assert [v.rule if v else None for v in decisions.verdicts[3:]] == ["line.excerpts"] * 3
    assert decisions.verdicts[0] is None and decisions.verdicts[1] is None


def test_ellipsis_summaries_inside_the_article_stay() -> None:
    summaries = [
        f"Desk {n} 83/100 Rating – it stands out with a sturdy frame and a..." for n in "AB"
    ]
    lines = [PROSE, *summaries, *([PROSE] * 6)]
    decisions = decide_lines(lines, block_sizes=[1] * len(lines))
    assert decisions.verdicts[1] is None and decisions.verdicts[2] is None
    # one sentence trailing off is prose, even at the end
    single = decide_lines(
        [PROSE, "And then the phone rang, and everything changed..."], block_sizes=[1, 1]
    )
    assert single.verdicts[1] is None


def test_an_author_introduced_at_the_end_of_the_text_is_the_writers_box() -> None:
    from newsclean.cleaners.lines import page_line_rules

    bio = "Jane Roe is the public sector CTO at Acme, where she advises governments on AI."
    rules = page_line_rules(title=None, authors=["Jane Roe"])
    at_end = decide_lines([PROSE, PROSE, PROSE, PROSE, bio], block_sizes=[1] * 5, page_rules=rules)
    assert at_end.verdicts[4] is not None and at_end.verdicts[4].rule == "line.author-bio"
    # the same sentence inside the article is about her, not her box
    inside = decide_lines(
        [PROSE, bio, PROSE, PROSE, PROSE, PROSE], block_sizes=[1] * 6, page_rules=rules
    )
    assert inside.verdicts[1] is None


def test_a_reference_list_after_the_article_goes() -> None:
    citations = [
        "- Doe J, Roe R. Water and cities. J Urban Stud. 2019;12(3):45-67. doi:10.1000/x",
        "- Smith A et al. (2021). Shortages in the south. https://example.org/report",
        "- Regional Water Board. Annual report 2023. Retrieved March 2024.",
    ]
    lines = [PROSE] * 6 + ["References", *citations]
    decisions = decide_lines(lines, block_sizes=[1] * len(lines))
    assert [v.rule if v else None for v in decisions.verdicts[6:]] == ["tail.references"] * 4
    assert decisions.verdicts[6] is not None and decisions.verdicts[6].category == "references"
    assert all(v is None for v in decisions.verdicts[:6])


def test_a_sources_heading_followed_by_prose_or_early_in_the_text_stays() -> None:
    # prose after the heading: not a list of works
    prose_after = [PROSE] * 4 + ["Sources", PROSE, PROSE]
    decisions = decide_lines(prose_after, block_sizes=[1] * len(prose_after))
    assert all(v is None for v in decisions.verdicts)
    # a reference heading in the first half of the text is a section of the article
    early = ["Sources", "- Report of the water board, 2023.", "- Census 2021.", *[PROSE] * 6]
    decisions = decide_lines(early, block_sizes=[1] * len(early))
    assert all(v is None for v in decisions.verdicts)


@pytest.mark.parametrize(
    ("line", "rule"),
    [
        ("Fill out the form to get a copy of our ebook.", "line.cta"),
        (
            "Product links on this site may contain affiliate tags. The author may receive "
            "compensation if you buy a product.",
            "line.disclosure",
        ),
        (
            "Idioms from the Example Dictionary copyright © 2002 by Example Publishing.",
            "line.copyright",
        ),
        ("Photo: © 2024 Example Agency", "line.copyright"),
        ("If you like the podcast, please leave a review.", "line.appeal"),
    ],
)
def test_more_boilerplate_lines(line: str, rule: str) -> None:
    found = verdict(line)
    assert found is not None and found[0] == rule


def test_a_heading_about_copyright_stays() -> None:
    assert verdict("Copyright Complexity in a Fragmented World") is None


@pytest.mark.parametrize(
    "line",
    [
        "The post Ten ferry tips for the summer appeared first on Example Harbour News.",
        "[adthrive-in-post-video-player video-id=”x1” upload-date=”2019-02-27” name=”Clean”]",
        '[caption id="attachment_12" align="alignnone" width="300"]',
        "[/caption]",
        "Thank you! Your submission has been received!",
    ],
)
def test_publishing_tool_leftovers_are_boilerplate(line: str) -> None:
    assert verdict(line) is not None


@pytest.mark.parametrize(
    "line",
    [
        "The post office appeared first on the list of closures in the town.",
        "[Updated at 5pm with comments from the mayor]",
        "[1]",
        "[Editor's note: this story was corrected on Monday]",
    ],
)
def test_bracketed_notes_and_sentences_about_posts_stay(line: str) -> None:
    assert verdict(line) is None
