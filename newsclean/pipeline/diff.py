"""Diff: what changed between two datasets (say, before and after a ``reclean`` upgrade).

Articles are joined on ``article_id``; of each, only the latest version counts (the latest
``fetched_at``, then the highest ``content_hash``, so ties resolve the same way every time).
The report: articles added and removed; texts changed (count, share of the articles in both,
mean similarity over a sample); how many articles differ in each column; the same per
domain; and a few examples, each a URL and a short unified diff of its text.

Memory: the comparison reads every column EXCEPT ``text`` and ``markdown`` (``content_hash``
stands for the text, a digest computed batch by batch for the markdown), so a dataset costs
roughly its metadata, a few hundred bytes per article. Texts are read only for the sampled
and example articles. The sample is the changed articles with the smallest ids: ids are
SHA-1 digests, so that is a fixed, unbiased choice.

The CLI imports this module to register ``diff``: pandas and pyarrow are imported by the
functions that use them, so ``newsclean --help`` stays instant.
"""

from __future__ import annotations

import difflib
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, cast

import click

from newsclean.pipeline.errors import InputError, PipelineError
from newsclean.pipeline.exitcodes import EXIT_CODE_TABLE

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

#: the columns compared, in report order; "text" is compared through ``content_hash``
COMPARED_COLUMNS: Final = (
    "text",
    "markdown",
    "title",
    "authors",
    "published_at",
    "modified_at",
    "language",
    "site_name",
    "description",
    "tags",
    "categories",
    "image_url",
    "canonical_url",
    "page_type",
    "final_url",
    "http_status",
)
_LIST_COLUMNS: Final = frozenset({"authors", "tags", "categories"})
_READ_COLUMNS: Final = (
    "article_id",
    "content_hash",
    "url",
    "domain",
    "fetched_at",
    *(c for c in COMPARED_COLUMNS if c not in {"text", "markdown"}),
)
#: joins list items for comparison; never inside a name or tag
_LIST_SEPARATOR: Final = "\x1f"
DEFAULT_SAMPLE: Final = 200
DEFAULT_EXAMPLES: Final = 3
#: words of each text compared for the similarity (difflib is quadratic at worst)
SIMILARITY_WORDS: Final = 5_000
_EXAMPLE_LINES: Final = 16
_EXAMPLE_WIDTH: Final = 160
_LISTED_URLS: Final = 5


@dataclass(frozen=True, slots=True)
class DatasetSide:
    path: str
    rows: int  # versions
    articles: int


@dataclass(frozen=True, slots=True)
class ColumnChange:
    column: str
    changed: int  # articles in both datasets whose value differs


@dataclass(frozen=True, slots=True)
class DomainChange:
    domain: str
    added: int
    removed: int
    changed: int  # in both, some compared column differs
    text_changed: int


@dataclass(frozen=True, slots=True)
class TextExample:
    url: str
    similarity: float
    diff: str  # unified diff of the text, shortened


@dataclass(frozen=True, slots=True)
class DatasetDiff:
    old: DatasetSide
    new: DatasetSide
    added: int
    removed: int
    common: int
    text_changed: int
    #: mean similarity (difflib ratio over words, 0-1) of the sampled changed texts
    mean_similarity: float | None
    similarity_sample: int
    columns: tuple[ColumnChange, ...]
    domains: tuple[DomainChange, ...]
    examples: tuple[TextExample, ...]
    added_urls: tuple[str, ...]  # the first few, by article id
    removed_urls: tuple[str, ...]

    @property
    def text_changed_share(self) -> float:
        return self.text_changed / self.common if self.common else 0.0

    @property
    def identical(self) -> bool:
        return not (self.added or self.removed or any(c.changed for c in self.columns))

    def to_json(self) -> dict[str, object]:
        return {
            "old": _side_json(self.old),
            "new": _side_json(self.new),
            "added": self.added,
            "removed": self.removed,
            "common": self.common,
            "text_changed": self.text_changed,
            "text_changed_share": round(self.text_changed_share, 6),
            "mean_similarity": _rounded(self.mean_similarity),
            "similarity_sample": self.similarity_sample,
            "columns": {change.column: change.changed for change in self.columns},
            "domains": [
                {
                    "domain": d.domain,
                    "added": d.added,
                    "removed": d.removed,
                    "changed": d.changed,
                    "text_changed": d.text_changed,
                }
                for d in self.domains
            ],
            "examples": [
                {"url": e.url, "similarity": round(e.similarity, 6), "diff": e.diff}
                for e in self.examples
            ],
            "added_urls": list(self.added_urls),
            "removed_urls": list(self.removed_urls),
        }


