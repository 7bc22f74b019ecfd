"""The Dask engine (``--engine dask``): same dataset as the local engine, politeness per host
across workers, and exactly-once when a worker process is SIGKILLed in the middle of a run.

One LocalCluster (2 worker processes, 1 thread each) serves every test of the module; the
site is an :class:`ArticleFarm` on 127.0.0.1 reached under two host names, so the two hosts
land on two shards on two workers. Skipped when ``distributed`` is not installed (except the
test that the engine then refuses to start with one line).
"""

from __future__ import annotations

import asyncio
import itertools
import os
import signal
import statistics
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from newsclean.pipeline.config import Config, load_config
from newsclean.pipeline.dask_engine import (
    WORKER_LOST,
    DaskOptions,
    DaskPages,
    HostShards,
    dask_engine,
    require_dask,
)
from newsclean.pipeline.errors import ConfigError, RunFailed
from newsclean.pipeline.exitcodes import ExitCode
from newsclean.pipeline.pages import PageEngine, PageOutcome, clean_page
from newsclean.pipeline.run import RunOptions, run
from newsclean.pipeline.summary import RunSummary
from newsclean.scraper.polite import PoliteFetcher, PolitenessOptions
from newsclean.scraper.records import FetchResult
from tests.support.httpserver import Exchange, LoggedRequest
from tests.support.runsite import (
    ArticleFarm,
    article_farm,
    dataset_keys,
    dataset_rows,
    write_config,
)

#: two names of 127.0.0.1: two hosts for politeness, so two shards
HOSTS = ("127.0.0.1", "localhost")
PAGES = 16
#: columns that differ between two runs of the same input
VOLATILE = ("run_id", "fetched_at", "crawl_date")


# -- without dask ----------------------------------------------------------------------------


def test_without_distributed_the_engine_asks_for_the_extra_in_one_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # makes `import distributed` fail
    with pytest.raises(ConfigError) as caught:
        require_dask()
    line = caught.value.one_line()
    assert "\n" not in line
    assert line.startswith("Error: the dask engine needs dask.distributed")
    assert line.endswith(": pip install 'newsclean[dask]'")
    with pytest.raises(ConfigError):
        dask_engine()


def test_hosts_stick_to_a_shard_and_spread_evenly() -> None:
    shards = HostShards(3)
    first = [shards.shard_of(f"host{i}.example") for i in range(7)]
    assert first == [0, 1, 2, 0, 1, 2, 0]
    assert [shards.shard_of(f"host{i}.example") for i in range(7)] == first
    assert shards.hosts_per_shard() == [3, 2, 2]


# -- on a cluster ----------------------------------------------------------------------------


@dataclass
class Cluster:
    address: str
    client: Any  # distributed.Client (synchronous)

    def wait_full(self) -> None:
        """Both workers up and answering (the nanny restarts a killed one)."""
        self.client.wait_for_workers(2, timeout=60)
        assert len(self.client.run(os.getpid)) == 2


@pytest.fixture(scope="module")
def distributed() -> ModuleType:
    return pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def cluster(distributed: ModuleType) -> Iterator[Cluster]:
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as local,
        distributed.Client(local) as client,
    ):
        yield Cluster(local.scheduler_address, client)


@pytest.fixture(scope="module")
def farm() -> Iterator[ArticleFarm]:
    with article_farm(PAGES) as site:
        yield site


@dataclass(frozen=True)
class Reference:
    """The local engine's dataset of the farm: what every Dask run must reproduce."""

    rows: list[dict[str, object]]
    keys: dict[tuple[str, str], int]


@pytest.fixture(scope="module")
def reference(farm: ArticleFarm, tmp_path_factory: pytest.TempPathFactory) -> Reference:
    folder = tmp_path_factory.mktemp("local")
    summary = run_farm(farm_config(folder, farm), engine=None)
    assert summary.exit_code == ExitCode.OK, summary.to_json()
    dataset = folder / "dataset"
    assert summary.rows_written == PAGES
    return Reference(comparable_rows(dataset), dict(dataset_keys(dataset)))


def farm_url(farm: ArticleFarm, index: int) -> str:
    """Article ``index`` under host ``HOSTS[index % 2]``."""
    host = HOSTS[index % len(HOSTS)]
    return f"http://{host}:{farm.server.port}{farm.articles[index].path}"


