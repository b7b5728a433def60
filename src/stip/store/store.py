"""The analytical store: DuckDB (default) or PostgreSQL, reached through Ibis.

Connections are short-lived so that `stip serve`, `stip sync` and `stip kpi` can share one
DuckDB file: DuckDB allows one writing process or many reading ones, so every command opens
the file only for the work at hand and retries while another process holds the lock.
Inside one process, concurrent users share a single connection through cursors.

Writes go through `apply()`: one transaction per batch, so a crash mid-load leaves the
previous state readable and consistent, and readers never see half a batch. Whole-source
loads (`replace_source`) give the same guarantee through staging tables swapped in at the end.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import ibis
import pyarrow as pa
import pyarrow.compute
from ibis.backends import BaseBackend

from stip.errors import ConfigError, StoreBusyError
from stip.logs import masked_url, register_secret, url_secrets
from stip.store import derived, schema, staging
from stip.store.derived import DERIVED, EffortUpkeep
from stip.store.schema import TABLES, TABLES_BY_NAME, Batch, Table
from stip.store.temp import key_table, temp_relation

LOCK_WAIT_SECONDS = 60.0

_ARROW_TYPES: dict[str, pa.DataType] = {
    "int": pa.int64(),
    "float": pa.float64(),
    "str": pa.string(),
    "bool": pa.bool_(),
    "ts": pa.timestamp("us"),
    "date": pa.date32(),
}
_SQL_TYPES = {
    "int": "BIGINT",
    "float": "DOUBLE PRECISION",
    "str": "TEXT",
    "bool": "BOOLEAN",
    "ts": "TIMESTAMP",
    "date": "DATE",
}


def arrow_schema(table: Table) -> pa.Schema:
    return pa.schema([(c.name, _ARROW_TYPES[c.type]) for c in table.columns])


def to_arrow(table: Table, rows: list[dict[str, Any]] | pa.Table) -> pa.Table:
    """Rows (dicts keyed by canonical column) to an Arrow table in the canonical schema."""
    target = arrow_schema(table)
    if isinstance(rows, pa.Table):
        missing = [f for f in target.names if f not in rows.column_names]
        for name in missing:
            rows = rows.append_column(name, pa.nulls(rows.num_rows, target.field(name).type))
        return rows.select(target.names).cast(target)
    return pa.Table.from_pylist(rows, schema=target)


class _SharedDuckDB:
    """One DuckDB connection per process and file, opened while anyone uses it.

    A writer needs the connection opened for writing, so it waits until every reader is done
    and the read-only connection is closed; new readers queue behind a waiting writer, so a
    stream of dashboard reads cannot starve a sync's commit. A thread that already reads
    never queues: it would wait for a writer that waits for it (a read inside a read, such as
    the data version looked up while a dashboard's connection is open, hung `stip serve` for
    good the first time a scheduled sync came in between).
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._cond = threading.Condition()
        self._con: duckdb.DuckDBPyConnection | None = None
        self._read_only = True
        self._users = 0
        self._writers_waiting = 0
        self._held = threading.local()  # this thread's open cursors

    @contextmanager
    def cursor(self, write: bool) -> Iterator[duckdb.DuckDBPyConnection]:
        held = getattr(self._held, "count", 0)
        with self._cond:
            if write:
                if held and self._read_only:
                    raise RuntimeError("a write was asked for inside a read of the same thread")
                self._writers_waiting += 1
                try:
                    while self._con is not None and self._read_only:
                        self._cond.wait()
                finally:
                    self._writers_waiting -= 1
            elif not held:
                while self._writers_waiting and (self._con is None or self._read_only):
                    self._cond.wait()
            if self._con is None:
                self._con = self._open(read_only=not write)
                self._read_only = not write
            self._users += 1
            con = self._con
        self._held.count = held + 1
        cur = con.cursor()
        try:
            yield cur
        finally:
            cur.close()
            self._held.count = held
            with self._cond:
                self._users -= 1
                if self._users == 0:
                    con.close()
                    self._con = None
                    self._cond.notify_all()

    def _open(self, read_only: bool) -> duckdb.DuckDBPyConnection:
        if read_only and not self.path.exists():
            read_only = False
        self.path.parent.mkdir(parents=True, exist_ok=True)
        deadline = time.monotonic() + LOCK_WAIT_SECONDS
        delay = 0.02
        while True:
            try:
                return duckdb.connect(str(self.path), read_only=read_only)
            except duckdb.Error as exc:
                # "Could not set lock on file": the word, not "block" of a damaged file
                text = str(exc).lower()
                locked = isinstance(exc, duckdb.IOException) and re.search(r"\block\b", text)
                if not locked:
                    raise ConfigError(
                        f"store {self.path} cannot be opened as a DuckDB database ({exc}); "
                        "point --db/STIP_DB at a Stip store or move the file away"
                    ) from None
                if time.monotonic() > deadline:
                    raise StoreBusyError(
                        f"store {self.path} is locked by another process ({exc}); "
                        "wait for it to finish or stop it"
                    ) from None
                time.sleep(delay)
                delay = min(delay * 2, 0.5)


