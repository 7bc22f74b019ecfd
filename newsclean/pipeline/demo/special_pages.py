"""The demo site's pages that are not articles, each a case the pipeline must tell apart.

home and section/tag listings (links, teasers), a login form, a cookie consent wall and a
soft 404 (both answered with HTTP 200), a paywall teaser (one paragraph, then "subscribe"),
and the bodies of the 500 and real 404 answers.
"""

from __future__ import annotations

from newsclean.pipeline.demo import phrases as P
from newsclean.pipeline.demo.plan import SITE_NAME, Entry
from newsclean.pipeline.demo.templates import (
    PageContext,
    chp_adblock_modal,
    daily_consent_banner,
    daily_footer,
    document,
    esc,
    iso_zulu,
    json_ld,
    meta_tags,
    news_article_ld,
    press_header,
    press_sidebar,
)


def _teaser_list(ctx: PageContext, entries: tuple[Entry, ...]) -> str:
    return "".join(
        f'<li class="teaser"><h3>{ctx.link(entry.story.slug)}</h3>'
        f'<p class="summary">{esc(entry.story.summary)}</p>'
        f'<p class="meta">By {esc(entry.story.author)} &middot; '
        f'<time datetime="{iso_zulu(entry.published_at)}">'
        f"{entry.published_at.day} {entry.published_at:%B %Y}</time></p></li>"
        for entry in entries
    )


def render_home(ctx: PageContext) -> str:
    latest = ctx.plan.newest_first(ctx.plan.articles)[:20]
    body = "\n".join(
        (
            daily_consent_banner(),
            f'<header class="masthead"><h1 class="logo">{esc(SITE_NAME)}</h1></header>',
            f'<main id="main"><section class="latest"><h2>Latest news</h2><ul>'
            f"{_teaser_list(ctx, latest)}</ul></section></main>",
            daily_footer(ctx),
        )
    )
    head = (
        f'<meta name="description" content="{esc(SITE_NAME)}: news from Westhaven and the coast">'
    )
    return document("en", f"{SITE_NAME} – News from Westhaven and the coast", head, "home", body)


def render_section(ctx: PageContext, section: str) -> str:
    entries = ctx.plan.newest_first(
        tuple(entry for entry in ctx.plan.articles if entry.story.section == section)
    )
    body = "\n".join(
        (
            daily_consent_banner(),
            f'<header class="masthead"><a class="logo" href="{esc(ctx.url("/"))}">'
            f"{esc(SITE_NAME)}</a></header>",
            f'<main id="main"><h1 class="section-title">{esc(section.title())}</h1>'
            f'<ul class="section-list">{_teaser_list(ctx, entries)}</ul>'
            '<nav class="pagination"><span class="current">1</span> '
            '<a href="?page=2">2</a> <a href="?page=2">Next &rsaquo;</a></nav></main>',
            daily_footer(ctx),
        )
    )
    return document("en", f"{section.title()} news | {SITE_NAME}", "", "section", body)


def render_tag(ctx: PageContext, tag: str) -> str:
    entries = ctx.plan.newest_first(
        tuple(entry for entry in ctx.plan.articles if tag in (t.lower() for t in entry.story.tags))
    )
    excerpts = "".join(
        f'<article class="post type-post"><header class="entry-header"><h2 class="entry-title">'
        f"{ctx.link(entry.story.slug)}</h2></header>"
        f'<div class="entry-summary"><p>{esc(entry.story.paragraphs[0][:180])} [&hellip;]</p>'
        f"</div></article>"
        for entry in entries
    )
    body = "\n".join(
        (
            press_header(ctx),
            '<div id="content" class="site-content"><main id="main" class="site-main">',
            f'<header class="page-header"><h1 class="page-title">Tag: <span>{esc(tag)}</span>'
            "</h1></header>",
            excerpts,
            "</main>",
            "</div>",
            chp_adblock_modal(),
        )
    )
    return document("en", f"{tag} – {SITE_NAME}", "", "archive tag", body)


def render_login(ctx: PageContext) -> str:
    body = (
        f'<div id="login"><h1><a href="{esc(ctx.url("/"))}">{esc(SITE_NAME)}</a></h1>'
        f'<form name="loginform" id="loginform" action="{esc(ctx.url("/wp-login.php"))}" '
        'method="post"><p><label for="user_login">Username or Email Address</label>'
        '<input type="text" name="log" id="user_login" size="20"></p>'
        '<div class="user-pass-wrap"><label for="user_pass">Password</label>'
        '<input type="password" name="pwd" id="user_pass" size="20"></div>'
        '<p class="forgetmenot"><input name="rememberme" type="checkbox" id="rememberme" '
        'value="forever"> <label for="rememberme">Remember Me</label></p>'
        '<p class="submit"><input type="submit" name="wp-submit" id="wp-submit" '
        'class="button button-primary" value="Log In"></p></form>'
        '<p id="nav"><a href="/wp-login.php?action=lostpassword">Lost your password?</a></p>'
        f'<p id="backtoblog"><a href="{esc(ctx.url("/"))}">&larr; Go to {esc(SITE_NAME)}</a>'
        "</p></div>"
    )
    head = '<meta name="robots" content="noindex, nofollow">'
    return document("en", f"Log In ‹ {SITE_NAME}", head, "login wp-core-ui", body)


