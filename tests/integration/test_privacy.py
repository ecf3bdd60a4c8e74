"""Privacy (PRODUCT.md section 6): a ticket's status and data go only to its requester (same
address). Whoever else asks — with the subject tag, inside the thread, from the CC, or dressed up
as the requester by display name or Reply-To — learns nothing: the answer is the one for a number
that does not exist, or no answer at all."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from worker_desk import REQUESTER, Desk, email

from ventanilla.store.schema import OutboxRow

SUBJECT = "Error al generar la balanza de comprobación"
STRANGER = "alguien@otro-municipio.gob.mx"
CC = "contralor@zapopan.gob.mx"
NONEXISTENT = "SAACG-2026-000999"
QUESTION = "Buenas tardes, ¿me podrían informar el estatus del ticket {}? Gracias."
# What a status reply tells about the ticket, none of which a stranger may read.
TICKET_DETAILS = ("Juan", "Contabilidad", "técnic", "licencia", "awaiting", "espera")


@pytest.fixture
def desk(lite_desk: Desk) -> Iterator[Desk]:
    lite_desk.deliver(email(cc=[CC]))
    yield lite_desk


def _number(desk: Desk) -> str:
    return desk.tickets()[0].number


def _to(desk: Desk, recipient: str) -> list[OutboxRow]:
    return [row for row in desk.outbox() if row.recipient.lower() == recipient.lower()]


def _unknown_answer(desk: Desk, sender: str, number: str) -> str:
    """The text a stranger gets when asking about `number`, with the number itself blanked."""
    row = _to(desk, sender)[-1]
    assert row.template == "status_unknown"
    return row.body_text.replace(number, "N")


def test_a_stranger_using_the_subject_tag_learns_what_a_nonexistent_number_tells(desk: Desk) -> None:
    number = _number(desk)
    incoming_before = len(desk.messages(number))
    desk.deliver(
        email(QUESTION.format(number), sender=STRANGER, subject=f"RE: [Ticket#{number}] {SUBJECT}"),
        mail_from=STRANGER,
    )
    foreign = _unknown_answer(desk, STRANGER, number)
    desk.deliver(
        email(QUESTION.format(NONEXISTENT), sender=STRANGER, subject=f"RE: [Ticket#{NONEXISTENT}] Estatus"),
        mail_from=STRANGER,
    )
    assert foreign == _unknown_answer(desk, STRANGER, NONEXISTENT)
    assert not any(detail in foreign for detail in TICKET_DETAILS)
    assert len(desk.messages(number)) == incoming_before  # nothing joined the requester's ticket
    assert all(row.ticket_id is None or row.recipient == REQUESTER for row in desk.outbox())


def test_a_stranger_asking_inside_the_thread_gets_no_answer(desk: Desk) -> None:
    number = _number(desk)
    ack = desk.outbox()[0]
    assert ack.message_id is not None
    replies_before = len(desk.outbox())
    desk.deliver(
        email(
            QUESTION.format(number), sender=STRANGER, subject=f"RE: {ack.subject}", in_reply_to=ack.message_id
        ),
        mail_from=STRANGER,
    )
    assert _to(desk, STRANGER) == []
    assert len(desk.outbox()) == replies_before  # kept for staff, answered to no one


def test_someone_on_the_cc_asking_for_the_status_is_not_told(desk: Desk) -> None:
    number = _number(desk)
    desk.deliver(
        email(QUESTION.format(number), sender=CC, subject=f"RE: [Ticket#{number}] {SUBJECT}"), mail_from=CC
    )
    assert [m.direction for m in desk.messages(number)][-1] == "in"  # joined: staff see it
    assert _to(desk, CC) == []


@pytest.mark.parametrize("disguise", ["display name", "reply-to", "envelope sender"])
def test_a_stranger_dressed_as_the_requester_is_answered_as_a_stranger(desk: Desk, disguise: str) -> None:
    number = _number(desk)
    sender = f"Juan Pérez <{STRANGER}>" if disguise == "display name" else STRANGER
    raw = email(
        QUESTION.format(number),
        sender=sender,
        subject="Estatus",
        reply_to=REQUESTER if disguise == "reply-to" else None,
    )
    desk.deliver(raw, mail_from=REQUESTER if disguise == "envelope sender" else STRANGER)
    assert [row.template for row in _to(desk, REQUESTER)] == ["acknowledgement"]  # nothing new
    assert [row.template for row in _to(desk, STRANGER)] == ["status_unknown"]


def test_the_requester_is_told_whatever_the_case_of_the_address(desk: Desk) -> None:
    number = _number(desk)
    desk.deliver(email(QUESTION.format(number), sender=REQUESTER.upper(), subject="Estatus"))
    status = desk.outbox()[-1]
    assert status.template == "status" and status.recipient.lower() == REQUESTER
    assert number in status.body_text
