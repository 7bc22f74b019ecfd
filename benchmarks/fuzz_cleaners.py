"""Bounded mutation fuzzing of ``clean_html``: ``python -m benchmarks.fuzz_cleaners``.

Real pages (the WCXB dev split in ``../shared/data/wcxb-dev``, the golden pages in
``tests/golden`` and the small fixtures in ``tests/data/hostile``) are mutated -- byte flips,
tag deletion and duplication, truncation, splicing two pages, charset declaration swaps and
re-encodings, insertion of hostile tokens -- and each result is cleaned in a child process
with a time cap and a memory cap. Every document ends as one :data:`OutcomeKind`::

    ok             an Article that keeps the contract (str text without NUL, UTF-8 encodable,
                   aware datetimes, well-formed removals)
    cleaner-error  a documented CleanerError (DecodeError, ExtractionError, ...): allowed
    invalid        an Article that breaks the contract
    crash          any exception outside the cleaners' error tree
    hang           the time cap was hit (the child is killed and restarted)
    memory         the child's RSS went over the memory cap (killed and restarted)
    died           the child died by itself (a segfault in a C extension)

Failing inputs are saved to ``--out`` (one ``.html`` and one ``.json`` per input: the
mutations that made it, the outcome, the traceback), at most ``--keep`` per crash signature.
The run is reproducible: the documents depend only on ``--seed`` (never on timings).

The isolation is reusable: :class:`IsolatedRunner` keeps one worker process that imports the
cleaners once and forks a fresh process per job, so a killed job costs no re-import and no
state leaks from one document to the next. It runs any ``module:function`` on bytes or on an
input a builder function makes *inside* the job process (``tests/test_hostile_input.py``
builds its 50 MB pages that way), and reports time, peak RSS and the outcome.

Exit codes: 0 nothing found; 1 a crash, invalid article, hang, memory blow-up or death;
2 bad arguments, no seed pages, or a child that cannot import the cleaners.
"""

from __future__ import annotations

import argparse
import codecs
import gzip
import hashlib
import heapq
import importlib
import json
import os
import pickle
import random
import re
import resource
import select
import struct
import subprocess
import sys
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import suppress
from dataclasses import asdict, dataclass, field
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import IO, Any, Literal

import psutil

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "data" / "wcxb-dev"
GOLDEN = REPO / "tests" / "golden"
FIXTURES = REPO / "tests" / "data" / "hostile"
CLEAN_HTML = "newsclean.cleaners:clean_html"

OutcomeKind = Literal["ok", "cleaner-error", "invalid", "crash", "hang", "memory", "died"]
#: outcomes that are findings (a bug to fix), as opposed to allowed results
FAILURES: frozenset[str] = frozenset({"invalid", "crash", "hang", "memory", "died"})

#: seconds the child gets to import the cleaners and clean a warm-up page
STARTUP_SECONDS = 120.0
#: seconds a builder (tests' generated inputs) may take before cleaning starts
BUILD_SECONDS = 120.0
#: how often the parent samples the child's RSS while it works (seconds)
RSS_SAMPLE_SECONDS = 0.02
_HEADER = struct.Struct("!Q")
_STARTED = b"started"


# --- the isolated child --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Job:
    """What the child runs: ``target(input, **kwargs)``.

    The input is ``payload``, or what ``builder(*builder_args)`` returns when a builder is
    named (so a 50 MB input is made in the child, not sent through the pipe).
    """

    target: str = CLEAN_HTML  # "module:function"
    payload: bytes | str | None = None
    builder: str | None = None  # "module:function"
    builder_args: tuple[Any, ...] = ()
    kwargs: tuple[tuple[str, Any], ...] = ()


