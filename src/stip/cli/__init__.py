"""The `stip` command line (contract §1-2).

Errors: a `UserError` is one line on stderr and exit 1; anything else is logged with its
traceback to `$STIP_HOME/logs/stip.log` and reported as one line with that path, exit 2.
"""

from __future__ import annotations

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


def main() -> None:
    _register()
    log_path = setup_logging()
    try:
        app(standalone_mode=False)
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
        if log_path is None:
            typer.echo(f"error: {_unusable_home(exc)}", err=True)
            sys.exit(1)
        logging.getLogger("stip").error("internal error\n%s", traceback.format_exc())
        typer.echo(
            f"internal error: {type(exc).__name__}; the traceback is in {log_path.resolve()}",
            err=True,
        )
        sys.exit(2)


def _unusable_home(exc: Exception) -> str:
    """The user error behind a failure once not even the home's log could be written: a
    STIP_HOME that is a file, or a read-only folder."""
    home = Path(os.environ.get("STIP_HOME") or ".stip").resolve()
    first = (str(exc).splitlines() or [""])[0]
    return (
        f"cannot write in STIP_HOME {home} ({type(exc).__name__}: {first}); "
        "point STIP_HOME at a folder Stip may write to"
    )
