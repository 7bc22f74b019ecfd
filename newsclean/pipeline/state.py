"""What one run leaves for the next: URLs seen, their fetch outcome, and committed versions.

The state is one SQLite file beside the dataset, ``<dataset>/_state/state.sqlite3`` (dataset
readers ignore folders starting with ``_``). It answers three questions for the run loop:

* is this URL due?  New, or a transient failure whose ``next_retry_at`` has passed, or fetched
  OK longer than ``refetch_after`` ago (``None``: articles fetched OK are never re-fetched).
  Terminal failures are never due again.
* which validators (ETag, Last-Modified) make the next request conditional?
* was this exact version, ``(article_id, content_hash)``, already committed?  That is what keeps
  "the same URL with the same cleaned text never appears twice" across runs.

It also holds the duplicate index (:mod:`newsclean.pipeline.dedup` decides, the state stores):
the first article committed with each text, and the MinHash signatures and LSH band keys of
committed articles, so near-duplicate clusters persist from run to run.

Tables (schema version in ``PRAGMA user_version``; every time is UTC epoch microseconds)::

    urls(url PK, first_seen, last_fetch, last_status, etag, last_modified, content_hash,
         failures, next_retry_at, terminal)
    versions((article_id, content_hash) PK, file_path)   one row per committed article version
    files(path PK, committed_at, rows)                   dataset files the state knows
    runs(run_id PK, started_at, ended_at, exit_status, summary_json, manifest_path)
    first_copies(content_hash PK, article_id)        first article committed with each text
    dup_signatures(seq PK, article_id UNIQUE, cluster_id, signature, band_keys)
    dup_bands((band_key, seq) PK)                    LSH buckets: band key -> indexed article
    dup_settings(name PK, value)                     how signatures were made (must not change)
    site_profiles(domain PK, pages, line_counts)     site-level template profile per domain
    site_pages(article_id PK, domain)                articles those profiles have counted
    page_versions((article_id, page_hash) PK, content_hash)
                                                     the text before site rules of each version

The site tables serve :mod:`newsclean.cleaners.sitelevel` in the run loop (see
:class:`newsclean.pipeline.run.SiteTemplates`). They are additive like the duplicate tables.

The duplicate tables are additive: created when missing by every open (an older newsclean
ignores them), so they need no schema version step. ``first_copies`` is filled by
:meth:`RunState.record_commit` (so files adopted by reconciliation count too); the ``dup_``
tables only by :meth:`RunState.record_index_entries`, inside the commit transaction.

Durability: WAL with ``synchronous=NORMAL``. A process crash (even ``kill -9``) loses nothing
committed; a power cut may lose the last few commits but never corrupts the file. That is
enough because the state may lag the dataset, never lead it: a dataset file is made durable
and renamed into place *before* :meth:`RunState.record_commit` registers it, so after a power
cut the run loop finds files the state does not know (:meth:`RunState.known_files`) and
registers them again. FULL would add an fsync per transaction for no extra guarantee.

Every multi-row change is one transaction, and :meth:`RunState.batch` groups many single-URL
calls into one, which is what makes 50,000-URL runs cheap. A connection is used from one
thread only (sqlite3's default check).
"""

from __future__ import annotations

import json
import logging
import sqlite3
import struct
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Final

from newsclean.pipeline.errors import RunFailed

log = logging.getLogger(__name__)

STATE_DIR_NAME: Final = "_state"
STATE_FILE_NAME: Final = "state.sqlite3"

#: status text of a fetch answered 200 and processed (the article may still be skipped)
STATUS_OK: Final = "ok"
#: status text of a conditional fetch answered 304: the stored validators stay valid
STATUS_NOT_MODIFIED: Final = "not-modified"

_BUSY_TIMEOUT_MS: Final = 5_000  # a `status` reader may hold a read snapshot briefly
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND: Final = timedelta(microseconds=1)
_SQLITE_CORRUPT: Final = 11
_SQLITE_NOTADB: Final = 26
#: rows per temporary-table probe; keeps one statement's memory bounded
_CHUNK: Final = 10_000


class StateError(RunFailed):
    """The run state cannot be used."""

    def __init__(self, what: str, path: Path, todo: str) -> None:
        self.path = path
        super().__init__(what, str(path), todo)


class StateCorrupt(StateError):
    """The state file is not a readable SQLite database (garbage bytes, torn pages)."""

    def __init__(self, path: Path, detail: str) -> None:
        self.detail = detail
        super().__init__(
            f"run state is corrupt: {detail}",
            path,
            "it is rebuilt from the dataset with RunState.rebuild (or delete the file)",
        )


