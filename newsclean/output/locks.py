"""Advisory ``flock`` locks between the processes and threads writing one dataset.

Each acquisition opens its own file descriptor, so the lock also separates threads of one
process. The kernel drops a lock when its holder dies (even by ``kill -9``), so a crash never
leaves the dataset locked. Protocol:

* a commit holds the dataset lock SHARED from staging to rename (commits run side by side);
* cleanup of staging leftovers and a compaction's swap hold it EXCLUSIVE, so they never see a
  half-finished commit and no commit lands in a partition while it is being swapped;
* a compaction job holds its own job lock for its whole life; recovery treats a job whose
  lock is free as abandoned by a dead process.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def hold_lock(path: Path, *, shared: bool = False) -> Iterator[None]:
    """Block until the lock on ``path`` (created if missing) is held; release on exit."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH if shared else fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def is_abandoned(path: Path) -> bool:
    """True when nobody holds the lock on ``path`` (or the file is missing). Never blocks."""
    try:
        fd = os.open(path, os.O_RDWR)
    except FileNotFoundError:
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)
    return True
