"""Page type and soft failures (newsclean.cleaners.pagetype).

Fixture pages in tests/data/pagetype (one per class and per soft failure, plus the articles
that must *not* be flagged), the bundled demo site's special pages, and the pieces: URL
shapes, structured data, class-name counting, consent language, the score itself.
"""

from __future__ import annotations

from pathlib import Path

import lxml.html
import pytest
import trafilatura
from lxml import etree

from newsclean.cleaners.clean import parse_html
from newsclean.cleaners.pagetype import (
    PRIORS,
    WEIGHTS,
    ClassNames,
    PageDecision,
    PageFeatures,
    Signal,
    classify,
    consent_share,
    decide,
    headline_words,
    signals,
    url_hints,
)
from newsclean.pipeline.demo.site import DemoContent

PAGES = Path(__file__).resolve().parent / "data" / "pagetype"
SITE = "https://www.northfield-courier.example"


def features_of(html: str, url: str | None) -> PageFeatures:
    root = parse_html(html)
    assert root is not None
    return PageFeatures.read(root, url)


def decide_page(html: str, url: str | None) -> PageDecision:
    """What the rules say about a page, with trafilatura's main text."""
    text = trafilatura.extract(html, url=url) or ""
    return classify(features_of(html, url), text)


# --- fixture pages -------------------------------------------------------------------------

STORY = f"{SITE}/local/2024/05/14/cycle-bridge/"  # soft failures are served at story URLs
FIXTURES = [
    # file, url, page type, soft failure, a word the reason must contain
    ("article_news", f"{SITE}/local/2024/05/14/cycle-bridge-approved/", "article", None, "schema"),
    ("article_cookies", f"{SITE}/tech/2024/03/08/reject-all-rules/", "article", None, "schema"),
    ("article_404_days", f"{SITE}/island/404-days-later-the-ferry/", "article", None, "schema"),
    ("article_subscribe_box", f"{SITE}/farming/drought-wheat/", "article", None, "schema"),
    ("listing_section", f"{SITE}/local/", "listing", None, "headline links"),
    ("listing_search", f"{SITE}/?s=bridge", "listing", None, "search url"),
    ("product", "https://shop.example/products/trailhead-38l-backpack", "product", None, "product"),
    ("forum_thread", "https://forum.example/viewtopic.php?t=48213", "forum", None, "phpBB"),
    ("forum_qa", "https://answers.example/questions/927358/undo-commits", "forum", None, "qapage"),
    ("other_docs", "https://tidyq.example/en/latest/configuration.html", "other", None, "docs"),
    ("soft_consent_wall", STORY, "other", "consent-wall", "consent"),
    ("soft_blocked", STORY, "other", "blocked", "Attention"),
    ("soft_captcha", STORY, "other", "captcha", "Just a moment"),
    ("soft_paywall_teaser", f"{SITE}/news/harbour-wall-race/", "other", "paywall", "isAccessible"),
    ("soft_paywall_prompt", f"{SITE}/news/city-rents-rose/", "other", "paywall", "subscription"),
    ("soft_404", f"{SITE}/local/2019/01/01/old-story/", "other", "soft-404", "not found"),
    ("soft_404_markup", "https://stadtanzeiger.example/lokales/alt/", "other", "soft-404", "error"),
]


@pytest.mark.parametrize(("name", "url", "page_type", "soft_failure", "why"), FIXTURES)
def test_fixture_page_is_classified(
    name: str, url: str, page_type: str, soft_failure: str | None, why: str
) -> None:
    decision = decide_page((PAGES / f"{name}.html").read_text(encoding="utf-8"), url)
    assert (decision.page_type, decision.soft_failure) == (page_type, soft_failure)
    assert why.lower() in decision.reason.lower()
    assert decision.is_article == (page_type == "article")


def test_every_fixture_file_is_covered() -> None:
    assert {p.stem for p in PAGES.glob("*.html")} == {name for name, *_ in FIXTURES}


def test_soft_failures_are_decided_without_the_extractor_text() -> None:
    """The cleaner may remove a whole wall or prompt: the page itself still tells."""
    html = (PAGES / "soft_consent_wall.html").read_text(encoding="utf-8")
    assert classify(features_of(html, None), "").soft_failure == "consent-wall"
    html = (PAGES / "soft_paywall_teaser.html").read_text(encoding="utf-8")
    assert classify(features_of(html, None), "").soft_failure == "paywall"


