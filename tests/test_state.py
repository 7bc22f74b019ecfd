"""RunState: due rules, validators, exactly-once versions, runs, corruption and crash safety."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from newsclean.pipeline import state as state_module
from newsclean.pipeline.errors import PipelineError
from newsclean.pipeline.exitcodes import ExitCode
from newsclean.pipeline.state import (
    STATUS_NOT_MODIFIED,
    STATUS_OK,
    RetryPolicy,
    RunState,
    StateCorrupt,
    StateTooNew,
    from_micros,
    state_path,
    to_micros,
)

T0 = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)
A = "https://news.example/a"
B = "https://news.example/b"
C = "https://news.example/c"


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return state_path(tmp_path / "dataset")


@pytest.fixture
def st(db: Path) -> Iterator[RunState]:
    with RunState(db) as opened:
        yield opened


def test_opens_in_wal_mode_with_current_schema_under_the_dataset(db: Path, st: RunState) -> None:
    assert db.parts[-2:] == ("_state", "state.sqlite3")
    assert db.is_file()
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA user_version").fetchone()[0] == len(state_module.MIGRATIONS)
    finally:
        conn.close()
    assert st._conn.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
    assert st._conn.execute("PRAGMA busy_timeout").fetchone()[0] == 5000


def test_micros_round_trip_is_exact_and_refuses_naive_times() -> None:
    moment = datetime(2024, 3, 1, 12, 0, 0, 123457, tzinfo=timezone(timedelta(hours=2)))
    assert from_micros(to_micros(moment)) == moment
    assert from_micros(to_micros(moment)).tzinfo is UTC
    with pytest.raises(ValueError, match="naive"):
        to_micros(datetime(2024, 3, 1))


def test_discovered_urls_are_new_once_and_due_until_fetched(st: RunState) -> None:
    assert st.record_discovered([A, B, A], T0) == 2
    assert st.record_discovered([A, B, C], T0 + timedelta(hours=1)) == 1
    assert st.is_due(A, T0) and st.is_due("https://never.seen/", T0)
    first = st.url_state(A)
    assert first is not None and first.first_seen == T0 and first.last_fetch is None


def test_fetched_ok_is_not_due_again_without_refetch_interval(st: RunState) -> None:
    st.record_discovered([A], T0)
    st.record_fetch(A, STATUS_OK, T0, etag='"v1"', last_modified="Fri, 01 Mar 2024 10:00:00 GMT")
    assert not st.is_due(A, T0 + timedelta(days=3650))
    assert st.validators(A) == ('"v1"', "Fri, 01 Mar 2024 10:00:00 GMT")
    assert st.validators(B) == (None, None)


def test_refetch_after_makes_a_fetched_url_due_once_elapsed(db: Path) -> None:
    with RunState(db, refetch_after=timedelta(hours=6)) as st:
        st.record_fetch(A, STATUS_OK, T0)
        assert not st.is_due(A, T0 + timedelta(hours=5, minutes=59))
        assert st.is_due(A, T0 + timedelta(hours=6))


def test_not_modified_keeps_validators_the_304_did_not_repeat(st: RunState) -> None:
    st.record_fetch(A, STATUS_OK, T0, etag='"v1"', last_modified="LM1")
    st.record_fetch(A, STATUS_NOT_MODIFIED, T0 + timedelta(hours=1), etag=None, last_modified=None)
    assert st.validators(A) == ('"v1"', "LM1")
    st.record_fetch(A, STATUS_NOT_MODIFIED, T0 + timedelta(hours=2), etag='"v2"')
    assert st.validators(A) == ('"v2"', "LM1")
    # a full 200 answer without validators means the server stopped sending them
    st.record_fetch(A, STATUS_OK, T0 + timedelta(hours=3))
    assert st.validators(A) == (None, None)
    assert st.url_state(A).last_status == STATUS_OK  # type: ignore[union-attr]


def test_transient_failures_back_off_exponentially_then_turn_terminal(db: Path) -> None:
    policy = RetryPolicy(base_delay=timedelta(minutes=5), max_failures=3)
    with RunState(db, retry=policy) as st:
        first = st.record_failure(A, "timeout", T0, transient=True)
        assert first == T0 + timedelta(minutes=5)
        assert not st.is_due(A, T0 + timedelta(minutes=4))
        assert st.is_due(A, T0 + timedelta(minutes=5))
        second = st.record_failure(A, "timeout", T0 + timedelta(minutes=5), transient=True)
        assert second == T0 + timedelta(minutes=15)  # 5 min + 2 x 5 min
        assert st.record_failure(A, "timeout", T0 + timedelta(hours=1), transient=True) is None
        state = st.url_state(A)
        assert state is not None and state.terminal and state.failures == 3
        assert not st.is_due(A, T0 + timedelta(days=365))


def test_retry_after_from_the_server_wins_when_longer(st: RunState) -> None:
    due = st.record_failure(A, "http-retryable", T0, transient=True, retry_after=timedelta(hours=2))
    assert due == T0 + timedelta(hours=2)


def test_backoff_is_capped() -> None:
    policy = RetryPolicy(base_delay=timedelta(minutes=5), max_delay=timedelta(hours=1))
    assert [policy.delay_after(n) for n in (1, 2, 3, 4, 5, 40)] == [
        timedelta(minutes=m) for m in (5, 10, 20, 40, 60, 60)
    ]


def test_terminal_failure_is_never_due_even_with_refetch_interval(db: Path) -> None:
    with RunState(db, refetch_after=timedelta(hours=1)) as st:
        assert st.record_failure(A, "http-error", T0, transient=False) is None
        assert not st.is_due(A, T0 + timedelta(days=30))


def test_success_after_failures_resets_the_count(st: RunState) -> None:
    st.record_failure(A, "timeout", T0, transient=True)
    st.record_fetch(A, STATUS_OK, T0 + timedelta(hours=1))
    state = st.url_state(A)
    assert state is not None
    assert (state.failures, state.next_retry_at, state.terminal) == (0, None, False)


def test_due_urls_keeps_order_drops_duplicates_and_spans_chunks(
    st: RunState, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(state_module, "_CHUNK", 3)
    urls = [f"https://news.example/{n}" for n in range(10)]
    st.record_discovered(urls, T0)
    with st.batch():
        for url in urls[::2]:
            st.record_fetch(url, STATUS_OK, T0)
    st.record_failure(urls[1], "timeout", T0, transient=True)
    asked = [*reversed(urls), urls[3], "https://news.example/new"]
    due = st.due_urls(asked, T0 + timedelta(minutes=1))
    assert due == [urls[9], urls[7], urls[5], urls[3], "https://news.example/new"]
    assert urls[1] in st.due_urls(urls, T0 + timedelta(minutes=5))


def test_pending_urls_are_the_unfetched_and_the_retries_now_due(db: Path) -> None:
    with RunState(db, refetch_after=timedelta(hours=1)) as st:
        st.record_discovered([A, B, C, "https://news.example/d"], T0)
        st.record_fetch(A, STATUS_OK, T0)  # fetched: not pending, even once refetch is due
        st.record_failure(B, "timeout", T0, transient=True)  # due again at T0 + 5 min
        st.record_failure(C, "http-error", T0, transient=False)  # terminal: never
        assert st.pending_urls(T0 + timedelta(minutes=1)) == ["https://news.example/d"]
        assert st.pending_urls(T0 + timedelta(hours=2)) == [B, "https://news.example/d"]


def test_fifty_thousand_urls_round_trip(st: RunState) -> None:
    urls = [f"https://news.example/2024/{n:05d}.html" for n in range(50_000)]
    assert st.record_discovered(urls, T0) == 50_000
    assert len(st.due_urls(urls, T0)) == 50_000
    with st.batch():
        for url in urls[:25_000]:
            st.record_fetch(url, STATUS_OK, T0, etag=f'"{url[-10:]}"')
    assert st.due_urls(urls, T0) == urls[25_000:]
    assert st.url_count() == 50_000


def test_record_commit_registers_file_versions_and_url_hashes(st: RunState) -> None:
    st.record_discovered([A, B], T0)
    added = st.record_commit(
        "part-0001.parquet",
        [("id-a", "h1"), ("id-b", "h2")],
        url_hashes=[(A, "h1"), (B, "h2")],
        now=T0,
    )
    assert added == 2
    assert st.has_version("id-a", "h1") and not st.has_version("id-a", "h9")
    assert st.file_of("id-b", "h2") == "part-0001.parquet"
    assert st.known_files() == {"part-0001.parquet"}
    assert st.url_state(A).content_hash == "h1"  # type: ignore[union-attr]
    assert st.existing_versions([("id-a", "h1"), ("id-a", "h9"), ("id-b", "h2")]) == {
        ("id-a", "h1"),
        ("id-b", "h2"),
    }
    # a version committed again keeps its first file; only the new one counts
    assert st.record_commit("part-0002.parquet", [("id-a", "h1"), ("id-a", "h3")], now=T0) == 1
    assert st.file_of("id-a", "h1") == "part-0001.parquet"
    assert st.version_count() == 3


def test_record_commit_is_all_or_nothing(st: RunState) -> None:
    def keys_then_crash() -> Iterator[tuple[str, str]]:
        yield ("id-a", "h1")
        yield ("id-b", "h2")
        raise OSError("simulated failure while listing the file's rows")

    with pytest.raises(OSError, match="simulated"):
        st.record_commit("part-0001.parquet", keys_then_crash(), now=T0)
    assert st.known_files() == set()
    assert st.version_count() == 0


def test_a_failing_batch_rolls_back_every_call_in_it(st: RunState) -> None:
    st.record_discovered([A], T0)
    with pytest.raises(RuntimeError), st.batch():
        st.record_fetch(A, STATUS_OK, T0)
        st.record_discovered([B, C], T0)
        with st.batch():  # nested: joins the outer transaction
            st.record_commit("part-1.parquet", [("id-a", "h1")], now=T0)
        raise RuntimeError("boom")
    assert st.url_count() == 1 and st.is_due(A, T0) and st.known_files() == set()
    st.record_discovered([B], T0)  # the connection is usable again
    assert st.url_count() == 2


def test_forget_files_drops_their_versions(st: RunState) -> None:
    st.record_commit("f1", [("a", "1"), ("b", "1")], now=T0)
    st.record_commit("f2", [("c", "1")], now=T0)
    assert st.forget_files(["f1", "missing"]) == 1
    assert st.known_files() == {"f2"}
    assert not st.has_version("a", "1") and st.has_version("c", "1")


def test_state_survives_reopening(db: Path) -> None:
    with RunState(db) as st:
        st.record_discovered([A], T0)
        st.record_fetch(A, STATUS_OK, T0, etag='"x"')
        st.record_commit("f1", [("a", "1")], now=T0)
    with RunState(db) as st:
        assert st.validators(A) == ('"x"', None)
        assert st.has_version("a", "1") and not st.is_due(A, T0 + timedelta(days=1))


def test_runs_are_recorded_newest_first(st: RunState) -> None:
    st.begin_run("run-1", T0)
    st.end_run("run-1", T0 + timedelta(minutes=3), 0, '{"fetched": 5}', "_runs/run-1.json")
    st.begin_run("run-2", T0 + timedelta(hours=1))
    newest, oldest = st.runs()
    assert newest.run_id == "run-2" and newest.ended_at is None  # crashed or still running
    assert oldest.exit_status == 0 and oldest.summary_json == '{"fetched": 5}'
    assert oldest.manifest_path == "_runs/run-1.json"
    assert oldest.ended_at == T0 + timedelta(minutes=3)
    with pytest.raises(KeyError):
        st.end_run("nope", T0, 0, "{}")
    with pytest.raises(ValueError):
        st.end_run("run-2", T0, 0, "not json")


def test_garbage_bytes_raise_state_corrupt(db: Path) -> None:
    db.parent.mkdir(parents=True)
    db.write_bytes(b"this is not sqlite at all\n" * 200)
    with pytest.raises(StateCorrupt) as caught:
        RunState(db)
    error = caught.value
    assert isinstance(error, PipelineError) and error.exit_code == ExitCode.RUN_FAILED
    assert error.path == db
    assert error.one_line().startswith("Error: run state is corrupt")


def test_a_torn_page_inside_a_valid_file_is_found_at_open(db: Path) -> None:
    with RunState(db) as st:
        st.record_discovered([f"https://news.example/{n}" for n in range(3000)], T0)
    assert not db.with_name(db.name + "-wal").exists()  # checkpointed on close
    with db.open("r+b") as raw:
        raw.seek(4096 * 3)  # a b-tree page past the header and schema pages
        raw.write(os.urandom(4096))
    with pytest.raises(StateCorrupt):
        RunState(db)


def test_rebuild_moves_the_corrupt_file_and_its_wal_aside(db: Path) -> None:
    db.parent.mkdir(parents=True)
    db.write_bytes(b"\x00garbage" * 512)
    db.with_name(db.name + "-wal").write_bytes(b"stale wal")
    moment = datetime(2024, 3, 1, 12, 30, 5, tzinfo=UTC)
    with RunState.rebuild(db, now=moment) as st:
        assert st.recovered_from == db.with_name("state.sqlite3.corrupt-20240301T123005000000Z")
        assert st.recovered_from.read_bytes().startswith(b"\x00garbage")
        assert st.recovered_from.with_name(st.recovered_from.name + "-wal").read_bytes() == (
            b"stale wal"
        )
        assert st.url_count() == 0 and st.known_files() == set()
        st.record_discovered([A], T0)
    with RunState(db) as reopened:
        assert reopened.url_count() == 1


def test_a_newer_schema_is_refused(db: Path) -> None:
    db.parent.mkdir(parents=True)
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    with pytest.raises(StateTooNew, match="schema version 99"):
        RunState(db)


def test_migrations_upgrade_an_older_state_in_place(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with RunState(db) as st:
        st.record_discovered([A], T0)

    def add_language_column(conn: sqlite3.Connection) -> None:
        conn.execute("ALTER TABLE urls ADD COLUMN language TEXT")

    monkeypatch.setattr(state_module, "MIGRATIONS", [*state_module.MIGRATIONS, add_language_column])
    with RunState(db) as st:
        assert st._conn.execute("PRAGMA user_version").fetchone()[0] == 2
        assert st._conn.execute("SELECT url, language FROM urls").fetchall() == [(A, None)]


def test_a_failing_migration_leaves_the_old_version(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    RunState(db).close()

    def broken(conn: sqlite3.Connection) -> None:
        conn.execute("CREATE TABLE extra(x)")
        raise RuntimeError("migration bug")

    monkeypatch.setattr(state_module, "MIGRATIONS", [*state_module.MIGRATIONS, broken])
    with pytest.raises(RuntimeError, match="migration bug"):
        RunState(db)
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
        assert "extra" not in tables
    finally:
        conn.close()


_KILLED_CHILD = textwrap.dedent(
    """
    import os, signal, sys
    from datetime import UTC, datetime
    from pathlib import Path
    from newsclean.pipeline.state import RunState

    now = datetime(2024, 3, 1, tzinfo=UTC)
    st = RunState(Path(sys.argv[1]))
    st.record_commit("committed.parquet", [("a", "1"), ("b", "1")], now=now)
    with st.batch():
        st.record_commit("half-done.parquet", [("c", "1")], now=now)
        st.record_discovered(["https://news.example/x"], now)
        os.kill(os.getpid(), signal.SIGKILL)
    """
)


def test_kill_9_keeps_commits_and_drops_the_open_transaction(db: Path) -> None:
    child = subprocess.run(
        [sys.executable, "-c", _KILLED_CHILD, str(db)], capture_output=True, timeout=60
    )
    assert child.returncode == -9, child.stderr.decode()
    with RunState(db) as st:
        assert st.known_files() == {"committed.parquet"}
        assert st.has_version("b", "1") and not st.has_version("c", "1")
        assert st.url_count() == 0
