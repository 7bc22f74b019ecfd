"""What a run did: counts per stage and skip reason, per domain, and the run manifest.

The summary is printed at the end of every run and saved as a JSON manifest in
``<dataset>/_runs/<run_id>.json`` (dataset readers ignore folders starting with ``_``).
"""

from __future__ import annotations

import json
import os
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Final, Literal

from rich.console import Console
from rich.table import Table

from newsclean.pipeline.exitcodes import ExitCode

#: per-domain outcome columns, in display order
Outcome = Literal[
    "discovered", "fetched", "not-modified", "robots-denied", "failed", "kept", "skipped"
]
OUTCOMES: Final[tuple[Outcome, ...]] = (
    "discovered",
    "fetched",
    "not-modified",
    "robots-denied",
    "failed",
    "kept",
    "skipped",
)
RUNS_DIR_NAME: Final = "_runs"
#: column headers short enough for an 80-column terminal
_SHORT_HEADERS: Final = {"discovered": "found", "not-modified": "304", "robots-denied": "robots"}


@dataclass
class RunSummary:
    """Counters of one run; cheap to update on the hot path (plain Counters)."""

    run_id: str
    started_at: datetime
    ended_at: datetime | None = None
    #: (stage, reason) -> count, for every URL that did not become a row
    skipped: Counter[tuple[str, str]] = field(default_factory=Counter)
    #: domain -> outcome -> count
    domains: defaultdict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    sources: Counter[str] = field(default_factory=Counter)  # source name -> items listed
    rows_written: int = 0
    files_written: int = 0
    interrupted: bool = False
    fatal: str | None = None
    #: near-duplicate signatures taken from the cleaning workers / made on the driver
    signatures_received: int = 0
    signatures_computed: int = 0

    def count(self, domain: str, outcome: Outcome) -> None:
        self.domains[domain][outcome] += 1

    def skip(self, domain: str, stage: str, reason: str, outcome: Outcome = "skipped") -> None:
        self.skipped[(stage, reason)] += 1
        self.count(domain, outcome)

    def total(self, outcome: Outcome) -> int:
        return sum(counts[outcome] for counts in self.domains.values())

    @property
    def exit_code(self) -> ExitCode:
        if self.fatal is not None:
            return ExitCode.RUN_FAILED
        if self.interrupted:
            return ExitCode.INTERRUPTED
        if self.total("failed") > 0 or any(stage == "source" for stage, _ in self.failures()):
            return ExitCode.PARTIAL
        return ExitCode.OK

    def failures(self) -> list[tuple[str, str]]:
        """(stage, reason) pairs that are failures rather than expected skips."""
        return [key for key in self.skipped if key[1] in FAILURE_REASONS]

    def to_json(self) -> dict[str, object]:
        return {
            "run_id": self.run_id,
            "started_at": self.started_at.isoformat(),
            "ended_at": self.ended_at.isoformat() if self.ended_at else None,
            "exit_code": int(self.exit_code),
            "exit_status": self.exit_code.name,
            "rows_written": self.rows_written,
            "files_written": self.files_written,
            "interrupted": self.interrupted,
            "fatal": self.fatal,
            "totals": {outcome: self.total(outcome) for outcome in OUTCOMES},
            "sources": dict(self.sources),
            "skipped": [
                {"stage": stage, "reason": reason, "count": count}
                for (stage, reason), count in sorted(self.skipped.items())
            ],
            "domains": {
                domain: {outcome: counts[outcome] for outcome in OUTCOMES}
                for domain, counts in sorted(self.domains.items())
            },
            # where the near-duplicate signatures of the rows written were made
            "near_duplicate_signatures": {
                "from_workers": self.signatures_received,
                "made_by_driver": self.signatures_computed,
            },
        }


#: skip reasons that mean something went wrong (they make the exit code PARTIAL)
FAILURE_REASONS: Final = frozenset(
    {
        "timeout",
        "transport-error",
        "http-retryable",
        "http-error",
        "tls-error",
        "too-many-redirects",
        "too-large",
        "host-failure-budget",
        "robots-unavailable",
        "blocked-address",
        "bad-content-encoding",
        "extract-error",
        "extract-timeout",
        "clean-worker-failed",
        "decode-error",
        "parse-error",
        "fetch-error",
        "transient-error",
        "terminal-error",
    }
)


def write_manifest(dataset_root: Path, summary: RunSummary) -> Path:
    """Save the summary as ``_runs/<run_id>.json``, atomically."""
    folder = dataset_root / RUNS_DIR_NAME
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{summary.run_id}.json"
    temp = folder / f".{summary.run_id}.json.tmp"
    temp.write_text(json.dumps(summary.to_json(), indent=2), encoding="utf-8")
    os.replace(temp, target)
    return target


def render_summary(summary: RunSummary, console: Console) -> None:
    """The human-readable summary: totals, skip reasons, and the per-domain table."""
    state = summary.exit_code.name
    console.print(
        f"[bold]run {summary.run_id}[/bold]: {summary.rows_written} new rows in "
        f"{summary.files_written} files; exit {int(summary.exit_code)} ({state})"
    )
    if summary.fatal:
        console.print(f"[red]fatal:[/red] {summary.fatal}")
    if summary.skipped:
        reasons = Table(title="not kept, by stage and reason", show_edge=False)
        reasons.add_column("stage")
        reasons.add_column("reason")
        reasons.add_column("count", justify="right")
        for (stage, reason), count in sorted(summary.skipped.items()):
            reasons.add_row(stage, reason, str(count))
        console.print(reasons)
    domains = Table(title="per domain", show_edge=False)
    domains.add_column("domain", overflow="fold")
    for outcome in OUTCOMES:
        domains.add_column(_SHORT_HEADERS.get(outcome, outcome), justify="right")
    for domain, counts in sorted(summary.domains.items()):
        domains.add_row(domain, *(str(counts[outcome]) for outcome in OUTCOMES))
    domains.add_row("[bold]total[/bold]", *(str(summary.total(o)) for o in OUTCOMES))
    console.print(domains)
