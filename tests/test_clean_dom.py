"""DOM-level pruning (attribute rules and the guards that protect articles), and the block
rule that takes boilerplate containers whatever their class names."""

from __future__ import annotations

import lxml.html
import pytest

from newsclean.cleaners import clean_html
from newsclean.cleaners.dom import (
    ATTRIBUTE_RULES,
    CONTAINER_PATTERNS,
    container_category,
    prune_boilerplate,
)

PARAGRAPHS = [
    "The regional parliament approved a new water law on Thursday after two years of debate "
    "between farmers, cities and environmental groups about who should pay for shortages.",
    "Under the law, farms that use more than a set amount of groundwater will pay a fee that "
    "rises in dry years, and the money will go to repairing leaking municipal pipes.",
    "Environmental groups welcomed the decision but said the fee was too low to change how "
    "much water the largest farms pump from the ground during the summer months.",
    "The law takes effect in January, and the first fees will be collected a year later, "
    "once meters have been installed on every registered well in the region.",
]


def page(inside: str = "", outside: str = "", wrapper: str = "article") -> str:
    body = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    return (
        "<html><head><title>Water law</title></head><body><main>"
        f"<{wrapper}><h1>Parliament passes water law</h1>{body}{inside}</{wrapper}>"
        f"{outside}</main></body></html>"
    )


def prune(html: str) -> tuple[lxml.html.HtmlElement, list[tuple[str, str]]]:
    root = lxml.html.document_fromstring(html)
    removals = prune_boilerplate(root)
    return root, [(r.rule, r.category) for r in removals]


def text_of(root: lxml.html.HtmlElement) -> str:
    return " ".join(root.text_content().split())


@pytest.mark.parametrize(
    ("snippet", "rule"),
    [
        ("<div hidden><p>Secret promo text here</p></div>", "dom.hidden"),
        ('<div aria-hidden="true"><p>Secret promo text here</p></div>', "dom.hidden"),
        ('<div style="color:red; display: none"><p>Secret promo text here</p></div>', "dom.hidden"),
        ('<div style="visibility:hidden"><p>Secret promo text here</p></div>', "dom.hidden"),
        ("<dialog><p>Secret promo text here</p></dialog>", "dom.modal"),
        ('<div role="alertdialog"><p>Secret promo text here</p></div>', "dom.modal"),
        ('<div aria-modal="true"><p>Secret promo text here</p></div>', "dom.modal"),
        ("<noscript><p>Secret promo text here</p></noscript>", "dom.noscript"),
        ('<form action="/s"><p>Secret promo text here</p><input name="q"></form>', "dom.form"),
        ('<div id="comments"><p>Secret promo text here</p></div>', "dom.container.comment-prompt"),
        (
            '<div class="x comment-respond"><p>Secret promo text here</p></div>',
            "dom.container.comment-prompt",
        ),
        ('<div class="sharedaddy"><p>Secret promo text here</p></div>', "dom.container.share"),
        (
            '<div class="yarpp-related-widget"><p>Secret promo text here</p></div>',
            "dom.container.related",
        ),
        ('<div id="cookie-notice"><p>Secret promo text here</p></div>', "dom.container.cookie"),
        (
            '<div class="mc4wp-form-123"><p>Secret promo text here</p></div>',
            "dom.container.newsletter",
        ),
        (
            '<div id="chp_ads_blocker-modal"><p>Secret promo text here</p></div>',
            "dom.container.adblock-notice",
        ),
    ],
)
def test_attribute_rules_remove_their_element(snippet: str, rule: str) -> None:
    for html in (page(inside=snippet), page(outside=snippet)):
        root, removals = prune(html)
        assert "Secret promo text" not in text_of(root)
        assert [r for r, _ in removals] == [rule]
        assert all(p in text_of(root) for p in PARAGRAPHS)


def test_a_hidden_element_holding_the_article_is_kept() -> None:
    # some sites hide the body until a script runs; losing the article is worse than noise
    root, removals = prune(page(wrapper='div style="display:none"'))
    assert all(p in text_of(root) for p in PARAGRAPHS)
    assert removals == []


def test_a_page_wide_form_is_kept() -> None:
    html = (
        page()
        .replace("<main>", '<main><form id="aspnetForm" action="/">')
        .replace("</main>", "</form></main>")
    )
    root, removals = prune(html)
    assert all(p in text_of(root) for p in PARAGRAPHS)
    assert removals == []


