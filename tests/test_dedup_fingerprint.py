"""Near-duplicate signatures made where pages are cleaned: the same clusters as on the driver.

A cleaning worker fingerprints each article's text (newsclean.cleaners.fingerprint) and the
outcome carries it; the driver's DuplicateIndex uses it only when it was made of the very
text being indexed. These tests hold that the signature is datasketch's MinHash bit for bit
(what the driver computed before), that a worker's equals the driver's, that a fingerprint of
another text (site rules changed it) or another spec is not used, and that a whole run gives
the same duplicate columns either way.
"""

from __future__ import annotations

import asyncio
import functools
import json
import pickle
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from html import escape
from pathlib import Path

import numpy as np
import pytest
from datasketch import MinHash

from newsclean.cleaners.fingerprint import (
    FingerprintedArticle,
    MinHashSpec,
    TextFingerprint,
    fingerprint_article,
    fingerprint_text,
    minhash_signature,
    shingle_hashes,
    signature_bytes,
    words_of,
)
from newsclean.cleaners.records import Article
from newsclean.cleaners.timecap import CleaningWorker
from newsclean.pipeline.config import Config, load_config
from newsclean.pipeline.dask_engine import ShardPages
from newsclean.pipeline.dedup import DedupOptions, DuplicateIndex, DuplicateInfo, MinHasher
from newsclean.pipeline.demo.stories import load_stories
from newsclean.pipeline.pages import (
    LocalPages,
    PageEngine,
    PageOutcome,
    clean_outcome,
    clean_page,
    clean_page_fingerprinted,
    worker_start_method,
)
from newsclean.pipeline.run import RunOptions, run
from newsclean.pipeline.state import RunState
from newsclean.scraper.polite import PoliteFetcher, PolitenessOptions
from newsclean.scraper.records import FetchResult
from tests.support.httpserver import LocalHttpServer
from tests.support.runsite import dataset_rows, static_site, write_config
from tests.test_dedup import SAME_TOPIC_A, SAME_TOPIC_B, SHORT, SYNDICATED, WIRE, aid, sha

SPEC = DedupOptions().minhash_spec()
T0 = datetime(2024, 5, 1, 12, tzinfo=UTC)


def datasketch_signature(words: list[str], spec: MinHashSpec) -> np.ndarray:
    """What DuplicateIndex computed before signatures moved to the workers: datasketch's
    MinHash (affine32) updated with the shingle hashes."""
    template = MinHash(num_perm=spec.num_perm, seed=spec.seed, scheme="affine32")
    minhash = MinHash(
        num_perm=spec.num_perm,
        seed=spec.seed,
        hashfunc=lambda value: value,
        permutations=template.permutations,
        scheme="affine32",
    )
    minhash.update_batch(shingle_hashes(words, spec.shingle_words).tolist())
    return np.asarray(minhash.hashvalues, dtype=np.uint32)


def story_texts() -> list[str]:
    return ["\n\n".join(story.paragraphs) for story in load_stories()]


def page_html(title: str, paragraphs: list[str]) -> bytes:
    body = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{escape(title)}</title><meta property='og:type' content='article'></head>"
        f"<body><main><article><h1>{escape(title)}</h1>{body}</article></main></body></html>"
    ).encode()


def fetched(url: str, body: bytes) -> FetchResult:
    return FetchResult(
        requested_url=url,
        final_url=url,
        status=200,
        headers=(("content-type", "text/html; charset=utf-8"),),
        body=body,
        fetched_at=T0,
    )


# -- the signature itself ------------------------------------------------------------------


@pytest.mark.parametrize(
    "spec", [SPEC, MinHashSpec(num_perm=64, seed=7, shingle_words=3), MinHashSpec(256, 42, 5)]
)
def test_the_signature_is_datasketchs_minhash_bit_for_bit(spec: MinHashSpec) -> None:
    vocabulary = words_of(" ".join(story_texts()))
    rng = np.random.default_rng(5)
    # none, too few for one shingle, one shingle, a text, and more shingles than one chunk
    for count in (0, 2, spec.shingle_words, 300, 9000):
        words = [vocabulary[i] for i in rng.integers(0, len(vocabulary), count)]
        assert np.array_equal(minhash_signature(words, spec), datasketch_signature(words, spec))
    for text in (WIRE, SYNDICATED, SAME_TOPIC_A, *story_texts()[:10]):
        words = words_of(text)
        assert np.array_equal(minhash_signature(words, spec), datasketch_signature(words, spec))


