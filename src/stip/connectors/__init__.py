"""Connectors fill the canonical tables from a source system (Autotask PSA first)."""

from __future__ import annotations
