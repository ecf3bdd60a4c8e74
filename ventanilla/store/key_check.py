"""The start-up check that the encryption key is the one the store was written with: a known token
(channel_state `security.key_check`) written with the first key, decrypted on every start, so that
`serve` refuses to run — rather than store new data under another key — when the key is missing or
wrong. Also re-encrypts every stored token with the first key (`rotate_store`)."""

from __future__ import annotations

from dataclasses import dataclass

from cryptography.fernet import Fernet
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from ventanilla.bot.errors import ConfigError, DecryptionError
from ventanilla.bot.settings import Settings
from ventanilla.store.channel_state import get_state, set_state
from ventanilla.store.crypto import SecretBox, key_configured, key_source, load_secret_box
from ventanilla.store.db import session_scope
from ventanilla.store.schema import DeadLetter, Message, RawMessage, Ticket

KEY_CHECK = "security.key_check"
CANARY = b"ventanilla key check"
ROTATE_BATCH = 500
# Every column holding a Fernet token (PRODUCT.md section 6; see store/schema.py).
ENCRYPTED_COLUMNS: tuple[tuple[type[RawMessage | Message | Ticket | DeadLetter], str], ...] = (
    (RawMessage, "data"),
    (Message, "body"),
    (Ticket, "secrets"),
    (DeadLetter, "raw"),
)


@dataclass(frozen=True)
class KeyStatus:
    """What the start-up check found: the box to use and whether the check token was new."""

    box: SecretBox
    first_use: bool


def open_secret_box(settings: Settings, factory: sessionmaker[Session]) -> KeyStatus:
    """The box for this store after checking its key. A store with encrypted data (or a check
    token) and no key, or a key that does not decrypt it, is a ConfigError naming
    `security.key_env`; a new key file is only created for a store holding no encrypted data."""
    for attempt in (1, 2):
        try:
            with session_scope(factory) as session:
                return _check(settings, session)
        except IntegrityError:  # another process wrote the check token at the same moment
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def verified_box(settings: Settings, session: Session) -> SecretBox:
    """The box for a staff command: the same check as `open_secret_box`, writing nothing (a read
    command never creates a key for a store that already holds encrypted data)."""
    return _check(settings, session, record=False).box


def _check(settings: Settings, session: Session, *, record: bool = True) -> KeyStatus:
    stored = get_state(session, KEY_CHECK)
    sample = stored.encode("ascii") if stored is not None else _any_token(session)
    if sample is None and not record and not key_configured(settings):
        # A staff command on a store with nothing encrypted and no key yet: nothing to decrypt, and
        # creating the key is left to `serve` (the data folder may not even be writable here).
        return KeyStatus(SecretBox(Fernet.generate_key()), first_use=False)
    box = load_secret_box(settings, create=sample is None)
    if sample is not None:
        try:
            box.decrypt(sample)
        except DecryptionError:
            env_name = settings.security.key_env
            raise ConfigError(
                "security.key_env",
                f"the encryption key from {key_source(settings)} does not decrypt the data already "
                f"in this store; set ${env_name} to the key it was written with (during a rotation: "
                f'"NEW_KEY,OLD_KEY")',
            ) from None
    if stored is None and record:
        set_state(session, KEY_CHECK, box.encrypt(CANARY).decode("ascii"))
    return KeyStatus(box, first_use=stored is None)


def _any_token(session: Session) -> bytes | None:
    """One encrypted value of the store, or None when it holds none (a store from before the check
    token existed is verified on it)."""
    for model, name in ENCRYPTED_COLUMNS:
        column = getattr(model, name)
        token = session.scalars(select(column).where(column.is_not(None)).limit(1)).first()
        if token is not None:
            return bytes(token)
    return None


def rotate_store(session: Session, box: SecretBox) -> int:
    """Re-encrypt every token of the store (and the check token) with the box's first key, in the
    session's transaction; returns how many values were rewritten. Any key of the box may have
    made them (MultiFernet): afterwards the old keys can be dropped."""
    rewritten = 0
    for model, name in ENCRYPTED_COLUMNS:
        last = 0
        while True:  # in batches by id: a large store never sits in memory at once
            rows: list[RawMessage | Message | Ticket | DeadLetter] = list(
                session.scalars(
                    select(model)
                    .where(getattr(model, name).is_not(None), model.id > last)
                    .order_by(model.id)
                    .limit(ROTATE_BATCH)
                )
            )
            if not rows:
                break
            for row in rows:
                setattr(row, name, box.rotate(bytes(getattr(row, name))))
            session.flush()
            session.expunge_all()
            rewritten, last = rewritten + len(rows), rows[-1].id
    stored = get_state(session, KEY_CHECK)
    if stored is not None:
        box.decrypt(stored.encode("ascii"))
    set_state(session, KEY_CHECK, box.encrypt(CANARY).decode("ascii"))
    return rewritten
