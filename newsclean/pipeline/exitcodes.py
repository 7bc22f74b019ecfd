"""The process exit codes of every ``newsclean`` command — one documented table.

Scheduled jobs (cron, Airflow) branch on these, so they never change meaning.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0  #: everything asked for was done
    PARTIAL = 1  #: run finished, but some URLs or sources failed (see the summary)
    USAGE = 2  #: bad command line, config, input file or URL: nothing was done
    FETCH_FAILED = 3  #: `clean`: the page could not be fetched
    NOT_ARTICLE = 4  #: `clean`: the input holds no article (listing, consent wall, empty, ...)
    RUN_FAILED = 5  #: the run could not proceed (output unwritable, disk full, state unusable)
    LOCKED = 6  #: another run holds the dataset's lock: this one exited without doing anything
    INTERRUPTED = 130  #: stopped by Ctrl-C / SIGTERM after committing finished work


EXIT_CODE_TABLE = "\n".join(f"{int(code):>3}  {code.name}" for code in ExitCode)
