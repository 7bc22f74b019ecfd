"""Cleaners: page bytes (or plain text) in, one clean :class:`Article` out.

Stages, each in its own module: ``decode`` (bytes to text, encoding chosen with care),
``dom`` (boilerplate pruned from the parsed page), ``extract`` (main text and metadata with
trafilatura), ``lines`` (line-level and tail boilerplate rules over the phrase
``catalogue``), ``metadata`` (exact dates, authors, language), tied together in ``clean``.
"""

from __future__ import annotations

from newsclean.cleaners.clean import (
    CLEANER_VERSION,
    clean,
    clean_html,
    clean_text,
    detect_input_format,
)
from newsclean.cleaners.decode import decode_html
from newsclean.cleaners.records import Article, Decoded, Removal

__all__ = [
    "CLEANER_VERSION",
    "Article",
    "Decoded",
    "Removal",
    "clean",
    "clean_html",
    "clean_text",
    "decode_html",
    "detect_input_format",
]
