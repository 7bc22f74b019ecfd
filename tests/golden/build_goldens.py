# ruff: noqa: E501  (HTML templates and article sentences are data: their lines stay whole)
"""Build the golden cleaning cases: ``<name>.html.gz`` beside ``<name>.json``.

Run from the repository root::

    .venv/bin/python tests/golden/build_goldens.py

Every page and every expectation is written here, by hand: the JSON files hold what a person
decided the cleaner must keep (``must_contain``) and must drop (``must_not_contain``), never
what the cleaner happened to output, so rebuilding cannot silently bless a regression. The
seed renditions take their paragraphs from ``tests/data/seed_000_e990719b735ce9f5.txt``.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
SEED = HERE.parent / "data" / "seed_000_e990719b735ce9f5.txt"
SEED_HEADING = "The scenario of Belarus participating in the Ukraine conflict"
SEED_BOILERPLATE_START = "Leave a Comment"


# --- the seed article in WordPress clothes ---------------------------------------------------


def seed_paragraphs() -> tuple[str, list[str]]:
    """The seed's title and its article paragraphs (everything before the boilerplate)."""
    blocks = [b.strip() for b in SEED.read_text(encoding="utf-8").split("\n\n") if b.strip()]
    end = blocks.index(SEED_BOILERPLATE_START)
    return blocks[0], blocks[1:end]


def article_body(paragraphs: list[str]) -> str:
    parts = []
    for text in paragraphs:
        tag = "h2" if text == SEED_HEADING else "p"
        parts.append(f"<{tag}>{text}</{tag}>")
    return "\n".join(parts)


def chp_modal(names: dict[str, str], hidden: bool) -> str:
    """The CHP Adblock detector's modal (WordPress plugin 'CHP Ads Block Detector')."""
    style = ' style="display:none"' if hidden else ""
    return f"""
<div id="{names["modal_id"]}" class="{names["modal"]}"{style}>
  <div class="{names["content"]}">
    <div class="{names["image"]}"><img src="/wp-content/plugins/chp-ads-block-detector/assets/img/icon.png" alt="Ads Blocker Image Powered by Code Help Pro"></div>
    <h2 class="{names["title"]}">Ads Blocker Detected!!!</h2>
    <p>We have detected that you are using extensions to block ads. Please support us by disabling these ads blocker.</p>
    <div class="{names["buttons"]}"><a href="#" class="{names["button"]}">Refresh</a></div>
    <div class="{names["brand"]}">Powered By <a href="https://www.chpadblock.com/">Best Wordpress Adblock Detecting Plugin</a> | <a href="https://www.chpadblock.com/">CHP Adblock</a></div>
  </div>
</div>"""


PLUGIN_NAMES = {
    "modal_id": "chp_ads_blocker-modal",
    "modal": "chp_ads_blocker-modal",
    "content": "chp_ads_blocker-modal-content",
    "image": "chp_ads_blocker-image",
    "title": "chp_ads_blocker-title",
    "buttons": "chp_ads_blocker-buttons",
    "button": "chp_ads_blocker-refresh",
    "brand": "chp_ads_blocker-brand",
}
RANDOM_NAMES = {
    "modal_id": "x7f3k",
    "modal": "qz81-a",
    "content": "m4w2",
    "image": "tt0p",
    "title": "h9e1",
    "buttons": "b2b2",
    "button": "k1x0",
    "brand": "u8rr",
}


