"""Staff commands on the queue: `tickets …` (`licences` and `dead-letters` live in cli_records.py,
`stats` and `report` in cli_report.py). Read commands print a rich table, or one JSON document
with --json; none of them loads the classifier."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import click

from ventanilla.bot.cli import CliContext, pass_cli
from ventanilla.bot.cli_support import print_json, print_table, secret_box, staff_actor, store_session


@click.group("tickets")
def tickets_group() -> None:
    """Work the ticket queue."""


@tickets_group.command("list")
@click.option("--state", default=None, help="Only tickets in this state.")
@click.option("--label", default=None, help="Only tickets with this label.")
@click.option("--level", type=click.IntRange(1, 2), default=None, help="Only first (1) or second (2) level.")
@click.option(
    "--area", default=None, help="Only tickets routed to this area (normative, administrative, none)."
)
@click.option("--assignee", default=None, help='Only tickets of this specialist ("none": unassigned).')
@click.option("--flag", default=None, help="Only tickets with this policy flag (e.g. licence_trial).")
@click.option(
    "--older-than",
    "--age",
    "older_than",
    default=None,
    metavar="AGE",
    help='Created at least AGE ago: "2d", "4h", "30m".',
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_cli
def list_command(
    ctx: CliContext,
    state: str | None,
    label: str | None,
    level: int | None,
    area: str | None,
    assignee: str | None,
    flag: str | None,
    older_than: str | None,
    as_json: bool,
) -> None:
    """List tickets, oldest first, narrowed by the options given."""
    from datetime import UTC, datetime

    from ventanilla.bot.model import Label, TicketState
    from ventanilla.bot.views import secret_values, ticket_summary
    from ventanilla.store import tickets

    _choice(state, set(TicketState), "--state")
    _choice(label, set(Label), "--label")
    _choice(area, {"normative", "administrative", "none"}, "--area")
    age = _age(older_than) if older_than else None
    wanted = tickets.TicketFilter(
        state=state,
        label=label,
        level=level,
        area=area,
        assignee=assignee,
        flag=flag,
        created_before=datetime.now(UTC) - age if age is not None else None,
    )
    with store_session(ctx, read_only=True) as session:
        box = secret_box(ctx, session)
        found = tickets.filter_tickets(session, wanted)
        items = [ticket_summary(t, secret_values(box, t) if t.secrets else ()) for t in found]
    if as_json:
        print_json(items)
        return
    rows = [
        [
            t["number"],
            t["state"],
            (t["label"] or "") + (" ?" if t["needs_triage"] else ""),
            f"{t['level']}" + (f" {t['area']}" if t["area"] else ""),
            t["assignee"] or "",
            t["requester"],
            t["subject"][:40],
            ", ".join([*t["missing"], *(f"!{flag}" for flag in t["flags"])]),
        ]
        for t in items
    ]
    columns = ["number", "state", "label", "level", "assignee", "requester", "subject", "missing, !flags"]
    print_table("Tickets", columns, rows)


def _choice(value: str | None, allowed: set[str], hint: str) -> None:
    if value is not None and value not in allowed:
        raise click.BadParameter(f"must be one of {', '.join(sorted(allowed))}", param_hint=hint)


_AGE_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def _age(text: str) -> Any:
    """ "2d", "4h", "30m", "1w" as a timedelta."""
    from datetime import timedelta

    value, unit = text.strip()[:-1], text.strip()[-1:].lower()
    if unit not in _AGE_UNITS or not value.isdigit():
        raise click.BadParameter(f"{text!r} is not an age like 30m, 4h, 2d or 1w", param_hint="--older-than")
    return timedelta(**{_AGE_UNITS[unit]: int(value)})


@tickets_group.command("show")
@click.argument("number")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--reveal", is_flag=True, help="Show secrets (TeamViewer password) unmasked.")
@pass_cli
def show_command(ctx: CliContext, number: str, as_json: bool, reveal: bool) -> None:
    """Show a ticket: data, events and the conversation."""
    from ventanilla.bot.views import ticket_detail
    from ventanilla.store import tickets

    with store_session(ctx, read_only=True) as session:
        box = secret_box(ctx, session)
        detail = ticket_detail(session, box, tickets.get_ticket(session, number), reveal=reveal)
    if as_json:
        print_json(detail)
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
    area = f"  area {d['area']}" if d["area"] else ""
    line(f"  {d['state']}  {d['label']}{triage}  level {d['level']}{area}")
    if d["flags"]:
        line(f"flags: {', '.join(d['flags'])}")
    line(f"requester: {d['requester']}  channel: {d['channel']}  assignee: {d['assignee'] or '-'}")
    if d["cc"] or d["reply_to"]:
        line(f"cc: {', '.join(d['cc'])}  reply-to: {', '.join(d['reply_to'])}")
    line(f"subject: {d['subject']}")
    line(f"missing: {', '.join(d['missing']) or '-'}")
    print_table("Data", ["field", "value"], [[k, v] for k, v in sorted(d["fields"].items())])
    print_table(
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

    run = getattr(staff, name.replace("-", "_"))
    with store_session(ctx) as session:
        box = secret_box(ctx, session)
        desk = staff.Desk(
            session,
            ctx.settings,
            make_environment(ctx.settings.tz, ctx.settings.hours),
            box,
            datetime.now(UTC),
            staff_actor(),
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
    "route",
    "Route to the normative or administrative area and tell the requester.",
    click.argument("number"),
    click.option("--area", required=True, type=click.Choice(["normative", "administrative"]), help="Area."),
    click.option("--reason", default=None, help="Internal reason."),
)
_staff_command(
    "accredit",
    "Record that the oficio de acreditación was received (when it came another way).",
    click.argument("number"),
    click.option("--note", default=None, help="Internal note."),
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

    with store_session(ctx, read_only=True) as session:
        box = secret_box(ctx, session)
        lines = [json.dumps(e, ensure_ascii=False) for e in corrected_examples(session, box)]
    with click.open_file(output, "w", encoding="utf-8") as fh:
        for line in lines:
            fh.write(line + "\n")
    click.echo(f"{len(lines)} corrected examples", err=True)


COMMANDS: list[click.Command] = [tickets_group]