def test_the_dedup_options_and_the_fingerprint_defaults_name_one_spec() -> None:
    assert DedupOptions().minhash_spec() == MinHashSpec()
    assert MinHasher.for_options(DedupOptions()).spec.key == MinHashSpec().key
    assert MinHashSpec(num_perm=64).key != MinHashSpec().key


def test_a_fingerprint_holds_the_texts_hash_words_and_signature() -> None:
    fingerprint = fingerprint_text(WIRE, SPEC)
    assert fingerprint.text_sha256 == sha(WIRE)  # what article_row writes as content_hash
    assert fingerprint.words == len(words_of(WIRE))
    hasher = MinHasher.for_options(DedupOptions())
    assert fingerprint.signature == signature_bytes(hasher.signature(words_of(WIRE)))
    assert fingerprint_text("two words", SPEC).signature == b""  # no whole shingle


def test_pages_no_run_keeps_are_not_fingerprinted() -> None:
    article = Article(WIRE, url="https://example.com/a")
    assert fingerprint_article(article, SPEC).fingerprint is not None
    for other in (
        Article(WIRE, page_type="listing"),
        Article(WIRE, soft_failure="paywall"),
        Article("  "),
    ):
        assert fingerprint_article(other, SPEC) == FingerprintedArticle(other, None)


# -- made by a worker, equal to the driver's -----------------------------------------------


def test_a_capped_workers_fingerprint_equals_the_drivers_signature() -> None:
    stories = load_stories()
    html = page_html(stories[3].title, list(stories[3].paragraphs))
    url = "https://news.example/story-3.html"
    with CleaningWorker(start_method=worker_start_method()) as worker:
        cleaned = worker.clean_fingerprinted(html, url, seconds=60, spec=SPEC)
        plain = worker.clean(html, url, seconds=60)
    assert cleaned.article == plain
    fingerprint = cleaned.fingerprint
    assert fingerprint is not None
    words = words_of(plain.text)
    driver = MinHasher.for_options(DedupOptions()).signature(words)
    assert fingerprint.signature == signature_bytes(driver)
    assert fingerprint.signature == signature_bytes(datasketch_signature(words, SPEC))
    assert (fingerprint.words, fingerprint.text_sha256) == (len(words), sha(plain.text))


def test_a_process_pool_gets_a_picklable_fingerprinting_cleaner() -> None:
    stories = load_stories()
    html = page_html(stories[5].title, list(stories[5].paragraphs))
    function = pickle.loads(pickle.dumps(functools.partial(clean_page_fingerprinted, spec=SPEC)))
    cleaned = function(html, "https://news.example/5.html", "text/html")
    article = clean_page(html, "https://news.example/5.html", "text/html")
    assert cleaned == FingerprintedArticle(article, fingerprint_text(article.text, SPEC))
    outcome = clean_outcome("https://news.example/5.html", fetched("u", html), cleaned)
    assert (outcome.article, outcome.fingerprint) == (article, cleaned.fingerprint)


def test_a_dask_shard_fingerprints_what_it_cleans() -> None:
    stories = load_stories()
    page = fetched(
        "https://news.example/7.html", page_html(stories[7].title, stories[7].paragraphs)
    )
    shard = ShardPages(PolitenessOptions(), 0, fingerprint=SPEC)  # uncapped: its own thread
    try:
        reply = asyncio.run(shard.clean(page))
    finally:
        asyncio.run(shard.close())
    assert isinstance(reply, FingerprintedArticle)
    assert reply.fingerprint == fingerprint_text(reply.article.text, SPEC)
    unfingerprinted = ShardPages(PolitenessOptions(), 1)
    try:
        plain = asyncio.run(unfingerprinted.clean(page))
    finally:
        asyncio.run(unfingerprinted.close())
    assert plain == reply.article  # a shard told not to fingerprint answers as before


def bare_instance(cls: type[object]) -> object:
    """An instance not yet initialised (what unpickling makes before it sets the state)."""
    return cls.__new__(cls)


def test_an_outcome_pickled_before_fingerprints_unpickles_without_one() -> None:
    article = Article(WIRE, url="https://example.com/a")
    old = PageOutcome("https://example.com/a", fetched("https://example.com/a", b"<p>x</p>"))
    old = PageOutcome(old.url, old.result, article)

    class PickledBeforeFingerprints:
        """Reduces to the four values a PageOutcome pickled before the fingerprint field."""

        def __reduce__(self) -> tuple[object, ...]:
            state = [old.url, old.result, old.article, old.failure]
            return (bare_instance, (PageOutcome,), state)

    loaded = pickle.loads(pickle.dumps(PickledBeforeFingerprints()))
    assert isinstance(loaded, PageOutcome)
    assert loaded == old and loaded.fingerprint is None
    fingerprinted = PageOutcome(
        old.url, old.result, article, fingerprint=fingerprint_text(WIRE, SPEC)
    )
    assert pickle.loads(pickle.dumps(fingerprinted)) == fingerprinted


