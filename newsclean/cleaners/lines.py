"""Line-level boilerplate removal: the only level for plain text, the second one for HTML.

A document is a sequence of *blocks* (paragraphs), each a sequence of *lines*. Every line is
first judged on its own by the named :class:`LineRule` s in :data:`DEFAULT_LINE_RULES`
(catalogue phrases, labels, teasers, share/follow lines, sign-ups, consent notices, comment
metadata). A line is boilerplate only when it *is* a UI string: the whole line matches, or
phrases cover most of it, or it is short and opens like a teaser. A long article sentence
that merely contains "cookies" or "leave a comment" is never removed.

A block (a paragraph, a list, a table, a quote of the extracted text) whose lines are mostly
boilerplate goes as a whole (``line.block``): a share box or an ad-block notice with random
class names keeps its "Refresh" button and "Powered By" line together with the catalogued
lines around them.

Boilerplate gathers at the end of a page, so two rules then look at the tail as a whole:

* ``tail.run`` -- the trailing run of lines that are boilerplate or short non-sentences
  ("Powered By", link titles under "Related Posts") is dropped from its first *terminal*
  boilerplate line on (a comment prompt, a share or related heading, an ad-block notice...).
* ``tail.section`` -- an end section opened by a heading line such as "About the author" or
  "Leave a Reply" is dropped with what follows, even sentences, when what follows is small.
* ``tail.references`` -- a reference list after the article: a heading such as
  "References", "Sources" or "Literatur" in the second half of the text, followed to the end
  by lines most of which are citations (a year, a DOI or a link, "et al."). The works an
  article cites are its metadata, not its text.

Both keep their hands off most of the article: they never take more than a set share of its
text. Every removal is a :class:`~newsclean.cleaners.records.Removal` naming its rule.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from typing import Protocol

from newsclean.cleaners.catalogue import PhraseCatalogue, default_catalogue
from newsclean.cleaners.records import Removal, RemovalLevel
from newsclean.cleaners.text import (
    collapse_whitespace,
    is_heading_like,
    looks_like_prose,
    normalize,
    word_count,
    word_set,
)

#: share of a line that catalogue phrases must cover for the line to be boilerplate
COVERAGE_THRESHOLD = 0.6
#: lines longer than this (words) are never judged by phrase coverage: they are paragraphs
#: (a consent banner that long opens like one, see ``line.cookie``); coverage is the costliest
#: rule, and 80 words removed nothing more than 40 on the WCXB pages
MAX_COVERAGE_WORDS = 40
#: a teaser line ("Read more: <headline>") is at most this many words
MAX_TEASER_WORDS = 30
#: a trailing line this short (words) that does not read as a sentence may join a tail run
MAX_FRAGMENT_WORDS = 20
#: tail rules never remove more than this share of the non-boilerplate text
MAX_TAIL_SHARE = 0.5
#: an end section (after "About the author", ...) holds at most this share of the text ...
MAX_SECTION_SHARE = 0.35
#: ... and at most this many characters, in lines of at most MAX_SECTION_LINE_WORDS words
MAX_SECTION_CHARS = 2000
MAX_SECTION_LINE_WORDS = 80
#: end-section headings tried, first ones first (bounds the rule on pathological pages)
MAX_SECTION_OPENERS = 20
REMOVAL_TEXT_LIMIT = 500
#: a line opening with a UI phrase may add this many words (a name, a count) and stay one
MAX_LEAD_EXTRA_WORDS = 4
MAX_LEAD_WORDS = 14

#: a block goes whole when at least this share of its characters is boilerplate ...
BLOCK_DOMINANCE = 0.7
#: ... in at least this many of its lines
MIN_BLOCK_HITS = 2

#: categories whose line marks the start of end-of-page boilerplate
TERMINAL_CATEGORIES = frozenset(
    {
        "comment-prompt",
        "comment-list-meta",
        "related",
        "read-more",
        "share",
        "newsletter",
        "adblock-notice",
        "author-bio",
        "paywall",
        "cookie",
        "end-of-article",
        "navigation",
        "footer",
        "syndication",
        "call-to-action",
        "disclosure",
        "contact",
    }
)
#: heading categories that open an end section (see ``tail.section``)
SECTION_CATEGORIES = frozenset({"author-bio", "comment-prompt", "adblock-notice", "paywall"})
TEASER_CATEGORIES = frozenset({"read-more", "related", "navigation"})
# Not "related" or "policy": "Most popular baby names" or "Privacy policy changes anger
# users" are headlines that open with such a phrase.
LEAD_CATEGORIES = frozenset(
    {"comment-prompt", "author-bio", "ad-label", "share", "adblock-notice", "newsletter", "paywall"}
)


@dataclass(frozen=True, slots=True)
class Line:
    """One line of the document, with what the rules compare."""

    text: str
    normalized: str
    words: int


@dataclass(frozen=True, slots=True)
class Verdict:
    """Why a line is boilerplate: the rule that said so and the kind of boilerplate."""

    rule: str
    category: str


class LineRule(Protocol):
    """A named test of one line. Returns the category when the line is boilerplate.

    A rule may also have a ``max_words`` attribute: lines longer than that are never its
    boilerplate, and it is not asked about them.
    """

    @property
    def name(self) -> str: ...

    def category(self, line: Line) -> str | None: ...


def make_line(text: str) -> Line:
    return Line(text=text, normalized=normalize(text), words=word_count(text))


# --- rules on one line ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ExactPhraseRule:
    """The whole line is a catalogue phrase ("Advertisement", "Leave a Comment")."""

    catalogue: PhraseCatalogue
    name: str = "line.phrase"

    def category(self, line: Line) -> str | None:
        phrase = self.catalogue.exact(line.normalized)
        return phrase.category if phrase else None


@dataclass(frozen=True, slots=True)
class PhraseCoverageRule:
    """Catalogue phrases cover most of the line ("Leave a Reply to Anna", a cookie banner)."""

    catalogue: PhraseCatalogue
    threshold: float = COVERAGE_THRESHOLD
    name: str = "line.phrase-cover"
    max_words: int = MAX_COVERAGE_WORDS

    def category(self, line: Line) -> str | None:
        if not line.normalized or line.words > self.max_words:
            return None
        match = self.catalogue.coverage(line.normalized)
        if match is None or match.ratio < self.threshold:
            return None
        return match.category


@dataclass(frozen=True, slots=True)
class PhraseLeadRule:
    """A short line that opens with a UI phrase and adds a name: "Leave a Reply to Anna"."""

    catalogue: PhraseCatalogue
    max_extra_words: int = MAX_LEAD_EXTRA_WORDS
    name: str = "line.phrase-lead"
    max_words: int = MAX_LEAD_WORDS

    def category(self, line: Line) -> str | None:
        if line.words > self.max_words:
            return None
        phrase = self.catalogue.leading(line.normalized)
        if phrase is None or phrase.category not in LEAD_CATEGORIES:
            return None
        if line.words - word_count(phrase.normalized) > self.max_extra_words:
            return None
        return phrase.category


@dataclass(frozen=True, slots=True)
class TeaserRule:
    """A short line that opens like a teaser: "Read more: <headline>", "Lire aussi : ..."."""

    catalogue: PhraseCatalogue
    name: str = "line.teaser"
    max_words: int = MAX_TEASER_WORDS

    def category(self, line: Line) -> str | None:
        if line.words > self.max_words:
            return None
        phrase = self.catalogue.prefix(line.normalized)
        if phrase is None or phrase.category not in TEASER_CATEGORIES:
            return None
        return phrase.category


@dataclass(frozen=True, slots=True)
class PatternRule:
    """A line matching a regular expression, up to a word limit.

    The pattern sees the normalised line, or the line as written when ``raw`` (for rules
    that need the punctuation normalisation strips, such as the colon of "Anna says:").
    ``needles``, when given, are strings one of which every match contains: a pattern that
    may match anywhere in the line is tried only on lines holding one (a substring test is
    a twentieth of the cost of such a search, and most lines hold none).
    """

    name: str
    category_name: str
    pattern: re.Pattern[str]
    max_words: int
    raw: bool = False
    needles: tuple[str, ...] = ()

    def category(self, line: Line) -> str | None:
        if line.words > self.max_words:
            return None
        text = line.text if self.raw else line.normalized
        if self.needles and not _holds_any(text, self.needles):
            return None
        if not self.pattern.search(text):
            return None
        return self.category_name


def _holds_any(text: str, needles: tuple[str, ...]) -> bool:
    # a plain loop: any() over a generator costs twice as much here
    for needle in needles:  # noqa: SIM110
        if needle in text:
            return True
    return False


# Social networks and share actions; a line made only of these is a share bar.
SHARE_WORDS = word_set(
    """
    facebook twitter x linkedin whatsapp telegram pinterest reddit tumblr xing flipboard
    pocket email e-mail mail print drucken imprimer imprimir stampa afdrukken share teilen
    partager compartir condividi compartilhar delen tweet messenger bluesky threads
    mastodon instagram youtube tiktok rss sms copy link kopieren copier copiar copia
    google news vk weibo wechat qq line viber snapchat comment comments kommentare shares
    """
)


_SHARE_SEPARATORS = re.compile(r"[\s|/•·,]+")


@dataclass(frozen=True, slots=True)
class ShareBarRule:
    """A line made only of network names and share actions ("Facebook Twitter Email")."""

    name: str = "line.share"
    max_words: int = 14

    def category(self, line: Line) -> str | None:
        if line.words > self.max_words or line.normalized.split(" ", 1)[0] not in SHARE_WORDS:
            return None
        tokens = [t for t in _SHARE_SEPARATORS.split(line.normalized) if t]
        if not tokens or len(tokens) > self.max_words:
            return None
        # a bare count ("12 shares") is part of a share bar too
        if all(t in SHARE_WORDS or t.isdigit() for t in tokens) and not all(
            t.isdigit() for t in tokens
        ):
            return "share"
        return None


_FOLLOW = re.compile(
    r"^(follow|like|join) us\b|^(folgen sie uns|folge uns|suivez-nous|siguenos|síguenos"
    r"|seguici|siga-nos|volg ons)\b"
)
_NEWSLETTER_WORD = r"(newsletters?|nieuwsbrief|boletín|infolettre|e-mail alerts?|email alerts?)"
_NEWSLETTER = re.compile(
    r"^((sign up|subscribe|register|get|join|receive)( now| today| here)?\b.{0,60}\b"
    + _NEWSLETTER_WORD
    + r"|(abonnieren sie|abonniere|melden sie sich|melde dich|inscrivez-vous|abonnez-vous"
    r"|suscríbete|suscribete|regístrate|iscriviti|assine|inscreva-se|schrijf je in"
    r"|meld je aan|abonneer)\b.{0,80}\b" + _NEWSLETTER_WORD + ")"
)
_COOKIE = re.compile(
    r"^(we use cookies|we and our partners use|this (web)?site uses cookies"
    r"|our (web)?site uses cookies|by (continuing|using)( to (use|browse))? (this|our) (web)?site"
    r"|wir (verwenden|nutzen) cookies|diese (web)?seite (verwendet|nutzt) cookies"
    r"|nous utilisons des cookies|ce site utilise des cookies|utilizamos cookies"
    r"|este sitio( web)? utiliza cookies|utilizziamo (i )?cookie|questo sito utilizza (i )?cookie"
    r"|usamos cookies|este site (utiliza|usa) cookies|wij gebruiken cookies"
    r"|deze (web)?site gebruikt cookies)\b"
)
_COMMENT_COUNT = re.compile(
    r"^(\d+ (comments?|responses?|replies|kommentare?|commentaires?|comentarios?|commenti"
    r"|comentários|reacties|reactie)|(comments?|kommentare|commentaires|comentarios|commenti"
    r"|comentários|reacties) \(?\d+\)?|no comments yet|(show|view|load|read) (all )?\d* ?comments)$"
)
_COMMENT_META = re.compile(
    r"\b(says|sagt|dice|dit|diz|zegt|scrive|skriver|siger)\s*:\s*$", re.IGNORECASE
)


_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?|januar|februar|märz|mai"
    r"|juni|juli|oktober|dezember|janvier|février|mars|avril|juin|juillet|août|septembre"
    r"|octobre|novembre|décembre|enero|febrero|marzo|abril|mayo|junio|julio|agosto"
    r"|septiembre|octubre|noviembre|diciembre)\.?"
)
_DAY = r"\d{1,2}(?:st|nd|rd|th|er)?\.?"
_DATE = (
    rf"(?:{_MONTH}\s+{_DAY},?\s+\d{{4}}|{_DAY}\s+(?:of\s+|de\s+)?{_MONTH}\s+(?:de\s+)?\d{{4}}"
    r"|\d{4}-\d{2}-\d{2}|\d{1,2}[./]\d{1,2}[./]\d{2,4})"
)
_TIME = r"(?:\s*(?:,|at|um|à|a las)?\s*\d{1,2}[:.h]\d{2}(?:\s*[ap]\.?m\.?)?(?:\s*[a-z]{2,4})?)?"
_WEEKDAY = r"(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s*)?"
# A line that is only a date (and time), or only a reading time: the article's metadata.
_DATELINE = re.compile(
    r"^(?:(?:published|updated|posted|last updated|modified|veröffentlicht|aktualisiert"
    r"|publié|mis à jour|publicado|actualizado)(?: on| am| le| el)?:?\s*)?"
    rf"{_WEEKDAY}{_DATE}{_TIME}$"
    r"|^\d+\s*(?:min|mins|minute|minutes|minuten)\.?\s*(?:read|reading|lesezeit|de lecture)?$"
    r"|^(?:reading time|read time|lesezeit|temps de lecture)\s*:?\s*\d+\s*(?:min|minutes?)$"
)
# Affiliate and sponsorship disclosures: the site or writer speaking about its own links, not
# an article about affiliate marketing.
_DISCLOSURE = re.compile(
    r"\b(?:(?:this|our|the) (?:post|article|page|site|website|blog|story|guide|review|content)"
    r" (?:may )?(?:contains?|includes?|uses?) (?:affiliate|sponsored|commissionable) links?"
    r"|as an amazon associate|advertiser disclosure|affiliate disclaimer|affiliate disclosure"
    r"|(?:we|i) (?:may )?(?:earn|receive|get) (?:a )?(?:small )?(?:commission|fee|compensation)"
    r"|(?:chosen|selected) independently by (?:our|the) editors"
    r"|(?:is|are) supported by (?:commissions|our readers|affiliate)"
    r"|if you (?:buy|purchase|click|shop)\b.{0,60}\b(?:we|i) (?:may )?(?:earn|receive|get)\b"
    r"|\blinks? (?:on|in) this (?:site|page|post|article|blog) (?:may )?(?:contains?|includes?"
    r"|are) affiliate\b"
    r"|\bmay (?:earn|receive|get) (?:a )?(?:small )?(?:commission|compensation)\b.{0,40}\bif you"
    r" (?:buy|purchase|click|shop|make a purchase)\b)"
)
#: strings one of which every _DISCLOSURE match holds
_DISCLOSURE_NEEDLES = (
    "affiliate",
    "sponsored",
    "commission",
    "associate",
    "disclosure",
    "fee",
    "compensation",
    "independently",
    "supported by",
    "if you",
)
# A short imperative that asks the reader to act on the site, not to read on (list items
# are excluded by the rule: a how-to's steps are imperatives too).
_CALL_TO_ACTION = re.compile(
    r"^(?:subscribe|sign up|join|get|download|register|book|request|try|contact|call|claim"
    r"|schedule|shop|order|unlock|upgrade|grab|start)\b.{0,50}?\b(?:newsletter|inbox|free"
    r"|demo|quote|trial|today|now|started|offers?|deals?|discount|consultation)\b[!.]?$"
    r"|\b(?:delivered|straight|right|directly) (?:to|into|in) your inbox\b"
    r"|^(?:would you like to|want to|do you want to) (?:receive|get) (?:notifications"
    r"|updates|our newsletter|the latest)"
    r"|^(?:please )?fill (?:out|in) (?:the|this|our) (?:form|fields)\b"
)
_LIST_ITEM = re.compile(r"^\s*(?:[-•*–]|\d+[.)])\s")
# A short line that is only an account or subscription button.
_ACCOUNT_BUTTON = re.compile(
    r"^(?:subscribe|sign up|sign in|log in|login|register|join now|unsubscribe|create (?:an|your) "
    r"account)\b"
)
# "© 2024 Example Media", "Copyright 2024 ...", "... All rights reserved": a line that *is* a
# copyright notice or carries one (an article heading about copyright law is not one).
_COPYRIGHT = re.compile(
    r"^(?:©|\(c\)|copyright\s*(?:©|\(c\)|(?:19|20)\d\d\b))|\ball rights reserved\b"
    r"|©\s*(?:19|20)\d\d\b|\bcopyright ©"
)
_CONTACT = re.compile(
    r"^(?:(?:e-?mail|email us|contact(?: us)?|write to us)\s*:?\s*)?[\w.+-]+@[\w-]+(?:\.[\w-]+)+$"
)
_PAGINATION = re.compile(r"^page \d+ (?:of|/) \d+$")
# Appeals for money or membership that close reader-funded articles.
_SUPPORT_APPEAL = re.compile(
    r"^(?:this (?:story|article|journalism|reporting|work|site) (?:is|was) (?:funded|supported"
    r"|made possible) by (?:readers|members|donors|subscribers|people)|support (?:our|independent"
    r"|local) journalism|become a (?:member|patron|supporter|subscriber)|donate (?:now|today)"
    r"|(?:please )?consider (?:supporting us|subscribing|donating|becoming a))"
)
# "Written by Jane Doe", "Posted by David at December 16, 2025": a byline for any name.
_BYLINE = re.compile(
    r"^(?i:written|posted|published|reported|reviewed|edited|compiled|photos?|words) by "
    r"[A-Z][\w'’.-]*(?: [A-Z][\w'’.-]*){0,3}(?:\s*(?:on|at|\||,|·|-|–)\s*.{0,40})?$"
)

# A newsletter, blog or channel promoted anywhere in a short line ("For daily tips, sign up for
# the Almanac newsletter", "Join 10K+ readers ... in our newsletter"): the site speaking of
# its own list. ("Twelve people signed up for my newsletter" is a sentence, not a prompt.)
_NEWSLETTER_PROMO = re.compile(
    r"(?:^|[.!?:,;] |\bby |\band |\bplease )"  # an imperative, not "millions subscribe to"
    r"(?:sign(?:ing)? up|subscrib(?:e|ing)|register(?:ing)?)\b[^.!?]{0,60}"
    r"\b(?:our|the|my|this|\w+'s)\b[^.!?]{0,40}\bnewsletters?\b"
    r"|^join\b[^.!?]{0,80}\bnewsletters?\b"
    r"|\bsubscribe to (?:our|my|this) (?:blog|newsletter|channel|podcast|site|mailing list|feed)\b"
)
# Following the site on a network, or joining its group there.
_FOLLOW_PROMO = re.compile(
    r"\b(?:follow|like|connect with) (?:us|me) on (?:facebook|twitter|x|instagram|linkedin"
    r"|tiktok|youtube|threads|bluesky|mastodon|pinterest|social media)\b"
    r"|\bjoin (?:our|the|my) (?:facebook|linkedin|discord|slack|telegram|whatsapp|reddit)"
    r" (?:group|community|page|server|channel)\b"
)
# A wall or a sign-in prompt: "This article is exclusive to X subscribers", "Already have an
# account? Log in".
_ACCOUNT_PROMPT = re.compile(
    r"^already (?:have an account|a subscriber|a member|registered)\b"
    r"|^(?:don't|do not) have an account\b"
    r"|^(?:this|the) (?:article|story|content|post|piece|feature|newsletter) (?:is|are)"
    r" (?:exclusive|available only|only available) (?:to|for) [^.!?]{0,40}"
    r"\b(?:subscribers|members)\b"
)
# The writer or site asking readers to share, rate, subscribe or sign up for more.
_READER_APPEAL = re.compile(
    r"\bif you (?:like|liked|enjoy|enjoyed|found value in) (?:this|the|our) (?:article|post"
    r"|story|episode|podcast|show|newsletter|issue|video|blog|channel)\b[^.!?]{0,40}"
    r"\b(?:please|consider|share|subscribe|follow|support|leave a (?:review|rating))\b"
    r"|\bplease consider (?:liking|sharing|subscribing|following)\b"
    r"|\bhelp (?:me|us) spread the word\b"
    r"|\btell your friends and (?:get|earn) rewards\b"
    r"|\bplease (?:take a (?:moment|minute|second) to )?leave a (?:star )?rating\b"
    r"|\bget updates from this (?:writer|author|creator)\b"
)
# Reader-funded sites asking for money: "Enjoyed this piece? We need your help to keep
# publishing.", "The X is a non-profit project kept alive by reader donations", "Support X!
# Donate via ...". (An article about Patreon or about donations names them without asking.)
_DONATION_QUESTION = re.compile(
    r"^(?:enjoy(?:ed)?|like[ds]?|love[ds]?|value[ds]?|appreciate[ds]?) (?:this|our|reading"
    r"|what)\b[^.!?]{0,60}\? (?:we need your|(?:please )?(?:support|consider|help us|donate"
    r"|become|chip in|pitch in))"
)
_DONATION_APPEAL = re.compile(
    r"\b(?:kept alive|funded|sustained|made possible|powered) (?:entirely |solely |only )?by"
    r" (?:our )?(?:readers?|members?|listeners?|viewers?)'?s?'? (?:donations|contributions"
    r"|support|generosity)\b"
    r"|\bdonate via\b|\bbecome a (?:patron|supporter|friend|member) (?:on patreon|today|now)\b"
    r"|\b(?:support|back|join) (?:us|me|the (?:site|show|blog|podcast|project)) on patreon\b"
)
#: strings one of which every _DONATION_APPEAL match holds (the regex is tried only then:
#: its unanchored alternatives would otherwise be tried at every position of every line)
_DONATION_NEEDLES = (
    "donat",
    "patreon",
    "kept alive",
    "funded",
    "sustained",
    "made possible",
    "powered",
    "become a",
)
# A legal or regulatory disclaimer of the site about its own content and services ("The
# information contained herein is for informational purposes only", "Securities offered
# through ...", "... is a registered investment adviser"); a sentence of an article that
# mentions advice, risk or securities is not one.
_LABEL = r"^(?:(?:legal )?disclaimer\s*:\s*)?"
_THIS_CONTENT = (
    r"(?:this|the) (?:article|post|blog|blog post|content|page|material|information|guide"
    r"|newsletter|video|episode|podcast|site|website)"
)
_FOR_INFORMATION = (
    r"(?:provided |intended |designed |offered |meant )?(?:solely )?(?:for|as) (?:general )?"
    r"(?:informational|information|educational)(?: and (?:educational|informational))?"
    r" purposes?\b"
)
_DISCLAIMER = re.compile(
    _LABEL + r"(?:the )?(?:information|content|material)s? (?:contained |provided |included "
    r"|presented |published )?(?:herein|here|on this (?:site|website|page|blog)|in this "
    r"(?:article|post|blog|page|guide|material|newsletter|video|episode))\b[^.]{0,40}?"
    r" (?:is|are) "
    + _FOR_INFORMATION
    + r"|"
    + _LABEL
    + _THIS_CONTENT
    + r" (?:is|are) "
    + _FOR_INFORMATION
    + r"|"
    + _LABEL
    + _THIS_CONTENT
    + r" (?:is|does) not (?:intended (?:to be|as) |meant (?:to be|as) |a substitute for "
    r"|constitute |provide )?(?:professional |personalized )?(?:legal|financial|tax|investment"
    r"|medical|health)\b[^.]{0,30}\badvice\b"
)
# The regulatory lines of financial sites ("Securities offered through X, member FINRA/SIPC").
_REGULATORY = re.compile(
    r"\bsecurities\b[^.]{0,80}\boffered through\b[^.]{0,80}\b(?:member|finra|sipc|inc|llc"
    r"|registered)\b|\bmember (?:finra|sipc)\b"
    r"|^[^.]{0,80}\bis an? (?:sec[- ])?registered investment advis[eo]r\b"
)
_DISCLAIMER_NEEDLES = ("purpose", "advice")
_REGULATORY_NEEDLES = ("offered through", "finra", "sipc", "registered investment")
# A feed's footer ("The post <title> appeared first on <site>.", WordPress) and a shortcode
# left in the text ("[adthrive-in-post-video-player video-id=...]", "[caption id=...]"): the
# markup of a publishing tool, not the article's words.
_FEED_FOOTER = re.compile(
    r"^The post .{1,300} appeared first on (?:[A-Z0-9][\w'’&.:/-]*\s?){1,8}\.?$"
)
_SHORTCODE = re.compile(
    r"^\[/?[a-z][a-z0-9]*[-_][\w-]*(?:\s[^\]]*)?\]$|^\[[a-z][\w-]*\s[^\]]*=[^\]]*\]$"
    r"|^\[/[a-z][\w-]*\]$",
    re.IGNORECASE,
)
# The post's labels: "Tags: Employment, Health & Fitness", "Filed under: Politics".
_TAXONOMY = re.compile(
    r"^(?:tags?|tagged(?: with| in)?|filed (?:under|in)|categories|category|posted in|topics"
    r"|schlagwörter|schlagworte|stichwörter|étiquettes|mots-clés|etiquetas|categorías|tag"
    r"|argomenti|trefwoorden)\s*:\s*\S"
)
# "Advertisement: New AI Book!", "Sponsored: ..." -- an ad labelled as one.
_LABELLED_AD = re.compile(
    r"^(?:advertisement|sponsored|promoted|anzeige|werbung|publicité|publicidad|pubblicità"
    r"|publicidade|advertentie)\s*[:|]"
)


@dataclass(frozen=True, slots=True)
class CallToActionRule:
    """A short imperative line that asks the reader to subscribe, book, buy ... (not a list
    item: the steps of a how-to are imperatives too)."""

    name: str = "line.cta"
    max_words: int = 16

    def category(self, line: Line) -> str | None:
        if line.words > self.max_words or _LIST_ITEM.match(line.text):
            return None
        if line.words <= MAX_BUTTON_WORDS and _ACCOUNT_BUTTON.match(line.normalized):
            return "call-to-action"
        return "call-to-action" if _CALL_TO_ACTION.search(line.normalized) else None


#: an account or subscription button has at most this many words
MAX_BUTTON_WORDS = 6


def default_line_rules(catalogue: PhraseCatalogue | None = None) -> tuple[LineRule, ...]:
    """The rules every line is judged by, in order; the first that fires names the removal."""
    phrases = catalogue if catalogue is not None else default_catalogue()
    return (
        ExactPhraseRule(phrases),
        PhraseCoverageRule(phrases),
        PhraseLeadRule(phrases),
        TeaserRule(phrases),
        ShareBarRule(),
        PatternRule("line.follow", "share", _FOLLOW, max_words=15),
        PatternRule("line.newsletter", "newsletter", _NEWSLETTER, max_words=40),
        PatternRule("line.cookie", "cookie", _COOKIE, max_words=80),
        PatternRule("line.comment-count", "comment-prompt", _COMMENT_COUNT, max_words=6),
        PatternRule(
            "line.comment-meta",
            "comment-list-meta",
            _COMMENT_META,
            max_words=6,
            raw=True,
            needles=(":",),
        ),
        PatternRule("line.dateline", "dateline", _DATELINE, max_words=12),
        PatternRule(
            "line.disclosure", "disclosure", _DISCLOSURE, max_words=60, needles=_DISCLOSURE_NEEDLES
        ),
        CallToActionRule(),
        PatternRule(
            "line.copyright",
            "footer",
            _COPYRIGHT,
            max_words=40,
            needles=("©", "(c)", "copyright", "all rights reserved"),
        ),
        PatternRule("line.contact", "contact", _CONTACT, max_words=6, needles=("@",)),
        PatternRule("line.pagination", "navigation", _PAGINATION, max_words=5),
        PatternRule("line.support-appeal", "paywall", _SUPPORT_APPEAL, max_words=30),
        PatternRule("line.byline-any", "byline", _BYLINE, max_words=14, raw=True),
        PatternRule(
            "line.newsletter-promo",
            "newsletter",
            _NEWSLETTER_PROMO,
            max_words=40,
            needles=("newsletter", "subscribe to"),
        ),
        # a longer paragraph that mentions the writer's accounts is the writer's sign-off
        PatternRule(
            "line.follow-promo",
            "share",
            _FOLLOW_PROMO,
            max_words=30,
            needles=("follow", "like us", "like me", "connect with", "join"),
        ),
        PatternRule("line.account", "paywall", _ACCOUNT_PROMPT, max_words=14),
        PatternRule(
            "line.appeal",
            "call-to-action",
            _READER_APPEAL,
            max_words=60,
            needles=("if you", "please", "spread the word", "tell your friends", "get updates"),
        ),
        PatternRule("line.ad-label", "ad-label", _LABELLED_AD, max_words=15),
        PatternRule("line.taxonomy", "navigation", _TAXONOMY, max_words=40, needles=(":",)),
        PatternRule(
            "line.feed-footer",
            "footer",
            _FEED_FOOTER,
            max_words=80,
            raw=True,
            needles=("appeared first",),
        ),
        PatternRule("line.shortcode", "footer", _SHORTCODE, max_words=60, raw=True, needles=("[",)),
        PatternRule("line.donation", "paywall", _DONATION_QUESTION, max_words=40),
        PatternRule(
            "line.donation",
            "paywall",
            _DONATION_APPEAL,
            max_words=80,
            needles=_DONATION_NEEDLES,
        ),
        PatternRule(
            "line.disclaimer",
            "disclosure",
            _DISCLAIMER,
            max_words=120,
            needles=_DISCLAIMER_NEEDLES,
        ),
        PatternRule(
            "line.disclaimer",
            "disclosure",
            _REGULATORY,
            max_words=120,
            needles=_REGULATORY_NEEDLES,
        ),
    )


#: judged texts remembered per rule set; templates repeat the same strings on every page
JUDGE_CACHE_SIZE = 100_000
_JUDGED: dict[int, tuple[Sequence[LineRule], dict[str, Verdict | None]]] = {}


def judge_text(text: str, rules: Sequence[LineRule], line: Line | None = None) -> Verdict | None:
    """:func:`judge_line` of ``text``, remembered: a site's menus and buttons are judged once.

    The memory is per rule set (held by identity, the rule set kept alive with it) and is
    emptied when it reaches :data:`JUDGE_CACHE_SIZE` texts. ``line`` is ``make_line(text)``
    when the caller has it already.
    """
    entry = _JUDGED.get(id(rules))
    if entry is None or entry[0] is not rules:
        entry = _JUDGED[id(rules)] = (rules, {})
    memory = entry[1]
    if text in memory:
        return memory[text]
    if len(memory) >= JUDGE_CACHE_SIZE:
        memory.clear()
    verdict = memory[text] = judge_line(line if line is not None else make_line(text), rules)
    return verdict


def judge_line(line: Line, rules: Sequence[LineRule]) -> Verdict | None:
    """The first rule that finds ``line`` to be boilerplate, or None to keep it.

    Rules that declare a ``max_words`` below the line's length are not asked (most article
    lines are longer than most rules look at).
    """
    if not line.normalized:
        return None
    for rule in _rules_for_length(rules, line.words):
        category = rule.category(line)
        if category is not None:
            return Verdict(rule.name, category)
    return None


_BY_LENGTH: dict[int, tuple[Sequence[LineRule], dict[int, tuple[LineRule, ...]]]] = {}
#: line lengths (words) from which the same rules apply: every rule's limit is below it
_LONGEST_LIMIT = 1_000


def _rules_for_length(rules: Sequence[LineRule], words: int) -> tuple[LineRule, ...]:
    """``rules`` (in order) whose ``max_words``, if they have one, admits ``words``."""
    entry = _BY_LENGTH.get(id(rules))
    if entry is None or entry[0] is not rules:
        entry = _BY_LENGTH[id(rules)] = (rules, {})
    key = min(words, _LONGEST_LIMIT)
    applicable = entry[1].get(key)
    if applicable is None:
        applicable = entry[1][key] = tuple(
            rule for rule in rules if getattr(rule, "max_words", key) >= key
        )
    return applicable


# --- rules on the tail ---------------------------------------------------------------------


def is_fragment(line: Line) -> bool:
    """A short line that is not a sentence: a heading, a link title, a button, a credit."""
    return line.words <= MAX_FRAGMENT_WORDS and not looks_like_prose(line.text)


def tail_run_start(lines: Sequence[Line], verdicts: Sequence[Verdict | None]) -> int | None:
    """Index where the trailing boilerplate run starts (see ``tail.run``), or None."""
    start = len(lines)
    while start > 0 and (verdicts[start - 1] is not None or is_fragment(lines[start - 1])):
        start -= 1
    kept = _kept_chars_from(lines, verdicts)  # one pass: the rule stays linear in lines
    for index in range(start, len(lines)):
        verdict = verdicts[index]
        if (
            verdict is not None
            and verdict.category in TERMINAL_CATEGORIES
            and (kept[index] == 0 or kept[index] <= MAX_TAIL_SHARE * kept[0])
        ):
            return index
    return None


def _kept_chars_from(lines: Sequence[Line], verdicts: Sequence[Verdict | None]) -> list[int]:
    """For each index, the characters of kept (not yet judged) lines from there to the end."""
    totals = [0] * (len(lines) + 1)
    for index in range(len(lines) - 1, -1, -1):
        own = len(lines[index].text) if verdicts[index] is None else 0
        totals[index] = totals[index + 1] + own
    return totals


def tail_section_span(
    lines: Sequence[Line], verdicts: Sequence[Verdict | None]
) -> tuple[int, int] | None:
    """[start, end) of a droppable end section opened by a heading line, or None.

    The section ends at the first heading-like line that follows some prose ("About the
    author" / "Jane Doe" / her bio / "References": a reference list is
    :func:`reference_list_span`'s to judge).
    """
    kept = _kept_chars_from(lines, verdicts)
    openers = [
        index
        for index, verdict in enumerate(verdicts)
        if verdict is not None
        and verdict.category in SECTION_CATEGORIES
        and verdict.rule == "line.phrase"  # only a heading that is nothing but the phrase
        and lines[index].words <= 12
    ]
    for index in openers[:MAX_SECTION_OPENERS]:
        end = _section_end(lines, verdicts, index)
        section = lines[index + 1 : end]
        dropped = kept[index] - kept[end]
        if (
            all(line.words <= MAX_SECTION_LINE_WORDS for line in section)
            and dropped <= MAX_SECTION_CHARS
            and dropped <= MAX_SECTION_SHARE * kept[0]
        ):
            return index, end
    return None


def _section_end(lines: Sequence[Line], verdicts: Sequence[Verdict | None], start: int) -> int:
    seen_prose = False
    for index in range(start + 1, len(lines)):
        line = lines[index]
        if seen_prose and verdicts[index] is None and is_heading_like(line.text):
            return index
        seen_prose = seen_prose or looks_like_prose(line.text)
    return len(lines)


#: headings that open a reference list (normalised)
REFERENCE_HEADINGS = frozenset(
    {
        "references", "reference list", "sources", "article sources", "source", "bibliography",
        "works cited", "citations", "footnotes", "endnotes", "notes", "notes and references",
        "sources and references", "further reading", "literatur", "literaturverzeichnis",
        "quellen", "quellenangaben", "einzelnachweise", "références", "bibliographie",
        "notes et références", "referencias", "bibliografía", "fuentes", "riferimenti",
        "bibliografia", "fonti", "note", "referências", "fontes", "bronnen", "literatuur",
        "referenties", "noten",
    }
)  # fmt: skip
#: a reference list holds at least this many lines, this share of them citations
MIN_REFERENCE_LINES = 2
MIN_CITATION_SHARE = 0.6
#: citation lines are at most this long (words)
MAX_CITATION_WORDS = 120
_CITATION = re.compile(
    r"\b(?:1[5-9]|20)\d\d[a-z]?\b|\bdoi\b|https?://|www\.|\bet al\b|\bibid\b|\bn\.d\.",
    re.IGNORECASE,
)


def reference_list_span(
    lines: Sequence[Line], verdicts: Sequence[Verdict | None]
) -> tuple[int, int] | None:
    """[start, end) of a reference list closing the text (see ``tail.references``), or None.

    The first reference heading in the second half of the text (by characters) whose lines
    after it, to the end, are citations or further reference headings.
    """
    headings = [i for i, line in enumerate(lines) if line.normalized in REFERENCE_HEADINGS]
    if not headings:
        return None  # most texts: no character count needed
    after = _kept_chars_from(lines, [None] * len(lines))  # characters from each line on
    for index in headings:
        if after[index] > after[0] / 2:
            continue
        rest = [other for other in lines[index + 1 :] if other.normalized]
        if _is_reference_list(rest):
            return index, len(lines)
    return None


def _is_reference_list(lines: Sequence[Line]) -> bool:
    entries = [line for line in lines if line.normalized not in REFERENCE_HEADINGS]
    if len(entries) < MIN_REFERENCE_LINES:
        return False
    citations = sum(
        1
        for line in entries
        if line.words <= MAX_CITATION_WORDS and _CITATION.search(line.text) is not None
    )
    return citations >= MIN_CITATION_SHARE * len(entries)


def tail_run_span(
    lines: Sequence[Line], verdicts: Sequence[Verdict | None]
) -> tuple[int, int] | None:
    start = tail_run_start(lines, verdicts)
    return None if start is None else (start, len(lines))


# --- rules that know the page: its title and authors --------------------------------------------

#: the headline is looked for among this many first lines
MAX_TITLE_POSITION = 5
#: a byline has at most this many words
MAX_BYLINE_WORDS = 14
#: what may stand beside an author's name in a byline line
BYLINE_WORDS = word_set(
    """
    by written posted published updated last on at and in author authors reviewed edited
    fact checked medically story text words photo photos reporting
    von am um und par le et por el de y di da door op min read minute minutes ago hour
    hours day days week weeks staff writer reporter editor contributor correspondent
    senior contributing columnist
    """
)
_MONTH_WORD = re.compile(rf"^{_MONTH}$")
#: an author's bio paragraph has at most this many words ...
MAX_BIO_WORDS = 80
#: ... and opens (in these many characters) with "Hi, I'm" and the name, or with the name
#: and a verb that introduces a person, with a writer's role in the paragraph
MAX_BIO_OPENING_CHARS = 80
_FIRST_PERSON_LEADS = ("hi i m ", "hello i m ", "i m ")
#: the text's last lines, where a paragraph introducing its author is the writer's box
BIO_END_LINES = 3
_BIO_VERBS = ("is a ", "is an ", "is the ", "has been ")
_WRITER_ROLES = word_set(
    """
    writer editor reporter journalist contributor columnist correspondent blogger critic
    freelance freelancer
    """
)
_BYLINE_TOKEN = re.compile(r"[^\W_]+")


@dataclass(frozen=True, slots=True)
class PageLineRules:
    """Rules that need the page's metadata: the headline at the start of the text and what
    stands above it (kickers, breadcrumbs, category labels), and byline lines naming the
    page's authors. The headline is the article's ``title``, not its body: the text starts
    with the first line after it (renderers print the title above the text), unless it is
    the text's last line."""

    title: str = ""  # normalised
    authors: tuple[str, ...] = ()  # normalised

    def verdicts(self, lines: Sequence[Line]) -> dict[int, Verdict]:
        found: dict[int, Verdict] = {}
        title_at = self._title_position(lines)
        if title_at is not None:
            if all(is_fragment(line) for line in lines[:title_at]):
                for index in range(title_at):  # kickers, breadcrumbs above the headline
                    found[index] = Verdict("head.before-title", "navigation")
            if title_at < len(lines) - 1:
                found[title_at] = Verdict("head.title", "title")
        if self.authors:
            for index, line in enumerate(lines):
                if index in found:
                    continue
                if self.is_byline(line):
                    found[index] = Verdict("line.byline", "byline")
                elif self.is_author_bio(line, at_end=index >= len(lines) - BIO_END_LINES):
                    found[index] = Verdict("line.author-bio", "author-bio")
        return found

    def is_author_bio(self, line: Line, *, at_end: bool = False) -> bool:
        """A paragraph that introduces one of the page's authors as its writer: "Hi, I'm
        Jane Doe, and I cover ...", "Jane Doe is a reporter who ..." (the writer's box). A
        sentence about the author in another role ("... is the CEO of") stays -- unless it
        is among the text's last :data:`BIO_END_LINES` lines (``at_end``): there, "Jane Doe
        is the CTO of Acme, where she ..." is the guest writer's box under the article."""
        if line.words > MAX_BIO_WORDS:
            return False
        opening = " ".join(_BYLINE_TOKEN.findall(line.normalized[:MAX_BIO_OPENING_CHARS]))
        for author in self.authors:
            if any(opening.startswith(f"{lead}{author} ") for lead in _FIRST_PERSON_LEADS):
                return True
            if any(opening.startswith(f"{author} {verb}") for verb in _BIO_VERBS):
                return at_end or not _WRITER_ROLES.isdisjoint(
                    _BYLINE_TOKEN.findall(line.normalized)
                )
        return False

    def _title_position(self, lines: Sequence[Line]) -> int | None:
        if not self.title:
            return None
        for index, line in enumerate(lines[:MAX_TITLE_POSITION]):
            if line.normalized == self.title:
                return index
        return None

    def is_byline(self, line: Line) -> bool:
        """A short line made of an author's name and byline words, dates and roles."""
        if line.words > MAX_BYLINE_WORDS:
            return False
        rest = f" {line.normalized} "
        named = False
        for author in self.authors:
            if f" {author} " in rest:
                rest = rest.replace(f" {author} ", " ")
                named = True
        if not named:
            return False
        tokens = _BYLINE_TOKEN.findall(rest)
        # a name alone may be a signature or a list entry; a byline says "by", a role, a date
        words = [t for t in tokens if not t.isdigit()]
        return bool(words) and all(t in BYLINE_WORDS or _MONTH_WORD.match(t) for t in words)


def page_line_rules(title: str | None, authors: Sequence[str] = ()) -> PageLineRules:
    """The page rules for a page with this title and these authors."""
    names = tuple(n for n in (_spaced_key(a) for a in authors) if n)
    return PageLineRules(title=normalize(title) if title else "", authors=names)


def _spaced_key(name: str) -> str:
    """A name as it appears in a normalised line, punctuation around words set apart."""
    return " ".join(_BYLINE_TOKEN.findall(normalize(name)))


# --- the whole pass ------------------------------------------------------------------------

#: teaser cards: at least this many one-line paragraphs of MIN..MAX_EXCERPT_WORDS words
#: that end in an ellipsis
MIN_EXCERPT_RUN = 2
MIN_EXCERPT_WORDS = 6
MAX_EXCERPT_WORDS = 60
_ELLIPSES = ("...", "\u2026", "[...]", "[\u2026]")


@dataclass(frozen=True, slots=True)
class LineDecisions:
    """Per line: None to keep it, or the verdict that removes it."""

    lines: tuple[Line, ...]
    verdicts: tuple[Verdict | None, ...]

    @property
    def kept(self) -> tuple[bool, ...]:
        return tuple(v is None for v in self.verdicts)


def decide_lines(
    texts: Sequence[str],
    rules: Sequence[LineRule] | None = None,
    block_sizes: Sequence[int] = (),
    page_rules: PageLineRules | None = None,
) -> LineDecisions:
    """Judge every line on its own, then whole blocks, then let the tail rules take the end.

    ``block_sizes`` are the numbers of lines of consecutive blocks (they sum to
    ``len(texts)``); without them no block rule applies. ``page_rules`` know the page's
    title and authors (see :func:`page_line_rules`).
    """
    active = rules if rules is not None else _default_rules()
    lines = tuple(make_line(text) for text in texts)
    verdicts: list[Verdict | None] = [judge_text(line.text, active, line) for line in lines]
    if page_rules is not None:
        for index, verdict in page_rules.verdicts(lines).items():
            if verdicts[index] is None:
                verdicts[index] = verdict
    for index in excerpt_run_lines(lines, verdicts, block_sizes):
        verdicts[index] = Verdict("line.excerpts", "related")
    for start, end in dominated_blocks(lines, verdicts, block_sizes):
        category = _dominant_category(verdicts[start:end])
        for index in range(start, end):
            if verdicts[index] is None and lines[index].normalized:
                verdicts[index] = Verdict("line.block", category)
    tail_rules = (
        ("tail.references", reference_list_span),
        ("tail.run", tail_run_span),
        ("tail.section", tail_section_span),
    )
    for tail_rule, finder in tail_rules:
        span = finder(lines, verdicts)
        if span is None:
            continue
        start, end = span
        opener = verdicts[start]
        category = opener.category if opener else _TAIL_CATEGORIES[tail_rule]
        for index in range(start, end):
            if verdicts[index] is None and lines[index].normalized:
                verdicts[index] = Verdict(tail_rule, category)
    return LineDecisions(lines=lines, verdicts=tuple(verdicts))


_TAIL_CATEGORIES = {"tail.references": "references", "tail.run": "tail", "tail.section": "tail"}


def dominated_blocks(
    lines: Sequence[Line], verdicts: Sequence[Verdict | None], block_sizes: Sequence[int]
) -> list[tuple[int, int]]:
    """[start, end) of every block whose lines are mostly boilerplate (see the module doc)."""
    spans: list[tuple[int, int]] = []
    start = 0
    for size in block_sizes:
        end = start + size
        hits = sum(1 for v in verdicts[start:end] if v is not None)
        if hits >= MIN_BLOCK_HITS and hits < size:
            total = sum(len(line.text) for line in lines[start:end])
            boiler = sum(len(lines[i].text) for i in range(start, end) if verdicts[i] is not None)
            if boiler >= BLOCK_DOMINANCE * total:
                spans.append((start, end))
        start = end
    return spans


def excerpt_run_lines(
    lines: Sequence[Line], verdicts: Sequence[Verdict | None], block_sizes: Sequence[int]
) -> list[int]:
    """Indexes of teaser cards: runs of one-line paragraphs cut off with an ellipsis
    ("Many people dream of becoming entrepreneurs, and often the biggest..."), at least
    :data:`MIN_EXCERPT_RUN` of them, with the short titles between them, at the end of the
    text (at most :data:`MAX_TAIL_SHARE` of it follows). A single sentence trailing off in
    an ellipsis is prose; several excerpts in a row after the article are a list of other
    articles (inside it, they may be the article's own summaries of what it reviews)."""
    alone = _one_line_blocks(len(lines), block_sizes)
    runs: list[list[int]] = []
    run: list[int] = []  # excerpts and the fragments between them
    excerpts = 0
    for index, line in enumerate(lines):
        if verdicts[index] is None and index in alone and _is_excerpt(line):
            run.append(index)
            excerpts += 1
        elif excerpts and verdicts[index] is None and is_fragment(line):
            run.append(index)
        else:
            if excerpts >= MIN_EXCERPT_RUN:
                runs.append(_trimmed_run(run, lines))
            run, excerpts = [], 0
    if excerpts >= MIN_EXCERPT_RUN:
        runs.append(_trimmed_run(run, lines))
    if not runs:
        return []
    after = _kept_chars_from(lines, [None] * len(lines))
    return [i for run in runs if after[run[-1] + 1] <= MAX_TAIL_SHARE * after[0] for i in run]


def _trimmed_run(run: list[int], lines: Sequence[Line]) -> list[int]:
    """The run without the fragments after its last excerpt (they may be the article's)."""
    end = len(run)
    while end > 0 and not _is_excerpt(lines[run[end - 1]]):
        end -= 1
    return run[:end]


def _one_line_blocks(count: int, block_sizes: Sequence[int]) -> set[int]:
    alone: set[int] = set()
    start = 0
    for size in block_sizes:
        if size == 1:
            alone.add(start)
        start += size
    return alone if block_sizes else set(range(count))


def _is_excerpt(line: Line) -> bool:
    text = line.text.rstrip()
    return (
        line.words >= MIN_EXCERPT_WORDS
        and line.words <= MAX_EXCERPT_WORDS
        and (text.endswith(_ELLIPSES))
    )


def _dominant_category(verdicts: Sequence[Verdict | None]) -> str:
    categories = [v.category for v in verdicts if v is not None]
    return "adblock-notice" if "adblock-notice" in categories else categories[0]


def removals_for(decisions: LineDecisions, level: RemovalLevel = "line") -> list[Removal]:
    """The removal log entries for every removed line, in document order."""
    removed: list[Removal] = []
    for line, verdict in zip(decisions.lines, decisions.verdicts, strict=True):
        if verdict is not None:
            text = collapse_whitespace(line.text)[:REMOVAL_TEXT_LIMIT]
            removed.append(Removal(verdict.rule, verdict.category, text, level))
    return removed


@cache
def _default_rules() -> tuple[LineRule, ...]:
    return default_line_rules()
