"""What the outbox does with the relay's answers: a temporary refusal is retried with back-off, a
permanent one (5xx) marks the reply failed and never loops."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from worker_desk import Desk, email

from ventanilla.bot.outbox_sender import OutboxSender
from ventanilla.bot.smtp_transport import SmtpTransport
from ventanilla.store.outbox import FAILED, PENDING


class RefusingRelay:
    """Answers RCPT with a fixed reply."""

    def __init__(self, reply: str) -> None:
        self.reply = reply
        self.rcpts = 0

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        self.rcpts += 1
        return self.reply


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def relay_desk(
    request: pytest.FixtureRequest, sqlite_url: str, tmp_path: Path
) -> Iterator[tuple[Desk, RefusingRelay]]:
    relay = RefusingRelay(request.param)
    controller = Controller(relay, hostname="127.0.0.1", port=_free_port())
    controller.start()
    desk = Desk.open(sqlite_url, tmp_path / "data", outbound={"port": controller.port})
    try:
        yield desk, relay
    finally:
        desk.close()
        controller.stop()


def _sender(desk: Desk) -> OutboxSender:
    settings = desk.app.settings.outbound
    return OutboxSender(
        desk.app.sessions, {"email": SmtpTransport(settings, None, desk.clock)}, settings, desk.clock
    )


@pytest.mark.parametrize("relay_desk", ["550 5.1.1 No such user"], indirect=True)
async def test_a_permanent_refusal_marks_the_reply_failed_once(
    relay_desk: tuple[Desk, RefusingRelay],
) -> None:
    desk, relay = relay_desk
    desk.deliver(email())
    sender = _sender(desk)
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
    sender = _sender(desk)
    assert await sender.send_due() == 0
    (row,) = desk.outbox()
    assert row.status == PENDING and row.attempts == 1
    assert await sender.send_due() == 0 and relay.rcpts == 1  # not due yet
    desk.clock.advance(seconds=desk.app.settings.outbound.retry_initial_seconds + 1)
    assert await sender.send_due() == 0
    assert relay.rcpts == 2
