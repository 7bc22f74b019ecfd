"""Time cap: clean a document in a worker process that is killed when it takes too long.

lxml and trafilatura run C code and deep recursions that no signal or thread can interrupt
safely, so the only reliable cap on one document's cleaning is a process boundary. A
:class:`CleaningWorker` owns one child process (started once, with the cleaners imported,
so a document costs a pipe round trip, not a process start) and cleans documents one at a
time::

    with CleaningWorker() as worker:
        article = worker.clean(html, url, seconds=20)     # or ExtractionTimeout

``clean_fingerprinted`` also returns the near-duplicate fingerprint of the cleaned text
(:mod:`newsclean.cleaners.fingerprint`), made in the child under the same cap, so that the
process that receives the article need not hash its text again.

When the cap passes, the child is killed and :class:`ExtractionTimeout` is raised; the next
call starts a fresh child. A new child cleans a small warm-up page before it takes work, so
the cap measures the document, not the libraries' first-use setup; it ignores SIGINT (Ctrl-C
is the parent's to handle). A child that dies on its own (out of memory, a crash in C)
raises :class:`WorkerFailed`. Errors of the cleaners (:class:`CleanerError`) come back as
themselves; any other exception in the child is a bug in a library on that document and
comes back as :class:`ExtractionError` naming its type.

:func:`clean_html_capped` is the one-call form, with one worker per calling process.
The size guards that keep most documents far from the cap are in
:mod:`newsclean.cleaners.guards`.
"""

from __future__ import annotations

import importlib
import multiprocessing
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from types import TracebackType

from newsclean.cleaners.errors import (
    CleanerError,
    ExtractionError,
    ExtractionTimeout,
    WorkerFailed,
)
from newsclean.cleaners.fingerprint import FingerprintedArticle, MinHashSpec, fingerprint_article
from newsclean.cleaners.records import Article

#: the function a worker runs on each document, as "module:name"
DEFAULT_TARGET = "newsclean.cleaners.clean:clean_html"
#: seconds a killed child gets to exit before the parent stops waiting for it
KILL_WAIT_SECONDS = 5.0
#: seconds a new child may take to import the cleaners and clean its warm-up page
START_WAIT_SECONDS = 120.0
#: cleaned by every new child before it says it is ready: lxml, trafilatura and the cleaners
#: set up lazily on their first document (~1 s), which must not count against a real page
WARM_UP_HTML = (
    "<html><head><title>Warm-up</title></head><body><article><h1>Warm-up</h1>"
    + "<p>The council met on Tuesday and agreed the new ferry timetable for the summer.</p>" * 5
    + "</article></body></html>"
)


@dataclass(frozen=True, slots=True)
class _Job:
    html: str | bytes
    url: str | None
    content_type: str | None
    #: also fingerprint the article with this spec (the answer is a FingerprintedArticle)
    fingerprint: MinHashSpec | None = None


class CleaningWorker:
    """One child process that cleans documents, killed and replaced when one overruns.

    Thread-safe: calls from several threads take turns. ``target`` names the function run
    on each document (``"module:name"``, called as ``f(html, url, content_type=...)``), so
    tests can substitute a slow one.
    """

    def __init__(self, target: str = DEFAULT_TARGET, start_method: str = "spawn") -> None:
        self._target = target
        self._context = multiprocessing.get_context(start_method)
        self._lock = threading.Lock()
        self._process: BaseProcess | None = None
        self._conn: Connection | None = None
        if start_method == "forkserver":
            _preload_in_forkserver(target)

    def start(self) -> None:
        """Start the child now, so that the first document does not wait for it."""
        with self._lock:
            self._ensure_started()

    def clean(
        self,
        html: str | bytes,
        url: str | None = None,
        *,
        seconds: float,
        content_type: str | None = None,
    ) -> Article:
        """Clean one document; raise :class:`ExtractionTimeout` after ``seconds``."""
        value = self._ask(_Job(html, url, content_type), seconds)
        if not isinstance(value, Article):
            raise WorkerFailed(f"cleaning worker answered {type(value).__name__}", url)
        return value

    def clean_fingerprinted(
        self,
        html: str | bytes,
        url: str | None = None,
        *,
        seconds: float,
        spec: MinHashSpec,
        content_type: str | None = None,
    ) -> FingerprintedArticle:
        """:meth:`clean`, and the fingerprint of the text (``spec``), both within ``seconds``."""
        value = self._ask(_Job(html, url, content_type, spec), seconds)
        if not isinstance(value, FingerprintedArticle):
            raise WorkerFailed(f"cleaning worker answered {type(value).__name__}", url)
        return value

    def _ask(self, job: _Job, seconds: float) -> object:
        """The child's answer to ``job``; its error raised here."""
        with self._lock:
            conn = self._ensure_started()
            conn.send(job)
            if not conn.poll(seconds):
                self._kill()
                raise ExtractionTimeout(f"cleaning took longer than {seconds:g} s", job.url)
            try:
                ok, value = conn.recv()
            except (EOFError, OSError) as exc:
                self._kill()
                raise WorkerFailed(f"cleaning worker died: {type(exc).__name__}", job.url) from exc
        if not ok:
            raise value
        return value

    def close(self) -> None:
        """Stop the child (if any); the worker can still be used, it starts a new one."""
        with self._lock:
            if self._conn is not None and self._process is not None:
                try:  # noqa: SIM105
                    self._conn.send(None)  # asks the child to leave its loop
                except (BrokenPipeError, OSError):
                    pass  # the child is already gone: nothing to ask
                self._process.join(KILL_WAIT_SECONDS)
            self._kill()

    @property
    def pid(self) -> int | None:
        """The child's process id, None when no child runs."""
        return self._process.pid if self._process is not None else None

    def __enter__(self) -> CleaningWorker:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def _ensure_started(self) -> Connection:
        if self._process is not None and self._conn is not None and self._process.is_alive():
            return self._conn
        self._kill()
        parent_end, child_end = self._context.Pipe()
        process = self._context.Process(  # type: ignore[attr-defined]
            target=_serve, args=(child_end, self._target), daemon=True, name="newsclean-clean"
        )
        process.start()
        child_end.close()
        self._process, self._conn = process, parent_end
        try:
            ready = parent_end.poll(START_WAIT_SECONDS) and parent_end.recv() is None
        except (EOFError, OSError):
            ready = False
        if not ready:
            self._kill()
            raise WorkerFailed(f"cleaning worker did not start within {START_WAIT_SECONDS:g} s")
        return parent_end

    def _kill(self) -> None:
        process, conn = self._process, self._conn
        self._process = self._conn = None
        if conn is not None:
            conn.close()
        if process is not None:
            if process.is_alive():
                process.kill()
            process.join(KILL_WAIT_SECONDS)


