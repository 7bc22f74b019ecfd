"""Repair: text normalisation of the extracted lines (Unicode repair and whitespace).

* **Mojibake** -- UTF-8 read as windows-1252 somewhere upstream ("Thatâ€™s", "Â©",
  "ÐŸÑ€Ð¸") is repaired with ftfy. ftfy costs about a millisecond per paragraph, so it
  runs only on text where :func:`has_mojibake` (one regular expression, in C: the
  lead bytes of two-byte UTF-8 sequences read as Latin-1, followed by what a continuation
  byte becomes in windows-1252) sees the pattern. Its settings change nothing in valid text:
  no HTML unescaping (lxml already did it; "&amp;" in an article about HTML stays),
  quotes stay curly, ligatures and full-width forms stay, no Unicode normalisation.
* **Whitespace** -- inside a line, every run of whitespace (no-break and other Unicode
  spaces included) becomes one space; zero-width characters and soft hyphens go. Lines of a
  code block keep their spaces. Paragraphs are joined by the callers with one blank line,
  lines inside a paragraph with one newline.
"""

from __future__ import annotations

import re

import ftfy
from ftfy import TextFixerConfig

from newsclean.cleaners.text import replace_chars

# A Latin-1 lead byte of a 2-byte UTF-8 sequence (Â Ã Å Î Ï Ð Ñ) or the lead of a 3-byte
# one (â), followed by what a continuation byte 0x80-0xBF becomes in Latin-1/windows-1252.
_MOJIBAKE = re.compile(
    "[\u00c2\u00c3\u00c5\u00ce\u00cf\u00d0\u00d1\u00e2]"
    "[\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013\u2014"
    "\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]"
)
_INVISIBLE = dict.fromkeys(["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"], "")
_FIX_CONFIG = TextFixerConfig(
    unescape_html=False,
    fix_latin_ligatures=False,
    fix_character_width=False,
    uncurl_quotes=False,
    fix_line_breaks=False,
    normalization=None,
    explain=False,
)


def has_mojibake(text: str) -> bool:
    """True when ``text`` shows the pattern of UTF-8 decoded as windows-1252."""
    return _MOJIBAKE.search(text) is not None


def repair_text(text: str) -> str:
    """``text`` with mojibake repaired (only when :func:`has_mojibake` sees some)."""
    if not has_mojibake(text):
        return text
    return str(ftfy.fix_text(text, config=_FIX_CONFIG))


def normalize_line(line: str) -> str:
    """One line with whitespace runs made single spaces and invisible characters removed."""
    # the invisible characters are not ASCII (and replace_chars is one C scan a character)
    return " ".join((line if line.isascii() else replace_chars(line, _INVISIBLE)).split())
