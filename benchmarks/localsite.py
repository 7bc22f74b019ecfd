"""A fast local news site for the batch benchmarks: N distinct article pages on 127.0.0.1.

The site runs in its OWN process (``python -m benchmarks.localsite``), so serving never competes
with the measured client's event loop. It is a raw asyncio HTTP/1.1 server (keep-alive, GET and
HEAD, Content-Length framing): each request is answered after ``latency`` seconds with
``asyncio.sleep``, so a slow answer never holds up another connection.

Routes::

    /news/<index>/<slug>.html   article page <index> (0 <= index < pages): 200 text/html
    /robots.txt                 allows everything but /private/
    /_stats                     request counters as JSON (not counted themselves)
    anything else               404

Pages are made on request from a pool of generated paragraphs (:class:`PageMaker`), so the same
index always gives the same bytes, in the server and in the benchmark process alike, without
holding 5,000 pages in memory. ``size="article"`` pages weigh 20-60 kB with the usual news-site
boilerplate around the story (inline CSS and scripts, navigation, a cookie banner, share bar,
an advertisement slot and a "Read more" teaser inside the story, related stories, comments, a
footer); ``size="small"`` pages are ~1.5-2.5 kB, for long runs where volume, not size, matters.

Use :func:`serve_site` from a benchmark; the server stops when the benchmark closes its stdin
pipe (or exits), and by itself after ``max_seconds`` in any case.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import subprocess
import sys
import zlib
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from html import escape
from typing import Final, Literal
from urllib.request import urlopen

PageSize = Literal["article", "small"]
ROBOTS_TXT: Final = b"User-agent: *\nDisallow: /private/\n"
_READY_MARK: Final = "LISTENING "
_POOL_PARAGRAPHS: Final = 2_000
_POOL_TEXTS: Final = 500
_EPOCH: Final = datetime(2024, 1, 1, 6, 0, tzinfo=UTC)
DEFAULT_SEED: Final = 20240101
_HEAD_LIMIT: Final = 64 * 1024  # bytes of request line + headers before the server gives up

# Common English words, so the language detector sees English and the extractor sees prose.
_FUNCTION_TEXT: Final = (
    "the the the a a an of of to to in in on at for with from by as and and but or that "
    "which who this these those its their his her our it they we he she is was were are "
    "has had have will would could should may not also after before while during over"
)
_CONTENT_TEXT: Final = (
    "council city government minister report plan budget year week month people residents "
    "company market price prices workers union school schools hospital police court judge "
    "river bridge station train trains road roads housing rent energy power water climate "
    "weather storm flood summer winter election vote voters party leader mayor officials "
    "committee project money cost costs tax taxes contract business jobs industry factory "
    "farmers harvest food museum library festival season team match players coach league "
    "study scientists researchers data survey evidence results record increase decline "
    "change decision proposal law rules agency office department service services community "
    "district village region country border coast harbour airport flights passengers "
    "said announced agreed approved rejected warned expected promised reported confirmed "
    "described argued suggested estimated raised cut opened closed began finished built "
    "planned delayed moved returned continued reached remained faced supported criticised "
    "new old local national regional public private major small large early late recent "
    "final first second last several many few higher lower strong weak important difficult "
    "long short rising falling open closed central northern southern eastern western"
)
_FUNCTION_WORDS: Final = tuple(_FUNCTION_TEXT.split())
_CONTENT_WORDS: Final = tuple(_CONTENT_TEXT.split())
_NAMES: Final = (
    "Mara Ellison",
    "Jonas Weber",
    "Aisha Khan",
    "Tomás Ribeiro",
    "Helen Okafor",
    "Peter Lindqvist",
    "Sofia Marchetti",
    "Daniel Novak",
    "Grace Whitfield",
    "Omar Haddad",
    "Lena Fischer",
    "Samuel Adeyemi",
)
_SECTIONS: Final = ("local", "politics", "business", "science", "environment", "culture", "sport")


@dataclass(frozen=True, slots=True)
class SiteSpec:
    """What the local site serves: how many pages, how slowly, how large."""

    pages: int
    #: seconds before each answer (robots.txt and pages alike)
    latency: float = 0.0
    size: PageSize = "article"
    #: gzip pages and robots.txt for clients that accept it (level 1, made per request)
    gzip: bool = False
    seed: int = DEFAULT_SEED

    def __post_init__(self) -> None:
        if self.pages < 1:
            raise ValueError("pages must be >= 1")
        if self.latency < 0:
            raise ValueError("latency must be >= 0")


def article_path(index: int) -> str:
    """The path of article ``index``; the server reads the index back from it."""
    return f"/news/{index}/story-{index:06d}.html"


def parse_article_index(path: str) -> int | None:
    parts = path.split("/")
    # ["", "news", "<index>", "story-<index>.html"]
    if len(parts) != 4 or parts[1] != "news" or not parts[2].isdigit():
        return None
    return int(parts[2])


# -- page generation -------------------------------------------------------------------------


def _sentence(rng: random.Random) -> str:
    words = [
        rng.choice(_FUNCTION_WORDS) if rng.random() < 0.42 else rng.choice(_CONTENT_WORDS)
        for _ in range(rng.randint(9, 24))
    ]
    if rng.random() < 0.2:
        words.insert(rng.randrange(len(words)), str(rng.randint(2, 950)))
    text = " ".join(words)
    return text[0].upper() + text[1:] + "."


def _paragraph(rng: random.Random, sentences: tuple[int, int]) -> str:
    return " ".join(_sentence(rng) for _ in range(rng.randint(*sentences)))


def _headline(rng: random.Random, index: int) -> str:
    words = [rng.choice(_CONTENT_WORDS) for _ in range(rng.randint(5, 9))]
    return f"{' '.join(words).capitalize()} in report {index}"


class PageMaker:
    """Every page of a site as bytes, made on demand from a seeded paragraph pool."""

    def __init__(self, spec: SiteSpec) -> None:
        self.spec = spec
        rng = random.Random(spec.seed)
        sentences = (4, 8) if spec.size == "article" else (2, 4)
        self._pool = [escape(_paragraph(rng, sentences)) for _ in range(_POOL_PARAGRAPHS)]
        # teasers, related stories and comments pick from these: cheap per page
        self._titles = [escape(_headline(rng, n).split(" in ")[0]) for n in range(_POOL_TEXTS)]
        self._sentences = [escape(_sentence(rng)) for _ in range(_POOL_TEXTS)]
        self._css = "\n".join(
            f".c{n} {{ margin: {n % 7}px {n % 5}px; color: #{n * 2654435761 % 0xFFFFFF:06x}; }}"
            for n in range(160)
        )
        self._script = "\n".join(
            f"window.dataLayer.push({{'event': 'slot{n}', 'id': {n * 7919}}});" for n in range(90)
        )

    def page(self, index: int) -> bytes:
        """The HTML of article ``index`` (deterministic)."""
        rng = random.Random(self.spec.seed * 1_000_003 + index)
        if self.spec.size == "small":
            return self._small_page(index, rng).encode()
        return self._article_page(index, rng).encode()

    def url_title(self, index: int) -> str:
        return _headline(random.Random(self.spec.seed * 1_000_003 + index), index)

    # -- the two layouts --

    def _small_page(self, index: int, rng: random.Random) -> str:
        title = escape(_headline(rng, index))
        author = rng.choice(_NAMES)
        published = (_EPOCH + timedelta(minutes=37 * index)).isoformat()
        body = "".join(f"<p>{self._pool[n]}</p>" for n in rng.sample(range(len(self._pool)), 4))
        return (
            f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
            f'<meta property="og:type" content="article">'
            f'<meta property="article:published_time" content="{published}"></head><body>'
            '<nav><a href="/">Home</a> <a href="/news/">News</a> <a href="/about">About</a></nav>'
            f'<article><h1>{title}</h1><p class="byline">By {author}</p>'
            f'<time datetime="{published}">{published[:10]}</time>{body}</article>'
            "<footer><p>© 2024 Westhaven Courier. All rights reserved.</p></footer>"
            "</body></html>"
        )

    def _article_page(self, index: int, rng: random.Random) -> str:
        title = escape(_headline(rng, index))
        section = rng.choice(_SECTIONS)
        author = rng.choice(_NAMES)
        published = (_EPOCH + timedelta(minutes=37 * index)).isoformat()
        paragraphs = rng.sample(range(len(self._pool)), rng.randint(4, 56))
        parts = [
            self._head(title, author, published, index),
            "<body>",
            self._header(section),
            self._story(title, author, published, paragraphs, rng),
            self._related(rng),
            self._comments(rng),
            self._footer(),
            "</body></html>",
        ]
        return "".join(parts)

    # -- pieces of an article page --

    def _head(self, title: str, author: str, published: str, index: int) -> str:
        ld = json.dumps(
            {
                "@context": "https://schema.org",
                "@type": "NewsArticle",
                "headline": title,
                "datePublished": published,
                "author": {"@type": "Person", "name": author},
            }
        )
        return (
            '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            f"<title>{title} | Westhaven Courier</title>"
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<meta name="description" content="{title}.">'
            f'<meta property="og:title" content="{title}">'
            '<meta property="og:type" content="article">'
            f'<meta property="article:published_time" content="{published}">'
            f'<meta name="author" content="{author}">'
            f'<link rel="canonical" href="{article_path(index)}">'
            f'<script type="application/ld+json">{ld}</script>'
            f"<style>{self._css}</style>"
            f"<script>window.dataLayer = window.dataLayer || [];\n{self._script}</script>"
            "</head>"
        )

    def _header(self, section: str) -> str:
        links = "".join(
            f'<li><a href="/{name}/">{name.capitalize()}</a></li>' for name in _SECTIONS * 4
        )
        return (
            '<div id="cookie-banner" class="consent"><p>We use cookies to improve your '
            "experience and to show you personalised advertising. By continuing to browse you "
            "agree to our use of cookies.</p><button>Accept all</button><button>Manage "
            'settings</button></div><header class="site-header"><a class="logo" href="/">'
            f'Westhaven Courier</a><nav class="main-nav"><ul>{links}</ul></nav>'
            f'<p class="breadcrumbs"><a href="/">Home</a> › <a href="/{section}/">'
            f"{section.capitalize()}</a></p></header>"
        )

    def _story(
        self,
        title: str,
        author: str,
        published: str,
        paragraphs: list[int],
        rng: random.Random,
    ) -> str:
        body: list[str] = []
        for position, number in enumerate(paragraphs):
            if position and position % 5 == 0:
                body.append(f"<h2>{rng.choice(self._titles)}</h2>")
            if position == 3:
                body.append(
                    '<div class="ad-slot"><span>Advertisement</span>'
                    '<div id="div-gpt-ad-1"></div></div>'
                )
            if position == 4:
                teaser = rng.choice(self._titles)
                body.append(f'<p class="teaser">Read more: <a href="/news/x">{teaser}</a></p>')
            body.append(f"<p>{self._pool[number]}</p>")
        return (
            f'<main><article class="story"><h1>{title}</h1>'
            f'<p class="byline">By <a rel="author" href="/authors/x">{author}</a> · '
            f'<time datetime="{published}">{published[:10]}</time></p>'
            '<figure><img src="/img/lead.jpg" alt="Lead image"><figcaption>The scene on '
            "Tuesday. Photo: Courier staff</figcaption></figure>"
            f'<div class="story-body">{"".join(body)}</div>'
            '<div class="share-bar"><span>Share this article</span><a href="#">Facebook</a>'
            '<a href="#">X</a><a href="#">Email</a><a href="#">Copy link</a></div>'
            '<div class="newsletter"><h3>Get the morning briefing</h3><p>Sign up for our '
            "newsletter and get the day's top stories in your inbox.</p><form><input "
            'type="email" placeholder="Your email"><button>Subscribe</button></form></div>'
            "</article></main>"
        )

    def _related(self, rng: random.Random) -> str:
        items = "".join(
            f'<li><a href="/news/{n}/x.html">{self._titles[n]}</a>'
            f"<p>{rng.choice(self._sentences)}</p></li>"
            for n in rng.sample(range(len(self._titles)), 8)
        )
        popular = "".join(
            f'<li><a href="/news/{n}/p.html">{self._titles[n]}</a></li>'
            for n in rng.sample(range(len(self._titles)), 10)
        )
        return (
            f'<section class="related"><h2>Related stories</h2><ul>{items}</ul></section>'
            f'<aside class="sidebar"><h2>Most popular</h2><ol>{popular}</ol></aside>'
        )

    def _comments(self, rng: random.Random) -> str:
        comments = "".join(
            f'<li class="comment"><p class="comment-author">{rng.choice(_NAMES)} says:</p>'
            f"<p>{rng.choice(self._sentences)} {rng.choice(self._sentences)}</p>"
            '<a class="reply" href="#">Reply</a></li>'
            for _ in range(rng.randint(0, 6))
        )
        return (
            f'<section id="comments"><h2>Comments</h2><ol>{comments}</ol>'
            '<div id="respond"><h3>Leave a Reply</h3><p>Your email address will not be '
            "published. Required fields are marked *</p><form><textarea></textarea>"
            "<button>Post Comment</button></form></div></section>"
        )

    def _footer(self) -> str:
        links = "".join(f'<li><a href="/page/{n}">Footer link {n}</a></li>' for n in range(48))
        return (
            f'<footer class="site-footer"><ul>{links}</ul><p>© 2024 Westhaven Courier. All '
            "rights reserved.</p><p>Terms of use · Privacy policy · Cookie settings</p>"
            "</footer>"
        )


# -- the server (runs in its own process) ----------------------------------------------------


class KeepAliveServer:
    """An HTTP/1.1 connection loop for asyncio.start_server: requests are answered one after
    the other until the client closes the connection or an answer ends it. Subclasses answer
    one request head in :meth:`answer`. Connections count under ``connections_key`` (unless
    None), connections dropped mid-request under ``dropped_key``."""

    connections_key: str | None = "connections"
    dropped_key = "dropped"

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.connections_key is not None:
            self.counts[self.connections_key] += 1
        try:
            while (head := await read_request_head(reader)) is not None:
                if not await self.answer(head, reader, writer):
                    break
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            self.counts[self.dropped_key] += 1
        finally:
            writer.close()
            with suppress(ConnectionError):
                await writer.wait_closed()

    async def answer(
        self, head: bytes, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> bool:
        """Answer the request ``head``; False when the connection is to be closed."""
        raise NotImplementedError


async def read_request_head(reader: asyncio.StreamReader) -> bytes | None:
    """The next request head on a keep-alive connection; None once the client closed it."""
    try:
        return await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as exc:
        if exc.partial:
            raise
        return None  # the client closed an idle keep-alive connection


class _SiteServer(KeepAliveServer):
    """The HTTP/1.1 side: parse a request head, wait ``latency``, answer from the PageMaker."""

    def __init__(self, spec: SiteSpec) -> None:
        super().__init__()
        self.spec = spec
        self.maker = PageMaker(spec)

    async def answer(
        self, head: bytes, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> bool:
        request_line, _, header_block = head.partition(b"\r\n")
        method, target, version = request_line.decode("latin-1").split(" ", 2)
        headers = header_block.lower()
        keep_alive = version.strip() == "HTTP/1.1" and b"connection: close" not in headers
        path = target.split("?", 1)[0]
        if path != "/_stats" and self.spec.latency:
            await asyncio.sleep(self.spec.latency)
        status, content_type, body = self._route(path)
        encoding = ""
        if self.spec.gzip and b"gzip" in headers and status == "200 OK" and path != "/_stats":
            body = _gzip(body)
            encoding = "Content-Encoding: gzip\r\n"
        writer.write(
            f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\n"
            f"Content-Length: {len(body)}\r\n{encoding}"
            f"Connection: {'keep-alive' if keep_alive else 'close'}\r\n\r\n".encode()
        )
        if method != "HEAD":
            writer.write(body)
        await writer.drain()
        return keep_alive

    def _route(self, path: str) -> tuple[str, str, bytes]:
        if path == "/_stats":
            return "200 OK", "application/json", json.dumps(self.counts).encode()
        self.counts["requests"] += 1
        if path == "/robots.txt":
            self.counts["robots"] += 1
            return "200 OK", "text/plain; charset=utf-8", ROBOTS_TXT
        index = parse_article_index(path)
        if index is not None and index < self.spec.pages:
            self.counts["pages"] += 1
            return "200 OK", "text/html; charset=utf-8", self.maker.page(index)
        self.counts["not_found"] += 1
        return "404 Not Found", "text/plain", b"not found\n"


def _gzip(body: bytes) -> bytes:
    packer = zlib.compressobj(1, zlib.DEFLATED, 31)  # wbits 31: gzip framing
    return packer.compress(body) + packer.flush()


async def _serve(spec: SiteSpec, port: int, max_seconds: float) -> None:
    site = _SiteServer(spec)
    server = await asyncio.start_server(
        site.handle, "127.0.0.1", port, backlog=2048, limit=_HEAD_LIMIT
    )
    bound = server.sockets[0].getsockname()[1]
    print(f"{_READY_MARK}http://127.0.0.1:{bound}", flush=True)
    async with server:
        # the benchmark holds our stdin open; EOF means it is gone or done with us
        stdin = asyncio.StreamReader()
        loop = asyncio.get_running_loop()
        await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(stdin), sys.stdin)
        with suppress(TimeoutError):
            await asyncio.wait_for(stdin.read(), timeout=max_seconds)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Serve the benchmark news site on 127.0.0.1.")
    parser.add_argument("--pages", type=int, required=True)
    parser.add_argument("--latency", type=float, default=0.0)
    parser.add_argument("--size", choices=("article", "small"), default="article")
    parser.add_argument("--gzip", action="store_true")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--max-seconds", type=float, default=3600.0)
    args = parser.parse_args(argv)
    spec = SiteSpec(args.pages, args.latency, args.size, args.gzip, args.seed)
    asyncio.run(_serve(spec, args.port, args.max_seconds))
    return 0


# -- the benchmark side ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LocalSite:
    """A running local site, as the benchmark sees it."""

    spec: SiteSpec
    base_url: str
    pid: int

    def url(self, index: int) -> str:
        return self.base_url + article_path(index)

    def urls(self, count: int | None = None) -> list[str]:
        return [self.url(index) for index in range(count or self.spec.pages)]

    def stats(self) -> dict[str, int]:
        """The server's request counters (connections, requests, pages, robots, ...)."""
        with urlopen(self.base_url + "/_stats", timeout=10) as answer:
            counts: dict[str, int] = json.loads(answer.read())
        return counts


@contextmanager
def serve_site(spec: SiteSpec, *, max_seconds: float = 3600.0) -> Iterator[LocalSite]:
    """Start the site in a child process; it is stopped on leaving the block."""
    command = [
        sys.executable,
        "-m",
        "benchmarks.localsite",
        f"--pages={spec.pages}",
        f"--latency={spec.latency}",
        f"--size={spec.size}",
        f"--seed={spec.seed}",
        f"--max-seconds={max_seconds}",
        *(["--gzip"] if spec.gzip else []),
    ]
    process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        assert process.stdout is not None
        line = process.stdout.readline().decode().strip()
        if not line.startswith(_READY_MARK):
            raise RuntimeError(f"local site did not start (said {line!r})")
        yield LocalSite(spec, line.removeprefix(_READY_MARK), process.pid)
    finally:
        _stop(process)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.stdin is not None:
        with suppress(OSError):
            process.stdin.close()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()  # our own child, by its handle
        process.wait(timeout=10)
    if process.stdout is not None:
        process.stdout.close()


if __name__ == "__main__":
    sys.exit(main())
