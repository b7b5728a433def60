"""Stip: one dashboard per role for MSPs, computed from the PSA they already run."""

from __future__ import annotations

__version__ = "0.1.0"