def _side_json(side: DatasetSide) -> dict[str, object]:
    return {"path": side.path, "rows": side.rows, "articles": side.articles}


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 6)


# -- computing the diff ----------------------------------------------------------------------


def diff_datasets(
    old: Path,
    new: Path,
    *,
    sample: int = DEFAULT_SAMPLE,
    examples: int = DEFAULT_EXAMPLES,
) -> DatasetDiff:
    """Compare the latest version of each article of ``old`` and ``new``."""
    old_rows, old_latest = _read_latest(old)
    new_rows, new_latest = _read_latest(new)
    merged = old_latest.merge(
        new_latest, on="article_id", how="outer", suffixes=("_old", "_new"), indicator=True
    ).sort_values("article_id", kind="stable")
    both = merged[merged["_merge"] == "both"]
    added = merged[merged["_merge"] == "right_only"]
    removed = merged[merged["_merge"] == "left_only"]
    changes = {column: _differs(both, column) for column in COMPARED_COLUMNS}
    text_ids = cast("list[str]", both.loc[changes["text"], "article_id"].tolist())
    texts = _TextPairs.read(old, new, both, text_ids[: max(sample, examples)])
    similarities = [texts.similarity(i) for i in text_ids[:sample]]
    return DatasetDiff(
        old=DatasetSide(str(old), old_rows, len(old_latest)),
        new=DatasetSide(str(new), new_rows, len(new_latest)),
        added=len(added),
        removed=len(removed),
        common=len(both),
        text_changed=len(text_ids),
        mean_similarity=sum(similarities) / len(similarities) if similarities else None,
        similarity_sample=len(similarities),
        columns=tuple(ColumnChange(c, int(changes[c].sum())) for c in COMPARED_COLUMNS),
        domains=_per_domain(merged, both, changes),
        examples=tuple(texts.example(i) for i in text_ids[:examples]),
        added_urls=_urls(added, "_new"),
        removed_urls=_urls(removed, "_old"),
    )


def _read_latest(root: Path) -> tuple[int, pd.DataFrame]:
    """(rows in the dataset, the latest version of each article without its text)."""
    import pyarrow as pa

    from newsclean.output.dataset import open_arrow_dataset

    _check_dataset(root)
    dataset = open_arrow_dataset(root)
    batches = [
        _comparable(batch)
        for batch in dataset.to_batches(columns=[*_READ_COLUMNS, "markdown"])
        if batch.num_rows
    ]
    if batches:
        table = pa.Table.from_batches(batches)
    else:
        table = pa.table({name: pa.array([], pa.string()) for name in _READ_COLUMNS})
    frame = table.to_pandas()
    rows = len(frame)
    frame = frame.sort_values(
        ["article_id", "fetched_at", "content_hash"], na_position="first", kind="stable"
    ).drop_duplicates("article_id", keep="last")
    return rows, frame.reset_index(drop=True)


def _comparable(batch: pa.RecordBatch) -> pa.RecordBatch:
    """List columns joined into one string each; markdown replaced by its digest."""
    import pyarrow as pa
    import pyarrow.compute as pc

    arrays: dict[str, Any] = {}
    for name in _READ_COLUMNS:
        column: Any = batch.column(name)
        if name in _LIST_COLUMNS:
            # binary_join has no kernel for lists of non-null items: drop that flag first
            column = pc.binary_join(column.cast(pa.list_(pa.string())), _LIST_SEPARATOR)
        arrays[name] = column
    markdown = cast("list[str | None]", batch.column("markdown").to_pylist())
    arrays["markdown"] = pa.array([_digest(text) for text in markdown], pa.string())
    return pa.RecordBatch.from_pydict(arrays)


