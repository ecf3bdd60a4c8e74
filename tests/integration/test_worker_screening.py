"""Never loop, never lose, never twice (PRODUCT.md section 6): automatic mail is never answered
(a dead letter when it joins no ticket, recorded on the ticket when it does); a duplicate
Message-ID is counted on the message it repeats, not a new event nor a dead letter."""

from __future__ import annotations

import pytest
from worker_desk import REQUESTER, SUPPORT, TECHNICAL, Desk, email, message_id_of

FIRST = "SAACG-2026-000001"
TAG = f"[Ticket#{FIRST}]"
OOO = "Estaré fuera de la oficina hasta el lunes 9 de marzo, con acceso limitado al correo."


def _delivery_report(to: str, in_reply_to: str | None = None) -> bytes:
    """A DSN as an MTA writes it, but sent from an ordinary-looking address: the report itself
    must give it away."""
    threading = f"In-Reply-To: <{in_reply_to}>\r\n" if in_reply_to else ""
    return (
        "From: Sistema de correo <notificaciones@zapopan.gob.mx>\r\n"
        f"To: {to}\r\nSubject: Aviso\r\nMessage-ID: <dsn-1@zapopan.gob.mx>\r\n{threading}"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b1"\r\n\r\n'
        "--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nSu mensaje no pudo ser entregado.\r\n"
        "--b1\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.zapopan.gob.mx\r\n\r\nFinal-Recipient: rfc822; x@zapopan.gob.mx\r\n"
        "Action: failed\r\nStatus: 5.1.1\r\n\r\n--b1--\r\n"
    ).encode()


# (name, sender, envelope MAIL FROM, subject, extra headers): one entry per rule of section 6.
RULES: list[tuple[str, str, str | None, str, dict[str, str]]] = [
    ("auto-submitted auto-replied", REQUESTER, REQUESTER, "Aviso", {"Auto-Submitted": "auto-replied"}),
    ("auto-submitted auto-generated", REQUESTER, REQUESTER, "Aviso", {"Auto-Submitted": "auto-generated"}),
    ("precedence bulk", REQUESTER, REQUESTER, "Boletín", {"Precedence": "bulk"}),
    ("precedence junk", REQUESTER, REQUESTER, "Oferta", {"Precedence": "junk"}),
    ("precedence list", REQUESTER, REQUESTER, "Lista", {"Precedence": "list"}),
    (
        "x-auto-response-suppress",
        REQUESTER,
        REQUESTER,
        "Aviso",
        {"X-Auto-Response-Suppress": "OOF, AutoReply"},
    ),
    ("list-id", REQUESTER, REQUESTER, "Foro", {"List-Id": "Contadores <contadores.lists.example>"}),
    ("mailer-daemon", "MAILER-DAEMON@mx.zapopan.gob.mx", "", "Aviso", {}),
    ("postmaster", "postmaster@zapopan.gob.mx", "postmaster@zapopan.gob.mx", "Aviso", {}),
    ("empty return path", REQUESTER, "", "Aviso", {}),
    ("our own address", SUPPORT, SUPPORT, "Aviso", {}),
    ("respuesta automática", REQUESTER, REQUESTER, "Respuesta automática: Error al generar reporte", {}),
    ("fuera de la oficina", REQUESTER, REQUESTER, "Fuera de la oficina", {}),
    ("no se puede entregar", REQUESTER, REQUESTER, "No se puede entregar: Error al generar reporte", {}),
]


def _automatic(rule: str, in_reply_to: str | None = None) -> tuple[bytes, str | None]:
    for name, sender, mail_from, subject, headers in RULES:
        if name == rule:
            return email(
                OOO, sender=sender, subject=subject, headers=headers, in_reply_to=in_reply_to
            ), mail_from
    raise KeyError(rule)


ALL_RULES = [*(rule[0] for rule in RULES), "delivery report"]


