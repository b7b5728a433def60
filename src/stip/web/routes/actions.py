"""Action pages: my actions today, team actions, item buttons, the meeting page, deliveries.

Buttons are plain forms carrying the session's CSRF token; with htmx they swap just the item
(`HX-Request`), without JavaScript they post and redirect back.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any
from urllib.parse import parse_qs, urlsplit

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from stip.accounts import roles
from stip.accounts.users import User
from stip.actions.closed_loop import CLOSED_LOOP_KPIS, closed_loop_values
from stip.actions.export import list_json
from stip.actions.items import Item, ItemStore, item_store
from stip.actions.labels import labels
from stip.actions.meeting import build_agenda
from stip.actions.meeting_pdf import agenda_pdf
from stip.actions.people import Directory, load_directory
from stip.actions.selectors import money_rules
from stip.notify.cycle import outbox_for
from stip.semantic.business_hours import BusinessCalendar
from stip.semantic.periods import parse_as_of
from stip.web import formatting
from stip.web.deps import AdminUser, ApiUser, CurrentUser, RowId, State, language, require_csrf
from stip.web.errors import BadRequest, Forbidden, NotFound
from stip.web.formatting import unit_text
from stip.web.routes.goals import statement_view
from stip.web.state import WebState
from stip.web.templating import render, render_string

router = APIRouter()
ACTIONS = ("acknowledge", "done", "snooze", "dismiss")


def _now() -> datetime:
    return datetime.now(UTC)


def _store(state: WebState) -> ItemStore:
    return item_store(state.stip.settings)


def _directory(state: WebState) -> Directory:
    with state.stip.store.read() as con:
        return load_directory(con, {})


def _for_role(items: list[Item], state: WebState, user: User) -> list[Item]:
    """Leave out the items that show client money when the user's role may not see money."""
    if roles.can_see_money(user.role):
        return items
    hidden = money_rules(state.stip.settings.home)
    return [item for item in items if item.rule not in hidden]


def is_mine(item: Item, user: User) -> bool:
    if user.resource_id is not None and item.person_id == user.resource_id:
        return True
    return item.person_id is None and item.person == user.username


def may_act(item: Item, user: User) -> bool:
    return is_mine(item, user) or roles.can_act_for_others(user.role)


def _view(item: Item, state: WebState, user: User, lang: str, now: datetime) -> dict[str, Any]:
    tz = state.stip.settings.tz
    return {
        "id": item.id,
        "rule": item.rule,
        "status": item.status,
        "person": item.person or "-",
        "urgent": item.urgent,
        "title": item.title.get(lang) or item.title["en"],
        "why": item.why.get(lang) or item.why["en"],
        "todo": item.todo.get(lang) or item.todo["en"],
        "due": item.due_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
        "overdue": item.due_at < now,
        "acknowledged": item.acknowledged_at is not None,
        "live": item.status in ("open", "snoozed"),
        "actionable": may_act(item, user),
        "ticket_id": item.ticket_id,
    }


def loop_tiles(values: dict[str, Any], lang: str) -> list[dict[str, Any]]:
    """The closed-loop figures as the page shows them, in its language (`5,8` in Dutch)."""
    tiles = []
    for kpi in CLOSED_LOOP_KPIS:
        value, unit = values.get(kpi["id"]), kpi["unit"]
        tiles.append(
            {
                "id": kpi["id"],
                "title": kpi["title"][lang],
                "value": formatting.number(value, unit, lang),
                "unit": "" if value is None or unit == "count" else unit_text(unit, lang),
            }
        )
    return tiles


@router.get("/api/v1/actions")
def api_actions(user: ApiUser, state: State, person: str | None = None) -> dict[str, Any]:
    """Open action items in the shape of `stip actions list --json`; engineers get their own."""
    now = _now()
    items = _for_role(_store(state).items(now), state, user)
    if not roles.can_see_others(user.role):
        items = [i for i in items if is_mine(i, user)]
    if person is not None:
        items = [i for i in items if (i.person or "").casefold() == person.casefold()]
    return list_json(items, now, state.stip.settings.tz)


@router.get("/actions", include_in_schema=False)
def actions_home(user: CurrentUser) -> Response:
    return RedirectResponse("/actions/me", status_code=303)


