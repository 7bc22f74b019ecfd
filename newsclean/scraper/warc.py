"""WARC input: archived HTTP responses read back as :class:`FetchResult`, in constant memory.

:class:`WarcSource` streams the records of WARC files (and ARC files), gzip-compressed per
record or not, from local paths, directories and globs, or from any fsspec URL
(``s3://commoncrawl/crawl-data/CC-NEWS/...``) when fsspec is installed. One record is held at
a time (warcio's ``ArchiveIterator``), and a body is read up to ``max_bytes``: an archive of
any size reads in the same memory. What comes out, per archive, in record order::

    WarcResponse(fetch, location, declared_language)
        a ``response`` record of an http(s) URL with status 200 and an HTML body; ``location``
        (file, offset, length) lets a dataset row point back at the record
    Skipped(url, "source", reason)
        a response that is not usable or that a filter dropped:
        "http-status" (not 200), "not-html", "revisit" (no payload), "too-large",
        "truncated-record" (WARC-Truncated: the crawler cut the body), "bad-content-encoding",
        "bad-record" (no usable WARC-Date or status line), and the filters' "filtered-domain",
        "filtered-language", "language-undeclared", "filtered-date"
    Skipped(archive, "source", reason)
        a problem with a whole file: "corrupt-archive" (garbage, a torn gzip member, a record
        cut short: the records before it were used, the rest of the file is this one skip),
        "unreadable-archive" (cannot be opened), "open-archive" (a ``.open`` file a writer may
        still be appending to, found by a glob or directory scan and left alone)

Records that never hold a page (``warcinfo``, ``request``, ``metadata``, ``resource``,
``dns:`` responses) are passed over without a count.

Bodies come out DECODED, as the fetcher's do: ``Transfer-Encoding: chunked`` and
``Content-Encoding`` (gzip, deflate, br) are undone. Headers come out as received, names in
lower case, repeated headers joined with ", ". An archive that stored the body decoded and
renamed the headers that no longer applied to ``x-crawler-content-encoding``,
``x-crawler-transfer-encoding`` and ``x-crawler-content-length`` (Common Crawl's convention,
and newsclean's own raw archive) gets those headers back under their own names, so a page
archived by newsclean reads back as the FetchResult that was fetched.

Errors (a misconfiguration, not a property of an archive) follow the scraper's tree::

    ScraperError
    +-- ArchiveError(path)            the archives asked for cannot be found or reached
        +-- ArchiveNotFound           no file at that path, or a glob that matches nothing
        +-- FsspecMissing             a URL was given and fsspec is not installed
"""

from __future__ import annotations

import glob
import hashlib
import importlib
import io
import os
import re
import zlib
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, Final
from urllib.parse import urlsplit

from warcio.archiveiterator import (  # type: ignore[import-untyped, unused-ignore]
    ArchiveIterator,
)
from warcio.bufferedreaders import (  # type: ignore[import-untyped, unused-ignore]
    ChunkedDataReader,
)
from warcio.exceptions import ArchiveLoadFailed  # type: ignore[import-untyped, unused-ignore]
from warcio.limitreader import LimitReader  # type: ignore[import-untyped, unused-ignore]
from warcio.statusandheaders import (  # type: ignore[import-untyped, unused-ignore]
    StatusAndHeadersParserException,
)

from newsclean.scraper.content_types import (
    SNIFF_BYTES,
    is_admitted_body,
    judge_declared_type,
    media_type,
)
from newsclean.scraper.decoding import BodyReader
from newsclean.scraper.errors import BodyTooLarge, FetchError, ScraperError
from newsclean.scraper.records import FetchResult, Skipped

STAGE: Final = "source"
#: file names taken from a directory scan (a glob takes what it matches)
ARCHIVE_SUFFIXES: Final = (".warc.gz", ".warc", ".arc.gz", ".arc")
#: a WARC file still being written; its writer renames it when it closes it
OPEN_SUFFIX: Final = ".open"
#: bodies larger than this (raw, and again once decoded) are skipped as "too-large"
DEFAULT_MAX_BYTES: Final = 10 * 1024 * 1024
#: bytes of the body searched for ``<html lang=...>``
LANGUAGE_SNIFF_BYTES: Final = 1024
#: extension fields of newsclean's own response records (absent elsewhere)
REQUESTED_URI_FIELD: Final = "Newsclean-Requested-URI"
REDIRECT_CHAIN_FIELD: Final = "Newsclean-Redirect-Chain"
#: headers that stop being true once a body is stored decoded; an archive keeps the received
#: value under ``x-crawler-<name>``
CRAWLER_PREFIX: Final = "x-crawler-"
TRANSFORMED_HEADERS: Final = ("content-encoding", "transfer-encoding", "content-length")

