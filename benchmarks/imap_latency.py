"""IMAP channel of `ventanilla serve` against a local Dovecot (the test harness in
tests/imap_server.py): the median seconds from an APPEND to the ticket with IDLE, next to the floor
(a bare imapclient IDLE session noticing the same APPEND); and messages/s when `serve` starts with
1,000 messages waiting, both to the raw messages stored (and \\Seen) and to every ticket written,
next to a bare imapclient fetching the same messages with BODY.PEEK[] (SQLite). Prints figures and
ratios; never asserts.

Run: .venv/bin/python benchmarks/imap_latency.py [--appends N] [--backlog N]
Targets (issue 4): median APPEND-to-ticket <= 2 s with IDLE; catch-up >= 50 messages/s.
"""

from __future__ import annotations

import argparse
import os
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from aiosmtpd.controller import Controller  # noqa: E402
from imap_server import PASSWORD, USER, Dovecot, running_dovecot  # noqa: E402

PASSWORD_ENV = "BENCH_IMAP_PASSWORD"
RELAY_PORT = 0  # set by main(): a sink relay that accepts every reply, as a real relay would
BODY = """Buenos días,

Al generar la balanza de comprobación en el módulo de Contabilidad me aparece un error y el sistema
se cierra. Tenemos instalada la versión 2026.

Saludos cordiales
Juan Pérez López
Tesorero Municipal, H. Ayuntamiento de Zapopan, Jalisco
Tel. 33 1234 5678
"""


def mail(tag: str, number: int) -> bytes:
    msg = EmailMessage(policy=SMTP)
    msg["From"] = f"usuario{number}@municipio{number % 97}.gob.mx"  # the reply rate limit is per sender
    msg["To"] = "soporte@saacg.example"
    msg["Subject"] = f"Error al generar la balanza ({tag} {number})"
    msg["Message-ID"] = f"<bench-{tag}-{number}-{time.time_ns()}@municipio.gob.mx>"
    msg.set_content(BODY)
    return msg.as_bytes()


def wait_for(condition: Callable[[], bool], deadline: float = 600.0, step: float = 0.005) -> float:
    end = time.monotonic() + deadline
    while not condition():
        if time.monotonic() > end:
            sys.exit("timed out")
        time.sleep(step)
    return time.monotonic()


def count(database: Path, sql: str, *args: object) -> int:
    try:
        with sqlite3.connect(database, timeout=10) as db:
            value = int(db.execute(sql, args).fetchone()[0])
        db.close()
        return value
    except sqlite3.OperationalError:
        return 0


def start_serve(folder: Path, dovecot: Dovecot) -> subprocess.Popen[bytes]:
    config = folder / "ventanilla.toml"
    config.write_text(
        f'[service]\ndata_dir = "{folder / "data"}"\n\n[smtp_intake]\nport = 0\n\n'
        f"[outbound]\nport = {RELAY_PORT}\n\n[hours]\nalways_open = true\n\n"
        f'[imap]\nenabled = true\nhost = "127.0.0.1"\nport = {dovecot.port}\nssl = false\n'
        f'username = "{USER}"\npassword_env = "{PASSWORD_ENV}"\n',
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("VENTANILLA_")}
    env[PASSWORD_ENV] = PASSWORD
    path = folder / "serve.log"
    before = path.read_text(errors="replace").count("news by IDLE") if path.exists() else 0
    log = path.open("ab")
    command = [str(Path(sys.executable).with_name("ventanilla")), "--config", str(config), "serve"]
    process = subprocess.Popen(command, stdout=log, stderr=log, env=env)
    log.close()
    wait_for(lambda: path.read_text(errors="replace").count("news by IDLE") > before, 120, 0.01)
    return process


