"""The worker on a real store, as a requester sees it: one acknowledgement that names the ticket
and asks only for what is missing, sent to the From address only with RFC 3834 and threading
headers; answering with the data queues the ticket; a returning contact is not asked again;
no reply to a stray `other`; status told only to the requester; a TeamViewer password never
leaves the ticket."""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.smtp import SMTP as SmtpServer
from aiosmtpd.smtp import Envelope, Session
from worker_desk import (
    DATA_REPLY,
    PASSWORD,
    REQUESTER,
    SUPPORT,
    TECHNICAL,
    THANKS,
    Desk,
    desk_with_relay,
    message_id_of,
    sender_for,
)
from worker_desk import (
    email as make_email,
)

from ventanilla.store.outbox import SENT

TAG = "[Ticket#SAACG-2026-000001]"


@pytest.fixture
def desk(any_desk: Desk) -> Desk:
    return any_desk


def test_new_request_gets_one_acknowledgement_asking_only_for_what_is_missing(desk: Desk) -> None:
    raw = make_email()
    desk.deliver(raw)
    ticket = desk.only_ticket()
    assert ticket.number == "SAACG-2026-000001"
    assert ticket.state == "awaiting_info"
    assert ticket.label == "technical"
    assert set(ticket.missing) == {"licence", "teamviewer_id", "teamviewer_password"}
    (reply,) = desk.outbox()
    assert reply.template == "acknowledgement"
    assert reply.recipient == REQUESTER
    assert reply.subject == f"{TAG} RE: Error al generar la balanza de comprobación"
    assert reply.headers["In-Reply-To"] == f"<{message_id_of(raw)}>"
    assert f"<{message_id_of(raw)}>" in reply.headers["References"]
    text = reply.body_text
    assert "SAACG-2026-000001" in text
    assert "licencia" in text.lower() and "TeamViewer" in text
    assert "Ayuda → Asistencia Remota" in text
    for given in ("Módulo", "Versión", "Teléfono", "Cargo", "Municipio o ente"):
        assert given not in text  # never asked again for what the request gave
    conversation = desk.messages(ticket.number)
    assert [(m.direction, m.template) for m in conversation] == [("in", None), ("out", "acknowledgement")]
    assert conversation[1].source_id == reply.message_id


@pytest.mark.parametrize(
    "data",
    [
        "Lic. SAACG-JAL-0457\nTV 1 234 567 890\nclave 8jk2m4",
        "Licencia SAACG-JAL-0457, ID 1234567890, contraseña 8jk2m4",
    ],
)
def test_an_answer_that_is_only_the_data_still_completes_the_ticket(lite_desk: Desk, data: str) -> None:
    # Bare data carries no request words (the classifier may read it as "other"): it still counts.
    lite_desk.deliver(make_email())
    (ack,) = lite_desk.outbox()
    lite_desk.deliver(make_email(data, subject=f"RE: {ack.subject}", in_reply_to=ack.message_id))
    ticket = lite_desk.only_ticket()
    assert ticket.fields["licence"] == "SAACG-JAL-0457"
    assert ticket.state == ("queued" if not ticket.missing else "awaiting_info")
    assert lite_desk.outbox()[-1].template in {"data_complete", "missing_data"}


def test_answering_with_the_data_queues_the_ticket_and_confirms(desk: Desk) -> None:
    desk.deliver(make_email())
    (ack,) = desk.outbox()
    assert ack.message_id is not None
    desk.clock.advance(minutes=10)
    answer = make_email(
        DATA_REPLY,
        subject=f"RE: {ack.subject}",
        in_reply_to=ack.message_id,
        references=[ack.message_id],
    )
    desk.deliver(answer)
    ticket = desk.only_ticket()
    assert ticket.state == "queued"
    assert ticket.missing == []
    assert ticket.fields["licence"] == "SAACG-JAL-0457"
    assert ticket.fields["teamviewer_id"] == "1234567890"
    assert "teamviewer_password" not in ticket.fields
    assert desk.secrets(ticket.number) == {"teamviewer_password": PASSWORD}
    confirmation = desk.outbox()[-1]
    assert confirmation.template == "data_complete"
    assert confirmation.subject == f"{TAG} RE: Error al generar la balanza de comprobación"
    assert confirmation.headers["In-Reply-To"] == f"<{message_id_of(answer)}>"
    assert ack.message_id in confirmation.headers["References"]
    states = [e.data for e in desk.events(ticket.number) if e.kind == "state"]
    assert states[-1]["from"] == "awaiting_info" and states[-1]["to"] == "queued"


