"""Reclean: rebuild a dataset from archived pages with the current cleaners, without network.

::

    archives (WARC/ARC files, dirs, globs, URLs)  --WarcSource-->  archived responses
    -> clean each (clean_html, in order; in killable worker processes under a per-page time cap)
    -> keep articles (the run's own skip_reason: page type, empty, too short)
    -> rows (article_row + warc_filename / warc_record_offset), one per new
       (article_id, content_hash): a version already kept, or already in the dataset, is
       skipped as a duplicate
    -> batches committed through ParquetDataset.commit, partitioned by each record's WARC-Date

Deterministic: the same archives (by content) read by the same newsclean version with the
same options give the same rows in the same files. The run id is derived from the archives'
fingerprints, the versions and the options; files are read in name order, records in file
order; ``fetched_at`` and ``crawl_date`` come from WARC-Date; ``warc_filename`` is the file's
name, not its path. Nothing depends on the clock or on where the archives are.

Into an existing dataset, only versions it does not hold are added: rerunning a reclean that
was stopped (or crashed: every commit is atomic) finishes it without writing anything twice.

The CLI imports this module to register ``reclean``: the cleaners and the output stage
(trafilatura, pyarrow: over a second) are imported by the functions that use them, so
``newsclean --help`` stays instant.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Final, TypeAlias

import click
from rich.console import Console

from newsclean import __version__
from newsclean.pipeline.errors import InputError, PipelineError, RunFailed
from newsclean.pipeline.exitcodes import EXIT_CODE_TABLE
from newsclean.pipeline.lock import RunLock, lock_path
from newsclean.pipeline.summary import RunSummary, render_summary, write_manifest
from newsclean.scraper.errors import FetchError
from newsclean.scraper.records import Skipped
from newsclean.scraper.urls import host_of, normalize_url
from newsclean.scraper.warc import (
    DEFAULT_MAX_BYTES,
    ArchiveError,
    ArchiveFile,
    Expansion,
    WarcResponse,
    WarcSource,
    expand_archives,
)

if TYPE_CHECKING:
    from newsclean.cleaners import Article
    from newsclean.cleaners.fingerprint import FingerprintedArticle
    from newsclean.output.dataset import ParquetDataset
    from newsclean.output.schema import ArticleRow

log = logging.getLogger("newsclean.reclean")

#: rows per committed file (a rebuild is a bulk job: fewer, larger files than a run's)
DEFAULT_COMMIT_EVERY: Final = 5_000
#: as the run config's ``[output] min_words``
DEFAULT_MIN_WORDS: Final = 30
#: archive-level problems (a file, not a page) are counted under this domain
ARCHIVE_DOMAIN: Final = "(archive)"
#: archive-level reasons that mean data could not be read: the exit code becomes PARTIAL
_ARCHIVE_FAILURES: Final = frozenset({"corrupt-archive", "unreadable-archive"})
#: records cleaned ahead of the one being kept, per worker process (bounds memory)
_IN_FLIGHT_PER_WORKER: Final = 4
#: as the run config's ``[run] clean_timeout``: seconds one page may take to clean
DEFAULT_CLEAN_TIMEOUT: Final = 30.0


@dataclass(frozen=True, slots=True)
class RecleanOptions:
    output: Path
    domains: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    since: datetime | None = None  # inclusive, timezone-aware
    until: datetime | None = None  # exclusive, timezone-aware
    min_words: int = DEFAULT_MIN_WORDS
    commit_every: int = DEFAULT_COMMIT_EVERY
    #: cleaning processes (1 = in this process, unless the time cap is on)
    workers: int = 1
    #: seconds one page may take to clean, in a worker process that is killed when it
    #: overruns (the page is then an "extract-timeout" failure); None: no cap
    clean_timeout: float | None = DEFAULT_CLEAN_TIMEOUT
    max_bytes: int = DEFAULT_MAX_BYTES
    #: called after each record (progress display); must be cheap
    on_progress: Callable[[RunSummary], None] | None = None

    def __post_init__(self) -> None:
        if self.commit_every <= 0 or self.workers <= 0 or self.min_words < 0:
            raise ValueError("commit_every and workers must be positive, min_words >= 0")
        if self.clean_timeout is not None and self.clean_timeout <= 0:
            raise ValueError("clean_timeout must be positive (None: no cap)")


@dataclass(frozen=True, slots=True)
class CleanFailure:
    """A page the cleaners failed on (picklable: it comes back from worker processes)."""

    reason: str
    message: str


def reclean(archives: Sequence[str], options: RecleanOptions) -> RunSummary:
    """Rebuild ``options.output`` from ``archives``; the summary says how it went.

    InputError when an archive cannot be found or the output is not a dataset; RunFailed
    (or RunLocked) when the dataset cannot be written.
    """
    from newsclean.output.errors import OutputError

    source = _source(archives, options)
    expansion = _expand(source)
    files = sorted(expansion.files, key=lambda archive: (archive.name, archive.location))
    summary = RunSummary(run_id=reclean_run_id(files, options), started_at=datetime.now(UTC))
    root = options.output
    _check_output(root)
    with RunLock(lock_path(root)):
        dataset = _open_dataset(root)
        rebuild = Rebuild(dataset, options, summary, _committed_keys(dataset))
        try:
            rebuild.feed(_responses(source, files, expansion.open_files), options.workers)
        except KeyboardInterrupt:
            summary.interrupted = True
            log.warning("interrupted: committing the rows cleaned so far")
        except OutputError as exc:
            summary.fatal = str(exc)
        if summary.fatal is None:
            rebuild.commit()
        summary.ended_at = datetime.now(UTC)
        write_manifest(root, summary)
    return summary


def reclean_run_id(files: Sequence[ArchiveFile], options: RecleanOptions) -> str:
    """``reclean-<16 hex>``: a digest of the archives' contents, the versions and options."""
    from newsclean.cleaners import CLEANER_VERSION

    document = {
        "archives": sorted(archive.fingerprint() for archive in files),
        "newsclean": __version__,
        "cleaner": CLEANER_VERSION,
        "domains": sorted(options.domains),
        "languages": sorted(options.languages),
        "since": options.since.isoformat() if options.since else None,
        "until": options.until.isoformat() if options.until else None,
        "min_words": options.min_words,
        "max_bytes": options.max_bytes,
    }
    digest = hashlib.sha256(json.dumps(document, sort_keys=True).encode("utf-8"))
    return f"reclean-{digest.hexdigest()[:16]}"


