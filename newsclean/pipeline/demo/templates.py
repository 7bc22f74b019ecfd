"""HTML of the demo site: three article layouts and the non-article pages.

* ``press``: a WordPress blog theme: Jetpack share and like buttons, related posts, post
  navigation, reader comments and the "Leave a Reply" form, a sidebar, the CHP Adblock modal
  the plugin appends to ``<body>``, and a cookie-law bar.
* ``daily``: a modern news site: a consent banner, "Advertisement" slots and a "Read more:"
  teaser *inside* the story body, a share bar, a newsletter box, "Most Popular".
* ``europa``: the German and French editions, with their own labels ("Anzeige", "Lire aussi").

The article text itself only ever comes from the story; everything else is boilerplate an
extractor must drop. Pages are plain strings built from escaped parts, so the same inputs give
the same bytes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from html import escape

from newsclean.pipeline.demo import phrases as P
from newsclean.pipeline.demo.plan import (
    FEED_PATH,
    READER_COMMENTS,
    SITE_NAME,
    Entry,
    Plan,
)

_SECTIONS = ("local", "politics", "business", "science", "environment", "culture", "sport")
_CET = timezone(timedelta(hours=1))
_GERMAN_MONTHS = (
    "Januar",
    "Februar",
    "März",
    "April",
    "Mai",
    "Juni",
    "Juli",
    "August",
    "September",
    "Oktober",
    "November",
    "Dezember",
)
_FRENCH_MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)


def esc(text: str | P.Phrase) -> str:
    return escape(text.text if isinstance(text, P.Phrase) else text, quote=True)


@dataclass(frozen=True, slots=True)
class PageContext:
    """What every template needs besides the entry: where the site lives and what is on it."""

    base_url: str
    plan: Plan

    def url(self, path: str) -> str:
        return self.base_url + path

    def link(self, slug: str) -> str:
        entry = self.plan.by_slug(slug)
        return f'<a href="{esc(self.url(entry.path))}">{esc(entry.story.title)}</a>'


# -- shared pieces ---------------------------------------------------------------------------


def iso_utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def iso_zulu(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def iso_cet(moment: datetime) -> str:
    return moment.astimezone(_CET).isoformat()


def json_ld(data: object) -> str:
    # "</" inside a <script> would end it early
    body = json.dumps(data, ensure_ascii=False, sort_keys=True).replace("</", "<\\/")
    return f'<script type="application/ld+json">{body}</script>'


def news_article_ld(ctx: PageContext, entry: Entry, date: str, modified: str) -> dict[str, object]:
    story = entry.story
    return {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": story.title,
        "description": story.summary,
        "datePublished": date,
        "dateModified": modified,
        "author": [{"@type": "Person", "name": story.author}],
        "publisher": {
            "@type": "Organization",
            "name": SITE_NAME,
            "logo": {"@type": "ImageObject", "url": ctx.url("/static/logo.png")},
        },
        "inLanguage": story.language,
        "mainEntityOfPage": ctx.url(entry.path),
        "articleSection": story.section,
        "keywords": ", ".join(story.tags),
    }


def _without_context(data: dict[str, object]) -> dict[str, object]:
    return {key: value for key, value in data.items() if key != "@context"}


def meta_tags(ctx: PageContext, entry: Entry, date: str, modified: str) -> str:
    story = entry.story
    url = esc(ctx.url(entry.path))
    tags = "".join(f'<meta property="article:tag" content="{esc(tag)}">' for tag in story.tags)
    return (
        f'<meta name="description" content="{esc(story.summary)}">'
        f'<meta name="author" content="{esc(story.author)}">'
        f'<link rel="canonical" href="{url}">'
        f'<meta property="og:type" content="article">'
        f'<meta property="og:title" content="{esc(story.title)}">'
        f'<meta property="og:description" content="{esc(story.summary)}">'
        f'<meta property="og:url" content="{url}">'
        f'<meta property="og:site_name" content="{esc(SITE_NAME)}">'
        f'<meta property="article:published_time" content="{date}">'
        f'<meta property="article:modified_time" content="{modified}">'
        f'<meta property="article:section" content="{esc(story.section)}">{tags}'
    )


def document(lang: str, title: str, head: str, body_class: str, body: str) -> str:
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{esc(title)}</title>\n{head}\n"
        f'<link rel="alternate" type="application/rss+xml" title="{esc(SITE_NAME)}" '
        f'href="{FEED_PATH}">\n'
        f'<link rel="stylesheet" href="/static/site.css">\n</head>\n'
        f'<body class="{body_class}">\n{body}\n</body>\n</html>\n'
    )


def _blocks(paragraphs: Iterable[str], after: dict[int, str]) -> str:
    """Story blocks as HTML, with ``after[i]`` inserted after block ``i``."""
    parts: list[str] = []
    for index, block in enumerate(paragraphs):
        if block.startswith("## "):
            parts.append(f"<h2>{esc(block[3:])}</h2>")
        elif block.startswith("> "):
            parts.append(f"<blockquote><p>{esc(block[2:])}</p></blockquote>")
        else:
            parts.append(f"<p>{esc(block)}</p>")
        if index in after:
            parts.append(after[index])
    return "\n".join(parts)


def _section_nav(ctx: PageContext, css: str) -> str:
    links = "".join(
        f'<li><a href="{esc(ctx.url(f"/section/{name}/"))}">{name.title()}</a></li>'
        for name in _SECTIONS
    )
    return f'<nav class="{css}"><ul>{links}</ul></nav>'


def _english_date(moment: datetime) -> str:
    return f"{moment:%B} {moment.day}, {moment.year}"


# -- "press": a WordPress theme with the usual plugins ----------------------------------------


def render_press(ctx: PageContext, entry: Entry, paragraphs: tuple[str, ...]) -> str:
    date, modified = iso_utc(entry.published_at), iso_utc(entry.modified_at)
    head = meta_tags(ctx, entry, date, modified) + json_ld(
        {
            "@context": "https://schema.org",
            "@graph": [
                {
                    **_without_context(news_article_ld(ctx, entry, date, modified)),
                    "@type": "Article",
                },
                {"@type": "WebPage", "@id": ctx.url(entry.path), "name": entry.story.title},
            ],
        }
    )
    ad = (
        '<div class="code-block code-block-2">'
        f'<p class="ad-label">{esc(P.ADVERTISEMENT_DASHED)}</p>'
        '<ins class="adsbygoogle"></ins></div>'
    )
    body = "\n".join(
        (
            _press_cookie_bar(ctx),
            press_header(ctx),
            '<div id="content" class="site-content"><main id="main" class="site-main">',
            f'<article id="post-{entry.post_id}" class="post-{entry.post_id} post type-post">',
            _press_entry_header(ctx, entry),
            '<div class="entry-content">',
            _blocks(paragraphs, {index: ad for index in entry.ad_after}),
            _jetpack_share(ctx, entry),
            "</div>",
            _press_entry_footer(ctx, entry),
            "</article>",
            _press_author_box(ctx, entry),
            _press_post_navigation(ctx, entry),
            _press_comments(ctx, entry),
            "</main>",
            press_sidebar(ctx, entry),
            "</div>",
            _press_footer(),
            chp_adblock_modal(),
        )
    )
    return document(
        entry.story.language,
        f"{entry.story.title} – {SITE_NAME}",
        head,
        f"post-template-default single single-post postid-{entry.post_id}",
        body,
    )


def _press_cookie_bar(ctx: PageContext) -> str:
    return (
        '<div id="cookie-law-info-bar" data-nosnippet="true"><span>'
        f"{esc(P.COOKIE_WP)} "
        f'<a role="button" class="cli_action_button cli-accept-button">{esc(P.COOKIE_ACCEPT)}</a> '
        f'<a href="{esc(ctx.url("/privacy-policy/"))}">{esc(P.COOKIE_PRIVACY_POLICY)}</a>'
        "</span></div>"
    )


def press_header(ctx: PageContext) -> str:
    return (
        f'<a class="skip-link screen-reader-text" href="#content">{esc(P.SKIP_TO_CONTENT)}</a>\n'
        '<header id="masthead" class="site-header"><div class="site-branding">'
        f'<p class="site-title"><a href="{esc(ctx.url("/"))}" rel="home">{esc(SITE_NAME)}</a></p>'
        '<p class="site-description">News from Westhaven and the coast</p></div>'
        f"{_section_nav(ctx, 'main-navigation')}"
        f'<form role="search" method="get" class="search-form" action="{esc(ctx.url("/"))}">'
        f'<label><span class="screen-reader-text">{esc(P.SEARCH_FOR)}</span>'
        '<input type="search" class="search-field" placeholder="Search &hellip;" name="s">'
        '</label><input type="submit" class="search-submit" value="Search"></form></header>'
    )


def _press_entry_header(ctx: PageContext, entry: Entry) -> str:
    story = entry.story
    author_url = esc(ctx.url(f"/author/{_slugify(story.author)}/"))
    return (
        f'<header class="entry-header"><h1 class="entry-title">{esc(story.title)}</h1>'
        '<div class="entry-meta"><span class="posted-on">Posted on '
        f'<time class="entry-date published" datetime="{iso_utc(entry.published_at)}">'
        f"{_english_date(entry.published_at)}</time></span> "
        f'<span class="byline">by <span class="author vcard"><a class="url fn n" '
        f'href="{author_url}">{esc(story.author)}</a></span></span></div></header>'
    )


def _jetpack_share(ctx: PageContext, entry: Entry) -> str:
    buttons = "".join(
        f'<li><a class="share-{_slugify(button.text.split()[4])} sd-button" '
        f'href="{esc(ctx.url(entry.path))}?share=1" title="{esc(button)}">'
        f'<span class="sharing-screen-reader-text">{esc(button)}</span></a></li>'
        for button in P.JETPACK_SHARE_BUTTONS
    )
    related = "".join(
        f'<div class="jp-relatedposts-post"><h4 class="jp-relatedposts-post-title">'
        f'{ctx.link(slug)}</h4><p class="jp-relatedposts-post-context">'
        f"In &quot;{esc(ctx.plan.by_slug(slug).story.section.title())}&quot;</p></div>"
        for slug in entry.related
    )
    return (
        '<div class="sharedaddy sd-sharing-enabled"><div class="robots-nocontent sd-block">'
        f'<h3 class="sd-title">{esc(P.SHARE_THIS)}</h3><div class="sd-content"><ul>{buttons}'
        "</ul></div></div></div>\n"
        '<div class="sharedaddy sd-block sd-like jetpack-likes-widget-wrapper">'
        f'<h3 class="sd-title">{esc(P.LIKE_THIS)}</h3>'
        f'<div class="likes-widget-placeholder"><span class="loading">{esc(P.LIKE_LOADING)}'
        "</span></div></div>\n"
        f'<div id="jp-relatedposts" class="jp-relatedposts"><h3 class="jp-relatedposts-headline">'
        f"<em>{esc(P.RELATED)}</em></h3>{related}</div>"
    )


def _press_entry_footer(ctx: PageContext, entry: Entry) -> str:
    story = entry.story
    tags = ", ".join(
        f'<a href="{esc(ctx.url(f"/tag/{_slugify(tag)}/"))}" rel="tag">{esc(tag)}</a>'
        for tag in story.tags
    )
    return (
        '<footer class="entry-footer"><span class="cat-links">Posted in '
        f'<a href="{esc(ctx.url(f"/section/{story.section}/"))}" rel="category tag">'
        f"{esc(story.section.title())}</a></span> "
        f'<span class="tags-links">Tagged {tags}</span></footer>'
    )


def _press_author_box(ctx: PageContext, entry: Entry) -> str:
    author = entry.story.author
    return (
        '<div class="author-info"><h2 class="author-title">'
        f'<span class="author-heading">Published by {esc(author)}</span></h2>'
        f'<p class="author-bio">{esc(author)} reports for {esc(SITE_NAME)}. '
        f'<a class="author-link" href="{esc(ctx.url(f"/author/{_slugify(author)}/"))}" '
        f'rel="author">{esc(P.VIEW_ALL_POSTS_BY)} {esc(author)}</a></p></div>'
    )


def _press_post_navigation(ctx: PageContext, entry: Entry) -> str:
    previous, following = entry.related[0], entry.read_more
    return (
        '<nav class="navigation post-navigation" aria-label="Posts">'
        f'<h2 class="screen-reader-text">{esc(P.POST_NAVIGATION)}</h2><div class="nav-links">'
        f'<div class="nav-previous"><span class="meta-nav">{esc(P.PREVIOUS_ARTICLE)}</span> '
        f"{ctx.link(previous)}</div>"
        f'<div class="nav-next"><span class="meta-nav">{esc(P.NEXT_ARTICLE)}</span> '
        f"{ctx.link(following)}</div></div></nav>"
    )


def _press_comments(ctx: PageContext, entry: Entry) -> str:
    listed = ""
    if entry.comments:
        items = "".join(
            _press_comment(entry, number, READER_COMMENTS[index])
            for number, index in enumerate(entry.comments, start=1)
        )
        count = len(entry.comments)
        listed = (
            f'<h2 class="comments-title">{count} thought{"s" if count > 1 else ""} on '
            f"&ldquo;{esc(entry.story.title)}&rdquo;</h2>"
            f'<ol class="comment-list">{items}</ol>'
        )
    action = esc(ctx.url("/wp-comments-post.php"))
    return (
        f'<div id="comments" class="comments-area">{listed}'
        '<div id="respond" class="comment-respond">'
        f'<h3 id="reply-title" class="comment-reply-title">{esc(P.LEAVE_A_REPLY)}</h3>'
        f'<form action="{action}" method="post" id="commentform" class="comment-form">'
        f'<p class="comment-notes"><span id="email-notes">{esc(P.EMAIL_NOT_PUBLISHED)}</span> '
        f'<span class="required-field-message">{esc(P.REQUIRED_FIELDS)} '
        '<span class="required">*</span></span></p>'
        '<p class="comment-form-comment"><label for="comment">Comment '
        '<span class="required">*</span></label>'
        '<textarea id="comment" name="comment" cols="45" rows="8" required></textarea></p>'
        '<p class="comment-form-author"><label for="author">Name <span class="required">*'
        '</span></label><input id="author" name="author" type="text" required></p>'
        '<p class="comment-form-email"><label for="email">Email <span class="required">*'
        '</span></label><input id="email" name="email" type="email" required></p>'
        '<p class="comment-form-url"><label for="url">Website</label>'
        '<input id="url" name="url" type="url"></p>'
        '<p class="comment-form-cookies-consent"><input id="wp-comment-cookies-consent" '
        'name="wp-comment-cookies-consent" type="checkbox" value="yes">'
        f'<label for="wp-comment-cookies-consent">{esc(P.SAVE_MY_NAME)}</label></p>'
        '<p class="form-submit"><input name="submit" type="submit" id="submit" '
        f'class="submit" value="{esc(P.POST_COMMENT)}"></p></form></div>'
        f'<p class="akismet_comment_form_privacy_notice">{_akismet_notice(ctx)}</p></div>'
    )


def _akismet_notice(ctx: PageContext) -> str:
    sentence, _, link = P.AKISMET.text.partition(". ")
    return (
        f'{esc(sentence)}. <a href="{esc(ctx.url("/akismet-privacy/"))}" target="_blank" '
        f'rel="nofollow noopener">{esc(link.rstrip("."))}</a>.'
    )


def _press_comment(entry: Entry, number: int, comment: tuple[str, str]) -> str:
    name, text = comment
    posted = entry.published_at + timedelta(hours=2 * number, minutes=7 * number)
    return (
        f'<li id="comment-{entry.post_id * 10 + number}" class="comment">'
        '<article class="comment-body"><footer class="comment-meta">'
        f'<div class="comment-author vcard"><b class="fn">{esc(name)}</b> '
        f'<span class="says">{esc(P.SAYS)}</span></div>'
        f'<div class="comment-metadata"><time datetime="{iso_utc(posted)}">'
        f"{_english_date(posted)} at {posted:%I:%M %p}</time></div></footer>"
        f'<div class="comment-content"><p>{esc(text)}</p></div>'
        f'<div class="reply"><a rel="nofollow" class="comment-reply-login" '
        f'href="/wp-login.php">{esc(P.LOG_IN_TO_REPLY)}</a></div></article></li>'
    )


def press_sidebar(ctx: PageContext, entry: Entry) -> str:
    recent = [other for other in ctx.plan.newest_first(ctx.plan.articles) if other != entry][:5]
    posts = "".join(f"<li>{ctx.link(other.story.slug)}</li>" for other in recent)
    commented = [other for other in ctx.plan.articles if other.comments][:3]
    comments = "".join(
        f'<li class="recentcomments"><span class="comment-author-link">'
        f"{esc(READER_COMMENTS[other.comments[0]][0])}</span> on {ctx.link(other.story.slug)}</li>"
        for other in commented
    )
    return (
        '<aside id="secondary" class="widget-area">'
        f'<section class="widget widget_recent_entries"><h2 class="widget-title">'
        f"{esc(P.RECENT_POSTS)}</h2><ul>{posts}</ul></section>"
        f'<section class="widget widget_recent_comments"><h2 class="widget-title">'
        f"{esc(P.RECENT_COMMENTS)}</h2><ul>{comments}</ul></section></aside>"
    )


def _press_footer() -> str:
    return (
        '<footer id="colophon" class="site-footer"><div class="site-info">'
        f'<a href="https://wordpress.org/">{esc(P.PROUDLY_POWERED)} WordPress</a>'
        "</div></footer>"
    )


def chp_adblock_modal() -> str:
    """The CHP Adblock plugin's modal, hidden by a stylesheet class until its script runs."""
    return (
        '<div id="chp-ads-blocker-modal" class="chp_ads_blocker_overlay">'
        '<div class="chp_ads_blocker_modal">'
        '<img src="/wp-content/plugins/chp-ads-block-detector/assets/img/icon.png" '
        f'alt="{esc(P.CHP_IMAGE_ALT)}"><h3>{esc(P.CHP_TITLE)}</h3>'
        f"<p>{esc(P.CHP_MESSAGE)}</p>"
        f'<a class="chp_ads_blocker_refresh" href="javascript:location.reload()">'
        f"{esc(P.CHP_REFRESH)}</a>"
        f'<div class="chp-branding">{esc(P.CHP_POWERED_BY)}<br>'
        f'<a href="https://www.chp-ads-block.example/" target="_blank">{esc(P.CHP_BRANDING)}'
        "</a></div></div></div>"
    )


