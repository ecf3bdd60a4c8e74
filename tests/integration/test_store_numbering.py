"""Ticket numbers: `<prefix>-<year>-<serial>`, unique and gap-free per year, also with concurrent
workers and rolled-back transactions."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from ventanilla.store.db import session_scope
from ventanilla.store.numbering import format_ticket_number, next_ticket_number
from ventanilla.store.schema import Ticket

AT = datetime(2026, 3, 4, 16, 0, tzinfo=UTC)
THREADS, PER_THREAD = 4, 25


def _open_ticket(session: Session, prefix: str = "SAACG", year: int = 2026) -> str:
    number, serial = next_ticket_number(session, prefix, year)
    session.add(
        Ticket(
            number=number,
            year=year,
            serial=serial,
            state="queued",
            channel="email",
            requester="a@x.mx",
            created_at=AT,
            updated_at=AT,
        )
    )
    session.flush()
    return number


def test_format() -> None:
    assert format_ticket_number("SAACG", 2026, 123) == "SAACG-2026-000123"
    assert format_ticket_number("SAACG", 2026, 1234567) == "SAACG-2026-1234567"


def test_numbers_count_per_year_and_prefix(session_factory: sessionmaker[Session]) -> None:
    with session_scope(session_factory) as session:
        got = [
            _open_ticket(session),
            _open_ticket(session),
            _open_ticket(session, year=2027),
            _open_ticket(session, prefix="MESA"),
            _open_ticket(session),
        ]
    assert got == [
        "SAACG-2026-000001",
        "SAACG-2026-000002",
        "SAACG-2027-000001",
        "MESA-2026-000001",
        "SAACG-2026-000003",
    ]


def test_a_rolled_back_number_is_handed_out_again(session_factory: sessionmaker[Session]) -> None:
    with session_scope(session_factory) as session:
        assert _open_ticket(session) == "SAACG-2026-000001"
    session = session_factory()
    try:
        assert _open_ticket(session) == "SAACG-2026-000002"
        session.rollback()
    finally:
        session.close()
    with session_scope(session_factory) as session:
        assert _open_ticket(session) == "SAACG-2026-000002"


def test_concurrent_workers_get_gap_free_unique_numbers(session_factory: sessionmaker[Session]) -> None:
    committed: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    start = threading.Barrier(THREADS)

    def worker(index: int) -> None:
        try:
            start.wait()
            for i in range(PER_THREAD):
                session = session_factory()
                try:
                    number = _open_ticket(session)
                    if (i + index) % 5 == 0:  # some transactions fail after taking a number
                        session.rollback()
                        continue
                    session.commit()
                    with lock:
                        committed.append(number)
                finally:
                    session.close()
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    expected = [format_ticket_number("SAACG", 2026, n) for n in range(1, THREADS * PER_THREAD * 4 // 5 + 1)]
    assert sorted(committed) == expected
    with session_scope(session_factory) as session:
        stored = session.scalars(select(Ticket.serial).order_by(Ticket.serial)).all()
    assert stored == list(range(1, len(expected) + 1))
