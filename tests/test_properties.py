"""Property-based tests of the cleaners on arbitrary input (hypothesis).

What must hold for *any* input, however broken:

* ``decode_html`` turns any bytes into a :class:`Decoded` (or raises the cleaners'
  :class:`DecodeError`); a byte-order mark of any kind wins; valid UTF-8 without a
  declaration is read as UTF-8.
* ``detect_input_format`` answers "html" or "text", the same for a string and its UTF-8 bytes.
* ``clean_html`` / ``clean`` never raise anything outside the :class:`CleanerError` tree, and
  the :class:`Article` they return is well formed (:func:`assert_well_formed`: ``str``
  fields, timezone-aware datetimes, removal log entries of the documented shape, paragraphs
  separated by exactly one blank line) with clean strings (:func:`assert_clean_strings`: no
  NUL, encodable as UTF-8 -- what every writer downstream needs).
* ``clean_text`` keeps paragraphs in their order (its output lines are a subsequence of the
  input's, paragraph by paragraph), and cleaning its own output changes nothing. That
  idempotence holds by construction: every line rule judges a line on its own, so a line
  kept once is kept again, and the tail rules only start at a line some rule removed.

Inputs: arbitrary bytes and text (NUL bytes, C0/C1 controls, lone surrogates in ``str``,
invalid UTF-8, BOMs of every kind, documents mixing several encodings) and random HTML from
:func:`html_documents`, which nests tags, leaves them unclosed or closes the wrong one, and
mixes in comments, CDATA, processing instructions, ``<script>``/``<style>`` soup, entities,
huge attribute values, JSON-LD, date metadata and canonical links.

The ``clean_html`` properties carry an explicit example of every crash the fuzzer once found
(each also has a regression test in ``tests/test_hostile_input.py``), so their status does
not depend on what the generator reaches.

Runs are reproducible: ``derandomize=True`` derives the examples from each test's name and
no example database is read or written. Example counts keep the file well under 60 s on the
shared 2-core box.
"""

from __future__ import annotations

import codecs
import json
import re
from datetime import datetime
from typing import Literal, get_args

from hypothesis import HealthCheck, Phase, assume, example, given, settings
from hypothesis import strategies as st

from newsclean.cleaners import (
    Article,
    Decoded,
    Removal,
    clean,
    clean_html,
    clean_text,
    decode_html,
    detect_input_format,
)
from newsclean.cleaners.errors import CleanerError, DecodeError
from newsclean.cleaners.records import EncodingSource, PageType, RemovalLevel

PAGE_TYPES = frozenset(get_args(PageType))
REMOVAL_LEVELS = frozenset(get_args(RemovalLevel))
ENCODING_SOURCES = frozenset(get_args(EncodingSource))
#: Removal.text is whitespace-collapsed and cut to this many characters (records.py)
REMOVAL_TEXT_LIMIT = 500