def _source(archives: Sequence[str], options: RecleanOptions) -> WarcSource:
    try:
        return WarcSource(
            archives,
            domains=options.domains,
            languages=options.languages,
            since=options.since,
            until=options.until,
            max_bytes=options.max_bytes,
        )
    except ValueError as exc:
        raise InputError(str(exc), "", "see newsclean reclean --help") from None


def _expand(source: WarcSource) -> Expansion:
    try:
        return expand_archives(source.specs)
    except ArchiveError as exc:
        raise InputError(exc.message, exc.path, "check the archive paths") from None


def _responses(
    source: WarcSource, files: Sequence[ArchiveFile], left_open: Sequence[str]
) -> Iterator[WarcResponse | Skipped]:
    for path in left_open:
        yield Skipped(path, "source", "open-archive", detail="still being written?")
    for archive in files:
        yield from source.read(archive)


def _check_output(root: Path) -> None:
    """Refuse a folder holding something other than a dataset, before creating anything."""
    from newsclean.output.layout import MARKER_NAME, is_reader_hidden

    if not root.exists() or (root / MARKER_NAME).is_file():
        return
    if not root.is_dir():
        raise InputError("the output is not a folder", str(root), "give a dataset folder")
    if any(not is_reader_hidden(p.name) for p in root.iterdir()):
        raise InputError(
            f"not a newsclean dataset (no {MARKER_NAME}) and not empty",
            str(root),
            "give a new folder or a dataset folder",
        )


