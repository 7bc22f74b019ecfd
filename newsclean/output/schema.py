"""The article table: its Arrow schema, written out field by field, and how rows are built.

This module is the one place the output columns are declared. Every Parquet file newsclean
writes uses :data:`ARTICLE_SCHEMA` verbatim: nothing is ever inferred from a batch, so a column
that happens to be all-null in one file still has its declared type. ``docs/schema.md``
documents each column; :data:`SCHEMA_VERSION` is bumped by every change (additive only: new
nullable columns at the end), so readers select columns by name.

Spark compatibility decides the physical types: no unsigned integers, timestamps in
microseconds with an explicit UTC zone (never nanoseconds, no INT96), lists with a named
``element`` item as the Parquet spec wants.

The partition column ``crawl_date`` is NOT in the files: it lives only in the directory name
(``crawl_date=YYYY-MM-DD``) and readers add it; :data:`DATASET_SCHEMA` is what they see.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final
from urllib.parse import urlsplit

import pyarrow as pa
import pyarrow.compute as pc

from newsclean import __version__
from newsclean.cleaners.records import Article, Removal
from newsclean.output.errors import InvalidRow, InvalidTable
from newsclean.scraper.errors import InvalidUrl
from newsclean.scraper.records import FetchResult
from newsclean.scraper.urls import normalize_url

#: bumped by every schema change; a dataset written by a higher version is refused
SCHEMA_VERSION: Final = 1

DESCRIPTION_KEY: Final = "description"
SCHEMA_VERSION_KEY: Final = "newsclean.schema_version"
NEWSCLEAN_VERSION_KEY: Final = "newsclean.version"

TIMESTAMP: Final = pa.timestamp("us", tz="UTC")
STRING_LIST: Final = pa.list_(pa.field("element", pa.string(), nullable=False))
REMOVAL: Final = pa.struct(
    [
        pa.field("rule", pa.string(), nullable=False),
        pa.field("category", pa.string(), nullable=False),
        pa.field("level", pa.string(), nullable=False),
        pa.field("text", pa.string(), nullable=False),
    ]
)
REMOVAL_LIST: Final = pa.list_(pa.field("element", REMOVAL, nullable=False))


def _field(name: str, type_: pa.DataType, nullable: bool, description: str) -> pa.Field[Any]:
    return pa.field(name, type_, nullable=nullable, metadata={DESCRIPTION_KEY: description})


ARTICLE_SCHEMA: Final = pa.schema(
    [
        # identity: one row per article version = (article_id, content_hash)
        _field("article_id", pa.string(), False, "sha1 hex of the normalised URL (see docs)"),
        _field("content_hash", pa.string(), False, "sha256 hex of `text` (UTF-8)"),
        # where it came from
        _field("url", pa.string(), True, "URL requested; null only for input without one"),
        _field("final_url", pa.string(), True, "URL after redirects; null if not fetched"),
        _field("canonical_url", pa.string(), True, "<link rel=canonical> of the page"),
        _field("domain", pa.string(), True, "host of final_url (else url), lower-case, no www."),
        _field("fetched_at", TIMESTAMP, True, "when the response was complete; null if not"),
        _field("http_status", pa.int16(), True, "HTTP status of the final response"),
        _field("body_sha256", pa.string(), True, "sha256 hex of the raw response body"),
        # the article
        _field("title", pa.string(), True, "headline"),
        _field("text", pa.string(), False, "clean article text, paragraphs split by a blank line"),
        _field("markdown", pa.string(), False, "markdown rendition; empty for text input"),
        _field("authors", STRING_LIST, False, "author names, page order; empty if unknown"),
        _field("published_at", TIMESTAMP, True, "publication time declared by the page"),
        _field("modified_at", TIMESTAMP, True, "last modification time declared by the page"),
        _field("site_name", pa.string(), True, "publisher name (og:site_name or similar)"),
        _field("language", pa.string(), True, "ISO 639-1 code, declared or detected"),
        _field("description", pa.string(), True, "summary (meta description / og:description)"),
        _field("tags", STRING_LIST, False, "keywords / tags declared by the page"),
        _field("categories", STRING_LIST, False, "sections / categories declared by the page"),
        _field("image_url", pa.string(), True, "lead image (og:image or similar)"),
        _field("page_type", pa.string(), False, "article | listing | product | forum | other"),
        _field("input_format", pa.string(), False, "html | text"),
        # provenance of the processing
        _field("extractor", pa.string(), False, "extraction path that produced text"),
        _field("extractor_version", pa.string(), False, "version of that extractor"),
        _field("cleaner_version", pa.string(), False, "version of the boilerplate rules"),
        _field("newsclean_version", pa.string(), False, "newsclean version that wrote the row"),
        _field("schema_version", pa.int16(), False, "SCHEMA_VERSION the row was written with"),
        _field("removals", REMOVAL_LIST, False, "boilerplate removed: rule, category, level, text"),
        _field("redirect_chain", STRING_LIST, False, "URLs visited before final_url, in order"),
        _field("run_id", pa.string(), True, "id of the run that wrote the row"),
        # reserved for later features; null until they exist, so the schema stays stable
        _field("warc_filename", pa.string(), True, "WARC file the response was read from"),
        _field("warc_record_offset", pa.int64(), True, "byte offset of the WARC record"),
        _field(
            "duplicate_of",
            pa.string(),
            True,
            "article_id of the first article committed with the same text",
        ),
        _field(
            "cluster_id",
            pa.string(),
            True,
            "near-duplicate cluster: article_id of its first member",
        ),
    ],
    metadata={SCHEMA_VERSION_KEY: str(SCHEMA_VERSION), NEWSCLEAN_VERSION_KEY: __version__},
)

PARTITION_COLUMN: Final = "crawl_date"
#: the hive partition column readers add from ``crawl_date=YYYY-MM-DD`` directory names
PARTITION_FIELD: Final = _field(
    PARTITION_COLUMN, pa.date32(), False, "UTC day of the crawl; from the directory name only"
)
#: what a dataset reader sees: the file columns plus the partition column
DATASET_SCHEMA: Final = ARTICLE_SCHEMA.append(PARTITION_FIELD)


@dataclass(frozen=True, slots=True)
class ArticleRow:
    """One row of the article table; field names and order are those of ARTICLE_SCHEMA."""

    article_id: str
    content_hash: str
    url: str | None
    final_url: str | None
    canonical_url: str | None
    domain: str | None
    fetched_at: datetime | None
    http_status: int | None
    body_sha256: str | None
    title: str | None
    text: str
    markdown: str
    authors: tuple[str, ...]
    published_at: datetime | None
    modified_at: datetime | None
    site_name: str | None
    language: str | None
    description: str | None
    tags: tuple[str, ...]
    categories: tuple[str, ...]
    image_url: str | None
    page_type: str
    input_format: str
    extractor: str
    extractor_version: str
    cleaner_version: str
    newsclean_version: str
    schema_version: int
    removals: tuple[Removal, ...]
    redirect_chain: tuple[str, ...]
    run_id: str | None = None
    warc_filename: str | None = None
    warc_record_offset: int | None = None
    duplicate_of: str | None = None
    cluster_id: str | None = None


def article_row(
    article: Article,
    fetch: FetchResult | None,
    *,
    run_id: str | None = None,
    normalized_url: str | None = None,
) -> ArticleRow:
    """The row for one cleaned article and the fetch it came from (None for local input).

    ``normalized_url`` is the spelling the caller keys its state on; without it the requested
    URL is normalised with :func:`newsclean.scraper.urls.normalize_url`. Input with no URL at
    all (stdin, a file cleaned without one) gets the id of its content instead.
    """
    url = fetch.requested_url if fetch is not None else article.url
    final_url = fetch.final_url if fetch is not None else None
    content_hash = sha256_hex(article.text.encode("utf-8"))
    where = url or "<no URL>"
    return ArticleRow(
        article_id=_article_id(normalized_url, url, content_hash),
        content_hash=content_hash,
        url=url,
        final_url=final_url,
        canonical_url=article.canonical_url,
        domain=domain_of(final_url or url or ""),
        fetched_at=_utc(fetch.fetched_at, "fetched_at", where) if fetch is not None else None,
        http_status=_http_status(fetch, where),
        body_sha256=sha256_hex(fetch.body) if fetch is not None else None,
        title=article.title,
        text=article.text,
        markdown=article.markdown,
        authors=article.authors,
        published_at=_utc(article.published_at, "published_at", where),
        modified_at=_utc(article.modified_at, "modified_at", where),
        site_name=article.site_name,
        language=article.language,
        description=article.description,
        tags=article.tags,
        categories=article.categories,
        image_url=article.image_url,
        page_type=article.page_type,
        input_format=article.input_format,
        extractor=article.extractor,
        extractor_version=article.extractor_version,
        cleaner_version=article.cleaner_version,
        newsclean_version=__version__,
        schema_version=SCHEMA_VERSION,
        removals=article.removals,
        redirect_chain=fetch.redirect_chain if fetch is not None else (),
        run_id=run_id,
    )


def article_id_for(normalized_url: str) -> str:
    """The stable id of an article: sha1 hex of its normalised URL (exactly as given)."""
    return hashlib.sha1(normalized_url.encode("utf-8")).hexdigest()


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def domain_of(url: str) -> str | None:
    """Lower-case host of ``url`` without port and without a leading ``www.``; None if none."""
    try:
        host = urlsplit(url).hostname
    except ValueError:  # malformed netloc (e.g. an unbalanced IPv6 bracket)
        return None
    if not host:
        return None
    return host.removeprefix("www.")


def rows_to_table(rows: Iterable[ArticleRow]) -> pa.Table:
    """An Arrow table of ``rows`` with exactly ARTICLE_SCHEMA (also when ``rows`` is empty)."""
    materialised = rows if isinstance(rows, Sequence) else list(rows)
    try:
        arrays = [
            pa.array(_column_values(materialised, field.name), type=field.type)
            for field in ARTICLE_SCHEMA
        ]
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, OverflowError) as exc:
        raise InvalidTable(f"rows do not fit ARTICLE_SCHEMA: {exc}", None) from exc
    table = pa.Table.from_arrays(arrays, schema=ARTICLE_SCHEMA)
    check_table(table)
    return table


def check_table(table: pa.Table, where: object = None) -> None:
    """Raise InvalidTable unless ``table`` has ARTICLE_SCHEMA's columns, types and non-nulls."""
    location = str(where) if where is not None else None
    if not table.schema.equals(ARTICLE_SCHEMA, check_metadata=False):
        raise InvalidTable(_schema_difference(table.schema), location)
    for field in ARTICLE_SCHEMA:
        column = table.column(field.name)
        if _has_forbidden_nulls(column, field):
            raise InvalidTable(
                f"column {field.name!r} holds nulls where none are allowed", location
            )


