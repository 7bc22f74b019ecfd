"""fetch_async with httpx.MockTransport, and its pieces: decoding, content gate, Retry-After."""

from __future__ import annotations

import asyncio
import gzip
import ssl
import zlib
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import brotli
import httpx
import pytest

from newsclean.scraper.content_types import is_admitted_body, judge_declared_type, sniff
from newsclean.scraper.decoding import BodyReader
from newsclean.scraper.errors import (
    BadContentEncoding,
    BodyTooLarge,
    FetchTimeout,
    HttpStatusError,
    InvalidUrl,
    NotHtml,
    RetryableStatus,
    TlsError,
    TooManyRedirects,
    TransportError,
)
from newsclean.scraper.fetch import FetchOptions, fetch, fetch_async, parse_retry_after
from newsclean.scraper.records import FetchResult

HTML = b"<!doctype html><html><body><p>hello</p></body></html>"
OPTIONS = FetchOptions(total_timeout=2.0)


class ChunkStream(httpx.AsyncByteStream):
    """A response body delivered in the given chunks; records whether anyone read it."""

    def __init__(self, chunks: list[bytes]) -> None:
        self.chunks = chunks
        self.read = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        self.read = True
        for chunk in self.chunks:
            yield chunk


def fetch_with(
    handler: Callable[[httpx.Request], httpx.Response], url: str = "http://site.test/a", **kw: str
) -> FetchResult:
    async def run() -> FetchResult:
        transport = httpx.MockTransport(handler)
        async with httpx.AsyncClient(transport=transport) as client:
            return await fetch_async(url, client, OPTIONS, **kw)

    return asyncio.run(run())


def html(
    status: int = 200, body: bytes = HTML, headers: dict[str, str] | None = None
) -> httpx.Response:
    pairs = [("content-type", "text/html; charset=utf-8"), *(headers or {}).items()]
    return httpx.Response(status, headers=pairs, content=body)


# ---- fetch_async through MockTransport -----------------------------------------------------
def test_streamed_response_is_decoded() -> None:
    stream = ChunkStream([gzip.compress(HTML)])
    response = httpx.Response(
        200, headers={"content-type": "text/html", "content-encoding": "gzip"}, stream=stream
    )
    assert fetch_with(lambda _: response).body == HTML


def test_in_memory_response_is_taken_as_decoded() -> None:
    # httpx decodes content=... responses itself; they must not be decoded twice
    result = fetch_with(
        lambda _: html(body=gzip.compress(HTML), headers={"content-encoding": "gzip"})
    )
    assert result.body == HTML


def test_repeated_headers_are_joined_and_lower_cased() -> None:
    response = httpx.Response(
        200,
        headers=[("Content-Type", "text/html"), ("X-Tag", "a"), ("x-tag", "b")],
        content=HTML,
    )
    result = fetch_with(lambda _: response)
    assert result.header("x-tag") == "a, b"
    assert ("x-tag", "a, b") in result.headers
    assert all(name == name.lower() for name, _ in result.headers)


def test_relative_redirects_and_303() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/a":
            return httpx.Response(301, headers={"location": "b?x=1"})
        if request.url.path == "/b":
            return httpx.Response(303, headers={"location": "//other.test/c"})
        return html()

    result = fetch_with(handler)
    assert result.final_url == "http://other.test/c"
    assert result.redirect_chain == ("http://site.test/a", "http://site.test/b?x=1")


def test_zero_redirects_allowed() -> None:
    async def run() -> None:
        transport = httpx.MockTransport(lambda _: httpx.Response(302, headers={"location": "/"}))
        async with httpx.AsyncClient(transport=transport) as client:
            await fetch_async("http://site.test/", client, FetchOptions(max_redirects=0))

    with pytest.raises(TooManyRedirects):
        asyncio.run(run())