def fixed(max_examples: int, *, shrink: bool = True) -> settings:
    """Reproducible settings: examples derived from the test, no database, no deadline.

    There is no per-example deadline because the first call of a session builds the phrase
    tables and imports trafilatura's lazy parts; slowness is measured in
    ``tests/test_hostile_input.py`` and ``benchmarks/fuzz_cleaners.py`` instead.
    ``shrink=False`` is for tests marked xfail on a known bug: the first failing example is
    enough, shrinking it would only spend time (set it back when the mark goes).
    """
    phases = tuple(Phase) if shrink else (Phase.explicit, Phase.generate)
    return settings(
        max_examples=max_examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=phases,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


# --- strategies: characters, bytes, encodings ------------------------------------------------

#: every character, including NUL, C0/C1 controls, noncharacters and lone surrogates
any_char = st.characters(exclude_categories=())
any_text = st.text(any_char, max_size=300)
#: text that can be encoded (no lone surrogates)
encodable_text = st.text(st.characters(exclude_categories=["Cs"]), max_size=300)

BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
)
#: byte-order marks decode_html does not know: they must simply not break it
OTHER_BOMS = (b"+/v8", b"+/v9", b"\x84\x31\x95\x33", b"\xdd\x73\x66\x73", b"\x0e\xfe\xff")
#: labels a browser knows (WHATWG Encoding Standard) and labels nobody knows
WEB_LABELS = (
    "utf-8",
    "UTF8",
    "unicode-1-1-utf-8",
    "utf-16",
    "utf-16le",
    "utf-16be",
    "iso-8859-1",
    "latin1",
    "us-ascii",
    "windows-1252",
    "windows-1251",
    "windows-1250",
    "cp1254",
    "koi8-r",
    "koi8-u",
    "iso-8859-2",
    "iso-8859-5",
    "iso-8859-7",
    "iso-8859-15",
    "shift_jis",
    "euc-jp",
    "iso-2022-jp",
    "gb2312",
    "gbk",
    "gb18030",
    "big5",
    "euc-kr",
    "tis-620",
    "x-user-defined",
    "replacement",
    "x-foo",
    "",
    '"utf-8"',
    "utf-8;",
    "\u00fctf-8",
)
#: labels Python's codecs module resolves that are not web text encodings at all
PYTHON_ONLY_LABELS = (
    "utf-7",
    "undefined",
    "rot13",
    "base64",
    "hex",
    "zlib",
    "bz2",
    "uu",
    "quopri",
    "idna",
    "punycode",
    "unicode_escape",
    "raw_unicode_escape",
    "utf-32",
    "cp037",
)
#: codecs used to write mixed-encoding documents
MIXED_CODECS = ("utf-8", "cp1252", "cp1251", "shift_jis", "gb18030", "utf-16-le", "koi8-r")

web_label = st.one_of(
    st.sampled_from(WEB_LABELS), st.text("abcdefxyz0123456789-_:.", min_size=1, max_size=20)
)


@st.composite
def content_types(draw: st.DrawFn, labels: st.SearchStrategy[str] = web_label) -> str | None:
    kind = draw(st.sampled_from(("none", "plain", "charset", "garbage")))
    if kind == "none":
        return None
    if kind == "plain":
        return "text/html"
    if kind == "charset":
        return f"text/html; charset={draw(labels)}"
    return draw(st.text(st.characters(codec="ascii"), max_size=60))


@st.composite
def declared_bytes(draw: st.DrawFn, labels: st.SearchStrategy[str] = web_label) -> bytes:
    """Arbitrary bytes, sometimes behind a BOM and/or a ``<meta charset>`` declaration."""
    body = draw(st.binary(max_size=600))
    if draw(st.booleans()):
        label = draw(labels).encode("utf-8", "replace")
        form = draw(st.sampled_from((b'<meta charset="%s">', b"<meta charset=%s>", b"")))
        form = form or b'<meta http-equiv="Content-Type" content="text/html; charset=%s">'
        body = form % label + body
    if draw(st.booleans()):
        body = draw(st.sampled_from([bom for bom, _ in BOMS] + list(OTHER_BOMS))) + body
    return body


@st.composite
def mixed_encoding_documents(draw: st.DrawFn) -> bytes:
    """One document whose pieces were written in different encodings (a spliced page)."""
    pieces = draw(
        st.lists(st.tuples(encodable_text, st.sampled_from(MIXED_CODECS)), min_size=1, max_size=6)
    )
    return b"".join(text.encode(codec, errors="replace") for text, codec in pieces)


# --- strategies: HTML ----------------------------------------------------------------------

