"""The SQLAlchemy 2.x schema of ventanilla: one ORM class per table, shared by SQLite and PostgreSQL.

Columns holding secrets or raw bytes (`raw_messages.data`, `messages.body`, `tickets.secrets`,
`dead_letters.raw`) hold Fernet tokens made by `store.crypto.SecretBox`; timestamps are aware UTC.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
ID_LENGTH = 998  # an RFC 5322 line: long enough for any Message-ID
ADDRESS_LENGTH = 320


def utcnow() -> datetime:
    """The current time, aware UTC (column defaults only; code paths take `now` from a clock)."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """An aware UTC timestamp. SQLite keeps naive UTC text (sortable); PostgreSQL a timestamptz.
    Naive datetimes are refused: they are always a bug."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: the store needs aware UTC datetimes")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class RawMessage(Base):
    """The durable intake queue: bytes as received, stored before the channel is acknowledged."""

    __tablename__ = "raw_messages"
    __table_args__ = (Index("ix_raw_messages_status_id", "status", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(16))  # "smtp", "imap", "telegram"
    source_id: Mapped[str | None] = mapped_column(String(ID_LENGTH))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    envelope: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # mail_from, rcpt_tos, peer
    data: Mapped[bytes] = mapped_column(LargeBinary)  # Fernet token of the raw bytes
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending, processed, dead
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    duplicate_of: Mapped[int | None] = mapped_column(ForeignKey("raw_messages.id"))  # first raw handled


class ProcessedId(Base):
    """An external id (Message-ID, IMAP UID, Telegram update id) already handled once."""

    __tablename__ = "processed_ids"
    __table_args__ = (UniqueConstraint("kind", "external_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # see intake.KIND_*
    external_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id", ondelete="SET NULL"))
    raw_id: Mapped[int | None] = mapped_column(ForeignKey("raw_messages.id", ondelete="SET NULL"))
    duplicate_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Contact(Base):
    """A requester, remembered across tickets; `fields` holds non-secret known data."""

    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str | None] = mapped_column(String(ADDRESS_LENGTH), unique=True)
    telegram_chat_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    fields: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    tickets: Mapped[list[Ticket]] = relationship(back_populates="contact", order_by="Ticket.id")


class Ticket(Base):
    """A support request. `secrets` is the encrypted JSON of secret fields (teamviewer_password)."""

    __tablename__ = "tickets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    year: Mapped[int] = mapped_column(Integer)
    serial: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(20), index=True)
    label: Mapped[str | None] = mapped_column(String(20))
    confidence: Mapped[float | None] = mapped_column(Float)
    needs_triage: Mapped[bool] = mapped_column(Boolean, default=False)
    channel: Mapped[str] = mapped_column(String(16))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"), index=True)
    requester: Mapped[str] = mapped_column(String(ADDRESS_LENGTH), index=True)  # address or "tg:<chat>"
    cc: Mapped[list[str]] = mapped_column(JSON, default=list)
    reply_to: Mapped[list[str]] = mapped_column(JSON, default=list)
    subject: Mapped[str] = mapped_column(Text, default="")
    fields: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    secrets: Mapped[bytes | None] = mapped_column(LargeBinary)
    missing: Mapped[list[str]] = mapped_column(JSON, default=list)
    assignee: Mapped[str | None] = mapped_column(String(120))
    level: Mapped[int] = mapped_column(Integer, default=1)
    area: Mapped[str | None] = mapped_column(String(20))  # routed to: "normative", "administrative"
    flags: Mapped[list[str] | None] = mapped_column(JSON, default=list)  # policy flags for staff
    reminders_sent: Mapped[int] = mapped_column(Integer, default=0)
    last_reminder_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    linked_ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    first_answer_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    contact: Mapped[Contact | None] = relationship(back_populates="tickets")
    linked_ticket: Mapped[Ticket | None] = relationship(remote_side=[id])
    messages: Mapped[list[Message]] = relationship(
        back_populates="ticket", order_by="(Message.at, Message.id)", cascade="all, delete-orphan"
    )
    events: Mapped[list[TicketEvent]] = relationship(
        back_populates="ticket", order_by="TicketEvent.id", cascade="all, delete-orphan"
    )


class Message(Base):
    """One message of a ticket's conversation, in or out. `body` is a Fernet token of the text."""

    __tablename__ = "messages"
    __table_args__ = (UniqueConstraint("direction", "source_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    direction: Mapped[str] = mapped_column(String(3))  # "in", "out"
    channel: Mapped[str] = mapped_column(String(16))
    source_id: Mapped[str | None] = mapped_column(String(ID_LENGTH))  # Message-ID, tg:…, tg-out:…
    raw_id: Mapped[int | None] = mapped_column(ForeignKey("raw_messages.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    subject: Mapped[str] = mapped_column(Text, default="")
    body: Mapped[bytes] = mapped_column(LargeBinary)
    template: Mapped[str | None] = mapped_column(String(64))
    headers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    duplicate_count: Mapped[int] = mapped_column(Integer, default=0)
    automatic: Mapped[str | None] = mapped_column(String(64))  # why it was judged automatic

    ticket: Mapped[Ticket] = relationship(back_populates="messages")


class TicketEvent(Base):
    """Something that happened to a ticket, with who and when; `data` never holds a secret value."""

    __tablename__ = "ticket_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor: Mapped[str] = mapped_column(String(120))  # "bot", "staff:<name>", "requester"
    kind: Mapped[str] = mapped_column(String(32))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    ticket: Mapped[Ticket] = relationship(back_populates="events")


class OutboxRow(Base):
    """A message to send, written in the transaction that decided it; `message_id` is fixed here."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_status_next_attempt_at", "status", "next_attempt_at"),
        Index("ix_outbox_recipient_created_at", "recipient", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="SET NULL"))
    channel: Mapped[str] = mapped_column(String(16))
    recipient: Mapped[str] = mapped_column(String(ADDRESS_LENGTH))
    message_id: Mapped[str | None] = mapped_column(String(ID_LENGTH), unique=True)
    subject: Mapped[str] = mapped_column(Text, default="")
    body_text: Mapped[str] = mapped_column(Text, default="")
    body_html: Mapped[str | None] = mapped_column(Text)
    headers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    template: Mapped[str | None] = mapped_column(String(64))
    automatic: Mapped[bool] = mapped_column(Boolean, default=True)  # counts for the rate limit
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending, sent, failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class DeadLetter(Base):
    """An input that could not be handled: its bytes (encrypted) and the reason, for replay."""

    __tablename__ = "dead_letters"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(16))
    source_id: Mapped[str | None] = mapped_column(String(ID_LENGTH))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    reason: Mapped[str] = mapped_column(Text)
    raw: Mapped[bytes] = mapped_column(LargeBinary)
    raw_id: Mapped[int | None] = mapped_column(ForeignKey("raw_messages.id", ondelete="SET NULL"))


class Correction(Base):
    """A staff correction of a label or a field, kept as training data (never a secret value)."""

    __tablename__ = "corrections"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # "label", "field"
    field: Mapped[str | None] = mapped_column(String(64))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(120))
    at: Mapped[datetime] = mapped_column(UTCDateTime())


class Licence(Base):
    """One row of the licence register imported from CSV."""

    __tablename__ = "licences"

    licence: Mapped[str] = mapped_column(String(64), primary_key=True)  # upper-case
    entity: Mapped[str] = mapped_column(Text)
    type: Mapped[str] = mapped_column(String(16))  # "purchased", "trial"
    updates_until: Mapped[date] = mapped_column(Date)
    holder_name: Mapped[str] = mapped_column(Text, default="")
    holder_email: Mapped[str] = mapped_column(String(ADDRESS_LENGTH), default="")
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ChannelState(Base):
    """Small durable channel positions: IMAP UIDVALIDITY and last UID per folder, Telegram offset."""

    __tablename__ = "channel_state"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class TicketCounter(Base):
    """The last serial handed out per (prefix, year); its row lock makes numbers gap-free."""

    __tablename__ = "ticket_counters"

    prefix: Mapped[str] = mapped_column(String(32), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_serial: Mapped[int] = mapped_column(Integer, default=0)
