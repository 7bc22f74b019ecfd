# ruff: noqa: E501  (article paragraphs are data: their lines stay whole)
"""DuplicateIndex: exact copies and near-duplicate clusters, across runs and crashes."""

from __future__ import annotations

import dataclasses
import hashlib
import sqlite3
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from newsclean.cleaners.fingerprint import shingle_hashes, words_of
from newsclean.output.dataset import ParquetDataset
from newsclean.pipeline import state as state_module
from newsclean.pipeline.dedup import (
    DedupOptions,
    DuplicateIndex,
    DuplicateInfo,
    DuplicateSettingsChanged,
)
from newsclean.pipeline.state import RunState
from tests.test_schema import sample_rows

T0 = datetime(2024, 5, 1, 12, tzinfo=UTC)

# A wire story as the agency sent it (paragraphs separated by blank lines, like Article.text).
WIRE = """The regional transport authority approved a plan on Tuesday to extend the northern tram line by six kilometres, linking the new housing district at Kessel Park with the central station for the first time.

The project is expected to cost about 310 million euros, two thirds of which will come from the national infrastructure fund, the authority said in a statement after a four-hour meeting.

Construction is due to begin next spring and should take three years. During the works, buses will replace trams on the busiest section between the university and the old harbour on weekends.

Residents of Kessel Park have campaigned for a rail connection since the first apartments were finished in 2019. Many of them currently spend more than forty minutes on crowded buses to reach the city centre.

Opposition councillors welcomed the decision but warned that the authority had underestimated the cost of moving water and gas pipes along the route, which they said could add tens of millions to the final bill.

The authority's chair said the budget included a reserve for such risks and that the timetable had been agreed with the utility companies in advance."""

# The same story republished: another intro line, a boilerplate tail, a few edits.
SYNDICATED = """NORTHPORT (Regional Wire) - The regional transport authority approved a plan on Tuesday to extend the northern tram line by six kilometres, linking the new housing district at Kessel Park with the central station for the first time.

The project is expected to cost about 310 million euros, two thirds of which will come from the national infrastructure fund, the authority said in a statement after a long meeting.

Construction is due to begin next spring and should take three years. During the works, buses will replace trams on the busiest section between the university and the old harbour on weekends.

Residents of Kessel Park have campaigned for a rail connection since the first apartments were completed in 2019. Many of them currently spend more than forty minutes on crowded buses to reach the city centre.

Opposition councillors welcomed the decision but warned that the authority had underestimated the cost of moving water and gas pipes along the route, which they said could add tens of millions to the final bill.

The authority's chair said the budget included a reserve for such risks and that the timetable had been agreed with the utility companies in advance.

Copyright 2024 Regional Wire. All rights reserved. Sign up for our morning newsletter to get the top stories of the day in your inbox."""

# Two different reports on the same event: same topic, names and numbers, written apart.
SAME_TOPIC_A = """City councillors voted 31 to 12 on Tuesday evening to extend the northern tram line to Kessel Park, ending a dispute that has divided the council for almost five years.

Supporters said the six-kilometre extension would finally give the fast-growing district a reliable connection, while critics questioned whether the national fund would really cover two thirds of the 310 million euro bill.

"This is a good day for the people who were promised a tram when they bought their flats," said the deputy mayor, who has backed the plan since 2019.

Shopkeepers along the planned route were less enthusiastic. Several said they feared three years of roadworks would drive away customers, and asked the council for compensation during the construction period."""

SAME_TOPIC_B = """Kessel Park will get its tram. After years of delays, the transport authority has signed off on the extension, and engineers now have to work out how to lay six kilometres of track through one of the busiest corridors in the region.

The hardest part, according to planning documents seen by this newspaper, is the stretch near the old harbour, where water and gas pipes run directly under the road and will have to be moved before any rails go in.

Commuters will feel the works: on weekends, replacement buses will run between the university and the harbour, and some stops will close for months at a time.

For residents, the news is welcome but late. "My children will be at secondary school before they can take a tram into town," one mother said at a stop where the 42 bus was already full."""

