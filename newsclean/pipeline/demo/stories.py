"""The demo site's stories: original fictional article texts bundled as ``stories.txt``.

The file format is described at the top of ``stories.txt``. Parsing is strict: a malformed
story is a bug in the bundled file, so it raises ``ValueError`` naming the story.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

_REQUIRED = ("lang", "section", "title", "author", "tags", "summary")
_STORY_MARK = "=== "


@dataclass(frozen=True, slots=True)
class Story:
    """One article's own content, before any site template wraps it."""

    slug: str
    language: str  # ISO 639-1
    section: str
    title: str
    author: str
    tags: tuple[str, ...]
    summary: str
    #: blocks in order: plain paragraphs, "## " subheadings, "> " quotations
    paragraphs: tuple[str, ...]

    @property
    def text(self) -> str:
        """The article text as an extractor should find it: blocks separated by a blank line."""
        return blocks_to_text(self.paragraphs)


def blocks_to_text(blocks: tuple[str, ...]) -> str:
    """Blocks as plain text: markers dropped, one blank line between blocks."""
    return "\n\n".join(block.removeprefix("## ").removeprefix("> ") for block in blocks)


@cache
def load_stories() -> tuple[Story, ...]:
    """Every bundled story, in file order."""
    raw = resources.files(__package__).joinpath("stories.txt").read_text(encoding="utf-8")
    return parse_stories(raw)


def parse_stories(raw: str) -> tuple[Story, ...]:
    chunks = raw.split("\n" + _STORY_MARK)[1:]
    stories = tuple(_parse_story(chunk) for chunk in chunks)
    slugs = [story.slug for story in stories]
    if len(set(slugs)) != len(slugs):
        raise ValueError("stories.txt: duplicate slugs")
    return stories


def _parse_story(chunk: str) -> Story:
    head, _, body = chunk.partition("\n\n")
    slug, *header_lines = head.splitlines()
    fields = dict(_header_field(slug, line) for line in header_lines)
    missing = [name for name in _REQUIRED if name not in fields]
    if missing:
        raise ValueError(f"stories.txt: story {slug!r} lacks {', '.join(missing)}")
    paragraphs = tuple(
        " ".join(block.split())
        for block in body.split("\n\n")
        if block.strip() and not block.lstrip().startswith("#" + " ")
    )
    if len(paragraphs) < 3:
        raise ValueError(f"stories.txt: story {slug!r} has fewer than 3 paragraphs")
    return Story(
        slug=slug.strip(),
        language=fields["lang"],
        section=fields["section"],
        title=fields["title"],
        author=fields["author"],
        tags=tuple(tag.strip() for tag in fields["tags"].split(",")),
        summary=fields["summary"],
        paragraphs=paragraphs,
    )


def _header_field(slug: str, line: str) -> tuple[str, str]:
    name, sep, value = line.partition(":")
    if not sep or not value.strip():
        raise ValueError(f"stories.txt: story {slug!r} has a bad header line {line!r}")
    return name.strip(), value.strip()