@dataclass(frozen=True, slots=True)
class Outcome:
    """How one job ended, measured from the parent."""

    kind: OutcomeKind
    #: seconds inside the target (from the child's own clock), or until the child was killed
    seconds: float
    #: highest RSS the parent sampled while the target ran (MB)
    peak_rss_mb: float
    #: RSS of the child when the target started (after the input was built), MB
    start_rss_mb: float = 0.0
    #: exception or contract violation, one line
    detail: str = ""
    #: exception type and the innermost frame in newsclean (else the innermost one)
    signature: str = ""
    traceback: str = ""
    #: characters of Article.text (or of repr(result) for other targets)
    result_chars: int = 0
    #: the cleaners' error reason ("decode-error", ...), for cleaner-error
    reason: str = ""
    #: exception type name, for cleaner-error and crash
    error_type: str = ""

    @property
    def is_failure(self) -> bool:
        return self.kind in FAILURES

    @property
    def rss_growth_mb(self) -> float:
        return max(self.peak_rss_mb - self.start_rss_mb, 0.0)


def resolve(name: str) -> Callable[..., Any]:
    module, _, attribute = name.partition(":")
    function: Callable[..., Any] = getattr(importlib.import_module(module), attribute)
    return function


def contract_violations(result: object) -> list[str]:
    """What an Article returned by the cleaners breaks of its contract (empty: nothing)."""
    from newsclean.cleaners import Article, Removal

    if not isinstance(result, Article):
        return []
    problems: list[str] = []
    strings = [("text", result.text), ("markdown", result.markdown), ("title", result.title)]
    strings += [("author", a) for a in result.authors]
    for name, value in strings:
        if value is None:
            continue
        if not isinstance(value, str):
            problems.append(f"{name} is {type(value).__name__}, not str")
        elif "\x00" in value:
            problems.append(f"NUL in {name}")
        elif not _is_utf8_encodable(value):
            problems.append(f"{name} not UTF-8 encodable (lone surrogate)")
    for name, moment in (
        ("published_at", result.published_at),
        ("modified_at", result.modified_at),
    ):
        if moment is not None and (moment.tzinfo is None or moment.utcoffset() is None):
            problems.append(f"{name} is a naive datetime")
    for removal in result.removals:
        if not isinstance(removal, Removal) or not removal.rule or len(removal.text) > 500:
            problems.append(f"malformed removal {removal!r:.80}")
    return problems


