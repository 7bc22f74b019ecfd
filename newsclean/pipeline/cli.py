"""The ``newsclean`` command line: a thin layer over the library.

Every failure the user can cause or meet prints one line,
``Error: <what> (<where>): <what to do>``, and exits with a code from
:mod:`newsclean.pipeline.exitcodes`; tracebacks appear only with ``--debug``.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, ParamSpec, TypeVar

import click
from rich.console import Console

from newsclean import __version__
from newsclean.output.errors import OutputError
from newsclean.output.parquet import DISK_FULL_ERRNOS
from newsclean.pipeline.diff import diff_command
from newsclean.pipeline.errors import PipelineError
from newsclean.pipeline.exitcodes import EXIT_CODE_TABLE, ExitCode
from newsclean.pipeline.reclean import reclean_command
from newsclean.scraper.errors import FetchError

if TYPE_CHECKING:
    from newsclean.pipeline.config import Config
    from newsclean.pipeline.pages import PageEngine
    from newsclean.pipeline.summary import RunSummary
    from newsclean.scraper.polite import PoliteFetcher

T = TypeVar("T")
P = ParamSpec("P")

EXIT_CODES_HELP = "Exit codes:\n\n\b\n" + EXIT_CODE_TABLE


def _fail(ctx: click.Context, message: str, code: ExitCode) -> None:
    click.echo(message, err=True)
    ctx.exit(int(code))


def _guarded(ctx: click.Context, action: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """Run ``action``; turn known errors into one line and a documented exit code."""
    try:
        return action(*args, **kwargs)
    except PipelineError as exc:
        if ctx.obj.get("debug"):
            raise
        _fail(ctx, exc.one_line(), exc.exit_code)
    except OutputError as exc:  # e.g. `clean --output` into a folder that cannot be written
        if ctx.obj.get("debug"):
            raise
        _fail(ctx, f"Error: {exc}", ExitCode.RUN_FAILED)
    except OSError as exc:  # a file the library did not expect to fail (a lock on a full disk)
        if ctx.obj.get("debug"):
            raise
        _fail(ctx, _os_error_line(exc, ctx.obj.get("where")), ExitCode.RUN_FAILED)
    except FetchError as exc:
        if ctx.obj.get("debug"):
            raise
        _fail(
            ctx,
            f"Error: could not fetch: {exc.message} ({exc.url}): "
            + ("try again later" if exc.transient else "check the URL"),
            ExitCode.FETCH_FAILED,
        )
    raise AssertionError("unreachable")  # pragma: no cover


def _os_error_line(exc: OSError, fallback: object = None) -> str:
    """``fallback``: the path the command works on, for an error that names no file."""
    path = exc.filename if exc.filename is not None else fallback
    where = f" ({path})" if path is not None else ""
    if exc.errno in DISK_FULL_ERRNOS:
        return f"Error: disk full: {os.strerror(exc.errno)}{where}: free space on that disk"
    return f"Error: {exc.strerror or exc}{where}: check the path, its permissions and its disk"


@click.group(epilog=EXIT_CODES_HELP)
@click.version_option(__version__, prog_name="newsclean")
@click.option("--debug", is_flag=True, help="Show tracebacks on errors.")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """Collect news pages, extract the clean article text, write Parquet datasets.

    \b
    Examples:
      newsclean clean https://example.org/news/story.html
      newsclean clean saved-page.html --format json
      newsclean run sources.toml
      newsclean demo
    """
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug


@main.command(epilog=EXIT_CODES_HELP)
@click.argument("inputs", nargs=-1, required=True, metavar="URL|PATH|-...")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "markdown", "json"]),
    default="text",
    show_default=True,
    help="text: the article; markdown: headings/lists kept; json: one object per input.",
)
@click.option(
    "--input-format",
    type=click.Choice(["auto", "html", "text"]),
    default="auto",
    show_default=True,
    help="How to read files and stdin; auto tells HTML from plain text.",
)
@click.option("--explain", is_flag=True, help="Print every removal and its rule (to stderr).")
@click.option(
    "--output",
    "output_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the articles to this Parquet file (atomically).",
)
@click.option("--user-agent", help="User-Agent header for URLs.")
@click.option(
    "--timeout", type=float, default=30.0, show_default=True, help="Total seconds per URL."
)
@click.pass_context
def clean(
    ctx: click.Context,
    inputs: tuple[str, ...],
    fmt: str,
    input_format: str,
    explain: bool,
    output_path: Path | None,
    user_agent: str | None,
    timeout: float,
) -> None:
    """Print the clean article of each URL, HTML file, text file or stdin (-).

    \b
    Examples:
      newsclean clean https://example.org/news/story.html
      newsclean clean page.html --format markdown --explain
      curl -s https://example.org/a | newsclean clean - --format json
      newsclean clean scraped.txt --input-format text
      newsclean clean a.html b.html --output articles.parquet
    """
    from newsclean.pipeline import oneoff
    from newsclean.scraper.fetch import FetchOptions

    options = FetchOptions(total_timeout=timeout)
    if user_agent:
        options = replace(options, user_agent=user_agent)
    worst = ExitCode.OK
    cleaned = []
    for spec in inputs:
        document = _guarded(ctx, oneoff.read_input, spec, options)
        article = _guarded(ctx, oneoff.clean_input, document, input_format)  # type: ignore[arg-type]
        if explain:
            click.echo(f"--- removed from {document.label}:", err=True)
            click.echo(oneoff.explain(article), err=True)
        if not article.is_article:
            click.echo(
                f"Error: no article found ({document.label}): page type is {article.page_type}",
                err=True,
            )
            worst = max(worst, ExitCode.NOT_ARTICLE)
            if fmt != "json":
                continue
        click.echo(oneoff.render(article, fmt, document.fetch))  # type: ignore[arg-type]
        if fmt != "json" and len(inputs) > 1:
            click.echo()
        if article.is_article:  # --output holds articles only, whatever --format shows
            cleaned.append((article, document.fetch))
    if output_path is not None and cleaned:
        _guarded(ctx, oneoff.write_articles, output_path, cleaned)
    ctx.exit(int(worst))


def _console(stderr: bool = False) -> Console:
    return Console(stderr=stderr, highlight=False, soft_wrap=True)


@main.command(epilog=EXIT_CODES_HELP)
# readable=False: an unreadable config is reported by load_config, as one line like any other
@click.argument(
    "config_path", type=click.Path(path_type=Path, readable=False), metavar="CONFIG.toml"
)
@click.option(
    "--log-format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="json: one log object per line and the summary as JSON on stdout.",
)
@click.option("--progress/--no-progress", default=None, help="Live progress (default: on a TTY).")
@click.option("--run-id", help="Name this run (default: time + random suffix).")
@click.option("-v", "--verbose", is_flag=True, help="Log every commit and retry.")
@click.option(
    "--engine",
    type=click.Choice(["local", "dask"]),
    default="local",
    show_default=True,
    help="dask: fetch (sharded by host) and clean on a Dask cluster; needs newsclean[dask].",
)
@click.option(
    "--scheduler",
    metavar="ADDRESS",
    help="With --engine dask: a running scheduler (tcp://host:8786); default: a LocalCluster.",
)
@click.pass_context
def run(
    ctx: click.Context,
    config_path: Path,
    log_format: str,
    progress: bool | None,
    run_id: str | None,
    verbose: bool,
    engine: str,
    scheduler: str | None,
) -> None:
    """Fetch every source of CONFIG.toml and append new articles to its dataset.

    Safe to run from cron: an overlapping run exits at once (code 6), a crashed run is
    recovered by the next one, and nothing is written twice.

    \b
    Examples:
      newsclean run sources.toml
      newsclean run sources.toml --log-format json > summary.json
      newsclean run sources.toml --engine dask --scheduler tcp://10.0.0.5:8786
    """
    from newsclean.pipeline.config import load_config
    from newsclean.pipeline.logs import configure_logging

    configure_logging(log_format, verbose=verbose)  # type: ignore[arg-type]
    config = _guarded(ctx, load_config, config_path)
    if scheduler is not None and engine != "dask":
        raise click.UsageError("--scheduler needs --engine dask")
    factory = None
    if engine == "dask":
        from newsclean.pipeline.dask_engine import dask_engine

        factory = _guarded(ctx, dask_engine, scheduler)
    summary = _run_with_display(ctx, config, log_format, progress, run_id, factory)
    ctx.exit(int(summary.exit_code))


def _run_with_display(
    ctx: click.Context,
    config: Config,
    log_format: str,
    progress: bool | None,
    run_id: str | None,
    engine: Callable[[Config, PoliteFetcher], PageEngine] | None = None,
) -> RunSummary:
    from newsclean.pipeline.progress import live_progress
    from newsclean.pipeline.run import RunOptions
    from newsclean.pipeline.run import run as run_batch
    from newsclean.pipeline.summary import render_summary

    show = progress if progress is not None else (log_format == "text" and sys.stderr.isatty())
    with live_progress(_console(stderr=True), enabled=show) as on_progress:
        options = RunOptions(run_id=run_id, on_progress=on_progress, engine=engine)
        summary = _guarded(ctx, run_batch, config, options)
    if log_format == "json":
        click.echo(json.dumps(summary.to_json()))
    else:
        render_summary(summary, _console())
    return summary


@main.command(epilog=EXIT_CODES_HELP)
@click.option(
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("demo-output"),
    show_default=True,
    help="Folder for the demo's config and dataset.",
)
@click.option("--progress/--no-progress", default=None, help="Live progress (default: on a TTY).")
@click.pass_context
def demo(ctx: click.Context, output: Path, progress: bool | None) -> None:
    """Run the real batch path against a bundled sample news site on 127.0.0.1.

    No internet needed. The site has an RSS feed, a news sitemap, robots.txt, ~50 articles
    wrapped in real-world boilerplate, a few non-articles, a slow and a failing URL. Running it
    again shows an incremental run (nothing new is written).

    \b
    Examples:
      newsclean demo
      newsclean demo --output /tmp/newsclean-demo
    """
    from newsclean.pipeline.demo.job import run_demo
    from newsclean.pipeline.logs import configure_logging
    from newsclean.pipeline.progress import live_progress
    from newsclean.pipeline.run import RunOptions
    from newsclean.pipeline.summary import render_summary

    configure_logging("text")
    show = progress if progress is not None else sys.stderr.isatty()
    with live_progress(_console(stderr=True), enabled=show) as on_progress:
        outcome = _guarded(ctx, run_demo, output, options=RunOptions(on_progress=on_progress))
    console = _console()
    console.print(f"demo site: {outcome.base_url}   config: {outcome.config_path}")
    render_summary(outcome.summary, console)
    console.print("\nTry:", style="bold")
    console.print(
        f"  python -c \"import pandas as pd; df = pd.read_parquet('{outcome.dataset}'); "
        f"print(df[['crawl_date', 'domain', 'title', 'published_at']])\""
    )
    # the demo has a failing and a slow URL by design: partial failure is its normal outcome
    code = outcome.summary.exit_code
    ctx.exit(int(ExitCode.OK if code == ExitCode.PARTIAL else code))


@main.command(epilog=EXIT_CODES_HELP)
@click.argument("dataset", type=click.Path(file_okay=False, exists=True, path_type=Path))
@click.option(
    "--partition",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Only this crawl date (YYYY-MM-DD).",
)
@click.option(
    "--min-files", type=int, default=2, show_default=True, help="Skip smaller partitions."
)
@click.pass_context
def compact(ctx: click.Context, dataset: Path, partition: datetime | None, min_files: int) -> None:
    """Merge the small files of each partition into one, atomically.

    Readers never see a partial or doubled partition. Takes the dataset's run lock, so it
    never overlaps a run (exit code 6 if one is going).

    \b
    Examples:
      newsclean compact news-dataset
      newsclean compact news-dataset --partition 2026-11-28
    """
    from newsclean.pipeline.maintenance import compact_dataset

    day = partition.date() if partition is not None else None
    ctx.obj["where"] = dataset  # what an OS error naming no file is about
    report = _guarded(ctx, compact_dataset, dataset, day, min_files)
    click.echo(
        f"compacted {len(report.compacted)} partitions: "
        f"{report.files_merged} files merged, {report.rows} rows"
    )


main.add_command(reclean_command)
main.add_command(diff_command)

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main(obj={}))
