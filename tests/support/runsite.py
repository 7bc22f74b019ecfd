"""Helpers for batch-run tests: config files, a generated article site, dataset probes.

* :func:`write_config` renders a real TOML config file (the kind a user writes) from Python
  values, so tests go through :func:`newsclean.pipeline.config.load_config` like the CLI does.
* :func:`demo_config` is that config for the bundled :class:`~newsclean.pipeline.demo.DemoSite`
  with test-sized politeness (short delay, short timeout, loopback allowed).
* :class:`ArticleFarm` serves ``count`` generated article pages on 127.0.0.1 (real HTTP, via
  :class:`tests.support.httpserver.LocalHttpServer`), listed in a sitemap that answers
  conditional requests (:meth:`ArticleFarm.publish` lists more of them over time). Each page
  carries a unique marker sentence, so a test can tell which article a row came from without
  trusting ids computed by the code under test.
* :func:`dataset_rows` / :func:`dataset_keys` read a dataset back with pyarrow.
* :func:`run_config` runs a config in-process, optionally on a clock moved ``days_later``.
* :func:`newsclean_command` is the argv that runs the CLI in a fresh interpreter;
  :func:`crashing_newsclean_command` the same, SIGKILLed at a chosen commit checkpoint.
* :func:`preserved_logging` undoes what the CLI's ``configure_logging`` does to the
  ``newsclean`` logger (a handler bound to CliRunner's stderr would outlive it).
"""

from __future__ import annotations

import logging
import sys
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from html import escape
from pathlib import Path

import pyarrow as pa

from newsclean.output.dataset import read_dataset
from newsclean.pipeline.config import load_config
from newsclean.pipeline.demo import DemoSite
from newsclean.pipeline.demo.stories import load_stories
from newsclean.pipeline.run import RunOptions, run
from newsclean.pipeline.summary import RunSummary
from tests.support.httpserver import Exchange, LocalHttpServer, serve

TomlScalar = str | int | float | bool
TomlValue = TomlScalar | Sequence[str]

#: requests a test run has in flight at most
TEST_CONCURRENCY = 8
#: politeness for loopback test servers: fast, but still through the real PoliteFetcher
TEST_FETCH: Mapping[str, TomlValue] = {
    "concurrency": TEST_CONCURRENCY,
    "per_host_concurrency": 4,
    "per_host_delay": 0.01,
    "timeout": 5.0,
    "max_retries": 0,
    "allow_private_addresses": True,
}


def toml_value(value: TomlValue) -> str:
    """One TOML value; strings are written as literal-free basic strings."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        escaped = value.replace("\\", "\\\\").replace('"', '\\"')
        return f'"{escaped}"'
    return "[" + ", ".join(toml_value(item) for item in value) + "]"


def toml_table(header: str, values: Mapping[str, TomlValue]) -> str:
    lines = [header, *(f"{key} = {toml_value(value)}" for key, value in values.items())]
    return "\n".join(lines) + "\n"


def write_config(
    path: Path,
    *,
    sources: Sequence[Mapping[str, TomlValue]],
    dataset: str = "dataset",
    output: Mapping[str, TomlValue] | None = None,
    fetch: Mapping[str, TomlValue] | None = None,
    run: Mapping[str, TomlValue] | None = None,
) -> Path:
    """Write a config file at ``path``; ``dataset`` is relative to its folder."""
    parts = [
        toml_table("[output]", {"dataset": dataset, **(output or {})}),
        toml_table("[fetch]", {**TEST_FETCH, **(fetch or {})}),
    ]
    if run:
        parts.append(toml_table("[run]", run))
    parts.extend(toml_table("[[sources]]", source) for source in sources)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(parts), encoding="utf-8")
    return path


def demo_sources(site: DemoSite) -> list[dict[str, TomlValue]]:
    """The demo's own two sources: the home page (feed autodiscovery) and robots.txt."""
    return [
        {"type": "feed", "name": "demo-feed", "url": site.home_url},
        {"type": "robots", "name": "demo-sitemaps", "url": site.base_url},
    ]


def demo_config(
    folder: Path, site: DemoSite, *, run: Mapping[str, TomlValue] | None = None
) -> Path:
    return write_config(folder / "demo.toml", sources=demo_sources(site), run=run)


# -- a generated site with many articles ---------------------------------------------------


def marker(index: int) -> str:
    """The sentence only article ``index`` contains."""
    return f"Dispatch number {index:04d} was filed by the generated news desk today."


@dataclass(frozen=True, slots=True)
class FarmArticle:
    index: int
    path: str
    marker: str


