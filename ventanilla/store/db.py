"""Engines, sessions and migrations: SQLite (WAL) by default, PostgreSQL by URL.

On SQLite every transaction starts with `BEGIN IMMEDIATE`: it takes the write lock at once (waiting
up to the busy timeout), so transactions that read then write never fail half-way with "database is
locked", and writers (ticket numbering included) are serialised. A read-only engine that starts
deferred transactions is `engine.execution_options(ventanilla_begin="DEFERRED")`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from importlib.resources import files
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from ventanilla.bot.errors import StoreUnavailable

BUSY_TIMEOUT_MS = 10_000
MIGRATION_LOCK_KEY = 0x56454E54  # "VENT": pg_advisory_xact_lock key held while migrating


def make_engine(url: str) -> Engine:
    """An engine for `url`. SQLite: parent folder created, WAL, busy timeout ~10 s, foreign keys on,
    usable from any thread, `BEGIN IMMEDIATE` transactions. A bare `postgresql://` uses psycopg 3."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() != "sqlite":
        return create_engine(parsed, pool_pre_ping=True)
    database = parsed.database or ""
    kwargs: dict[str, Any] = {
        "connect_args": {"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000},
    }
    if database in ("", ":memory:"):
        kwargs["poolclass"] = StaticPool
    else:
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(parsed, **kwargs)
    event.listen(engine, "connect", _sqlite_on_connect)
    event.listen(engine, "begin", _sqlite_on_begin)
    return engine


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself (see _sqlite_on_begin)
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        # FULL: a commit is on disk before it returns, so the SMTP 250 that follows it survives a
        # power loss too, not only a crash of the process (NORMAL would only promise the latter).
        cursor.execute("PRAGMA synchronous=FULL")
    finally:
        cursor.close()


def _sqlite_on_begin(conn: Connection) -> None:
    mode = conn.get_execution_options().get("ventanilla_begin", "IMMEDIATE")
    if mode not in ("IMMEDIATE", "DEFERRED", "EXCLUSIVE"):
        raise ValueError(f"unknown SQLite transaction mode {mode!r}")
    conn.exec_driver_sql(f"BEGIN {mode}")


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions bound to `engine`; objects stay readable after commit (expire_on_commit off)."""
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def session_scope(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One transaction: commit when the block ends, roll back when it raises. A failure to reach or
    lock the database is raised as StoreUnavailable."""
    session = factory()
    try:
        with unavailable_as_store_error():
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise
    finally:
        session.close()


@contextmanager
def unavailable_as_store_error() -> Iterator[None]:
    """Turn a connection or lock failure of the database into StoreUnavailable."""
    try:
        yield
    except OperationalError as exc:
        raise StoreUnavailable(f"database unavailable: {exc.orig or exc}") from exc
    except DBAPIError as exc:
        if exc.connection_invalidated:
            raise StoreUnavailable(f"database connection lost: {exc.orig or exc}") from exc
        raise


def migrations_path() -> Path:
    """The Alembic script folder inside the installed package."""
    return Path(str(files("ventanilla.store") / "migrations"))


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic Config built in code (no alembic.ini), optionally bound to `connection`."""
    config = Config()
    config.set_main_option("script_location", str(migrations_path()))
    config.set_main_option("version_table", "alembic_version")
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade(url_or_engine: str | Engine) -> str | None:
    """Migrate the database to the newest revision and return it. Idempotent. On PostgreSQL the
    whole upgrade runs in one transaction holding an advisory lock, so two processes starting at
    once migrate one after the other (the second finds nothing to do); on SQLite the immediate
    transaction does the same."""
    engine = make_engine(url_or_engine) if isinstance(url_or_engine, str) else url_or_engine
    try:
        with unavailable_as_store_error(), engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
            command.upgrade(alembic_config(conn), "head")
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        if isinstance(url_or_engine, str):
            engine.dispose()


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None before the first migration."""
    with unavailable_as_store_error(), engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()