# -- "daily": a modern news site --------------------------------------------------------------


def render_daily(ctx: PageContext, entry: Entry, paragraphs: tuple[str, ...]) -> str:
    date, modified = iso_zulu(entry.published_at), iso_zulu(entry.modified_at)
    head = meta_tags(ctx, entry, date, modified) + json_ld(
        news_article_ld(ctx, entry, date, modified)
    )
    first_ad, *more_ads = entry.ad_after
    inserts = {
        first_ad: _daily_ad(P.ADVERTISEMENT),
        **{index: _daily_ad(P.STORY_CONTINUES) for index in more_ads},
    }
    teaser_at = 0 if first_ad != 0 else 1
    inserts[teaser_at] = inserts.get(teaser_at, "") + (
        f'<p class="read-more"><strong>{esc(P.READ_MORE)}</strong> {ctx.link(entry.read_more)}</p>'
    )
    body = "\n".join(
        (
            daily_consent_banner(),
            _daily_header(ctx),
            '<main id="main" class="page">',
            '<article class="story">',
            _daily_story_header(ctx, entry),
            _daily_share_bar(ctx, entry),
            f'<div class="story-body">{_blocks(paragraphs, inserts)}</div>',
            _daily_newsletter(),
            f'<section class="comments"><h3>{esc(P.HAVE_YOUR_SAY)}</h3>'
            f"<p>{esc(P.MUST_BE_LOGGED_IN)}</p></section>",
            "</article>",
            _daily_rail(ctx, entry),
            "</main>",
            daily_footer(ctx),
        )
    )
    return document(
        entry.story.language, f"{entry.story.title} | {SITE_NAME}", head, "article-page", body
    )


