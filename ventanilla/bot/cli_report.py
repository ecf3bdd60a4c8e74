"""The figures commands: `ventanilla stats` (tables or JSON, bot/stats.py) and `ventanilla report`,
the one-page HTML report (bot/report.py) of a week or a month. Read commands: no classifier, no
write lock."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import click

from ventanilla.bot.cli import CliContext, pass_cli
from ventanilla.bot.cli_support import print_json, print_table, store_session


@click.command("stats")
@click.option(
    "--since", default=None, metavar="DATE", help="Only tickets created on or after DATE (YYYY-MM-DD)."
)
@click.option("--until", default=None, metavar="DATE", help="Only tickets created before DATE (YYYY-MM-DD).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_cli
def stats_command(ctx: CliContext, since: str | None, until: str | None, as_json: bool) -> None:
    """Volumes by label, channel, state, level and area; complete-on-first-message share; time to
    the first human answer (business hours) against the target; resolution times."""
    from ventanilla.bot.hours import BusinessHours
    from ventanilla.bot.stats import summarise, ticket_facts

    start, end = _day(ctx, since, "--since"), _day(ctx, until, "--until")
    hours = BusinessHours.from_settings(ctx.settings.hours, ctx.settings.tz)
    with store_session(ctx, read_only=True) as session:
        facts = ticket_facts(session, hours, start, end)
    summary = summarise(facts, ctx.settings.policy.first_answer_target_minutes)
    if as_json:
        print_json(summary)
        return
    for key in ("by_label", "by_channel", "by_state", "by_level", "by_area"):
        print_table(key, ["name", "count"], [[k, v] for k, v in summary[key].items()])
    complete, human = summary["complete_on_first_message"], summary["first_human_answer_business_minutes"]
    print_table(
        "first level",
        ["measure", "value"],
        [
            ["tickets", summary["tickets"]],
            ["requests complete on first message", f"{complete['complete']} of {complete['requests']}"],
            ["share complete on first message", complete["share"]],
            [f"first human answer within {human['target_minutes']} min", human["within_target"]],
            ["share within target", human["within_target_share"]],
            ["closed as abandoned", summary["abandoned"]],
        ],
    )
    times = (
        "first_answer_seconds",
        "first_human_answer_business_minutes",
        "resolution_seconds",
        "resolution_business_hours",
    )
    columns = ("count", "mean", "median", "max")
    print_table("times", ["measure", *columns], [[k, *(summary[k][c] for c in columns)] for k in times])


def _day(ctx: CliContext, value: str | None, hint: str) -> Any:
    """The start of day `value` (YYYY-MM-DD) in the service time zone, or None."""
    from datetime import time

    if value is None:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date YYYY-MM-DD", param_hint=hint) from None
    return datetime.combine(day, time(0), tzinfo=ctx.settings.tz)


@click.command("report")
@click.option(
    "--html", "output", required=True, type=click.Path(dir_okay=False, writable=True), help="File to write."
)
@click.option("--week", "kind", flag_value="week", default=True, help="Seven days (the default).")
@click.option("--month", "kind", flag_value="month", help="A calendar month.")
@click.option(
    "--since",
    default=None,
    metavar="DATE",
    help="First day (YYYY-MM-DD); default: the period that ends today.",
)
@pass_cli
def report_command(ctx: CliContext, output: str, kind: str, since: str | None) -> None:
    """Write the support report (charts, first-level figures) of a week or a month as one HTML page."""
    from ventanilla.bot.hours import BusinessHours
    from ventanilla.bot.report import period_for, render_report
    from ventanilla.bot.stats import ticket_facts

    try:
        first = date.fromisoformat(since) if since else None
    except ValueError:
        raise click.BadParameter(f"{since!r} is not a date YYYY-MM-DD", param_hint="--since") from None
    settings = ctx.settings
    today = datetime.now(UTC).astimezone(settings.tz).date()
    period = period_for(kind, first, today, settings.tz)
    hours = BusinessHours.from_settings(settings.hours, settings.tz)
    with store_session(ctx, read_only=True) as session:
        facts = ticket_facts(session, hours, period.start, period.end)
    page = render_report(facts, period, target_minutes=settings.policy.first_answer_target_minutes)
    with open(output, "w", encoding="utf-8") as fh:
        fh.write(page)
    click.echo(
        f"report {period.first.isoformat()} – {period.last.isoformat()}: {len(facts)} tickets, {output}"
    )


COMMANDS: list[click.Command] = [stats_command, report_command]
