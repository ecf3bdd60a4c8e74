"""The support policy on real requests through the real worker (PRODUCT.md section 4, issue 7):
the licence register (unknown, trial, expired, another entity's, in order), the oficio de
acreditación asked for and recorded when it arrives as an attachment, the backup asked for before
a database request is queued, and an old version — each with its reply and the flag staff see."""

from __future__ import annotations

from datetime import date
from email.message import EmailMessage
from email.policy import SMTP

import pytest
from worker_desk import REQUESTER, SIGNATURE, SUPPORT, Desk, email, message_id_of

from ventanilla.store.licences import import_csv

REGISTER = (
    "licence,entity,type,updates_until,holder_name,holder_email\n"
    "SAACG-JAL-0457,H. Ayuntamiento de Zapopan,purchased,2026-12-31,Juan Pérez,juan.perez@zapopan.gob.mx\n"
    "SAACG-JAL-0999,H. Ayuntamiento de Zapopan,trial,2026-12-31,Juan Pérez,\n"
    "SAACG-JAL-0100,H. Ayuntamiento de Zapopan,purchased,2025-12-31,Juan Pérez,\n"
    "SAACG-JAL-0777,Municipio de Tlaquepaque,purchased,2026-12-31,Ana Ruiz,ana@tlaquepaque.gob.mx\n"
)
COMPLETE = (
    "Buenos días, al generar la balanza de comprobación en el módulo de Contabilidad me aparece el "
    'error "referencia a objeto no establecida". Tenemos instalada la versión {version}.\n'
    "Número de licencia: {licence}\nID de TeamViewer: 1 234 567 890\nContraseña de TeamViewer: 8jk2m4\n"
)


def request(desk: Desk, licence: str, *, version: str = "2026", sender: str = REQUESTER) -> str:
    body = COMPLETE.format(licence=licence, version=version) + SIGNATURE
    desk.deliver(email(body, sender=sender), mail_from=sender)
    return desk.tickets()[-1].number


@pytest.fixture
def register(desk: Desk) -> Desk:
    with desk.app.sessions.begin() as session:
        import_csv(session, REGISTER)
    return desk


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize(
    ("licence", "flag", "words"),
    [
        ("SAACG-JAL-9999", "licence_unknown", "No nos fue posible localizar en nuestro registro"),
        ("SAACG-JAL-0999", "licence_trial", "es una licencia de prueba"),
        ("SAACG-JAL-0100", "licence_expired", "no se encuentran vigentes"),
        ("SAACG-JAL-0777", "licence_other_entity", "a nombre de un ente público distinto"),
    ],
)
def test_each_licence_problem_gets_its_reply_and_a_flag(
    register: Desk, licence: str, flag: str, words: str
) -> None:
    number = request(register, licence)
    ticket = register.ticket(number)
    assert ticket.flags == [flag]
    [ack] = register.outbox(number)
    assert ack.template == "acknowledgement" and words in flat(ack.body_text)
    assert any(e.kind == "policy" and e.data["added"] == [flag] for e in register.events(number))


def test_a_licence_in_order_gets_no_licence_note(register: Desk) -> None:
    number = request(register, "SAACG-JAL-0457")
    assert register.ticket(number).flags == []
    assert register.ticket(number).state == "queued"
    assert "registro" not in register.outbox(number)[0].body_text


def test_without_a_register_no_licence_is_checked(desk: Desk) -> None:
    number = request(desk, "SAACG-JAL-9999")
    assert desk.ticket(number).flags == []


def test_a_licence_sent_later_is_checked_when_it_arrives(register: Desk) -> None:
    body = COMPLETE.format(licence="", version="2026").replace("Número de licencia: \n", "")
    register.deliver(email(body + SIGNATURE, message_id="first@zapopan.gob.mx"))
    number = register.only_ticket().number
    assert register.ticket(number).missing == ["licence"]
    register.deliver(email("Mi número de licencia: SAACG-JAL-0999\n", in_reply_to="first@zapopan.gob.mx"))
    assert register.ticket(number).flags == ["licence_trial"]
    reply = register.outbox(number)[-1]
    assert reply.template == "data_complete" and "licencia de prueba" in flat(reply.body_text)


