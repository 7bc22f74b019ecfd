"""A full disk during a run, and SIGTERM during compaction: stop cleanly, lose nothing.

Disk full (ENOSPC) is produced two ways:

* always: a ``newsclean run`` subprocess whose Parquet writer raises ENOSPC at its third
  commit (``newsclean.output.dataset.write_durably`` replaced), so the failure lands exactly
  between committed work and work still to do;
* where this process may mount filesystems (root, with CAP_SYS_ADMIN; skipped elsewhere): a
  real tmpfs filled to the last byte while the run is going, so whichever write comes next
  fails (the state's SQLite WAL, a Parquet file, the manifest), as it would on a real disk.

Either way the run must stop with exit 5 and ONE line saying the disk is full; the dataset
holds only complete files, none twice; the state knows no file the dataset lacks; and once
space is freed, a rerun leaves every article in the dataset exactly once.

Compaction has no signal handler: SIGTERM ends it at once, like a crash. Readers polling the
dataset meanwhile must never see a row missing or doubled, and the next compaction or run
must finish the job (or undo it) and leave a dataset the state agrees with.
"""

from __future__ import annotations

import errno
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner, Result

from newsclean.output import dataset as dataset_module
from newsclean.output.dataset import ParquetDataset, read_dataset
from newsclean.output.errors import DiskFull as OutputDiskFull
from newsclean.output.layout import default_work_dir
from newsclean.pipeline.cli import main
from newsclean.pipeline.errors import DiskFull
from newsclean.pipeline.exitcodes import ExitCode
from newsclean.pipeline.run import is_disk_full
from newsclean.pipeline.state import RunState
from tests.support.runsite import (
    ArticleFarm,
    article_farm,
    dataset_rows,
    preserved_logging,
    run_config,
    write_config,
)

MARKER = re.compile(r"Dispatch number (\d{4}) was filed")
#: seconds a subprocess may take to reach a point, or to finish, before the test gives up
PATIENCE = 60.0
SEED = 20261128
DISK_FULL_LINE = (
    "Error: disk full: No space left on device ({dataset}): "
    "free space on that disk, then run again: work committed so far is kept"
)


# -- helpers shared with tests/test_user_errors.py ---------------------------------------------