def _daily_ad(label: P.Phrase) -> str:
    return (
        f'<aside class="ad-slot"><p class="ad-label">{esc(label)}</p><div class="ad"></div></aside>'
    )


def daily_consent_banner() -> str:
    return (
        '<div id="onetrust-banner-sdk" role="dialog" aria-label="Cookie banner">'
        f'<p id="onetrust-policy-text">{esc(P.COOKIE_ONETRUST)}</p>'
        f'<button id="onetrust-accept-btn-handler">{esc(P.ACCEPT_ALL_COOKIES)}</button>'
        f'<button id="onetrust-reject-all-handler">{esc(P.REJECT_ALL)}</button>'
        f'<button id="onetrust-pc-btn-handler">{esc(P.COOKIES_SETTINGS)}</button></div>'
    )


def _daily_header(ctx: PageContext) -> str:
    latest = ctx.plan.newest_first(ctx.plan.articles)[0]
    return (
        f'<a class="skip-link" href="#main">{esc(P.SKIP_TO_CONTENT)}</a>'
        f'<header class="masthead"><a class="logo" href="{esc(ctx.url("/"))}">'
        f"{esc(SITE_NAME)}</a>{_section_nav(ctx, 'sections')}"
        f'<div class="ticker"><span class="ticker-label">Latest</span> '
        f"{ctx.link(latest.story.slug)}</div></header>"
    )


