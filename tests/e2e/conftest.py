"""End-to-end helpers: free ports, waiting for a port, `ventanilla serve` as a subprocess on a
temporary config, a local aiosmtpd relay that receives the desk's replies (and can refuse them),
and a user's SMTP client."""

from __future__ import annotations

import email
import email.policy
import os
import shutil
import signal
import smtplib
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP as SmtpServer
from aiosmtpd.smtp import Envelope, Session

DEADLINE = 30.0  # generous: polling loops end as soon as the condition holds
SUPPORT = "soporte@saacg.example"

# A Spanish technical request as a municipality's treasurer would write it.
REQUESTER = "juan.perez@zapopan.gob.mx"
REQUEST = """Buenos días,

Al generar la balanza de comprobación en el módulo de Contabilidad me aparece el error
"referencia a objeto no establecida". Tenemos instalada la versión 2026.

Saludos cordiales

Juan Pérez López
Tesorero Municipal
H. Ayuntamiento de Zapopan
Zapopan, Jalisco
Tel. 33 1234 5678
"""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until(condition: Callable[[], Any], what: str, deadline: float = DEADLINE) -> Any:
    """Poll `condition` until it returns something truthy; fail after `deadline` seconds."""
    end = time.monotonic() + deadline
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > end:
            raise AssertionError(f"timed out after {deadline:.0f} s waiting for {what}")
        time.sleep(0.05)


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


# ----- the relay the desk sends its replies to


@dataclass
class RelayHandler:
    refuse: bool = False
    refused: int = 0
    received: list[EmailMessage] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(
        self, server: SmtpServer, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if self.refuse:
            with self.lock:
                self.refused += 1
            return "451 4.3.0 Relay busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SmtpServer, session: Session, envelope: Envelope) -> str:
        parsed = email.message_from_bytes(envelope.original_content or b"", policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        parsed["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        with self.lock:
            self.received.append(parsed)
        return "250 2.0.0 OK"


@dataclass
class Relay:
    handler: RelayHandler
    port: int

    @property
    def received(self) -> list[EmailMessage]:
        with self.handler.lock:
            return list(self.handler.received)

    def wait_for(self, count: int) -> list[EmailMessage]:
        return list(wait_until(lambda: len(self.received) >= count and self.received, f"{count} replies"))


@pytest.fixture
def relay() -> Iterator[Relay]:
    handler = RelayHandler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield Relay(handler, port)
    finally:
        controller.stop()


# ----- ventanilla serve


def ventanilla_command() -> list[str]:
    script = Path(sys.executable).with_name("ventanilla")
    if script.exists():
        return [str(script)]
    found = shutil.which("ventanilla")
    return [found] if found else [sys.executable, "-c", "from ventanilla.bot.cli import main; main()"]


def write_config(folder: Path, smtp_port: int, relay_port: int, extra: str = "") -> Path:
    """A config with the defaults except the data folder and ports (and whatever `extra` adds)."""
    config = folder / "ventanilla.toml"
    config.write_text(
        f'[service]\ndata_dir = "{folder / "data"}"\n\n'
        f"[smtp_intake]\nport = {smtp_port}\n\n"
        f"[outbound]\nport = {relay_port}\n{extra}",
        encoding="utf-8",
    )
    return config


def _environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VENTANILLA_")}
    env["PYTHONUNBUFFERED"] = "1"
    return env


@dataclass
class Serve:
    """One `ventanilla --config FILE serve` process."""

    config: Path
    smtp_port: int
    log: Path
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> Serve:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [*ventanilla_command(), "--config", str(self.config), "serve"],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                env=_environment(),
            )

        def listening() -> bool:
            assert self.process is not None
            if self.process.poll() is not None:
                raise AssertionError(f"serve exited with {self.process.returncode}:\n{self.log_text()}")
            return port_open(self.smtp_port)

        wait_until(listening, "serve to accept SMTP connections", deadline=60)
        return self

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def stop(self) -> int:
        """SIGTERM, then wait for the drain; the exit code."""
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise AssertionError(f"serve did not stop on SIGTERM:\n{self.log_text()}") from None

    def kill(self) -> None:
        """kill -9: no drain, no cleanup."""
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")[-4000:]


@pytest.fixture
def start_serve(tmp_path: Path) -> Iterator[Callable[[Path, int], Serve]]:
    """Start `serve` on a config (same config again = a restart on the same data); every process
    still running at the end is killed."""
    started: list[Serve] = []

    def start(config: Path, smtp_port: int) -> Serve:
        serve = Serve(config, smtp_port, tmp_path / f"serve-{len(started)}.log").start()
        started.append(serve)
        return serve

    yield start
    for serve in started:
        if serve.running():
            serve.kill()


def run_cli(config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*ventanilla_command(), "--config", str(config), *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=_environment(),
        check=False,
    )


# ----- the user's mail client


def send_mail(port: int, raw: bytes, sender: str) -> tuple[int, bytes]:
    """Send `raw` to the support address as a mail client does; the server's answer to DATA."""
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as client:
        client.ehlo("pc-tesoreria.zapopan.gob.mx")
        code, text = client.mail(sender)
        assert code == 250, text
        code, text = client.rcpt(SUPPORT)
        assert code == 250, text
        return client.data(raw)


def pending_counts(database: Path) -> tuple[int, int]:
    """(raw messages still pending, outbox rows still pending) in a SQLite store."""
    with sqlite3.connect(database, timeout=10) as db:
        raw = db.execute("SELECT count(*) FROM raw_messages WHERE status = 'pending'").fetchone()[0]
        out = db.execute("SELECT count(*) FROM outbox WHERE status = 'pending'").fetchone()[0]
    db.close()
    return int(raw), int(out)