SHORT = "Police closed the bridge on Monday after a lorry hit the railing. No one was hurt."


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def aid(name: str) -> str:
    return hashlib.sha1(name.encode()).hexdigest()


def commit(state: RunState, index: DuplicateIndex, *items: tuple[str, str]) -> None:
    """Register ``(article_id, text)`` rows as one committed file, as the run loop does."""
    keys = [(article_id, sha(text)) for article_id, text in items]
    with state.batch():
        state.record_commit(f"part-{keys[0][0][:8]}.parquet", keys, now=T0)
        index.record(keys)


def assign_and_commit(state: RunState, article_id: str, text: str) -> DuplicateInfo:
    index = DuplicateIndex(state)
    info = index.assign(article_id, text, sha(text))
    commit(state, index, (article_id, text))
    return info


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "_state" / "state.sqlite3"


def jaccard(a: str, b: str) -> float:
    """Exact Jaccard similarity of the word 5-gram sets (what MinHash estimates)."""
    first, second = (set(shingle_hashes(words_of(t), 5).tolist()) for t in (a, b))
    return len(first & second) / len(first | second)


def test_the_texts_are_what_the_tests_claim() -> None:
    assert len(words_of(WIRE)) > 150 and len(words_of(SHORT)) < 50
    assert WIRE.split("\n\n")[1:] != SYNDICATED.split("\n\n")[1:-1]  # edited, not just framed
    # a copy that a 0.8 threshold would miss; same-topic reports far below any threshold
    assert 0.6 < jaccard(WIRE, SYNDICATED) < 0.8
    assert max(jaccard(WIRE, SAME_TOPIC_A), jaccard(WIRE, SAME_TOPIC_B)) < 0.05


def test_a_new_text_founds_its_own_cluster(db: Path) -> None:
    with RunState(db) as state:
        info = assign_and_commit(state, aid("a"), WIRE)
    assert info == DuplicateInfo(duplicate_of=None, cluster_id=aid("a"))


def test_an_exact_copy_in_a_later_run_names_the_first_article(db: Path) -> None:
    with RunState(db) as state:
        assign_and_commit(state, aid("a"), WIRE)
    with RunState(db) as state:  # a new run: only the state remembers
        info = assign_and_commit(state, aid("b"), WIRE)
        third = assign_and_commit(state, aid("c"), WIRE)
    assert info == DuplicateInfo(duplicate_of=aid("a"), cluster_id=aid("a"))
    assert third.duplicate_of == aid("a")  # the first copy, not the latest


def test_a_new_version_of_the_same_article_is_not_its_own_duplicate(db: Path) -> None:
    with RunState(db) as state:
        assign_and_commit(state, aid("a"), WIRE)
        index = DuplicateIndex(state)
        assert index.assign(aid("a"), WIRE, sha(WIRE)).duplicate_of is None


def test_a_syndicated_copy_with_another_intro_and_tail_joins_the_cluster(db: Path) -> None:
    with RunState(db) as state:
        assign_and_commit(state, aid("agency"), WIRE)
        info = assign_and_commit(state, aid("site"), SYNDICATED)
    assert info == DuplicateInfo(duplicate_of=None, cluster_id=aid("agency"))


def test_copies_in_one_batch_are_linked_before_any_commit(db: Path) -> None:
    with RunState(db) as state:
        index = DuplicateIndex(state)
        first = index.assign(aid("a"), WIRE, sha(WIRE))
        near = index.assign(aid("b"), SYNDICATED, sha(SYNDICATED))
        exact = index.assign(aid("c"), WIRE, sha(WIRE))
        assert index.pending == 3
        commit(state, index, (aid("a"), WIRE), (aid("b"), SYNDICATED), (aid("c"), WIRE))
        assert index.pending == 0
    assert first.cluster_id == near.cluster_id == exact.cluster_id == aid("a")
    assert exact.duplicate_of == aid("a") and near.duplicate_of is None


