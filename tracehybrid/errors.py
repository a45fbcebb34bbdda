"""User-facing errors and warnings: each is one line with a slug; exit codes are named here."""

from __future__ import annotations

import enum


class ExitCode(enum.IntEnum):
    """Process exit codes, documented in the README.

    `run` passes the test command's own exit code through (pytest: 1 tests failed, 2
    interrupted, 3 internal error, 4 usage error, 5 no tests). tracehybrid's own failures use
    codes from BSD's sysexits range (64-78), which no test runner uses, so a CI script can tell
    "pytest said 4" from "tracehybrid could not run".
    """

    OK = 0
    FINDINGS = 1  # analyze/apply only: findings that block a refactoring (with --exit-findings)
    USAGE = 64  # bad command line, configuration or input paths (EX_USAGE)
    COMMAND_NOT_STARTED = 69  # the test command could not be started (EX_UNAVAILABLE)
    INTERNAL = 70  # a bug in tracehybrid: rerun with --debug and report it (EX_SOFTWARE)
    BUSY = 75  # another run holds the output folder (sysexits' EX_TEMPFAIL: try again later)
    INTERRUPTED = 130  # Ctrl-C (SIGINT) stopped the run: 128 + the signal, as shells report it
    TERMINATED = 143  # SIGTERM stopped the run


class TraceHybridError(Exception):
    """Base of every controlled error: printed as one line, `error[slug]: message`."""

    slug = "error"
    exit_code: int = ExitCode.USAGE

    def __init__(
        self, message: str, *, slug: str | None = None, exit_code: int | None = None
    ) -> None:
        super().__init__(message)
        if slug is not None:
            self.slug = slug
        if exit_code is not None:
            self.exit_code = exit_code

    def one_line(self) -> str:
        """The message as shown to a user: never more than one line."""
        text = " ".join(str(self).split())
        return f"error[{self.slug}]: {text}"


class UsageError(TraceHybridError):
    """The command line is wrong."""

    slug = "usage"


class ConfigError(TraceHybridError):
    """`[tool.tracehybrid]` is invalid."""

    slug = "config"


class NoSourceError(TraceHybridError):
    """A path does not exist, or holds no Python to analyse."""

    slug = "no-source"


class DataError(TraceHybridError):
    """A store or results file is unreadable or from another version."""

    slug = "data"


class UnknownCodeError(TraceHybridError):
    """`explain` was given a code or name that is not in the registry."""

    slug = "unknown-code"


class TestCommandError(TraceHybridError):
    """The user's test command could not run or failed."""

    __test__ = False  # not a pytest test class
    slug = "test-command"
    exit_code = ExitCode.COMMAND_NOT_STARTED


class InterruptedRunError(TraceHybridError):
    """A signal stopped the run (or the command it traced): nothing is written, 128 + signal."""

    slug = "interrupted"
    exit_code = ExitCode.INTERRUPTED


class FolderBusyError(TraceHybridError):
    """Another `tracehybrid run` holds the output folder."""

    slug = "busy"
    exit_code = ExitCode.BUSY


class TraceHybridWarning(UserWarning):
    """Base of tracehybrid's warnings; never fatal."""


class UnparsableSourceWarning(TraceHybridWarning):
    """A file could not be parsed or decoded; the rest of the project is still analysed."""


class PluginWarning(TraceHybridWarning):
    """A tracehybrid pytest plugin could not start or failed in a hook; the tests run unchanged."""
