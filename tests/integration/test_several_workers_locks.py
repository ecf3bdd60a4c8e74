"""Several workers on PostgreSQL: while another transaction holds a ticket (a second worker, or staff
correcting a field), a worker handling a message of the same ticket waits for it, then works on
what it committed — neither change is lost."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url
from worker_desk import DATA_REPLY, Desk, email

from ventanilla.store.schema import Ticket

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_desk(postgres_url: str, tmp_path: Path) -> Iterator[Desk]:
    opened = Desk.open(postgres_url, tmp_path / "data")
    try:
        yield opened
    finally:
        opened.close()


def _waiting_on_a_lock(url: str) -> bool:
    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn) as db:
        row = db.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock'"
        ).fetchone()
    return bool(row and row[0])


def test_a_message_waits_for_the_transaction_holding_its_ticket(pg_desk: Desk, postgres_url: str) -> None:
    pg_desk.deliver(email())
    ticket = pg_desk.only_ticket()
    ack = pg_desk.outbox()[0]
    assert ack.message_id is not None and ticket.fields.get("module") == "Contabilidad"

    holder = pg_desk.app.sessions()
    held = holder.get(Ticket, ticket.id, with_for_update=True)  # staff correcting the module
    assert held is not None
    held.fields = {**held.fields, "module": "Presupuesto"}
    holder.flush()

    follow_up = email(DATA_REPLY, subject=f"RE: {ack.subject}", in_reply_to=ack.message_id)
    worker = threading.Thread(target=pg_desk.deliver, args=(follow_up,))
    worker.start()
    try:
        deadline = threading.Event()
        for _ in range(600):  # up to ~30 s: the worker reaches the ticket and waits for it
            if _waiting_on_a_lock(postgres_url):
                break
            deadline.wait(0.05)
        else:
            raise AssertionError("the worker did not wait for the ticket held by another transaction")
    finally:
        holder.commit()
        holder.close()
        worker.join(timeout=60)

    fields = pg_desk.ticket(ticket.number).fields
    assert fields["module"] == "Presupuesto"  # the other transaction's change survived
    assert fields["licence"] == "SAACG-JAL-0457"  # and so did what the message brought
