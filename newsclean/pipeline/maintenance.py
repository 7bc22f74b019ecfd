"""Dataset maintenance outside runs: compaction, under the same lock as runs."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from newsclean.output.compaction import CompactionReport
from newsclean.output.dataset import ParquetDataset
from newsclean.output.errors import OutputError
from newsclean.output.layout import MARKER_NAME
from newsclean.pipeline.errors import InputError
from newsclean.pipeline.lock import RunLock, lock_path
from newsclean.pipeline.run import output_failure, reconcile
from newsclean.pipeline.state import RunState


def compact_dataset(root: Path, partition: date | None, min_files: int = 2) -> CompactionReport:
    """Merge small files per partition, then bring the run state up to date with the files."""
    if not (root / MARKER_NAME).is_file():
        # checked before the lock, whose file would otherwise be left in a stranger's folder
        raise InputError(
            f"not a newsclean dataset (no {MARKER_NAME})", str(root), "give a run's dataset folder"
        )
    with RunLock(lock_path(root)):
        try:
            dataset = ParquetDataset.open(root, create=False)
            report = dataset.compact(partition, min_files=min_files)
        except OutputError as exc:
            raise output_failure(exc, root) from None
        with RunState.for_dataset(root) as state:
            reconcile(dataset, state)
    return report
