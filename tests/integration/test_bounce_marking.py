"""A delivery report about one of our replies is recorded on the reply's ticket, never answered, and
marks that reply undeliverable (outbox row and an `undeliverable` event that `tickets show` lists);
a delay notice, a second report or a forged one for a reply never sent marks nothing. The
per-recipient rate limit follows its two settings, so a naive responder cannot start a loop."""

from __future__ import annotations

from pathlib import Path

from worker_desk import REQUESTER, SUPPORT, Desk, email

from ventanilla.bot.views import ticket_detail
from ventanilla.store import outbox
from ventanilla.store import tickets as ticket_store

FIRST = "SAACG-2026-000001"


def report(about: str, *, action: str = "failed", status: str = "5.1.1", report_id: str = "dsn-1") -> bytes:
    """A bounce as Postfix writes it, returning the headers of the message `about`."""
    return (
        "From: Mail Delivery System <MAILER-DAEMON@mx.zapopan.gob.mx>\r\n"
        f"To: {SUPPORT}\r\nSubject: Undelivered Mail Returned to Sender\r\n"
        f"Message-ID: <{report_id}@mx.zapopan.gob.mx>\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="r"\r\n\r\n'
        "--r\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n"
        "--r\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.zapopan.gob.mx\r\n\r\n"
        f"Final-Recipient: rfc822; {REQUESTER}\r\nAction: {action}\r\nStatus: {status}\r\n"
        "Diagnostic-Code: smtp; 550 5.1.1 User unknown in virtual mailbox table\r\n\r\n"
        f"--r\r\nContent-Type: text/rfc822-headers\r\n\r\nFrom: {SUPPORT}\r\nTo: {REQUESTER}\r\n"
        f"Message-ID: <{about}>\r\nSubject: [Ticket#{FIRST}] RE: Error\r\n\r\n--r--\r\n"
    ).encode()


def acknowledged(desk: Desk, *, sent: bool = True) -> str:
    """A request answered by the desk; the reply's Message-ID (accepted by the relay when `sent`)."""
    desk.deliver(email())
    (ack,) = desk.outbox()
    if sent:
        with desk.app.sessions.begin() as session:
            outbox.mark_sent(session, ack.id, desk.clock.now())
    assert ack.message_id is not None
    return ack.message_id


def test_a_bounce_of_our_reply_marks_it_undeliverable_on_its_ticket(any_desk: Desk) -> None:
    desk = any_desk
    ours = acknowledged(desk)
    desk.clock.advance(minutes=3)
    desk.deliver(report(ours), mail_from="")

    (row,) = desk.outbox()  # nothing new queued: a bounce is never answered
    assert row.status == outbox.UNDELIVERABLE
    assert row.last_error is not None and "5.1.1" in row.last_error and "User unknown" in row.last_error
    assert desk.dead_letters() == []
    bounce = [m for m in desk.messages(FIRST) if m.direction == "in"][-1]
    assert bounce.automatic is not None and bounce.automatic.startswith("delivery report")
    with desk.app.sessions() as session:
        shown = ticket_detail(session, desk.app.box, ticket_store.get_ticket(session, FIRST))
    (event,) = [e for e in shown["events"] if e["kind"] == "undeliverable"]
    assert event["data"] == {
        "message_id": ours,
        "template": "acknowledgement",
        "recipient": REQUESTER,
        "status": "5.1.1",
        "diagnostic": "smtp; 550 5.1.1 User unknown in virtual mailbox table",
    }
    assert shown["state"] == "awaiting_info"  # the ticket itself is unchanged


def test_a_delay_notice_is_recorded_but_marks_nothing(desk: Desk) -> None:
    ours = acknowledged(desk)
    desk.deliver(report(ours, action="delayed", status="4.4.1"), mail_from="")
    assert [r.status for r in desk.outbox()] == [outbox.SENT]
    assert [e.kind for e in desk.events(FIRST)].count("undeliverable") == 0
    assert [m.automatic is not None for m in desk.messages(FIRST) if m.direction == "in"] == [False, True]


def test_a_second_report_of_the_same_reply_adds_no_second_event(desk: Desk) -> None:
    ours = acknowledged(desk)
    desk.deliver(report(ours, report_id="dsn-1"), mail_from="")
    desk.deliver(report(ours, report_id="dsn-2"), mail_from="")
    assert [e.kind for e in desk.events(FIRST)].count("undeliverable") == 1


def test_a_forged_report_about_a_reply_not_yet_sent_marks_nothing(desk: Desk) -> None:
    ours = acknowledged(desk, sent=False)
    desk.deliver(report(ours), mail_from="")
    assert [r.status for r in desk.outbox()] == [outbox.PENDING]
    assert [e.kind for e in desk.events(FIRST)].count("undeliverable") == 0


def test_a_report_about_mail_that_is_not_ours_is_a_dead_letter(desk: Desk) -> None:
    desk.deliver(report("ajeno-7@otro.example"), mail_from="")
    (letter,) = desk.dead_letters()
    assert letter["reason"].startswith("automatic mail not linked to any ticket (")
    assert desk.tickets() == [] and desk.outbox() == []


def test_a_naive_responder_gets_at_most_the_configured_replies_per_window(
    sqlite_url: str, tmp_path: Path
) -> None:
    # An autoresponder with no automatic marks at all answers every message of ours, in the thread.
    limits = {"max_auto_replies_per_recipient": 3, "auto_reply_window_minutes": 30}
    desk = Desk.open(sqlite_url, tmp_path / "data", outbound=limits)
    try:
        desk.deliver(email())
        for _ in range(8):
            last = desk.outbox()[-1]
            assert last.message_id is not None
            # it quotes the request back: a follow-up still missing data, which is answered
            desk.deliver(email(in_reply_to=last.message_id, subject=f"RE: {last.subject}"))
            desk.clock.advance(minutes=1)
        assert len(desk.outbox()) == 3  # then silence, however long it keeps answering
        assert len(desk.messages(FIRST)) >= 9  # every message of it is still kept on the ticket
        desk.clock.advance(minutes=31)
        desk.deliver(email("Le envío la licencia: SAACG-JAL-0457", in_reply_to=desk.outbox()[-1].message_id))
        assert len(desk.outbox()) == 4  # a new window: the requester is answered again
    finally:
        desk.close()
