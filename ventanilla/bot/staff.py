"""What specialists do to a ticket (PRODUCT.md section 7): assign, escalate, route to an area,
reply, correct a label or a field, record the oficio de acreditación, close and reopen. Each runs
in the caller's transaction, records an event with who and when, and queues the requester's
notification through the outbox."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from jinja2 import Environment
from sqlalchemy.orm import Session

from ventanilla.bot.errors import InvalidInput
from ventanilla.bot.model import CONTACT_FIELDS, FIELDS, SECRET_FIELDS, Label, TicketState
from ventanilla.bot.notify import addressing_for, queue_reply
from ventanilla.bot.policy import ACCREDITATION, ACCREDITATION_RECEIVED
from ventanilla.bot.replies import AREAS, Reply
from ventanilla.bot.settings import Settings
from ventanilla.store import tickets
from ventanilla.store.crypto import SecretBox
from ventanilla.store.schema import Correction, Ticket

# "(33) 3669-5550 ext 12": the extension written after a phone number.
_PHONE_EXTENSION = re.compile(
    r"[\s,;/]*\b(?:ext|extensi[oó]n|exten|anexo|x)\b\.?\s*[:#.]?\s*(\d{1,6})\s*$", re.IGNORECASE
)

_YES = frozenset({"true", "yes", "1", "sí", "si"})


@dataclass(frozen=True)
class Desk:
    """The collaborators a staff action needs."""

    session: Session
    settings: Settings
    templates: Environment
    box: SecretBox
    now: datetime
    actor: str  # "staff:<name>"

    def ticket(self, number: str) -> Ticket:
        return tickets.get_ticket(self.session, number)

    def notify(
        self, ticket: Ticket, template: str, variables: dict[str, Any], *, automatic: bool = True
    ) -> None:
        """Tell the requester, by the ticket's channel. A ticket labelled `other` (spam, a stray
        thanks) gets no automatic notice; only a specialist's own reply (automatic=False) goes."""
        if automatic and ticket.label == Label.OTHER:
            return
        reply = Reply(template, {"ticket_number": ticket.number, "label": ticket.label or "", **variables})
        queue_reply(
            self.session,
            templates=self.templates,
            box=self.box,
            from_address=self.settings.outbound.from_address,
            now=self.now,
            ticket=ticket,
            reply=reply,
            to=addressing_for(self.session, ticket),
            automatic=automatic,
        )

    def event(self, ticket: Ticket, kind: str, data: dict[str, Any]) -> None:
        tickets.add_event(self.session, ticket, at=self.now, actor=self.actor, kind=kind, data=data)

    def state(self, ticket: Ticket, state: TicketState, why: str) -> None:
        tickets.set_state(self.session, ticket, state, at=self.now, actor=self.actor, why=why)


def assign(desk: Desk, number: str, assignee: str) -> Ticket:
    if not assignee.strip():
        raise InvalidInput("--to is empty: name the specialist")
    ticket = desk.ticket(number)
    _require_open(ticket, "assign")
    ticket.assignee = assignee.strip()
    desk.event(ticket, "assign", {"to": ticket.assignee})
    desk.state(ticket, TicketState.IN_PROGRESS, "assigned")
    desk.notify(ticket, "assigned", {"assignee": ticket.assignee})
    return ticket


def escalate(desk: Desk, number: str, reason: str | None) -> Ticket:
    ticket = desk.ticket(number)
    _require_open(ticket, "escalate")
    ticket.level = 2
    desk.event(ticket, "escalate", {"reason": reason or ""})
    desk.state(ticket, TicketState.ESCALATED, "escalated to second level")
    desk.notify(ticket, "escalated", {})
    return ticket


def route(desk: Desk, number: str, area: str, reason: str | None = None) -> Ticket:
    """Channel the ticket to the normative or administrative area: it waits there for one of the
    area's specialists (assignee cleared; state queued unless data is still missing)."""
    if area not in AREAS:
        raise InvalidInput(f"--area must be one of {', '.join(sorted(AREAS))}, not {area!r}")
    ticket = desk.ticket(number)
    _require_open(ticket, "route")
    if ticket.area == area:
        raise InvalidInput(f"ticket {ticket.number} is already with the {area} area")
    desk.event(ticket, "route", {"from": ticket.area, "to": area, "reason": reason or ""})
    ticket.area, ticket.assignee = area, None
    if ticket.state != TicketState.AWAITING_INFO:
        desk.state(ticket, TicketState.QUEUED, f"routed to the {area} area")
    desk.notify(ticket, "routed", {"area": area})
    return ticket


def accredit(desk: Desk, number: str, note: str | None = None) -> Ticket:
    """Record that the oficio de acreditación was received (e.g. handed in another way)."""
    ticket = desk.ticket(number)
    desk.event(ticket, ACCREDITATION_RECEIVED, {"note": note or "", "files": []})
    flags = [f for f in ticket.flags or [] if f != "accreditation_needed"]
    ticket.flags = flags + ([] if "accreditation_received" in flags else ["accreditation_received"])
    ticket.missing = [name for name in ticket.missing or [] if name != ACCREDITATION]
    _after_data_change(desk, ticket)
    return ticket


def reply(desk: Desk, number: str, text: str) -> Ticket:
    if not text.strip():
        raise InvalidInput("--text is empty")
    ticket = desk.ticket(number)
    desk.event(ticket, "reply", {"chars": len(text)})
    desk.notify(
        ticket,
        "staff_reply",
        {"text": text, "staff_name": desk.actor.removeprefix("staff:")},
        automatic=False,
    )
    return ticket


