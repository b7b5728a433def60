"""Options shared by many commands, and the one way to build the `Stip` object from them."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from stip.app import Stip  # light: the store's engines load on first use
from stip.errors import ConfigError, UserError

if TYPE_CHECKING:
    from rich.console import Console


def rich_console(stderr: bool = False) -> Console:
    """The console every table is printed on. Company names, ticket titles and error texts
    come from the PSA: printed as Rich markup, "[/b]" in a name would stop the command and
    "[red]" would colour it. Styles are given as `rich.text.Text` instead."""
    from rich.console import Console

    return Console(stderr=stderr, markup=False)


def not_empty(value: str | None) -> str | None:
    """An option given as "" (say, an unset shell variable) is a mistake, not "the default"."""
    if value is not None and not value.strip():
        raise typer.BadParameter("is empty; give a value or leave the option out")
    return value


DbOption = Annotated[
    str | None,
    typer.Option("--db", envvar="STIP_DB", help="DuckDB path or postgres:// URL of the store."),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON (contract §2 shapes).")]
AsOfOption = Annotated[
    str | None,
    typer.Option("--as-of", help="ISO time to compute as of (default: now).", callback=not_empty),
]


def load(db: str | None = None, *, existing: bool = False) -> Stip:
    """The `Stip` object. `existing`: the command only reads the store, so a DuckDB file named
    by --db/STIP_DB (or stip.toml) must exist: a mistyped path would otherwise become a new,
    empty store and every figure a confident zero."""
    stip = Stip.load(db=db)
    named = stip.settings.db
    if existing and named and "://" not in named and not Path(named).exists():
        raise ConfigError(
            f"store {named} does not exist; check --db/STIP_DB, or fill a new store with "
            "`stip sync autotask`, `stip import autotask DIR` or `stip demo`"
        )
    return stip


LangOption = Annotated[str, typer.Option("--lang", help="Language of texts: en or nl.")]


def check_lang(value: str) -> str:
    if value not in ("en", "nl"):
        raise UserError(f"--lang '{value}': use en or nl")
    return value


def definition_file(file: Path | None, default: Path, what: str, docs: str) -> Path:
    """The definition file a command reads: `--file`, else the one in $STIP_HOME; a clear
    error when it does not exist."""
    path = file or default
    if not path.exists():
        raise ConfigError(f"no {what} file at {path}; write one ({docs} shows how) or pass --file")
    return path