def conform_table(table: pa.Table, where: object = None) -> pa.Table:
    """``table`` (e.g. from a file of an older schema version) recast to ARTICLE_SCHEMA.

    Columns are matched by name; columns the file lacks are added as nulls when nullable.
    """
    location = str(where) if where is not None else None
    columns = []
    for field in ARTICLE_SCHEMA:
        if field.name not in table.column_names:
            if not field.nullable:
                raise InvalidTable(f"required column {field.name!r} is missing", location)
            columns.append(pa.nulls(table.num_rows, type=field.type))
            continue
        try:
            columns.append(table.column(field.name).cast(field.type))
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
            raise InvalidTable(
                f"column {field.name!r} cannot become {field.type}", location
            ) from exc
    conformed = pa.Table.from_arrays(columns, schema=ARTICLE_SCHEMA)
    check_table(conformed, where)
    return conformed


def _article_id(normalized_url: str | None, url: str | None, content_hash: str) -> str:
    if normalized_url:
        return article_id_for(normalized_url)
    if url:
        return article_id_for(_normalized_or_raw(url))
    # no URL to name it by: the same text gets the same id, run after run
    return article_id_for(f"sha256:{content_hash}")


def _normalized_or_raw(url: str) -> str:
    # Non-HTTP inputs (file URIs, local paths) have no canonical spelling: the id is of the
    # string as given, which is stable for the same input.
    try:
        return normalize_url(url)
    except InvalidUrl:
        return url.strip()


