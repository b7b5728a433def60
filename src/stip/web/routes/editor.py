"""The goals and deliverables files, edited in the browser by those who may fix them (the
owner and admins): the text as it is on disk, checked exactly as the server reads it before
anything is written, saved whole, with the previous version kept (docs/web.md).

Nothing is written while the text has a mistake (the page names its line) or when the file
changed on disk after the editor read it (someone else's edit is never overwritten).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from stip.accounts.users import User
from stip.deliverables import loader as deliverables_loader
from stip.errors import DefinitionError
from stip.filesource import EditConflict, FileSource
from stip.goals import loader as goals_loader
from stip.web.deps import CurrentUser, State, language, require_csrf
from stip.web.errors import Forbidden
from stip.web.filesource import may_fix
from stip.web.i18n import gettext_for
from stip.web.state import WebState
from stip.web.templating import render

router = APIRouter()
log = logging.getLogger("stip.web.editor")


@dataclass(frozen=True)
class Editable:
    """A definitions file the browser can edit, and where its page and docs are."""

    kind: str
    title: str  # the editor's heading (a message id)
    source: Callable[[WebState], FileSource[Any, Any]]
    starter: Callable[[WebState], str]
    counted: Callable[[Any], tuple[str, int]]  # the checked file's "%d goals" message and count


def _today(state: WebState) -> Any:
    return datetime.now(state.stip.settings.tz).date()


def _first_client(state: WebState) -> tuple[int, str] | None:
    clients = state.people.clients()
    return (clients[0].id, clients[0].name) if clients else None


EDITABLE = {
    "goals": Editable(
        "goals",
        "Edit the goals",
        lambda state: state.goals,
        lambda state: goals_loader.starter(_today(state)),
        lambda goals: ("%(n)s goals, no mistakes.", len(goals.goals)),
    ),
    "deliverables": Editable(
        "deliverables",
        "Edit the deliverables",
        lambda state: state.deliverables,
        lambda state: deliverables_loader.starter(_today(state), _first_client(state)),
        lambda agreed: ("%(n)s agreements, no mistakes.", len(agreed.agreements)),
    ),
}


def _editor(user: User, kind: str) -> Editable:
    if not may_fix(user):
        raise Forbidden(f"only the owner and admins may edit the {kind} file")
    return EDITABLE[kind]


def _page(
    request: Request,
    state: WebState,
    editable: Editable,
    text: str,
    seen: str,
    *,
    error: str = "",
    notice: str = "",
    status_code: int = 200,
) -> Response:
    source = editable.source(state)
    line = _error_line(error, str(source.path))
    lines = text.splitlines()
    view = {
        "line": line,
        "line_text": lines[line - 1] if line and line <= len(lines) else "",
        "kind": editable.kind,
        "title": gettext_for(language(request))(editable.title),
        "path": str(source.path),
        "text": text,
        "seen": seen,
        "error": error,
        "notice": notice,
        "new": not seen,
    }
    return render(request, "edit_file.html", {"view": view}, status_code=status_code)


def _error_line(error: str, path: str) -> int | None:
    """The line a mistake names (`path:LINE: ...`), for the page to show and jump to."""
    found = re.match(re.escape(path) + r":(\d+):", error)
    return int(found.group(1)) if found else None


def _checked(request: Request, editable: Editable, definitions: Any) -> str:
    message, count = editable.counted(definitions)
    return gettext_for(language(request))(message) % {"n": count}


def _show(request: Request, state: WebState, user: User, kind: str) -> Response:
    editable = _editor(user, kind)
    source = editable.source(state)
    _ = gettext_for(language(request))
    text, seen = source.text(), source.digest()
    if text is None:
        return _page(request, state, editable, editable.starter(state), "")
    notice = _("Saved. The previous version is kept in the history folder beside it.")
    saved = request.query_params.get("saved") == "1"
    try:
        checked = _checked(request, editable, source.check(text))
    except DefinitionError as exc:  # the file in force has a mistake: say so at once
        return _page(request, state, editable, text, seen, error=str(exc))
    return _page(request, state, editable, text, seen, notice=notice if saved else checked)


def _change(
    request: Request, state: WebState, user: User, kind: str, text: str, seen: str, action: str
) -> Response:
    editable = _editor(user, kind)
    source = editable.source(state)
    try:
        if action != "save":
            notice = _checked(request, editable, source.check(text))
            return _page(request, state, editable, text, seen, notice=notice)
        _, kept = source.save(text, seen)
    except DefinitionError as exc:
        return _page(request, state, editable, text, seen, error=str(exc), status_code=400)
    except EditConflict as exc:
        return _page(request, state, editable, text, seen, error=str(exc), status_code=409)
    log.info("%s file saved by %s; previous version: %s", kind, user.username, kept or "none")
    return RedirectResponse(f"/{kind}/edit?saved=1", status_code=303)


Text = Annotated[str, Form()]


@router.get("/goals/edit", include_in_schema=False)
def edit_goals(request: Request, state: State, user: CurrentUser) -> Response:
    return _show(request, state, user, "goals")


@router.post("/goals/edit", include_in_schema=False, dependencies=[Depends(require_csrf)])
def save_goals(
    request: Request, state: State, user: CurrentUser, text: Text, seen: Text = "",
    action: Text = "check",
) -> Response:  # fmt: skip
    return _change(request, state, user, "goals", text, seen, action)


@router.get("/deliverables/edit", include_in_schema=False)
def edit_deliverables(request: Request, state: State, user: CurrentUser) -> Response:
    return _show(request, state, user, "deliverables")


@router.post("/deliverables/edit", include_in_schema=False, dependencies=[Depends(require_csrf)])
def save_deliverables(
    request: Request, state: State, user: CurrentUser, text: Text, seen: Text = "",
    action: Text = "check",
) -> Response:  # fmt: skip
    return _change(request, state, user, "deliverables", text, seen, action)
