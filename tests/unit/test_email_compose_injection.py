"""Nothing from a received message reaches an outgoing header unvalidated: the reply goes to one
plain address only, the subject is one capped line, hostile message ids are left out; whatever the
input, the built email has exactly our headers."""

from __future__ import annotations

from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import getaddresses

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ventanilla.bot.compose import MAX_SUBJECT_CHARS, build_email, threading_headers
from ventanilla.bot.errors import PermanentDeliveryError
from ventanilla.intake.email_parse import parse_email

OURS = {
    "from", "to", "subject", "date", "message-id", "auto-submitted", "x-auto-response-suppress",
    "in-reply-to", "references", "mime-version", "content-type", "content-transfer-encoding",
}  # fmt: skip


def build(
    *,
    recipient: str = "juan@zapopan.gob.mx",
    subject: str = "hola",
    from_name: str = "Soporte",
    **headers: str,
) -> EmailMessage:
    message = build_email(
        from_address="soporte@saacg.example",
        from_name=from_name,
        recipient=recipient,
        subject=subject,
        message_id="abc@saacg.example",
        body_text="Estimado(a) usuario:",
        body_html=None,
        headers={k.replace("_", "-"): v for k, v in headers.items()},
        date=datetime(2026, 3, 4, tzinfo=UTC),
    )
    parsed = message_from_bytes(message.as_bytes(), policy=policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def only_our_headers(message: EmailMessage) -> None:
    names = [name.lower() for name in message]
    assert set(names) <= OURS, names
    assert len(names) == len(set(names)), names
    for value in message.values():
        assert "\n" not in str(value) and "\r" not in str(value)
    assert len(getaddresses([str(message["To"])])) == 1


@pytest.mark.parametrize(
    "recipient",
    [
        "juan@zapopan.gob.mx\r\nBcc: victima@example.com",
        "juan@zapopan.gob.mx, victima@example.com",
        "Juan <juan@zapopan.gob.mx>",
        "juan@zapopan.gob.mx (Juan)",
        "tg:12345",
        "",
    ],
)
def test_a_recipient_that_is_not_one_plain_address_is_never_sent(recipient: str) -> None:
    with pytest.raises(PermanentDeliveryError):
        build(recipient=recipient)


@pytest.mark.parametrize(
    "subject",
    [
        "hola\r\nBcc: victima@example.com",
        "hola\nX-Injected: yes",
        "hola\u2028Bcc: victima@example.com",
        "hola\x85Bcc: x@y.z",
        "hola\x00\x1b[31m",
        "=?utf-8?q?hola=0D=0ABcc:_x@y.z?=",
    ],
)
def test_a_subject_with_line_breaks_stays_one_header(subject: str) -> None:
    message = build(subject=subject)
    only_our_headers(message)
    assert message["Bcc"] is None and message["X-Injected"] is None


def test_a_two_thousand_character_subject_is_capped_at_a_word() -> None:
    subject = "[Ticket#SAACG-2026-000001] RE: " + "Error al generar la balanza " * 80
    capped = str(build(subject=subject)["Subject"])
    assert len(capped) <= MAX_SUBJECT_CHARS and capped.endswith("…")
    assert capped.startswith("[Ticket#SAACG-2026-000001] RE: Error al generar")
    assert capped[:-1].split()[-1] in {"Error", "al", "generar", "la", "balanza"}


def test_hostile_message_ids_are_left_out_of_threading() -> None:
    headers = threading_headers(
        "a@b\r\nBcc: x@y.z", ["ok-1@ente.gob.mx", "con espacio@x", "é@x", "x" * 600 + "@y"]
    )
    assert headers == {"References": "<ok-1@ente.gob.mx>"}
    message = build(In_Reply_To="<evil@x>\r\nBcc: v@x.y", References="<ok@x.y> <bad id@x>")
    only_our_headers(message)
    assert message["In-Reply-To"] == "<evil@x>"
    assert message["References"] == "<ok@x.y>"


def test_a_display_name_cannot_smuggle_an_address_into_the_sender() -> None:
    raw = (
        b"From: =?utf-8?q?Juan=0D=0ABcc:_victima@example.com=0D=0A?= <juan@zapopan.gob.mx>\r\n"
        b"To: soporte@saacg.example\r\nSubject: hola\r\n\r\nhola\r\n"
    )
    message = parse_email(raw, source="smtp", received_at=datetime(2026, 3, 4, tzinfo=UTC))
    assert message.sender == "juan@zapopan.gob.mx"
    assert "\n" not in message.sender_name and "victima@example.com" in message.sender_name
    group = b"From: =?utf-8?q?x:victima@example.com?= <juan@zapopan.gob.mx>\r\nSubject: a\r\n\r\nb\r\n"
    parsed = parse_email(group, source="smtp", received_at=datetime(2026, 3, 4, tzinfo=UTC))
    assert parsed.sender == "juan@zapopan.gob.mx"


def test_a_line_break_in_our_own_display_name_setting_stays_one_header() -> None:
    only_our_headers(build(from_name="Soporte\r\nBcc: x@y.z"))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=3000), st.text(max_size=400), st.text(max_size=400))
def test_whatever_the_input_the_reply_has_only_our_headers(
    subject: str, in_reply_to: str, references: str
) -> None:
    message = build(subject=subject, In_Reply_To=in_reply_to, References=references)
    only_our_headers(message)
    assert str(message["To"]) == "juan@zapopan.gob.mx"
    assert len(str(message["Subject"])) <= MAX_SUBJECT_CHARS


WORDS = st.sampled_from(
    ["=?utf-8?q?", "=?utf-8?b?", "?=", "=0D=0A", "DQo=", "Bcc:", " ", "x@y.z", "\r\n", "<", ">"]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(WORDS, st.text(max_size=8)), max_size=30))
def test_encoded_word_pieces_in_subject_or_ids_never_make_a_header(pieces: list[str]) -> None:
    text = "".join(pieces)
    only_our_headers(build(subject=text, In_Reply_To=text, References=text))
