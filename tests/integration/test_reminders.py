"""Reminders (PRODUCT.md section 5): a requester who has not sent the missing data is reminded every
`reminders.interval_hours` after the bot's last message, at most `reminders.max` times, never once
the ticket has its data, and never beyond the per-recipient limit of automatic replies."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from ventanilla.bot.app import App
from ventanilla.bot.clock import FrozenClock
from ventanilla.bot.settings import settings_from_dict
from ventanilla.bot.steps import STEPS
from ventanilla.bot.worker import Worker
from ventanilla.store.db import upgrade
from ventanilla.store.intake import store_raw
from ventanilla.store.schema import OutboxRow, Ticket, TicketEvent

SUPPORT = "soporte@saacg.example"
REQUESTER = "juan.perez@zapopan.gob.mx"
REQUEST = (
    "Buenos días, al generar la balanza de comprobación en el módulo de Contabilidad me aparece "
    'el error "referencia a objeto no establecida". Tenemos instalada la versión 2026.\n\n'
    "Saludos cordiales\n\nJuan Pérez López\nTesorero Municipal\nH. Ayuntamiento de Zapopan\n"
    "Zapopan, Jalisco\nTel. 33 1234 5678\n"
)
LICENCE_ONLY = "Buen día, mi número de licencia: SAACG-JAL-0457\n\nSaludos\nJuan Pérez López"
ALL_DATA = (
    "Buen día, le envío los datos:\n\nNúmero de licencia: SAACG-JAL-0457\n"
    "ID de TeamViewer: 1 234 567 890\nContraseña de TeamViewer: 8jk2m4\n\nSaludos\nJuan Pérez López"
)
REMINDED = "Le recordamos amablemente"
_ids = itertools.count(1)


@dataclass
class Desk:
    app: App
    clock: FrozenClock
    worker: Worker

    def send(self, body: str, *, sender: str = REQUESTER, in_reply_to: str | None = None) -> str:
        message_id = f"r-{next(_ids)}@zapopan.gob.mx"
        msg = EmailMessage(policy=SMTP)
        msg["From"], msg["To"], msg["Message-ID"] = sender, SUPPORT, f"<{message_id}>"
        msg["Subject"] = "RE: Error en la balanza" if in_reply_to else "Error en la balanza"
        if in_reply_to:
            msg["In-Reply-To"] = f"<{in_reply_to}>"
        msg.set_content(body)
        store_raw(
            self.app.sessions,
            self.app.box,
            source="smtp",
            source_id=None,
            data=msg.as_bytes(),
            envelope={"mail_from": sender, "rcpt_tos": [SUPPORT], "peer": "127.0.0.1"},
            received_at=self.clock.now(),
        )
        self.worker.process_pending()
        return message_id

    def after(self, **delta: float) -> int:
        """Move time on and run the worker's periodic sweep; returns the reminders queued."""
        self.clock.advance(**delta)
        return self.worker.sweep(force=True)

    def ticket(self, requester: str = REQUESTER) -> Ticket:
        with self.app.sessions() as session:
            return session.scalars(select(Ticket).where(Ticket.requester == requester)).one()

    def outbox(self, requester: str = REQUESTER) -> list[OutboxRow]:
        with self.app.sessions() as session:
            query = select(OutboxRow).where(OutboxRow.recipient == requester).order_by(OutboxRow.id)
            return list(session.scalars(query))

    def reminders(self, requester: str = REQUESTER) -> list[OutboxRow]:
        return [r for r in self.outbox(requester) if REMINDED in r.body_text]

    def events(self, kind: str) -> list[TicketEvent]:
        with self.app.sessions() as session:
            return list(session.scalars(select(TicketEvent).where(TicketEvent.kind == kind)))


def open_desk(folder: Path, **overrides: dict[str, Any]) -> Desk:
    config: dict[str, Any] = {
        "service": {"data_dir": str(folder)},
        "hours": {"always_open": True},
        "security": {"key_env": "VENTANILLA_REMINDER_TEST_KEY_UNSET"},
    }
    for section, values in overrides.items():
        config[section] = config.get(section, {}) | values
    clock = FrozenClock()
    app = App(settings_from_dict(config), clock=clock)
    upgrade(app.engine)
    return Desk(app, clock, Worker(app.sessions, app.context, STEPS, clock=clock))


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[Desk]:
    opened = open_desk(tmp_path)
    try:
        yield opened
    finally:
        opened.app.engine.dispose()


