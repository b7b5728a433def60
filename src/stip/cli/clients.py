"""`stip clients simulate`: every client at one all-in price per user per month."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from stip.cli.kpi import PeriodOption, fmt, kpi_engine
from stip.cli.options import AsOfOption, DbOption, JsonOption, rich_console

clients_app = typer.Typer(help="Clients: the price simulator.", no_args_is_help=True)
COLOURS = {"keep": "green", "reprice": "yellow", "scope": "red", "exit": "red"}


def register(app: typer.Typer) -> None:
    app.add_typer(clients_app, name="clients")


@clients_app.command("simulate")
def simulate(
    price: Annotated[
        float | None,
        typer.Option(
            "--price", help="All-in price per user per month in EUR (default: price_per_user)."
        ),
    ] = None,
    period: PeriodOption = None,
    as_of: AsOfOption = None,
    json_out: JsonOption = False,
    db: DbOption = None,
) -> None:
    """Every active client at one price per user per month: what it pays and costs now, the
    price it needs for the margin target, and keep / re-price / change scope / exit."""
    from stip.semantic.portfolio import DEFAULT_PERIOD
    from stip.semantic.pricing import INTERNAL_COST, USER_COUNT, VERDICTS, simulate
    from stip.web.people import Directory

    engine = kpi_engine(db)
    settings = engine.settings
    clients = [(c.id, c.name) for c in Directory(engine.store).clients()]
    chosen = settings.price_per_user if price is None else price
    sim = simulate(engine, clients, chosen, settings.reprice_band, period or DEFAULT_PERIOD, as_of)
    sim = sim.worst_first()
    if json_out:
        typer.echo(json.dumps(sim.to_json(), ensure_ascii=False, indent=2))
        return
    terms = sim.terms
    console = rich_console()
    console.print(
        f"Every client at {fmt(terms.price)} EUR per user per month, against "
        f"{sim.period.start_date} .. {sim.period.end_date} (exclusive); the price needed leaves "
        f"a margin of {fmt(terms.margin)} %."
    )
    hints = {
        USER_COUNT: "Name the company field with the number of users in "
        "[autotask] user_count_field.",
        INTERNAL_COST: "Give each person their internal (loaded hourly) cost in Autotask.",
    }
    if not sim.judged:
        console.print(
            "Nothing is judged: the store holds no value in "
            + ", ".join(sim.missing)
            + ". "
            + " ".join(hints[column] for column in sim.missing if column in hints)
        )
    if sim.uncosted:
        console.print(f"{sim.uncosted} active people have no internal cost: their hours count 0.")
    table = Table()
    for name in ("client", "users", "pays today", "costs", "needs", "margin %", "verdict"):
        table.add_column(name, justify="left" if name in ("client", "verdict") else "right")
    for row in sim.rows:
        verdict = sim.verdict(row)
        table.add_row(
            row.name,
            fmt(row.users),
            _euros(row.today),
            _euros(row.cost),
            fmt(row.needed(terms)),  # cents: a needed 150.41 must not read as the price
            fmt(row.margin(terms.price)),
            Text(verdict, style=COLOURS[verdict]) if verdict else _unjudged(row.unjudged),
        )
    console.print(table)
    steps = Table(title="At other prices")
    for name in ("price", *VERDICTS, "services a month", "today", "margin %"):
        steps.add_column(name, justify="right")
    for step in sim.steps():
        counts = [str(step.counts[v]) for v in VERDICTS]
        margin = fmt(step.margin)
        steps.add_row(fmt(step.price), *counts, _euros(step.revenue), _euros(step.today), margin)
    console.print(steps)


def _euros(value: float | None) -> str:
    return "—" if value is None else f"{value:,.0f}"


def _unjudged(reason: str | None) -> str:
    from stip.semantic.pricing import NO_FIGURES, NO_USERS

    why = {NO_USERS: " (no user count)", NO_FIGURES: " (nothing billed or worked)"}
    return "not judged" + why.get(reason or "", "")