def test_a_long_story_titled_404_is_not_a_soft_404_but_a_short_error_page_is() -> None:
    html = (PAGES / "article_404_days.html").read_text(encoding="utf-8")
    features = features_of(html, None)
    assert headline_words(features) >= 7
    assert classify(features, "It has been 404 days. " * 40).soft_failure is None
    not_found = PageFeatures(title="404 | Harbour Herald", text_chars=200)
    assert classify(not_found, "Sorry.").soft_failure == "soft-404"
    error_404 = PageFeatures(title="Error 404", text_chars=200)
    assert classify(error_404, "").soft_failure == "soft-404"


def test_a_block_page_title_on_a_long_page_is_not_a_block_page() -> None:
    features = PageFeatures(title="Access denied: the lost archives of the harbour board")
    article = "The archive was closed in 1987. " * 60
    assert classify(features, article).soft_failure is None
    small = PageFeatures(title="Access denied", text_chars=120)
    assert classify(small, "").soft_failure == "blocked"
    brief = PageFeatures(title="Airport security check queues reach two hours", og_type="article")
    assert classify(brief, "Passengers waited for two hours on Friday.").soft_failure is None


def test_a_challenge_script_on_an_empty_page_is_a_captcha_but_a_form_widget_is_not() -> None:
    challenge = (
        "<html><head><title>example-news.com</title>"
        '<script src="https://geo.captcha-delivery.com/captcha/?initialCid=x"></script></head>'
        "<body><p>Please enable JS and disable any ad blocker</p></body></html>"
    )
    assert classify(features_of(challenge, None), "").soft_failure == "captcha"
    contact = (
        "<html><head><title>Contact us</title></head><body><h1>Contact us</h1>"
        '<form action="/contact"><textarea name="m"></textarea>'
        '<div class="g-recaptcha" data-sitekey="x"></div><button>Send</button></form>'
        "</body></html>"
    )
    assert classify(features_of(contact, None), "Write to us.").soft_failure is None


# --- the demo site -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo() -> DemoContent:
    return DemoContent("http://127.0.0.1:8000")


def demo_paths(demo: DemoContent, *kinds: str) -> list[str]:
    pages = [(path, demo.page(path)) for path in demo.paths()]
    return [path for path, page in pages if page is not None and page.kind in kinds]


def demo_decision(demo: DemoContent, path: str) -> PageDecision:
    page = demo.page(path)
    assert page is not None
    return decide_page(page.body.decode("utf-8"), demo.url(path))


def test_every_demo_article_is_an_article(demo: DemoContent) -> None:
    """Including the two about cookies and the one on a path robots.txt disallows."""
    paths = demo_paths(demo, "article", "slow", "disallowed")
    assert len(paths) >= 50
    wrong = {path: d for path in paths if not (d := demo_decision(demo, path)).is_article}
    assert wrong == {}


@pytest.mark.parametrize(
    ("kind", "page_type", "soft_failure"),
    [
        ("consent-wall", "other", "consent-wall"),
        ("soft-404", "other", "soft-404"),
        ("paywall", "other", "paywall"),
        ("section", "listing", None),
        ("tag", "listing", None),
        ("home", "listing", None),
        ("login", "other", None),
    ],
)
def test_demo_special_pages(
    demo: DemoContent, kind: str, page_type: str, soft_failure: str | None
) -> None:
    [path] = demo_paths(demo, kind)
    decision = demo_decision(demo, path)
    assert (decision.page_type, decision.soft_failure) == (page_type, soft_failure)


def test_demo_cookie_articles_are_far_from_the_consent_threshold(demo: DemoContent) -> None:
    for path in demo.paths():
        page = demo.page(path)
        assert page is not None
        if page.kind == "article" and b"cookie" in page.body.lower():
            features = features_of(page.body.decode("utf-8"), demo.url(path))
            assert consent_share(features.text_head) < 0.4, path


# --- reading the page ----------------------------------------------------------------------


def test_read_does_not_change_the_tree() -> None:
    html = (PAGES / "product.html").read_text(encoding="utf-8")
    root = parse_html(html)
    assert root is not None
    before = etree.tostring(root)
    PageFeatures.read(root, None)
    assert etree.tostring(root) == before


