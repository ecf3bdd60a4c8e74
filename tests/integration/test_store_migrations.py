"""Migrations: from empty to head, idempotent, concurrent, matching the ORM schema; `ventanilla db
upgrade`; the SQLite engine settings."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from ventanilla.bot.cli import main
from ventanilla.bot.errors import StoreUnavailable
from ventanilla.store.db import alembic_config, current_revision, make_engine, upgrade
from ventanilla.store.schema import Base

HEAD = ScriptDirectory.from_config(alembic_config()).get_current_head()
TABLES = {
    "raw_messages",
    "processed_ids",
    "contacts",
    "tickets",
    "messages",
    "ticket_events",
    "outbox",
    "dead_letters",
    "corrections",
    "licences",
    "channel_state",
    "ticket_counters",
    "alembic_version",
}


def test_upgrade_from_empty_creates_every_table(store_url: str) -> None:
    assert upgrade(store_url) == HEAD
    engine = make_engine(store_url)
    try:
        assert set(inspect(engine).get_table_names()) == TABLES
        assert current_revision(engine) == HEAD
    finally:
        engine.dispose()


def test_upgrade_is_idempotent(store_url: str) -> None:
    assert upgrade(store_url) == HEAD
    assert upgrade(store_url) == HEAD


def test_migrated_schema_matches_the_models(store_url: str) -> None:
    upgrade(store_url)
    engine = make_engine(store_url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            assert compare_metadata(context, Base.metadata) == []
    finally:
        engine.dispose()


def test_two_processes_upgrading_at_once_both_succeed(store_url: str) -> None:
    script = "import sys; from ventanilla.store.db import upgrade; print(upgrade(sys.argv[1]))"
    procs = [
        subprocess.Popen([sys.executable, "-c", script, store_url], stdout=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outputs = [proc.communicate(timeout=60)[0].strip() for proc in procs]
    assert [proc.returncode for proc in procs] == [0, 0]
    assert outputs == [HEAD, HEAD]


def test_cli_db_upgrade(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data_dir = tmp_path / "desk"
    config = tmp_path / "ventanilla.toml"
    config.write_text(f'[service]\ndata_dir = "{data_dir}"\n', encoding="utf-8")
    main(["--config", str(config), "db", "upgrade"])
    assert str(HEAD) in capsys.readouterr().out
    engine = make_engine(f"sqlite:///{data_dir / 'ventanilla.db'}")
    try:
        assert set(inspect(engine).get_table_names()) == TABLES
    finally:
        engine.dispose()


def test_sqlite_engine_uses_wal_and_foreign_keys(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    try:
        with engine.connect() as conn:
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 10_000
    finally:
        engine.dispose()


def test_unreachable_database_is_store_unavailable() -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # bound, not listening: connections are refused
        with pytest.raises(StoreUnavailable):
            upgrade(f"postgresql://nobody@127.0.0.1:{port}/none?connect_timeout=2")
