"""WarcSource: archived responses read back as FetchResults, filtered, damage survived."""

from __future__ import annotations

import gzip
import io
import sys
import tracemalloc
import zlib
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from newsclean.scraper.records import Skipped
from newsclean.scraper.warc import (
    ArchiveNotFound,
    FsspecMissing,
    WarcResponse,
    WarcSource,
    received_headers,
)
from tests.test_warc_support import (
    BASE_DATE,
    WarcBuilder,
    article_page,
    page_url,
    write_arc,
)


def read_all(*specs: str | Path, **filters: object) -> list[WarcResponse | Skipped]:
    return list(WarcSource([str(s) for s in specs], **filters).responses())  # type: ignore[arg-type]


def responses(outcomes: list[WarcResponse | Skipped]) -> list[WarcResponse]:
    return [o for o in outcomes if isinstance(o, WarcResponse)]


def reasons(outcomes: list[WarcResponse | Skipped]) -> Counter[str]:
    return Counter(o.reason for o in outcomes if isinstance(o, Skipped))


def mixed_archive(path: Path, *, compress: bool = True) -> Path:
    builder = WarcBuilder(gzip=compress)
    builder.response(page_url(0), article_page(0))
    builder.metadata(page_url(0))
    builder.dns("news.example.org")
    builder.response(page_url(1), b"<html><body>gone</body></html>", status=404)
    builder.response(
        page_url(2),
        b"\x89PNG\r\n\x1a\n" + b"\0" * 64,
        headers=[("Content-Type", "image/png")],
    )
    builder.response(page_url(3), b"%PDF-1.7 not a page", headers=[("Content-Type", "text/html")])
    builder.revisit(page_url(0))
    builder.response(page_url(4), article_page(4), date=BASE_DATE + timedelta(hours=1))
    return builder.write(path)


# -- what comes out --------------------------------------------------------------------------


@pytest.mark.parametrize("compress", [True, False], ids=["warc.gz", "warc"])
def test_html_responses_come_out_and_the_rest_is_a_counted_skip(
    tmp_path: Path, compress: bool
) -> None:
    path = mixed_archive(tmp_path / ("a.warc.gz" if compress else "a.warc"), compress=compress)
    outcomes = read_all(path)
    pages = responses(outcomes)
    assert [p.fetch.final_url for p in pages] == [page_url(0), page_url(4)]
    assert reasons(outcomes) == Counter({"http-status": 1, "not-html": 2, "revisit": 1})
    first = pages[0].fetch
    assert first.status == 200
    assert first.requested_url == first.final_url == page_url(0)
    assert first.body == article_page(0)
    assert first.header("content-type") == "text/html; charset=utf-8"
    assert first.fetched_at == BASE_DATE
    assert pages[1].fetch.fetched_at == BASE_DATE + timedelta(hours=1)
    assert pages[0].declared_language == "en"


def test_a_location_points_at_the_record_it_was_read_from(tmp_path: Path) -> None:
    path = mixed_archive(tmp_path / "a.warc.gz")
    data = path.read_bytes()
    for page in responses(read_all(path)):
        location = page.location
        assert location.filename == "a.warc.gz"
        # the record alone, cut out by offset and length, is one whole WARC response
        member = data[location.offset : location.offset + location.length]
        (record,) = list(ArchiveIterator(io.BytesIO(member)))
        assert record.rec_type == "response"
        assert record.rec_headers.get_header("WARC-Target-URI") == page.fetch.final_url


@pytest.mark.parametrize("compress", [True, False], ids=["arc.gz", "arc"])
def test_arc_files_read_like_warc(tmp_path: Path, compress: bool) -> None:
    date = datetime(2009, 5, 1, 12, 30, tzinfo=UTC)
    name = "old.arc.gz" if compress else "old.arc"
    path = write_arc(
        tmp_path / name,
        [(page_url(1), article_page(1), date), (page_url(2), article_page(2), date)],
        compress=compress,
    )
    pages = responses(read_all(path))
    assert [p.fetch.final_url for p in pages] == [page_url(1), page_url(2)]
    assert pages[0].fetch.body == article_page(1)
    assert pages[0].fetch.fetched_at == date
    assert pages[0].location.filename == name


