"""Outlook TNEF (winmail.dat): its files are listed as attachments and its body is the message's text
when there is no other; a hostile winmail.dat (lying counts, truncation, thousands of objects) is
listed as it came, never a hang or a crash."""

from __future__ import annotations

import base64
import importlib.util
import struct
import sys
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ventanilla.intake.email_parse import attachment_payloads, parse_email
from ventanilla.intake.mime_walk import TNEF_FILE_NOTE, TNEF_NOTE
from ventanilla.intake.tnef import unpack_tnef

CORPUS = Path(__file__).resolve().parents[1] / "data" / "mail"
AT = datetime(2026, 3, 4, tzinfo=UTC)


def _build() -> ModuleType:
    spec = importlib.util.spec_from_file_location("torture_build", CORPUS / "build.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


BUILD = _build()
FILES = [("oficio de acreditación.pdf", b"%PDF-1.4\n" + bytes(300)), ("captura.png", b"\x89PNG" + bytes(50))]
WINMAIL = BUILD.tnef("Buenos días, no abre el módulo de Nómina.\nSaludos", FILES)


def mail(*parts: tuple[str, bytes]) -> bytes:
    out = (
        b"From: ana@ente.gob.mx\r\nSubject: Nomina\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="B"\r\n\r\n'
    )
    for headers, data in parts:
        out += b"--B\r\n" + headers.encode() + b"\r\n\r\n" + data + b"\r\n"
    return out + b"--B--\r\n"


def winmail_part(data: bytes) -> tuple[str, bytes]:
    headers = "Content-Type: application/ms-tnef; name=winmail.dat\r\nContent-Transfer-Encoding: base64"
    return headers, base64.encodebytes(data)


def test_unpacks_the_files_and_the_body() -> None:
    contents = unpack_tnef(WINMAIL)
    assert contents is not None
    assert [(name, len(data)) for name, data in contents.files] == [(n, len(d)) for n, d in FILES]
    assert "no abre el módulo de Nómina" in contents.text


def test_files_inside_are_listed_after_the_winmail_and_kept() -> None:
    raw = mail(
        ("Content-Type: text/plain; charset=utf-8", "Le envío el oficio.".encode()), winmail_part(WINMAIL)
    )
    message = parse_email(raw, source="smtp", received_at=AT)
    assert message.text == "Le envío el oficio."  # the text part wins over the TNEF body
    listed = [(a.filename, a.content_type, a.note) for a in message.attachments]
    assert listed == [
        ("winmail.dat", "application/ms-tnef", "Outlook TNEF (winmail.dat): 2 file(s) extracted"),
        ("oficio de acreditación.pdf", "application/pdf", TNEF_FILE_NOTE),
        ("captura.png", "image/png", TNEF_FILE_NOTE),
    ]
    assert [data for _, data in attachment_payloads(raw)] == [WINMAIL, *(d for _, d in FILES)]


def test_a_message_that_is_only_a_winmail_takes_its_body() -> None:
    message = parse_email(mail(winmail_part(WINMAIL)), source="smtp", received_at=AT)
    assert message.text.startswith("Buenos días, no abre el módulo de Nómina.")


def _object(level: int, name: int, data: bytes) -> bytes:
    return struct.pack("<BHHI", level, name, 6, len(data)) + data + b"\x00\x00"


@pytest.mark.parametrize(
    "hostile",
    [
        # MAPI properties claiming 268 million entries: tnefparse loops on them for minutes
        WINMAIL[:6] + _object(1, 0x9003, struct.pack("<I", 0x0FFFFFFF) + bytes(16)),
        # an embedded Outlook item (tnefparse recurses into it unchecked)
        WINMAIL[:6]
        + _object(1, 0x9003, struct.pack("<I", 1) + bytes.fromhex("0703020000000000c000000000000046")),
        # thousands of tiny objects (tnefparse copies the rest of the stream for each)
        WINMAIL[:6] + _object(1, 0x8008, b"x") * 5000,
        # an unknown code page
        WINMAIL[:6] + _object(1, 0x9007, struct.pack("<II", 99999, 0)) + WINMAIL[6:],
        b"\x78\x9f\x3e\x22" + bytes(500),
        b"not tnef at all",
        WINMAIL[: len(WINMAIL) // 2],
    ],
    ids=[
        "lying-count",
        "embedded-item",
        "many-objects",
        "unknown-codepage",
        "zeros",
        "not-tnef",
        "truncated",
    ],
)
def test_a_hostile_winmail_is_listed_not_a_crash(hostile: bytes) -> None:
    message = parse_email(
        mail(("Content-Type: text/plain", b"Va adjunto."), winmail_part(hostile)),
        source="smtp",
        received_at=AT,
    )
    assert message.text == "Va adjunto."
    assert message.attachments[0].filename == "winmail.dat"
    assert message.attachments[0].note == TNEF_NOTE or message.attachments[0].note.endswith("extracted")


def test_what_would_hang_tnefparse_is_refused_before_it_runs() -> None:
    lying = WINMAIL[:6] + _object(1, 0x9003, struct.pack("<I", 0x0FFFFFFF) + bytes(16))
    contents = unpack_tnef(lying)  # the lying object is left out; nothing else to read
    assert contents is None or (contents.files, contents.text) == ((), "")
    assert unpack_tnef(WINMAIL[:6] + _object(1, 0x8008, b"x") * 5000) is None


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, len(WINMAIL)), st.integers(0, 64), st.binary(max_size=64))
def test_mutated_winmail_never_raises(at: int, cut: int, insert: bytes) -> None:
    mutated = WINMAIL[:at] + insert + WINMAIL[at + cut :]
    contents = unpack_tnef(mutated)
    assert contents is None or len(contents.files) <= 100