def test_teamviewer_password_never_leaves_the_ticket(desk: Desk) -> None:
    desk.deliver(make_email(TECHNICAL + "\nID de TeamViewer: 987 654 321, contraseña: 8jk2m4\n"))
    (ack,) = desk.outbox()
    desk.deliver(make_email(DATA_REPLY, subject=f"RE: {ack.subject}", in_reply_to=ack.message_id))
    ticket = desk.only_ticket()
    assert desk.secrets(ticket.number)["teamviewer_password"] == PASSWORD
    for row in desk.outbox():
        shown = " ".join([row.subject, row.body_text, row.body_html or "", str(row.headers)])
        assert PASSWORD not in shown
    for message in desk.messages(ticket.number):
        if message.direction == "out":
            assert PASSWORD not in desk.body(message)
    for event in desk.events(ticket.number):
        assert PASSWORD not in str(event.data)
    assert PASSWORD not in str(ticket.fields)


def test_cc_and_reply_to_are_recorded_never_answered(lite_desk: Desk) -> None:
    lite_desk.deliver(
        make_email(cc=["contralor@zapopan.gob.mx", "asesor@despacho.mx"], reply_to="buzon@zapopan.gob.mx")
    )
    ticket = lite_desk.only_ticket()
    assert ticket.cc == ["contralor@zapopan.gob.mx", "asesor@despacho.mx"]
    assert ticket.reply_to == ["buzon@zapopan.gob.mx"]
    (reply,) = lite_desk.outbox()
    assert reply.recipient == REQUESTER
    assert "Cc" not in reply.headers and "Reply-To" not in reply.headers


def test_returning_contact_is_not_asked_again(lite_desk: Desk) -> None:
    lite_desk.deliver(make_email())
    lite_desk.clock.advance(days=3)
    lite_desk.deliver(
        make_email(
            "Buen día, en el módulo de Presupuesto no me deja cerrar el mes de febrero, marca error "
            "de saldos. Versión 2026, licencia SAACG-JAL-0457.",
            subject="No puedo cerrar el mes",
        )
    )
    _first, second = lite_desk.tickets()
    assert second.number == "SAACG-2026-000002"
    for known in ("name", "cargo", "ente", "phone", "city", "state", "email"):
        assert known not in second.missing
    ack = lite_desk.outbox()[-1]
    assert ack.ticket_id == second.id and ack.template == "acknowledgement"
    assert "Juan Pérez López" in ack.body_text  # greeted by the name the desk remembers
    for given in ("Cargo", "Teléfono", "Municipio o ente", "Ciudad"):
        assert given not in ack.body_text


def test_new_message_labelled_other_gets_no_reply(lite_desk: Desk) -> None:
    lite_desk.deliver(make_email(THANKS, subject="Gracias"))
    ticket = lite_desk.only_ticket()
    assert ticket.label == "other"
    assert lite_desk.outbox() == []  # waits for staff triage
    assert lite_desk.dead_letters() == []


def test_thanks_on_an_open_ticket_is_recorded_without_a_reply(lite_desk: Desk) -> None:
    lite_desk.deliver(make_email())
    (ack,) = lite_desk.outbox()
    # The reply keeps the thread's technical subject: the thanks is still read as no request.
    lite_desk.deliver(make_email(THANKS, subject=f"RE: {ack.subject}", in_reply_to=ack.message_id))
    ticket = lite_desk.only_ticket()
    assert [m.direction for m in lite_desk.messages(ticket.number)] == ["in", "out", "in"]
    assert len(lite_desk.outbox()) == 1


