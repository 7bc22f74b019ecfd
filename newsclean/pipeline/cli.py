"""The ``newsclean`` command line: a thin layer over the library.

Every failure the user can cause or meet prints one line,
``Error: <what> (<where>): <what to do>``, and exits with a code from
:mod:`newsclean.pipeline.exitcodes`; tracebacks appear only with ``--debug``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import ParamSpec, TypeVar

import click

from newsclean import __version__
from newsclean.pipeline.errors import PipelineError
from newsclean.pipeline.exitcodes import EXIT_CODE_TABLE, ExitCode
from newsclean.scraper.errors import FetchError

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
@click.option("--timeout", type=float, default=30.0, show_default=True, help="Total seconds per URL.")
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
        cleaned.append((article, document.fetch))
    if output_path is not None and cleaned:
        _guarded(ctx, oneoff.write_articles, output_path, cleaned)
    ctx.exit(int(worst))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main(obj={}))
