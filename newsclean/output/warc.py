"""The raw archive: every fetched response kept as WARC/1.1, so a dataset can be rebuilt.

Layout of the archive folder (one per dataset, or shared by several: names never collide)::

    archive/
      newsclean-<run_id>-00001.warc.gz        closed: complete, fsynced, never written again
      newsclean-<run_id>-00002.warc.gz.open   being written by the run <run_id>

Each file starts with a ``warcinfo`` record, then holds one ``request`` + ``response`` pair
per fetched page, every record its own gzip member (so a reader can seek to a record's
offset). A file is closed, and the next one started, once it reaches ``max_bytes``: files
exceed it by at most one page. A pair is never split across files.

What a response record holds. ``FetchResult.body`` is the DECODED body (the fetcher undid
``Content-Encoding`` and chunking), and that is what is stored: the archive never holds
compressed payloads that would need decoding twice. For the record to stay self-consistent,
when the response had a ``Content-Encoding`` or a ``Transfer-Encoding``, the headers that no
longer describe the stored bytes are renamed, in place, to ``x-crawler-content-encoding``,
``x-crawler-transfer-encoding`` and ``x-crawler-content-length`` (Common Crawl's convention),
and a ``content-length`` of the stored body follows the original one when there was one.
:func:`newsclean.scraper.warc.received_headers` undoes exactly this, so a record reads back
as the FetchResult that was fetched. Other headers are written as received (lower-case
names, repeated headers already joined by the fetcher). ``WARC-Target-URI`` is the final URL;
the URL first requested and the redirect chain go in the extension fields
``Newsclean-Requested-URI`` and ``Newsclean-Redirect-Chain`` (space-separated) when there was
a redirect. ``WARC-Date`` is ``fetched_at`` to the microsecond. The request record is
reconstructed (method, target, ``Host``): FetchResult does not keep the headers sent.

Crash semantics. :meth:`WarcArchiveWriter.write` hands the bytes to the OS; :meth:`sync`
makes them durable. The pipeline calls ``sync()`` BEFORE it commits rows that point into the
archive, so a committed row never points to a record that a crash can take away. A file's
rows name it by its final name (``...warc.gz``, without ``.open``): after a crash, the next
writer opened on the folder salvages every ``.open`` file no live writer holds (each writer
holds an ``flock`` on its file): the file is cut after its last complete gzip member (a torn
tail is dropped; all synced records survive) and renamed to its final name, after which
every row's location is valid. A rerun fetches again what was not committed and archives it
again, in its own file: the archive may hold a page twice, never a row without its record.
"""

from __future__ import annotations

import base64
import fcntl
import hashlib
import http
import os
import re
import threading
import uuid
import zlib
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import BinaryIO, Final
from urllib.parse import urlsplit

from newsclean import __version__
from newsclean.output.atomic import fsync_dir
from newsclean.output.errors import OutputNotWritable
from newsclean.output.layout import check_run_id
from newsclean.output.schema import ArticleRow
from newsclean.scraper.records import FetchResult
from newsclean.scraper.warc import (
    CRAWLER_PREFIX,
    OPEN_SUFFIX,
    REDIRECT_CHAIN_FIELD,
    REQUESTED_URI_FIELD,
    TRANSFORMED_HEADERS,
    WarcLocation,
)

ARCHIVE_SUFFIX: Final = ".warc.gz"
DEFAULT_PREFIX: Final = "newsclean"
#: a file is closed and the next one started once it is this large (1 GiB, as Common Crawl)
DEFAULT_MAX_BYTES: Final = 1024**3
WARC_VERSION: Final = "WARC/1.1"
#: zlib level 6: ~the ratio of level 9 on HTML at a third of the time (the write is inline)
GZIP_LEVEL: Final = 6
_SALVAGE_CHUNK: Final = 1024 * 1024
_PREFIX: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_LINE_BREAKS: Final = re.compile(r"[\r\n]+")