def _is_utf8_encodable(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _signature(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in frames if "/newsclean/" in f.filename] or list(frames)
    where = f"{Path(ours[-1].filename).name}:{ours[-1].lineno}" if ours else "?"
    return f"{type(exc).__name__}@{where}"


def _run_job(job: Job, send: Callable[[object], None]) -> dict[str, object]:
    """Run one job (in the per-job process); the reply is a dict of plain values (Outcome)."""
    from newsclean.cleaners.errors import CleanerError

    data = resolve(job.builder)(*job.builder_args) if job.builder else job.payload
    target = resolve(job.target)
    start_rss = psutil.Process().memory_info().rss / 2**20
    send((_STARTED, os.getpid(), start_rss))
    started = time.perf_counter()
    try:
        result = target(data, **dict(job.kwargs))
    except CleanerError as exc:
        return {
            "kind": "cleaner-error",
            "seconds": time.perf_counter() - started,
            "start_rss_mb": start_rss,
            "detail": f"{type(exc).__name__}: {exc}"[:500],
            "reason": exc.reason,
            "error_type": type(exc).__name__,
        }
    except Exception as exc:  # anything else is the finding this harness exists to catch
        return {
            "kind": "crash",
            "seconds": time.perf_counter() - started,
            "start_rss_mb": start_rss,
            "detail": f"{type(exc).__name__}: {exc}"[:500],
            "signature": _signature(exc),
            "traceback": traceback.format_exc()[-6000:],
            "error_type": type(exc).__name__,
        }
    seconds = time.perf_counter() - started
    problems = contract_violations(result)
    text = getattr(result, "text", None)
    return {
        "kind": "invalid" if problems else "ok",
        "seconds": seconds,
        "start_rss_mb": start_rss,
        "detail": "; ".join(problems),
        "signature": problems[0] if problems else "",
        "result_chars": len(text) if isinstance(text, str) else len(repr(result)),
    }


def _send_frame(fd: int, message: object) -> None:
    body = pickle.dumps(message)
    data = memoryview(_HEADER.pack(len(body)) + body)
    while data:
        data = data[os.write(fd, data) :]


def worker_main() -> None:
    """The worker: imports the cleaners once, then forks one process per job.

    Each job runs in a fresh fork of this warm process (no import cost, no state carried
    from one document to the next, its own peak RSS); the parent kills that fork, not the
    worker, when a cap is hit. Frames on stdout: "ready"; then per job ("started", pid, RSS
    in MB), ("result", dict) unless the job process died, and ("exit", its exit status).
    """
    stdin = sys.stdin.buffer
    out = os.dup(sys.stdout.fileno())
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # a stray print must not corrupt frames

    _warm_up()
    _send_frame(out, "ready")
    while True:
        header = stdin.read(_HEADER.size)
        if len(header) < _HEADER.size:
            return
        job = pickle.loads(stdin.read(_HEADER.unpack(header)[0]))
        _fork_job(job, out)


def _warm_up() -> None:
    """Clean the golden pages once, so that lazily built state (phrase tables, compiled
    regular expressions of trafilatura, htmldate and dateparser) exists before the fork.

    Without it every job process rebuilds that state and measures 3-4 times slower.
    """
    from newsclean.cleaners import clean_html

    clean_html(b"<html><body><p>Warm-up: imports and phrase tables are built once.</p></body>")
    for path in sorted(GOLDEN.glob("*.html.gz")):
        clean_html(gzip.decompress(path.read_bytes()), "https://warm-up.example/")


def _fork_job(job: Job, out: int) -> None:
    """Run ``job`` in a fork; relay its frames to ``out``, then how it ended."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the per-job process: never returns into the worker's loop
        os.close(read_end)
        code = 0
        try:
            _send_frame(write_end, ("result", _run_job(job, partial(_send_frame, write_end))))
        except BaseException:  # a builder failed: say why on stderr, end with a status
            traceback.print_exc()
            code = 3
        finally:
            sys.stderr.flush()
            os._exit(code)
    os.close(write_end)
    try:
        for _frame in range(2):  # ("started", pid, rss), then ("result", ...)
            _send_frame(out, _read_message(read_end))
    except ChildGone:
        pass  # killed by the parent, or died: the status below says which
    finally:
        os.close(read_end)
        _, status = os.waitpid(pid, 0)
    _send_frame(out, ("exit", os.waitstatus_to_exitcode(status)))


class ChildGone(Exception):
    """The other end closed its pipe: the process died, or was killed."""


class ChildFailedToStart(RuntimeError):
    """The worker could not import or warm up the cleaners (its stderr says why)."""


class IsolatedRunner:
    """Runs jobs one at a time, each in a fresh fork of a warm worker, with two caps.

    A job over ``time_cap`` seconds or ``max_rss_mb`` is killed (the worker stays, so the
    next job pays no import). Use it as a context manager: the worker is stopped on exit.
    """

    def __init__(
        self, time_cap: float, max_rss_mb: float, stderr: IO[bytes] | int | None = None
    ) -> None:
        self.time_cap = time_cap
        self.max_rss_mb = max_rss_mb
        self.stderr = stderr
        self.restarts = 0
        self._worker: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> IsolatedRunner:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop the worker: close its input (it exits on EOF), kill it if it does not."""
        if self._worker is not None and self._worker.stdin is not None:
            with suppress(BrokenPipeError):
                self._worker.stdin.close()
        self._discard_worker(grace=10.0)

    def run(self, job: Job) -> Outcome:
        worker = self._ensure_worker()
        body = pickle.dumps(job)
        assert worker.stdin is not None
        try:
            worker.stdin.write(_HEADER.pack(len(body)) + body)
            worker.stdin.flush()
            first = self._receive(BUILD_SECONDS)
        except (ChildGone, BrokenPipeError, TimeoutError) as exc:
            self._discard_worker(grace=0.0)
            return Outcome("died", 0.0, 0.0, detail=f"worker lost before the job started: {exc!r}")
        if not (isinstance(first, tuple) and first[0] == _STARTED):
            return Outcome("died", 0.0, 0.0, detail=f"the job process ended first: {first!r}")
        return self._follow(psutil.Process(first[1]), float(first[2]))

    def _follow(self, process: psutil.Process, start_rss: float) -> Outcome:
        """Wait for the job's result under both caps; kill the job process on either."""
        started = time.monotonic()
        peak = [start_rss]
        try:
            reply = self._receive(self.time_cap, process=process, peak=peak)
        except (TimeoutError, MemoryError) as exc:
            with suppress(psutil.Error):
                process.kill()
            self._receive(BUILD_SECONDS)  # the worker's ("exit", status) after the kill
            seconds = time.monotonic() - started
            if isinstance(exc, TimeoutError):
                return Outcome("hang", seconds, peak[0], start_rss, detail="time cap hit")
            detail = f"RSS over {self.max_rss_mb:g} MB"
            return Outcome("memory", seconds, peak[0], start_rss, detail=detail)
        seconds = time.monotonic() - started
        if isinstance(reply, tuple) and reply[0] == "exit":  # died by itself: a segfault
            detail = f"job process exit status {reply[1]}"
            return Outcome("died", seconds, peak[0], start_rss, detail=detail)
        assert isinstance(reply, tuple) and reply[0] == "result"
        result: dict[str, Any] = reply[1]
        self._receive(BUILD_SECONDS)  # ("exit", 0)
        return Outcome(peak_rss_mb=max(peak[0], float(result["start_rss_mb"])), **result)

    def _ensure_worker(self) -> subprocess.Popen[bytes]:
        if self._worker is not None and self._worker.poll() is None:
            return self._worker
        if self._worker is not None:  # it died between jobs
            self._discard_worker(grace=0.0)
            self.restarts += 1
        self._worker = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.fuzz_cleaners", "--worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.stderr,
            cwd=REPO,
        )
        try:
            ready = self._receive(STARTUP_SECONDS)
        except (ChildGone, TimeoutError) as exc:
            self._discard_worker(grace=0.0)
            raise ChildFailedToStart(f"the cleaning worker did not start ({exc!r})") from exc
        if ready != "ready":
            raise ChildFailedToStart(f"the cleaning worker said {ready!r}, not 'ready'")
        return self._worker

    def _receive(
        self,
        timeout: float,
        process: psutil.Process | None = None,
        peak: list[float] | None = None,
    ) -> object:
        """The worker's next frame, sampling ``process``'s RSS into ``peak`` meanwhile.

        TimeoutError past ``timeout``, MemoryError past the RSS cap, ChildGone on EOF.
        """
        worker = self._worker
        assert worker is not None and worker.stdout is not None
        deadline = time.monotonic() + timeout
        while True:
            if process is not None and peak is not None:
                rss = _rss_mb(process)
                peak[0] = max(peak[0], rss)
                if rss > self.max_rss_mb:
                    raise MemoryError
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            wait = min(remaining, RSS_SAMPLE_SECONDS) if process is not None else remaining
            readable, _, _ = select.select([worker.stdout], [], [], wait)
            if readable:
                return _read_message(worker.stdout.fileno())

    def _discard_worker(self, grace: float) -> int | None:
        """Wait ``grace`` seconds for the worker to end, kill it if needed, close its pipes."""
        worker, self._worker = self._worker, None
        if worker is None:
            return None
        try:
            code = worker.wait(timeout=grace) if grace else None
        except subprocess.TimeoutExpired:
            code = None
        if code is None:
            worker.kill()
            code = worker.wait()
        for pipe in (worker.stdin, worker.stdout):
            if pipe is not None:
                with suppress(BrokenPipeError):  # the worker is gone: nobody reads the rest
                    pipe.close()
        return code


