"""Fetch one URL into a :class:`FetchResult`, every outside call bounded.

* One TOTAL deadline (``FetchOptions.total_timeout``) covers connect, headers, every redirect
  hop and the whole body. httpx's own read timeout restarts with each chunk, so a server
  dribbling one byte a second would never trip it; ``asyncio.timeout`` does.
* Redirects are followed here, not by httpx, so the chain is recorded; loops and chains
  longer than ``max_redirects`` raise :class:`TooManyRedirects`; a redirect leaving http(s)
  raises :class:`InvalidUrl`.
* The body is streamed raw and decoded by :mod:`newsclean.scraper.decoding` under a byte cap
  that holds for the decompressed size (a gzip bomb fails early, with little memory). A
  ``Content-Length`` above the cap is refused before reading; one larger than what arrives
  is a truncated body (:class:`TransportError`).
* The content-type gate of :mod:`newsclean.scraper.content_types` refuses what the caller
  did not ask for (:class:`NotHtml`).
* SSRF guard: a client made by :func:`make_client` connects only to public addresses,
  checked on the resolved address at connect time for every hop (see
  :mod:`newsclean.scraper.netguard`); a refused connection is :class:`BlockedAddress`.
  ``FetchOptions.allow_private_addresses`` lifts it (cloud metadata stays refused). The
  one-off :func:`fetch` trusts the host of the URL it is given — the user typed it — but
  vets every other host a redirect leads to.
* Conditional GET: with ``etag`` / ``last_modified`` the request carries If-None-Match /
  If-Modified-Since, and a 304 comes back as a result with status 304 and an empty body.

``FetchResult.body`` is the DECODED body; ``headers`` are as received (so they may still
say ``content-encoding: gzip``). Errors follow the tree in :mod:`newsclean.scraper.errors`:
timeouts -> FetchTimeout; connection/protocol failures -> TransportError; TLS/certificate
failures -> TlsError; 408/429/5xx -> RetryableStatus (with Retry-After); other 4xx ->
HttpStatusError. Retrying is the caller's business (see :mod:`newsclean.scraper.polite`).
"""

from __future__ import annotations

import asyncio
import ssl
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx

from newsclean import __version__
from newsclean.scraper.content_types import (
    ACCEPT_HEADERS,
    SNIFF_BYTES,
    Accept,
    is_admitted_body,
    judge_declared_type,
    media_type,
)
from newsclean.scraper.decoding import ACCEPT_ENCODING, BodyReader
from newsclean.scraper.errors import (
    BlockedAddress,
    BodyTooLarge,
    FetchError,
    FetchTimeout,
    HttpStatusError,
    InvalidUrl,
    NotHtml,
    RetryableStatus,
    TlsError,
    TooManyRedirects,
    TransportError,
)
from newsclean.scraper.netguard import AddressPolicy, AddressRefused, GuardedTransport
from newsclean.scraper.records import FetchResult
from newsclean.scraper.urls import HTTP_SCHEMES, host_of, is_http_url

DEFAULT_USER_AGENT = f"newsclean/{__version__} (news article extractor)"
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
NOT_MODIFIED = 304
# bytes of a redirect body read to keep the connection alive
_DRAIN_LIMIT = 64 * 1024
# ssl errors that mean "the connection dropped", not "TLS itself failed": worth a retry
_SSL_CONNECTION_DROPS = (ssl.SSLEOFError, ssl.SSLZeroReturnError, ssl.SSLSyscallError)


