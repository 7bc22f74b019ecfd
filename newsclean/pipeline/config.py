"""The run config: a TOML file validated into typed settings, errors naming the bad key.

Example (documented in the README)::

    [output]
    dataset = "news-dataset"          # relative paths are resolved against the config file

    [fetch]
    concurrency = 16
    per_host_concurrency = 2
    per_host_delay = 1.0              # seconds between two requests to one host
    timeout = 30.0                    # total seconds per request, body included
    max_retries = 3
    obey_robots = true

    [[sources]]
    type = "feed"                     # urls | feed | sitemap | robots
    url = "https://example.org/feed.xml"
    include = ["/news/"]              # regexes a URL must match (any)
    exclude = ["/video/"]             # regexes a URL must not match
    max_age = "2d"                    # by the feed's or sitemap's date: 90m, 12h, 2d, 1w
    max_items = 200

    [run]
    refetch_after = "1d"              # re-check articles fetched OK this long ago (default: never)
    workers = 1                       # extraction processes
    commit_every = 500                # rows per committed Parquet file
    clean_timeout = 30.0              # seconds one page may take to clean (0: no cap)
    site_rules = true                 # remove lines a site repeats on many of its pages

Loading a config never executes code: it is parsed with ``tomllib`` and validated with pydantic.
"""

from __future__ import annotations

import re
import tomllib
from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from newsclean.pipeline.errors import ConfigError
from newsclean.scraper.warc import ArchiveError, expand_archives

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(value: str | int | float) -> timedelta:
    """``"90m"``, ``"12h"``, ``"2d"``, ``"1w"`` or a number of seconds."""
    if isinstance(value, int | float):
        return timedelta(seconds=float(value))
    match = _DURATION.match(value)
    if not match:
        raise ValueError(f"not a duration: {value!r} (use e.g. 90m, 12h, 2d, 1w)")
    return timedelta(seconds=float(match.group(1)) * _UNIT_SECONDS[match.group(2)])


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _SourceBase(_Strict):
    name: str | None = None
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    max_age: timedelta | None = None
    max_items: int | None = Field(default=None, gt=0)

    @field_validator("max_age", mode="before")
    @classmethod
    def _duration(cls, value: object) -> object:
        if isinstance(value, str | int | float):
            return parse_duration(value)
        return value

    @field_validator("include", "exclude")
    @classmethod
    def _regexes(cls, patterns: tuple[str, ...]) -> tuple[str, ...]:
        for pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"invalid regex {pattern!r}: {exc}") from exc
        return patterns


class UrlListConfig(_SourceBase):
    type: Literal["urls"]
    path: Path


class FeedConfig(_SourceBase):
    type: Literal["feed"]
    url: str


class SitemapConfig(_SourceBase):
    type: Literal["sitemap"]
    url: str


class RobotsConfig(_SourceBase):
    type: Literal["robots"]
    url: str  # the site's base URL; its robots.txt `Sitemap:` lines are followed


class WarcConfig(_SourceBase):
    """Archived responses (WARC/ARC files, folders, globs, fsspec URLs): cleaned, not fetched."""

    type: Literal["warc"]
    paths: tuple[str, ...] = Field(min_length=1)
    domains: tuple[str, ...] = ()  # keep these domains (and their subdomains) only
    languages: tuple[str, ...] = ()  # keep pages declaring these languages only
    since: datetime | None = None  # WARC-Date bounds: since inclusive, until exclusive
    until: datetime | None = None

    @field_validator("since", "until")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.utcoffset() is None:
            raise ValueError("give a time zone, e.g. 2024-01-01T00:00:00Z")
        return value


SourceConfig = Annotated[
    UrlListConfig | FeedConfig | SitemapConfig | RobotsConfig | WarcConfig,
    Field(discriminator="type"),
]


class OutputConfig(_Strict):
    dataset: Path
    min_words: int = Field(default=30, ge=0)  # shorter texts are skipped as "too-short"
    #: keep every fetched response as WARC in this folder (docs/archives.md); None: don't
    archive: Path | None = None
    archive_max_bytes: int = Field(default=1024**3, gt=0)  # a file is closed past this size


