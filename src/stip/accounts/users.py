"""Local user accounts: create, look up, disable, verify passwords (argon2)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, func, insert, select, update

from stip.accounts import roles
from stip.accounts.tables import api_tokens, users, web_sessions
from stip.appdb import ensure_tables, get_engine
from stip.errors import UserError
from stip.settings import Settings

_hasher = PasswordHasher()
MIN_PASSWORD_LENGTH = 8


@dataclass(frozen=True)
class User:
    id: int
    username: str
    role: str
    resource_id: int | None
    language: str | None
    active: bool


def engine_for(settings: Settings) -> Engine:
    """The application DB engine with the accounts tables in place."""
    settings.home.mkdir(parents=True, exist_ok=True)
    engine = get_engine(settings.app_db_url)
    ensure_tables(engine)
    return engine


def _user(row: object) -> User:
    m = row._mapping  # type: ignore[attr-defined]
    return User(
        m["id"], m["username"], m["role"], m["resource_id"], m["language"], bool(m["active"])
    )


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def generate_password() -> str:
    return secrets.token_urlsafe(12)


def add_user(
    engine: Engine,
    username: str,
    role: str,
    password: str,
    resource_id: int | None = None,
) -> User:
    username = username.strip()
    if not username or len(username) > 120 or any(c.isspace() for c in username):
        raise UserError(f"user name '{username}' is invalid: use 1-120 characters, no spaces")
    if not roles.is_role(role):
        raise UserError(f"unknown role '{role}': use one of {', '.join(roles.ROLES)}")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    if get_user(engine, username) is not None:
        raise UserError(f"user '{username}' already exists; choose another name")
    with engine.begin() as conn:
        conn.execute(
            insert(users).values(
                username=username,
                role=role,
                password_hash=hash_password(password),
                resource_id=resource_id,
                active=True,
                created_at=datetime.now(UTC),
            )
        )
    user = get_user(engine, username)
    assert user is not None
    return user


def get_user(engine: Engine, username: str) -> User | None:
    with engine.connect() as conn:
        row = conn.execute(
            select(users).where(func.lower(users.c.username) == username.strip().lower())
        ).first()
    return _user(row) if row else None


def get_user_by_id(engine: Engine, user_id: int) -> User | None:
    with engine.connect() as conn:
        row = conn.execute(select(users).where(users.c.id == user_id)).first()
    return _user(row) if row else None


def list_users(engine: Engine) -> list[User]:
    with engine.connect() as conn:
        rows = conn.execute(select(users).order_by(users.c.username)).all()
    return [_user(row) for row in rows]


def set_active(engine: Engine, username: str, active: bool) -> User:
    """Enable or disable a user. Disabling also ends their web sessions and revokes their API
    tokens, in the same transaction: enabling the account again (after a password reset, say)
    must not revive a cookie or token someone else may hold."""
    user = get_user(engine, username)
    if user is None:
        raise UserError(f"no user '{username}'; see `stip user list`")
    now = datetime.now(UTC)
    with engine.begin() as conn:
        conn.execute(update(users).where(users.c.id == user.id).values(active=active))
        if not active:
            session, token = web_sessions.c, api_tokens.c
            conn.execute(
                update(web_sessions)
                .where(session.user_id == user.id, session.ended_at.is_(None))
                .values(ended_at=now)
            )
            conn.execute(
                update(api_tokens)
                .where(token.user_id == user.id, token.revoked_at.is_(None))
                .values(revoked_at=now)
            )
    return User(user.id, user.username, user.role, user.resource_id, user.language, active)


def set_language(engine: Engine, user_id: int, language: str) -> None:
    with engine.begin() as conn:
        conn.execute(update(users).where(users.c.id == user_id).values(language=language))


def set_resource(engine: Engine, user_id: int, resource_id: int | None) -> None:
    with engine.begin() as conn:
        conn.execute(update(users).where(users.c.id == user_id).values(resource_id=resource_id))


def verify_password(engine: Engine, username: str, password: str) -> User | None:
    """The active user when the password matches, else None (same cost either way)."""
    with engine.connect() as conn:
        row = conn.execute(
            select(users).where(func.lower(users.c.username) == username.strip().lower())
        ).first()
    stored = row._mapping["password_hash"] if row else None
    try:
        _hasher.verify(stored or _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if row is None or stored is None:
        return None
    user = _user(row)
    return user if user.active else None


_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))