_READ_CHUNK: Final = 64 * 1024
_HASH_CHUNK: Final = 1024 * 1024
_HTTP_SCHEMES: Final = ("http:", "https:")
_GLOB_CHARS: Final = re.compile(r"[*?\[]")
_HTML_LANG: Final = re.compile(
    rb"<html\b[^>]*?\blang\s*=\s*[\"']?\s*([a-z]{2,3})\b", re.IGNORECASE | re.DOTALL
)
_LANGUAGE_TAG: Final = re.compile(r"^\s*([a-z]{2,3})\b", re.IGNORECASE)
#: what warcio raises on damaged input: its own errors, and (on a torn gzip member or a
#: header cut short) low-level errors from its parser
_DAMAGED: Final = (
    ArchiveLoadFailed,
    StatusAndHeadersParserException,
    zlib.error,
    EOFError,
    ValueError,
    AttributeError,
    IndexError,
)


# -- errors ----------------------------------------------------------------------------------


class ArchiveError(ScraperError):
    """The archives asked for cannot be found or reached (a configuration mistake)."""

    reason: str = "archive-error"

    def __init__(self, path: str, message: str) -> None:
        self.path = path
        self.message = message
        super().__init__(f"{message} ({path})")


class ArchiveNotFound(ArchiveError):
    reason = "archive-not-found"


class FsspecMissing(ArchiveError):
    reason = "fsspec-missing"


# -- records ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WarcLocation:
    """Where a record lives: what a dataset row stores in ``warc_filename`` / ``..._offset``.

    ``offset`` is the byte offset of the record in the file (of its gzip member, when the
    file is compressed per record) and ``length`` its size in the file: a reader can seek to
    ``offset`` and read ``length`` bytes (an HTTP range request for a remote file).
    """

    filename: str
    offset: int
    length: int


@dataclass(frozen=True, slots=True)
class WarcResponse:
    """One archived page, as the fetcher would have returned it, and where it was read."""

    fetch: FetchResult
    location: WarcLocation
    #: primary language subtag the response declared (Content-Language, ``<html lang>``)
    declared_language: str | None = None


@dataclass(frozen=True, slots=True)
class ArchiveFile:
    """One archive to read: a local path or an fsspec URL, and the name rows record for it.

    ``name`` is the file name for local files (so a rebuild gives the same rows wherever the
    archives were copied) and the full URL for remote ones.
    """

    location: str
    name: str
    remote: bool = False

    def open(self) -> AbstractContextManager[IO[bytes]]:
        if self.remote:
            fsspec = _fsspec(self.location)
            opened: AbstractContextManager[IO[bytes]] = fsspec.open(self.location, "rb")
            return opened
        return open(self.location, "rb")

    def fingerprint(self) -> str:
        """What identifies the file's content: ``sha256:<hex>`` of a local file's bytes.

        A remote file is not downloaded twice for this: its fingerprint is the digest of
        what its filesystem reports (size, ETag or checksum), ``info:<hex>``.
        """
        if self.remote:
            filesystem, path = _fsspec(self.location).core.url_to_fs(self.location)
            info = filesystem.info(path)
            facts = sorted(
                f"{key}={info[key]}"
                for key in ("size", "ETag", "etag", "md5", "checksum", "crc32c")
                if key in info
            )
            return "info:" + hashlib.sha256("\n".join(facts).encode()).hexdigest()
        digest = hashlib.sha256()
        with open(self.location, "rb") as stream:
            while chunk := stream.read(_HASH_CHUNK):
                digest.update(chunk)
        return "sha256:" + digest.hexdigest()