def test_comment_section_with_article_elements_is_removed() -> None:
    comments = (
        '<div id="comments"><h2>3 Comments</h2><ol class="comment-list">'
        '<li><article class="comment-body"><p>Great piece, thanks for writing it.</p>'
        "</article></li>"
        "</ol></div>"
    )
    root, removals = prune(page(outside=comments))
    assert "Great piece" not in text_of(root)
    assert ("dom.container.comment-prompt", "comment-prompt") in removals


def test_block_of_boilerplate_with_random_classes_goes() -> None:
    modal = (
        '<div class="k2j3x"><ul class="q9"><li>Ads Blocker Detected!!!</li>'
        "<li>We have detected that you are using extensions to block ads. Please support us "
        'by disabling these ads blocker.</li><li class="zz">Reload the page</li>'
        "<li>Powered By</li></ul></div>"
    )
    article = clean_html(page(inside=modal))
    assert "Ads Blocker" not in article.text and "Reload the page" not in article.text
    assert ("line.block", "adblock-notice") in {(r.rule, r.category) for r in article.removals}
    assert all(p in article.text for p in PARAGRAPHS)


def test_a_list_with_one_boilerplate_item_stays() -> None:
    items = (
        "<ul><li>Advertisement</li><li>Meters go on every well by the end of the year.</li>"
        "<li>Fees start a year later.</li></ul>"
    )
    article = clean_html(page(inside=items))
    assert "Meters go on every well" in article.text and "Fees start" in article.text
    assert "Advertisement" not in article.text


def test_textual_boilerplate_is_left_to_the_text_level() -> None:
    root, removals = prune(page(inside="<div class='r1'><p>Leave a Reply</p><p>Share</p></div>"))
    assert removals == []
    assert "Leave a Reply" in text_of(root)


def test_a_short_article_among_share_buttons_keeps_its_text() -> None:
    html = (
        "<html><body><article><h1>Short</h1><p>Share</p><p>Facebook</p><p>Twitter</p>"
        "<p>The vote passed.</p></article></body></html>"
    )
    assert "The vote passed." in clean_html(html).text


def test_tail_text_of_a_removed_element_is_kept() -> None:
    html = (
        "<html><body><article><h1>T</h1><p>Before <span hidden>x</span> after.</p>"
        "</article></body></html>"
    )
    root, _ = prune(html)
    assert "Before after." in text_of(root)


def test_every_attribute_rule_match_is_found_by_the_candidate_filter() -> None:
    """The prefilter (tag/attribute XPath + class/id names) sees everything the rules see."""
    snippets = [
        f'<div class="{name}">x</div>' for pattern in CONTAINER_PATTERNS for name in pattern.names
    ] + [
        f'<div id="{prefix}-7">x</div>'
        for pattern in CONTAINER_PATTERNS
        for prefix in pattern.prefixes
    ]
    for snippet in snippets:
        element = lxml.html.fragment_fromstring(snippet)
        matches = [rule(element) for rule in ATTRIBUTE_RULES]
        assert any(matches), snippet
        assert container_category(f"{element.get('class', '')} {element.get('id', '')}")


def test_container_names_are_whole_tokens() -> None:
    assert container_category("post no-comments-here") is None
    assert container_category("entry Comments") == "comment-prompt"
    assert container_category("sharingan-fan-club") is None


def test_clean_html_logs_dom_removals_with_text() -> None:
    article = clean_html(
        page(outside='<div class="sharedaddy"><h3>Share this:</h3><a>Facebook</a></div>')
    )
    dom = [r for r in article.removals if r.level == "dom"]
    assert dom and dom[0].rule == "dom.container.share" and "Share this" in dom[0].text


def test_head_scripts_styles_and_links_go_but_json_ld_meta_and_title_stay() -> None:
    head = (
        "<head><title>Water law</title><meta name='author' content='Jane Doe'>"
        "<link rel='stylesheet' href='/site.css'><style>p { color: red }</style>"
        "<script>var tracker = 1;</script><noscript>enable scripts</noscript>"
        '<script type="application/ld+json">{"@type": "NewsArticle"}</script></head>'
    )
    root, removals = prune(page().replace("<head><title>Water law</title></head>", head))
    kept = [element.tag for element in root.find("head")]
    assert kept == ["title", "meta", "script"]
    assert root.find("head/script").get("type") == "application/ld+json"
    assert removals == []  # nothing a reader sees was removed: nothing is logged
