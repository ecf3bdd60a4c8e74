"""The start-up key check on each store: a new store gets a check token; a store written before the
token existed is checked on its data; a wrong key is refused naming `security.key_env`;
`rotate_store` re-encrypts every token so that the new key alone reads the store."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ventanilla.bot.errors import ConfigError
from ventanilla.bot.settings import Settings, settings_from_dict
from ventanilla.store import key_check
from ventanilla.store.channel_state import get_state
from ventanilla.store.crypto import SecretBox
from ventanilla.store.db import session_scope
from ventanilla.store.dead_letters import add_dead_letter
from ventanilla.store.intake import store_raw
from ventanilla.store.key_check import KEY_CHECK, open_secret_box, rotate_store
from ventanilla.store.schema import DeadLetter, RawMessage

KEY_ENV = "VENTANILLA_TEST_KEY_CHECK"


def _settings(tmp_path: Path) -> Settings:
    return settings_from_dict(
        {"service": {"data_dir": str(tmp_path / "data")}, "security": {"key_env": KEY_ENV}}
    )


def _store_some(factory: sessionmaker[Session], box: SecretBox) -> None:
    now = datetime.now(UTC)
    store_raw(
        factory,
        box,
        source="smtp",
        source_id=None,
        data=b"Subject: hola\r\n\r\nclave 8jk2m4",
        envelope={},
        received_at=now,
    )
    with session_scope(factory) as session:
        add_dead_letter(
            session, box, source="smtp", source_id=None, received_at=now, reason="prueba", raw=b"x"
        )


def test_a_new_store_gets_a_check_token_and_the_same_key_passes(
    session_factory: sessionmaker[Session], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(KEY_ENV, Fernet.generate_key().decode())
    first = open_secret_box(_settings(tmp_path), session_factory)
    assert first.first_use
    again = open_secret_box(_settings(tmp_path), session_factory)
    assert not again.first_use
    with session_factory() as session:
        assert get_state(session, KEY_CHECK)
    monkeypatch.setenv(KEY_ENV, Fernet.generate_key().decode())
    with pytest.raises(ConfigError, match=f"security.key_env.*\\${KEY_ENV} does not decrypt"):
        open_secret_box(_settings(tmp_path), session_factory)


def test_a_store_from_before_the_check_token_is_checked_on_its_data(
    session_factory: sessionmaker[Session], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = Fernet.generate_key().decode()
    _store_some(session_factory, SecretBox(key))
    monkeypatch.setenv(KEY_ENV, Fernet.generate_key().decode())
    with pytest.raises(ConfigError, match="does not decrypt"):
        open_secret_box(_settings(tmp_path), session_factory)
    monkeypatch.delenv(KEY_ENV)
    with pytest.raises(ConfigError, match="holds encrypted data but no key"):
        open_secret_box(_settings(tmp_path), session_factory)
    assert not (tmp_path / "data" / "secret.key").exists()
    monkeypatch.setenv(KEY_ENV, key)
    assert open_secret_box(_settings(tmp_path), session_factory).first_use  # the token is added now
    assert not open_secret_box(_settings(tmp_path), session_factory).first_use


def test_rotate_store_leaves_a_store_the_new_key_alone_reads(
    session_factory: sessionmaker[Session], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    monkeypatch.setenv(KEY_ENV, old)
    monkeypatch.setattr(key_check, "ROTATE_BATCH", 1)  # one row a batch: the batching is exercised
    open_secret_box(_settings(tmp_path), session_factory)
    _store_some(session_factory, SecretBox(old))
    _store_some(session_factory, SecretBox(old))
    with session_scope(session_factory) as session:
        assert rotate_store(session, SecretBox(new, old)) == 4
    monkeypatch.setenv(KEY_ENV, new)
    box = open_secret_box(_settings(tmp_path), session_factory).box
    with session_factory() as session:
        raws = session.scalars(select(RawMessage.data)).all()
        letters = session.scalars(select(DeadLetter.raw)).all()
    assert [box.decrypt(raw)[-12:] for raw in raws] == [b"clave 8jk2m4"] * 2
    assert [box.decrypt(letter) for letter in letters] == [b"x"] * 2
    monkeypatch.setenv(KEY_ENV, old)
    with pytest.raises(ConfigError, match="does not decrypt"):
        open_secret_box(_settings(tmp_path), session_factory)


def test_a_staff_command_on_a_fresh_store_creates_no_key_and_writes_nothing(
    session_factory: sessionmaker[Session], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(KEY_ENV, raising=False)
    settings = _settings(tmp_path)
    with session_scope(session_factory) as session:
        key_check.verified_box(settings, session)  # what `tickets list` does first
        assert get_state(session, KEY_CHECK) is None
    assert not (tmp_path / "data" / "secret.key").exists()  # creating the key is left to serve
    status = open_secret_box(settings, session_factory)
    assert status.first_use and (tmp_path / "data" / "secret.key").exists()
    with session_scope(session_factory) as session:  # from now on the staff command checks it
        assert key_check.verified_box(settings, session).decrypt(status.box.encrypt(b"x")) == b"x"
