"""Group commit for the intake: messages received at the same time over several SMTP connections
are committed together, in one transaction (one fsync), by one writer thread. Each SMTP session
still answers `250` only after its own message is committed."""

from __future__ import annotations

import logging
import queue
import threading
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from ventanilla.bot.errors import StoreUnavailable
from ventanilla.store.crypto import SecretBox
from ventanilla.store.db import session_scope
from ventanilla.store.intake import new_raw_row
from ventanilla.store.write_gate import WriteGate

log = logging.getLogger("ventanilla.store.raw_batcher")
MAX_BATCH = 64


@dataclass
class _Item:
    source: str
    source_id: str | None
    data: bytes
    envelope: dict[str, Any]
    received_at: datetime
    future: Future[int]


class RawBatcher:
    """`submit(...)` returns a Future of the raw message id, set once the row is committed (or the
    StoreError that prevented it). Start with `start()`, stop with `close()`."""

    def __init__(self, factory: sessionmaker[Session], box: SecretBox, gate: WriteGate) -> None:
        self.factory = factory
        self.box = box
        self.gate = gate
        self._queue: queue.Queue[_Item | None] = queue.Queue()
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="raw-batcher", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def close(self) -> None:
        """Commit what was submitted, then stop; later submissions fail (the sender retries)."""
        self._closed = True
        self._queue.put(None)
        self._thread.join()
        while not self._queue.empty():  # submitted while closing: refused, never left hanging
            item = self._queue.get_nowait()
            if item is not None:
                item.future.set_exception(StoreUnavailable("intake is shutting down"))

    def submit(
        self,
        *,
        source: str,
        source_id: str | None,
        data: bytes,
        envelope: dict[str, Any],
        received_at: datetime,
    ) -> Future[int]:
        future: Future[int] = Future()
        if self._closed:
            future.set_exception(StoreUnavailable("intake is shutting down"))
            return future
        self._queue.put(_Item(source, source_id, data, envelope, received_at, future))
        return future

    def __call__(
        self,
        *,
        source: str,
        source_id: str | None,
        data: bytes,
        envelope: dict[str, Any],
        received_at: datetime,
    ) -> int:
        """Blocking form (the `RawSink` protocol)."""
        return self.submit(
            source=source, source_id=source_id, data=data, envelope=envelope, received_at=received_at
        ).result()

    def _run(self) -> None:
        stopping = False
        while not stopping:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            while len(batch) < MAX_BATCH:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    stopping = True
                    break
                batch.append(item)
            self._commit(batch)

    def _commit(self, batch: list[_Item]) -> None:
        try:
            rows = [
                new_raw_row(
                    self.box,
                    source=item.source,
                    source_id=item.source_id,
                    data=item.data,
                    envelope=item.envelope,
                    received_at=item.received_at,
                )
                for item in batch
            ]  # encrypted before the write lock is taken
            with self.gate.priority(), session_scope(self.factory) as session:
                session.add_all(rows)
                session.flush()
                ids = [row.id for row in rows]
        except Exception as exc:  # every waiting session gets the failure (SMTP 451)
            log.warning("intake batch of %d not stored: %s", len(batch), type(exc).__name__)
            for item in batch:
                item.future.set_exception(exc)
            return
        for item, raw_id in zip(batch, ids, strict=True):
            item.future.set_result(raw_id)
