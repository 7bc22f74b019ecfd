"""Duplicate columns through real batch runs: filled, persistent across runs, crash-safe.

The generated farm (tests.support.runsite) serves article ``i`` with story ``i % 54`` under a
marker sentence of its own, so articles ``i`` and ``i + 54`` are the same story with another
first line: near-duplicates that must share a cluster, never exact copies.
"""

from __future__ import annotations

import re
import signal
import subprocess
from pathlib import Path

from newsclean.pipeline.demo.stories import load_stories
from newsclean.pipeline.state import RunState
from tests.support.runsite import (
    ArticleFarm,
    article_farm,
    crashing_newsclean_command,
    dataset_rows,
    run_config,
    write_config,
)

STORIES = len(load_stories())
MARKER = re.compile(r"Dispatch number (\d{4}) was filed")


def farm_config(folder: Path, farm: ArticleFarm, commit_every: int = 25) -> Path:
    return write_config(
        folder / "farm.toml",
        sources=[{"type": "sitemap", "name": "farm", "url": farm.sitemap_url}],
        run={"commit_every": commit_every},
    )


def rows_by_index(dataset: Path) -> dict[int, dict[str, str | None]]:
    """Each row's duplicate columns, keyed by the farm index its marker sentence names."""
    table = dataset_rows(dataset).select(["article_id", "text", "duplicate_of", "cluster_id"])
    found: dict[int, dict[str, str | None]] = {}
    for row in table.to_pylist():
        match = MARKER.search(row["text"])
        assert match is not None, "every farm page has its marker"
        found[int(match[1])] = row
    return found


def test_runs_fill_clusters_that_later_runs_extend(tmp_path: Path) -> None:
    extra = 6
    with article_farm(STORIES + extra) as farm:
        config = farm_config(tmp_path, farm)
        farm.publish(STORIES)
        run_config(config)
        first = rows_by_index(tmp_path / "dataset")
        farm.publish(STORIES + extra)
        assert run_config(config).rows_written == extra
    rows = rows_by_index(tmp_path / "dataset")
    assert len(first) == STORIES
    for index in range(STORIES):  # distinct stories: each founds its own cluster
        assert rows[index]["cluster_id"] == rows[index]["article_id"]
        assert rows[index]["duplicate_of"] is None
    for index in range(STORIES, STORIES + extra):  # the story again, a run later
        original = rows[index - STORIES]
        assert rows[index]["cluster_id"] == original["article_id"]
        assert rows[index]["duplicate_of"] is None  # another first line: not an exact copy


def test_a_crash_between_file_and_state_leaves_the_index_complete(tmp_path: Path) -> None:
    count = STORIES + 4
    dataset = tmp_path / "dataset"
    with article_farm(count) as farm:
        config = farm_config(tmp_path, farm, commit_every=20)
        # killed after the first file is renamed into place, before the state transaction
        argv = crashing_newsclean_command(
            "commit.published", 1, "run", str(config), "--no-progress"
        )
        process = subprocess.run(argv, cwd=tmp_path, capture_output=True, timeout=90, check=False)
        assert process.returncode == -signal.SIGKILL
        with RunState.for_dataset(dataset) as state:
            assert state.indexed_count() == 0  # the crashed commit left no index entry
        run_config(config)
    rows = rows_by_index(dataset)
    assert len(rows) == count
    with RunState.for_dataset(dataset) as state:
        assert state.indexed_count() == count  # the adopted file's rows were indexed too
    for index in range(STORIES, count):
        assert rows[index]["cluster_id"] == rows[index - STORIES]["cluster_id"]
