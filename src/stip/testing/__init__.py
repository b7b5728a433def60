"""Test helpers that other parts of Stip may import (fake servers)."""

from __future__ import annotations
