"""Errors raised while fetching.

Every error carries the URL it concerns and is either transient (worth retrying later) or
terminal (retrying cannot help). That marking alone decides retries::

    ScraperError                      root of the scraper package
    +-- FetchError(url)               one URL could not be fetched
        +-- TransientFetchError       retry with backoff
        |   +-- FetchTimeout          total deadline exceeded (connect, headers or body)
        |   +-- TransportError        connection refused/reset, DNS failure, truncated body
        |   +-- RetryableStatus       HTTP 408, 429 or 5xx (carries Retry-After seconds)
        |   +-- RobotsUnavailable     robots.txt answered 5xx or was unreachable: disallowed
        |                             for now (RFC 9309), worth trying again later in the run
        +-- TerminalFetchError        give up on this URL
            +-- HttpStatusError       any other HTTP 4xx (and unexpected codes)
            +-- TlsError              certificate or handshake failure: never retried
            +-- InvalidUrl            not an absolute http(s) URL (also: a redirect leaving http(s))
            +-- TooManyRedirects      redirect chain longer than the limit, or a loop
            +-- BodyTooLarge          body (after decompression) exceeds the byte cap
            +-- NotHtml               content is not what was asked for (HTML, or feed/XML)
            +-- RobotsDisallowed      robots.txt forbids the URL for our user agent
            +-- BlockedAddress        resolves to a private/loopback/metadata address (SSRF
            |                         guard, :mod:`newsclean.scraper.netguard`)
            +-- BadContentEncoding    Content-Encoding unknown, or the compressed body is corrupt
            +-- HostFailureBudgetExceeded  the host failed too often in a row; given up for the run
"""

from __future__ import annotations


class ScraperError(Exception):
    """Root of every error raised by :mod:`newsclean.scraper`."""


class FetchError(ScraperError):
    """One URL could not be fetched."""

    transient: bool = False
    #: short, stable machine-readable reason (used as a status / skip reason)
    reason: str = "fetch-error"

    def __init__(self, url: str, message: str = "") -> None:
        self.url = url
        self.message = message or self.reason
        super().__init__(f"{self.message} ({url})")


class TransientFetchError(FetchError):
    transient = True
    reason = "transient-error"


class FetchTimeout(TransientFetchError):
    reason = "timeout"


class TransportError(TransientFetchError):
    reason = "transport-error"


class RetryableStatus(TransientFetchError):
    reason = "http-retryable"

    def __init__(
        self, url: str, status: int, retry_after: float | None = None, message: str = ""
    ) -> None:
        self.status = status
        #: seconds the server asked us to wait (Retry-After), if it said so
        self.retry_after = retry_after
        super().__init__(url, message or f"HTTP {status}")


class TerminalFetchError(FetchError):
    transient = False
    reason = "terminal-error"


class HttpStatusError(TerminalFetchError):
    reason = "http-error"

    def __init__(self, url: str, status: int, message: str = "") -> None:
        self.status = status
        super().__init__(url, message or f"HTTP {status}")


class TlsError(TerminalFetchError):
    reason = "tls-error"


class InvalidUrl(TerminalFetchError):
    reason = "invalid-url"


class TooManyRedirects(TerminalFetchError):
    reason = "too-many-redirects"


class BodyTooLarge(TerminalFetchError):
    reason = "too-large"


class NotHtml(TerminalFetchError):
    reason = "not-html"

    def __init__(self, url: str, content_type: str, message: str = "") -> None:
        self.content_type = content_type
        super().__init__(url, message or f"not HTML (Content-Type: {content_type or 'none'})")


class RobotsDisallowed(TerminalFetchError):
    reason = "robots-denied"


class BlockedAddress(TerminalFetchError):
    reason = "blocked-address"

    def __init__(
        self, url: str, message: str = "", *, host: str = "", address: str = "", category: str = ""
    ) -> None:
        #: the host refused (the URL's own, or a redirect target's), its address and why
        self.host = host
        self.address = address
        self.category = category
        super().__init__(url, message)


class RobotsUnavailable(TransientFetchError):
    reason = "robots-unavailable"


class BadContentEncoding(TerminalFetchError):
    reason = "bad-content-encoding"


class HostFailureBudgetExceeded(TerminalFetchError):
    reason = "host-failure-budget"

    def __init__(self, url: str, host: str, failures: int, message: str = "") -> None:
        self.host = host
        #: consecutive failed attempts that spent the budget
        self.failures = failures
        super().__init__(
            url, message or f"host {host} given up after {failures} consecutive failures"
        )
