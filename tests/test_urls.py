"""normalize_url / is_http_url / host_of / origin_of: one spelling per page, odd input refused."""

from __future__ import annotations

import pytest

from newsclean.scraper.errors import InvalidUrl
from newsclean.scraper.urls import (
    host_of,
    is_http_url,
    is_tracking_param,
    normalize_url,
    origin_of,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # case of scheme and host, never of the path
        ("HTTP://Example.COM/Path/Page.HTML", "http://example.com/Path/Page.HTML"),
        # default ports dropped, others kept
        ("http://example.com:80/a", "http://example.com/a"),
        ("https://example.com:443/a", "https://example.com/a"),
        ("http://example.com:443/a", "http://example.com:443/a"),
        ("https://example.com:8443/a", "https://example.com:8443/a"),
        ("http://example.com:/a", "http://example.com/a"),
        # empty path, fragments
        ("https://example.com", "https://example.com/"),
        ("https://example.com/a#section-2", "https://example.com/a"),
        ("https://example.com/a?x=1#!/hashbang", "https://example.com/a?x=1"),
        # tracking parameters gone, real ones kept in their order and spelling
        (
            "https://example.com/a?utm_source=tw&id=7&fbclid=abc&b=2&a=1&gclid=z",
            "https://example.com/a?id=7&b=2&a=1",
        ),
        ("https://example.com/a?UTM_Medium=x&mc_cid=1&mc_eid=2&_ga=3", "https://example.com/a"),
        ("https://example.com/a?", "https://example.com/a"),
        ("https://example.com/a?&&x=1&&", "https://example.com/a?x=1"),
        ("https://example.com/a?q=a+b&empty=&flag", "https://example.com/a?q=a+b&empty=&flag"),
        ("https://example.com/a?utm%5Fsource=x&k=v", "https://example.com/a?k=v"),
        # percent-encoding: upper-case hex, unreserved decoded, the rest encoded
        ("https://example.com/%7euser/a%2fb", "https://example.com/~user/a%2Fb"),
        ("https://example.com/a b/ü", "https://example.com/a%20b/%C3%BC"),
        ("https://example.com/?q=ü&r=%e2%82%ac", "https://example.com/?q=%C3%BC&r=%E2%82%AC"),
        ("https://example.com/100%", "https://example.com/100%25"),
        ("https://example.com/%zz", "https://example.com/%25zz"),
        # dot segments, trailing slashes kept
        ("https://example.com/a/./b/../c", "https://example.com/a/c"),
        ("https://example.com/a/b/..", "https://example.com/a/"),
        ("https://example.com/../../a", "https://example.com/a"),
        ("https://example.com/a/%2E%2E/b", "https://example.com/b"),
        ("https://example.com/dir/", "https://example.com/dir/"),
        # hosts: trailing dot, IDN, IPs, userinfo
        ("https://example.com./a", "https://example.com/a"),
        ("https://Bücher.example/a", "https://xn--bcher-kva.example/a"),
        ("https://xn--bcher-kva.example/a", "https://xn--bcher-kva.example/a"),
        ("https://ДОМЕН.рф/", "https://xn--d1acufc.xn--p1ai/"),
        ("http://127.0.0.1:8080/x", "http://127.0.0.1:8080/x"),
        ("http://[2001:DB8::0:1]:80/x", "http://[2001:db8::1]/x"),
        ("https://user:pw@example.com/", "https://user:pw@example.com/"),
        ("https://my_host.example/", "https://my_host.example/"),
        # whitespace from copy-paste
        ("  https://example.com/a\n", "https://example.com/a"),
        ("https://exam\tple.com/a\r\nb", "https://example.com/ab"),
    ],
)
def test_normalize_url(raw: str, expected: str) -> None:
    assert normalize_url(raw) == expected


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/a?utm_source=x&id=1#f",
        "HTTPS://Bücher.Example:443/a/../b?x=%7e",
        "http://[::1]:8000/p%20q",
    ],
)
def test_normalize_url_is_idempotent(url: str) -> None:
    once = normalize_url(url)
    assert normalize_url(once) == once


def test_spellings_of_one_page_meet() -> None:
    spellings = [
        "https://www.example.com/news/story?id=9",
        "HTTPS://WWW.EXAMPLE.COM:443/news/./story?id=9&utm_campaign=rss",
        "https://www.example.com/news/x/../story?fbclid=1&id=9#comments",
    ]
    assert len({normalize_url(s) for s in spellings}) == 1


def test_distinct_pages_stay_distinct() -> None:
    pages = [
        "https://example.com/story?id=1",
        "https://example.com/story?id=2",
        "https://example.com/Story?id=1",
        "https://example.com/story?id=1&page=2",
        "https://example.com/story/?id=1",
        "http://example.com/story?id=1",
    ]
    assert len({normalize_url(p) for p in pages}) == len(pages)


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "   ",
        "example.com/a",
        "//example.com/a",
        "/relative/path",
        "ftp://example.com/file",
        "mailto:someone@example.com",
        "javascript:alert(1)",
        "file:///etc/passwd",
        "http://",
        "http:///path",
        "http:/example.com",
        "https://exa mple.com/",
        "https://example..com/",
        "https://example.com:99999/",
        "https://example.com:8o/",
        "https://example.com:-1/",
        "http://[::1/",
        "http://[not-an-ip]/",
        "http://[::1]x/",
        "https://bücher_x.example/",  # an IDN label may not contain "_"
        "https://ex<ample.com/",
    ],
)
def test_invalid_urls_raise(bad: str) -> None:
    with pytest.raises(InvalidUrl) as info:
        normalize_url(bad)
    assert info.value.reason == "invalid-url"
    assert not is_http_url(bad)


def test_non_string_is_invalid() -> None:
    with pytest.raises(InvalidUrl):
        normalize_url(None)  # type: ignore[arg-type]
    assert not is_http_url(b"https://example.com/")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "good",
    ["http://example.com", "https://a.b.c/x?y#z", "https://[::1]/", "HTTP://EXAMPLE.COM:8080"],
)
def test_is_http_url_accepts(good: str) -> None:
    assert is_http_url(good)


@pytest.mark.parametrize(
    ("url", "host", "origin"),
    [
        ("https://News.Example.com:443/a?b", "news.example.com", "https://news.example.com"),
        ("http://news.example.com:8080/a", "news.example.com", "http://news.example.com:8080"),
        ("http://127.0.0.1:9/", "127.0.0.1", "http://127.0.0.1:9"),
        ("https://münchen.de/", "xn--mnchen-3ya.de", "https://xn--mnchen-3ya.de"),
        ("http://[::1]:80/", "[::1]", "http://[::1]"),
        ("https://user@Example.org./x", "example.org", "https://example.org"),
    ],
)
def test_host_and_origin(url: str, host: str, origin: str) -> None:
    assert host_of(url) == host
    assert origin_of(url) == origin


def test_host_of_invalid_raises() -> None:
    with pytest.raises(InvalidUrl):
        host_of("not a url")


@pytest.mark.parametrize(
    ("name", "tracking"),
    [
        ("utm_source", True),
        ("UTM_CONTENT", True),
        ("fbclid", True),
        ("gclid", True),
        ("mc_eid", True),
        ("_ga", True),
        ("utm", False),
        ("id", False),
        ("page", False),
        ("ga", False),
    ],
)
def test_is_tracking_param(name: str, tracking: bool) -> None:
    assert is_tracking_param(name) is tracking
