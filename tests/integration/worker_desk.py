"""Test helper for the worker tests: a desk (App with a frozen clock, real store, real pipeline) that
takes raw emails as the SMTP intake stores them and runs the worker on them, plus email builders."""

from __future__ import annotations

import itertools
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ventanilla.bot.app import App
from ventanilla.bot.clock import FrozenClock
from ventanilla.bot.outbox_sender import OutboxSender
from ventanilla.bot.settings import settings_from_dict
from ventanilla.bot.smtp_transport import SmtpTransport
from ventanilla.bot.steps import STEPS
from ventanilla.bot.worker import Worker
from ventanilla.store import tickets as ticket_store
from ventanilla.store.db import upgrade
from ventanilla.store.dead_letters import list_dead_letters
from ventanilla.store.intake import store_raw
from ventanilla.store.schema import Message, OutboxRow, RawMessage, Ticket, TicketEvent

SUPPORT = "soporte@saacg.example"
REQUESTER = "juan.perez@zapopan.gob.mx"
_ids = itertools.count(1)

SIGNATURE = """
Saludos cordiales

Juan Pérez López
Tesorero Municipal
H. Ayuntamiento de Zapopan
Zapopan, Jalisco
Tel. 33 1234 5678
"""
# Technical; gives module, version, description and the whole signature: misses the licence and
# the TeamViewer ID and password.
TECHNICAL = (
    "Buenos días, al generar la balanza de comprobación en el módulo de Contabilidad me aparece "
    'el error "referencia a objeto no establecida". Tenemos instalada la versión 2026.\n' + SIGNATURE
)
DATA_REPLY = (
    "Buen día, le envío los datos que me solicitan:\n\n"
    "Número de licencia: SAACG-JAL-0457\n"
    "ID de TeamViewer: 1 234 567 890\n"
    "Contraseña de TeamViewer: 8jk2m4\n\nSaludos\nJuan Pérez"
)
PASSWORD = "8jk2m4"
THANKS = "Muchas gracias por la atención.\n\nSaludos"


def email(
    body: str = TECHNICAL,
    *,
    sender: str = REQUESTER,
    subject: str = "Error al generar la balanza de comprobación",
    message_id: str | None = None,
    in_reply_to: str | None = None,
    references: list[str] | None = None,
    cc: list[str] | None = None,
    reply_to: str | None = None,
    headers: dict[str, str] | None = None,
) -> bytes:
    """The bytes of a plain-text email to the support address, as a mail client sends it."""
    msg = EmailMessage(policy=SMTP)
    msg["From"] = sender
    msg["To"] = SUPPORT
    if cc:
        msg["Cc"] = ", ".join(cc)
    if reply_to:
        msg["Reply-To"] = reply_to
    msg["Subject"] = subject
    msg["Date"] = "Wed, 04 Mar 2026 10:00:00 -0600"
    msg["Message-ID"] = f"<{message_id or new_message_id()}>"
    if in_reply_to:
        msg["In-Reply-To"] = f"<{in_reply_to}>"
    if references:
        msg["References"] = " ".join(f"<{r}>" for r in references)
    for name, value in (headers or {}).items():
        msg[name] = value
    msg.set_content(body)
    return msg.as_bytes()


def new_message_id() -> str:
    return f"test-{next(_ids)}@zapopan.gob.mx"


def message_id_of(raw: bytes) -> str:
    for line in raw.split(b"\r\n"):
        if line.lower().startswith(b"message-id:"):
            return line.split(b":", 1)[1].strip().strip(b"<>").decode()
    raise AssertionError("no Message-ID")


@dataclass
class Desk:
    """The worker with its real pipeline on a real store, time frozen (in business hours)."""

    app: App
    clock: FrozenClock
    worker: Worker

    @classmethod
    def open(cls, store_url: str, data_dir: Path, **overrides: dict[str, Any]) -> Desk:
        config: dict[str, Any] = {
            "service": {"data_dir": str(data_dir)},
            "store": {"url": store_url},
            "hours": {"always_open": True},
        }
        for section, values in overrides.items():
            config[section] = config.get(section, {}) | values
        clock = FrozenClock()
        app = App(settings_from_dict(config), clock=clock)
        upgrade(app.engine)
        return cls(app, clock, Worker(app.sessions, app.context, STEPS))

    def close(self) -> None:
        self.app.engine.dispose()

    def deliver(self, raw: bytes, *, mail_from: str | None = REQUESTER) -> int:
        """Store `raw` as the SMTP intake does before its 250, then let the worker handle it."""
        raw_id = store_raw(
            self.app.sessions,
            self.app.box,
            source="smtp",
            source_id=None,
            data=raw,
            envelope={"mail_from": mail_from or "", "rcpt_tos": [SUPPORT], "peer": "127.0.0.1"},
            received_at=self.clock.now(),
        )
        self.worker.process_pending()
        return raw_id

    # ----- what staff and the tests can see

    def tickets(self) -> list[Ticket]:
        with self.app.sessions() as session:
            return list(session.scalars(select(Ticket).order_by(Ticket.id)))

    def ticket(self, number: str) -> Ticket:
        with self.app.sessions() as session:
            return ticket_store.get_ticket(session, number)

    def only_ticket(self) -> Ticket:
        found = self.tickets()
        assert len(found) == 1, [t.number for t in found]
        return found[0]

    def outbox(self, number: str | None = None) -> list[OutboxRow]:
        """The outbox, oldest first: all of it, or only the rows of ticket `number`."""
        with self.app.sessions() as session:
            query = select(OutboxRow).order_by(OutboxRow.id)
            if number is not None:
                query = query.where(OutboxRow.ticket_id == ticket_store.get_ticket(session, number).id)
            return list(session.scalars(query))

    def messages(self, number: str) -> list[Message]:
        with self.app.sessions() as session:
            ticket = ticket_store.get_ticket(session, number)
            return list(
                session.scalars(select(Message).where(Message.ticket_id == ticket.id).order_by(Message.id))
            )

    def events(self, number: str) -> list[TicketEvent]:
        with self.app.sessions() as session:
            ticket = ticket_store.get_ticket(session, number)
            return list(
                session.scalars(
                    select(TicketEvent).where(TicketEvent.ticket_id == ticket.id).order_by(TicketEvent.id)
                )
            )

    def body(self, message: Message) -> str:
        return self.app.box.decrypt_text(message.body)

    def secrets(self, number: str) -> dict[str, str]:
        return ticket_store.ticket_secrets(self.app.box, self.ticket(number))

    def dead_letters(self) -> list[dict[str, Any]]:
        with self.app.sessions() as session:
            return list_dead_letters(session)

    def raw(self, raw_id: int) -> RawMessage:
        with self.app.sessions() as session:
            row = session.get(RawMessage, raw_id)
            assert row is not None
            return row


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def desk_with_relay(relay: Any, store_url: str, data_dir: Path) -> Iterator[Desk]:
    """A desk whose outbound relay is a local aiosmtpd server running `relay` (a handler)."""
    controller = Controller(relay, hostname="127.0.0.1", port=free_port())
    controller.start()
    desk = Desk.open(store_url, data_dir, outbound={"port": controller.port})
    try:
        yield desk
    finally:
        desk.close()
        controller.stop()


def sender_for(desk: Desk, factory: sessionmaker[Session] | None = None, **kwargs: Any) -> OutboxSender:
    """The outbox sender of `desk`, delivering through its relay."""
    settings = desk.app.settings.outbound
    return OutboxSender(
        factory or desk.app.sessions,
        {"email": SmtpTransport(settings, None, desk.clock)},
        settings,
        desk.clock,
        **kwargs,
    )
