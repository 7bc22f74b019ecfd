"""Author names: read from the places a page declares them, cleaned of byline noise.

Bylines carry more than names: "By Jane Doe and John Roe", "Jane Doe, Staff Writer",
"Jane Doe | @janedoe", "Email the author", "Updated 3 hours ago", "Dylan Bailey, MS, RD",
a profile URL in ``article:author``. :func:`clean_author_names` splits a raw value into
names and drops everything that is not one:

* a leading "By" / "Written by" / "Von" / "Par" / "Por" ... and a trailing "|" part;
* parts that are a URL, an e-mail address, a handle (``@janedoe``) or hold a digit (dates,
  times, counts: names do not have digits);
* calls to action ("Email the author", "Follow", "View all posts", "More from ...");
* role words alone or after a name ("Staff", "Staff Writer", "Senior Editor",
  "Correspondent"), and credentials after a comma ("MS, RD", "Ph.D.");
* parts too long to be a name (more than :data:`MAX_NAME_WORDS` words);
* duplicates (case-insensitive), keeping the first spelling.

:func:`read_authors` tries the sources in order of reliability and keeps the first that
yields a person: the JSON-LD article's ``author``, author meta tags, microdata
(``itemprop="author"``), ``rel="author"`` links, then a byline element. An organisation
given as the author (a JSON-LD ``Organization``) is kept only when no source names a person.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache

from lxml import etree
from lxml.html import HtmlElement

from newsclean.cleaners.dates import ENGLISH_MONTHS
from newsclean.cleaners.jsonld import JsonLd, JsonObject, text_value, types_of
from newsclean.cleaners.text import collapse_whitespace

#: a part longer than this (words) is a sentence, not a name
MAX_NAME_WORDS = 6
MAX_NAME_CHARS = 80
#: a byline element's text longer than this (characters) is not a byline
MAX_BYLINE_CHARS = 120

_SPLIT = re.compile(
    r"\s*(?:;|,|&|\||/|\n|•|·|\band\b|\bund\b|\bet\b|\bwith\b|\bmit\b|\bavec\b|\bcon\b)\s*",
    re.IGNORECASE,
)
# "y"/"e" (and in es/it/pt) are left out: they would split initials such as "E. Smith".
_PREFIX = re.compile(
    r"^(?:(?:written|posted|published|reported|reporting|story|text|words|article|reviewed|"
    r"edited|updated|fact[- ]checked|medically reviewed)\s+(?:by|von|par)|by|von|par|por|"
    r"door|autor(?:in)?|author|auteur|text|texto|testo)\b\s*[:\-–—]?\s*",
    re.IGNORECASE,
)
# Italian, Spanish and Scandinavian bylines ("di Mario Rossi"), lower-case only: "Di Caprio"
# and "De Niro" are names.
_LOWER_PREFIX = re.compile(r"^(?:di|de|da|av|af)\s+(?=[A-ZÀ-Þ])")
_HANDLE = re.compile(r"(?:^|\s)@\w+")
_URL = re.compile(r"\b(?:https?://|www\.)\S+", re.IGNORECASE)
# "This post was written by Jane", "Recipe by Jane", "View all posts by Jane": the name follows
_LAST_BY = re.compile(r"^.*\b(?:by|von)\s+(?=\S)", re.IGNORECASE)
# "ByJane Doe": a byline whose space was lost between two elements
_GLUED_BY = re.compile(r"^By(?=[A-Z][a-z])")
# What follows a name in a byline: "Jane Doe Last updated March 3", "Jane Doe December 9"
_TRAILING_NOISE = re.compile(
    r"\s+\b(?:last updated|updated|published|posted|reviewed|fact[- ]checked|on|am|um|le|el"
    rf"|{ENGLISH_MONTHS})\b.*$",
    re.IGNORECASE,
)
_EMAIL = re.compile(r"\S+@\S+\.\w+")
_URLISH = re.compile(r"^(?:https?://|www\.)|\.(?:com|org|net|de|fr|co\.uk)(?:/|$)", re.I)
_ACTIONS = re.compile(
    r"^(?:e-?mail|follow|contact|view|see|more|read|all|latest|about|subscribe|share|"
    r"send|visit|tweet|message|sign|log|full bio|bio|profile|website|home)\b",
    re.IGNORECASE,
)
#: words that, alone, describe a role rather than name a person
ROLE_WORDS = frozenset(
    [
        "staff",
        "writer",
        "writers",
        "reporter",
        "reporters",
        "editor",
        "editors",
        "editorial",
        "senior",
        "junior",
        "chief",
        "deputy",
        "managing",
        "associate",
        "assistant",
        "contributing",
        "contributor",
        "contributors",
        "correspondent",
        "correspondents",
        "columnist",
        "columnists",
        "news",
        "desk",
        "team",
        "newsroom",
        "admin",
        "administrator",
        "guest",
        "author",
        "authors",
        "journalist",
        "freelance",
        "freelancer",
        "photographer",
        "producer",
        "host",
        "anchor",
        "wire",
        "wires",
        "service",
        "agency",
        "redaktion",
        "redakteur",
        "redakteurin",
        "rédaction",
        "redacción",
        "redazione",
        "redactie",
        "autor",
        "autorin",
        "auteur",
        "anonymous",
        "unknown",
        "webmaster",
        "moderator",
        "publisher",
        "analyst",
        "special",
        "international",
        "national",
        "political",
        "business",
        "sports",
        "science",
        "ceo",
        "cto",
        "founder",
        "co-founder",
        "cofounder",
        "head",
        "director",
        "president",
        "manager",
        "lead",
        "owner",
    ]
)
#: words that tie a leading role to what it is a role of ("CEO of Acme")
_ROLE_CONNECTORS = frozenset({"of", "at", "for", "bei", "de", "chez"})
_ARTICLES = frozenset({"the", "a", "an", "der", "die", "das", "le", "la", "les", "el", "los"})
#: credentials and honorifics that follow a name after a comma ("Jane Doe, MD")
_CREDENTIAL = re.compile(
    r"^(?:[A-Z]{2,6}|[A-Z]{1,6}(?:-[A-Z0-9]+)+|(?:[A-Z][a-z]?\.){1,3}[A-Z]?\.?)$"
)
_NAME_SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"})

_META_AUTHOR_KEYS = (
    "author",
    "article:author",
    "parsely-author",
    "sailthru.author",
    "dc.creator",
    "dcterms.creator",
    "byl",
    "cxenseparse:author",
)
# (an [@itemprop] guard first: most elements have none, and each equality test copies the
# value of one that has; the guard made the query 40 % cheaper on the WCXB pages)
_MICRODATA_AUTHOR = etree.XPath(
    "//*[@itemprop][@itemprop='author' or @itemprop='creator']"
    "[not(ancestor::*[@itemscope][@itemtype][1][contains(@itemtype, 'Comment')])]"
)
_REL_AUTHOR = etree.XPath(
    "//a[@rel][contains(concat(' ', normalize-space(@rel), ' '), ' author ')]"
)
# Byline candidates: a class holding one of these, or an id starting with one of those.
# The elements with a class or an id are selected in C and their values tested here, each
# distinct value once (a theme repeats its classes): libxml2 copies an attribute's value
# for every contains() test, and six tests per element cost half as much again.
_CLASSED = etree.XPath("//*[@class or @id]")
_BYLINE_CLASS = re.compile(r"byline|Byline|author|Author|posted-by|writer")
_BYLINE_ID_PREFIXES = ("byline", "author")
_BYLINE_TAGS = frozenset({"a", "address", "div", "p", "span", "strong", "li", "aside", "h3", "h4"})
#: containers whose bylines belong to someone else (a comment, a teaser, a widget)
_FOREIGN = re.compile(r"comment|related|sidebar|widget", re.IGNORECASE)
#: byline candidates looked at, in document order
MAX_BYLINE_CANDIDATES = 30


def clean_author_names(raw: str | None) -> tuple[str, ...]:
    """The names in a raw author value, noise removed (rules in the module docstring)."""
    if not raw:
        return ()
    text = _URL.sub(" ", _EMAIL.sub(" ", collapse_whitespace(raw)))
    names: list[str] = []
    # in an all-capitals byline every name looks like a credential: keep every part there
    credentials = not text.isupper()
    for part in _split_keeping_suffixes(text, credentials):
        name = clean_one_name(part)
        if name and name.casefold() not in {n.casefold() for n in names}:
            names.append(name)
    return tuple(names)


def clean_one_name(part: str) -> str | None:
    """One candidate name without prefix, handle and role words; None when nothing is left."""
    text = _GLUED_BY.sub("", part.strip(" .,:;|-–—()[]\"'"))
    text = _LAST_BY.sub("", text)
    previous = None
    while previous != text:  # "By: Author: Jane" and the like
        previous = text
        text = _LOWER_PREFIX.sub("", _PREFIX.sub("", text)).strip(" .,:;|-–—")
    text = _trim_trailing_noise(_HANDLE.sub(" ", text).strip())
    if not text or _URLISH.search(text) or _ACTIONS.match(text) or any(c.isdigit() for c in text):
        return None
    words = _without_roles(text.split())
    if not words or len(words) > MAX_NAME_WORDS or len(text) > MAX_NAME_CHARS:
        return None
    return " ".join(words)


def _trim_trailing_noise(text: str) -> str:
    """Cut a date or "Updated ..." after a name, when two words of name stay before it."""
    match = _TRAILING_NOISE.search(text)
    if match is None or len(text[: match.start()].split()) < 2:
        return text
    return text[: match.start()].strip()


def _without_roles(words: list[str]) -> list[str]:
    """Role words around a name dropped: "Jane Doe Staff Writer" -> "Jane Doe".

    A role after a single word names a team ("Podium Staff", "The Lavazza Team") and stays,
    as does one before it ("Team Acme"); a role tied to what it is a role of ("CEO of Acme")
    names no person and the part is dropped.
    """
    if all(_is_role(w) for w in words):
        return []
    end = len(words)
    while end and _is_role(words[end - 1]):
        end -= 1
    kept = words[:end] if _name_words(words[:end]) >= 2 else words
    start = 0
    while start < len(kept) and _is_role(kept[start]):
        start += 1
    if start and start < len(kept) and kept[start].lower() in _ROLE_CONNECTORS:
        return []
    return kept[start:] if _name_words(kept[start:]) >= 2 else kept


def _name_words(words: list[str]) -> int:
    return sum(1 for w in words if w.lower() not in _ARTICLES)


def _is_role(word: str) -> bool:
    return word.lower().strip(".,") in ROLE_WORDS


def _split_keeping_suffixes(text: str, drop_credentials: bool) -> Iterator[str]:
    """Parts of a byline, with credentials ("MS", "Ph.D.") and "Jr." after a comma dropped."""
    for index, part in enumerate(_SPLIT.split(text)):
        stripped = part.strip()
        if not stripped:
            continue
        if index and drop_credentials and _is_credential(stripped):
            continue
        yield stripped


def _is_credential(part: str) -> bool:
    if part.lower() in _NAME_SUFFIXES:
        return True
    tokens = part.split()
    return bool(tokens) and all(_CREDENTIAL.match(t) for t in tokens)


# --- where names are read from -------------------------------------------------------------


def read_authors(
    root: HtmlElement,
    json_ld: JsonLd,
    article: JsonObject | None,
    meta: dict[str, list[str]],
    site_name: str | None = None,
) -> tuple[str, ...]:
    """Author names of the page, from the first source that names a person.

    A name equal to the site's is the publisher standing in for an author: it is kept only
    when no source names anyone else.
    """
    organisations: list[str] = []
    if article is not None:
        people, ld_organisations = _json_ld_authors(json_ld, article)
        if people:
            return people
        organisations.extend(ld_organisations)
    site = _fold(site_name)
    sources = (
        lambda: _meta_authors(meta),
        lambda: _microdata_authors(root),
        lambda: _link_authors(root),
        lambda: _byline_authors(root),
    )
    for source in sources:
        names = source()  # type: ignore[no-untyped-call]
        people = tuple(n for n in names if _fold(n) != site)
        if people:
            return people
        organisations.extend(names)
    return tuple(organisations[:1])


def _fold(name: str | None) -> str:
    return " ".join(name.casefold().split()) if name else ""


def _json_ld_authors(
    json_ld: JsonLd, article: JsonObject
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(people, organisations) named as the article's author or creator."""
    people: list[str] = []
    organisations: list[str] = []
    for key in ("author", "creator"):
        for value in _as_list(article.get(key)):
            resolved = json_ld.resolve(value)
            name = text_value(resolved)
            if name is None:
                continue
            is_org = (
                isinstance(resolved, dict)
                and "Person" not in types_of(resolved)
                and bool(types_of(resolved))
            )
            target = organisations if is_org else people
            for cleaned in clean_author_names(name) if not is_org else (name,):
                target.append(cleaned)
        if people or organisations:
            break
    return _unique(people), _unique(organisations)


