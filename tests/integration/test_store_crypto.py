"""Encryption at rest: raw bytes and bodies never appear in the database, the key comes from the
configured variable or a generated key file, and a bad key is a clear error."""

from __future__ import annotations

import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from ventanilla.bot.errors import ConfigError, DecryptionError
from ventanilla.bot.settings import settings_from_dict
from ventanilla.store.crypto import SecretBox, load_secret_box
from ventanilla.store.db import session_scope
from ventanilla.store.intake import raw_bytes, store_raw
from ventanilla.store.schema import RawMessage

AT = datetime(2026, 3, 4, 16, 0, tzinfo=UTC)
MARKER = b"TeamViewer 123456789 password 8jk2m4 MARKER-7f3a"


def test_raw_bytes_are_not_visible_in_the_column(
    session_factory: sessionmaker[Session], secret_box: SecretBox
) -> None:
    raw_id = store_raw(
        session_factory,
        secret_box,
        source="smtp",
        source_id="m1@x",
        data=MARKER,
        envelope={"mail_from": "a@x.mx"},
        received_at=AT,
    )
    with session_scope(session_factory) as session:
        stored = bytes(session.execute(text("SELECT data FROM raw_messages")).scalar_one())
        assert MARKER not in stored and b"8jk2m4" not in stored
        row = session.get(RawMessage, raw_id)
        assert row is not None and raw_bytes(secret_box, row) == MARKER


def test_raw_bytes_are_not_in_the_sqlite_files(sqlite_url: str, secret_box: SecretBox) -> None:
    from ventanilla.store.db import make_engine, make_session_factory, upgrade

    upgrade(sqlite_url)
    engine = make_engine(sqlite_url)
    try:
        store_raw(
            make_session_factory(engine),
            secret_box,
            source="smtp",
            source_id=None,
            data=MARKER,
            envelope={},
            received_at=AT,
        )
    finally:
        engine.dispose()
    folder = Path(sqlite_url.removeprefix("sqlite:///")).parent
    files = list(folder.iterdir())
    assert files
    for path in files:
        assert b"8jk2m4" not in path.read_bytes(), path


def test_secret_box_round_trips_and_rotates() -> None:
    old, new = Fernet.generate_key(), Fernet.generate_key()
    token = SecretBox(old).encrypt_json({"teamviewer_password": "ab12cd"})
    rotated = SecretBox.from_text(f"{new.decode()},{old.decode()}")
    assert rotated.decrypt_json(token) == {"teamviewer_password": "ab12cd"}
    assert SecretBox(new).decrypt_text(rotated.encrypt_text("ñandú")) == "ñandú"


def test_large_data_is_encrypted_in_pieces_that_round_trip_and_rotate() -> None:
    old, new = Fernet.generate_key(), Fernet.generate_key()
    data = bytes(range(256)) * 12_000  # about 3 MB: several pieces
    token = SecretBox(old).encrypt(data)
    assert token.count(b"\n") >= 2 and data[:4096] not in token
    assert SecretBox(old).decrypt(token) == data
    rotated = SecretBox(new, old).rotate(token)
    assert SecretBox(new).decrypt(rotated) == data
    with pytest.raises(DecryptionError):
        SecretBox(old).decrypt(rotated)


def test_a_different_key_cannot_read_and_says_so(secret_box: SecretBox) -> None:
    token = secret_box.encrypt(b"x")
    with pytest.raises(DecryptionError, match="encryption key"):
        SecretBox(Fernet.generate_key()).decrypt(token)


def test_key_from_the_configured_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    key = Fernet.generate_key()
    monkeypatch.setenv("DESK_KEY", key.decode())
    settings = settings_from_dict(
        {"service": {"data_dir": str(tmp_path)}, "security": {"key_env": "DESK_KEY"}}
    )
    box = load_secret_box(settings)
    assert SecretBox(key).decrypt(box.encrypt(b"hola")) == b"hola"
    assert not (tmp_path / "secret.key").exists()


def test_invalid_key_is_a_config_error_naming_the_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DESK_KEY", "not-a-key")
    settings = settings_from_dict(
        {"service": {"data_dir": str(tmp_path)}, "security": {"key_env": "DESK_KEY"}}
    )
    with pytest.raises(ConfigError) as caught:
        load_secret_box(settings)
    assert caught.value.key == "security.key_env"
    assert "DESK_KEY" in str(caught.value) and "not-a-key" not in str(caught.value)


def test_unset_key_is_generated_once_into_the_data_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("VENTANILLA_SECRET_KEY", raising=False)
    settings = settings_from_dict({"service": {"data_dir": str(tmp_path / "data")}})
    token = load_secret_box(settings).encrypt(b"hola")
    key_file = tmp_path / "data" / "secret.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert load_secret_box(settings).decrypt(token) == b"hola"
    assert [p.name for p in key_file.parent.iterdir()] == ["secret.key"]


def test_corrupt_key_file_is_a_config_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VENTANILLA_SECRET_KEY", raising=False)
    (tmp_path / "secret.key").write_text("garbage\n")
    settings = settings_from_dict({"service": {"data_dir": str(tmp_path)}})
    with pytest.raises(ConfigError, match="VENTANILLA_SECRET_KEY"):
        load_secret_box(settings)
