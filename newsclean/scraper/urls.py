"""URL hygiene for the scraper: one canonical spelling per page, and the host/origin keys.

``normalize_url`` gives the spelling used to deduplicate and to key state between runs, so it
must be stable across library upgrades: it is written out here rather than delegated to
courlan, whose ``normalize_url`` changes its rules between releases (and also rewrites things
we want to keep, such as the query order).

Choices, each chosen so two spellings of one page meet and two pages never do:

* scheme and host lower-cased; internationalised hosts in their IDNA (``xn--``) form; a
  trailing dot on the host dropped; default ports (80 for http, 443 for https) dropped;
* the fragment dropped (never sent to a server);
* percent-escapes upper-cased, escapes of unreserved characters decoded, characters that are
  not allowed in a URI (spaces, non-ASCII, ...) percent-encoded as UTF-8; dot segments
  removed; an empty path becomes ``/``;
* tracking parameters (``utm_*``, ``fbclid``, ``gclid``, ``mc_cid``, ``_ga``, ... see
  :data:`TRACKING_PARAMS`) removed, and an empty query removed;
* the remaining query parameters keep their ORDER and their exact spelling: some servers
  read parameters positionally, and sorting would produce URLs the site never published.

Anything that is not an absolute http(s) URL with a host raises :class:`InvalidUrl`.
"""

from __future__ import annotations

import ipaddress
import re
from typing import NamedTuple
from urllib.parse import unquote_plus, urlsplit

import idna

from newsclean.scraper.errors import InvalidUrl

HTTP_SCHEMES = frozenset({"http", "https"})
DEFAULT_PORTS = {"http": 80, "https": 443}

#: query parameters that only track the visitor; compared case-insensitively
TRACKING_PARAMS = frozenset(
    {
        # Google / Microsoft / Meta / Twitter / TikTok / Yandex click ids
        "fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "msclkid", "yclid",
        "twclid", "ttclid", "igshid", "li_fat_id", "_ga", "_gl",
        # Mailchimp, HubSpot, Marketo, Vero, Olytics
        "mc_cid", "mc_eid", "_hsenc", "_hsmi", "__hstc", "__hssc", "__hsfp", "hsctatracking",
        "mkt_tok", "vero_id", "vero_conv", "oly_anon_id", "oly_enc_id",
        # news-site share/campaign markers (AT Internet, MSN, NYT, Twitter shares)
        "xtor", "at_medium", "at_campaign", "ocid", "ncid", "cmpid", "smid", "ref_src",
        "wickedid", "rb_clickid", "s_cid", "_openstat",
    }
)  # fmt: skip
TRACKING_PREFIXES = ("utm_",)

_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
#: characters allowed verbatim in a path or query besides unreserved and "%" (RFC 3986)
_PATH_SAFE = frozenset("!$&'()*+,;=:@/")
_QUERY_SAFE = _PATH_SAFE | frozenset("?")
_HEX = frozenset("0123456789abcdefABCDEF")
_ASCII_HOST = re.compile(r"[a-z0-9._-]+")
# WHATWG URL parsing strips these anywhere in the input (copy-paste line breaks)
_STRIPPED = str.maketrans("", "", "\t\r\n")


def is_http_url(url: str) -> bool:
    """True when ``url`` is an absolute http(s) URL with a usable host. Never raises."""
    try:
        _split_http(url)
    except InvalidUrl:
        return False
    return True


