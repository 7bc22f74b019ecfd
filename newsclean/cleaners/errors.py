"""Errors raised by the cleaners.

Expected outcomes (not an article, too short) are not errors: they are reported through
``Article.page_type`` / :class:`newsclean.scraper.records.Skipped`. What is left are failures::

    CleanerError(url)                 root of the cleaners package
    +-- DecodeError                   bytes could not be turned into text at all
    +-- ExtractionError               the extractor failed on this document
    |   +-- TreeTooLarge              the page has too many elements, even reduced
    |                                 (:mod:`newsclean.cleaners.guards`)
    +-- ExtractionTimeout             cleaning exceeded the per-document time cap
    |                                 (:func:`newsclean.cleaners.timecap.clean_html_capped`)
    +-- WorkerFailed                  the process cleaning the document died (killed, crashed)

All are terminal: the same document fails the same way again. They pickle with their URL,
so a worker process can hand them back.
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

    def __reduce__(self) -> tuple[type[CleanerError], tuple[str, str | None]]:
        return type(self), (self.message, self.url)


class DecodeError(CleanerError):
    reason = "decode-error"


class ExtractionError(CleanerError):
    reason = "extract-error"


class ExtractionTimeout(CleanerError):
    reason = "extract-timeout"


class WorkerFailed(CleanerError):
    reason = "clean-worker-failed"
