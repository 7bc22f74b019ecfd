"""RunLock: one run per dataset, refused at once, released by the kernel on kill -9."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from newsclean.pipeline.errors import RunLockedError
from newsclean.pipeline.exitcodes import ExitCode
from newsclean.pipeline.lock import RunLock, RunLocked, lock_path

_HOLDER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from newsclean.pipeline.lock import RunLock

    with RunLock(Path(sys.argv[1])):
        print("held", flush=True)
        sys.stdin.read()  # hold until the parent closes our stdin (or kills us)
    print("released", flush=True)
    """
)

_CONTENDER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from newsclean.pipeline.lock import RunLock, RunLocked

    try:
        with RunLock(Path(sys.argv[1])):
            print("acquired")
    except RunLocked as exc:
        print(f"locked by {exc.holder_pid}")
    """
)


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return lock_path(tmp_path / "dataset")


@pytest.fixture
def holder(path: Path) -> Iterator[subprocess.Popen[str]]:
    """A second process holding the lock until its stdin closes."""
    proc = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stdout.readline() == "held\n"
    yield proc
    if proc.poll() is None:
        proc.kill()
    proc.communicate(timeout=30)


def test_lock_lives_in_the_state_folder_and_names_its_holder(path: Path) -> None:
    assert path.parts[-2:] == ("_state", "run.lock")
    with RunLock(path) as lock:
        assert lock.held
        pid, started = path.read_text().split()
        assert int(pid) == os.getpid() and started.endswith("+00:00")
    assert not lock.held
    assert path.exists() and path.read_text() == ""  # never unlinked, cleared on release


def test_a_second_lock_in_the_same_process_is_refused(path: Path) -> None:
    with RunLock(path), pytest.raises(RunLocked) as caught:
        RunLock(path).acquire()
    assert caught.value.holder_pid == os.getpid()
    with RunLock(path):  # free again after the first is released
        pass


def test_held_by_another_process_raises_at_once_with_its_pid(
    path: Path, holder: subprocess.Popen[str]
) -> None:
    with pytest.raises(RunLocked) as caught:
        RunLock(path).acquire()
    error = caught.value
    assert error.holder_pid == holder.pid and error.path == path
    assert isinstance(error, RunLockedError) and error.exit_code == ExitCode.LOCKED
    assert f"pid {holder.pid}" in error.one_line()
    assert error.one_line().startswith("Error: another newsclean run")


def test_released_when_the_holder_exits_normally(path: Path, holder: subprocess.Popen[str]) -> None:
    out, _ = holder.communicate("", timeout=30)  # closes stdin: the holder leaves its block
    assert out == "released\n" and holder.returncode == 0
    with RunLock(path):
        pass


def test_a_sigkilled_holder_leaves_no_stale_lock(path: Path, holder: subprocess.Popen[str]) -> None:
    with pytest.raises(RunLocked):
        RunLock(path).acquire()
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait(timeout=30)
    assert holder.returncode == -signal.SIGKILL
    assert path.read_text().split()[0] == str(holder.pid)  # its note is still there ...
    with RunLock(path) as lock:  # ... but the lock is not
        assert lock.held
        assert path.read_text().split()[0] == str(os.getpid())


def test_another_process_is_refused_while_we_hold_it(path: Path) -> None:
    def contend() -> str:
        return subprocess.run(
            [sys.executable, "-c", _CONTENDER, str(path)],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        ).stdout

    with RunLock(path):
        assert contend() == f"locked by {os.getpid()}\n"
    assert contend() == "acquired\n"


def test_acquiring_twice_on_one_object_is_a_bug(path: Path) -> None:
    lock = RunLock(path)
    with lock, pytest.raises(RuntimeError):
        lock.acquire()


def test_holder_without_a_note_yet_is_reported_as_unknown(path: Path) -> None:
    path.parent.mkdir(parents=True)
    with RunLock(path):
        path.write_text("")  # as between another process's flock and its write
        with pytest.raises(RunLocked) as caught:
            RunLock(path).acquire()
    assert caught.value.holder_pid is None
    assert "another process" in caught.value.one_line()


_FORKING_HOLDER = textwrap.dedent(
    """
    import os, sys, time
    from pathlib import Path
    from newsclean.pipeline.lock import RunLock

    lock = RunLock(Path(sys.argv[1]))
    lock.acquire()
    ready = Path(sys.argv[1] + ".child-ready")
    child = os.fork()  # like a ProcessPoolExecutor worker: fork without exec
    if child == 0:
        ready.touch()  # the at-fork hook has run by now
        time.sleep(60)
        os._exit(0)
    while not ready.exists():  # report only once the child is past fork()
        time.sleep(0.01)
    print(child, flush=True)
    time.sleep(60)
    """
)


def test_a_forked_child_does_not_keep_the_lock_of_a_killed_run(path: Path) -> None:
    run = subprocess.Popen(
        [sys.executable, "-c", _FORKING_HOLDER, str(path)], stdout=subprocess.PIPE, text=True
    )
    assert run.stdout is not None
    worker = int(run.stdout.readline())
    try:
        with pytest.raises(RunLocked):
            RunLock(path).acquire()
        os.kill(run.pid, signal.SIGKILL)
        run.wait(timeout=30)
        os.kill(worker, 0)  # the forked worker outlives the run ...
        with RunLock(path):  # ... yet the lock is free
            pass
    finally:
        os.kill(worker, signal.SIGKILL)
        if run.poll() is None:
            run.kill()
        run.wait(timeout=30)
        run.stdout.close()
