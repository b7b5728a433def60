"""The goals, the deliverables and the KPI target overrides, edited in the browser by those who
may fix them (the owner and admins): the text as it is on disk, checked exactly as the server
reads it before anything is written, saved whole, with the previous version kept.

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
from stip.filesource import EditableFile, EditConflict
from stip.goals import loader as goals_loader
from stip.semantic.catalog import check_in_folder, targets_file, targets_starter
from stip.web.deps import CurrentUser, State, language, require_csrf
from stip.web.errors import Forbidden
from stip.web.filesource import may_fix
from stip.web.i18n import Gettext, gettext_for
from stip.web.state import WebState
from stip.web.templating import render

router = APIRouter()
log = logging.getLogger("stip.web.editor")


@dataclass(frozen=True)
class Editable:
    """A definitions file the browser can edit, and where its page and docs are."""

    kind: str  # the file's name without .yaml, also in messages
    url: str  # the editor's path
    page: str  # the page that shows the file's result
    docs: str
    title: str  # the editor's heading (a message id)
    file: Callable[[WebState], EditableFile]
    starter: Callable[[WebState, Gettext], str]  # a first file, in the reader's language
    counted: Callable[[Any], tuple[str, int]]  # what a check without mistakes says, and n


def _today(state: WebState) -> Any:
    return datetime.now(state.stip.settings.tz).date()


def _first_client(state: WebState) -> tuple[int, str] | None:
    clients = state.people.clients()
    return (clients[0].id, clients[0].name) if clients else None


def _targets(state: WebState) -> EditableFile:
    home = state.stip.settings.home
    folder = home / "kpis"
    return EditableFile(targets_file(home), lambda path: check_in_folder(path, folder), home)


EDITABLE = [
    Editable(
        "goals",
        "/goals/edit",
        "/goals",
        "docs/goals.md",
        "Edit the goals",
        lambda state: state.goals.editable(),
        lambda state, _: goals_loader.starter(_today(state), _),
        lambda goals: ("No mistakes. Goals: %(n)s.", len(goals.goals)),
    ),
    Editable(
        "deliverables",
        "/deliverables/edit",
        "/deliverables",
        "docs/deliverables.md",
        "Edit the deliverables",
        lambda state: state.deliverables.editable(),
        lambda state, _: deliverables_loader.starter(_today(state), _first_client(state), _),
        lambda agreed: ("No mistakes. Agreements: %(n)s.", len(agreed.agreements)),
    ),
    Editable(
        "targets",
        "/targets/edit",
        "/",
        "docs/kpi-authoring.md",
        "Edit the KPI targets",
        _targets,
        lambda state, _: targets_starter(_),
        lambda count: ("No mistakes. KPIs with targets of your own: %(n)s.", count),
    ),
]


def _allowed(user: User, editable: Editable) -> None:
    if not may_fix(user):
        raise Forbidden(f"only the owner and admins may edit the {editable.kind} file")


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
    file = editable.file(state)
    line = _error_line(error, str(file.path))
    lines = text.splitlines()
    view = {
        "line": line,
        "line_text": lines[line - 1] if line and line <= len(lines) else "",
        "kind": editable.kind,
        "url": editable.url,
        "page": editable.page,
        "docs": editable.docs,
        "title": gettext_for(language(request))(editable.title),
        "path": str(file.path),
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


def _show(request: Request, state: WebState, user: User, editable: Editable) -> Response:
    _allowed(user, editable)
    file = editable.file(state)
    _ = gettext_for(language(request))
    text, seen = file.text(), file.digest()
    if text is None:
        return _page(request, state, editable, editable.starter(state, _), "")
    notice = _("Saved. The previous version is kept in the history folder of the Stip folder.")
    saved = request.query_params.get("saved") == "1"
    try:
        checked = _checked(request, editable, file.check(text))
    except DefinitionError as exc:  # the file in force has a mistake: say so at once
        return _page(request, state, editable, text, seen, error=str(exc))
    return _page(request, state, editable, text, seen, notice=notice if saved else checked)


def _change(
    request: Request,
    state: WebState,
    user: User,
    editable: Editable,
    edit: tuple[str, str, str],
) -> Response:
    """`edit`: the text, the fingerprint of the file the editor read, and check or save."""
    _allowed(user, editable)
    text, seen, action = edit
    file = editable.file(state)
    try:
        if action != "save":
            notice = _checked(request, editable, file.check(text))
            return _page(request, state, editable, text, seen, notice=notice)
        _, kept = file.save(text, seen)
    except DefinitionError as exc:
        return _page(request, state, editable, text, seen, error=str(exc), status_code=400)
    except EditConflict as exc:
        return _page(request, state, editable, text, seen, error=str(exc), status_code=409)
    log.info("%s file saved by %s; previous version: %s", editable.kind, user.username, kept)
    return RedirectResponse(f"{editable.url}?saved=1", status_code=303)


Text = Annotated[str, Form()]


def _add_routes(editable: Editable) -> None:
    def show(request: Request, state: State, user: CurrentUser) -> Response:
        return _show(request, state, user, editable)

    def change(
        request: Request, state: State, user: CurrentUser, text: Text, seen: Text = "",
        action: Text = "check",
    ) -> Response:  # fmt: skip
        return _change(request, state, user, editable, (text, seen, action))

    router.add_api_route(editable.url, show, methods=["GET"], include_in_schema=False)
    router.add_api_route(
        editable.url,
        change,
        methods=["POST"],
        include_in_schema=False,
        dependencies=[Depends(require_csrf)],
    )


for _editable in EDITABLE:
    _add_routes(_editable)
