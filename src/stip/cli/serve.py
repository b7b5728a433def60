"""`stip serve`: the web UI and JSON API."""

from __future__ import annotations

from typing import Annotated

import typer

from stip.cli.options import DbOption, load


def register(app: typer.Typer) -> None:
    """Attach this module's commands to the main app."""
    app.command("serve")(serve)


def serve(
    host: Annotated[str, typer.Option("--host", help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="TCP port.")] = 8000,
    db: DbOption = None,
) -> None:
    """Serve the web UI and JSON API (http://HOST:PORT)."""
    from stip.web.server import serve as run

    run(load(db), host=host, port=port)
