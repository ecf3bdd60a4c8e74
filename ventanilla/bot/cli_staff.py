"""Staff commands: `tickets …`, `licences …`, `dead-letters`, `stats`. Read commands print a rich
table, or one JSON document with --json; none of them loads the classifier."""

from __future__ import annotations

import getpass
import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import click

from ventanilla.bot.cli import CliContext, pass_cli

STAFF_ENV = "VENTANILLA_STAFF"


@contextmanager
def _session(ctx: CliContext, *, read_only: bool = False) -> Iterator[Any]:
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


def _print_json(value: Any) -> None:
    click.echo(json.dumps(value, ensure_ascii=False, indent=2, default=str))


def _table(title: str, columns: list[str], rows: list[list[Any]]) -> None:
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(title=title, show_lines=False)
    for index, column in enumerate(columns):
        table.add_column(column, no_wrap=index == 0)  # ticket numbers and ids stay whole
    for row in rows:  # Text: what requesters wrote is shown as written, never read as markup
        table.add_row(*[Text("" if v is None else str(v)) for v in row])
    Console().print(table)


def _actor() -> str:
    return f"staff:{os.environ.get(STAFF_ENV) or getpass.getuser()}"


@click.group("tickets")
def tickets_group() -> None:
    """Work the ticket queue."""


@tickets_group.command("list")
@click.option("--state", default=None, help="Only tickets in this state.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_cli
def list_command(ctx: CliContext, state: str | None, as_json: bool) -> None:
    """List tickets, oldest first."""
    from ventanilla.bot.model import TicketState
    from ventanilla.bot.views import secret_values, ticket_summary
    from ventanilla.store import tickets
    from ventanilla.store.crypto import load_secret_box

    if state is not None and state not in set(TicketState):
        raise click.BadParameter(f"must be one of {', '.join(TicketState)}", param_hint="--state")
    box = load_secret_box(ctx.settings)
    with _session(ctx, read_only=True) as session:
        found = tickets.list_tickets(session, state)
        items = [ticket_summary(t, secret_values(box, t) if t.secrets else ()) for t in found]
    if as_json:
        _print_json(items)
        return
    rows = [
        [
            t["number"],
            t["state"],
            (t["label"] or "") + (" ?" if t["needs_triage"] else ""),
            t["channel"],
            t["requester"],
            t["subject"][:40],
            t["created_at"][:16],
            ", ".join(t["missing"]),
        ]
        for t in items
    ]
    _table(
        "Tickets", ["number", "state", "label", "channel", "requester", "subject", "created", "missing"], rows
    )


@tickets_group.command("show")
@click.argument("number")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--reveal", is_flag=True, help="Show secrets (TeamViewer password) unmasked.")
@pass_cli
def show_command(ctx: CliContext, number: str, as_json: bool, reveal: bool) -> None:
    """Show a ticket: data, events and the conversation."""
    from ventanilla.bot.views import ticket_detail
    from ventanilla.store import tickets
    from ventanilla.store.crypto import load_secret_box

    box = load_secret_box(ctx.settings)
    with _session(ctx, read_only=True) as session:
        detail = ticket_detail(session, box, tickets.get_ticket(session, number), reveal=reveal)
    if as_json:
        _print_json(detail)
        return
    _show_human(detail)


def _show_human(d: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.text import Text

    console = Console()
    triage = " (needs triage)" if d["needs_triage"] else ""

    def line(text: str) -> None:  # what requesters wrote is never read as markup
        console.print(text, markup=False, highlight=False)

    console.print(f"[bold]{d['number']}[/bold]", end="")
    line(f"  {d['state']}  {d['label']}{triage}  level {d['level']}")
    line(f"requester: {d['requester']}  channel: {d['channel']}  assignee: {d['assignee'] or '-'}")
    if d["cc"] or d["reply_to"]:
        line(f"cc: {', '.join(d['cc'])}  reply-to: {', '.join(d['reply_to'])}")
    line(f"subject: {d['subject']}")
    line(f"missing: {', '.join(d['missing']) or '-'}")
    _table("Data", ["field", "value"], [[k, v] for k, v in sorted(d["fields"].items())])
    _table(
        "Events",
        ["at", "actor", "kind", "data"],
        [
            [e["at"][:19], e["actor"], e["kind"], json.dumps(e["data"], ensure_ascii=False)]
            for e in d["events"]
        ],
    )
    for m in d["messages"]:
        arrow = "<<" if m["direction"] == "in" else ">>"
        console.rule(
            Text(f"{arrow} {m['at'][:19]} {m['template'] or m['from'] or ''} {m['source_id'] or ''}")
        )
        console.print(m["body"], markup=False, highlight=False)


def _run_action(ctx: CliContext, name: str, **kwargs: Any) -> None:
    """Run staff action `name` (a function of bot/staff.py) in one transaction and print what
    became of the ticket. The action modules are imported only now: reads stay fast."""
    from datetime import UTC, datetime

    from ventanilla.bot import staff
    from ventanilla.bot.replies import make_environment
    from ventanilla.store.crypto import load_secret_box

    run = getattr(staff, name.replace("-", "_"))
    box = load_secret_box(ctx.settings)
    with _session(ctx) as session:
        desk = staff.Desk(
            session,
            ctx.settings,
            make_environment(ctx.settings.tz, ctx.settings.hours),
            box,
            datetime.now(UTC),
            _actor(),
        )
        ticket = run(desk, **kwargs)
        click.echo(f"{ticket.number}: {name} done; state {ticket.state}")


def _staff_command(name: str, help_text: str, *params: Callable[[Any], Any]) -> None:
    def command(ctx: CliContext, **kwargs: Any) -> None:
        _run_action(ctx, name, **kwargs)

    command.__doc__ = help_text
    decorated: Any = pass_cli(command)
    for param in reversed(params):
        decorated = param(decorated)
    tickets_group.command(name)(decorated)


_staff_command(
    "assign",
    "Assign a ticket to a specialist (in_progress) and tell the requester.",
    click.argument("number"),
    click.option("--to", "assignee", required=True, help="Specialist."),
)
_staff_command(
    "escalate",
    "Escalate to second level and tell the requester.",
    click.argument("number"),
    click.option("--reason", default=None, help="Internal reason."),
)
_staff_command(
    "reply",
    "Send the specialist's text to the requester.",
    click.argument("number"),
    click.option("--text", required=True, help="Text of the reply."),
)
_staff_command(
    "relabel", "Correct the label (kept as training data).", click.argument("number"), click.argument("label")
)
_staff_command(
    "set-field",
    "Correct or add a field (kept as training data).",
    click.argument("number"),
    click.argument("field"),
    click.argument("value"),
)
_staff_command(
    "close",
    "Close the ticket and send the closure confirmation.",
    click.argument("number"),
    click.option("--note", default=None, help="Note for the requester."),
)
_staff_command("reopen", "Reopen a closed ticket.", click.argument("number"))


@tickets_group.command("corrections")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, writable=True),
    default="-",
    help="JSON Lines file for `ventanilla train --corrections` (default: stdout).",
)
@pass_cli
def corrections_command(ctx: CliContext, output: str) -> None:
    """Export staff-corrected tickets as training data (JSON Lines, corpus shape)."""
    from ventanilla.bot.training_export import corrected_examples
    from ventanilla.store.crypto import load_secret_box

    box = load_secret_box(ctx.settings)
    with _session(ctx, read_only=True) as session:
        lines = [json.dumps(e, ensure_ascii=False) for e in corrected_examples(session, box)]
    with click.open_file(output, "w", encoding="utf-8") as fh:
        for line in lines:
            fh.write(line + "\n")
    click.echo(f"{len(lines)} corrected examples", err=True)


