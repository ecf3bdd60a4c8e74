"""The IMAP position store on every database: a batch and the folder's new position are committed
together; the same IMAP identity stored twice (two readers) gives one raw message; the position
never moves back within a UIDVALIDITY and is replaced by a new one."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from ventanilla.store.crypto import SecretBox
from ventanilla.store.db import upgrade
from ventanilla.store.imap_state import (
    FetchedMessage,
    FolderPosition,
    load_position,
    read_only,
    save_position,
    store_fetched,
)
from ventanilla.store.intake import raw_bytes
from ventanilla.store.schema import RawMessage
from ventanilla.store.write_gate import WriteGate

AT = datetime(2026, 3, 4, 16, 0, tzinfo=UTC)


def test_batches_and_positions(session_factory: sessionmaker[Session], secret_box: SecretBox) -> None:
    upgrade(session_factory.kw["bind"])
    gate = WriteGate(enabled=False)
    batch = [
        FetchedMessage(1, b"From: a@b.mx\r\n\r\nuno\r\n"),
        FetchedMessage(2, b"From: a@b.mx\r\n\r\ndos\r\n"),
    ]

    def store(position: FolderPosition, messages: list[FetchedMessage]) -> list[int]:
        return store_fetched(
            session_factory,
            secret_box,
            gate,
            folder="INBOX",
            position=position,
            messages=messages,
            received_at=AT,
        )

    first = store(FolderPosition(7, 2, 0), batch)
    again = store(FolderPosition(7, 2, 0), batch)  # another reader took the same messages
    assert len(first) == 2 and again == []
    with session_factory() as session:
        rows = list(session.scalars(select(RawMessage).order_by(RawMessage.id)))
        assert [(r.source, r.source_id) for r in rows] == [
            ("imap", "imap:INBOX:7:1"),
            ("imap", "imap:INBOX:7:2"),
        ]
        assert raw_bytes(secret_box, rows[1]) == batch[1].data
    reader = read_only(session_factory)
    assert load_position(reader, "INBOX") == FolderPosition(7, 2, 0)
    save_position(session_factory, gate, "INBOX", FolderPosition(7, 1, 1), AT)  # never back
    assert load_position(reader, "INBOX") == FolderPosition(7, 2, 0)
    save_position(session_factory, gate, "INBOX", FolderPosition(9, 0, 0), AT)  # new UIDVALIDITY
    assert load_position(reader, "INBOX") == FolderPosition(9, 0, 0)
    assert load_position(reader, "Soporte") is None
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(RawMessage)) == 2