def test_unrelated_articles_on_the_same_topic_are_not_linked(db: Path) -> None:
    with RunState(db) as state:
        infos = [
            assign_and_commit(state, aid(name), text)
            for name, text in [("wire", WIRE), ("a", SAME_TOPIC_A), ("b", SAME_TOPIC_B)]
        ]
    assert [i.cluster_id for i in infos] == [aid("wire"), aid("a"), aid("b")]


def test_short_texts_are_not_clustered_but_exact_copies_are_found(db: Path) -> None:
    with RunState(db) as state:
        first = assign_and_commit(state, aid("a"), SHORT)
        copy = assign_and_commit(state, aid("b"), SHORT)
        assert state.indexed_count() == 0
    assert first == DuplicateInfo(None, None)
    assert copy == DuplicateInfo(duplicate_of=aid("a"), cluster_id=None)


def test_the_cluster_persists_across_reopened_states(db: Path) -> None:
    with RunState(db) as state:
        assign_and_commit(state, aid("agency"), WIRE)
    with RunState(db) as state:
        second = assign_and_commit(state, aid("site"), SYNDICATED)
    # a copy of the copy, edited again, two runs later: still the agency's cluster
    third_text = SYNDICATED.replace("Regional Wire", "Valley Post").replace(
        "Tuesday", "Tuesday night"
    )
    with RunState(db) as state:
        third = assign_and_commit(state, aid("other"), third_text)
        assert state.indexed_count() == 3
    assert second.cluster_id == third.cluster_id == aid("agency")


def test_an_assignment_never_recorded_leaves_no_trace(db: Path) -> None:
    with RunState(db) as state:
        index = DuplicateIndex(state)
        index.assign(aid("crashed"), WIRE, sha(WIRE))
        # the process dies here: the file never reached the dataset, record() never ran
    with RunState(db) as state:
        assert state.indexed_count() == 0
        assert state.first_copy(sha(WIRE)) is None
        info = assign_and_commit(state, aid("later"), WIRE)
    assert info == DuplicateInfo(duplicate_of=None, cluster_id=aid("later"))


def test_a_rolled_back_commit_leaves_no_index_entries(db: Path) -> None:
    with RunState(db) as state:
        index = DuplicateIndex(state)
        index.assign(aid("a"), WIRE, sha(WIRE))
        with pytest.raises(RuntimeError, match="disk full"), state.batch():
            state.record_commit("part-a.parquet", [(aid("a"), sha(WIRE))], now=T0)
            index.record([(aid("a"), sha(WIRE))])
            raise RuntimeError("disk full")
    with RunState(db) as state:
        assert state.indexed_count() == 0 and state.first_copy(sha(WIRE)) is None


def test_recording_a_key_never_assigned_is_a_bug(db: Path) -> None:
    with RunState(db) as state:
        index = DuplicateIndex(state)
        with pytest.raises(KeyError):
            index.record([(aid("x"), sha(WIRE))])


def test_discarded_decisions_are_not_recorded_nor_matched(db: Path) -> None:
    with RunState(db) as state:
        index = DuplicateIndex(state)
        index.assign(aid("a"), WIRE, sha(WIRE))
        index.discard([(aid("a"), sha(WIRE))])
        info = index.assign(aid("b"), WIRE, sha(WIRE))
    assert info == DuplicateInfo(duplicate_of=None, cluster_id=aid("b"))


def band_rows(state: RunState) -> int:
    return int(state._conn.execute("SELECT count(*) FROM dup_bands").fetchone()[0])


def test_exact_copies_add_no_band_keys(db: Path) -> None:
    with RunState(db) as state:
        assign_and_commit(state, aid("a"), WIRE)
        bands = band_rows(state)
        for name in ("b", "c", "d"):
            assign_and_commit(state, aid(name), WIRE)
        assert band_rows(state) == bands
        assert state.indexed_count() == 4


def test_a_new_version_replaces_the_articles_entry_and_keeps_its_cluster(db: Path) -> None:
    with RunState(db) as state:
        assign_and_commit(state, aid("agency"), WIRE)
        assign_and_commit(state, aid("site"), SYNDICATED)
        bands = band_rows(state)
        updated = SYNDICATED.replace("six kilometres", "6.2 kilometres")
        info = assign_and_commit(state, aid("site"), updated)
        assert info.cluster_id == aid("agency")
        assert state.indexed_count() == 2
        assert band_rows(state) == bands  # old bands deleted, new ones inserted