class Store:
    """Where the canonical tables live. `url` is a DuckDB path or `postgres://...`."""

    _shared: dict[Path, _SharedDuckDB] = {}
    _shared_lock = threading.Lock()

    def __init__(self, url: str) -> None:
        self.url = url
        self.is_postgres = url.startswith(("postgres://", "postgresql://"))
        for secret in url_secrets(url):
            register_secret(secret)
        if not self.is_postgres and "://" in url:
            raise ConfigError(
                f"store URL '{masked_url(url)}': only DuckDB paths and postgres:// URLs are "
                "supported"
            )
        self._pg_lock = threading.Lock()
        if not self.is_postgres:
            path = Path(url).resolve()
            with Store._shared_lock:
                self._duck = Store._shared.setdefault(path, _SharedDuckDB(path))

    @property
    def backend_name(self) -> str:
        return "postgres" if self.is_postgres else "duckdb"

    @property
    def label(self) -> str:
        """The store in messages: its path, or its URL without the password."""
        return masked_url(self.url) if self.is_postgres else str(self._duck.path)

    @property
    def path(self) -> Path | None:
        return None if self.is_postgres else self._duck.path

    def exists(self) -> bool:
        if self.is_postgres:
            return True
        return self._duck.path.exists()

    @contextmanager
    def read(self) -> Iterator[BaseBackend]:
        """An Ibis backend to read from; valid only inside the `with` block."""
        with self._backend(write=False) as con:
            yield con

    @contextmanager
    def _backend(self, write: bool) -> Iterator[BaseBackend]:
        if self.is_postgres:
            with self._pg_lock, self._reaching():
                con = ibis.connect(self.url)
            try:
                yield con
            finally:
                con.disconnect()
        else:
            with self._duck.cursor(write=write) as cur:
                yield ibis.duckdb.from_connection(cur)

    def migrate(self) -> int:
        """Create missing tables and columns; returns the schema version now in place.

        A store already at this code's schema fingerprint is left alone, checked read-only, so
        starting a command never needs the write lock another process may hold.
        """
        if self.exists() and self.meta("schema_fingerprint") == _FINGERPRINT:
            return schema.SCHEMA_VERSION
        stored = self.meta("schema_version") if self.exists() else None
        if stored is not None and stored.isdigit() and int(stored) > schema.SCHEMA_VERSION:
            raise ConfigError(
                f"store {self.label} was written by a newer Stip (schema {stored}; "
                f"this Stip knows up to {schema.SCHEMA_VERSION}); upgrade Stip, or point "
                "--db/STIP_DB at another store"
            )
        with self._raw(write=True) as (cur, pg):
            cur.execute("CREATE TABLE IF NOT EXISTS stip_meta (key TEXT PRIMARY KEY, value TEXT)")
            missing = {t.name for t in DERIVED} - self._tables(cur, pg)
            for table in (*TABLES, *DERIVED):
                cur.execute(_create_sql(table, table.name))
                existing = self._columns(cur, table.name, pg)
                for column in table.columns:
                    if column.name not in existing:
                        cur.execute(
                            f'ALTER TABLE "{table.name}" ADD COLUMN "{column.name}" '
                            f"{_SQL_TYPES[column.type]}"
                        )
            if missing:
                derived.rebuild(cur, pg)
            self._set_meta(cur, "schema_version", str(schema.SCHEMA_VERSION))
            self._set_meta(cur, "schema_fingerprint", _FINGERPRINT)
        return schema.SCHEMA_VERSION

    @staticmethod
    def _columns(cur: Any, table: str, pg: bool) -> set[str]:
        cur.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = "
            + ("%s" if pg else "?"),
            [table],
        )
        return {row[0] for row in cur.fetchall()}

    @staticmethod
    def _set_meta(cur: Any, key: str, value: str) -> None:
        cur.execute(
            "INSERT INTO stip_meta (key, value) VALUES ("
            + ("%s, %s" if isinstance(cur, _PgCursor) else "?, ?")
            + ") ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [key, value],
        )

    def set_meta(self, key: str, value: str) -> None:
        """Record a store-level fact (e.g. the PSA's web URL); counts as a data change."""
        with self._raw(write=True) as (cur, _pg):
            self._set_meta(cur, key, value)
            self._set_meta(cur, "data_version", _version_stamp())

    def meta(self, key: str) -> str | None:
        with self._raw(write=False) as (cur, pg):
            if "stip_meta" not in self._tables(cur, pg):
                return None
            cur.execute("SELECT value FROM stip_meta WHERE key = " + ("%s" if pg else "?"), [key])
            row = cur.fetchone()
        return row[0] if row else None

    @staticmethod
    def _tables(cur: Any, pg: bool) -> set[str]:
        cur.execute("SELECT table_name FROM information_schema.tables")
        return {row[0] for row in cur.fetchall()}

    def data_version(self) -> str:
        """Changes whenever a batch is applied: a cache key for computed values."""
        return self.meta("data_version") or "0"

    def apply(self, batch: Batch, arrow: dict[str, pa.Table] | None = None) -> None:
        """Upsert and delete in one transaction: all of the batch lands, or none of it."""
        staged = {
            name: to_arrow(TABLES_BY_NAME[name], rows) for name, rows in batch.upserts.items()
        }
        for name, table in (arrow or {}).items():
            staged[name] = to_arrow(TABLES_BY_NAME[name], table)
        staged = {
            name: _dedupe(data, TABLES_BY_NAME[name])
            for name, data in staged.items()
            if data.num_rows
        }
        with self._raw(write=True) as (cur, pg), _transaction(cur):
            effort = EffortUpkeep(cur, pg, staged, batch.deletes)
            effort.before()
            for name, data in staged.items():
                table = TABLES_BY_NAME[name]
                removed = self._delete_matching(cur, pg, table, data.select(list(table.key)))
                effort.removed(name, removed)
                self._insert(cur, pg, table, data, table.name)
            for name, ids in batch.deletes.items():
                if ids:
                    keys = key_table(ids, ("source_system", "id"))
                    effort.removed(name, self._delete_matching(cur, pg, TABLES_BY_NAME[name], keys))
            effort.after()
            self._set_meta(cur, "data_version", _version_stamp())

    def replace_source(
        self,
        source_system: str,
        staged: Iterable[tuple[str, pa.Table]],
        meta: dict[str, str] | None = None,
        on_loaded: Callable[[str, int], None] | None = None,
    ) -> None:
        """Swap every row of one source for `staged` (table name, rows), atomically.

        For whole-source loads such as the demo: readers see the old data until the commit,
        then all of the new data. `staged` may be a generator, so large loads stream; the
        next part is produced while the previous one is written. DuckDB fills staging tables
        and swaps them in (see `staging`); PostgreSQL does it all in one transaction.
        """
        tables = [t for t in TABLES if "source_system" in t.column_names]
        stamp = {**(meta or {}), "data_version": _version_stamp()}
        with self._raw(write=True) as (cur, pg):
            if pg:
                with _transaction(cur):
                    for table in tables:
                        cur.execute(
                            f'DELETE FROM "{table.name}" WHERE source_system = %s', [source_system]
                        )
                    self._insert_all(cur, pg, staged, on_loaded, stage=False)
                    derived.rebuild(cur, pg, source_system)
                    for key, value in stamp.items():
                        self._set_meta(cur, key, value)
                return
            staging.drop_staging(cur)
            # one core stays with the thread producing the next part
            cur.execute(f"SET threads = {max(1, (os.cpu_count() or 2) - 1)}")
            try:
                for table in tables:
                    cur.execute(_create_sql(table, staging.staging_name(table)))
                self._insert_all(cur, pg, staged, on_loaded, stage=True)
                cur.execute("RESET threads")  # the producer is done: the rebuild gets both
                with _transaction(cur):
                    staging.swap_in(cur, tables, source_system)
                    derived.rebuild(cur, pg, source_system)
                    for key, value in stamp.items():
                        self._set_meta(cur, key, value)
            finally:
                staging.drop_staging(cur)
                cur.execute("RESET threads")
            cur.execute("CHECKPOINT")

    def _insert_all(
        self,
        cur: Any,
        pg: bool,
        staged: Iterable[tuple[str, pa.Table]],
        on_loaded: Callable[[str, int], None] | None,
        stage: bool,
    ) -> None:
        for name, data in staging.prefetched(staged):
            table = TABLES_BY_NAME[name]
            if data.num_rows:
                target = staging.staging_name(table) if stage else table.name
                self._insert(cur, pg, table, to_arrow(table, data), target)
                if on_loaded:
                    on_loaded(name, data.num_rows)

    def _insert(self, cur: Any, pg: bool, table: Table, data: pa.Table, target: str) -> None:
        cols = ", ".join(f'"{c}"' for c in table.column_names)
        if pg:
            with cur.copy(f'COPY "{target}" ({cols}) FROM STDIN') as copy:
                for row in data.to_pylist():
                    copy.write_row([row[c] for c in table.column_names])
        else:
            cur.register("stip_stage", data)
            cur.execute(f'INSERT INTO "{target}" ({cols}) SELECT {cols} FROM stip_stage')
            cur.unregister("stip_stage")

    def _delete_matching(self, cur: Any, pg: bool, table: Table, keys: pa.Table) -> list[Any]:
        """Delete the rows of `table` whose key columns equal a row of `keys`; returns their
        `derived.WATCHED` columns, if the table has any."""
        match = " AND ".join(f't."{c}" = s."{c}"' for c in keys.column_names)
        watched = derived.WATCHED.get(table.name)
        returning = f" RETURNING {', '.join(watched)}" if watched else ""
        with temp_relation(cur, pg, "stip_keys", keys):
            cur.execute(
                f'DELETE FROM "{table.name}" t '
                f"WHERE EXISTS (SELECT 1 FROM stip_keys s WHERE {match}){returning}"
            )
            return cur.fetchall() if returning else []

    @contextmanager
    def _reaching(self) -> Iterator[None]:
        """Connecting to PostgreSQL: a server that refuses or rejects us is a user error
        naming the store (without its password), not a traceback."""
        import psycopg

        try:
            yield
        except (psycopg.OperationalError, psycopg.ProgrammingError) as exc:
            reason = " ".join(line.strip() for line in str(exc).splitlines() if line.strip())
            raise ConfigError(
                f"store {masked_url(self.url)} cannot be reached "
                f"({masked_url(self.url, reason)}); check --db/STIP_DB (special characters in "
                "the password must be %-encoded) and that the PostgreSQL server runs and "
                "accepts this user"
            ) from None

    @contextmanager
    def exclusive(self, name: str) -> Iterator[bool]:
        """Whether this process got the store's lock `name`, held until the block ends: for
        work that must not overlap on one store, whichever home it runs from. A lock file
        beside a DuckDB store, a session advisory lock on PostgreSQL; both end with the
        process if it dies."""
        if self.is_postgres:
            import psycopg

            key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
            with self._reaching():
                conn = psycopg.connect(_pg_dsn(self.url), autocommit=True)
            with conn:
                row = conn.execute("SELECT pg_try_advisory_lock(%s)", [key]).fetchone()
                yield bool(row and row[0])
            return
        path = self._duck.path.with_name(f"{self._duck.path.name}.{name}.lock")
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "w") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                yield False
                return
            try:
                yield True
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    @contextmanager
    def _raw(self, write: bool) -> Iterator[tuple[Any, bool]]:
        """A DB-API cursor on the underlying engine (DuckDB cursor or psycopg cursor)."""
        if self.is_postgres:
            import psycopg

            with self._reaching():
                conn = psycopg.connect(_pg_dsn(self.url), autocommit=True)
            with conn, conn.cursor() as cur:
                yield _PgCursor(cur), True
        else:
            with self._duck.cursor(write=write) as cur:
                yield cur, False


