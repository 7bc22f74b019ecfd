"""Every failure a user can cause or meet: ONE line, the documented exit code, nothing touched.

Each case runs the real CLI and checks three things:

* stderr is exactly one line, ``Error: <what> (<where>): <what to do>``, naming the place;
* the exit code is the one docs/errors.md (and the README's table) gives;
* the dataset is byte for byte what it was before (a snapshot of every file and folder),
  unless the case is one the run recovers from by design (a corrupt state, a corrupt file).

Tracebacks appear only with ``--debug`` (checked in real subprocesses). Config mistakes
already covered by tests/test_config.py (unknown keys, wrong types, bad durations and
regexes, TOML syntax, a missing file) are not repeated here. The full-disk cases live in
tests/test_disk_full.py. docs/errors.md is held to these tests by the last test below.

Tests run as root in CI, where permission bits do not stop anything: a case that needs them
is skipped as root, and has a twin that works as root (a path through a regular file, a
read-only filesystem).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner, Result

from newsclean.pipeline.cli import main
from newsclean.pipeline.exitcodes import ExitCode
from newsclean.pipeline.state import RunState
from tests.support.runsite import (
    ArticleFarm,
    article_farm,
    dataset_keys,
    newsclean_command,
    preserved_logging,
    run_config,
    write_config,
)
from tests.test_disk_full import mounted_tmpfs, remount_read_only, snapshot

REPO = Path(__file__).resolve().parents[1]
ERRORS_DOC = REPO / "docs" / "errors.md"
COUNT = 12
BATCH = 4
MARKER = re.compile(r"Dispatch number (\d{4}) was filed")


def permission_bits_hold() -> bool:
    """Does a file without read permission stay unreadable to this process?

    Not for root (CAP_DAC_OVERRIDE), which is how CI runs; a probe rather than a uid check,
    so the tests also run as root with that capability dropped.
    """
    with tempfile.TemporaryDirectory() as folder:
        probe = Path(folder) / "probe"
        probe.write_bytes(b"x")
        probe.chmod(0)
        try:
            probe.read_bytes()
        except PermissionError:
            return True
        return False


NEEDS_PERMISSIONS = pytest.mark.skipif(
    not permission_bits_hold(),
    reason="permission bits do not bind this process (root): the twin test without them "
    "covers the case",
)


# -- fixtures and helpers ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def farm() -> Iterator[ArticleFarm]:
    with article_farm(COUNT) as running:
        yield running


@pytest.fixture(scope="module")
def template(farm: ArticleFarm, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project folder: ``farm.toml`` and the dataset its first run wrote (3 files)."""
    folder = tmp_path_factory.mktemp("template")
    config = farm_config(folder, farm)
    summary = run_config(config)
    assert summary.rows_written == COUNT and summary.files_written == COUNT // BATCH
    return folder


def farm_config(folder: Path, farm: ArticleFarm) -> Path:
    return write_config(
        folder / "farm.toml",
        sources=[{"type": "sitemap", "name": "farm", "url": farm.sitemap_url}],
        run={"commit_every": BATCH},
    )


@pytest.fixture
def project(template: Path, tmp_path: Path) -> Path:
    """A fresh copy of the template project: ``project/farm.toml``, ``project/dataset``."""
    folder = tmp_path / "project"
    shutil.copytree(template, folder)
    return folder


def invoke(*args: str) -> Result:
    with preserved_logging():
        result = CliRunner().invoke(main, list(args), obj={})
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def assert_error_line(result: Result, code: ExitCode, where: Path | str) -> str:
    """stderr is one ``Error: <what> (<where>): <what to do>`` line; the exit code is ``code``."""
    assert result.exit_code == int(code), result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    line = lines[0]
    assert line.startswith("Error: "), line
    assert "Traceback" not in result.output
    what, _, todo = line.removeprefix("Error: ").partition(f" ({where}): ")
    assert what and todo, f"no '({where}): <what to do>' in: {line}"
    return line


