"""One-off cleaning: read one input (URL, file or stdin), clean it, render it.

The library behind ``newsclean clean``; the CLI only parses options and prints.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, fields
from datetime import datetime
from pathlib import Path
from typing import BinaryIO, Literal

from newsclean.cleaners import Article, clean
from newsclean.output.parquet import write_parquet
from newsclean.output.schema import article_row, rows_to_table
from newsclean.pipeline.errors import InputError
from newsclean.scraper.errors import InvalidUrl
from newsclean.scraper.fetch import FetchOptions, fetch
from newsclean.scraper.records import FetchResult
from newsclean.scraper.urls import is_http_url

OutputFormat = Literal["text", "markdown", "json"]
InputFormatChoice = Literal["html", "text", "auto"]

#: refuse local files bigger than this (bytes); the fetcher has its own cap for URLs
MAX_FILE_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class InputDocument:
    """Raw bytes of one input and where they came from."""

    label: str  # what the user typed
    data: bytes
    url: str | None = None
    content_type: str | None = None
    fetch: FetchResult | None = None


def read_input(
    spec: str, options: FetchOptions | None = None, stdin: BinaryIO | None = None
) -> InputDocument:
    """``spec`` is an http(s) URL, a path, or ``-`` for standard input."""
    if spec == "-":
        stream = stdin if stdin is not None else sys.stdin.buffer
        return InputDocument(label="<stdin>", data=stream.read(MAX_FILE_BYTES + 1)[:MAX_FILE_BYTES])
    if "://" in spec:
        if not is_http_url(spec):
            raise InputError(
                "unsupported URL", spec, "only http:// and https:// URLs can be fetched"
            )
        result = fetch(spec, options)
        return InputDocument(
            label=spec,
            data=result.body,
            url=result.final_url,
            content_type=result.content_type or None,
            fetch=result,
        )
    return _read_file(spec)


def _read_file(spec: str) -> InputDocument:
    path = Path(spec)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise InputError(
                f"file too large ({size} bytes)", spec, f"limit is {MAX_FILE_BYTES} bytes"
            )
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(
            "no such file", spec, "give an http(s) URL, an existing file, or - for stdin"
        ) from None
    except IsADirectoryError:
        raise InputError("is a directory", spec, "give a file") from None
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror}", spec, "check permissions") from None
    return InputDocument(label=spec, data=data)


def clean_input(document: InputDocument, input_format: InputFormatChoice = "auto") -> Article:
    try:
        return clean(
            document.data,
            document.url,
            input_format=input_format,
            content_type=document.content_type,
        )
    except InvalidUrl as exc:  # pragma: no cover - defensive: cleaners do not fetch
        raise InputError("invalid URL", exc.url, "check the URL") from None


def article_to_dict(article: Article, fetch_result: FetchResult | None = None) -> dict[str, object]:
    """Every metadata field of the article, JSON-ready (datetimes as ISO 8601)."""
    out: dict[str, object] = {}
    for field in fields(article):
        value = getattr(article, field.name)
        if field.name == "removals":
            value = [
                {"rule": r.rule, "category": r.category, "level": r.level, "text": r.text}
                for r in value
            ]
        out[field.name] = _jsonable(value)
    if fetch_result is not None:
        out["fetch"] = {
            "requested_url": fetch_result.requested_url,
            "final_url": fetch_result.final_url,
            "status": fetch_result.status,
            "fetched_at": fetch_result.fetched_at.isoformat(),
            "redirect_chain": list(fetch_result.redirect_chain),
            "content_type": fetch_result.content_type,
        }
    return out


def _jsonable(value: object) -> object:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, tuple):
        return [_jsonable(item) for item in value]
    return value


def render(article: Article, fmt: OutputFormat, fetch_result: FetchResult | None = None) -> str:
    if fmt == "json":
        return json.dumps(article_to_dict(article, fetch_result), ensure_ascii=False)
    if fmt == "markdown":
        body = article.markdown or article.text
        title = f"# {article.title}\n\n" if article.title and not body.startswith("#") else ""
        return title + body
    # the headline is the article's title, not a line of its text (a plain-text input's
    # first line may be both)
    if article.title and article.text and not article.text.startswith(article.title):
        return f"{article.title}\n\n{article.text}"
    return article.text


def explain(article: Article) -> str:
    """One line per removal: level, rule, category and the removed text."""
    if not article.removals:
        return "nothing removed"
    lines = []
    for removal in article.removals:
        text = removal.text if len(removal.text) <= 120 else removal.text[:117] + "..."
        lines.append(f"[{removal.level}] {removal.rule} ({removal.category}): {text}")
    return "\n".join(lines)


def write_articles(path: Path, items: list[tuple[Article, FetchResult | None]]) -> None:
    """Write the cleaned articles to one Parquet file with the declared schema, atomically."""
    table = rows_to_table([article_row(article, fetch_result) for article, fetch_result in items])
    write_parquet(path, table)
