"""The ``newsclean`` command line: exit codes, one-line errors, output formats, and docs that
stay true (every command's help has examples; the README's commands exist as written).
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Iterator
from dataclasses import fields
from datetime import datetime
from pathlib import Path

import click
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner, Result

from newsclean.cleaners.records import Article
from newsclean.output.schema import ARTICLE_SCHEMA
from newsclean.pipeline.cli import main
from newsclean.pipeline.demo import DemoSite
from newsclean.pipeline.exitcodes import ExitCode
from tests.support.httpserver import LocalHttpServer, serve
from tests.support.runsite import preserved_logging

REPO = Path(__file__).resolve().parents[1]
SEED = Path(__file__).resolve().parent / "data" / "seed_000_e990719b735ce9f5.txt"
#: the seed's article ends where its comment prompt and ad-blocker notice begin
SEED_TAIL_START = "Leave a Comment"


@pytest.fixture(scope="module")
def site() -> Iterator[DemoSite]:
    with DemoSite(slow_delay=0.1) as running:
        yield running


@pytest.fixture(scope="module")
def server() -> Iterator[LocalHttpServer]:
    with serve() as running:
        yield running


def invoke(*args: str, stdin: str | bytes | None = None) -> Result:
    with preserved_logging():
        result = CliRunner().invoke(main, list(args), obj={}, input=stdin)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def one_error_line(result: Result) -> str:
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: "), result.stderr
    return lines[0]


def squash(text: str) -> str:
    return " ".join(text.split())


def seed_paragraphs() -> list[str]:
    text = SEED.read_text(encoding="utf-8")
    article = text[: text.index(SEED_TAIL_START)]
    return [squash(block) for block in article.split("\n\n") if block.strip()]


# -- clean: exit codes and one-line errors ---------------------------------------------------


def test_clean_seed_text_file_prints_its_paragraphs() -> None:
    result = invoke("clean", str(SEED))
    assert result.exit_code == 0
    assert result.stderr == ""
    printed = [squash(block) for block in result.stdout.split("\n\n") if block.strip()]
    assert printed == seed_paragraphs()
    assert "Ads Blocker" not in result.stdout


def test_clean_prints_the_headline_above_the_text(tmp_path: Path) -> None:
    paragraphs = [
        f"Paragraph {n}: the council approved the new ferry timetable after a long debate "
        "about evening crossings and fares for commuters from the islands."
        for n in range(4)
    ]
    page = tmp_path / "ferry.html"
    page.write_text(
        "<html><head><title>Ferry timetable approved</title></head><body><article>"
        "<h1>Ferry timetable approved</h1>"
        + "".join(f"<p>{p}</p>" for p in paragraphs)
        + "</article></body></html>",
        encoding="utf-8",
    )
    text = invoke("clean", str(page))
    assert text.exit_code == 0
    assert text.stdout.split("\n\n")[:2] == ["Ferry timetable approved", paragraphs[0]]
    # once: the headline is the title, and no longer also the text's first line
    assert text.stdout.count("Ferry timetable approved") == 1
    markdown = invoke("clean", str(page), "--format", "markdown")
    assert markdown.stdout.startswith("# Ferry timetable approved\n\n" + paragraphs[0])


def test_clean_reads_stdin() -> None:
    result = invoke("clean", "-", stdin=SEED.read_bytes())
    assert result.exit_code == 0
    assert squash(result.stdout).startswith(seed_paragraphs()[0])


def test_clean_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    missing = tmp_path / "nope.html"
    result = invoke("clean", str(missing))
    assert result.exit_code == int(ExitCode.USAGE) == 2
    line = one_error_line(result)
    assert str(missing) in line
    assert result.stdout == ""


@pytest.mark.parametrize("spec", ["ftp://example.invalid/a.html", "file:///etc/passwd"])
def test_clean_unsupported_url_is_a_usage_error(spec: str) -> None:
    result = invoke("clean", spec)
    assert result.exit_code == 2
    assert spec in one_error_line(result)


def test_clean_url_that_404s_exits_3(server: LocalHttpServer) -> None:
    url = server.url("/404")
    result = invoke("clean", url)
    assert result.exit_code == int(ExitCode.FETCH_FAILED) == 3
    line = one_error_line(result)
    assert url in line
    assert result.stdout == ""


def test_clean_unreachable_url_exits_3(server: LocalHttpServer) -> None:
    url = server.url("/slow-headers?delay=5")
    result = invoke("clean", url, "--timeout", "0.3")
    assert result.exit_code == 3
    assert "try again later" in one_error_line(result)


def test_clean_page_without_an_article_exits_4(site: DemoSite) -> None:
    url = site.non_article_urls["consent-wall"]
    result = invoke("clean", url)
    assert result.exit_code == int(ExitCode.NOT_ARTICLE) == 4
    line = one_error_line(result)
    assert line.startswith("Error: no article found")
    assert url in line
    assert result.stdout == ""


@pytest.mark.parametrize("kind", ["section", "tag"])
def test_clean_listing_page_exits_4(site: DemoSite, kind: str) -> None:
    result = invoke("clean", site.non_article_urls[kind])
    assert result.exit_code == 4
    assert "page type is listing" in one_error_line(result)


def test_clean_worst_exit_code_wins_and_articles_still_print(site: DemoSite) -> None:
    article = site.articles[0]
    result = invoke("clean", article.url, site.non_article_urls["consent-wall"])
    assert result.exit_code == 4
    assert squash(article.text.split("\n\n")[0]) in squash(result.stdout)
    one_error_line(result)


# -- clean: output formats -------------------------------------------------------------------


def test_clean_json_carries_every_metadata_field(site: DemoSite) -> None:
    article = site.articles[3]
    result = invoke("clean", article.url, "--format", "json")
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    assert set(document) == {f.name for f in fields(Article)} | {"fetch"}
    assert document["title"] == article.title
    assert article.author in document["authors"]
    assert document["language"] == article.language
    assert datetime.fromisoformat(document["published_at"]) == article.published_at
    assert document["page_type"] == "article"
    assert squash(article.text) in squash(document["text"])
    assert isinstance(document["removals"], list) and document["removals"]
    assert set(document["removals"][0]) == {"rule", "category", "level", "text"}
    fetch = document["fetch"]
    assert fetch["final_url"] == article.url
    assert fetch["status"] == 200
    assert fetch["content_type"].startswith("text/html")
    datetime.fromisoformat(fetch["fetched_at"])


def test_clean_json_prints_one_object_per_input_even_a_non_article(site: DemoSite) -> None:
    urls = [site.articles[1].url, site.non_article_urls["consent-wall"]]
    result = invoke("clean", *urls, "--format", "json")
    assert result.exit_code == 4
    documents = [json.loads(line) for line in result.stdout.splitlines()]
    assert [d["fetch"]["final_url"] for d in documents] == urls
    assert [d["page_type"] for d in documents] == ["article", "other"]


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_clean_output_parquet_has_the_declared_schema(
    site: DemoSite, tmp_path: Path, fmt: str
) -> None:
    target = tmp_path / "out" / "articles.parquet"
    target.parent.mkdir()
    articles = site.articles[:2]
    consent = site.non_article_urls["consent-wall"]
    result = invoke(
        "clean", *(a.url for a in articles), consent, "--format", fmt, "--output", str(target)
    )
    assert result.exit_code == 4  # the consent wall
    table = pq.read_table(target)
    assert table.schema.equals(ARTICLE_SCHEMA, check_metadata=True)
    rows = table.to_pylist()
    # articles only, whatever the format printed
    assert [row["url"] for row in rows] == [a.url for a in articles]
    assert [row["title"] for row in rows] == [a.title for a in articles]
    assert all(row["http_status"] == 200 and row["page_type"] == "article" for row in rows)
    assert sorted(path.name for path in target.parent.iterdir()) == ["articles.parquet"]


def test_clean_markdown_keeps_the_title(site: DemoSite) -> None:
    article = site.articles[2]
    result = invoke("clean", article.url, "--format", "markdown")
    assert result.exit_code == 0
    assert result.stdout.startswith(f"# {article.title}")


# -- run: failures the user meets ------------------------------------------------------------


def write_run_config(folder: Path, dataset: str) -> Path:
    (folder / "urls.txt").write_text("http://127.0.0.1:9/a.html\n", encoding="utf-8")
    path = folder / "run.toml"
    path.write_text(
        f'[output]\ndataset = "{dataset}"\n[[sources]]\ntype = "urls"\npath = "urls.txt"\n',
        encoding="utf-8",
    )
    return path


def test_run_into_a_file_exits_5_with_one_error_line(tmp_path: Path) -> None:
    (tmp_path / "taken").write_text("not a folder", encoding="utf-8")
    result = invoke("run", str(write_run_config(tmp_path, "taken")))
    assert result.exit_code == int(ExitCode.RUN_FAILED) == 5
    line = one_error_line(result)
    assert "cannot create the dataset folder" in line
    assert "taken" in line


def test_run_into_a_foreign_folder_exits_5_with_one_error_line(tmp_path: Path) -> None:
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "notes.csv").write_text("a,b\n", encoding="utf-8")
    result = invoke("run", str(write_run_config(tmp_path, "foreign")))
    assert result.exit_code == 5
    line = one_error_line(result)
    assert line.count(f"({foreign})") == 1, line  # where, said once
    assert "notes.csv" in line
    assert (foreign / "notes.csv").read_text(encoding="utf-8") == "a,b\n"
    assert not (foreign / "_newsclean.json").exists()  # not turned into a dataset
    assert not list(foreign.glob("crawl_date=*"))


# -- help and docs stay true -----------------------------------------------------------------


def all_commands() -> list[tuple[str, click.Command]]:
    return [("newsclean", main), *((name, cmd) for name, cmd in sorted(main.commands.items()))]


def examples_in_help(text: str) -> list[str]:
    """The lines of the ``Examples:`` section of a help text."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == "Examples:")
    section: list[str] = []
    for line in lines[start + 1 :]:
        if not line.strip():
            break
        section.append(line.strip())
    return section


