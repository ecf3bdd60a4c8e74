"""The email the bot sends: subject with the ticket tag, threading and RFC 3834 headers."""

from __future__ import annotations

from datetime import UTC, datetime
from email import message_from_bytes, policy

from ventanilla.bot.compose import build_email, new_message_id, reply_subject, threading_headers


def test_reply_subject_strips_prefixes_and_keeps_one_tag() -> None:
    number = "SAACG-2026-000007"
    assert (
        reply_subject(number, "RE: RV: Fwd: No abre el sistema", "x")
        == f"[Ticket#{number}] RE: No abre el sistema"
    )
    tagged = f"RE: [Ticket#{number}] RE: No abre el sistema"
    assert reply_subject(number, tagged, "x").count("[Ticket#") == 1


def test_reply_subject_falls_back_when_the_subject_is_empty() -> None:
    assert (
        reply_subject("SAACG-2026-000001", "  ", "Su solicitud") == "[Ticket#SAACG-2026-000001] Su solicitud"
    )


def test_threading_headers_reference_the_requester_message() -> None:
    headers = threading_headers("b@x.mx", ["a@x.mx"])
    assert headers == {"In-Reply-To": "<b@x.mx>", "References": "<a@x.mx> <b@x.mx>"}


def test_built_email_is_auto_replied_to_one_recipient_without_injection() -> None:
    message = build_email(
        from_address="soporte@saacg.example",
        from_name="Soporte SAACG.NET",
        recipient="juan@zapopan.gob.mx",
        subject="[Ticket#SAACG-2026-000001] RE: hola\r\nBcc: victim@example.com",
        message_id=new_message_id("soporte@saacg.example"),
        body_text="Estimado(a) usuario:",
        body_html="<p>Estimado(a) usuario:</p>",
        headers={"In-Reply-To": "<a@x.mx>", "References": "<a@x.mx>"},
        date=datetime(2026, 3, 4, tzinfo=UTC),
    )
    parsed = message_from_bytes(message.as_bytes(), policy=policy.default)
    assert parsed["Auto-Submitted"] == "auto-replied"
    assert parsed["To"] == "juan@zapopan.gob.mx"
    assert parsed["Bcc"] is None and parsed["Cc"] is None
    assert parsed["Message-ID"].endswith("@saacg.example>")
    assert parsed["In-Reply-To"] == "<a@x.mx>"
    assert parsed.get_body(("plain",)).get_content().strip() == "Estimado(a) usuario:"