def comment_form(plugin_names: bool) -> str:
    if plugin_names:
        return """
<div id="respond" class="comment-respond">
  <h3 id="reply-title" class="comment-reply-title">Leave a Reply <small><a rel="nofollow" id="cancel-comment-reply-link" href="#respond" style="display:none;">Cancel reply</a></small></h3>
  <form action="/wp-comments-post.php" method="post" id="commentform" class="comment-form">
    <p class="comment-notes"><span id="email-notes">Your email address will not be published.</span> <span class="required-field-message">Required fields are marked <span class="required">*</span></span></p>
    <p class="comment-form-comment"><label for="comment">Comment <span class="required">*</span></label><textarea id="comment" name="comment"></textarea></p>
    <p class="comment-form-author"><label for="author">Name <span class="required">*</span></label><input id="author" name="author" type="text"></p>
    <p class="comment-form-email"><label for="email">Email <span class="required">*</span></label><input id="email" name="email" type="email"></p>
    <p class="comment-form-cookies-consent"><input id="wp-comment-cookies-consent" type="checkbox"> <label for="wp-comment-cookies-consent">Save my name, email, and website in this browser for the next time I comment.</label></p>
    <p class="form-submit"><input name="submit" type="submit" id="submit" class="submit" value="Post Comment"></p>
  </form>
</div>"""
    return """
<div class="v0a9">
  <h3 class="p2z7">Leave a Comment</h3>
  <h4 class="p2z8">Leave a Reply</h4>
  <div class="n1n1">Your email address will not be published. Required fields are marked *</div>
  <form action="/wp-comments-post.php" method="post" class="r5t6">
    <div class="c3c3"><label>Comment *</label><textarea name="comment"></textarea></div>
    <div class="c3c3"><label>Name *</label><input name="author" type="text"></div>
    <div class="c3c3"><label>Save my name, email, and website in this browser for the next time I comment.</label></div>
    <button type="submit">Post Comment</button>
  </form>
</div>"""


def share_bar(plugin_names: bool) -> str:
    cls = "sharedaddy sd-sharing-enabled" if plugin_names else "w0w0"
    inner = "sd-content" if plugin_names else "y7y7"
    return f"""
<div class="{cls}"><div class="{inner}"><h3>Share this:</h3><ul>
  <li><a href="https://twitter.com/share">Twitter</a></li>
  <li><a href="https://facebook.com/sharer">Facebook</a></li>
  <li><a href="https://wa.me/">WhatsApp</a></li>
  <li><a href="mailto:">Email</a></li>
</ul></div></div>"""


def cookie_banner(plugin_names: bool) -> str:
    if plugin_names:
        return """
<div id="cookie-notice" role="dialog" class="cookie-notice-hidden cookie-revoke-hidden cn-position-bottom">
  <div class="cookie-notice-container"><span id="cn-notice-text" class="cn-text-container">We use cookies to ensure that we give you the best experience on our website. If you continue to use this site we will assume that you are happy with it.</span><span id="cn-notice-buttons" class="cn-buttons-container"><a href="#" id="cn-accept-cookie" class="cn-set-cookie cn-button">Ok</a><a href="/privacy-policy/" class="cn-privacy-policy-link cn-link">Privacy policy</a></span></div>
</div>"""
    return """
<div class="g6g6">
  <div class="g7g7">We use cookies to ensure that we give you the best experience on our website. If you continue to use this site we will assume that you are happy with it.</div>
  <div class="g8g8"><a href="#">ACCEPT</a> <a href="/privacy-policy/">Cookie settings</a></div>
</div>"""


