"""Dead letters: what could not be handled is listed in the documented JSON shape, oldest first,
with its bytes kept encrypted and readable for replay."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from ventanilla.store.crypto import SecretBox
from ventanilla.store.db import session_scope
from ventanilla.store.dead_letters import add_dead_letter, dead_letter_bytes, list_dead_letters

AT = datetime(2026, 3, 4, 16, 0, tzinfo=UTC)


def test_dead_letters_are_listed_oldest_first_in_the_documented_shape(
    session_factory: sessionmaker[Session], secret_box: SecretBox
) -> None:
    with session_scope(session_factory) as session:
        late = add_dead_letter(
            session,
            secret_box,
            source="telegram",
            source_id="tg:991",
            received_at=AT,
            reason="update without a message",
            raw=b'{"update_id": 991}',
        )
        early = add_dead_letter(
            session,
            secret_box,
            source="imap",
            source_id=None,
            received_at=AT - timedelta(hours=1),
            reason="TNEF only",
            raw=b"winmail.dat secret-bytes",
        )
        ids = (early.id, late.id)
    with session_scope(session_factory) as session:
        listed = list_dead_letters(session)
        assert listed == [
            {
                "id": ids[0],
                "source": "imap",
                "source_id": None,
                "received_at": "2026-03-04T15:00:00+00:00",
                "reason": "TNEF only",
            },
            {
                "id": ids[1],
                "source": "telegram",
                "source_id": "tg:991",
                "received_at": "2026-03-04T16:00:00+00:00",
                "reason": "update without a message",
            },
        ]
        json.dumps(listed)
        assert dead_letter_bytes(session, secret_box, ids[0]) == b"winmail.dat secret-bytes"
        stored = [bytes(v) for v in session.execute(text("SELECT raw FROM dead_letters")).scalars()]
        assert all(b"secret-bytes" not in value for value in stored)


def test_no_dead_letters(session_factory: sessionmaker[Session]) -> None:
    with session_scope(session_factory) as session:
        assert list_dead_letters(session) == []