@dataclass(frozen=True, slots=True)
class SalvagedFile:
    """An ``.open`` file a crashed writer left, finished by :func:`salvage_open_files`."""

    path: Path  # the final name it has now, or the ``.open`` name if it was removed
    kept_bytes: int
    dropped_bytes: int  # the torn tail cut off


class WarcArchiveWriter:
    """Writes fetched responses to rotating ``.warc.gz`` files in ``folder``.

    ``with WarcArchiveWriter(folder, run_id=...) as archive: location = archive.write(fetch)``.
    Opening salvages what crashed writers left in ``folder`` (see the module docstring). The
    first file is created by the first :meth:`write`: a run that fetches nothing leaves none.
    Safe to call from several threads.
    """

    def __init__(
        self,
        folder: Path,
        *,
        run_id: str,
        prefix: str = DEFAULT_PREFIX,
        max_bytes: int = DEFAULT_MAX_BYTES,
    ) -> None:
        if _PREFIX.fullmatch(prefix) is None:
            raise ValueError(f"archive prefix {prefix!r} cannot be used in a file name")
        if max_bytes <= 0:
            raise ValueError(f"max_bytes must be positive, got {max_bytes}")
        self.folder = Path(folder)
        self.run_id = check_run_id(run_id)
        self.prefix = prefix
        self.max_bytes = max_bytes
        self._lock = threading.Lock()
        self._file: BinaryIO | None = None
        self._final: Path | None = None
        self._warcinfo_id = ""
        self._seq = 0
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputNotWritable(
                f"cannot create the archive folder: {exc.strerror}", folder
            ) from exc
        self.salvaged = salvage_open_files(self.folder)
        self._seq = _last_seq(self.folder, prefix, run_id)
        self.closed_files: list[Path] = []

    def __enter__(self) -> WarcArchiveWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def write(self, result: FetchResult) -> WarcLocation:
        """Append the request + response records of ``result``; where the response went."""
        request_id, response_id = _record_id(), _record_id()
        request = gzip_member(request_record(result, request_id, response_id))
        response = gzip_member(response_record(result, response_id, self._warcinfo_id))
        with self._lock:
            out, final = self._current()
            try:
                out.write(request)
                offset = out.tell()
                out.write(response)
                out.flush()  # to the OS: a crash of this process loses nothing written
            except OSError as exc:
                raise OutputNotWritable(f"cannot write the archive: {exc.strerror}", final) from exc
            if out.tell() >= self.max_bytes:
                self._close_current()
        return WarcLocation(final.name, offset, len(response))

    def sync(self) -> None:
        """Make every record written so far durable (call before committing rows to them)."""
        with self._lock:
            if self._file is not None:
                try:
                    os.fsync(self._file.fileno())
                except OSError as exc:
                    raise OutputNotWritable(f"cannot sync: {exc.strerror}", self._final) from exc

    def close(self) -> None:
        """Sync, close and rename the open file to its final name."""
        with self._lock:
            self._close_current()

    @property
    def current_path(self) -> Path | None:
        """The ``.open`` file being written, if any."""
        return None if self._final is None else _open_name(self._final)

    def _current(self) -> tuple[BinaryIO, Path]:
        if self._file is not None and self._final is not None:
            return self._file, self._final
        self._seq += 1
        final = self.folder / f"{self.prefix}-{self.run_id}-{self._seq:05d}{ARCHIVE_SUFFIX}"
        path = _open_name(final)
        try:
            out = open(path, "xb")  # noqa: SIM115 - closed by _close_current
            fcntl.flock(out.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            self._warcinfo_id = _record_id()
            out.write(gzip_member(warcinfo_record(final.name, self.run_id, self._warcinfo_id)))
            out.flush()
            fsync_dir(self.folder)
        except OSError as exc:
            raise OutputNotWritable(f"cannot create an archive file: {exc.strerror}", path) from exc
        self._file, self._final = out, final
        return out, final

    def _close_current(self) -> None:
        out, final = self._file, self._final
        if out is None or final is None:
            return
        self._file = self._final = None
        try:
            out.flush()
            os.fsync(out.fileno())
            # renamed while still locked: no salvager can take the file between the two steps
            os.rename(_open_name(final), final)
            fsync_dir(self.folder)
        except OSError as exc:
            raise OutputNotWritable(f"cannot close the archive: {exc.strerror}", final) from exc
        finally:
            out.close()
        self.closed_files.append(final)


def with_warc_location(row: ArticleRow, location: WarcLocation | None) -> ArticleRow:
    """``row`` pointing at the archived response it was cleaned from (unchanged for None)."""
    if location is None:
        return row
    return replace(row, warc_filename=location.filename, warc_record_offset=location.offset)


# -- records ---------------------------------------------------------------------------------


def response_record(result: FetchResult, record_id: str, warcinfo_id: str = "") -> bytes:
    """The WARC ``response`` record of ``result`` (uncompressed)."""
    head = _http_response_head(result)
    fields = [
        ("WARC-Type", "response"),
        ("WARC-Record-ID", record_id),
        ("WARC-Date", warc_date(result.fetched_at)),
        ("WARC-Target-URI", result.final_url),
    ]
    if warcinfo_id:
        fields.append(("WARC-Warcinfo-ID", warcinfo_id))
    if result.requested_url != result.final_url or result.redirect_chain:
        fields.append((REQUESTED_URI_FIELD, result.requested_url))
    if result.redirect_chain:
        fields.append((REDIRECT_CHAIN_FIELD, " ".join(result.redirect_chain)))
    fields += [
        ("Content-Type", "application/http;msgtype=response"),
        ("WARC-Payload-Digest", _digest(result.body)),
    ]
    return _record(fields, [head, result.body])


def request_record(result: FetchResult, record_id: str, response_id: str) -> bytes:
    """The WARC ``request`` record of ``result``: method, target and Host only."""
    parts = urlsplit(result.final_url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    message = f"GET {target} HTTP/1.1\r\nHost: {parts.netloc}\r\n\r\n".encode()
    fields = [
        ("WARC-Type", "request"),
        ("WARC-Record-ID", record_id),
        ("WARC-Date", warc_date(result.fetched_at)),
        ("WARC-Target-URI", result.final_url),
        ("WARC-Concurrent-To", response_id),
        ("Content-Type", "application/http;msgtype=request"),
    ]
    return _record(fields, [message])


def warcinfo_record(filename: str, run_id: str, record_id: str) -> bytes:
    info = (
        f"software: newsclean/{__version__}\r\n"
        "format: WARC File Format 1.1\r\n"
        f"isPartOf: {run_id}\r\n"
        "description: raw responses of a newsclean run; payloads stored decoded "
        "(received encodings kept as x-crawler-* headers)\r\n"
    ).encode()
    fields = [
        ("WARC-Type", "warcinfo"),
        ("WARC-Record-ID", record_id),
        ("WARC-Date", warc_date(datetime.now(UTC))),
        ("WARC-Filename", filename),
        ("Content-Type", "application/warc-fields"),
    ]
    return _record(fields, [info])


def stored_headers(result: FetchResult) -> list[tuple[str, str]]:
    """The headers written for the decoded body (see the module docstring)."""
    names = {name for name, _ in result.headers}
    if not names & {"content-encoding", "transfer-encoding"}:
        return list(result.headers)
    stored: list[tuple[str, str]] = []
    for name, value in result.headers:
        if name not in TRANSFORMED_HEADERS:
            stored.append((name, value))
            continue
        stored.append((CRAWLER_PREFIX + name, value))
        if name == "content-length":
            stored.append(("content-length", str(len(result.body))))
    return stored


def gzip_member(data: bytes) -> bytes:
    """``data`` as one complete gzip member (zlib writes mtime 0: same bytes, same member)."""
    compressor = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush()


def warc_date(moment: datetime) -> str:
    """WARC/1.1 date: UTC, to the microsecond when there are any."""
    utc = moment.astimezone(UTC)
    text = utc.strftime("%Y-%m-%dT%H:%M:%S")
    return f"{text}.{utc.microsecond:06d}Z" if utc.microsecond else f"{text}Z"


def _http_response_head(result: FetchResult) -> bytes:
    try:
        phrase = http.HTTPStatus(result.status).phrase
    except ValueError:
        phrase = ""
    lines = [f"HTTP/1.1 {result.status} {phrase}".rstrip()]
    lines += [f"{name}: {_one_line(value)}" for name, value in stored_headers(result)]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8")


def _record(fields: list[tuple[str, str]], block: list[bytes]) -> bytes:
    content = b"".join(block)
    fields = [*fields, ("WARC-Block-Digest", _digest(content))]
    fields.append(("Content-Length", str(len(content))))
    head = "".join(f"{name}: {_one_line(value)}\r\n" for name, value in fields)
    return f"{WARC_VERSION}\r\n{head}\r\n".encode() + content + b"\r\n\r\n"


def _one_line(value: str) -> str:
    # a header value cannot span lines: a stray CR/LF would end the header block early
    return _LINE_BREAKS.sub(" ", value)


def _digest(data: bytes) -> str:
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode("ascii")


def _record_id() -> str:
    return f"<urn:uuid:{uuid.uuid4()}>"


# -- files -----------------------------------------------------------------------------------


def _open_name(final: Path) -> Path:
    return final.with_name(final.name + OPEN_SUFFIX)


def _last_seq(folder: Path, prefix: str, run_id: str) -> int:
    pattern = re.compile(re.escape(f"{prefix}-{run_id}-") + r"(\d{5,})" + re.escape(ARCHIVE_SUFFIX))
    seqs = [
        int(match.group(1))
        for name in os.listdir(folder)
        if (match := pattern.match(name)) is not None
    ]
    return max(seqs, default=0)


def salvage_open_files(folder: Path) -> list[SalvagedFile]:
    """Finish the ``.open`` archive files of crashed writers in ``folder``.

    A file some live writer holds (its flock) is left alone. Any other is cut after its last
    complete gzip member and renamed to its final name; one with no complete record is
    removed. Returns what was done, for the log.
    """
    salvaged: list[SalvagedFile] = []
    for name in sorted(os.listdir(folder)):
        if name.endswith(ARCHIVE_SUFFIX + OPEN_SUFFIX):
            done = _salvage(folder / name)
            if done is not None:
                salvaged.append(done)
    return salvaged


def _salvage(path: Path) -> SalvagedFile | None:
    final = path.with_name(path.name.removesuffix(OPEN_SUFFIX))
    try:
        handle = open(path, "r+b")  # noqa: SIM115 - closed below, after the rename
    except FileNotFoundError:
        return None  # its writer closed it meanwhile
    with handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return None  # a live writer holds it
        if not path.exists():
            return None  # renamed by its writer between our open and our lock
        size = os.fstat(handle.fileno()).st_size
        keep = complete_members_end(handle)
        if keep == 0:
            path.unlink()
            fsync_dir(path.parent)
            return SalvagedFile(path, 0, size)
        handle.truncate(keep)
        handle.flush()
        os.fsync(handle.fileno())
        os.rename(path, final)
        fsync_dir(path.parent)
    return SalvagedFile(final, keep, size - keep)


def complete_members_end(stream: BinaryIO) -> int:
    """Byte offset just after the last complete gzip member at the start of ``stream``.

    Members are decompressed (and CRC-checked by zlib) chunk by chunk and the output thrown
    away: a file of any size is checked in constant memory.
    """
    stream.seek(0)
    position = 0  # bytes of input consumed so far
    good_end = 0
    decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
    while True:
        chunk = stream.read(_SALVAGE_CHUNK)
        if not chunk:
            return good_end
        while chunk:
            try:
                # bounded output: a chunk of highly compressed data cannot fill memory
                decompressor.decompress(chunk, _SALVAGE_CHUNK)
            except zlib.error:
                return good_end
            consumed = len(chunk) - len(decompressor.unconsumed_tail or b"")
            if decompressor.eof:
                consumed = len(chunk) - len(decompressor.unused_data)
                good_end = position + consumed
                decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
            position += consumed
            chunk = chunk[consumed:]
