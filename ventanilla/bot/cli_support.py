"""What the staff commands share: a store session, the checked encryption key, and output as a
rich table or one JSON document."""

from __future__ import annotations

import getpass
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import click

from ventanilla.bot.cli import CliContext

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from ventanilla.store.crypto import SecretBox

STAFF_ENV = "VENTANILLA_STAFF"


@contextmanager
def store_session(ctx: CliContext, *, read_only: bool = False) -> Iterator[Session]:
    """One transaction on the store (migrated first). Read-only sessions take no write lock, so
    they never hold up a running `serve` on SQLite."""
    from ventanilla.store.db import make_engine, make_session_factory, session_scope, upgrade

    engine = make_engine(ctx.settings.store_url)
    try:
        upgrade(engine)
        bind = engine.execution_options(ventanilla_begin="DEFERRED") if read_only else engine
        with session_scope(make_session_factory(bind)) as session:
            yield session
    finally:
        engine.dispose()


def secret_box(ctx: CliContext, session: Session) -> SecretBox:
    """The encryption key, checked against the store; never creates a key for a store that
    already holds encrypted data (a missing or wrong key is one line naming `security.key_env`)."""
    from ventanilla.store.key_check import verified_box

    return verified_box(ctx.settings, session)


def print_json(value: Any) -> None:
    click.echo(json.dumps(value, ensure_ascii=False, indent=2, default=str))


def print_table(title: str, columns: list[str], rows: list[list[Any]]) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(title=title, show_lines=False)
    for index, column in enumerate(columns):
        table.add_column(column, no_wrap=index == 0)  # ticket numbers and ids stay whole
    for row in rows:  # Text: what requesters wrote is shown as written, never read as markup
        table.add_row(*[Text("" if v is None else str(v)) for v in row])
    Console().print(table)


def staff_actor() -> str:
    """Who runs the command, for the ticket's events: $VENTANILLA_STAFF or the login name."""
    return f"staff:{os.environ.get(STAFF_ENV) or getpass.getuser()}"