def test_changed_signature_settings_are_refused_once_the_index_has_entries(db: Path) -> None:
    with RunState(db) as state:
        DuplicateIndex(state, DedupOptions(num_perm=64))  # empty index: settings replaced
        assign_and_commit(state, aid("a"), WIRE)
        DuplicateIndex(state, DedupOptions(min_words=80))  # not part of the signature
        with pytest.raises(DuplicateSettingsChanged, match="num_perm"):
            DuplicateIndex(state, DedupOptions(num_perm=64))


def test_adopt_indexes_a_committed_row_once(db: Path) -> None:
    with RunState(db) as state:
        index = DuplicateIndex(state)
        assert index.adopt(aid("a"), WIRE, cluster_id=None)
        assert not index.adopt(aid("a"), WIRE, cluster_id=None)
        assert not index.adopt(aid("short"), SHORT, cluster_id=None)
        info = index.assign(aid("b"), SYNDICATED, sha(SYNDICATED))
    assert info.cluster_id == aid("a")


def test_adopt_file_indexes_the_rows_of_a_file_the_crash_left_unrecorded(
    db: Path, tmp_path: Path
) -> None:
    dataset = ParquetDataset.open(tmp_path / "news")
    rows = [
        dataclasses.replace(row, text=text, content_hash=sha(text), cluster_id=cluster)
        for row, text, cluster in zip(
            sample_rows(2), [WIRE, SHORT], [aid("founder"), None], strict=True
        )
    ]
    committed = dataset.commit(rows, crawl_date=date(2024, 5, 1), run_id="r1")
    with RunState(db) as state:
        index = DuplicateIndex(state)
        assert index.adopt_file(committed.path) == 1
        assert index.adopt_file(committed.path) == 0  # everything long is indexed now
        found = state.indexed_text(rows[0].article_id)
        assert found is not None and found.cluster_id == aid("founder")
        assert index.assign(aid("copy"), SYNDICATED, sha(SYNDICATED)).cluster_id == aid("founder")


def test_reconciled_files_still_count_as_first_copies(db: Path) -> None:
    with RunState(db) as state:
        # reconcile registers an adopted file with record_commit alone
        state.record_commit("adopted.parquet", [(aid("a"), sha(SHORT))], now=T0)
        index = DuplicateIndex(state)
        assert index.assign(aid("b"), SHORT, sha(SHORT)).duplicate_of == aid("a")


def test_a_state_from_before_the_duplicate_tables_gets_its_first_copies(db: Path) -> None:
    with RunState(db) as state:
        state.record_commit("late.parquet", [(aid("z"), sha(SHORT))], now=T0.replace(hour=14))
        state.record_commit("early.parquet", [(aid("y"), sha(SHORT))], now=T0)
    conn = sqlite3.connect(db)
    for table in state_module._DUPLICATE_TABLES:
        conn.execute(f"DROP TABLE {table}")
    conn.commit()
    conn.close()
    with RunState(db) as state:
        assert state.first_copy(sha(SHORT)) == aid("y")  # the earliest committed file
        assert state.indexed_count() == 0


def test_shingle_hashes_depend_on_word_order_and_every_word() -> None:
    words = ["the", "quick", "brown", "fox", "jumps", "over", "the", "lazy", "dog"]
    hashes = shingle_hashes(words, 5)
    assert len(hashes) == 5 and len(set(hashes.tolist())) == 5
    swapped = shingle_hashes(["quick", "the", *words[2:]], 5)
    assert swapped[0] != hashes[0] and (swapped[2:] == hashes[2:]).all()
    assert len(shingle_hashes(words[:4], 5)) == 0


def test_words_are_normalised_before_shingling() -> None:
    assert words_of("Ｔｈｅ  MAYOR said: «Yes»") == ["the", "mayor", "said", "yes"]
