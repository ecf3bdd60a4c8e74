"""Reminders: a ticket still awaiting data gets at most `reminders.max` reminders, one every
`reminders.interval_hours` after the last message the bot sent on it."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import func, select

from ventanilla.bot.decide import Situation, reminder
from ventanilla.bot.model import TicketState
from ventanilla.bot.notify import addressing_for, queue_reply
from ventanilla.bot.pipeline import Context
from ventanilla.store import outbox, tickets
from ventanilla.store.schema import Message, Ticket

log = logging.getLogger("ventanilla.reminders")


def send_due_reminders(ctx: Context) -> int:
    """Queue the reminders due now, in the context's transaction; return how many. Candidates are
    the tickets awaiting data with reminders left (few: they leave the set after `max`)."""
    settings, now = ctx.settings.reminders, ctx.clock.now()
    if settings.max <= 0:
        return 0
    interval = timedelta(hours=settings.interval_hours)
    candidates = ctx.session.scalars(
        select(Ticket)
        .where(
            Ticket.state == TicketState.AWAITING_INFO,
            Ticket.reminders_sent < settings.max,
            Ticket.created_at <= now - interval,
        )
        .order_by(Ticket.id)
    )
    window = timedelta(minutes=ctx.settings.outbound.auto_reply_window_minutes)
    queued = 0
    for ticket in candidates:
        if now - _last_sent(ctx, ticket) < interval or not ticket.missing:
            continue
        recent = outbox.count_recent_auto_replies(ctx.session, ticket.requester, now - window)
        if recent >= ctx.settings.outbound.max_auto_replies_per_recipient:
            continue
        number = ticket.reminders_sent + 1
        situation = Situation(
            ticket_number=ticket.number,
            is_new=False,
            state=TicketState.AWAITING_INFO,
            label=ticket.label or "",
            needs_triage=ticket.needs_triage,
            missing=tuple(ticket.missing),
            requester_name=str((ticket.contact.fields or {}).get("name", "")) if ticket.contact else "",
        )
        reply = reminder(situation, number).reply
        assert reply is not None
        queue_reply(
            ctx.session,
            templates=ctx.templates,
            box=ctx.box,
            from_address=ctx.settings.outbound.from_address,
            now=now,
            ticket=ticket,
            reply=reply,
            to=addressing_for(ctx.session, ticket),
        )
        ticket.reminders_sent, ticket.last_reminder_at = number, now
        tickets.add_event(ctx.session, ticket, at=now, actor="bot", kind="reminder", data={"number": number})
        log.info("reminder %d queued ticket=%s", number, ticket.number)
        queued += 1
    return queued


def _last_sent(ctx: Context, ticket: Ticket) -> datetime:
    """When the requester was last written to on `ticket` (any reply, reminder or staff message)."""
    last = ctx.session.scalar(
        select(func.max(Message.at)).where(Message.ticket_id == ticket.id, Message.direction == "out")
    )
    return max(at for at in (last, ticket.last_reminder_at, ticket.created_at) if at is not None)
