"""`stip goals` commands: where each goal stands (show) and a check of the goals file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table
from rich.text import Text

from stip.cli.kpi import fmt, kpi_engine
from stip.cli.options import AsOfOption, DbOption, JsonOption, definition_file, load, rich_console

if TYPE_CHECKING:
    from stip.goals.progress import GoalsProgress, Step

goals_app = typer.Typer(
    help="Goals: the dot on the horizon, cascaded to this year, quarter, month, week and day.",
    no_args_is_help=True,
)
FileOption = Annotated[
    Path | None,
    typer.Option("--file", help="Goals file (default: $STIP_HOME/goals.yaml)."),
]
COLOURS = {"green": "green", "amber": "yellow", "red": "red", "none": "dim"}


def register(app: typer.Typer) -> None:
    app.add_typer(goals_app, name="goals")


def _goals_path(file: Path | None, home: Path) -> Path:
    from stip.goals.loader import goals_file

    return definition_file(file, goals_file(home), "goals", "docs/goals.md")


@goals_app.command("show")
def show(
    as_of: AsOfOption = None,
    json_out: JsonOption = False,
    file: FileOption = None,
    db: DbOption = None,
) -> None:
    """Each goal's milestones this year, quarter, month, week and day against the KPI."""
    from stip.goals.loader import load_goals
    from stip.goals.progress import LEVELS, goal_progress

    engine = kpi_engine(db)
    goals = load_goals(_goals_path(file, engine.settings.home), engine.catalog)
    progress = goal_progress(engine, goals, engine.as_of(as_of))
    if json_out:
        typer.echo(json.dumps(progress.to_json(), ensure_ascii=False, indent=2))
        return
    _print_clarity(progress)
    title = (
        f"{goals.horizon.statement.en} (by {goals.horizon.by}) — as of "
        f"{progress.as_of:%Y-%m-%d %H:%M %z}; cells: value / expected by now"
    )
    table = Table(title=title)
    table.add_column("goal", overflow="fold")
    table.add_column("target", justify="right")
    for level in LEVELS:
        table.add_column(level, justify="right")
    for node in progress.goals:
        indent = "  " * node.depth
        name = (node.goal.title or node.kpi.name).en
        target = f"{fmt(node.goal.target)} {node.kpi.unit}"
        if node.goal.per:
            target += f" per {node.goal.per}"
        if node.goal.split:
            target += f", each {node.goal.split}"
        table.add_row(
            Text(f"{indent}{name} [{node.status}]", style=COLOURS[node.status]),
            f"{target} by {node.end}",
            *(_cell(step) for step in node.steps),
        )
        for member in node.members:
            table.add_row(
                Text(f"{indent}  · {member.name}", style=COLOURS[member.status]),
                "",
                *(_cell(step) for step in member.steps),
            )
    rich_console().print(table)
    counts = progress.summary()
    typer.echo(
        f"{len(progress.goals)} goals this quarter: {counts['green']} on track, "
        f"{counts['amber']} nearly, {counts['red']} off track, {counts['none']} unknown"
    )


def _print_clarity(progress: GoalsProgress) -> None:
    """What the company stands for, its guidelines and its core KPIs this month."""
    clarity = progress.file.clarity
    if clarity is None:
        return
    console = rich_console()
    console.print(Text(f"What we stand for: {clarity.statement.en}", style="bold"))
    for number, rule in enumerate(clarity.guidelines, 1):
        console.print(f"  {number}. {rule.en}")
    if not progress.core:
        return
    table = Table(title="Core KPIs, the whole company this month")
    for column, justify in (("KPI", "left"), ("value", "right"), ("target", "right")):
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    from stip.goals.progress import core_json

    for item in map(core_json, progress.core):
        value = "no data" if item["no_data"] else f"{fmt(item['value'])} {item['unit']}"
        table.add_row(
            Text(f"{item['name']['en']} [{item['status']}]", style=COLOURS[item["status"]]),
            value.strip(),
            "" if item["target"] is None else fmt(item["target"]),
        )
    console.print(table)


def _cell(step: Step) -> Text:
    expected = "" if step.expected is None else f" / {fmt(step.expected)}"
    return Text(f"{fmt(step.value)}{expected}", style=COLOURS[step.status])


@goals_app.command("validate")
def validate(
    file: Annotated[
        Path | None, typer.Argument(help="Goals file (default: $STIP_HOME/goals.yaml).")
    ] = None,
) -> None:
    """Check a goals file against the KPI catalogue; exit 1 with file:line if it is wrong."""
    from stip.goals.loader import load_goals
    from stip.semantic.catalog import load_catalog

    home = load().settings.home
    goals = load_goals(_goals_path(file, home), load_catalog(home=home))
    typer.echo(f"{len(goals.goals)} goals OK")
