"""Jinja2 rendering with autoescape everywhere, translations and the shared page context.

`render(request, "name.html", context)` gives every template: `request`, `user`, `lang`,
`_` (gettext for the request's language), `csrf_token`, `nav` (dashboards the user may open),
`has_actions_page`, and `languages`. Templates extend `base.html` (block `content`;
`chrome = false` hides the navigation, as TV mode does).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from stip.accounts import roles
from stip.web import i18n
from stip.web.deps import csrf_token, language, web_state

TEMPLATE_DIR = Path(str(resources.files("stip") / "web" / "templates"))

env = Environment(
    loader=FileSystemLoader(TEMPLATE_DIR),
    autoescape=select_autoescape(default=True, default_for_string=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def page_context(request: Request) -> dict[str, Any]:
    lang = language(request)
    user = getattr(request.state, "user", None)
    state = web_state(request)
    nav: list[dict[str, str]] = []
    if user is not None:
        for dashboard in state.dashboards.all():
            if roles.can_view_dashboard(user.role, dashboard.role):
                nav.append({"id": dashboard.id, "title": dashboard.title.get(lang)})
    return {
        "request": request,
        "user": user,
        "lang": lang,
        "_": i18n.gettext_for(lang),
        "csrf_token": csrf_token(request),
        "nav": nav,
        "has_actions_page": state.has_actions_page,
        "languages": i18n.LANGUAGE_NAMES,
        "role_label": lambda role: roles.ROLE_LABELS.get(role, {}).get(lang, role),
        "can_admin": user is not None and roles.can_admin(user.role),
        "can_see_clients": user is not None and roles.can_see_others(user.role),
        "chrome": True,
    }


def render_string(request: Request, name: str, context: dict[str, Any] | None = None) -> str:
    full = page_context(request)
    full.update(context or {})
    return env.get_template(name).render(full)


def render(
    request: Request, name: str, context: dict[str, Any] | None = None, status_code: int = 200
) -> HTMLResponse:
    return HTMLResponse(render_string(request, name, context), status_code=status_code)
