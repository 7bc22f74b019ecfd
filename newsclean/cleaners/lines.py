"""Line-level boilerplate removal: the only level for plain text, the second one for HTML.

A document is a sequence of *blocks* (paragraphs), each a sequence of *lines*. Every line is
first judged on its own by the named :class:`LineRule` s in :data:`DEFAULT_LINE_RULES`
(catalogue phrases, labels, teasers, share/follow lines, sign-ups, consent notices, comment
metadata). A line is boilerplate only when it *is* a UI string: the whole line matches, or
phrases cover most of it, or it is short and opens like a teaser. A long article sentence
that merely contains "cookies" or "leave a comment" is never removed.

Boilerplate gathers at the end of a page, so two rules then look at the tail as a whole:

* ``tail.run`` -- the trailing run of lines that are boilerplate or short non-sentences
  ("Powered By", link titles under "Related Posts") is dropped from its first *terminal*
  boilerplate line on (a comment prompt, a share or related heading, an ad-block notice...).
* ``tail.section`` -- an end section opened by a heading line such as "About the author" or
  "Leave a Reply" is dropped with what follows, even sentences, when what follows is small.

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
#: lines longer than this (words) are never judged by phrase coverage
MAX_COVERAGE_WORDS = 80
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
REMOVAL_TEXT_LIMIT = 500
#: a line opening with a UI phrase may add this many words (a name, a count) and stay one
MAX_LEAD_EXTRA_WORDS = 4
MAX_LEAD_WORDS = 14

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
    }
)
#: heading categories that open an end section (see ``tail.section``)
SECTION_CATEGORIES = frozenset({"author-bio", "comment-prompt", "adblock-notice", "paywall"})
TEASER_CATEGORIES = frozenset({"read-more", "related"})
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
    """A named test of one line. Returns the category when the line is boilerplate."""

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

    def category(self, line: Line) -> str | None:
        if not line.normalized or line.words > MAX_COVERAGE_WORDS:
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

    def category(self, line: Line) -> str | None:
        if line.words > MAX_LEAD_WORDS:
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

    def category(self, line: Line) -> str | None:
        if line.words > MAX_TEASER_WORDS:
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
    """

    name: str
    category_name: str
    pattern: re.Pattern[str]
    max_words: int
    raw: bool = False

    def category(self, line: Line) -> str | None:
        if line.words > self.max_words:
            return None
        if not self.pattern.search(line.text if self.raw else line.normalized):
            return None
        return self.category_name


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
        PatternRule("line.comment-meta", "comment-list-meta", _COMMENT_META, max_words=6, raw=True),
    )


def judge_line(line: Line, rules: Sequence[LineRule]) -> Verdict | None:
    """The first rule that finds ``line`` to be boilerplate, or None to keep it."""
    if not line.normalized:
        return None
    for rule in rules:
        category = rule.category(line)
        if category is not None:
            return Verdict(rule.name, category)
    return None


# --- rules on the tail ---------------------------------------------------------------------


def is_fragment(line: Line) -> bool:
    """A short line that is not a sentence: a heading, a link title, a button, a credit."""
    return line.words <= MAX_FRAGMENT_WORDS and not looks_like_prose(line.text)


def tail_run_start(lines: Sequence[Line], verdicts: Sequence[Verdict | None]) -> int | None:
    """Index where the trailing boilerplate run starts (see ``tail.run``), or None."""
    start = len(lines)
    while start > 0 and (verdicts[start - 1] is not None or is_fragment(lines[start - 1])):
        start -= 1
    for index in range(start, len(lines)):
        verdict = verdicts[index]
        if (
            verdict is not None
            and verdict.category in TERMINAL_CATEGORIES
            and _tail_is_small(lines, verdicts, index, MAX_TAIL_SHARE)
        ):
            return index
    return None


def tail_section_span(
    lines: Sequence[Line], verdicts: Sequence[Verdict | None]
) -> tuple[int, int] | None:
    """[start, end) of a droppable end section opened by a heading line, or None.

    The section ends at the first heading-like line that follows some prose ("About the
    author" / "Jane Doe" / her bio / "References" -- the references stay).
    """
    for index, verdict in enumerate(verdicts):
        if verdict is None or verdict.category not in SECTION_CATEGORIES:
            continue
        if verdict.rule != "line.phrase" or lines[index].words > 12:
            continue  # only a heading that is nothing but the phrase opens a section
        end = _section_end(lines, verdicts, index)
        section = lines[index + 1 : end]
        if all(line.words <= MAX_SECTION_LINE_WORDS for line in section) and _section_is_small(
            lines[:end], verdicts[:end], index, _content_chars(lines, verdicts)
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


def tail_run_span(
    lines: Sequence[Line], verdicts: Sequence[Verdict | None]
) -> tuple[int, int] | None:
    start = tail_run_start(lines, verdicts)
    return None if start is None else (start, len(lines))


def _content_chars(lines: Sequence[Line], verdicts: Sequence[Verdict | None]) -> int:
    return sum(len(line.text) for line, v in zip(lines, verdicts, strict=True) if v is None)


def _tail_is_small(
    lines: Sequence[Line], verdicts: Sequence[Verdict | None], start: int, share: float
) -> bool:
    total = _content_chars(lines, verdicts)
    dropped = _content_chars(lines[start:], verdicts[start:])
    return dropped == 0 or dropped <= share * total


def _section_is_small(
    lines: Sequence[Line], verdicts: Sequence[Verdict | None], start: int, total: int
) -> bool:
    """``lines[start:]`` (the section) is small in itself and next to ``total`` text."""
    dropped = _content_chars(lines[start:], verdicts[start:])
    return dropped <= MAX_SECTION_CHARS and dropped <= MAX_SECTION_SHARE * total


# --- the whole pass ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LineDecisions:
    """Per line: None to keep it, or the verdict that removes it."""

    lines: tuple[Line, ...]
    verdicts: tuple[Verdict | None, ...]

    @property
    def kept(self) -> tuple[bool, ...]:
        return tuple(v is None for v in self.verdicts)


def decide_lines(texts: Sequence[str], rules: Sequence[LineRule] | None = None) -> LineDecisions:
    """Judge every line on its own, then let the tail rules take the end of the page."""
    active = rules if rules is not None else _default_rules()
    lines = tuple(make_line(text) for text in texts)
    verdicts: list[Verdict | None] = [judge_line(line, active) for line in lines]
    for tail_rule, finder in (("tail.run", tail_run_span), ("tail.section", tail_section_span)):
        span = finder(lines, verdicts)
        if span is None:
            continue
        start, end = span
        opener = verdicts[start]
        category = opener.category if opener else "tail"
        for index in range(start, end):
            if verdicts[index] is None and lines[index].normalized:
                verdicts[index] = Verdict(tail_rule, category)
    return LineDecisions(lines=lines, verdicts=tuple(verdicts))


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