TAGS = (
    "div", "p", "span", "a", "b", "i", "em", "strong", "article", "main", "section", "header",
    "footer", "nav", "aside", "h1", "h2", "h3", "ul", "ol", "li", "dl", "dt", "dd", "table",
    "thead", "tbody", "tr", "td", "th", "blockquote", "pre", "code", "figure", "figcaption",
    "form", "dialog", "noscript", "template", "iframe", "svg", "math", "font", "center",
    "details", "summary", "button", "select", "option", "label", "body", "head", "html",
    "frameset", "x-widget", "o:p",
)  # fmt: skip
VOID_TAGS = ("br", "hr", "img", "input", "meta", "link", "wbr", "col", "source", "base")
RAW_TEXT_TAGS = ("script", "style", "textarea", "title", "xmp", "noembed")
ATTRIBUTE_NAMES = (
    "class", "id", "style", "hidden", "aria-hidden", "role", "aria-modal", "itemprop", "href",
    "src", "lang", "content", "property", "name", "rel", "datetime", "type", "data-x", "onclick",
    "xmlns", "xml:lang", "srcset", "charset", "http-equiv",
)  # fmt: skip
ATTRIBUTE_VALUES = (
    "share", "comments", "cookie-banner", "related-posts", "adsbygoogle", "chp_ads_block",
    "display:none", "visibility: hidden", "true", "dialog", "articleBody", "datePublished",
    "canonical", "application/ld+json", "article:published_time", "og:url", "S:1", "en",
    "de-DE", "2023-01-13T10:00:00+01:00", "2023-01-13", "http://[::1", "http://[x", "//",
    "javascript:alert(1)", "", " ", "\x00", "&amp;&#0;&#xD800;", "text/html; charset=utf-7",
)  # fmt: skip
WORDS = (
    "The minister said on Wednesday that the budget would raise spending on schools.",
    "Officials confirmed the plan after months of negotiations with the regional councils.",
    "Advertisement", "Share", "Share this:", "Facebook Twitter Email", "Leave a comment",
    "Leave a Reply", "About the author", "Read more: Budget talks stall again",
    "Related Posts", "We use cookies to improve your experience.", "Subscribe to our newsletter",
    "12 comments", "Anna says:", "Powered by WordPress",
)  # fmt: skip
ENTITIES = (
    "&amp;", "&lt;", "&gt;", "&nbsp;", "&#0;", "&#x0;", "&#xD800;", "&#x110000;",
    "&#99999999999;", "&bogus;", "&amp", "&#", "&#x;", "&copy", "&NotANamedEntity;",
)  # fmt: skip
DATE_STRINGS = (
    "2023-01-13", "2023-01-13T10:00:00Z", "2023-01-13T10:00:00+05:30", "2023-01-13 10:00",
    "0000-00-00", "1970-01-01T00:00:00Z", "9999-12-31T23:59:59-23:59", "0001-01-01T00:00:00+01:00",
    "2023-02-30", "yesterday", "", "2023-13-45T99:99:99", "20230113", "2023-W02-5",
)  # fmt: skip
JSON_SHAPES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.text(max_size=20)
    | st.sampled_from(DATE_STRINGS),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(("@type", "datePublished", "dateModified", "author", "name", "@graph")),
            inner,
            max_size=4,
        )
    ),
    max_leaves=12,
)


def escape_text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;")


huge_value = st.builds(lambda c, n: c * n, st.sampled_from("xa &\"'<>\x00"), st.integers(1, 50_000))
attribute_value = st.one_of(st.sampled_from(ATTRIBUTE_VALUES), any_text, huge_value)


@st.composite
def attributes(draw: st.DrawFn) -> str:
    parts = []
    for name in draw(st.lists(st.sampled_from(ATTRIBUTE_NAMES), max_size=4)):
        value = draw(attribute_value)
        quote = draw(st.sampled_from(('"', "'", "")))
        if quote:
            parts.append(f"{name}={quote}{value.replace(quote, '')}{quote}")
        elif draw(st.booleans()):
            parts.append(name)  # a bare attribute: <div hidden>
        else:
            parts.append(f"{name}={''.join(value.split()) or 'x'}")
    return (" " + " ".join(parts)) if parts else ""