def _open_dataset(root: Path) -> ParquetDataset:
    from newsclean.output.dataset import ParquetDataset
    from newsclean.output.errors import OutputError
    from newsclean.pipeline.run import output_failure

    try:
        return ParquetDataset.open(root)
    except OutputError as exc:
        raise output_failure(exc, root) from None


def _committed_keys(dataset: ParquetDataset) -> set[bytes]:
    return {
        _key(article_id, content_hash)
        for path in dataset.files()
        for article_id, content_hash in dataset.read_keys(path)
    }


def _key(article_id: str, content_hash: str) -> bytes:
    # 52 bytes instead of two hex strings: a key set of millions of versions stays small
    return bytes.fromhex(article_id) + bytes.fromhex(content_hash)


# -- cleaning --------------------------------------------------------------------------------


def clean_archived(body: bytes, url: str, content_type: str | None) -> Article | CleanFailure:
    """Clean one archived page here; a failure is a value."""
    from newsclean.cleaners import clean_html
    from newsclean.cleaners.errors import CleanerError

    try:
        return clean_html(body, url, content_type=content_type)
    except CleanerError as exc:
        return CleanFailure(exc.reason, exc.message)
    except Exception as exc:  # one bad page must not stop a rebuild: count it, log it
        log.exception("internal error cleaning %s", url)
        return CleanFailure("internal-error", f"{type(exc).__name__}: {exc}")


Cleaned: TypeAlias = "tuple[WarcResponse | Skipped, Article | CleanFailure | None]"


def cleaned_in_order(
    items: Iterator[WarcResponse | Skipped], workers: int, timeout: float | None = None
) -> Iterator[Cleaned]:
    """Each item with its cleaning outcome (None for a Skipped), in input order.

    One worker and no ``timeout``: each page cleaned here, in turn. Otherwise the run's
    :class:`~newsclean.pipeline.pages.PageCleaner` cleans up to a few records per worker
    ahead (in processes; with ``timeout`` seconds, in killable worker processes, as in
    ``run``: a page that overruns becomes an "extract-timeout" failure and its worker is
    replaced). The order of the results, and so of everything written, is the archives'.
    """
    if timeout is None and workers <= 1:
        for item in items:
            yield item, None if isinstance(item, Skipped) else _clean(item)
        return
    from newsclean.pipeline.pages import PageCleaner

    cleaner = PageCleaner(workers, timeout)
    window: deque[tuple[WarcResponse | Skipped, Future[Article | FingerprintedArticle] | None]]
    window = deque()
    try:
        for item in items:
            job = None
            if isinstance(item, WarcResponse):
                fetch = item.fetch
                job = cleaner.submit(fetch.body, fetch.final_url, fetch.content_type or None)
            window.append((item, job))
            if len(window) >= workers * _IN_FLIGHT_PER_WORKER:
                yield _settled(window.popleft())
        while window:
            yield _settled(window.popleft())
    finally:
        cleaner.close()


def _settled(
    pair: tuple[WarcResponse | Skipped, Future[Article | FingerprintedArticle] | None],
) -> Cleaned:
    from newsclean.cleaners.errors import CleanerError
    from newsclean.cleaners.fingerprint import FingerprintedArticle

    item, job = pair
    if job is None or isinstance(item, Skipped):
        return item, None
    try:
        cleaned = job.result()
    except CleanerError as exc:  # the overrun ("extract-timeout") or the cleaners' failure
        return item, CleanFailure(exc.reason, exc.message)
    except Exception as exc:  # as clean_archived: one bad page must not stop a rebuild
        log.exception("internal error cleaning %s", item.fetch.final_url)
        return item, CleanFailure("internal-error", f"{type(exc).__name__}: {exc}")
    return item, cleaned.article if isinstance(cleaned, FingerprintedArticle) else cleaned


def _clean(item: WarcResponse) -> Article | CleanFailure:
    fetch = item.fetch
    return clean_archived(fetch.body, fetch.final_url, fetch.content_type or None)


