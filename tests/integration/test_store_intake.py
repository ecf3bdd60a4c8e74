"""The intake queue and the register of handled external ids: stored before acknowledging,
claimed in order, processed or dead (with a dead letter), duplicates counted, never re-handled."""

from __future__ import annotations

import socket
import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ventanilla.bot.errors import StoreUnavailable
from ventanilla.store.crypto import SecretBox
from ventanilla.store.db import make_engine, make_session_factory, session_scope, upgrade
from ventanilla.store.dead_letters import dead_letter_bytes, list_dead_letters
from ventanilla.store.intake import (
    KIND_MESSAGE_ID,
    KIND_TELEGRAM,
    claim_pending,
    find_external_id,
    link_external_id,
    mark_dead,
    mark_processed,
    raw_bytes,
    record_external_id,
    store_raw,
)
from ventanilla.store.schema import Message, RawMessage, Ticket

AT = datetime(2026, 3, 4, 16, 0, tzinfo=UTC)


def _store(factory: sessionmaker[Session], box: SecretBox, n: int) -> int:
    return store_raw(
        factory,
        box,
        source="smtp",
        source_id=f"m{n}@x.mx",
        data=f"mail {n}".encode(),
        envelope={"mail_from": "", "rcpt_tos": ["soporte@saacg.example"], "peer": "127.0.0.1"},
        received_at=AT + timedelta(seconds=n),
    )


def test_stored_raw_is_committed_and_claimed_in_order(
    session_factory: sessionmaker[Session], secret_box: SecretBox
) -> None:
    ids = [_store(session_factory, secret_box, n) for n in range(3)]
    with session_scope(session_factory) as session:
        claimed = claim_pending(session, limit=2)
        assert [row.id for row in claimed] == ids[:2]
        assert [raw_bytes(secret_box, row) for row in claimed] == [b"mail 0", b"mail 1"]
        assert claimed[0].envelope["rcpt_tos"] == ["soporte@saacg.example"]
        assert claimed[0].received_at == AT
        for row in claimed:
            mark_processed(session, row.id, now=AT)
    with session_scope(session_factory) as session:
        rest = claim_pending(session, limit=10)
        assert [(row.id, row.attempts) for row in rest] == [(ids[2], 1)]
        done = session.get(RawMessage, ids[0])
        assert done is not None and done.status == "processed" and done.processed_at == AT


def test_a_failed_claim_is_retried_with_its_attempts_counted(
    session_factory: sessionmaker[Session], secret_box: SecretBox
) -> None:
    raw_id = _store(session_factory, secret_box, 1)
    with session_scope(session_factory) as session:
        claim_pending(session, limit=1)  # handled, committed, but not marked: crashed mid-way
    with session_scope(session_factory) as session:
        (row,) = claim_pending(session, limit=1)
        assert (row.id, row.attempts) == (raw_id, 2)


def test_mark_dead_keeps_the_bytes_and_the_reason(
    session_factory: sessionmaker[Session], secret_box: SecretBox
) -> None:
    raw_id = _store(session_factory, secret_box, 7)
    with session_scope(session_factory) as session:
        letter = mark_dead(session, secret_box, raw_id, "malformed MIME: no header/body separator", now=AT)
        letter_id = letter.id
    with session_scope(session_factory) as session:
        assert claim_pending(session, limit=10) == []
        assert list_dead_letters(session) == [
            {
                "id": letter_id,
                "source": "smtp",
                "source_id": "m7@x.mx",
                "received_at": "2026-03-04T16:00:07+00:00",
                "reason": "malformed MIME: no header/body separator",
            }
        ]
        assert dead_letter_bytes(session, secret_box, letter_id) == b"mail 7"
        row = session.get(RawMessage, raw_id)
        assert row is not None and row.status == "dead"


def test_a_repeated_external_id_is_refused_and_counted_on_its_message(
    session_factory: sessionmaker[Session], secret_box: SecretBox
) -> None:
    raw_id = _store(session_factory, secret_box, 1)
    with session_scope(session_factory) as session:
        assert record_external_id(session, KIND_MESSAGE_ID, "m1@x.mx", raw_id=raw_id) is True
        ticket = Ticket(
            number="SAACG-2026-000001",
            year=2026,
            serial=1,
            state="queued",
            channel="email",
            requester="a@x.mx",
            created_at=AT,
            updated_at=AT,
        )
        message = Message(
            direction="in", channel="email", source_id="m1@x.mx", at=AT, body=secret_box.encrypt_text("hola")
        )
        ticket.messages.append(message)
        session.add(ticket)
        session.flush()
        link_external_id(session, KIND_MESSAGE_ID, "m1@x.mx", message.id)
    for _ in range(2):
        with session_scope(session_factory) as session:
            assert record_external_id(session, KIND_MESSAGE_ID, "m1@x.mx") is False
    with session_scope(session_factory) as session:
        assert session.scalars(select(Message.duplicate_count)).one() == 2
        seen = find_external_id(session, KIND_MESSAGE_ID, "m1@x.mx")
        assert seen is not None and (seen.duplicate_count, seen.raw_id) == (2, raw_id)
        assert record_external_id(session, KIND_TELEGRAM, "m1@x.mx") is True  # other kind, other id
        assert find_external_id(session, KIND_TELEGRAM, "tg:1") is None


def test_an_unlinked_repeat_is_counted_on_the_register(session_factory: sessionmaker[Session]) -> None:
    with session_scope(session_factory) as session:
        assert record_external_id(session, KIND_TELEGRAM, "tg:1001") is True
        assert record_external_id(session, KIND_TELEGRAM, "tg:1001") is False
        seen = find_external_id(session, KIND_TELEGRAM, "tg:1001")
        assert seen is not None and seen.duplicate_count == 1 and seen.message_id is None


def test_two_workers_recording_the_same_id_handle_it_once(session_factory: sessionmaker[Session]) -> None:
    first = session_factory()
    outcome: list[bool] = []
    try:
        assert record_external_id(first, KIND_MESSAGE_ID, "race@x.mx") is True

        def second_worker() -> None:
            with session_scope(session_factory) as session:
                outcome.append(record_external_id(session, KIND_MESSAGE_ID, "race@x.mx"))

        thread = threading.Thread(target=second_worker)
        thread.start()
        thread.join(timeout=0.5)
        assert outcome == []  # waits for the first worker's transaction
        first.commit()
        thread.join()
        assert outcome == [False]
    finally:
        first.close()


@pytest.mark.postgres
def test_postgres_workers_claim_disjoint_rows(postgres_url: str, secret_box: SecretBox) -> None:
    upgrade(postgres_url)
    engine = make_engine(postgres_url)
    factory = make_session_factory(engine)
    try:
        ids = [_store(factory, secret_box, n) for n in range(3)]
        with session_scope(factory) as one, session_scope(factory) as two:
            assert [row.id for row in claim_pending(one, limit=2)] == ids[:2]
            assert [row.id for row in claim_pending(two, limit=2)] == ids[2:]
    finally:
        engine.dispose()


def test_store_raw_on_an_unreachable_database_is_store_unavailable(secret_box: SecretBox) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))  # bound, not listening: connections are refused
        engine = make_engine(f"postgresql://nobody@127.0.0.1:{sock.getsockname()[1]}/none?connect_timeout=2")
        try:
            with pytest.raises(StoreUnavailable):
                _store(make_session_factory(engine), secret_box, 1)
        finally:
            engine.dispose()
