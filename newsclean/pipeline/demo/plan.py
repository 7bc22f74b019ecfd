"""The demo site's map: which story lives at which URL, in which layout, listed where.

Everything random here (layouts, dates, related links, ad positions) comes from one seeded
``random.Random``, drawn in a fixed order, so the same seed always gives the same site.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final, Literal

from newsclean.pipeline.demo.stories import Story

SITE_NAME: Final = "The Westhaven Ledger"
DEFAULT_SEED: Final = 20240304
FEED_ARTICLES: Final = 26  # newest articles in the feed; the other items are special URLs

Layout = Literal["press", "daily", "europa"]
#: article: a plain article; slow: an article answered after a delay; failing: HTTP 500
#: always; disallowed: under a robots.txt Disallow; paywall: a teaser behind a paywall
Role = Literal["article", "slow", "failing", "disallowed", "paywall"]

SLOW_SLUG: Final = "night-trains-return"
FAILING_SLUG: Final = "stadium-naming-rights"
DISALLOWED_SLUG: Final = "vaccine-trial-results"
PAYWALL_SLUG: Final = "pension-reform-protest"
_ROLES: Final[dict[str, Role]] = {
    SLOW_SLUG: "slow",
    FAILING_SLUG: "failing",
    DISALLOWED_SLUG: "disallowed",
    PAYWALL_SLUG: "paywall",
}

DISALLOWED_PREFIX: Final = "/private/"
HOME_PATH: Final = "/"
FEED_PATH: Final = "/feed.xml"
SITEMAP_PATH: Final = "/news-sitemap.xml"
ROBOTS_PATH: Final = "/robots.txt"
CONSENT_PATH: Final = "/news/politics/coalition-talks-enter-second-week-48213"
SOFT_404_PATH: Final = "/2024/02/12/old-market-hall-to-be-demolished/"
SECTION_PATH: Final = "/section/local/"
SECTION: Final = "local"
TAG_PATH: Final = "/tag/transport/"
TAG: Final = "transport"
LOGIN_PATH: Final = "/wp-login.php"

_FIRST_PUBLISHED: Final = datetime(2024, 3, 4, 6, 15, tzinfo=UTC)
_SPACING: Final = timedelta(hours=9, minutes=37)

#: reader comments shown under "press" articles: (name, text)
READER_COMMENTS: Final = (
    ("Martha Quinn", "Finally some good news. I hope they stick to the timetable this time."),
    ("Dev Patel", "Does anyone know whether this affects the weekend as well?"),
    ("J. Okonkwo", "Thanks for the detailed reporting, this is why I still read the Ledger."),
    ("Pieter", "I will believe it when I see it."),
    ("Sue Lambert", "My neighbours were talking about exactly this yesterday."),
)


@dataclass(frozen=True, slots=True)
class Entry:
    """One story placed on the site."""

    story: Story
    role: Role
    layout: Layout
    path: str
    published_at: datetime
    modified_at: datetime
    post_id: int
    related: tuple[str, ...]  # slugs of other stories shown as related links
    read_more: str  # slug of the story teased inside the body ("Read more:")
    ad_after: tuple[int, ...]  # block indices followed by an ad label
    comments: tuple[int, ...]  # indices into READER_COMMENTS


@dataclass(frozen=True, slots=True)
class ListedPage:
    """A URL as a feed or sitemap lists it."""

    path: str
    title: str
    published_at: datetime
    language: str
    author: str | None = None
    summary: str | None = None
    section: str | None = None
    news: bool = True  # sitemap: carries a <news:news> block


class Plan:
    """Every placed story, with the lookups the templates and feeds need."""

    def __init__(self, entries: tuple[Entry, ...]) -> None:
        self.entries = entries
        self._by_slug = {entry.story.slug: entry for entry in entries}
        plain = tuple(entry for entry in entries if entry.role == "article")
        self._feed_articles = self.newest_first(plain)[:FEED_ARTICLES]

    def by_slug(self, slug: str) -> Entry:
        return self._by_slug[slug]

    def with_role(self, role: Role) -> Entry:
        return next(entry for entry in self.entries if entry.role == role)

    @property
    def articles(self) -> tuple[Entry, ...]:
        """Every real article (the slow one included), oldest first."""
        return tuple(entry for entry in self.entries if entry.role in ("article", "slow"))

    def newest_first(self, entries: tuple[Entry, ...] | None = None) -> tuple[Entry, ...]:
        chosen = self.entries if entries is None else entries
        return tuple(sorted(chosen, key=lambda entry: entry.published_at, reverse=True))

    def feed_items(self) -> tuple[ListedPage, ...]:
        """~30 items: the newest articles plus the slow, failing, disallowed and consent URLs."""
        specials = tuple(self.with_role(role) for role in ("slow", "failing", "disallowed"))
        items = [_listed(entry) for entry in (*self._feed_articles, *specials)]
        items.append(_CONSENT_ITEM)
        return tuple(sorted(items, key=lambda item: item.published_at, reverse=True))

    def sitemap_items(self) -> tuple[ListedPage, ...]:
        """The rest: older articles, the paywall teaser, the soft 404, listing pages, login."""
        in_feed = {entry.path for entry in self._feed_articles}
        rest = tuple(
            entry
            for entry in self.entries
            if entry.role in ("article", "paywall") and entry.path not in in_feed
        )
        items = [_listed(entry) for entry in self.newest_first(rest)]
        items.extend(_SITEMAP_EXTRAS)
        return tuple(items)


def _listed(entry: Entry) -> ListedPage:
    story = entry.story
    return ListedPage(
        path=entry.path,
        title=story.title,
        published_at=entry.published_at,
        language=story.language,
        author=story.author,
        summary=story.summary,
        section=story.section,
    )


_CONSENT_ITEM: Final = ListedPage(
    path=CONSENT_PATH,
    title="Coalition talks enter second week without agreement on budget",
    published_at=datetime(2024, 3, 20, 17, 5, tzinfo=UTC),
    language="en",
    author="Daniel Reyes",
    summary="Negotiators are still divided over spending on housing and transport.",
    section="politics",
)
_LISTING_DATE: Final = datetime(2024, 3, 26, 0, 0, tzinfo=UTC)
_SITEMAP_EXTRAS: Final = (
    ListedPage(
        path=SOFT_404_PATH,
        title="Old market hall to be demolished",
        published_at=datetime(2024, 2, 12, 9, 30, tzinfo=UTC),
        language="en",
    ),
    ListedPage(SECTION_PATH, "Local news", _LISTING_DATE, "en", news=False),
    ListedPage(TAG_PATH, "Transport", _LISTING_DATE, "en", news=False),
    ListedPage(LOGIN_PATH, "Log In", _LISTING_DATE, "en", news=False),
)


def build_plan(stories: tuple[Story, ...], seed: int = DEFAULT_SEED) -> Plan:
    """Place every story: layout, URL, dates, and the boilerplate links around it."""
    rng = random.Random(seed)
    entries = tuple(_place(rng, index, story, stories) for index, story in enumerate(stories))
    return Plan(entries)


def _place(rng: random.Random, index: int, story: Story, stories: tuple[Story, ...]) -> Entry:
    role = _ROLES.get(story.slug, "article")
    drawn: Layout = rng.choice(("press", "daily"))  # drawn for every story: stable sequence
    layout: Layout = "europa" if story.language != "en" else drawn
    if role == "paywall":
        layout = "daily"  # the paywall teaser is a "daily" page
    published = _FIRST_PUBLISHED + index * _SPACING + timedelta(minutes=rng.randrange(0, 50))
    modified = published + timedelta(hours=rng.choice((0, 0, 1, 3)))
    post_id = 48000 + index * 17 + rng.randrange(0, 17)
    related, read_more = _links(rng, story, stories)
    blocks = len(story.paragraphs)
    ad_after = tuple(sorted(rng.sample(range(blocks - 1), 2 if blocks > 4 else 1)))
    comments = tuple(rng.sample(range(len(READER_COMMENTS)), rng.randrange(0, 3)))
    return Entry(
        story=story,
        role=role,
        layout=layout,
        path=_path(role, layout, story, published, post_id),
        published_at=published,
        modified_at=modified,
        post_id=post_id,
        related=related,
        read_more=read_more,
        ad_after=ad_after,
        comments=comments,
    )


def _links(
    rng: random.Random, story: Story, stories: tuple[Story, ...]
) -> tuple[tuple[str, ...], str]:
    """Related links and the in-body teaser: other stories of the same language edition.

    Never the failing or embargoed story: a site does not link to what it cannot serve.
    """
    unlinkable = {FAILING_SLUG, DISALLOWED_SLUG, story.slug}
    others = [
        other.slug
        for other in stories
        if other.language == story.language and other.slug not in unlinkable
    ]
    related = tuple(rng.sample(others, min(3, len(others) - 1)))
    read_more = rng.choice([slug for slug in others if slug not in related])
    return related, read_more


def _path(role: Role, layout: Layout, story: Story, published: datetime, post_id: int) -> str:
    if role == "disallowed":
        return f"{DISALLOWED_PREFIX}embargo/{story.slug}.html"
    if layout == "press":
        return f"/{published:%Y/%m/%d}/{story.slug}/"
    if layout == "daily":
        return f"/news/{story.section}/{story.slug}-{post_id}"
    return f"/{story.language}/{story.section}/{story.slug}.html"
