"""Dead letters: inputs that could not be handled, kept with their raw bytes (encrypted) and the
reason, listed for staff (`ventanilla dead-letters`) and readable for replay."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ventanilla.bot.errors import NotFound
from ventanilla.store.crypto import SecretBox
from ventanilla.store.schema import DeadLetter, ProcessedId, RawMessage


def add_dead_letter(
    session: Session,
    box: SecretBox,
    *,
    source: str,
    source_id: str | None,
    received_at: datetime,
    reason: str,
    raw: bytes,
    raw_id: int | None = None,
    now: datetime | None = None,
    encrypted: bool = False,
) -> DeadLetter:
    """Add a dead letter. `raw` is the input as received (encrypted here), or with `encrypted=True`
    a token the same box already made (e.g. `raw_messages.data`)."""
    letter = DeadLetter(
        source=source,
        source_id=source_id,
        received_at=received_at,
        created_at=now or datetime.now(UTC),
        reason=reason,
        raw=raw if encrypted else box.encrypt(raw),
        raw_id=raw_id,
    )
    session.add(letter)
    session.flush()
    return letter


def dead_letter_dict(letter: DeadLetter) -> dict[str, Any]:
    """The PRODUCT.md section 9 shape: id, source, source_id, received_at (ISO 8601 UTC), reason."""
    return {
        "id": letter.id,
        "source": letter.source,
        "source_id": letter.source_id,
        "received_at": letter.received_at.isoformat(),
        "reason": letter.reason,
    }


def list_dead_letters(session: Session) -> list[dict[str, Any]]:
    """Every dead letter, oldest first, as `dead_letter_dict`."""
    rows = session.scalars(select(DeadLetter).order_by(DeadLetter.received_at, DeadLetter.id))
    return [dead_letter_dict(row) for row in rows]


def dead_letter_bytes(session: Session, box: SecretBox, letter_id: int) -> bytes:
    """The raw bytes of dead letter `letter_id`, for inspection or replay."""
    letter = session.get(DeadLetter, letter_id)
    if letter is None:
        raise NotFound(f"dead letter {letter_id} does not exist")
    return box.decrypt(letter.raw)


def replay_dead_letter(session: Session, letter_id: int) -> int:
    """Queue dead letter `letter_id` for the worker again (after a fix) and remove it from the
    dead letters; returns the new raw message id. Its external id is forgotten so the retry is
    not taken for a duplicate; an id already linked to a ticket message is kept."""
    letter = session.get(DeadLetter, letter_id)
    if letter is None:
        raise NotFound(f"dead letter {letter_id} does not exist")
    original = session.get(RawMessage, letter.raw_id) if letter.raw_id is not None else None
    if letter.source_id:
        session.execute(
            delete(ProcessedId).where(
                ProcessedId.external_id == letter.source_id, ProcessedId.message_id.is_(None)
            )
        )
    row = RawMessage(
        source=letter.source,
        source_id=letter.source_id,
        received_at=letter.received_at,
        envelope=dict(original.envelope) if original is not None else {},
        data=letter.raw,  # already encrypted with the same key
        status="pending",
        attempts=0,
    )
    session.add(row)
    session.delete(letter)
    session.flush()
    return row.id