# -- the index: the same decisions, without hashing ------------------------------------------


def corpus() -> list[tuple[str, str]]:
    """(article_id, text): stories, syndicated copies of some, an exact copy, short texts."""
    texts = story_texts()[:20]
    copies = [f"UPDATED - {texts[i]}\n\nShare this story with your friends." for i in (2, 7, 11)]
    items = [WIRE, SYNDICATED, SAME_TOPIC_A, SAME_TOPIC_B, SHORT, *texts, *copies, texts[4]]
    return [(aid(f"article-{i}"), text) for i, text in enumerate(items)]


def assign_all(
    db: Path, fingerprints: dict[str, TextFingerprint | None]
) -> tuple[list[DuplicateInfo], DuplicateIndex]:
    """Assign the corpus in commits of 6 rows, as the run loop does."""
    infos = []
    with RunState(db) as state:
        index = DuplicateIndex(state)
        items = corpus()
        for start in range(0, len(items), 6):
            batch = items[start : start + 6]
            for article_id, text in batch:
                infos.append(
                    index.assign(article_id, text, sha(text), fingerprints.get(article_id))
                )
            keys = [(article_id, sha(text)) for article_id, text in batch]
            with state.batch():
                state.record_commit(f"part-{start}.parquet", keys, now=T0)
                index.record(keys)
    return infos, index


def test_fingerprints_give_the_same_duplicate_columns_without_hashing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    driver, driver_index = assign_all(tmp_path / "driver.sqlite3", {})
    fingerprints = {article_id: fingerprint_text(text, SPEC) for article_id, text in corpus()}

    def no_hashing(_text: str) -> list[str]:
        raise AssertionError("the driver hashed a text it had a fingerprint of")

    monkeypatch.setattr("newsclean.pipeline.dedup.words_of", no_hashing)
    workers, workers_index = assign_all(tmp_path / "workers.sqlite3", fingerprints)

    assert workers == driver
    count = len(corpus())
    assert (driver_index.signatures.received, driver_index.signatures.computed) == (0, count)
    assert (workers_index.signatures.received, workers_index.signatures.computed) == (count, 0)
    # the corpus exercises every decision: clusters joined, an exact copy, a short text
    ids = [article_id for article_id, _ in corpus()]
    assert driver[1].cluster_id == ids[0]
    assert sum(info.cluster_id not in (None, ids[i]) for i, info in enumerate(driver)) >= 4
    assert driver[-1].duplicate_of == ids[9] and driver[4].cluster_id is None


def test_a_fingerprint_of_other_text_or_another_spec_is_not_used(db_path: Path) -> None:
    with RunState(db_path) as state:
        index = DuplicateIndex(state)
        index.assign(aid("agency"), WIRE, sha(WIRE), fingerprint_text(WIRE, SPEC))
        # what site rules do: the row's text (and hash) is no longer what the worker hashed
        stale = fingerprint_text(SAME_TOPIC_A, SPEC)
        info = index.assign(aid("site"), SYNDICATED, sha(SYNDICATED), stale)
        other_spec = fingerprint_text(SYNDICATED, MinHashSpec(num_perm=64))
        again = index.assign(aid("again"), SYNDICATED, sha(SYNDICATED), other_spec)
    assert info == DuplicateInfo(None, aid("agency"))  # judged on its own text after all
    assert again == DuplicateInfo(aid("site"), aid("agency"))
    assert (index.signatures.received, index.signatures.computed) == (1, 2)


def test_a_short_texts_fingerprint_leaves_it_unclustered(db_path: Path) -> None:
    with RunState(db_path) as state:
        index = DuplicateIndex(state)
        info = index.assign(aid("short"), SHORT, sha(SHORT), fingerprint_text(SHORT, SPEC))
    assert info == DuplicateInfo(None, None)
    assert index.signatures.received == 1


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "_state" / "state.sqlite3"


# -- a whole run -----------------------------------------------------------------------------

TEMPLATE = (
    "The Valley Ledger is a reader-funded newspaper covering the river towns since 1952.",
    "Our newsroom follows the editorial code published on the about page of this site.",
)