_DEFAULT_WORKER: CleaningWorker | None = None
_DEFAULT_LOCK = threading.Lock()
_PRELOAD_SET = False
_PRELOAD_LOCK = threading.Lock()


def _preload_in_forkserver(target: str) -> None:
    """Have the forkserver import ``target``'s module, so that every child it forks starts warm.

    The server starts once per process and keeps what it imported: only the first call
    before it starts counts; a later target is imported by its child on the first job.
    """
    global _PRELOAD_SET
    with _PRELOAD_LOCK:
        if not _PRELOAD_SET:
            module = target.partition(":")[0]
            # "__main__" too (multiprocessing's default): a child of a server that has it
            # does not import the parent's main module again before its first job
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(["__main__", module])
            _PRELOAD_SET = True


def clean_html_capped(
    html: str | bytes,
    url: str | None = None,
    *,
    seconds: float,
    content_type: str | None = None,
) -> Article:
    """:func:`newsclean.cleaners.clean_html` in this process's worker, capped at ``seconds``.

    Raises :class:`ExtractionTimeout` when the cap passes (the worker is replaced for the
    next call), :class:`WorkerFailed` when the worker dies, and whatever ``clean_html``
    raises otherwise.
    """
    global _DEFAULT_WORKER
    with _DEFAULT_LOCK:
        if _DEFAULT_WORKER is None:
            _DEFAULT_WORKER = CleaningWorker()
        worker = _DEFAULT_WORKER
    return worker.clean(html, url, seconds=seconds, content_type=content_type)


# --- the child -------------------------------------------------------------------------------


def _serve(conn: Connection, target: str) -> None:
    """The child's loop: one job in, one ``(ok, article or error)`` out, until told to stop.

    It first cleans :data:`WARM_UP_HTML` (its outcome is of no interest: a target that fails
    on it fails on real pages too, and says so there), then sends ``None``: ready.
    """
    # Ctrl-C reaches the whole process group: the parent decides what it means (commit and
    # stop), and a child killed by it would fail the page it holds for good
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    function = _load(target)
    _run(function, _Job(WARM_UP_HTML, None, "text/html", MinHashSpec()))
    conn.send(None)
    while True:
        try:
            job = conn.recv()
        except EOFError:
            return  # the parent went away
        if job is None:
            return
        conn.send(_run(function, job))


def _run(function: Callable[..., Article], job: _Job) -> tuple[bool, object]:
    try:
        article = function(job.html, job.url, content_type=job.content_type)
        if job.fingerprint is None:
            return True, article
        return True, fingerprint_article(article, job.fingerprint)
    except CleanerError as exc:
        return False, exc
    except Exception as exc:  # a library's bug on this document: reported, not fatal  # noqa: BLE001
        message = f"{type(exc).__name__}: {exc}"[:500]
        return False, ExtractionError(f"cleaning failed unexpectedly: {message}", job.url)


def _load(target: str) -> Callable[..., Article]:
    module_name, _, name = target.partition(":")
    function: Callable[..., Article] = getattr(importlib.import_module(module_name), name)
    return function
