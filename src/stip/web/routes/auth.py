"""Login, logout, language switch, and the landing redirect."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from stip.accounts import roles
from stip.accounts.sessions import end_session, start_session
from stip.accounts.users import set_language
from stip.web import i18n
from stip.web.deps import OptionalUser, State, language, require_csrf
from stip.web.templating import render

router = APIRouter()


def safe_next(target: str | None, fallback: str = "/") -> str:
    """Only same-site relative paths, never `//host` or `/\\host` (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return fallback
    return target


@router.get("/", include_in_schema=False)
def home(request: Request, user: OptionalUser) -> Response:
    if user is None:
        return RedirectResponse("/login", status_code=303)
    return RedirectResponse(f"/d/{roles.home_dashboard(user.role)}", status_code=303)


@router.get("/login", include_in_schema=False)
def login_page(request: Request, user: OptionalUser, next: str = "/") -> Response:
    if user is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return render(request, "login.html", {"next": safe_next(next), "error": "", "username": ""})


@router.post("/login", include_in_schema=False, dependencies=[Depends(require_csrf)])
def login(
    request: Request,
    state: State,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/",
) -> Response:
    _ = i18n.gettext_for(language(request))
    ip = request.client.host if request.client else "?"
    if state.limiter.blocked(username, ip):
        return render(
            request,
            "login.html",
            {
                "next": safe_next(next),
                "username": username,
                "error": _("Too many failed attempts; wait a few minutes and try again."),
            },
            status_code=429,
        )
    user = None
    for authenticator in state.authenticators:
        user = authenticator.authenticate(username, password)
        if user is not None:
            break
    if user is None:
        state.limiter.failed(username, ip)
        return render(
            request,
            "login.html",
            {
                "next": safe_next(next),
                "username": username,
                "error": _("Unknown user name or wrong password."),
            },
            status_code=401,
        )
    state.limiter.succeeded(username, ip)
    lang = request.session.get("lang")
    request.session.clear()
    session_id = start_session(state.accounts, user.id)
    request.session.update({"uid": user.id, "sid": session_id, "csrf": secrets.token_urlsafe(32)})
    if lang and not user.language:
        set_language(state.accounts, user.id, str(lang))
    target = safe_next(next, "/")
    return RedirectResponse(target, status_code=303)


@router.post("/logout", include_in_schema=False, dependencies=[Depends(require_csrf)])
def logout(request: Request, state: State) -> Response:
    session_id = request.session.get("sid")
    if isinstance(session_id, str):
        end_session(state.accounts, session_id)  # also a copy of the cookie stops working
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


@router.post("/lang", include_in_schema=False, dependencies=[Depends(require_csrf)])
def switch_language(
    request: Request,
    state: State,
    user: OptionalUser,
    lang: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/",
) -> Response:
    chosen = i18n.normalize(lang) or i18n.DEFAULT_LANGUAGE
    request.session["lang"] = chosen
    if user is not None:
        set_language(state.accounts, user.id, chosen)
    return RedirectResponse(safe_next(next), status_code=303)
