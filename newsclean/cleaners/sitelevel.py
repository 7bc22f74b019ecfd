"""Site level: lines that recur on many pages of one site are its template, not its articles.

A page alone cannot tell a site's own boilerplate ("Related:", "Sign up for The Daily
Brief", the footer's "© 2025 Example Media") from article text. A batch can: in the spirit
of CCNet's paragraph deduplication, every line of every article is reduced to a *key*
(normalised, then hashed) and counted once per page, per domain, in a :class:`SiteProfile`.
Once a domain has :attr:`SiteProfile.min_pages` pages, a line whose key is on at least
:attr:`SiteProfile.threshold` of them is template text, and :func:`apply_site_rules` removes
it with a ``Removal(level="site", rule="site.repeated")``.

Guards, so that real sentences stay:

* a line of prose that holds a quotation, or one longer than :data:`MAX_TEMPLATE_WORDS`
  words, is never removed: quotes and syndicated paragraphs recur across a site's stories
  because they *are* its news;
* lines that differ only in numbers or dates share a key only when short (at most
  :data:`MAX_VARIABLE_WORDS` words: "Updated 3 hours ago", "Page 2 of 7"); a longer line
  keeps its numbers in its key, so "Rates rose 0.25 points" and "Rates rose 0.5 points"
  stay apart;
* a domain needs :data:`MIN_PAGES` pages before anything is removed, and a line must be on
  at least :data:`MIN_PAGE_COUNT` of them.

The run loop (not this module) decides when to observe and when to apply; the profile
serialises to bytes (:meth:`SiteProfile.to_bytes`) so that it can persist between runs::

    profile = SiteProfile.from_bytes(saved) if saved else SiteProfile()
    profile.observe(domain, article)              # every cleaned page of the batch
    article = apply_site_rules(article, profile)  # before writing it
    saved = profile.to_bytes()

or one domain at a time (:meth:`SiteProfile.export_domain` / :meth:`SiteProfile.load_domain`,
12 bytes per key), which is how ``newsclean run`` keeps them in its state: a run loads only
the domains it meets and writes back only those it changed.
"""

from __future__ import annotations

import hashlib
import json
import re
import struct
from collections import Counter
from dataclasses import dataclass, field, replace
from urllib.parse import urlsplit

from newsclean.cleaners.records import Article, Removal
from newsclean.cleaners.text import collapse_whitespace, looks_like_prose, normalize

#: pages of a domain needed before any of its lines is judged
MIN_PAGES = 5
#: share of a domain's pages a line must be on to be template text
THRESHOLD = 0.5
#: ... and at least this many pages, whatever the share
MIN_PAGE_COUNT = 3
#: lines longer than this (words) are never template text
MAX_TEMPLATE_WORDS = 60
#: lines up to this many words share a key when they differ only in numbers and dates
MAX_VARIABLE_WORDS = 8
#: keys kept per domain; past it, keys seen on a single page are forgotten
MAX_KEYS_PER_DOMAIN = 50_000
PROFILE_VERSION = 1
REMOVAL_TEXT_LIMIT = 500

_DIGITS = re.compile(r"\d+(?:[.,:/-]\d+)*")
_MONTHS = re.compile(
    r"\b(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?|mon(?:day)?|tue(?:sday)?"
    r"|wed(?:nesday)?|thu(?:rsday)?|fri(?:day)?|sat(?:urday)?|sun(?:day)?)\b"
)
_QUOTES = re.compile('["“”„«»]')
#: one packed key: its 8 digest bytes, then its page count (little-endian uint32)
_PACKED_KEY = struct.Struct("<8sI")


class ProfileFormatError(ValueError):
    """Bytes given to :meth:`SiteProfile.from_bytes` are not a site profile."""


def line_key(line: str) -> str | None:
    """The key a line is counted under (see the module docstring); None for a blank line."""
    text = normalize(line)
    if not text:
        return None
    if len(text.split()) <= MAX_VARIABLE_WORDS:
        text = _MONTHS.sub("<m>", _DIGITS.sub("#", text))
    return hashlib.blake2b(text.encode("utf-8"), digest_size=8).hexdigest()


def is_protected(line: str) -> bool:
    """A line the site rule never removes: a long one, or prose holding a quotation."""
    words = len(line.split())
    if words > MAX_TEMPLATE_WORDS:
        return True
    return looks_like_prose(line) and _QUOTES.search(line) is not None


@dataclass(slots=True)
class _DomainCounts:
    pages: int = 0
    lines: Counter[str] = field(default_factory=Counter)