class ArticleFarm:
    """``count`` article pages plus ``/sitemap.xml`` and ``/robots.txt`` on 127.0.0.1."""

    SITEMAP_PATH = "/sitemap.xml"

    def __init__(self, server: LocalHttpServer, count: int) -> None:
        self.server = server
        self.articles = tuple(
            FarmArticle(index, f"/news/dispatch-{index:04d}.html", marker(index))
            for index in range(count)
        )
        for article in self.articles:
            server.static(article.path, _article_html(article).encode("utf-8"))
        server.static(
            "/robots.txt",
            b"User-agent: *\nAllow: /\n",
            content_type="text/plain; charset=utf-8",
        )
        self.listed = count
        server.route(self.SITEMAP_PATH, self._serve_sitemap)

    def publish(self, listed: int) -> None:
        """List only the first ``listed`` articles in the sitemap from now on (a new ETag)."""
        self.listed = listed

    @property
    def sitemap_url(self) -> str:
        return self.server.url(self.SITEMAP_PATH)

    def url(self, article: FarmArticle) -> str:
        return self.server.url(article.path)

    def article_requests(self) -> int:
        """Requests for article pages so far (any method, any answer)."""
        paths = {article.path for article in self.articles}
        with self.server._lock:  # the log is appended to from handler threads
            return sum(1 for request in self.server.requests if request.path in paths)

    def _serve_sitemap(self, exchange: Exchange) -> None:
        listed = self.listed
        etag = f'"sitemap-{listed}"'
        if exchange.headers.get("if-none-match") == etag:
            exchange.send(304, b"", content_type=None, headers=[("ETag", etag)])
            return
        exchange.send(
            200,
            _sitemap_xml(self.server.base_url, self.articles[:listed]).encode("utf-8"),
            content_type="application/xml; charset=utf-8",
            headers=[("ETag", etag)],
        )


@contextmanager
def static_site(pages: Mapping[str, bytes]) -> Iterator[LocalHttpServer]:
    """A loopback server with these pages (path -> body) and a robots.txt allowing all."""
    with serve(standard_routes=False) as server:
        for path, body in pages.items():
            server.static(path, body)
        server.static("/robots.txt", b"User-agent: *\nAllow: /\n", content_type="text/plain")
        yield server


@contextmanager
def article_farm(count: int) -> Iterator[ArticleFarm]:
    with serve(standard_routes=False) as server:
        yield ArticleFarm(server, count)


def _article_html(article: FarmArticle) -> str:
    stories = load_stories()
    story = stories[article.index % len(stories)]
    paragraphs = [
        article.marker,
        *(p.removeprefix("## ").removeprefix("> ") for p in story.paragraphs),
    ]
    body = "\n".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    title = escape(f"{story.title} ({article.index})")
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{title}</title>"
        "<meta property='og:type' content='article'>"
        "<meta property='article:published_time' content='2024-03-04T06:15:00+00:00'>"
        f"</head><body><header><nav><a href='/'>Home</a></nav></header>"
        f"<main><article><h1>{title}</h1>{body}</article></main>"
        "<footer><p>Copyright The Generated Gazette</p></footer></body></html>"
    )


def _sitemap_xml(base_url: str, articles: Sequence[FarmArticle]) -> str:
    urls = "".join(f"<url><loc>{base_url}{a.path}</loc></url>" for a in articles)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"{urls}</urlset>"
    )


# -- reading a dataset back ----------------------------------------------------------------


def dataset_rows(dataset: Path) -> pa.Table:
    """Every row of the dataset (empty table when nothing was committed yet)."""
    return read_dataset(dataset)


def dataset_keys(dataset: Path) -> Counter[tuple[str, str]]:
    """How often each (article_id, content_hash) occurs in the dataset."""
    table = dataset_rows(dataset).select(["article_id", "content_hash"]).to_pylist()
    return Counter((row["article_id"], row["content_hash"]) for row in table)


def newsclean_command(*args: str) -> list[str]:
    """argv running the ``newsclean`` CLI in a fresh interpreter of this venv."""
    return [sys.executable, "-m", "newsclean.pipeline.cli", *args]


def run_config(config_path: Path, *, days_later: float = 0.0) -> RunSummary:
    """One in-process run of ``config_path``; ``days_later`` shifts the run's clock forward."""
    shift = timedelta(days=days_later)

    def now() -> datetime:
        return datetime.now(UTC) + shift

    options = RunOptions(now=now, install_signal_handlers=False)
    return run(load_config(config_path), options)


@contextmanager
def preserved_logging() -> Iterator[None]:
    logger = logging.getLogger("newsclean")
    saved = (list(logger.handlers), logger.level, logger.propagate)
    try:
        yield
    finally:
        logger.handlers[:], logger.level, logger.propagate = saved[0], saved[1], saved[2]


_CRASH_SCRIPT = """\
import os, signal, sys
from newsclean.output import atomic
from newsclean.pipeline.cli import main

seen = 0

def crash_at(name):
    global seen
    if name == {checkpoint!r}:
        seen += 1
        if seen == {nth!r}:
            os.kill(os.getpid(), signal.SIGKILL)

atomic.checkpoint = crash_at
main({argv!r}, obj={{}})
"""


def crashing_newsclean_command(checkpoint: str, nth: int, *args: str) -> list[str]:
    """argv running the CLI in a fresh interpreter that SIGKILLs itself at the ``nth`` time
    the dataset passes ``checkpoint`` (see :func:`newsclean.output.atomic.checkpoint`)."""
    script = _CRASH_SCRIPT.format(checkpoint=checkpoint, nth=nth, argv=list(args))
    return [sys.executable, "-c", script]
