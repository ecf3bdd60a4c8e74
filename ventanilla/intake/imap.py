"""IMAP mailbox listener: one thread per configured folder keeps a connection (imapclient is
synchronous, so the event loop and the SMTP intake never wait for it), reads every new message
exactly once (see imap_session) and reconnects with exponential back-off and jitter when the
server goes away; a refused login is one clear log line, retried slowly."""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import random
import threading
import time

from imapclient.exceptions import IMAPClientError, LoginError

from ventanilla.bot.channels import Intake
from ventanilla.bot.errors import StoreError
from ventanilla.bot.settings import ImapSettings
from ventanilla.intake.imap_connection import ConnectionLost, close, connect
from ventanilla.intake.imap_session import FolderReader, Store
from ventanilla.store.imap_state import read_only

log = logging.getLogger("ventanilla.intake.imap")
FIRST_RETRY_SECONDS = 1.0
LOGIN_RETRY_SECONDS = 60.0  # a refused login is not retried sooner than this
STEADY_SECONDS = 60.0  # a session that lasted this long resets the back-off


class Backoff:
    """Exponential delays with jitter: each in [base/2, base], base doubling up to `cap`."""

    def __init__(self, first: float, cap: float, rng: random.Random | None = None) -> None:
        self.first = first
        self.cap = max(cap, first)
        self.failures = 0
        self.rng = rng or random.Random()

    def next(self) -> float:
        base = min(self.cap, self.first * 2.0 ** min(self.failures, 32))
        self.failures += 1
        return base / 2 + self.rng.uniform(0, base / 2)

    def reset(self) -> None:
        self.failures = 0


class ImapListener:
    """The `imap` channel of `serve` (a `Listener`). Raises ConfigError at construction when the
    password variable (`imap.password_env`) is unset."""

    name = "imap"

    def __init__(self, intake: Intake) -> None:
        app = intake.app
        self.settings: ImapSettings = app.settings.imap
        self.password = self.settings.password()
        self.folders = list(dict.fromkeys((self.settings.folder, *self.settings.folders)))
        self.store = Store(
            writer=app.sessions,
            reader=read_only(app.sessions),
            box=app.box,
            gate=app.gate,
            now=app.clock.now,
            stored=intake.stored,
        )
        if not (self.settings.ssl or self.settings.starttls) and not _loopback(self.settings.host):
            log.warning(
                "imap: the password goes in clear text to %s (imap.ssl and imap.starttls are off)",
                self.settings.host,
            )

    async def run(self, stop: asyncio.Event) -> None:
        halt = threading.Event()
        loop = asyncio.get_running_loop()
        finished: list[asyncio.Future[None]] = []
        for folder in self.folders:
            done: asyncio.Future[None] = loop.create_future()
            finished.append(done)
            thread = threading.Thread(
                target=self._thread, args=(folder, halt, loop, done), name=f"imap-{folder}", daemon=True
            )
            thread.start()
        try:
            await stop.wait()
        finally:
            halt.set()
            await asyncio.gather(*finished)
        log.info("imap: stopped")

    def _thread(
        self, folder: str, halt: threading.Event, loop: asyncio.AbstractEventLoop, done: asyncio.Future[None]
    ) -> None:
        try:
            self.read_folder(folder, halt)
        finally:
            loop.call_soon_threadsafe(_finish, done)

    def read_folder(self, folder: str, halt: threading.Event) -> None:
        """Keep `folder` read until `halt` is set, reconnecting after every failure."""
        backoff = Backoff(FIRST_RETRY_SECONDS, float(self.settings.reconnect_max_seconds))
        where = f"{self.settings.username}@{self.settings.host}:{self.settings.port}"
        while not halt.is_set():
            started = time.monotonic()
            try:
                self._session(folder, halt)
                return
            except LoginError as exc:
                delay = max(LOGIN_RETRY_SECONDS, backoff.next())
                log.error(
                    "imap %s: login refused for %s (%s); check imap.username and $%s; retrying in %.0f s",
                    folder,
                    where,
                    _reason(exc),
                    self.settings.password_env,
                    delay,
                )
            except StoreError as exc:
                delay = backoff.next()
                log.warning(
                    "imap %s: store unavailable (%s); nothing acknowledged; retrying in %.1f s",
                    folder,
                    exc,
                    delay,
                )
            except (OSError, IMAPClientError, ConnectionLost) as exc:
                if time.monotonic() - started >= STEADY_SECONDS:
                    backoff.reset()
                delay = backoff.next()
                log.warning(
                    "imap %s: connection to %s failed (%s); reconnecting in %.1f s",
                    folder,
                    where,
                    _reason(exc),
                    delay,
                )
            except Exception:  # a bug must not end the channel: log it, back off, go on
                delay = backoff.next()
                log.exception("imap %s: unexpected failure; reconnecting in %.1f s", folder, delay)
            halt.wait(delay)

    def _session(self, folder: str, halt: threading.Event) -> None:
        client = connect(self.settings, self.password)
        try:
            FolderReader(client, self.settings, folder, self.store, halt).run()
        finally:
            close(client)


def _finish(done: asyncio.Future[None]) -> None:
    if not done.done():
        done.set_result(None)


def _reason(exc: BaseException) -> str:
    first = exc.args[0] if exc.args else None
    text = first.decode("utf-8", "replace") if isinstance(first, bytes) else str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
