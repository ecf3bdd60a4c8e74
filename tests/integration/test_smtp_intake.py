"""The SMTP intake edge over a real socket: RCPT only for the support addresses (550 5.1.1), over-size
mail refused (552, SIZE advertised), the raw bytes committed before 250, 451 when the store fails,
the null sender accepted."""

from __future__ import annotations

import asyncio
import smtplib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ventanilla.bot.clock import FrozenClock
from ventanilla.bot.errors import StoreUnavailable
from ventanilla.intake.smtp import IntakeHandler, RawSink, start_smtp_server
from ventanilla.store.crypto import SecretBox
from ventanilla.store.db import make_engine, make_session_factory
from ventanilla.store.intake import PENDING, raw_bytes, store_raw
from ventanilla.store.schema import RawMessage

SUPPORT = "soporte@saacg.example"
MAX_BYTES = 4096
MAIL = (
    b"From: Juan Perez <juan.perez@zapopan.gob.mx>\r\n"
    b"To: soporte@saacg.example\r\n"
    b"Subject: Error al timbrar\r\n"
    b"Message-ID: <intake-1@zapopan.gob.mx>\r\n"
    b"\r\n"
    b"Buenos dias, al timbrar la nomina aparece un error.\r\n"
)
T = TypeVar("T")


@dataclass
class RecordingSink:
    """A fake store: keeps what it was given, or fails like the real one when told to."""

    failure: Exception | None = None
    stored: list[dict[str, Any]] = field(default_factory=list)

    def __call__(
        self,
        *,
        source: str,
        source_id: str | None,
        data: bytes,
        envelope: dict[str, Any],
        received_at: datetime,
    ) -> int:
        if self.failure is not None:
            raise self.failure
        self.stored.append({"source": source, "data": data, "envelope": envelope, "at": received_at})
        return len(self.stored)


@dataclass
class Intake:
    port: int
    stored_ids: list[int]

    async def talk(self, conversation: Callable[[smtplib.SMTP], T]) -> T:
        """Run a blocking smtplib conversation against the server (in a thread: the server runs
        on this test's event loop)."""

        def run() -> T:
            with smtplib.SMTP("127.0.0.1", self.port, timeout=10) as client:
                return conversation(client)

        return await asyncio.to_thread(run)


async def _start(sink: RawSink) -> tuple[asyncio.Server, Intake]:
    stored: list[int] = []
    handler = IntakeHandler(
        addresses=[SUPPORT, "Ayuda@SAACG.example"],
        max_message_bytes=MAX_BYTES,
        sink=sink,
        clock=FrozenClock(),
        on_stored=stored.append,
    )
    server = await start_smtp_server(handler, "127.0.0.1", 0)
    port = int(server.sockets[0].getsockname()[1])
    return server, Intake(port, stored)


async def _stop(server: asyncio.Server) -> None:
    server.close()
    await server.wait_closed()


@pytest.fixture
def sink() -> RecordingSink:
    return RecordingSink()


@pytest.fixture
async def intake(sink: RecordingSink) -> AsyncIterator[Intake]:
    server, running = await _start(sink)
    try:
        yield running
    finally:
        await _stop(server)


def _send(client: smtplib.SMTP, sender: str, rcpts: list[str], data: bytes) -> list[tuple[int, bytes]]:
    """MAIL, RCPT…, DATA step by step; returns every (code, text) the server answered."""
    client.ehlo("cliente.zapopan.gob.mx")
    answers = [client.mail(sender)]
    answers += [client.rcpt(r) for r in rcpts]
    if any(code == 250 for code, _ in answers[1:]):
        try:
            answers.append(client.data(data))
        except smtplib.SMTPDataError as exc:
            answers.append((exc.smtp_code, exc.smtp_error))
    return answers


async def test_support_address_accepted_and_stored(intake: Intake, sink: RecordingSink) -> None:
    answers = await intake.talk(lambda c: _send(c, "juan.perez@zapopan.gob.mx", [SUPPORT], MAIL))
    assert [code for code, _ in answers] == [250, 250, 250]
    assert sink.stored[0]["data"].replace(b"\r\n", b"\n") == MAIL.replace(b"\r\n", b"\n")
    assert sink.stored[0]["source"] == "smtp"
    assert sink.stored[0]["envelope"]["mail_from"] == "juan.perez@zapopan.gob.mx"
    assert sink.stored[0]["envelope"]["rcpt_tos"] == [SUPPORT]
    assert intake.stored_ids == [1]  # the worker is woken once per stored message


async def test_support_addresses_match_case_insensitively(intake: Intake, sink: RecordingSink) -> None:
    answers = await intake.talk(
        lambda c: _send(c, "a@b.mx", ["SOPORTE@saacg.EXAMPLE", "ayuda@saacg.example"], MAIL)
    )
    assert [code for code, _ in answers] == [250, 250, 250, 250]
    assert len(sink.stored) == 1


async def test_unknown_recipient_is_550_5_1_1(intake: Intake, sink: RecordingSink) -> None:
    answers = await intake.talk(lambda c: _send(c, "a@b.mx", ["ventas@saacg.example"], MAIL))
    code, text = answers[1]
    assert code == 550
    assert text.startswith(b"5.1.1")
    assert sink.stored == []


async def test_unknown_recipient_among_known_ones_only_that_one_refused(
    intake: Intake, sink: RecordingSink
) -> None:
    answers = await intake.talk(lambda c: _send(c, "a@b.mx", ["otro@x.mx", SUPPORT], MAIL))
    assert [code for code, _ in answers] == [250, 550, 250, 250]
    assert sink.stored[0]["envelope"]["rcpt_tos"] == [SUPPORT]


