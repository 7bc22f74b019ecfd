"""A real HTTP/1.1 server on 127.0.0.1 for tests: a route table, named failure endpoints and a
server-side request log (arrival times, concurrency) to assert politeness against.

Use it as a context manager, or as a fixture::

    from tests.support.httpserver import LocalHttpServer, serve

    @pytest.fixture
    def http_server() -> Iterator[LocalHttpServer]:
        with serve() as server:          # the standard endpoints are registered
            yield server

    def test_something(http_server: LocalHttpServer) -> None:
        http_server.static("/page.html", b"<html>...</html>")
        http_server.route("/custom", lambda ex: ex.send(200, b"hi", content_type="text/plain"))
        url = http_server.url("/page.html")

The module also defines that ``http_server`` fixture, for the root conftest to offer to
every test with ``pytest_plugins = ["tests.support.httpserver"]`` (a test module importing
the fixture from here instead trips ruff's F811). Routes match the path exactly (the query
string is ignored for matching and is available as ``exchange.query``). The server runs in
a daemon thread on an ephemeral port; every sleep inside a handler ends as soon as the
server stops, so no test waits on a slow endpoint after it is done with it.

Standard endpoints (see :data:`STANDARD_PATHS`)::

    /ok.html                 200 HTML article
    /gzip.html /deflate.html /raw-deflate.html /br.html   the same article, compressed
    /no-type.html            the article with no Content-Type at all
    /octet-stream.html       the article served as application/octet-stream
    /pdf-as-html             a PDF served as text/html
    /image.png               a PNG (image/png)
    /feed.xml                an RSS feed (application/rss+xml)
    /etag                    ETag "v1" + Last-Modified; 304 when the validators match
    /redirect/chain?hops=N   N redirects (302) then /ok.html
    /redirect/loop-a         loop-a -> loop-b -> loop-a ...
    /redirect/non-http       302 to ftp://example.invalid/file.html (?to= overrides)
    /redirect/to?to=URL      302 to any URL (an SSRF probe: a redirect to 127.0.0.1)
    /silent                  reads the request, then never answers (until the client leaves)
    /headers-then-silence    status and headers (Content-Length 1000), then no body at all
    /slow-headers?delay=S    waits S seconds (default 5) before the status line
    /drip?interval=S&size=N  Content-Length N (default 30), then one byte every S (default 1) s
    /reset                   Content-Length 10000, 100 bytes, then a TCP reset
    /truncated               Content-Length 10000, 100 bytes, then a clean close
    /truncated-chunked       chunked: one 100-byte chunk, then a clean close (no last chunk)
    /truncated-gzip          Content-Encoding: gzip, the first half of the gzip stream, framed
                             correctly (Content-Length is what is sent)
    /huge                    Content-Length 10 GiB, a few bytes, then close
    /endless-chunked         chunked HTML, 64 KiB chunks for as long as the client reads
                             (at most ENDLESS_SECONDS)
    /retry-after/seconds?seconds=S   429 with Retry-After: S (default 2)
    /retry-after/date?seconds=S      429 with Retry-After as an HTTP-date S seconds ahead
    /status?code=N           any status with a short HTML body (e.g. 404, 500, 503)
    /404 /503                shortcuts for the above
    /bomb.gzip               Content-Encoding: gzip, 64 MiB of zeros (64 KiB on the wire)
    /bomb.br                 Content-Encoding: br, 256 MiB of zeros (a few hundred bytes)
    /charset/missing         text/html without a charset, windows-1252 bytes, no <meta>
    /charset/wrong           declares charset=utf-8, sends windows-1252 bytes
    /invalid-utf8            declares utf-8 (header and <meta>), has invalid UTF-8 sequences

robots.txt failures need an origin of their own (robots.txt lives at /robots.txt): give a
server one with ``server.route("/robots.txt", ROBOTS_FAULTS[kind])``, kind one of
``"5xx"`` (503), ``"silent"`` (never answers) and ``"garbage"`` (an HTML page and binary
junk with a 200: what protego makes of it is tested in tests/test_faults.py).
"""