def wordpress_page(*, modal_inside: bool, plugin_names: bool) -> str:
    title, paragraphs = seed_paragraphs()
    names = PLUGIN_NAMES if plugin_names else RANDOM_NAMES
    modal = chp_modal(names, hidden=plugin_names)
    entry = "entry-content" if plugin_names else "a1b2c3"
    header_cls = "site-header" if plugin_names else "hh12"
    nav_cls = "main-navigation" if plugin_names else "nn34"
    footer_cls = "site-footer" if plugin_names else "ff56"
    related = (
        """
<div id="jp-relatedposts" class="jp-relatedposts"><h3 class="jp-relatedposts-headline"><em>Related</em></h3>
  <div class="jp-relatedposts-items"><p><a href="/a">Ukraine says it is ready for talks under conditions</a></p><p><a href="/b">Belarus and Russia hold joint air exercises</a></p></div></div>"""
        if plugin_names
        else """
<div class="rr99"><h3>Related Posts</h3><ul><li><a href="/a">Ukraine says it is ready for talks under conditions</a></li><li><a href="/b">Belarus and Russia hold joint air exercises</a></li></ul></div>"""
    )
    return f"""<!DOCTYPE html>
<html lang="en-US">
<head>
<meta charset="UTF-8">
<title>{title} &#8211; World News Today</title>
<meta property="og:site_name" content="World News Today">
<meta property="og:title" content="{title}">
<meta property="article:published_time" content="2023-01-13T08:15:00+07:00">
<meta property="article:modified_time" content="2023-01-13T09:40:00+07:00">
<meta name="author" content="Minh Anh">
<link rel="canonical" href="https://worldnews.example/russia-wants-to-negotiate-directly-with-ukraine/">
</head>
<body class="post-template-default single single-post">
<a class="skip-link screen-reader-text" href="#content">Skip to content</a>
<header class="{header_cls}"><div class="site-branding"><p class="site-title"><a href="/">World News Today</a></p></div>
<nav class="{nav_cls}"><ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li><li><a href="/europe">Europe</a></li><li><a href="/contact">Contact</a></li></ul></nav></header>
<div id="content" class="site-content"><main id="main" class="site-main">
<article id="post-4242" class="post-4242 post type-post status-publish">
<header class="entry-header"><h1 class="entry-title">{title}</h1>
<div class="entry-meta"><span class="posted-on">January 13, 2023</span> <span class="byline">by Minh Anh</span></div></header>
<div class="{entry}">
{article_body(paragraphs)}
{modal if modal_inside else ""}
</div>
{share_bar(plugin_names)}
{related}
</article>
{comment_form(plugin_names)}
</main>
<aside class="widget-area"><section class="widget"><h2 class="widget-title">Recent Posts</h2><ul><li><a href="/c">Oil prices rise after OPEC meeting</a></li><li><a href="/d">Markets close higher on Friday</a></li></ul></section></aside>
</div>
<footer class="{footer_cls}"><div class="site-info">© 2023 World News Today. All rights reserved. <a href="/privacy-policy/">Privacy Policy</a> | Proudly powered by WordPress</div></footer>
{cookie_banner(plugin_names)}
{"" if modal_inside else modal}
</body></html>"""


SEED_MUST_NOT = [
    "Leave a Comment",
    "Leave a Reply",
    "Your email address will not be published",
    "Required fields are marked",
    "Save my name, email, and website",
    "Post Comment",
    "Ads Blocker Detected",
    "We have detected that you are using extensions to block ads",
    "Ads Blocker Image Powered by Code Help Pro",
    "Powered By",
    "CHP Adblock",
    "Best Wordpress Adblock Detecting Plugin",
    "Refresh",
    "Share this",
    "WhatsApp",
    "We use cookies",
    "Privacy Policy",
    "Recent Posts",
    "Related Posts",
    "Belarus and Russia hold joint air exercises",
    "Oil prices rise after OPEC meeting",
    "All rights reserved",
    "Skip to content",
]


def seed_case(name: str, *, modal_inside: bool, plugin_names: bool, description: str) -> dict:
    title, paragraphs = seed_paragraphs()
    return {
        "name": name,
        "description": description,
        "url": "https://worldnews.example/russia-wants-to-negotiate-directly-with-ukraine/",
        "content_type": "text/html; charset=UTF-8",
        "html": wordpress_page(modal_inside=modal_inside, plugin_names=plugin_names),
        "must_contain": paragraphs,
        "must_not_contain": SEED_MUST_NOT,
        "expect": {
            "title": title,
            "language": "en",
            "authors": ["Minh Anh"],
            "site_name": "World News Today",
            "published_at": "2023-01-13T08:15:00+07:00",
            "modified_at": "2023-01-13T09:40:00+07:00",
            "canonical_url": "https://worldnews.example/russia-wants-to-negotiate-directly-with-ukraine/",
        },
    }


# --- other pages -----------------------------------------------------------------------------


def simple_page(
    *, lang: str, title: str, body: str, extra_head: str = "", after_article: str = ""
) -> str:
    return f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title>{extra_head}</head>
