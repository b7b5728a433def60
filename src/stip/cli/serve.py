"""`stip serve`: the web UI and JSON API."""

from __future__ import annotations

import socket
from typing import Annotated

import typer

from stip.cli.options import DbOption, load
from stip.errors import UserError


def register(app: typer.Typer) -> None:
    """Attach this module's commands to the main app."""
    app.command("serve")(serve)


def serve(
    host: Annotated[str, typer.Option("--host", help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="TCP port.", min=1, max=65535)] = 8000,
    db: DbOption = None,
) -> None:
    """Serve the web UI and JSON API (http://HOST:PORT)."""
    from stip.web.server import serve as run

    stip = load(db)
    check_address(host, port)
    try:
        run(stip, host=host, port=port)
    except SystemExit as exc:
        if exc.code in (None, 0):
            raise
        raise UserError(
            f"the web server could not start on {host}:{port} (exit {exc.code}); "
            "check --host and --port, and the log for the server's own message"
        ) from None


def check_address(host: str, port: int) -> None:
    """Fail as a user error, before anything starts, when HOST:PORT cannot be listened on:
    an unknown host name, an address not on this machine, a port in use or reserved."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except socket.gaierror as exc:
        raise UserError(
            f"--host {host}: {exc.strerror}; give an address of this machine, e.g. 127.0.0.1"
        ) from None
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server does
        try:
            probe.bind(address)
        except OSError as exc:
            raise UserError(
                f"--host {host} --port {port}: cannot listen there ({exc.strerror}); "
                "give an address of this machine with --host and a free port with --port"
            ) from None
