"""Crash consistency of ``newsclean run``: kill -9 at any instant, SIGTERM, then rerun.

Every run here is a real ``python -m newsclean.pipeline.cli run`` subprocess against a
generated site of :data:`COUNT` articles on 127.0.0.1 (:class:`ArticleFarm`), with a small
``[run] commit_every`` so that one run makes many files and a kill lands between commits,
inside one, or between a file's rename and its state transaction. Whatever happened, the
next complete run must leave every article in the dataset exactly once.

Each article carries its own marker sentence, so "exactly once" is checked on the text
itself, not on ids the code under test computed.
"""

from __future__ import annotations

import json
import random
import re
import signal
import subprocess
import time
from collections import Counter
from pathlib import Path

import pytest

from newsclean.output.dataset import ParquetDataset
from newsclean.pipeline.exitcodes import ExitCode
from newsclean.pipeline.state import RunState
from newsclean.pipeline.summary import RUNS_DIR_NAME, RunSummary
from tests.support.runsite import (
    TEST_CONCURRENCY,
    ArticleFarm,
    article_farm,
    crashing_newsclean_command,
    dataset_keys,
    dataset_rows,
    newsclean_command,
    run_config,
    write_config,
)

#: articles of the kill -9 test (the others use fewer: they need fewer runs to be meaningful)
COUNT = 300
KILLS = 5
SEED = 20240304
MARKER = re.compile(r"Dispatch number (\d{4}) was filed")
#: seconds a subprocess may take to start fetching, or to finish, before the test gives up
PATIENCE = 60.0


def farm_config(folder: Path, farm: ArticleFarm, commit_every: int) -> Path:
    return write_config(
        folder / "farm.toml",
        sources=[{"type": "sitemap", "name": "farm", "url": farm.sitemap_url}],
        run={"commit_every": commit_every},
    )


def start(argv: list[str], folder: Path, name: str) -> subprocess.Popen[bytes]:
    """Start a run; its output goes to files (a full pipe would block it)."""
    with (folder / f"{name}.out").open("wb") as out, (folder / f"{name}.err").open("wb") as err:
        return subprocess.Popen(argv, cwd=folder, stdin=subprocess.DEVNULL, stdout=out, stderr=err)


def wait_for_articles(farm: ArticleFarm, process: subprocess.Popen[bytes], more_than: int) -> None:
    """Until the run has asked for more than ``more_than`` article pages (or has ended)."""
    deadline = time.monotonic() + PATIENCE
    while farm.article_requests() <= more_than and process.poll() is None:
        assert time.monotonic() < deadline, "the run never started fetching"
        time.sleep(0.01)


def wait_for_new_file(dataset: Path, process: subprocess.Popen[bytes]) -> None:
    """Until the run has committed a file (or has ended): it is past its warm-up."""
    before = set(dataset.glob("crawl_date=*/part-*.parquet"))
    deadline = time.monotonic() + PATIENCE
    while set(dataset.glob("crawl_date=*/part-*.parquet")) <= before and process.poll() is None:
        assert time.monotonic() < deadline, "the run never committed anything"
        time.sleep(0.01)


def finish(process: subprocess.Popen[bytes]) -> int:
    return process.wait(timeout=PATIENCE)


def marker_counts(dataset: Path) -> Counter[int]:
    """How many rows carry each article's marker."""
    if not ParquetDataset.open(dataset).files():
        return Counter()
    texts = dataset_rows(dataset).column("text").to_pylist()
    counts: Counter[int] = Counter()
    for text in texts:
        found = MARKER.findall(str(text))
        assert len(found) == 1, str(text)[:200]
        counts[int(found[0])] += 1
    return counts


def assert_at_most_once(dataset: Path) -> int:
    counts = marker_counts(dataset)
    assert not counts or max(counts.values()) == 1, counts.most_common(3)
    keys = dataset_keys(dataset) if counts else Counter()
    assert not keys or max(keys.values()) == 1
    return sum(counts.values())


def assert_exactly_once(dataset: Path, count: int) -> None:
    assert marker_counts(dataset) == Counter(range(count))
    keys = dataset_keys(dataset)
    assert len(keys) == count
    assert set(keys.values()) == {1}
    with RunState.for_dataset(dataset) as state:
        assert state.version_count() == count  # the state agrees with the files
    assert not any((dataset / "_staging").glob("*"))  # no leftovers of killed commits


def final_run(config: Path) -> RunSummary:
    """The clean run after the crashes: in-process (the same code; a subprocess less)."""
    summary = run_config(config)
    assert summary.exit_code == ExitCode.OK, summary.to_json()
    return summary


