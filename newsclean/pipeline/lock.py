"""One run per dataset at a time: an exclusive ``flock`` on ``<dataset>/_state/run.lock``.

``flock`` locks belong to the open file and the kernel drops them when the holder dies, so a
``kill -9`` or a power cut never leaves a stale lock behind: there is no pid file to clean up.
The pid and start time written into the file only serve the error message of the run that was
turned away. The file itself is never deleted: unlinking a lock file lets two processes lock
two different inodes of the same name.

A child created with ``fork()`` (a ``ProcessPoolExecutor`` worker on Linux) would share the
open file and keep the lock alive after the run itself died; an at-fork hook closes the lock's
descriptor in every forked child, so only the run process holds it. ``exec``-ed children never
get it (the descriptor is not inheritable).

Limits: POSIX only (``fcntl``); ``flock`` on NFS may be emulated or absent.
"""

from __future__ import annotations

import fcntl
import os
import weakref
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Final

from newsclean.pipeline.errors import RunLockedError
from newsclean.pipeline.state import STATE_DIR_NAME

LOCK_FILE_NAME: Final = "run.lock"
#: locks held by this process, whose descriptors a forked child must not keep
_HELD: weakref.WeakSet[RunLock] = weakref.WeakSet()
_HOLDER_INFO_MAX: Final = 200  # bytes of "<pid> <started>" worth reading back


class RunLocked(RunLockedError):
    """Another process holds the lock; ``holder_pid`` is None if it had not written it yet."""

    def __init__(
        self, path: Path, holder_pid: int | None, holder_started: str | None = None
    ) -> None:
        self.path = path
        self.holder_pid = holder_pid
        self.holder_started = holder_started
        holder = f"pid {holder_pid}" if holder_pid is not None else "another process"
        since = f", started {holder_started}" if holder_started else ""
        super().__init__(
            f"another newsclean run ({holder}{since}) is using this dataset",
            str(path),
            "wait for it to finish, or stop it",
        )


def lock_path(dataset_dir: Path) -> Path:
    """Where the run lock of the dataset at ``dataset_dir`` lives."""
    return dataset_dir / STATE_DIR_NAME / LOCK_FILE_NAME


class RunLock:
    """``with RunLock(path):`` holds the lock for the block, or raises :class:`RunLocked` now."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    @classmethod
    def for_dataset(cls, dataset_dir: Path) -> RunLock:
        return cls(lock_path(dataset_dir))

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> None:
        if self._fd is not None:
            raise RuntimeError(f"RunLock({self.path}) is already held by this object")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # O_RDWR without O_TRUNC: the holder's pid must survive until we own the lock
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pid, started = _read_holder(fd)
            os.close(fd)
            raise RunLocked(self.path, pid, started) from None
        except BaseException:
            os.close(fd)
            raise
        _write_holder(fd)
        self._fd = fd
        _HELD.add(self)

    def release(self) -> None:
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        _HELD.discard(self)
        try:
            os.ftruncate(fd, 0)  # while still locked: nobody reads a half-cleared file
        finally:
            os.close(fd)  # closing the last descriptor drops the flock

    def __enter__(self) -> RunLock:
        self.acquire()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()


def _write_holder(fd: int) -> None:
    started = datetime.now(UTC).isoformat(timespec="seconds")
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{os.getpid()} {started}\n".encode("ascii"), 0)


def _read_holder(fd: int) -> tuple[int | None, str | None]:
    """The holder's pid and start time, or Nones if it has not written them (yet)."""
    fields = os.pread(fd, _HOLDER_INFO_MAX, 0).decode("ascii", "replace").split()
    if not fields or not fields[0].isdigit():
        return None, None
    return int(fields[0]), fields[1] if len(fields) > 1 else None


def _forget_locks_in_child() -> None:
    """After fork, in the child: drop its copy of every held lock (the parent keeps its own)."""
    for lock in list(_HELD):
        fd, lock._fd = lock._fd, None
        if fd is not None:
            os.close(fd)  # closes the child's reference only; the flock stays with the parent
    _HELD.clear()


os.register_at_fork(after_in_child=_forget_locks_in_child)
