"""`stip sync autotask [--full]` and `stip import autotask DIR`."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from stip.cli.options import DbOption, load, rich_console
from stip.errors import ConnectorError, UserError

if TYPE_CHECKING:
    from stip.connectors.autotask.passes import EntityResult
    from stip.connectors.autotask.sync import SyncReport

sync_app = typer.Typer(help="Fetch data from a PSA into the store.", no_args_is_help=True)
import_app = typer.Typer(help="Load saved PSA data (files) into the store.", no_args_is_help=True)


class RichProgress:
    """Per entity: records, requests, and the share of Stip's API budget used so far."""

    def __init__(self, console: Console) -> None:
        self.progress = Progress(
            TextColumn("{task.description:<30}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[requests]} req"),
            TextColumn("budget {task.fields[budget]:.0%}"),
            TimeElapsedColumn(),
            console=console,
            # Redirected stderr is for errors: the bars are drawn only on a terminal.
            disable=not console.is_terminal,
        )
        self._tasks: dict[str, TaskID] = {}
        self._lock = threading.Lock()

    def _task(self, entity: str) -> TaskID:
        with self._lock:
            if entity not in self._tasks:
                self._tasks[entity] = self.progress.add_task(
                    entity, total=None, requests=0, budget=0.0
                )
            return self._tasks[entity]

    def start(self, entity: str, total: int | None) -> None:
        self.progress.update(self._task(entity), total=total)

    def advance(self, entity: str, records: int, requests: int, budget_used: float) -> None:
        self.progress.update(
            self._task(entity), completed=records, requests=requests, budget=budget_used
        )

    def finish(self, entity: str, result: EntityResult) -> None:
        task = self._task(entity)
        label = entity if result.status == "ok" else f"{entity} [red]{result.status}[/red]"
        self.progress.update(
            task,
            description=label,
            total=max(result.records, 1),
            completed=max(result.records, 1) if result.status == "ok" else result.records,
            requests=result.requests,
        )


def _summary(console: Console, report: SyncReport) -> None:
    table = Table(title=f"Autotask sync {report.run_id} ({report.mode}) / synchronisatie")
    for column in (
        "entity / entiteit",
        "mode / modus",
        "records",
        "deleted / verwijderd",
        "requests / verzoeken",
        "status",
    ):
        table.add_column(column)
    for r in report.results:
        table.add_row(r.entity, r.mode, str(r.records), str(r.deleted), str(r.requests), r.status)
    console.print(table)
    console.print(
        f"{report.records} records, {report.requests} requests, {report.seconds:.1f} s, "
        f"API budget used / API-budget gebruikt: {report.budget_used:.0%}"
    )


@sync_app.command("autotask")
def sync_autotask(
    full: Annotated[
        bool, typer.Option("--full", help="Re-read everything, not only changes.")
    ] = False,
    db: DbOption = None,
) -> None:
    """Incremental (or --full) sync from Autotask PSA into the store."""
    from stip.connectors.autotask.sync import run_sync

    stip = load(db)
    display = RichProgress(rich_console(stderr=True))
    with display.progress:
        report = run_sync(stip, full=full, progress=display)
    _summary(rich_console(), report)
    _warn(report.warnings)
    if report.errors:
        raise ConnectorError(
            f"Autotask sync finished with {len(report.errors)} failed entities: {report.message()}"
        )


@import_app.command("autotask")
def import_autotask(
    directory: Annotated[str, typer.Argument(help="Folder with one folder or file per entity.")],
    db: DbOption = None,
) -> None:
    """Load Autotask API responses saved as JSON files (one atomic load)."""
    from stip.connectors.autotask.importer import import_dir
    from stip.connectors.autotask.udfcheck import unfilled_udfs

    if not directory.strip():
        # Path("") would be the current folder: an empty DIR is a mistake, not a request.
        raise UserError("DIR is empty; name the folder that holds the entity files")
    stip = load(db)
    report = import_dir(stip.store, Path(directory), stip.settings.autotask.udf_columns)
    for entity, count in sorted(report.records.items()):
        typer.echo(f"{entity}: {count}")
    typer.echo(
        f"imported {report.total} records, {report.picklist_values} picklist values, "
        f"{report.deleted} deleted tickets from {report.files} files"
    )
    if report.duplicates:
        typer.echo(
            f"{report.duplicates} records appeared more than once; the copy read last was kept"
        )
    _warn(unfilled_udfs(stip.store, stip.settings.autotask.udf_columns))


def _warn(warnings: list[str]) -> None:
    """What the data does not bear out of the settings: on stderr, the command still succeeds."""
    for warning in warnings:
        typer.echo(f"warning: {warning}", err=True)


def register(app: typer.Typer) -> None:
    """Attach this module's commands to the main app."""
    app.add_typer(sync_app, name="sync")
    app.add_typer(import_app, name="import")
