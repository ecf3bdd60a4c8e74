"""What the outbox does with the relay's answers: a temporary refusal is retried with back-off, a
permanent refusal of the recipient (5xx) marks the reply failed and never loops, and a 5xx that
speaks of the relay or of our settings (greeting, MAIL FROM) is retried, never failed for good."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from worker_desk import Desk, desk_with_relay, email, sender_for

from ventanilla.store.outbox import FAILED, PENDING


class RefusingRelay:
    """Answers RCPT (or, for a "MAIL " reply, MAIL FROM) with a fixed reply."""

    def __init__(self, reply: str) -> None:
        self.on_mail = reply.startswith("MAIL ")
        self.reply = reply.removeprefix("MAIL ")
        self.mails = 0
        self.rcpts = 0

    async def handle_MAIL(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        self.mails += 1
        if self.on_mail:
            return self.reply
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        self.rcpts += 1
        return self.reply


@pytest.fixture
def relay_desk(
    request: pytest.FixtureRequest, sqlite_url: str, tmp_path: Path
) -> Iterator[tuple[Desk, RefusingRelay]]:
    relay = RefusingRelay(request.param)
    with desk_with_relay(relay, sqlite_url, tmp_path / "data") as desk:
        yield desk, relay


@pytest.mark.parametrize("relay_desk", ["550 5.1.1 No such user"], indirect=True)
async def test_a_permanent_refusal_marks_the_reply_failed_once(
    relay_desk: tuple[Desk, RefusingRelay],
) -> None:
    desk, relay = relay_desk
    desk.deliver(email())
    sender = sender_for(desk)
    assert await sender.send_due() == 0
    (row,) = desk.outbox()
    assert row.status == FAILED and "550" in (row.last_error or "")
    desk.clock.advance(hours=1)
    assert await sender.send_due() == 0
    assert relay.rcpts == 1  # never tried again


@pytest.mark.parametrize("relay_desk", ["451 4.3.0 Try later"], indirect=True)
async def test_a_temporary_refusal_is_retried_after_a_back_off(
    relay_desk: tuple[Desk, RefusingRelay],
) -> None:
    desk, relay = relay_desk
    desk.deliver(email())
    sender = sender_for(desk)
    assert await sender.send_due() == 0
    (row,) = desk.outbox()
    assert row.status == PENDING and row.attempts == 1
    assert await sender.send_due() == 0 and relay.rcpts == 1  # not due yet
    desk.clock.advance(seconds=desk.app.settings.outbound.retry_initial_seconds + 1)
    assert await sender.send_due() == 0
    assert relay.rcpts == 2


@pytest.mark.parametrize("relay_desk", ["MAIL 553 5.7.1 Sender address rejected"], indirect=True)
async def test_a_relay_refusing_our_sender_address_is_retried_not_failed(
    relay_desk: tuple[Desk, RefusingRelay],
) -> None:
    desk, relay = relay_desk
    desk.deliver(email())
    sender = sender_for(desk)
    assert await sender.send_due() == 0
    (row,) = desk.outbox()
    assert row.status == PENDING and row.attempts == 1 and "553" in (row.last_error or "")
    assert row.next_attempt_at > desk.clock.now()  # a retry is scheduled
    desk.clock.advance(seconds=desk.app.settings.outbound.retry_initial_seconds + 1)
    assert await sender.send_due() == 0
    assert relay.mails == 2 and relay.rcpts == 0
    (row,) = desk.outbox()
    assert row.status == PENDING and row.attempts == 2


@pytest.fixture
def refusing_greeting() -> Iterator[int]:
    """A relay that greets every connection with 554 and hangs up; its port."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.2)
    done = threading.Event()

    def serve() -> None:
        while not done.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            with conn:
                conn.sendall(b"554 5.3.2 No SMTP service here\r\n")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield int(server.getsockname()[1])
    finally:
        done.set()
        thread.join()
        server.close()


async def test_a_relay_refusing_the_connection_with_5xx_is_retried_not_failed(
    refusing_greeting: int, sqlite_url: str, tmp_path: Path
) -> None:
    desk = Desk.open(sqlite_url, tmp_path / "data", outbound={"port": refusing_greeting})
    try:
        desk.deliver(email())
        assert await sender_for(desk).send_due() == 0
        (row,) = desk.outbox()
        assert row.status == PENDING and row.attempts == 1 and "554" in (row.last_error or "")
    finally:
        desk.close()
