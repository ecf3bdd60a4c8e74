"""JSON views of tickets and messages for the staff CLI (PRODUCT.md section 9; the statistics live
in bot/stats.py). Secrets are masked everywhere, message bodies included, unless `reveal` is asked."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ventanilla.bot.model import FIELDS, SECRET_FIELDS
from ventanilla.store import tickets
from ventanilla.store.crypto import SecretBox
from ventanilla.store.schema import Message, Ticket

MASK = "********"


def iso(at: datetime | None) -> str | None:
    return at.isoformat() if at is not None else None


def secret_values(box: SecretBox, ticket: Ticket) -> list[str]:
    """The ticket's secret values, to be masked wherever text is shown."""
    return tickets.all_secret_values(box, ticket)


def ticket_summary(ticket: Ticket, hidden: Iterable[str] = ()) -> dict[str, Any]:
    return {
        "number": ticket.number,
        "state": ticket.state,
        "label": ticket.label,
        "channel": ticket.channel,
        "requester": ticket.requester,
        "subject": mask_text(ticket.subject, hidden),
        "created_at": iso(ticket.created_at),
        "missing": list(ticket.missing or []),
        "needs_triage": ticket.needs_triage,
        "assignee": ticket.assignee,
        "level": ticket.level,
        "area": ticket.area,
        "flags": list(ticket.flags or []),
    }


def ticket_detail(
    session: Session, box: SecretBox, ticket: Ticket, *, reveal: bool = False
) -> dict[str, Any]:
    secrets = tickets.ticket_secrets(box, ticket)
    fields = {k: v for k, v in (ticket.fields or {}).items() if k in FIELDS}
    for name, value in secrets.items():
        fields[name] = value if reveal else MASK
    hidden = [] if reveal else secret_values(box, ticket)
    contact = ticket.contact
    return {
        "number": ticket.number,
        "state": ticket.state,
        "label": ticket.label,
        "confidence": ticket.confidence,
        "needs_triage": ticket.needs_triage,
        "channel": ticket.channel,
        "requester": ticket.requester,
        "subject": mask_text(ticket.subject, hidden),
        "cc": list(ticket.cc or []),
        "reply_to": list(ticket.reply_to or []),
        "assignee": ticket.assignee,
        "level": ticket.level,
        "area": ticket.area,
        "flags": list(ticket.flags or []),
        "fields": fields,
        "missing": list(ticket.missing or []),
        "contact": {
            "email": contact.email if contact else None,
            "telegram_chat_id": contact.telegram_chat_id if contact else None,
            "fields": dict(contact.fields or {}) if contact else {},
        },
        "linked_ticket": ticket.linked_ticket.number if ticket.linked_ticket else None,
        "created_at": iso(ticket.created_at),
        "first_answer_at": iso(ticket.first_answer_at),
        "closed_at": iso(ticket.closed_at),
        "events": [
            {"at": iso(e.at), "actor": e.actor, "kind": e.kind, "data": _mask_data(e.data, hidden)}
            for e in ticket.events
        ],
        "messages": [message_view(box, m, hidden) for m in _messages(session, ticket)],
    }


def message_view(box: SecretBox, message: Message, hidden: Iterable[str]) -> dict[str, Any]:
    headers = message.headers or {}
    return {
        "direction": message.direction,
        "channel": message.channel,
        "source_id": message.source_id,
        "at": iso(message.at),
        "subject": mask_text(message.subject, hidden),
        "body": mask_text(box.decrypt_text(message.body), hidden),
        "template": message.template,
        "from": headers.get("from"),
        "cc": headers.get("cc", []),
        "reply_to": headers.get("reply_to", []),
        "attachments": headers.get("attachments", []),
        "automatic": message.automatic,
        "duplicates": message.duplicate_count,
    }


def mask_text(text: str, hidden: Iterable[str]) -> str:
    for secret in sorted(set(hidden), key=len, reverse=True):
        text = text.replace(secret, MASK)
    return text


def _mask_data(data: Any, hidden: list[str]) -> Any:
    if isinstance(data, dict):
        return {k: (MASK if k in SECRET_FIELDS else _mask_data(v, hidden)) for k, v in data.items()}
    if isinstance(data, list):
        return [_mask_data(v, hidden) for v in data]
    if isinstance(data, str):
        return mask_text(data, hidden)
    return data


def _messages(session: Session, ticket: Ticket) -> list[Message]:
    return list(
        session.scalars(
            select(Message).where(Message.ticket_id == ticket.id).order_by(Message.at, Message.id)
        )
    )