def test_bodies_come_out_decoded_whatever_the_archive_stored(tmp_path: Path) -> None:
    page = article_page(5)
    compressed = gzip.compress(page, mtime=0)
    chunked = (
        b"".join(
            b"%x\r\n%s\r\n" % (len(page[i : i + 700]), page[i : i + 700])
            for i in range(0, len(page), 700)
        )
        + b"0\r\n\r\n"
    )
    builder = WarcBuilder()
    builder.response(
        page_url(1),
        compressed,
        headers=[
            ("Content-Type", "text/html"),
            ("Content-Encoding", "gzip"),
            ("Content-Length", str(len(compressed))),
        ],
    )
    builder.response(
        page_url(2),
        chunked,
        headers=[("Content-Type", "text/html"), ("Transfer-Encoding", "chunked")],
    )
    # Common Crawl's way: payload stored decoded, the received headers renamed
    builder.response(
        page_url(3),
        page,
        headers=[
            ("Content-Type", "text/html"),
            ("X-Crawler-Content-Encoding", "gzip"),
            ("X-Crawler-Content-Length", "1234"),
            ("Content-Length", str(len(page))),
        ],
    )
    builder.response(
        page_url(4),
        b"\x1f\x8b\x08\x00not really gzip at all" * 20,
        headers=[("Content-Type", "text/html"), ("Content-Encoding", "gzip")],
    )
    outcomes = read_all(builder.write(tmp_path / "enc.warc.gz"))
    pages = {p.fetch.final_url: p.fetch for p in responses(outcomes)}
    assert set(pages) == {page_url(1), page_url(2), page_url(3)}
    assert all(fetch.body == page for fetch in pages.values())
    # headers as received: the fetcher's convention (body decoded, headers untouched)
    assert pages[page_url(1)].header("content-encoding") == "gzip"
    assert pages[page_url(2)].header("transfer-encoding") == "chunked"
    assert pages[page_url(3)].headers == (
        ("content-type", "text/html"),
        ("content-encoding", "gzip"),
        ("content-length", "1234"),
    )
    assert reasons(outcomes) == Counter({"bad-content-encoding": 1})


def test_received_headers_lower_case_join_repeats_and_undo_renames() -> None:
    pairs = [
        ("Set-Cookie", "a=1"),
        ("X-Crawler-Transfer-Encoding", "chunked"),
        ("set-cookie", "b=2"),
        ("Server", "x"),
    ]
    assert received_headers(pairs) == (
        ("set-cookie", "a=1, b=2"),
        ("transfer-encoding", "chunked"),
        ("server", "x"),
    )


def test_bodies_over_the_cap_and_truncated_records_are_skipped(tmp_path: Path) -> None:
    builder = WarcBuilder()
    builder.response(page_url(1), article_page(1) + b"<!--" + b"x" * 50_000 + b"-->")
    builder.response(page_url(2), article_page(2), warc_headers={"WARC-Truncated": "length"})
    builder.response(page_url(3), article_page(3))
    outcomes = read_all(builder.write(tmp_path / "big.warc.gz"), max_bytes=40_000)
    assert [p.fetch.final_url for p in responses(outcomes)] == [page_url(3)]
    assert reasons(outcomes) == Counter({"too-large": 1, "truncated-record": 1})


# -- filters ---------------------------------------------------------------------------------


def test_domain_filter_admits_the_domain_and_its_subdomains(tmp_path: Path) -> None:
    builder = WarcBuilder()
    for host in ("www.bbc.co.uk", "news.bbc.co.uk", "bbc.co.uk", "notbbc.co.uk", "example.com"):
        builder.response(page_url(1, host), article_page(1))
    outcomes = read_all(builder.write(tmp_path / "d.warc.gz"), domains=["BBC.co.uk"])
    kept = {p.fetch.final_url.split("/")[2] for p in responses(outcomes)}
    assert kept == {"www.bbc.co.uk", "news.bbc.co.uk", "bbc.co.uk"}
    assert reasons(outcomes) == Counter({"filtered-domain": 2})


