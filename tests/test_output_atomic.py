"""The filesystem primitives under commits and compaction: exchange, no-clobber rename, locks."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsclean.output import atomic
from newsclean.output.atomic import exchange, fsync_dir, rename_noreplace
from newsclean.output.locks import hold_lock, is_abandoned


def make_dir(path: Path, *names: str) -> Path:
    path.mkdir()
    for name in names:
        (path / name).write_text(name)
    return path


def test_exchange_swaps_two_directories(tmp_path: Path) -> None:
    first = make_dir(tmp_path / "a", "1", "2")
    second = make_dir(tmp_path / "b", "3")
    if not exchange(first, second):
        pytest.skip("RENAME_EXCHANGE is not available here")
    assert sorted(p.name for p in first.iterdir()) == ["3"]
    assert sorted(p.name for p in second.iterdir()) == ["1", "2"]


def test_exchange_of_a_missing_path_is_an_os_error(tmp_path: Path) -> None:
    if atomic._renameat2() is None:
        pytest.skip("no renameat2 in this libc")
    with pytest.raises(FileNotFoundError):
        exchange(make_dir(tmp_path / "a"), tmp_path / "missing")


def test_rename_noreplace_refuses_an_existing_target(tmp_path: Path) -> None:
    (tmp_path / "src").write_text("new")
    (tmp_path / "dst").write_text("old")
    with pytest.raises(FileExistsError):
        rename_noreplace(tmp_path / "src", tmp_path / "dst")
    assert (tmp_path / "dst").read_text() == "old" and (tmp_path / "src").exists()
    rename_noreplace(tmp_path / "src", tmp_path / "other")
    assert (tmp_path / "other").read_text() == "new" and not (tmp_path / "src").exists()


def test_without_renameat2_link_keeps_no_clobber_and_exchange_says_no(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(atomic, "_renameat2", lambda: None)
    (tmp_path / "src").write_text("new")
    (tmp_path / "dst").write_text("old")
    with pytest.raises(FileExistsError):
        rename_noreplace(tmp_path / "src", tmp_path / "dst")
    rename_noreplace(tmp_path / "src", tmp_path / "moved")
    assert (tmp_path / "moved").read_text() == "new" and not (tmp_path / "src").exists()
    assert exchange(make_dir(tmp_path / "a"), make_dir(tmp_path / "b")) is False
    fsync_dir(tmp_path)


def test_lock_held_by_another_descriptor_is_not_abandoned(tmp_path: Path) -> None:
    lock = tmp_path / "job.lock"
    assert is_abandoned(lock)  # no file: nobody ever took it
    with hold_lock(lock):
        assert not is_abandoned(lock)
    assert is_abandoned(lock)
    with hold_lock(lock, shared=True):
        assert not is_abandoned(lock)
