"""JSON-LD: the schema.org objects a page declares, and the one that describes its article.

Pages embed ``<script type="application/ld+json">`` blocks: one object, a list, or an
``@graph`` (Yoast and most CMS plugins), where objects point at each other by ``@id``
(``"author": {"@id": ".../#/schema/person/1"}``). :func:`read_json_ld` flattens all of
them into one list, and :class:`JsonLd` answers the questions the cleaners ask:

* :meth:`JsonLd.main_article` -- the object of an article type (``NewsArticle``,
  ``BlogPosting``, ...) that describes this page: the one whose URL matches the page, else
  the one with a body or headline, else the first. Objects of other types nested inside
  (an ``ItemList`` of related stories) are seen too, which is why the page URL decides.
* :meth:`JsonLd.resolve` -- an ``{"@id": ...}`` reference replaced by the object it names.

Values are returned as found (strings unescaped once: some plugins HTML-escape JSON-LD).
Bad JSON is common (trailing commas, raw newlines, several objects in one block): a block
that does not parse is retried once with control characters removed, then skipped.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import cast
from urllib.parse import urlsplit

from lxml.html import HtmlElement

JsonObject = dict[str, object]

#: schema.org types whose object is an article (compared without their vocabulary prefix)
ARTICLE_TYPES = frozenset(
    {
        "Article",
        "NewsArticle",
        "ReportageNewsArticle",
        "AnalysisNewsArticle",
        "OpinionNewsArticle",
        "BackgroundNewsArticle",
        "ReviewNewsArticle",
        "AskPublicNewsArticle",
        "BlogPosting",
        "LiveBlogPosting",
        "SocialMediaPosting",
        "DiscussionForumPosting",
        "TechArticle",
        "ScholarlyArticle",
        "MedicalScholarlyArticle",
        "Report",
        "SatiricalArticle",
        "AdvertiserContentArticle",
        "HowTo",
        "Recipe",
    }
)
#: types that describe the page itself (a fallback source of dates and names)
PAGE_TYPES = frozenset({"WebPage", "ItemPage", "AboutPage", "FAQPage", "QAPage", "ProfilePage"})
#: JSON-LD blocks longer than this (characters) are skipped: they are data dumps, not metadata
MAX_BLOCK_CHARS = 2_000_000
_CONTROL = re.compile(r"[\x00-\x1f]")


@dataclass(frozen=True, slots=True)
class JsonLd:
    """Every object of a page's JSON-LD, depth first, and an index of those with an ``@id``."""

    objects: tuple[JsonObject, ...]
    by_id: dict[str, JsonObject]
    #: the ``@type`` names of each object, in the order of ``objects`` (read once)
    kinds: tuple[frozenset[str], ...] = ()

    @property
    def types(self) -> frozenset[str]:
        return frozenset().union(*self.kinds)

    def _articles(self) -> list[JsonObject]:
        return [o for o, k in zip(self.objects, self.kinds, strict=True) if k & ARTICLE_TYPES]

    def main_article(self, page_url: str | None = None) -> JsonObject | None:
        """The article object describing this page (see the module docstring), if any.

        Ranked by: it points at the page, it has a body, it has a headline; ties go to the
        first in the page.
        """
        articles = self._articles()
        if not articles:
            return None
        return max(articles, key=lambda obj: _article_rank(obj, page_url))

    def article_body(self, page_url: str | None = None) -> str | None:
        """The longest ``articleBody`` of an article object that points at this page (or of
        any article object, when none points anywhere)."""
        bodies = [
            (body, _points_at(obj, page_url) if page_url else True)
            for obj in self._articles()
            if (body := text_value(obj.get("articleBody")))
        ]
        if not bodies:
            return None
        pointing = [body for body, points in bodies if points] or [body for body, _ in bodies]
        return max(pointing, key=len)

    def main_page(self) -> JsonObject | None:
        """The first object of a web-page type (``WebPage``, ``ItemPage``...), if any."""
        for obj, kinds in zip(self.objects, self.kinds, strict=True):
            if kinds & PAGE_TYPES:
                return obj
        return None

    def resolve(self, value: object) -> object:
        """``value``, or the object its ``@id`` names when it is a bare reference."""
        if isinstance(value, dict):
            ref = value.get("@id")
            if isinstance(ref, str) and len(value) <= 2 and ref in self.by_id:
                return self.by_id[ref]
        return value


