"""Logging to `$STIP_HOME/logs/stip.log`, with secrets kept out of every record."""

from __future__ import annotations

import logging
import os
import re
from logging.handlers import RotatingFileHandler
from pathlib import Path

_SECRET_PATTERN = re.compile(
    r"(?i)(secret|password|token|apiintegrationcode|authorization)([\"']?\s*[:=]\s*[\"']?)([^\s\"',}]+)"
)


# `scheme://user:password@host`: the password runs to the last `@` of the line (it may hold
# one itself, or a space); masking a little more than the password is the safe side.
_URL_PASSWORD = re.compile(r"(\b[a-z][a-z0-9+.-]*://[^:/\s@]*:)(.+)(@[^@\s/]+)", re.IGNORECASE)
_QUERY_PASSWORD = re.compile(r"(?i)([?&]password=)([^&\s]*)")


def url_secrets(url: str) -> list[str]:
    """The password(s) a database URL carries (in its user part or as `?password=`), and the
    pieces of each between `@`s, which a driver's message may quote on their own."""
    found = [m.group(2) for m in _URL_PASSWORD.finditer(url)]
    found += [m.group(2) for m in _QUERY_PASSWORD.finditer(url)]
    pieces = [piece for secret in found for piece in secret.split("@") if len(piece) >= 3]
    return sorted({*found, *pieces} - {""}, key=len, reverse=True)


def masked_url(url: str, text: str | None = None) -> str:
    """`text` (default: the URL itself) with the URL's passwords replaced by `***`."""
    result = url if text is None else text
    if text is None:
        result = _QUERY_PASSWORD.sub(r"\1***", _URL_PASSWORD.sub(r"\1***\3", result))
    for secret in url_secrets(url):
        result = result.replace(secret, "***")
    return result


class RedactingFilter(logging.Filter):
    """Masks `secret=...`-shaped values and any registered literal secret."""

    literals: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        for literal in self.literals:
            if literal:
                message = message.replace(literal, "***")
        message = _URL_PASSWORD.sub(r"\1***\3", message)
        record.msg = _SECRET_PATTERN.sub(r"\1\2***", message)
        record.args = ()
        return True


def register_secret(value: str | None) -> None:
    """Make sure this literal never reaches a log file."""
    if value and len(value) >= 4:
        RedactingFilter.literals.add(value)


def setup_logging() -> Path | None:
    """Log to the home's log file; None when it cannot be written (an unusable home, which
    the command then reports as such): nothing is logged then, and nothing to stderr, whose
    one line belongs to the error."""
    home = Path(os.environ.get("STIP_HOME") or ".stip")
    path = home / "logs" / "stip.log"
    logger = logging.getLogger("stip")
    for old in list(logger.handlers):
        if getattr(old, "stip_path", None) == path:
            return path
        logger.removeHandler(old)
        old.close()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = RotatingFileHandler(path, maxBytes=5_000_000, backupCount=3)
    except OSError:
        logger.addHandler(logging.NullHandler())
        return None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter())
    handler.stip_path = path  # type: ignore[attr-defined]
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    return path