def test_two_reminders_one_interval_apart_then_closed_as_abandoned(desk: Desk) -> None:
    first = desk.send(REQUEST)
    ticket = desk.ticket()
    assert ticket.state == "awaiting_info"
    assert [r.template for r in desk.outbox()] == ["acknowledgement"]
    assert desk.after(hours=23, minutes=59) == 0
    assert desk.after(minutes=1) == 1
    [reminder] = desk.reminders()
    assert reminder.template == "missing_data"
    assert reminder.recipient == REQUESTER
    assert ticket.number in reminder.subject and ticket.number in reminder.body_text
    assert "Número de licencia" in reminder.body_text and "ID de TeamViewer" in reminder.body_text
    assert "8jk2m4" not in reminder.body_text
    assert reminder.headers["In-Reply-To"] == f"<{first}>"
    assert desk.after(hours=23) == 0
    assert desk.after(hours=1) == 1
    assert len(desk.reminders()) == 2
    assert desk.after(hours=23) == 0
    assert desk.after(hours=1) == 1  # one interval after the last reminder: closed, never a third
    for _ in range(4):
        assert desk.after(hours=24) == 0
    ticket = desk.ticket()
    assert (ticket.state, ticket.reminders_sent) == ("closed", 2)
    assert [e.data["number"] for e in desk.events("reminder")] == [1, 2]
    closure = desk.outbox()[-1]
    assert closure.template == "closure" and len(desk.reminders()) == 2
    assert "no recibimos los datos" in closure.body_text
    assert "puede reabrirla respondiendo a este mensaje" in closure.body_text


def test_no_reminder_once_the_data_has_arrived(desk: Desk) -> None:
    first = desk.send(REQUEST)
    desk.clock.advance(hours=2)
    desk.send(ALL_DATA, in_reply_to=first)
    assert desk.ticket().state == "queued"
    for _ in range(4):
        assert desk.after(hours=24) == 0
    assert desk.reminders() == []


def test_a_reminder_asks_only_for_what_is_still_missing(desk: Desk) -> None:
    first = desk.send(REQUEST)
    desk.clock.advance(hours=1)
    desk.send(LICENCE_ONLY, in_reply_to=first)
    assert desk.ticket().missing == ["teamviewer_id", "teamviewer_password"]
    assert desk.after(hours=24) == 1
    [reminder] = desk.reminders()
    assert "ID de TeamViewer" in reminder.body_text
    assert "Número de licencia" not in reminder.body_text


def test_the_interval_counts_from_the_bots_last_message(desk: Desk) -> None:
    first = desk.send(REQUEST)
    desk.clock.advance(hours=23)
    desk.send(LICENCE_ONLY, in_reply_to=first)  # the bot answers at once, asking for the rest
    assert [r.template for r in desk.outbox()] == ["acknowledgement", "missing_data"]
    assert desk.after(hours=1) == 0  # only one hour after the bot asked
    assert desk.after(hours=22, minutes=59) == 0
    assert desk.after(minutes=1) == 1


def test_no_reminders_when_max_is_0(tmp_path: Path) -> None:
    desk = open_desk(tmp_path, reminders={"max": 0})
    try:
        desk.send(REQUEST)
        for _ in range(3):
            assert desk.after(hours=24) == 0
        assert desk.reminders() == []
    finally:
        desk.app.engine.dispose()


def test_reminders_respect_the_per_recipient_rate_limit(tmp_path: Path) -> None:
    desk = open_desk(
        tmp_path,
        reminders={"interval_hours": 1},
        outbound={"max_auto_replies_per_recipient": 1, "auto_reply_window_minutes": 180},
    )
    try:
        desk.send(REQUEST)  # the acknowledgement uses the only automatic reply of the window
        assert desk.after(hours=1) == 0
        assert desk.after(hours=2) == 0  # the acknowledgement is 180 minutes old: still counted
        assert desk.reminders() == []
        assert desk.after(minutes=1) == 1  # it has left the window
        assert desk.after(hours=1) == 0  # the first reminder fills the window again
        assert len(desk.reminders()) == 1
        assert desk.after(hours=2, minutes=1) == 1
        assert len(desk.reminders()) == 2
    finally:
        desk.app.engine.dispose()


def test_each_requester_is_reminded_on_their_own_ticket(desk: Desk) -> None:
    desk.send(REQUEST)
    other = "contadora@tonala.gob.mx"
    desk.clock.advance(hours=12)
    desk.send(REQUEST.replace("Zapopan", "Tonalá"), sender=other)
    assert desk.after(hours=12) == 1
    assert len(desk.reminders()) == 1 and desk.reminders(other) == []
    assert desk.after(hours=12) == 1
    assert len(desk.reminders(other)) == 1


def test_the_worker_sweeps_at_most_every_sweep_seconds(desk: Desk) -> None:
    desk.send(REQUEST)
    desk.clock.advance(hours=24, seconds=-30)
    assert desk.worker.sweep() == 0  # nothing due yet
    desk.clock.advance(seconds=30)
    assert desk.worker.sweep() == 0  # due, but the last sweep was 30 s ago (sweep_seconds = 60)
    desk.clock.advance(seconds=30)
    assert desk.worker.sweep() == 1
