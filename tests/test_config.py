"""The run config: every mistake is named by its key, nothing in it runs, paths are anchored.

Each bad config is also run through ``newsclean run``: exit code 2 and ONE line on stderr
that starts with ``Error:`` (no traceback).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from newsclean.pipeline.cli import main
from newsclean.pipeline.config import (
    FeedConfig,
    RobotsConfig,
    SitemapConfig,
    UrlListConfig,
    check_url_lists,
    load_config,
    parse_duration,
)
from newsclean.pipeline.errors import ConfigError
from newsclean.pipeline.exitcodes import ExitCode

VALID = """\
[output]
dataset = "news"

[[sources]]
type = "feed"
url = "http://127.0.0.1:9/feed.xml"
"""

FEED_SOURCE = '[[sources]]\ntype = "feed"\nurl = "http://127.0.0.1:9/feed.xml"\n'
OUTPUT = '[output]\ndataset = "news"\n'

#: (test id, config text, text the error must contain: the key it names)
BAD_CONFIGS = [
    ("unknown-key", OUTPUT + "[fetch]\nconcurency = 4\n" + FEED_SOURCE, "fetch.concurency"),
    ("unknown-table", OUTPUT + "[fetcher]\ntimeout = 4\n" + FEED_SOURCE, "fetcher"),
    (
        "unknown-source-key",
        OUTPUT + FEED_SOURCE + 'max_agee = "2d"\n',
        "sources[0].max_agee",
    ),
    ("wrong-type", OUTPUT + '[fetch]\nconcurrency = "many"\n' + FEED_SOURCE, "fetch.concurrency"),
    ("out-of-range", OUTPUT + "[fetch]\nconcurrency = 0\n" + FEED_SOURCE, "fetch.concurrency"),
    (
        "wrong-type-bool",
        OUTPUT + '[fetch]\nobey_robots = "sometimes"\n' + FEED_SOURCE,
        "obey_robots",
    ),
    (
        "bad-duration-run",
        OUTPUT + '[run]\nrefetch_after = "2 days"\n' + FEED_SOURCE,
        "run.refetch_after",
    ),
    ("bad-duration-source", OUTPUT + FEED_SOURCE + 'max_age = "soon"\n', "sources[0].max_age"),
    ("bad-regex", OUTPUT + FEED_SOURCE + 'include = ["/news/(" ]\n', "sources[0].include"),
    (
        "bad-regex-second-source",
        OUTPUT + FEED_SOURCE + FEED_SOURCE + 'exclude = ["[a-"]\n',
        "sources[1].exclude",
    ),
    ("missing-output", FEED_SOURCE, "output"),
    ("missing-dataset", "[output]\nmin_words = 3\n" + FEED_SOURCE, "output.dataset"),
    ("no-sources", OUTPUT, "sources"),
    ("empty-sources", "sources = []\n" + OUTPUT, "sources"),
    (
        "unknown-source-type",
        OUTPUT + '[[sources]]\ntype = "warc"\nurl = "x"\n',
        "sources[0]",
    ),
    ("source-missing-url", OUTPUT + '[[sources]]\ntype = "sitemap"\n', "sources[0].url"),
    ("bad-commit-every", OUTPUT + "[run]\ncommit_every = 0\n" + FEED_SOURCE, "run.commit_every"),
]


def write(tmp_path: Path, text: str, name: str = "sources.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def assert_one_error_line(stderr: str) -> str:
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("Error: "), stderr
    assert "Traceback" not in stderr
    return lines[0]


def run_cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), obj={})
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


# -- what a valid config gives ---------------------------------------------------------------


def test_valid_config_loads_with_defaults(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, VALID))
    assert config.output.dataset == tmp_path / "news"
    assert config.output.min_words == 30
    assert config.fetch.per_host_delay == 1.0
    assert config.fetch.obey_robots is True
    assert config.fetch.allow_private_addresses is False
    assert config.run.refetch_after is None
    assert config.run.commit_every == 500
    assert config.sources == (FeedConfig(type="feed", url="http://127.0.0.1:9/feed.xml"),)


def test_every_source_type_and_every_duration_unit(tmp_path: Path) -> None:
    text = (
        OUTPUT
        + '[run]\nrefetch_after = "12h"\ncommit_every = 7\n'
        + '[[sources]]\ntype = "urls"\npath = "urls.txt"\nmax_age = "90m"\n'
        + '[[sources]]\ntype = "feed"\nurl = "https://a.example/feed"\nmax_age = "2d"\n'
        + '[[sources]]\ntype = "sitemap"\nurl = "https://a.example/sm.xml"\nmax_age = "1w"\n'
        + '[[sources]]\ntype = "robots"\nurl = "https://a.example"\nmax_age = 30\n'
    )
    config = load_config(write(tmp_path, text))
    assert config.run.refetch_after == timedelta(hours=12)
    assert config.run.commit_every == 7
    kinds = [type(source) for source in config.sources]
    assert kinds == [UrlListConfig, FeedConfig, SitemapConfig, RobotsConfig]
    ages = [source.max_age for source in config.sources]
    assert ages == [
        timedelta(minutes=90),
        timedelta(days=2),
        timedelta(weeks=1),
        timedelta(seconds=30),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("90m", timedelta(minutes=90)),
        (" 1.5h ", timedelta(minutes=90)),
        (45, timedelta(seconds=45)),
    ],
)
def test_parse_duration(text: str | int, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", ["", "2", "2 days", "1y", "-1d", "d"])
def test_parse_duration_refuses(text: str) -> None:
    with pytest.raises(ValueError, match="not a duration"):
        parse_duration(text)


# -- every error names the bad key -----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "key"), [pytest.param(text, key, id=name) for name, text, key in BAD_CONFIGS]
)
def test_error_names_the_bad_key(tmp_path: Path, text: str, key: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    line = caught.value.one_line()
    assert line.startswith("Error: invalid config: ")
    assert key in line
    assert str(path) in line
    assert "\n" not in line


@pytest.mark.parametrize(
    ("text", "key"), [pytest.param(text, key, id=name) for name, text, key in BAD_CONFIGS]
)
def test_cli_run_with_bad_config_exits_2_with_one_error_line(
    tmp_path: Path, text: str, key: str
) -> None:
    path = write(tmp_path, text)
    code, stdout, stderr = run_cli("run", str(path))
    assert code == int(ExitCode.USAGE) == 2
    assert key in assert_one_error_line(stderr)
    assert stdout == ""
    assert not (tmp_path / "news").exists()  # nothing was done


def test_toml_syntax_error_names_the_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, OUTPUT + "[fetch\ntimeout = 3\n" + FEED_SOURCE)
    with pytest.raises(ConfigError, match="invalid TOML") as caught:
        load_config(path)
    assert "line 3" in str(caught.value)
    code, _, stderr = run_cli("run", str(path))
    assert code == 2
    line = assert_one_error_line(stderr)
    assert "invalid TOML" in line
    assert str(path) in line


def test_missing_config_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.toml"
    with pytest.raises(ConfigError, match="config file not found"):
        load_config(path)
    code, _, stderr = run_cli("run", str(path))
    assert code == 2
    line = assert_one_error_line(stderr)
    assert "not found" in line
    assert str(path) in line


def test_config_that_is_a_directory_or_not_utf8(tmp_path: Path) -> None:
    binary = tmp_path / "binary.toml"
    binary.write_bytes(b"\xff\xfe[output]\n")
    for path in (tmp_path, binary):
        code, _, stderr = run_cli("run", str(path))
        assert code == 2
        assert str(path) in assert_one_error_line(stderr)


def test_too_many_problems_still_make_one_line(tmp_path: Path) -> None:
    keys = "\n".join(f"bogus_{n} = 1" for n in range(12))
    path = write(tmp_path, OUTPUT + "[fetch]\n" + keys + "\n" + FEED_SOURCE)
    code, _, stderr = run_cli("run", str(path))
    assert code == 2
    line = assert_one_error_line(stderr)
    assert "fetch.bogus_0" in line


# -- loading never executes code -------------------------------------------------------------


def test_loading_never_executes_code(tmp_path: Path) -> None:
    canary = tmp_path / "canary"
    code = f"__import__('pathlib').Path({str(canary)!r}).touch()"
    text = (
        OUTPUT
        + f'[fetch]\nuser_agent = "{code}"\n'
        + f'[[sources]]\ntype = "urls"\npath = "{code}.py"\nname = "{code}"\n'
        + f'include = ["{code.replace("(", "[(]").replace(")", "[)]")}"]\n'
    )
    # a module of that name next to the config: importing it would also trip the canary
    (tmp_path / "sitecustomize_canary.py").write_text(f"{code}\n", encoding="utf-8")
    config = load_config(write(tmp_path, text))
    assert config.fetch.user_agent == code
    source = config.sources[0]
    assert isinstance(source, UrlListConfig)
    assert source.name == code
    assert source.path == tmp_path / f"{code}.py"
    assert not canary.exists()


# -- relative paths are anchored at the config's folder --------------------------------------


def test_relative_paths_resolve_against_the_config_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "project" / "conf"
    folder.mkdir(parents=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    absolute = tmp_path / "abs" / "urls.txt"
    text = (
        '[output]\ndataset = "../data/news"\n'
        + '[[sources]]\ntype = "urls"\npath = "lists/urls.txt"\n'
        + f'[[sources]]\ntype = "urls"\npath = "{absolute}"\n'
        + FEED_SOURCE
    )
    path = write(folder, text)
    monkeypatch.chdir(elsewhere)
    config = load_config(Path("..") / "project" / "conf" / "sources.toml")
    assert config.output.dataset.resolve() == (tmp_path / "project" / "data" / "news")
    first, second, feed = config.sources
    assert isinstance(first, UrlListConfig)
    assert isinstance(second, UrlListConfig)
    assert first.path.resolve() == folder / "lists" / "urls.txt"
    assert second.path == absolute
    assert isinstance(feed, FeedConfig)
    assert feed.url == "http://127.0.0.1:9/feed.xml"  # URLs are not paths
    # the same file loaded by its absolute path gives the same places
    again = load_config(path)
    assert again.output.dataset.resolve() == config.output.dataset.resolve()


def test_absolute_dataset_path_is_kept(tmp_path: Path) -> None:
    target = tmp_path / "somewhere" / "ds"
    config = load_config(write(tmp_path, f'[output]\ndataset = "{target}"\n' + FEED_SOURCE))
    assert config.output.dataset == target


# -- the documented configs are valid ---------------------------------------------------------

REPO = Path(__file__).resolve().parents[1]


def readme_toml_blocks() -> list[str]:
    blocks: list[str] = []
    current: list[str] | None = None
    for line in (REPO / "README.md").read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            if current is not None:
                blocks.append("\n".join(current) + "\n")
                current = None
            elif line[3:].strip() == "toml":
                current = []
        elif current is not None:
            current.append(line)
    return blocks


def test_readme_config_example_is_valid(tmp_path: Path) -> None:
    (block,) = readme_toml_blocks()
    config = load_config(write(tmp_path, block))
    assert config.output.dataset == tmp_path / "news-dataset"
    assert [source.type for source in config.sources] == ["feed", "sitemap", "robots", "urls"]
    assert config.run.refetch_after == timedelta(days=1)


def test_example_config_is_valid() -> None:
    path = REPO / "examples" / "sources.toml"
    config = load_config(path)
    assert config.output.dataset == path.parent / ".." / "news-dataset"
    assert config.sources


def test_readme_error_example_is_what_the_user_sees(tmp_path: Path) -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    example = (
        "Error: invalid config: sources[1].url: Field required (sources.toml): fix the key named"
    )
    assert example in readme
    path = write(tmp_path, OUTPUT + FEED_SOURCE + '[[sources]]\ntype = "sitemap"\n')
    code, _, stderr = run_cli("run", str(path))
    assert code == 2
    line = assert_one_error_line(stderr)
    assert line == example.replace("(sources.toml)", f"({path})")


def test_a_missing_url_list_file_is_named_with_its_key(tmp_path: Path) -> None:
    text = OUTPUT + '[[sources]]\ntype = "feed"\nurl = "https://a.example/f"\n'
    text += '[[sources]]\ntype = "urls"\npath = "missing.txt"\n'
    config = load_config(write(tmp_path, text))  # parsing alone does not look at files
    with pytest.raises(ConfigError) as caught:
        check_url_lists(config)
    assert caught.value.exit_code == ExitCode.USAGE
    assert "sources[1].path: no such file" in caught.value.one_line()
    assert str(tmp_path / "missing.txt") in caught.value.one_line()