def _meta_authors(meta: dict[str, list[str]]) -> tuple[str, ...]:
    for key in _META_AUTHOR_KEYS:
        for value in meta.get(key, ()):
            names = clean_author_names(value)
            if names:
                return names
    return ()


def _microdata_authors(root: HtmlElement) -> tuple[str, ...]:
    names: list[str] = []
    for element in _MICRODATA_AUTHOR(root):
        value = element.get("content")
        if value is None:
            inner = element.find(".//*[@itemprop='name']")
            target = inner if inner is not None else element
            value = target.get("content") or " ".join(target.itertext())
        if len(value) <= MAX_BYLINE_CHARS:
            names.extend(clean_author_names(value))
    return _unique(names)


def _link_authors(root: HtmlElement) -> tuple[str, ...]:
    names: list[str] = []
    for element in _REL_AUTHOR(root):
        text = " ".join(element.itertext())
        if len(text) <= MAX_BYLINE_CHARS:
            names.extend(clean_author_names(text))
    return _unique(names)


def _byline_authors(root: HtmlElement) -> tuple[str, ...]:
    candidates = [e for e in byline_elements(root) if e.tag in _BYLINE_TAGS]
    candidates = candidates[:MAX_BYLINE_CANDIDATES]
    for element in candidates:
        if _in_foreign_container(element):
            continue
        text = collapse_whitespace(" ".join(element.itertext()))
        if text and len(text) <= MAX_BYLINE_CHARS:
            names = clean_author_names(text)
            if names:
                return names
    return ()


def byline_elements(root: HtmlElement) -> list[HtmlElement]:
    """Elements whose class or id says they hold a byline, in document order."""
    found: list[HtmlElement] = []
    for element in _CLASSED(root):
        class_names = element.get("class")
        if class_names is not None and _is_byline_class(class_names):
            found.append(element)
            continue
        ident = element.get("id")
        if ident is not None and ident.startswith(_BYLINE_ID_PREFIXES):
            found.append(element)
    return found


@lru_cache(maxsize=4096)
def _is_byline_class(value: str) -> bool:
    return _BYLINE_CLASS.search(value) is not None


def _in_foreign_container(element: HtmlElement) -> bool:
    current: HtmlElement | None = element
    while current is not None and current.tag not in ("body", "html"):
        if _FOREIGN.search(current.get("class") or ""):
            return True
        current = current.getparent()
    return False


def _as_list(value: object) -> list[object]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _unique(names: Iterable[str]) -> tuple[str, ...]:
    seen: dict[str, str] = {}
    for name in names:
        seen.setdefault(name.casefold(), name)
    return tuple(seen.values())