def _daily_story_header(ctx: PageContext, entry: Entry) -> str:
    story = entry.story
    return (
        f'<nav class="breadcrumbs"><a href="{esc(ctx.url("/"))}">Home</a> &rsaquo; '
        f'<a href="{esc(ctx.url(f"/section/{story.section}/"))}">{esc(story.section.title())}'
        f'</a></nav><h1 class="headline">{esc(story.title)}</h1>'
        f'<p class="standfirst">{esc(story.summary)}</p>'
        f'<div class="byline">By <a rel="author" href="{esc(_author_url(ctx, story.author))}">'
        f'{esc(story.author)}</a> &middot; <time datetime="{iso_zulu(entry.published_at)}">'
        f"{entry.published_at.day} {entry.published_at:%B %Y, %H:%M}</time></div>"
    )


def _daily_share_bar(ctx: PageContext, entry: Entry) -> str:
    url = esc(ctx.url(entry.path))
    return (
        f'<div class="share-bar"><span class="share-label">{esc(P.SHARE_THIS_ARTICLE)}</span> '
        f'<a href="https://www.facebook.com/sharer/sharer.php?u={url}">'
        f"{esc(P.SHARE_ON_FACEBOOK)}</a> "
        f'<a href="https://twitter.com/intent/tweet?url={url}">{esc(P.SHARE_ON_TWITTER)}</a> '
        f'<button class="copy-link" data-url="{url}">{esc(P.COPY_LINK)}</button></div>'
    )


