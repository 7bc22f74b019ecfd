# ruff: noqa: E501  (sentence templates and name lists are data: their lines stay whole)
"""Cluster linking measured on a synthetic corpus: originals plus syndicated near-copies.

The test runs a small corpus (1,020 articles) and holds pairwise precision and recall of the
links above pinned floors. The same helpers measure the full-size case, with real WCXB texts
among the originals when ../shared is present (timings are not asserted anywhere)::

    .venv/bin/python -m tests.test_dedup_synthetic --articles 20000 [--threshold 0.8]

which prints assign/record time, articles per CPU second, pairwise P/R, exact-copy accuracy
and the state's size with and without the duplicate index.

Originals are news-like texts made from sentence templates filled per story (one cast of
people, organisations and places per article), so unrelated articles share many short phrases
("said on Tuesday that the") -- harder for precision than random words. A syndicated copy is
an original with what republishing does to it: a different intro line or a dateline, a
boilerplate tail, a few word edits, sometimes the last paragraph cut.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

from newsclean.cleaners.fingerprint import words_of
from newsclean.pipeline.dedup import DedupOptions, DuplicateIndex, DuplicateInfo
from newsclean.pipeline.state import RunState

FIRST = [
    "Anna",
    "Ben",
    "Carla",
    "David",
    "Elena",
    "Farid",
    "Grace",
    "Hiro",
    "Ines",
    "Jonas",
    "Karin",
    "Luis",
    "Maya",
    "Nils",
    "Olga",
    "Pavel",
    "Rosa",
    "Samir",
    "Tara",
    "Umar",
    "Vera",
    "Wen",
    "Yusuf",
    "Zoe",
]
LAST = [
    "Adler",
    "Bauer",
    "Costa",
    "Dubois",
    "Eriksen",
    "Fischer",
    "Garcia",
    "Haddad",
    "Ivanova",
    "Jensen",
    "Kowalski",
    "Laurent",
    "Moreau",
    "Novak",
    "Okafor",
    "Petrov",
    "Quinn",
    "Rossi",
    "Schmidt",
    "Tanaka",
    "Usman",
    "Vogel",
    "Weber",
    "Yilmaz",
]
ORGS = [
    "city council",
    "health ministry",
    "transport authority",
    "central bank",
    "energy regulator",
    "teachers' union",
    "port authority",
    "football association",
    "water board",
    "county court",
    "housing agency",
    "chamber of commerce",
    "national weather service",
    "university hospital",
    "police department",
    "fire brigade",
    "environment agency",
    "statistics office",
]
PLACES = [
    "Riverton",
    "Lakeside",
    "North Hampton",
    "Eastbrook",
    "Millford",
    "Westport",
    "Oakdale",
    "Stonebridge",
    "Fairview",
    "Granite Falls",
    "Harbor City",
    "Pine Hill",
    "Redwater",
    "Ashford",
    "Brookhaven",
    "Clearwater",
    "Dunmore",
    "Elmwood",
    "Foxley",
    "Glenview",
]
TOPICS = [
    "budget",
    "rail line",
    "school reform",
    "flood defences",
    "hospital expansion",
    "tax plan",
    "bridge repair",
    "housing project",
    "bus network",
    "wind farm",
    "water pipeline",
    "stadium deal",
    "pension changes",
    "recycling scheme",
    "airport runway",
    "power station",
    "library closure",
    "speed limit",
    "harbour dredging",
    "cycle lanes",
]
VERBS = [
    "build",
    "close",
    "expand",
    "review",
    "fund",
    "delay",
    "replace",
    "inspect",
    "sell",
    "upgrade",
]
THINGS = [
    "schools",
    "stations",
    "homes",
    "clinics",
    "bridges",
    "depots",
    "parks",
    "roads",
    "sites",
    "offices",
]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
PERIODS = ["year", "month", "quarter", "season", "decade"]
FEELINGS = ["optimistic", "concerned", "confident", "disappointed", "cautious", "pleased"]
ADJECTIVES = ["rushed", "underfunded", "poorly planned", "overdue", "controversial", "ambitious"]
REMEDIES = [
    "an independent inquiry",
    "a public vote",
    "a pause in spending",
    "new leadership",
    "a full audit",
    "more consultation",
]
TEMPLATES = [
    "{person}, a spokesperson for the {org}, said on {day} that the {topic} would be reviewed before the end of the {period}.",
    "The {org} announced plans to {verb} {n} {things} in {place} over the next {m} years.",
    "According to figures released by the {org}, spending on the {topic} rose by {pct} percent in {place} last {period}.",
    "\u201cWe are {feeling} about the {topic},\u201d {person} told reporters in {place} on {day}.",
    "Critics argued that the {topic} had been {adj} from the start and called for {remedy}.",
    "Residents of {place} have waited {m} years for the {topic}, and many say their patience is running out.",
    "{person} of the {org} said the cost had grown to {n} million, roughly {pct} percent above the first estimate.",
    "A meeting on the {topic} is scheduled for {day}, when members of the {org} are expected to vote.",
    "Officials in {place} said {n} {things} could be affected if the {topic} went ahead as planned.",
    "The {org} declined to comment on reports that it would {verb} the {topic} next {period}.",
    "In a statement, the {org} said it remained committed to the {topic} despite the delays in {place}.",
    "{person}, who has followed the {topic} since it began, described the latest decision as {adj}.",
    "Local businesses in {place} warned that {n} jobs depended on the {topic} being finished on time.",
    "The last comparable project in {place}, a plan to {verb} {m} {things}, took almost {n} months longer than promised.",
    "Opposition members said they would demand {remedy} when the {org} meets again on {day}.",
    "It was not immediately clear how the {org} planned to pay for the {topic}.",
]
INTROS = [
    "{place} ({agency}) \u2014",
    "By {person}, {agency}",
    "Originally published by {agency}.",
    "{agency} reports from {place}:",
]
AGENCIES = ["Newswire", "Press Service", "Wire Report", "Metro Desk", "Regional News Agency"]
TAILS = [
    "Copyright {year} {agency}. All rights reserved. This material may not be published, broadcast, rewritten or redistributed.",
    "Follow us on Facebook and Twitter for the latest news from {place} and the region.",
    "Sign up for our free morning newsletter and get the day's top stories in your inbox.",
    "Have a story tip? Contact our newsroom by email or call the news desk.",
    "Read more: the full timeline of the {topic} and what happens next.",
    "{person} is a staff reporter covering local government and transport for {agency}.",
]


@dataclass(frozen=True, slots=True)
class Story:
    """One synthetic article; ``group`` is shared by an original and all its copies."""

    article_id: str
    text: str
    group: int
    is_copy: bool


def person(rng: random.Random) -> str:
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


def cast(rng: random.Random) -> dict[str, object]:
    """The people, organisation, place and topic one story keeps returning to."""
    return {
        "people": [person(rng) for _ in range(3)],
        "org": rng.choice(ORGS),
        "place": rng.choice(PLACES),
        "topic": rng.choice(TOPICS),
        "agency": rng.choice(AGENCIES),
    }


def sentence(rng: random.Random, story: dict[str, object]) -> str:
    people = story["people"]
    assert isinstance(people, list)
    return rng.choice(TEMPLATES).format(
        person=rng.choice(people),
        org=story["org"],
        place=story["place"] if rng.random() < 0.7 else rng.choice(PLACES),
        topic=story["topic"],
        verb=rng.choice(VERBS),
        things=rng.choice(THINGS),
        day=rng.choice(DAYS),
        period=rng.choice(PERIODS),
        feeling=rng.choice(FEELINGS),
        adj=rng.choice(ADJECTIVES),
        remedy=rng.choice(REMEDIES),
        n=rng.randint(2, 950),
        m=rng.randint(2, 30),
        pct=rng.randint(2, 80),
    )


def original_text(rng: random.Random, paragraphs: int) -> str:
    story = cast(rng)
    return "\n\n".join(
        " ".join(sentence(rng, story) for _ in range(rng.randint(2, 5))) for _ in range(paragraphs)
    )


def syndicate(text: str, rng: random.Random) -> str:
    """A republished copy: new intro or dateline, a few word edits, boilerplate tail, maybe
    the last paragraph cut."""
    story = cast(rng)
    fill = {
        "place": story["place"],
        "agency": story["agency"],
        "person": person(rng),
        "topic": story["topic"],
        "year": rng.randint(2019, 2025),
    }
    paragraphs = text.split("\n\n")
    if len(paragraphs) >= 4 and rng.random() < 0.25:
        paragraphs = paragraphs[:-1]
    first = paragraphs[0]
    if rng.random() < 0.5:  # a different intro sentence in place of the lead's first one
        rest = first.split(". ", 1)[1] if ". " in first else ""
        first = f"{sentence(rng, story)} {rest}".strip()
    else:
        first = f"{rng.choice(INTROS).format(**fill)} {first}"
    words = "\n\n".join([first, *paragraphs[1:]]).split(" ")
    for _ in range(rng.randint(1, 4)):
        at = rng.randrange(len(words))
        words[at] = rng.choice(["reportedly", "also", "now", words[at].upper(), "the"])
    tail = [rng.choice(TAILS).format(**fill) for _ in range(rng.randint(0, 2))]
    return "\n\n".join([" ".join(words), *tail])


def article_id(label: str) -> str:
    return hashlib.sha1(label.encode()).hexdigest()


def synthetic_corpus(
    originals: int,
    copies: int,
    seed: int,
    texts: Sequence[str] = (),
    exact: int = 0,
) -> list[Story]:
    """``originals`` articles (``texts`` first, then generated ones), ``copies`` syndicated
    copies and ``exact`` verbatim copies of randomly chosen originals (some get several),
    shuffled: a copy may come before its original."""
    rng = random.Random(seed)
    bases = list(texts[:originals])
    while len(bases) < originals:
        bases.append(original_text(rng, rng.choice([2, 3, 4, 5, 6, 8, 10])))
    stories = [Story(article_id(f"o{i}"), text, i, False) for i, text in enumerate(bases)]
    for c in range(copies):
        group = rng.randrange(originals)
        stories.append(Story(article_id(f"c{c}"), syndicate(bases[group], rng), group, True))
    for e in range(exact):
        group = rng.randrange(originals)
        stories.append(Story(article_id(f"e{e}"), bases[group], group, True))
    rng.shuffle(stories)
    return stories


@dataclass(frozen=True, slots=True)
class LinkScores:
    precision: float
    recall: float
    true_pairs: int
    predicted_pairs: int


def pairwise_scores(
    stories: Iterable[Story], clusters: dict[str, str | None], min_words: int
) -> LinkScores:
    """Precision and recall over pairs of clusterable articles: a pair is predicted when both
    share a cluster_id, true when both come from one original."""
    eligible = [s for s in stories if len(words_of(s.text)) >= min_words]
    truth: dict[int, list[str]] = defaultdict(list)
    predicted: dict[str, list[str]] = defaultdict(list)
    for story in eligible:
        truth[story.group].append(story.article_id)
        cluster = clusters[story.article_id]
        if cluster is not None:
            predicted[cluster].append(story.article_id)
    true_pairs = {frozenset(p) for ids in truth.values() for p in combinations(ids, 2)}
    predicted_pairs = {frozenset(p) for ids in predicted.values() for p in combinations(ids, 2)}
    hits = len(true_pairs & predicted_pairs)
    return LinkScores(
        precision=hits / len(predicted_pairs) if predicted_pairs else 1.0,
        recall=hits / len(true_pairs) if true_pairs else 1.0,
        true_pairs=len(true_pairs),
        predicted_pairs=len(predicted_pairs),
    )


@dataclass(slots=True)
class CorpusRun:
    """What assigning and recording a corpus gave, and what it cost."""

    infos: dict[str, DuplicateInfo]
    assign_seconds: float = 0.0
    record_seconds: float = 0.0

    def clusters(self) -> dict[str, str | None]:
        return {key: info.cluster_id for key, info in self.infos.items()}


def run_corpus(
    state: RunState,
    stories: Sequence[Story],
    batch: int = 200,
    options: DedupOptions | None = None,
) -> CorpusRun:
    """assign + record every story in commit-sized batches, as the run loop does."""
    index = DuplicateIndex(state, options)
    result = CorpusRun({})
    for start in range(0, len(stories), batch):
        keys = []
        began = time.perf_counter()
        for story in stories[start : start + batch]:
            content_hash = hashlib.sha256(story.text.encode()).hexdigest()
            result.infos[story.article_id] = index.assign(
                story.article_id, story.text, content_hash
            )
            keys.append((story.article_id, content_hash))
        assigned = time.perf_counter()
        with state.batch():
            state.record_commit(f"part-{start}.parquet", keys)
            index.record(keys)
        result.assign_seconds += assigned - began
        result.record_seconds += time.perf_counter() - assigned
    return result


def exact_copy_accuracy(stories: Sequence[Story], infos: dict[str, DuplicateInfo]) -> float:
    """Share of rows whose ``duplicate_of`` is exactly right: the first earlier article with
    the same text, or None for a text not seen before."""
    first: dict[str, str] = {}
    right = 0
    for story in stories:
        expected = first.setdefault(story.text, story.article_id)
        wanted = None if expected == story.article_id else expected
        right += infos[story.article_id].duplicate_of == wanted
    return right / len(stories)


def test_links_syndicated_copies_and_nothing_else(tmp_path: Path) -> None:
    stories = synthetic_corpus(originals=900, copies=100, seed=7, exact=20)
    with RunState(tmp_path / "state.sqlite3") as state:
        run = run_corpus(state, stories)
    scores = pairwise_scores(stories, run.clusters(), min_words=50)
    print(scores)
    assert scores.true_pairs >= 100
    assert scores.precision >= 0.98
    assert scores.recall >= 0.85
    assert exact_copy_accuracy(stories, run.infos) == 1.0


# -- the benchmark: python -m tests.test_dedup_synthetic [--articles 20000] ------------------


def wcxb_texts(shared: Path) -> list[str]:
    """Real main texts of the WCXB dev pages (../shared), as originals that look real."""
    texts = []
    for path in sorted((shared / "data" / "wcxb-dev" / "ground-truth").glob("*.json")):
        truth = json.loads(path.read_text(encoding="utf-8"))["ground_truth"]
        if truth.get("main_content"):
            texts.append(truth["main_content"])
    return texts


def state_bytes(state: RunState) -> int:
    state._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return state.path.stat().st_size


def benchmark(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Duplicate index: throughput, P/R, size.")
    parser.add_argument("--articles", type=int, default=20_000)
    parser.add_argument("--near-share", type=float, default=0.10)
    parser.add_argument("--exact-share", type=float, default=0.01)
    parser.add_argument("--threshold", type=float, default=DedupOptions().threshold)
    parser.add_argument("--batch", type=int, default=500, help="rows per commit")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--shared", type=Path, default=Path(__file__).parents[2] / "shared")
    args = parser.parse_args(argv)
    texts = wcxb_texts(args.shared) if (args.shared / "data").is_dir() else []
    copies = int(args.articles * args.near_share)
    exact = int(args.articles * args.exact_share)
    stories = synthetic_corpus(args.articles - copies - exact, copies, args.seed, texts, exact)
    short = sum(len(words_of(s.text)) < DedupOptions().min_words for s in stories)
    print(f"{len(stories)} articles: {copies} near copies, {exact} exact copies,")
    print(f"  {len(texts)} real WCXB texts among the originals, {short} texts under 50 words")
    with tempfile.TemporaryDirectory() as folder:
        with RunState(Path(folder) / "baseline.sqlite3") as baseline:
            began = time.perf_counter()
            for start in range(0, len(stories), args.batch):
                keys = [
                    (s.article_id, hashlib.sha256(s.text.encode()).hexdigest())
                    for s in stories[start : start + args.batch]
                ]
                baseline.record_commit(f"part-{start}.parquet", keys)
            baseline_seconds = time.perf_counter() - began
            baseline_size = state_bytes(baseline)
        with RunState(Path(folder) / "dedup.sqlite3") as state:
            options = DedupOptions(threshold=args.threshold)
            cpu = time.process_time()
            run = run_corpus(state, stories, args.batch, options)
            cpu = time.process_time() - cpu
            size = state_bytes(state)
            indexed = state.indexed_count()
    total = run.assign_seconds + run.record_seconds
    scores = pairwise_scores(stories, run.clusters(), options.min_words)
    print(
        f"threshold {options.threshold}: assign {run.assign_seconds:.1f} s,"
        f" record {run.record_seconds:.1f} s, {len(stories) / total:,.0f} articles/s"
        f" (record_commit alone: {baseline_seconds:.2f} s);"
        f" CPU {cpu:.1f} s = {len(stories) / cpu:,.0f} articles per CPU second"
    )
    print(
        f"pairs: precision {scores.precision:.4f}, recall {scores.recall:.4f}"
        f" ({scores.true_pairs} true, {scores.predicted_pairs} predicted)"
    )
    print(f"exact duplicate_of right on {exact_copy_accuracy(stories, run.infos):.4%} of rows")
    print(
        f"state: {size / 1e6:.1f} MB with the index ({indexed} articles indexed),"
        f" {baseline_size / 1e6:.1f} MB without; {(size - baseline_size) / indexed:.0f}"
        " bytes per indexed article"
    )


if __name__ == "__main__":
    benchmark()
