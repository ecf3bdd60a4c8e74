"""Telegram transport of the outbox: sends a row with the Bot API's sendMessage. A 429 is retried
after the `retry_after` Telegram gives; network trouble is retried; a chat that blocked the bot or
no longer exists is a permanent failure."""

from __future__ import annotations

import logging
from datetime import timedelta

from telegram import Bot, LinkPreviewOptions
from telegram.error import BadRequest, ChatMigrated, Forbidden, InvalidToken, RetryAfter, TelegramError

from ventanilla.bot.app import App
from ventanilla.bot.errors import DeliveryError, PermanentDeliveryError
from ventanilla.bot.replies import TELEGRAM_PARSE_MODE
from ventanilla.intake.telegram_bot import make_bot, redacted
from ventanilla.store.schema import OutboxRow

log = logging.getLogger("ventanilla.telegram")
MAX_TEXT = 4096  # characters in one Telegram message


def chat_id_of(recipient: str) -> int:
    """`tg:<chat_id>` (the requester of a chat ticket) as the chat id."""
    try:
        return int(recipient.removeprefix("tg:"))
    except ValueError:
        raise PermanentDeliveryError(f"{recipient!r} is not a Telegram chat") from None


def chunks(text: str, size: int = MAX_TEXT) -> list[str]:
    """`text` cut into messages of at most `size` characters, at line ends where possible."""
    parts: list[str] = []
    while len(text) > size:
        cut = text.rfind("\n", 0, size)
        cut = cut if cut > 0 else size
        parts.append(text[:cut])
        text = text[cut:].lstrip("\n")
    return [*parts, text] if text else parts


class TelegramTransport:
    """Sends the HTML form of a row (parse mode HTML) when it fits one message, else its plain text
    without a parse mode, in pieces. Ready for `OutboxSender`."""

    def __init__(self, app: App) -> None:
        self.bot: Bot = make_bot(app.settings.telegram)  # ConfigError when the token is not set
        self._ready = False

    async def send(self, row: OutboxRow) -> None:
        chat_id = chat_id_of(row.recipient)
        try:
            if not self._ready:
                await self.bot.initialize()
                self._ready = True
            if row.body_html and len(row.body_html) <= MAX_TEXT:
                try:
                    await self._send(chat_id, row.body_html, TELEGRAM_PARSE_MODE)
                    return
                except BadRequest as exc:
                    if "parse" not in str(exc).lower():
                        raise
                    log.warning("outbox row=%s: HTML refused (%s); sending plain text", row.id, exc)
            for piece in chunks(row.body_text):
                await self._send(chat_id, piece, None)
        except RetryAfter as exc:
            after = exc.retry_after
            wait = after.total_seconds() if isinstance(after, timedelta) else float(after)
            raise DeliveryError(f"Telegram flood control: retry after {wait:g} s", retry_after=wait) from exc
        except (Forbidden, ChatMigrated) as exc:
            raise PermanentDeliveryError(
                f"Telegram refused chat {chat_id}: {redacted(exc, self.bot.token)}"
            ) from exc
        except BadRequest as exc:
            raise PermanentDeliveryError(
                f"Telegram refused the message to chat {chat_id}: {redacted(exc, self.bot.token)}"
            ) from exc
        except InvalidToken as exc:
            raise DeliveryError(f"Telegram refused the bot token: {redacted(exc, self.bot.token)}") from exc
        except (TelegramError, OSError) as exc:
            raise DeliveryError(
                f"Telegram Bot API: {type(exc).__name__}: {redacted(exc, self.bot.token)}"
            ) from exc

    async def _send(self, chat_id: int, text: str, parse_mode: str | None) -> None:
        await self.bot.send_message(
            chat_id,
            text,
            parse_mode=parse_mode,
            link_preview_options=LinkPreviewOptions(is_disabled=True),
        )

    async def close(self) -> None:
        if self._ready:
            await self.bot.shutdown()
            self._ready = False