def write_text(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# -- bad configs (the kinds tests/test_config.py does not cover) -------------------------------

OUTPUT = '[output]\ndataset = "dataset"\n'
SITEMAP = '[[sources]]\ntype = "sitemap"\nurl = "http://127.0.0.1:9/sitemap.xml"\n'

#: (id, config text, where the error points, text the line must contain)
BAD_CONFIGS = [
    (
        "feed-url-not-a-url",
        OUTPUT + '[[sources]]\ntype = "feed"\nurl = "not a url"\n',
        "not a url",
        "sources[0].url",
    ),
    (
        "sitemap-url-not-http",
        OUTPUT + '[[sources]]\ntype = "sitemap"\nurl = "ftp://x/sitemap.xml"\n',
        "ftp://x/sitemap.xml",
        "sources[0].url",
    ),
    (
        "robots-url-without-host",
        OUTPUT + SITEMAP + '[[sources]]\ntype = "robots"\nurl = "http://"\n',
        "http://",
        "sources[1].url",
    ),
    (
        "url-list-is-a-directory",
        OUTPUT + '[[sources]]\ntype = "urls"\npath = "lists"\n',
        "{project}/lists",
        "sources[0].path",
    ),
    (
        "warc-paths-match-nothing",
        OUTPUT + '[[sources]]\ntype = "warc"\npaths = ["archives/*.warc.gz"]\n',
        "{project}/archives/*.warc.gz",
        "sources[0].paths",
    ),
    (
        "sources-as-one-table",
        OUTPUT + '[sources]\ntype = "sitemap"\nurl = "http://127.0.0.1:9/s.xml"\n',
        "{config}",
        "sources: ",
    ),
    ("key-given-twice", OUTPUT + 'dataset = "other"\n' + SITEMAP, "{config}", "invalid TOML"),
]


@pytest.mark.parametrize(
    ("text", "where", "names"),
    [pytest.param(text, where, names, id=name) for name, text, where, names in BAD_CONFIGS],
)
def test_bad_config_exits_2_names_the_key_and_touches_nothing(
    project: Path, text: str, where: str, names: str
) -> None:
    (project / "lists").mkdir()
    config = write_text(project / "bad.toml", text)
    before = snapshot(project / "dataset")
    result = invoke("run", str(config))
    line = assert_error_line(result, ExitCode.USAGE, where.format(project=project, config=config))
    assert names in line
    assert result.stdout == ""
    assert snapshot(project / "dataset") == before


def test_config_behind_a_regular_file_cannot_be_read(project: Path) -> None:
    config = project / "farm.toml" / "sources.toml"  # a path through a file: ENOTDIR
    result = invoke("run", str(config))
    assert "cannot read config" in assert_error_line(result, ExitCode.USAGE, config)


@NEEDS_PERMISSIONS
def test_config_without_read_permission(project: Path) -> None:
    config = project / "farm.toml"
    config.chmod(0o200)
    result = invoke("run", str(config))
    line = assert_error_line(result, ExitCode.USAGE, config)
    assert "Permission denied" in line


# -- an output folder that cannot be written ----------------------------------------------------


def test_dataset_behind_a_regular_file_exits_5(project: Path, farm: ArticleFarm) -> None:
    config = write_config(
        project / "elsewhere.toml",
        sources=[{"type": "sitemap", "url": farm.sitemap_url}],
        dataset="farm.toml/dataset",
    )
    result = invoke("run", str(config))
    line = assert_error_line(result, ExitCode.RUN_FAILED, project / "farm.toml" / "dataset")
    assert "cannot create the dataset folder" in line


@NEEDS_PERMISSIONS
def test_dataset_in_a_read_only_folder_exits_5(project: Path, farm: ArticleFarm) -> None:
    locked = project / "locked"
    locked.mkdir(mode=0o500)
    config = write_config(
        project / "locked.toml",
        sources=[{"type": "sitemap", "url": farm.sitemap_url}],
        dataset="locked/dataset",
    )
    result = invoke("run", str(config))
    line = assert_error_line(result, ExitCode.RUN_FAILED, locked / "dataset")
    assert "Permission denied" in line
    assert list(locked.iterdir()) == []


def test_dataset_on_a_read_only_filesystem_exits_5_untouched(
    template: Path, tmp_path: Path
) -> None:
    with mounted_tmpfs(tmp_path / "ro", "8m") as disk:
        shutil.copytree(template, disk / "project")
        remount_read_only(disk)
        dataset = disk / "project" / "dataset"
        before = snapshot(dataset)
        result = invoke("run", str(disk / "project" / "farm.toml"))
        line = assert_error_line(result, ExitCode.RUN_FAILED, dataset / "_state" / "run.lock")
        assert "Read-only file system" in line
        assert snapshot(dataset) == before


# -- `newsclean clean`: URLs and files that cannot be read --------------------------------------


@pytest.mark.parametrize("spec", ["ftp://x", "http://", "not a url"])
def test_clean_invalid_url_exits_2(spec: str) -> None:
    result = invoke("clean", spec)
    assert_error_line(result, ExitCode.USAGE, spec)
    assert result.stdout == ""


def test_clean_a_directory_exits_2(tmp_path: Path) -> None:
    line = assert_error_line(invoke("clean", str(tmp_path)), ExitCode.USAGE, tmp_path)
    assert "is a directory" in line


def test_clean_a_path_through_a_regular_file_exits_2(tmp_path: Path) -> None:
    page = write_text(tmp_path / "page.html", "<p>hello</p>") / "inner.html"
    line = assert_error_line(invoke("clean", str(page)), ExitCode.USAGE, page)
    assert "Not a directory" in line


@NEEDS_PERMISSIONS
def test_clean_a_file_without_read_permission_exits_2(tmp_path: Path) -> None:
    page = write_text(tmp_path / "page.html", "<p>hello</p>")
    page.chmod(0o200)
    line = assert_error_line(invoke("clean", str(page)), ExitCode.USAGE, page)
    assert "Permission denied" in line


def test_clean_output_that_cannot_be_written_exits_5_after_printing(
    farm: ArticleFarm, tmp_path: Path
) -> None:
    blocker = write_text(tmp_path / "blocker", "a file, not a folder")
    target = blocker / "articles.parquet"
    url = farm.url(farm.articles[0])
    result = invoke("clean", url, "--output", str(target))
    line = assert_error_line(result, ExitCode.RUN_FAILED, target)
    assert "cannot write: Not a directory" in line
    assert farm.articles[0].marker in result.stdout  # the article was printed first
    assert blocker.read_text(encoding="utf-8") == "a file, not a folder"


# -- a dataset this newsclean must not write ----------------------------------------------------


def test_dataset_of_a_newer_schema_is_refused_by_run_and_compact(project: Path) -> None:
    dataset = project / "dataset"
    marker_path = dataset / "_newsclean.json"
    marker = json.loads(marker_path.read_text(encoding="utf-8"))
    marker["schema_version"] = 999
    marker_path.write_text(json.dumps(marker), encoding="utf-8")
    before = snapshot(dataset)
    for args in (("run", str(project / "farm.toml")), ("compact", str(dataset))):
        line = assert_error_line(invoke(*args), ExitCode.RUN_FAILED, dataset)
        assert "schema version 999" in line
        assert "upgrade newsclean" in line
    assert snapshot(dataset) == before


def test_tracebacks_only_with_debug(project: Path) -> None:
    dataset = project / "dataset"
    marker_path = dataset / "_newsclean.json"
    marker_path.write_text(
        marker_path.read_text(encoding="utf-8").replace(
            '"schema_version": 1', '"schema_version": 999'
        ),
        encoding="utf-8",
    )
    config = str(project / "farm.toml")
    # real interpreters (not CliRunner), side by side: what a terminal would show
    plain, debug = (
        subprocess.Popen(
            newsclean_command(*flags, "run", config, "--no-progress"),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for flags in ([], ["--debug"])
    )
    plain_err, debug_err = plain.communicate(timeout=60)[1], debug.communicate(timeout=60)[1]
    assert plain.returncode == int(ExitCode.RUN_FAILED)
    assert plain_err.splitlines() == [
        f"Error: dataset written with schema version 999, this newsclean writes 1 "
        f"({dataset}): upgrade newsclean (pip install -U newsclean) or write to another "
        "directory"
    ]
    assert debug.returncode != 0
    assert "Traceback (most recent call last)" in debug_err
    assert "DatasetVersionError" in debug_err  # the cause, not only the one line


# -- a damaged state or data file ----------------------------------------------------------------


def data_files(dataset: Path) -> dict[str, bytes | None]:
    return {
        name: data for name, data in snapshot(dataset).items() if name.startswith("crawl_date=")
    }


def test_corrupt_state_is_rebuilt_from_the_dataset_with_one_warning(project: Path) -> None:
    dataset = project / "dataset"
    state_file = dataset / "_state" / "state.sqlite3"
    state_file.write_bytes(b"this is not an SQLite database" * 100)
    before = data_files(dataset)
    result = invoke("run", str(project / "farm.toml"), "--no-progress")
    assert result.exit_code == int(ExitCode.OK), result.output
    (line,) = result.stderr.splitlines()
    moved = re.fullmatch(
        rf"WARNING newsclean\.pipeline\.state: run state {re.escape(str(state_file))} was "
        r"corrupt; moved to (\S+), starting empty",
        line,
    )
    assert moved is not None, line
    assert Path(moved[1]).read_bytes() == b"this is not an SQLite database" * 100
    assert data_files(dataset) == before  # rebuilt from the files: nothing written again
    with RunState.for_dataset(dataset) as state:
        assert state.version_count() == COUNT


def corrupt(path: Path, how: str) -> None:
    data = path.read_bytes()
    if how == "garbage":
        path.write_bytes(b"\x00garbage" * (len(data) // 8))
    elif how == "truncated":
        path.write_bytes(data[: len(data) // 2])
    else:  # torn first page: the footer is intact, the first column chunk is not
        path.write_bytes(data[:8] + bytes(200) + data[208:])


@pytest.mark.parametrize("how", ["garbage", "truncated", "torn-page"])
def test_corrupt_data_file_is_reported_kept_and_its_articles_refetched(
    project: Path, how: str
) -> None:
    dataset = project / "dataset"
    first, *others = sorted(dataset.glob("crawl_date=*/*.parquet"))
    corrupt(first, how)
    damaged = first.read_bytes()
    untouched = {path: path.read_bytes() for path in others}
    # the state is lost too: the run has to read every file to rebuild it
    shutil.rmtree(dataset / "_state")

    result = invoke("run", str(project / "farm.toml"), "--no-progress", "--log-format", "json")
    assert result.exit_code == int(ExitCode.PARTIAL), result.output
    records = [json.loads(line) for line in result.stderr.splitlines()]
    (warning,) = [r for r in records if r["level"] in ("warning", "error", "critical")]
    assert warning["logger"] == "newsclean.run"
    assert warning["message"].startswith(
        "corrupt data file left in place, not read: not a readable Parquet file: "
    )
    assert warning["message"].endswith(
        f"({first}): move the file out of the dataset and rerun to refetch its articles"
    )
    summary = json.loads(result.stdout)
    assert {"stage": "dataset", "reason": "corrupt-file", "count": 1} in summary["skipped"]
    assert summary["rows_written"] == BATCH  # only the articles the corrupt file held

    assert first.read_bytes() == damaged  # reported, never deleted
    assert all(path.read_bytes() == data for path, data in untouched.items())
    readable = [p for p in dataset.glob("crawl_date=*/*.parquet") if p != first]
    markers = [
        int(MARKER.findall(text)[0])
        for path in readable
        for text in pq.read_table(path).column("text").to_pylist()
    ]
    assert sorted(markers) == list(range(COUNT))

    # once the user moves it out, the dataset reads back whole and nothing is fetched again
    first.rename(project / first.name)
    rerun = invoke("run", str(project / "farm.toml"), "--no-progress", "--log-format", "json")
    assert rerun.exit_code == int(ExitCode.OK), rerun.output
    assert json.loads(rerun.stdout)["rows_written"] == 0
    assert set(dataset_keys(dataset).values()) == {1}
    assert sum(dataset_keys(dataset).values()) == COUNT


def test_compaction_reports_a_corrupt_file_and_changes_nothing(project: Path) -> None:
    dataset = project / "dataset"
    first = sorted(dataset.glob("crawl_date=*/*.parquet"))[0]
    corrupt(first, "garbage")
    before = snapshot(dataset)
    result = invoke("compact", str(dataset))
    line = assert_error_line(result, ExitCode.RUN_FAILED, first)
    assert "not a readable Parquet file" in line
    assert "move the file out of the dataset" in line
    assert snapshot(dataset) == before


# -- docs/errors.md stays true -------------------------------------------------------------------


def test_errors_doc_names_real_tests_and_real_exit_codes() -> None:
    text = ERRORS_DOC.read_text(encoding="utf-8")
    rows = [line for line in text.splitlines() if line.startswith("| ") and "`tests/" in line]
    assert len(rows) >= 15
    codes = {int(code) for code in ExitCode}
    for row in rows:
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        assert cells[2] == "killed" or int(cells[2]) in codes, row
        for module, test in re.findall(r"`(tests/[\w/]+\.py)::(\w+)", row):
            source = (REPO / module).read_text(encoding="utf-8")
            assert re.search(rf"^def {test}\(", source, flags=re.M), f"{module}::{test}"
