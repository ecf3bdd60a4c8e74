"""The durable intake queue: raw bytes stored (encrypted) before a channel acknowledges them, claimed
by the worker, marked processed or dead; and the register of external ids already handled."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from ventanilla.bot.errors import NotFound
from ventanilla.store.crypto import SecretBox
from ventanilla.store.db import session_scope
from ventanilla.store.dead_letters import add_dead_letter
from ventanilla.store.schema import DeadLetter, Message, ProcessedId, RawMessage

PENDING, PROCESSED, DEAD = "pending", "processed", "dead"
# Kinds of external id in processed_ids.
KIND_MESSAGE_ID = "message-id"  # an email Message-ID, whatever the channel (SMTP or IMAP)
KIND_IMAP = "imap"  # "imap:<uidvalidity>:<uid>" (the IMAP edge may add the folder)
KIND_TELEGRAM = "telegram"  # "tg:<update_id>"


def store_raw(
    factory: sessionmaker[Session],
    box: SecretBox,
    *,
    source: str,
    source_id: str | None,
    data: bytes,
    envelope: dict[str, Any],
    received_at: datetime,
) -> int:
    """Store what a channel received, in its own short transaction, and return its id. When this
    returns the bytes are committed; a database that cannot be reached raises StoreUnavailable."""
    row = new_raw_row(
        box, source=source, source_id=source_id, data=data, envelope=envelope, received_at=received_at
    )  # encrypted outside the transaction: keep the write lock short
    with session_scope(factory) as session:
        session.add(row)
        session.flush()
        return row.id


def new_raw_row(
    box: SecretBox,
    *,
    source: str,
    source_id: str | None,
    data: bytes,
    envelope: dict[str, Any],
    received_at: datetime,
) -> RawMessage:
    """A pending raw message holding `data` encrypted, not yet added to a session."""
    return RawMessage(
        source=source,
        source_id=source_id,
        received_at=received_at,
        envelope=envelope,
        data=box.encrypt(data),
        status=PENDING,
        attempts=0,
    )


def pending_sizes(session: Session, limit: int) -> list[tuple[int, int]]:
    """(id, stored size in bytes) of the oldest pending raw messages, at most `limit`, without
    loading their data."""
    rows = session.execute(
        select(RawMessage.id, func.length(RawMessage.data))
        .where(RawMessage.status == PENDING)
        .order_by(RawMessage.id)
        .limit(limit)
    )
    return [(int(raw_id), int(size or 0)) for raw_id, size in rows]


def claim_pending(session: Session, limit: int) -> list[RawMessage]:
    """The oldest pending raw messages, at most `limit`, with `attempts` incremented. On PostgreSQL
    the rows stay locked (FOR UPDATE SKIP LOCKED) until the session's transaction ends, so several
    workers never take the same row: handle them and mark them in the same transaction."""
    stmt = (
        select(RawMessage)
        .where(RawMessage.status == PENDING)
        .order_by(RawMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    rows = list(session.scalars(stmt))
    for row in rows:
        row.attempts += 1
    session.flush()
    return rows


def _raw(session: Session, raw_id: int) -> RawMessage:
    row = session.get(RawMessage, raw_id)
    if row is None:
        raise NotFound(f"raw message {raw_id} does not exist")
    return row


def mark_processed(
    session: Session, raw_id: int, *, now: datetime | None = None, duplicate_of: int | None = None
) -> None:
    """The raw message became a ticket event (or, with `duplicate_of`, repeated raw `duplicate_of`)."""
    row = _raw(session, raw_id)
    row.status = PROCESSED
    row.processed_at = now or datetime.now(UTC)
    row.duplicate_of = duplicate_of
    session.flush()


def mark_dead(
    session: Session,
    box: SecretBox,
    raw_id: int,
    reason: str,
    *,
    now: datetime | None = None,
    source_id: str | None = None,
) -> DeadLetter:
    """The raw message cannot be handled: mark it dead and add a dead letter with its bytes and
    `reason` (the encrypted bytes are copied as they are, so even an undecryptable row is kept).
    `source_id` (e.g. the Message-ID found by parsing) replaces the channel's id when given."""
    row = _raw(session, raw_id)
    row.status = DEAD
    row.processed_at = now or datetime.now(UTC)
    letter = add_dead_letter(
        session,
        box,
        source=row.source,
        source_id=source_id or row.source_id,
        received_at=row.received_at,
        reason=reason,
        raw=row.data,
        raw_id=row.id,
        now=now,
        encrypted=True,
    )
    session.flush()
    return letter


def raw_bytes(box: SecretBox, row: RawMessage) -> bytes:
    """The bytes as received."""
    return box.decrypt(row.data)


def record_external_id(
    session: Session,
    kind: str,
    external_id: str,
    message_id: int | None = None,
    *,
    raw_id: int | None = None,
) -> bool:
    """Register (kind, external_id) as handled; False when it was already, in which case the repeat
    is counted on the register row and on the message it repeats (`messages.duplicate_count`).

    Safe with concurrent workers: on PostgreSQL a second insert of the same id waits for the first
    transaction and then returns False. `message_id` may be given later with `link_external_id`."""
    values = {
        "kind": kind,
        "external_id": external_id,
        "message_id": message_id,
        "raw_id": raw_id,
        "duplicate_count": 0,
        "created_at": datetime.now(UTC),
    }
    if session.get_bind().dialect.name == "postgresql":
        pg = postgresql.insert(ProcessedId).values(values).on_conflict_do_nothing()
        inserted = session.execute(pg.returning(ProcessedId.id)).scalar_one_or_none()
    else:
        lite = sqlite.insert(ProcessedId).values(values).on_conflict_do_nothing()
        inserted = session.execute(lite.returning(ProcessedId.id)).scalar_one_or_none()
    if inserted is not None:
        return True
    repeated = session.execute(
        update(ProcessedId)
        .where(ProcessedId.kind == kind, ProcessedId.external_id == external_id)
        .values(duplicate_count=ProcessedId.duplicate_count + 1)
        .returning(ProcessedId.message_id)
    ).scalar_one()
    if repeated is not None:
        session.execute(
            update(Message)
            .where(Message.id == repeated)
            .values(duplicate_count=Message.duplicate_count + 1)
            .execution_options(synchronize_session="fetch")
        )
    return False


def link_external_id(session: Session, kind: str, external_id: str, message_id: int) -> None:
    """Attach the message made from (kind, external_id), once it exists."""
    row = find_external_id(session, kind, external_id)
    if row is None:
        raise NotFound(f"external id {kind}:{external_id} was never recorded")
    row.message_id = message_id
    session.flush()


def find_external_id(session: Session, kind: str, external_id: str) -> ProcessedId | None:
    """The register row of (kind, external_id), or None when it was never handled."""
    return session.scalars(
        select(ProcessedId).where(ProcessedId.kind == kind, ProcessedId.external_id == external_id)
    ).one_or_none()