@click.group("licences")
def licences_group() -> None:
    """The licence register."""


@licences_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@pass_cli
def licences_import(ctx: CliContext, file: str) -> None:
    """Import FILE.csv (licence,entity,type,updates_until,holder_name,holder_email)."""
    from ventanilla.store.licences import import_csv

    with _session(ctx) as session:
        count = import_csv(session, file)
    click.echo(f"{count} licences imported")


@licences_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_cli
def licences_list(ctx: CliContext, as_json: bool) -> None:
    """List the licence register."""
    from ventanilla.store.licences import licence_dict, list_licences

    with _session(ctx, read_only=True) as session:
        items = [licence_dict(row) for row in list_licences(session)]
    if as_json:
        _print_json(items)
        return
    columns = ["licence", "entity", "type", "updates_until", "holder_name", "holder_email"]
    _table("Licences", columns, [[i[c] for c in columns] for i in items])


@click.command("dead-letters")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option(
    "--replay",
    "replay_id",
    type=int,
    default=None,
    metavar="ID",
    help="Queue dead letter ID for the worker again (e.g. after a fix) instead of listing.",
)
@pass_cli
def dead_letters_command(ctx: CliContext, as_json: bool, replay_id: int | None) -> None:
    """Messages that could not be handled, with the reason."""
    from ventanilla.store.dead_letters import list_dead_letters, replay_dead_letter

    if replay_id is not None:
        with _session(ctx) as session:
            raw_id = replay_dead_letter(session, replay_id)
        click.echo(f"dead letter {replay_id} queued again as raw message {raw_id}")
        return
    with _session(ctx, read_only=True) as session:
        items = list_dead_letters(session)
    if as_json:
        _print_json(items)
        return
    columns = ["id", "source", "source_id", "received_at", "reason"]
    _table("Dead letters", columns, [[i[c] for c in columns] for i in items])


@click.command("stats")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_cli
def stats_command(ctx: CliContext, as_json: bool) -> None:
    """Volumes by label, state and channel; first-answer and resolution times."""
    from ventanilla.bot.views import stats

    with _session(ctx, read_only=True) as session:
        summary = stats(session)
    if as_json:
        _print_json(summary)
        return
    for key in ("by_label", "by_state", "by_channel"):
        _table(key, ["name", "count"], [[k, v] for k, v in sorted(summary[key].items())])
    _table(
        "times (seconds)",
        ["measure", "count", "mean", "median", "max"],
        [[k, *summary[k].values()] for k in ("first_answer_seconds", "resolution_seconds")],
    )


COMMANDS: list[click.Command] = [tickets_group, licences_group, dead_letters_command, stats_command]