@dataclass(frozen=True, slots=True)
class FetchOptions:
    """Limits and identity for fetching one URL."""

    #: seconds for everything: connect, headers, redirects and the whole body
    total_timeout: float = 30.0
    #: seconds to establish one TCP (+TLS) connection
    connect_timeout: float = 10.0
    #: cap on the DECODED body, and on the bytes on the wire
    max_bytes: int = 10 * 1024 * 1024
    max_redirects: int = 10
    user_agent: str = DEFAULT_USER_AGENT
    #: content-type gate, see :mod:`newsclean.scraper.content_types`
    accept: Accept = "html"
    #: connect to private/loopback/link-local addresses too (the demo and the tests do)
    allow_private_addresses: bool = False

    def __post_init__(self) -> None:
        if self.total_timeout <= 0 or self.connect_timeout <= 0:
            raise ValueError("timeouts must be positive")
        if self.max_bytes <= 0 or self.max_redirects < 0:
            raise ValueError("max_bytes must be positive and max_redirects >= 0")
        if not self.user_agent.strip():
            raise ValueError("user_agent must not be empty")


def make_client(
    options: FetchOptions | None = None,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    max_connections: int = 100,
    max_keepalive_connections: int | None = None,
    trusted_hosts: frozenset[str] = frozenset(),
) -> httpx.AsyncClient:
    """An AsyncClient set up for :func:`fetch_async`: no automatic redirects, pooled (idle
    connections kept: ``max_keepalive_connections``, default ``max_connections``), and behind
    the SSRF guard unless ``transport`` replaces it; ``trusted_hosts`` skip the
    private-address check (see :mod:`newsclean.scraper.netguard`)."""
    opts = options or FetchOptions()
    limits = httpx.Limits(
        max_connections=max_connections,
        max_keepalive_connections=max_connections
        if max_keepalive_connections is None
        else max_keepalive_connections,
    )
    if transport is None:
        policy = AddressPolicy(opts.allow_private_addresses, trusted_hosts)
        transport = GuardedTransport(policy, limits=limits)
    return httpx.AsyncClient(
        transport=transport,
        follow_redirects=False,
        timeout=_timeout(opts),
        headers={"User-Agent": opts.user_agent, "Accept-Encoding": ACCEPT_ENCODING},
    )


def fetch(
    url: str,
    options: FetchOptions | None = None,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
) -> FetchResult:
    """Fetch one URL synchronously (runs its own event loop: not for use inside one).

    For a URL a person typed (``newsclean clean URL``): its own host may be private (a
    local development server, an intranet page), hosts its redirects lead to may not —
    unless ``options.allow_private_addresses``.
    """
    opts = options or FetchOptions()
    typed = frozenset({host_of(url)}) if is_http_url(url) else frozenset()

    async def fetch_with_own_client() -> FetchResult:
        async with make_client(
            opts, transport=transport, max_connections=1, trusted_hosts=typed
        ) as client:
            return await fetch_async(url, client, opts)

    return asyncio.run(fetch_with_own_client())


async def fetch_async(
    url: str,
    client: httpx.AsyncClient,
    options: FetchOptions,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
) -> FetchResult:
    """Fetch ``url`` with ``client`` under ``options``; raises a :class:`FetchError`."""
    if not is_http_url(url):
        raise InvalidUrl(url, "not an absolute http(s) URL")
    headers = _request_headers(options, etag, last_modified)
    started = time.perf_counter()
    try:
        async with asyncio.timeout(options.total_timeout):
            return await _fetch_following_redirects(url, client, options, headers, started)
    except TimeoutError:
        raise FetchTimeout(
            url, f"no complete response within {options.total_timeout:g} s"
        ) from None
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        raise _as_fetch_error(url, exc) from exc
    except AddressRefused as exc:
        raise _blocked(url, exc) from None


