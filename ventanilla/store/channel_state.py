"""Durable channel positions (IMAP UIDVALIDITY and last UID per folder, Telegram update offset) as
small key/value rows, written in the same transaction as what they acknowledge."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from ventanilla.store.schema import ChannelState


def get_state(session: Session, key: str) -> str | None:
    """The value stored under `key`, or None."""
    row = session.get(ChannelState, key)
    return None if row is None else row.value


def set_state(session: Session, key: str, value: str, *, now: datetime | None = None) -> None:
    """Store `value` under `key`, replacing any earlier value."""
    at = now or datetime.now(UTC)
    row = session.get(ChannelState, key)
    if row is None:
        session.add(ChannelState(key=key, value=value, updated_at=at))
    else:
        row.value = value
        row.updated_at = at
    session.flush()