# -- the rebuild -----------------------------------------------------------------------------


@dataclass
class Rebuild:
    """Rows kept from cleaned records, buffered per crawl date and committed in batches."""

    dataset: ParquetDataset
    options: RecleanOptions
    summary: RunSummary
    #: (article_id, content_hash) of every version in the dataset or buffered, as bytes
    keys: set[bytes]
    _buffers: dict[date, list[ArticleRow]] = field(default_factory=dict)
    _buffered: int = 0

    def feed(self, items: Iterator[WarcResponse | Skipped], workers: int) -> None:
        for item, outcome in cleaned_in_order(items, workers, self.options.clean_timeout):
            if isinstance(item, Skipped):
                self._skipped(item)
            elif isinstance(outcome, CleanFailure):
                domain = _domain(item.fetch.final_url)
                self.summary.count(domain, "fetched")
                self.summary.skip(domain, "clean", outcome.reason, "failed")
                log.warning("clean failed: %s (%s)", outcome.message, item.fetch.final_url)
            elif outcome is not None:
                self._cleaned(item, outcome)
            if self.options.on_progress is not None:
                self.options.on_progress(self.summary)

    def _skipped(self, skipped: Skipped) -> None:
        if skipped.reason in _ARCHIVE_FAILURES or skipped.reason == "open-archive":
            failed = skipped.reason in _ARCHIVE_FAILURES
            self.summary.skip(
                ARCHIVE_DOMAIN, skipped.stage, skipped.reason, "failed" if failed else "skipped"
            )
            log.warning("%s: %s (%s)", skipped.reason, skipped.detail, skipped.url)
            return
        domain = _domain(skipped.url)
        self.summary.count(domain, "fetched")
        self.summary.skip(domain, skipped.stage, skipped.reason)

    def _cleaned(self, item: WarcResponse, article: Article) -> None:
        from newsclean.output.schema import article_row
        from newsclean.output.warc import with_warc_location
        from newsclean.pipeline.run import skip_reason

        fetch = item.fetch
        domain = _domain(fetch.final_url)
        self.summary.count(domain, "fetched")
        reason = skip_reason(article, self.options.min_words)
        if reason is not None:
            self.summary.skip(domain, "clean", reason)
            return
        row = article_row(
            article, fetch, run_id=self.summary.run_id, normalized_url=_normalized(fetch.final_url)
        )
        key = _key(row.article_id, row.content_hash)
        if key in self.keys:
            self.summary.skip(domain, "dedup", "duplicate")
            return
        self.keys.add(key)
        day = fetch.fetched_at.astimezone(UTC).date()
        self._buffers.setdefault(day, []).append(with_warc_location(row, item.location))
        self._buffered += 1
        self.summary.count(domain, "kept")
        if self._buffered >= self.options.commit_every:
            self.commit()

    def commit(self) -> None:
        """Commit every buffered row: one file per crawl date, oldest first."""
        buffers, self._buffers, self._buffered = self._buffers, {}, 0
        for day in sorted(buffers):
            committed = self.dataset.commit(
                buffers[day], crawl_date=day, run_id=self.summary.run_id
            )
            self.summary.rows_written += committed.rows
            self.summary.files_written += 1
            log.info("committed %d rows to %s", committed.rows, committed.path.name)


def _normalized(url: str) -> str | None:
    try:
        return normalize_url(url)
    except FetchError:
        return None  # article_row falls back to the URL as given


def _domain(url: str) -> str:
    try:
        return host_of(url) or "(none)"
    except FetchError:
        return "(invalid)"


# -- command line ----------------------------------------------------------------------------


EXIT_CODES_HELP: Final = "Exit codes:\n\n\b\n" + EXIT_CODE_TABLE


def parse_moment(value: str) -> datetime:
    """``YYYY-MM-DD`` or an ISO 8601 time; without a zone it is UTC."""
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise click.BadParameter(f"{value!r} is not YYYY-MM-DD or an ISO 8601 time") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def moment_option(ctx: click.Context, param: click.Parameter, value: str | None) -> datetime | None:
    """Click callback of ``--since`` / ``--until``."""
    return None if value is None else parse_moment(value)


