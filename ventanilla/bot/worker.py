"""The worker: takes received messages from the durable intake queue, a few per transaction, and
runs the pipeline on each; a message that breaks a step becomes a dead letter with the reason."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from ventanilla.bot.clock import Clock, SystemClock
from ventanilla.bot.errors import MalformedMessage, StoreError
from ventanilla.bot.pipeline import Context, Job, Step, run_steps
from ventanilla.bot.reminders import send_due_reminders
from ventanilla.store import intake
from ventanilla.store.db import session_scope
from ventanilla.store.schema import RawMessage
from ventanilla.store.write_gate import IntakeActivity, WriteGate

log = logging.getLogger("ventanilla.worker")
MAX_ATTEMPTS = 3
BATCH_SIZE = 8  # messages per transaction when catching up on a backlog (SQLite)
BATCH_BYTES = 2 << 20  # ... as long as they hold no more than this, stored


class Worker:
    """Processes pending raw messages until stopped; `wake()` makes it look at once."""

    def __init__(
        self,
        factory: sessionmaker[Session],
        make_context: Callable[[Session], Context],
        steps: list[tuple[str, Step]],
        *,
        on_committed: Callable[[], None] = lambda: None,
        idle_seconds: float = 1.0,
        sweep_seconds: float = 60.0,
        clock: Clock | None = None,
        gate: WriteGate | None = None,
        prepare: list[tuple[str, Step]] | None = None,
        activity: IntakeActivity | None = None,
    ) -> None:
        self.factory = factory
        self.make_context = make_context
        self.steps = steps
        self.on_committed = on_committed
        self.idle_seconds = idle_seconds
        self.sweep_seconds = sweep_seconds
        self.gate = gate or WriteGate(enabled=False)
        self.prepare = prepare or []
        self.activity = activity
        bind = factory.kw["bind"]
        self.read_factory = sessionmaker(
            bind.execution_options(ventanilla_begin="DEFERRED"), expire_on_commit=False
        )
        self.clock = clock or SystemClock()
        # PostgreSQL (several workers): one message per transaction, so that two workers never hold
        # locks of several tickets at once (deadlocks); SQLite gains a commit per message saved.
        self._batch_size_when_idle = BATCH_SIZE if bind.dialect.name == "sqlite" else 1
        self._last_sweep: datetime | None = None
        self._wake = threading.Event()

    def wake(self) -> None:
        self._wake.set()

    def run(self, stop: threading.Event) -> None:
        """Loop until `stop` is set, then finish what is pending (drain) and return."""
        while not stop.is_set():
            self._wake.clear()
            try:
                self.process_pending()
                self.sweep()
            except StoreError as exc:
                log.warning("worker: store unavailable, retrying: %s", exc)
            except Exception:  # never let the thread die while serve keeps answering 250
                log.exception("worker: unexpected failure, retrying")
            self._wake.wait(self.idle_seconds)
        try:
            self.process_pending()
        except Exception:  # what is left stays pending for the next start
            log.exception("worker: drain failed; pending messages wait for the next start")

    def sweep(self, *, force: bool = False) -> int:
        """Periodic work (reminders), at most every `sweep_seconds`; returns reminders queued."""
        now = self.clock.now()
        if not force and self._last_sweep and (now - self._last_sweep).total_seconds() < self.sweep_seconds:
            return 0
        self._last_sweep = now
        with self.gate.normal(), session_scope(self.factory) as session:
            queued = send_due_reminders(self.make_context(session))
        if queued:
            self.on_committed()
        return queued

    def process_pending(self) -> int:
        """Handle every pending message; return how many were taken."""
        handled = 0
        while self._pace():
            taken = self.process_batch(self._batch_size())
            if not taken:
                break
            handled += taken
        return handled

    def process_batch(self, limit: int) -> int:
        """Take up to `limit` pending messages and run the pipeline on each, in one transaction
        (one commit) with a savepoint per message: a message that fails is rolled back alone and
        retried later (a dead letter after MAX_ATTEMPTS). Returns how many were taken."""
        failures: list[tuple[int, int, str]] = []
        prepared = self._prepare_next(limit)
        if self.prepare:  # as many as were prepared: a few small messages, or one big one
            limit = max(1, len(prepared))
        ahead = {job.raw_id: job for job in prepared}
        with self.gate.normal(), session_scope(self.factory) as session:
            rows = intake.claim_pending(session, limit)
            if not rows:
                return 0
            ctx = self.make_context(session)
            for row in rows:
                failure = self._handle(ctx, row, ahead.get(row.id))
                if failure is not None:
                    failures.append(failure)
        self.on_committed()
        for failure in failures:
            self._fail(*failure)
        return len(rows)

    def _handle(self, ctx: Context, row: RawMessage, ahead: Job | None) -> tuple[int, int, str] | None:
        """Run the pipeline on one claimed row inside the open transaction; on an unexpected error
        its savepoint is rolled back and the failure returned for `_fail`."""
        session = ctx.session
        job: Job | None = ahead
        try:
            with session.begin_nested():
                if job is None:
                    job = _job(ctx, row)
                try:
                    if job.malformed:
                        raise MalformedMessage(job.malformed)
                    with session.begin_nested():
                        run_steps(self.steps, ctx, job)
                except MalformedMessage as exc:
                    intake.mark_dead(
                        session, ctx.box, row.id, f"malformed message: {exc}", now=ctx.clock.now()
                    )
                    job.done, job.log = "dead letter", {"event": "dead letter", "reason": str(exc)}
                if row.status == intake.PENDING:
                    intake.mark_processed(session, row.id, now=ctx.clock.now())
        except (StoreError, OperationalError):  # the database, not the message: retry the batch
            raise
        except Exception as exc:  # a bug or unexpected input: never lose the message, never crash
            log.exception("worker: pipeline failed on raw=%s", row.id)
            return (row.id, row.attempts, f"internal error: {type(exc).__name__}: {exc}")
        _log_decision(row.id, job)
        return None

    def _batch_size(self) -> int:
        """One message at a time while mail is arriving (the intake must not wait for a long
        transaction), a small batch when catching up on a backlog."""
        if self.activity is not None and self.activity.recent():
            return 1
        return self._batch_size_when_idle

    def _pace(self) -> bool:
        if self.activity is not None:
            self.activity.wait_for_lull()
        return True

    def _prepare_next(self, limit: int) -> list[Job]:
        """Run the pure steps on the oldest pending messages without taking the write lock, so the
        write transaction (which the SMTP intake may be waiting for) stays short."""
        if not self.prepare:
            return []
        jobs: list[Job] = []
        try:
            with session_scope(self.read_factory) as session:
                ctx = self.make_context(session)
                taken_bytes = 0
                for raw_id, size in intake.pending_sizes(session, limit):
                    taken_bytes += size
                    if jobs and taken_bytes > BATCH_BYTES:
                        break  # big messages go one at a time: never several decrypted at once
                    row = session.get(RawMessage, raw_id)
                    if row is None:
                        break
                    job = _job(ctx, row)
                    try:
                        run_steps(self.prepare, ctx, job)
                    except MalformedMessage as exc:
                        job.malformed = str(exc) or "unparseable message"
                    jobs.append(job)
        except Exception:  # the transactional run will meet the same problem and record it
            log.debug("worker: preparing ahead failed", exc_info=True)
        return jobs

    def _fail(self, raw_id: int, attempts: int, reason: str) -> None:
        with self.gate.normal(), session_scope(self.factory) as session:
            row = session.get(RawMessage, raw_id)
            if row is None:
                return
            row.attempts = attempts
            if attempts >= MAX_ATTEMPTS:
                ctx = self.make_context(session)
                intake.mark_dead(session, ctx.box, raw_id, reason[:2000], now=ctx.clock.now())
                log.error("raw=%s dead letter after %d attempts", raw_id, attempts)


def _job(ctx: Context, row: RawMessage) -> Job:
    return Job(
        raw_id=row.id,
        source=row.source,
        data=intake.raw_bytes(ctx.box, row),
        envelope=dict(row.envelope or {}),
        received_at=row.received_at,
    )


def _log_decision(raw_id: int, job: Job) -> None:
    fields: dict[str, Any] = {"raw": raw_id, **job.log}
    if job.analysis is not None:
        fields.update(label=job.analysis.label, confidence=round(job.analysis.confidence, 3))
    log.info("decision %s", " ".join(f"{k}={v}" for k, v in fields.items()))
