"""`stip user`, `stip token` and `stip share` commands (accounts, API tokens, share links)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from stip.accounts import roles, shares, tokens
from stip.accounts import users as accounts
from stip.accounts.secret import secret_key
from stip.app import Stip
from stip.cli.options import definition_file
from stip.errors import UserError, suggest

user_app = typer.Typer(help="Manage local user accounts.", no_args_is_help=True)
token_app = typer.Typer(help="Manage API bearer tokens.", no_args_is_help=True)
share_app = typer.Typer(help="Manage read-only dashboard share links.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    """Attach this module's commands to the main app."""
    app.add_typer(user_app, name="user")
    app.add_typer(token_app, name="token")
    app.add_typer(share_app, name="share")


def _read_password(password_stdin: bool) -> tuple[str, bool]:
    """The password and whether it was generated (and so must be printed)."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise UserError("--password-stdin: no password on standard input")
        return password, False
    if sys.stdin.isatty():
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
        return password, False
    return accounts.generate_password(), True


@user_app.command("add")
def user_add(
    name: Annotated[str, typer.Argument(help="User name (login).")],
    role: Annotated[str, typer.Option("--role", help=f"One of: {', '.join(roles.ROLES)}.")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
    resource_id: Annotated[
        int | None,
        typer.Option("--resource-id", help="PSA resource id of this person (engineers)."),
    ] = None,
) -> None:
    """Create a user; without --password-stdin prompt for a password, or generate and print one."""
    if not roles.is_role(role):
        raise UserError(f"unknown role '{role}': use one of {', '.join(roles.ROLES)}")
    stip = Stip.load()
    engine = accounts.engine_for(stip.settings)
    if accounts.get_user(engine, name) is not None:
        raise UserError(f"user '{name}' already exists; choose another name")
    password, generated = _read_password(password_stdin)
    user = accounts.add_user(engine, name, role, password, resource_id=resource_id)
    typer.echo(f"created user {user.username} ({user.role})", err=True)
    if generated:
        typer.echo(password)


@user_app.command("list")
def user_list() -> None:
    """List users: name, role, status, linked resource id."""
    engine = accounts.engine_for(Stip.load().settings)
    for user in accounts.list_users(engine):
        status = "active" if user.active else "disabled"
        resource = "" if user.resource_id is None else str(user.resource_id)
        typer.echo(f"{user.username}\t{user.role}\t{status}\t{resource}".rstrip())


@user_app.command("disable")
def user_disable(name: Annotated[str, typer.Argument(help="User name.")]) -> None:
    """Disable a user: their sessions and API tokens stop working."""
    engine = accounts.engine_for(Stip.load().settings)
    user = accounts.set_active(engine, name, False)
    typer.echo(f"disabled user {user.username}", err=True)


@user_app.command("enable")
def user_enable(name: Annotated[str, typer.Argument(help="User name.")]) -> None:
    """Enable a disabled user again (their old tokens stay revoked: create a new one)."""
    engine = accounts.engine_for(Stip.load().settings)
    user = accounts.set_active(engine, name, True)
    typer.echo(f"enabled user {user.username}", err=True)


@token_app.command("create")
def token_create(
    user: Annotated[str, typer.Option("--user", help="The user the token acts as.")],
) -> None:
    """Print a new API bearer token for a user, alone on stdout (only its hash is stored)."""
    engine = accounts.engine_for(Stip.load().settings)
    typer.echo(tokens.create_token(engine, user))


@share_app.command("create")
def share_create(
    dashboard_id: Annotated[
        str,
        typer.Argument(help="The dashboard to share, or agreement:ID for one agreement."),
    ],
) -> None:
    """Print the path of a new read-only share link (a dashboard in TV mode, or one agreement
    of the deliverables file for its client), alone on stdout."""
    from stip.dashboards.registry import registry_for
    from stip.deliverables.loader import deliverables_file, load_deliverables
    from stip.semantic.catalog import load_catalog

    stip = Stip.load()
    agreement = shares.shared_agreement(dashboard_id)
    if agreement is None:
        registry_for(stip).require(dashboard_id)
    else:
        home = stip.settings.home
        path = definition_file(
            None, deliverables_file(home), "deliverables", "docs/deliverables.md"
        )
        known = load_deliverables(path, load_catalog(home=home)).agreements
        if agreement not in known:
            close = suggest(agreement, known)
            raise UserError(
                f"no agreement '{agreement}' in {path}.{close} Known: {', '.join(known)}"
            )
    engine = accounts.engine_for(stip.settings)
    link = shares.create_share(engine, secret_key(stip.settings), dashboard_id, "cli")
    typer.echo(link.path)


@share_app.command("list")
def share_list() -> None:
    """List share links: id, dashboard, status, created, path."""
    stip = Stip.load()
    engine = accounts.engine_for(stip.settings)
    for link in shares.list_shares(engine, secret_key(stip.settings)):
        status = "active" if link.active else "revoked"
        created = link.created_at.strftime("%Y-%m-%d %H:%M")
        typer.echo(f"{link.id}\t{link.dashboard_id}\t{status}\t{created}\t{link.path}")


@share_app.command("revoke")
def share_revoke(
    link_id: Annotated[str, typer.Argument(help="Share link id (`share list`).")],
) -> None:
    """Revoke a share link: its path stops working at once."""
    stip = Stip.load()
    engine = accounts.engine_for(stip.settings)
    shares.revoke_share(engine, secret_key(stip.settings), link_id)
    typer.echo(f"revoked share link {link_id}", err=True)