def host_of(url: str) -> str:
    """The normalised host of ``url`` (lower-case, IDNA, no port): the politeness key."""
    return _split_http(url).host


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` of ``url``, default port omitted: the robots.txt key."""
    parts = _split_http(url)
    return f"{parts.scheme}://{_hostport(parts.host, parts.port)}"


def normalize_url(url: str) -> str:
    """The canonical spelling of ``url`` (see the module docstring for the rules)."""
    parts = _split_http(url)
    path = _remove_dot_segments(_normalize_escapes(parts.path, _PATH_SAFE)) or "/"
    query = _strip_tracking(parts.query)
    authority = f"{parts.userinfo}@" if parts.userinfo else ""
    authority += _hostport(parts.host, parts.port)
    return f"{parts.scheme}://{authority}{path}" + (f"?{query}" if query else "")


def is_tracking_param(name: str) -> bool:
    """True when a query parameter name (raw or decoded) only tracks the visitor."""
    lowered = unquote_plus(name).lower()
    return lowered in TRACKING_PARAMS or lowered.startswith(TRACKING_PREFIXES)


class _HttpParts(NamedTuple):
    scheme: str
    userinfo: str
    host: str
    port: int | None  # None when absent or the scheme's default
    path: str
    query: str


def _split_http(url: str) -> _HttpParts:
    """The parts of an absolute http(s) URL, host normalised; InvalidUrl otherwise."""
    if not isinstance(url, str):
        raise InvalidUrl(repr(url), "URL is not a string")
    cleaned = url.strip().translate(_STRIPPED)
    try:
        parts = urlsplit(cleaned)
    except ValueError as exc:  # e.g. unbalanced "[" in the host
        raise InvalidUrl(url, f"unparseable URL: {exc}") from exc
    scheme = parts.scheme.lower()
    if scheme not in HTTP_SCHEMES:
        raise InvalidUrl(url, "not an http(s) URL")
    userinfo, host, port = _split_authority(url, parts.netloc)
    if port == DEFAULT_PORTS[scheme]:
        port = None
    return _HttpParts(scheme, userinfo, host, port, parts.path, parts.query)


def _split_authority(url: str, netloc: str) -> tuple[str, str, int | None]:
    userinfo, _, hostport = netloc.rpartition("@")
    if hostport.startswith("["):
        host_part, bracket, port_part = hostport[1:].partition("]")
        if not bracket or (port_part and not port_part.startswith(":")):
            raise InvalidUrl(url, "malformed IPv6 host")
        host = _normalize_ipv6(url, host_part)
        port_text = port_part[1:]
    else:
        host_part, _, port_text = hostport.partition(":")
        host = _normalize_host(url, host_part)
    return userinfo, host, _parse_port(url, port_text)


def _parse_port(url: str, text: str) -> int | None:
    if not text:
        return None
    if not text.isascii() or not text.isdigit() or int(text) > 65535:
        raise InvalidUrl(url, f"invalid port {text!r}")
    return int(text)


def _normalize_host(url: str, host: str) -> str:
    host = host.lower().rstrip(".")
    if not host:
        raise InvalidUrl(url, "URL has no host")
    if host.isascii():
        if not _ASCII_HOST.fullmatch(host) or ".." in host:
            raise InvalidUrl(url, f"invalid host {host!r}")
        return host
    try:
        return idna.encode(host, uts46=True).decode("ascii")
    except idna.IDNAError as exc:
        raise InvalidUrl(url, f"invalid internationalised host: {exc}") from exc


def _normalize_ipv6(url: str, text: str) -> str:
    try:
        address = ipaddress.IPv6Address(text)
    except ValueError as exc:
        raise InvalidUrl(url, f"invalid IPv6 host: {exc}") from exc
    return f"[{address.compressed}]"


def _hostport(host: str, port: int | None) -> str:
    return host if port is None else f"{host}:{port}"


def _normalize_escapes(text: str, safe: frozenset[str]) -> str:
    """Upper-case escapes, decode escaped unreserved characters, encode what may not appear."""
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char == "%" and i + 2 < n and text[i + 1] in _HEX and text[i + 2] in _HEX:
            decoded = chr(int(text[i + 1 : i + 3], 16))
            out.append(decoded if decoded in _UNRESERVED else "%" + text[i + 1 : i + 3].upper())
            i += 3
            continue
        if char in _UNRESERVED or char in safe:
            out.append(char)
        else:  # includes a stray "%" that starts no escape
            out.extend(f"%{byte:02X}" for byte in char.encode("utf-8", "surrogatepass"))
        i += 1
    return "".join(out)


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 section 5.2.4, on an absolute path."""
    if "." not in path:
        return path
    segments = path.split("/")
    kept: list[str] = []
    for segment in segments[1:]:
        if segment == "..":
            if kept:
                kept.pop()
        elif segment != ".":
            kept.append(segment)
    # "/a/b/.." and "/a/." name a directory: keep the trailing slash
    if segments[-1] in (".", ".."):
        kept.append("")
    return "/" + "/".join(kept)


def _strip_tracking(query: str) -> str:
    kept = [
        _normalize_escapes(piece, _QUERY_SAFE)
        for piece in query.split("&")
        if piece and not is_tracking_param(piece.partition("=")[0])
    ]
    return "&".join(kept)
