"""`ventanilla serve` as a user meets it: a Spanish technical request sent by SMTP gets within
seconds a reply naming the ticket and asking only for what is missing; answering it with the data
queues the ticket and gets the confirmation; a kill -9 between the 250 and the reply loses nothing
and the reply goes out once; SIGTERM drains and exits 0."""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import make_msgid
from pathlib import Path

import pytest
from conftest import (
    REQUEST,
    REQUESTER,
    SUPPORT,
    Relay,
    Serve,
    free_port,
    pending_counts,
    run_cli,
    send_mail,
    wait_until,
    write_config,
)

DATA = """Buen día, le envío los datos que me solicitan:

Número de licencia: SAACG-JAL-0457
ID de TeamViewer: 1 234 567 890
Contraseña de TeamViewer: 8jk2m4

Saludos
Juan Pérez
"""
PASSWORD = "8jk2m4"
TICKET = re.compile(r"\[Ticket#(SAACG-\d{4}-\d{6})\]")


def _mail(body: str, subject: str, in_reply_to: str | None = None) -> tuple[bytes, str]:
    msg = EmailMessage(policy=SMTP)
    msg["From"] = f"Juan Pérez <{REQUESTER}>"
    msg["To"] = SUPPORT
    msg["Subject"] = subject
    msg["Message-ID"] = make_msgid(domain="zapopan.gob.mx")
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
        msg["References"] = in_reply_to
    msg.set_content(body)
    return msg.as_bytes(), str(msg["Message-ID"])


def _text(reply: EmailMessage) -> str:
    part = reply.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


def test_request_acknowledged_then_completed_by_the_users_answer(
    tmp_path: Path, relay: Relay, start_serve: Callable[[Path, int], Serve], store_url: str
) -> None:
    # On SQLite (the default) and on PostgreSQL (by URL), as a deployment would choose.
    port = free_port()
    config = write_config(tmp_path, port, relay.port, f'\n[store]\nurl = "{store_url}"\n')
    serve = start_serve(config, port)

    request, request_id = _mail(REQUEST, "Error al generar la balanza de comprobación")
    code, _ = send_mail(port, request, REQUESTER)
    assert code == 250
    (ack,) = relay.wait_for(1)
    tag = TICKET.search(str(ack["Subject"]))
    assert tag is not None, ack["Subject"]
    number = tag.group(1)
    assert ack["X-Envelope-To"] == REQUESTER and ack["To"] == REQUESTER
    assert ack["Auto-Submitted"] == "auto-replied"
    assert ack["In-Reply-To"] == request_id
    text = _text(ack)
    assert number in text
    assert "licencia" in text.lower() and "TeamViewer" in text
    for given in ("Módulo", "Versión", "Teléfono", "Cargo"):
        assert given not in text  # asked only for what is missing

    answer, answer_id = _mail(DATA, f"RE: {ack['Subject']}", in_reply_to=str(ack["Message-ID"]))
    code, _ = send_mail(port, answer, REQUESTER)
    assert code == 250
    confirmation = relay.wait_for(2)[1]
    assert confirmation["In-Reply-To"] == answer_id
    assert TICKET.search(str(confirmation["Subject"])).group(1) == number  # type: ignore[union-attr]
    assert number in _text(confirmation)
    for reply in relay.received:
        assert PASSWORD not in reply.as_string()

    shown = run_cli(config, "tickets", "show", number, "--json")
    assert shown.returncode == 0, shown.stderr
    assert PASSWORD not in shown.stdout  # masked without --reveal
    ticket = json.loads(shown.stdout)
    assert ticket["number"] == number
    assert ticket["state"] == "queued"
    assert ticket["label"] == "technical"
    assert ticket["missing"] == []
    assert ticket["fields"]["licence"] == "SAACG-JAL-0457"
    assert ticket["fields"]["teamviewer_id"] == "1234567890"
    assert ticket["fields"]["module"] == "Contabilidad"
    messages = ticket["messages"]
    assert [m["direction"] for m in messages] == ["in", "out", "in", "out"]
    assert [m["template"] for m in messages if m["direction"] == "out"] == [
        "acknowledgement",
        "data_complete",
    ]
    assert messages[0]["source_id"] == request_id.strip("<>")
    assert messages[1]["source_id"] == str(ack["Message-ID"]).strip("<>")

    assert serve.stop() == 0  # SIGTERM: drains and exits 0


@pytest.mark.parametrize("moment", ["right after the 250", "after the relay refused the reply"])
def test_kill_9_between_250_and_reply_loses_nothing_and_replies_once(
    tmp_path: Path, relay: Relay, start_serve: Callable[[Path, int], Serve], moment: str
) -> None:
    port = free_port()
    # short back-off so the restarted desk retries at once
    config = write_config(
        tmp_path, port, relay.port, "retry_initial_seconds = 0.2\nretry_max_seconds = 0.5\n"
    )
    relay.handler.refuse = True  # the reply cannot leave: it stays in the outbox
    serve = start_serve(config, port)
    request, request_id = _mail(REQUEST, "Error al generar la balanza de comprobación")
    code, _ = send_mail(port, request, REQUESTER)
    assert code == 250
    if moment == "after the relay refused the reply":
        wait_until(lambda: relay.handler.refused >= 1, "the relay to refuse the reply")
    serve.kill()

    relay.handler.refuse = False
    restarted = start_serve(config, port)
    relay.wait_for(1)
    database = tmp_path / "data" / "ventanilla.db"
    wait_until(lambda: pending_counts(database) == (0, 0), "the intake queue and the outbox to empty")
    assert restarted.stop() == 0

    replies = [r for r in relay.received if r["In-Reply-To"] == request_id]
    assert len(replies) == 1, [r["Subject"] for r in relay.received]
    assert len(relay.received) == 1
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT count(*) FROM tickets").fetchone() == (1,)
        assert db.execute("SELECT count(*) FROM raw_messages").fetchone() == (1,)
        assert db.execute("SELECT status FROM raw_messages").fetchone() == ("processed",)
        assert db.execute("SELECT count(*) FROM messages WHERE direction = 'in'").fetchone() == (1,)
        assert db.execute("SELECT count(*), min(status) FROM outbox").fetchone() == (1, "sent")
        assert db.execute("SELECT count(*) FROM dead_letters").fetchone() == (0,)
    db.close()
