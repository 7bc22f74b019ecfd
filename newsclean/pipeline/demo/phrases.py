"""Real-world boilerplate strings the demo templates wrap articles in.

Every :class:`Phrase` here is a row of ``boilerplate-phrases.tsv`` (the UI strings of
WordPress core, Jetpack, CHP Adblock, cookie-consent plugins and news-site labels; a test holds
this module to that file). They are copied rather than read from the cleaners' copy of the
file so that the demo pages stay byte-identical whatever the cleaners team does to its list.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Phrase:
    text: str
    category: str
    language: str  # as in the TSV; "und" = any language


# -- WordPress core comment form and widgets (the "press" layout) --
SKIP_TO_CONTENT = Phrase("Skip to content", "navigation", "en")
SEARCH_FOR = Phrase("Search for:", "navigation", "en")
LEAVE_A_REPLY = Phrase("Leave a Reply", "comment-prompt", "en")
EMAIL_NOT_PUBLISHED = Phrase("Your email address will not be published.", "comment-prompt", "en")
REQUIRED_FIELDS = Phrase("Required fields are marked", "comment-prompt", "en")
SAVE_MY_NAME = Phrase(
    "Save my name, email, and website in this browser for the next time I comment.",
    "comment-prompt",
    "en",
)
POST_COMMENT = Phrase("Post Comment", "comment-prompt", "en")
AKISMET = Phrase(
    "This site uses Akismet to reduce spam. Learn how your comment data is processed.",
    "comment-prompt",
    "en",
)
SAYS = Phrase("says:", "comment-list-meta", "en")
LOG_IN_TO_REPLY = Phrase("Log in to Reply", "comment-prompt", "en")
POST_NAVIGATION = Phrase("Post navigation", "navigation", "en")
PREVIOUS_ARTICLE = Phrase("Previous article", "navigation", "en")
NEXT_ARTICLE = Phrase("Next article", "navigation", "en")
RECENT_POSTS = Phrase("Recent Posts", "related", "en")
RECENT_COMMENTS = Phrase("Recent Comments", "related", "en")
PROUDLY_POWERED = Phrase("Proudly powered by", "footer", "en")
ADVERTISEMENT_DASHED = Phrase("- Advertisement -", "ad-label", "en")
VIEW_ALL_POSTS_BY = Phrase("View all posts by", "author-bio", "en")

# -- Jetpack sharing, likes and related posts --
SHARE_THIS = Phrase("Share this:", "share", "en")
JETPACK_SHARE_BUTTONS = (
    Phrase("Click to share on Twitter (Opens in new window)", "share", "en"),
    Phrase("Click to share on Facebook (Opens in new window)", "share", "en"),
    Phrase("Click to share on WhatsApp (Opens in new window)", "share", "en"),
    Phrase("Click to email a link to a friend (Opens in new window)", "share", "en"),
    Phrase("Click to print (Opens in new window)", "share", "en"),
)
LIKE_THIS = Phrase("Like this:", "share", "en")
LIKE_LOADING = Phrase("Like Loading...", "share", "en")
RELATED = Phrase("Related", "related", "en")

# -- CHP Adblock detector modal (the plugin injects it at the end of <body>) --
CHP_IMAGE_ALT = Phrase("Ads Blocker Image Powered by Code Help Pro", "adblock-notice", "en")
CHP_TITLE = Phrase("Ads Blocker Detected!!!", "adblock-notice", "en")
CHP_MESSAGE = Phrase(
    "We have detected that you are using extensions to block ads. "
    "Please support us by disabling these ads blocker.",
    "adblock-notice",
    "en",
)
CHP_REFRESH = Phrase("Refresh", "adblock-notice", "en")
CHP_POWERED_BY = Phrase("Powered By", "adblock-notice", "en")
CHP_BRANDING = Phrase(
    "Best Wordpress Adblock Detecting Plugin | CHP Adblock", "adblock-notice", "en"
)

# -- cookie banners --
COOKIE_WP = Phrase(
    "We use cookies to ensure that we give you the best experience on our website. "
    "If you continue to use this site we will assume that you are happy with it.",
    "cookie",
    "en",
)
COOKIE_ACCEPT = Phrase("ACCEPT", "cookie", "en")
COOKIE_PRIVACY_POLICY = Phrase("privacy and cookies policy", "cookie", "en")
COOKIE_ONETRUST = Phrase(
    "By clicking “Accept All Cookies”, you agree to the storing of cookies on your device to "
    "enhance site navigation, analyze site usage, and assist in our marketing efforts.",
    "cookie",
    "en",
)
ACCEPT_ALL_COOKIES = Phrase("Accept All Cookies", "cookie", "en")
REJECT_ALL = Phrase("Reject All", "cookie", "en")
COOKIES_SETTINGS = Phrase("Cookies Settings", "cookie", "en")
MANAGE_COOKIE_CONSENT = Phrase("Manage Cookie Consent", "cookie", "en")
COOKIE_STORE_ACCESS = Phrase(
    "To provide the best experiences, we use technologies like cookies to store and/or "
    "access device information.",
    "cookie",
    "en",
)
PRIVACY_PREFERENCE_CENTER = Phrase("Privacy Preference Center", "cookie", "en")
COOKIE_ANALYTICS = Phrase(
    "This site uses cookies, including for analytics, personalization, and advertising purposes.",
    "cookie",
    "en",
)

# -- a modern news site (the "daily" layout) --
ADVERTISEMENT = Phrase("Advertisement", "ad-label", "en")
STORY_CONTINUES = Phrase("Story continues below advertisement", "ad-label", "en")
READ_MORE = Phrase("Read more:", "read-more", "en")
SHARE_THIS_ARTICLE = Phrase("Share this article", "share", "en")
SHARE_ON_FACEBOOK = Phrase("Share on Facebook", "share", "en")
SHARE_ON_TWITTER = Phrase("Share on Twitter", "share", "en")
COPY_LINK = Phrase("Copy link", "share", "en")
SIGN_UP_NEWSLETTER = Phrase("Sign up for our newsletter", "newsletter", "en")
LATEST_NEWS_INBOX = Phrase("Get the latest news delivered to your inbox", "newsletter", "en")
SIGNING_UP_AGREE = Phrase(
    "By signing up, you agree to our Terms of Use and Privacy Policy", "newsletter", "en"
)
MOST_POPULAR = Phrase("Most Popular", "related", "en")
MORE_STORIES = Phrase("More Stories", "related", "en")
HAVE_YOUR_SAY = Phrase("Have your say", "comment-prompt", "en")
MUST_BE_LOGGED_IN = Phrase("You must be logged in to post a comment.", "comment-prompt", "en")
FOLLOW_FACEBOOK = Phrase("Follow us on Facebook", "share", "en")
FOLLOW_TWITTER = Phrase("Follow us on Twitter", "share", "en")
FOLLOW_GOOGLE_NEWS = Phrase("Follow us on Google News", "share", "en")
ALL_RIGHTS_RESERVED = Phrase("All rights reserved", "footer", "en")

# -- paywall --
SUBSCRIBERS_ONLY = Phrase("This article is for subscribers only", "paywall", "en")
SUBSCRIBE_TO_CONTINUE = Phrase("Subscribe to continue reading", "paywall", "en")
ALREADY_SUBSCRIBER = Phrase("Already a subscriber? Log in", "paywall", "en")


@dataclass(frozen=True, slots=True)
class EditionPhrases:
    """The boilerplate of one language edition (the "europa" layout)."""

    ad_label: Phrase
    read_also: Phrase
    share: Phrase
    share_networks: tuple[Phrase, ...]
    related: Phrase
    newsletter: Phrase
    leave_comment: Phrase
    email_not_published: Phrase
    comment_submit: Phrase | None
    cookie: Phrase | None  # the French edition's banner has no row in the TSV: no banner


_NETWORKS = (
    Phrase("Facebook", "share", "und"),
    Phrase("Twitter", "share", "und"),
    Phrase("Whatsapp", "share", "und"),
    Phrase("Xing", "share", "und"),
    Phrase("E-Mail", "share", "und"),
)

GERMAN = EditionPhrases(
    ad_label=Phrase("Anzeige", "ad-label", "de"),
    read_also=Phrase("Lesen Sie auch", "read-more", "de"),
    share=Phrase("Artikel teilen", "share", "de"),
    share_networks=_NETWORKS,
    related=Phrase("Das könnte Sie auch interessieren", "related", "de"),
    newsletter=Phrase("Newsletter abonnieren", "newsletter", "de"),
    leave_comment=Phrase("Schreibe einen Kommentar", "comment-prompt", "de"),
    email_not_published=Phrase(
        "Deine E-Mail-Adresse wird nicht veröffentlicht.", "comment-prompt", "de"
    ),
    comment_submit=Phrase("Kommentar abschicken", "comment-prompt", "de"),
    cookie=Phrase("Diese Website verwendet Cookies", "cookie", "de"),
)

FRENCH = EditionPhrases(
    ad_label=Phrase("Publicité", "ad-label", "fr"),
    read_also=Phrase("Lire aussi", "read-more", "fr"),
    share=Phrase("Partager", "share", "fr"),
    share_networks=(*_NETWORKS[:3], Phrase("Email", "share", "und")),
    related=Phrase("Articles similaires", "related", "fr"),
    newsletter=Phrase("Abonnez-vous à notre newsletter", "newsletter", "fr"),
    leave_comment=Phrase("Laisser un commentaire", "comment-prompt", "fr"),
    email_not_published=Phrase(
        "Votre adresse de messagerie ne sera pas publiée.", "comment-prompt", "fr"
    ),
    comment_submit=None,
    cookie=None,
)

EDITIONS = {"de": GERMAN, "fr": FRENCH}


def all_phrases() -> tuple[Phrase, ...]:
    """Every phrase the templates use (for the test that holds them to the TSV)."""
    found: list[Phrase] = []
    for value in globals().values():
        if isinstance(value, Phrase):
            found.append(value)
        elif isinstance(value, tuple):
            found.extend(item for item in value if isinstance(item, Phrase))
    for edition in EDITIONS.values():
        for name in edition.__slots__:
            item = getattr(edition, name)
            if isinstance(item, Phrase):
                found.append(item)
            elif isinstance(item, tuple):
                found.extend(item)
    return tuple(dict.fromkeys(found))
