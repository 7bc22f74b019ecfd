"""Overlapping runs: while one run holds the dataset's lock, a second exits at once (code 6).

The first run is a real ``newsclean run`` subprocess, parked on a page that answers only
when the server stops; the second goes through the CLI in-process.
"""

from __future__ import annotations

import itertools
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from click.testing import CliRunner

from newsclean.pipeline.cli import main
from newsclean.pipeline.exitcodes import ExitCode
from newsclean.pipeline.lock import RunLock, lock_path
from newsclean.pipeline.state import STATE_DIR_NAME, RunState
from newsclean.pipeline.summary import RUNS_DIR_NAME
from tests.support.httpserver import Exchange
from tests.support.runsite import (
    article_farm,
    newsclean_command,
    preserved_logging,
    write_config,
)

HANGING_PATH = "/news/hanging.html"
PATIENCE = 60.0


def hang_first_request() -> Callable[[Exchange], None]:
    """A page that keeps its first visitor waiting (until the server stops) and answers any
    later one at once: a second run that got past the lock would finish, not hang."""
    visits = itertools.count()

    def handler(exchange: Exchange) -> None:
        if next(visits) == 0 and not exchange.sleep(120):
            return  # the server is stopping
        exchange.send(404, b"<html><body>gone</body></html>")

    return handler


def snapshot(dataset: Path) -> dict[str, tuple[int, int]]:
    """Every file of the dataset but the run state (the first run owns that): size, mtime."""
    return {
        str(path.relative_to(dataset)): (path.stat().st_size, path.stat().st_mtime_ns)
        for path in sorted(dataset.rglob("*"))
        if path.is_file() and STATE_DIR_NAME not in path.parts
    }


def wait_until(
    condition: Callable[[], object], process: subprocess.Popen[bytes], what: str
) -> None:
    deadline = time.monotonic() + PATIENCE
    while not condition():
        assert process.poll() is None, f"the first run ended before {what}"
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


def test_second_run_exits_at_once_with_code_6_and_leaves_the_dataset_untouched(
    tmp_path: Path,
) -> None:
    dataset = tmp_path / "dataset"
    with article_farm(3) as farm:
        farm.server.route(HANGING_PATH, hang_first_request())
        urls = [farm.url(article) for article in farm.articles] + [farm.server.url(HANGING_PATH)]
        (tmp_path / "urls.txt").write_text("\n".join(urls) + "\n", encoding="utf-8")
        config = write_config(
            tmp_path / "lock.toml",
            sources=[{"type": "urls", "path": "urls.txt"}],
            fetch={"timeout": 100.0},
            run={"commit_every": 1},
        )
        argv = newsclean_command("run", str(config), "--run-id", "first", "--no-progress")
        with (tmp_path / "first.err").open("wb") as err:
            first = subprocess.Popen(
                argv, cwd=tmp_path, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err
            )
        try:
            # the first run has committed its three articles and waits on the hanging page
            wait_until(lambda: farm.server.hits(HANGING_PATH), first, "the hanging request")
            wait_until(
                lambda: len(list(dataset.glob("crawl_date=*/*.parquet"))) == 3,
                first,
                "three commits",
            )
            before = snapshot(dataset)

            started = time.monotonic()
            with preserved_logging():
                result = CliRunner().invoke(
                    main, ["run", str(config), "--run-id", "second", "--no-progress"], obj={}
                )
            elapsed = time.monotonic() - started

            assert result.exit_code == int(ExitCode.LOCKED) == 6
            (line,) = result.stderr.splitlines()
            assert line.startswith(f"Error: another newsclean run (pid {first.pid}, started ")
            assert str(lock_path(dataset)) in line
            assert result.stdout == ""
            assert elapsed < 10  # "at once": it did not wait for the lock (measured loosely)
            assert snapshot(dataset) == before
            assert not (dataset / RUNS_DIR_NAME / "second.json").exists()
            assert first.poll() is None  # the first run did not notice

            # the same for a compaction while the run is going
            compact = CliRunner().invoke(main, ["compact", str(dataset)], obj={})
            assert compact.exit_code == 6
            assert len(compact.stderr.splitlines()) == 1
            assert snapshot(dataset) == before
        finally:
            first.send_signal(signal.SIGTERM)
            code = first.wait(timeout=PATIENCE)
    assert code == ExitCode.INTERRUPTED, (tmp_path / "first.err").read_text(encoding="utf-8")
    with RunState.for_dataset(dataset) as state:
        assert [record.run_id for record in state.runs()] == ["first"]
    with RunLock(lock_path(dataset)) as lock:  # released by the first run on its way out
        assert lock.held
