"""Telegram updates as ventanilla sees them: the JSON of one Bot API update (stored as the raw
message) parsed into an InboundMessage, plus the chat details the chat steps need (chat type,
files sent, voice notes). Pure: no network, no store."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ventanilla.bot.errors import MalformedMessage
from ventanilla.bot.model import Attachment, Channel, InboundMessage

SOURCE = "telegram"
UPDATE_KINDS = ("message", "edited_message")  # the updates asked for (getUpdates allowed_updates)
_COMMAND = re.compile(r"^/([A-Za-z0-9_]{1,32})(?:@[A-Za-z0-9_]+)?(?=\s|$)")
# Message keys that carry a file, with a default name and content type.
_FILE_KINDS: dict[str, tuple[str, str]] = {
    "document": ("document", "application/octet-stream"),
    "video": ("video.mp4", "video/mp4"),
    "audio": ("audio", "audio/mpeg"),
    "voice": ("voice.ogg", "audio/ogg"),
    "video_note": ("video-note.mp4", "video/mp4"),
    "animation": ("animation.mp4", "video/mp4"),
    "sticker": ("sticker.webp", "image/webp"),
}
SPOKEN = frozenset({"voice", "video_note", "audio"})  # what the desk cannot read: asked to write


@dataclass(frozen=True)
class TelegramFile:
    """A file the requester sent; the desk keeps its ids (the Bot API serves it by `file_id`)."""

    kind: str  # "photo", "document", "voice", …
    file_id: str
    file_unique_id: str
    filename: str
    content_type: str
    size: int


@dataclass(frozen=True)
class ChatDetails:
    update_id: int
    chat_id: int
    chat_type: str  # "private", "group", "supergroup", "channel"
    files: tuple[TelegramFile, ...]

    @property
    def private(self) -> bool:
        return self.chat_type == "private"

    @property
    def spoken(self) -> bool:
        """A voice note (or audio) the desk cannot read."""
        return any(f.kind in SPOKEN for f in self.files)


def update_bytes(update: dict[str, Any]) -> bytes:
    """The bytes stored for one update (its JSON)."""
    return json.dumps(update, ensure_ascii=False, sort_keys=True).encode("utf-8")


def _load(data: bytes) -> tuple[int, dict[str, Any]]:
    try:
        update = json.loads(data.decode("utf-8"))
        update_id = int(update["update_id"])
    except (ValueError, TypeError, KeyError, UnicodeDecodeError) as exc:
        raise MalformedMessage(f"not a Telegram update: {type(exc).__name__}") from None
    message = next((update[k] for k in UPDATE_KINDS if isinstance(update.get(k), dict)), None)
    if message is None or not isinstance(message.get("chat"), dict) or "id" not in message["chat"]:
        raise MalformedMessage(f"Telegram update {update_id} holds no message")
    return update_id, message


def chat_details(data: bytes) -> ChatDetails:
    update_id, message = _load(data)
    chat = message["chat"]
    return ChatDetails(update_id, int(chat["id"]), str(chat.get("type", "")), _files(message))


def parse_update(data: bytes, *, received_at: datetime, raw_id: int | None = None) -> InboundMessage:
    """The InboundMessage of one stored update: `tg:<update_id>` from `tg:<chat_id>`; a leading
    command ("/estado@bot 123") becomes `command` ("estado") and the rest stays as `text`."""
    update_id, message = _load(data)
    chat_id = int(message["chat"]["id"])
    text = str(message.get("text") or "")
    command: str | None = None
    found = _COMMAND.match(text)
    if found:
        command, text = found.group(1).lower(), text[found.end() :]
    if not text:
        text = str(message.get("caption") or "")
    sender = message.get("from")
    sender = sender if isinstance(sender, dict) else {}
    name = " ".join(str(sender.get(k) or "") for k in ("first_name", "last_name")).strip()
    return InboundMessage(
        channel=Channel.TELEGRAM,
        source=SOURCE,
        external_id=f"tg:{update_id}",
        sender=f"tg:{chat_id}",
        subject="",
        text=text.strip(),
        received_at=received_at,
        sender_name=name,
        raw_id=raw_id,
        attachments=tuple(
            Attachment(f.filename, f.content_type, f.size, note=f"telegram file_id {f.file_id}")
            for f in _files(message)
        ),
        chat_id=chat_id,
        command=command,
    )


def _files(message: dict[str, Any]) -> tuple[TelegramFile, ...]:
    found: list[TelegramFile] = []
    photos = message.get("photo")
    if isinstance(photos, list) and photos:
        biggest = max(photos, key=lambda p: int(p.get("file_size") or 0) or int(p.get("width") or 0))
        found.append(_file("photo", biggest, "photo.jpg", "image/jpeg"))
    for kind, (name, content_type) in _FILE_KINDS.items():
        item = message.get(kind)
        if isinstance(item, dict) and item.get("file_id"):
            found.append(_file(kind, item, name, content_type))
    return tuple(found)


def _file(kind: str, item: dict[str, Any], name: str, content_type: str) -> TelegramFile:
    return TelegramFile(
        kind=kind,
        file_id=str(item.get("file_id", "")),
        file_unique_id=str(item.get("file_unique_id", "")),
        filename=str(item.get("file_name") or name),
        content_type=str(item.get("mime_type") or content_type),
        size=int(item.get("file_size") or 0),
    )
