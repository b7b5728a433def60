"""One module per area of the web app; each exposes `router`."""

from __future__ import annotations
