"""Records that leave the scraper: what was fetched, and what was skipped on purpose."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class FetchResult:
    """One fetched page: the raw bytes and everything needed to trace where they came from."""

    requested_url: str
    final_url: str
    status: int
    #: response headers, lower-cased names; repeated headers joined with ", "
    headers: tuple[tuple[str, str], ...]
    body: bytes
    fetched_at: datetime  # timezone-aware (UTC)
    #: every URL visited before ``final_url``, in order (empty when there was no redirect)
    redirect_chain: tuple[str, ...] = ()
    #: seconds from sending the request to having the whole body
    elapsed: float = 0.0

    def header(self, name: str, default: str = "") -> str:
        wanted = name.lower()
        for key, value in self.headers:
            if key == wanted:
                return value
        return default

    @property
    def content_type(self) -> str:
        return self.header("content-type")


@dataclass(frozen=True, slots=True)
class Skipped:
    """An expected outcome that is not an article: counted per (stage, reason), never raised."""

    url: str
    stage: str  # "source" | "fetch" | "decode" | "extract" | "clean" | "dedup" | ...
    reason: str  # short stable slug, e.g. "robots-denied", "not-html", "too-short"
    detail: str = field(default="", compare=False)
