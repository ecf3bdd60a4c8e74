"""The IMAP listener against a real Dovecot, with the real worker behind it: a message appended while
it runs (IDLE) or while it was stopped (catch-up) becomes one ticket and is flagged \\Seen after it
was stored; several folders; polling; a processed folder; a UIDVALIDITY reset and a mail that also
came by SMTP give no duplicate; an unparseable mail is a dead letter and still marked handled; the
server going away and a refused login are survived."""

from __future__ import annotations

import asyncio
import logging
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

sys.path.insert(0, str(Path(__file__).parent.parent))
from imap_server import PASSWORD, USER, Dovecot, running_dovecot
from worker_desk import Desk, email, message_id_of

from ventanilla.bot.channels import Intake
from ventanilla.bot.errors import ConfigError
from ventanilla.intake.imap import ImapListener
from ventanilla.store.imap_state import FetchedMessage, FolderPosition, load_position, store_fetched
from ventanilla.store.raw_batcher import RawBatcher
from ventanilla.store.schema import Message, RawMessage

pytestmark = pytest.mark.dovecot
PASSWORD_ENV = "IMAP_TEST_PASSWORD"
DEADLINE = 20.0


@pytest.fixture
def dovecot() -> Iterator[Dovecot]:
    with running_dovecot() as server:
        yield server


def open_desk(tmp_path: Path, dovecot: Dovecot, **imap: Any) -> Desk:
    settings = {
        "enabled": True,
        "host": "127.0.0.1",
        "port": dovecot.port,
        "ssl": False,
        "username": USER,
        "password_env": PASSWORD_ENV,
        "poll_seconds": 1,
        "reconnect_max_seconds": 2,
    } | imap
    return Desk.open(f"sqlite:///{tmp_path / 'desk.db'}", tmp_path / "data", imap=settings)


@pytest.fixture
def desk_for(
    tmp_path: Path, dovecot: Dovecot, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[..., Desk]]:
    monkeypatch.setenv(PASSWORD_ENV, PASSWORD)
    opened: list[Desk] = []

    def make(**imap: Any) -> Desk:
        opened.append(open_desk(tmp_path, dovecot, **imap))
        return opened[-1]

    yield make
    for desk in opened:
        desk.close()


def wait_until(condition: Callable[[], Any], what: str) -> Any:
    end = time.monotonic() + DEADLINE
    while not (value := condition()):
        if time.monotonic() > end:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)
    return value


@contextmanager
def listening(desk: Desk, caplog: pytest.LogCaptureFixture, *, waiting: int = 1) -> Iterator[ImapListener]:
    """The listener running as `serve` runs it (its own event loop here), until the block ends;
    entered once `waiting` folders are connected and waiting for news."""
    caplog.set_level(logging.DEBUG, logger="ventanilla.intake.imap")
    already = _waiting(caplog)
    listener = ImapListener(
        Intake(desk.app, RawBatcher(desk.app.sessions, desk.app.box, desk.app.gate), _wake)
    )
    started = threading.Event()
    handles: dict[str, Any] = {}

    async def main() -> None:
        handles["loop"], handles["stop"] = asyncio.get_running_loop(), asyncio.Event()
        started.set()
        await listener.run(handles["stop"])

    thread = threading.Thread(target=asyncio.run, args=(main(),), daemon=True)
    thread.start()
    started.wait(5)
    try:
        wait_until(lambda: _waiting(caplog) >= already + waiting, "the listener to wait for news")
        yield listener
    finally:
        handles["loop"].call_soon_threadsafe(handles["stop"].set)
        thread.join(10)
        assert not thread.is_alive(), "the listener did not stop within 10 s"


def _wake(_raw_id: int) -> None:
    pass


def _waiting(caplog: pytest.LogCaptureFixture) -> int:
    return sum("waiting for news" in r.getMessage() for r in caplog.records)


def raw_count(desk: Desk) -> int:
    with desk.app.sessions() as session:
        return int(session.scalar(select(func.count()).select_from(RawMessage)) or 0)


def incoming(desk: Desk) -> list[str]:
    """Message-IDs of the incoming messages recorded on tickets, in order."""
    with desk.app.sessions() as session:
        return list(
            session.scalars(select(Message.source_id).where(Message.direction == "in").order_by(Message.id))
        )


def request(number: int, **kwargs: Any) -> bytes:
    return email(
        sender=f"usuario{number}@zapopan.gob.mx", message_id=f"imap-{number}@zapopan.gob.mx", **kwargs
    )


