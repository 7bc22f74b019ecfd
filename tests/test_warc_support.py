"""WARC fixtures made at test time, and checks that they are what they claim to be.

* :func:`article_page` renders a generated article (the demo's bundled stories, plus a
  marker sentence only that page has) as HTML bytes;
* :class:`WarcBuilder` writes WARC files with warcio's own ``WARCWriter`` (an independent
  implementation, so the reader is not only tested against our writer): responses, their
  requests, revisits, metadata, ``dns:`` records;
* :func:`write_arc` writes an ARC/1.0 file by hand (warcio reads ARC but does not write it).

The other ``test_warc*``, ``test_reclean*`` and ``test_diff*`` modules import these helpers.
"""

from __future__ import annotations

import gzip
import io
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from html import escape
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newsclean.pipeline.demo.stories import load_stories

BASE_DATE = datetime(2024, 3, 4, 6, 15, tzinfo=UTC)


def marker(index: int) -> str:
    return f"Archived dispatch {index:04d} carries this sentence and no other page does."


def article_page(
    index: int,
    *,
    extra: str = "",
    lang: str | None = "en",
    title: str | None = None,
    author: str | None = None,
) -> bytes:
    """A generated article page; ``extra`` adds a paragraph (to make a changed version)."""
    stories = load_stories()
    story = stories[index % len(stories)]
    paragraphs = [
        marker(index),
        *(p.removeprefix("## ").removeprefix("> ") for p in story.paragraphs),
    ]
    if extra:
        paragraphs.insert(2, extra)
    body = "\n".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    heading = escape(title or f"{story.title} ({index})")
    lang_attr = f" lang='{lang}'" if lang else ""
    return (
        f"<!DOCTYPE html><html{lang_attr}><head><meta charset='utf-8'>"
        f"<title>{heading}</title>"
        "<meta property='og:type' content='article'>"
        f"<meta name='author' content='{escape(author or story.author)}'>"
        "<meta property='article:published_time' content='2024-03-04T06:15:00+00:00'>"
        "</head><body><header><nav><a href='/'>Home</a></nav></header>"
        f"<main><article><h1>{heading}</h1>{body}</article></main>"
        "<footer><p>Copyright The Archived Gazette</p></footer></body></html>"
    ).encode()


def page_url(index: int, host: str = "news.example.org") -> str:
    return f"https://{host}/2024/03/dispatch-{index:04d}.html"