def farm_config(folder: Path, farm: ArticleFarm, *, per_host_delay: float = 0.01) -> Path:
    urls = folder / "urls.txt"
    urls.write_text("\n".join(farm_url(farm, i) for i in range(PAGES)) + "\n", encoding="utf-8")
    return write_config(
        folder / "config.toml",
        sources=[{"type": "urls", "name": "farm", "path": str(urls)}],
        fetch={"per_host_delay": per_host_delay},
    )


EngineFactory = Callable[[Config, PoliteFetcher], PageEngine]


def run_farm(
    config_path: Path, engine: EngineFactory | None, *, days_later: float = 0.0
) -> RunSummary:
    def now() -> datetime:
        return datetime.now(UTC) + timedelta(days=days_later)

    options = RunOptions(now=now, install_signal_handlers=False, engine=engine)
    return run(load_config(config_path), options)


class EngineCapture:
    """An engine factory on the test cluster that keeps the engines it builds."""

    def __init__(self, cluster: Cluster, attempts: int = 3, *, full: bool = True) -> None:
        if full:
            cluster.wait_full()
        self._factory = dask_engine(cluster.address, attempts=attempts)
        self.engines: list[DaskPages] = []
        self.hosts_placed: dict[str, str] = {}

    def __call__(self, config: Config, fetcher: PoliteFetcher) -> DaskPages:
        engine = self._factory(config, fetcher)
        # the hosts in list order: each on a shard of its own, as the run would place them
        self.hosts_placed = {host: engine.place_of(host).address for host in HOSTS}
        self.engines.append(engine)
        return engine

    @property
    def engine(self) -> DaskPages:
        assert len(self.engines) == 1
        return self.engines[0]


def comparable_rows(dataset: Path) -> list[dict[str, object]]:
    rows = [
        {key: value for key, value in row.items() if key not in VOLATILE}
        for row in dataset_rows(dataset).to_pylist()
    ]
    return sorted(rows, key=lambda row: (str(row["article_id"]), str(row["content_hash"])))


def article_requests(farm: ArticleFarm, since: int) -> list[LoggedRequest]:
    paths = {article.path for article in farm.articles}
    with farm.server._lock:  # appended to from handler threads
        return [r for r in farm.server.requests[since:] if r.path in paths]


def request_count(farm: ArticleFarm) -> int:
    with farm.server._lock:
        return len(farm.server.requests)


def host_name(request: LoggedRequest) -> str:
    return urlsplit("http://" + request.headers["host"]).hostname or ""


class KillOnRequest:
    """Serves one article; its first request SIGKILLs the worker fetching it (mid-fetch)."""

    def __init__(self, farm: ArticleFarm, index: int, capture: EngineCapture) -> None:
        self.path = farm.articles[index].path
        self.host = HOSTS[index % len(HOSTS)]
        self.capture = capture
        self.killed_pid: int | None = None
        self._farm = farm
        self._original = farm.server.routes[self.path]

    def __enter__(self) -> KillOnRequest:
        self._farm.server.route(self.path, self._serve)
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._farm.server.route(self.path, self._original)

    def _serve(self, exchange: Exchange) -> None:
        if self.killed_pid is None:
            self.killed_pid = self.capture.engine.place_of(self.host).pid
            os.kill(self.killed_pid, signal.SIGKILL)
            return  # no answer: the worker that asked is gone
        self._original(exchange)


def test_dask_engine_writes_the_dataset_the_local_engine_writes(
    cluster: Cluster, farm: ArticleFarm, reference: Reference, tmp_path: Path
) -> None:
    delay = 0.15
    capture = EngineCapture(cluster)
    since = request_count(farm)
    summary = run_farm(farm_config(tmp_path, farm, per_host_delay=delay), capture)

    assert summary.exit_code == ExitCode.OK, summary.to_json()
    assert comparable_rows(tmp_path / "dataset") == reference.rows
    # the two hosts were fetched by two different workers ...
    assert len(set(capture.hosts_placed.values())) == 2
    # ... and each host's requests were still paced as one: sharding kept politeness
    requests = article_requests(farm, since)
    assert len(requests) == PAGES
    for host in HOSTS:
        arrivals = sorted(r.arrived for r in requests if host_name(r) == host)
        assert len(arrivals) == PAGES // 2
        gaps = [later - earlier for earlier, later in itertools.pairwise(arrivals)]
        # one fetcher per host: gaps of ``delay`` (a late arrival can shorten one); two
        # fetchers pacing the same host on their own would halve the typical gap
        assert statistics.median(gaps) > 0.8 * delay, (host, gaps)
    assert capture.engine.stats.moved_shards == 0


