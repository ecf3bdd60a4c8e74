"""Commands on the desk's records: the licence register (`licences import|list`) and the dead
letters (`dead-letters [--json]`, `dead-letters replay ID`)."""

from __future__ import annotations

import click

from ventanilla.bot.cli import CliContext, pass_cli
from ventanilla.bot.cli_support import print_json, print_table, store_session


@click.group("licences")
def licences_group() -> None:
    """The licence register."""


@licences_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@pass_cli
def licences_import(ctx: CliContext, file: str) -> None:
    """Import FILE.csv (licence,entity,type,updates_until,holder_name,holder_email)."""
    from ventanilla.store.licences import import_csv

    with store_session(ctx) as session:
        count = import_csv(session, file)
    click.echo(f"{count} licences imported")


@licences_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_cli
def licences_list(ctx: CliContext, as_json: bool) -> None:
    """List the licence register."""
    from ventanilla.store.licences import licence_dict, list_licences

    with store_session(ctx, read_only=True) as session:
        items = [licence_dict(row) for row in list_licences(session)]
    if as_json:
        print_json(items)
        return
    columns = ["licence", "entity", "type", "updates_until", "holder_name", "holder_email"]
    print_table("Licences", columns, [[i[c] for c in columns] for i in items])


@click.group("dead-letters", invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option(
    "--replay",
    "replay_id",
    type=int,
    default=None,
    metavar="ID",
    help="Same as `dead-letters replay ID` (kept for scripts).",
)
@click.pass_context
def dead_letters_command(click_ctx: click.Context, as_json: bool, replay_id: int | None) -> None:
    """Messages that could not be handled, with the reason (`replay ID` queues one again)."""
    if click_ctx.invoked_subcommand is not None:
        return
    ctx = click_ctx.find_object(CliContext)
    assert ctx is not None
    if replay_id is not None:
        _replay_dead_letter(ctx, replay_id)
        return
    from ventanilla.store.dead_letters import list_dead_letters

    with store_session(ctx, read_only=True) as session:
        items = list_dead_letters(session)
    if as_json:
        print_json(items)
        return
    columns = ["id", "source", "source_id", "received_at", "reason"]
    print_table("Dead letters", columns, [[i[c] for c in columns] for i in items])


@dead_letters_command.command("replay")
@click.argument("letter_id", metavar="ID", type=int)
@pass_cli
def dead_letters_replay(ctx: CliContext, letter_id: int) -> None:
    """Queue dead letter ID for the worker again (e.g. after a fix); a running serve takes it."""
    _replay_dead_letter(ctx, letter_id)


def _replay_dead_letter(ctx: CliContext, letter_id: int) -> None:
    from ventanilla.store.dead_letters import replay_dead_letter

    with store_session(ctx) as session:
        raw_id = replay_dead_letter(session, letter_id)
    click.echo(f"dead letter {letter_id} queued again as raw message {raw_id}")


COMMANDS: list[click.Command] = [licences_group, dead_letters_command]