# -- filters ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WarcFilters:
    """Which archived responses to keep.

    ``domains``: a host must be one of these or below one (``bbc.co.uk`` admits
    ``www.bbc.co.uk`` and ``news.bbc.co.uk``); ``languages``: the declared language's primary
    subtag must be one of these (``en`` admits ``en-GB``) and a response that declares none is
    dropped as "language-undeclared" (CC-NEWS has no language field; detecting the language
    would mean cleaning every page first); ``since`` (inclusive) and ``until`` (exclusive)
    bound the WARC-Date.
    """

    domains: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    since: datetime | None = None
    until: datetime | None = None
    _domains: frozenset[str] = field(init=False, repr=False, compare=False)
    _languages: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for name, moment in (("since", self.since), ("until", self.until)):
            if moment is not None and moment.utcoffset() is None:
                raise ValueError(f"{name} must be timezone-aware, got {moment!r}")
        domains = frozenset(_bare_host(d) for d in self.domains if d.strip())
        languages = frozenset(d.strip().lower().split("-")[0] for d in self.languages)
        object.__setattr__(self, "_domains", domains)
        object.__setattr__(self, "_languages", frozenset(lang for lang in languages if lang))

    def rejection(self, fetch: FetchResult, language: str | None) -> Skipped | None:
        """Why the response is dropped, or None to keep it."""
        url = fetch.final_url
        if self._domains and not _in_domains(url, self._domains):
            return Skipped(url, STAGE, "filtered-domain")
        if self._languages:
            if language is None:
                return Skipped(url, STAGE, "language-undeclared")
            if language not in self._languages:
                return Skipped(url, STAGE, "filtered-language", detail=language)
        moment = fetch.fetched_at
        if (self.since is not None and moment < self.since) or (
            self.until is not None and moment >= self.until
        ):
            return Skipped(url, STAGE, "filtered-date", detail=moment.isoformat())
        return None


def _bare_host(domain: str) -> str:
    return domain.strip().lower().rstrip(".").removeprefix("www.")


def _in_domains(url: str, domains: frozenset[str]) -> bool:
    try:
        host = (urlsplit(url).hostname or "").rstrip(".")
    except ValueError:
        return False
    labels = host.split(".")
    # the host and every parent domain of it: a set lookup each, not a scan of ``domains``
    return any(".".join(labels[i:]) in domains for i in range(len(labels)))


# -- the source ------------------------------------------------------------------------------


class WarcSource:
    """Archived responses from WARC/ARC files: see the module docstring for what comes out.

    ``paths_or_globs``: local files, directories (every archive below them, by name), globs
    (``**`` recurses) and fsspec URLs, globs included (``s3://bucket/2024/*.warc.gz``).
    Files are read in the order given, the matches of one glob or directory sorted by name.
    """

    def __init__(
        self,
        paths_or_globs: str | Path | Iterable[str | Path],
        *,
        domains: Sequence[str] = (),
        languages: Sequence[str] = (),
        since: datetime | None = None,
        until: datetime | None = None,
        max_bytes: int = DEFAULT_MAX_BYTES,
        name: str = "",
    ) -> None:
        specs = [paths_or_globs] if isinstance(paths_or_globs, str | Path) else paths_or_globs
        self.specs = tuple(str(spec) for spec in specs)
        if not self.specs:
            raise ValueError("WarcSource needs at least one path, glob or URL")
        if max_bytes <= 0:
            raise ValueError(f"max_bytes must be positive, got {max_bytes}")
        self.filters = WarcFilters(tuple(domains), tuple(languages), since, until)
        self.max_bytes = max_bytes
        self._name = name or ", ".join(self.specs)

    @property
    def name(self) -> str:
        return self._name

    def archives(self) -> list[ArchiveFile]:
        """The files to read, in reading order; ArchiveNotFound for a spec naming nothing."""
        return expand_archives(self.specs).files

    def responses(self) -> Iterator[WarcResponse | Skipped]:
        """Every archived response of every file, or why it was skipped."""
        expansion = expand_archives(self.specs)
        for left_open in expansion.open_files:
            yield Skipped(left_open, STAGE, "open-archive", detail="still being written?")
        for archive in expansion.files:
            yield from self.read(archive)

    def read(self, archive: ArchiveFile) -> Iterator[WarcResponse | Skipped]:
        """The responses of one file; damage ends the file with one "corrupt-archive"."""
        try:
            opened = archive.open()
        except OSError as exc:
            yield Skipped(archive.name, STAGE, "unreadable-archive", detail=_os_reason(exc))
            return
        with opened as stream:
            yield from ArchiveReader(archive, stream, self).records()