def test_read_counts_what_the_page_declares() -> None:
    html = (PAGES / "article_news.html").read_text(encoding="utf-8")
    features = features_of(html, f"{SITE}/local/2024/05/14/cycle-bridge-approved/")
    assert features.title.startswith("Council approves new cycle bridge")
    assert features.h1 == "Council approves new cycle bridge over the Wend river"
    assert features.og_type == "article"
    assert "newsarticle" in features.schema_types
    assert features.has_published_date and features.has_author
    assert features.accessible_for_free is None
    assert features.time_elements == 1 and features.article_elements == 1
    assert features.prose_paragraphs == 5
    assert features.byline_marks and features.share_marks and features.post_marks
    assert 0 < features.link_chars < features.text_chars
    assert features.url_hints == ("dated",)


def test_script_and_style_text_is_not_page_text() -> None:
    big_json = '{"x": "' + "y" * 5000 + '"}'
    html = (
        "<html><head><title>t</title></head><body><p>Visible words here.</p>"
        f"<script>var a = 1;</script><script type='application/json'>{big_json}</script>"
        "<style>p { color: red }</style></body></html>"
    )
    features = features_of(html, None)
    assert features.text_chars == len("Visible words here.")
    assert features.text_head == "Visible words here."


def test_read_survives_pages_without_head_body_or_text() -> None:
    for html in ("<p>only a paragraph</p>", "<html><body></body></html>", "<div><a href='/'>x</a>"):
        features = features_of(html, "https://example.com/")
        assert features.text_chars >= 0
    fragment = lxml.html.fragment_fromstring("<div><p>loose fragment</p></div>")
    assert PageFeatures.read(fragment, None).title == ""


def test_json_ld_graph_lists_main_entity_and_broken_json() -> None:
    html = """<html><head>
    <script type="application/ld+json">{"@graph": [{"@type": "WebPage"},
      {"@type": ["BlogPosting", "Thing"], "datePublished": "2024-01-01", "author": "A"}]}</script>
    <script type="application/ld+json">
      [{"@type": "QAPage", "mainEntity": {"@type": "Question"}}]</script>
    <script type="application/ld+json">{"@type": "Product", "name": "broken", </script>
    <script type="application/ld+json">{"@type": "http://schema.org/NewsArticle",
      "isAccessibleForFree": "False"}</script>
    </head><body><div itemscope itemtype="https://schema.org/Recipe">r</div></body></html>"""
    features = features_of(html, None)
    assert set(features.schema_types) >= {"webpage", "blogposting", "qapage", "question"}
    assert {"newsarticle", "recipe"} <= set(features.schema_types)
    assert "product" not in features.schema_types  # the broken block is no evidence
    assert features.has_published_date and features.has_author
    assert features.accessible_for_free is False


def test_has_part_not_free_counts_and_free_pages_say_so() -> None:
    not_free = (
        '{"@type": "Article", "hasPart": {"@type": "WebPageElement", "isAccessibleForFree": false}}'
    )
    free = '{"@type": "Article", "isAccessibleForFree": true}'
    for data, expected in ((not_free, False), (free, True)):
        script = f'<script type="application/ld+json">{data}</script>'
        html = f"<html><head>{script}</head><body></body></html>"
        assert features_of(html, None).accessible_for_free is expected


def test_class_names_count_whole_pieces_only() -> None:
    names = ClassNames.of(
        ["product-price", "product__price", "price", "priceless-gift", "btn add-to-cart", "x"]
    )
    assert names.count(["price"]) == 4  # present as a piece: every occurrence counts
    assert ClassNames.of(["priceless-gift"]).count(["price"]) == 0
    assert names.count(["add-to-cart"]) == 1
    assert names.count(["add-to-basket"]) == 0


def test_cart_is_found_in_buttons_and_form_actions() -> None:
    html = """<html><body><form action="/cart/add"><button>Add to Cart</button></form>
    <input type="submit" value="Buy it now"></body></html>"""
    assert features_of(html, None).cart_marks == 3


def test_svg_title_is_not_the_page_title() -> None:
    html = "<html><head></head><body><svg><title>icon</title></svg><h1>Heading</h1></body></html>"
    features = features_of(html, None)
    assert features.title == "" and features.h1 == "Heading"


