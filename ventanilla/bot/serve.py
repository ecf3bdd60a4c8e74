"""`ventanilla serve`: runs every enabled listener, the worker and the outbox sender in one
process until SIGTERM/SIGINT; then stops accepting, drains for at most DRAIN_SECONDS (what is not
sent by then stays pending for the next start) and returns 0. `worker_only` (several processes on
PostgreSQL) runs the worker and the outbox sender without any listener."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
import threading

from ventanilla.bot.app import App
from ventanilla.bot.channels import Intake, listeners, transports
from ventanilla.bot.outbox_sender import OutboxSender
from ventanilla.bot.steps import PREPARE, STEPS
from ventanilla.bot.worker import Worker
from ventanilla.intake.smtp import IntakeHandler, start_smtp_server
from ventanilla.store.db import upgrade
from ventanilla.store.key_check import open_secret_box
from ventanilla.store.raw_batcher import RawBatcher
from ventanilla.store.write_gate import IntakeActivity

log = logging.getLogger("ventanilla.serve")
DRAIN_SECONDS = 20.0
# SQLite means one process, one sender: a row's lease only has to outlast a restart after kill -9
# (PostgreSQL, with several senders, keeps the sender's default: longer than any send).
SQLITE_LEASE_SECONDS = 5.0
LISTENER_STOP_SECONDS = 10.0
SWITCH_INTERVAL = 0.0005  # seconds; CPython's default is 0.005


async def serve(app: App, *, ready: asyncio.Event | None = None, worker_only: bool = False) -> int:
    settings = app.settings
    # aiosmtpd logs ~9 INFO lines per SMTP session under "mail.log": keep only its warnings.
    # httpx logs every Bot API request at INFO, with the URL — which holds the bot token.
    for noisy in ("mail.log", "httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLogger().getEffectiveLevel()))
    # The worker thread is CPU-bound (parsing, classifying); a short switch interval keeps the
    # SMTP sessions of the event loop responsive while it runs.
    sys.setswitchinterval(SWITCH_INTERVAL)
    revision = await asyncio.to_thread(upgrade, app.engine)
    log.info("database at revision %s", revision)
    # The key must be the one the store was written with: refuse to start otherwise (ConfigError).
    keys = await asyncio.to_thread(open_secret_box, settings, app.sessions)
    app.box = keys.box
    await asyncio.to_thread(lambda: app.classify)  # load the model once, before accepting mail
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)

    single_process = app.engine.dialect.name == "sqlite"
    activity = IntakeActivity()
    sender = OutboxSender(
        app.sessions,
        transports(app),
        settings.outbound,
        app.clock,
        gate=app.gate,
        activity=activity,
        lease_seconds=SQLITE_LEASE_SECONDS if single_process else None,
    )

    def wake_sender() -> None:
        loop.call_soon_threadsafe(sender.wake)

    worker = Worker(
        app.sessions,
        app.context,
        STEPS,
        on_committed=wake_sender,
        clock=app.clock,
        gate=app.gate,
        prepare=PREPARE,
        activity=activity,
    )
    worker_stop = threading.Event()
    worker_thread = threading.Thread(target=worker.run, args=(worker_stop,), name="worker", daemon=True)
    worker_thread.start()

    def stored(_raw_id: int) -> None:
        activity.touch()
        worker.wake()

    servers: list[asyncio.Server] = []
    batcher = RawBatcher(app.sessions, app.box, app.gate)
    batcher.start()
    if settings.smtp_intake.enabled and not worker_only:
        handler = IntakeHandler(
            addresses=settings.smtp_intake.addresses,
            max_message_bytes=settings.smtp_intake.max_message_bytes,
            sink=batcher,
            clock=app.clock,
            on_stored=stored,
        )
        servers.append(await start_smtp_server(handler, settings.smtp_intake.host, settings.smtp_intake.port))
    channels = [] if worker_only else listeners(Intake(app, batcher, stored))
    stop_listening = asyncio.Event()
    listening = [asyncio.create_task(channel.run(stop_listening), name=channel.name) for channel in channels]
    sender_task = asyncio.create_task(sender.run(stop))
    log.info(
        "serving%s: smtp_intake=%s %s",
        " (worker only)" if worker_only else "",
        bool(servers),
        " ".join(f"{channel.name}=True" for channel in channels),
    )
    if ready is not None:
        ready.set()

    await stop.wait()
    log.info("stopping: no longer accepting; draining")
    for server in servers:
        server.close()
    stop_listening.set()
    for server in servers:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(server.wait_closed(), 5)
    if listening:
        _done, late = await asyncio.wait(listening, timeout=LISTENER_STOP_SECONDS)
        for task in late:
            log.warning("listener %s did not stop in time; cancelled", task.get_name())
            task.cancel()
    await asyncio.to_thread(batcher.close)
    worker_stop.set()
    worker.wake()
    await asyncio.to_thread(worker_thread.join)
    try:
        async with asyncio.timeout(DRAIN_SECONDS):
            await sender_task  # ends after the row in flight (if any)
            await _drain(sender)
    except TimeoutError:
        log.warning(
            "outbox not drained within %.0f s (relay slow or silent); unsent replies stay pending",
            DRAIN_SECONDS,
        )
    app.engine.dispose()
    log.info("stopped")
    return 0


async def _drain(sender: OutboxSender) -> None:
    """Send what is due until a pass sends nothing (the rest waits for the next start)."""
    while await sender.send_due():
        pass
