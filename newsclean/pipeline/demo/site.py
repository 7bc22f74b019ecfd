"""Every page of the demo site as bytes, for one base URL: deterministic for a given seed.

:class:`DemoContent` renders all pages up front (63 pages, about 570 kB) so serving is a
dictionary lookup. Changing an article's text (:meth:`DemoContent.set_article_text`) re-renders
that page only, with a new ETag and a later Last-Modified, as a real CMS edit would.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Final, Literal

from newsclean.pipeline.demo import special_pages as special
from newsclean.pipeline.demo.feeds import render_news_sitemap, render_robots, render_rss
from newsclean.pipeline.demo.plan import (
    CONSENT_PATH,
    DEFAULT_SEED,
    FEED_PATH,
    HOME_PATH,
    LOGIN_PATH,
    ROBOTS_PATH,
    SECTION,
    SECTION_PATH,
    SITEMAP_PATH,
    SOFT_404_PATH,
    TAG,
    TAG_PATH,
    Entry,
    Plan,
    build_plan,
)
from newsclean.pipeline.demo.stories import blocks_to_text, load_stories
from newsclean.pipeline.demo.templates import PageContext, render_daily, render_europa, render_press

PageKind = Literal[
    "article",
    "slow",
    "failing",
    "disallowed",
    "paywall",
    "home",
    "section",
    "tag",
    "login",
    "consent-wall",
    "soft-404",
    "feed",
    "sitemap",
    "robots",
]

HTML: Final = "text/html; charset=utf-8"
_CONTENT_TYPES: Final[dict[str, str]] = {
    "feed": "application/rss+xml; charset=utf-8",
    "sitemap": "application/xml; charset=utf-8",
    "robots": "text/plain; charset=utf-8",
}
_EDIT_STEP: Final = timedelta(hours=1)  # each edit moves Last-Modified on by this
_RENDERERS = {"press": render_press, "daily": render_daily, "europa": render_europa}


@dataclass(frozen=True, slots=True)
class DemoPage:
    """One URL's answer."""

    path: str
    kind: PageKind
    status: int
    content_type: str
    body: bytes
    last_modified: datetime  # timezone-aware
    #: the weak entity tag of ``body`` (also valid for its gzip encoding)
    etag: str

    @property
    def supports_validators(self) -> bool:
        return self.status == 200


@dataclass(frozen=True, slots=True)
class DemoArticle:
    """A real article of the site and the text a perfect extractor would return for it."""

    url: str
    title: str
    author: str
    language: str
    published_at: datetime
    summary: str  # the standfirst under the headline: shown on the page, not part of ``text``
    text: str  # paragraphs separated by one blank line; subheadings and quotes included


def _etag(body: bytes) -> str:
    return f'W/"{hashlib.sha256(body).hexdigest()[:20]}"'


def _page(path: str, kind: PageKind, html: str, modified: datetime, status: int = 200) -> DemoPage:
    body = html.encode("utf-8")
    content_type = _CONTENT_TYPES.get(kind, HTML)
    return DemoPage(path, kind, status, content_type, body, modified, _etag(body))


class DemoContent:
    """All pages of the demo site served at ``base_url`` (no trailing slash)."""

    def __init__(self, base_url: str, seed: int = DEFAULT_SEED) -> None:
        self.base_url = base_url.rstrip("/")
        self.plan: Plan = build_plan(load_stories(), seed)
        self._context = PageContext(self.base_url, self.plan)
        self._lock = threading.Lock()
        self._texts: dict[str, tuple[str, ...]] = {}  # edited article paths -> new blocks
        self._pages: dict[str, DemoPage] = {}
        self._render_all()

    # -- lookups --

    def page(self, path: str) -> DemoPage | None:
        with self._lock:
            return self._pages.get(path)

    def paths(self) -> tuple[str, ...]:
        with self._lock:
            return tuple(self._pages)

    def url(self, path: str) -> str:
        return self.base_url + path

    def articles(self) -> tuple[DemoArticle, ...]:
        """The real articles (the slow one included), oldest first, with their current text."""
        with self._lock:
            return tuple(self._article(entry) for entry in self.plan.articles)

    def _article(self, entry: Entry) -> DemoArticle:
        story = entry.story
        blocks = self._texts.get(entry.path, story.paragraphs)
        return DemoArticle(
            url=self.url(entry.path),
            title=story.title,
            author=story.author,
            language=story.language,
            published_at=entry.published_at,
            summary=story.summary,
            text=blocks_to_text(blocks),
        )

    # -- edits --

    def set_article_text(self, path: str, text: str) -> DemoPage:
        """Replace an article's text (paragraphs separated by blank lines); returns the page.

        The page gets a new ETag, and a Last-Modified one hour later per edit.
        """
        entry = next((e for e in self.plan.articles if e.path == path), None)
        if entry is None:
            raise KeyError(f"not an article of the demo site: {path}")
        blocks = tuple(" ".join(block.split()) for block in text.split("\n\n") if block.strip())
        if not blocks:
            raise ValueError("the new article text is empty")
        with self._lock:
            edited = replace(entry, modified_at=self._pages[path].last_modified + _EDIT_STEP)
            self._texts[path] = blocks
            page = self._render_entry(edited, blocks)
            self._pages[path] = page
        return page

    # -- rendering --

    def _render_all(self) -> None:
        ctx = self._context
        newest = max(entry.modified_at for entry in self.plan.entries)
        for entry in self.plan.entries:
            self._pages[entry.path] = self._render_entry(entry, entry.story.paragraphs)
        fixed = (
            _page(HOME_PATH, "home", special.render_home(ctx), newest),
            _page(SECTION_PATH, "section", special.render_section(ctx, SECTION), newest),
            _page(TAG_PATH, "tag", special.render_tag(ctx, TAG), newest),
            _page(LOGIN_PATH, "login", special.render_login(ctx), newest),
            _page(CONSENT_PATH, "consent-wall", special.render_consent_wall(), newest),
            _page(SOFT_404_PATH, "soft-404", special.render_soft_404(ctx), newest),
            _page(FEED_PATH, "feed", render_rss(self.base_url, self.plan.feed_items()), newest),
            _page(
                SITEMAP_PATH,
                "sitemap",
                render_news_sitemap(self.base_url, self.plan.sitemap_items()),
                newest,
            ),
            _page(ROBOTS_PATH, "robots", render_robots(self.base_url), newest),
        )
        for page in fixed:
            self._pages[page.path] = page

    def _render_entry(self, entry: Entry, blocks: tuple[str, ...]) -> DemoPage:
        ctx = self._context
        if entry.role == "failing":
            html = special.render_server_error()
            return _page(entry.path, "failing", html, entry.modified_at, status=500)
        if entry.role == "paywall":
            return _page(
                entry.path, "paywall", special.render_paywall(ctx, entry), entry.modified_at
            )
        html = _RENDERERS[entry.layout](ctx, entry, blocks)
        return _page(entry.path, entry.role, html, entry.modified_at)


NOT_FOUND_BODY: Final = special.render_not_found().encode("utf-8")
