"""Sends what the outbox holds, after commit: one row at a time to its channel's transport,
marked sent only when the relay (or the Bot API) accepted it, retried with back-off otherwise."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import Protocol

from sqlalchemy.orm import Session, sessionmaker

from ventanilla.bot.clock import Clock
from ventanilla.bot.errors import DeliveryError, PermanentDeliveryError
from ventanilla.bot.settings import OutboundSettings
from ventanilla.store import outbox
from ventanilla.store.db import session_scope
from ventanilla.store.schema import OutboxRow
from ventanilla.store.write_gate import WriteGate

log = logging.getLogger("ventanilla.outbox")


class Transport(Protocol):
    """Delivers one outbox row; raises DeliveryError when it was not accepted."""

    async def send(self, row: OutboxRow) -> None: ...


class OutboxSender:
    """Runs until stopped; `wake()` makes it look at the outbox at once."""

    def __init__(
        self,
        factory: sessionmaker[Session],
        transports: Mapping[str, Transport],
        settings: OutboundSettings,
        clock: Clock,
        *,
        idle_seconds: float = 1.0,
        gate: WriteGate | None = None,
    ) -> None:
        self.factory = factory
        self.transports = transports
        self.settings = settings
        self.clock = clock
        self.idle_seconds = idle_seconds
        self.gate = gate or WriteGate(enabled=False)
        self._wake = asyncio.Event()

    def wake(self) -> None:
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            await self.send_due()
            self._wake.clear()
            waiters = [asyncio.ensure_future(self._wake.wait()), asyncio.ensure_future(stop.wait())]
            await asyncio.wait(waiters, timeout=self.idle_seconds, return_when=asyncio.FIRST_COMPLETED)
            for waiter in waiters:
                waiter.cancel()

    async def send_due(self, limit: int = 50) -> int:
        """Send every row due now; return how many were accepted."""
        rows = await asyncio.to_thread(self._due, limit)
        accepted = 0
        for row in rows:
            transport = self.transports.get(row.channel)
            try:
                if transport is None:
                    raise DeliveryError(f"no transport for channel {row.channel!r}")
                await transport.send(row)
            except PermanentDeliveryError as exc:
                await asyncio.to_thread(self._failed, row.id, str(exc))
                log.error("outbox row=%s refused for good, marked failed: %s", row.id, exc)
                continue
            except DeliveryError as exc:
                await asyncio.to_thread(self._retry, row.id, str(exc))
                log.warning("outbox row=%s not delivered, will retry: %s", row.id, exc)
                continue
            await asyncio.to_thread(self._sent, row.id)
            accepted += 1
            log.info("outbox row=%s sent channel=%s template=%s", row.id, row.channel, row.template)
        return accepted

    def _due(self, limit: int) -> list[OutboxRow]:
        with self.gate.normal(), session_scope(self.factory) as session:
            rows = outbox.due(session, self.clock.now(), limit)
            session.expunge_all()
            return rows

    def _sent(self, row_id: int) -> None:
        with self.gate.normal(), session_scope(self.factory) as session:
            outbox.mark_sent(session, row_id, self.clock.now())

    def _failed(self, row_id: int, error: str) -> None:
        with self.gate.normal(), session_scope(self.factory) as session:
            outbox.mark_failed(session, row_id, error, self.clock.now())

    def _retry(self, row_id: int, error: str) -> None:
        with self.gate.normal(), session_scope(self.factory) as session:
            outbox.mark_retry(
                session,
                row_id,
                error,
                self.clock.now(),
                self.settings.retry_initial_seconds,
                self.settings.retry_max_seconds,
            )