@dataclass(slots=True)
class SiteProfile:
    """Per-domain counts of line keys over the pages seen (see the module docstring)."""

    min_pages: int = MIN_PAGES
    threshold: float = THRESHOLD
    min_page_count: int = MIN_PAGE_COUNT
    domains: dict[str, _DomainCounts] = field(default_factory=dict)

    def observe(self, domain: str, article: Article) -> None:
        """Count the lines of one page of ``domain`` (each distinct key once)."""
        counts = self.domains.setdefault(domain_key(domain), _DomainCounts())
        counts.pages += 1
        counts.lines.update({k for k in map(line_key, article.text.split("\n")) if k})
        if len(counts.lines) > MAX_KEYS_PER_DOMAIN:
            counts.lines = Counter({k: n for k, n in counts.lines.items() if n > 1})

    def pages_seen(self, domain: str) -> int:
        counts = self.domains.get(domain_key(domain))
        return counts.pages if counts else 0

    def is_template(self, domain: str, line: str) -> bool:
        """True when ``line`` recurs on enough of ``domain``'s pages to be its template."""
        counts = self.domains.get(domain_key(domain))
        if counts is None or counts.pages < self.min_pages or is_protected(line):
            return False
        key = line_key(line)
        if key is None:
            return False
        seen = counts.lines.get(key, 0)
        return seen >= self.min_page_count and seen >= self.threshold * counts.pages

    def export_domain(self, domain: str) -> tuple[int, bytes]:
        """``(pages, packed line counts)`` of one domain, for :meth:`load_domain`."""
        counts = self.domains.get(domain_key(domain), _DomainCounts())
        packed = b"".join(
            _PACKED_KEY.pack(bytes.fromhex(key), min(n, 0xFFFFFFFF))
            for key, n in sorted(counts.lines.items())
        )
        return counts.pages, packed

    def load_domain(self, domain: str, pages: int, packed: bytes) -> None:
        """Replace one domain's counts with what :meth:`export_domain` gave.

        Raises :class:`ProfileFormatError` when ``packed`` is not a list of packed keys.
        """
        if pages < 0 or len(packed) % _PACKED_KEY.size:
            raise ProfileFormatError(f"not a packed domain profile ({len(packed)} bytes)")
        lines = Counter({key.hex(): n for key, n in _PACKED_KEY.iter_unpack(packed)})
        self.domains[domain_key(domain)] = _DomainCounts(pages, lines)

    def to_bytes(self) -> bytes:
        """The profile as UTF-8 JSON (versioned), for :meth:`from_bytes`."""
        data = {
            "version": PROFILE_VERSION,
            "min_pages": self.min_pages,
            "threshold": self.threshold,
            "min_page_count": self.min_page_count,
            "domains": {
                name: {"pages": c.pages, "lines": dict(c.lines)}
                for name, c in sorted(self.domains.items())
            },
        }
        return json.dumps(data, separators=(",", ":"), sort_keys=True).encode("utf-8")

    @classmethod
    def from_bytes(cls, data: bytes) -> SiteProfile:
        """A profile written by :meth:`to_bytes`; raises :class:`ProfileFormatError`."""
        try:
            raw = json.loads(data.decode("utf-8"))
            if raw.get("version") != PROFILE_VERSION:
                raise ProfileFormatError(f"unknown site profile version {raw.get('version')!r}")
            domains = {
                str(name): _DomainCounts(
                    pages=int(entry["pages"]),
                    lines=Counter({str(k): int(v) for k, v in entry["lines"].items()}),
                )
                for name, entry in raw["domains"].items()
            }
            return cls(
                min_pages=int(raw["min_pages"]),
                threshold=float(raw["threshold"]),
                min_page_count=int(raw["min_page_count"]),
                domains=domains,
            )
        except (UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError) as exc:
            if isinstance(exc, ProfileFormatError):
                raise
            raise ProfileFormatError(f"not a site profile: {exc}") from exc


def domain_key(domain: str) -> str:
    """A host name as profiles count it: lower-cased, without a leading ``www.``."""
    return domain.strip().lower().removeprefix("www.")


def domain_of(url: str | None) -> str | None:
    """The domain key of a URL (None without a host)."""
    host = urlsplit(url).hostname if url else None
    return domain_key(host) if host else None


def apply_site_rules(article: Article, profile: SiteProfile, domain: str | None = None) -> Article:
    """``article`` without the lines ``profile`` knows as its site's template.

    ``domain`` defaults to the article URL's host. The text keeps its paragraphs (a
    paragraph left empty goes), the markdown loses the same lines, and every removed line
    is logged as ``Removal(rule="site.repeated", category="template", level="site")``.
    """
    site = domain or domain_of(article.url)
    if site is None or profile.pages_seen(site) < profile.min_pages:
        return article
    removals: list[Removal] = []
    paragraphs: list[str] = []
    for paragraph in article.text.split("\n\n"):
        kept = []
        for line in paragraph.split("\n"):
            if line.strip() and profile.is_template(site, line):
                text = collapse_whitespace(line)[:REMOVAL_TEXT_LIMIT]
                removals.append(Removal("site.repeated", "template", text, "site"))
            else:
                kept.append(line)
        if any(line.strip() for line in kept):
            paragraphs.append("\n".join(kept))
    if not removals:
        return article
    removed = {normalize(r.text) for r in removals}
    return replace(
        article,
        text="\n\n".join(paragraphs),
        markdown=_markdown_without(article.markdown, removed),
        removals=(*article.removals, *removals),
    )


def _markdown_without(markdown: str, removed: set[str]) -> str:
    kept = [
        line for line in markdown.split("\n") if normalize(line.replace("\\", "")) not in removed
    ]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()
