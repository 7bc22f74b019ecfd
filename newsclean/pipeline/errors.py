"""Errors of the pipeline (config, run loop, state) and how they reach the user.

::

    PipelineError                 root of the pipeline package; carries an exit code
    +-- ConfigError               the config file is missing, unreadable or invalid (names the key)
    +-- InputError                a CLI input (file, URL, stdin) is unusable
    +-- RunLockedError            another run holds the dataset's lock
    +-- RunFailed                 the run cannot go on (output unwritable, state unusable)
        +-- DiskFull              ... because the disk holding the dataset is full

Each error renders as one line, ``Error: <what> (<where>): <what to do>``.
"""

from __future__ import annotations

from newsclean.pipeline.exitcodes import ExitCode


class PipelineError(Exception):
    exit_code: ExitCode = ExitCode.RUN_FAILED

    def __init__(self, what: str, where: str = "", todo: str = "") -> None:
        self.what = what
        self.where = where
        self.todo = todo
        super().__init__(self.one_line())

    def one_line(self) -> str:
        where = f" ({self.where})" if self.where else ""
        todo = f": {self.todo}" if self.todo else ""
        return f"Error: {self.what}{where}{todo}"


class ConfigError(PipelineError):
    exit_code = ExitCode.USAGE


class InputError(PipelineError):
    exit_code = ExitCode.USAGE


class RunLockedError(PipelineError):
    exit_code = ExitCode.LOCKED


class RunFailed(PipelineError):
    exit_code = ExitCode.RUN_FAILED


class DiskFull(RunFailed):
    """No space left for the dataset or its state; work committed before it is kept."""
