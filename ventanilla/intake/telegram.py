"""The Telegram listener: long polling with getUpdates (or a webhook, see telegram_webhook.py).

Exactly once: the updates of one getUpdates answer are stored as raw messages together with the
next offset (channel_state `telegram:offset`) in one transaction; only the following getUpdates,
asked with that offset, acknowledges them to Telegram. A crash before the commit gets the same
updates again (nothing was stored); after it, the stored offset skips them (nothing twice); and the
worker's register of `tg:<update_id>` makes any re-delivery harmless. Pending updates are never
dropped: the webhook is deleted without `drop_pending_updates`."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence

from telegram import Bot, Update
from telegram.error import InvalidToken

from ventanilla.bot.channels import Intake
from ventanilla.intake.telegram_bot import bot_commands, make_bot, redacted
from ventanilla.intake.telegram_parse import SOURCE, UPDATE_KINDS, update_bytes
from ventanilla.store.channel_state import get_state, set_state
from ventanilla.store.db import session_scope
from ventanilla.store.intake import new_raw_row

log = logging.getLogger("ventanilla.telegram")
OFFSET_KEY = "telegram:offset"
MAX_BACKOFF_SECONDS = 60.0


class TelegramListener:
    """Runs until `stop`; network and store failures are logged and retried with back-off."""

    name = "telegram"

    def __init__(self, intake: Intake) -> None:
        self.intake = intake
        self.settings = intake.app.settings.telegram
        self.bot: Bot = make_bot(self.settings)  # ConfigError when the token is not set
        if self.settings.webhook_url:
            self.settings.webhook_secret()  # checked at start, not at the first update

    async def run(self, stop: asyncio.Event) -> None:
        backoff = 1.0
        connected = False
        try:
            while not stop.is_set():
                try:
                    if not connected:
                        await self._connect()
                        connected = True
                    if self.settings.webhook_url:
                        from ventanilla.intake.telegram_webhook import serve_webhook

                        await serve_webhook(self.intake, self.settings, stop)
                    else:
                        await self._poll(stop)
                    backoff = 1.0
                except Exception as exc:  # never end the task on a channel or store failure
                    if isinstance(exc, InvalidToken):
                        connected = False
                    log.warning(
                        "telegram: %s: %s; retrying in %.0f s",
                        type(exc).__name__,
                        redacted(exc, self.bot.token),
                        backoff,
                    )
                    await _sleep(stop, backoff)
                    backoff = min(MAX_BACKOFF_SECONDS, backoff * 2)
        finally:
            with contextlib.suppress(Exception):
                await self.bot.shutdown()

    async def _connect(self) -> None:
        """getMe, then the webhook set or deleted (pending updates kept), then the command menu."""
        await self.bot.initialize()
        if self.settings.webhook_url:
            await self.bot.set_webhook(
                self.settings.webhook_url,
                secret_token=self.settings.webhook_secret(),
                allowed_updates=list(UPDATE_KINDS),
            )
        else:
            await self.bot.delete_webhook(drop_pending_updates=False)
        await self.bot.set_my_commands(bot_commands(self.intake.app.templates))
        mode = "webhook" if self.settings.webhook_url else "polling"
        log.info("telegram: connected as @%s (%s)", self.bot.username, mode)

    async def _poll(self, stop: asyncio.Event) -> None:
        offset = await asyncio.to_thread(self._load_offset)
        while not stop.is_set():
            poll = asyncio.ensure_future(
                self.bot.get_updates(
                    offset=offset,
                    timeout=self.settings.poll_timeout_seconds,
                    allowed_updates=list(UPDATE_KINDS),
                )
            )
            stopping = asyncio.ensure_future(stop.wait())
            done, _ = await asyncio.wait({poll, stopping}, return_when=asyncio.FIRST_COMPLETED)
            stopping.cancel()
            if poll not in done:  # what this poll would have returned comes again next time
                poll.cancel()
                with contextlib.suppress(BaseException):
                    await poll
                return
            updates = poll.result()
            if updates:
                offset, raw_ids = await asyncio.to_thread(self._store, updates)
                for raw_id in raw_ids:
                    self.intake.stored(raw_id)
            elif self.settings.poll_timeout_seconds == 0:  # short polling: do not hammer the API
                await _sleep(stop, 1.0)

    def _load_offset(self) -> int | None:
        with session_scope(self.intake.app.sessions) as session:
            value = get_state(session, OFFSET_KEY)
        return int(value) if value else None

    def _store(self, updates: Sequence[Update]) -> tuple[int, list[int]]:
        """Store the updates holding a message and the next offset, in one transaction."""
        app = self.intake.app
        now = app.clock.now()
        rows = [
            new_raw_row(
                app.box,
                source=SOURCE,
                source_id=f"tg:{update.update_id}",
                data=update_bytes(update.to_dict()),
                envelope={},
                received_at=now,
            )
            for update in updates
            if any(getattr(update, kind) is not None for kind in UPDATE_KINDS)
        ]  # encrypted before the write lock is taken
        offset = max(update.update_id for update in updates) + 1
        with app.gate.priority(), session_scope(app.sessions) as session:
            session.add_all(rows)
            set_state(session, OFFSET_KEY, str(offset), now=now)
            session.flush()
            ids = [row.id for row in rows]
        log.info("telegram: %d updates stored, offset %d", len(updates), offset)
        return offset, ids


async def _sleep(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)
