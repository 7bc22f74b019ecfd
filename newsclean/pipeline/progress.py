"""The live progress line of a run on a terminal (rich); nothing at all elsewhere."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from newsclean.pipeline.summary import RunSummary

#: seconds between two refreshes: the callback runs once per URL and must stay cheap
_MIN_INTERVAL = 0.1


@contextmanager
def live_progress(
    console: Console, *, enabled: bool
) -> Iterator[Callable[[RunSummary], None] | None]:
    """Yield an ``on_progress`` callback for :class:`RunOptions` (None when disabled)."""
    if not enabled:
        yield None
        return
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task("starting", total=None)
        last = 0.0

        def update(summary: RunSummary) -> None:
            nonlocal last
            now = time.monotonic()
            if now - last < _MIN_INTERVAL:
                return
            last = now
            progress.update(task, description=describe(summary))

        yield update


def describe(summary: RunSummary) -> str:
    return (
        f"discovered {summary.total('discovered')} · fetched {summary.total('fetched')} · "
        f"not modified {summary.total('not-modified')} · kept {summary.total('kept')} · "
        f"failed {summary.total('failed')} · rows written {summary.rows_written}"
    )
