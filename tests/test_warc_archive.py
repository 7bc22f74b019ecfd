"""The raw archive: fetched responses written as WARC/1.1 and read back unchanged."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import textwrap
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from newsclean.cleaners import clean_html
from newsclean.output.schema import article_row
from newsclean.output.warc import (
    WarcArchiveWriter,
    gzip_member,
    salvage_open_files,
    stored_headers,
    with_warc_location,
)
from newsclean.scraper.records import FetchResult
from newsclean.scraper.warc import WarcLocation, WarcResponse, WarcSource
from tests.test_warc_support import article_page, page_url

REPO = Path(__file__).resolve().parents[1]
WHEN = datetime(2024, 3, 4, 6, 15, 30, 123456, tzinfo=UTC)


def fetched(index: int, **changes: object) -> FetchResult:
    body = article_page(index)
    result = FetchResult(
        requested_url=page_url(index),
        final_url=page_url(index),
        status=200,
        headers=(("content-type", "text/html; charset=utf-8"), ("server", "test")),
        body=body,
        fetched_at=WHEN + timedelta(seconds=index),
    )
    return replace(result, **changes)  # type: ignore[arg-type]


def variety() -> list[FetchResult]:
    """Responses as the fetcher returns them: encoded, chunked, redirected, odd headers."""
    return [
        fetched(0),
        fetched(
            1,
            headers=(
                ("content-type", "text/html"),
                ("content-encoding", "gzip"),
                ("content-length", "1234"),
                ("vary", "Accept-Encoding"),
            ),
        ),
        fetched(
            2,
            headers=(
                ("content-type", "text/html"),
                ("transfer-encoding", "chunked"),
                ("content-encoding", "br"),
            ),
        ),
        fetched(
            3,
            requested_url="http://news.example.org/short/3",
            redirect_chain=("http://news.example.org/short/3", "https://news.example.org/s/3"),
            headers=(
                ("content-type", "text/html"),
                ("set-cookie", "a=1, b=2"),
                ("x-title", "Zürich – “quoted”"),
            ),
        ),
        fetched(4, fetched_at=datetime(2024, 3, 5, tzinfo=UTC)),  # no microseconds
    ]


def read_back(folder: Path) -> list[WarcResponse]:
    return [o for o in WarcSource(folder).responses() if isinstance(o, WarcResponse)]


def test_a_fetched_page_reads_back_as_the_same_fetch_result(tmp_path: Path) -> None:
    pages = variety()
    with WarcArchiveWriter(tmp_path / "archive", run_id="run-1") as archive:
        for page in pages:
            archive.write(page)
    assert [r.fetch for r in read_back(tmp_path / "archive")] == pages


def test_records_are_valid_warc_with_verified_digests(tmp_path: Path) -> None:
    with WarcArchiveWriter(tmp_path, run_id="run-1") as archive:
        for page in variety():
            archive.write(page)
    (path,) = archive.closed_files
    kinds = []
    with path.open("rb") as stream:
        for record in ArchiveIterator(stream, check_digests="raise"):
            kinds.append(record.rec_type)
            assert record.rec_headers.protocol == "WARC/1.1"
            record.content_stream().read()
    assert kinds == ["warcinfo", *["request", "response"] * 5]


def test_the_stored_record_is_self_consistent_for_the_decoded_body() -> None:
    page = fetched(1, headers=variety()[1].headers)
    assert stored_headers(page) == [
        ("content-type", "text/html"),
        ("x-crawler-content-encoding", "gzip"),
        ("x-crawler-content-length", "1234"),
        ("content-length", str(len(page.body))),
        ("vary", "Accept-Encoding"),
    ]
    plain = fetched(0)
    assert stored_headers(plain) == list(plain.headers)


def test_each_location_is_the_response_record_of_that_page(tmp_path: Path) -> None:
    with WarcArchiveWriter(tmp_path, run_id="run-1") as archive:
        locations = [archive.write(page) for page in variety()]
    data = archive.closed_files[0].read_bytes()
    for page, location in zip(variety(), locations, strict=True):
        assert location.filename == "newsclean-run-1-00001.warc.gz"
        member = data[location.offset : location.offset + location.length]
        record = next(iter(ArchiveIterator(io.BytesIO(member))))
        assert record.rec_type == "response"
        assert record.rec_headers.get_header("WARC-Target-URI") == page.final_url
        assert record.content_stream().read() == page.body


def test_files_rotate_by_size_and_never_split_a_pair(tmp_path: Path) -> None:
    with WarcArchiveWriter(tmp_path, run_id="run-1", prefix="news", max_bytes=6_000) as archive:
        for index in range(9):
            archive.write(fetched(index))
        assert archive.current_path is not None and archive.current_path.name.endswith(".open")
    names = sorted(p.name for p in tmp_path.iterdir())
    assert len(names) >= 3
    assert names == [f"news-run-1-{seq:05d}.warc.gz" for seq in range(1, len(names) + 1)]
    for path in tmp_path.iterdir():
        with path.open("rb") as stream:
            kinds = [record.rec_type for record in ArchiveIterator(stream)]
        assert kinds[0] == "warcinfo"
        assert kinds.count("request") == kinds.count("response") > 0
        # a file ends at the first pair that took it past max_bytes
        assert path.stat().st_size < 6_000 + 2 * len(gzip_member(article_page(8))) + 2_000
    assert [r.fetch.final_url for r in read_back(tmp_path)] == [page_url(i) for i in range(9)]


def test_nothing_is_created_until_the_first_write(tmp_path: Path) -> None:
    with WarcArchiveWriter(tmp_path / "archive", run_id="run-1"):
        pass
    assert list((tmp_path / "archive").iterdir()) == []


def test_an_open_file_is_named_dot_open_until_closed(tmp_path: Path) -> None:
    archive = WarcArchiveWriter(tmp_path, run_id="run-1")
    location = archive.write(fetched(0))
    assert [p.name for p in tmp_path.iterdir()] == [location.filename + ".open"]
    archive.close()
    assert [p.name for p in tmp_path.iterdir()] == [location.filename]


_CRASHING_WRITER = """
import os, signal, sys
from datetime import UTC, datetime
from pathlib import Path
from newsclean.output.warc import WarcArchiveWriter, gzip_member, response_record
from newsclean.scraper.records import FetchResult