def test_status_of_someone_elses_ticket_reads_as_a_nonexistent_number(lite_desk: Desk) -> None:
    lite_desk.deliver(make_email())
    number = lite_desk.only_ticket().number
    question = "Buenas tardes, ¿me podrían informar el estatus del ticket {}? Gracias."
    stranger = "otra.persona@tonala.gob.mx"
    lite_desk.deliver(
        make_email(question.format(number), sender=stranger, subject="Estatus"), mail_from=stranger
    )
    nonexistent = "SAACG-2026-000999"
    lite_desk.deliver(
        make_email(question.format(nonexistent), sender=stranger, subject="Estatus"), mail_from=stranger
    )
    foreign, missing = lite_desk.outbox()[1:]
    assert foreign.recipient == missing.recipient == stranger
    assert foreign.template == missing.template
    assert foreign.body_text.replace(number, "N") == missing.body_text.replace(nonexistent, "N")
    assert "Juan" not in foreign.body_text and "Contabilidad" not in foreign.body_text
    assert [t.number for t in lite_desk.tickets()] == [number]  # nothing told, nothing joined
    # the requester asking the same gets the status
    lite_desk.deliver(make_email(question.format(number), subject="Estatus"))
    status = lite_desk.outbox()[-1]
    assert status.template == "status" and status.recipient == REQUESTER
    assert number in status.body_text


def test_replies_are_rate_limited_per_recipient(sqlite_url: str, tmp_path: Path) -> None:
    desk = Desk.open(sqlite_url, tmp_path / "data", outbound={"max_auto_replies_per_recipient": 2})
    try:
        for n in range(3):
            desk.deliver(make_email(subject=f"Error {n} al generar reporte"))
        other = "tesoreria@tonala.gob.mx"
        desk.deliver(make_email(sender=other), mail_from=other)
        assert len(desk.tickets()) == 4  # every message still became a ticket
        assert [r.recipient for r in desk.outbox()] == [REQUESTER, REQUESTER, other]
        desk.clock.advance(minutes=181)  # the window has passed
        desk.deliver(make_email(subject="Otro error"))
        assert desk.outbox()[-1].recipient == REQUESTER
    finally:
        desk.close()


def test_malformed_mail_is_a_dead_letter_with_its_reason(lite_desk: Desk) -> None:
    no_sender = b"To: soporte@saacg.example\r\nSubject: hola\r\n\r\nsin remitente\r\n"
    raw_id = lite_desk.deliver(no_sender, mail_from=None)
    empty_id = lite_desk.deliver(b"\r\n\r\n", mail_from=None)
    letters = lite_desk.dead_letters()
    assert [letter["reason"] for letter in letters] == [
        "malformed message: no sender address (From)",
        "malformed message: empty message",
    ]
    assert lite_desk.tickets() == [] and lite_desk.outbox() == []
    assert lite_desk.raw(raw_id).status == lite_desk.raw(empty_id).status == "dead"


# ----- through the outbox sender to a real relay


class Relay:
    """A local aiosmtpd relay that keeps what it received."""

    def __init__(self) -> None:
        self.received: list[tuple[Envelope, EmailMessage]] = []

    async def handle_DATA(self, server: SmtpServer, session: Session, envelope: Envelope) -> str:
        parsed = email.message_from_bytes(envelope.original_content or b"", policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        self.received.append((envelope, parsed))
        return "250 OK"


async def test_sent_reply_carries_rfc3834_and_threading_headers(sqlite_url: str, tmp_path: Path) -> None:
    relay = Relay()
    with desk_with_relay(relay, sqlite_url, tmp_path / "data") as desk:
        raw = make_email(cc=["contralor@zapopan.gob.mx"], reply_to="buzon@zapopan.gob.mx")
        desk.deliver(raw)
        assert await sender_for(desk).send_due() == 1
        (row,) = desk.outbox()
        assert row.status == SENT
    ((envelope, sent),) = relay.received
    assert envelope.rcpt_tos == [REQUESTER]
    assert envelope.mail_from == SUPPORT
    assert sent["To"] == REQUESTER and sent["Cc"] is None
    assert sent["Auto-Submitted"] == "auto-replied"
    assert sent["Message-ID"] == f"<{row.message_id}>"
    assert sent["In-Reply-To"] == f"<{message_id_of(raw)}>"
    assert f"<{message_id_of(raw)}>" in sent["References"]
    # (Python's header folder leaves a double space before an encoded word: compare words)
    assert sent["Subject"].split() == f"{TAG} RE: Error al generar la balanza de comprobación".split()
    body = sent.get_body(("plain",))
    assert body is not None and "SAACG-2026-000001" in body.get_content()
