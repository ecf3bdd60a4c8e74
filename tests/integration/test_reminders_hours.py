"""The reminder schedule with the real first-level hours and a frozen clock (issue 7): reminders go
out only while support is open, at most `reminders.max`, then the ticket is closed as abandoned
with a message that says how to reopen it; a requester who writes starts the count again."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from test_reminders import LICENCE_ONLY, REQUEST, Desk, open_desk

MX = ZoneInfo("America/Mexico_City")


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[Desk]:
    opened = open_desk(tmp_path, hours={"always_open": False})
    opened.clock.at = datetime(2026, 12, 3, 10, 0, tzinfo=MX)  # Thursday 3 December 2026
    try:
        yield opened
    finally:
        opened.app.engine.dispose()


def templates(desk: Desk) -> list[str]:
    return [row.template or "" for row in desk.outbox()]


def test_reminders_wait_for_opening_hours_then_the_ticket_is_closed_as_abandoned(desk: Desk) -> None:
    desk.send(REQUEST)
    assert templates(desk) == ["acknowledgement"]
    assert desk.after(hours=24) == 1  # Friday 10:00: first reminder
    assert desk.after(hours=24) == 0  # Saturday 10:00: due, but support is closed
    assert desk.after(hours=24) == 0  # Sunday
    desk.clock.at = datetime(2026, 12, 7, 7, 59, tzinfo=MX)
    assert desk.after() == 0  # Monday before opening
    assert desk.after(minutes=1) == 1  # Monday 8:00: second reminder
    assert templates(desk) == ["acknowledgement", "missing_data", "missing_data"]
    assert desk.after(hours=23, minutes=59) == 0
    assert desk.after(minutes=1) == 1  # Tuesday 8:00: closed as abandoned
    ticket = desk.ticket()
    assert ticket.state == "closed"
    closure = desk.outbox()[-1]
    assert closure.template == "closure"
    text = " ".join(closure.body_text.split())
    assert "ha sido cerrada, ya que no recibimos los datos que le solicitamos" in text
    assert (
        "puede reabrirla respondiendo a este mensaje con los datos pendientes dentro de los próximos 30 días"
        in text
    )
    assert "Número de licencia del SAACG.NET" in text
    assert [e.kind for e in desk.events("abandoned")] == ["abandoned"]
    for _ in range(3):
        assert desk.after(hours=24) == 0


def test_no_closure_happens_out_of_hours(desk: Desk) -> None:
    desk.clock.at = datetime(2026, 12, 10, 15, 0, tzinfo=MX)  # Thursday
    desk.send(REQUEST)
    assert desk.after(hours=24) == 1  # Friday 15:00
    desk.clock.at = datetime(2026, 12, 14, 15, 0, tzinfo=MX)
    assert desk.after() == 1  # Monday 15:00: second reminder
    desk.clock.at = datetime(2026, 12, 15, 16, 30, tzinfo=MX)
    assert desk.after() == 0  # Tuesday after closing: the closure waits
    desk.clock.at = datetime(2026, 12, 16, 8, 0, tzinfo=MX)
    assert desk.after() == 1
    assert desk.ticket().state == "closed"


def test_a_requester_who_writes_starts_the_count_again(desk: Desk) -> None:
    first = desk.send(REQUEST)
    assert desk.after(hours=24) == 1  # Friday
    desk.clock.at = datetime(2026, 12, 7, 9, 0, tzinfo=MX)
    assert desk.after() == 1  # Monday: second reminder
    desk.clock.advance(hours=1)
    desk.send(LICENCE_ONLY, in_reply_to=first)  # part of the data; the bot asks for the rest
    assert desk.ticket().state == "awaiting_info"
    assert desk.after(hours=24) == 1  # Tuesday: a reminder again, not the closure
    assert desk.outbox()[-1].template == "missing_data"
