"""Dashboards as code: YAML definitions, their models, loader and registry."""

from __future__ import annotations