@dataclass(frozen=True, slots=True)
class Expansion:
    files: list[ArchiveFile]
    #: ``.open`` files a glob or directory scan found and left alone
    open_files: list[str]


def expand_archives(specs: Iterable[str]) -> Expansion:
    """Paths, directories, globs and URLs -> the archive files, each once, in reading order."""
    files: list[ArchiveFile] = []
    left_open: list[str] = []
    seen: set[str] = set()
    for spec in specs:
        found, skipped = _expand_remote(spec) if _is_url(spec) else _expand_local(spec)
        left_open.extend(skipped)
        for archive in found:
            if archive.location not in seen:
                seen.add(archive.location)
                files.append(archive)
    return Expansion(files, left_open)


def _is_url(spec: str) -> bool:
    return "://" in spec and not spec.startswith("file://")


def _expand_local(spec: str) -> tuple[list[ArchiveFile], list[str]]:
    path = spec.removeprefix("file://")
    if _GLOB_CHARS.search(path):
        matches = sorted(glob.glob(os.path.expanduser(path), recursive=True))
        if not matches:
            raise ArchiveNotFound(spec, "no file matches this pattern")
    else:
        matches = [os.path.expanduser(path)]
    files: list[str] = []
    left_open: list[str] = []
    for match in matches:
        if os.path.isdir(match):
            below, below_open = _archives_below(match)
            files.extend(below)
            left_open.extend(below_open)
        elif match.endswith(OPEN_SUFFIX) and match != path:
            left_open.append(match)  # found by a pattern, not named: a writer may own it
        elif os.path.isfile(match):
            files.append(match)
        else:
            raise ArchiveNotFound(match, "no such archive file")
    return [ArchiveFile(f, os.path.basename(f)) for f in files], left_open


def _archives_below(directory: str) -> tuple[list[str], list[str]]:
    files: list[str] = []
    left_open: list[str] = []
    for root, dirs, names in os.walk(directory):
        dirs.sort()
        for name in sorted(names):
            if name.endswith(ARCHIVE_SUFFIXES):
                files.append(os.path.join(root, name))
            elif name.endswith(OPEN_SUFFIX) and name[: -len(OPEN_SUFFIX)].endswith(
                ARCHIVE_SUFFIXES
            ):
                left_open.append(os.path.join(root, name))
    if not files and not left_open:
        raise ArchiveNotFound(directory, "no WARC or ARC file in this directory")
    return files, left_open


def _expand_remote(spec: str) -> tuple[list[ArchiveFile], list[str]]:
    fsspec = _fsspec(spec)
    filesystem, path = fsspec.core.url_to_fs(spec)
    if _GLOB_CHARS.search(path):
        paths = sorted(filesystem.glob(path))
        if not paths:
            raise ArchiveNotFound(spec, "no file matches this pattern")
    else:
        paths = [path]
    urls = [str(filesystem.unstrip_protocol(p)) for p in paths]
    return [ArchiveFile(url, url, remote=True) for url in urls], []


def _fsspec(spec: str) -> Any:
    try:
        return importlib.import_module("fsspec")
    except ImportError:
        raise FsspecMissing(
            spec, "reading archives from URLs needs fsspec: install fsspec (and s3fs for s3://)"
        ) from None


