"""`stip kpi` commands: list, values, actions, validate (contract §2)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from stip.cli.options import AsOfOption, DbOption, JsonOption, load, not_empty, rich_console
from stip.errors import DefinitionError, QueryError

if TYPE_CHECKING:
    from stip.semantic.engine import KpiEngine

kpi_app = typer.Typer(
    help="The KPI catalogue, KPI values and their action lists.", no_args_is_help=True
)

PeriodOption = Annotated[
    str | None,
    typer.Option(
        "--period",
        help="Period SPEC, e.g. 2026-10, 2026-W43, last-month, mtd.",
        callback=not_empty,
    ),
]


def register(app: typer.Typer) -> None:
    """Attach this module's commands to the main app."""
    app.add_typer(kpi_app, name="kpi")


def _print_json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2))


def kpi_engine(db: str | None) -> KpiEngine:
    """The KPI engine on the store named by --db (which must exist) and $STIP_HOME's KPIs."""
    from stip.semantic.catalog import load_catalog
    from stip.semantic.engine import KpiEngine

    stip = load(db, existing=True)
    return KpiEngine(stip.store, stip.settings, load_catalog(home=stip.settings.home))


def fmt(value: Any) -> str:
    """A figure in a table: thousands separated, two decimals, "—" for none."""
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.2f}"
    return str(value)


@kpi_app.command("list")
def list_kpis(json_out: JsonOption = False) -> None:
    """The KPI catalogue (built-in plus $STIP_HOME/kpis/)."""
    from stip.semantic.catalog import load_catalog

    catalog = load_catalog()
    items: list[dict[str, Any]] = [
        {
            "id": k.id,
            "name_en": k.name.en,
            "name_nl": k.name.nl,
            "unit": k.unit,
            "direction": k.direction.value,
            "roles": list(k.roles),
            "group": k.group,
            "description": k.description.en,
            "description_nl": k.description.nl,
            "formula": k.formula.en,
            "dimensions": list(k.dimensions),
            "target": k.target,
            "amber": k.amber,
            "ceiling": k.ceiling,
            "min_n": k.min_n,
            "default_period": k.default_period,
            "has_actions": k.has_actions,
        }
        for k in catalog
    ]
    if json_out:
        _print_json({"kpis": items})
        return
    # The id is what a user copies, so it is never cut; the names wrap, nothing is cut off,
    # and the rest of each definition (direction, roles, group, ...) is in --json.
    table = Table()
    table.add_column("id", no_wrap=True)
    for column in ("name", "naam", "unit", "actions"):
        table.add_column(column, overflow="fold")
    for item in items:
        table.add_row(
            item["id"],
            item["name_en"],
            item["name_nl"],
            item["unit"],
            "yes" if item["has_actions"] else "",
        )
    rich_console().print(table)


@kpi_app.command("values")
def values(
    kpi_id: Annotated[str, typer.Argument(help="KPI id (see `stip kpi list`).")],
    period: PeriodOption = None,
    by: Annotated[
        str | None, typer.Option("--by", help="resource, company, queue, priority or team.")
    ] = None,
    as_of: AsOfOption = None,
    json_out: JsonOption = False,
    db: DbOption = None,
) -> None:
    """A KPI's value for a period, optionally split by a dimension."""
    result = kpi_engine(db).values(kpi_id, period, by=by, as_of=as_of)
    if json_out:
        _print_json(result.to_json())
        return
    kpi = result.kpi
    title = (
        f"{kpi.name.en} ({kpi.unit}) — {result.period.start:%Y-%m-%d %H:%M} .. "
        f"{result.period.end:%Y-%m-%d %H:%M}, as of {result.as_of:%Y-%m-%d %H:%M %z}"
    )
    table = Table(title=title)
    if by:
        table.add_column(f"{by}_id")
        table.add_column(by)
    for column in ("value", "n", "target", "status"):
        table.add_column(column, justify="right" if column != "status" else "left")
    for row in result.rows:
        dims = [fmt(row.by.get(f"{by}_id")), fmt(row.by.get(by))] if by else []
        value = "no data" if result.no_data else fmt(row.value)
        table.add_row(*dims, value, str(row.n), fmt(row.target), row.status)
    rich_console().print(table)


@kpi_app.command("actions")
def actions(
    kpi_id: Annotated[str, typer.Argument(help="KPI id (see `stip kpi list`).")],
    period: PeriodOption = None,
    as_of: AsOfOption = None,
    json_out: JsonOption = False,
    db: DbOption = None,
) -> None:
    """The records behind a KPI that someone must act on."""
    engine = kpi_engine(db)
    if not engine.catalog.get(kpi_id).has_actions:
        raise QueryError(
            f"KPI {kpi_id} has no action list; `stip kpi list` shows which KPIs have one "
            "(column actions)"
        )
    result = engine.actions(kpi_id, period, as_of=as_of)
    if json_out:
        _print_json(result.to_json())
        return
    table = Table(title=f"{result.kpi.name.en} — as of {result.as_of:%Y-%m-%d %H:%M %z}")
    for column in ("ticket", "person", "what", "why"):
        table.add_column(column)
    for row in result.rows:
        ticket = row.get("ticket_number") or fmt(row.get("ticket_id"))
        table.add_row(ticket, fmt(row.get("person")), row["what"]["en"], row["why"]["en"])
    rich_console().print(table)
    if not result.rows:
        typer.echo("no actions")


@kpi_app.command("validate")
def validate(
    directory: Annotated[
        Path | None, typer.Argument(help="Extra folder of KPI YAML files to check.")
    ] = None,
) -> None:
    """Check all KPI definitions; print every problem as file:line, exit 1 if any."""
    from stip.semantic.catalog import catalog_dirs, validate_dirs

    dirs = catalog_dirs([directory] if directory else [])
    if directory is not None and not directory.is_dir():
        raise DefinitionError(f"{directory}: not a folder of KPI YAML files")
    catalog, issues = validate_dirs(dirs)
    for issue in issues:
        typer.echo(str(issue), err=True)
    if issues:
        raise DefinitionError(f"{len(issues)} problem(s) in the KPI definitions above")
    typer.echo(f"{len(catalog)} KPIs OK")