text_nodes = st.one_of(
    st.sampled_from(WORDS),
    st.sampled_from(ENTITIES),
    any_text,
    any_text.map(escape_text),
    st.sampled_from(("<", ">", "</", "<!", "<!-", "<?", "&", "<p <p <p", '<a href="', "]]>")),
)
special_nodes = st.one_of(
    any_text.map(lambda t: f"<!--{t}-->"),
    any_text.map(lambda t: f"<!--{t}"),  # never closed
    any_text.map(lambda t: f"<![CDATA[{t}]]>"),
    any_text.map(lambda t: f"<?php {t} ?>"),
    st.just("<!DOCTYPE html>"),
    st.just('<?xml version="1.0" encoding="utf-8"?>'),
    st.builds(
        lambda tag, attrs, body, close: f"<{tag}{attrs}>{body}{close}",
        st.sampled_from(RAW_TEXT_TAGS),
        attributes(),
        st.one_of(any_text, st.sampled_from(("</scr", "<!--<script>", "</script", "</style >"))),
        st.sampled_from(("</script>", "</style>", "</textarea>", "</title>", "", "</SCRIPT >")),
    ),
    JSON_SHAPES.map(lambda v: f'<script type="application/ld+json">{json.dumps(v)}</script>'),
    st.builds(
        lambda name, value: f'<meta property="{name}" content="{value}">',
        st.sampled_from(("article:published_time", "article:modified_time", "og:url", "date")),
        st.sampled_from(DATE_STRINGS),
    ),
    st.builds(lambda href: f'<link rel="canonical" href="{href}">', attribute_value),
    st.builds(lambda tag, attrs: f"<{tag}{attrs}>", st.sampled_from(VOID_TAGS), attributes()),
    st.sampled_from(TAGS).map(lambda tag: f"</{tag}>"),  # a stray end tag
)


