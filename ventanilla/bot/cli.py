"""The `ventanilla` command line: one click group; each family of commands lives in its own
module and imports heavy dependencies (spaCy, the store) only when it runs."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from functools import cached_property

import click

from ventanilla.bot.errors import VentanillaError
from ventanilla.bot.settings import Settings, load_settings


@dataclass
class CliContext:
    """What every command gets: the settings, loaded on first use."""

    config_path: str | None

    @cached_property
    def settings(self) -> Settings:
        return load_settings(self.config_path)


pass_cli = click.make_pass_decorator(CliContext)


@click.group()
@click.option(
    "--config",
    "config_path",
    envvar="VENTANILLA_CONFIG",
    default=None,
    metavar="FILE",
    help="TOML settings file (default: $VENTANILLA_CONFIG, else built-in defaults).",
)
@click.pass_context
def cli(ctx: click.Context, config_path: str | None) -> None:
    """ventanilla: the intake desk of a software support service."""
    ctx.obj = CliContext(config_path)


def _register() -> None:
    from ventanilla.bot import cli_classifier, cli_records, cli_report, cli_serve, cli_staff

    for module in (cli_classifier, cli_serve, cli_staff, cli_records, cli_report):
        for command in module.COMMANDS:
            cli.add_command(command)


def main(argv: list[str] | None = None) -> None:
    """Entry point: runs the group; a VentanillaError becomes one line on stderr and exit 1."""
    _register()
    try:
        cli.main(args=argv, prog_name="ventanilla", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("ventanilla: aborted", err=True)
        sys.exit(1)
    except click.UsageError as exc:  # one line, naming what was wrong (no usage dump)
        hint = f" (see: {exc.ctx.command_path} --help)" if exc.ctx else ""
        click.echo(f"ventanilla: error: {exc.format_message()}{hint}", err=True)
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        click.echo(f"ventanilla: error: {exc.format_message()}", err=True)
        sys.exit(exc.exit_code)
    except VentanillaError as exc:
        click.echo(f"ventanilla: error: {exc}", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:  # one line for the operator; the traceback with VENTANILLA_DEBUG=1
        if os.environ.get("VENTANILLA_DEBUG"):
            raise
        click.echo(f"ventanilla: internal error: {type(exc).__name__}: {exc}", err=True)
        sys.exit(1)
