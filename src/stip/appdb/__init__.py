"""Stip's own application database (users, tokens, share links, action items, deliveries).

SQLite at `$STIP_HOME/app.sqlite` by default, PostgreSQL through the same SQLAlchemy Core
layer when `STIP_APP_DB` names one. Each feature declares its tables on `metadata` in its own
module and calls `ensure_tables()` before use; new tables are created in place.
"""

from __future__ import annotations

import threading

from sqlalchemy import Engine, MetaData, create_engine, event
from sqlalchemy.exc import ArgumentError, InterfaceError, OperationalError

from stip.errors import ConfigError
from stip.logs import masked_url, register_secret, url_secrets

metadata = MetaData()

_engines: dict[str, Engine] = {}
_lock = threading.Lock()


def get_engine(url: str) -> Engine:
    """One engine per URL and process; SQLite gets WAL and a busy timeout."""
    for secret in url_secrets(url):
        register_secret(secret)
    if not url.startswith(("postgres://", "postgresql://", "sqlite://")):
        raise ConfigError(
            f"application database '{masked_url(url)}': STIP_APP_DB must be a postgres:// or "
            "sqlite:/// URL"
        )
    with _lock:
        if url not in _engines:
            if url.startswith(("postgres://", "postgresql://")):
                dsn = "postgresql+psycopg://" + url.split("://", 1)[1]
                engine = create_engine(dsn, pool_pre_ping=True)
            else:
                engine = create_engine(url, connect_args={"timeout": 30})
                event.listen(engine, "connect", _sqlite_pragmas)
            _engines[url] = engine
        return _engines[url]


def _sqlite_pragmas(dbapi_connection: object, _record: object) -> None:
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def ensure_tables(engine: Engine) -> None:
    """Create every table declared so far that does not exist yet. This is the first time a
    command reaches the database: a server that is down or refuses us is a user error."""
    try:
        metadata.create_all(engine)
    except (OperationalError, InterfaceError, ArgumentError) as exc:
        plain = engine.url.set(drivername=engine.url.get_backend_name())
        url = plain.render_as_string(hide_password=True)
        reason = " ".join(str(getattr(exc, "orig", None) or exc).split())
        raise ConfigError(
            f"application database {url} cannot be reached ({reason}); check STIP_APP_DB and "
            "that the server runs and accepts this user"
        ) from None
