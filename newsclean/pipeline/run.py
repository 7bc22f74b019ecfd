"""The batch run: sources -> polite fetch -> clean -> dedup -> atomic commits, with state.

One run, start to end::

    lock the dataset  ->  reconcile state with the files on disk (crash recovery)
    -> discover: URLs left pending by earlier runs, then every source (feeds, sitemaps, lists),
       normalised, deduplicated, and only those the state says are due
    -> fetch them concurrently (politeness, robots.txt, retries: PoliteFetcher)
    -> clean each page in killable worker processes (capped at ``[run] clean_timeout``)
    -> remove the lines its site repeats on many pages (SiteTemplates, ``[run] site_rules``)
    -> keep new article versions; commit them in batches: an atomic Parquet file first, then
       ONE state transaction registering the file, its versions and its URLs
    -> remember feed/sitemap validators only once everything they listed is committed
    -> summary + manifest

Exactly-once under ``kill -9``: the state never leads the dataset. A URL counts as done only in
the transaction that registers the file holding its row; a file that reached the dataset but
not the state is registered from its own contents on the next run (:func:`reconcile`), so a
rerun refetches the URL, finds that version already committed, and writes nothing twice.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import shutil
import signal
import sqlite3
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from itertools import islice
from pathlib import Path

import httpx

from newsclean.cleaners import Article
from newsclean.cleaners.errors import CleanerError
from newsclean.cleaners.fingerprint import TextFingerprint
from newsclean.cleaners.sitelevel import (
    ProfileFormatError,
    SiteProfile,
    apply_site_rules,
    domain_of,
)
from newsclean.output.dataset import ParquetDataset, check_dataset_dir
from newsclean.output.errors import CorruptDataFile, OutputError
from newsclean.output.errors import DiskFull as OutputDiskFull
from newsclean.output.parquet import DISK_FULL_ERRNOS
from newsclean.output.schema import ArticleRow, article_row, rows_to_table, sha256_hex
from newsclean.output.warc import WarcArchiveWriter, with_warc_location
from newsclean.pipeline.config import (
    Config,
    FeedConfig,
    RobotsConfig,
    SitemapConfig,
    SourceConfig,
    UrlListConfig,
    WarcConfig,
    check_url_lists,
)
from newsclean.pipeline.dedup import DuplicateIndex
from newsclean.pipeline.errors import ConfigError, DiskFull, PipelineError, RunFailed
from newsclean.pipeline.lock import RunLock, lock_path
from newsclean.pipeline.pages import (
    LocalPages,
    PageEngine,
    PageOutcome,
    clean_outcome,
    clean_page,
    cleans_in_process,
)
from newsclean.pipeline.state import STATUS_NOT_MODIFIED, STATUS_OK, RunState
from newsclean.pipeline.summary import Outcome, RunSummary, write_manifest
from newsclean.scraper.errors import FetchError
from newsclean.scraper.feeds import FeedSource
from newsclean.scraper.fetch import FetchOptions
from newsclean.scraper.polite import PoliteFetcher, PolitenessOptions
from newsclean.scraper.records import FetchResult, Skipped
from newsclean.scraper.sitemaps import RobotsSitemapSource, SitemapSource
from newsclean.scraper.sources import (
    Accept,
    Source,
    SourceFilters,
    SourceItem,
    UrlListSource,
    read_source,
)
from newsclean.scraper.urls import host_of, is_http_url, normalize_url
from newsclean.scraper.warc import WarcLocation, WarcResponse, WarcSource

log = logging.getLogger("newsclean.run")


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class RunOptions:
    run_id: str | None = None
    #: rows per committed file; None = the config's ``[run] commit_every``
    commit_every: int | None = None
    #: injected into the HTTP client (tests); None = the network
    transport: httpx.AsyncBaseTransport | None = None
    now: Callable[[], datetime] = utc_now
    #: builds the page engine (fetch + clean of one URL); None = LocalPages
    engine: Callable[[Config, PoliteFetcher], PageEngine] | None = None
    #: called after each URL is done with (progress display); must be cheap
    on_progress: Callable[[RunSummary], None] | None = None
    install_signal_handlers: bool = True


def new_run_id(now: datetime) -> str:
    return f"{now.strftime('%Y%m%dT%H%M%SZ')}-{uuid.uuid4().hex[:8]}"


#: failures that stop a whole run (the dataset, its disk or its state), not just one page
RUN_STOPPERS = (OutputError, OSError, sqlite3.Error, PipelineError)
_SQLITE_FULL = 13  # sqlite3's result code for "database or disk is full"
_NEARLY_FULL_BYTES = 1024 * 1024


def run(config: Config, options: RunOptions | None = None) -> RunSummary:
    """Run the batch described by ``config`` once; the summary says how it went.

    A failure that stops the run (the dataset unwritable, its disk full, its state unusable)
    is raised as :class:`RunFailed` (:class:`DiskFull` for a full disk) once the work
    committed before it is recorded; the next run goes on from there.
    """
    check_url_lists(config)
    check_source_urls(config)
    opts = options or RunOptions()
    root = config.output.dataset
    started = opts.now()
    summary = RunSummary(run_id=opts.run_id or new_run_id(started), started_at=started)
    try:
        check_dataset_dir(root)  # before _make_folders puts a _state folder into it
        _make_folders(root)
        with RunLock(lock_path(root)):
            dataset = _open_dataset(root)  # also cleans up after crashed writers
            _run_locked(config, opts, dataset, summary)
    except (OutputError, OSError, sqlite3.Error) as exc:
        raise run_failure(exc, root) from exc
    return summary


def check_source_urls(config: Config) -> None:
    """A feed, sitemap or robots source whose URL cannot be fetched is a config mistake."""
    for index, source in enumerate(config.sources):
        if isinstance(source, FeedConfig | SitemapConfig | RobotsConfig) and not is_http_url(
            source.url
        ):
            raise ConfigError(
                f"invalid config: sources[{index}].url: not an http(s) URL",
                source.url,
                "fix the key named",
            )


def _run_locked(
    config: Config, opts: RunOptions, dataset: ParquetDataset, summary: RunSummary
) -> None:
    root = dataset.root
    with _open_state(root, config) as state:
        dedup = DuplicateIndex(state)
        reconcile(dataset, state, dedup, on_corrupt=lambda _: _count_corrupt_file(summary))
        started = summary.started_at
        state.begin_run(summary.run_id, started)
        try:
            asyncio.run(BatchRun(config, opts, dataset, state, summary, dedup).execute())
        except RUN_STOPPERS as exc:
            failure = run_failure(exc, root)
            summary.fatal = failure.one_line()
            _end_run(root, state, summary, opts.now(), after_failure=True)
            raise failure from exc
        except BaseException:
            _end_run(root, state, summary, opts.now(), after_failure=True)
            raise
        _end_run(root, state, summary, opts.now(), after_failure=False)


def _end_run(
    root: Path, state: RunState, summary: RunSummary, now: datetime, *, after_failure: bool
) -> None:
    """Save the manifest and close the run's record in the state.

    After a failure (a full disk, most often) this is best effort: that failure is what the
    user must hear about, and the next run needs neither record.
    """
    summary.ended_at = now
    try:
        manifest = write_manifest(root, summary)
        state.end_run(
            summary.run_id, summary.ended_at, int(summary.exit_code), _json(summary), str(manifest)
        )
    except (OSError, sqlite3.Error) as exc:
        if not after_failure:
            raise
        log.info("run record not saved after the failure: %s", exc)


def _count_corrupt_file(summary: RunSummary) -> None:
    summary.skip("(dataset)", "dataset", "corrupt-file", "failed")


def is_disk_full(exc: BaseException | None) -> bool:
    """Is a full disk (or quota) at the root of ``exc``, whichever layer reported it?"""
    depth = 0
    while exc is not None and depth < 8:  # a cause chain is short; the bound is for cycles
        if isinstance(exc, OutputDiskFull):
            return True
        if isinstance(exc, OSError) and exc.errno in DISK_FULL_ERRNOS:
            return True
        code = getattr(exc, "sqlite_errorcode", 0) if isinstance(exc, sqlite3.Error) else 0
        if code & 0xFF == _SQLITE_FULL:  # extended result codes keep the primary in the low byte
            return True
        exc = exc.__cause__ or exc.__context__
        depth += 1
    return False


def run_failure(exc: Exception, root: Path) -> PipelineError:
    """What stopped a run, as the one line the user sees; a full disk is said as such."""
    if isinstance(exc, PipelineError):
        return exc
    if is_disk_full(exc) or no_space_left(root):
        return disk_full(root)
    if isinstance(exc, OutputError):
        return output_failure(exc, root)
    if isinstance(exc, sqlite3.Error):
        from newsclean.pipeline.state import state_path

        return RunFailed(
            f"run state unusable: {exc}",
            str(state_path(root)),
            "check its disk; or delete it: the next run rebuilds it from the dataset",
        )
    if isinstance(exc, OSError):
        where = exc.filename if exc.filename is not None else root
        return RunFailed(
            f"cannot write to the dataset: {exc.strerror or exc}",
            str(where),
            "check the folder's permissions and its disk",
        )
    raise AssertionError(f"not a run failure: {exc!r}")  # pragma: no cover


def no_space_left(root: Path) -> bool:
    """Is the filesystem of ``root`` (or of its nearest existing parent) about full?

    Some layers report a full disk without ENOSPC (SQLite growing its shared-memory file
    answers SQLITE_IOERR), so a failure on a disk with less than 1 MiB left is said to be
    the full disk it most likely is.
    """
    existing = next((p for p in (root, *root.parents) if p.exists()), None)
    if existing is None:
        return False
    try:
        return shutil.disk_usage(existing).free < _NEARLY_FULL_BYTES
    except OSError:
        return False


def disk_full(root: Path) -> DiskFull:
    return DiskFull(
        "disk full: No space left on device",
        str(root),
        "free space on that disk, then run again: work committed so far is kept",
    )


def _json(summary: RunSummary) -> str:
    return json.dumps(summary.to_json())


def relative_name(dataset: ParquetDataset, path: Path) -> str:
    """How the state names a data file: its path inside the dataset, with forward slashes."""
    return path.relative_to(dataset.root).as_posix()


def _make_folders(root: Path) -> None:
    """The dataset folder and its ``_state`` folder, where the lock lives (hidden from readers)."""
    try:
        lock_path(root).parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        if is_disk_full(exc):
            raise disk_full(root) from exc
        raise RunFailed(
            f"cannot create the dataset folder: {exc.strerror}",
            str(root),
            "fix [output] dataset in the config",
        ) from None


def _open_dataset(root: Path) -> ParquetDataset:
    try:
        return ParquetDataset.open(root)
    except OutputError as exc:
        raise output_failure(exc, root) from None


def output_failure(exc: OutputError, root: Path) -> RunFailed:
    """An output error as one user-facing line (its own what, where and hint, not repeated)."""
    if is_disk_full(exc):
        return disk_full(root)
    where = exc.where if exc.where is not None else root
    return RunFailed(exc.what, str(where), exc.hint)


def _open_state(root: Path, config: Config) -> RunState:
    from newsclean.pipeline.state import StateCorrupt, state_path

    refetch = config.run.refetch_after
    try:
        return RunState.for_dataset(root, refetch_after=refetch)
    except StateCorrupt:
        # the dataset is the source of truth: start an empty state and reconcile from it
        return RunState.rebuild(state_path(root), refetch_after=refetch)


def reconcile(
    dataset: ParquetDataset,
    state: RunState,
    dedup: DuplicateIndex | None = None,
    on_corrupt: Callable[[CorruptDataFile], None] | None = None,
) -> tuple[int, int]:
    """Make the state agree with the files on disk; returns (files forgotten, files adopted).

    Files gone from disk (compaction replaced them) are forgotten first, then files the state
    does not know (a crash after the rename, or a compaction's merged file) are registered
    from their own (article_id, content_hash) columns. A file that cannot be read is logged,
    passed to ``on_corrupt`` and left where it is, unregistered: never deleted (its bytes may
    be all that is left of its rows); its articles are fetched again as if it were absent.
    """
    on_disk = {relative_name(dataset, path): path for path in dataset.files()}
    known = state.known_files()
    gone = known - on_disk.keys()
    forgotten = state.forget_files(gone) if gone else 0
    adopted = 0
    for name in sorted(on_disk.keys() - known):
        try:
            _adopt_file(dataset, state, dedup, name, on_disk[name])
        except CorruptDataFile as exc:
            log.warning("corrupt data file left in place, not read: %s", exc)
            if on_corrupt is not None:
                on_corrupt(exc)
            continue
        adopted += 1
    if forgotten or adopted:
        log.info("state reconciled: %d files forgotten, %d adopted", forgotten, adopted)
    return forgotten, adopted


def _adopt_file(
    dataset: ParquetDataset, state: RunState, dedup: DuplicateIndex | None, name: str, path: Path
) -> None:
    keys = list(dataset.read_keys(path))  # all read before anything is registered
    state.record_commit(name, keys)
    if dedup is not None:  # rows written before a crash keep the clusters they were given
        dedup.adopt_file(path)


# -- the run itself ------------------------------------------------------------------------


@dataclass(slots=True)
class _Pending:
    """A kept article version waiting for its batch to be committed."""

    row: ArticleRow
    state_url: str
    etag: str | None
    last_modified: str | None
    #: content hash of the text before site rules (the row's own, when they removed nothing)
    page_hash: str


@dataclass(slots=True)
class _Held:
    """A new page on its way to the buffer: its row as cleaned, before site rules."""

    pending: _Pending
    article: Article
    #: the site its template is learnt for (:func:`newsclean.cleaners.sitelevel.domain_of`)
    site: str | None
    #: the summary's domain of the URL
    domain: str
    #: the near-duplicate fingerprint of ``article.text``, made where it was cleaned; the
    #: index uses it only while the row still has that text (see DuplicateIndex.assign)
    fingerprint: TextFingerprint | None = None


#: pages held back, over all sites, while their sites have too few pages to judge
MAX_HELD_PAGES = 1000


class SiteTemplates:
    """Site-level template removal in the run loop, with its profiles kept in the state.

    Lines a site repeats on many of its pages are its template, not its news
    (:mod:`newsclean.cleaners.sitelevel`). Design, given that a run commits as it goes:

    * **Profiles persist and accumulate.** One :class:`SiteProfile` entry per site, loaded
      from the state the first time a run meets the site, saved (only the sites that
      changed) in every commit's transaction and at the end of the run. Each article is
      counted once, ever: the articles counted are saved with the profiles, in the same
      transaction, so neither a refetch nor a crash counts a page twice.
    * **New sites wait for evidence, within a commit.** While a site has fewer than
      ``min_pages`` pages, its new pages are held back; when its ``min_pages``-th page
      arrives they are all judged together. Held pages count toward ``commit_every`` (it
      bounds the work a crash can lose): when held and buffered pages reach it, the held
      ones go into that commit as they are judged then, like the pages of a site still too
      small at the end of the run. At most :data:`MAX_HELD_PAGES` are held whatever
      ``commit_every`` is (the site that waited longest is released first).
    * **A row is judged once.** Rules are applied with the profile as it is when the page
      is released, and the version written keeps that text. Whether a refetched page is a
      new version is decided on the text *before* site rules (``page_versions`` in the
      state, checked before any rule runs), so a profile that grew since, and would now
      remove one more line, does not turn an unchanged article into a new version; and a
      page that changed only in lines the rules remove (a "3 hours ago") matches the
      version already written and is not one either.

    Limit: rows of a file registered from disk after a crash (:func:`reconcile`) have no
    ``page_versions`` entry; if the profile changed between the crashed run and the rerun,
    such an article can get a second version (never a duplicate ``(article_id,
    content_hash)``). Disabled (``[run] site_rules = false``) every page passes unchanged.
    """

    def __init__(self, state: RunState, *, enabled: bool, max_held: int = MAX_HELD_PAGES) -> None:
        self.enabled = enabled
        self.profile = SiteProfile()
        self._state = state
        self._max_held = max_held
        self._loaded: set[str] = set()
        self._dirty: set[str] = set()
        #: article_id -> site, counted in the profile but not yet saved
        self._counted: dict[str, str] = {}
        #: site -> its held pages; insertion order is the order sites started waiting
        self._held: dict[str, list[_Held]] = {}
        self._held_count = 0

    def admit(self, page: _Held) -> list[_Held]:
        """Count ``page`` in its site's profile; the pages now ready for :meth:`apply`."""
        site = page.site
        if not self.enabled or site is None:
            return [page]
        self._load(site)
        self._count(site, page)
        if self.profile.pages_seen(site) >= self.profile.min_pages:
            ready = self._held.pop(site, [])
            self._held_count -= len(ready)
            return [*ready, page]
        self._held.setdefault(site, []).append(page)
        self._held_count += 1
        return self._release_oldest() if self._held_count > self._max_held else []

    @property
    def held(self) -> int:
        """Pages held back, over all sites."""
        return self._held_count

    def drain(self) -> list[_Held]:
        """Every held page (the run is ending): judged on what their sites have so far."""
        pages = [page for held in self._held.values() for page in held]
        self._held.clear()
        self._held_count = 0
        return pages

    def apply(self, page: _Held) -> ArticleRow:
        """The row of ``page`` without the lines its site's profile knows as template."""
        row = page.pending.row
        if not self.enabled or page.site is None:
            return row
        article = apply_site_rules(page.article, self.profile, page.site)
        if article is page.article:
            return row
        return replace(
            row,
            text=article.text,
            markdown=article.markdown,
            removals=article.removals,
            content_hash=sha256_hex(article.text.encode("utf-8")),
        )

    def save(self) -> None:
        """Write the changed profiles and the pages they count (joins an open transaction)."""
        if not self._dirty:
            return
        profiles = [(site, *self.profile.export_domain(site)) for site in sorted(self._dirty)]
        self._state.record_site_profiles(profiles, list(self._counted.items()))
        self._dirty.clear()
        self._counted.clear()

    def _load(self, site: str) -> None:
        if site in self._loaded:
            return
        self._loaded.add(site)
        saved = self._state.site_profile(site)
        if saved is None:
            return
        try:
            self.profile.load_domain(site, *saved)
        except ProfileFormatError as exc:  # a profile is evidence, not data: start it again
            log.warning("site profile of %s unreadable, starting it again: %s", site, exc)

    def _count(self, site: str, page: _Held) -> None:
        article_id = page.pending.row.article_id
        if article_id in self._counted or self._state.site_page_counted(article_id):
            return
        self.profile.observe(site, page.article)
        self._counted[article_id] = site
        self._dirty.add(site)

    def _release_oldest(self) -> list[_Held]:
        oldest = next(iter(self._held))
        released = self._held.pop(oldest)
        self._held_count -= len(released)
        return released


@dataclass(slots=True)
class _Job:
    url: str  # normalised: the state key, and what is fetched
    refetch: bool = False
    #: a response read from a WARC source: cleaned, never fetched
    archived: WarcResponse | None = None


@dataclass
class BatchRun:
    config: Config
    options: RunOptions
    dataset: ParquetDataset
    state: RunState
    summary: RunSummary
    dedup: DuplicateIndex
    _seen: set[str] = field(default_factory=set)
    _buffer: list[_Pending] = field(default_factory=list)
    _buffer_keys: set[tuple[str, str]] = field(default_factory=set)
    #: (article_id, page hash) of the pages held or buffered: a second copy in the run is
    #: "unchanged" before any rule runs
    _page_keys: set[tuple[str, str]] = field(default_factory=set)
    site: SiteTemplates = field(init=False)
    _source_validators: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)
    _seq: int = 0
    #: the raw archive ([output] archive), open for the whole run
    archive: WarcArchiveWriter | None = None
    #: the failure that stopped the run (a worker's commit on a full disk, ...), if any
    _fatal: Exception | None = None
    _stop: asyncio.Event | None = None

    def __post_init__(self) -> None:
        self.site = SiteTemplates(self.state, enabled=self.config.run.site_rules)

    async def execute(self) -> None:
        output = self.config.output
        if output.archive is not None:
            self.archive = WarcArchiveWriter(
                output.archive, run_id=self.summary.run_id, max_bytes=output.archive_max_bytes
            )
        try:
            await self._execute()
        finally:
            if self.archive is not None:
                self.archive.close()  # after the last commit; a crash leaves it to salvage

    async def _execute(self) -> None:
        fetch_config = self.config.fetch
        concurrency = fetch_config.concurrency
        queue: asyncio.Queue[_Job] = asyncio.Queue(maxsize=concurrency * 2)
        stop = self._stop = asyncio.Event()
        self._install_signal_handlers(stop)
        engine: PageEngine | None = None
        try:
            async with PoliteFetcher(
                politeness(self.config), transport=self.options.transport
            ) as fetcher:
                self.fetcher = fetcher
                self.engine = engine = self._make_engine(fetcher)
                workers = [asyncio.create_task(self._worker(queue)) for _ in range(concurrency)]
                producer = asyncio.create_task(self._discover(queue, stop))
                finished = asyncio.create_task(_all_done(producer, queue))
                stopped = asyncio.create_task(stop.wait())
                done, _ = await asyncio.wait(
                    {finished, stopped}, return_when=asyncio.FIRST_COMPLETED
                )
                for task in (producer, finished, stopped, *workers):
                    task.cancel()
                await asyncio.gather(producer, finished, stopped, *workers, return_exceptions=True)
                if self._fatal is not None:
                    pass  # raised below, once the engine is closed
                elif finished in done:
                    finished.result()  # a bug in discovery surfaces here
                else:
                    self.summary.interrupted = True
        finally:
            if engine is not None:
                engine.close()
            self._remove_signal_handlers()
        if self._fatal is not None:
            # the buffered rows are not committed: their URLs are not done in the state, so
            # the next run fetches them again
            raise self._fatal
        for page in self.site.drain():
            self._buffer_page(page)
        self.commit()
        with self.state.batch():
            self.site.save()  # sites whose pages were all unchanged, or none committed
        if not self.summary.interrupted:
            self._save_source_validators()
        signatures = self.dedup.signatures
        self.summary.signatures_received = signatures.received
        self.summary.signatures_computed = signatures.computed
        log.info(
            "near-duplicate signatures: %d made by the cleaning workers, %d on the driver",
            signatures.received,
            signatures.computed,
        )

    async def _clean_archived(self, url: str, archived: WarcResponse) -> PageOutcome:
        """Archived responses are cleaned like fetched ones: by the engine's capped cleaner
        when it is local; otherwise in a thread of this process."""
        if isinstance(self.engine, LocalPages):
            return await self.engine.cleaner.clean(url, archived.fetch)
        return await _clean_in_thread(url, archived)

    def _make_engine(self, fetcher: PoliteFetcher) -> PageEngine:
        factory = self.options.engine
        if factory is not None:
            return factory(self.config, fetcher)
        run = self.config.run
        # fingerprints only from other processes: in the driver's thread they cost the driver
        # as much, and for pages it then drops (see newsclean.pipeline.pages)
        in_process = cleans_in_process(run.workers, run.clean_cap)
        spec = None if in_process else self.dedup.options.minhash_spec()
        return LocalPages(fetcher, run.workers, run.clean_cap, fingerprint=spec)

    # -- signals --

    def _install_signal_handlers(self, stop: asyncio.Event) -> None:
        if not self.options.install_signal_handlers:
            return
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, self._on_signal, stop, signum)

    def _on_signal(self, stop: asyncio.Event, signum: int) -> None:
        log.warning(
            "%s received: committing finished work and stopping", signal.Signals(signum).name
        )
        stop.set()

    def _remove_signal_handlers(self) -> None:
        if not self.options.install_signal_handlers:
            return
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.remove_signal_handler(signum)

    # -- discovery --

    async def _discover(self, queue: asyncio.Queue[_Job], stop: asyncio.Event) -> None:
        now = self.options.now()
        for url in self.state.pending_urls(now):
            await self._enqueue(queue, url, now, source="pending")
        documents = SourceDocuments(self)
        await asyncio.gather(
            *(
                self._read_archives(config, queue, now)
                if isinstance(config, WarcConfig)
                else self._read(config, documents, queue, now)
                for config in self.config.sources
            )
        )

    async def _read(
        self,
        config: SourceConfig,
        documents: SourceDocuments,
        queue: asyncio.Queue[_Job],
        now: datetime,
    ) -> None:
        source = build_source(config)
        filters = SourceFilters(
            include=config.include,
            exclude=config.exclude,
            max_age=config.max_age,
            max_items=config.max_items,
        )
        async for out in read_source(source, documents, filters, now=now):
            if isinstance(out, SourceItem):
                self.summary.sources[source.name] += 1
                await self._enqueue(queue, out.url, now, source=source.name)
            else:
                self.summary.skip(_domain(out.url), out.stage, out.reason)
                if out.reason not in {"filtered-pattern", "too-old", "max-items"}:
                    log.warning("source %s: %s %s", source.name, out.reason, out.url)

    async def _read_archives(
        self, config: WarcConfig, queue: asyncio.Queue[_Job], now: datetime
    ) -> None:
        """Queue the archived responses of a WARC source: cleaned like fetched pages."""
        source = WarcSource(
            config.paths,
            domains=config.domains,
            languages=config.languages,
            since=config.since,
            until=config.until,
            name=config.name or "warc",
        )
        filters = SourceFilters(
            include=config.include, exclude=config.exclude, max_age=config.max_age
        )
        kept = 0
        # records are read between awaits, one at a time (a few ms each): the queue's bound
        # keeps the reading just ahead of the cleaning
        for out in source.responses():
            rejection = out if isinstance(out, Skipped) else _archived_rejection(out, filters, now)
            if rejection is not None:
                failed = rejection.reason in ARCHIVE_FAILURES
                outcome: Outcome = "failed" if failed else "skipped"
                self.summary.skip(
                    _domain(rejection.url), rejection.stage, rejection.reason, outcome
                )
                continue
            assert isinstance(out, WarcResponse)
            if config.max_items is not None and kept >= config.max_items:
                self.summary.skip(_domain(out.fetch.final_url), "source", "max-items")
                return
            kept += 1
            self.summary.sources[source.name] += 1
            url = _normalized_or(out.fetch.final_url, out.fetch.final_url)
            await queue.put(_Job(url, archived=out))

    async def _enqueue(
        self, queue: asyncio.Queue[_Job], raw_url: str, now: datetime, source: str
    ) -> None:
        try:
            url = normalize_url(raw_url)
        except FetchError:
            self.summary.skip(_domain(raw_url), "source", "invalid-url")
            return
        if url in self._seen:
            return
        self._seen.add(url)
        domain = _domain(url)
        self.summary.count(domain, "discovered")
        known = self.state.url_state(url)
        if known is None:
            self.state.record_discovered([url], now)
        elif not self.state.is_due(url, now):
            self.summary.skip(domain, "state", "not-due")
            return
        await queue.put(_Job(url, refetch=known is not None and known.last_fetch is not None))

    # -- per URL --

    async def _worker(self, queue: asyncio.Queue[_Job]) -> None:
        while True:
            job = await queue.get()
            try:
                await self._process_one(job)
            except RUN_STOPPERS as exc:
                # a commit or a state write failed: stop the whole run now, or the other
                # workers would fail the same way (or wait forever on a dead queue)
                self._stop_run(exc)
                return
            finally:
                queue.task_done()
                if self.options.on_progress is not None:
                    self.options.on_progress(self.summary)

    async def _process_one(self, job: _Job) -> None:
        try:
            await self._process(job)
        except RUN_STOPPERS:
            raise
        except Exception:  # one bad page must not stop the run: count it, log it
            log.exception("internal error on %s", job.url)
            self.summary.skip(_domain(job.url), "pipeline", "internal-error", "failed")
            self.state.record_failure(job.url, "internal-error", self.options.now(), True)

    def _stop_run(self, exc: Exception) -> None:
        if self._fatal is None:
            self._fatal = exc
        if self._stop is not None:
            self._stop.set()

    async def _process(self, job: _Job) -> None:
        if job.archived is not None:
            outcome = await self._clean_archived(job.url, job.archived)
            self.apply(outcome, job.archived.location)
            return
        etag, last_modified = self.state.validators(job.url) if job.refetch else (None, None)
        outcome = await self.engine.process(job.url, etag=etag, last_modified=last_modified)
        self.apply(outcome)

    def apply(self, outcome: PageOutcome, location: WarcLocation | None = None) -> None:
        """Count an outcome, record it in the state, and keep its article if it is new.

        ``location``: where the response is archived already (a WARC source); otherwise a
        fetched response goes to the raw archive, when there is one.
        """
        url, domain, now = outcome.url, _domain(outcome.url), self.options.now()
        result, failure = outcome.result, outcome.failure
        if result is None:
            assert failure is not None
            self.state.record_failure(
                url, failure.reason, now, failure.transient, failure.retry_after
            )
            if failure.kind == "failed":
                log.warning("fetch failed: %s (%s)", failure.reason, url)
            self.summary.skip(domain, failure.stage, failure.reason, failure.kind)
            return
        if result.status == 304:
            self.summary.count(domain, "not-modified")
            self.state.record_fetch(url, STATUS_NOT_MODIFIED, now)
            return
        self.summary.count(domain, "fetched")
        if location is None and self.archive is not None:
            location = self.archive.write(result)
        if failure is not None:
            self.summary.skip(domain, failure.stage, failure.reason, failure.kind)
            self.state.record_failure(url, failure.reason, now, transient=False)
            return
        assert outcome.article is not None
        reason = skip_reason(outcome.article, self.config.output.min_words)
        if reason is not None:
            self.summary.skip(domain, "clean", reason)
            self.state.record_fetch(url, reason, now, *_validators(result))
            return
        self._keep(url, domain, outcome.article, result, location, outcome.fingerprint)

    def _keep(
        self,
        url: str,
        domain: str,
        article: Article,
        result: FetchResult,
        location: WarcLocation | None = None,
        fingerprint: TextFingerprint | None = None,
    ) -> None:
        row = article_row(
            article,
            result,
            run_id=self.summary.run_id,
            normalized_url=_normalized_or(result.final_url, url),
        )
        row = with_warc_location(row, location)
        page_key = (row.article_id, row.content_hash)  # before site rules: see SiteTemplates
        etag, last_modified = _validators(result)
        if page_key in self._page_keys or self._page_committed(*page_key):
            self.summary.skip(domain, "dedup", "unchanged")
            if page_key not in self._page_keys:
                self.state.record_fetch(url, STATUS_OK, self.options.now(), etag, last_modified)
            return
        self._page_keys.add(page_key)
        pending = _Pending(row, url, etag, last_modified, page_hash=row.content_hash)
        site = domain_of(row.final_url or row.url)
        for page in self.site.admit(_Held(pending, article, site, domain, fingerprint)):
            self._buffer_page(page)
        if self.site.held + len(self._buffer) >= self._commit_every:
            # commit_every bounds the work a crash can lose: held pages count, and go as
            # they are judged now (see SiteTemplates)
            for page in self.site.drain():
                self._buffer_page(page)
            self.commit()

    @property
    def _commit_every(self) -> int:
        return self.options.commit_every or self.config.run.commit_every

    def _page_committed(self, article_id: str, page_hash: str) -> bool:
        """Was a version made from this very page text committed (with or without rules)?"""
        state = self.state
        return state.has_version(article_id, page_hash) or state.has_page_version(
            article_id, page_hash
        )

    def _buffer_page(self, page: _Held) -> None:
        """Apply the site rules to a page and buffer its row, unless that text is committed."""
        pending, domain = page.pending, page.domain
        row = self.site.apply(page)
        if row is not pending.row and not has_words(row.text, self.config.output.min_words):
            # all but a few words were the site's template: no article left
            self._page_keys.discard((row.article_id, pending.page_hash))
            self.summary.skip(domain, "site", "too-short")
            now = self.options.now()
            self.state.record_fetch(
                pending.state_url, "too-short", now, pending.etag, pending.last_modified
            )
            return
        key = (row.article_id, row.content_hash)
        if key in self._buffer_keys or self.state.has_version(*key):
            # the page differs from a kept version only in lines the site rules remove
            self._page_keys.discard((row.article_id, pending.page_hash))
            self.summary.skip(domain, "dedup", "unchanged")
            if key not in self._buffer_keys:
                now = self.options.now()
                self.state.record_fetch(
                    pending.state_url, STATUS_OK, now, pending.etag, pending.last_modified
                )
            return
        # the worker's fingerprint is of the text before site rules: assign checks it against
        # the row's content_hash and hashes the row's text itself when the rules changed it
        duplicates = self.dedup.assign(row.article_id, row.text, row.content_hash, page.fingerprint)
        row = replace(row, duplicate_of=duplicates.duplicate_of, cluster_id=duplicates.cluster_id)
        self._buffer.append(replace(pending, row=row))
        self._buffer_keys.add(key)
        self.summary.count(domain, "kept")

    # -- commits --

    def commit(self) -> None:
        """Write the buffered rows as one file, then register it in ONE state transaction."""
        if not self._buffer:
            return
        pending, self._buffer = self._buffer, []
        self._buffer_keys = set()
        now = self.options.now()
        table = rows_to_table([item.row for item in pending])
        if self.archive is not None:
            self.archive.sync()  # a row may only point to a record that is durable
        committed = self.dataset.commit(
            table, crawl_date=_crawl_date(now), run_id=self.summary.run_id
        )
        name = relative_name(self.dataset, committed.path)
        keys = [(item.row.article_id, item.row.content_hash) for item in pending]
        with self.state.batch():  # the file, its versions, URLs and index entries: all or nothing
            self.dedup.record(keys)
            self.state.record_commit(
                name,
                keys,
                url_hashes=[(item.state_url, item.row.content_hash) for item in pending],
                now=now,
            )
            self.state.record_page_versions(
                (item.row.article_id, item.page_hash, item.row.content_hash) for item in pending
            )
            self.site.save()
            for item in pending:
                self.state.record_fetch(
                    item.state_url, STATUS_OK, now, item.etag, item.last_modified
                )
        self._page_keys.difference_update((item.row.article_id, item.page_hash) for item in pending)
        self.summary.rows_written += len(pending)
        self.summary.files_written += 1
        log.info("committed %d rows to %s", len(pending), name)

    def _save_source_validators(self) -> None:
        """Feeds and sitemaps answer 304 next time only once all they listed is committed."""
        now = self.options.now()
        with self.state.batch():
            for url, (etag, last_modified) in self._source_validators.items():
                self.state.record_fetch(url, STATUS_OK, now, etag, last_modified)


