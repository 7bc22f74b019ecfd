"""The bundled demo news site: every URL answers as designed, feeds parse, bytes are stable."""

from __future__ import annotations

import csv
import gzip
import json
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import datetime
from email.utils import format_datetime, parsedate_to_datetime
from importlib import resources
from urllib.parse import urlsplit

import httpx
import pytest
from lxml import etree, html
from protego import Protego

from newsclean.pipeline.demo import DemoContent, DemoSite
from newsclean.pipeline.demo.phrases import all_phrases
from newsclean.pipeline.demo.stories import load_stories, parse_stories

RSS_DC = "{http://purl.org/dc/elements/1.1/}"
SITEMAP_NS = {
    "s": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "news": "http://www.google.com/schemas/sitemap-news/0.9",
}
BASE = "http://demo.test:8080"


@pytest.fixture(scope="module")
def site() -> Iterator[DemoSite]:
    with DemoSite(slow_delay=0.3) as running:
        yield running


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10) as opened:
        yield opened


def _feed_links(body: bytes) -> list[str]:
    root = etree.fromstring(body)
    return [str(link) for link in root.xpath("/rss/channel/item/link/text()")]


def _sitemap_links(body: bytes) -> list[str]:
    root = etree.fromstring(body)
    return [str(loc) for loc in root.xpath("/s:urlset/s:url/s:loc/text()", namespaces=SITEMAP_NS)]


def _visible_text(body: bytes) -> str:
    return " ".join(html.fromstring(body).text_content().split())


# -- lifecycle --


def _demo_threads() -> list[threading.Thread]:
    return [
        t for t in threading.enumerate() if t.name == "demo-site" or "process_request" in t.name
    ]


def test_starts_on_loopback_and_stops_cleanly_even_with_an_idle_keepalive_client() -> None:
    before = len(_demo_threads())
    site = DemoSite(slow_delay=0.1).start()
    assert urlsplit(site.base_url).hostname == "127.0.0.1"
    port = urlsplit(site.base_url).port
    assert port
    idle = httpx.Client(timeout=10)  # keeps its connection open while we stop
    try:
        assert idle.get(site.robots_url).status_code == 200
        site.stop()
        assert not site.running
        assert len(_demo_threads()) == before
        with pytest.raises(OSError), socket.create_connection(("127.0.0.1", port), timeout=2):
            pass
    finally:
        idle.close()
        site.stop()  # idempotent


def test_stopping_wakes_a_request_still_waiting_on_the_slow_url() -> None:
    site = DemoSite(slow_delay=60).start()
    outcome: list[object] = []

    def ask() -> None:
        try:
            outcome.append(httpx.get(site.slow_url, timeout=90).status_code)
        except httpx.HTTPError as exc:
            outcome.append(exc)

    asker = threading.Thread(target=ask)
    asker.start()
    server = site._server
    assert server is not None
    deadline = time.monotonic() + 10
    while not server._open and time.monotonic() < deadline:
        time.sleep(0.01)  # until the server has accepted the connection
    time.sleep(0.1)  # and its handler is waiting out the delay
    started = time.monotonic()
    site.stop()
    assert time.monotonic() - started < 30  # not the 60 s the handler was told to wait
    asker.join(timeout=30)
    assert not asker.is_alive()
    assert len(outcome) == 1 and isinstance(outcome[0], httpx.HTTPError)


# -- every URL answers as designed --


def test_robots_txt_disallows_the_feed_linked_path_and_names_the_sitemap(
    site: DemoSite, client: httpx.Client
) -> None:
    answer = client.get(site.robots_url)
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/plain")
    robots = Protego.parse(answer.text)
    assert not robots.can_fetch(site.disallowed_url, "newsclean")
    assert all(robots.can_fetch(url, "newsclean") for url in site.article_urls)
    assert list(robots.sitemaps) == [site.sitemap_url]
    assert robots.crawl_delay("newsclean") is None
    assert site.disallowed_url in _feed_links(client.get(site.feed_url).content)


