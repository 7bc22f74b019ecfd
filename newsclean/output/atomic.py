"""Filesystem steps that are atomic or durable: fsync, no-clobber rename, directory exchange.

``renameat2(2)`` is reached through ctypes on libc (glibc >= 2.28, Linux >= 3.15):

* ``RENAME_NOREPLACE`` renames unless the target exists, in one step;
* ``RENAME_EXCHANGE`` swaps two paths (here: two directories) in one step, which is how a
  compacted partition replaces the old one without readers ever seeing both or neither.

Where libc or the filesystem lacks them (macOS, musl, some network filesystems) the callers
get a clear answer (:func:`exchange` returns False; :func:`rename_noreplace` falls back to
``link`` + ``unlink``, which is just as no-clobber) and pick their documented fallback.
"""

from __future__ import annotations

import ctypes
import errno
import functools
import os
from pathlib import Path
from typing import Any, Final

_AT_FDCWD: Final = -100
_RENAME_NOREPLACE: Final = 1
_RENAME_EXCHANGE: Final = 2
# errno values meaning "this kernel / filesystem cannot do that flag", not "you did it wrong"
_UNSUPPORTED: Final = frozenset({errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP})


def checkpoint(name: str) -> None:
    """Fault-injection seam between durable steps (tests replace it to crash or to look).

    Call it as ``atomic.checkpoint(...)`` so that replacing the module attribute reaches
    every caller.
    """


def fsync_file(path: Path) -> None:
    """Flush the file's data and metadata to stable storage."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(path: Path) -> None:
    """Make renames and creations inside ``path`` durable (a no-op where unsupported)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except (PermissionError, IsADirectoryError):  # some platforms cannot open directories
        return
    try:
        os.fsync(fd)
    except OSError as exc:
        if exc.errno not in _UNSUPPORTED:
            raise
    finally:
        os.close(fd)


def exchange(first: Path, second: Path) -> bool:
    """Swap two existing paths atomically; False when this platform or filesystem cannot."""
    renameat2 = _renameat2()
    if renameat2 is None:
        return False
    code = _call_renameat2(renameat2, first, second, _RENAME_EXCHANGE)
    if code == 0:
        return True
    if code in _UNSUPPORTED:
        return False
    raise OSError(code, os.strerror(code), str(first), None, str(second))


def rename_noreplace(source: Path, target: Path) -> None:
    """Rename ``source`` to ``target`` in one step; FileExistsError if ``target`` exists."""
    renameat2 = _renameat2()
    if renameat2 is not None:
        code = _call_renameat2(renameat2, source, target, _RENAME_NOREPLACE)
        if code == 0:
            return
        if code not in _UNSUPPORTED:
            raise OSError(code, os.strerror(code), str(source), None, str(target))
    # link() refuses an existing target just like RENAME_NOREPLACE; the data becomes visible
    # at the link, and a crash before the unlink leaves only a hidden staging name behind.
    os.link(source, target)
    os.unlink(source)


@functools.cache
def _renameat2() -> Any | None:
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        function = libc.renameat2
    except (OSError, AttributeError):
        return None
    c_int, c_path = ctypes.c_int, ctypes.c_char_p
    function.argtypes = [
        c_int,
        c_path,
        c_int,
        c_path,
        ctypes.c_uint,
    ]  # dirfd, path, dirfd, path, flags
    function.restype = ctypes.c_int
    return function


def _call_renameat2(function: Any, source: Path, target: Path, flags: int) -> int:
    """0 on success, else the errno."""
    result = function(_AT_FDCWD, os.fsencode(source), _AT_FDCWD, os.fsencode(target), flags)
    return 0 if result == 0 else ctypes.get_errno()
