"""Autotask PSA: REST client, sync, offline import and the mapping into the canonical model."""

from __future__ import annotations
