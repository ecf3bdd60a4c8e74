"""Property tests of the email parser on hostile input: random bytes, and mutations (cuts, inserted
bytes, swapped lines, repeated headers) of every message of the torture corpus in tests/data/mail.
parse_email returns a clean message or raises MalformedMessage, nothing else; and what it returns
is safe to use downstream (one-line subject, lower-case sender, bounded sizes)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ventanilla.bot.errors import MalformedMessage
from ventanilla.bot.model import InboundMessage
from ventanilla.intake.automatic import automatic_reason
from ventanilla.intake.email_parse import MAX_ADDRESSES, MAX_TEXT_CHARS, parse_email

CORPUS = sorted((Path(__file__).resolve().parents[1] / "data" / "mail").glob("*.eml"))
AT = datetime(2026, 3, 4, 16, 0, tzinfo=UTC)
SLOW = settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
HOSTILE_BYTES = st.sampled_from(
    [b"\r\n", b"\n", b"\r", b"\x00", b"--B", b"--B--", b"\r\n\r\n", b"=?utf-8?q?=0D=0A?=", b"=", b"=ZZ",
     b"Content-Type: multipart/mixed; boundary=B\r\n", b"Content-Transfer-Encoding: base64\r\n",
     b"\xff\xfe", b"\xc3", b"<", b">", b":", b"\t"]
)  # fmt: skip


def check(raw: bytes, envelope_from: str | None = None) -> InboundMessage | None:
    try:
        message = parse_email(raw, source="smtp", received_at=AT, envelope_from=envelope_from)
    except MalformedMessage as error:
        assert str(error)  # a dead letter always has its reason
        return None
    assert "@" in message.sender and message.sender == message.sender.lower()
    assert not any(ch in message.subject + message.sender + message.external_id for ch in "\r\n\x00")
    assert len(message.text) <= MAX_TEXT_CHARS and len(message.quoted) <= MAX_TEXT_CHARS
    assert len(message.to) <= MAX_ADDRESSES and len(message.cc) <= MAX_ADDRESSES
    assert message.bounce is None or len(message.bounce.message_ids) <= 5
    automatic_reason(message, ["soporte@saacg.example"])  # screening never raises either
    return message


def test_the_corpus_has_a_message_per_hazard() -> None:
    assert len(CORPUS) >= 40


@SLOW
@given(st.binary(max_size=6000))
def test_random_bytes_parse_or_are_malformed(raw: bytes) -> None:
    check(raw)


@SLOW
@given(st.lists(st.one_of(HOSTILE_BYTES, st.binary(max_size=40)), max_size=80))
def test_random_mail_shaped_bytes_parse_or_are_malformed(pieces: list[bytes]) -> None:
    check(b"From: a@ente.gob.mx\r\nSubject: x\r\n" + b"".join(pieces), envelope_from="")


@SLOW
@given(
    st.sampled_from(CORPUS),
    st.integers(0, 1 << 20),
    st.integers(0, 400),
    st.lists(st.one_of(HOSTILE_BYTES, st.binary(max_size=30)), max_size=4),
)
def test_mutated_corpus_messages_parse_or_are_malformed(
    path: Path, at: int, cut: int, insert: list[bytes]
) -> None:
    base = path.read_bytes()
    at %= len(base) + 1
    check(base[:at] + b"".join(insert) + base[at + cut :])


@SLOW
@given(st.sampled_from(CORPUS), st.randoms(use_true_random=False))
def test_shuffled_and_repeated_lines_of_corpus_messages_parse_or_are_malformed(
    path: Path, rnd: object
) -> None:
    lines = path.read_bytes().split(b"\r\n")
    count = min(len(lines), 30)
    picked = [rnd.randrange(len(lines)) for _ in range(count)]  # type: ignore[attr-defined]
    for i, j in zip(picked[::2], picked[1::2], strict=False):
        lines[i], lines[j] = lines[j], lines[i]
    lines[:0] = [lines[rnd.randrange(len(lines))] for _ in range(3)]  # type: ignore[attr-defined]
    check(b"\r\n".join(lines))


def test_every_corpus_message_parses_or_is_malformed_as_is() -> None:
    parsed = [check(path.read_bytes()) for path in CORPUS]
    # only the one that is no email at all, and the one whose sender was only in the SMTP envelope
    assert sum(message is None for message in parsed) == 2