def parse_retry_after(value: str, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After value (delta-seconds or HTTP-date), >= 0."""
    value = value.strip()
    if not value:
        return None
    if value.isascii() and value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:  # "-0000" dates come back naive; HTTP-dates are UTC
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def _timeout(options: FetchOptions) -> httpx.Timeout:
    # read/write/pool get the total too; the real total is enforced by asyncio.timeout
    return httpx.Timeout(options.total_timeout, connect=options.connect_timeout)


def _request_headers(
    options: FetchOptions, etag: str | None, last_modified: str | None
) -> dict[str, str]:
    headers = {
        "User-Agent": options.user_agent,
        "Accept": ACCEPT_HEADERS[options.accept],
        "Accept-Encoding": ACCEPT_ENCODING,
    }
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    return headers


async def _fetch_following_redirects(
    url: str,
    client: httpx.AsyncClient,
    options: FetchOptions,
    headers: dict[str, str],
    started: float,
) -> FetchResult:
    chain: list[str] = []
    seen: set[str] = set()
    current, current_text = httpx.URL(url), url
    timeout = _timeout(options)
    while True:
        request = client.build_request("GET", current, headers=headers, timeout=timeout)
        response = await client.send(request, stream=True, follow_redirects=False)
        try:
            target = _redirect_target(response)
            if target is None:
                return await _read_response(
                    url, current_text, response, tuple(chain), options, started
                )
            await _drain_small_body(response)
        finally:
            await response.aclose()
        seen.add(str(current))
        _check_redirect(url, target, seen, response, len(chain), options.max_redirects)
        chain.append(current_text)
        current = target
        current_text = str(target)


def _redirect_target(response: httpx.Response) -> httpx.URL | None:
    if response.status_code not in REDIRECT_STATUSES:
        return None
    location = response.headers.get("location")
    if not location:
        return None  # a redirect status without a target: judged as a plain response
    return response.request.url.join(location.strip())


async def _drain_small_body(response: httpx.Response) -> None:
    """Read a short redirect body so the connection can be reused; give up on a long one."""
    if response.is_stream_consumed:
        return  # built in memory: nothing on a connection to drain
    received = 0
    async for chunk in response.aiter_raw():
        received += len(chunk)
        if received > _DRAIN_LIMIT:
            return  # closing drops the connection, which is cheaper than reading on


def _check_redirect(
    url: str,
    target: httpx.URL,
    seen: set[str],
    response: httpx.Response,
    followed: int,
    max_redirects: int,
) -> None:
    if target.scheme not in HTTP_SCHEMES or not target.host:
        raise InvalidUrl(url, f"redirect to a non-http(s) URL: {str(target)[:200]}")
    if followed >= max_redirects:
        raise TooManyRedirects(url, f"more than {max_redirects} redirects")
    # a hop that sets a cookie may legitimately come back to the same URL (cookie checks)
    if str(target) in seen and "set-cookie" not in response.headers:
        raise TooManyRedirects(url, f"redirect loop at {target}")


async def _read_response(
    url: str,
    final_url: str,
    response: httpx.Response,
    chain: tuple[str, ...],
    options: FetchOptions,
    started: float,
) -> FetchResult:
    status = response.status_code
    if status == NOT_MODIFIED:
        return _result(url, final_url, response, b"", chain, started)
    _raise_for_status(url, response)
    content_type = response.headers.get("content-type", "")
    mime = media_type(content_type)
    verdict = judge_declared_type(options.accept, mime)
    if verdict == "refuse":
        raise NotHtml(url, content_type)
    _check_declared_length(url, response, options.max_bytes)
    encoding = response.headers.get("content-encoding", "")
    # a response built in memory (httpx.MockTransport with content=...) arrives read and
    # already decoded by httpx: take its content as it is
    in_memory = response.is_stream_consumed
    reader = BodyReader(url, "" if in_memory else encoding, options.max_bytes)
    chunks = _in_memory_content(response) if in_memory else response.aiter_raw()
    judged = verdict == "admit"
    async for chunk in chunks:
        reader.feed(chunk)
        # judge from the first bytes, so a large PDF "served as HTML" is not downloaded
        if not judged and reader.size >= SNIFF_BYTES:
            _judge_body(url, options, mime, content_type, reader.head(SNIFF_BYTES))
            judged = True
    if not (in_memory and encoding):
        _check_complete(url, response, reader.raw_size)
    body = reader.finish()
    if not judged:
        _judge_body(url, options, mime, content_type, body[:SNIFF_BYTES])
    return _result(url, final_url, response, body, chain, started)


async def _in_memory_content(response: httpx.Response) -> AsyncIterator[bytes]:
    yield response.content


def _raise_for_status(url: str, response: httpx.Response) -> None:
    status = response.status_code
    if 200 <= status < 300:
        return
    if status in (408, 429) or status >= 500:
        retry_after = parse_retry_after(response.headers.get("retry-after", ""))
        raise RetryableStatus(url, status, retry_after)
    raise HttpStatusError(url, status)


def _judge_body(url: str, options: FetchOptions, mime: str, content_type: str, head: bytes) -> None:
    if not is_admitted_body(options.accept, mime, head):
        raise NotHtml(
            url, content_type, f"body is not {options.accept} ({content_type or 'no type'})"
        )


def _declared_length(response: httpx.Response) -> int | None:
    if "transfer-encoding" in response.headers:
        return None  # chunked: Content-Length must be ignored (RFC 9112 section 6.3)
    text = response.headers.get("content-length", "").partition(",")[0].strip()
    return int(text) if text.isascii() and text.isdigit() else None


def _check_declared_length(url: str, response: httpx.Response, max_bytes: int) -> None:
    declared = _declared_length(response)
    if declared is not None and declared > max_bytes:
        raise BodyTooLarge(url, f"Content-Length {declared} exceeds {max_bytes} bytes")


def _check_complete(url: str, response: httpx.Response, received: int) -> None:
    declared = _declared_length(response)
    if declared is not None and received < declared:
        raise TransportError(url, f"truncated body: {received} of {declared} bytes")


def _result(
    url: str,
    final_url: str,
    response: httpx.Response,
    body: bytes,
    chain: tuple[str, ...],
    started: float,
) -> FetchResult:
    return FetchResult(
        requested_url=url,
        final_url=final_url,
        status=response.status_code,
        headers=_header_pairs(response.headers),
        body=body,
        fetched_at=datetime.now(UTC),
        redirect_chain=chain,
        elapsed=time.perf_counter() - started,
    )


def _header_pairs(headers: httpx.Headers) -> tuple[tuple[str, str], ...]:
    joined: dict[str, str] = {}
    for name, value in headers.multi_items():
        key = name.lower()
        joined[key] = f"{joined[key]}, {value}" if key in joined else value
    return tuple(joined.items())


def _as_fetch_error(url: str, exc: Exception) -> FetchError:
    if isinstance(exc, httpx.TimeoutException):
        return FetchTimeout(url, f"timed out ({type(exc).__name__})")
    if isinstance(exc, httpx.UnsupportedProtocol | httpx.InvalidURL):
        return InvalidUrl(url, f"unusable URL: {exc}")
    tls_failure = _tls_failure(exc)
    if tls_failure is not None:
        return TlsError(url, f"TLS failure: {tls_failure}")
    return TransportError(url, f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)


def _blocked(url: str, refused: AddressRefused) -> BlockedAddress:
    remedy = (
        "never fetched"
        if refused.category.startswith("cloud-metadata")
        else "fetch.allow_private_addresses = true allows it"
    )
    return BlockedAddress(
        url,
        f"{refused}: refused by the SSRF guard ({remedy})",
        host=refused.host,
        address=refused.address,
        category=refused.category,
    )


def _tls_failure(exc: BaseException) -> ssl.SSLError | None:
    """The ssl error behind an httpx error (httpx wraps httpcore wraps ssl), if any."""
    seen: set[int] = set()
    cause: BaseException | None = exc
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        if isinstance(cause, ssl.SSLError):
            return None if isinstance(cause, _SSL_CONNECTION_DROPS) else cause
        cause = cause.__cause__ or cause.__context__
    return None
