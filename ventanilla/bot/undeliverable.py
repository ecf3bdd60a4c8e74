"""A delivery report about one of our replies: the reply's outbox row is marked undeliverable and its
ticket gets an `undeliverable` event (shown by `tickets show`), so staff know the requester never
read it. Used by the worker's screen step."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from ventanilla.bot.model import Bounce
from ventanilla.store import outbox, tickets
from ventanilla.store.schema import Ticket

BOT = "bot"


def bounce_reason(bounce: Bounce) -> str:
    """One line for the outbox row: the status code and the server's words."""
    parts = [f"bounced ({bounce.action})", bounce.status, bounce.diagnostic]
    return ": ".join(p for p in parts if p)


def record_bounce(session: Session, bounce: Bounce, now: datetime) -> list[str]:
    """Mark the replies a failed delivery report names as undeliverable, with an event on each one's
    ticket; the Message-IDs marked (none for a delay or success notice, or a reply not ours)."""
    if not bounce.failed:
        return []
    marked: list[str] = []
    for row in outbox.mark_undeliverable(session, bounce.message_ids, bounce_reason(bounce)):
        marked.append(row.message_id or "")
        ticket = session.get(Ticket, row.ticket_id) if row.ticket_id is not None else None
        if ticket is None:
            continue
        tickets.add_event(
            session,
            ticket,
            at=now,
            actor=BOT,
            kind="undeliverable",
            data={
                "message_id": row.message_id,
                "template": row.template,
                "recipient": row.recipient,
                "status": bounce.status,
                "diagnostic": bounce.diagnostic,
            },
        )
    return marked