def run_guarded(ctx: click.Context, action: Callable[[], RunSummary]) -> RunSummary:
    """Run ``action``; a known error becomes one line and its exit code (``--debug``: raise)."""
    from newsclean.output.errors import OutputError
    from newsclean.pipeline.run import output_failure

    debug = bool((ctx.find_root().obj or {}).get("debug"))
    try:
        return action()
    except PipelineError as exc:
        if debug:
            raise
        click.echo(exc.one_line(), err=True)
        ctx.exit(int(exc.exit_code))
    except OutputError as exc:
        if debug:
            raise
        click.echo(output_failure(exc, Path()).one_line(), err=True)
        ctx.exit(int(RunFailed.exit_code))
    raise AssertionError("unreachable")  # pragma: no cover


@click.command("reclean", epilog=EXIT_CODES_HELP)
@click.argument("archives", nargs=-1, required=True, metavar="ARCHIVE...")
@click.option(
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Dataset folder to rebuild into (new, or a dataset: only missing rows are added).",
)
@click.option("--domain", "domains", multiple=True, help="Keep only this domain (repeatable).")
@click.option(
    "--language", "languages", multiple=True, help="Keep only this declared language, e.g. en."
)
@click.option(
    "--since",
    callback=moment_option,
    metavar="DATE",
    help="Keep records from this WARC-Date on (UTC).",
)
@click.option(
    "--until",
    callback=moment_option,
    metavar="DATE",
    help="Keep records before this WARC-Date (UTC).",
)
@click.option(
    "--min-words", type=click.IntRange(min=0), default=DEFAULT_MIN_WORDS, show_default=True
)
@click.option(
    "--commit-every",
    type=click.IntRange(min=1),
    default=DEFAULT_COMMIT_EVERY,
    show_default=True,
    help="Rows per committed file.",
)
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True)
@click.option(
    "--clean-timeout",
    type=click.FloatRange(0, 3600),
    default=DEFAULT_CLEAN_TIMEOUT,
    show_default=True,
    help="Seconds one page may take to clean; 0: no cap.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.option("--progress/--no-progress", default=None, help="Live progress (default: on a TTY).")
@click.pass_context
def reclean_command(
    ctx: click.Context,
    archives: tuple[str, ...],
    output: Path,
    domains: tuple[str, ...],
    languages: tuple[str, ...],
    since: datetime | None,
    until: datetime | None,
    min_words: int,
    commit_every: int,
    workers: int,
    clean_timeout: float,
    as_json: bool,
    progress: bool | None,
) -> None:
    """Rebuild a dataset from WARC/ARC archives with the current cleaners (no network).

    ARCHIVE is a file, a folder, a glob or (with fsspec installed) a URL. The same archives
    and newsclean version always give the same dataset.

    \b
    Examples:
      newsclean reclean news-archive --output rebuilt
      newsclean reclean 'cc-news/*.warc.gz' --output de-news --language de --workers 2
      newsclean reclean a.warc.gz --output rebuilt --since 2024-01-01 --until 2024-02-01
    """
    from newsclean.pipeline.progress import live_progress

    console = Console(stderr=True, highlight=False, soft_wrap=True)
    show = progress if progress is not None else (not as_json and console.is_terminal)
    with live_progress(console, enabled=show) as on_progress:
        options = RecleanOptions(
            output=output,
            domains=domains,
            languages=languages,
            since=since,
            until=until,
            min_words=min_words,
            commit_every=commit_every,
            workers=workers,
            clean_timeout=clean_timeout or None,
            on_progress=on_progress,
        )
        summary = run_guarded(ctx, lambda: reclean(list(archives), options))
    if as_json:
        click.echo(json.dumps(summary.to_json()))
    else:
        render_summary(summary, Console(highlight=False, soft_wrap=True))
    ctx.exit(int(summary.exit_code))
