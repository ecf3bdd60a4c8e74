"""Mail loops against the real `serve`: two naive responders answer every mail the desk sends them
for a minute — an out-of-office without RFC 3834 headers ("RE: …" subject, a normal body, no
In-Reply-To) and a person who answers "gracias" in the thread — plus, to make the limit bite, a
requester's own help-desk robot that asks for the ticket's status on every mail. The exchange stops
within the per-recipient rate limit (outbound.max_auto_replies_per_recipient); nothing stays
pending."""

from __future__ import annotations

import email
import email.policy
import queue
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP as SmtpServer
from aiosmtpd.smtp import Envelope, Session
from conftest import SUPPORT, Serve, free_port, pending_counts, send_mail, wait_until, write_config

LOOP_SECONDS = 60.0  # how long the responders keep answering (the "for a minute")
LIMIT = 6  # outbound.max_auto_replies_per_recipient for this desk
OUT_OF_OFFICE = "maria.lopez@tlaquepaque.gob.mx"
THANKFUL = "pedro.ruiz@tonala.gob.mx"
STATUS_ROBOT = "mesa.ayuda@zapotlanejo.gob.mx"
REQUEST = """Buenas tardes,

No puedo timbrar la nómina de la segunda quincena en el módulo de Nómina, versión 2026; el sistema
marca "error de conexión con el PAC".

Atentamente
{name}
Director de Recursos Humanos
H. Ayuntamiento de {city}
{city}, Jalisco
Tel. 33 3659 1020
"""
OUT_OF_OFFICE_BODY = """Buen día,

Me encuentro de vacaciones del 1 al 15 de diciembre, con acceso limitado a mi correo. A mi regreso
atenderé su mensaje. Para asuntos urgentes comuníquese al 33 3659 1000, ext. 204.

Saludos,
María López
"""


@dataclass
class Responders:
    """The relay the desk sends to; every mail it accepts is answered back to the desk's intake."""

    intake_port: int
    received: dict[str, list[EmailMessage]] = field(default_factory=dict)
    answered: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    outgoing: queue.Queue[tuple[str, bytes] | None] = field(default_factory=queue.Queue)

    async def handle_DATA(self, server: SmtpServer, session: Session, envelope: Envelope) -> str:
        parsed = email.message_from_bytes(envelope.original_content or b"", policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        for rcpt in envelope.rcpt_tos:
            with self.lock:
                self.received.setdefault(rcpt, []).append(parsed)
            answer = self.answer(rcpt, parsed)
            if answer is not None:
                self.outgoing.put((rcpt, answer))
        return "250 2.0.0 OK"

    def answer(self, rcpt: str, bot_mail: EmailMessage) -> bytes | None:
        msg = EmailMessage(policy=email.policy.SMTP)
        msg["From"] = rcpt
        msg["To"] = SUPPORT
        msg["Message-ID"] = make_msgid(domain=rcpt.split("@")[1])
        if rcpt == OUT_OF_OFFICE:  # a naive auto-responder: no Auto-Submitted, no In-Reply-To
            msg["Subject"] = f"RE: {bot_mail['Subject']}"
            msg.set_content(OUT_OF_OFFICE_BODY)
        elif rcpt == THANKFUL:  # a person who thanks for every mail, in the thread
            msg["Subject"] = f"RE: {bot_mail['Subject']}"
            msg["In-Reply-To"] = str(bot_mail["Message-ID"])
            msg["References"] = str(bot_mail["Message-ID"])
            msg.set_content("Muchas gracias por su atención.\n\nSaludos\nPedro Ruiz\n")
        elif rcpt == STATUS_ROBOT:  # asks for the status of the ticket named in every mail it gets
            number = str(bot_mail["Subject"]).split("Ticket#", 1)[1].split("]", 1)[0]
            msg["Subject"] = f"Estado del ticket {number}"
            msg.set_content(f"Buen día, ¿me podría informar el estado del ticket {number}?\n\nGracias\n")
        else:
            return None
        return msg.as_bytes()

    def run_sender(self) -> None:
        """Sends the answers, one at a time, as the responders' mail servers would."""
        while (item := self.outgoing.get()) is not None:
            rcpt, raw = item
            code, _ = send_mail(self.intake_port, raw, rcpt)
            assert code == 250
            with self.lock:
                self.answered[rcpt] = self.answered.get(rcpt, 0) + 1

    def counts(self) -> dict[str, int]:
        with self.lock:
            return {rcpt: len(mails) for rcpt, mails in self.received.items()}


@pytest.fixture
def responders() -> Iterator[tuple[Responders, int]]:
    handler = Responders(intake_port=free_port())
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    sender = threading.Thread(target=handler.run_sender, daemon=True)
    sender.start()
    try:
        yield handler, port
    finally:
        handler.outgoing.put(None)
        sender.join(timeout=30)
        controller.stop()


def _request(sender: str, name: str, city: str) -> bytes:
    msg = EmailMessage(policy=email.policy.SMTP)
    msg["From"] = f"{name} <{sender}>"
    msg["To"] = SUPPORT
    msg["Subject"] = "No puedo timbrar la nómina"
    msg["Message-ID"] = make_msgid(domain=sender.split("@")[1])
    msg.set_content(REQUEST.format(name=name, city=city))
    return msg.as_bytes()


def test_two_naive_responders_stop_within_the_rate_limit(
    tmp_path: Path, responders: tuple[Responders, int], start_serve: Callable[[Path, int], Serve]
) -> None:
    handler, relay_port = responders
    config = write_config(
        tmp_path,
        handler.intake_port,
        relay_port,
        f"max_auto_replies_per_recipient = {LIMIT}\nauto_reply_window_minutes = 180\n",
    )
    serve = start_serve(config, handler.intake_port)
    for sender, name, city in (
        (OUT_OF_OFFICE, "María López", "Tlaquepaque"),
        (THANKFUL, "Pedro Ruiz", "Tonalá"),
        (STATUS_ROBOT, "Mesa de Ayuda", "Zapotlanejo"),
    ):
        assert send_mail(handler.intake_port, _request(sender, name, city), sender)[0] == 250

    end = time.monotonic() + LOOP_SECONDS
    while time.monotonic() < end:  # the responders answer whatever arrives, for a minute
        assert serve.running(), serve.log_text()
        counts = handler.counts()
        assert all(n <= LIMIT for n in counts.values()), counts  # never beyond the limit
        time.sleep(0.5)

    counts = handler.counts()
    # Every bot mail was answered, and the desk read the answers and chose silence: it stopped.
    wait_until(lambda: handler.outgoing.empty() and handler.answered == counts, "the last answers")
    database = tmp_path / "data" / "ventanilla.db"
    wait_until(lambda: pending_counts(database) == (0, 0), "the desk to handle the last answers")
    assert serve.stop() == 0
    assert handler.counts() == counts
    assert set(counts) == {OUT_OF_OFFICE, THANKFUL, STATUS_ROBOT}
    assert all(1 <= n <= LIMIT for n in counts.values()), counts
    assert counts[STATUS_ROBOT] == LIMIT  # answered every time until the limit, then silence
    print(f"bot mails per responder within {LOOP_SECONDS:.0f} s (limit {LIMIT}): {counts}")
    with sqlite3.connect(database) as db:
        handled = db.execute("SELECT count(*) FROM raw_messages WHERE status != 'pending'").fetchone()[0]
        sent = dict(db.execute("SELECT recipient, count(*) FROM outbox GROUP BY recipient").fetchall())
    db.close()
    assert handled == 3 + sum(counts.values())  # three requests, then one answer per bot mail
    assert sent == counts  # nothing queued beyond what went out
