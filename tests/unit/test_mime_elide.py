"""Large base64 bodies are kept out of the email package while parsing, with no visible difference:
attachments keep their exact sizes and bytes, a large base64 text body is read in full, and lines
that only look like base64 in a part that is not base64 come back as they were."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

from ventanilla.intake.elide import MIN_ELIDED_BYTES, elide
from ventanilla.intake.email_parse import attachment_payloads, parse_email

AT = datetime(2026, 3, 4, tzinfo=UTC)
HEAD = (
    b"From: ana@ente.gob.mx\r\nSubject: respaldo\r\nMIME-Version: 1.0\r\n"
    b'Content-Type: multipart/mixed; boundary="B"\r\n\r\n'
)


def part(headers: str, body: bytes) -> bytes:
    return b"--B\r\n" + headers.encode() + b"\r\n\r\n" + body + b"\r\n"


def b64(data: bytes) -> bytes:
    return base64.encodebytes(data).replace(b"\n", b"\r\n")


BLOB = bytes(range(256)) * 4000 + b"cola"  # ~1 MB, not a multiple of 3: padded base64


def test_a_large_attachment_keeps_its_exact_size_and_bytes() -> None:
    raw = (
        HEAD
        + part("Content-Type: text/plain; charset=utf-8", b"Va el respaldo.")
        + part(
            'Content-Type: application/octet-stream; name="r.bak"\r\nContent-Transfer-Encoding: base64',
            b64(BLOB),
        )
        + b"--B--\r\n"
    )
    hollow, elisions = elide(raw)
    assert len(hollow) < 1000 and len(elisions.spans) == 1
    message = parse_email(raw, source="smtp", received_at=AT)
    assert message.text == "Va el respaldo."
    assert [(a.filename, a.size) for a in message.attachments] == [("r.bak", len(BLOB))]
    assert [data for _, data in attachment_payloads(raw)] == [BLOB]


def test_a_large_base64_text_body_is_read_in_full() -> None:
    text = ("El sistema no genera la póliza de ingresos del mes de marzo. " * 9000).strip()
    raw = HEAD + part(
        "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64", b64(text.encode())
    )
    assert len(raw) > MIN_ELIDED_BYTES
    assert parse_email(raw + b"--B--\r\n", source="smtp", received_at=AT).text == text


def test_base64_looking_lines_in_a_plain_part_come_back_as_they_were() -> None:
    lines = b"\r\n".join(b"A" * 76 for _ in range(5000))
    raw = HEAD + part("Content-Type: text/plain", b"Inicio\r\n" + lines + b"\r\nFin") + b"--B--\r\n"
    text = parse_email(raw, source="smtp", received_at=AT).text
    assert text.startswith("Inicio\n" + "A" * 76) and text.endswith("Fin")
    assert "ventanilla-elided" not in text


def test_small_messages_are_untouched() -> None:
    raw = HEAD + part("Content-Type: text/plain", b"hola") + b"--B--\r\n"
    assert elide(raw)[0] is raw
