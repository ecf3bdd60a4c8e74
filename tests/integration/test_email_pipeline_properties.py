"""Mutations of the torture corpus through the whole worker pipeline (parse, screen, classify, store,
decide) on a real store: every message ends processed (a ticket event) or as a dead letter with its
reason, never as an internal error, and automatic mail is never answered."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from worker_desk import Desk

from ventanilla.store import intake

CORPUS = sorted((Path(__file__).resolve().parents[1] / "data" / "mail").glob("*.eml"))
INSERTS = st.sampled_from(
    [b"\r\n", b"\x00", b"--B\r\n", b"\r\n\r\n", b"=?utf-8?q?=0D=0ABcc:_x@y.z?=", b"=ZZ", b"\xff\xfe", b"<>",
     b"Auto-Submitted: auto-replied\r\n", b"Content-Type: multipart/report; boundary=r\r\n"]
)  # fmt: skip


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    st.lists(
        st.tuples(
            st.sampled_from(CORPUS),
            st.integers(0, 1 << 20),
            st.integers(0, 300),
            st.lists(st.one_of(INSERTS, st.binary(max_size=24)), max_size=3),
            st.sampled_from([None, "", "persona@ente.gob.mx"]),
        ),
        min_size=1,
        max_size=4,
    )
)
def test_mutated_corpus_mail_is_always_accounted_for(
    lite_desk: Desk, batch: list[tuple[Path, int, int, list[bytes], str | None]]
) -> None:
    desk = lite_desk  # one desk for every example: what earlier ones left only adds threads to join
    letters_before = len(desk.dead_letters())
    raw_ids = []
    for path, at, cut, insert, mail_from in batch:
        base = path.read_bytes()
        at %= len(base) + 1
        raw_ids.append(desk.deliver(base[:at] + b"".join(insert) + base[at + cut :], mail_from=mail_from))
    statuses = [desk.raw(raw_id).status for raw_id in raw_ids]
    assert set(statuses) <= {intake.PROCESSED, intake.DEAD}, statuses
    letters = desk.dead_letters()
    assert len(letters) - letters_before == statuses.count(intake.DEAD)
    assert not [d["reason"] for d in letters if d["reason"].startswith("internal error")]
    answered = {row.recipient for row in desk.outbox()}
    for ticket in desk.tickets():
        messages = desk.messages(ticket.number)
        people = {m.headers.get("from") for m in messages if m.direction == "in" and not m.automatic}
        for message in messages:
            sender = (message.headers or {}).get("from")
            if message.direction == "in" and message.automatic and sender not in people:
                assert sender not in answered, (sender, message.automatic)
