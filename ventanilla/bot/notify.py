"""Queues one reply to a ticket's requester: renders it, writes the outbox row (with its fixed
Message-ID) and the outgoing message of the conversation, in the caller's transaction. Used by
the worker and by the staff commands alike."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from jinja2 import Environment
from sqlalchemy import select
from sqlalchemy.orm import Session

from ventanilla.bot.compose import new_message_id, reply_subject, threading_headers
from ventanilla.bot.model import Channel
from ventanilla.bot.replies import Reply, render
from ventanilla.bot.views import mask_text, secret_values
from ventanilla.store import outbox, tickets
from ventanilla.store.crypto import SecretBox
from ventanilla.store.schema import Message, OutboxRow, Ticket


@dataclass(frozen=True)
class Addressing:
    """Where a reply goes: the requester only, in the thread of the message it answers."""

    channel: str
    recipient: str
    subject: str
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()


def addressing_for(session: Session, ticket: Ticket) -> Addressing:
    """Answer the newest message the requester sent on `ticket` (staff replies, notifications)."""
    last = session.scalars(
        select(Message)
        .where(Message.ticket_id == ticket.id, Message.direction == "in", Message.automatic.is_(None))
        .order_by(Message.at.desc(), Message.id.desc())
        .limit(1)
    ).first()
    refs: tuple[str, ...] = ()
    if last is not None:
        refs = tuple((last.headers or {}).get("references", []))
    return Addressing(
        channel=ticket.channel,
        recipient=ticket.requester,
        subject=ticket.subject,
        in_reply_to=last.source_id if last is not None else None,
        references=refs,
    )


def queue_reply(
    session: Session,
    *,
    templates: Environment,
    box: SecretBox,
    from_address: str,
    now: datetime,
    ticket: Ticket | None,
    reply: Reply,
    to: Addressing,
    automatic: bool = True,
) -> OutboxRow:
    rendered = render(templates, reply, Channel(to.channel))
    chat = to.channel == Channel.TELEGRAM
    message_id = None if chat else new_message_id(from_address)  # chat: `tg-out:<outbox id>` below
    fallback = rendered.subject or ""
    subject = reply_subject(ticket.number, to.subject, fallback) if ticket is not None else fallback
    if chat:  # a chat message has no subject
        subject = ""
    if ticket is not None and ticket.secrets:  # a password typed in the subject is never quoted back
        subject = mask_text(subject, secret_values(box, ticket))
    headers = threading_headers(to.in_reply_to, to.references)
    row = outbox.enqueue(
        session,
        ticket_id=ticket.id if ticket is not None else None,
        channel=to.channel,
        recipient=to.recipient,
        message_id=message_id,
        subject=subject,
        body_text=rendered.text,
        body_html=rendered.html,
        headers=headers,
        template=reply.template,
        now=now,
        automatic=automatic,
    )
    if message_id is None:
        message_id = row.message_id = f"tg-out:{row.id}"
        session.flush()
    if ticket is not None:
        tickets.add_message(
            session,
            box,
            ticket,
            direction="out",
            channel=to.channel,
            source_id=message_id,
            at=now,
            subject=subject,
            body=rendered.text,
            template=reply.template,
            headers=headers,
        )
        if ticket.first_answer_at is None:
            ticket.first_answer_at = now
    return row