def _utc(value: datetime | None, name: str, url: str) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidRow(f"{name} is a naive datetime", url)
    return value.astimezone(UTC)


def _http_status(fetch: FetchResult | None, url: str) -> int | None:
    if fetch is None:
        return None
    if not 0 <= fetch.status <= 32767:  # int16 column; real statuses are 100-599
        raise InvalidRow(f"HTTP status {fetch.status} out of range", url)
    return fetch.status


def _removal_values(row: ArticleRow) -> list[tuple[str, str, str, str]]:
    return [(r.rule, r.category, r.level, r.text) for r in row.removals]


# Columns whose ArticleRow value needs reshaping before Arrow sees it.
_CONVERTERS: Final[dict[str, Callable[[ArticleRow], object]]] = {"removals": _removal_values}


def _column_values(rows: Sequence[ArticleRow], name: str) -> list[object]:
    convert = _CONVERTERS.get(name)
    if convert is not None:
        return [convert(row) for row in rows]
    return [getattr(row, name) for row in rows]


def _schema_difference(schema: pa.Schema) -> str:
    missing = [n for n in ARTICLE_SCHEMA.names if n not in schema.names]
    extra = [n for n in schema.names if n not in ARTICLE_SCHEMA.names]
    if missing or extra:
        return f"columns differ from ARTICLE_SCHEMA (missing {missing}, unexpected {extra})"
    if schema.names != ARTICLE_SCHEMA.names:
        return "columns are not in ARTICLE_SCHEMA order"
    for expected in ARTICLE_SCHEMA:
        actual = schema.field(expected.name)
        if not actual.equals(expected):
            return (
                f"column {expected.name!r} is {_describe(actual)}, expected {_describe(expected)}"
            )
    return "schema differs from ARTICLE_SCHEMA"


def _describe(field: pa.Field[Any]) -> str:
    return f"{field.type}{'' if field.nullable else ' not null'}"


def _has_forbidden_nulls(column: pa.ChunkedArray[Any], field: pa.Field[Any]) -> bool:
    if not field.nullable and column.null_count:
        return True
    if not pa.types.is_list(field.type):
        return False
    item: pa.Field[Any] = field.type.value_field
    values = pc.list_flatten(column)
    if not item.nullable and values.null_count:
        return True
    if pa.types.is_struct(item.type):
        for index, child in enumerate(item.type):
            if not child.nullable and pc.struct_field(values, [index]).null_count:
                return True
    return False