def test_feed_is_rss2_with_30_items_that_exist(site: DemoSite, client: httpx.Client) -> None:
    answer = client.get(site.feed_url)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/rss+xml")
    root = etree.fromstring(answer.content)
    assert root.tag == "rss" and root.get("version") == "2.0"
    items = root.findall("channel/item")
    assert len(items) == 30
    for item in items:
        assert item.findtext("guid") == item.findtext("link")
        assert parsedate_to_datetime(item.findtext("pubDate") or "").tzinfo is not None
    links = _feed_links(answer.content)
    assert site.slow_url in links
    assert set(links) - set(site.article_urls) == {
        site.failing_url,
        site.disallowed_url,
        site.non_article_urls["consent-wall"],
    }


def test_news_sitemap_lists_the_rest(site: DemoSite, client: httpx.Client) -> None:
    answer = client.get(site.sitemap_url)
    assert answer.status_code == 200
    root = etree.fromstring(answer.content)
    assert root.tag == "{http://www.sitemaps.org/schemas/sitemap/0.9}urlset"
    news = root.xpath("//news:news", namespaces=SITEMAP_NS)
    assert news and all(n.findtext("news:title", namespaces=SITEMAP_NS) for n in news)
    in_sitemap = _sitemap_links(answer.content)
    in_feed = _feed_links(client.get(site.feed_url).content)
    assert not set(in_sitemap) & set(in_feed)
    assert set(site.article_urls) <= set(in_sitemap) | set(in_feed)
    assert set(site.non_article_urls.values()) - {site.home_url} <= set(in_sitemap) | set(in_feed)
    assert len(in_sitemap) + len(in_feed) == 59


def test_homepage_advertises_the_feed(site: DemoSite, client: httpx.Client) -> None:
    page = html.fromstring(client.get(site.home_url).content)
    hrefs = page.xpath('//link[@rel="alternate"][@type="application/rss+xml"]/@href')
    assert [site.url(href) for href in hrefs] == [site.feed_url]


def test_every_article_answers_200_html_with_its_text_and_metadata(
    site: DemoSite, client: httpx.Client
) -> None:
    fast = [article for article in site.articles if article.url != site.slow_url]
    assert len(site.articles) == 51 and len(fast) == 50
    assert len({article.title for article in site.articles}) == 51
    for article in fast:
        answer = client.get(article.url)
        assert answer.status_code == 200, article.url
        assert answer.headers["content-type"] == "text/html; charset=utf-8"
        text = _visible_text(answer.content)
        for block in article.text.split("\n\n"):
            assert block in text, (article.url, block[:60])
        page = html.fromstring(answer.content)
        assert page.get("lang") == article.language
        ld = json.loads(page.xpath('//script[@type="application/ld+json"]/text()')[0])
        node = ld["@graph"][0] if "@graph" in ld else ld
        assert node["headline"] == article.title
        assert datetime.fromisoformat(node["datePublished"]) == article.published_at
        assert page.xpath('//meta[@name="author"]/@content') == [article.author]


def test_articles_come_in_three_layouts_wrapped_in_real_boilerplate(
    site: DemoSite, client: httpx.Client
) -> None:
    texts = [_visible_text(client.get(url).content) for url in site.article_urls[:12]]
    german = next(a for a in site.articles if a.language == "de")
    french = next(a for a in site.articles if a.language == "fr")
    everything = " ".join(texts)
    for phrase in (
        "Leave a Reply",
        "Ads Blocker Detected!!!",
        "Share this:",
        "Advertisement",
        "Read more:",
        "Sign up for our newsletter",
        "Accept All Cookies",
        "Most Popular",
    ):
        assert phrase in everything, phrase
    assert "Anzeige" in _visible_text(client.get(german.url).content)
    assert "Lire aussi" in _visible_text(client.get(french.url).content)
    styles = {urlsplit(url).path.split("/")[1] for url in site.article_urls}
    assert {"2024", "news", "de", "fr"} <= styles


