"""Dates: publication and modification times of a page, each with where it was found.

Sources, most reliable first; the first that gives a plausible date wins, and its name
travels with the value (:class:`PageDate`, ``Article.published_at_source``):

1. ``"json-ld"`` -- ``datePublished`` / ``dateModified`` of the page's JSON-LD article
   (else of its ``WebPage`` object);
2. ``"meta"`` -- ``article:published_time``, ``og:updated_time``, Dublin Core, Parse.ly,
   ``itemprop`` meta tags and the like;
3. ``"time"`` -- ``<time itemprop="datePublished">`` / ``<time pubdate>``, else the first
   ``<time datetime>`` inside the article's header region (an ``<article>`` or the
   ``<h1>``'s surroundings), never one from a sidebar;
4. ``"url"`` -- a full date in the URL path (``/2024/03/05/``, ``/2024-03-05-``,
   ``/20240305/``): publication only, and only when nothing was declared;
5. ``"text"`` -- around the headline: htmldate's markup search (not its extensive one,
   see :func:`search_published_date`), then the first written-out date of that region's
   text (the slow path, run only when 1-4 found nothing): day precision.

Every datetime is timezone-aware: an offset is kept, a timestamp without one is taken as
UTC, a date without a time is midnight UTC. Values before :data:`MIN_YEAR` or more than two
days in the future are template junk and are ignored.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from email.utils import parsedate_to_datetime

from htmldate import find_date
from lxml import etree
from lxml.html import HtmlElement

from newsclean.cleaners.jsonld import JsonObject, text_value
from newsclean.cleaners.records import DateSource

#: earliest publication year believed; older values are template junk (epoch 0, 1900)
MIN_YEAR = 1990
#: text (characters) around the headline searched for a date by htmldate
REGION_CHARS = 800
#: a region with more text than this is not searched
MAX_REGION_CHARS = 200_000
#: characters of the region's text scanned for a written-out date
REGION_SCAN_CHARS = 5000

PUBLISHED_META_KEYS = (
    "article:published_time",
    "og:article:published_time",
    "article:published",
    "datepublished",
    "published_time",
    "publishdate",
    "publish-date",
    "pubdate",
    "parsely-pub-date",
    "sailthru.date",
    "dc.date.issued",
    "dcterms.issued",
    "dcterms.created",
    "dc.date.created",
    "dc.date",
    "date",
    "article.published",
    "cxenseparse:recs:publishtime",
)
MODIFIED_META_KEYS = (
    "article:modified_time",
    "og:article:modified_time",
    "og:updated_time",
    "datemodified",
    "modified_time",
    "last-modified",
    "dcterms.modified",
    "dc.date.modified",
    "article.updated",
)
_TIME_PUBLISHED = etree.XPath(
    "//time[@datetime][@itemprop='datePublished' or @pubdate or contains(@class, 'publish')]"
    "/@datetime"
)
_TIME_MODIFIED = etree.XPath(
    "//time[@datetime][@itemprop='dateModified' or contains(@class, 'update')"
    " or contains(@class, 'modified')]/@datetime"
)
# The article's own <time>: inside <article>/<header> around the headline, or next to the h1.
_TIME_NEAR_HEADLINE = etree.XPath(
    "(//article//time[@datetime] | //h1/following::time[@datetime][position() <= 1]"
    " | //h1/ancestor::header[1]//time[@datetime])[1]/@datetime"
)
_URL_DATE = re.compile(
    r"/((?:19|20)\d{2})[/_-](0?[1-9]|1[0-2])[/_-](0?[1-9]|[12]\d|3[01])(?:[/_.-]|$)"
    r"|/((?:19|20)\d{2})(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?:[/_.-]|$)"
)
_TEXT_LENGTH = etree.XPath("string-length(.)")
# Month names by language, January first (English is matched by its first three letters).
_MONTH_LISTS = (
    "jan feb mar apr may jun jul aug sep oct nov dec",
    "januar februar märz april mai juni juli august september oktober november dezember",
    "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
    "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre",
)
_MONTH_NUMBERS = {
    name: number for names in _MONTH_LISTS for number, name in enumerate(names.split(" "), start=1)
} | {"sept": 9}
#: English month names and their abbreviations, as a regular-expression alternation
ENGLISH_MONTHS = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
_MONTH_NAME = (
    rf"(?:{ENGLISH_MONTHS}|januar|februar|märz|mai"
    r"|juni|juli|oktober|dezember|janvier|février|mars|avril|juin|juillet|août|septembre"
    r"|octobre|novembre|décembre|enero|febrero|marzo|abril|mayo|junio|julio|agosto"
    r"|septiembre|octubre|noviembre|diciembre)\.?"
)
_TEXT_DATE = re.compile(
    rf"\b(?P<m1>{_MONTH_NAME})\s+(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y1>(?:19|20)\d{{2}})\b"
    rf"|\b(?P<d2>\d{{1,2}})(?:st|nd|rd|th|er)?\.?\s+(?:de\s+)?(?P<m2>{_MONTH_NAME})\s+(?:de\s+)?"
    r"(?P<y2>(?:19|20)\d{2})\b"
    r"|\b(?P<iso_y>(?:19|20)\d{2})-(?P<iso_m>[01]\d)-(?P<iso_d>[0-3]\d)\b"
    r"|\b(?P<eu_d>[0-3]?\d)\.(?P<eu_m>[01]?\d)\.(?P<eu_y>(?:19|20)\d{2})\b",
    re.IGNORECASE,
)
_COMPACT_TIME = re.compile(r"^(\d{4})(\d{2})(\d{2})(?:T?(\d{2})(\d{2})(\d{2})?)?$")
_SLASHED_DAY = re.compile(r"^(\d{4})[/.](\d{1,2})[/.](\d{1,2})$")
_OFFSET_NO_COLON = re.compile(r"([+-]\d{2})(\d{2})$")


@dataclass(frozen=True, slots=True)
class PageDate:
    """A date and the source it was read from (see the module docstring)."""

    value: datetime
    source: DateSource


@dataclass(frozen=True, slots=True)
class PageDates:
    published: PageDate | None = None
    modified: PageDate | None = None


def read_declared_dates(
    root: HtmlElement,
    meta: dict[str, list[str]],
    article: JsonObject | None,
    page: JsonObject | None,
) -> PageDates:
    """Dates the page declares in markup (sources 1-3); nothing slow is run here."""
    published = (
        _from_json_ld((article, page), "datePublished", "dateCreated")
        or _from_values(_meta_values(meta, PUBLISHED_META_KEYS), "meta")
        or _from_values(_strings(_TIME_PUBLISHED(root)), "time")
    )
    modified = (
        _from_json_ld((article, page), "dateModified")
        or _from_values(_meta_values(meta, MODIFIED_META_KEYS), "meta")
        or _from_values(_strings(_TIME_MODIFIED(root)), "time")
    )
    if published is None:
        published = _from_values(_strings(_TIME_NEAR_HEADLINE(root)), "time")
    return PageDates(published=published, modified=modified)


def search_published_date(root: HtmlElement, url: str | None) -> PageDate | None:
    """The slow sources (4-5) for a page that declared no publication date."""
    from_url = date_from_url(url)
    if from_url is not None:
        return PageDate(from_url, "url")
    region = headline_region(root)
    if int(_TEXT_LENGTH(region)) > MAX_REGION_CHARS:
        return None  # a date search over megabytes of text costs more than it finds
    # The date written next to the headline (the byline's) first: a regular expression over
    # a few thousand characters. Text nodes are joined with spaces: "Jane Doe" and "March 4,
    # 2024" in two elements must not become "Jane DoeMarch 4, 2024". Then htmldate's markup
    # search, without its extensive search (that one hands text to dateparser, which
    # compiles regular expressions per locale). On the WCXB dev pages without a declared
    # date the order found the same number of right dates (149 of 208) at half the cost.
    parsed = date_in_text(" ".join(region.itertext())[:REGION_SCAN_CHARS])
    if parsed is None:
        found = find_date(region, extensive_search=False, original_date=True, url=None)
        parsed = parse_datetime(str(found)) if found else None
    return PageDate(parsed, "text") if parsed is not None else None


def date_in_text(text: str) -> datetime | None:
    """The first written-out date in ``text`` ("March 4, 2024", "4. März 2024",
    "2024-03-04", "04.03.2024"), as midnight UTC."""
    for match in _TEXT_DATE.finditer(text):
        parsed = _written_date(match)
        if parsed is not None:
            return parsed
    return None


def _written_date(match: re.Match[str]) -> datetime | None:
    groups = match.groupdict()
    if groups["iso_y"]:
        parts = (groups["iso_y"], groups["iso_m"], groups["iso_d"])
    elif groups["eu_y"]:
        parts = (groups["eu_y"], groups["eu_m"], groups["eu_d"])
    else:
        month_name = (groups["m1"] or groups["m2"] or "").lower().rstrip(".")
        month = _MONTH_NUMBERS.get(
            month_name[:3] if month_name[:3] in _MONTH_NUMBERS else month_name
        )
        if month is None:
            return None
        parts = (groups["y1"] or groups["y2"], str(month), groups["d1"] or groups["d2"])
    moment = _safe_datetime(*(int(p) for p in parts))
    return moment if moment is not None and is_plausible(moment) else None


def headline_region(root: HtmlElement) -> HtmlElement:
    """The smallest element around the first ``<h1>`` holding :data:`REGION_CHARS` of text.

    A page's date sits next to its headline (byline, dateline); searching that region
    instead of the whole page finds the same dates on the WCXB pages at a third of
    htmldate's cost (it copies and cleans whatever it is given), and skips the dates of
    teasers and comments further down.
    """
    heading = next(root.iter("h1"), None)  # the first, found in C (".//h1" is a Python walk)
    if heading is None:
        return root
    region = heading
    parent = region.getparent()
    while parent is not None:
        region = parent
        if len(region.text_content()) >= REGION_CHARS:
            break
        parent = region.getparent()
    return region


def date_from_url(url: str | None) -> datetime | None:
    """A full date (year, month, day) in the URL's path, as midnight UTC."""
    if not url:
        return None
    match = _URL_DATE.search(url.split("?", 1)[0])
    if match is None:
        return None
    year, month, day = (g for g in match.groups() if g is not None)
    try:
        moment = datetime(int(year), int(month), int(day), tzinfo=UTC)
    except ValueError:
        return None
    return moment if is_plausible(moment) else None


