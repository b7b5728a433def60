"""`stip demo`: build the demo MSP into the store, then serve the web UI."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from stip.cli.options import DbOption, load, rich_console

if TYPE_CHECKING:
    from stip.app import Stip
    from stip.demo import DemoSummary

ScaleOption = Annotated[
    str,
    typer.Option(
        "--scale",
        help="small (CI), medium (the real demo: ~250 clients, 35 engineers, 3 years) or large.",
    ),
]


def register(app: typer.Typer) -> None:
    """Attach this module's commands to the main app."""
    app.command("demo")(demo)


def demo(
    no_serve: Annotated[
        bool, typer.Option("--no-serve", help="Build the store, do not serve.")
    ] = False,
    scale: ScaleOption = "medium",
    seed: Annotated[int, typer.Option("--seed", min=0, help="Same seed, same demo.")] = 1,
    db: DbOption = None,
) -> None:
    """Build the demo MSP into the store, then serve the web UI (unless --no-serve)."""
    from stip.demo import SCALES, build_demo

    if scale not in SCALES:
        raise typer.BadParameter(
            f"'{scale}' is not one of: {', '.join(SCALES)}", param_hint="--scale"
        )
    stip = load(db)
    console = rich_console(stderr=True)
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=True) as progress:
        tasks: dict[str, int] = {}

        def report(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = int(progress.add_task(stage, total=total))
            progress.update(tasks[stage], completed=done, total=total)  # type: ignore[arg-type]

        summary = build_demo(stip.store, scale, seed, progress=report)
    _print_summary(summary)
    print_demo_users(stip)
    _write_demo_files(stip)
    if not no_serve:
        from stip.web.server import serve

        serve(stip, host="127.0.0.1", port=8000)


def _print_summary(summary: DemoSummary) -> None:
    console = rich_console()
    console.print(
        f"Demo MSP built: scale {summary.scale}, seed {summary.seed}, data up to "
        f"{summary.end:%Y-%m-%d %H:%M} UTC, in {summary.seconds:.1f} s."
    )
    counts = Table("table", "rows", title="Loaded / Geladen")
    for name, count in sorted(summary.counts.items()):
        counts.add_row(name, f"{count:,}")
    console.print(counts)
    stories = Table("story / verhaal", "where to look / waar te kijken", title="Planted stories")
    for story, where in summary.stories.describe():
        stories.add_row(story, where)
    console.print(stories)


def _write_demo_files(stip: Stip) -> None:
    """The demo's goals and agreements next to the store, unless the files exist."""
    from datetime import datetime

    from stip.deliverables.demo import write_demo_deliverables
    from stip.goals.demo import write_demo_goals
    from stip.semantic.engine import KpiEngine

    engine = KpiEngine(stip.store, stip.settings)
    today = datetime.now(stip.settings.tz).date()
    for label, write in (
        ("Demo goals / doelen", write_demo_goals),
        ("Demo deliverables / afspraken", write_demo_deliverables),
    ):
        written = write(engine, today)
        if written is not None:
            typer.echo(f"{label}: {written}")


def print_demo_users(stip: Stip) -> None:
    """Create (idempotently) one demo user per role and print their credentials."""
    from stip.accounts.demo import ensure_demo_users

    users = ensure_demo_users(stip)
    table = Table("user / gebruiker", "role / rol", "password / wachtwoord", title="Demo users")
    for username, role, password in users:
        table.add_row(username, role, password)
    rich_console().print(table)