# --- URL shapes ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "hints"),
    [
        ("https://a.example/", ("home",)),
        ("https://a.example/en-gb/", ("home",)),
        ("https://a.example/index.html", ("home",)),
        ("https://a.example/?s=bridge", ("search",)),
        ("https://a.example/search?q=tram", ("search",)),
        (
            "https://a.example/2024/03/04/harbour-tram-extension-approved/",
            ("dated", "article-slug"),
        ),
        (
            "https://a.example/news/science/glacier-melt-record-alpine-survey-48018",
            ("dated", "article-slug"),
        ),
        ("https://a.example/tag/transport/", ("listing",)),
        ("https://a.example/category/local/page/2/", ("listing", "paged")),
        ("https://a.example/news", ("listing",)),
        ("https://a.example/2024/03/", ("listing",)),
        ("https://a.example/section/local/?page=3", ("listing", "paged")),
        ("https://a.example/topics/gear/best-gps-watch", ()),
        ("https://community.example.org/t/broken-update/931828", ("dated", "forum")),
        ("https://a.example/viewtopic.php?t=361697", ("forum",)),
        ("https://a.example/products/crusher-anc-2-headphones", ("article-slug", "product")),
        ("https://docs.example.org/en/latest/intro.html", ("docs",)),
        ("https://a.example/docs/guides/auth", ("docs",)),
        (None, ()),
    ],
)
def test_url_hints(url: str | None, hints: tuple[str, ...]) -> None:
    assert url_hints(url) == hints


# --- the score -----------------------------------------------------------------------------


def test_every_signal_that_can_fire_has_a_weight() -> None:
    """Run the signal functions over every fixture: unknown names would raise KeyError."""
    for path in PAGES.glob("*.html"):
        html = path.read_text(encoding="utf-8")
        for found in signals(features_of(html, f"{SITE}/{path.stem}/"), "Some text. " * 80):
            assert found.name in WEIGHTS and found.weight != 0


def test_decide_adds_weights_and_breaks_ties_in_prior_order() -> None:
    assert decide([]).page_type == "other"  # an article needs some evidence
    assert decide([Signal("og-article", "og")]).page_type == "article"
    tie = decide([Signal("url-listing", "l"), Signal("url-product", "p")])
    assert tie.page_type == "listing"  # 2.0 each: listing comes before product
    priors = {**PRIORS, "article": 5.0}
    assert decide([Signal("url-listing", "l")], priors).page_type == "article"


def test_reason_names_the_strongest_signals_of_the_winner() -> None:
    decision = decide(
        [
            Signal("schema-product", "schema product"),
            Signal("cart", "add-to-cart"),
            Signal("og-article", "og:type article"),
            Signal("price-markup", "price markup"),
        ]
    )
    assert decision.page_type == "product"
    assert decision.reason == "schema product, add-to-cart, price markup"
    sunk = decide([Signal("short-text", "main text only 12 chars"), Signal("url-home", "home")])
    assert sunk.page_type == "other"
    assert sunk.reason == "main text only 12 chars, home"


def test_no_main_text_is_never_an_article() -> None:
    html = (PAGES / "article_news.html").read_text(encoding="utf-8")
    decision = classify(features_of(html, None), "  \n ")
    assert decision == PageDecision("other", None, "no main text")
    assert not decision.is_article


def test_without_a_page_only_the_text_length_counts() -> None:
    """No visible text read (plain-text input, a page rendered by script): no share signals."""
    found = {s.name for s in signals(PageFeatures(), "A sentence of a story. " * 300)}
    assert found == {"long-text"}
    assert {s.name for s in signals(PageFeatures(), "Short.")} == {"short-text"}


def test_consent_share_tells_dialog_language_from_talk_about_cookies() -> None:
    wall = (
        "We use cookies to personalise content and ads.\nAccept all\nReject all\nManage preferences"
    )
    assert consent_share(wall) > 0.9
    story = (
        "The bakery's oat cookies won the national award.\n"
        "Judges praised the cookies for their texture and for the honey from the roof hives.\n"
        "The family has baked cookies in the same oven since 1952."
    )
    assert consent_share(story) == 0.0
    assert consent_share("") == 0.0
