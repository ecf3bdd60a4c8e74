"""Several workers on one PostgreSQL store: a full `serve` (SMTP intake, worker, sender) and a
`serve --worker-only` share a burst of requests. Every request is handled exactly once, by one of
them; ticket numbers are distinct and gap-free; every requester gets exactly one acknowledgement.
`--worker-only` on SQLite is refused with one line."""

from __future__ import annotations

import re
import subprocess
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path

import psycopg
import pytest
from conftest import (
    SUPPORT,
    Relay,
    Serve,
    _environment,
    free_port,
    run_cli,
    send_mail,
    ventanilla_command,
    wait_until,
    write_config,
)
from sqlalchemy.engine import make_url

BURST = 100
SENDERS = 4  # concurrent SMTP clients
DECISION = re.compile(r"ventanilla\.worker decision raw=(\d+)")
REQUEST = """Buenas tardes,

Solicito la activación de la licencia SAACG-JAL-{n:04d} que adquirimos este mes.

Atentamente
Luis Gómez
Tesorero
Municipio de Tala
Tala, Jalisco
Tel. 38 4738 00{n:02d}
"""


def _requester(n: int) -> str:
    return f"tesoreria{n:03d}@tala.gob.mx"


def _request(n: int) -> bytes:
    msg = EmailMessage(policy=SMTP)
    msg["From"] = f"Luis Gómez <{_requester(n)}>"
    msg["To"] = SUPPORT
    msg["Subject"] = f"Activación de licencia {n}"
    msg["Message-ID"] = f"<burst-{n:03d}@tala.gob.mx>"
    msg.set_content(REQUEST.format(n=n % 100))
    return msg.as_bytes()


@pytest.fixture
def worker_only(tmp_path: Path) -> Iterator[Callable[[Path], subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []

    def start(config: Path) -> subprocess.Popen[bytes]:
        log = tmp_path / "worker-only.log"
        with log.open("ab") as out:
            process = subprocess.Popen(
                [*ventanilla_command(), "--config", str(config), "serve", "--worker-only"],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=out,
                env=_environment(),
            )
        started.append(process)
        wait_until(
            lambda: process.poll() is None and "serving (worker only)" in log.read_text(errors="replace"),
            "the worker-only process to start",
            deadline=60,
        )
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
            process.wait()


@pytest.mark.postgres
def test_two_processes_share_a_burst_and_handle_each_request_once(
    tmp_path: Path,
    relay: Relay,
    start_serve: Callable[[Path, int], Serve],
    worker_only: Callable[[Path], subprocess.Popen[bytes]],
    postgres_url: str,
) -> None:
    port = free_port()
    config = write_config(tmp_path, port, relay.port, f'\n[store]\nurl = "{postgres_url}"\n')
    serve = start_serve(config, port)
    helper = worker_only(config)

    def deliver(first: int) -> None:
        for n in range(first, BURST, SENDERS):
            assert send_mail(port, _request(n), _requester(n))[0] == 250

    clients = [threading.Thread(target=deliver, args=(i,)) for i in range(SENDERS)]
    for client in clients:
        client.start()
    for client in clients:
        client.join(timeout=120)
    relay.wait_for(BURST)
    wait_until(lambda: _pending(postgres_url) == (0, 0), "both processes to drain", deadline=60)
    helper.terminate()
    assert helper.wait(timeout=60) == 0
    assert serve.stop() == 0

    logs = {
        "serve": (tmp_path / "serve-0.log").read_text(errors="replace"),
        "worker-only": (tmp_path / "worker-only.log").read_text(errors="replace"),
    }
    handled = {name: [int(raw) for raw in DECISION.findall(text)] for name, text in logs.items()}
    print(f"{BURST} requests: decisions by process { ({k: len(v) for k, v in handled.items()}) }")
    every = handled["serve"] + handled["worker-only"]
    assert sorted(every) == sorted(set(every)) and len(every) == BURST  # each raw once, by one
    assert handled["serve"] and handled["worker-only"]  # both took a share
    assert "smtp intake listening" not in logs["worker-only"]

    with psycopg.connect(_libpq(postgres_url)) as db:
        serials = [r[0] for r in db.execute("SELECT serial FROM tickets ORDER BY serial")]
        per_requester = dict(
            db.execute("SELECT requester, count(*) FROM tickets GROUP BY requester").fetchall()
        )
        created = db.execute(
            "SELECT ticket_id, count(*) FROM ticket_events WHERE kind = 'created' GROUP BY ticket_id"
        ).fetchall()
        incoming = db.execute("SELECT count(*) FROM messages WHERE direction = 'in'").fetchone()
        outbox = dict(db.execute("SELECT status, count(*) FROM outbox GROUP BY status").fetchall())
        dead = db.execute("SELECT count(*) FROM dead_letters").fetchone()
    assert serials == list(range(1, BURST + 1))  # no duplicate number, no gap
    assert per_requester == {_requester(n): 1 for n in range(BURST)}
    assert len(created) == BURST and {count for _, count in created} == {1}
    assert incoming == (BURST,) and dead == (0,)
    assert outbox == {"sent": BURST}
    acks = Counter(str(r["X-Envelope-To"]) for r in relay.received)
    assert acks == {_requester(n): 1 for n in range(BURST)}  # exactly one acknowledgement each
    assert len({str(r["Message-ID"]) for r in relay.received}) == BURST


def test_worker_only_on_sqlite_is_refused(tmp_path: Path, relay: Relay) -> None:
    config = write_config(tmp_path, free_port(), relay.port)
    done = run_cli(config, "serve", "--worker-only")
    assert done.returncode != 0
    assert done.stderr.count("\n") == 1 and "PostgreSQL" in done.stderr and "store.url" in done.stderr


def _libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _pending(url: str) -> tuple[int, int]:
    with psycopg.connect(_libpq(url)) as db:
        raw = db.execute("SELECT count(*) FROM raw_messages WHERE status = 'pending'").fetchone()
        out = db.execute("SELECT count(*) FROM outbox WHERE status = 'pending'").fetchone()
    assert raw is not None and out is not None
    return int(raw[0]), int(out[0])