class _PgCursor:
    """psycopg cursor that accepts BEGIN/COMMIT as statements under autocommit."""

    def __init__(self, cur: Any) -> None:
        self._cur = cur

    def __getattr__(self, name: str) -> Any:
        return getattr(self._cur, name)

    def execute(self, sql: str, params: Any = None) -> Any:
        return self._cur.execute(sql, params)


_FINGERPRINT = hashlib.sha256(
    ";".join(f"{t.name}.{c.name}:{c.type}" for t in (*TABLES, *DERIVED) for c in t.columns).encode()
).hexdigest()[:16]


@contextmanager
def _transaction(cur: Any) -> Iterator[None]:
    cur.execute("BEGIN")
    try:
        yield
    except BaseException:
        cur.execute("ROLLBACK")
        raise
    cur.execute("COMMIT")


def _create_sql(table: Table, name: str) -> str:
    cols = ", ".join(f'"{c.name}" {_SQL_TYPES[c.type]}' for c in table.columns)
    return f'CREATE TABLE IF NOT EXISTS "{name}" ({cols})'


def _version_stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S.%f")


def _pg_dsn(url: str) -> str:
    return "postgresql://" + url.split("://", 1)[1]


def _dedupe(data: pa.Table, table: Table) -> pa.Table:
    """Keep the last row per key, so a batch that repeats a record upserts it once."""
    if data.num_rows < 2:
        return data
    indexed = data.select(list(table.key)).append_column(
        "__row", pa.array(range(data.num_rows), pa.int64())
    )
    last = indexed.group_by(list(table.key)).aggregate([("__row", "max")])["__row_max"]
    if len(last) == data.num_rows:
        return data
    return data.take(pa.compute.take(last, pa.compute.sort_indices(last)))


def open_store(url: str, migrate: bool = True) -> Store:
    store = Store(url)
    if migrate:
        store.migrate()
    return store
