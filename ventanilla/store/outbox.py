"""The outbox: messages to send, written in the transaction that decided them, then sent by the
sender with retries on a deterministic exponential back-off, and counted for the reply rate limit.
Once sent, a row keeps only its envelope and subject: the body lives on, encrypted, in `messages`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ventanilla.bot.errors import NotFound
from ventanilla.store.schema import OutboxRow

PENDING, SENT, FAILED = "pending", "sent", "failed"
UNDELIVERABLE = "undeliverable"  # sent, then a delivery report said it never arrived
MAX_ERROR_LENGTH = 2000
LEASE_SECONDS = 300.0  # default time a taken row is hidden from other senders


def enqueue(
    session: Session,
    *,
    ticket_id: int | None,
    channel: str,
    recipient: str,
    message_id: str | None,
    subject: str,
    body_text: str,
    body_html: str | None,
    headers: dict[str, Any],
    template: str | None,
    now: datetime,
    automatic: bool = True,
) -> OutboxRow:
    """Queue a message, due at once. `message_id` (email) is fixed now, so a resend after a crash
    keeps it. `automatic=False` (a specialist's own reply) does not count for the rate limit."""
    row = OutboxRow(
        ticket_id=ticket_id,
        channel=channel,
        recipient=recipient,
        message_id=message_id,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        headers=headers,
        template=template,
        automatic=automatic,
        status=PENDING,
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )
    session.add(row)
    session.flush()
    return row


def due(session: Session, now: datetime, limit: int, lease_seconds: float = LEASE_SECONDS) -> list[OutboxRow]:
    """Pending rows whose time has come, oldest first, leased to the caller: in the same transaction
    their `next_attempt_at` moves to `now + lease_seconds`, so no other sender takes them until the
    lease ends, even after this transaction commits (`mark_sent`/`mark_retry`/`mark_failed` then
    set their own values). On PostgreSQL, SKIP LOCKED keeps two concurrent takers apart until then.
    A sender that dies mid-send leaves its rows pending; they are taken again when the lease ends."""
    stmt = (
        select(OutboxRow)
        .where(OutboxRow.status == PENDING, OutboxRow.next_attempt_at <= now)
        .order_by(OutboxRow.next_attempt_at, OutboxRow.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    rows = list(session.scalars(stmt))
    leased_until = now + timedelta(seconds=lease_seconds)
    for row in rows:
        row.next_attempt_at = leased_until
    session.flush()
    return rows


def _row(session: Session, row_id: int) -> OutboxRow:
    row = session.get(OutboxRow, row_id)
    if row is None:
        raise NotFound(f"outbox row {row_id} does not exist")
    return row


def mark_sent(session: Session, row_id: int, now: datetime) -> None:
    """The relay or the Bot API accepted the message. Its body is cleared (`body_text` "",
    `body_html` None) so no plain copy of what the requester was told stays in the outbox; the
    conversation keeps it, encrypted, in `messages`. Subject, recipient and headers stay."""
    row = _row(session, row_id)
    row.status = SENT
    row.attempts += 1
    row.sent_at = now
    row.next_attempt_at = now
    row.last_error = None
    row.body_text = ""
    row.body_html = None
    session.flush()


def retry_delay(attempts: int, initial: float, maximum: float) -> float:
    """Seconds to wait after the `attempts`-th failure: initial, 2×, 4×, … capped at `maximum`."""
    if attempts < 1:
        return 0.0
    return float(min(maximum, initial * 2 ** min(attempts - 1, 62)))


def mark_retry(
    session: Session,
    row_id: int,
    error: str,
    now: datetime,
    initial: float,
    maximum: float,
    max_attempts: int | None = None,
) -> OutboxRow:
    """A temporary failure: count it and schedule the next attempt (`retry_delay`). With
    `max_attempts`, the row is marked failed once it has been tried that many times."""
    row = _row(session, row_id)
    row.attempts += 1
    row.last_error = error[:MAX_ERROR_LENGTH]
    if max_attempts is not None and row.attempts >= max_attempts:
        row.status = FAILED
    else:
        row.next_attempt_at = now + timedelta(seconds=retry_delay(row.attempts, initial, maximum))
    session.flush()
    return row


def mark_failed(session: Session, row_id: int, error: str, now: datetime) -> None:
    """A permanent failure (e.g. the relay refused the recipient): never retried."""
    row = _row(session, row_id)
    row.status = FAILED
    row.attempts += 1
    row.last_error = error[:MAX_ERROR_LENGTH]
    row.next_attempt_at = now
    session.flush()


def mark_undeliverable(session: Session, message_ids: Sequence[str], reason: str) -> list[OutboxRow]:
    """A delivery report says these messages of ours never arrived: their sent email rows become
    undeliverable, with `reason` as their last error; the rows it changed. Rows not sent (pending,
    failed) or already marked are left alone, so a forged or repeated report changes nothing more."""
    wanted = [i for i in message_ids if i]
    if not wanted:
        return []
    rows = list(
        session.scalars(
            select(OutboxRow)
            .where(OutboxRow.message_id.in_(wanted), OutboxRow.status == SENT)
            .order_by(OutboxRow.id)
        )
    )
    for row in rows:
        row.status = UNDELIVERABLE
        row.last_error = reason[:MAX_ERROR_LENGTH]
    session.flush()
    return rows


def count_recent_auto_replies(session: Session, recipient: str, since: datetime) -> int:
    """Automatic messages queued for `recipient` (case-insensitive) at or after `since`, sent or not
    (failed ones excluded)."""
    stmt = select(func.count(OutboxRow.id)).where(
        func.lower(OutboxRow.recipient) == recipient.lower(),
        OutboxRow.created_at >= since,
        OutboxRow.automatic.is_(True),
        OutboxRow.status != FAILED,
    )
    return int(session.scalar(stmt) or 0)
