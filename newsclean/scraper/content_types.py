"""Content-type gate: does a response carry what the caller asked for?

The declared ``Content-Type`` is checked before the body is read (a video is refused without
downloading it); the first bytes of the body are then sniffed, because servers lie: a PDF
served as ``text/html`` is refused, and HTML served without a type or as
``application/octet-stream`` is admitted. What each ``accept`` mode admits:

* ``"html"``: ``text/html`` and ``application/xhtml+xml``;
* ``"xml"``: machine-readable sources for the feed and sitemap readers: XML of any flavour
  (``*/xml``, ``*+xml``: RSS, Atom, RDF, sitemaps), JSON (``*/json``, ``*+json``: JSON Feed),
  gzip files (``sitemap.xml.gz``) and ``text/plain`` (text sitemaps); also ``text/html``
  whose body is in fact XML, a common feed misconfiguration;
* ``"any"``: everything (robots.txt, diagnostics).
"""

from __future__ import annotations

from typing import Literal

Accept = Literal["html", "xml", "any"]
Sniffed = Literal["html", "xml", "json", "gzip", "binary", "unknown"]
DeclaredVerdict = Literal["admit", "refuse", "sniff"]

#: bytes of the (decoded) body that sniffing looks at
SNIFF_BYTES = 1024

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
XML_EXTRA_TYPES = frozenset(
    {"application/gzip", "application/x-gzip", "application/json", "text/plain"}
)
#: types that say nothing about the content: decide from the bytes
UNINFORMATIVE_TYPES = frozenset({"", "application/octet-stream", "binary/octet-stream"})

ACCEPT_HEADERS: dict[Accept, str] = {
    "html": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5",
    "xml": (
        "application/rss+xml,application/atom+xml,application/xml;q=0.9,text/xml;q=0.9,"
        "application/feed+json;q=0.8,application/json;q=0.7,*/*;q=0.5"
    ),
    "any": "*/*",
}

_SNIFFED_FOR: dict[Accept, frozenset[Sniffed]] = {
    "html": frozenset({"html"}),
    "xml": frozenset({"xml", "json", "gzip"}),
    "any": frozenset({"html", "xml", "json", "gzip", "binary", "unknown"}),
}

# WHATWG MIME sniffing, "identify an unknown MIME type": tags that mark a body as HTML
_HTML_OPENINGS = (
    b"<!doctype html", b"<html", b"<head", b"<script", b"<iframe", b"<h1", b"<div",
    b"<font", b"<table", b"<a", b"<style", b"<title", b"<b", b"<body", b"<br", b"<p",
    b"<!--", b"<meta",
)  # fmt: skip
_XML_OPENINGS = (b"<?xml", b"<rss", b"<feed", b"<urlset", b"<sitemapindex", b"<rdf:rdf")
_BINARY_MAGIC = (
    b"%PDF-", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"PK\x03\x04", b"RIFF", b"OggS",
    b"\x00\x00\x01\x00", b"ID3", b"\x1a\x45\xdf\xa3", b"wOFF", b"wOF2", b"7z\xbc\xaf",
    b"Rar!", b"\x7fELF", b"MZ",
)  # fmt: skip
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")


def media_type(content_type: str) -> str:
    """``"Text/HTML; charset=utf-8"`` -> ``"text/html"``."""
    return content_type.partition(";")[0].strip().lower()


def is_xml_type(mime: str) -> bool:
    return mime.endswith(("/xml", "+xml", "/json", "+json")) or mime in XML_EXTRA_TYPES


def judge_declared_type(accept: Accept, mime: str) -> DeclaredVerdict:
    """Verdict from the header alone: admit, refuse, or wait for the first bytes."""
    if accept == "any":
        return "admit"
    if mime in UNINFORMATIVE_TYPES:
        return "sniff"
    if accept == "html":
        return "sniff" if mime in HTML_TYPES else "refuse"
    # "xml": text/html is admitted only if the body turns out to be XML
    if mime == "text/html":
        return "sniff"
    return "sniff" if is_xml_type(mime) else "refuse"


def is_admitted_body(accept: Accept, mime: str, head: bytes) -> bool:
    """Final verdict once the first :data:`SNIFF_BYTES` decoded bytes are known."""
    if accept == "any":
        return True
    kind = sniff(head)
    if kind == "binary":
        return False
    if kind == "gzip":
        return accept == "xml"
    if mime in UNINFORMATIVE_TYPES:
        return kind in _SNIFFED_FOR[accept]
    if accept == "xml" and mime == "text/html":
        return kind in ("xml", "json")
    return True  # declared type was already judged admissible


def sniff(head: bytes) -> Sniffed:
    """Classify a body from its first bytes."""
    if head.startswith(b"\x1f\x8b"):
        return "gzip"
    if head.startswith(_BINARY_MAGIC):
        return "binary"
    text = _strip_bom(head).lstrip().lower()
    if text.startswith(_XML_OPENINGS):
        # XHTML documents start with an XML declaration too
        return "html" if b"<html" in text else "xml"
    if text.startswith(_HTML_OPENINGS) and _ends_tag_name(text):
        return "html"
    if text.startswith((b"{", b"[")):
        return "json"
    return "unknown"


def _strip_bom(head: bytes) -> bytes:
    for bom in _BOMS:
        if head.startswith(bom):
            return head[len(bom) :]
    return head


def _ends_tag_name(text: bytes) -> bool:
    """The matched opening is a whole tag name (``<a `` or ``<a>``, not ``<abbr``)."""
    for opening in _HTML_OPENINGS:
        if text.startswith(opening):
            if opening == b"<!--":
                return True
            follower = text[len(opening) : len(opening) + 1]
            if follower in (b" ", b">", b"\t", b"\n", b"\r", b"\x0c", b"/"):
                return True
    return False