class StateTooNew(StateError):
    """The state was written by a newer newsclean whose schema this version cannot read."""

    def __init__(self, path: Path, found: int, supported: int) -> None:
        self.found = found
        self.supported = supported
        super().__init__(
            f"run state has schema version {found}, this newsclean reads up to {supported}",
            path,
            "upgrade newsclean",
        )


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """When a transiently failed URL is due again: exponential backoff, then give up."""

    base_delay: timedelta = timedelta(minutes=5)
    max_delay: timedelta = timedelta(days=1)
    #: the failure count at which a transient failure becomes terminal
    max_failures: int = 8

    def delay_after(self, failures: int) -> timedelta:
        """Wait after the ``failures``-th consecutive failure: base, 2x, 4x, ... capped."""
        exponent = min(max(failures - 1, 0), 30)  # 2**30 x base is past any sane cap
        return min(self.base_delay * (1 << exponent), self.max_delay)


@dataclass(frozen=True, slots=True)
class UrlState:
    """Everything the state holds about one URL."""

    url: str
    first_seen: datetime
    last_fetch: datetime | None
    last_status: str | None
    etag: str | None
    last_modified: str | None
    #: content hash of the last version committed for this URL
    content_hash: str | None
    #: consecutive failures (reset by a successful fetch)
    failures: int
    next_retry_at: datetime | None
    #: a terminal failure: never due again
    terminal: bool


@dataclass(frozen=True, slots=True)
class IndexedText:
    """One article in the near-duplicate index, as a lookup returns it."""

    #: the order articles entered the index; ties between equal matches go to the earliest
    seq: int
    article_id: str
    cluster_id: str
    #: MinHash values, little-endian uint32 (see newsclean.pipeline.dedup)
    signature: bytes


@dataclass(frozen=True, slots=True)
class IndexEntry:
    """One article to store in the near-duplicate index."""

    article_id: str
    cluster_id: str
    signature: bytes
    #: LSH band keys under which the article is found; empty: stored, never found (an exact
    #: copy of a findable article adds nothing a lookup could use)
    band_keys: tuple[int, ...]


def pack_band_keys(keys: Sequence[int]) -> bytes:
    return struct.pack(f"<{len(keys)}q", *keys)


def unpack_band_keys(packed: bytes) -> tuple[int, ...]:
    return struct.unpack(f"<{len(packed) // 8}q", packed)


@dataclass(frozen=True, slots=True)
class RunRecord:
    """One run as the state remembers it; ``ended_at`` is None for a run that never ended."""

    run_id: str
    started_at: datetime
    ended_at: datetime | None
    exit_status: int | None
    summary_json: str | None
    manifest_path: str | None


def state_path(dataset_dir: Path) -> Path:
    """Where the state of the dataset at ``dataset_dir`` lives."""
    return dataset_dir / STATE_DIR_NAME / STATE_FILE_NAME


