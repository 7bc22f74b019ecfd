"""fetch / fetch_async against a real HTTP server on 127.0.0.1: one test per named endpoint."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import socket
import ssl
import time
import tracemalloc
from collections.abc import Iterator
from datetime import UTC
from pathlib import Path

import httpx
import pytest

from newsclean.scraper.errors import (
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
from newsclean.scraper.fetch import DEFAULT_USER_AGENT, FetchOptions, fetch, fetch_async
from newsclean.scraper.records import FetchResult
from tests.support.httpserver import (
    ARTICLE_HTML,
    ETAG,
    LAST_MODIFIED,
    PNG_BYTES,
    RSS_XML,
    LocalHttpServer,
    brotli_bomb,
    gzip_bomb,
    self_signed_cert,
    serve,
)


@pytest.fixture
def http_server() -> Iterator[LocalHttpServer]:
    with serve() as server:
        yield server


MiB = 1024 * 1024
FAST = FetchOptions(total_timeout=2.0, connect_timeout=1.0, max_bytes=MiB)


def test_ok_html(http_server: LocalHttpServer) -> None:
    url = http_server.url("/ok.html")
    result = fetch(url, FAST)
    assert result.status == 200
    assert result.body == ARTICLE_HTML
    assert result.requested_url == url
    assert result.final_url == url
    assert result.redirect_chain == ()
    assert result.fetched_at.tzinfo is UTC
    assert 0 < result.elapsed < 2
    assert result.content_type.startswith("text/html")
    assert result.header("Content-Length") == str(len(ARTICLE_HTML))


def test_request_identifies_itself(http_server: LocalHttpServer) -> None:
    fetch(http_server.url("/ok.html"), FAST)
    fetch(http_server.url("/ok.html"), FetchOptions(user_agent="my-research-bot/2.0 (me@x.org)"))
    first, second = http_server.hits("/ok.html")
    assert first.headers["user-agent"] == DEFAULT_USER_AGENT
    assert DEFAULT_USER_AGENT.startswith("newsclean/")
    assert second.headers["user-agent"] == "my-research-bot/2.0 (me@x.org)"
    assert first.headers["accept"].startswith("text/html")
    assert set(first.headers["accept-encoding"].replace(" ", "").split(",")) == {
        "gzip",
        "deflate",
        "br",
    }
    assert "if-none-match" not in first.headers


@pytest.mark.parametrize("path", ["/gzip.html", "/deflate.html", "/raw-deflate.html", "/br.html"])
def test_compressed_bodies_are_decoded(http_server: LocalHttpServer, path: str) -> None:
    result = fetch(http_server.url(path), FAST)
    assert result.body == ARTICLE_HTML
    assert result.header("content-encoding") in ("gzip", "deflate", "br")


def test_redirect_chain_is_recorded(http_server: LocalHttpServer) -> None:
    url = http_server.url("/redirect/chain?hops=3")
    result = fetch(url, FAST)
    assert result.status == 200
    assert result.body == ARTICLE_HTML
    assert result.final_url == http_server.url("/ok.html")
    assert result.redirect_chain == (
        url,
        http_server.url("/redirect/chain?hops=2"),
        http_server.url("/redirect/chain?hops=1"),
    )


def test_redirect_chain_longer_than_limit(http_server: LocalHttpServer) -> None:
    options = FetchOptions(total_timeout=2.0, max_redirects=3)
    with pytest.raises(TooManyRedirects):
        fetch(http_server.url("/redirect/chain?hops=5"), options)
    # three redirects followed, the fourth refused, the target never asked for
    assert len(http_server.hits("/redirect/chain")) == 4
    assert http_server.hits("/ok.html") == []
    # exactly at the limit is fine
    assert fetch(http_server.url("/redirect/chain?hops=3"), options).status == 200


def test_redirect_loop(http_server: LocalHttpServer) -> None:
    with pytest.raises(TooManyRedirects, match="loop"):
        fetch(http_server.url("/redirect/loop-a"), FAST)
    # the loop is seen when it closes, long before max_redirects
    assert len(http_server.hits("/redirect/loop-a")) == 1
    assert len(http_server.hits("/redirect/loop-b")) == 1


@pytest.mark.parametrize(
    "target", ["", "?to=javascript:alert(1)", "?to=file:///etc/passwd", "?to=data:,x"]
)
def test_redirect_to_non_http_scheme(http_server: LocalHttpServer, target: str) -> None:
    with pytest.raises(InvalidUrl, match="non-http"):
        fetch(http_server.url("/redirect/non-http" + target), FAST)


def test_slow_headers_hit_the_total_deadline(http_server: LocalHttpServer) -> None:
    started = time.monotonic()
    with pytest.raises(FetchTimeout) as info:
        fetch(http_server.url("/slow-headers?delay=5"), FetchOptions(total_timeout=0.4))
    assert 0.35 < time.monotonic() - started < 1.5
    assert info.value.transient


def test_one_byte_per_second_hits_the_total_deadline(http_server: LocalHttpServer) -> None:
    # a byte arrives every second, well inside httpx's per-chunk read timeout (1.5 s): only
    # the total deadline can stop this body (30 s long)
    started = time.monotonic()
    with pytest.raises(FetchTimeout):
        fetch(http_server.url("/drip?interval=1&size=30"), FetchOptions(total_timeout=1.5))
    assert 1.4 < time.monotonic() - started < 2.5


def test_connection_reset_mid_body(http_server: LocalHttpServer) -> None:
    with pytest.raises(TransportError) as info:
        fetch(http_server.url("/reset"), FAST)
    assert info.value.transient


def test_content_length_larger_than_body(http_server: LocalHttpServer) -> None:
    with pytest.raises(TransportError, match="10000"):
        fetch(http_server.url("/truncated"), FAST)


def test_huge_content_length_refused_before_reading(http_server: LocalHttpServer) -> None:
    started = time.monotonic()
    with pytest.raises(BodyTooLarge, match="Content-Length"):
        fetch(http_server.url("/huge"), FAST)
    assert time.monotonic() - started < 1.0


def test_429_with_retry_after_seconds(http_server: LocalHttpServer) -> None:
    with pytest.raises(RetryableStatus) as info:
        fetch(http_server.url("/retry-after/seconds?seconds=7"), FAST)
    assert info.value.status == 429
    assert info.value.retry_after == 7.0
    assert info.value.transient


def test_429_with_retry_after_http_date(http_server: LocalHttpServer) -> None:
    with pytest.raises(RetryableStatus) as info:
        fetch(http_server.url("/retry-after/date?seconds=30"), FAST)
    assert info.value.retry_after is not None
    # an HTTP-date has one-second resolution
    assert 28.0 < info.value.retry_after <= 30.0


def test_503_is_retryable(http_server: LocalHttpServer) -> None:
    with pytest.raises(RetryableStatus) as info:
        fetch(http_server.url("/503"), FAST)
    assert info.value.status == 503
    assert info.value.retry_after is None


def test_404_is_terminal(http_server: LocalHttpServer) -> None:
    with pytest.raises(HttpStatusError) as info:
        fetch(http_server.url("/404"), FAST)
    assert info.value.status == 404
    assert not info.value.transient


@pytest.mark.parametrize(("code", "retryable"), [(408, True), (500, True), (410, False)])
def test_status_mapping(http_server: LocalHttpServer, code: int, retryable: bool) -> None:
    expected = RetryableStatus if retryable else HttpStatusError
    with pytest.raises(expected):
        fetch(http_server.url(f"/status?code={code}"), FAST)


def _peak_allocation_while(url: str, options: FetchOptions) -> tuple[type[Exception], int]:
    # one plain fetch first, so lazy imports of the HTTP stack are not counted
    fetch(url.rsplit("/", 1)[0] + "/ok.html", options)
    tracemalloc.start()
    try:
        try:
            fetch(url, options)
        except BodyTooLarge as exc:
            raised: type[Exception] = type(exc)
        else:
            raise AssertionError("the bomb was not refused")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return raised, peak


@pytest.mark.parametrize(
    ("path", "bomb"), [("/bomb.gzip", gzip_bomb), ("/bomb.br", brotli_bomb)], ids=["gzip", "br"]
)
def test_compression_bomb_is_refused_with_bounded_memory(
    http_server: LocalHttpServer, path: str, bomb: object
) -> None:
    assert callable(bomb)
    wire = bomb()  # built (and cached) before measuring
    assert len(wire) < MiB  # small on the wire ...
    options = FetchOptions(total_timeout=5.0, max_bytes=MiB)
    raised, peak = _peak_allocation_while(http_server.url(path), options)
    assert raised is BodyTooLarge
    # ... 64-256 MiB inflated, yet the fetch allocated little more than the cap
    assert peak < 2 * MiB, f"peak {peak / MiB:.2f} MiB"


def test_html_served_as_octet_stream_is_sniffed(http_server: LocalHttpServer) -> None:
    assert fetch(http_server.url("/octet-stream.html"), FAST).body == ARTICLE_HTML
    assert fetch(http_server.url("/no-type.html"), FAST).body == ARTICLE_HTML


def test_pdf_served_as_html_is_not_html(http_server: LocalHttpServer) -> None:
    with pytest.raises(NotHtml) as info:
        fetch(http_server.url("/pdf-as-html"), FAST)
    assert info.value.content_type == "text/html"
    assert info.value.reason == "not-html"


def test_declared_type_gate(http_server: LocalHttpServer) -> None:
    with pytest.raises(NotHtml):
        fetch(http_server.url("/image.png"), FAST)
    with pytest.raises(NotHtml):
        fetch(http_server.url("/feed.xml"), FAST)
    as_xml = FetchOptions(total_timeout=2.0, accept="xml")
    assert fetch(http_server.url("/feed.xml"), as_xml).body == RSS_XML
    with pytest.raises(NotHtml):
        fetch(http_server.url("/ok.html"), as_xml)
    anything = FetchOptions(total_timeout=2.0, accept="any")
    assert fetch(http_server.url("/image.png"), anything).body == PNG_BYTES
    assert fetch(http_server.url("/pdf-as-html"), anything).body.startswith(b"%PDF")


async def _conditional(url: str, **validators: str) -> FetchResult:
    async with httpx.AsyncClient(follow_redirects=False) as client:
        return await fetch_async(url, client, FAST, **validators)


def test_conditional_get(http_server: LocalHttpServer) -> None:
    url = http_server.url("/etag")
    first = asyncio.run(_conditional(url))
    assert first.status == 200
    assert first.header("etag") == ETAG
    by_etag = asyncio.run(_conditional(url, etag=first.header("etag")))
    assert by_etag.status == 304
    assert by_etag.body == b""
    by_date = asyncio.run(_conditional(url, last_modified=first.header("last-modified")))
    assert by_date.status == 304
    stale = asyncio.run(_conditional(url, etag='"v0"'))
    assert stale.status == 200 and stale.body == ARTICLE_HTML
    sent = http_server.hits("/etag")
    assert sent[1].headers["if-none-match"] == ETAG
    assert sent[2].headers["if-modified-since"] == LAST_MODIFIED


def test_connection_refused_is_transport_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(TransportError):
        fetch(f"http://127.0.0.1:{port}/", FAST)


def test_https_to_a_plain_http_server_is_tls_error(http_server: LocalHttpServer) -> None:
    with pytest.raises(TlsError) as info:
        fetch(f"https://127.0.0.1:{http_server.port}/ok.html", FAST)
    assert not info.value.transient


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl CLI")
def test_untrusted_certificate_is_tls_error(tmp_path: Path) -> None:
    cert, key = self_signed_cert(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    with serve(tls=context) as server:
        url = server.url("/ok.html")
        with pytest.raises(TlsError, match="CERTIFICATE_VERIFY_FAILED"):
            fetch(url, FAST)

        # the same server is fine for a client that trusts the certificate
        async def trusted() -> FetchResult:
            trust = ssl.create_default_context(cafile=str(cert))
            async with httpx.AsyncClient(verify=trust) as client:
                return await fetch_async(url, client, FAST)

        assert asyncio.run(trusted()).body == ARTICLE_HTML


def test_invalid_url_never_touches_the_network(http_server: LocalHttpServer) -> None:
    for bad in ("ftp://127.0.0.1/x", "127.0.0.1/ok.html", "http://"):
        with pytest.raises(InvalidUrl):
            fetch(bad, FAST)
    assert http_server.requests == []


def test_server_saw_no_handler_errors(http_server: LocalHttpServer) -> None:
    for path in ("/ok.html", "/reset", "/truncated", "/huge", "/bomb.gzip"):
        with contextlib.suppress(TransportError, BodyTooLarge):
            fetch(http_server.url(path), FAST)
    assert http_server.errors == []