def _daily_newsletter() -> str:
    return (
        f'<div class="newsletter-box"><h3>{esc(P.SIGN_UP_NEWSLETTER)}</h3>'
        f"<p>{esc(P.LATEST_NEWS_INBOX)}</p>"
        '<form action="/newsletter" method="post"><input type="email" name="email" '
        'placeholder="Your email address"><button type="submit">Sign up</button></form>'
        f'<p class="small-print">{esc(P.SIGNING_UP_AGREE)}</p></div>'
    )


def _daily_rail(ctx: PageContext, entry: Entry) -> str:
    popular = [other for other in ctx.plan.articles if other != entry][-5:]
    items = "".join(f"<li>{ctx.link(other.story.slug)}</li>" for other in popular)
    more = "".join(
        f"<li>{ctx.link(slug)}"
        f'<p class="summary">{esc(ctx.plan.by_slug(slug).story.summary)}</p></li>'
        for slug in entry.related
    )
    return (
        f'<aside class="rail"><section class="most-popular"><h2>{esc(P.MOST_POPULAR)}</h2>'
        f"<ol>{items}</ol></section></aside>"
        f'<section class="more-stories"><h2>{esc(P.MORE_STORIES)}</h2><ul>{more}</ul></section>'
    )


def daily_footer(ctx: PageContext) -> str:
    links = "".join(
        f'<a href="{esc(ctx.url(path))}">{label}</a> '
        for path, label in (
            ("/about/", "About us"),
            ("/contact/", "Contact"),
            ("/privacy-policy/", "Privacy policy"),
            ("/terms/", "Terms"),
        )
    )
    return (
        f'<footer class="site-footer"><nav class="footer-links">{links}</nav>'
        f'<p class="social"><a href="https://www.facebook.com/">{esc(P.FOLLOW_FACEBOOK)}</a> '
        f'&middot; <a href="https://twitter.com/">{esc(P.FOLLOW_TWITTER)}</a> &middot; '
        f'<a href="https://news.google.com/">{esc(P.FOLLOW_GOOGLE_NEWS)}</a></p>'
        f"<p>&copy; 2024 {esc(SITE_NAME)}. {esc(P.ALL_RIGHTS_RESERVED)}</p></footer>"
    )


