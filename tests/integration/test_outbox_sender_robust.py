"""The outbox sender under trouble: it outlives a store outage and sends once the store is back,
keeps no plain copy of a sent reply's body (the conversation keeps it, encrypted), stops taking
rows once asked to stop, and two takers never get the same row (leases, on both stores)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

import pytest
from sqlalchemy.orm import Session, sessionmaker
from worker_desk import Desk, desk_with_relay, email, sender_for

from ventanilla.bot.errors import StoreUnavailable
from ventanilla.bot.outbox_sender import OutboxSender
from ventanilla.store.db import session_scope
from ventanilla.store.outbox import PENDING, SENT, due, enqueue
from ventanilla.store.schema import OutboxRow

AT = datetime(2026, 3, 4, 16, 0, tzinfo=UTC)
DEADLINE = 30.0  # polling ends as soon as the condition holds


class AcceptingRelay:
    def __init__(self) -> None:
        self.received: list[bytes] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received.append(envelope.original_content or b"")
        return "250 2.0.0 OK"


@pytest.fixture
def desk_and_relay(sqlite_url: str, tmp_path: Path) -> Iterator[tuple[Desk, AcceptingRelay]]:
    relay = AcceptingRelay()
    with desk_with_relay(relay, sqlite_url, tmp_path / "data") as desk:
        yield desk, relay


class FlakyStore:
    """A session factory whose first `failures` sessions cannot reach the database."""

    def __init__(self, real: sessionmaker[Session], failures: int) -> None:
        self.real = real
        self.failures = failures
        self.refused = 0

    def __call__(self) -> Session:
        if self.refused < self.failures:
            self.refused += 1
            raise StoreUnavailable("database unavailable: connection refused")
        return self.real()


def _sender(desk: Desk, factory: Any = None, **kwargs: Any) -> OutboxSender:
    return sender_for(desk, cast("sessionmaker[Session]", factory) if factory else None, **kwargs)


async def _until(condition: Any, what: str) -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + DEADLINE
    while not condition():
        if loop.time() > end:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.01)


async def test_the_sender_outlives_a_store_outage_and_sends_when_it_is_back(
    desk_and_relay: tuple[Desk, AcceptingRelay], caplog: pytest.LogCaptureFixture
) -> None:
    desk, relay = desk_and_relay
    desk.deliver(email())
    store = FlakyStore(desk.app.sessions, failures=3)
    sender = _sender(desk, store, idle_seconds=0.01)
    stop = asyncio.Event()
    task = asyncio.create_task(sender.run(stop))
    try:
        await _until(lambda: relay.received, "the reply to reach the relay")
        assert not task.done()  # the failing passes did not end the sender
    finally:
        stop.set()
        await asyncio.wait_for(task, DEADLINE)
    assert store.refused == 3
    (row,) = desk.outbox()
    assert row.status == SENT
    assert "outbox pass failed" in caplog.text and "StoreUnavailable" in caplog.text


async def test_a_sent_reply_keeps_its_body_only_in_the_encrypted_conversation(
    desk_and_relay: tuple[Desk, AcceptingRelay],
) -> None:
    desk, relay = desk_and_relay
    desk.deliver(email())
    (queued,) = desk.outbox()
    text = queued.body_text
    assert text
    assert await _sender(desk).send_due() == 1
    (row,) = desk.outbox()
    assert row.status == SENT
    assert (row.body_text, row.body_html) == ("", None)
    assert row.subject == queued.subject and row.recipient == queued.recipient
    (sent,) = relay.received
    assert b"Content-Type: text/plain" in sent  # what left was the whole reply
    number = desk.only_ticket().number
    out = [m for m in desk.messages(number) if m.direction == "out"]
    assert [desk.body(m) for m in out] == [text]
    assert text.encode() not in out[0].body  # stored encrypted


class RecordingTransport:
    """Accepts every row; sets `stop` once the first one went out."""

    def __init__(self, stop: asyncio.Event) -> None:
        self.stop = stop
        self.sent: list[int] = []

    async def send(self, row: OutboxRow) -> None:
        self.sent.append(row.id)
        self.stop.set()


async def test_a_stopping_pass_takes_no_further_row_and_the_rest_stays_due(
    desk_and_relay: tuple[Desk, AcceptingRelay],
) -> None:
    desk, _relay = desk_and_relay
    for _ in range(3):
        desk.deliver(email())
    assert len(desk.outbox()) == 3
    stop = asyncio.Event()
    transport = RecordingTransport(stop)
    settings = desk.app.settings.outbound
    sender = OutboxSender(desk.app.sessions, {"email": transport}, settings, desk.clock)
    assert await sender.send_due(stop=stop) == 1
    rows = desk.outbox()
    assert [r.status for r in rows] == [SENT, PENDING, PENDING]
    assert all(r.next_attempt_at <= desk.clock.now() for r in rows[1:])  # due at the next start
    assert await sender.send_due() == 2  # a drain (no stop) sends the rest
    assert transport.sent == [r.id for r in rows]


def _enqueue(session: Session, n: int) -> OutboxRow:
    return enqueue(
        session,
        ticket_id=None,
        channel="email",
        recipient=f"usuario{n}@x.mx",
        message_id=f"<lease-{n}@saacg.example>",
        subject="[Ticket#SAACG-2026-000001] Acuse",
        body_text="Recibimos su solicitud.",
        body_html=None,
        headers={},
        template="acknowledgement",
        now=AT,
    )


def test_two_takers_never_get_the_same_row(session_factory: sessionmaker[Session]) -> None:
    with session_scope(session_factory) as session:
        ids = {_enqueue(session, n).id for n in range(5)}
    with session_scope(session_factory) as session:
        first = {r.id for r in due(session, AT, limit=2, lease_seconds=120)}
    with session_scope(session_factory) as session:
        second = {r.id for r in due(session, AT, limit=10, lease_seconds=120)}
    assert len(first) == 2 and first.isdisjoint(second) and first | second == ids
    with session_scope(session_factory) as session:
        assert due(session, AT + timedelta(seconds=119), limit=10) == []  # all leased
        again = {r.id for r in due(session, AT + timedelta(seconds=120), limit=10)}
    assert again == ids  # a lease ends: rows of a sender that died are taken again


@pytest.mark.postgres
def test_concurrent_takers_on_postgresql_skip_each_others_rows(postgres_url: str) -> None:
    from ventanilla.store.db import make_engine, make_session_factory, upgrade

    upgrade(postgres_url)
    engine = make_engine(postgres_url)
    factory = make_session_factory(engine)
    try:
        with session_scope(factory) as session:
            ids = {_enqueue(session, n).id for n in range(4)}
        with session_scope(factory) as one, session_scope(factory) as two:
            first = {r.id for r in due(one, AT, limit=2)}  # still uncommitted: rows locked
            second = {r.id for r in due(two, AT, limit=10)}
        assert len(first) == 2 and first.isdisjoint(second) and first | second == ids
    finally:
        engine.dispose()