def _os_reason(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


# -- reading one archive ---------------------------------------------------------------------


class _RecordCutShort(Exception):
    """A record ends before its declared length: the file was truncated there."""


@dataclass(frozen=True, slots=True)
class _RecordFacts:
    """What a WARC or ARC record's own header says, the same for both formats."""

    kind: str  # "response", "request", "revisit", ... ("response" for every ARC record)
    uri: str
    date: datetime | None
    truncated: str  # WARC-Truncated: why the crawler cut the payload ("" if it did not)
    requested_uri: str
    redirect_chain: tuple[str, ...]

    @classmethod
    def of(cls, record: Any) -> _RecordFacts:
        fields = {name.lower(): value for name, value in record.rec_headers.headers}
        if record.format == "arc":
            kind = "arc-header" if record.rec_type == "arc_header" else "response"
            uri = fields.get("uri", "")
            return cls(kind, uri, _arc_date(fields.get("archive-date")), "", uri, ())
        uri = fields.get("warc-target-uri", "")
        return cls(
            kind=record.rec_type or "",
            uri=uri,
            date=_warc_date(fields.get("warc-date")),
            truncated=fields.get("warc-truncated", ""),
            requested_uri=fields.get(REQUESTED_URI_FIELD.lower(), "") or uri,
            redirect_chain=tuple(fields.get(REDIRECT_CHAIN_FIELD.lower(), "").split()),
        )


class ArchiveReader:
    """Reads one opened archive for a :class:`WarcSource` (its filters and byte cap)."""

    def __init__(self, archive: ArchiveFile, stream: IO[bytes], source: WarcSource) -> None:
        self.archive = archive
        self.stream = stream
        self.filters = source.filters
        self.max_bytes = source.max_bytes

    def records(self) -> Iterator[WarcResponse | Skipped]:
        # The format is learnt from the first record and held (no arc2warc): in a WARC, a
        # line of garbage must not pass for an ARC record header, which it easily can.
        iterator = ArchiveIterator(self.stream)
        try:
            for record in iterator:
                outcome = self._outcome(record, iterator)
                if outcome is not None:
                    yield outcome
        except (*_DAMAGED, _RecordCutShort) as exc:
            yield self._damage(iterator.offset, _describe(exc))
            return
        finally:
            iterator.close()
        unread = self._size() - iterator.offset
        if unread > 0:
            # the iterator stops quietly at a torn gzip member or trailing garbage
            yield self._damage(iterator.offset, f"{unread} bytes after the last whole record")

    def _damage(self, offset: int, what: str) -> Skipped:
        detail = f"unreadable from byte {offset}: {what}"[:500]
        return Skipped(self.archive.name, STAGE, "corrupt-archive", detail=detail)

    def _size(self) -> int:
        return self.stream.seek(0, io.SEEK_END)

    def _outcome(self, record: Any, iterator: Any) -> WarcResponse | Skipped | None:
        facts = _RecordFacts.of(record)
        if facts.kind not in ("response", "revisit") or not facts.uri.startswith(_HTTP_SCHEMES):
            _drain(record)
            return None
        if facts.kind == "revisit":
            _drain(record)
            return Skipped(facts.uri, STAGE, "revisit", detail="no payload in this record")
        payload = _read_at_most(record.raw_stream, self.max_bytes + 1)
        _drain(record)
        location = WarcLocation(
            self.archive.name, iterator.get_record_offset(), iterator.get_record_length()
        )
        return self._response(facts, record.http_headers, payload, location)

    def _response(
        self, facts: _RecordFacts, http: Any, payload: bytes, location: WarcLocation
    ) -> WarcResponse | Skipped:
        uri = facts.uri
        status = _status(http)
        if facts.date is None or status is None:
            return Skipped(uri, STAGE, "bad-record", detail="no record date or HTTP status line")
        if status != 200:
            return Skipped(uri, STAGE, "http-status", detail=f"HTTP {status}")
        if facts.truncated:
            return Skipped(
                uri, STAGE, "truncated-record", detail=f"WARC-Truncated: {facts.truncated}"
            )
        if len(payload) > self.max_bytes:
            return Skipped(uri, STAGE, "too-large", detail=f"over {self.max_bytes} bytes")
        stored = [(name.lower(), value) for name, value in http.headers]
        content_type = _header(stored, "content-type")
        if judge_declared_type("html", media_type(content_type)) == "refuse":
            return Skipped(uri, STAGE, "not-html", detail=content_type[:100])
        body = _decoded_body(uri, payload, stored, self.max_bytes)
        if isinstance(body, Skipped):
            return body
        if not is_admitted_body("html", media_type(content_type), body[:SNIFF_BYTES]):
            return Skipped(uri, STAGE, "not-html", detail=f"sniffed; {content_type[:80]}")
        fetch = FetchResult(
            requested_url=facts.requested_uri,
            final_url=uri,
            status=status,
            headers=received_headers(stored),
            body=body,
            fetched_at=facts.date,
            redirect_chain=facts.redirect_chain,
        )
        language = declared_language(fetch)
        rejection = self.filters.rejection(fetch, language)
        if rejection is not None:
            return rejection
        return WarcResponse(fetch, location, language)


def _describe(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _read_at_most(stream: Any, limit: int) -> bytes:
    """Up to ``limit`` bytes of ``stream`` (reads may come back short before the end)."""
    parts: list[bytes] = []
    size = 0
    while size < limit:
        chunk = stream.read(min(_READ_CHUNK, limit - size))
        if not chunk:
            break
        parts.append(chunk)
        size += len(chunk)
    return b"".join(parts)


def _drain(record: Any) -> None:
    """Read the rest of the record; _RecordCutShort if the file ends inside it."""
    stream = record.raw_stream
    while stream.read(_READ_CHUNK):
        pass
    if isinstance(stream, LimitReader) and stream.limit > 0:
        raise _RecordCutShort(f"record ends {stream.limit} bytes before its Content-Length")


def _decoded_body(
    uri: str, payload: bytes, stored: Sequence[tuple[str, str]], max_bytes: int
) -> bytes | Skipped:
    """The payload with its transfer and content codings undone, or why it cannot be.

    De-chunking is warcio's (lenient: data sent as "chunked" that is not is taken as is);
    content codings are undone by the fetcher's own bounded decoder.
    """
    if _header(stored, "transfer-encoding").strip().lower() == "chunked":
        payload = _read_at_most(ChunkedDataReader(io.BytesIO(payload)), max_bytes + 1)
    coding = _header(stored, "content-encoding")
    if not coding.strip():
        return payload
    decoder = BodyReader(uri, coding, max_bytes)
    try:
        decoder.feed(payload)
        return decoder.finish()
    except FetchError as exc:
        reason = "too-large" if isinstance(exc, BodyTooLarge) else "bad-content-encoding"
        return Skipped(uri, STAGE, reason, detail=exc.message)


def received_headers(pairs: Iterable[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """HTTP headers as the fetcher reports them, with ``x-crawler-*`` renames undone.

    Names in lower case, repeated headers joined with ", " at the first one's place. A
    ``x-crawler-<name>`` header (for the names in TRANSFORMED_HEADERS) takes the place of the
    ``<name>`` the archive wrote for the decoded body.
    """
    joined: dict[str, str] = {}
    for name, value in pairs:
        key = name.lower()
        joined[key] = f"{joined[key]}, {value}" if key in joined else value
    renamed = {CRAWLER_PREFIX + name for name in TRANSFORMED_HEADERS} & joined.keys()
    restored = {name.removeprefix(CRAWLER_PREFIX) for name in renamed}
    return tuple(
        (key.removeprefix(CRAWLER_PREFIX) if key in renamed else key, value)
        for key, value in joined.items()
        if key not in restored
    )


def declared_language(fetch: FetchResult) -> str | None:
    """Primary language subtag the response declares: Content-Language, else ``<html lang>``.

    Only the first :data:`LANGUAGE_SNIFF_BYTES` of the body are searched: cheap enough to run
    on every record before any cleaning.
    """
    match = _LANGUAGE_TAG.match(fetch.header("content-language"))
    if match:
        return match.group(1).lower()
    sniffed = _HTML_LANG.search(fetch.body[:LANGUAGE_SNIFF_BYTES])
    return sniffed.group(1).decode("ascii").lower() if sniffed else None


def _header(headers: Sequence[tuple[str, str]], name: str) -> str:
    return next((value for key, value in headers if key == name), "")


def _status(http: Any) -> int | None:
    if not http:
        return None
    try:
        return int(http.get_statuscode())
    except (TypeError, ValueError):
        return None


def _arc_date(value: str | None) -> datetime | None:
    """An ARC archive-date (``YYYYmmddHHMMSS``, UTC; shorter forms pad to the start)."""
    digits = (value or "").strip()
    if not digits.isdigit() or not 4 <= len(digits) <= 14:
        return None
    padded = digits + "0101000000"[len(digits) - 4 :] if len(digits) < 14 else digits
    try:
        return datetime.strptime(padded, "%Y%m%d%H%M%S").replace(tzinfo=UTC)
    except ValueError:
        return None


def _warc_date(value: str | None) -> datetime | None:
    """A WARC-Date (``2024-01-02T03:04:05Z``, fractions allowed in WARC/1.1) in UTC."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