async def test_size_is_advertised_and_a_declared_oversize_is_552(intake: Intake, sink: RecordingSink) -> None:
    def conversation(client: smtplib.SMTP) -> tuple[str | None, tuple[int, bytes]]:
        client.ehlo("x")
        return client.esmtp_features.get("size"), client.mail("a@b.mx", [f"SIZE={MAX_BYTES * 2}"])

    advertised, (code, _text) = await intake.talk(conversation)
    assert advertised == str(MAX_BYTES)
    assert code == 552
    assert sink.stored == []


async def test_oversize_data_is_552_and_not_stored(intake: Intake, sink: RecordingSink) -> None:
    big = MAIL + b"una linea de texto del cuerpo del mensaje\r\n" * (MAX_BYTES // 40 + 5)
    answers = await intake.talk(lambda c: _send(c, "a@b.mx", [SUPPORT], big))
    assert answers[-1][0] == 552
    assert sink.stored == []


async def test_null_sender_is_accepted(intake: Intake, sink: RecordingSink) -> None:
    answers = await intake.talk(lambda c: _send(c, "<>", [SUPPORT], MAIL))
    assert [code for code, _ in answers] == [250, 250, 250]
    assert sink.stored[0]["envelope"]["mail_from"] == ""  # the worker screens it as automatic


async def test_8bit_and_smtputf8_mail_is_stored_byte_for_byte(intake: Intake, sink: RecordingSink) -> None:
    mail = (
        MAIL.replace(b"Error al timbrar", "Configuración de pólizas".encode()) + "Año fiscal: ñ\r\n".encode()
    )

    def conversation(client: smtplib.SMTP) -> tuple[int, bytes]:
        client.ehlo("x")
        assert client.has_extn("smtputf8") and client.has_extn("8bitmime")
        client.mail("josé@zapopan.gob.mx", ["SMTPUTF8", "BODY=8BITMIME"])
        client.rcpt(SUPPORT)
        return client.data(mail)

    code, _text = await intake.talk(conversation)
    assert code == 250
    assert sink.stored[0]["data"].replace(b"\r\n", b"\n") == mail.replace(b"\r\n", b"\n")


@pytest.mark.parametrize(
    "failure", [StoreUnavailable("database is locked"), RuntimeError("disk full")], ids=["store", "bug"]
)
async def test_store_failure_is_451_and_the_session_goes_on(failure: Exception) -> None:
    sink = RecordingSink(failure=failure)
    server, intake = await _start(sink)
    try:

        def conversation(client: smtplib.SMTP) -> list[tuple[int, bytes]]:
            first = _send(client, "a@b.mx", [SUPPORT], MAIL)
            sink.failure = None  # the store is back: the sender's retry on the same connection
            client.rset()
            return first + _send(client, "a@b.mx", [SUPPORT], MAIL)

        answers = await intake.talk(conversation)
    finally:
        await _stop(server)
    assert answers[2][0] == 451
    assert answers[2][1].startswith(b"4.3.0")
    assert answers[-1][0] == 250
    assert len(sink.stored) == 1
    assert intake.stored_ids == [1]


async def test_raw_bytes_are_committed_before_250(
    session_factory: sessionmaker[Session], secret_box: SecretBox
) -> None:
    sink = _real_sink(session_factory, secret_box)
    server, intake = await _start(sink)
    try:
        answers = await intake.talk(lambda c: _send(c, "juan.perez@zapopan.gob.mx", [SUPPORT], MAIL))
    finally:
        await _stop(server)
    assert answers[-1][0] == 250
    raw_id = int(answers[-1][1].split()[-1])  # "250 2.0.0 OK queued as <id>"
    with session_factory() as session:  # a fresh session sees the committed row
        row = session.get(RawMessage, raw_id)
        assert row is not None and row.status == PENDING
        assert raw_bytes(secret_box, row).replace(b"\r\n", b"\n") == MAIL.replace(b"\r\n", b"\n")
        assert row.data != raw_bytes(secret_box, row)  # encrypted at rest
        assert row.envelope["rcpt_tos"] == [SUPPORT]


async def test_unreachable_database_is_451_and_nothing_is_lost(
    session_factory: sessionmaker[Session], secret_box: SecretBox, unused_tcp_port: int
) -> None:
    down = make_engine(f"postgresql+psycopg://postgres@127.0.0.1:{unused_tcp_port}/nothing")
    try:
        server, intake = await _start(_real_sink(make_session_factory(down), secret_box))
        try:
            refused = await intake.talk(lambda c: _send(c, "a@b.mx", [SUPPORT], MAIL))
        finally:
            await _stop(server)
    finally:
        down.dispose()
    assert refused[-1][0] == 451
    with session_factory() as session:
        assert session.scalars(select(RawMessage)).all() == []
    # the sender retries later against a store that works: accepted then
    server, intake = await _start(_real_sink(session_factory, secret_box))
    try:
        accepted = await intake.talk(lambda c: _send(c, "a@b.mx", [SUPPORT], MAIL))
    finally:
        await _stop(server)
    assert accepted[-1][0] == 250
    with session_factory() as session:
        assert len(session.scalars(select(RawMessage)).all()) == 1


def _real_sink(factory: sessionmaker[Session], box: SecretBox) -> RawSink:
    def sink(
        *, source: str, source_id: str | None, data: bytes, envelope: dict[str, Any], received_at: datetime
    ) -> int:
        return store_raw(
            factory,
            box,
            source=source,
            source_id=source_id,
            data=data,
            envelope=envelope,
            received_at=received_at,
        )

    return sink
