"""Crash injection against the real `serve`: while requests keep arriving (a client that retries
until it gets a 250, as a mail server does), `serve` is killed with SIGKILL at seeded random moments
and restarted, several times; then it drains. Counted at the end: every request is on exactly one
ticket (or a dead letter), none is handled twice, and every requester got exactly one
acknowledgement — distinct Message-IDs; a resend after a kill between the relay's 250 and
`mark_sent` keeps its Message-ID, so the raw count is reported beside it."""

from __future__ import annotations

import os
import random
import smtplib
import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Callable
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path

from conftest import SUPPORT, Relay, Serve, free_port, pending_counts, port_open, wait_until, write_config

SEED = int(os.environ.get("CRASH_SEED", "20261204"))  # another seed: CRASH_SEED=N pytest …
REQUESTS = 24
KILLS = 5
REQUEST = """Buenos días,

Al cerrar el mes de {month} en el módulo de Contabilidad el sistema se queda congelado. Tenemos la
versión 2026.

Atentamente
Ana Torres
Contadora General
Municipio de {city}
{city}, Jalisco
Tel. 33 1111 22{n:02d}
"""
CITIES = ("Ameca", "Tequila", "Autlán", "Ocotlán", "Arandas", "Sayula")
MONTHS = ("enero", "febrero", "marzo", "abril", "mayo", "junio")


def _requester(n: int) -> str:
    return f"contabilidad{n:02d}@municipio{n:02d}.gob.mx"


def _request(n: int) -> bytes:
    msg = EmailMessage(policy=SMTP)
    msg["From"] = f"Ana Torres <{_requester(n)}>"
    msg["To"] = SUPPORT
    msg["Subject"] = f"El sistema se congela al cerrar {MONTHS[n % len(MONTHS)]}"
    msg["Message-ID"] = f"<crash-{n:02d}@municipio{n:02d}.gob.mx>"
    msg.set_content(REQUEST.format(month=MONTHS[n % len(MONTHS)], city=CITIES[n % len(CITIES)], n=n))
    return msg.as_bytes()


class RetryingClient(threading.Thread):
    """Delivers every request, retrying (same bytes, same Message-ID) until the server says 250."""

    def __init__(self, port: int, rng: random.Random) -> None:
        super().__init__(daemon=True)
        self.port, self.rng = port, rng
        self.attempts = 0
        self.accepted: list[int] = []
        self.stop = threading.Event()

    def run(self) -> None:
        for n in range(REQUESTS):
            while not self.stop.is_set():
                self.attempts += 1
                try:
                    with smtplib.SMTP("127.0.0.1", self.port, timeout=10) as client:
                        client.ehlo("mx.municipio.gob.mx")
                        client.sendmail(_requester(n), [SUPPORT], _request(n))
                    self.accepted.append(n)
                    break
                except (OSError, smtplib.SMTPException):
                    time.sleep(0.1)  # the desk is down (killed) or answered 4xx: try again
            time.sleep(self.rng.uniform(0.0, 0.4))


def test_kill_9_at_random_moments_loses_nothing_and_handles_nothing_twice(
    tmp_path: Path, relay: Relay, start_serve: Callable[[Path, int], Serve]
) -> None:
    rng = random.Random(SEED)
    port = free_port()
    config = write_config(
        tmp_path, port, relay.port, "retry_initial_seconds = 0.2\nretry_max_seconds = 0.5\n"
    )
    client = RetryingClient(port, random.Random(SEED + 1))
    serve = start_serve(config, port)
    client.start()
    kills = 0
    try:
        for _ in range(KILLS):
            time.sleep(rng.uniform(0.3, 3.0))  # a random moment: intake, worker or sender at work
            serve.kill()
            kills += 1
            wait_until(lambda: not port_open(port), "the port to close")
            serve = start_serve(config, port)
        client.join(timeout=120)
        assert not client.is_alive(), "the client could not deliver every request"
    finally:
        client.stop.set()
    assert sorted(client.accepted) == list(range(REQUESTS))

    database = tmp_path / "data" / "ventanilla.db"
    wait_until(lambda: pending_counts(database) == (0, 0), "the desk to drain", deadline=90)
    assert serve.stop() == 0

    with sqlite3.connect(database) as db:
        rows = db.execute("SELECT requester, count(*) FROM tickets GROUP BY requester").fetchall()
        incoming = db.execute("SELECT source_id FROM messages WHERE direction = 'in'").fetchall()
        dead = db.execute("SELECT source_id, reason FROM dead_letters").fetchall()
        raw = db.execute("SELECT status, count(*) FROM raw_messages GROUP BY status").fetchall()
        numbers = [r[0] for r in db.execute("SELECT serial FROM tickets ORDER BY serial")]
        outbox = db.execute("SELECT status, count(*) FROM outbox GROUP BY status").fetchall()
    db.close()
    assert dead == []
    assert dict(rows) == {_requester(n): 1 for n in range(REQUESTS)}  # one ticket each, none twice
    assert sorted(m for (m,) in incoming) == sorted(
        f"crash-{n:02d}@municipio{n:02d}.gob.mx" for n in range(REQUESTS)
    )
    assert numbers == list(range(1, REQUESTS + 1))  # gap-free, no number twice
    assert dict(outbox) == {"sent": REQUESTS}
    assert "pending" not in dict(raw)

    replies = relay.received
    distinct = {(str(r["X-Envelope-To"]), str(r["Message-ID"])) for r in replies}
    per_requester = Counter(rcpt for rcpt, _ in distinct)
    assert per_requester == {_requester(n): 1 for n in range(REQUESTS)}  # one acknowledgement each
    resent = len(replies) - len(distinct)
    print(
        f"seed {SEED}: {kills} kills, {REQUESTS} requests, {client.attempts} delivery attempts, "
        f"raw rows {dict(raw)}, replies received {len(replies)} ({len(distinct)} distinct, "
        f"{resent} resent with the same Message-ID)"
    )
    assert resent <= kills  # at most the one row in flight per kill
