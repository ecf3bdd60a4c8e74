"""Test helper for the Telegram integration tests: the desk's Telegram listener, worker and outbox
sender (real python-telegram-bot stack, real pipeline, real store) run against the local Bot API
of tests/telegram_api.py, time frozen in business hours."""

from __future__ import annotations

import asyncio
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).parents[1]))
from telegram_api import BotApi

from ventanilla.bot.app import App
from ventanilla.bot.channels import Intake
from ventanilla.bot.clock import FrozenClock
from ventanilla.bot.outbox_sender import OutboxSender
from ventanilla.bot.settings import settings_from_dict
from ventanilla.bot.steps import PREPARE, STEPS
from ventanilla.bot.telegram_transport import TelegramTransport
from ventanilla.bot.views import ticket_detail
from ventanilla.bot.worker import Worker
from ventanilla.intake.telegram import TelegramListener
from ventanilla.store import tickets as ticket_store
from ventanilla.store.db import upgrade
from ventanilla.store.raw_batcher import RawBatcher
from ventanilla.store.schema import Message, OutboxRow, ProcessedId, RawMessage, Ticket

DEADLINE = 30.0


def settings_for(api: BotApi, store_url: str, data_dir: Path) -> dict[str, Any]:
    return {
        "service": {"data_dir": str(data_dir)},
        "store": {"url": store_url},
        "hours": {"always_open": True},
        "smtp_intake": {"enabled": False},
        "telegram": {"enabled": True, "base_url": api.url, "poll_timeout_seconds": 1},
        "outbound": {"retry_initial_seconds": 0.05, "retry_max_seconds": 0.2},
    }


class TelegramDesk:
    """Listener + worker + sender of one `serve`, started and stopped by the test (a restart is a
    new TelegramDesk on the same store)."""

    def __init__(
        self, api: BotApi, store_url: str, data_dir: Path, telegram: dict[str, Any] | None = None
    ) -> None:
        self.api = api
        self.clock = FrozenClock()
        config = settings_for(api, store_url, data_dir)
        config["telegram"] |= telegram or {}
        self.app = App(settings_from_dict(config), clock=self.clock)
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> TelegramDesk:
        app = self.app
        await asyncio.to_thread(upgrade, app.engine)
        await asyncio.to_thread(lambda: app.classify)
        loop = asyncio.get_running_loop()
        self.transport = TelegramTransport(app)
        self.sender = OutboxSender(
            app.sessions, {"telegram": self.transport}, app.settings.outbound, self.clock, idle_seconds=0.05
        )
        self.worker = Worker(
            app.sessions,
            app.context,
            STEPS,
            on_committed=lambda: loop.call_soon_threadsafe(self.sender.wake),
            idle_seconds=0.05,
            clock=self.clock,
            gate=app.gate,
            prepare=PREPARE,
        )
        self.worker_stop = threading.Event()
        self.worker_thread = threading.Thread(target=self.worker.run, args=(self.worker_stop,), daemon=True)
        self.worker_thread.start()
        self.batcher = RawBatcher(app.sessions, app.box, app.gate)
        self.batcher.start()
        self.listener = TelegramListener(Intake(app, self.batcher, lambda _id: self.worker.wake()))
        self.stop_listening, self.stop_sending = asyncio.Event(), asyncio.Event()
        self._tasks = [
            asyncio.create_task(self.listener.run(self.stop_listening)),
            asyncio.create_task(self.sender.run(self.stop_sending)),
        ]
        return self

    async def stop(self) -> None:
        self.stop_listening.set()
        await self._tasks[0]
        self.worker_stop.set()
        self.worker.wake()
        await asyncio.to_thread(self.worker_thread.join)
        self.stop_sending.set()
        await self._tasks[1]
        await asyncio.to_thread(self.batcher.close)
        await self.transport.close()
        self.app.engine.dispose()

    # ----- waiting (the desk runs in the background)

    async def until(self, condition: Callable[[], Any], what: str) -> Any:
        end = time.monotonic() + DEADLINE
        while True:
            value = await asyncio.to_thread(condition)
            if value:
                return value
            if time.monotonic() > end:
                raise AssertionError(f"timed out waiting for {what}")
            await asyncio.sleep(0.02)

    async def replies(self, count: int, chat_id: int | None = None) -> list[str]:
        """The texts (as the user sees them) once `count` messages were sent to `chat_id`."""
        calls = await self.until(
            lambda: len(self.api.sent(chat_id)) >= count and self.api.sent(chat_id), "replies"
        )
        return [c.shown for c in calls]

    async def settled(self) -> None:
        """Every stored update handled and every reply sent."""
        await self.until(lambda: not self.pending_raw() and not self.pending_outbox(), "the desk to settle")

    # ----- the store

    def pending_raw(self) -> int:
        with self.app.sessions() as session:
            return len(list(session.scalars(select(RawMessage.id).where(RawMessage.status == "pending"))))

    def pending_outbox(self) -> int:
        with self.app.sessions() as session:
            return len(list(session.scalars(select(OutboxRow.id).where(OutboxRow.status == "pending"))))

    def tickets(self) -> list[Ticket]:
        with self.app.sessions() as session:
            return list(session.scalars(select(Ticket).order_by(Ticket.id)))

    def show(self, number: str) -> dict[str, Any]:
        """What `ventanilla tickets show NUMBER --json` prints."""
        with self.app.sessions() as session:
            return ticket_detail(session, self.app.box, ticket_store.get_ticket(session, number))

    def incoming_ids(self) -> list[str]:
        with self.app.sessions() as session:
            return [
                str(s) for s in session.scalars(select(Message.source_id).where(Message.direction == "in"))
            ]

    def handled_updates(self) -> list[str]:
        with self.app.sessions() as session:
            return [str(s) for s in session.scalars(select(ProcessedId.external_id).order_by(ProcessedId.id))]

    def outbox(self) -> list[OutboxRow]:
        with self.app.sessions() as session:
            return list(session.scalars(select(OutboxRow).order_by(OutboxRow.id)))
