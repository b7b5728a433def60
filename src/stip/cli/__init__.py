"""The `stip` command line (contract §1-2).

Errors: a `UserError` is one line on stderr and exit 1; so are a full disk and a database
connection lost mid-command, which the user fixes, not us. Anything else is logged with its
traceback to `$STIP_HOME/logs/stip.log` and reported as one line with that path, exit 2.
Ctrl-C is one line and exit 130, as shells expect.
"""

from __future__ import annotations

import errno
import logging
import os
import sys
import traceback
from pathlib import Path

import typer

from stip.errors import UserError
from stip.logs import setup_logging

app = typer.Typer(
    name="stip",
    help="Stip: one dashboard per role for your MSP, computed from your PSA.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.command()
def version() -> None:
    """Print Stip's version."""
    from stip import __version__

    typer.echo(__version__)


_registered: list[bool] = []


def _register() -> None:
    """Attach the command groups (once per process); each lives in its own module."""
    if _registered:
        return
    from stip.cli import commands

    commands.register(app)
    _registered.append(True)


def _is_usage_error(exc: Exception) -> bool:
    """Click's own errors (bad option, missing argument), whichever click Typer bundles."""
    return callable(getattr(exc, "show", None)) and isinstance(getattr(exc, "exit_code", None), int)


@app.callback()
def _root() -> None:
    """Stip: one dashboard per role for your MSP, computed from your PSA."""


INTERRUPTED = 130


def main() -> None:
    # A log file that cannot be written (a full disk) must not print tracebacks of its own.
    logging.raiseExceptions = False
    log_path: Path | None = None
    try:
        _register()
        log_path = setup_logging()
        code = app(standalone_mode=False)
    except KeyboardInterrupt:
        code = INTERRUPTED
    except UserError as exc:
        logging.getLogger("stip").info("user error: %s", exc)
        typer.echo(f"error: {exc}", err=True)
        sys.exit(1)
    except (typer.Exit, SystemExit) as exc:
        code = exc.exit_code if isinstance(exc, typer.Exit) else exc.code
        sys.exit(code if isinstance(code, int) else 0)
    except typer.Abort:
        typer.echo("aborted", err=True)
        sys.exit(1)
    except Exception as exc:  # noqa: BLE001 - the one place that turns bugs into exit 2
        if _is_usage_error(exc):
            # one line (contract §1), not click's usage block
            ctx = getattr(exc, "ctx", None)
            where = f" (see `{ctx.command_path} --help`)" if ctx is not None else ""
            message = exc.format_message().rstrip(".")  # type: ignore[attr-defined]
            typer.echo(f"error: {message}{where}", err=True)
            sys.exit(1)
        outside = _outside_cause(exc)
        if outside is not None:
            logging.getLogger("stip").warning("stopped: %s\n%s", outside, traceback.format_exc())
            typer.echo(f"error: {outside}", err=True)
            sys.exit(1)
        if log_path is None:
            typer.echo(f"error: {_unusable_home(exc)}", err=True)
            sys.exit(1)
        logging.getLogger("stip").error("internal error\n%s", traceback.format_exc())
        typer.echo(
            f"internal error: {type(exc).__name__}; the traceback is in {log_path.resolve()}",
            err=True,
        )
        sys.exit(2)
    if code == INTERRUPTED:  # typer returns Ctrl-C as 130 when not standalone
        typer.echo("error: interrupted; run the command again to finish it", err=True)
    if isinstance(code, int) and code:
        sys.exit(code)


def _outside_cause(exc: BaseException) -> str | None:
    """What the user must fix when a command failed for a reason outside Stip: a full disk,
    or the store's database server gone mid-command. Writes are transactions, so what was
    unfinished is rolled back."""
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen:
        seen.append(current)
        current = current.__cause__ or current.__context__
    for one in seen:
        text = str(one)
        if (isinstance(one, OSError) and one.errno == errno.ENOSPC) or (
            "No space left on device" in text
        ):
            home = Path(os.environ.get("STIP_HOME") or ".stip").resolve()
            return (
                f"no space left on the disk (STIP_HOME {home}, or the --db/STIP_DB store); "
                "free some space and run the command again (the unfinished write was undone)"
            )
        if type(one).__name__ == "OperationalError" and type(one).__module__.startswith("psycopg"):
            first = (text.splitlines() or [""])[0]
            return (
                f"the connection to the store's PostgreSQL server was lost ({first}); "
                "run the command again once the server is reachable (the unfinished write was "
                "undone)"
            )
    return None


def _unusable_home(exc: Exception) -> str:
    """The user error behind a failure once not even the home's log could be written: a
    STIP_HOME that is a file, or a read-only folder."""
    home = Path(os.environ.get("STIP_HOME") or ".stip").resolve()
    first = (str(exc).splitlines() or [""])[0]
    return (
        f"cannot write in STIP_HOME {home} ({type(exc).__name__}: {first}); "
        "point STIP_HOME at a folder Stip may write to"
    )