def parse_datetime(value: str) -> datetime | None:
    """An ISO 8601 / RFC 2822 date or timestamp as an aware datetime, None if it is not one.

    Rules in the module docstring. Also accepted: ``2024/03/05``, ``20240305``, offsets
    without a colon (``+0100``) and a space instead of ``T``.
    """
    text = value.strip()
    if not text or len(text) > 64:
        return None
    parsed = _parse_iso(text) or _parse_other(text)
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed if is_plausible(parsed) else None


def is_plausible(moment: datetime) -> bool:
    latest = datetime.now(UTC) + timedelta(days=2)
    return moment.year >= MIN_YEAR and moment <= latest


def _parse_iso(text: str) -> datetime | None:
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    text = _OFFSET_NO_COLON.sub(r"\1:\2", text) if "T" in text or " " in text else text
    try:
        if len(text) == 10:
            return datetime.combine(date.fromisoformat(text), time(0, 0), tzinfo=UTC)
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def _parse_other(text: str) -> datetime | None:
    slashed = _SLASHED_DAY.match(text)
    if slashed:
        return _safe_datetime(*(int(g) for g in slashed.groups()))
    compact = _COMPACT_TIME.match(text)
    if compact:
        return _safe_datetime(*(int(g) for g in compact.groups() if g is not None))
    if "," in text or " " in text:
        try:
            return parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
    return None


def _safe_datetime(*parts: int) -> datetime | None:
    try:
        return datetime(*parts, tzinfo=UTC)  # type: ignore[misc, arg-type]
    except (TypeError, ValueError):
        return None


def _from_json_ld(objects: Iterable[JsonObject | None], *keys: str) -> PageDate | None:
    for obj in objects:
        if obj is None:
            continue
        for key in keys:
            value = text_value(obj.get(key))
            parsed = parse_datetime(value) if value else None
            if parsed is not None:
                return PageDate(parsed, "json-ld")
    return None


def _from_values(values: Iterable[str], source: DateSource) -> PageDate | None:
    for value in values:
        parsed = parse_datetime(value)
        if parsed is not None:
            return PageDate(parsed, source)
    return None


def _meta_values(meta: dict[str, list[str]], keys: Iterable[str]) -> Iterable[str]:
    for key in keys:
        yield from meta.get(key, ())


def _strings(values: object) -> list[str]:
    if not isinstance(values, list):
        return []
    return [str(v) for v in values if isinstance(v, str)]
