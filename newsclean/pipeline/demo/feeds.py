"""The demo site's machine-readable entry points: RSS 2.0, a Google News sitemap, robots.txt."""

from __future__ import annotations

from datetime import datetime
from email.utils import format_datetime
from html import escape

from newsclean.pipeline.demo.plan import (
    DISALLOWED_PREFIX,
    FEED_PATH,
    SITE_NAME,
    SITEMAP_PATH,
    ListedPage,
)
from newsclean.pipeline.demo.templates import iso_utc


def _x(text: str) -> str:
    return escape(text, quote=True)


def render_rss(base_url: str, items: tuple[ListedPage, ...]) -> str:
    newest = max(item.published_at for item in items)
    entries = "\n".join(_rss_item(base_url, item) for item in items)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/">\n<channel>\n'
        f"<title>{_x(SITE_NAME)}</title>\n<link>{_x(base_url)}/</link>\n"
        "<description>News from Westhaven and the coast</description>\n"
        "<language>en</language>\n"
        f"<lastBuildDate>{_rfc822(newest)}</lastBuildDate>\n"
        f'<atom:link href="{_x(base_url + FEED_PATH)}" rel="self" type="application/rss+xml"/>\n'
        f"{entries}\n</channel>\n</rss>\n"
    )


def _rss_item(base_url: str, item: ListedPage) -> str:
    url = _x(base_url + item.path)
    parts = [
        f"<title>{_x(item.title)}</title>",
        f"<link>{url}</link>",
        f'<guid isPermaLink="true">{url}</guid>',
        f"<pubDate>{_rfc822(item.published_at)}</pubDate>",
    ]
    if item.author:
        parts.append(f"<dc:creator>{_x(item.author)}</dc:creator>")
    if item.section:
        parts.append(f"<category>{_x(item.section)}</category>")
    if item.summary:
        parts.append(f"<description>{_x(item.summary)}</description>")
    return "<item>" + "".join(parts) + "</item>"


def render_news_sitemap(base_url: str, items: tuple[ListedPage, ...]) -> str:
    urls = "\n".join(_sitemap_url(base_url, item) for item in items)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">\n'
        f"{urls}\n</urlset>\n"
    )


def _sitemap_url(base_url: str, item: ListedPage) -> str:
    loc = f"<loc>{_x(base_url + item.path)}</loc><lastmod>{iso_utc(item.published_at)}</lastmod>"
    if not item.news:
        return f"<url>{loc}</url>"
    return (
        f"<url>{loc}<news:news><news:publication><news:name>{_x(SITE_NAME)}</news:name>"
        f"<news:language>{item.language}</news:language></news:publication>"
        f"<news:publication_date>{iso_utc(item.published_at)}</news:publication_date>"
        f"<news:title>{_x(item.title)}</news:title></news:news></url>"
    )


def render_robots(base_url: str) -> str:
    # no Crawl-delay: the demo run should not wait between requests
    return (
        "# robots.txt of the newsclean demo site\n"
        "User-agent: *\n"
        f"Disallow: {DISALLOWED_PREFIX}\n"
        "Disallow: /wp-admin/\n"
        "Allow: /wp-admin/admin-ajax.php\n"
        "\n"
        f"Sitemap: {base_url}{SITEMAP_PATH}\n"
    )


def _rfc822(moment: datetime) -> str:
    return format_datetime(moment, usegmt=True)
