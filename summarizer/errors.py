"""One base exception for everything the program reports to a user.

The CLI turns any ``SummarizerError`` into a one-line message and an exit code; anything
else is a bug and keeps its traceback.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only: `summarizer --version` imports no pydantic
    from pydantic import ValidationError


class SummarizerError(Exception):
    """Base class: a problem the user can act on, described in plain words."""

    exit_code = 1
    attempts: int | None = None  # the model calls made for the article, set by the summarizer that raised it


class ConfigError(SummarizerError):
    """Bad options or environment (exit code 2)."""

    exit_code = 2


class ArticleError(SummarizerError):
    """An article could not be loaded: missing, empty, binary, undecodable or too long."""


class PromptError(SummarizerError):
    """A prompt template is missing or malformed."""

    exit_code = 2


class BackendError(SummarizerError):
    """The model backend failed after its retries (server down, timeouts, bad output)."""


class ExtractionError(SummarizerError):
    """The model never produced a valid event record within the allowed re-asks."""


class OutputError(SummarizerError):
    """The output file could not be written (disk full, I/O error); the message says what was kept."""


class StoreError(SummarizerError):
    """The store (SUMMARIZER_HOME/summarizer.db) cannot be read or written. Every later article would hit it
    too, so a run stops at the first one, as the circuit breaker stops it (exit 1: its disk is full)."""


class StoreDamaged(ConfigError, StoreError):
    """The store is not a database, or a damaged one: never replaced, since it holds paid answers (exit 2)."""


class StoreReadOnly(ConfigError, StoreError):
    """The store cannot be written: a read-only file, folder or file system (exit 2)."""


def validation_errors(error: ValidationError, root: str) -> list[str]:
    """Each error of a pydantic ``ValidationError`` as ``loc.path: message`` (``root`` when the path is
    empty), without the input pydantic echoes, which can be a whole model answer."""
    return [f"{'.'.join(str(part) for part in e['loc']) or root}: {e['msg']}" for e in error.errors()]
