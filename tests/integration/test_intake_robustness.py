"""The intake never stalls: a stored message that cannot be decrypted becomes a dead letter and the
next one is still handled; the group-committing batcher answers every waiting session."""

from __future__ import annotations

from concurrent.futures import wait
from datetime import UTC, datetime
from pathlib import Path

import pytest
from worker_desk import Desk, email

from ventanilla.bot.errors import StoreUnavailable
from ventanilla.store.crypto import SecretBox
from ventanilla.store.intake import store_raw
from ventanilla.store.raw_batcher import RawBatcher
from ventanilla.store.schema import RawMessage
from ventanilla.store.write_gate import WriteGate

NOW = datetime(2026, 3, 4, 16, 0, tzinfo=UTC)


def test_an_undecryptable_message_is_dead_lettered_and_the_next_one_handled(lite_desk: Desk) -> None:
    other_key = SecretBox(_key())  # e.g. the key changed after this message was stored
    store_raw(
        lite_desk.app.sessions,
        other_key,
        source="smtp",
        source_id=None,
        data=email(),
        envelope={},
        received_at=NOW,
    )
    lite_desk.deliver(email(subject="Otra solicitud"))
    (letter,) = lite_desk.dead_letters()
    assert "decrypt" in letter["reason"]
    assert len(lite_desk.tickets()) == 1


def _key() -> bytes:
    from cryptography.fernet import Fernet

    return Fernet.generate_key()


def test_the_batcher_commits_together_and_answers_each_session(lite_desk: Desk) -> None:
    app = lite_desk.app
    batcher = RawBatcher(app.sessions, app.box, WriteGate())
    raws = [email(subject=f"n{i}") for i in range(20)]
    futures = [
        batcher.submit(source="smtp", source_id=None, data=raw, envelope={}, received_at=NOW) for raw in raws
    ]  # queued before the writer starts: they go in one or few transactions
    batcher.start()
    wait(futures, timeout=30)
    ids = [f.result() for f in futures]
    assert len(set(ids)) == 20
    with app.sessions() as session:
        stored = session.query(RawMessage).filter(RawMessage.id.in_(ids)).all()
        assert {app.box.decrypt(r.data) for r in stored} == set(raws)
    batcher.close()
    late = batcher.submit(source="smtp", source_id=None, data=b"x", envelope={}, received_at=NOW)
    with pytest.raises(StoreUnavailable):
        late.result(timeout=5)


def test_a_failed_batch_fails_every_waiting_session(tmp_path: Path) -> None:
    from ventanilla.store.db import make_engine, make_session_factory

    engine = make_engine(f"sqlite:///{tmp_path / 'missing-schema.db'}")  # no tables: inserts fail
    batcher = RawBatcher(make_session_factory(engine), SecretBox(_key()), WriteGate())
    batcher.start()
    try:
        futures = [
            batcher.submit(source="smtp", source_id=None, data=b"x", envelope={}, received_at=NOW)
            for _ in range(3)
        ]
        wait(futures, timeout=30)
        assert all(f.exception() is not None for f in futures)  # each SMTP session answers 451
    finally:
        batcher.close()
        engine.dispose()