folder = Path(sys.argv[1])
archive = WarcArchiveWriter(folder, run_id="crashed")
for index in range(3):
    body = b"<html><body><p>page %d</p></body></html>" % index
    page = FetchResult(
        f"https://news.example.org/{index}", f"https://news.example.org/{index}", 200,
        (("content-type", "text/html"),), body, datetime(2024, 3, 4, tzinfo=UTC),
    )
    location = archive.write(page)
    print(location.filename, location.offset, location.length, flush=True)
archive.sync()  # what the pipeline does before committing rows that point here
torn = gzip_member(response_record(page, "<urn:uuid:torn>"))
archive._file.write(torn[: len(torn) // 2])  # a write the crash interrupts
archive._file.flush()
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_a_crashed_writers_file_is_salvaged_and_every_synced_location_stays_valid(
    tmp_path: Path,
) -> None:
    script = textwrap.dedent(_CRASHING_WRITER)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=False,
    )
    assert done.returncode == -9, done.stderr
    locations = [
        WarcLocation(name, int(offset), int(length))
        for name, offset, length in (line.split() for line in done.stdout.splitlines())
    ]
    (left,) = list(tmp_path.iterdir())
    assert left.name == "newsclean-crashed-00001.warc.gz.open"

    # the next writer on the folder (any run) finishes the file
    with WarcArchiveWriter(tmp_path, run_id="next") as archive:
        (salvaged,) = archive.salvaged
    assert salvaged.path == tmp_path / "newsclean-crashed-00001.warc.gz"
    assert salvaged.dropped_bytes > 0
    data = salvaged.path.read_bytes()
    assert len(data) == salvaged.kept_bytes
    for index, location in enumerate(locations):
        assert location.filename == salvaged.path.name
        member = data[location.offset : location.offset + location.length]
        record = next(iter(ArchiveIterator(io.BytesIO(member))))
        assert record.content_stream().read() == b"<html><body><p>page %d</p></body></html>" % index
    outcomes = list(WarcSource(salvaged.path).responses())
    assert all(isinstance(o, WarcResponse) for o in outcomes) and len(outcomes) == 3


def test_a_live_writers_file_is_left_alone(tmp_path: Path) -> None:
    live = WarcArchiveWriter(tmp_path, run_id="live")
    live.write(fetched(0))
    assert salvage_open_files(tmp_path) == []
    other = WarcArchiveWriter(tmp_path, run_id="other")
    assert other.salvaged == []
    live.write(fetched(1))
    live.close()
    assert [r.fetch.final_url for r in read_back(tmp_path)] == [page_url(0), page_url(1)]


def test_an_open_file_without_a_whole_record_is_removed(tmp_path: Path) -> None:
    leftover = tmp_path / "newsclean-dead-00001.warc.gz.open"
    member = gzip_member(bytes(range(256)) * 8)  # incompressible: the cut lands inside
    leftover.write_bytes(member[:50])
    (salvaged,) = salvage_open_files(tmp_path)
    assert salvaged.kept_bytes == 0 and salvaged.dropped_bytes == 50
    assert list(tmp_path.iterdir()) == []


def test_a_row_points_at_its_archived_record(tmp_path: Path) -> None:
    page = fetched(2)
    with WarcArchiveWriter(tmp_path, run_id="run-1") as archive:
        location = archive.write(page)
    row = article_row(clean_html(page.body, page.final_url), page, run_id="run-1")
    pointed = with_warc_location(row, location)
    assert (pointed.warc_filename, pointed.warc_record_offset) == (
        location.filename,
        location.offset,
    )
    assert with_warc_location(row, None) is row


def test_bad_names_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="prefix"):
        WarcArchiveWriter(tmp_path, run_id="r", prefix="../x")
    with pytest.raises(Exception, match="run id"):
        WarcArchiveWriter(tmp_path, run_id="a/b")
