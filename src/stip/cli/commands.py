"""Wires every command group into the `stip` app; each group lives in its own module."""

from __future__ import annotations

import typer

from stip.cli import actions, clients, deliverables, demo, goals, kpi, serve, sync, users


def register(app: typer.Typer) -> None:
    demo.register(app)
    serve.register(app)
    sync.register(app)
    kpi.register(app)
    goals.register(app)
    deliverables.register(app)
    clients.register(app)
    users.register(app)
    actions.register(app)