def test_mail_appended_while_listening_becomes_one_ticket_each_and_is_flagged_seen(
    dovecot: Dovecot, desk_for: Callable[..., Desk], caplog: pytest.LogCaptureFixture
) -> None:
    desk = desk_for(folders=["Soporte"])
    dovecot.append(request(0), "Soporte")  # the folder exists before the listener starts
    with listening(desk, caplog, waiting=2):
        assert wait_until(lambda: raw_count(desk) == 1, "the waiting message")
        for number in (1, 2):
            dovecot.append(request(number))
        dovecot.append(request(3), "Soporte")
        wait_until(lambda: raw_count(desk) == 4, "the three new messages (IDLE)")
        wait_until(lambda: dovecot.seen() == (2, 2) and dovecot.seen("Soporte") == (2, 2), "\\Seen flags")
    desk.worker.process_pending()
    assert sorted(incoming(desk)) == [f"imap-{n}@zapopan.gob.mx" for n in range(4)]
    assert len(desk.tickets()) == 4
    assert "waiting for news (IDLE)" in caplog.text


def test_mail_that_arrived_while_stopped_is_caught_up_and_read_mail_before_the_first_start_is_not(
    dovecot: Dovecot, desk_for: Callable[..., Desk], caplog: pytest.LogCaptureFixture
) -> None:
    desk = desk_for()
    dovecot.append(request(0), flags=(b"\\Seen",))  # read by people before ventanilla ran
    dovecot.append(request(1))
    with listening(desk, caplog):
        wait_until(lambda: raw_count(desk) == 1, "the unread message")
    for number in (2, 3, 4):
        dovecot.append(request(number), flags=(b"\\Seen",) if number == 3 else ())  # read meanwhile
    with listening(desk, caplog):
        wait_until(lambda: raw_count(desk) == 4, "the messages that arrived while stopped")
    desk.worker.process_pending()
    assert incoming(desk) == [f"imap-{n}@zapopan.gob.mx" for n in (1, 2, 3, 4)]
    assert dovecot.seen() == (5, 5)


@pytest.mark.parametrize("mode", ["ssl", "starttls"])
def test_tls_connections_implicit_or_starttls(
    dovecot: Dovecot,
    desk_for: Callable[..., Desk],
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
    mode: str,
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(dovecot.certificate))  # trust the test server's certificate
    implicit = {"ssl": True, "port": dovecot.tls_port}
    desk = desk_for(**implicit) if mode == "ssl" else desk_for(ssl=False, starttls=True)
    with listening(desk, caplog):
        dovecot.append(request(1))
        wait_until(lambda: raw_count(desk) == 1, f"the message over {mode}")
    assert "clear text" not in caplog.text


def test_an_untrusted_certificate_is_refused_and_retried(
    dovecot: Dovecot, desk_for: Callable[..., Desk], caplog: pytest.LogCaptureFixture
) -> None:
    desk = desk_for(ssl=True, port=dovecot.tls_port)
    with listening(desk, caplog, waiting=0):
        wait_until(lambda: "CERTIFICATE_VERIFY_FAILED" in caplog.text, "the certificate to be refused")
    assert raw_count(desk) == 0


def test_polling_when_idle_is_off(
    dovecot: Dovecot, desk_for: Callable[..., Desk], caplog: pytest.LogCaptureFixture
) -> None:
    desk = desk_for(idle=False, poll_seconds=1)
    with listening(desk, caplog):
        dovecot.append(request(1))
        wait_until(lambda: raw_count(desk) == 1, "the message (polling)")
    assert "waiting for news (polling)" in caplog.text


def test_processed_mail_is_moved_to_the_processed_folder(
    dovecot: Dovecot, desk_for: Callable[..., Desk], caplog: pytest.LogCaptureFixture
) -> None:
    desk = desk_for(processed_folder="Procesados")
    dovecot.append(request(1))
    with listening(desk, caplog):
        dovecot.append(request(2))
        wait_until(lambda: raw_count(desk) == 2 and dovecot.seen() == (0, 0), "both moved")
    assert dovecot.seen("Procesados") == (0, 2)  # moved as they were, unread for people


def test_uidvalidity_reset_reads_the_folder_again_without_duplicates(
    dovecot: Dovecot, desk_for: Callable[..., Desk], caplog: pytest.LogCaptureFixture
) -> None:
    desk = desk_for(folder="Soporte")
    for number in (1, 2):
        dovecot.append(request(number), "Soporte")
    with listening(desk, caplog):
        wait_until(lambda: raw_count(desk) == 2, "the first two messages")
    desk.worker.process_pending()
    before = load_position(desk.app.sessions, "Soporte")
    with dovecot.client() as client:  # the folder is rebuilt: same mail, new UIDVALIDITY
        client.delete_folder("Soporte")
    for number in (1, 2, 3):
        dovecot.append(request(number), "Soporte")
    with listening(desk, caplog):
        wait_until(lambda: dovecot.seen("Soporte") == (3, 3), "the rebuilt folder to be handled")
    desk.worker.process_pending()
    after = load_position(desk.app.sessions, "Soporte")
    assert before is not None and after is not None and after.uidvalidity != before.uidvalidity
    assert incoming(desk) == [f"imap-{n}@zapopan.gob.mx" for n in (1, 2, 3)]
    assert raw_count(desk) == 3  # the two known messages were not even fetched again
    assert "UIDVALIDITY changed" in caplog.text