def newsclean_invocations(line: str) -> list[list[str]]:
    """Each ``newsclean ...`` command of a shell line, without the program name.

    Pipes, ``&&``, ``;``, comments and ``>`` redirections are understood; ``$(BIN)/newsclean``
    and ``.venv/bin/newsclean`` count as ``newsclean``.
    """
    commands: list[list[str]] = [[]]
    tokens = iter(shlex.split(line, comments=True))
    for token in tokens:
        if token in ("|", "&&", ";", "||"):
            commands.append([])
        elif token in (">", ">>", "2>"):
            next(tokens, None)  # the redirection's target
        else:
            commands[-1].append(token)
    return [words[1:] for words in commands if words and Path(words[0]).name == "newsclean"]


def check_invocation(args: list[str]) -> None:
    """Fail unless ``newsclean <args>`` names a real command with real options and choices."""
    rest = _check_options(main, list(args), stop_at_argument=True)
    if not rest:
        return  # `newsclean --help` and the like
    name, *command_args = rest
    assert name in main.commands, f"no command {name!r} (from: newsclean {' '.join(args)})"
    _check_options(main.commands[name], command_args, stop_at_argument=False)


def _check_options(command: click.Command, args: list[str], stop_at_argument: bool) -> list[str]:
    options = {
        opt: param
        for param in command.get_params(click.Context(command))
        if isinstance(param, click.Option)
        for opt in (*param.opts, *param.secondary_opts)
    }
    while args:
        token = args.pop(0)
        if token == "-" or not token.startswith("-"):
            if stop_at_argument:
                return [token, *args]
            continue
        name, _, inline = token.partition("=")
        assert name in options, f"{command.name}: no option {name!r}"
        param = options[name]
        if param.is_flag or param.count:
            continue
        value = inline or (args.pop(0) if args else "")
        assert value, f"{command.name}: {name} needs a value"
        if isinstance(param.type, click.Choice):
            assert value in param.type.choices, f"{command.name}: {name} {value!r}"
    return []


