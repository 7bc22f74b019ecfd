"""ARTICLE_SCHEMA is declared, typed for every reader, and rows are built faithfully.

Also home of the sample articles the other output tests share (``sample_rows``): unicode,
empty lists, missing dates, non-UTC offsets, local input without a fetch, long text.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta, timezone

import pyarrow as pa
import pytest

from newsclean import __version__
from newsclean.cleaners.records import Article, Removal
from newsclean.output.errors import InvalidRow, InvalidTable
from newsclean.output.schema import (
    ARTICLE_SCHEMA,
    DATASET_SCHEMA,
    SCHEMA_VERSION,
    ArticleRow,
    article_id_for,
    article_row,
    check_table,
    conform_table,
    domain_of,
    rows_to_table,
    sha256_hex,
)
from newsclean.scraper.records import FetchResult
from newsclean.scraper.urls import normalize_url

T0 = datetime(2024, 5, 1, 8, 30, 15, 123456, tzinfo=UTC)
IST = timezone(timedelta(hours=5, minutes=30))
LONG_TEXT = ("Ein langer Absatz über Nachrichten. " * 40 + "\n\n") * 400  # ~580 kB


def sample_fetch(url: str, i: int = 0) -> FetchResult:
    return FetchResult(
        requested_url=url,
        final_url=url.replace("http://", "https://").replace("?utm_source=feed", ""),
        status=200,
        headers=(("content-type", "text/html; charset=utf-8"),),
        body=f"<html><body>article {i}</body></html>".encode(),
        fetched_at=T0 + timedelta(seconds=i),
        redirect_chain=(url,) if "http://" in url else (),
    )


def sample_article(i: int) -> Article:
    """Four shapes, chosen by ``i % 4``: full, empty/none, long, odd characters."""
    shape = i % 4
    url = f"http://www.example.com/news/{i}?utm_source=feed"
    if shape == 0:
        return Article(
            text=f"Ünïcødé 東京 🚀 article {i}.\n\nSecond paragraph — with “quotes”.",
            url=url,
            title=f"Titel {i}: Ünïcødé — 東京",
            authors=("Zoë Ångström", "李雷"),
            published_at=datetime(2024, 4, 30, 23, 15, tzinfo=IST),
            modified_at=T0,
            site_name="Exämple News",
            language="de",
            description="Kurzfassung",
            tags=("politik", "ünïcødé"),
            categories=("World",),
            canonical_url=f"https://example.com/news/{i}",
            image_url="https://example.com/lead.jpg",
            markdown=f"# Titel {i}\n\nÜnïcødé 東京 🚀 article {i}.",
            extractor_version="2.0.0",
            cleaner_version="7",
            removals=(
                Removal("line.phrase", "share", "Teilen Sie diesen Artikel", "line"),
                Removal("dom.hidden", "adblock-notice", "Bitte Adblocker deaktivieren", "dom"),
            ),
        )
    if shape == 1:
        return Article(text=f"plain text {i}", url=f"file:///srv/in/{i}.txt", input_format="text")
    if shape == 2:
        return Article(text=LONG_TEXT + str(i), url=url, title="Long", page_type="other")
    return Article(text=f"tab\there, nul\x00, line\u2028sep, {i}", url=url, authors=("",))


def sample_rows(n: int, *, start: int = 0, run_id: str | None = None) -> list[ArticleRow]:
    rows = []
    for i in range(start, start + n):
        article = sample_article(i)
        fetch = None if article.input_format == "text" else sample_fetch(article.url or "", i)
        rows.append(article_row(article, fetch, run_id=run_id))
    return rows


def expected_record(row: ArticleRow) -> dict[str, object]:
    """What a reader should give back for ``row``: lists, dict removals, UTC instants."""
    record: dict[str, object] = {}
    for field in dataclasses.fields(row):
        value = getattr(row, field.name)
        if field.name == "removals":
            value = [dataclasses.asdict(r) for r in value]
        elif isinstance(value, tuple):
            value = list(value)
        record[field.name] = value
    return record


# -- the schema itself -------------------------------------------------------------------


def test_row_fields_are_the_schema_columns_in_order() -> None:
    assert [f.name for f in dataclasses.fields(ArticleRow)] == ARTICLE_SCHEMA.names


def test_every_column_is_described() -> None:
    for field in ARTICLE_SCHEMA:
        assert field.metadata is not None
        assert field.metadata[b"description"].strip(), field.name


def test_schema_metadata_carries_versions() -> None:
    metadata = ARTICLE_SCHEMA.metadata
    assert metadata[b"newsclean.schema_version"] == str(SCHEMA_VERSION).encode()
    assert metadata[b"newsclean.version"] == __version__.encode()
    assert SCHEMA_VERSION >= 1


def test_declared_types_are_spark_compatible() -> None:
    def walk(data_type: pa.DataType) -> list[pa.DataType]:
        nested = [data_type]
        for i in range(data_type.num_fields):
            nested += walk(data_type.field(i).type)
        return nested

    for field in ARTICLE_SCHEMA:
        for data_type in walk(field.type):
            assert not pa.types.is_unsigned_integer(data_type), field.name
            if pa.types.is_timestamp(data_type):
                assert (data_type.unit, data_type.tz) == ("us", "UTC"), field.name


@pytest.mark.parametrize(
    ("name", "data_type", "nullable"),
    [
        ("article_id", pa.string(), False),
        ("content_hash", pa.string(), False),
        ("url", pa.string(), True),
        ("fetched_at", pa.timestamp("us", tz="UTC"), True),
        ("http_status", pa.int16(), True),
        ("body_sha256", pa.string(), True),
        ("text", pa.string(), False),
        ("published_at", pa.timestamp("us", tz="UTC"), True),
        ("schema_version", pa.int16(), False),
        ("warc_record_offset", pa.int64(), True),
        ("cluster_id", pa.string(), True),
        ("run_id", pa.string(), True),
    ],
)
def test_column_types(name: str, data_type: pa.DataType, nullable: bool) -> None:
    field = ARTICLE_SCHEMA.field(name)
    assert field.type == data_type
    assert field.nullable is nullable


def test_list_columns_have_non_null_elements() -> None:
    for name in ("authors", "tags", "categories", "redirect_chain"):
        assert ARTICLE_SCHEMA.field(name).type == pa.list_(pa.field("element", pa.string(), False))
    removal = ARTICLE_SCHEMA.field("removals").type.value_type
    assert [f.name for f in removal] == ["rule", "category", "level", "text"]


def test_crawl_date_is_only_a_partition_column() -> None:
    assert "crawl_date" not in ARTICLE_SCHEMA.names
    assert DATASET_SCHEMA.field("crawl_date").type == pa.date32()
    assert DATASET_SCHEMA.names[:-1] == ARTICLE_SCHEMA.names


# -- article_row -------------------------------------------------------------------------


def test_row_from_fetched_article() -> None:
    article = sample_article(0)
    fetch = sample_fetch(article.url or "", 0)
    row = article_row(article, fetch, run_id="run-1")
    assert row.url == "http://www.example.com/news/0?utm_source=feed"
    assert row.final_url == "https://www.example.com/news/0"
    assert row.domain == "example.com"
    assert row.article_id == article_id_for(normalize_url(row.url))
    assert row.content_hash == sha256_hex(article.text.encode())
    assert row.body_sha256 == sha256_hex(fetch.body)
    assert (row.http_status, row.fetched_at, row.run_id) == (200, T0, "run-1")
    assert row.redirect_chain == (row.url,)
    assert row.published_at == datetime(2024, 4, 30, 17, 45, tzinfo=UTC)
    assert row.published_at is not None and row.published_at.tzinfo is UTC
    assert row.removals == article.removals
    assert (row.newsclean_version, row.schema_version) == (__version__, SCHEMA_VERSION)


def test_row_from_local_text_has_no_fetch_provenance() -> None:
    row = article_row(sample_article(1), None)
    assert row.url == "file:///srv/in/1.txt"
    assert row.article_id == article_id_for("file:///srv/in/1.txt")
    assert row.final_url is row.fetched_at is row.http_status is row.body_sha256 is None
    assert row.domain is None and row.redirect_chain == () and row.input_format == "text"


def test_caller_normalised_url_decides_the_id() -> None:
    row = article_row(sample_article(0), None, normalized_url="https://example.com/key")
    assert row.article_id == article_id_for("https://example.com/key")


def test_same_page_two_spellings_same_id_different_text_different_hash() -> None:
    a = article_row(Article(text="one", url="https://Example.com/a#top"), None)
    b = article_row(Article(text="two", url="https://example.com:443/a?utm_medium=x"), None)
    assert a.article_id == b.article_id
    assert a.content_hash != b.content_hash


def test_naive_datetime_is_refused_with_the_url() -> None:
    article = Article(text="x", url="https://example.com/a", published_at=datetime(2024, 1, 1))
    with pytest.raises(InvalidRow, match="published_at is a naive datetime") as caught:
        article_row(article, None)
    assert caught.value.where == "https://example.com/a"


def test_input_without_url_is_identified_by_its_content() -> None:
    row = article_row(Article(text="from stdin", input_format="text"), None)
    assert row.url is None and row.domain is None
    assert row.article_id == article_id_for(f"sha256:{sha256_hex(b'from stdin')}")
    assert article_row(Article(text="from stdin"), None).article_id == row.article_id
    with pytest.raises(InvalidRow, match="naive") as caught:
        article_row(Article(text="x", published_at=datetime(2024, 1, 1)), None)
    assert caught.value.where == "<no URL>"


@pytest.mark.parametrize(
    ("url", "domain"),
    [
        ("https://WWW.Example.COM:8443/x", "example.com"),
        ("https://news.example.co.uk/", "news.example.co.uk"),
        ("https://[::1]/x", "::1"),
        ("file:///tmp/x", None),
        ("not a url", None),
        ("http://[broken/x", None),
    ],
)
def test_domain_of(url: str, domain: str | None) -> None:
    assert domain_of(url) == domain


# -- rows_to_table / check_table / conform_table -----------------------------------------


def test_rows_to_table_uses_the_declared_schema_and_values() -> None:
    rows = sample_rows(8)
    table = rows_to_table(rows)
    assert table.schema.equals(ARTICLE_SCHEMA, check_metadata=True)
    assert table.to_pylist() == [expected_record(r) for r in rows]


def test_rows_to_table_accepts_any_iterable_and_empty_input() -> None:
    assert rows_to_table(iter(sample_rows(3))).num_rows == 3
    empty = rows_to_table([])
    assert empty.num_rows == 0 and empty.schema.equals(ARTICLE_SCHEMA)


def test_all_null_column_keeps_its_declared_type() -> None:
    table = rows_to_table(sample_rows(1, start=1))  # local input: every fetch column is null
    assert table.schema.field("fetched_at").type == pa.timestamp("us", tz="UTC")
    assert table.column("http_status").null_count == 1


def test_values_that_do_not_fit_are_refused() -> None:
    row = dataclasses.replace(sample_rows(1)[0], warc_record_offset=2**70)
    with pytest.raises(InvalidTable, match="do not fit"):
        rows_to_table([row])


def test_check_table_names_the_offending_column() -> None:
    table = rows_to_table(sample_rows(2))
    wrong_type = table.set_column(
        table.schema.get_field_index("http_status"),
        pa.field("http_status", pa.int64()),
        table.column("http_status").cast(pa.int64()),
    )
    with pytest.raises(InvalidTable, match="'http_status' is int64, expected int16"):
        check_table(wrong_type)
    with pytest.raises(InvalidTable, match=r"missing \['text'\]"):
        check_table(table.drop_columns(["text"]))


def test_check_table_finds_nulls_in_required_columns_and_list_items() -> None:
    table = rows_to_table(sample_rows(2))
    index = table.schema.get_field_index("text")
    nulled = table.set_column(index, ARTICLE_SCHEMA.field("text"), pa.array([None, "x"]))
    with pytest.raises(InvalidTable, match="'text' holds nulls"):
        check_table(nulled)
    index = table.schema.get_field_index("authors")
    bad_items = pa.array([["a", None], []], type=pa.list_(pa.string()))
    items = table.set_column(
        index,
        ARTICLE_SCHEMA.field("authors"),
        bad_items.cast(ARTICLE_SCHEMA.field("authors").type, safe=False),
    )
    with pytest.raises(InvalidTable, match="'authors' holds nulls"):
        check_table(items)


def test_conform_table_fills_columns_an_older_file_lacks() -> None:
    table = rows_to_table(sample_rows(3))
    older = table.drop_columns(["duplicate_of", "cluster_id"])
    older = older.replace_schema_metadata({})
    conformed = conform_table(older)
    assert conformed.schema.equals(ARTICLE_SCHEMA, check_metadata=True)
    assert conformed.column("cluster_id").null_count == 3
    assert conformed.drop_columns(["duplicate_of", "cluster_id"]).equals(
        table.drop_columns(["duplicate_of", "cluster_id"])
    )
    with pytest.raises(InvalidTable, match="required column 'text' is missing"):
        conform_table(older.drop_columns(["text"]))