@router.get("/actions/me", include_in_schema=False)
def my_actions(request: Request, state: State, user: CurrentUser) -> Response:
    lang = language(request)
    now = _now()
    items = [i for i in _for_role(_store(state).items(now), state, user) if is_mine(i, user)]
    return render(
        request,
        "actions/me.html",
        {
            "L": labels(lang),
            "items": [_view(i, state, user, lang, now) for i in items],
            "loop": _my_loop(state, user, lang, now),
            "back": "/actions/me",
        },
    )


def _my_loop(state: WebState, user: User, lang: str, now: datetime) -> list[dict[str, Any]]:
    """This week's closed-loop figures of the user's own items (by resource, else by name)."""
    if user.resource_id is not None:
        values = closed_loop_values(state.stip, "this-week", now, [user.resource_id])
    else:
        values = closed_loop_values(state.stip, "this-week", now, person_name=user.username)
    return loop_tiles(values, lang)


def _team(state: WebState, user: User, team: int | None) -> tuple[Directory, int | None]:
    """The people directory and the team a team page shows (asked for, else the user's)."""
    directory = _directory(state)
    team_id = _team_of(user, directory, team)
    if team_id is not None and team_id not in directory.team_names:
        raise NotFound(f"no team {team_id}")
    return directory, team_id


def _team_loop(
    state: WebState, lang: str, now: datetime, directory: Directory, team_id: int | None
) -> list[dict[str, Any]]:
    """This week's closed-loop figures of a team: its members and its lead."""
    people = sorted(_team_people(directory, team_id))
    return loop_tiles(closed_loop_values(state.stip, "this-week", now, people), lang)


def _team_people(directory: Directory, team_id: int | None) -> set[int]:
    if team_id is None:
        return set()
    lead = directory.leads.get(team_id)
    return set(directory.members(team_id)) | ({lead} if lead is not None else set())


def _team_of(user: User, directory: Directory, team: int | None) -> int | None:
    if team is not None:
        return team
    if user.resource_id is not None:
        for team_id, lead in directory.leads.items():
            if lead == user.resource_id:
                return team_id
        return directory.team_of.get(user.resource_id)
    return min(directory.team_names) if directory.team_names else None


@router.get("/actions/team", include_in_schema=False)
def team_actions(
    request: Request, state: State, user: CurrentUser, team: int | None = None
) -> Response:
    if not roles.can_see_others(user.role):
        raise Forbidden("team actions are for team leads and managers")
    lang = language(request)
    now = _now()
    directory, team_id = _team(state, user, team)
    people = _team_people(directory, team_id)
    items = [i for i in _for_role(_store(state).items(now), state, user) if i.person_id in people]
    groups: dict[str, list[dict[str, Any]]] = {}
    for item in items:
        groups.setdefault(item.person or "-", []).append(_view(item, state, user, lang, now))
    return render(
        request,
        "actions/team.html",
        {
            "L": labels(lang),
            "groups": sorted(groups.items()),
            "loop": _team_loop(state, lang, now, directory, team_id),
            "team_id": team_id,
            "team_name": directory.team_names.get(team_id or -1, "-"),
            "teams": sorted(directory.team_names.items()),
            "back": f"/actions/team?team={team_id}",
        },
    )


@router.post(
    "/actions/{item_id}/{action}", include_in_schema=False, dependencies=[Depends(require_csrf)]
)
def act(
    request: Request,
    item_id: RowId,
    action: str,
    state: State,
    user: CurrentUser,
    reason: Annotated[str, Form()] = "",
    back: Annotated[str, Form()] = "/actions/me",
) -> Response:
    if action not in ACTIONS:
        raise NotFound(f"no action '{action}'")
    store = _store(state)
    try:
        item = store.get(item_id)
    except Exception as exc:  # noqa: BLE001 - the store names the missing id
        raise NotFound(str(exc)) from None
    if not _for_role([item], state, user):  # hidden from the role: not even its existence
        raise NotFound(f"action item {item_id} does not exist; see `stip actions list`")
    if not may_act(item, user):
        raise Forbidden("this action item is not yours")
    now = _now()
    if action == "acknowledge":
        item = store.acknowledge(item_id, now, user.username)
    elif action == "done":
        item = store.done(item_id, now, user.username)
    elif action == "snooze":
        until = BusinessCalendar(state.stip.settings).add_business_hours(now, 9)
        item = store.snooze(item_id, until, now, user.username)
    else:
        if not reason.strip():
            raise BadRequest("dismissing needs a reason: say why no action is needed")
        item = store.dismiss(item_id, reason, now, user.username)
    if request.headers.get("hx-request"):
        lang = language(request)
        html = render_string(
            request,
            "actions/_item.html",
            {
                "L": labels(lang),
                "item": _view(item, state, user, lang, now),
                "back": back,
            },
        )
        # the page's closed-loop figures change with the item: sent along, swapped out of band
        loop = None
        if back == "/actions/me":
            loop = _my_loop(state, user, lang, now)
        elif back.startswith("/actions/team") and roles.can_see_others(user.role):
            directory, team_id = _team(state, user, _team_param(back))
            loop = _team_loop(state, lang, now, directory, team_id)
        if loop is not None:
            html += render_string(
                request, "actions/_loop.html", {"L": labels(lang), "loop": loop, "oob": True}
            )
        return Response(html, media_type="text/html")
    target = back if back.startswith("/actions") else "/actions/me"
    return RedirectResponse(target, status_code=303)


