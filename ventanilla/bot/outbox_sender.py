"""Sends what the outbox holds, after commit: one row at a time to its channel's transport,
marked sent only when the relay (or the Bot API) accepted it, retried with back-off otherwise.
Each row is leased when taken, so two senders (PostgreSQL) never send the same row."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from datetime import timedelta
from typing import Protocol

from sqlalchemy.orm import Session, sessionmaker

from ventanilla.bot.clock import Clock
from ventanilla.bot.errors import DeliveryError, PermanentDeliveryError
from ventanilla.bot.settings import OutboundSettings
from ventanilla.store import outbox
from ventanilla.store.db import session_scope
from ventanilla.store.schema import OutboxRow
from ventanilla.store.write_gate import IntakeActivity, WriteGate

log = logging.getLogger("ventanilla.outbox")
MAX_PAUSE_SECONDS = 30.0  # longest wait between passes after failing ones (store down)
SEND_DEADLINE_FACTOR = 3  # one send may take this many relay timeouts before it is given up
LEASE_MARGIN_SECONDS = 60.0


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
        activity: IntakeActivity | None = None,
        lease_seconds: float | None = None,
    ) -> None:
        """`lease_seconds`: how long a taken row stays hidden from other senders; by default longer
        than any send may take (`send_deadline` + a margin), as several senders on PostgreSQL need.
        A single process on SQLite may pass a short one, so that after a kill -9 in the middle of a
        send the restarted desk retries that row at once."""
        self.factory = factory
        self.transports = transports
        self.settings = settings
        self.clock = clock
        self.idle_seconds = idle_seconds
        self.gate = gate or WriteGate(enabled=False)
        self.activity = activity
        self._lease_seconds = lease_seconds
        self._wake = asyncio.Event()

    @property
    def send_deadline(self) -> float:
        """Seconds one row may take to send before it is given up (and retried later)."""
        return float(self.settings.timeout_seconds * SEND_DEADLINE_FACTOR)

    @property
    def lease_seconds(self) -> float:
        """How long a taken row stays hidden from other senders."""
        if self._lease_seconds is not None:
            return self._lease_seconds
        return self.send_deadline + LEASE_MARGIN_SECONDS

    def wake(self) -> None:
        self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Pass after pass until `stop`; a failing pass (e.g. the store is down) is logged and the
        next one waits longer (idle_seconds, doubling up to MAX_PAUSE_SECONDS) — the task never ends
        on an error."""
        failures = 0
        while not stop.is_set():
            pause = self.idle_seconds
            try:
                if self.activity is not None:
                    await self.activity.lull()  # mail pouring in goes first
                await self.send_due(stop=stop)
                failures = 0
            except Exception as exc:
                failures += 1
                pause = min(MAX_PAUSE_SECONDS, self.idle_seconds * 2 ** min(failures - 1, 30))
                log.error(
                    "outbox pass failed (%d in a row), next try in %.1f s: %s: %s",
                    failures,
                    pause,
                    type(exc).__name__,
                    exc,
                )
            self._wake.clear()
            waiters = [asyncio.ensure_future(self._wake.wait()), asyncio.ensure_future(stop.wait())]
            await asyncio.wait(waiters, timeout=pause, return_when=asyncio.FIRST_COMPLETED)
            for waiter in waiters:
                waiter.cancel()

    async def send_due(self, limit: int = 50, *, stop: asyncio.Event | None = None) -> int:
        """Send the rows due now, up to `limit`, taking (leasing) one at a time; return how many were
        accepted. Once `stop` is set no further row is taken: the rest stays pending, due at once.
        A row accepted by its channel is marked sent in the same transaction that takes the next."""
        accepted = 0
        if limit <= 0 or (stop is not None and stop.is_set()):
            return 0
        taken = await asyncio.to_thread(self._take)
        for count in range(limit):
            if taken is None:
                break
            delivered = await self._send(taken)
            more = count + 1 < limit and not (stop is not None and stop.is_set())
            if delivered:
                accepted += 1
                log.info("outbox row=%s sent channel=%s template=%s", taken.id, taken.channel, taken.template)
                taken = await asyncio.to_thread(self._sent_then_take, taken.id, more)
            else:
                taken = await asyncio.to_thread(self._take) if more else None
        return accepted

    async def _send(self, row: OutboxRow) -> bool:
        """Hand `row` to its transport. True when accepted (the caller marks it sent); a refusal is
        recorded here (failed for good, or retried later) and gives False."""
        transport = self.transports.get(row.channel)
        try:
            if transport is None:
                raise DeliveryError(f"no transport for channel {row.channel!r}")
            try:
                await asyncio.wait_for(transport.send(row), self.send_deadline)
            except TimeoutError:
                raise DeliveryError(f"not accepted within {self.send_deadline:.0f} s") from None
        except PermanentDeliveryError as exc:
            await asyncio.to_thread(self._failed, row.id, str(exc))
            log.error("outbox row=%s refused for good, marked failed: %s", row.id, exc)
            return False
        except DeliveryError as exc:
            await asyncio.to_thread(self._retry, row.id, str(exc), exc.retry_after)
            log.warning("outbox row=%s not delivered, will retry: %s", row.id, exc)
            return False
        return True

    def _take(self) -> OutboxRow | None:
        with self.gate.normal(), session_scope(self.factory) as session:
            rows = outbox.due(session, self.clock.now(), 1, self.lease_seconds)
            session.expunge_all()
            return rows[0] if rows else None

    def _sent_then_take(self, row_id: int, take_next: bool) -> OutboxRow | None:
        """`_sent`; should taking the next row fail, the row is still marked sent on its own (the
        relay has it: it must not go out again)."""
        try:
            return self._sent(row_id, take_next=take_next)
        except Exception:
            if not take_next:
                raise
            log.warning("outbox row=%s: taking the next row failed; marking it sent alone", row_id)
            self._sent(row_id)
            return None

    def _sent(self, row_id: int, *, take_next: bool = False) -> OutboxRow | None:
        """Mark `row_id` sent and, with `take_next`, lease the next due row in the same transaction
        (one commit instead of two per reply)."""
        with self.gate.normal(), session_scope(self.factory) as session:
            outbox.mark_sent(session, row_id, self.clock.now())
            if not take_next:
                return None
            rows = outbox.due(session, self.clock.now(), 1, self.lease_seconds)
            session.expunge_all()
            return rows[0] if rows else None

    def _failed(self, row_id: int, error: str) -> None:
        with self.gate.normal(), session_scope(self.factory) as session:
            outbox.mark_failed(session, row_id, error, self.clock.now())

    def _retry(self, row_id: int, error: str, retry_after: float | None = None) -> None:
        with self.gate.normal(), session_scope(self.factory) as session:
            row = outbox.mark_retry(
                session,
                row_id,
                error,
                self.clock.now(),
                self.settings.retry_initial_seconds,
                self.settings.retry_max_seconds,
            )
            if retry_after is not None:  # the channel said when (Telegram 429): exactly then
                row.next_attempt_at = self.clock.now() + timedelta(seconds=max(0.0, retry_after))