def _raw_for(rule: str, in_reply_to: str | None = None) -> tuple[bytes, str | None]:
    if rule == "delivery report":
        return _delivery_report(REQUESTER, in_reply_to), ""
    return _automatic(rule, in_reply_to)


@pytest.mark.parametrize("rule", ALL_RULES)
def test_automatic_mail_joining_no_ticket_is_a_dead_letter_never_answered(desk: Desk, rule: str) -> None:
    raw, mail_from = _raw_for(rule)
    raw_id = desk.deliver(raw, mail_from=mail_from)
    assert desk.tickets() == []
    assert desk.outbox() == []
    (letter,) = desk.dead_letters()
    assert letter["reason"].startswith("automatic mail not linked to any ticket")
    assert letter["source_id"] is None or letter["source_id"] == message_id_of(raw)
    assert desk.raw(raw_id).status == "dead"


@pytest.mark.parametrize("rule", ALL_RULES)
def test_automatic_mail_in_a_thread_is_recorded_on_the_ticket_never_answered(desk: Desk, rule: str) -> None:
    desk.deliver(email())
    (ack,) = desk.outbox()
    state_before = desk.only_ticket().state
    raw, mail_from = _raw_for(rule, in_reply_to=ack.message_id)
    desk.deliver(raw, mail_from=mail_from)
    ticket = desk.only_ticket()
    assert len(desk.outbox()) == 1  # still only the acknowledgement
    assert ticket.state == state_before
    last = desk.messages(FIRST)[-1]
    assert last.direction == "in" and last.automatic  # recorded, with why
    assert desk.events(FIRST)[-1].kind == "automatic"
    assert desk.dead_letters() == []


def test_auto_submitted_no_is_a_person_and_is_answered(desk: Desk) -> None:
    desk.deliver(email(headers={"Auto-Submitted": "no"}))
    (reply,) = desk.outbox()
    assert reply.template == "acknowledgement"


def test_our_own_reply_bounced_back_to_us_does_not_loop(desk: Desk) -> None:
    desk.deliver(email())
    (ack,) = desk.outbox()
    echo = email(
        ack.body_text,
        sender=SUPPORT,
        subject=ack.subject,
        in_reply_to=ack.message_id,
        headers={"Auto-Submitted": "auto-replied"},
    )
    desk.deliver(echo, mail_from=SUPPORT)
    assert len(desk.outbox()) == 1


def test_duplicate_message_id_is_counted_not_a_new_event_nor_a_dead_letter(any_desk: Desk) -> None:
    desk = any_desk
    raw = email()
    desk.deliver(raw)
    events_before = len(desk.events(FIRST))
    desk.clock.advance(minutes=5)
    second = desk.deliver(raw)  # the sender retried after a lost 250
    # the same message again by another route: different bytes, same Message-ID
    third = desk.deliver(b"Received: from mx2.zapopan.gob.mx\r\n" + raw)
    assert [t.number for t in desk.tickets()] == [FIRST]
    incoming = [m for m in desk.messages(FIRST) if m.direction == "in"]
    assert len(incoming) == 1
    assert incoming[0].duplicate_count == 2
    assert len(desk.outbox()) == 1
    assert len(desk.events(FIRST)) == events_before
    assert desk.dead_letters() == []
    assert desk.raw(second).status == desk.raw(third).status == "processed"


def test_duplicate_of_an_automatic_dead_letter_is_not_a_second_dead_letter(desk: Desk) -> None:
    raw, mail_from = _automatic("fuera de la oficina")
    desk.deliver(raw, mail_from=mail_from)
    desk.deliver(raw, mail_from=mail_from)
    assert len(desk.dead_letters()) == 1


def test_huge_body_over_a_million_characters_is_handled(desk: Desk) -> None:
    filler = "El sistema muestra un error al generar la póliza de ingresos. " * 20_000  # ~1.2 M chars
    desk.deliver(email(TECHNICAL + "\n" + filler, subject="Error en pólizas"))
    ticket = desk.only_ticket()
    assert ticket.label == "technical"
    assert desk.outbox()[0].template == "acknowledgement"
