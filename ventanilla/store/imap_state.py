"""Where the IMAP listener stands in each folder (UIDVALIDITY and the highest UID handled, a
`channel_state` row `imap:<folder>`), and the one transaction that stores fetched messages together
with the folder's new position, so a message is never stored twice nor skipped."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ventanilla.store.channel_state import get_state, set_state
from ventanilla.store.crypto import SecretBox
from ventanilla.store.db import session_scope
from ventanilla.store.intake import KIND_IMAP, KIND_MESSAGE_ID, new_raw_row, record_external_id
from ventanilla.store.schema import ProcessedId
from ventanilla.store.write_gate import WriteGate

SOURCE = "imap"


@dataclass(frozen=True)
class FolderPosition:
    """Every message of the folder with UID <= `last_uid` under `uidvalidity` has been stored, and
    every one with UID <= `acked_uid` acknowledged (\\Seen or moved); those in between may not be."""

    uidvalidity: int
    last_uid: int
    acked_uid: int = 0


@dataclass(frozen=True)
class FetchedMessage:
    """One message as fetched with BODY.PEEK[]."""

    uid: int
    data: bytes


def position_key(folder: str) -> str:
    return f"imap:{folder}"


def source_id(folder: str, uidvalidity: int, uid: int) -> str:
    """The message's IMAP identity: `imap:<folder>:<uidvalidity>:<uid>`."""
    return f"imap:{folder}:{uidvalidity}:{uid}"


def read_only(factory: sessionmaker[Session]) -> sessionmaker[Session]:
    """Sessions of `factory`'s engine whose transactions do not take SQLite's write lock."""
    bind = factory.kw["bind"]
    return sessionmaker(bind.execution_options(ventanilla_begin="DEFERRED"), expire_on_commit=False)


def load_position(factory: sessionmaker[Session], folder: str) -> FolderPosition | None:
    """The stored position of `folder`, or None before the first start (`factory`: read_only)."""
    with session_scope(factory) as session:
        value = get_state(session, position_key(folder))
    if value is None:
        return None
    data = json.loads(value)
    last = int(data["last_uid"])
    return FolderPosition(int(data["uidvalidity"]), last, int(data.get("acked_uid", last)))


def _advance(session: Session, folder: str, position: FolderPosition, now: datetime) -> None:
    """Store `position`, never moving back within the same UIDVALIDITY (two readers may race)."""
    key = position_key(folder)
    stored = get_state(session, key)
    if stored is not None:
        old = json.loads(stored)
        if int(old["uidvalidity"]) == position.uidvalidity and (
            int(old["last_uid"]),
            int(old.get("acked_uid", old["last_uid"])),
        ) >= (position.last_uid, position.acked_uid):
            return
    value = json.dumps(
        {"uidvalidity": position.uidvalidity, "last_uid": position.last_uid, "acked_uid": position.acked_uid}
    )
    set_state(session, key, value, now=now)


def save_position(
    factory: sessionmaker[Session], gate: WriteGate, folder: str, position: FolderPosition, now: datetime
) -> None:
    """Move the folder's position without storing a message (first start, UIDVALIDITY change)."""
    with gate.priority(), session_scope(factory) as session:
        _advance(session, folder, position, now)


def store_fetched(
    factory: sessionmaker[Session],
    box: SecretBox,
    gate: WriteGate,
    *,
    folder: str,
    position: FolderPosition,
    messages: Sequence[FetchedMessage],
    received_at: datetime,
) -> list[int]:
    """Store `messages` as pending raw messages and move the folder to `position`, in ONE
    transaction; return the ids of the new raw messages. A message whose IMAP identity was already
    stored (another reader took it) is counted as a repeat and not stored again. Raises StoreError
    (nothing stored, position unchanged) when the database cannot be written."""
    rows = [
        (
            message,
            new_raw_row(
                box,
                source=SOURCE,
                source_id=source_id(folder, position.uidvalidity, message.uid),
                data=message.data,
                envelope=_envelope(folder, position.uidvalidity, message.uid),
                received_at=received_at,
            ),
        )
        for message in messages
    ]  # encrypted before the write lock is taken
    stored: list[int] = []
    with gate.priority(), session_scope(factory) as session:
        session.add_all([row for _message, row in rows])
        session.flush()
        for _message, row in rows:
            assert row.source_id is not None
            if record_external_id(session, KIND_IMAP, row.source_id, raw_id=row.id):
                stored.append(row.id)
            else:
                session.delete(row)
        _advance(session, folder, position, received_at)
    return stored


def _envelope(folder: str, uidvalidity: int, uid: int) -> dict[str, Any]:
    return {"channel": "imap", "folder": folder, "uidvalidity": uidvalidity, "uid": uid}


def known_message_ids(factory: sessionmaker[Session], message_ids: Iterable[str]) -> set[str]:
    """Those of `message_ids` already handled (recorded by the worker as an email Message-ID);
    `factory`: read_only."""
    wanted = list(dict.fromkeys(message_ids))
    found: set[str] = set()
    with session_scope(factory) as session:
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            found.update(
                session.scalars(
                    select(ProcessedId.external_id).where(
                        ProcessedId.kind == KIND_MESSAGE_ID, ProcessedId.external_id.in_(chunk)
                    )
                )
            )
    return found