def test_kill_9_at_random_instants_then_rerun_is_exactly_once(tmp_path: Path) -> None:
    rng = random.Random(SEED)
    dataset = tmp_path / "dataset"
    killed_mid_run = 0
    rows_after_kills: list[int] = []
    with article_farm(COUNT) as farm:
        config = farm_config(tmp_path, farm, commit_every=4)
        for attempt in range(KILLS):
            argv = newsclean_command("run", str(config), "--no-progress")
            process = start(argv, tmp_path, f"kill-{attempt}")
            wait_for_new_file(dataset, process)
            time.sleep(rng.uniform(0.0, 0.5))
            if process.poll() is None:
                process.send_signal(signal.SIGKILL)
                killed_mid_run += 1
            code = finish(process)
            assert code in (-signal.SIGKILL, ExitCode.OK), f"attempt {attempt}: exit {code}"
            # after every kill the dataset is readable and holds no article twice
            rows_after_kills.append(assert_at_most_once(dataset))
        summary = final_run(config)
    # the kills really cut runs short after they had committed part of their work (how much
    # depends on the machine's speed: the rows counts are not pinned)
    assert killed_mid_run >= 3, rows_after_kills
    assert 0 < rows_after_kills[0] < COUNT, rows_after_kills
    assert summary.rows_written == COUNT - rows_after_kills[-1]
    assert_exactly_once(dataset, COUNT)


@pytest.mark.parametrize(
    ("checkpoint", "nth"),
    [
        # the file is in the dataset, the state transaction that registers it never ran
        ("commit.published", 3),
        # the file is complete in _staging, not yet renamed into the dataset
        ("commit.staged", 2),
    ],
)
def test_kill_9_inside_a_commit_then_rerun_is_exactly_once(
    tmp_path: Path, checkpoint: str, nth: int
) -> None:
    count, batch = 60, 10
    dataset = tmp_path / "dataset"
    with article_farm(count) as farm:
        config = farm_config(tmp_path, farm, commit_every=batch)
        argv = crashing_newsclean_command(checkpoint, nth, "run", str(config), "--no-progress")
        assert finish(start(argv, tmp_path, "crash")) == -signal.SIGKILL
        staged = list((dataset / "_staging").iterdir())  # before open() cleans it up
        files = ParquetDataset.open(dataset, create=False).files()
        with RunState.for_dataset(dataset) as state:
            known = state.known_files()
        if checkpoint == "commit.published":
            assert len(files) == nth
            assert len(known) == nth - 1  # the state lags the dataset by exactly that file
        else:
            assert len(files) == nth - 1
            assert len(known) == nth - 1
            assert len(staged) == 1  # the complete file that was never renamed into place
            assert not any((dataset / "_staging").iterdir())  # open() removed it
        assert assert_at_most_once(dataset) == batch * len(files)
        summary = final_run(config)
    assert summary.rows_written == count - batch * len(files)
    assert_exactly_once(dataset, count)


def test_sigterm_commits_finished_work_exits_130_and_rerun_completes(tmp_path: Path) -> None:
    count = 120
    dataset = tmp_path / "dataset"
    with article_farm(count) as farm:
        # one big batch: whatever is in the dataset after SIGTERM was committed on the way out
        config = farm_config(tmp_path, farm, commit_every=10_000)
        process = start(
            newsclean_command("run", str(config), "--log-format", "json", "--no-progress"),
            tmp_path,
            "term",
        )
        wait_for_articles(farm, process, 30)
        assert process.poll() is None, "the run ended before it could be stopped"
        assert not ParquetDataset.open(dataset).files()
        answered = farm.article_requests()
        process.send_signal(signal.SIGTERM)
        code = finish(process)
        stderr = (tmp_path / "term.err").read_text(encoding="utf-8")
        assert code == int(ExitCode.INTERRUPTED) == 130, stderr[-2000:]
        assert "SIGTERM received" in stderr

        summary = json.loads((tmp_path / "term.out").read_text(encoding="utf-8"))
        assert summary["interrupted"] is True
        assert summary["exit_status"] == "INTERRUPTED"
        assert len(ParquetDataset.open(dataset).files()) == 1
        committed = assert_at_most_once(dataset)
        assert committed == summary["rows_written"] == summary["totals"]["kept"]
        # every page asked for before the signal was kept, but for those still in flight
        assert answered - TEST_CONCURRENCY <= committed < count
        manifest = dataset / RUNS_DIR_NAME / f"{summary['run_id']}.json"
        assert json.loads(manifest.read_text(encoding="utf-8")) == summary
        with RunState.for_dataset(dataset) as state:
            # registered before exiting, not adopted by the next run's reconcile
            assert state.version_count() == committed
            (record,) = state.runs()
            assert record.exit_status == 130

        rerun = final_run(config)
    assert rerun.rows_written == count - committed
    assert_exactly_once(dataset, count)