@contextmanager
def mounted_tmpfs(folder: Path, size: str) -> Iterator[Path]:
    """A fresh tmpfs of ``size`` (e.g. ``"16m"``) at ``folder``; skips where mounting is denied.

    Unmounted lazily on exit, so a process that still has a file open cannot make it fail.
    """
    folder.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root (and mount(8)); the monkeypatched test covers it")
    mount = ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(folder)]
    done = subprocess.run(mount, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (no CAP_SYS_ADMIN?): {done.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True, check=False)


def remount_read_only(folder: Path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True, capture_output=True)


def fill_disk(folder: Path) -> Path:
    """Write a ballast file until the filesystem of ``folder`` has no byte left; returns it."""
    ballast = folder / "ballast"
    fd = os.open(ballast, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        for chunk in (1 << 20, 1 << 16, 1 << 12, 1):  # big steps first, then the last pages
            block = b"\0" * chunk
            while True:
                try:
                    if os.write(fd, block) < chunk:
                        break
                except OSError as exc:
                    if exc.errno != errno.ENOSPC:
                        raise
                    break
    finally:
        os.close(fd)
    return ballast


def snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every file's bytes and every directory (as None) under ``folder``, by relative path."""
    found: dict[str, bytes | None] = {}
    for path in sorted(folder.rglob("*")):
        name = path.relative_to(folder).as_posix()
        found[name] = None if path.is_dir() else path.read_bytes()
    return found


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.strip()]


def invoke(*args: str) -> Result:
    """The CLI in this process; with ``--debug`` its exception propagates."""
    with preserved_logging():
        result = CliRunner().invoke(main, list(args), obj={})
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


# -- helpers for this module --------------------------------------------------------------------


def farm_config(folder: Path, farm: ArticleFarm, commit_every: int, dataset: Path | str) -> Path:
    """A config of the farm's sitemap; a relative ``dataset`` is relative to ``folder``."""
    return write_config(
        folder / "farm.toml",
        sources=[{"type": "sitemap", "name": "farm", "url": farm.sitemap_url}],
        dataset=str(dataset),
        run={"commit_every": commit_every},
    )


def marker_counts(dataset: Path) -> Counter[int]:
    """How many rows carry each article's marker (empty when nothing was committed)."""
    if not ParquetDataset.open(dataset, create=False).files():
        return Counter()
    counts: Counter[int] = Counter()
    for text in dataset_rows(dataset).column("text").to_pylist():
        (found,) = MARKER.findall(str(text))
        counts[int(found)] += 1
    return counts


def assert_complete_files_only(dataset: Path, rows_per_file: int) -> int:
    """Every visible file reads back whole; nothing is left in staging. Returns the rows."""
    files = sorted(dataset.glob("crawl_date=*/*.parquet"))
    for path in files:
        assert pq.read_table(path).num_rows == rows_per_file, path
    assert not any((dataset / "_staging").glob("*"))
    return rows_per_file * len(files)


def assert_state_never_leads(dataset: Path) -> None:
    """The state registers only files that are in the dataset, with exactly their rows."""
    on_disk = {
        path.relative_to(dataset).as_posix(): pq.read_metadata(path).num_rows
        for path in dataset.glob("crawl_date=*/*.parquet")
    }
    with RunState.for_dataset(dataset) as state:
        known = state.known_files()
        assert known <= on_disk.keys()
        assert state.version_count() == sum(on_disk[name] for name in known)


def assert_exactly_once(dataset: Path, count: int) -> None:
    assert marker_counts(dataset) == Counter(range(count))
    with RunState.for_dataset(dataset) as state:
        assert state.version_count() == count
        on_disk = {
            p.relative_to(dataset).as_posix() for p in dataset.glob("crawl_date=*/*.parquet")
        }
        assert state.known_files() == on_disk


def start(argv: list[str], folder: Path, name: str) -> subprocess.Popen[bytes]:
    """Start a CLI subprocess; its output goes to files (a full pipe would block it)."""
    with (folder / f"{name}.out").open("wb") as out, (folder / f"{name}.err").open("wb") as err:
        return subprocess.Popen(argv, cwd=folder, stdin=subprocess.DEVNULL, stdout=out, stderr=err)


def stderr_of(folder: Path, name: str) -> str:
    return (folder / f"{name}.err").read_text(encoding="utf-8")


# -- ENOSPC at a chosen commit (works everywhere) ---------------------------------------------


def test_enospc_at_the_third_commit_stops_with_exit_5_and_a_rerun_completes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    count, batch = 40, 8
    dataset = tmp_path / "dataset"
    real_write = dataset_module.write_durably
    commits = 0

    def write_until_the_disk_is_full(path: Path, table: pa.Table) -> None:
        nonlocal commits
        commits += 1
        if commits == 3:
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        real_write(path, table)

    with article_farm(count) as farm:
        config = farm_config(tmp_path, farm, batch, dataset)
        with monkeypatch.context() as patch:
            patch.setattr(dataset_module, "write_durably", write_until_the_disk_is_full)
            result = invoke("run", str(config), "--no-progress")
        assert result.exit_code == int(ExitCode.RUN_FAILED) == 5, result.output
        assert error_lines(result.stderr) == [DISK_FULL_LINE.format(dataset=dataset)]
        # the two commits before the failure are whole and registered; the third never was
        assert assert_complete_files_only(dataset, batch) == 2 * batch
        assert_state_never_leads(dataset)
        with RunState.for_dataset(dataset) as state:
            assert state.version_count() == 2 * batch
            (record,) = state.runs()
            assert record.exit_status == int(ExitCode.RUN_FAILED)
        assert max(marker_counts(dataset).values()) == 1

        rerun = run_config(config)  # space was freed: the writer is the real one again
    assert rerun.exit_code == ExitCode.OK, rerun.to_json()
    assert rerun.rows_written == count - 2 * batch
    assert_exactly_once(dataset, count)


def test_with_debug_a_full_disk_shows_the_traceback_down_to_enospc(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_space(path: Path, table: pa.Table) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(dataset_module, "write_durably", no_space)
    with article_farm(3) as farm:
        config = farm_config(tmp_path, farm, 1, tmp_path / "dataset")
        with pytest.raises(DiskFull) as caught:
            invoke("--debug", "run", str(config), "--no-progress")
    assert is_disk_full(caught.value)
    assert isinstance(caught.value.__cause__, OutputDiskFull)


# -- a real filesystem filling up mid-run --------------------------------------------------------


def test_a_disk_filling_up_mid_run_stops_it_cleanly_and_a_rerun_completes(tmp_path: Path) -> None:
    count, batch = 80, 4
    with mounted_tmpfs(tmp_path / "disk", "32m") as disk, article_farm(count) as farm:
        dataset = disk / "dataset"
        config = farm_config(tmp_path, farm, batch, dataset)
        filler = DiskFiller(disk, dataset, after_files=2)
        with filler:
            result = invoke("run", str(config), "--no-progress")
        assert filler.ballast is not None, "the run ended before the disk could be filled"
        assert result.exit_code == int(ExitCode.RUN_FAILED), result.output
        assert error_lines(result.stderr) == [DISK_FULL_LINE.format(dataset=dataset)]
        committed = assert_complete_files_only(dataset, batch)
        assert batch * 2 <= committed < count
        assert max(marker_counts(dataset).values()) == 1

        filler.ballast.unlink()  # space is freed
        assert_state_never_leads(dataset)
        rerun = run_config(config)
        assert rerun.exit_code == ExitCode.OK, rerun.to_json()
        assert rerun.rows_written == count - committed
        assert_exactly_once(dataset, count)


@dataclass
class DiskFiller:
    """Fills the disk from a thread as soon as the run has committed ``after_files`` files."""

    disk: Path
    dataset: Path
    after_files: int
    ballast: Path | None = None
    _done: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def __enter__(self) -> DiskFiller:
        self._thread = threading.Thread(target=self._fill_when_due, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._done.set()
        assert self._thread is not None
        self._thread.join(timeout=PATIENCE)

    def _fill_when_due(self) -> None:
        while not self._done.is_set():
            if len(list(self.dataset.glob("crawl_date=*/*.parquet"))) >= self.after_files:
                self.ballast = fill_disk(self.disk)
                return
            time.sleep(0.002)


def test_a_run_on_a_full_disk_exits_5_and_leaves_the_dataset_untouched(tmp_path: Path) -> None:
    count = 8
    with mounted_tmpfs(tmp_path / "disk", "8m") as disk, article_farm(count) as farm:
        dataset = disk / "dataset"
        config = farm_config(tmp_path / "old", farm, 4, dataset)
        assert run_config(config).rows_written == count
        before = snapshot(dataset)
        fill_disk(disk)
        new_config = farm_config(tmp_path / "new", farm, 4, disk / "new-dataset")
        for target, path in ((dataset, config), (disk / "new-dataset", new_config)):
            result = invoke("run", str(path))
            assert result.exit_code == int(ExitCode.RUN_FAILED), result.output
            assert error_lines(result.stderr) == [DISK_FULL_LINE.format(dataset=target)]
        assert snapshot(dataset) == before


def test_compaction_on_a_full_disk_exits_5_and_changes_nothing(tmp_path: Path) -> None:
    count = 20
    with mounted_tmpfs(tmp_path / "disk", "8m") as disk, article_farm(count) as farm:
        dataset = disk / "dataset"
        config = farm_config(tmp_path, farm, 2, dataset)
        assert run_config(config).files_written == count // 2
        before = snapshot(dataset)
        fill_disk(disk)
        result = invoke("compact", str(dataset))
        assert result.exit_code == int(ExitCode.RUN_FAILED), result.output
        (line,) = error_lines(result.stderr)
        assert line.startswith("Error: disk full: No space left on device ("), line
        assert snapshot(dataset) == before
        assert not default_work_dir(dataset).exists()  # the failed merge left nothing behind


# -- SIGTERM during compaction ---------------------------------------------------------------


@dataclass
class DatasetReader:
    """Reads the whole dataset in a loop and checks every read against the expected rows."""

    root: Path
    expected: Counter[str]
    reads: int = 0
    #: reads that failed because a listed file was swapped out before it was opened
    vanished: int = 0
    wrong: list[str] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def __enter__(self) -> DatasetReader:
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        assert self._thread is not None
        self._thread.join(timeout=PATIENCE)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                ids = read_dataset(self.root).column("article_id").to_pylist()
            except FileNotFoundError:
                self.vanished += 1  # listed, then swapped out: a reader retries, sees no mix
                continue
            self.reads += 1
            time.sleep(0.002)  # leave the CPU to the compaction now and then
            seen = Counter(str(article_id) for article_id in ids)
            if seen != self.expected:
                missing = sum((self.expected - seen).values())
                doubled = sum((seen - self.expected).values())
                self.wrong.append(f"read {self.reads}: {missing} rows missing, {doubled} extra")


def build_partitioned_dataset(folder: Path, farm: ArticleFarm, days: int, per_day: int) -> Path:
    """``days`` partitions of ``per_day`` articles, one file per 2 rows (many small files)."""
    config = farm_config(folder, farm, 2, "dataset")  # relative: the folder can be copied
    for day in range(days):
        farm.publish(per_day * (day + 1))
        summary = run_config(config, days_later=day)
        assert summary.rows_written == per_day, summary.to_json()
    return config


def expected_ids(dataset: Path) -> Counter[str]:
    ids = Counter(str(i) for i in read_dataset(dataset).column("article_id").to_pylist())
    assert set(ids.values()) == {1}
    return ids


#: a compaction that imports everything first, then waits for its go file: the kill lands in
#: the compaction itself, and the interpreters start while the test builds its dataset
_COMPACT_WHEN_TOLD = """\
import pathlib, sys, time
import newsclean.pipeline.maintenance  # what `compact` imports when it starts
from newsclean.pipeline.cli import main

go, give_up = pathlib.Path(sys.argv[1]), time.monotonic() + 600  # never outlive a test
while not go.exists():
    if time.monotonic() > give_up:
        sys.exit(3)
    time.sleep(0.005)
main(["compact", sys.argv[2]], obj={})
"""


def test_sigterm_at_random_instants_during_compaction_never_shows_a_mixed_dataset(
    tmp_path: Path,
) -> None:
    trials = ("compact", "run", "compact")  # what recovers after each kill
    folders = [tmp_path / f"trial-{n}" for n in range(len(trials))]
    waiting: list[subprocess.Popen[bytes]] = []
    try:
        start_compactions(folders, waiting)
        kill_in_compactions(tmp_path, folders, waiting, trials)
    finally:
        for process in waiting:  # a failed trial must not leave the later ones waiting
            if process.poll() is None:
                process.kill()
                process.wait(timeout=PATIENCE)


def start_compactions(folders: list[Path], waiting: list[subprocess.Popen[bytes]]) -> None:
    for folder in folders:
        folder.mkdir()
        argv = [
            sys.executable,
            "-c",
            _COMPACT_WHEN_TOLD,
            str(folder / "go"),
            str(folder / "dataset"),
        ]
        waiting.append(start(argv, folder, "compact"))


def kill_in_compactions(
    tmp_path: Path,
    folders: list[Path],
    waiting: list[subprocess.Popen[bytes]],
    trials: tuple[str, ...],
) -> None:
    days, per_day = 3, 16
    count = days * per_day
    rng = random.Random(SEED)
    with article_farm(count) as farm:
        template_config = build_partitioned_dataset(tmp_path / "template", farm, days, per_day)
        template = tmp_path / "template" / "dataset"
        expected = expected_ids(template)
        # how long a whole compaction takes here: the kills are spread over that window
        shutil.copytree(template, tmp_path / "timing" / "dataset")
        began = time.monotonic()
        ParquetDataset.open(tmp_path / "timing" / "dataset").compact()
        window = time.monotonic() - began

        outcomes: list[str] = []
        for folder, process, recover_with in zip(folders, waiting, trials, strict=True):
            shutil.copytree(template.parent, folder, dirs_exist_ok=True)
            dataset = folder / "dataset"
            with DatasetReader(dataset, expected) as reader:
                (folder / "go").touch()
                wait_for_work_dir(dataset, process)
                time.sleep(rng.uniform(0.0, window * 0.5))  # early: a loaded box runs it slower
                process.send_signal(signal.SIGTERM)
                code = process.wait(timeout=PATIENCE)
                outcomes.append("killed" if code == -signal.SIGTERM else f"exit {code}")
                time.sleep(0.05)  # the reader reads the dataset as the kill left it
            assert not reader.wrong, reader.wrong[:3]
            assert reader.reads > 0
            assert code in (-signal.SIGTERM, 0), stderr_of(folder, "compact")

            # what the kill left is what readers see: every row exactly once
            assert expected_ids(dataset) == expected
            if recover_with == "compact":
                again = invoke("compact", str(dataset))
                assert again.exit_code == 0, again.output
                assert len(ParquetDataset.open(dataset).files()) == days
            config = folder / template_config.name
            summary = run_config(config, days_later=days)  # a run reconciles and recovers
            assert summary.exit_code == ExitCode.OK, summary.to_json()
            assert summary.rows_written == 0
            assert expected_ids(dataset) == expected
            assert not default_work_dir(dataset).exists()
            assert_exactly_once(dataset, count)
    # the kills land inside the compaction, not after it ended
    assert outcomes.count("killed") >= 1, outcomes


def wait_for_work_dir(dataset: Path, process: subprocess.Popen[bytes]) -> None:
    """Until the compaction has started its first job (its work directory exists)."""
    work = default_work_dir(dataset)
    deadline = time.monotonic() + PATIENCE
    while not work.exists():
        assert process.poll() is None, "compaction ended before it started a job"
        assert time.monotonic() < deadline, "compaction never started"
        time.sleep(0.001)
