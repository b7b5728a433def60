"""Web login sessions, kept server-side so that logging out ends them.

The signed session cookie alone stays valid until it expires, also in a copy taken before
logout. The cookie therefore also carries a random session id whose SHA-256 hash is stored
here; logout ends the row, and a cookie whose session ended is no longer a login.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime

from sqlalchemy import Engine, insert, select, update

from stip.accounts.tables import web_sessions


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode("utf-8")).hexdigest()


def start_session(engine: Engine, user_id: int) -> str:
    """A new session id for the user (for the cookie; only its hash is stored)."""
    session_id = secrets.token_urlsafe(32)
    with engine.begin() as conn:
        conn.execute(
            insert(web_sessions).values(
                id_hash=_hash(session_id), user_id=user_id, created_at=datetime.now(UTC)
            )
        )
    return session_id


def session_user(engine: Engine, session_id: str) -> int | None:
    """The user id of a session that has not ended, or None."""
    c = web_sessions.c
    with engine.connect() as conn:
        user_id: int | None = conn.execute(
            select(c.user_id).where(c.id_hash == _hash(session_id), c.ended_at.is_(None))
        ).scalar_one_or_none()
    return user_id


def end_session(engine: Engine, session_id: str) -> None:
    c = web_sessions.c
    with engine.begin() as conn:
        conn.execute(
            update(web_sessions)
            .where(c.id_hash == _hash(session_id), c.ended_at.is_(None))
            .values(ended_at=datetime.now(UTC))
        )