# -- "europa": the German and French editions ---------------------------------------------------


def render_europa(ctx: PageContext, entry: Entry, paragraphs: tuple[str, ...]) -> str:
    story = entry.story
    words = P.EDITIONS[story.language]
    date, modified = iso_cet(entry.published_at), iso_cet(entry.modified_at)
    head = (
        meta_tags(ctx, entry, date, modified)
        + f'<meta name="date" content="{date}">'
        + json_ld(news_article_ld(ctx, entry, date, modified))
    )
    inserts = {
        index: f'<div class="ad"><span>{esc(words.ad_label)}</span></div>'
        for index in entry.ad_after
    }
    teaser_at = len(paragraphs) - 2
    inserts[teaser_at] = inserts.get(teaser_at, "") + (
        f'<p class="also"><b>{esc(words.read_also)}:</b> {ctx.link(entry.read_more)}</p>'
    )
    body = "\n".join(
        (
            _europa_cookie(words),
            _europa_header(ctx, story.language),
            '<main><article class="artikel">',
            f'<p class="kicker">{esc(story.section.title())}</p>',
            f"<h1>{esc(story.title)}</h1>",
            f'<p class="lead"><strong>{esc(story.summary)}</strong></p>',
            f'<p class="meta">{_europa_byline(entry)}</p>',
            f'<div class="article-text">{_blocks(paragraphs, inserts)}</div>',
            _europa_share(words),
            f'<section class="related"><h2>{esc(words.related)}</h2><ul>'
            + "".join(f"<li>{ctx.link(slug)}</li>" for slug in entry.related)
            + "</ul></section>",
            _europa_newsletter(words),
            _europa_comments(words),
            "</article></main>",
            _europa_footer(story.language),
        )
    )
    return document(story.language, f"{story.title} - {SITE_NAME}", head, "edition", body)