class FetchConfig(_Strict):
    user_agent: str | None = None
    concurrency: int = Field(default=16, gt=0, le=1024)
    per_host_concurrency: int = Field(default=2, gt=0, le=64)
    per_host_delay: float = Field(default=1.0, ge=0)
    timeout: float = Field(default=30.0, gt=0)
    max_bytes: int = Field(default=10 * 1024 * 1024, gt=0)
    max_retries: int = Field(default=3, ge=0, le=20)
    host_failure_budget: int = Field(default=10, gt=0)
    obey_robots: bool = True
    #: fetch URLs that resolve to private/loopback addresses (the demo and tests need it)
    allow_private_addresses: bool = False


class RunConfig(_Strict):
    #: re-fetch articles fetched OK before once this much time has passed (None: never)
    refetch_after: timedelta | None = None
    #: extraction worker processes (1 = in-process)
    workers: int = Field(default=1, ge=1, le=64)
    #: rows per committed Parquet file: bounds memory and the work a crash can lose; smaller
    #: means more, smaller files (``newsclean compact`` merges them later)
    commit_every: int = Field(default=500, gt=0, le=1_000_000)
    #: seconds one page may take to clean; past it the page is skipped as "extract-timeout"
    #: and its worker process replaced. 0 turns the cap off (cleaning in the run's process)
    clean_timeout: float = Field(default=30.0, ge=0, le=3600)
    #: remove lines a site repeats on many of its pages (its template), learnt run by run
    site_rules: bool = True

    @property
    def clean_cap(self) -> float | None:
        """``clean_timeout`` in seconds, None when the cap is off."""
        return self.clean_timeout or None

    @field_validator("refetch_after", mode="before")
    @classmethod
    def _duration(cls, value: object) -> object:
        if isinstance(value, str | int | float):
            return parse_duration(value)
        return value


class Config(_Strict):
    output: OutputConfig
    fetch: FetchConfig = FetchConfig()
    run: RunConfig = RunConfig()
    sources: tuple[SourceConfig, ...] = Field(min_length=1)


def _key_path(loc: tuple[int | str, ...]) -> str:
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item}]")
        elif (
            item in {"urls", "feed", "sitemap", "robots", "warc"}
            and parts
            and parts[-1].endswith("]")
        ):
            continue  # pydantic names the union member; the user only wrote the index
        else:
            parts.append(("." if parts else "") + item)
    return "".join(parts) or "(top level)"


def load_config(path: Path) -> Config:
    """Read and validate ``path``; relative paths inside are resolved against its folder."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError("config file not found", str(path), "check the path") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read config: {exc}", str(path), "check the file") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"invalid TOML: {exc}", str(path), "fix the syntax") from None
    try:
        config = Config.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"{_key_path(tuple(err['loc']))}: {err['msg']}" for err in exc.errors()[:5]
        )
        raise ConfigError(f"invalid config: {problems}", str(path), "fix the key named") from None
    return _resolve_paths(config, path.parent)


def check_url_lists(config: Config) -> None:
    """A URL-list file or an archive that is not there is a config mistake: said up front."""
    for index, source in enumerate(config.sources):
        if isinstance(source, UrlListConfig) and not source.path.is_file():
            raise ConfigError(
                f"invalid config: sources[{index}].path: no such file {str(source.path)!r}",
                str(source.path),
                "fix the key named",
            )
        if isinstance(source, WarcConfig):
            try:
                expand_archives(source.paths)
            except ArchiveError as exc:
                raise ConfigError(
                    f"invalid config: sources[{index}].paths: {exc.message}",
                    exc.path,
                    "fix the key named",
                ) from None


def _resolve_paths(config: Config, base: Path) -> Config:
    dataset, archive = config.output.dataset, config.output.archive
    output = config.output.model_copy(
        update={
            "dataset": dataset if dataset.is_absolute() else base / dataset,
            "archive": archive if archive is None or archive.is_absolute() else base / archive,
        }
    )
    sources = tuple(_resolve_source(source, base) for source in config.sources)
    return config.model_copy(update={"output": output, "sources": sources})


def _resolve_source(source: SourceConfig, base: Path) -> SourceConfig:
    if isinstance(source, UrlListConfig) and not source.path.is_absolute():
        return source.model_copy(update={"path": base / source.path})
    if isinstance(source, WarcConfig):
        # local paths and globs resolve against the config's folder; URLs stay as written
        paths = tuple(
            p if "://" in p or Path(p).expanduser().is_absolute() else str(base / p)
            for p in source.paths
        )
        return source.model_copy(update={"paths": paths})
    return source