@pytest.mark.parametrize(
    ("kind", "marker"),
    [
        ("consent-wall", "Before you continue"),
        ("soft-404", "Page not found"),
        ("paywall", "Subscribe to continue reading"),
        ("section", "Local"),
        ("tag", "Tag: transport"),
        ("login", "Lost your password?"),
    ],
)
def test_non_articles_answer_200_and_are_what_they_say(
    site: DemoSite, client: httpx.Client, kind: str, marker: str
) -> None:
    answer = client.get(site.non_article_urls[kind])
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "text/html; charset=utf-8"
    assert marker in _visible_text(answer.content)


def test_paywall_page_holds_only_the_first_paragraph(site: DemoSite, client: httpx.Client) -> None:
    page = html.fromstring(client.get(site.non_article_urls["paywall"]).content)
    assert len(page.xpath('//div[@class="story-body"]/p')) == 1
    ld = json.loads(page.xpath('//script[@type="application/ld+json"]/text()')[0])
    assert ld["isAccessibleForFree"] is False


def test_failing_url_is_always_500_and_unknown_paths_404(
    site: DemoSite, client: httpx.Client
) -> None:
    for _ in range(2):
        answer = client.get(site.failing_url)
        assert answer.status_code == 500 and "etag" not in answer.headers
    assert client.get(site.url("/no/such/page")).status_code == 404


def test_slow_url_answers_after_the_delay(site: DemoSite, client: httpx.Client) -> None:
    started = time.monotonic()
    answer = client.get(site.slow_url)
    assert time.monotonic() - started >= 0.3
    assert answer.status_code == 200 and "Night trains" in answer.text


# -- HTTP behaviour --


@pytest.mark.parametrize("which", ["feed", "sitemap", "article"])
def test_conditional_requests_get_304(site: DemoSite, client: httpx.Client, which: str) -> None:
    url = {"feed": site.feed_url, "sitemap": site.sitemap_url, "article": site.article_urls[3]}[
        which
    ]
    first = client.get(url)
    etag, last_modified = first.headers["etag"], first.headers["last-modified"]
    by_etag = client.get(url, headers={"If-None-Match": etag})
    assert by_etag.status_code == 304 and by_etag.content == b""
    assert by_etag.headers["etag"] == etag
    by_date = client.get(url, headers={"If-Modified-Since": last_modified})
    assert by_date.status_code == 304
    stale = client.get(url, headers={"If-None-Match": '"something-else"'})
    assert stale.status_code == 200 and stale.content == first.content
    # If-None-Match wins over If-Modified-Since (RFC 9110 13.2.2)
    both = client.get(
        url, headers={"If-None-Match": '"something-else"', "If-Modified-Since": last_modified}
    )
    assert both.status_code == 200
    older = format_datetime(parsedate_to_datetime(last_modified).replace(year=2020), usegmt=True)
    assert client.get(url, headers={"If-Modified-Since": older}).status_code == 200