def test_language_filter_reads_the_header_then_html_lang(tmp_path: Path) -> None:
    builder = WarcBuilder()
    builder.response(page_url(1), article_page(1, lang="de-AT"))
    builder.response(
        page_url(2),
        article_page(2, lang="en"),
        headers=[("Content-Type", "text/html"), ("Content-Language", "de")],
    )
    builder.response(page_url(3), article_page(3, lang="en-GB"))
    builder.response(page_url(4), article_page(4, lang=None))
    outcomes = read_all(builder.write(tmp_path / "l.warc.gz"), languages=["de"])
    assert [(p.fetch.final_url, p.declared_language) for p in responses(outcomes)] == [
        (page_url(1), "de"),
        (page_url(2), "de"),
    ]
    assert reasons(outcomes) == Counter({"filtered-language": 1, "language-undeclared": 1})


def test_date_filter_since_inclusive_until_exclusive(tmp_path: Path) -> None:
    builder = WarcBuilder()
    for hours in range(4):
        builder.response(
            page_url(hours), article_page(hours), date=BASE_DATE + timedelta(hours=hours)
        )
    outcomes = read_all(
        builder.write(tmp_path / "t.warc.gz"),
        since=BASE_DATE + timedelta(hours=1),
        until=BASE_DATE + timedelta(hours=3),
    )
    assert [p.fetch.final_url for p in responses(outcomes)] == [page_url(1), page_url(2)]
    assert reasons(outcomes) == Counter({"filtered-date": 2})


def test_naive_date_bounds_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        WarcSource("x.warc.gz", since=datetime(2024, 1, 1))


# -- damaged archives --------------------------------------------------------------------------


def five_pages(tmp_path: Path, compress: bool = True) -> tuple[Path, bytes]:
    builder = WarcBuilder(gzip=compress)
    for index in range(5):
        builder.response(page_url(index), article_page(index), with_request=False)
    path = builder.write(tmp_path / ("five.warc.gz" if compress else "five.warc"))
    return path, path.read_bytes()


def record_starts(data: bytes) -> list[int]:
    """Offsets of the records in an archive, as warcio reports them."""
    iterator = ArchiveIterator(io.BytesIO(data))
    starts = []
    for _ in iterator:
        starts.append(iterator.get_record_offset())
    return starts


@pytest.mark.parametrize("compress", [True, False], ids=["warc.gz", "warc"])
def test_a_truncated_archive_gives_its_whole_records_and_one_counted_skip(
    tmp_path: Path, compress: bool
) -> None:
    path, data = five_pages(tmp_path, compress)
    starts = record_starts(data)  # warcinfo, then the five responses
    cut = starts[4] + (starts[5] - starts[4]) // 2  # in the middle of the fourth page
    path.write_bytes(data[:cut])
    outcomes = read_all(path)
    assert [p.fetch.final_url for p in responses(outcomes)] == [page_url(i) for i in range(3)]
    (damage,) = [o for o in outcomes if isinstance(o, Skipped)]
    assert (damage.reason, damage.url, damage.stage) == ("corrupt-archive", path.name, "source")
    assert str(starts[4]) in damage.detail


def test_garbage_inside_or_after_an_archive_is_one_counted_skip(tmp_path: Path) -> None:
    path, data = five_pages(tmp_path)
    starts = record_starts(data)
    path.write_bytes(data[: starts[3]] + b"\x00garbage" * 40 + data[starts[3] :])
    outcomes = read_all(path)
    assert len(responses(outcomes)) == 2
    assert reasons(outcomes) == Counter({"corrupt-archive": 1})

    path.write_bytes(data + b"trailing junk that is not a record\n")
    outcomes = read_all(path)
    assert len(responses(outcomes)) == 5
    assert reasons(outcomes) == Counter({"corrupt-archive": 1})


def test_a_whole_file_gzip_is_reported_not_crashed_on(tmp_path: Path) -> None:
    _, data = five_pages(tmp_path, compress=False)
    path = tmp_path / "single-member.warc.gz"
    path.write_bytes(gzip.compress(data, mtime=0))  # one gzip member for all records
    outcomes = read_all(path)
    (damage,) = [o for o in outcomes if isinstance(o, Skipped)]
    assert damage.reason == "corrupt-archive"
    assert "recompress" in damage.detail


