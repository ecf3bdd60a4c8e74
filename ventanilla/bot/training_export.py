"""Turns staff-corrected tickets into training examples of the corpus shape
(`{"id", "channel", "subject", "body", "from", "label", "fields"}`) for `ventanilla train`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ventanilla.bot.model import FIELDS, SECRET_FIELDS
from ventanilla.bot.views import mask_text, secret_values
from ventanilla.store.crypto import SecretBox
from ventanilla.store.schema import Correction, Message, Ticket


def corrected_examples(session: Session, box: SecretBox) -> Iterator[dict[str, Any]]:
    """One example per corrected ticket: its first incoming message with the corrected label and
    the ticket's fields that appear in that message. Secrets are masked and never exported."""
    ids = session.scalars(select(Correction.ticket_id).distinct().order_by(Correction.ticket_id))
    for ticket_id in ids:
        ticket = session.get(Ticket, ticket_id)
        if ticket is None or not ticket.label:
            continue
        first = session.scalars(
            select(Message)
            .where(Message.ticket_id == ticket.id, Message.direction == "in")
            .order_by(Message.at, Message.id)
            .limit(1)
        ).first()
        if first is None:
            continue
        hidden = secret_values(box, ticket)
        body = mask_text(box.decrypt_text(first.body), hidden)
        folded = body.casefold()
        fields = {
            k: v
            for k, v in (ticket.fields or {}).items()
            if k in FIELDS and k not in SECRET_FIELDS and str(v).casefold() in folded
        }
        yield {
            "id": ticket.number,
            "channel": ticket.channel,
            "subject": mask_text(first.subject, hidden),
            "body": body,
            "from": ticket.requester if ticket.channel == "email" else "",
            "label": ticket.label,
            "fields": fields,
        }
