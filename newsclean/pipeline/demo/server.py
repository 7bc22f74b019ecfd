"""The demo news site served over real HTTP on 127.0.0.1, in a background thread.

::

    with DemoSite(slow_delay=3.0) as site:
        site.feed_url, site.sitemap_url, site.article_urls, ...

What each URL does is decided by :mod:`newsclean.pipeline.demo.site`; this module adds HTTP:
conditional GET (``If-None-Match`` first, then ``If-Modified-Since``, as RFC 9110 orders them)
answered with 304, gzip when the client accepts it, HEAD, keep-alive, the delay of the slow URL,
and a log of every request (to show, say, that the robots-disallowed URL was never fetched).
"""

from __future__ import annotations

import gzip
import socket
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Final
from urllib.parse import urlsplit

from newsclean.pipeline.demo.plan import (
    CONSENT_PATH,
    DEFAULT_SEED,
    FEED_PATH,
    HOME_PATH,
    LOGIN_PATH,
    ROBOTS_PATH,
    SECTION_PATH,
    SITEMAP_PATH,
    SOFT_404_PATH,
    TAG_PATH,
)
from newsclean.pipeline.demo.site import NOT_FOUND_BODY, DemoArticle, DemoContent, DemoPage

_GZIP_MIN_BYTES: Final = 512  # smaller bodies are not worth compressing
_IDLE_TIMEOUT: Final = 30.0  # seconds a kept-alive connection may sit idle


@dataclass(frozen=True, slots=True)
class RequestRecord:
    """One request the site answered."""

    method: str
    path: str
    status: int
    at: datetime


class _Server(ThreadingHTTPServer):
    """Tracks open connections so that stopping does not wait for idle keep-alive clients."""

    daemon_threads = False  # so server_close() joins them; stop() first wakes idle ones
    allow_reuse_address = False  # an ephemeral port is never reused on purpose

    def __init__(self, address: tuple[str, int], site: DemoSite) -> None:
        self.site = site
        self.stopping = threading.Event()
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        super().__init__(address, _Handler)

    def process_request(
        self, request: socket.socket | tuple[bytes, socket.socket], client_address: object
    ) -> None:
        if isinstance(request, socket.socket):
            with self._open_lock:
                self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: socket.socket | tuple[bytes, socket.socket]) -> None:
        if isinstance(request, socket.socket):
            with self._open_lock:
                self._open.discard(request)
        super().shutdown_request(request)

    def wake_open_connections(self) -> None:
        """Unblock handler threads waiting on idle connections (their read returns EOF)."""
        with self._open_lock:
            for conn in self._open:
                try:
                    conn.shutdown(socket.SHUT_RDWR)
                except OSError:
                    continue  # already closed by the client: nothing to wake


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "newsclean-demo/1.0"
    timeout = _IDLE_TIMEOUT
    # headers and body go out as two writes; with Nagle on, keep-alive clients wait ~40 ms
    # for the delayed ACK between them
    disable_nagle_algorithm = True
    server: _Server

    def do_GET(self) -> None:
        self._answer(send_body=True)

    def do_HEAD(self) -> None:
        self._answer(send_body=False)

    def version_string(self) -> str:
        return self.server_version

    def log_message(self, format: str, *args: object) -> None:
        """Silent: requests go to :attr:`DemoSite.requests` instead of stderr."""

    def _answer(self, send_body: bool) -> None:
        path = urlsplit(self.path).path
        site = self.server.site
        page = site.content.page(path)
        if page is None:
            self._send(404, {"Content-Type": "text/html; charset=utf-8"}, NOT_FOUND_BODY, send_body)
            return
        if page.kind == "slow" and self.server.stopping.wait(site.slow_delay):
            self.close_connection = True  # the site is stopping: drop the request
            return
        conditions = (self.headers.get("If-None-Match"), self.headers.get("If-Modified-Since"))
        if page.supports_validators and _not_modified(*conditions, page):
            self._send(304, _validators(page), b"", send_body=False)
            return
        headers = {"Content-Type": page.content_type}
        body = page.body
        if page.supports_validators:
            headers.update(_validators(page))
            headers["Cache-Control"] = "max-age=60"
        if page.kind != "robots":
            headers["Vary"] = "Accept-Encoding"
            if len(body) >= _GZIP_MIN_BYTES and _accepts_gzip(self.headers.get("Accept-Encoding")):
                body = site.gzipped(page)
                headers["Content-Encoding"] = "gzip"
        self._send(page.status, headers, body, send_body)

    def _send(self, status: int, headers: Mapping[str, str], body: bytes, send_body: bool) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        if status != 304:
            self.send_header("Content-Length", str(len(body)))
        # logged before the body goes out: a client holding the answer always finds the record
        self.server.site.log_request(self.command, urlsplit(self.path).path, status)
        self.end_headers()
        if send_body and body:
            self.wfile.write(body)


def _validators(page: DemoPage) -> dict[str, str]:
    return {"ETag": page.etag, "Last-Modified": format_datetime(page.last_modified, usegmt=True)}


