"""API bearer tokens: only a SHA-256 hash of each token is stored."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime

from sqlalchemy import Engine, insert, select, update

from stip.accounts.tables import api_tokens
from stip.accounts.users import User, get_user, get_user_by_id
from stip.errors import UserError

TOKEN_PREFIX = "stip_"  # noqa: S105 - a public prefix, not a secret


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(engine: Engine, username: str) -> str:
    user = get_user(engine, username)
    if user is None:
        raise UserError(f"no user '{username}'; create it with `stip user add`")
    if not user.active:
        raise UserError(
            f"user '{username}' is disabled; enable it first (`stip user enable {username}`)"
        )
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with engine.begin() as conn:
        conn.execute(
            insert(api_tokens).values(
                user_id=user.id, token_hash=_hash(token), created_at=datetime.now(UTC)
            )
        )
    return token


def user_for_token(engine: Engine, token: str) -> User | None:
    """The active user a valid, unrevoked token belongs to."""
    digest = _hash(token.strip())
    with engine.connect() as conn:
        row = conn.execute(
            select(api_tokens.c.id, api_tokens.c.user_id).where(
                api_tokens.c.token_hash == digest, api_tokens.c.revoked_at.is_(None)
            )
        ).first()
    if row is None:
        return None
    user = get_user_by_id(engine, row.user_id)
    if user is None or not user.active:
        return None
    with engine.begin() as conn:
        conn.execute(
            update(api_tokens)
            .where(api_tokens.c.id == row.id)
            .values(last_used_at=datetime.now(UTC))
        )
    return user