def site_pages() -> dict[str, bytes]:
    """19 pages: 9 stories, a syndicated copy of each, an exact copy; the site's template on
    three pages of four (site rules remove it there, and only there)."""
    stories = load_stories()
    pages: dict[str, bytes] = {}
    for index in range(18):
        story = stories[index % 9]
        paragraphs = [p.removeprefix("## ").removeprefix("> ") for p in story.paragraphs]
        if index >= 9:  # another first line and tail: a near-duplicate of page index - 9
            paragraphs = [
                f"From our partners at the Wire: copy number {index} of this story as filed.",
                *paragraphs,
                f"Item {index} was republished with the permission of the Wire and its staff.",
            ]
        if index % 4:
            paragraphs += TEMPLATE
        pages[f"/news/{index}.html"] = page_html(f"{story.title} ({index})", paragraphs)
    pages["/news/18.html"] = pages["/news/1.html"]  # an exact copy under another URL
    return pages


@pytest.fixture
def site() -> Iterator[LocalHttpServer]:
    with static_site(site_pages()) as server:
        yield server


@dataclass(frozen=True)
class SiteRun:
    #: per page index: article_id, text, duplicate_of, cluster_id, and if site rules changed it
    rows: dict[int, dict[str, object]]
    #: signatures the run's index received from outcomes / computed on the driver
    received: int
    computed: int


def run_site(folder: Path, server: LocalHttpServer, *, fingerprints: bool) -> SiteRun:
    """A run of the site with its own engine (capped workers that fingerprint), or with
    that engine told not to fingerprint (the driver hashes every text, as it used to)."""
    urls = folder / "urls.txt"
    folder.mkdir(parents=True)
    urls.write_text("".join(server.url(f"/news/{i}.html") + "\n" for i in range(19)), "utf-8")
    # one page at a time: which copy comes first (and founds the cluster) is the same
    config_path = write_config(
        folder / "site.toml",
        sources=[{"type": "urls", "path": "urls.txt"}],
        fetch={"concurrency": 1, "per_host_concurrency": 1},
        run={"commit_every": 7},
    )
    config = load_config(config_path)

    def unfingerprinted(config: Config, fetcher: PoliteFetcher) -> PageEngine:
        return LocalPages(fetcher, config.run.workers, config.run.clean_cap)

    options = RunOptions(
        install_signal_handlers=False, engine=None if fingerprints else unfingerprinted
    )
    summary = run(config, options)
    assert summary.rows_written == 19
    columns = ["url", "article_id", "text", "duplicate_of", "cluster_id", "removals"]
    rows: dict[int, dict[str, object]] = {}
    for row in dataset_rows(folder / "dataset").select(columns).to_pylist():
        index = int(row.pop("url").rsplit("/", 1)[1].removesuffix(".html"))
        row["site_rules"] = any(r["level"] == "site" for r in row.pop("removals"))
        rows[index] = row
    manifest = json.loads(
        (folder / "dataset" / "_runs" / f"{summary.run_id}.json").read_text(encoding="utf-8")
    )
    assert manifest["near_duplicate_signatures"] == {
        "from_workers": summary.signatures_received,
        "made_by_driver": summary.signatures_computed,
    }
    return SiteRun(rows, summary.signatures_received, summary.signatures_computed)


def test_a_runs_clusters_are_the_same_with_worker_fingerprints(
    site: LocalHttpServer, tmp_path: Path
) -> None:
    workers = run_site(tmp_path / "workers", site, fingerprints=True)
    driver = run_site(tmp_path / "driver", site, fingerprints=False)

    assert workers.rows == driver.rows  # ids, texts, duplicate_of, cluster_id: all equal
    # site rules changed the text of the pages with the template: those were hashed on the
    # driver (the text written), every other page came with a signature it used
    changed = sum(bool(row["site_rules"]) for row in workers.rows.values())
    assert changed == 14  # the 13 pages with the template, and the exact copy of page 1
    assert (workers.received, workers.computed) == (19 - changed, changed)
    assert (driver.received, driver.computed) == (0, 19)
    rows = workers.rows
    assert not any(line in str(row["text"]) for row in rows.values() for line in TEMPLATE)
    for index in range(9, 18):  # each syndicated copy joined its story's cluster
        assert rows[index]["cluster_id"] == rows[index - 9]["article_id"]
        assert rows[index]["duplicate_of"] is None
    assert rows[18]["duplicate_of"] == rows[1]["article_id"]
    assert rows[18]["cluster_id"] == rows[1]["article_id"]