#: archive-level skips that mean data could not be read (the run is PARTIAL)
ARCHIVE_FAILURES = frozenset({"corrupt-archive", "unreadable-archive"})


def _archived_rejection(
    response: WarcResponse, filters: SourceFilters, now: datetime
) -> Skipped | None:
    """A WARC source's include/exclude/max_age, judged like any source's items."""
    fetch = response.fetch
    item = SourceItem(fetch.final_url, "warc", response.location.filename, lastmod=fetch.fetched_at)
    return filters.rejection(item, now)


async def _clean_in_thread(url: str, archived: WarcResponse) -> PageOutcome:
    """Clean an archived response in a thread (an engine without a local cleaner)."""
    fetch = archived.fetch
    try:
        article = await asyncio.to_thread(
            clean_page, fetch.body, fetch.final_url, fetch.content_type or None
        )
    except CleanerError as exc:
        return clean_outcome(url, fetch, exc)
    return PageOutcome(url, fetch, article=article)


async def _all_done(producer: asyncio.Task[None], queue: asyncio.Queue[_Job]) -> None:
    await producer
    await queue.join()


class SourceDocuments:
    """The SourceFetcher a run hands its sources: polite, conditional on earlier runs."""

    def __init__(self, run: BatchRun) -> None:
        self._run = run

    async def get(self, url: str, *, accept: Accept = "html") -> FetchResult:
        run = self._run
        key = _normalized_or(url, url)
        # a 304 hides every item the document lists; once the listing is older than
        # refetch_after (is_due), read it in full so its articles get their re-check
        due = run.state.is_due(key, run.options.now())
        etag, last_modified = (None, None) if due else run.state.validators(key)
        result = await run.fetcher.get(url, accept=accept, etag=etag, last_modified=last_modified)
        if result.status != 304 and is_leaf_document(result):
            run._source_validators[key] = _validators(result)
        return result


