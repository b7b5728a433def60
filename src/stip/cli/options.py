"""Options shared by many commands, and the one way to build the `Stip` object from them."""

from __future__ import annotations

from typing import Annotated

import typer

from stip.app import Stip  # light: the store's engines load on first use


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


def load(db: str | None = None) -> Stip:
    return Stip.load(db=db)