def test_cookie_setting_redirect_may_come_back_once() -> None:
    visits: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        visits.append(str(request.url))
        if "seen" not in request.headers.get("cookie", ""):
            return httpx.Response(302, headers={"location": "/a", "set-cookie": "seen=1; Path=/"})
        return html()

    result = fetch_with(handler)
    assert result.status == 200
    assert result.redirect_chain == ("http://site.test/a",)
    assert visits == ["http://site.test/a", "http://site.test/a"]


def test_redirect_status_without_location_is_an_error() -> None:
    with pytest.raises(HttpStatusError) as info:
        fetch_with(lambda _: httpx.Response(302))
    assert info.value.status == 302


def test_content_length_above_cap_is_refused_unread() -> None:
    stream = ChunkStream([b"x" * 10])
    response = httpx.Response(
        200, headers={"content-type": "text/html", "content-length": "2000000000"}, stream=stream
    )
    with pytest.raises(BodyTooLarge):
        fetch_with(lambda _: response)
    assert not stream.read


def test_content_length_larger_than_body_is_truncation() -> None:
    with pytest.raises(TransportError, match="truncated"):
        fetch_with(lambda _: html(headers={"content-length": "9999"}))


def test_body_over_cap_without_content_length() -> None:
    stream = ChunkStream([b"<html>" + b"x" * 600, b"y" * 600])
    response = httpx.Response(200, headers={"content-type": "text/html"}, stream=stream)

    async def run() -> None:
        async with httpx.AsyncClient(transport=httpx.MockTransport(lambda _: response)) as client:
            await fetch_async("http://site.test/", client, FetchOptions(max_bytes=1000))

    with pytest.raises(BodyTooLarge):
        asyncio.run(run())


def test_pdf_as_html_is_refused_after_the_first_bytes() -> None:
    later = ChunkStream([b"%PDF-1.7\n" + b"\0" * 2000, b"never needed" * 100])
    response = httpx.Response(200, headers={"content-type": "text/html"}, stream=later)
    with pytest.raises(NotHtml):
        fetch_with(lambda _: response)


def test_unknown_content_encoding() -> None:
    stream = ChunkStream([b"data"])
    response = httpx.Response(
        200, headers={"content-type": "text/html", "content-encoding": "zstd"}, stream=stream
    )
    with pytest.raises(BadContentEncoding, match="zstd"):
        fetch_with(lambda _: response)


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (httpx.ConnectTimeout("slow"), FetchTimeout),
        (httpx.ReadTimeout("slow"), FetchTimeout),
        (httpx.ConnectError("refused"), TransportError),
        (httpx.ReadError("reset"), TransportError),
        (httpx.RemoteProtocolError("garbage"), TransportError),
    ],
)
def test_httpx_errors_are_mapped(error: Exception, expected: type[Exception]) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise error

    with pytest.raises(expected):
        fetch_with(handler)


def _raise_tls(cause: ssl.SSLError) -> Callable[[httpx.Request], httpx.Response]:
    def handler(request: httpx.Request) -> httpx.Response:
        try:
            raise cause
        except ssl.SSLError as exc:
            raise httpx.ConnectError(str(exc)) from exc

    return handler


def test_certificate_failure_is_tls_error() -> None:
    cause = ssl.SSLCertVerificationError(1, "[SSL: CERTIFICATE_VERIFY_FAILED] self-signed")
    with pytest.raises(TlsError) as info:
        fetch_with(_raise_tls(cause))
    assert not info.value.transient


def test_tls_eof_is_a_transport_error_not_a_tls_error() -> None:
    with pytest.raises(TransportError):
        fetch_with(_raise_tls(ssl.SSLEOFError(8, "EOF occurred in violation of protocol")))


def test_total_deadline_covers_a_stalled_body() -> None:
    class Stalled(httpx.AsyncByteStream):
        async def __aiter__(self) -> AsyncIterator[bytes]:
            yield b"<html>"
            await asyncio.sleep(5)
            yield b"</html>"

    response = httpx.Response(200, headers={"content-type": "text/html"}, stream=Stalled())

    async def run() -> None:
        async with httpx.AsyncClient(transport=httpx.MockTransport(lambda _: response)) as client:
            await fetch_async("http://site.test/", client, FetchOptions(total_timeout=0.2))

    with pytest.raises(FetchTimeout):
        asyncio.run(run())