def _digest(text: str | None) -> str | None:
    return None if text is None else hashlib.sha1(text.encode("utf-8")).hexdigest()


def _check_dataset(root: Path) -> None:
    from newsclean.output.layout import MARKER_NAME

    if not (root / MARKER_NAME).is_file():
        raise InputError(
            f"not a newsclean dataset (no {MARKER_NAME})", str(root), "give a dataset folder"
        )


def _differs(both: pd.DataFrame, column: str) -> pd.Series[bool]:
    """Per article in both datasets: does ``column`` differ (two nulls are equal)?"""
    name = "content_hash" if column == "text" else column
    old, new = both[f"{name}_old"], both[f"{name}_new"]
    same = (old == new).fillna(False).astype(bool) | (old.isna() & new.isna())
    return ~same


def _per_domain(
    merged: pd.DataFrame, both: pd.DataFrame, changes: dict[str, pd.Series[bool]]
) -> tuple[DomainChange, ...]:
    import pandas as pd

    domain = merged["domain_new"].fillna(merged["domain_old"]).fillna("(none)")
    frame = pd.DataFrame(
        {
            "domain": domain,
            "added": merged["_merge"] == "right_only",
            "removed": merged["_merge"] == "left_only",
            "changed": False,
            "text_changed": False,
        }
    )
    any_change = pd.concat(list(changes.values()), axis=1).any(axis=1)
    frame.loc[both.index, "changed"] = any_change
    frame.loc[both.index, "text_changed"] = changes["text"]
    counts = frame.groupby("domain", sort=True)[
        ["added", "removed", "changed", "text_changed"]
    ].sum()
    return tuple(
        DomainChange(str(name), int(r.added), int(r.removed), int(r.changed), int(r.text_changed))
        for name, r in counts.iterrows()
        if r.added or r.removed or r.changed
    )


def _urls(rows: pd.DataFrame, suffix: str) -> tuple[str, ...]:
    urls = rows[f"url{suffix}"].fillna(rows["article_id"]).head(_LISTED_URLS)
    return tuple(str(url) for url in urls)


@dataclass(frozen=True, slots=True)
class _TextPairs:
    """The old and new text (and URL) of a few changed articles, read on demand."""

    old: dict[str, str]
    new: dict[str, str]
    urls: dict[str, str]

    @classmethod
    def read(cls, old: Path, new: Path, both: pd.DataFrame, ids: Sequence[str]) -> _TextPairs:
        chosen = both[both["article_id"].isin(ids)]
        urls = {
            str(row.article_id): str(row.url_new if isinstance(row.url_new, str) else row.url_old)
            for row in chosen.itertuples()
        }
        return cls(
            _texts(old, dict(zip(chosen["article_id"], chosen["content_hash_old"], strict=True))),
            _texts(new, dict(zip(chosen["article_id"], chosen["content_hash_new"], strict=True))),
            urls,
        )

    def similarity(self, article_id: str) -> float:
        old = self.old[article_id].split()[:SIMILARITY_WORDS]
        new = self.new[article_id].split()[:SIMILARITY_WORDS]
        return difflib.SequenceMatcher(None, old, new, autojunk=False).ratio()

    def example(self, article_id: str) -> TextExample:
        lines = difflib.unified_diff(
            self.old[article_id].splitlines(),
            self.new[article_id].splitlines(),
            "old",
            "new",
            n=1,
            lineterm="",
        )
        shown = [_shortened(line) for line in lines if line.strip()]
        if len(shown) > _EXAMPLE_LINES:
            shown = [*shown[:_EXAMPLE_LINES], f"... ({len(shown) - _EXAMPLE_LINES} more lines)"]
        return TextExample(self.urls[article_id], self.similarity(article_id), "\n".join(shown))