def _europa_cookie(words: P.EditionPhrases) -> str:
    if words.cookie is None:
        return ""
    return (
        f'<div class="cmp-banner"><strong>{esc(words.cookie)}</strong> '
        '<button class="cmp-accept">Alle akzeptieren</button> '
        '<button class="cmp-settings">Einstellungen</button></div>'
    )


def _europa_header(ctx: PageContext, language: str) -> str:
    edition = "Ausgabe Deutschland" if language == "de" else "Édition française"
    return (
        f'<header class="edition-header"><a class="logo" href="{esc(ctx.url(f"/{language}/"))}">'
        f'{esc(SITE_NAME)}</a> <span class="edition">{edition}</span>'
        f"{_section_nav(ctx, 'edition-nav')}</header>"
    )


def _europa_byline(entry: Entry) -> str:
    local = entry.published_at.astimezone(_CET)
    author = esc(entry.story.author)
    if entry.story.language == "de":
        month = _GERMAN_MONTHS[local.month - 1]
        return f"Von {author} | {local.day}. {month} {local.year}, {local:%H:%M} Uhr"
    month = _FRENCH_MONTHS[local.month - 1]
    return f"Par {author} | Publié le {local.day} {month} {local.year} à {local:%Hh%M}"


def _europa_share(words: P.EditionPhrases) -> str:
    networks = " ".join(
        f'<a class="share-{_slugify(network.text)}" href="#">{esc(network)}</a>'
        for network in words.share_networks
    )
    return f'<div class="share"><span>{esc(words.share)}</span> {networks}</div>'


def _europa_newsletter(words: P.EditionPhrases) -> str:
    return (
        f'<section class="newsletter"><h2>{esc(words.newsletter)}</h2>'
        '<form action="/newsletter" method="post"><input type="email" name="email">'
        '<button type="submit">OK</button></form></section>'
    )


def _europa_comments(words: P.EditionPhrases) -> str:
    submit = (
        f'<button type="submit">{esc(words.comment_submit)}</button>'
        if words.comment_submit
        else '<button type="submit">Envoyer</button>'
    )
    return (
        f'<section class="comments"><h2>{esc(words.leave_comment)}</h2>'
        f"<p>{esc(words.email_not_published)}</p>"
        f'<form action="/comment" method="post"><textarea name="comment"></textarea>{submit}'
        "</form></section>"
    )


def _europa_footer(language: str) -> str:
    if language == "de":
        return (
            f"<footer><p>&copy; 2024 {esc(SITE_NAME)} &ndash; Alle Rechte vorbehalten</p>"
            '<p><a href="/de/impressum">Impressum</a> &middot; '
            '<a href="/de/datenschutz">Datenschutz</a></p></footer>'
        )
    return (
        f"<footer><p>&copy; 2024 {esc(SITE_NAME)} &ndash; Tous droits réservés</p>"
        '<p><a href="/fr/mentions-legales">Mentions légales</a></p></footer>'
    )


def _author_url(ctx: PageContext, author: str) -> str:
    return ctx.url(f"/author/{_slugify(author)}/")


def _slugify(text: str) -> str:
    return "-".join("".join(ch if ch.isalnum() else " " for ch in text.lower()).split())