<body>
<nav class="k9"><a href="/">Start</a> <a href="/politik">Politik</a> <a href="/sport">Sport</a></nav>
<main><article><h1>{title}</h1>
{body}
</article>
{after_article}
</main>
<footer class="z0">Impressum · Datenschutz · Kontakt</footer>
</body></html>"""


COOKIES_PARAGRAPHS = [
    "When European regulators first required consent for tracking, millions of websites added a banner that reads “We use cookies to improve your experience” and asks the reader to accept or reject them before reading a single line.",
    "Researchers who studied ten thousand of those banners found that most of them make “Accept all cookies” a bright button while rejecting cookies takes three more clicks, a design that regulators now call a dark pattern.",
    "Publishers say the money from advertising pays for the journalism, and some of them answer ad blockers with a pop-up titled “Ads Blocker Detected!!!” that hides the article until the reader switches the blocker off.",
    "Readers who leave a comment under such articles often complain that the notice appears even when no blocker is installed, and several plugins that show it have been criticised for slowing pages down.",
    "Privacy advocates argue that the cookie policy of a site should be readable in a minute, and that a reader who never clicks “Accept” should still be able to read the news.",
]
COOKIES_BOILERPLATE = """
<div class="p0q1"><span>This website uses cookies to improve your experience. We'll assume you're ok with this, but you can opt-out if you wish.</span> <a href="#">Accept</a> <a href="#">Reject All</a></div>
<section class="u5"><h3>Leave a Reply</h3><p>Your email address will not be published. Required fields are marked *</p></section>
"""


def paragraphs_html(paragraphs: list[str]) -> str:
    return "\n".join(f"<p>{p}</p>" for p in paragraphs)


GERMAN_PARAGRAPHS = [
    "Der Stadtrat hat am Dienstagabend nach einer langen Debatte beschlossen, die Straßenbahnlinie bis zum neuen Wohngebiet im Norden zu verlängern.",
    "Die Kosten von rund 48 Millionen Euro sollen zu einem großen Teil vom Land getragen werden, teilte die Verwaltung nach der Sitzung mit.",
    "Anwohner hatten sich seit Jahren für eine bessere Anbindung eingesetzt, weil die Busse in den Stoßzeiten regelmäßig überfüllt sind.",
    "Kritik kam von der Opposition, die vor steigenden Betriebskosten warnte und eine Bürgerbefragung gefordert hatte.",
    "Die Bauarbeiten sollen im kommenden Frühjahr beginnen und nach Angaben der Stadtwerke etwa drei Jahre dauern.",
]
GERMAN_BODY = f"""
<p>{GERMAN_PARAGRAPHS[0]}</p>
<p>{GERMAN_PARAGRAPHS[1]}</p>
<div class="a7x"><span>Anzeige</span></div>
<p>{GERMAN_PARAGRAPHS[2]}</p>
<p><strong>Lesen Sie auch: Neue Radwege für die Innenstadt geplant</strong></p>
<p>{GERMAN_PARAGRAPHS[3]}</p>
<p>{GERMAN_PARAGRAPHS[4]}</p>
<div class="s1"><span>Teilen mit:</span> <a href="#">Facebook</a> <a href="#">Twitter</a> <a href="#">WhatsApp</a> <a href="#">E-Mail</a></div>
<p>Newsletter abonnieren</p>
"""
GERMAN_AFTER = """
<div class="c2"><h3>Schreibe einen Kommentar</h3><p>Deine E-Mail-Adresse wird nicht veröffentlicht. Erforderliche Felder sind markiert *</p><p>Kommentar abschicken</p></div>
<div class="c3">Diese Website verwendet Cookies. Wir nutzen Cookies auf unserer Website. Einige von ihnen sind essenziell, während andere uns helfen, diese Website und Ihre Erfahrung zu verbessern. <a href="#">Alle akzeptieren</a></div>
"""

FRENCH_PARAGRAPHS = [
    "Le gouvernement a présenté mercredi un projet de loi destiné à simplifier les démarches administratives des petites entreprises.",
    "Selon le ministre de l'Économie, les entrepreneurs passent en moyenne plus de quatre heures par semaine à remplir des formulaires.",
    "Le texte prévoit notamment la suppression de plusieurs déclarations jugées redondantes et la création d'un guichet numérique unique.",
    "Les organisations patronales ont salué une avancée, tout en regrettant que la réforme ne s'applique qu'à partir de l'année prochaine.",
    "Le projet sera examiné par l'Assemblée nationale au début du mois de mars.",
]
FRENCH_BODY = f"""
<p>{FRENCH_PARAGRAPHS[0]}</p>
<p>{FRENCH_PARAGRAPHS[1]}</p>
<div class="pb"><p>Publicité</p></div>
<p>{FRENCH_PARAGRAPHS[2]}</p>
<p>Lire aussi : Les faillites d'entreprises en hausse en janvier</p>
<p>{FRENCH_PARAGRAPHS[3]}</p>
<p>{FRENCH_PARAGRAPHS[4]}</p>
<p>Partager</p>
<p>Abonnez-vous à notre newsletter</p>
"""
FRENCH_AFTER = """
<div class="rc"><h3>Laisser un commentaire</h3><p>Votre adresse de messagerie ne sera pas publiée. Les champs obligatoires sont indiqués avec *</p></div>
<div class="ck">Nous utilisons des cookies pour vous garantir la meilleure expérience sur notre site web. <a href="#">Tout accepter</a> <a href="#">Tout refuser</a></div>
"""

SPANISH_PARAGRAPHS = [
    "El Ayuntamiento aprobó este jueves un plan para plantar veinte mil árboles en los barrios con menos zonas verdes de la ciudad.",
    "La alcaldesa explicó que la medida busca reducir la temperatura de las calles durante las olas de calor del verano.",
    "Los vecinos podrán proponer a través de una aplicación los lugares donde prefieren que se planten los nuevos árboles.",
    "Los grupos de la oposición apoyaron la iniciativa, aunque pidieron un calendario más detallado para su ejecución.",
    "Las primeras plantaciones comenzarán en otoño, cuando las condiciones son más favorables para las especies elegidas.",
]
SPANISH_BODY = f"""
<p>{SPANISH_PARAGRAPHS[0]}</p>
<p>{SPANISH_PARAGRAPHS[1]}</p>
<div class="ad9"><span>Publicidad</span></div>
<p>{SPANISH_PARAGRAPHS[2]}</p>
<p>Lee también: Madrid amplía los horarios de los parques</p>
<p>{SPANISH_PARAGRAPHS[3]}</p>
<p>{SPANISH_PARAGRAPHS[4]}</p>
<p>Compartir</p>
<p>Suscríbete a nuestro boletín</p>
"""
SPANISH_AFTER = """
<div class="cm"><h3>Deja un comentario</h3><p>Tu dirección de correo electrónico no será publicada. Los campos necesarios están marcados *</p></div>
<div class="kk">Utilizamos cookies para asegurar que damos la mejor experiencia al usuario en nuestro sitio web. <a href="#">Aceptar</a></div>
"""

NEWSLETTER_PARAGRAPHS = [
    "The city council voted on Tuesday to ban cars from the old town on weekends, starting with a six-month trial in the spring.",
    "Shop owners had warned that fewer visitors would come, but a survey of residents found broad support for the plan.",
    "The council will publish traffic and sales figures every month so that the trial can be judged on evidence.",
    "Buses will run every ten minutes on Saturdays and Sundays, and two new car parks will open at the edge of the town centre.",
    "The mayor said the decision would be reviewed in the autumn, after the first full season of the trial.",
]
NEWSLETTER_BODY = f"""
<p>{NEWSLETTER_PARAGRAPHS[0]}</p>
<p>Read more: Council unveils new cycling strategy</p>
<p>{NEWSLETTER_PARAGRAPHS[1]}</p>
<div class="x1y2"><h3>Sign up for our newsletter</h3><p>Get the latest news delivered to your inbox every morning.</p><p>Subscribe</p><p>By signing up, you agree to our Terms of Use and Privacy Policy</p></div>
<p>{NEWSLETTER_PARAGRAPHS[2]}</p>
<p>ALSO READ: Parking fees to rise next year</p>
<p>{NEWSLETTER_PARAGRAPHS[3]}</p>
<p>Sign up for our daily newsletter to get the top stories straight to your inbox.</p>
<p>{NEWSLETTER_PARAGRAPHS[4]}</p>
<p>Follow us on Twitter</p>
"""

AD_PARAGRAPHS = [
    "Scientists have found a new species of frog in the cloud forests of northern Peru, a team from the national university announced on Monday.",
    "The frog, which is smaller than a thumbnail, was discovered during a survey of streams at an altitude of more than 2,500 metres.",
    "Its skin changes colour from green to brown within minutes, which the researchers believe helps it hide from birds.",
    "The team said the forest where the frog lives is threatened by farming and called for it to be protected.",
    "An advertisement for a nature reserve in the area was once the only sign of conservation there, one researcher said.",
]
AD_BODY = f"""
<p>{AD_PARAGRAPHS[0]}</p>
<div class="q"><span>Advertisement</span></div>
<p>{AD_PARAGRAPHS[1]}</p>
<p>- Advertisement -</p>
<p>{AD_PARAGRAPHS[2]}</p>
<p>ADVERTISEMENT</p>
<p>{AD_PARAGRAPHS[3]}</p>
<p>Story continues below advertisement</p>
<p>{AD_PARAGRAPHS[4]}</p>
"""


def other_cases() -> list[dict]:
    return [
        {
            "name": "cookies_adblock_article_en",
            "description": "An article ABOUT cookies, ad blockers and comments survives intact; "
            "a real cookie banner and comment prompt around it do not.",
            "url": "https://news.example/tech/cookie-banners",
            "content_type": "text/html; charset=utf-8",
            "html": simple_page(
                lang="en",
                title="Why every website asks you about cookies",
                body=paragraphs_html(COOKIES_PARAGRAPHS),
                after_article=COOKIES_BOILERPLATE,
            ),
            "must_contain": COOKIES_PARAGRAPHS,
            "must_not_contain": [
                "This website uses cookies to improve your experience",
                "opt-out if you wish",
                "Reject All",
                "Leave a Reply",
                "Required fields are marked",
            ],
            "expect": {"language": "en", "title": "Why every website asks you about cookies"},
        },
        {
            "name": "german_city_news",
            "description": "German page: Anzeige label, Lesen-Sie-auch teaser, share line, "
            "newsletter line, WordPress comment prompt, cookie notice.",
            "url": "https://zeitung.example/stadt/strassenbahn",
            "content_type": "text/html",
            "html": simple_page(
                lang="de",
                title="Straßenbahn wird bis ins Neubaugebiet verlängert",
                body=GERMAN_BODY,
                after_article=GERMAN_AFTER,
            ),
            "must_contain": GERMAN_PARAGRAPHS,
            "must_not_contain": [
                "Anzeige",
                "Lesen Sie auch",
                "Neue Radwege für die Innenstadt",
                "Teilen mit",
                "Newsletter abonnieren",
                "Schreibe einen Kommentar",
                "Deine E-Mail-Adresse wird nicht veröffentlicht",
                "Diese Website verwendet Cookies",
                "Alle akzeptieren",
            ],
            "expect": {"language": "de"},
        },
        {
            "name": "french_economy_news",
            "description": "French page: Publicité label, Lire aussi teaser, share and "
            "newsletter lines, comment prompt, cookie notice.",
            "url": "https://journal.example/economie/simplification",
            "content_type": "text/html; charset=utf-8",
            "html": simple_page(
                lang="fr",
                title="Un projet de loi pour simplifier la vie des entreprises",
                body=FRENCH_BODY,
                after_article=FRENCH_AFTER,
            ),
            "must_contain": FRENCH_PARAGRAPHS,
            "must_not_contain": [
                "Publicité",
                "Lire aussi",
                "Les faillites d'entreprises en hausse",
                "Partager",
                "Abonnez-vous à notre newsletter",
                "Laisser un commentaire",
                "ne sera pas publiée",
                "Nous utilisons des cookies",
                "Tout accepter",
            ],
            "expect": {"language": "fr"},
        },
        {
            "name": "spanish_city_news",
            "description": "Spanish page: Publicidad label, Lee también teaser, share and "
            "newsletter lines, comment prompt, cookie notice.",
            "url": "https://diario.example/ciudad/arboles",
            "content_type": "text/html; charset=utf-8",
            "html": simple_page(
                lang="es",
                title="La ciudad plantará veinte mil árboles",
                body=SPANISH_BODY,
                after_article=SPANISH_AFTER,
            ),
            "must_contain": SPANISH_PARAGRAPHS,
            "must_not_contain": [
                "Publicidad",
                "Lee también",
                "Madrid amplía los horarios",
                "Compartir",
                "Suscríbete a nuestro boletín",
                "Deja un comentario",
                "no será publicada",
                "Utilizamos cookies",
            ],
            "expect": {"language": "es"},
        },
        {
            "name": "newsletter_and_teasers_en",
            "description": "A newsletter box with random class names inside the article, "
            "'Read more:' teasers between paragraphs, a sign-up line, a follow line.",
            "url": "https://local.example/news/car-free-old-town",
            "content_type": "text/html; charset=utf-8",
            "html": simple_page(
                lang="en", title="Old town to go car-free on weekends", body=NEWSLETTER_BODY
            ),
            "must_contain": NEWSLETTER_PARAGRAPHS,
            "must_not_contain": [
                "Read more",
                "Council unveils new cycling strategy",
                "ALSO READ",
                "Parking fees to rise next year",
                "Sign up for our newsletter",
                "Get the latest news delivered to your inbox",
                "By signing up, you agree",
                "Sign up for our daily newsletter",
                "Follow us on Twitter",
            ],
            "expect": {"language": "en"},
        },
        {
            "name": "advertisement_labels_en",
            "description": "'Advertisement' labels in several spellings between paragraphs; "
            "a sentence that merely contains the word stays.",
            "url": "https://science.example/new-frog-species",
            "content_type": "text/html; charset=utf-8",
            "html": simple_page(
                lang="en", title="New frog species found in Peru's cloud forest", body=AD_BODY
            ),
            "must_contain": AD_PARAGRAPHS,
            "must_not_contain": [
                "- Advertisement -",
                "ADVERTISEMENT",
                "Story continues below advertisement",
            ],
            "expect": {"language": "en"},
            "max_count": {"advertisement": 1},
        },
    ]


def all_cases() -> list[dict]:
    return [
        seed_case(
            "seed_wordpress",
            modal_inside=False,
            plugin_names=True,
            description="The seed article on a WordPress page: CHP Adblock modal at body "
            "level (plugin ids, hidden), comment form, share bar, related posts, nav, footer, "
            "cookie banner.",
        ),
        seed_case(
            "seed_modal_in_article",
            modal_inside=True,
            plugin_names=True,
            description="As seed_wordpress, with the CHP modal inside the article container.",
        ),
        seed_case(
            "seed_random_classes",
            modal_inside=True,
            plugin_names=False,
            description="As seed_modal_in_article with every class name randomised and the "
            "modal visible: only what the boilerplate says can give it away.",
        ),
        *other_cases(),
    ]


def write_case(case: dict) -> None:
    html = case.pop("html")
    (HERE / f"{case['name']}.html.gz").write_bytes(gzip.compress(html.encode("utf-8"), mtime=0))
    (HERE / f"{case['name']}.json").write_text(
        json.dumps(case, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )


if __name__ == "__main__":
    for golden in all_cases():
        write_case(golden)
        print("wrote", golden["name"])