def _texts(root: Path, versions: dict[str, str]) -> dict[str, str]:
    """The text of the given (article_id -> content_hash) versions of ``root``."""
    import pyarrow.compute as pc

    from newsclean.output.dataset import open_arrow_dataset

    if not versions:
        return {}
    table = open_arrow_dataset(root).to_table(
        columns=["article_id", "content_hash", "text"],
        filter=pc.field("article_id").isin(list(versions)),
    )
    found: dict[str, str] = {}
    for row in table.to_pylist():
        if versions.get(row["article_id"]) == row["content_hash"]:
            found[row["article_id"]] = row["text"]
    return found


def _shortened(line: str) -> str:
    return line if len(line) <= _EXAMPLE_WIDTH else line[: _EXAMPLE_WIDTH - 3] + "..."


# -- the report ------------------------------------------------------------------------------


def render_diff(diff: DatasetDiff) -> str:
    """The plain-text report."""
    lines = [
        f"old: {diff.old.path} ({diff.old.rows} rows, {diff.old.articles} articles)",
        f"new: {diff.new.path} ({diff.new.rows} rows, {diff.new.articles} articles)",
        f"articles: {diff.added} added, {diff.removed} removed, {diff.common} in both",
        _text_line(diff),
    ]
    changed_columns = [c for c in diff.columns if c.changed]
    if changed_columns:
        lines.append("changed per column (articles in both):")
        lines += [f"  {c.column:<14} {c.changed:>8}" for c in changed_columns]
    if diff.domains:
        lines.append(f"per domain:{'':<22} added  removed  changed  text")
        lines += [
            f"  {d.domain[:30]:<30} {d.added:>7} {d.removed:>8} {d.changed:>8} {d.text_changed:>5}"
            for d in diff.domains
        ]
    for example in diff.examples:
        lines.append(f"example: {example.url} (similarity {example.similarity:.3f})")
        lines += [f"    {line}" for line in example.diff.splitlines()]
    if diff.added_urls:
        lines.append("added, e.g.: " + "  ".join(diff.added_urls))
    if diff.removed_urls:
        lines.append("removed, e.g.: " + "  ".join(diff.removed_urls))
    if diff.identical:
        lines.append("no differences")
    return "\n".join(lines)


def _text_line(diff: DatasetDiff) -> str:
    text = (
        f"text changed: {diff.text_changed} of {diff.common} ({100 * diff.text_changed_share:.1f}%)"
    )
    if diff.mean_similarity is not None:
        text += (
            f", mean similarity {diff.mean_similarity:.3f} over {diff.similarity_sample} sampled"
        )
    return text


# -- command line ----------------------------------------------------------------------------


EXIT_CODES_HELP: Final = "Exit codes:\n\n\b\n" + EXIT_CODE_TABLE


@click.command("diff", epilog=EXIT_CODES_HELP)
@click.argument("old", type=click.Path(file_okay=False, path_type=Path))
@click.argument("new", type=click.Path(file_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option(
    "--sample",
    type=click.IntRange(min=0),
    default=DEFAULT_SAMPLE,
    show_default=True,
    help="Changed texts compared for the mean similarity.",
)
@click.option(
    "--examples",
    type=click.IntRange(min=0),
    default=DEFAULT_EXAMPLES,
    show_default=True,
    help="Changed articles shown with a diff of their text.",
)
@click.pass_context
def diff_command(
    ctx: click.Context, old: Path, new: Path, as_json: bool, sample: int, examples: int
) -> None:
    """Compare two datasets: articles added and removed, texts and columns changed.

    Articles are matched by article_id; the latest version of each is compared.

    \b
    Examples:
      newsclean diff news-dataset rebuilt
      newsclean diff old-dataset new-dataset --json > changes.json
      newsclean diff old-dataset new-dataset --examples 10 --sample 1000
    """
    try:
        report = diff_datasets(old, new, sample=sample, examples=examples)
    except PipelineError as exc:
        if (ctx.find_root().obj or {}).get("debug"):
            raise
        click.echo(exc.one_line(), err=True)
        ctx.exit(int(exc.exit_code))
    if as_json:
        click.echo(json.dumps(report.to_json(), ensure_ascii=False))
    else:
        click.echo(render_diff(report))