from __future__ import annotations

import email.utils
import functools
import gzip
import select
import socket
import ssl
import struct
import subprocess
import sys
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import brotli
import pytest

Handler = Callable[["Exchange"], None]

ARTICLE_HTML = (
    b"<!DOCTYPE html><html><head><meta charset='utf-8'><title>Local test article</title>"
    b"</head><body><article><h1>Local test article</h1>"
    + b"".join(
        b"<p>Paragraph %d of a perfectly ordinary news article served from loopback.</p>" % i
        for i in range(40)
    )
    + b"</article></body></html>"
)
RSS_XML = (
    b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>'
    b"<item><title>a</title><link>http://127.0.0.1/a</link></item></channel></rss>"
)
PDF_BYTES = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n" + b"\0" * 2048
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
ETAG = '"v1"'
LAST_MODIFIED = "Wed, 21 Oct 2015 07:28:00 GMT"
GZIP_BOMB_SIZE = 64 * 1024 * 1024
BROTLI_BOMB_SIZE = 256 * 1024 * 1024
HUGE_LENGTH = 10 * 1024**3
#: longest an endless body is written, seconds (every request loop here stops by itself)
ENDLESS_SECONDS = 20.0
ENDLESS_CHUNK = 64 * 1024
#: "Café – 5 €" and friends in windows-1252: not valid UTF-8
CP1252_HTML = (
    "<!DOCTYPE html><html><head><title>Café à la carte</title></head><body><article>"
    "<h1>Café à la carte</h1><p>Prix : 5 € – « spécial » déjà vu.</p></article></body></html>"
).encode("cp1252")
INVALID_UTF8_HTML = (
    b"<!DOCTYPE html><html><head><meta charset='utf-8'><title>broken</title></head><body>"
    b"<p>lone continuation \x80, overlong \xc0\xaf, truncated \xe2\x82, bad start \xff"
    b"</p></body></html>"
)


@dataclass(frozen=True, slots=True)
class LoggedRequest:
    """One request as the server saw it."""

    method: str
    path: str  # without the query string
    query: str
    headers: dict[str, str]  # lower-cased names
    arrived: float  # time.monotonic() when the request line had been read


class Exchange:
    """One request/response: what the route handler gets."""

    def __init__(self, handler: _RequestHandler, server: LocalHttpServer) -> None:
        self.handler = handler
        self.server = server
        parts = urlsplit(handler.path)
        self.path = parts.path
        self.query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        self.headers = {key.lower(): value for key, value in handler.headers.items()}

    def send(
        self,
        status: int,
        body: bytes = b"",
        *,
        content_type: str | None = "text/html; charset=utf-8",
        headers: Iterable[tuple[str, str]] = (),
    ) -> None:
        """A complete response with an exact Content-Length (keeps the connection usable)."""
        extra = list(headers)
        if content_type is not None:
            extra.append(("Content-Type", content_type))
        extra.append(("Content-Length", str(len(body))))
        self.send_head(status, extra)
        self.write(body)

    def send_head(self, status: int, headers: Iterable[tuple[str, str]]) -> None:
        """Status line and headers only; the body is up to the caller."""
        self.handler.send_response(status)
        for name, value in headers:
            self.handler.send_header(name, value)
        self.handler.end_headers()

    def write(self, data: bytes) -> bool:
        """Write body bytes; False when the client has gone away."""
        try:
            self.handler.wfile.write(data)
            self.handler.wfile.flush()
        except OSError:  # broken pipe, reset: the client left
            self.handler.close_connection = True
            return False
        return True

    def sleep(self, seconds: float) -> bool:
        """Sleep, waking early when the server stops; False when it stopped."""
        return not self.server.stopping.wait(seconds)

    def wait_for_hangup(self, max_seconds: float = 60.0) -> None:
        """Say nothing until the client closes the connection, the server stops, or
        ``max_seconds`` pass; then close. Frees the handler thread as soon as the client
        gives up, so silent endpoints do not pile up threads."""
        connection = self.handler.connection
        deadline = time.monotonic() + max_seconds
        while not self.server.stopping.is_set() and time.monotonic() < deadline:
            readable, _, _ = select.select([connection], [], [], 0.05)
            if readable and not _peek(connection):
                break  # EOF or reset: the client left
        self.close()

    def close(self) -> None:
        """Close the connection after this response (a clean FIN)."""
        self.handler.close_connection = True

    def reset(self) -> None:
        """Abort the connection with a TCP RST instead of a FIN."""
        self.handler.connection.setsockopt(
            socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
        )
        self.server.mark_for_reset(self.handler.connection)
        self.handler.close_connection = True


