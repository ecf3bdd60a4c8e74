"""Reminders: a ticket still awaiting data gets at most `reminders.max` reminders, one every
`reminders.interval_hours` after the last message the bot sent on it, and only while first-level
support is open. One interval after the last reminder, a ticket still without its data is closed
as abandoned, with a message that says how to reopen it. The count starts again whenever the
requester writes."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from ventanilla.bot.decide import Decision, Situation, abandoned, reminder
from ventanilla.bot.model import TicketState
from ventanilla.bot.notify import addressing_for, queue_reply
from ventanilla.bot.pipeline import Context
from ventanilla.store import outbox, tickets
from ventanilla.store.schema import Message, Ticket, TicketEvent

log = logging.getLogger("ventanilla.reminders")
ABANDONED = "abandoned"  # event kind of a ticket closed for want of data


@dataclass(frozen=True)
class Timeline:
    """What the reminder schedule of one ticket depends on."""

    last_sent: datetime  # the bot's or a specialist's last message to the requester
    reminders: int  # reminders sent since the requester last wrote


def next_step(line: Timeline, now: datetime, interval: timedelta, maximum: int) -> str | None:
    """What is due on a ticket awaiting data at `now` (support open): "reminder", "abandon" or None.
    Pure: the schedule itself, tested with a frozen clock."""
    if now - line.last_sent < interval:
        return None
    return "reminder" if line.reminders < maximum else "abandon"


def send_due_reminders(ctx: Context) -> int:
    """Queue the reminders (and abandonment closures) due now, in the context's transaction;
    return how many messages were queued. Nothing is sent while support is closed."""
    settings, now = ctx.settings.reminders, ctx.clock.now()
    if settings.max <= 0 or not ctx.hours.is_open(now):
        return 0
    interval = timedelta(hours=settings.interval_hours)
    candidates = ctx.session.scalars(
        select(Ticket)
        .where(Ticket.state == TicketState.AWAITING_INFO, Ticket.created_at <= now - interval)
        .order_by(Ticket.id)
        .with_for_update(skip_locked=True)  # PostgreSQL: two workers never remind the same ticket
    )
    window = timedelta(minutes=ctx.settings.outbound.auto_reply_window_minutes)
    queued = 0
    for ticket in list(candidates):
        if not ticket.missing:
            continue
        step = next_step(_timeline(ctx, ticket), now, interval, settings.max)
        if step is None:
            continue
        recent = outbox.count_recent_auto_replies(ctx.session, ticket.requester, now - window)
        if recent >= ctx.settings.outbound.max_auto_replies_per_recipient:
            continue
        if step == "reminder":
            _remind(ctx, ticket, now)
        else:
            _abandon(ctx, ticket, now)
        queued += 1
    return queued


def _situation(ticket: Ticket) -> Situation:
    name = str((ticket.contact.fields or {}).get("name", "")) if ticket.contact else ""
    return Situation(
        ticket_number=ticket.number,
        is_new=False,
        state=TicketState.AWAITING_INFO,
        label=ticket.label or "",
        needs_triage=ticket.needs_triage,
        missing=tuple(ticket.missing or []),
        requester_name=name,
    )


def _remind(ctx: Context, ticket: Ticket, now: datetime) -> None:
    number = _timeline(ctx, ticket).reminders + 1
    _queue(ctx, ticket, now, reminder(_situation(ticket), number))
    ticket.reminders_sent, ticket.last_reminder_at = ticket.reminders_sent + 1, now
    tickets.add_event(ctx.session, ticket, at=now, actor="bot", kind="reminder", data={"number": number})
    log.info("reminder %d queued ticket=%s", number, ticket.number)


def _abandon(ctx: Context, ticket: Ticket, now: datetime) -> None:
    decision = abandoned(_situation(ticket), ctx.settings.tickets.reopen_window_days)
    tickets.add_event(
        ctx.session, ticket, at=now, actor="bot", kind=ABANDONED, data={"missing": list(ticket.missing)}
    )
    tickets.set_state(ctx.session, ticket, decision.state, at=now, actor="bot", why=decision.why)
    _queue(ctx, ticket, now, decision)
    log.info("closed as abandoned ticket=%s", ticket.number)


def _queue(ctx: Context, ticket: Ticket, now: datetime, decision: Decision) -> None:
    assert decision.reply is not None
    queue_reply(
        ctx.session,
        templates=ctx.templates,
        box=ctx.box,
        from_address=ctx.settings.outbound.from_address,
        now=now,
        ticket=ticket,
        reply=decision.reply,
        to=addressing_for(ctx.session, ticket),
    )


def _timeline(ctx: Context, ticket: Ticket) -> Timeline:
    """When the requester was last written to on `ticket`, and the reminders since they last wrote."""
    last_out = ctx.session.scalar(
        select(func.max(Message.at)).where(Message.ticket_id == ticket.id, Message.direction == "out")
    )
    last_in = ctx.session.scalar(
        select(func.max(Message.at)).where(
            Message.ticket_id == ticket.id, Message.direction == "in", Message.automatic.is_(None)
        )
    )
    since = last_in or ticket.created_at
    reminders = ctx.session.scalar(
        select(func.count(TicketEvent.id)).where(
            TicketEvent.ticket_id == ticket.id, TicketEvent.kind == "reminder", TicketEvent.at >= since
        )
    )
    last = max(at for at in (last_out, ticket.last_reminder_at, ticket.created_at) if at is not None)
    return Timeline(last_sent=last, reminders=int(reminders or 0))
