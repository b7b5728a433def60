"""The web app: FastAPI + Jinja2 + htmx dashboards, drill-down, TV mode, admin, JSON API."""

from __future__ import annotations
