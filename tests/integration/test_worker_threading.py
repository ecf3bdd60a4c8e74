"""Threading of incoming email (PRODUCT.md section 2), in order: our Message-IDs in In-Reply-To or
References; the subject tag, accepted only from the requester or someone on the ticket's CC; else a
new ticket. Reply/forward prefixes never get in the way, and replies to closed tickets reopen them
within the window, else open a linked ticket."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from worker_desk import DATA_REPLY, REQUESTER, Desk, email, message_id_of

from ventanilla.store import tickets as ticket_store
from ventanilla.store.db import session_scope

FIRST = "SAACG-2026-000001"
TAG = f"[Ticket#{FIRST}]"
SUBJECT = "Error al generar la balanza de comprobación"
CC = "contralor@zapopan.gob.mx"
STRANGER = "alguien@otro-municipio.gob.mx"
FOLLOW_UP = "Les comento que el error sigue apareciendo también en el reporte de estado de actividades."


@pytest.fixture
def desk(sqlite_url: str, tmp_path: Path) -> Iterator[Desk]:
    opened = Desk.open(sqlite_url, tmp_path / "data")
    try:
        opened.deliver(email(cc=[CC]))
        yield opened
    finally:
        opened.close()


def _ack_id(desk: Desk) -> str:
    ack = desk.outbox()[0]
    assert ack.template == "acknowledgement" and ack.message_id is not None
    return ack.message_id


def _numbers(desk: Desk) -> list[str]:
    return [t.number for t in desk.tickets()]


def _incoming_on(desk: Desk, number: str) -> int:
    return sum(1 for m in desk.messages(number) if m.direction == "in")


def test_our_message_id_in_in_reply_to_threads_whatever_the_subject(desk: Desk) -> None:
    desk.deliver(email(FOLLOW_UP, subject="otra cosa", in_reply_to=_ack_id(desk)))
    assert _numbers(desk) == [FIRST]
    assert _incoming_on(desk, FIRST) == 2


def test_our_message_id_only_in_references_threads(desk: Desk) -> None:
    desk.deliver(
        email(
            FOLLOW_UP, subject="sin etiqueta", in_reply_to="x@otro.mx", references=["y@a.mx", _ack_id(desk)]
        )
    )
    assert _numbers(desk) == [FIRST]
    assert _incoming_on(desk, FIRST) == 2


def test_reference_to_the_requesters_first_message_threads(desk: Desk) -> None:
    first_in = desk.messages(FIRST)[0].source_id
    assert first_in is not None
    desk.deliver(email(FOLLOW_UP, subject="Olvidé decirles", references=[first_in]))
    assert _numbers(desk) == [FIRST]


@pytest.mark.parametrize(
    "subject",
    [
        f"RE: {TAG} RE: {SUBJECT}",
        f"RE: RV: Fwd: {TAG} RE: {SUBJECT}",
        f"Rv: re: [ticket#saacg-2026-1] {SUBJECT}",
        f"{TAG}",
    ],
)
def test_subject_tag_from_the_requester_threads(desk: Desk, subject: str) -> None:
    desk.deliver(email(DATA_REPLY, subject=subject))
    assert _numbers(desk) == [FIRST]
    ticket = desk.only_ticket()
    assert ticket.state == "queued"
    confirmation = desk.outbox()[-1]
    assert confirmation.template == "data_complete"
    assert confirmation.subject in (f"{TAG} RE: {SUBJECT}", f"{TAG} {confirmation.subject[len(TAG) + 1 :]}")
    assert confirmation.subject.count("[Ticket#") == 1
    assert "RE: RE:" not in confirmation.subject and "RV:" not in confirmation.subject


def test_reply_subject_keeps_one_tag_and_one_prefix_over_many_round_trips(desk: Desk) -> None:
    subject = desk.outbox()[0].subject
    for n in range(3):
        desk.deliver(email(f"{FOLLOW_UP} ({n})", subject=f"RE: {subject}"))
        subject = desk.outbox()[-1].subject
        assert subject == f"{TAG} RE: {SUBJECT}"


def test_subject_tag_from_someone_on_the_cc_threads(desk: Desk) -> None:
    desk.deliver(email(FOLLOW_UP, sender=CC, subject=f"RE: {TAG} RE: {SUBJECT}"), mail_from=CC)
    assert _numbers(desk) == [FIRST]
    assert _incoming_on(desk, FIRST) == 2
    # Joined, but not answered: what a reply would say (the ticket's state, what is missing) is
    # told only to the requester; staff see the message.
    assert all(row.recipient == REQUESTER for row in desk.outbox())


def test_subject_tag_from_a_stranger_opens_a_new_ticket(desk: Desk) -> None:
    desk.deliver(
        email(
            "Buen día, en el módulo de Nómina no puedo timbrar los recibos de la quincena, marca error "
            "de certificado. Tenemos la versión 2026.",
            sender=STRANGER,
            subject=f"RE: {TAG} RE: {SUBJECT}",
        ),
        mail_from=STRANGER,
    )
    assert _numbers(desk) == [FIRST, "SAACG-2026-000002"]
    assert _incoming_on(desk, FIRST) == 1  # nothing of the stranger's joined the first ticket
    second = desk.tickets()[1]
    assert second.requester == STRANGER
    reply = desk.outbox()[-1]
    assert reply.recipient == STRANGER and reply.ticket_id == second.id
    assert reply.subject.startswith("[Ticket#SAACG-2026-000002]")
    assert FIRST not in reply.subject


def test_no_threading_clue_opens_a_new_ticket(desk: Desk) -> None:
    desk.deliver(email(FOLLOW_UP, subject=SUBJECT))  # same subject, no tag, no references
    assert _numbers(desk) == [FIRST, "SAACG-2026-000002"]


def test_reply_to_a_closed_ticket_reopens_it_within_the_window(desk: Desk) -> None:
    _close(desk, FIRST)
    desk.clock.advance(days=5)
    desk.deliver(email(FOLLOW_UP, subject=f"RE: {TAG} RE: {SUBJECT}", in_reply_to=_ack_id(desk)))
    assert _numbers(desk) == [FIRST]
    ticket = desk.only_ticket()
    assert ticket.state in ("awaiting_info", "queued")
    assert desk.outbox()[-1].template == "reopened"
    assert "reopen" in [e.kind for e in desk.events(FIRST)]


def test_reply_to_a_ticket_closed_long_ago_opens_a_linked_ticket(desk: Desk) -> None:
    _close(desk, FIRST)
    desk.clock.advance(days=31)
    desk.deliver(email(FOLLOW_UP, subject=f"RE: {TAG} RE: {SUBJECT}", in_reply_to=_ack_id(desk)))
    first, second = desk.tickets()
    assert first.state == "closed"
    assert second.number == "SAACG-2026-000002"
    assert second.linked_ticket_id == first.id
    assert desk.outbox()[-1].template == "acknowledgement"


def test_references_are_our_ids_not_the_senders_guess(desk: Desk) -> None:
    """A message whose References name a Message-ID we never issued nor received is new."""
    raw = email(FOLLOW_UP, subject="Consulta", references=["nunca-visto@saacg.example"])
    desk.deliver(raw)
    assert _numbers(desk) == [FIRST, "SAACG-2026-000002"]
    assert desk.outbox()[-1].headers["In-Reply-To"] == f"<{message_id_of(raw)}>"
    assert desk.outbox()[-1].recipient == REQUESTER


def _close(desk: Desk, number: str) -> None:
    with session_scope(desk.app.sessions) as session:
        ticket = ticket_store.get_ticket(session, number)
        ticket_store.set_state(session, ticket, "closed", at=desk.clock.now(), actor="staff:ana")


def test_a_stranger_in_the_thread_is_kept_but_changes_nothing_and_gets_no_reply(desk: Desk) -> None:
    # Someone outside the ticket quotes the requester's message: kept for staff, never answered
    # (a reply would tell them the ticket's status), and their data never replaces the ticket's.
    first_in = desk.messages(FIRST)[0].source_id
    assert first_in is not None
    replies_before = len(desk.outbox())
    state_before = desk.only_ticket().state
    intruder = "¿Alguna respuesta?\nContraseña de TeamViewer: zz99evil\nLicencia SAACG-ZZZ-9999"
    desk.deliver(
        email(intruder, sender=STRANGER, subject="RE: balanza", references=[first_in]), mail_from=STRANGER
    )
    ticket = desk.only_ticket()
    assert [m.direction for m in desk.messages(FIRST)][-1] == "in"
    assert len(desk.outbox()) == replies_before
    assert ticket.state == state_before
    assert "licence" not in ticket.fields
    assert "zz99evil" not in desk.secrets(FIRST).values()


def test_someone_on_the_cc_may_send_data_but_is_not_answered(desk: Desk) -> None:
    replies_before = len(desk.outbox())
    desk.deliver(email(DATA_REPLY, sender=CC, subject=f"RE: {TAG} RE: {SUBJECT}"), mail_from=CC)
    ticket = desk.only_ticket()
    assert ticket.fields["licence"] == "SAACG-JAL-0457"
    assert len(desk.outbox()) == replies_before
