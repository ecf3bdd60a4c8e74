"""Round trips through the ORM on both back-ends: tickets with their contact, messages and events,
aware UTC timestamps, JSON columns, encrypted columns and the uniqueness rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.orm import Session, sessionmaker

from ventanilla.store.channel_state import get_state, set_state
from ventanilla.store.crypto import SecretBox
from ventanilla.store.db import session_scope
from ventanilla.store.numbering import next_ticket_number
from ventanilla.store.schema import Contact, Message, Ticket, TicketEvent

AT = datetime(2026, 3, 4, 16, 0, tzinfo=UTC)
MEXICO = timezone(timedelta(hours=-6))


def _ticket(session: Session, box: SecretBox, **overrides: object) -> Ticket:
    number, serial = next_ticket_number(session, "SAACG", 2026)
    contact = Contact(
        email="tesoreria@zapopan.gob.mx",
        fields={"name": "Ana López", "ente": "Zapopan"},
        created_at=AT,
        updated_at=AT,
    )
    values: dict[str, object] = {
        "number": number,
        "year": 2026,
        "serial": serial,
        "state": "awaiting_info",
        "label": "technical",
        "confidence": 0.91,
        "channel": "email",
        "contact": contact,
        "requester": "tesoreria@zapopan.gob.mx",
        "cc": ["jefe@zapopan.gob.mx"],
        "subject": "Error al timbrar",
        "fields": {"licence": "SAACG-JAL-0457", "module": "Contabilidad"},
        "secrets": box.encrypt_json({"teamviewer_password": "8jk2m4"}),
        "missing": ["version"],
        "created_at": AT,
        "updated_at": AT,
    }
    values.update(overrides)
    ticket = Ticket(**values)
    session.add(ticket)
    return ticket


def test_ticket_with_contact_messages_and_events_round_trips(
    session_factory: sessionmaker[Session], secret_box: SecretBox
) -> None:
    with session_scope(session_factory) as session:
        ticket = _ticket(session, secret_box)
        ticket.messages.append(
            Message(
                direction="in",
                channel="email",
                source_id="abc@zapopan.gob.mx",
                at=AT,
                subject="Error al timbrar",
                body=secret_box.encrypt_text("La contraseña es 8jk2m4"),
                headers={"from": "tesoreria@zapopan.gob.mx", "references": []},
            )
        )
        ticket.messages.append(
            Message(
                direction="out",
                channel="email",
                source_id="t1@ventanilla",
                at=AT + timedelta(seconds=5),
                subject="[Ticket#SAACG-2026-000001]",
                body=secret_box.encrypt_text("Acuse"),
                template="acknowledgement",
            )
        )
        ticket.events.append(TicketEvent(at=AT, actor="bot", kind="created", data={"label": "technical"}))
        ticket.events.append(TicketEvent(at=AT, actor="staff:ana", kind="assign", data={"to": "ana"}))

    with session_scope(session_factory) as session:
        loaded = session.scalars(select(Ticket)).one()
        assert loaded.number == "SAACG-2026-000001"
        assert loaded.contact is not None and loaded.contact.fields["name"] == "Ana López"
        assert loaded.contact.tickets == [loaded]
        assert [m.direction for m in loaded.messages] == ["in", "out"]
        assert secret_box.decrypt_text(loaded.messages[0].body) == "La contraseña es 8jk2m4"
        assert loaded.messages[1].template == "acknowledgement"
        assert [(e.actor, e.kind) for e in loaded.events] == [("bot", "created"), ("staff:ana", "assign")]
        assert loaded.cc == ["jefe@zapopan.gob.mx"] and loaded.missing == ["version"]
        assert loaded.fields == {"licence": "SAACG-JAL-0457", "module": "Contabilidad"}
        assert secret_box.decrypt_json(loaded.secrets or b"") == {"teamviewer_password": "8jk2m4"}
        assert loaded.needs_triage is False and loaded.level == 1 and loaded.reminders_sent == 0


def test_timestamps_come_back_aware_utc(
    session_factory: sessionmaker[Session], secret_box: SecretBox
) -> None:
    local = datetime(2026, 3, 4, 10, 0, tzinfo=MEXICO)  # 16:00 UTC
    with session_scope(session_factory) as session:
        _ticket(session, secret_box, created_at=local, first_answer_at=local + timedelta(minutes=7))
    with session_scope(session_factory) as session:
        ticket = session.scalars(select(Ticket)).one()
        assert ticket.created_at == AT and ticket.created_at.tzinfo == UTC
        assert ticket.first_answer_at == AT + timedelta(minutes=7)
        assert ticket.resolved_at is None
        later = session.scalars(select(Ticket).where(Ticket.created_at > AT - timedelta(seconds=1))).all()
        assert later == [ticket]


def test_naive_datetimes_are_refused(session_factory: sessionmaker[Session], secret_box: SecretBox) -> None:
    with pytest.raises(StatementError, match="naive datetime"), session_scope(session_factory) as session:
        _ticket(session, secret_box, created_at=datetime(2026, 3, 4, 16, 0))


def test_message_source_id_is_unique_per_direction(
    session_factory: sessionmaker[Session], secret_box: SecretBox
) -> None:
    with session_scope(session_factory) as session:
        ticket = _ticket(session, secret_box)
        body = secret_box.encrypt_text("x")
        for direction, source_id in (("in", "same@id"), ("out", "same@id"), ("in", None), ("in", None)):
            ticket.messages.append(
                Message(direction=direction, channel="email", source_id=source_id, at=AT, body=body)
            )
    with pytest.raises(IntegrityError), session_scope(session_factory) as session:
        ticket = session.scalars(select(Ticket)).one()
        ticket.messages.append(
            Message(direction="in", channel="email", source_id="same@id", at=AT, body=body)
        )


def test_contact_email_and_chat_are_unique(session_factory: sessionmaker[Session]) -> None:
    with session_scope(session_factory) as session:
        session.add(Contact(email="a@x.mx", created_at=AT, updated_at=AT))
        session.add(Contact(telegram_chat_id=-100123456789, created_at=AT, updated_at=AT))
        session.add(Contact(created_at=AT, updated_at=AT))
    with pytest.raises(IntegrityError), session_scope(session_factory) as session:
        session.add(Contact(telegram_chat_id=-100123456789, created_at=AT, updated_at=AT))


def test_channel_state_keeps_the_last_value(session_factory: sessionmaker[Session]) -> None:
    with session_scope(session_factory) as session:
        assert get_state(session, "telegram:offset") is None
        set_state(session, "telegram:offset", "41")
        set_state(session, "imap:INBOX:uidvalidity", "1700000000")
    with session_scope(session_factory) as session:
        set_state(session, "telegram:offset", "42")
    with session_scope(session_factory) as session:
        assert get_state(session, "telegram:offset") == "42"
        assert get_state(session, "imap:INBOX:uidvalidity") == "1700000000"
