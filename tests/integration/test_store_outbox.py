"""The outbox: due rows, sent rows, the deterministic back-off schedule, permanent failures and the
count behind the per-recipient rate limit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from ventanilla.store.db import session_scope
from ventanilla.store.outbox import (
    count_recent_auto_replies,
    due,
    enqueue,
    mark_failed,
    mark_retry,
    mark_sent,
    retry_delay,
)
from ventanilla.store.schema import OutboxRow

AT = datetime(2026, 3, 4, 16, 0, tzinfo=UTC)


def _enqueue(
    session: Session,
    recipient: str = "ana@x.mx",
    *,
    now: datetime = AT,
    automatic: bool = True,
    message_id: str | None = None,
) -> OutboxRow:
    return enqueue(
        session,
        ticket_id=None,
        channel="email",
        recipient=recipient,
        message_id=message_id,
        subject="[Ticket#SAACG-2026-000001] Acuse",
        body_text="Recibimos su solicitud.",
        body_html=None,
        headers={"Auto-Submitted": "auto-replied"},
        template="acknowledgement",
        now=now,
        automatic=automatic,
    )


def test_backoff_schedule_doubles_up_to_the_cap() -> None:
    assert [retry_delay(n, 5.0, 600.0) for n in range(1, 10)] == [5, 10, 20, 40, 80, 160, 320, 600, 600]
    assert retry_delay(10_000, 5.0, 600.0) == 600.0


def test_a_row_is_due_sent_once_and_keeps_its_message_id(session_factory: sessionmaker[Session]) -> None:
    with session_scope(session_factory) as session:
        row_id = _enqueue(session, message_id="<t1.a@saacg.example>").id
    with session_scope(session_factory) as session:
        assert [r.id for r in due(session, AT, limit=10)] == [row_id]
        mark_sent(session, row_id, AT + timedelta(seconds=1))
    with session_scope(session_factory) as session:
        assert due(session, AT + timedelta(days=1), limit=10) == []
        row = session.get(OutboxRow, row_id)
        assert row is not None
        assert (row.status, row.attempts, row.message_id) == ("sent", 1, "<t1.a@saacg.example>")
        assert row.sent_at == AT + timedelta(seconds=1)


def test_retries_follow_the_schedule(session_factory: sessionmaker[Session]) -> None:
    with session_scope(session_factory) as session:
        row_id = _enqueue(session).id
    now = AT
    for expected in (5, 10, 20, 40):
        with session_scope(session_factory) as session:
            row = mark_retry(session, row_id, "451 4.3.0 try later", now, initial=5.0, maximum=30.0)
            assert row.next_attempt_at == now + timedelta(seconds=min(expected, 30))
            assert due(session, now + timedelta(seconds=min(expected, 30) - 1), limit=10) == []
            assert [r.id for r in due(session, row.next_attempt_at, limit=10)] == [row_id]
            now = row.next_attempt_at
    with session_scope(session_factory) as session:
        row = mark_retry(session, row_id, "x" * 5000, now, 5.0, 30.0, max_attempts=5)
        assert (row.status, row.attempts, len(row.last_error or "")) == ("failed", 5, 2000)
        assert due(session, now + timedelta(days=1), limit=10) == []


def test_a_permanent_failure_is_never_retried(session_factory: sessionmaker[Session]) -> None:
    with session_scope(session_factory) as session:
        row_id = _enqueue(session).id
        mark_failed(session, row_id, "550 5.1.1 no such user", AT)
    with session_scope(session_factory) as session:
        assert due(session, AT + timedelta(days=30), limit=10) == []
        row = session.get(OutboxRow, row_id)
        assert row is not None and row.status == "failed" and row.last_error == "550 5.1.1 no such user"


def test_recent_auto_replies_are_counted_per_recipient(session_factory: sessionmaker[Session]) -> None:
    with session_scope(session_factory) as session:
        _enqueue(session, "Ana@X.mx", now=AT - timedelta(hours=4))  # outside the window
        _enqueue(session, "ana@x.mx", now=AT - timedelta(hours=1))
        _enqueue(session, "ANA@x.mx", now=AT)
        _enqueue(session, "ana@x.mx", now=AT, automatic=False)  # a specialist's reply
        _enqueue(session, "otro@x.mx", now=AT)
        mark_failed(session, _enqueue(session, "ana@x.mx", now=AT).id, "550", AT)
    with session_scope(session_factory) as session:
        assert count_recent_auto_replies(session, "ana@x.mx", AT - timedelta(hours=3)) == 2
        assert count_recent_auto_replies(session, "nadie@x.mx", AT - timedelta(hours=3)) == 0


def test_message_ids_are_unique(session_factory: sessionmaker[Session]) -> None:
    with pytest.raises(IntegrityError), session_scope(session_factory) as session:
        _enqueue(session, message_id="<same@saacg.example>")
        _enqueue(session, message_id="<same@saacg.example>")
