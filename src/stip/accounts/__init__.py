"""People, roles and permissions: users, API tokens, share links, sessions (application DB)."""

from __future__ import annotations
