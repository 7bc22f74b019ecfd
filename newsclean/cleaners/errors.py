"""Errors raised by the cleaners.

Expected outcomes (not an article, too short) are not errors: they are reported through
``Article.page_type`` / :class:`newsclean.scraper.records.Skipped`. What is left are failures::

    CleanerError(url)                 root of the cleaners package
    +-- DecodeError                   bytes could not be turned into text at all
    +-- ExtractionError               the extractor failed on this document
    +-- ExtractionTimeout             extraction exceeded the per-document time cap
"""

from __future__ import annotations


class CleanerError(Exception):
    """Root of every error raised by :mod:`newsclean.cleaners`."""

    transient: bool = False
    reason: str = "clean-error"

    def __init__(self, message: str, url: str | None = None) -> None:
        self.url = url
        self.message = message
        super().__init__(f"{message} ({url})" if url else message)


class DecodeError(CleanerError):
    reason = "decode-error"


class ExtractionError(CleanerError):
    reason = "extract-error"


class ExtractionTimeout(CleanerError):
    reason = "extract-timeout"