def _read_message(fd: int) -> object:
    """One framed message, read with os.read: a buffered reader would read ahead of what
    select() can see, and the next message would then wait for a time cap."""
    (size,) = _HEADER.unpack(_read_exactly(fd, _HEADER.size))
    return pickle.loads(_read_exactly(fd, size))


def _read_exactly(fd: int, size: int) -> bytes:
    chunks: list[bytes] = []
    remaining = size
    while remaining:
        chunk = os.read(fd, min(remaining, 1 << 20))
        if not chunk:
            raise ChildGone("the other end closed its pipe")
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def _rss_mb(process: psutil.Process) -> float:
    try:
        return float(process.memory_info().rss) / 2**20
    except psutil.Error:
        return 0.0


# --- seeds ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Corpus:
    """Seed pages, read lazily (the WCXB split is 1,497 gzip files)."""

    paths: tuple[Path, ...]

    @classmethod
    def find(cls, data: Path | None) -> Corpus:
        paths: list[Path] = []
        if data is not None and (data / "html").is_dir():
            paths += sorted((data / "html").glob("*.html.gz"))
        paths += sorted(GOLDEN.glob("*.html.gz"))
        # saved fuzz findings ("fuzz_*") are known bugs, not seeds: they would be re-found
        paths += sorted(
            p
            for p in FIXTURES.glob("*")
            if p.suffix in (".html", ".gz") and not p.name.startswith("fuzz_")
        )
        return cls(tuple(paths))

    def page(self, rng: random.Random) -> tuple[str, bytes]:
        path = rng.choice(self.paths)
        raw = path.read_bytes()
        return path.name, gzip.decompress(raw) if path.suffix == ".gz" else raw


