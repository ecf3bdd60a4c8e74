"""`ventanilla serve` reading a real Dovecot mailbox: a kill -9 while it catches up on a full mailbox
loses nothing and handles nothing twice (one ticket message and one acknowledgement per mail, every
mail \\Seen); the IMAP server stopping and coming back under a running `serve` leaves the SMTP intake
working and mail flows again; an unset password variable stops `serve` with one line."""

from __future__ import annotations

import sqlite3
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import parseaddr
from pathlib import Path

import pytest
from conftest import REQUEST, Relay, Serve, free_port, run_cli, send_mail, wait_until, write_config

sys.path.insert(0, str(Path(__file__).parent.parent))
from imap_server import PASSWORD, USER, Dovecot, running_dovecot

pytestmark = pytest.mark.dovecot
PASSWORD_ENV = "IMAP_TEST_PASSWORD"  # not VENTANILLA_*: the e2e helpers pass it to `serve`


@pytest.fixture
def dovecot() -> Iterator[Dovecot]:
    with running_dovecot() as server:
        yield server


def imap_config(tmp_path: Path, smtp_port: int, relay: Relay, dovecot: Dovecot) -> Path:
    return write_config(
        tmp_path,
        smtp_port,
        relay.port,
        "retry_initial_seconds = 0.2\nretry_max_seconds = 0.5\n\n"
        "[hours]\nalways_open = true\n\n"
        f'[imap]\nenabled = true\nhost = "127.0.0.1"\nport = {dovecot.port}\nssl = false\n'
        f'username = "{USER}"\npassword_env = "{PASSWORD_ENV}"\nreconnect_max_seconds = 2\n',
    )


def mail(number: int, to: str = "soporte@saacg.example") -> bytes:
    msg = EmailMessage(policy=SMTP)
    msg["From"] = f"Usuario {number} <{requester(number)}>"
    msg["To"] = to
    msg["Subject"] = f"Error al generar la balanza {number}"
    msg["Message-ID"] = f"<imap-e2e-{number}@zapopan.gob.mx>"
    msg.set_content(REQUEST)
    return msg.as_bytes()


def requester(number: int) -> str:
    return f"usuario{number}@zapopan.gob.mx"


def addressee(reply: EmailMessage) -> str:
    return parseaddr(str(reply["To"]))[1]


def _count(database: Path, sql: str) -> int:
    if not database.exists():
        return 0
    try:
        with sqlite3.connect(database, timeout=10) as db:
            value = int(db.execute(sql).fetchone()[0])
        db.close()
    except sqlite3.OperationalError:  # tables not created yet
        return 0
    return value


def test_kill_9_while_catching_up_loses_nothing_and_handles_nothing_twice(
    tmp_path: Path,
    relay: Relay,
    dovecot: Dovecot,
    start_serve: Callable[[Path, int], Serve],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    count = 50
    for number in range(count):
        dovecot.append(mail(number))  # arrived while serve was not running
    port = free_port()
    config = imap_config(tmp_path, port, relay, dovecot)
    database = tmp_path / "data" / "ventanilla.db"
    relay.handler.refuse = True  # no reply leaves before the kill: each one is counted after it
    serve = start_serve(config, port)
    wait_until(lambda: _count(database, "SELECT count(*) FROM raw_messages") >= 1, "the first batch")
    serve.kill()  # the catch-up, the worker and the outbox are all in the middle of their work

    relay.handler.refuse = False
    restarted = start_serve(config, port)
    wait_until(lambda: len(relay.received) >= count, f"{count} acknowledgements", deadline=90)
    wait_until(lambda: dovecot.seen() == (count, count), "every mail flagged \\Seen")
    assert restarted.stop() == 0

    replies = Counter(addressee(reply) for reply in relay.received)
    assert replies == Counter({requester(n): 1 for n in range(count)})
    ids = "SELECT count(DISTINCT source_id) FROM messages WHERE direction = 'in'"
    assert _count(database, "SELECT count(*) FROM messages WHERE direction = 'in'") == count
    assert _count(database, ids) == count
    assert _count(database, "SELECT count(*) FROM raw_messages") == count
    assert _count(database, "SELECT count(*) FROM dead_letters") == 0


def test_the_imap_server_going_away_under_serve_leaves_smtp_working_and_mail_flows_again(
    tmp_path: Path,
    relay: Relay,
    dovecot: Dovecot,
    start_serve: Callable[[Path, int], Serve],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    port = free_port()
    serve = start_serve(imap_config(tmp_path, port, relay, dovecot), port)
    dovecot.append(mail(1, to="ventas@saacg.example"))  # IMAP takes it whatever its To
    relay.wait_for(1)

    dovecot.stop()
    code, _ = send_mail(port, mail(2), requester(2))
    assert code == 250
    relay.wait_for(2)
    wait_until(lambda: serve.log_text().count("reconnecting in") >= 2, "a reconnection attempt to fail")

    dovecot.start()
    dovecot.append(mail(3))
    replies = relay.wait_for(3)
    assert sorted(addressee(r) for r in replies) == [requester(n) for n in (1, 2, 3)]
    assert serve.stop() == 0
    assert "Traceback" not in serve.log_text()


def test_an_unset_password_variable_stops_serve_with_one_line(
    tmp_path: Path, relay: Relay, dovecot: Dovecot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(PASSWORD_ENV, raising=False)
    result = run_cli(imap_config(tmp_path, free_port(), relay, dovecot), "serve")
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if "error" in line]
    assert lines == [
        f"ventanilla: error: config key 'imap.password_env': environment variable {PASSWORD_ENV} is not set"
    ]
