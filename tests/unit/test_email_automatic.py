"""automatic_reason: automatic mail (auto-replies, bounces, lists, our own mail) is never answered."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from ventanilla.bot.model import Attachment, Channel, InboundMessage
from ventanilla.intake.automatic import automatic_reason
from ventanilla.intake.email_parse import parse_email

OWN = ("soporte@saacg.example", "Tickets@SAACG.example")
AT = datetime(2026, 3, 3, 16, 0, tzinfo=UTC)
HUMAN = InboundMessage(
    channel=Channel.EMAIL,
    source="smtp",
    external_id="h-1@ente.gob.mx",
    sender="ana.perez@zapopan.gob.mx",
    subject="RE: [Ticket#SAACG-2026-000123] Fuera de servicio el módulo de nómina",
    text="Buenas tardes, la nómina no timbra.",
    received_at=AT,
    headers=(("auto-submitted", "no"), ("content-type", "text/plain; charset=utf-8")),
    return_path="ana.perez@zapopan.gob.mx",
)


def test_a_human_reply_may_be_answered() -> None:
    assert automatic_reason(HUMAN, OWN) is None


def test_list_unsubscribe_alone_is_no_bulk_sign() -> None:
    # Some organisations' gateways add List-Unsubscribe to every message, people's mail included.
    gateway = replace(HUMAN, headers=(("list-unsubscribe", "<mailto:unsubscribe@zapopan.gob.mx>"),))
    assert automatic_reason(gateway, OWN) is None
    campaign = replace(gateway, return_path="bounce-mc.us5_123.456-ana=zapopan.gob.mx@mail.example")
    assert automatic_reason(campaign, OWN) == "list-unsubscribe with a bulk sign (bulk return path)"


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ((("auto-submitted", "auto-replied"),), "auto-submitted: auto-replied"),
        ((("auto-submitted", "Auto-Generated (vacation)"),), "auto-submitted: auto-generated"),
        ((("precedence", "bulk"),), "precedence: bulk"),
        ((("precedence", "JUNK"),), "precedence: junk"),
        ((("precedence", "list"),), "precedence: list"),
        ((("x-auto-response-suppress", "All"),), "x-auto-response-suppress: All"),
        ((("list-id", "Avisos <avisos.ente.gob.mx>"),), "list-id"),
        (
            (("list-unsubscribe", "<mailto:baja@boletin.example>"), ("list-unsubscribe-post", "One-Click")),
            "list-unsubscribe with a bulk sign (list-unsubscribe-post)",
        ),
        (
            (("list-unsubscribe", "<https://x.example/u>"), ("x-mailer", "Mailchimp Mailer - **CID1**")),
            "list-unsubscribe with a bulk sign (x-mailer)",
        ),
        (
            (("list-unsubscribe", "<mailto:baja@boletin.example>"), ("feedback-id", "1:campaign:esp")),
            "list-unsubscribe with a bulk sign (feedback-id)",
        ),
        ((("x-loop", "soporte@saacg.example"),), "x-loop names one of our own addresses"),
        ((("x-autoreply", "yes"),), "x-autoreply"),
        ((("x-autorespond", "vacation"),), "x-autorespond"),
        ((("x-failed-recipients", "x@y.mx"),), "delivery report: x-failed-recipients"),
        (
            (("content-type", 'multipart/report; report-type=delivery-status; boundary="b"'),),
            "delivery report: multipart/report",
        ),
    ],
)
def test_automatic_headers(headers: tuple[tuple[str, str], ...], expected: str) -> None:
    assert automatic_reason(replace(HUMAN, headers=headers), OWN) == expected


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"return_path": ""}, "null sender (empty return path)"),
        ({"sender": "mailer-daemon@mx.ente.gob.mx"}, "system sender: mailer-daemon"),
        ({"sender": "postmaster@ente.gob.mx"}, "system sender: postmaster"),
        ({"sender": "no-reply@facturacion.example"}, "no-reply sender: no-reply"),
        ({"sender": "tickets@saacg.example"}, "sent by one of our own addresses"),
        (
            {"attachments": (Attachment("details.txt", "message/delivery-status", 300),)},
            "delivery report: message/delivery-status",
        ),
        (
            {"attachments": (Attachment("mdn.txt", "message/disposition-notification", 120),)},
            "delivery report: message/disposition-notification",
        ),
    ],
)
def test_automatic_senders_and_reports(changes: dict[str, object], expected: str) -> None:
    assert automatic_reason(replace(HUMAN, **changes), OWN) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "subject",
    [
        "Respuesta automática: Activación de licencia",
        "RESPUESTA AUTOMATICA: Activación",
        "Fuera de la oficina",
        "Fuera de la oficina: [Ticket#SAACG-2026-000123]",
        "No se puede entregar: Solicitud",
        "Automatic reply: License activation",
        "Out of Office: License activation",
        "Out of Office AutoReply: hola",
        "Undeliverable: Solicitud",
        "Delivery Status Notification (Failure)",
        "Notificación del estado del envío (Error)",
        "Mail delivery failed: returning message to sender",
        "Returned mail: see transcript for details",
        "Undelivered Mail Returned to Sender",
        "Leído: [Ticket#SAACG-2026-000123] Activación",
    ],
)
def test_automatic_subjects_in_spanish_and_english(subject: str) -> None:
    reason = automatic_reason(replace(HUMAN, subject=subject, headers=()), OWN)
    assert reason is not None and reason.startswith("automatic subject: ")


@pytest.mark.parametrize(
    "subject",
    [
        "RE: Respuesta automática del sistema no llega",
        "Problema con la entrega de la Cuenta Pública",
        "Leído el manual",
    ],
)
def test_human_subjects_mentioning_those_words_are_answered(subject: str) -> None:
    assert automatic_reason(replace(HUMAN, subject=subject), OWN) is None


def test_parsed_exchange_bounce_is_automatic() -> None:
    raw = b"""From: Microsoft Outlook <postmaster@zapopan.gob.mx>
To: soporte@saacg.example
Subject: No se puede entregar: [Ticket#SAACG-2026-000123] Acuse
Message-ID: <ndr-1@zapopan.gob.mx>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="NDR"

--NDR
Content-Type: text/plain; charset=utf-8

No se pudo entregar el mensaje a los destinatarios.
--NDR
Content-Type: message/delivery-status

Reporting-MTA: dns;mail.zapopan.gob.mx

Final-Recipient: rfc822;nadie@zapopan.gob.mx
Action: failed
Status: 5.1.1
--NDR--
"""
    message = parse_email(raw, source="smtp", received_at=AT, envelope_from="")
    assert message.attachments[0].content_type == "message/delivery-status"
    assert automatic_reason(message, OWN) == "delivery report: multipart/report"
    human = parse_email(raw.replace(b"multipart/report", b"multipart/mixed"), source="imap", received_at=AT)
    assert automatic_reason(human, OWN) == "system sender: postmaster"


def test_parsed_gmail_vacation_reply_is_automatic() -> None:
    raw = (
        b"From: Ana <ana@gmail.com>\nTo: soporte@saacg.example\nAuto-Submitted: auto-replied\n"
        b"Subject: =?UTF-8?Q?Fuera_de_la_oficina?=\n\nRegreso el lunes."
    )
    message = parse_email(raw, source="imap", received_at=AT)
    assert automatic_reason(message, OWN) == "auto-submitted: auto-replied"
