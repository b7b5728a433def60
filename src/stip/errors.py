"""Error hierarchy split by audience.

`UserError` and its subclasses are shown as one line on stderr (exit 1) and must say what
was wrong, where, and how to fix it. Anything else escaping a command is an internal error:
its traceback goes to the log file and the user sees where (exit 2).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class StipError(Exception):
    """Base class of all errors Stip raises on purpose."""


class UserError(StipError):
    """Bad input or configuration; the message is shown to the user as is."""


class ConfigError(UserError, ValueError):
    """A setting is missing or invalid."""


class DefinitionError(UserError, ValueError):
    """A KPI, dashboard or rule definition is invalid (message names file:line)."""


class QueryError(UserError, ValueError):
    """A KPI query cannot be answered as asked (unknown KPI, bad period, bad dimension)."""


class ConnectorError(UserError):
    """A source system refused or failed a request in a way the user must act on."""


class StoreBusyError(UserError):
    """The store is locked by another process for longer than we are willing to wait."""


def suggest(word: str, choices: Iterable[str]) -> str:
    """Return ' Did you mean X?' for the closest choice, or ''."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" Did you mean '{close[0]}'?" if close else ""
