"""FastAPI dependencies other route modules use: the current user, CSRF check, language.

Use `CurrentUser` (any logged-in user, else redirect to login), `AdminUser`, `OptionalUser`,
`ApiUser` (bearer token) as parameter annotations, and add `dependencies=[Depends(require_csrf)]`
to every state-changing (POST) route.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated

from fastapi import Depends, Path, Request

from stip.accounts import roles
from stip.accounts.sessions import session_user
from stip.accounts.tokens import user_for_token
from stip.accounts.users import User, get_user_by_id
from stip.web import i18n
from stip.web.errors import Forbidden, LoginRequired
from stip.web.state import WebState

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"


def web_state(request: Request) -> WebState:
    state: WebState = request.app.state.web
    return state


def optional_user(request: Request) -> User | None:
    """The logged-in, still active user of this session, or None."""
    if hasattr(request.state, "user"):
        cached: User | None = request.state.user
        return cached
    user = None
    session = request.session if "session" in request.scope else {}
    user_id, session_id = session.get("uid"), session.get("sid")
    if isinstance(user_id, int):
        accounts = web_state(request).accounts
        # a session that ended (logout) or a cookie from before server-side sessions
        ended = not isinstance(session_id, str) or session_user(accounts, session_id) != user_id
        user = None if ended else get_user_by_id(accounts, user_id)
        if user is None or not user.active:
            request.session.pop("uid", None)
            request.session.pop("sid", None)
            user = None
    request.state.user = user
    return user


def current_user(request: Request) -> User:
    user = optional_user(request)
    if user is None:
        raise LoginRequired(
            str(request.url.path) + ("?" + request.url.query if request.url.query else "")
        )
    return user


def admin_user(user: Annotated[User, Depends(current_user)]) -> User:
    if not roles.can_admin(user.role):
        raise Forbidden("administrators only")
    return user


def api_user(request: Request) -> User:
    """The user of a valid `Authorization: Bearer TOKEN` header."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise LoginRequired("missing bearer token: send 'Authorization: Bearer TOKEN'")
    user = user_for_token(web_state(request).accounts, token)
    if user is None:
        raise LoginRequired("invalid or revoked bearer token")
    request.state.user = user
    return user


def csrf_token(request: Request) -> str:
    """This session's CSRF token (created on first use)."""
    if "session" not in request.scope:
        return ""
    token = request.session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


async def require_csrf(request: Request) -> None:
    """Refuse a state change whose form field or header does not carry the session's token."""
    expected = request.session.get("csrf")
    sent = request.headers.get(CSRF_HEADER)
    if sent is None:
        form = await request.form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if not isinstance(expected, str) or not sent or not hmac.compare_digest(expected, sent):
        raise Forbidden("the form has expired or did not come from this site; reload and retry")


def language(request: Request) -> str:
    """`?lang=`, then the user's stored choice, then the session's, then Accept-Language."""
    chosen = i18n.normalize(request.query_params.get("lang"))
    if chosen:
        return chosen
    user = getattr(request.state, "user", None)
    if user is not None and i18n.normalize(user.language):
        return str(i18n.normalize(user.language))
    session = request.session if "session" in request.scope else {}
    session_lang = i18n.normalize(session.get("lang"))
    if session_lang:
        return session_lang
    return i18n.from_accept_language(request.headers.get("accept-language"))


OptionalUser = Annotated[User | None, Depends(optional_user)]
CurrentUser = Annotated[User, Depends(current_user)]
AdminUser = Annotated[User, Depends(admin_user)]
ApiUser = Annotated[User, Depends(api_user)]
State = Annotated[WebState, Depends(web_state)]
# A record id in a path: a 64-bit integer, as the databases store it (a larger one is a
# plain "not valid" answer instead of an overflow deep in the database driver).
RowId = Annotated[int, Path(ge=-(2**63), le=2**63 - 1)]