@pytest.mark.parametrize(("name", "command"), all_commands(), ids=lambda x: str(x)[:20])
def test_every_command_has_help_with_working_examples(name: str, command: click.Command) -> None:
    args = ["--help"] if command is main else [name, "--help"]
    result = invoke(*args)
    assert result.exit_code == 0
    assert "Examples:" in result.stdout
    examples = examples_in_help(result.stdout)
    invocations = [inv for line in examples for inv in newsclean_invocations(line)]
    assert invocations, examples
    for invocation in invocations:
        check_invocation(invocation)
        if command is not main:
            assert invocation[0] == name, f"{name} --help shows an example of {invocation[0]}"
    assert "Exit codes:" in result.stdout


SHELL_FENCES = {"", "sh", "bash", "shell", "console"}


def readme_shell_lines() -> list[str]:
    """Non-blank lines of the README's shell code blocks (fences with no or a shell language)."""
    lines: list[str] = []
    language: str | None = None  # None: outside a fenced block
    for line in (REPO / "README.md").read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            language = line[3:].strip() if language is None else None
        elif language in SHELL_FENCES and line.strip():
            lines.append(line.removeprefix("$ "))
    return lines


def makefile_targets() -> dict[str, list[str]]:
    targets: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in (REPO / "Makefile").read_text(encoding="utf-8").splitlines():
        match = re.match(r"^([A-Za-z][\w-]*):", line)
        if match:
            current = targets.setdefault(match.group(1), [])
        elif line.startswith("\t") and current is not None:
            current.append(line.strip())
        else:
            current = None  # a recipe ends at the first line that is not indented
    return targets