def _peek(connection: socket.socket) -> bytes:
    try:
        return connection.recv(1, socket.MSG_PEEK)
    except OSError:
        return b""


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _ThreadingServer

    def do_GET(self) -> None:
        self.server.owner.dispatch(self)

    def do_HEAD(self) -> None:
        self.server.owner.dispatch(self)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: tests read the request log instead."""


class _ThreadingServer(ThreadingHTTPServer):
    daemon_threads = True
    # socketserver's default backlog of 5 drops SYNs under a burst of concurrent clients,
    # which then see a connect timeout that no real server would cause
    request_queue_size = 128
    owner: LocalHttpServer

    def shutdown_request(self, request: Any) -> None:
        # a reset connection must be closed without the FIN that shutdown(SHUT_WR) sends
        if self.owner.take_reset_mark(request):
            request.close()
            return
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        error = sys.exc_info()[1]
        # clients hanging up on slow or broken endpoints is what those endpoints are for
        if isinstance(error, OSError):  # resets, broken pipes, failed TLS handshakes
            return
        self.owner.errors.append(repr(error))


class LocalHttpServer:
    """A threaded HTTP server with a route table and a request log."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        standard_routes: bool = True,
        tls: ssl.SSLContext | None = None,
    ) -> None:
        self.host = host
        self.tls = tls
        self.routes: dict[str, Handler] = {}
        self.requests: list[LoggedRequest] = []
        self.errors: list[str] = []
        self.stopping = threading.Event()
        self.in_flight = 0
        self.max_in_flight = 0
        self._lock = threading.Lock()
        self._resets: set[int] = set()
        self._server: _ThreadingServer | None = None
        self._thread: threading.Thread | None = None
        if standard_routes:
            register_standard_routes(self)

    # ---- setup -------------------------------------------------------------------------
    def route(self, path: str, handler: Handler) -> None:
        self.routes[path] = handler

    def static(
        self,
        path: str,
        body: bytes,
        *,
        status: int = 200,
        content_type: str | None = "text/html; charset=utf-8",
        headers: Iterable[tuple[str, str]] = (),
    ) -> None:
        fixed_headers = tuple(headers)
        self.route(
            path,
            lambda ex: ex.send(status, body, content_type=content_type, headers=fixed_headers),
        )

    @property
    def port(self) -> int:
        assert self._server is not None, "server not started"
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        scheme = "https" if self.tls else "http"
        return f"{scheme}://{self.host}:{self.port}"

    def url(self, path: str = "/") -> str:
        return self.base_url + path

    # ---- request log ------------------------------------------------------------------
    def hits(self, path: str) -> list[LoggedRequest]:
        with self._lock:
            return [r for r in self.requests if r.path == path]

    # ---- lifecycle ---------------------------------------------------------------------
    def start(self) -> LocalHttpServer:
        server = _ThreadingServer((self.host, 0), _RequestHandler)
        server.owner = self
        if self.tls is not None:
            server.socket = self.tls.wrap_socket(
                server.socket, server_side=True, do_handshake_on_connect=False
            )
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> LocalHttpServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # ---- called from handler threads ---------------------------------------------------
    def dispatch(self, handler: _RequestHandler) -> None:
        exchange = Exchange(handler, self)
        logged = LoggedRequest(
            handler.command,
            exchange.path,
            urlsplit(handler.path).query,
            exchange.headers,
            time.monotonic(),
        )
        with self._lock:
            self.requests.append(logged)
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            route = self.routes.get(exchange.path)
            if route is None:
                exchange.send(404, b"<html><body>not found</body></html>")
            else:
                route(exchange)
        finally:
            with self._lock:
                self.in_flight -= 1

    def mark_for_reset(self, connection: socket.socket) -> None:
        with self._lock:
            self._resets.add(id(connection))

    def take_reset_mark(self, connection: socket.socket) -> bool:
        with self._lock:
            if id(connection) in self._resets:
                self._resets.discard(id(connection))
                return True
            return False