def test_conditional_headers_are_sent() -> None:
    seen: list[httpx.Headers] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers)
        return httpx.Response(304, headers={"etag": '"e"'})

    result = fetch_with(handler, etag='"e"', last_modified="Wed, 21 Oct 2015 07:28:00 GMT")
    assert result.status == 304 and result.body == b""
    assert seen[0]["if-none-match"] == '"e"'
    assert seen[0]["if-modified-since"] == "Wed, 21 Oct 2015 07:28:00 GMT"


def test_sync_fetch_with_transport() -> None:
    result = fetch("http://site.test/x", transport=httpx.MockTransport(lambda _: html()))
    assert result.body == HTML
    assert result.fetched_at.tzinfo is UTC


def test_invalid_url_is_refused_before_any_request() -> None:
    calls: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return html()

    for bad in ("mailto:x@y.z", "/relative", "http://exa mple.com/"):
        with pytest.raises(InvalidUrl):
            fetch(bad, transport=httpx.MockTransport(handler))
    assert calls == []


@pytest.mark.parametrize(
    "kwargs",
    [{"total_timeout": 0}, {"connect_timeout": -1}, {"max_bytes": 0}, {"user_agent": " "}],
)
def test_fetch_options_are_validated(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        FetchOptions(**kwargs)  # type: ignore[arg-type]


# ---- Retry-After --------------------------------------------------------------------------
def test_parse_retry_after() -> None:
    now = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    assert parse_retry_after("120", now) == 120.0
    assert parse_retry_after(" 0 ", now) == 0.0
    in_90s = format_datetime(now + timedelta(seconds=90), usegmt=True)
    assert parse_retry_after(in_90s, now) == 90.0
    past = format_datetime(now - timedelta(hours=1), usegmt=True)
    assert parse_retry_after(past, now) == 0.0  # clamped
    for junk in ("", "soon", "-5", "1.5", "Mon, 99 Foo 2026"):
        assert parse_retry_after(junk, now) is None


def test_retry_after_on_503() -> None:
    with pytest.raises(RetryableStatus) as info:
        fetch_with(lambda _: html(503, headers={"retry-after": "30"}))
    assert info.value.retry_after == 30.0


# ---- bounded decoding ---------------------------------------------------------------------
def _decode(encoding: str, data: bytes, *, chunk: int = 1, cap: int = 1 << 20) -> bytes:
    reader = BodyReader("http://site.test/", encoding, cap)
    for start in range(0, len(data), chunk):
        reader.feed(data[start : start + chunk])
    return reader.finish()


def _raw_deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush()


@pytest.mark.parametrize(
    ("encoding", "encode"),
    [
        ("gzip", gzip.compress),
        ("x-gzip", gzip.compress),
        ("deflate", zlib.compress),
        ("deflate", _raw_deflate),
        ("br", brotli.compress),
        ("identity", lambda data: data),
        ("", lambda data: data),
    ],
)
@pytest.mark.parametrize("chunk", [1, 7, 4096])
def test_decoding_any_chunking(encoding: str, encode: Callable[[bytes], bytes], chunk: int) -> None:
    body = HTML * 50
    assert _decode(encoding, encode(body), chunk=chunk) == body


def test_concatenated_gzip_members() -> None:
    assert _decode("gzip", gzip.compress(b"one ") + gzip.compress(b"two"), chunk=5) == b"one two"


def test_stacked_codings_are_undone_last_first() -> None:
    assert _decode("gzip, br", brotli.compress(gzip.compress(HTML)), chunk=3) == HTML


def test_empty_body_with_gzip_header() -> None:
    assert _decode("gzip", b"") == b""


def test_truncated_compressed_body() -> None:
    data = gzip.compress(HTML * 20)
    with pytest.raises(TransportError, match="truncated"):
        _decode("gzip", data[: len(data) // 2], chunk=64)
    brotli_data = brotli.compress(HTML * 20)
    with pytest.raises(TransportError, match="truncated"):
        _decode("br", brotli_data[: len(brotli_data) // 2], chunk=64)


def test_corrupt_compressed_body() -> None:
    with pytest.raises(BadContentEncoding):
        _decode("gzip", b"\x1f\x8b\x08\x00garbage-that-is-not-deflate", chunk=64)
    with pytest.raises(BadContentEncoding):
        _decode("br", b"\xff\xff\xff\xff not brotli", chunk=64)


@pytest.mark.parametrize(
    ("encoding", "encode"),
    [("gzip", gzip.compress), ("deflate", zlib.compress), ("br", brotli.compress)],
)
def test_decoded_cap(encoding: str, encode: Callable[[bytes], bytes]) -> None:
    body = bytes(300_000)
    assert _decode(encoding, encode(body), chunk=4096, cap=300_000) == body
    with pytest.raises(BodyTooLarge):
        _decode(encoding, encode(body), chunk=4096, cap=299_999)


def test_raw_bytes_are_capped_too() -> None:
    with pytest.raises(BodyTooLarge):
        _decode("identity", b"x" * 101, chunk=50, cap=100)


# ---- content-type gate --------------------------------------------------------------------
@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (b"<!DOCTYPE html><html>", "html"),
        (b"\xef\xbb\xbf  \n<HTML lang=en>", "html"),
        (b"<!-- comment --><div>", "html"),
        (b"<p>text", "html"),
        (b"<abbr>x</abbr>", "unknown"),
        (b'<?xml version="1.0"?><rss>', "xml"),
        (b'<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml">', "html"),
        (b"<urlset xmlns=...>", "xml"),
        (b'{"version": "https://jsonfeed.org/version/1.1"}', "json"),
        (b"\x1f\x8b\x08\x00", "gzip"),
        (b"%PDF-1.4", "binary"),
        (b"\x89PNG\r\n", "binary"),
        (b"plain words", "unknown"),
        (b"", "unknown"),
    ],
)
def test_sniff(head: bytes, kind: str) -> None:
    assert sniff(head) == kind


@pytest.mark.parametrize(
    ("accept", "mime", "verdict"),
    [
        ("html", "text/html", "sniff"),
        ("html", "application/xhtml+xml", "sniff"),
        ("html", "", "sniff"),
        ("html", "application/octet-stream", "sniff"),
        ("html", "application/pdf", "refuse"),
        ("html", "application/rss+xml", "refuse"),
        ("html", "text/plain", "refuse"),
        ("xml", "application/rss+xml", "sniff"),
        ("xml", "application/atom+xml", "sniff"),
        ("xml", "text/xml", "sniff"),
        ("xml", "application/feed+json", "sniff"),
        ("xml", "application/x-gzip", "sniff"),
        ("xml", "text/plain", "sniff"),
        ("xml", "text/html", "sniff"),
        ("xml", "image/png", "refuse"),
        ("any", "video/mp4", "admit"),
    ],
)
def test_judge_declared_type(accept: str, mime: str, verdict: str) -> None:
    assert judge_declared_type(accept, mime) == verdict  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("accept", "mime", "head", "admitted"),
    [
        ("html", "text/html", HTML, True),
        ("html", "text/html", b"%PDF-1.5", False),
        ("html", "text/html", b"just text, no tags", True),  # the header is believed
        ("html", "", HTML, True),
        ("html", "", b"just text", False),
        ("html", "application/octet-stream", b"\x1f\x8b\x08", False),
        ("xml", "text/html", b"<?xml version='1.0'?><rss>", True),
        ("xml", "text/html", HTML, False),
        ("xml", "application/octet-stream", b"\x1f\x8b\x08", True),
        ("xml", "application/xml", b"<urlset>", True),
        ("any", "application/pdf", b"%PDF", True),
    ],
)
def test_is_admitted_body(accept: str, mime: str, head: bytes, admitted: bool) -> None:
    assert is_admitted_body(accept, mime, head) is admitted  # type: ignore[arg-type]