def render_consent_wall() -> str:
    """What a reader without a consent cookie gets instead of the article, with HTTP 200."""
    body = (
        '<div class="consent-wall" role="dialog" aria-modal="true">'
        "<h1>Before you continue</h1>"
        f"<p>{esc(P.COOKIE_STORE_ACCESS)}</p>"
        f"<p>{esc(P.COOKIE_ANALYTICS)}</p>"
        f"<h2>{esc(P.MANAGE_COOKIE_CONSENT)}</h2>"
        '<form method="post" action="/consent">'
        f'<button name="consent" value="all">{esc(P.ACCEPT_ALL_COOKIES)}</button> '
        f'<button name="consent" value="none">{esc(P.REJECT_ALL)}</button> '
        f'<a href="/consent/preferences">{esc(P.PRIVACY_PREFERENCE_CENTER)}</a></form></div>'
    )
    head = '<meta name="robots" content="noindex">'
    return document("en", "Before you continue", head, "consent", body)


def render_soft_404(ctx: PageContext) -> str:
    """WordPress's "nothing found" page, answered with HTTP 200 (a soft 404)."""
    body = "\n".join(
        (
            press_header(ctx),
            '<div id="content" class="site-content"><main id="main" class="site-main">',
            '<section class="error-404 not-found"><header class="page-header">'
            '<h1 class="page-title">Oops! That page can&rsquo;t be found.</h1></header>'
            '<div class="page-content"><p>It looks like nothing was found at this location. '
            "Maybe try one of the links below or a search?</p>"
            f'<form role="search" class="search-form" action="{esc(ctx.url("/"))}">'
            f'<label>{esc(P.SEARCH_FOR)}<input type="search" name="s"></label></form>'
            "</div></section></main>",
            press_sidebar(ctx, ctx.plan.articles[0]),
            "</div>",
        )
    )
    return document("en", f"Page not found – {SITE_NAME}", "", "error404", body)


def render_paywall(ctx: PageContext, entry: Entry) -> str:
    """One paragraph of the story, then the subscription box (the rest is not in the page)."""
    story = entry.story
    date, modified = iso_zulu(entry.published_at), iso_zulu(entry.modified_at)
    data = {
        **news_article_ld(ctx, entry, date, modified),
        "isAccessibleForFree": False,
        "hasPart": {
            "@type": "WebPageElement",
            "isAccessibleForFree": False,
            "cssSelector": ".paywalled",
        },
    }
    body = "\n".join(
        (
            daily_consent_banner(),
            f'<header class="masthead"><a class="logo" href="{esc(ctx.url("/"))}">'
            f"{esc(SITE_NAME)}</a></header>",
            '<main id="main"><article class="story premium">',
            f'<h1 class="headline">{esc(story.title)}</h1>',
            f'<p class="standfirst">{esc(story.summary)}</p>',
            f'<div class="byline">By {esc(story.author)}</div>',
            f'<div class="story-body"><p>{esc(story.paragraphs[0])}</p></div>',
            '<div class="paywalled paywall-box">'
            f"<h3>{esc(P.SUBSCRIBERS_ONLY)}</h3><p>{esc(P.SUBSCRIBE_TO_CONTINUE)}</p>"
            '<a class="button" href="/subscribe">Subscribe from 1 a week</a>'
            f'<p><a href="/wp-login.php">{esc(P.ALREADY_SUBSCRIBER)}</a></p></div>',
            "</article></main>",
            daily_footer(ctx),
        )
    )
    head = meta_tags(ctx, entry, date, modified) + json_ld(data)
    return document("en", f"{story.title} | {SITE_NAME}", head, "article-page premium", body)


def render_server_error() -> str:
    return document(
        "en",
        "500 Internal Server Error",
        "",
        "error",
        "<h1>Internal Server Error</h1><p>The server encountered an internal error and was "
        "unable to complete your request.</p>",
    )


def render_not_found() -> str:
    return document(
        "en",
        "404 Not Found",
        "",
        "error",
        "<h1>Not Found</h1><p>The requested URL was not found.</p>",
    )