def test_the_same_mail_by_smtp_and_imap_is_one_ticket_event(
    dovecot: Dovecot, desk_for: Callable[..., Desk], caplog: pytest.LogCaptureFixture
) -> None:
    desk = desk_for()
    mail = request(1)
    desk.deliver(mail)  # came by SMTP first
    dovecot.append(mail)
    dovecot.append(mail)  # and was copied twice into the mailbox
    with listening(desk, caplog):
        wait_until(lambda: raw_count(desk) == 3, "both copies")
    desk.worker.process_pending()
    assert incoming(desk) == [message_id_of(mail)]
    with desk.app.sessions() as session:
        assert session.scalar(select(Message.duplicate_count)) == 2
    assert len(desk.outbox()) == 1  # one acknowledgement
    assert desk.dead_letters() == []


def test_an_unparseable_mail_becomes_a_dead_letter_and_is_still_marked_handled(
    dovecot: Dovecot, desk_for: Callable[..., Desk], caplog: pytest.LogCaptureFixture
) -> None:
    desk = desk_for()
    dovecot.append(b"Subject: sin remitente\r\nMessage-ID: <roto@x>\r\n\r\nhola\r\n")
    with listening(desk, caplog):
        wait_until(lambda: dovecot.seen() == (1, 1), "the message to be flagged \\Seen")
    desk.worker.process_pending()
    letters = desk.dead_letters()
    assert [(d["source"], d["reason"]) for d in letters] == [
        ("imap", "malformed message: no sender address (From)")
    ]
    assert desk.tickets() == []


def test_a_batch_stored_but_not_acknowledged_before_a_crash_is_acknowledged_not_stored_again(
    dovecot: Dovecot, desk_for: Callable[..., Desk], caplog: pytest.LogCaptureFixture
) -> None:
    desk = desk_for()
    for number in (1, 2):
        dovecot.append(request(number))
    with dovecot.client() as client:
        uidvalidity = int(client.select_folder("INBOX")[b"UIDVALIDITY"])
    # what a kill -9 between the commit and the \Seen leaves: both stored, none flagged
    app = desk.app
    stored = store_fetched(
        app.sessions,
        app.box,
        app.gate,
        folder="INBOX",
        position=FolderPosition(uidvalidity, 2, 0),
        messages=[FetchedMessage(1, request(1)), FetchedMessage(2, request(2))],
        received_at=desk.clock.now(),
    )
    assert len(stored) == 2 and dovecot.seen() == (0, 2)
    with listening(desk, caplog):
        dovecot.append(request(3))
        wait_until(lambda: dovecot.seen() == (3, 3), "every message flagged \\Seen")
    assert raw_count(desk) == 3
    assert "acknowledging 2 message(s) stored before an interruption" in caplog.text


def test_the_server_going_away_is_survived_and_mail_flows_again_after_it_returns(
    dovecot: Dovecot, desk_for: Callable[..., Desk], caplog: pytest.LogCaptureFixture
) -> None:
    desk = desk_for()
    with listening(desk, caplog):
        dovecot.stop()
        wait_until(lambda: "reconnecting in" in caplog.text, "the listener to notice")
        dovecot.start()
        wait_until(lambda: _waiting(caplog) >= 2, "the listener to reconnect")
        dovecot.append(request(1))
        wait_until(lambda: raw_count(desk) == 1, "the message after the server came back")
    assert "Traceback" not in caplog.text


def test_a_refused_login_is_one_clear_log_line_and_is_retried_slowly(
    dovecot: Dovecot,
    desk_for: Callable[..., Desk],
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    desk = desk_for()
    monkeypatch.setenv(PASSWORD_ENV, "otra-clave")
    with listening(desk, caplog, waiting=0):
        wait_until(lambda: "login refused" in caplog.text, "the login to be refused")
        time.sleep(1.5)  # a retry would come within the reconnection back-off (max 2 s here)
    assert _waiting(caplog) == 0
    refused = [r for r in caplog.records if "login refused" in r.getMessage()]
    assert len(refused) == 1 and refused[0].levelno == logging.ERROR
    assert "imap.username" in refused[0].getMessage() and PASSWORD_ENV in refused[0].getMessage()
    assert "retrying in 60 s" in refused[0].getMessage()
    assert refused[0].exc_info is None


def test_an_unset_password_variable_is_a_config_error_naming_the_key(
    desk_for: Callable[..., Desk], monkeypatch: pytest.MonkeyPatch
) -> None:
    desk = desk_for()
    monkeypatch.delenv(PASSWORD_ENV)
    with pytest.raises(ConfigError, match=r"imap\.password_env"):
        ImapListener(Intake(desk.app, RawBatcher(desk.app.sessions, desk.app.box, desk.app.gate), _wake))