def element(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """An element around ``children``: closed, left open, or closed with the wrong tag."""
    return st.builds(
        lambda tag, attrs, inner, close: f"<{tag}{attrs}>{''.join(inner)}{close(tag)}",
        st.sampled_from(TAGS),
        attributes(),
        st.lists(children, max_size=5),
        st.sampled_from(
            (lambda tag: f"</{tag}>", lambda tag: f"</{tag}>", lambda tag: "", lambda tag: "</div>")
        ),
    )


html_fragments = st.recursive(text_nodes | special_nodes, element, max_leaves=15)


@st.composite
def html_documents(draw: st.DrawFn) -> str:
    """A page: sometimes a proper skeleton around the soup, sometimes just the soup."""
    body = "".join(draw(st.lists(html_fragments, max_size=4)))
    shape = draw(st.sampled_from(("full", "body-only", "bare")))
    if shape == "full":
        head = "".join(draw(st.lists(special_nodes, max_size=3)))
        return f"<!DOCTYPE html><html><head>{head}</head><body>{body}</body></html>"
    if shape == "body-only":
        return f"<html><body>{body}"
    return body


@st.composite
def html_bytes(draw: st.DrawFn) -> tuple[bytes, str | None]:
    """A random page as bytes: some encoding, maybe a BOM, maybe a Content-Type header."""
    text = draw(html_documents())
    codec = draw(st.sampled_from(("utf-8", "cp1252", "cp1251", "shift_jis", "utf-16-le")))
    body = text.encode(codec, errors="replace")
    if draw(st.booleans()):
        body = draw(st.sampled_from([bom for bom, _ in BOMS])) + body
    return body, draw(content_types())


# --- what every Article must satisfy -------------------------------------------------------


def assert_well_formed(article: Article, input_format: Literal["html", "text"]) -> None:
    """The shape of an Article, whatever the page was."""
    assert isinstance(article, Article)
    assert article.input_format == input_format
    assert article.page_type in PAGE_TYPES
    assert isinstance(article.text, str)
    assert isinstance(article.markdown, str)
    if not article.text.strip():
        assert not article.is_article
    for optional in optional_strings(article):
        assert optional is None or isinstance(optional, str)
    for many in (article.authors, article.tags, article.categories):
        assert isinstance(many, tuple)
        assert all(isinstance(item, str) for item in many)
    for moment in (article.published_at, article.modified_at):
        if moment is not None:
            assert isinstance(moment, datetime)
            assert moment.tzinfo is not None and moment.utcoffset() is not None
    assert_paragraph_layout(article.text)
    assert isinstance(article.removals, tuple)
    for removal in article.removals:
        assert_removal(removal)
        if input_format == "text":
            assert removal.level == "line"


def optional_strings(article: Article) -> tuple[str | None, ...]:
    return (
        article.url,
        article.title,
        article.site_name,
        article.language,
        article.description,
        article.canonical_url,
        article.image_url,
        article.soft_failure,
    )


def assert_clean_strings(article: Article) -> None:
    """No NUL, and nothing a UTF-8 writer refuses (lone surrogates), in any text field."""
    values = [article.text, article.markdown, *optional_strings(article)]
    values += [*article.authors, *article.tags, *article.categories]
    for value in values:
        if value is not None:
            assert "\x00" not in value
            value.encode("utf-8")


def assert_paragraph_layout(text: str) -> None:
    """Paragraphs separated by exactly one blank line, no blank paragraph, no edge space."""
    if not text:
        return
    assert text == text.strip()
    for paragraph in text.split("\n\n"):
        assert paragraph.strip(), f"blank paragraph in {text!r}"
        assert all(line.strip() for line in paragraph.split("\n")), f"blank line in {text!r}"


def assert_removal(removal: Removal) -> None:
    assert isinstance(removal, Removal)
    assert isinstance(removal.rule, str) and removal.rule
    assert isinstance(removal.category, str) and removal.category
    assert isinstance(removal.text, str) and removal.text
    assert len(removal.text) <= REMOVAL_TEXT_LIMIT
    assert removal.text == " ".join(removal.text.split())
    assert removal.level in REMOVAL_LEVELS


def clean_html_or_error(data: str | bytes, content_type: str | None = None) -> Article | None:
    """``clean_html``; None when it raised a documented CleanerError (allowed)."""
    try:
        return clean_html(data, "https://news.example/a/1", content_type=content_type)
    except CleanerError:
        return None


# --- decode_html ---------------------------------------------------------------------------


def assert_decoded(decoded: Decoded) -> None:
    assert isinstance(decoded, Decoded)
    assert isinstance(decoded.text, str)
    assert decoded.source in ENCODING_SOURCES
    codecs.lookup(decoded.encoding)
    assert decoded.overruled_header is None or isinstance(decoded.overruled_header, str)


@fixed(300)
@given(body=declared_bytes(), content_type=content_types())
@example(body=b"", content_type=None)
@example(body=b"\x00" * 64, content_type="text/html; charset=utf-16")
@example(body=b"\xff\xfe\x00", content_type=None)  # a UTF-32 BOM cut short
@example(body=b'<meta charset="x-foo">caf\xe9', content_type="text/html; charset=x-foo")
def test_decode_html_decodes_any_bytes(body: bytes, content_type: str | None) -> None:
    try:
        decoded = decode_html(body, content_type)
    except DecodeError:
        return
    assert_decoded(decoded)


@fixed(120)
@given(body=mixed_encoding_documents(), content_type=content_types())
def test_decode_html_survives_mixed_encodings(body: bytes, content_type: str | None) -> None:
    assert_decoded(decode_html(body, content_type))


@fixed(200)
@given(text=encodable_text, bom=st.sampled_from(BOMS), content_type=content_types())
def test_a_byte_order_mark_wins(
    text: str, bom: tuple[bytes, str], content_type: str | None
) -> None:
    mark, codec = bom
    # FF FE 00 00 opens both UTF-32 LE and UTF-16 LE text that starts with U+0000; UTF-32 is
    # checked first (as in decode.py), so such a UTF-16 page is ambiguous by construction.
    assume(not (codec == "utf-16-le" and text.startswith("\x00")))
    decoded = decode_html(mark + text.encode(codec), content_type)
    assert decoded.source == "bom"
    assert decoded.text == text
    assert not decoded.lossy


@fixed(200)
@given(text=encodable_text)
def test_undeclared_valid_utf8_is_utf8(text: str) -> None:
    body = text.encode("utf-8")
    assume(not body.startswith(codecs.BOM_UTF8) and "<meta" not in text and "<?xml" not in text)
    decoded = decode_html(body)
    assert decoded.text == text
    assert decoded.encoding == "utf-8"


@fixed(150)
@given(
    body=declared_bytes(st.sampled_from(PYTHON_ONLY_LABELS)),
    content_type=content_types(st.sampled_from(PYTHON_ONLY_LABELS)),
)
def test_non_web_encoding_labels_are_ignored(body: bytes, content_type: str | None) -> None:
    decoded = decode_html(body, content_type)
    assert_decoded(decoded)
    assert codecs.lookup(decoded.encoding).name not in {
        codecs.lookup(label).name for label in PYTHON_ONLY_LABELS if label != "utf-32"
    }


# --- detect_input_format -------------------------------------------------------------------


@fixed(200)
@given(data=st.one_of(any_text, st.binary(max_size=400), html_documents()))
def test_detect_input_format_answers_html_or_text(data: str | bytes) -> None:
    assert detect_input_format(data) in ("html", "text")


@fixed(120)
@given(text=st.one_of(encodable_text, html_documents()))
def test_detect_input_format_same_for_text_and_its_utf8_bytes(text: str) -> None:
    body = text.encode("utf-8", errors="replace")
    assume(len(body) <= 4_000)  # both sniff windows then hold the whole document
    assert detect_input_format(text.encode("utf-8", "replace").decode("utf-8")) == (
        detect_input_format(body)
    )


@fixed(60)
@given(body=html_documents())
def test_a_page_with_a_doctype_is_html(body: str) -> None:
    assert detect_input_format(f"<!DOCTYPE html><html><body>{body}") == "html"


# --- clean_html / clean --------------------------------------------------------------------


#: inputs that once crashed clean_html outside the CleanerError tree (regression tests in
#: tests/test_hostile_input.py), pinned as explicit examples so that each test's status does
#: not hang on what the generator happens to reach
CANONICAL_IPV6 = '<!DOCTYPE html><html><head><link rel="canonical" href="h://[x"></head></html>'
CONTROL_BESIDE_SHARE = '<!DOCTYPE html><html><body><A00 CLASS="SHARE"></A00>\x08</body></html>'


@fixed(100)
@given(html=html_documents())
@example(html=CANONICAL_IPV6)
@example(html=CONTROL_BESIDE_SHARE)
def test_clean_html_on_random_markup(html: str) -> None:
    article = clean_html_or_error(html)
    if article is not None:
        assert_well_formed(article, "html")
        assert_clean_strings(article)


@fixed(100)
@given(page=html_bytes())
@example(page=(CONTROL_BESIDE_SHARE.encode("cp1252"), "text/html; charset=windows-1252"))
@example(page=(b'<meta charset="undefined"><p>Budget</p>', None))
def test_clean_html_on_encoded_random_markup(page: tuple[bytes, str | None]) -> None:
    body, content_type = page
    article = clean_html_or_error(body, content_type)
    if article is not None:
        assert_well_formed(article, "html")
        assert_clean_strings(article)


@fixed(100)
@given(
    data=st.one_of(declared_bytes(), mixed_encoding_documents(), any_text),
    content_type=content_types(),
)
@example(data="\ud800<p>x</p>" * 3, content_type=None)
@example(data=b"\x00" * 100, content_type=None)
@example(data=b"<p>Budget</p>", content_type="text/html; charset=undefined")
def test_clean_html_on_arbitrary_input(data: str | bytes, content_type: str | None) -> None:
    article = clean_html_or_error(data, content_type)
    if article is not None:
        assert_well_formed(article, "html")
        assert_clean_strings(article)


@fixed(150)
@given(
    data=st.one_of(
        html_documents(),
        html_bytes().map(lambda page: page[0]),
        declared_bytes(),
        mixed_encoding_documents(),
    )
)
def test_clean_html_fails_only_inside_the_error_tree(data: str | bytes) -> None:
    """Any exception outside CleanerError, and any malformed Article, fails."""
    try:
        article = clean_html(data, "https://news.example/a/1")
    except CleanerError:
        return
    assert_well_formed(article, "html")
    assert_clean_strings(article)


@fixed(60)
@given(
    data=st.one_of(html_documents(), st.lists(st.sampled_from(WORDS), max_size=8).map("\n".join))
)
@example(data=CONTROL_BESIDE_SHARE)
@example(data=CANONICAL_IPV6)
def test_clean_dispatches_on_the_detected_format(data: str) -> None:
    try:
        article = clean(data, "https://news.example/a/1")
    except CleanerError:
        return
    assert article.input_format == detect_input_format(data)
    assert_well_formed(article, article.input_format)


# --- clean_text ----------------------------------------------------------------------------

#: plain text: article sentences, boilerplate lines, blank lines and arbitrary characters
text_lines = st.one_of(
    st.sampled_from(WORDS), st.just(""), st.just("   "), encodable_text, st.just("\r")
)
plain_texts = st.lists(text_lines, max_size=30).map("\n".join)
#: the same with NUL, lone surrogates and every other character allowed anywhere
hostile_plain_texts = st.lists(st.one_of(text_lines, any_text), max_size=30).map("\n".join)


def input_paragraphs(text: str) -> list[list[str]]:
    """The input's paragraphs as clean_text reads them: blank-line separated, lines stripped,
    NUL dropped and lone surrogates replaced (the characters no writer can store)."""
    text = re.sub("[\ud800-\udfff]", "\ufffd", text.replace("\x00", ""))
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    paragraphs: list[list[str]] = [[]]
    for raw in lines:
        if raw.strip():
            paragraphs[-1].append(raw.strip())
        elif paragraphs[-1]:
            paragraphs.append([])
    return [p for p in paragraphs if p]


def is_subsequence(part: list[str], whole: list[str]) -> bool:
    remaining = iter(whole)
    return all(any(line == candidate for candidate in remaining) for line in part)


def assert_order_kept(source: str, cleaned: str) -> None:
    """Every output paragraph is a subsequence of a later input paragraph than the last."""
    source_paragraphs = input_paragraphs(source)
    position = 0
    for paragraph in cleaned.split("\n\n") if cleaned else []:
        lines = paragraph.split("\n")
        while position < len(source_paragraphs) and not is_subsequence(
            lines, source_paragraphs[position]
        ):
            position += 1
        assert position < len(source_paragraphs), f"{paragraph!r} out of order or invented"
        position += 1


@fixed(200)
@given(text=plain_texts)
@example(text="Title line\n\nFirst paragraph.\n\nShare this:\nFacebook Twitter Email")
def test_clean_text_keeps_paragraph_order(text: str) -> None:
    article = clean_text(text)
    assert_well_formed(article, "text")
    assert_order_kept(text, article.text)


@fixed(200)
@given(text=hostile_plain_texts)
def test_clean_text_types_hold_on_any_characters(text: str) -> None:
    article = clean_text(text)
    assert isinstance(article.text, str)
    assert_order_kept(text, article.text)
    for removal in article.removals:
        assert_removal(removal)


@fixed(100)
@given(text=hostile_plain_texts)
@example(text="Budget talks\x00 resume today in the capital.")
@example(text="Budget talks \ud800 resume today in the capital.")
def test_clean_text_output_is_clean_on_any_characters(text: str) -> None:
    article = clean_text(text)
    assert_well_formed(article, "text")
    assert_clean_strings(article)


@fixed(200)
@given(text=plain_texts)
def test_clean_text_is_idempotent(text: str) -> None:
    once = clean_text(text).text
    assert clean_text(once).text == once