@dataclass
class WarcBuilder:
    """Records for one WARC file, written with warcio's WARCWriter."""

    gzip: bool = True
    _records: list[tuple[str, object]] = field(default_factory=list)
    _writer: WARCWriter | None = None

    def response(
        self,
        url: str,
        body: bytes,
        *,
        status: int = 200,
        headers: list[tuple[str, str]] | None = None,
        date: datetime = BASE_DATE,
        with_request: bool = True,
        warc_headers: dict[str, str] | None = None,
    ) -> WarcBuilder:
        http_headers = (
            headers
            if headers is not None
            else [
                ("Content-Type", "text/html; charset=utf-8"),
                ("Content-Length", str(len(body))),
            ]
        )
        reason = {200: "OK", 301: "Moved Permanently", 404: "Not Found"}.get(status, "Other")
        fields = {"WARC-Date": _warc_date(date), **(warc_headers or {})}
        self._records.append(
            (
                "response",
                (
                    url,
                    body,
                    StatusAndHeaders(f"{status} {reason}", http_headers, protocol="HTTP/1.1"),
                    fields,
                ),
            )
        )
        if with_request:
            request = StatusAndHeaders(
                f"GET {url.split('/', 3)[-1]} HTTP/1.1",
                [("Host", url.split("/")[2])],
                is_http_request=True,
            )
            self._records.append(("request", (url, b"", request, {"WARC-Date": _warc_date(date)})))
        return self

    def revisit(self, url: str, date: datetime = BASE_DATE) -> WarcBuilder:
        self._records.append(("revisit", (url, date)))
        return self

    def metadata(self, url: str, text: str = "fetchTimeMs: 12\r\n") -> WarcBuilder:
        self._records.append(("metadata", (url, text.encode())))
        return self

    def dns(self, host: str) -> WarcBuilder:
        self._records.append(
            ("dns", (f"dns:{host}", b"20240304061500\nexample.org. 300 IN A 192.0.2.1\n"))
        )
        return self

    def bytes(self) -> bytes:
        out = io.BytesIO()
        writer = WARCWriter(out, gzip=self.gzip, warc_version="1.1")
        writer.write_record(writer.create_warcinfo_record("fixture.warc.gz", {"software": "tests"}))
        for kind, spec in self._records:
            writer.write_record(_record(writer, kind, spec))
        return out.getvalue()

    def write(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(self.bytes())
        return path


def _record(writer: WARCWriter, kind: str, spec: object) -> object:
    if kind in ("response", "request"):
        url, body, http_headers, fields = spec  # type: ignore[misc]
        return writer.create_warc_record(
            url,
            kind,
            payload=io.BytesIO(body),
            length=len(body),
            http_headers=http_headers,
            warc_headers_dict=fields,
        )
    if kind == "revisit":
        url, date = spec  # type: ignore[misc]
        return writer.create_revisit_record(
            url, "sha1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", url, _warc_date(date - timedelta(days=1))
        )
    if kind == "metadata":
        url, payload = spec  # type: ignore[misc]
        return writer.create_warc_record(
            url,
            "metadata",
            payload=io.BytesIO(payload),
            length=len(payload),
            warc_content_type="application/warc-fields",
        )
    url, payload = spec  # type: ignore[misc]
    return writer.create_warc_record(
        url,
        "response",
        payload=io.BytesIO(payload),
        length=len(payload),
        warc_content_type="text/dns",
    )


def _warc_date(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def archive_of_pages(
    path: Path,
    count: int,
    *,
    changed: dict[int, str] | None = None,
    day: datetime = BASE_DATE,
    host: str = "news.example.org",
) -> Path:
    """A WARC of ``count`` article pages, one minute apart from ``day``; ``changed`` maps an
    index to an extra paragraph that version of the page has."""
    builder = WarcBuilder()
    for index in range(count):
        extra = (changed or {}).get(index, "")
        builder.response(
            page_url(index, host),
            article_page(index, extra=extra),
            date=day + timedelta(minutes=index),
        )
    return builder.write(path)


def write_arc(path: Path, pages: list[tuple[str, bytes, datetime]], *, compress: bool) -> Path:
    """An ARC/1.0 file (version block, then one ``url ip date type length`` record per page)."""
    records: list[bytes] = []
    version_body = b"1 0 tests\nURL IP-address Archive-date Content-type Archive-length\n"
    first = f"filedesc://{path.name} 0.0.0.0 20240304061500 text/plain {len(version_body)}\n"
    records.append(first.encode() + version_body + b"\n")
    for url, body, date in pages:
        http = (
            b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
            + f"Content-Length: {len(body)}\r\n\r\n".encode()
            + body
        )
        stamp = date.astimezone(UTC).strftime("%Y%m%d%H%M%S")
        records.append(f"{url} 192.0.2.1 {stamp} text/html {len(http)}\n".encode() + http + b"\n")
    if compress:
        path.write_bytes(b"".join(gzip.compress(record, mtime=0) for record in records))
    else:
        path.write_bytes(b"".join(records))
    return path


# -- the fixtures hold up ----------------------------------------------------------------------


def test_builder_writes_records_whose_digests_warcio_verifies(tmp_path: Path) -> None:
    path = (
        WarcBuilder()
        .response(page_url(1), article_page(1))
        .revisit(page_url(1))
        .metadata(page_url(1))
        .dns("news.example.org")
        .write(tmp_path / "fixture.warc.gz")
    )
    kinds = []
    with path.open("rb") as stream:
        for record in ArchiveIterator(stream, check_digests="raise"):
            kinds.append(record.rec_type)
            record.content_stream().read()
    assert kinds == ["warcinfo", "response", "request", "revisit", "metadata", "response"]


def test_article_pages_differ_only_where_asked() -> None:
    assert marker(3).encode() in article_page(3)
    assert marker(3).encode() not in article_page(4)
    assert b"An added paragraph." in article_page(3, extra="An added paragraph.")
    assert article_page(3) == article_page(3)
