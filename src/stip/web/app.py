"""The app factory: `create_app(stip) -> FastAPI`. No work happens at import time."""

from __future__ import annotations

import importlib
import importlib.util
import logging
from importlib import resources
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

from stip.accounts.auth import LocalPasswordAuthenticator
from stip.accounts.secret import secret_key
from stip.accounts.users import engine_for
from stip.app import Stip
from stip.dashboards.registry import DashboardRegistry
from stip.deliverables.loader import deliverables_file, load_deliverables
from stip.deliverables.scorecard import scorecards
from stip.errors import QueryError, UserError
from stip.filesource import FileSource
from stip.goals.loader import goals_file, load_goals
from stip.goals.progress import goal_progress
from stip.semantic.catalog import KpiCatalog
from stip.web import i18n
from stip.web.deps import language
from stip.web.errors import LoginRequired, WebError
from stip.web.formatting import error_text
from stip.web.kpidata import KpiData
from stip.web.people import Directory
from stip.web.recent import RecentViews
from stip.web.routes import (
    admin,
    api,
    auth,
    clients,
    dashboards,
    deliverables,
    docs,
    editor,
    goals,
    kpis,
    pricing,
    sync_status,
)
from stip.web.security import SecurityHeadersMiddleware
from stip.web.state import WebState
from stip.web.templating import render

log = logging.getLogger("stip.web")
STATIC_DIR = Path(str(resources.files("stip") / "web" / "static"))
SESSION_COOKIE = "stip_session"
SESSION_MAX_AGE = 12 * 3600
ACTIONS_ROUTER = "stip.web.routes.actions"


def build_state(stip: Stip) -> WebState:
    accounts = engine_for(stip.settings)
    kpi_data = KpiData(stip)
    home = stip.settings.home

    def catalog() -> KpiCatalog:
        return kpi_data.catalog

    return WebState(
        stip=stip,
        accounts=accounts,
        secret=secret_key(stip.settings),
        dashboards=DashboardRegistry(stip.settings.home / "dashboards", kpi_data.kpi_ids),
        kpis=kpi_data,
        people=Directory(stip.store),
        authenticators=[LocalPasswordAuthenticator(accounts)],
        recent=RecentViews(limit=stip.settings.warm_scoped_views),
        goals=FileSource(goals_file(home), catalog, load_goals, goal_progress),
        deliverables=FileSource(deliverables_file(home), catalog, load_deliverables, scorecards),
    )


def create_app(stip: Stip) -> FastAPI:
    state = build_state(stip)
    app = FastAPI(
        title="Stip API",
        version="1",
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.web = state
    app.include_router(auth.router)
    app.include_router(dashboards.router)
    app.include_router(kpis.router)
    app.include_router(clients.router)
    app.include_router(pricing.router)
    app.include_router(editor.router)
    app.include_router(goals.router)
    app.include_router(deliverables.router)
    app.include_router(admin.router)
    app.include_router(sync_status.router)
    app.include_router(api.router)
    app.include_router(docs.router)
    if importlib.util.find_spec(ACTIONS_ROUTER) is not None:
        app.include_router(importlib.import_module(ACTIONS_ROUTER).router)
        state.has_actions_page = True
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    _install_error_handlers(app)
    app.add_middleware(
        SessionMiddleware,
        secret_key=state.secret,
        session_cookie=SESSION_COOKIE,
        max_age=SESSION_MAX_AGE,
        same_site="lax",
        https_only=stip.settings.base_url.startswith("https://"),
    )
    app.add_middleware(SecurityHeadersMiddleware)
    return app


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") and request.url.path != "/api/docs"


_HEADINGS = {
    400: "Bad request",
    401: "Please log in",
    403: "Not allowed",
    404: "Not found",
    429: "Too many attempts",
    500: "Something went wrong",
}


def _error(request: Request, status: int, message: str) -> Response:
    if _wants_json(request):
        headers = {"www-authenticate": "Bearer"} if status == 401 else None
        return JSONResponse(
            {"error": message, "status": status}, status_code=status, headers=headers
        )
    lang = language(request)
    _ = i18n.gettext_for(lang)
    return render(
        request,
        "error.html",
        {"heading": _(_HEADINGS.get(status, "Error")), "message": error_text(message, lang)},
        status_code=status,
    )


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(WebError)
    async def web_error(request: Request, exc: WebError) -> Response:
        if request.headers.get("hx-request") == "true":
            # an htmx refresh (TV grid) whose session ended or whose share link was revoked:
            # reload the whole page, which then shows the login or the error
            return Response(status_code=exc.status, headers={"HX-Refresh": "true"})
        if isinstance(exc, LoginRequired) and not _wants_json(request):
            from urllib.parse import quote

            return RedirectResponse("/login?next=" + quote(exc.message, safe="/"), status_code=303)
        return _error(request, exc.status, exc.message)

    @app.exception_handler(QueryError)
    async def query_error(request: Request, exc: QueryError) -> Response:
        status = 404 if str(exc).startswith("unknown KPI") else 400
        return _error(request, status, str(exc))

    @app.exception_handler(UserError)
    async def user_error(request: Request, exc: UserError) -> Response:
        return _error(request, 400, str(exc))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()))
        return _error(request, 400, f"{where}: {first.get('msg', 'invalid request')}")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        return _error(request, exc.status_code, str(exc.detail))

    @app.exception_handler(Exception)
    async def internal_error(request: Request, exc: Exception) -> Response:
        log.exception("internal error on %s", request.url.path)
        return _error(request, 500, "internal error; the details are in the server log")
