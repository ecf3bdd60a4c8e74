"""CLI commands that run the service: `serve` and `db upgrade`."""

from __future__ import annotations

import click

from ventanilla.bot.cli import CliContext, pass_cli


@click.group("db")
def db_group() -> None:
    """Database maintenance."""


@db_group.command("upgrade")
@pass_cli
def db_upgrade(ctx: CliContext) -> None:
    """Apply the Alembic migrations up to the newest revision (idempotent)."""
    from ventanilla.store.db import upgrade

    revision = upgrade(ctx.settings.store_url)
    click.echo(f"database is at revision {revision}")


@click.command("serve")
@pass_cli
def serve_command(ctx: CliContext) -> None:
    """Run every enabled listener, the worker and the outbox sender until SIGTERM/SIGINT."""
    import asyncio

    from ventanilla.bot.app import App, configure_logging
    from ventanilla.bot.serve import serve

    configure_logging(ctx.settings)
    code = asyncio.run(serve(App(ctx.settings)))
    raise SystemExit(code)


COMMANDS: list[click.Command] = [serve_command, db_group]
