"""Delivery reports read into a Bounce: which of our messages bounced (from the returned headers or
message, or a mailer-daemon's inline copy) and what became of it; mail that is no report has none."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ventanilla.bot.model import InboundMessage
from ventanilla.intake.automatic import automatic_reason
from ventanilla.intake.email_parse import parse_email

AT = datetime(2026, 3, 4, 16, 0, tzinfo=UTC)
OURS = "5f1c2d@saacg.example"


def parse(raw: str, envelope_from: str | None = "") -> InboundMessage:
    return parse_email(
        raw.replace("\n", "\r\n").encode(), source="smtp", received_at=AT, envelope_from=envelope_from
    )


def report(returned: str, action: str = "failed", status: str = "5.1.1") -> str:
    return (
        "From: Mail Delivery System <MAILER-DAEMON@mx.zapopan.gob.mx>\nTo: soporte@saacg.example\n"
        "Subject: Undelivered Mail Returned to Sender\nMessage-ID: <dsn-7@mx.zapopan.gob.mx>\n"
        'MIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary="r"\n\n'
        "--r\nContent-Type: text/plain\n\nYour message could not be delivered.\n"
        "--r\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.zapopan.gob.mx\n\n"
        f"Final-Recipient: rfc822; Juan.Perez@zapopan.gob.mx\nAction: {action}\nStatus: {status}\n"
        "Diagnostic-Code: smtp; 550 5.1.1 User unknown\n\n" + returned + "--r--\n"
    )


HEADERS_PART = (
    f"--r\nContent-Type: text/rfc822-headers\n\nFrom: soporte@saacg.example\nMessage-ID: <{OURS}>\n\n"
)
MESSAGE_PART = (
    f"--r\nContent-Type: message/rfc822\n\nFrom: soporte@saacg.example\nMessage-ID:\n <{OURS}>\n"
    "Subject: [Ticket#SAACG-2026-000001] RE: hola\n\nEstimado usuario\n\n"
)


@pytest.mark.parametrize("returned", [HEADERS_PART, MESSAGE_PART], ids=["rfc822-headers", "message-rfc822"])
def test_a_delivery_status_report_names_our_message_and_its_fate(returned: str) -> None:
    message = parse(report(returned))
    assert message.bounce is not None
    assert message.bounce.message_ids == (OURS,)
    assert message.bounce.failed
    assert (message.bounce.status, message.bounce.recipient) == ("5.1.1", "juan.perez@zapopan.gob.mx")
    assert "User unknown" in message.bounce.diagnostic
    assert automatic_reason(message, ["soporte@saacg.example"]) is not None


def test_a_delay_notice_is_a_report_that_did_not_fail() -> None:
    message = parse(report(HEADERS_PART, action="delayed", status="4.4.1"))
    assert message.bounce is not None
    assert (message.bounce.action, message.bounce.failed, message.bounce.status) == (
        "delayed",
        False,
        "4.4.1",
    )


def test_a_plain_text_bounce_from_a_mailer_daemon_quotes_the_returned_headers() -> None:
    qmail = (
        "From: MAILER-DAEMON@correo.ente.gob.mx\nTo: soporte@saacg.example\nSubject: failure notice\n\n"
        "Hi. This is the qmail-send program.\n<juan@ente.gob.mx>:\nSorry, no mailbox here by that name. "
        "(#5.1.1)\n\n--- Below this line is a copy of the message.\n\n"
        f"Message-ID: <{OURS}>\nSubject: x\n\nHola\n"
    )
    message = parse(qmail)
    assert message.bounce is not None
    assert (message.bounce.message_ids, message.bounce.status) == ((OURS,), "5.1.1")


def test_a_person_forwarding_headers_is_no_bounce() -> None:
    person = (
        "From: juan@ente.gob.mx\nTo: soporte@saacg.example\nSubject: Le reenvío los encabezados\n\n"
        f"Message-ID: <{OURS}>\nMe llegó esto.\n"
    )
    assert parse(person, envelope_from="juan@ente.gob.mx").bounce is None


def test_a_report_without_the_returned_message_id_has_no_bounce() -> None:
    assert parse(report("")).bounce is None


def test_a_broken_report_never_raises() -> None:
    broken = report(HEADERS_PART).replace("--r--", "").replace("Action: failed", "Action: ???")
    message = parse(broken[: len(broken) // 2 + 140])
    assert message.bounce is None or message.bounce.action == "failed"
