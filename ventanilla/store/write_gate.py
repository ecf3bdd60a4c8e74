"""One writer at a time inside the process, with priority for the SMTP intake.

SQLite has a single writer. Without coordination the intake's commit (which the SMTP `250`
waits for) sleeps in SQLite's busy handler while the worker takes the lock again and again. The
gate queues writers in the process instead: while an intake batch waits, no new worker
transaction starts. On PostgreSQL (row locks, several workers) the gate does nothing."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager


class WriteGate:
    """A lock whose `priority()` holders go before waiting `normal()` holders."""

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled
        self._cond = threading.Condition()
        self._busy = False
        self._priority_waiting = 0

    @contextmanager
    def priority(self) -> Iterator[None]:
        if not self.enabled:
            yield
            return
        with self._cond:
            self._priority_waiting += 1
            try:
                while self._busy:
                    self._cond.wait()
            finally:
                self._priority_waiting -= 1
            self._busy = True
        try:
            yield
        finally:
            self._release()

    @contextmanager
    def normal(self) -> Iterator[None]:
        if not self.enabled:
            yield
            return
        with self._cond:
            while self._busy or self._priority_waiting:
                self._cond.wait()
            self._busy = True
        try:
            yield
        finally:
            self._release()

    def _release(self) -> None:
        with self._cond:
            self._busy = False
            self._cond.notify_all()


class IntakeActivity:
    """When the intake last stored a message, so the worker can step aside during a burst of mail
    (it shares the interpreter and the database with the SMTP sessions), but never for long."""

    def __init__(self, quiet_seconds: float = 0.02, max_defer_seconds: float = 0.5) -> None:
        self.quiet_seconds = quiet_seconds
        self.max_defer_seconds = max_defer_seconds
        self._last = 0.0

    def touch(self) -> None:
        self._last = time.monotonic()

    def recent(self, seconds: float = 1.0) -> bool:
        """True when the intake stored a message within the last `seconds`."""
        return time.monotonic() - self._last < seconds

    def wait_for_lull(self) -> None:
        """Return once the intake has been quiet for `quiet_seconds`, or after `max_defer_seconds`."""
        deadline = time.monotonic() + self.max_defer_seconds
        while time.monotonic() < deadline and time.monotonic() - self._last < self.quiet_seconds:
            time.sleep(self.quiet_seconds / 2)

    async def lull(self) -> None:
        """`wait_for_lull` for the event loop (the outbox sender shares it with the SMTP sessions)."""
        deadline = time.monotonic() + self.max_defer_seconds
        while time.monotonic() < deadline and time.monotonic() - self._last < self.quiet_seconds:
            await asyncio.sleep(self.quiet_seconds / 2)