# --- mutations -----------------------------------------------------------------------------

_TAG = re.compile(rb"<[^<>]{0,300}>")
_META_LABEL = re.compile(rb"(charset\s*=\s*[\"']?)([A-Za-z0-9_:.\-]+)", re.IGNORECASE)
#: labels for charset swaps: right, wrong, unknown, and Python-only codecs a page may name
CHARSET_LABELS = (
    "utf-8", "windows-1252", "iso-8859-1", "windows-1251", "shift_jis", "euc-jp", "gb2312",
    "big5", "koi8-r", "utf-16", "utf-16le", "utf-32", "utf-7", "x-foo", "undefined", "rot13",
    "base64", "hex", "idna", "punycode", "unicode_escape", "cp037", "x-user-defined", "",
)  # fmt: skip
#: codecs a page is re-encoded into while its declaration stays as it was
TRANSCODINGS = (
    "cp1252",
    "cp1251",
    "shift_jis",
    "gb18030",
    "utf-16-le",
    "utf-16-be",
    "utf-32-le",
    "cp037",
)
#: how many times a slice or token is repeated; big counts are rarer (they make slow pages)
MUTATION_REPEATS = (2, 2, 3, 10, 10, 100, 1_000, 10_000)


def hostile_tokens(rng: random.Random) -> bytes:
    """A fragment known to stress a parser or a rule (an AFL-style dictionary entry)."""
    count = rng.choice(MUTATION_REPEATS)
    tokens: list[Callable[[], bytes]] = [
        lambda: b"<!---->" * count,
        lambda: b"<div>" * count,
        lambda: b"</div>" * count,
        lambda: b"<font size=2>" * count,
        lambda: b"<table><tr><td>" * count,
        lambda: b'<script type="application/ld+json">' + b"[" * count + b"</script>",
        lambda: (
            b'<script type="application/ld+json">{"datePublished":"'
            + rng.choice([b"9999-12-31T23:59:59-23:59", b"0001-01-01T00:00:00+01:00", b"x"])
            + b'"}</script>'
        ),
        lambda: b'<link rel="canonical" href="http://[">',
        lambda: b'<base href="http://[::1">',
        lambda: b'<meta property="article:published_time" content="2023-02-30T25:00:00">',
        lambda: b"&amp;" * count,
        lambda: b"&#0;&#xD800;&#x110000;" * max(count // 10, 1),
        lambda: b"\x00" * count,
        lambda: b"<![CDATA[" + b"x" * count,
        lambda: b"<plaintext>",
        lambda: b"<?xml version='1.0' encoding='utf-7'?>",
        lambda: rng.choice([codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF32_BE]),
        lambda: rng.choice([b"\xc3", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xff\xfe"]) * count,
        lambda: b"<p>Share</p><p>foo bar</p>" * count,
        lambda: b"<p>About the author</p><p>" + b"word " * 90 + b"end.</p>" * count,
        lambda: b'<div title="' + b"a" * (count * 100) + b'">',
        lambda: b"<svg><foreignObject><math><mi><style>" * max(count // 10, 1),
        lambda: b'<div hidden aria-hidden="true" style="display:none">' * count,
    ]
    return rng.choice(tokens)()


def _tag_spans(data: bytes, limit: int = 20_000) -> list[tuple[int, int]]:
    spans = []
    for match in _TAG.finditer(data):
        spans.append(match.span())
        if len(spans) >= limit:
            break
    return spans


def flip_bytes(rng: random.Random, data: bytes, _corpus: Corpus) -> tuple[bytes, str]:
    if not data:
        return bytes([rng.randrange(256)]), "flip(empty)"
    buffer = bytearray(data)
    count = rng.choice((1, 2, 4, 16, 256))
    for _index in range(count):
        position = rng.randrange(len(buffer))
        buffer[position] = (
            rng.randrange(256) if rng.random() < 0.5 else buffer[position] ^ (1 << rng.randrange(8))
        )
    return bytes(buffer), f"flip({count})"


def delete_tags(rng: random.Random, data: bytes, _corpus: Corpus) -> tuple[bytes, str]:
    spans = _tag_spans(data)
    if not spans:
        return data, "delete-tags(none)"
    first = rng.randrange(len(spans))
    last = min(first + rng.choice((0, 0, 1, 5, 50)), len(spans) - 1)
    if rng.random() < 0.5:  # one or a few tags, keeping the text between them
        kept = data[: spans[first][0]]
        for (_, end), (start, _) in zip(
            spans[first:last], spans[first + 1 : last + 1], strict=True
        ):
            kept += data[end:start]
        return kept + data[spans[last][1] :], f"delete-tags({last - first + 1})"
    return data[: spans[first][0]] + data[spans[last][1] :], f"delete-range({last - first + 1})"


def duplicate_tags(rng: random.Random, data: bytes, _corpus: Corpus) -> tuple[bytes, str]:
    spans = _tag_spans(data)
    if not spans:
        return data, "duplicate(none)"
    first = rng.randrange(len(spans))
    last = min(first + rng.choice((0, 1, 3, 20)), len(spans) - 1)
    start, end = spans[first][0], spans[last][1]
    times = rng.choice(MUTATION_REPEATS)
    return data[:end] + data[start:end] * times + data[
        end:
    ], f"duplicate({last - first + 1}x{times})"


def truncate(rng: random.Random, data: bytes, _corpus: Corpus) -> tuple[bytes, str]:
    cut = rng.randrange(len(data) + 1)
    return data[:cut], f"truncate({cut})"


def splice(rng: random.Random, data: bytes, corpus: Corpus) -> tuple[bytes, str]:
    name, other = corpus.page(rng)
    head = data[: rng.randrange(len(data) + 1)]
    tail = other[rng.randrange(len(other) + 1) :]
    return head + tail, f"splice({name})"


def swap_charset(rng: random.Random, data: bytes, _corpus: Corpus) -> tuple[bytes, str]:
    label = rng.choice(CHARSET_LABELS)
    if rng.random() < 0.3:
        codec = rng.choice(TRANSCODINGS)
        text = data.decode("utf-8", errors="replace")
        return text.encode(codec, errors="replace"), f"transcode({codec})"
    if _META_LABEL.search(data[:16_384]) and rng.random() < 0.7:
        swapped = _META_LABEL.sub(lambda m: m.group(1) + label.encode(), data, count=1)
        return swapped, f"charset({label!r})"
    return b'<meta charset="%s">' % label.encode() + data, f"meta-charset({label!r})"


def insert_token(rng: random.Random, data: bytes, _corpus: Corpus) -> tuple[bytes, str]:
    spans = _tag_spans(data, limit=2_000)
    position = rng.choice(spans)[1] if spans else rng.randrange(len(data) + 1)
    token = hostile_tokens(rng)
    return data[:position] + token + data[position:], f"insert({token[:24]!r}..{len(token)}B)"


def repeat_slice(rng: random.Random, data: bytes, _corpus: Corpus) -> tuple[bytes, str]:
    if not data:
        return data, "repeat(empty)"
    start = rng.randrange(len(data))
    end = min(start + rng.choice((1, 16, 256, 4096)), len(data))
    times = rng.choice(MUTATION_REPEATS)
    return data[:end] + data[start:end] * times + data[end:], f"repeat({end - start}Bx{times})"


Mutation = Callable[[random.Random, bytes, Corpus], tuple[bytes, str]]
MUTATIONS: tuple[Mutation, ...] = (
    flip_bytes,
    delete_tags,
    duplicate_tags,
    truncate,
    splice,
    swap_charset,
    insert_token,
    repeat_slice,
)


@dataclass(frozen=True, slots=True)
class Case:
    """One fuzzed document and how it was made."""

    index: int
    body: bytes
    content_type: str | None
    recipe: str

    @property
    def digest(self) -> str:
        return hashlib.blake2b(self.body, digest_size=8).hexdigest()


def make_case(index: int, rng: random.Random, corpus: Corpus, max_bytes: int) -> Case:
    name, data = corpus.page(rng)
    steps = [name]
    for _step in range(rng.choice((1, 1, 2, 3))):
        mutation = rng.choice(MUTATIONS)
        data, what = mutation(rng, data, corpus)
        steps.append(what)
        if len(data) > max_bytes:
            data = data[:max_bytes]
            steps.append(f"cap({max_bytes})")
    content_type = None
    if rng.random() < 0.5:
        content_type = f"text/html; charset={rng.choice(CHARSET_LABELS)}"
    return Case(index, data, content_type, " > ".join(steps))


def cases(seed: int, corpus: Corpus, max_bytes: int) -> Iterator[Case]:
    rng = random.Random(seed)
    index = 0
    while True:
        yield make_case(index, rng, corpus, max_bytes)
        index += 1


# --- the run -------------------------------------------------------------------------------


@dataclass(slots=True)
class Findings:
    """What a run saw, and where it saved the failing inputs."""

    out: Path
    keep: int
    kinds: Counter[str] = field(default_factory=Counter)
    signatures: Counter[str] = field(default_factory=Counter)
    examples: dict[str, str] = field(default_factory=dict)
    slowest: list[tuple[float, int, str, int, str]] = field(default_factory=list)
    peaks: list[float] = field(default_factory=list)
    seconds: float = 0.0
    #: why the run stopped early (the child could not start), or ""
    aborted: str = ""

    def record(self, case: Case, outcome: Outcome, seed: int) -> None:
        self.kinds[outcome.kind] += 1
        self.peaks.append(outcome.peak_rss_mb)
        entry = (outcome.seconds, case.index, case.recipe, len(case.body), outcome.kind)
        if len(self.slowest) < 10:
            heapq.heappush(self.slowest, entry)
        else:
            heapq.heappushpop(self.slowest, entry)
        if not outcome.is_failure:
            return
        signature = f"{outcome.kind}: {outcome.signature or outcome.detail[:80]}"
        self.signatures[signature] += 1
        if self.signatures[signature] <= self.keep:
            path = self.save(case, outcome, seed)
            self.examples.setdefault(signature, str(path))

    def save(self, case: Case, outcome: Outcome, seed: int) -> Path:
        folder = self.out / outcome.kind
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{case.digest}.html"
        path.write_bytes(case.body)
        meta = {
            "seed": seed,
            "index": case.index,
            "recipe": case.recipe,
            "content_type": case.content_type,
            "bytes": len(case.body),
            "outcome": asdict(outcome),
        }
        path.with_suffix(".json").write_text(json.dumps(meta, indent=2), encoding="utf-8")
        return path

    @property
    def failures(self) -> int:
        return sum(self.kinds[kind] for kind in FAILURES)


def fuzz(args: argparse.Namespace, corpus: Corpus) -> Findings:
    findings = Findings(out=args.out, keep=args.keep)
    args.out.mkdir(parents=True, exist_ok=True)
    stop = time.monotonic() + args.seconds
    started = time.monotonic()
    with (
        (args.out / "child-stderr.log").open("wb") as log,
        IsolatedRunner(args.time_cap, args.max_rss_mb, stderr=log) as runner,
    ):
        for case in cases(args.seed, corpus, args.max_bytes):
            if time.monotonic() >= stop or (args.docs and case.index >= args.docs):
                break
            kwargs = (
                ("url", f"https://fuzz.example/{case.index}"),
                ("content_type", case.content_type),
            )
            try:
                outcome = runner.run(Job(payload=case.body, kwargs=kwargs))
            except ChildFailedToStart as exc:
                findings.aborted = f"{exc} after {case.index} documents"
                break
            findings.record(case, outcome, args.seed)
            if outcome.is_failure:
                print(
                    f"  #{case.index} {outcome.kind}: {outcome.detail[:100]}  [{case.recipe[:90]}]",
                    flush=True,
                )
            elif args.verbose:
                print(
                    f"  #{case.index} {outcome.kind} {outcome.seconds:.2f}s {case.recipe[:90]}",
                    flush=True,
                )
    findings.seconds = time.monotonic() - started
    return findings


def report(findings: Findings, args: argparse.Namespace) -> None:
    tried = sum(findings.kinds.values())
    rate = tried / max(findings.seconds, 1e-9)
    when = datetime.now().isoformat(timespec="seconds")
    print(f"\nnewsclean cleaner fuzzing -- seed {args.seed}, {when}")
    print(
        f"load average {os.getloadavg()[0]:.1f}; caps: {args.time_cap:g} s, {args.max_rss_mb:g} MB"
    )
    print(f"documents tried: {tried} in {findings.seconds:.0f} s ({rate:.1f} docs/s)")
    print(
        "outcomes: " + ", ".join(f"{kind} {count}" for kind, count in findings.kinds.most_common())
    )
    if findings.peaks:
        ordered = sorted(findings.peaks)
        print(f"child RSS: median {ordered[len(ordered) // 2]:.0f} MB, max {ordered[-1]:.0f} MB")
    if findings.signatures:
        print("\nfindings (signature: count, first saved input):")
        for signature, count in findings.signatures.most_common():
            print(f"  {signature}: {count}  {findings.examples.get(signature, '')}")
    print("\nslowest documents:")
    for seconds, index, recipe, size, kind in sorted(findings.slowest, reverse=True):
        print(f"  {seconds:7.2f} s  #{index:<6} {size / 1e3:8.1f} kB  {kind:<13} {recipe[:100]}")
    print(f"\nfailing inputs saved under {args.out}")
    if findings.aborted:
        print(f"Error: run stopped early: {findings.aborted} (see {args.out}/child-stderr.log)")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.fuzz_cleaners",
        description="Mutation-fuzz clean_html in a child process with time and memory caps.",
        epilog="example: python -m benchmarks.fuzz_cleaners --seconds 300 --seed 7",
    )
    parser.add_argument("--seconds", type=float, default=300.0, help="run length (default 300)")
    parser.add_argument(
        "--seed", type=int, default=0, help="RNG seed: the documents depend only on it"
    )
    parser.add_argument("--docs", type=int, default=0, help="stop after N documents (0: no limit)")
    parser.add_argument("--time-cap", type=float, default=20.0, help="seconds per document (20)")
    parser.add_argument("--max-rss-mb", type=float, default=2_000.0, help="child RSS cap (2000)")
    parser.add_argument("--max-bytes", type=int, default=2_000_000, help="largest document (2 MB)")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="WCXB split folder")
    parser.add_argument(
        "--out",
        type=Path,
        default=Path(tempfile.gettempdir()) / "newsclean-fuzz",
        help="where failing inputs are saved",
    )
    parser.add_argument("--keep", type=int, default=3, help="inputs saved per signature (3)")
    parser.add_argument("--verbose", action="store_true", help="one line per document")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.seconds <= 0 or args.time_cap <= 0 or args.max_bytes <= 0:
        parser.error("--seconds, --time-cap and --max-bytes must be positive")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.worker:
        worker_main()
        return 0
    corpus = Corpus.find(args.data if args.data.is_dir() else None)
    if not corpus.paths:
        print("Error: no seed pages (../shared/data/wcxb-dev, tests/golden): nothing to mutate")
        return 2
    print(f"{len(corpus.paths)} seed pages; fuzzing for {args.seconds:g} s with seed {args.seed}")
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # a dying child must not write a core
    findings = fuzz(args, corpus)
    report(findings, args)
    if findings.failures:
        return 1
    return 2 if findings.aborted else 0


if __name__ == "__main__":
    sys.exit(main())
