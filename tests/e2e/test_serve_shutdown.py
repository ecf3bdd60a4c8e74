"""`ventanilla serve` stopping: SIGTERM with a relay that never answers still exits 0 after a
bounded drain and the unsent replies stay pending for the next start."""

from __future__ import annotations

import signal
import socket
import sqlite3
import subprocess
import threading
from collections.abc import Callable, Iterator
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import make_msgid
from pathlib import Path

import pytest
from conftest import (
    REQUEST,
    REQUESTER,
    SUPPORT,
    Serve,
    free_port,
    send_mail,
    wait_until,
    write_config,
)

from ventanilla.bot.serve import DRAIN_SECONDS


class SilentRelay:
    """Accepts connections, reads whatever comes and never says a word (not even a greeting)."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.server.settimeout(0.2)
        self.port = int(self.server.getsockname()[1])
        self.connections = 0
        self._done = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> SilentRelay:
        self._spawn(self._accept)
        return self

    def _spawn(self, target: Callable[..., None], *args: object) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True)
        self._threads.append(thread)
        thread.start()

    def _accept(self) -> None:
        while not self._done.is_set():
            try:
                conn, _ = self.server.accept()
            except TimeoutError:
                continue
            self.connections += 1
            self._spawn(self._listen, conn)

    def _listen(self, conn: socket.socket) -> None:
        conn.settimeout(0.2)
        with conn:
            while not self._done.is_set():
                try:
                    if not conn.recv(4096):
                        return
                except TimeoutError:
                    continue
                except OSError:
                    return

    def close(self) -> None:
        self._done.set()
        for thread in self._threads:
            thread.join()
        self.server.close()


@pytest.fixture
def silent_relay() -> Iterator[SilentRelay]:
    relay = SilentRelay().start()
    try:
        yield relay
    finally:
        relay.close()


def _request(subject: str) -> bytes:
    msg = EmailMessage(policy=SMTP)
    msg["From"] = f"Juan Pérez <{REQUESTER}>"
    msg["To"] = SUPPORT
    msg["Subject"] = subject
    msg["Message-ID"] = make_msgid(domain="zapopan.gob.mx")
    msg.set_content(REQUEST)
    return msg.as_bytes()


def _outbox(database: Path) -> list[tuple[str, int]]:
    if not database.exists():
        return []
    with sqlite3.connect(database, timeout=10) as db:
        rows = db.execute("SELECT status, attempts FROM outbox ORDER BY id").fetchall()
    db.close()
    return [(str(status), int(attempts)) for status, attempts in rows]


def test_sigterm_with_a_silent_relay_exits_0_and_keeps_the_replies_pending(
    tmp_path: Path, silent_relay: SilentRelay, start_serve: Callable[[Path, int], Serve]
) -> None:
    port = free_port()
    # a relay timeout longer than the drain: the send in flight is still waiting when serve stops
    config = write_config(tmp_path, port, silent_relay.port, "timeout_seconds = 120\n")
    serve = start_serve(config, port)
    for subject in ("Error al generar la balanza", "Error al timbrar la nómina"):
        code, _ = send_mail(port, _request(subject), REQUESTER)
        assert code == 250
    database = tmp_path / "data" / "ventanilla.db"
    wait_until(lambda: len(_outbox(database)) == 2, "two replies in the outbox")
    wait_until(lambda: silent_relay.connections >= 1, "the sender to be stuck on the relay")

    assert serve.process is not None
    serve.process.send_signal(signal.SIGTERM)
    try:
        code = serve.process.wait(timeout=DRAIN_SECONDS + 15)
    except subprocess.TimeoutExpired:
        raise AssertionError(f"serve did not stop within the drain bound:\n{serve.log_text()}") from None
    log = serve.log_text()
    assert code == 0, log
    assert _outbox(database) == [("pending", 0), ("pending", 0)]  # never lost, never failed
    assert "unsent replies stay pending" in log
    assert "Traceback" not in log
    assert " INFO mail.log " not in log  # aiosmtpd's per-session chatter is kept out