def test_readme_commands_are_real() -> None:
    lines = readme_shell_lines()
    targets = makefile_targets()
    checked_newsclean = 0
    checked_make = 0
    for line in lines:
        words = shlex.split(line, comments=True)
        if words and words[0] == "make":
            for target in words[1:]:
                assert target in targets, f"README runs `make {target}`: no such target"
                checked_make += 1
        for invocation in newsclean_invocations(line):
            check_invocation(invocation)
            checked_newsclean += 1
    assert checked_make >= 2  # make demo, make test
    assert checked_newsclean >= 5


def test_make_demo_and_make_test_run_what_the_readme_says() -> None:
    targets = makefile_targets()
    (demo,) = [line for line in targets["demo"] if "newsclean" in line]
    (invocation,) = newsclean_invocations(demo.replace("$(BIN)/newsclean", "newsclean"))
    assert invocation[0] == "demo"
    check_invocation(invocation)
    assert any(re.search(r"-m pytest\b", line) for line in targets["test"])


def test_the_checker_itself_refuses_what_does_not_exist() -> None:
    for bad in (["crawl", "x"], ["clean", "--fromat", "json"], ["clean", "--format", "xml"]):
        with pytest.raises(AssertionError):
            check_invocation(bad)
    check_invocation(["clean", "a.html", "--format", "json", "--explain"])
    check_invocation(["--debug", "run", "sources.toml", "--log-format=json"])


def test_readme_exit_code_table_matches_the_code() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    documented = {int(code) for code in re.findall(r"^\| (\d+) \|", readme, flags=re.M)}
    assert documented == {int(code) for code in ExitCode}
    help_text = invoke("--help").stdout
    for code in ExitCode:
        assert re.search(rf"^\s*{int(code)}\s+{code.name}$", help_text, flags=re.M), code


# -- demo ------------------------------------------------------------------------------------


def test_demo_runs_the_real_batch_path_and_says_where_the_data_is(tmp_path: Path) -> None:
    output = tmp_path / "demo-output"
    result = invoke("demo", "--output", str(output), "--no-progress")
    # the failing URL makes the run PARTIAL, which is the demo's normal outcome: exit 0
    assert result.exit_code == 0, result.output
    assert "demo site: http://127.0.0.1:" in result.stdout
    assert "exit 1 (PARTIAL)" in result.stdout
    assert str(output / "dataset") in result.stdout
    config = output / "demo.toml"
    assert "allow_private_addresses = true" in config.read_text(encoding="utf-8")
    rows = pq.ParquetDataset(output / "dataset").read().num_rows
    assert rows >= 51  # every article of the bundled site
