"""Cleaners: page bytes (or plain text) in, one clean :class:`Article` out.

Stages, each in its own module: ``decode`` (bytes to text, encoding chosen with care),
``guards`` (bounds on input size), ``metadata`` (with ``jsonld``, ``authors``, ``dates``:
what the page declares about itself, read from the parsed tree), ``pagetype`` (page type
and soft failures), ``dom`` (boilerplate pruned from the parsed page), ``choose`` (main text
by trafilatura, with ``density`` and the JSON-LD body as second opinions on doubt,
``extract`` renders it), ``repair`` (Unicode and whitespace), ``lines`` (line, block and
tail rules over the phrase ``catalogue``), tied together in ``clean``. Batch-level rules are
``sitelevel`` (lines a site repeats on many pages); ``timecap`` runs the cleaning in a
worker process that is killed when a document overruns.
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
from newsclean.cleaners.sitelevel import SiteProfile, apply_site_rules
from newsclean.cleaners.timecap import CleaningWorker, clean_html_capped

__all__ = [
    "CLEANER_VERSION",
    "Article",
    "CleaningWorker",
    "Decoded",
    "Removal",
    "SiteProfile",
    "apply_site_rules",
    "clean",
    "clean_html",
    "clean_html_capped",
    "clean_text",
    "decode_html",
    "detect_input_format",
]