def relabel(desk: Desk, number: str, label: str) -> Ticket:
    try:
        new = Label(label)
    except ValueError:
        raise InvalidInput(f"label must be one of {', '.join(Label)}, not {label!r}") from None
    ticket = desk.ticket(number)
    old = ticket.label
    ticket.label, ticket.needs_triage = new, False
    desk.event(ticket, "label", {"from": old, "to": new})
    _correction(desk, ticket, "label", None, old, new)
    ticket.missing = _recompute_missing(desk, ticket)
    _after_data_change(desk, ticket)
    return ticket


def set_field(desk: Desk, number: str, field: str, value: str) -> Ticket:
    if field not in FIELDS:
        raise InvalidInput(f"field must be one of {', '.join(FIELDS)}, not {field!r}")
    normalised = _normalise(field, value)
    ticket = desk.ticket(number)
    old = {name: (ticket.fields or {}).get(name) for name in normalised}
    tickets.merge_fields(
        desk.session,
        desk.box,
        ticket,
        ticket.contact,
        normalised,
        at=desk.now,
        actor=desk.actor,
        contact_fields=CONTACT_FIELDS,
    )
    for name, new in normalised.items():
        secret = name in SECRET_FIELDS
        _correction(desk, ticket, "field", name, None if secret else old[name], None if secret else new)
    ticket.missing = [name for name in ticket.missing or [] if name not in normalised]
    _after_data_change(desk, ticket)
    return ticket


def close(desk: Desk, number: str, note: str | None) -> Ticket:
    ticket = desk.ticket(number)
    if ticket.state == TicketState.CLOSED:
        raise InvalidInput(f"ticket {ticket.number} is already closed")
    desk.event(ticket, "close", {"note": note or ""})
    desk.state(ticket, TicketState.CLOSED, "closed by staff")
    days = desk.settings.tickets.reopen_window_days
    desk.notify(ticket, "closure", {"note": note, "reopen_days": days})
    return ticket


def reopen(desk: Desk, number: str) -> Ticket:
    ticket = desk.ticket(number)
    if ticket.state not in (TicketState.CLOSED, TicketState.RESOLVED):
        raise InvalidInput(f"ticket {ticket.number} is {ticket.state}, not closed")
    desk.event(ticket, "reopen", {})
    state = TicketState.AWAITING_INFO if ticket.missing else TicketState.QUEUED
    if ticket.assignee:
        state = TicketState.IN_PROGRESS
    desk.state(ticket, state, "reopened by staff")
    ticket.closed_at = None
    desk.notify(ticket, "reopened", {})
    return ticket


def _require_open(ticket: Ticket, action: str) -> None:
    if ticket.state == TicketState.CLOSED:
        raise InvalidInput(f"cannot {action} ticket {ticket.number}: it is closed (reopen it first)")


def _after_data_change(desk: Desk, ticket: Ticket) -> None:
    """A ticket awaiting data that now has it all moves on, and the requester is told."""
    if ticket.state == TicketState.AWAITING_INFO and not ticket.missing:
        desk.state(ticket, TicketState.QUEUED, "data completed by staff")
        desk.notify(ticket, "data_complete", {})


def _correction(desk: Desk, ticket: Ticket, kind: str, field: str | None, old: Any, new: Any) -> None:
    desk.session.add(
        Correction(
            ticket_id=ticket.id,
            kind=kind,
            field=field,
            old_value=None if old is None else str(old),
            new_value=None if new is None else str(new),
            actor=desk.actor,
            at=desk.now,
        )
    )


def _recompute_missing(desk: Desk, ticket: Ticket) -> list[str]:
    from ventanilla.classifier.cues import Cues
    from ventanilla.classifier.policy import missing_fields

    fields = {k: str(v) for k, v in (ticket.fields or {}).items()}
    fields.update(tickets.ticket_secrets(desk.box, ticket))
    known = dict(ticket.contact.fields or {}) if ticket.contact else {}
    sender = ticket.requester if "@" in ticket.requester else None
    cues = Cues(
        activation=False,
        database="backup_done" in (ticket.missing or []),
        has_description="description" in fields,
    )
    missing = missing_fields(ticket.label or Label.OTHER, fields, known, sender, cues, desk.settings.required)
    pending = [ACCREDITATION] if ACCREDITATION in (ticket.missing or []) else []
    return [*missing, *pending]


def _normalise(field: str, value: str) -> dict[str, str]:
    """The normal form of `value` for `field`; a phone written with its extension gives both."""
    from ventanilla.classifier import normalise

    value = value.strip()
    if not value:
        raise InvalidInput(f"value of {field} is empty")
    found: dict[str, str] = {}
    extension = _PHONE_EXTENSION.search(value) if field == "phone" else None
    if extension is not None:
        found["phone_ext"] = extension.group(1)
        value = value[: extension.start()].strip()
    if field == "backup_done":
        if value.casefold() not in _YES:
            raise InvalidInput(f"backup_done is set only when a backup was made (true), not {value!r}")
        return {field: "true"}
    name = "normalise_extension" if field == "phone_ext" else f"normalise_{field}"
    normaliser = getattr(normalise, name, None)
    if normaliser is None:
        return {field: value, **found}
    result = normaliser(value)
    if not result:
        raise InvalidInput(f"{value!r} is not a valid {field}")
    return {field: str(result), **found}
