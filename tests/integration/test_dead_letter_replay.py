"""A dead letter can be queued again after a fix: it leaves the dead letters and goes through the
worker like a new arrival (here a mail that was automatic is now taken as a request)."""

from __future__ import annotations

from worker_desk import TECHNICAL, Desk, email

from ventanilla.store.db import session_scope
from ventanilla.store.dead_letters import replay_dead_letter


def test_a_replayed_dead_letter_is_handled_again(desk: Desk) -> None:
    raw = email(TECHNICAL, subject="Respuesta automática: error al generar la balanza")
    desk.deliver(raw)
    (letter,) = desk.dead_letters()
    assert "automatic" in letter["reason"]
    assert desk.tickets() == []

    with session_scope(desk.app.sessions) as session:
        raw_id = replay_dead_letter(session, letter["id"])
    assert desk.dead_letters() == []
    assert desk.raw(raw_id).status == "pending"

    desk.worker.process_pending()
    (letter_again,) = desk.dead_letters()  # still automatic: a new, explained dead letter
    assert letter_again["source_id"] == letter["source_id"]
    assert desk.raw(raw_id).status == "dead"