def is_leaf_document(result: FetchResult) -> bool:
    """May a 304 on this document stand for "nothing new below it"?

    Not for robots.txt, HTML pages (feed autodiscovery) and sitemap indexes: a child they
    point to can change while they do not, so they are always fetched in full.
    """
    if result.final_url.rstrip("/").endswith("/robots.txt"):
        return False
    if "html" in result.content_type:
        return False
    return b"<sitemapindex" not in result.body[:4096]


def skip_reason(article: Article, min_words: int) -> str | None:
    """Why a cleaned page is not kept as an article, or None to keep it.

    Soft failures served with HTTP 200 (consent walls, block and captcha pages, paywall
    teasers, soft 404s) come first: they are never articles, whatever their text.
    """
    if article.soft_failure is not None:
        return f"soft-failure:{article.soft_failure}"
    if article.page_type != "article":
        return f"not-article:{article.page_type}"
    if not article.text.strip():
        return "empty"
    if not has_words(article.text, min_words):
        return "too-short"
    return None


def has_words(text: str, count: int) -> bool:
    """Does ``text`` hold at least ``count`` words? Stops counting there (long texts are common)."""
    return sum(1 for _ in islice(_WORD.finditer(text), count)) >= count


_WORD = re.compile(r"\S+")


def build_source(config: SourceConfig) -> Source:
    if isinstance(config, UrlListConfig):
        return UrlListSource(config.path, name=config.name or config.path.name)
    if isinstance(config, FeedConfig):
        return FeedSource(config.url, name=config.name or config.url)
    if isinstance(config, SitemapConfig):
        return SitemapSource(config.url, name=config.name or config.url)
    if isinstance(config, RobotsConfig):
        return RobotsSitemapSource(config.url, name=config.name or config.url)
    raise AssertionError(f"unknown source config {config!r}")  # pragma: no cover


def politeness(config: Config) -> PolitenessOptions:
    fetch = config.fetch
    fetch_options = FetchOptions(total_timeout=fetch.timeout, max_bytes=fetch.max_bytes)
    if fetch.user_agent:
        fetch_options = FetchOptions(
            total_timeout=fetch.timeout, max_bytes=fetch.max_bytes, user_agent=fetch.user_agent
        )
    return PolitenessOptions(
        concurrency=fetch.concurrency,
        per_host_concurrency=fetch.per_host_concurrency,
        min_delay=fetch.per_host_delay,
        obey_robots=fetch.obey_robots,
        max_retries=fetch.max_retries,
        host_failure_budget=fetch.host_failure_budget,
        allow_private_addresses=fetch.allow_private_addresses,
        fetch=fetch_options,
    )


def _validators(result: FetchResult) -> tuple[str | None, str | None]:
    return result.header("etag") or None, result.header("last-modified") or None


def _normalized_or(url: str, fallback: str) -> str:
    try:
        return normalize_url(url)
    except FetchError:
        return fallback


def _domain(url: str) -> str:
    try:
        return host_of(url) or "(none)"
    except FetchError:
        return "(invalid)"


def _crawl_date(now: datetime) -> date:
    return now.astimezone(UTC).date()
