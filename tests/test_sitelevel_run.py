"""Site-level template removal in ``newsclean run``: a local site with a template in its pages.

Every page of the site carries the same two "about us" lines inside its article body (no
page-level rule knows them), a sentence only it has but for one number, and a story. A few
pages share a quotation. Runs go through the real config file, HTTP server and state.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from html import escape
from pathlib import Path

import pytest

from newsclean.pipeline.demo.stories import load_stories
from newsclean.pipeline.state import RunState, state_path
from tests.support.httpserver import LocalHttpServer
from tests.support.runsite import dataset_keys, dataset_rows, run_config, static_site, write_config

TEMPLATE = (
    "The Harbour Courier is an independent newspaper that has served the coast since 1887.",
    "Our reporters are members of the coastal press guild and follow its code of practice.",
)
#: on pages 0, 1 and 6 to 11 only: 2 of the first 6 pages, 8 of 12 once all are published
LATE_TEMPLATE = "Readers can reach the harbour desk through the contact page of this website."
LATE_PAGES = frozenset({0, 1, *range(6, 12)})
QUOTE = '"We will not close the port while I am mayor," Mayor Ines Duarte told reporters.'
QUOTE_PAGES = frozenset({1, 2, 4, 5})  # on at least half of the first 6 pages: still kept


def numbered_sentence(index: int) -> str:
    """Differs from page to page only in its numbers."""
    return (
        f"The port authority said {120 + index} vessels called at the harbour in week "
        f"{index + 10}, up {index + 2} percent on the same week last year."
    )


def page_lines(index: int) -> list[str]:
    story = load_stories()[index]
    lines = [story.paragraphs[0], numbered_sentence(index), *story.paragraphs[1:3]]
    if index in QUOTE_PAGES:
        lines.insert(2, QUOTE)
    lines += list(TEMPLATE)
    if index in LATE_PAGES:
        lines.append(LATE_TEMPLATE)
    return lines


def page_html(index: int) -> bytes:
    title = escape(load_stories()[index].title)
    body = "".join(f"<p>{escape(line)}</p>" for line in page_lines(index))
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{title}</title><meta property='og:type' content='article'></head>"
        f"<body><main><article><h1>{title}</h1>{body}</article></main></body></html>"
    ).encode()


@pytest.fixture
def site() -> Iterator[LocalHttpServer]:
    with static_site({f"/news/{index}.html": page_html(index) for index in range(12)}) as server:
        yield server


def publish(folder: Path, server: LocalHttpServer, count: int) -> Path:
    listing = folder / "urls.txt"
    listing.write_text(
        "".join(server.url(f"/news/{i}.html") + "\n" for i in range(count)), encoding="utf-8"
    )
    return listing


def configure(folder: Path, **run: str | int | bool) -> Path:
    """A config listing ``urls.txt``; commits of 10 rows unless ``run`` says otherwise."""
    return write_config(
        folder / "site.toml",
        sources=[{"type": "urls", "path": "urls.txt"}],
        run={"commit_every": 10, **run},
    )


def texts_by_page(dataset: Path) -> dict[int, list[str]]:
    """Row texts, by the page they came from (read off the URL, not from ids)."""
    rows = dataset_rows(dataset).select(["url", "text"]).to_pylist()
    found: dict[int, list[str]] = {}
    for row in rows:
        index = int(row["url"].rsplit("/", 1)[1].removesuffix(".html"))
        found.setdefault(index, []).append(row["text"])
    return found


def site_removals(dataset: Path) -> Counter[tuple[str, str, str]]:
    rows = dataset_rows(dataset).select(["removals"]).to_pylist()
    return Counter(
        (removal["rule"], removal["level"], removal["text"])
        for row in rows
        for removal in row["removals"]
        if removal["level"] == "site"
    )


def assert_lines(text: str, present: Sequence[str], absent: Sequence[str]) -> None:
    for line in present:
        assert line in text
    for line in absent:
        assert line not in text


def test_template_lines_are_removed_and_real_sentences_kept(
    site: LocalHttpServer, tmp_path: Path
) -> None:
    publish(tmp_path, site, 6)
    summary = run_config(configure(tmp_path))
    dataset = tmp_path / "dataset"

    assert summary.rows_written == 6
    texts = texts_by_page(dataset)
    assert sorted(texts) == list(range(6))
    for index, (text,) in texts.items():
        # held back until the site had 5 pages: the first pages lost the template too
        assert_lines(text, [numbered_sentence(index)], TEMPLATE)
        assert (QUOTE in text) == (index in QUOTE_PAGES)
        # on 2 of 6 pages: too rare to be template yet
        assert (LATE_TEMPLATE in text) == (index in LATE_PAGES)
    removed = site_removals(dataset)
    assert removed == Counter({("site.repeated", "site", line): 6 for line in TEMPLATE})


def test_reruns_add_no_versions_when_the_profile_grows(
    site: LocalHttpServer, tmp_path: Path
) -> None:
    publish(tmp_path, site, 6)
    config = configure(tmp_path, refetch_after="1d")
    dataset = tmp_path / "dataset"
    first = run_config(config)
    publish(tmp_path, site, 12)
    second = run_config(config, days_later=2)  # every first-run page is fetched again
    third = run_config(config, days_later=4)

    assert (first.rows_written, second.rows_written, third.rows_written) == (6, 6, 0)
    assert second.skipped[("dedup", "unchanged")] == 6
    assert third.skipped[("dedup", "unchanged")] == 12
    assert set(dataset_keys(dataset).values()) == {1}
    texts = texts_by_page(dataset)
    assert {index: len(found) for index, found in texts.items()} == dict.fromkeys(range(12), 1)
    for index in range(6, 12):
        assert_lines(texts[index][0], [numbered_sentence(index)], TEMPLATE)
    # a page is judged on the profile as it is when it arrives: the first new page sees the
    # late line on 3 of 7 pages (kept), every later one on at least half of them (removed)
    assert sum(LATE_TEMPLATE in texts[index][0] for index in range(6, 12)) == 1
    for index in (0, 1):  # written in the first run with the line, not rewritten since
        assert LATE_TEMPLATE in texts[index][0]
    with RunState(state_path(dataset)) as state:
        saved = state.site_profile("127.0.0.1")
    assert saved is not None and saved[0] == 12  # each page counted once over three runs


def test_pages_held_for_evidence_still_commit_every_n_rows(
    site: LocalHttpServer, tmp_path: Path
) -> None:
    publish(tmp_path, site, 6)
    summary = run_config(configure(tmp_path, commit_every=2))
    dataset = tmp_path / "dataset"

    assert (summary.rows_written, summary.files_written) == (6, 3)
    texts = texts_by_page(dataset)
    assert {index: len(found) for index, found in texts.items()} == dict.fromkeys(range(6), 1)
    # two pages held make a commit, judged then (too few pages: unchanged); pages arriving
    # once the site has five are judged on them
    with_template = [index for index, (text,) in texts.items() if TEMPLATE[0] in text]
    assert len(with_template) == 4
    assert sum(removed for removed in site_removals(dataset).values()) == 2 * len(TEMPLATE)


def test_site_rules_can_be_turned_off(site: LocalHttpServer, tmp_path: Path) -> None:
    publish(tmp_path, site, 6)
    run_config(configure(tmp_path, site_rules=False))
    texts = texts_by_page(tmp_path / "dataset")
    assert all(line in text for (text,) in texts.values() for line in TEMPLATE)
    assert site_removals(tmp_path / "dataset") == Counter()
