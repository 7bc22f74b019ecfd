"""The per-page time cap in ``newsclean run``: a page that never finishes cleaning is killed,
counted as "extract-timeout", and the other pages of the batch are cleaned as usual."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from newsclean.cleaners import Article, clean_html
from newsclean.pipeline.config import load_config
from newsclean.pipeline.dask_engine import dask_engine
from newsclean.pipeline.errors import ConfigError
from newsclean.pipeline.exitcodes import ExitCode
from newsclean.pipeline.run import RunOptions, run
from newsclean.pipeline.state import RunState, state_path
from tests.support.httpserver import LocalHttpServer
from tests.support.runsite import dataset_rows, marker, run_config, static_site, write_config

PATHOLOGICAL = b"<!-- pathological -->"
PAGES = 5
STUCK = 2  # the page the slow cleaner never finishes


def slow_clean(html: str | bytes, url: str | None, content_type: str | None) -> Article:
    """Worker target: hangs on the marked page (longer than any test may run), else cleans."""
    if isinstance(html, bytes) and PATHOLOGICAL in html:
        time.sleep(3600)
    return clean_html(html, url, content_type=content_type)


def page_html(index: int) -> bytes:
    body = "".join(
        f"<p>{marker(index)} Paragraph {n} of the report goes on about the harbour, the ferry "
        "timetable and the council vote that decided both last week.</p>"
        for n in range(4)
    )
    mark = PATHOLOGICAL.decode() if index == STUCK else ""
    return (
        f"<!DOCTYPE html><html><head><title>Report {index}</title>{mark}</head>"
        f"<body><article><h1>Report {index}</h1>{body}</article></body></html>"
    ).encode()


@pytest.fixture
def site() -> Iterator[LocalHttpServer]:
    pages = {f"/news/{index}.html": page_html(index) for index in range(PAGES)}
    with static_site(pages) as server:
        yield server


@pytest.fixture
def slow_cleaner(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        "newsclean.pipeline.pages.CLEAN_TARGET", "tests.test_time_cap_run:slow_clean"
    )


@pytest.mark.parametrize("workers", [1, 2])
@pytest.mark.usefixtures("slow_cleaner")
def test_a_page_past_the_cap_is_skipped_and_the_others_are_kept(
    site: LocalHttpServer, tmp_path: Path, workers: int
) -> None:
    (tmp_path / "urls.txt").write_text(
        "".join(site.url(f"/news/{i}.html") + "\n" for i in range(PAGES)), encoding="utf-8"
    )
    config = write_config(
        tmp_path / "cap.toml",
        sources=[{"type": "urls", "path": "urls.txt"}],
        run={"clean_timeout": 1.0, "workers": workers},
    )
    summary = run_config(config)

    assert summary.skipped[("clean", "extract-timeout")] == 1
    assert summary.rows_written == PAGES - 1
    assert summary.exit_code == ExitCode.PARTIAL
    texts = dataset_rows(tmp_path / "dataset").column("text").to_pylist()
    kept = {i for i in range(PAGES) if any(marker(i) in text for text in texts)}
    assert kept == set(range(PAGES)) - {STUCK}
    with RunState(state_path(tmp_path / "dataset")) as state:
        stuck = state.url_state(site.url(f"/news/{STUCK}.html"))
    assert stuck is not None
    assert (stuck.last_status, stuck.terminal) == ("extract-timeout", True)


def test_clean_timeout_is_validated(tmp_path: Path) -> None:
    config = write_config(
        tmp_path / "bad.toml",
        sources=[{"type": "urls", "path": "urls.txt"}],
        run={"clean_timeout": -1},
    )
    with pytest.raises(ConfigError, match=r"run\.clean_timeout"):
        load_config(config)


@pytest.mark.usefixtures("slow_cleaner")
def test_the_dask_engine_applies_the_same_cap(site: LocalHttpServer, tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    (tmp_path / "urls.txt").write_text(
        "".join(site.url(f"/news/{i}.html") + "\n" for i in range(PAGES)), encoding="utf-8"
    )
    config = write_config(
        tmp_path / "cap.toml",
        sources=[{"type": "urls", "path": "urls.txt"}],
        run={"clean_timeout": 1.0, "workers": 1},
    )
    engine = dask_engine(n_workers=1, clean_target="tests.test_time_cap_run:slow_clean")
    summary = run(load_config(config), RunOptions(engine=engine, install_signal_handlers=False))

    assert summary.skipped[("clean", "extract-timeout")] == 1
    assert summary.rows_written == PAGES - 1
