"""Ticket, contact and conversation queries and changes used by the worker and the staff CLI."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ventanilla.bot.errors import NotFound
from ventanilla.bot.model import SECRET_FIELDS
from ventanilla.store.crypto import SecretBox
from ventanilla.store.numbering import next_ticket_number
from ventanilla.store.schema import Contact, Message, OutboxRow, Ticket, TicketEvent


def get_ticket(session: Session, number: str) -> Ticket:
    ticket = find_ticket(session, number)
    if ticket is None:
        raise NotFound(f"ticket {number} does not exist")
    return ticket


def find_ticket(session: Session, number: str) -> Ticket | None:
    return session.scalars(select(Ticket).where(Ticket.number == number.strip().upper())).one_or_none()


def ticket_by_message_ids(session: Session, ids: Sequence[str]) -> Ticket | None:
    """The ticket whose conversation holds one of `ids` (our replies first, newest reference first)."""
    wanted = [i for i in reversed(ids) if i]
    if not wanted:
        return None
    ours = session.execute(
        select(OutboxRow.message_id, OutboxRow.ticket_id).where(
            OutboxRow.message_id.in_(wanted), OutboxRow.ticket_id.is_not(None)
        )
    ).all()
    theirs = session.execute(
        select(Message.source_id, Message.ticket_id).where(Message.source_id.in_(wanted))
    ).all()
    by_id: dict[str, int] = {str(mid): int(tid) for mid, tid in theirs}
    by_id.update({str(mid): int(tid) for mid, tid in ours if tid is not None})
    for candidate in wanted:
        if candidate in by_id:
            return session.get(Ticket, by_id[candidate])
    return None


def find_contact(session: Session, *, email: str | None = None, chat_id: int | None = None) -> Contact | None:
    if email:
        return session.scalars(select(Contact).where(Contact.email == email.lower())).one_or_none()
    if chat_id is not None:
        return session.scalars(select(Contact).where(Contact.telegram_chat_id == chat_id)).one_or_none()
    return None


def get_or_create_contact(
    session: Session, now: datetime, *, email: str | None = None, chat_id: int | None = None
) -> Contact:
    contact = find_contact(session, email=email, chat_id=chat_id)
    if contact is None:
        contact = Contact(
            email=email.lower() if email else None,
            telegram_chat_id=chat_id,
            fields={},
            created_at=now,
            updated_at=now,
        )
        session.add(contact)
        session.flush()
    return contact


def create_ticket(
    session: Session,
    *,
    prefix: str,
    year: int,
    now: datetime,
    channel: str,
    contact: Contact,
    requester: str,
    subject: str,
    state: str,
    label: str | None,
    confidence: float | None,
    needs_triage: bool,
) -> Ticket:
    number, serial = next_ticket_number(session, prefix, year)
    ticket = Ticket(
        number=number,
        year=year,
        serial=serial,
        state=state,
        label=label,
        confidence=confidence,
        needs_triage=needs_triage,
        channel=channel,
        contact=contact,
        requester=requester,
        cc=[],
        reply_to=[],
        subject=subject,
        fields={},
        missing=[],
        level=1,
        reminders_sent=0,
        created_at=now,
        updated_at=now,
    )
    session.add(ticket)
    session.flush()
    return ticket


def add_event(
    session: Session, ticket: Ticket, *, at: datetime, actor: str, kind: str, data: Mapping[str, Any]
) -> TicketEvent:
    event = TicketEvent(ticket=ticket, at=at, actor=actor, kind=kind, data=dict(data))
    session.add(event)
    return event


def set_state(
    session: Session, ticket: Ticket, state: str, *, at: datetime, actor: str, why: str = ""
) -> None:
    if ticket.state == state:
        return
    add_event(
        session,
        ticket,
        at=at,
        actor=actor,
        kind="state",
        data={"from": ticket.state, "to": state, "why": why},
    )
    ticket.state = state
    ticket.updated_at = at
    if state == "resolved":
        ticket.resolved_at = at
    if state == "closed":
        ticket.closed_at = at


def add_message(
    session: Session,
    box: SecretBox,
    ticket: Ticket,
    *,
    direction: str,
    channel: str,
    source_id: str | None,
    at: datetime,
    subject: str,
    body: str,
    template: str | None = None,
    headers: Mapping[str, Any] | None = None,
    raw_id: int | None = None,
    automatic: str | None = None,
) -> Message:
    message = Message(
        ticket=ticket,
        direction=direction,
        channel=channel,
        source_id=source_id,
        raw_id=raw_id,
        at=at,
        subject=subject,
        body=box.encrypt_text(body),
        template=template,
        headers=dict(headers or {}),
        duplicate_count=0,
        automatic=automatic,
    )
    session.add(message)
    session.flush()
    return message


PREVIOUS_SECRETS = "__previous__"  # replaced secret values, kept (encrypted) only to mask them


def _secret_store(box: SecretBox, ticket: Ticket) -> dict[str, Any]:
    return dict(box.decrypt_json(ticket.secrets)) if ticket.secrets else {}


def ticket_secrets(box: SecretBox, ticket: Ticket) -> dict[str, str]:
    """The current secret fields of `ticket` (e.g. teamviewer_password), decrypted."""
    return {k: str(v) for k, v in _secret_store(box, ticket).items() if k != PREVIOUS_SECRETS}


def all_secret_values(box: SecretBox, ticket: Ticket) -> list[str]:
    """Every secret value the ticket ever held, current and replaced: what must be masked."""
    stored = _secret_store(box, ticket)
    values = [str(v) for k, v in stored.items() if k != PREVIOUS_SECRETS]
    return [v for v in [*values, *stored.get(PREVIOUS_SECRETS, [])] if v]


def merge_fields(
    session: Session,
    box: SecretBox,
    ticket: Ticket,
    contact: Contact | None,
    found: Mapping[str, str],
    *,
    at: datetime,
    actor: str,
    contact_fields: Iterable[str],
) -> list[str]:
    """Store `found` on the ticket (secrets encrypted) and contact data on the contact; returns the
    names of the fields that changed. Events record names and non-secret values only."""
    changed: list[str] = []
    fields = dict(ticket.fields or {})
    secrets = _secret_store(box, ticket)
    for name, value in found.items():
        target = secrets if name in SECRET_FIELDS else fields
        if target.get(name) == value:
            continue
        old = target.get(name)
        if name in SECRET_FIELDS and old:
            secrets[PREVIOUS_SECRETS] = [*secrets.get(PREVIOUS_SECRETS, []), old]
        target[name] = value
        changed.append(name)
        shown = {"field": name} if name in SECRET_FIELDS else {"field": name, "from": old, "to": value}
        add_event(session, ticket, at=at, actor=actor, kind="field", data=shown)
    ticket.fields = fields
    if secrets:
        ticket.secrets = box.encrypt_json(secrets)
    if contact is not None:
        known = dict(contact.fields or {})
        for name in contact_fields:
            if name in found and name not in SECRET_FIELDS:
                known[name] = found[name]
        if known != contact.fields:
            contact.fields = known
            contact.updated_at = at
    ticket.updated_at = at
    return changed


def list_tickets(session: Session, state: str | None = None) -> list[Ticket]:
    stmt = select(Ticket).order_by(Ticket.id)
    if state:
        stmt = stmt.where(Ticket.state == state)
    return list(session.scalars(stmt))


@dataclass(frozen=True)
class TicketFilter:
    """What `tickets list` narrows the queue to; None (or empty) matches everything."""

    state: str | None = None
    label: str | None = None
    level: int | None = None
    area: str | None = None  # "normative", "administrative", or "none" for tickets never routed
    assignee: str | None = None  # "none" for unassigned tickets
    flag: str | None = None
    created_before: datetime | None = None  # older than an age: created at or before this instant


def filter_tickets(session: Session, wanted: TicketFilter) -> list[Ticket]:
    """The tickets matching `wanted`, oldest first (flags are matched in Python: a JSON list)."""
    stmt = select(Ticket).order_by(Ticket.id)
    if wanted.state:
        stmt = stmt.where(Ticket.state == wanted.state)
    if wanted.label:
        stmt = stmt.where(Ticket.label == wanted.label)
    if wanted.level is not None:
        stmt = stmt.where(Ticket.level == wanted.level)
    if wanted.area:
        stmt = stmt.where(Ticket.area.is_(None) if wanted.area == "none" else Ticket.area == wanted.area)
    if wanted.assignee:
        none = wanted.assignee == "none"
        stmt = stmt.where(Ticket.assignee.is_(None) if none else Ticket.assignee == wanted.assignee)
    if wanted.created_before is not None:
        stmt = stmt.where(Ticket.created_at <= wanted.created_before)
    found = list(session.scalars(stmt))
    if wanted.flag:
        found = [t for t in found if wanted.flag in (t.flags or [])]
    return found


def count_by(session: Session, column: Any) -> dict[str, int]:
    rows = session.execute(select(column, func.count(Ticket.id)).group_by(column)).all()
    return {str(key or ""): int(n) for key, n in rows}


def requester_matches(ticket: Ticket, sender: str) -> bool:
    """True when `sender` is the ticket's requester or was on its CC (subject-tag threading)."""
    sender = sender.lower()
    return sender == ticket.requester.lower() or sender in {c.lower() for c in (ticket.cc or [])}
