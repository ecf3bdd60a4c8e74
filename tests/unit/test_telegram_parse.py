"""Telegram updates parsed into the one message type; commands, captions, files; settings and the
Bot API address; long texts cut for Telegram."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from ventanilla.bot.errors import ConfigError, MalformedMessage
from ventanilla.bot.model import Channel
from ventanilla.bot.settings import settings_from_dict
from ventanilla.bot.telegram_transport import chat_id_of, chunks
from ventanilla.intake.telegram_bot import api_base
from ventanilla.intake.telegram_parse import chat_details, parse_update, update_bytes

AT = datetime(2026, 3, 4, 16, 0, tzinfo=UTC)


def update(text: str | None = None, chat_type: str = "private", **extra: object) -> bytes:
    message: dict[str, object] = {
        "message_id": 3,
        "date": 1772640000,
        "chat": {"id": 42 if chat_type == "private" else -100, "type": chat_type},
        "from": {"id": 42, "is_bot": False, "first_name": "Juan", "last_name": "Pérez"},
        **extra,
    }
    if text is not None:
        message["text"] = text
    return update_bytes({"update_id": 900, "message": message})


def test_a_text_message() -> None:
    msg = parse_update(update("Hola, tengo un problema"), received_at=AT, raw_id=5)
    assert (msg.channel, msg.source, msg.external_id, msg.sender) == (
        Channel.TELEGRAM,
        "telegram",
        "tg:900",
        "tg:42",
    )
    assert (msg.text, msg.command, msg.chat_id, msg.sender_name, msg.raw_id) == (
        "Hola, tengo un problema",
        None,
        42,
        "Juan Pérez",
        5,
    )


@pytest.mark.parametrize(
    ("text", "command", "rest"),
    [
        ("/start", "start", ""),
        ("/estado SAACG-2026-000001", "estado", "SAACG-2026-000001"),
        ("/Estado@soporte_saacg_bot  SAACG-2026-000001 ", "estado", "SAACG-2026-000001"),
        ("/nuevo No abre el módulo", "nuevo", "No abre el módulo"),
        ("/ no es comando", None, "/ no es comando"),
        ("a/estado", None, "a/estado"),
    ],
)
def test_commands(text: str, command: str | None, rest: str) -> None:
    msg = parse_update(update(text), received_at=AT)
    assert (msg.command, msg.text) == (command, rest)


def test_a_photo_with_caption_keeps_the_biggest_size_and_its_file_id() -> None:
    photos = [
        {"file_id": "small", "file_unique_id": "s", "width": 90, "height": 60, "file_size": 100},
        {"file_id": "big", "file_unique_id": "b", "width": 1280, "height": 800, "file_size": 90000},
    ]
    data = update(None, photo=photos, caption="Así sale el error")
    msg = parse_update(data, received_at=AT)
    assert msg.text == "Así sale el error"
    (attachment,) = msg.attachments
    assert (attachment.content_type, attachment.size) == ("image/jpeg", 90000) and "big" in attachment.note
    details = chat_details(data)
    assert [(f.kind, f.file_id) for f in details.files] == [("photo", "big")] and not details.spoken


def test_voice_notes_and_groups_are_told_apart() -> None:
    assert chat_details(update(None, voice={"file_id": "v", "file_unique_id": "u", "duration": 3})).spoken
    assert not chat_details(update("hola", chat_type="supergroup")).private


@pytest.mark.parametrize(
    "data",
    [b"not json", b"{}", json.dumps({"update_id": 1, "my_chat_member": {}}).encode(), b"\xff\xfe"],
)
def test_what_is_not_a_message_update_is_malformed(data: bytes) -> None:
    with pytest.raises(MalformedMessage):
        parse_update(data, received_at=AT)


def test_bot_api_address() -> None:
    assert api_base("") == "https://api.telegram.org/bot"
    assert api_base("http://127.0.0.1:8081") == "http://127.0.0.1:8081/bot"
    assert api_base("http://127.0.0.1:8081/bot/") == "http://127.0.0.1:8081/bot"


def test_long_text_is_cut_at_line_ends() -> None:
    text = "\n".join(f"línea {n:04d}" for n in range(1000))
    parts = chunks(text, 4096)
    assert all(len(p) <= 4096 for p in parts) and "\n".join(parts) == text
    assert chat_id_of("tg:-100123") == -100123


def test_token_and_webhook_secret_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = settings_from_dict({"telegram": {"enabled": True, "token_env": "TG_TOKEN_FOR_TEST"}})
    monkeypatch.delenv("TG_TOKEN_FOR_TEST", raising=False)
    with pytest.raises(ConfigError) as refused:
        settings.telegram.token()
    assert refused.value.key == "telegram.token_env" and "TG_TOKEN_FOR_TEST" in str(refused.value)
    monkeypatch.setenv("TG_TOKEN_FOR_TEST", "1:abc")
    assert settings.telegram.token() == "1:abc"
    monkeypatch.setenv("VENTANILLA_TELEGRAM_WEBHOOK_SECRET", "bad secret!")
    with pytest.raises(ConfigError, match=r"telegram\.webhook_secret_env"):
        settings.telegram.webhook_secret()


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("poll_timeout_seconds", 90),
        ("base_url", "api.telegram.org"),
        ("webhook_url", "ftp://x"),
        ("webhook_port", 70000),
    ],
)
def test_bad_telegram_settings_name_the_key(key: str, value: object) -> None:
    with pytest.raises(ConfigError) as refused:
        settings_from_dict({"telegram": {key: value}})
    assert refused.value.key == f"telegram.{key}"


def test_the_bot_token_never_reaches_an_error_text() -> None:
    from telegram.error import InvalidToken

    from ventanilla.intake.telegram_bot import redacted

    token = "123456:SECRET-token"
    text = redacted(InvalidToken(f"The token `{token}` was rejected by the server."), token)
    assert token not in text and "<token>" in text