EMPTY = JsonLd(objects=(), by_id={})


def read_json_ld(root: HtmlElement) -> JsonLd:
    """Every JSON-LD object of the page (see the module docstring); empty when there is none."""
    objects: list[JsonObject] = []
    for script in root.iter("script"):
        kind = script.get("type")
        if kind is None or kind.strip().lower() != "application/ld+json":
            continue
        data = _parse_block(script.text or "")
        if data is not None:
            objects.extend(_walk(data))
    if not objects:
        return EMPTY
    by_id: dict[str, JsonObject] = {}
    for obj in objects:
        ref = obj.get("@id")
        if isinstance(ref, str) and len(obj) > 1:
            by_id.setdefault(ref, obj)
    return JsonLd(objects=tuple(objects), by_id=by_id, kinds=tuple(map(types_of, objects)))


def types_of(obj: JsonObject) -> frozenset[str]:
    """The object's ``@type`` names without vocabulary prefixes (``schema:``, full URLs)."""
    raw = obj.get("@type")
    names = raw if isinstance(raw, list) else [raw]
    return frozenset(_local_name(n) for n in names if isinstance(n, str))


def is_article(obj: JsonObject) -> bool:
    return not types_of(obj).isdisjoint(ARTICLE_TYPES)


def text_value(value: object) -> str | None:
    """A string field (or the first string of a list, or an object's ``name``), unescaped."""
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str | dict)), None)
    if isinstance(value, dict):
        value = value.get("name") or value.get("@value")
    if not isinstance(value, str):
        return None
    text = html.unescape(value).strip() if "&" in value else value.strip()
    return text or None


def _local_name(name: str) -> str:
    return name.rsplit("/", 1)[-1].rsplit(":", 1)[-1].strip()


def _parse_block(text: str) -> object | None:
    text = text.strip()
    if not text or len(text) > MAX_BLOCK_CHARS:
        return None
    if text.startswith("<!--"):
        text = text.removeprefix("<!--").removesuffix("-->").strip()
    try:
        return cast(object, json.loads(text))
    except RecursionError:
        return None  # nested deeper than the interpreter's stack: no metadata anyone wrote
    except ValueError:
        pass  # raw newlines and tabs inside strings are the usual fault: retry without them
    try:
        return cast(object, json.loads(_CONTROL.sub(" ", text)))
    except (ValueError, RecursionError):
        return None  # malformed beyond that: the page's other metadata still counts


def _walk(data: object) -> Iterator[JsonObject]:
    """Objects depth first, parents before children (``@graph`` members included)."""
    stack: list[object] = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            yield item
            stack.extend(reversed([v for v in item.values() if isinstance(v, dict | list)]))
        elif isinstance(item, list):
            stack.extend(reversed(item))


def _article_rank(obj: JsonObject, page_url: str | None) -> tuple[bool, bool, bool]:
    points = _points_at(obj, page_url) if page_url else False
    return points, "articleBody" in obj, "headline" in obj


def _points_at(obj: JsonObject, page_url: str) -> bool:
    """The object's ``url`` / ``mainEntityOfPage`` / ``@id`` is this page (scheme, query and
    fragment ignored)."""
    wanted = _url_key(page_url)
    for key in ("url", "mainEntityOfPage", "@id"):
        value = obj.get(key)
        if isinstance(value, dict):
            value = value.get("@id") or value.get("url")
        if isinstance(value, str) and _url_key(value) == wanted:
            return True
    return False


def _url_key(url: str) -> str:
    parts = urlsplit(url.strip())
    host = parts.netloc.lower().removeprefix("www.")
    return f"{host}{parts.path.rstrip('/')}"
