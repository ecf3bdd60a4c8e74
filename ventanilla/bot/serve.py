"""`ventanilla serve`: runs every enabled listener, the worker and the outbox sender in one
process until SIGTERM/SIGINT; then stops accepting, drains and returns 0."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import signal
import threading

from ventanilla.bot.app import App
from ventanilla.bot.outbox_sender import OutboxSender, Transport
from ventanilla.bot.smtp_transport import SmtpTransport
from ventanilla.bot.steps import STEPS
from ventanilla.bot.worker import Worker
from ventanilla.intake.smtp import IntakeHandler, start_smtp_server
from ventanilla.store.db import upgrade
from ventanilla.store.intake import store_raw

log = logging.getLogger("ventanilla.serve")
DRAIN_SECONDS = 20.0


async def serve(app: App, *, ready: asyncio.Event | None = None) -> int:
    settings = app.settings
    revision = await asyncio.to_thread(upgrade, app.engine)
    log.info("database at revision %s", revision)
    await asyncio.to_thread(lambda: app.classify)  # load the model once, before accepting mail
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)

    transports: dict[str, Transport] = {
        "email": SmtpTransport(settings.outbound, settings.secret(settings.outbound.password_env), app.clock)
    }
    sender = OutboxSender(app.sessions, transports, settings.outbound, app.clock)

    def wake_sender() -> None:
        loop.call_soon_threadsafe(sender.wake)

    worker = Worker(app.sessions, app.context, STEPS, on_committed=wake_sender, clock=app.clock)
    worker_stop = threading.Event()
    worker_thread = threading.Thread(target=worker.run, args=(worker_stop,), name="worker", daemon=True)
    worker_thread.start()

    servers: list[asyncio.Server] = []
    if settings.smtp_intake.enabled:
        handler = IntakeHandler(
            addresses=settings.smtp_intake.addresses,
            max_message_bytes=settings.smtp_intake.max_message_bytes,
            sink=functools.partial(store_raw, app.sessions, app.box),
            clock=app.clock,
            on_stored=lambda _raw_id: worker.wake(),
        )
        servers.append(await start_smtp_server(handler, settings.smtp_intake.host, settings.smtp_intake.port))
    sender_task = asyncio.create_task(sender.run(stop))
    log.info("serving: smtp_intake=%s", settings.smtp_intake.enabled)
    if ready is not None:
        ready.set()

    await stop.wait()
    log.info("stopping: no longer accepting; draining")
    for server in servers:
        server.close()
    worker_stop.set()
    worker.wake()
    await asyncio.to_thread(worker_thread.join)
    await sender_task
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(sender.send_due(), DRAIN_SECONDS)
    for server in servers:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(server.wait_closed(), 5)
    app.engine.dispose()
    log.info("stopped")
    return 0
