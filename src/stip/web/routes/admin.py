"""Admin pages: share links (create, list, revoke) and users (list, disable, enable)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from stip.accounts import shares
from stip.accounts.users import get_user_by_id, list_users, set_active
from stip.deliverables.models import Agreement
from stip.errors import DefinitionError
from stip.web import formatting
from stip.web.deps import AdminUser, RowId, State, language, require_csrf
from stip.web.errors import BadRequest, NotFound
from stip.web.i18n import gettext_for
from stip.web.state import WebState
from stip.web.templating import render

router = APIRouter(prefix="/admin")


@router.get("/shares", include_in_schema=False)
def shares_page(request: Request, state: State, user: AdminUser, created: str = "") -> Response:
    lang = language(request)
    tz = state.stip.settings.tz
    links = shares.list_shares(state.accounts, state.secret)
    dashboards = [{"id": d.id, "title": d.title.get(lang)} for d in state.dashboards.all()]
    agreements = [
        {"id": shares.AGREEMENT + agreement_id, "title": agreement.title.get(lang)}
        for agreement_id, agreement in _agreements(state).items()
    ]
    _ = gettext_for(lang)
    titles = {d["id"]: d["title"] for d in dashboards}
    titles |= {a["id"]: _("Agreement: %s") % a["title"] for a in agreements}
    rows = [
        {
            "link": link,
            "title": titles.get(link.dashboard_id, link.dashboard_id),
            "created": formatting.when(link.created_at, tz, lang),
        }
        for link in reversed(links)
    ]
    shown = created if any(link.path == created for link in links) else ""
    return render(
        request,
        "admin_shares.html",
        {"shares": rows, "dashboards": dashboards, "agreements": agreements, "created": shown},
    )


@router.post("/shares", include_in_schema=False, dependencies=[Depends(require_csrf)])
def create_share(state: State, user: AdminUser, dashboard_id: Annotated[str, Form()]) -> Response:
    agreement = shares.shared_agreement(dashboard_id)
    if agreement is not None and agreement not in _agreements(state):
        raise BadRequest(f"no agreement '{agreement}' in deliverables.yaml")
    if agreement is None and state.dashboards.get(dashboard_id) is None:
        raise BadRequest(f"no dashboard '{dashboard_id}'")
    link = shares.create_share(state.accounts, state.secret, dashboard_id, user.username)
    return RedirectResponse(f"/admin/shares?created={link.path}", status_code=303)


@router.post(
    "/shares/{link_id}/revoke", include_in_schema=False, dependencies=[Depends(require_csrf)]
)
def revoke_share(link_id: str, state: State, user: AdminUser) -> Response:
    if shares.get_share(state.accounts, state.secret, link_id) is None:
        raise NotFound(f"no share link '{link_id}'")
    shares.revoke_share(state.accounts, state.secret, link_id)
    return RedirectResponse("/admin/shares", status_code=303)


@router.get("/users", include_in_schema=False)
def users_page(request: Request, state: State, user: AdminUser) -> Response:
    return render(request, "admin_users.html", {"users": list_users(state.accounts)})


@router.post(
    "/users/{user_id}/{action}", include_in_schema=False, dependencies=[Depends(require_csrf)]
)
def change_user(user_id: RowId, action: str, state: State, user: AdminUser) -> Response:
    if action not in ("disable", "enable"):
        raise NotFound(f"no user action '{action}'")
    target = get_user_by_id(state.accounts, user_id)
    if target is None:
        raise NotFound(f"no user with id {user_id}")
    if target.id == user.id:
        raise BadRequest("you cannot disable your own account")
    set_active(state.accounts, target.username, action == "enable")
    return RedirectResponse("/admin/users", status_code=303)


def _agreements(state: WebState) -> dict[str, Agreement]:
    """The deliverables file's agreements, to share one with its client; none without a
    file or with one that has a mistake (the deliverables page explains that)."""
    try:
        spec = state.deliverables.current()
    except DefinitionError:
        return {}
    return dict(spec.agreements) if spec is not None else {}
