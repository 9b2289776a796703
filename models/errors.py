"""User-facing errors and their exit codes.

Anything a user can cause (bad file, missing model, no network, unwritable output) is raised as a
``NordbriefError`` subclass so the CLI and the GUI can show one friendly line instead of a traceback.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_INPUT = 2
EXIT_MODEL = 3
EXIT_NETWORK = 4
EXIT_OUTPUT = 5
# ``check --fail-on-flags``: the check ran, and some pair carries an alarm (not an error).
EXIT_FLAGGED = 6
EXIT_INTERRUPTED = 130


class NordbriefError(Exception):
    """Base class: a one-line message meant for the user, plus the CLI exit code."""

    exit_code: int = EXIT_INPUT

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InputError(NordbriefError):
    """Bad input or usage (exit 2)."""

    exit_code = EXIT_INPUT


class ModelError(NordbriefError):
    """Model missing or unusable (exit 3)."""

    exit_code = EXIT_MODEL


class NoModelInstalled(ModelError):
    """No translation model is installed at all (exit 3): the GUI offers the download for this
    one, and only for this one, instead of reading it out of a message."""


class ModelNotInstalled(ModelError):
    """The named model is one the catalog offers, but it is not installed (exit 3)."""


class UnknownModel(ModelError):
    """The named model is neither in the catalog, nor installed, nor a model folder (exit 3)."""


class NetworkError(NordbriefError):
    """Network, download or verification failure (exit 4)."""

    exit_code = EXIT_NETWORK


class OutputError(NordbriefError):
    """Cannot write the output (exit 5)."""

    exit_code = EXIT_OUTPUT


class Cancelled(Exception):
    """A long job stopped because its cancel flag was set; not an error for the user."""