def test_a_worker_killed_mid_run_loses_nothing_and_writes_nothing_twice(
    cluster: Cluster, farm: ArticleFarm, reference: Reference, tmp_path: Path
) -> None:
    capture = EngineCapture(cluster, attempts=3)
    since = request_count(farm)
    with KillOnRequest(farm, 7, capture) as killer:
        summary = run_farm(farm_config(tmp_path, farm, per_host_delay=0.05), capture)

    assert killer.killed_pid is not None
    assert summary.exit_code == ExitCode.OK, summary.to_json()
    stats = capture.engine.stats
    assert stats.moved_shards >= 1 and stats.retried_urls >= 1 and stats.lost_urls == 0
    victim = [r for r in article_requests(farm, since) if r.path == killer.path]
    assert len(victim) >= 2  # asked by the killed worker, then again by the shard's new one
    keys = dataset_keys(tmp_path / "dataset")
    assert dict(keys) == reference.keys  # every article, each exactly once
    assert comparable_rows(tmp_path / "dataset") == reference.rows


def test_urls_lost_on_every_attempt_fail_transient_and_the_next_run_fetches_them(
    cluster: Cluster, farm: ArticleFarm, reference: Reference, tmp_path: Path
) -> None:
    config = farm_config(tmp_path, farm, per_host_delay=0.05)
    # no wait for the worker killed by the test before to be back: one live worker will do
    capture = EngineCapture(cluster, attempts=1, full=False)
    with KillOnRequest(farm, 9, capture) as killer:
        first = run_farm(config, capture)

    assert killer.killed_pid is not None
    lost = first.skipped[("fetch", WORKER_LOST)]
    assert lost >= 1 and capture.engine.stats.lost_urls == lost
    assert first.exit_code == ExitCode.PARTIAL
    assert first.rows_written == PAGES - lost

    second = run_farm(config, EngineCapture(cluster, full=False), days_later=1)
    assert second.rows_written == lost
    assert dict(dataset_keys(tmp_path / "dataset")) == reference.keys


def test_an_unreachable_scheduler_is_one_line(distributed: ModuleType) -> None:
    options = DaskOptions(scheduler="tcp://127.0.0.1:9", start_timeout=1.0)
    with pytest.raises(RunFailed) as caught:
        DaskPages(PolitenessOptions(), options)
    line = caught.value.one_line()
    assert "\n" not in line
    assert line.startswith("Error: cannot start the dask engine: ")
    assert "(tcp://127.0.0.1:9): check the --scheduler address" in line


def test_archived_pages_are_cleaned_on_the_workers_as_here(
    cluster: Cluster, farm: ArticleFarm
) -> None:
    bodies = {farm_url(farm, i): httpx.get(farm_url(farm, i)).content for i in (3, 4)}
    bodies["http://localhost/empty.html"] = b""
    pages = [
        FetchResult(url, url, 200, (("content-type", "text/html"),), body, datetime.now(UTC))
        for url, body in bodies.items()
    ]
    engine = DaskPages(PolitenessOptions(), DaskOptions(scheduler=cluster.address))
    try:
        outcomes = asyncio.run(_clean_all(engine, pages))
    finally:
        engine.close()
    for page, outcome in zip(pages, outcomes, strict=True):
        assert outcome.failure is None
        assert outcome.article == clean_page(page.body, page.final_url, "text/html")
        assert outcome.result is page  # the page itself is not sent back: the driver has it
    assert outcomes[0].article is not None and outcomes[0].article.is_article


async def _clean_all(engine: DaskPages, pages: list[FetchResult]) -> list[PageOutcome]:
    return list(await asyncio.gather(*(engine.clean(page) for page in pages)))
