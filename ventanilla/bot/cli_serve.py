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
@click.option(
    "--worker-only",
    is_flag=True,
    help="Run only the worker and the outbox sender, no listener (an extra process on PostgreSQL).",
)
@pass_cli
def serve_command(ctx: CliContext, worker_only: bool) -> None:
    """Run every enabled listener, the worker and the outbox sender until SIGTERM/SIGINT."""
    import asyncio

    from ventanilla.bot.app import App, configure_logging
    from ventanilla.bot.serve import serve

    if worker_only and ctx.settings.store_url.startswith("sqlite"):
        raise click.UsageError(
            "--worker-only needs a shared PostgreSQL store (store.url): SQLite allows one process"
        )
    if ctx.settings.telegram.enabled:  # secrets first: one line, exit 1
        ctx.settings.telegram.token()
        if ctx.settings.telegram.webhook_url and not worker_only:
            ctx.settings.telegram.webhook_secret()
    configure_logging(ctx.settings)
    code = asyncio.run(serve(App(ctx.settings), worker_only=worker_only))
    raise SystemExit(code)


@click.group("security")
def security_group() -> None:
    """Encryption key maintenance."""


@security_group.command("rotate-key")
@pass_cli
def rotate_key_command(ctx: CliContext) -> None:
    """Re-encrypt every stored secret and raw message with a new key. With the key in the
    environment, put the new key first ("NEW,OLD") and run this; then drop OLD. With the key file,
    stop `serve` first: a new key is generated and the file rewritten."""
    from cryptography.fernet import Fernet

    from ventanilla.store.crypto import SecretBox, key_file, write_key_file
    from ventanilla.store.db import make_engine, make_session_factory, session_scope, upgrade
    from ventanilla.store.key_check import open_secret_box, rotate_store

    settings = ctx.settings
    env_name = settings.security.key_env
    engine = make_engine(settings.store_url)
    try:
        upgrade(engine)
        factory = make_session_factory(engine)
        box = open_secret_box(settings, factory).box  # refuses a key that does not fit the store
        from_env = settings.secret(env_name) is not None
        if not from_env:
            path = key_file(settings)
            old = path.read_text(encoding="ascii").strip()
            new = Fernet.generate_key().decode("ascii")
            write_key_file(path, f"{new},{old}")  # a crash from here on leaves both keys usable
            box = SecretBox.from_text(f"{new},{old}")
        with session_scope(factory) as session:
            count = rotate_store(session, box)
        if from_env:
            click.echo(f"{count} values re-encrypted with the first key of ${env_name}; drop the others now")
        else:
            write_key_file(path, new)
            click.echo(f"{count} values re-encrypted with a new key written to {path}")
    finally:
        engine.dispose()


COMMANDS: list[click.Command] = [serve_command, db_group, security_group]