def test_gzip_only_when_accepted_and_head_has_no_body(site: DemoSite, client: httpx.Client) -> None:
    url = site.article_urls[0]
    plain = client.get(url, headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    raw = httpx.Request("GET", url, headers={"Accept-Encoding": "gzip"})
    zipped = client.send(raw, stream=True)
    try:
        assert zipped.headers["content-encoding"] == "gzip"
        assert gzip.decompress(b"".join(zipped.iter_raw())) == plain.content
    finally:
        zipped.close()
    head = client.head(url)
    assert head.status_code == 200 and head.content == b""
    assert head.headers["etag"] == plain.headers["etag"]


def test_requests_are_logged(site: DemoSite, client: httpx.Client) -> None:
    url = site.non_article_urls["login"]
    before = site.hits(url)
    client.get(url)
    assert site.hits(url) == before + 1
    assert site.requests[-1].path == urlsplit(url).path and site.requests[-1].status == 200


def test_editing_an_article_changes_its_etag_text_and_date(client: httpx.Client) -> None:
    with DemoSite(slow_delay=0) as site:
        url = site.article_urls[5]
        first = client.get(url)
        feed_etag = client.get(site.feed_url).headers["etag"]
        site.set_article_text(url, "A corrected first paragraph.\n\nAnd a new second one.")
        changed = client.get(url, headers={"If-None-Match": first.headers["etag"]})
        assert changed.status_code == 200
        assert "A corrected first paragraph." in _visible_text(changed.content)
        assert changed.headers["etag"] != first.headers["etag"]
        assert parsedate_to_datetime(changed.headers["last-modified"]) > parsedate_to_datetime(
            first.headers["last-modified"]
        )
        edited = next(a for a in site.articles if a.url == url)
        assert edited.text == "A corrected first paragraph.\n\nAnd a new second one."
        feed = client.get(site.feed_url, headers={"If-None-Match": feed_etag})
        assert feed.status_code == 304  # the feed did not change
        with pytest.raises(KeyError):
            site.set_article_text(site.feed_url, "x")


# -- determinism --


def test_same_seed_same_bytes_other_seed_other_site() -> None:
    first, second = DemoContent(BASE), DemoContent(BASE)
    assert first.paths() == second.paths()
    for path in first.paths():
        assert first.page(path) == second.page(path), path
    other = DemoContent(BASE, seed=7)
    assert any(other.page(path) != first.page(path) for path in first.paths())


def test_two_live_sites_serve_identical_bodies_up_to_their_address(
    site: DemoSite, client: httpx.Client
) -> None:
    with DemoSite(slow_delay=0) as twin:
        for path in ("/feed.xml", "/news-sitemap.xml", "/robots.txt", "/"):
            ours = client.get(site.url(path)).text.replace(site.base_url, BASE)
            theirs = client.get(twin.url(path)).text.replace(twin.base_url, BASE)
            assert ours == theirs, path
        for ours_url, twin_url in zip(site.article_urls[:5], twin.article_urls[:5], strict=True):
            ours = client.get(ours_url).text.replace(site.base_url, BASE)
            theirs = client.get(twin_url).text.replace(twin.base_url, BASE)
            assert ours == theirs


# -- bundled content --


def test_every_boilerplate_phrase_is_a_row_of_the_tsv() -> None:
    data = resources.files("newsclean.cleaners").joinpath("data/boilerplate-phrases.tsv")
    with data.open(encoding="utf-8") as handle:
        rows = {
            (r["phrase"], r["category"], r["language"])
            for r in csv.DictReader(handle, delimiter="\t")
        }
    used = all_phrases()
    assert len(used) > 60
    missing = [p for p in used if (p.text, p.category, p.language) not in rows]
    assert missing == []


def test_stories_are_distinct_and_well_formed() -> None:
    stories = load_stories()
    assert len(stories) == 54
    assert {story.language for story in stories} == {"en", "de", "fr"}
    paragraphs = [block for story in stories for block in story.paragraphs]
    assert len(set(paragraphs)) == len(paragraphs)  # no paragraph repeats across stories
    assert all(len(story.text.split()) >= 80 for story in stories)


def test_a_malformed_story_is_refused() -> None:
    with pytest.raises(ValueError, match="lacks"):
        parse_stories("\n=== a-slug\nlang: en\ntitle: T\n\nOne.\n\nTwo.\n\nThree.\n")
    with pytest.raises(ValueError, match="fewer than 3"):
        parse_stories(
            "\n=== s\nlang: en\nsection: x\ntitle: T\nauthor: A\ntags: t\nsummary: S\n\nOnly.\n"
        )


def test_module_serves_until_interrupted() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "newsclean.pipeline.demo", "--slow-delay", "0"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        assert first.startswith("Demo news site at http://127.0.0.1:")
        base = first.split(" at ", 1)[1].strip()
        assert httpx.get(base + "robots.txt", timeout=10).status_code == 200
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()