def test_a_torn_gzip_member_inside_a_record_is_caught(tmp_path: Path) -> None:
    path, data = five_pages(tmp_path)
    starts = record_starts(data)
    member = zlib.decompress(data[starts[5] :], 16 + zlib.MAX_WBITS)
    whole = gzip.compress(member, mtime=0)
    torn = whole[: len(whole) // 2]  # the member loses its second half and its trailer
    path.write_bytes(data[: starts[5]] + torn)
    outcomes = read_all(path)
    assert len(responses(outcomes)) == 4
    assert reasons(outcomes) == Counter({"corrupt-archive": 1})


# -- paths, globs, URLs ------------------------------------------------------------------------


def test_directories_and_globs_expand_in_name_order_and_leave_open_files(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "archive"
    WarcBuilder().response(page_url(2), article_page(2)).write(folder / "b.warc.gz")
    WarcBuilder().response(page_url(1), article_page(1)).write(folder / "sub" / "a.warc.gz")
    WarcBuilder().response(page_url(3), article_page(3)).write(folder / "c.warc.gz.open")
    (folder / "notes.txt").write_text("not an archive")

    outcomes = read_all(folder)
    assert [p.fetch.final_url for p in responses(outcomes)] == [page_url(2), page_url(1)]
    assert reasons(outcomes) == Counter({"open-archive": 1})

    outcomes = read_all(f"{folder}/**/*.warc.gz*")
    assert [p.fetch.final_url for p in responses(outcomes)] == [page_url(2), page_url(1)]
    assert reasons(outcomes) == Counter({"open-archive": 1})

    # named explicitly, an open file is read like any archive
    outcomes = read_all(folder / "c.warc.gz.open")
    assert [p.fetch.final_url for p in responses(outcomes)] == [page_url(3)]


def test_a_path_or_pattern_naming_nothing_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ArchiveNotFound, match="no file matches"):
        read_all(f"{tmp_path}/*.warc.gz")
    with pytest.raises(ArchiveNotFound, match="no such archive"):
        read_all(tmp_path / "missing.warc.gz")
    with pytest.raises(ArchiveNotFound, match="no WARC or ARC file"):
        read_all(tmp_path)


def test_a_url_without_fsspec_says_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "fsspec", None)  # what an absent package looks like
    with pytest.raises(FsspecMissing, match="install fsspec"):
        read_all("s3://commoncrawl/crawl-data/CC-NEWS/2024/01/*.warc.gz")


def test_fsspec_urls_and_globs_are_read(tmp_path: Path) -> None:
    fsspec = pytest.importorskip("fsspec")
    memory = fsspec.filesystem("memory")
    for index in (1, 2):
        data = WarcBuilder().response(page_url(index), article_page(index)).bytes()
        with memory.open(f"/cc-news/2024/CC-NEWS-{index}.warc.gz", "wb") as out:
            out.write(data)
    outcomes = read_all("memory://cc-news/2024/*.warc.gz")
    pages = responses(outcomes)
    assert [p.fetch.final_url for p in pages] == [page_url(1), page_url(2)]
    assert pages[0].location.filename == "memory:///cc-news/2024/CC-NEWS-1.warc.gz"
    memory.rm("/cc-news", recursive=True)


# -- constant memory ---------------------------------------------------------------------------


def test_twenty_thousand_records_stream_in_constant_memory(tmp_path: Path) -> None:
    count = 20_000
    page = b"<html lang='en'><body><p>%d small page</p></body></html>"
    records = []
    for index in range(count):
        body = page % index
        http = (
            b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
            + b"Content-Length: %d\r\n\r\n" % len(body)
            + body
        )
        head = (
            "WARC/1.1\r\nWARC-Type: response\r\n"
            f"WARC-Record-ID: <urn:uuid:00000000-0000-0000-0000-{index:012d}>\r\n"
            "WARC-Date: 2024-03-04T06:15:00Z\r\n"
            f"WARC-Target-URI: https://news.example.org/p/{index}\r\n"
            "Content-Type: application/http;msgtype=response\r\n"
            f"Content-Length: {len(http)}\r\n\r\n"
        ).encode()
        records.append(gzip.compress(head + http + b"\r\n\r\n", compresslevel=1, mtime=0))
    path = tmp_path / "many.warc.gz"
    path.write_bytes(b"".join(records))
    del records

    seen = 0
    tracemalloc.start()
    try:
        for outcome in WarcSource(path).responses():
            assert isinstance(outcome, WarcResponse)
            seen += 1
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert seen == count
    # holding the results would take ~20 MB; one record at a time stays near the read buffers
    assert peak < 3 * 1024 * 1024, f"peak {peak} bytes"