def to_micros(moment: datetime) -> int:
    """UTC epoch microseconds of a timezone-aware datetime (exact, no float rounding)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"naive datetime {moment!r}: the state stores timezone-aware times")
    return (moment - _EPOCH) // _MICROSECOND


def from_micros(micros: int) -> datetime:
    return _EPOCH + timedelta(microseconds=micros)


def _maybe_datetime(micros: int | None) -> datetime | None:
    return None if micros is None else from_micros(micros)


# -- schema ----------------------------------------------------------------------------------

_SCHEMA_V1 = """
CREATE TABLE urls (
    url           TEXT PRIMARY KEY,
    first_seen    INTEGER NOT NULL,
    last_fetch    INTEGER,
    last_status   TEXT,
    etag          TEXT,
    last_modified TEXT,
    content_hash  TEXT,
    failures      INTEGER NOT NULL DEFAULT 0,
    next_retry_at INTEGER,
    terminal      INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
CREATE TABLE files (
    path         TEXT PRIMARY KEY,
    committed_at INTEGER NOT NULL,
    rows         INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE versions (
    article_id   TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    file_path    TEXT NOT NULL REFERENCES files(path),
    PRIMARY KEY (article_id, content_hash)
) WITHOUT ROWID;
CREATE INDEX versions_by_file ON versions(file_path);
CREATE INDEX urls_pending ON urls(first_seen)
    WHERE terminal = 0 AND (failures > 0 OR last_fetch IS NULL);
CREATE TABLE runs (
    run_id        TEXT PRIMARY KEY,
    started_at    INTEGER NOT NULL,
    ended_at      INTEGER,
    exit_status   INTEGER,
    summary_json  TEXT,
    manifest_path TEXT
) WITHOUT ROWID;
"""


def _migrate_0_to_1(conn: sqlite3.Connection) -> None:
    # executescript would COMMIT the open transaction; run the statements one by one instead
    for statement in _SCHEMA_V1.split(";"):
        if statement.strip():
            conn.execute(statement)


#: ``MIGRATIONS[n]`` upgrades a database at schema version n to n + 1, inside the open
#: transaction. Add a function here (never edit an old one) to change the schema.
MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [_migrate_0_to_1]

_DUPLICATE_TABLES: Final = {
    "first_copies": """
        CREATE TABLE IF NOT EXISTS first_copies (
            content_hash TEXT PRIMARY KEY,
            article_id   TEXT NOT NULL
        ) WITHOUT ROWID""",
    # seq: the order articles entered the index (earliest first wins ties)
    "dup_signatures": """
        CREATE TABLE IF NOT EXISTS dup_signatures (
            seq        INTEGER PRIMARY KEY,
            article_id TEXT NOT NULL UNIQUE,
            cluster_id TEXT NOT NULL,
            signature  BLOB NOT NULL,
            band_keys  BLOB NOT NULL
        )""",
    "dup_bands": """
        CREATE TABLE IF NOT EXISTS dup_bands (
            band_key INTEGER NOT NULL,
            seq      INTEGER NOT NULL,
            PRIMARY KEY (band_key, seq)
        ) WITHOUT ROWID""",
    "dup_settings": """
        CREATE TABLE IF NOT EXISTS dup_settings (
            name  TEXT PRIMARY KEY,
            value TEXT NOT NULL
        ) WITHOUT ROWID""",
}


_SITE_TABLES: Final = {
    # line_counts: SiteProfile.export_domain's packing (8-byte key, uint32 pages)
    "site_profiles": """
        CREATE TABLE IF NOT EXISTS site_profiles (
            domain      TEXT PRIMARY KEY,
            pages       INTEGER NOT NULL,
            line_counts BLOB NOT NULL
        ) WITHOUT ROWID""",
    "site_pages": """
        CREATE TABLE IF NOT EXISTS site_pages (
            article_id TEXT PRIMARY KEY,
            domain     TEXT NOT NULL
        ) WITHOUT ROWID""",
    # page_hash: sha256 of the text before site rules; content_hash: of the text written
    "page_versions": """
        CREATE TABLE IF NOT EXISTS page_versions (
            article_id   TEXT NOT NULL,
            page_hash    TEXT NOT NULL,
            content_hash TEXT NOT NULL,
            PRIMARY KEY (article_id, page_hash)
        ) WITHOUT ROWID""",
}


def _create_duplicate_tables(conn: sqlite3.Connection) -> None:
    """Create the duplicate tables; a state that had versions before gets its first copies.

    The first copy of a text is the version in the earliest committed file (then the smallest
    article_id): the best the state can say about order before it tracked it.
    """
    for statement in _DUPLICATE_TABLES.values():
        conn.execute(statement)
    conn.execute(
        "INSERT OR IGNORE INTO first_copies(content_hash, article_id)"
        " SELECT v.content_hash, v.article_id FROM versions v JOIN files f ON f.path = v.file_path"
        " ORDER BY f.committed_at, v.article_id"
    )


def _is_corruption(exc: sqlite3.DatabaseError) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (_SQLITE_CORRUPT, _SQLITE_NOTADB)
    return not isinstance(exc, sqlite3.OperationalError)


# -- the state -------------------------------------------------------------------------------


class RunState:
    """The state of one dataset; open with ``with RunState(path) as state:``.

    ``path`` is the SQLite file (see :func:`state_path`); its folder is created if missing.
    URLs are stored as given: pass the normalised URL, the same form every run.
    """

    def __init__(
        self,
        path: Path,
        *,
        refetch_after: timedelta | None = None,
        retry: RetryPolicy | None = None,
    ) -> None:
        self.path = path
        self.refetch_after = refetch_after
        self.retry = retry or RetryPolicy()
        #: where a corrupt predecessor was moved by :meth:`rebuild` (None when it was not)
        self.recovered_from: Path | None = None
        self._depth = 0
        self._conn = self._open()

    @classmethod
    def for_dataset(
        cls,
        dataset_dir: Path,
        *,
        refetch_after: timedelta | None = None,
        retry: RetryPolicy | None = None,
    ) -> RunState:
        return cls(state_path(dataset_dir), refetch_after=refetch_after, retry=retry)

    @classmethod
    def rebuild(
        cls,
        path: Path,
        *,
        refetch_after: timedelta | None = None,
        retry: RetryPolicy | None = None,
        now: datetime | None = None,
    ) -> RunState:
        """Move a broken state file aside (``state.sqlite3.corrupt-<timestamp>``), open empty.

        The caller then re-registers the dataset's files (:meth:`record_commit`).
        """
        moved = quarantine(path, now or datetime.now(UTC))
        state = cls(path, refetch_after=refetch_after, retry=retry)
        state.recovered_from = moved
        log.warning("run state %s was corrupt; moved to %s, starting empty", path, moved)
        return state

    # -- lifecycle --

    def __enter__(self) -> RunState:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._conn.close()

    def _open(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: no implicit transactions, we BEGIN/COMMIT ourselves
        conn = sqlite3.connect(self.path, isolation_level=None, timeout=_BUSY_TIMEOUT_MS / 1000)
        try:
            self._configure(conn)
            self._migrate(conn)
            self._ensure_duplicate_tables(conn)
            self._check_integrity(conn)
        except sqlite3.DatabaseError as exc:
            conn.close()
            if _is_corruption(exc):
                raise StateCorrupt(self.path, str(exc)) from exc
            raise
        except BaseException:
            conn.close()
            raise
        return conn

    @staticmethod
    def _configure(conn: sqlite3.Connection) -> None:
        conn.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}")
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if mode != "wal":  # pragma: no cover - only on filesystems without shared memory
            log.warning("run state: journal_mode is %s, not wal", mode)
        conn.execute("PRAGMA synchronous = NORMAL")  # see the module docstring for why
        conn.execute("PRAGMA foreign_keys = ON")

    def _migrate(self, conn: sqlite3.Connection) -> None:
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        if version > len(MIGRATIONS):
            raise StateTooNew(self.path, version, len(MIGRATIONS))
        if version == len(MIGRATIONS):
            return
        conn.execute("BEGIN IMMEDIATE")
        try:
            for step in MIGRATIONS[version:]:
                step(conn)
            # PRAGMA takes no parameters; len() is an int we control
            conn.execute(f"PRAGMA user_version = {len(MIGRATIONS)}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    @staticmethod
    def _ensure_duplicate_tables(conn: sqlite3.Connection) -> None:
        present = {
            str(row[0])
            for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        }
        if present >= _DUPLICATE_TABLES.keys() | _SITE_TABLES.keys():
            return  # the common case: no write lock taken just to open
        conn.execute("BEGIN IMMEDIATE")
        try:
            if not present >= _DUPLICATE_TABLES.keys():
                _create_duplicate_tables(conn)
            for statement in _SITE_TABLES.values():
                conn.execute(statement)
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    def _check_integrity(self, conn: sqlite3.Connection) -> None:
        # quick_check reads every page (not the index/table cross-check of integrity_check):
        # ~10 ms per 50k URLs, and a torn page is found now rather than mid-run
        result = conn.execute("PRAGMA quick_check(1)").fetchone()[0]
        if result != "ok":
            raise StateCorrupt(self.path, f"quick_check: {result}")

    # -- transactions --

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Group every call inside into one transaction (all or nothing).

        Nested batches join the outer one. Use it around per-URL calls in a loop.
        """
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        self._execute_guarded("BEGIN IMMEDIATE")
        self._depth = 1
        try:
            yield
            self._execute_guarded("COMMIT")
        except BaseException:
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK")
            raise
        finally:
            self._depth = 0

    def _execute_guarded(self, sql: str) -> None:
        try:
            self._conn.execute(sql)
        except sqlite3.DatabaseError as exc:
            if _is_corruption(exc):
                raise StateCorrupt(self.path, str(exc)) from exc
            raise

    # -- URLs --

    def record_discovered(self, urls: Iterable[str], now: datetime) -> int:
        """Remember URLs a source listed; returns how many were new."""
        seen = to_micros(now)
        with self.batch():
            before = self._conn.total_changes
            self._conn.executemany(
                "INSERT OR IGNORE INTO urls(url, first_seen) VALUES (?, ?)",
                ((url, seen) for url in urls),
            )
            return self._conn.total_changes - before

    def is_due(self, url: str, now: datetime) -> bool:
        """Should ``url`` be fetched now? (see the module docstring for the rules)"""
        row = self._conn.execute(
            "SELECT last_fetch, failures, next_retry_at, terminal FROM urls WHERE url = ?",
            (url,),
        ).fetchone()
        return row is None or self._row_is_due(row, to_micros(now))

    def due_urls(self, urls: Iterable[str], now: datetime) -> list[str]:
        """The URLs of ``urls`` that are due, in the given order (duplicates dropped)."""
        at = to_micros(now)
        ordered = list(dict.fromkeys(urls))
        known = self._lookup_due_rows(ordered)
        return [url for url in ordered if url not in known or self._row_is_due(known[url], at)]

    def pending_urls(self, now: datetime) -> list[str]:
        """URLs the state owes a fetch: never fetched, or a transient failure now due again.

        Oldest first. URLs fetched OK are not pending even when ``refetch_after`` has passed:
        they come back when a source lists them again (then :meth:`due_urls` says yes).
        """
        return [
            str(row[0])
            for row in self._conn.execute(
                "SELECT url FROM urls WHERE terminal = 0"
                " AND ((failures > 0 AND coalesce(next_retry_at, 0) <= ?)"
                "      OR (failures = 0 AND last_fetch IS NULL))"
                " ORDER BY first_seen, url",
                (to_micros(now),),
            )
        ]

    def _lookup_due_rows(
        self, urls: list[str]
    ) -> dict[str, tuple[int | None, int, int | None, int]]:
        rows: dict[str, tuple[int | None, int, int | None, int]] = {}
        self._conn.execute("CREATE TEMP TABLE IF NOT EXISTS probe(url TEXT PRIMARY KEY)")
        for start in range(0, len(urls), _CHUNK):
            with self.batch():
                self._conn.execute("DELETE FROM probe")
                self._conn.executemany(
                    "INSERT OR IGNORE INTO probe(url) VALUES (?)",
                    ((url,) for url in urls[start : start + _CHUNK]),
                )
                for url, last_fetch, failures, next_retry_at, terminal in self._conn.execute(
                    "SELECT u.url, u.last_fetch, u.failures, u.next_retry_at, u.terminal"
                    " FROM probe p JOIN urls u ON u.url = p.url"
                ):
                    rows[url] = (last_fetch, failures, next_retry_at, terminal)
        return rows

    def _row_is_due(self, row: tuple[int | None, int, int | None, int], now: int) -> bool:
        last_fetch, failures, next_retry_at, terminal = row
        if terminal:
            return False
        if failures:
            return next_retry_at is None or next_retry_at <= now
        if last_fetch is None:
            return True  # discovered, never fetched
        if self.refetch_after is None:
            return False
        return last_fetch + self.refetch_after // _MICROSECOND <= now

    def validators(self, url: str) -> tuple[str | None, str | None]:
        """``(etag, last_modified)`` of the last successful fetch, for a conditional request."""
        row = self._conn.execute(
            "SELECT etag, last_modified FROM urls WHERE url = ?", (url,)
        ).fetchone()
        return (None, None) if row is None else (row[0], row[1])

    def record_fetch(
        self,
        url: str,
        status: str,
        now: datetime,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> None:
        """A fetch succeeded (``status`` is e.g. :data:`STATUS_OK` or a skip reason).

        Clears the failure count. The validators replace the stored ones, except after
        :data:`STATUS_NOT_MODIFIED`, where a validator the 304 did not repeat is kept.
        """
        keep = 1 if status == STATUS_NOT_MODIFIED else 0
        at = to_micros(now)
        with self.batch():
            self._conn.execute(
                """
                INSERT INTO urls(url, first_seen, last_fetch, last_status, etag, last_modified)
                VALUES (:url, :at, :at, :status, :etag, :lm)
                ON CONFLICT(url) DO UPDATE SET
                    last_fetch = :at, last_status = :status,
                    etag = CASE WHEN :keep THEN coalesce(:etag, etag) ELSE :etag END,
                    last_modified = CASE WHEN :keep THEN coalesce(:lm, last_modified) ELSE :lm END,
                    failures = 0, next_retry_at = NULL, terminal = 0
                """,
                {
                    "url": url,
                    "at": at,
                    "status": status,
                    "etag": etag,
                    "lm": last_modified,
                    "keep": keep,
                },
            )

    def record_failure(
        self,
        url: str,
        reason: str,
        now: datetime,
        transient: bool,
        retry_after: timedelta | None = None,
    ) -> datetime | None:
        """A fetch failed; returns when the URL is due again (None: never, it is terminal).

        Transient: due again after exponential backoff (or the server's ``retry_after`` if
        longer) until :attr:`RetryPolicy.max_failures`, then terminal.
        """
        at = to_micros(now)
        with self.batch():
            row = self._conn.execute("SELECT failures FROM urls WHERE url = ?", (url,)).fetchone()
            failures = (row[0] if row else 0) + 1
            next_retry = self._next_retry(now, failures, transient, retry_after)
            self._conn.execute(
                """
                INSERT INTO urls(url, first_seen, last_fetch, last_status, failures,
                                 next_retry_at, terminal)
                VALUES (:url, :at, :at, :status, :failures, :next, :terminal)
                ON CONFLICT(url) DO UPDATE SET
                    last_fetch = :at, last_status = :status, failures = :failures,
                    next_retry_at = :next, terminal = :terminal
                """,
                {
                    "url": url,
                    "at": at,
                    "status": reason,
                    "failures": failures,
                    "next": None if next_retry is None else to_micros(next_retry),
                    "terminal": int(next_retry is None),
                },
            )
        return next_retry

    def _next_retry(
        self, now: datetime, failures: int, transient: bool, retry_after: timedelta | None
    ) -> datetime | None:
        if not transient or failures >= self.retry.max_failures:
            return None
        delay = self.retry.delay_after(failures)
        if retry_after is not None:
            delay = max(delay, retry_after)
        return now + delay

    def url_state(self, url: str) -> UrlState | None:
        row = self._conn.execute(
            "SELECT url, first_seen, last_fetch, last_status, etag, last_modified,"
            " content_hash, failures, next_retry_at, terminal FROM urls WHERE url = ?",
            (url,),
        ).fetchone()
        if row is None:
            return None
        return UrlState(
            url=row[0],
            first_seen=from_micros(row[1]),
            last_fetch=_maybe_datetime(row[2]),
            last_status=row[3],
            etag=row[4],
            last_modified=row[5],
            content_hash=row[6],
            failures=row[7],
            next_retry_at=_maybe_datetime(row[8]),
            terminal=bool(row[9]),
        )

    def url_count(self) -> int:
        return int(self._conn.execute("SELECT count(*) FROM urls").fetchone()[0])

    # -- committed versions and files --

    def has_version(self, article_id: str, content_hash: str) -> bool:
        """Was this exact article version committed to the dataset already?"""
        row = self._conn.execute(
            "SELECT 1 FROM versions WHERE article_id = ? AND content_hash = ?",
            (article_id, content_hash),
        ).fetchone()
        return row is not None

    def existing_versions(self, keys: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
        """The ``(article_id, content_hash)`` keys of ``keys`` already committed (batched)."""
        wanted = list(dict.fromkeys(keys))
        found: set[tuple[str, str]] = set()
        self._conn.execute(
            "CREATE TEMP TABLE IF NOT EXISTS probe_versions("
            "article_id TEXT, content_hash TEXT, PRIMARY KEY (article_id, content_hash))"
        )
        for start in range(0, len(wanted), _CHUNK):
            with self.batch():
                self._conn.execute("DELETE FROM probe_versions")
                self._conn.executemany(
                    "INSERT INTO probe_versions VALUES (?, ?)", wanted[start : start + _CHUNK]
                )
                found.update(
                    (article_id, content_hash)
                    for article_id, content_hash in self._conn.execute(
                        "SELECT v.article_id, v.content_hash FROM probe_versions p JOIN versions v"
                        " ON v.article_id = p.article_id AND v.content_hash = p.content_hash"
                    )
                )
        return found

    def file_of(self, article_id: str, content_hash: str) -> str | None:
        """The dataset file holding this version, if committed."""
        row = self._conn.execute(
            "SELECT file_path FROM versions WHERE article_id = ? AND content_hash = ?",
            (article_id, content_hash),
        ).fetchone()
        return None if row is None else str(row[0])

    def record_commit(
        self,
        file_path: str,
        keys: Iterable[tuple[str, str]],
        *,
        url_hashes: Iterable[tuple[str, str]] = (),
        now: datetime | None = None,
    ) -> int:
        """Register a dataset file and the versions in it, in ONE transaction.

        ``keys`` are ``(article_id, content_hash)``; ``url_hashes`` optionally
        ``(url, content_hash)`` to remember per URL. A key already committed keeps its first
        file. Returns how many versions were new. Call it after the file is durably in place.
        A text seen for the first time records its article as the text's first copy
        (:meth:`first_copy`).
        """
        key_list = list(keys)
        at = to_micros(now or datetime.now(UTC))
        with self.batch():
            self._conn.execute(
                "INSERT INTO files(path, committed_at, rows) VALUES (?, ?, ?)"
                " ON CONFLICT(path) DO UPDATE SET committed_at = excluded.committed_at,"
                " rows = excluded.rows",
                (file_path, at, len(key_list)),
            )
            before = self._conn.total_changes
            self._conn.executemany(
                "INSERT OR IGNORE INTO versions(article_id, content_hash, file_path)"
                " VALUES (?, ?, ?)",
                ((article_id, content_hash, file_path) for article_id, content_hash in key_list),
            )
            added = self._conn.total_changes - before
            # in key order: within one file the earlier row is the first copy
            self._conn.executemany(
                "INSERT OR IGNORE INTO first_copies(content_hash, article_id) VALUES (?, ?)",
                ((content_hash, article_id) for article_id, content_hash in key_list),
            )
            self._conn.executemany(
                "UPDATE urls SET content_hash = ? WHERE url = ?",
                ((content_hash, url) for url, content_hash in url_hashes),
            )
        return added

    def known_files(self) -> set[str]:
        """Every dataset file the state has registered (to reconcile with the folder)."""
        return {str(row[0]) for row in self._conn.execute("SELECT path FROM files")}

    def forget_files(self, paths: Iterable[str]) -> int:
        """Drop files that left the dataset, and their versions; returns files dropped."""
        path_list = [(path,) for path in paths]
        with self.batch():
            self._conn.executemany("DELETE FROM versions WHERE file_path = ?", path_list)
            before = self._conn.total_changes
            self._conn.executemany("DELETE FROM files WHERE path = ?", path_list)
            return self._conn.total_changes - before

    def version_count(self) -> int:
        return int(self._conn.execute("SELECT count(*) FROM versions").fetchone()[0])

    # -- the duplicate index (decisions live in newsclean.pipeline.dedup) --

    def first_copy(self, content_hash: str) -> str | None:
        """The article_id first committed with this exact text, if any was."""
        row = self._conn.execute(
            "SELECT article_id FROM first_copies WHERE content_hash = ?", (content_hash,)
        ).fetchone()
        return None if row is None else str(row[0])

    def duplicate_settings(self) -> dict[str, str]:
        """How the stored signatures were made (empty before the first is stored)."""
        return {
            str(name): str(value)
            for name, value in self._conn.execute("SELECT name, value FROM dup_settings")
        }

    def save_duplicate_settings(self, settings: dict[str, str]) -> None:
        """Replace the settings; only sound while the index is empty (the caller checks)."""
        with self.batch():
            self._conn.execute("DELETE FROM dup_settings")
            self._conn.executemany(
                "INSERT INTO dup_settings(name, value) VALUES (?, ?)", settings.items()
            )

    def near_candidates(self, band_keys: Sequence[int], limit: int) -> list[IndexedText]:
        """Indexed articles sharing at least one band key, earliest indexed first, at most
        ``limit`` (a story syndicated to hundreds of sites must not make one lookup huge)."""
        if not band_keys:
            return []
        marks = ",".join("?" * len(band_keys))
        rows = self._conn.execute(
            "SELECT seq, article_id, cluster_id, signature FROM dup_signatures"
            f" WHERE seq IN (SELECT seq FROM dup_bands WHERE band_key IN ({marks}))"
            " ORDER BY seq LIMIT ?",
            (*band_keys, limit),
        )
        return [IndexedText(row[0], row[1], row[2], bytes(row[3])) for row in rows]

    def indexed_text(self, article_id: str) -> IndexedText | None:
        """The index entry of an article (its latest indexed version), if it has one."""
        row = self._conn.execute(
            "SELECT seq, article_id, cluster_id, signature FROM dup_signatures"
            " WHERE article_id = ?",
            (article_id,),
        ).fetchone()
        return None if row is None else IndexedText(row[0], row[1], row[2], bytes(row[3]))

    def record_index_entries(self, entries: Iterable[IndexEntry]) -> int:
        """Store signatures and band keys, in ONE transaction; returns entries stored.

        An article already indexed (an earlier version) keeps its place in the order and has
        its signature, cluster and bands replaced. Call it inside the transaction that
        registers the file holding these articles, so the index never names a row the
        dataset does not have.
        """
        stored = 0
        with self.batch():
            for entry in entries:
                seq = self._replace_index_entry(entry)
                self._conn.executemany(
                    "INSERT OR IGNORE INTO dup_bands(band_key, seq) VALUES (?, ?)",
                    ((key, seq) for key in entry.band_keys),
                )
                stored += 1
        return stored

    def _replace_index_entry(self, entry: IndexEntry) -> int:
        old = self._conn.execute(
            "SELECT seq, band_keys FROM dup_signatures WHERE article_id = ?", (entry.article_id,)
        ).fetchone()
        packed = pack_band_keys(entry.band_keys)
        if old is None:
            cursor = self._conn.execute(
                "INSERT INTO dup_signatures(article_id, cluster_id, signature, band_keys)"
                " VALUES (?, ?, ?, ?)",
                (entry.article_id, entry.cluster_id, entry.signature, packed),
            )
            assert cursor.lastrowid is not None  # an INSERT into a rowid table always has one
            return cursor.lastrowid
        seq = int(old[0])
        self._conn.executemany(
            "DELETE FROM dup_bands WHERE band_key = ? AND seq = ?",
            ((key, seq) for key in unpack_band_keys(bytes(old[1]))),
        )
        self._conn.execute(
            "UPDATE dup_signatures SET cluster_id = ?, signature = ?, band_keys = ? WHERE seq = ?",
            (entry.cluster_id, entry.signature, packed, seq),
        )
        return seq

    def indexed_count(self) -> int:
        """Articles in the near-duplicate index."""
        return int(self._conn.execute("SELECT count(*) FROM dup_signatures").fetchone()[0])

    # -- site-level template profiles (decisions live in the run loop and cleaners.sitelevel) --

    def site_profile(self, domain: str) -> tuple[int, bytes] | None:
        """``(pages, packed line counts)`` saved for ``domain``, None before its first page."""
        row = self._conn.execute(
            "SELECT pages, line_counts FROM site_profiles WHERE domain = ?", (domain,)
        ).fetchone()
        return None if row is None else (int(row[0]), bytes(row[1]))

    def site_page_counted(self, article_id: str) -> bool:
        """Have the site profiles counted this article's lines already (in any run)?"""
        row = self._conn.execute(
            "SELECT 1 FROM site_pages WHERE article_id = ?", (article_id,)
        ).fetchone()
        return row is not None

    def record_site_profiles(
        self,
        profiles: Iterable[tuple[str, int, bytes]],
        counted: Iterable[tuple[str, str]],
    ) -> None:
        """Save ``(domain, pages, line_counts)`` profiles and the ``(article_id, domain)``
        pages they now count, in ONE transaction: a crash keeps both or neither, so no page
        is ever counted twice."""
        with self.batch():
            self._conn.executemany(
                "INSERT INTO site_profiles(domain, pages, line_counts) VALUES (?, ?, ?)"
                " ON CONFLICT(domain) DO UPDATE SET pages = excluded.pages,"
                " line_counts = excluded.line_counts",
                profiles,
            )
            self._conn.executemany(
                "INSERT OR IGNORE INTO site_pages(article_id, domain) VALUES (?, ?)", counted
            )

    def record_page_versions(self, entries: Iterable[tuple[str, str, str]]) -> None:
        """Remember ``(article_id, page_hash, content_hash)`` of committed versions: the page
        text (before site rules) each written text came from. Call it inside the commit."""
        with self.batch():
            self._conn.executemany(
                "INSERT OR IGNORE INTO page_versions(article_id, page_hash, content_hash)"
                " VALUES (?, ?, ?)",
                entries,
            )

    def has_page_version(self, article_id: str, page_hash: str) -> bool:
        """Was a version made from exactly this page text committed, and is it still there?"""
        row = self._conn.execute(
            "SELECT 1 FROM page_versions p JOIN versions v"
            " ON v.article_id = p.article_id AND v.content_hash = p.content_hash"
            " WHERE p.article_id = ? AND p.page_hash = ?",
            (article_id, page_hash),
        ).fetchone()
        return row is not None

    # -- runs --

    def begin_run(self, run_id: str, now: datetime) -> None:
        with self.batch():
            self._conn.execute(
                "INSERT INTO runs(run_id, started_at) VALUES (?, ?)", (run_id, to_micros(now))
            )

    def end_run(
        self,
        run_id: str,
        now: datetime,
        exit_status: int,
        summary_json: str,
        manifest_path: str | None = None,
    ) -> None:
        """Close a run; ``summary_json`` must be a JSON document (checked)."""
        json.loads(summary_json)  # a ValueError here is the caller's bug, not corruption
        with self.batch():
            updated = self._conn.execute(
                "UPDATE runs SET ended_at = ?, exit_status = ?, summary_json = ?,"
                " manifest_path = ? WHERE run_id = ?",
                (to_micros(now), exit_status, summary_json, manifest_path, run_id),
            ).rowcount
        if updated != 1:
            raise KeyError(f"no run {run_id!r} was begun")

    def runs(self, limit: int = 20) -> list[RunRecord]:
        """The latest runs, newest first; a run with ``ended_at=None`` crashed or is running."""
        return [
            RunRecord(
                run_id=row[0],
                started_at=from_micros(row[1]),
                ended_at=_maybe_datetime(row[2]),
                exit_status=row[3],
                summary_json=row[4],
                manifest_path=row[5],
            )
            for row in self._conn.execute(
                "SELECT run_id, started_at, ended_at, exit_status, summary_json, manifest_path"
                " FROM runs ORDER BY started_at DESC, run_id DESC LIMIT ?",
                (limit,),
            )
        ]


def quarantine(path: Path, now: datetime) -> Path | None:
    """Move ``path`` (and its -wal/-shm companions) aside as ``<name>.corrupt-<timestamp>``.

    The companions move too: a stale WAL left beside a fresh database would be replayed into
    it. Returns the new path of the main file, or None when there was nothing to move.
    """
    stamp = now.astimezone(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    moved: Path | None = None
    if path.exists():
        path.rename(target)
        moved = target
    for suffix in ("-wal", "-shm"):
        companion = path.with_name(path.name + suffix)
        if companion.exists():
            # named so sqlite opens the pair together: <target>-wal
            companion.rename(target.with_name(target.name + suffix))
    return moved