def test_an_old_version_gets_the_unsupported_version_reply(register: Desk) -> None:
    number = request(register, "SAACG-JAL-0457", version="2022")
    [ack] = register.outbox(number)
    text = flat(ack.body_text)
    assert "Nos indica que utiliza la versión 2022 del SAACG.NET" in text
    assert "las versiones 2026 y 2025" in text
    assert register.ticket(number).flags == ["version_old"]


def test_the_supported_versions_follow_the_policy_setting(sqlite_url: str, tmp_path: object) -> None:
    from pathlib import Path

    desk = Desk.open(sqlite_url, Path(str(tmp_path)) / "d", policy={"previous_versions": 4})
    try:
        number = request(desk, "SAACG-JAL-0457", version="2022")
        assert desk.ticket(number).flags == []
    finally:
        desk.close()


ADVISOR = (
    "Buenos días, soy asesor externo y llevamos la contabilidad de varios municipios. En el módulo "
    "de Contabilidad, al generar la balanza de comprobación aparece un error. Versión 2026.\n"
    "Número de licencia: SAACG-JAL-0457\nID de TeamViewer: 1 234 567 890\nContraseña de TeamViewer: 8jk2m4\n"
)


def with_pdf(body: str, filename: str, in_reply_to: str) -> bytes:
    msg = EmailMessage(policy=SMTP)
    msg["From"], msg["To"], msg["Subject"] = REQUESTER, SUPPORT, "RE: Error al generar la balanza"
    msg["Message-ID"], msg["In-Reply-To"] = "<oficio-1@zapopan.gob.mx>", f"<{in_reply_to}>"
    msg.set_content(body)
    msg.add_attachment(b"%PDF-1.4 oficio" * 100, maintype="application", subtype="pdf", filename=filename)
    return msg.as_bytes()


def test_the_oficio_is_asked_for_and_recorded_when_it_arrives(register: Desk) -> None:
    raw = email(ADVISOR + SIGNATURE)
    register.deliver(raw)
    ticket = register.only_ticket()
    assert ticket.state == "awaiting_info" and ticket.missing == ["accreditation"]
    assert ticket.flags == ["accreditation_needed"]
    ack = flat(register.outbox(ticket.number)[0].body_text)
    assert "necesitamos su oficio de acreditación como persona autorizada" in ack
    assert "Oficio de acreditación como persona autorizada para el soporte técnico" in ack
    register.deliver(
        with_pdf("Adjunto el documento solicitado.", "Oficio acreditacion.pdf", message_id_of(raw))
    )
    ticket = register.ticket(ticket.number)
    assert ticket.missing == [] and ticket.state == "queued"
    assert ticket.flags == ["accreditation_received"]
    [received] = [e for e in register.events(ticket.number) if e.kind == "accreditation_received"]
    assert received.data["files"] == ["Oficio acreditacion.pdf"]
    assert register.outbox(ticket.number)[-1].template == "data_complete"


def test_an_unrelated_attachment_is_not_taken_for_the_oficio(register: Desk) -> None:
    raw = email(ADVISOR + SIGNATURE)
    register.deliver(raw)
    number = register.only_ticket().number
    register.deliver(with_pdf("Le envío la captura del error.", "balanza.pdf", message_id_of(raw)))
    assert register.ticket(number).missing == ["accreditation"]


def test_a_database_request_asks_for_the_backup_before_it_is_queued(register: Desk) -> None:
    body = (
        "Buenos días, necesitamos apoyo para realizar el cierre del ejercicio 2025 en el módulo de "
        "Contabilidad, la base de datos marca un error. Versión 2026.\nNúmero de licencia: SAACG-JAL-0457\n"
        "ID de TeamViewer: 1 234 567 890\nContraseña de TeamViewer: 8jk2m4\n"
    )
    raw = email(body + SIGNATURE)
    register.deliver(raw)
    ticket = register.only_ticket()
    assert (ticket.state, ticket.missing) == ("awaiting_info", ["backup_done"])
    assert "respaldo reciente de su base de datos" in flat(register.outbox(ticket.number)[0].body_text)
    register.deliver(email("Ya hice un respaldo de la base de datos.\n", in_reply_to=message_id_of(raw)))
    assert register.ticket(ticket.number).state == "queued"


def test_import_keeps_dates(register: Desk) -> None:
    from ventanilla.store.licences import find_licence

    with register.app.sessions() as session:
        row = find_licence(session, "saacg-jal-0100")
        assert row is not None and row.updates_until == date(2025, 12, 31)