def stop_serve(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    process.wait(timeout=60)


def floor_latency(dovecot: Dovecot, appends: int) -> float:
    """Median seconds from APPEND to a bare IDLE session hearing of it (what the server costs)."""
    samples = []
    with dovecot.client("Floor") as watcher:
        for number in range(appends):
            watcher.idle()
            started = time.monotonic()
            dovecot.append(mail("floor", number), "Floor")
            while not any(r[1:2] == (b"EXISTS",) for r in watcher.idle_check(timeout=5)):
                pass
            samples.append(time.monotonic() - started)
            watcher.idle_done()
    return statistics.median(samples)


def serve_latency(dovecot: Dovecot, folder: Path, appends: int) -> tuple[float, float]:
    """Median seconds from APPEND to the raw message stored, and to the ticket's message written."""
    database = folder / "data" / "ventanilla.db"
    process = start_serve(folder, dovecot)
    stored, ticketed = [], []
    try:
        for number in range(appends):
            raw = mail("idle", number)
            message_id = raw.split(b"Message-ID: <")[1].split(b">")[0].decode()
            raw_sql = "SELECT count(*) FROM raw_messages WHERE source_id LIKE 'imap:%'"
            known = count(database, raw_sql)
            started = time.monotonic()
            dovecot.append(raw)
            at = wait_for(lambda: count(database, raw_sql) > known)  # noqa: B023 - called at once
            stored.append(at - started)
            sql = "SELECT count(*) FROM messages WHERE direction = 'in' AND source_id = ?"
            ticketed.append(wait_for(lambda: count(database, sql, message_id) == 1) - started)  # noqa: B023
            time.sleep(0.2)
    finally:
        stop_serve(process)
    return statistics.median(stored), statistics.median(ticketed)


def floor_fetch(dovecot: Dovecot, folder_name: str) -> float:
    """Messages/s of a bare client fetching every message of `folder_name`, 20 per FETCH."""
    with dovecot.client(folder_name) as client:
        uids = client.search(["ALL"])
        started = time.monotonic()
        for start in range(0, len(uids), 20):
            client.fetch(uids[start : start + 20], ["BODY.PEEK[]"])
        return len(uids) / (time.monotonic() - started)


def catch_up(dovecot: Dovecot, folder: Path, backlog: int) -> tuple[float, float]:
    """Messages/s for `serve` started with `backlog` messages waiting: to all stored and \\Seen,
    and to every ticket written (the worker classifying them)."""
    with dovecot.client() as client:  # one connection for all
        for number in range(backlog):
            client.append("INBOX", mail("backlog", number))
    database = folder / "data" / "ventanilla.db"
    before = count(database, "SELECT count(*) FROM messages WHERE direction = 'in'")
    started = time.monotonic()
    process = start_serve(folder, dovecot)
    try:
        ready = time.monotonic()
        wait_for(lambda: dovecot.seen() == (backlog + before, backlog + before), step=0.02)
        stored = time.monotonic()
        sql = "SELECT count(*) FROM messages WHERE direction = 'in'"
        wait_for(lambda: count(database, sql) >= before + backlog, step=0.05)
        done = time.monotonic()
    finally:
        stop_serve(process)
    print(f"  (serve start to listening: {ready - started:.1f} s, not counted)")
    return backlog / (stored - ready), backlog / (done - ready)


class Sink:
    """The outbound relay: accepts every reply and keeps nothing."""

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
        return "250 OK"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--appends", type=int, default=15)
    parser.add_argument("--backlog", type=int, default=1000)
    args = parser.parse_args()
    global RELAY_PORT
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        RELAY_PORT = probe.getsockname()[1]
    relay = Controller(Sink(), hostname="127.0.0.1", port=RELAY_PORT)
    relay.start()
    with running_dovecot() as dovecot, tempfile.TemporaryDirectory(prefix="imap-bench-") as tmp:
        folder = Path(tmp)
        floor = floor_latency(dovecot, args.appends)
        stored, ticketed = serve_latency(dovecot, folder, args.appends)
        print(f"APPEND -> ticket, IDLE, median of {args.appends} (target <= 2 s):")
        print(f"  bare IDLE client hears of it : {floor:.3f} s (floor)")
        print(f"  serve stores it (raw, \\Seen) : {stored:.3f} s  ratio to floor {stored / floor:.1f}")
        print(f"  serve writes the ticket      : {ticketed:.3f} s  ratio to floor {ticketed / floor:.1f}")
        intake, end_to_end = catch_up(dovecot, folder, args.backlog)
        fetch = floor_fetch(dovecot, "INBOX")
        print(f"catch-up of {args.backlog} waiting messages, SQLite (target >= 50 msg/s):")
        print(f"  bare client BODY.PEEK[] fetch: {fetch:.0f} msg/s (floor)")
        print(f"  serve stores and flags \\Seen : {intake:.0f} msg/s  ratio to floor {intake / fetch:.2f}")
        print(f"  serve writes every ticket    : {end_to_end:.1f} msg/s")


if __name__ == "__main__":
    main()