@contextmanager
def serve(
    *,
    host: str = "127.0.0.1",
    standard_routes: bool = True,
    tls: ssl.SSLContext | None = None,
) -> Iterator[LocalHttpServer]:
    """A started server, stopped on exit."""
    server = LocalHttpServer(host=host, standard_routes=standard_routes, tls=tls)
    with server:
        yield server


@pytest.fixture
def http_server() -> Iterator[LocalHttpServer]:
    """A fresh server with the standard endpoints, one per test."""
    with serve() as server:
        yield server


# ---- payloads ----------------------------------------------------------------------------
@functools.cache
def gzip_bomb() -> bytes:
    """gzip of GZIP_BOMB_SIZE zero bytes, built once per session (~0.2 s)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = bytes(1024 * 1024)
    parts = [compressor.compress(block) for _ in range(GZIP_BOMB_SIZE // len(block))]
    parts.append(compressor.flush())
    return b"".join(parts)


@functools.cache
def brotli_bomb() -> bytes:
    """brotli of BROTLI_BOMB_SIZE zero bytes, built once per session (~0.2 s)."""
    compressor = brotli.Compressor(quality=5)
    block = bytes(1024 * 1024)
    parts = [compressor.process(block) for _ in range(BROTLI_BOMB_SIZE // len(block))]
    parts.append(compressor.finish())
    return b"".join(parts)


def http_date(seconds_from_now: float) -> str:
    return email.utils.formatdate(time.time() + seconds_from_now, usegmt=True)


def self_signed_cert(directory: Path) -> tuple[Path, Path]:
    """A throwaway certificate for 127.0.0.1 made with the openssl CLI: (cert, key)."""
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
            "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
            "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert),
        ],
        check=True,
        capture_output=True,
        timeout=30,
    )  # fmt: skip
    return cert, key


# ---- the standard endpoints --------------------------------------------------------------
def _ok(ex: Exchange) -> None:
    ex.send(200, ARTICLE_HTML)


def _compressed(encoding: str, payload: Callable[[bytes], bytes]) -> Handler:
    body = payload(ARTICLE_HTML)
    return lambda ex: ex.send(200, body, headers=[("Content-Encoding", encoding)])


def _raw_deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush()


def _etag(ex: Exchange) -> None:
    validators = [("ETag", ETAG), ("Last-Modified", LAST_MODIFIED)]
    matches = ex.headers.get("if-none-match") == ETAG or (
        "if-none-match" not in ex.headers and ex.headers.get("if-modified-since") == LAST_MODIFIED
    )
    if matches:
        ex.send_head(304, validators)
    else:
        ex.send(200, ARTICLE_HTML, headers=validators)


def _redirect(ex: Exchange, location: str, status: int = 302) -> None:
    ex.send(status, b"", content_type=None, headers=[("Location", location)])


def _redirect_chain(ex: Exchange) -> None:
    hops = int(ex.query.get("hops", "3"))
    _redirect(ex, f"/redirect/chain?hops={hops - 1}" if hops > 1 else "/ok.html")


def _slow_headers(ex: Exchange) -> None:
    if ex.sleep(float(ex.query.get("delay", "5"))):
        ex.send(200, ARTICLE_HTML)


def _drip(ex: Exchange) -> None:
    interval = float(ex.query.get("interval", "1"))
    size = int(ex.query.get("size", "30"))
    ex.send_head(200, [("Content-Type", "text/html"), ("Content-Length", str(size))])
    for _ in range(size):
        if not ex.write(b"<") or not ex.sleep(interval):
            ex.close()
            return


def _broken_body(*, reset: bool) -> Handler:
    def handler(ex: Exchange) -> None:
        ex.send_head(200, [("Content-Type", "text/html"), ("Content-Length", "10000")])
        ex.write(ARTICLE_HTML[:100])
        ex.sleep(0.05)  # let the client read the first bytes before the connection dies
        if reset:
            ex.reset()
        else:
            ex.close()

    return handler


def _silent(ex: Exchange) -> None:
    ex.wait_for_hangup()


def _headers_then_silence(ex: Exchange) -> None:
    ex.send_head(200, [("Content-Type", "text/html"), ("Content-Length", "1000")])
    ex.wait_for_hangup()


def _truncated_chunked(ex: Exchange) -> None:
    ex.send_head(200, [("Content-Type", "text/html"), ("Transfer-Encoding", "chunked")])
    ex.write(b"%x\r\n%s\r\n" % (100, ARTICLE_HTML[:100]))
    ex.sleep(0.05)  # let the client read the chunk before the connection ends
    ex.close()


def _truncated_gzip(ex: Exchange) -> None:
    whole = gzip.compress(ARTICLE_HTML)
    ex.send(200, whole[: len(whole) // 2], headers=[("Content-Encoding", "gzip")])


def _endless_chunked(ex: Exchange) -> None:
    ex.send_head(200, [("Content-Type", "text/html"), ("Transfer-Encoding", "chunked")])
    chunk = b"%x\r\n%s\r\n" % (ENDLESS_CHUNK, b"<p>" + b"x" * (ENDLESS_CHUNK - 3))
    ex.write(b"%x\r\n<html><body>\r\n" % len(b"<html><body>"))
    deadline = time.monotonic() + ENDLESS_SECONDS
    while time.monotonic() < deadline and not ex.server.stopping.is_set():
        if not ex.write(chunk):
            return  # the client hung up: the point of this endpoint
    ex.close()


def _huge(ex: Exchange) -> None:
    ex.send_head(200, [("Content-Type", "text/html"), ("Content-Length", str(HUGE_LENGTH))])
    ex.write(b"<html>" + b" " * 1024)
    ex.close()


def _retry_after_seconds(ex: Exchange) -> None:
    seconds = ex.query.get("seconds", "2")
    ex.send(429, b"<html>slow down</html>", headers=[("Retry-After", seconds)])


def _retry_after_date(ex: Exchange) -> None:
    date = http_date(float(ex.query.get("seconds", "5")))
    ex.send(429, b"<html>slow down</html>", headers=[("Retry-After", date)])


def _status(code: int | None = None) -> Handler:
    def handler(ex: Exchange) -> None:
        status = code if code is not None else int(ex.query.get("code", "500"))
        ex.send(status, b"<html><body>status %d</body></html>" % status)

    return handler


def _bomb(encoding: str, payload: Callable[[], bytes]) -> Handler:
    return lambda ex: ex.send(200, payload(), headers=[("Content-Encoding", encoding)])


def _robots_garbage(ex: Exchange) -> None:
    junk = (
        b"<html><body><h1>Welcome!</h1><p>Disallow: / (in a paragraph)</p></body></html>\n"
        + bytes(range(256)) * 4
        + b"\nUser agent * \n\x00\x00 Crawl delay: x\n"
    )
    ex.send(200, junk, content_type="text/html")


#: robots.txt handlers, one per failure (register as "/robots.txt" on a server of its own)
ROBOTS_FAULTS: dict[str, Handler] = {
    "5xx": _status(503),
    "silent": _silent,
    "garbage": _robots_garbage,
}


def register_standard_routes(server: LocalHttpServer) -> None:
    """Register every endpoint listed in the module docstring."""
    routes: dict[str, Handler] = {
        "/ok.html": _ok,
        "/gzip.html": _compressed("gzip", gzip.compress),
        "/deflate.html": _compressed("deflate", zlib.compress),
        "/raw-deflate.html": _compressed("deflate", _raw_deflate),
        "/br.html": _compressed("br", brotli.compress),
        "/no-type.html": lambda ex: ex.send(200, ARTICLE_HTML, content_type=None),
        "/octet-stream.html": lambda ex: ex.send(
            200, ARTICLE_HTML, content_type="application/octet-stream"
        ),
        "/pdf-as-html": lambda ex: ex.send(200, PDF_BYTES, content_type="text/html"),
        "/image.png": lambda ex: ex.send(200, PNG_BYTES, content_type="image/png"),
        "/feed.xml": lambda ex: ex.send(200, RSS_XML, content_type="application/rss+xml"),
        "/etag": _etag,
        "/redirect/chain": _redirect_chain,
        "/redirect/loop-a": lambda ex: _redirect(ex, "/redirect/loop-b"),
        "/redirect/loop-b": lambda ex: _redirect(ex, "/redirect/loop-a"),
        "/redirect/non-http": lambda ex: _redirect(
            ex, ex.query.get("to", "ftp://example.invalid/file.html")
        ),
        "/redirect/to": lambda ex: _redirect(ex, ex.query.get("to", "/ok.html")),
        "/silent": _silent,
        "/headers-then-silence": _headers_then_silence,
        "/slow-headers": _slow_headers,
        "/drip": _drip,
        "/reset": _broken_body(reset=True),
        "/truncated": _broken_body(reset=False),
        "/truncated-chunked": _truncated_chunked,
        "/truncated-gzip": _truncated_gzip,
        "/huge": _huge,
        "/endless-chunked": _endless_chunked,
        "/retry-after/seconds": _retry_after_seconds,
        "/retry-after/date": _retry_after_date,
        "/status": _status(),
        "/404": _status(404),
        "/503": _status(503),
        "/bomb.gzip": _bomb("gzip", gzip_bomb),
        "/bomb.br": _bomb("br", brotli_bomb),
        "/charset/missing": lambda ex: ex.send(200, CP1252_HTML, content_type="text/html"),
        "/charset/wrong": lambda ex: ex.send(200, CP1252_HTML),
        "/invalid-utf8": lambda ex: ex.send(200, INVALID_UTF8_HTML),
    }
    for path, handler in routes.items():
        server.route(path, handler)


STANDARD_PATHS = (
    "/ok.html", "/gzip.html", "/deflate.html", "/raw-deflate.html", "/br.html",
    "/no-type.html", "/octet-stream.html", "/pdf-as-html", "/image.png", "/feed.xml", "/etag",
    "/redirect/chain", "/redirect/loop-a", "/redirect/loop-b", "/redirect/non-http",
    "/redirect/to", "/silent", "/headers-then-silence", "/slow-headers", "/drip", "/reset",
    "/truncated", "/truncated-chunked", "/truncated-gzip", "/huge", "/endless-chunked",
    "/retry-after/seconds", "/retry-after/date", "/status", "/404", "/503", "/bomb.gzip",
    "/bomb.br", "/charset/missing", "/charset/wrong", "/invalid-utf8",
)  # fmt: skip

#: the endpoints that each stand for one failure (docs/faults.md must list every one)
FAULT_PATHS = (
    "/redirect/loop-a", "/redirect/chain", "/redirect/non-http", "/redirect/to", "/silent",
    "/headers-then-silence", "/slow-headers", "/drip", "/reset", "/truncated",
    "/truncated-chunked", "/truncated-gzip", "/huge", "/endless-chunked",
    "/retry-after/seconds", "/retry-after/date", "/503", "/404", "/bomb.gzip", "/bomb.br",
    "/octet-stream.html", "/pdf-as-html", "/charset/missing", "/charset/wrong",
    "/invalid-utf8",
)  # fmt: skip