def _team_param(back: str) -> int | None:
    """The team of a `/actions/team?team=N` address (None when it names none)."""
    values = parse_qs(urlsplit(back).query).get("team", [])
    return int(values[0]) if values and values[0].isdigit() else None


def _meeting_allowed(user: User) -> None:
    if user.role not in (roles.TEAMLEAD, roles.SERVICE_MANAGER, roles.OWNER, roles.ADMIN):
        raise Forbidden("the team meeting is for team leads and managers")


@router.get("/meeting/{team_id}", include_in_schema=False)
def meeting_page(
    request: Request, team_id: RowId, state: State, user: CurrentUser, as_of: str | None = None
) -> Response:
    _meeting_allowed(user)
    lang = language(request)
    if team_id not in _directory(state).team_names:
        raise NotFound(f"no team {team_id}")
    when = parse_as_of(as_of, state.stip.settings.tz)
    agenda = build_agenda(state.stip, team_id, when, money=roles.can_see_money(user.role))
    return render(
        request,
        "actions/meeting.html",
        {
            "L": labels(lang),
            "agenda": agenda,
            "title": agenda.title(lang),
            "clarity": statement_view(state, lang),
        },
    )


@router.get("/meeting/{team_id}/agenda.pdf", include_in_schema=False)
def meeting_pdf(
    request: Request, team_id: RowId, state: State, user: CurrentUser, as_of: str | None = None
) -> Response:
    _meeting_allowed(user)
    if team_id not in _directory(state).team_names:
        raise NotFound(f"no team {team_id}")
    when = parse_as_of(as_of, state.stip.settings.tz)
    agenda = build_agenda(state.stip, team_id, when, money=roles.can_see_money(user.role))
    lang = language(request)
    return Response(
        agenda_pdf(agenda, lang, statement_view(state, lang)),
        media_type="application/pdf",
        headers={"content-disposition": f'inline; filename="agenda-{team_id}.pdf"'},
    )


@router.get("/admin/deliveries", include_in_schema=False)
def deliveries_page(request: Request, state: State, user: AdminUser, status: str = "") -> Response:
    if status not in ("", "pending", "sent", "failed", "cancelled"):
        raise BadRequest("status must be pending, sent, failed or cancelled")
    lang = language(request)
    outbox = outbox_for(state.stip)
    tz = state.stip.settings.tz
    rows = []
    for row in outbox.rows(status or None):
        rows.append(
            {
                **row,
                "next": row["next_attempt_at"].astimezone(tz).strftime("%Y-%m-%d %H:%M"),
                "created": row["created_at"].astimezone(tz).strftime("%Y-%m-%d %H:%M"),
            }
        )
    return render(
        request,
        "actions/deliveries.html",
        {
            "L": labels(lang),
            "rows": rows,
            "counts": outbox.counts(),
            "status": status,
        },
    )


@router.post(
    "/admin/deliveries/{delivery_id}/retry",
    include_in_schema=False,
    dependencies=[Depends(require_csrf)],
)
def retry_delivery(delivery_id: RowId, state: State, user: AdminUser) -> Response:
    outbox_for(state.stip).retry(delivery_id, _now() - timedelta(seconds=1))
    return RedirectResponse("/admin/deliveries", status_code=303)