def _not_modified(if_none_match: str | None, since: str | None, page: DemoPage) -> bool:
    if if_none_match is not None:
        return _etag_matches(if_none_match, page.etag)
    if since is None:
        return False
    try:
        client_time = parsedate_to_datetime(since)
    except (TypeError, ValueError):
        return False  # an unparsable date is ignored, as RFC 9110 says
    if client_time.tzinfo is None:
        client_time = client_time.replace(tzinfo=UTC)
    return page.last_modified.replace(microsecond=0) <= client_time


def _etag_matches(header: str, etag: str) -> bool:
    """Weak comparison (RFC 9110 §8.8.3.2), which If-None-Match uses."""
    if header.strip() == "*":
        return True
    opaque = etag.removeprefix("W/")
    return any(candidate.strip().removeprefix("W/") == opaque for candidate in header.split(","))


def _accepts_gzip(header: str | None) -> bool:
    for coding in (header or "").split(","):
        name, _, params = coding.strip().partition(";")
        if name.strip().lower() in ("gzip", "*"):
            return params.replace(" ", "") not in ("q=0", "q=0.0", "q=0.00", "q=0.000")
    return False


class DemoSite:
    """The demo news site on ``127.0.0.1`` with an ephemeral port; a context manager.

    ``slow_delay`` is how many seconds the slow article waits before answering.
    """

    def __init__(
        self,
        slow_delay: float = 3.0,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        seed: int = DEFAULT_SEED,
    ) -> None:
        self.slow_delay = slow_delay
        self._address = (host, port)
        self._seed = seed
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._content: DemoContent | None = None
        self._gzip_cache: dict[tuple[str, str], bytes] = {}
        self._log: list[RequestRecord] = []
        self._log_lock = threading.Lock()

    # -- lifecycle --

    def start(self) -> DemoSite:
        if self._server is not None:
            raise RuntimeError("the demo site is already running")
        server = _Server(self._address, self)
        host, port = server.server_address[:2]
        self._content = DemoContent(f"http://{host!s}:{port}", self._seed)
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.1}, name="demo-site"
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        if server is None or thread is None:
            return
        server.stopping.set()  # wakes a slow request that is still waiting
        server.shutdown()
        server.wake_open_connections()
        server.server_close()  # joins the handler threads
        thread.join()
        self._server = self._thread = None

    def __enter__(self) -> DemoSite:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return self._server is not None

    # -- what is where --

    @property
    def content(self) -> DemoContent:
        if self._content is None:
            raise RuntimeError("the demo site is not started")
        return self._content

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>`` (no trailing slash)."""
        return self.content.base_url

    def url(self, path: str) -> str:
        return self.content.url(path)

    @property
    def home_url(self) -> str:
        return self.url(HOME_PATH)

    @property
    def feed_url(self) -> str:
        return self.url(FEED_PATH)

    @property
    def sitemap_url(self) -> str:
        return self.url(SITEMAP_PATH)

    @property
    def robots_url(self) -> str:
        return self.url(ROBOTS_PATH)

    @property
    def articles(self) -> tuple[DemoArticle, ...]:
        """Every real article with the text an extractor should return (slow one included)."""
        return self.content.articles()

    @property
    def article_urls(self) -> tuple[str, ...]:
        return tuple(article.url for article in self.articles)

    @property
    def slow_url(self) -> str:
        return self._role_url("slow")

    @property
    def failing_url(self) -> str:
        """Always HTTP 500."""
        return self._role_url("failing")

    @property
    def disallowed_url(self) -> str:
        """Listed in the feed, disallowed by robots.txt."""
        return self._role_url("disallowed")

    @property
    def non_article_urls(self) -> dict[str, str]:
        """Pages answered with 200 that are not articles, by kind."""
        return {
            "paywall": self._role_url("paywall"),
            "consent-wall": self.url(CONSENT_PATH),
            "soft-404": self.url(SOFT_404_PATH),
            "section": self.url(SECTION_PATH),
            "tag": self.url(TAG_PATH),
            "login": self.url(LOGIN_PATH),
            "home": self.home_url,
        }

    def _role_url(self, role: str) -> str:
        return self.url(next(e.path for e in self.content.plan.entries if e.role == role))

    # -- edits and the request log --

    def set_article_text(self, url: str, text: str) -> None:
        """Change one article's text (new ETag, later Last-Modified); ``url`` from article_urls."""
        self.content.set_article_text(urlsplit(url).path, text)

    def gzipped(self, page: DemoPage) -> bytes:
        key = (page.path, page.etag)
        cached = self._gzip_cache.get(key)
        if cached is None:
            cached = gzip.compress(page.body, mtime=0)  # mtime=0: same bytes every time
            self._gzip_cache[key] = cached
        return cached

    def log_request(self, method: str, path: str, status: int) -> None:
        with self._log_lock:
            self._log.append(RequestRecord(method, path, status, datetime.now(UTC)))

    @property
    def requests(self) -> tuple[RequestRecord, ...]:
        with self._log_lock:
            return tuple(self._log)

    def hits(self, url_or_path: str) -> int:
        """How many requests asked for this URL or path (any method, any answer)."""
        path = urlsplit(url_or_path).path
        return sum(1 for record in self.requests if record.path == path)
