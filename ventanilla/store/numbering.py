"""Ticket numbers `<prefix>-<year>-<serial>`: unique and gap-free per (prefix, year), also with
several workers, because the serial is taken from a counter row locked until the caller commits.

One statement does it on both back-ends:

    INSERT INTO ticket_counters (prefix, year, last_serial) VALUES (:p, :y, 1)
    ON CONFLICT (prefix, year) DO UPDATE SET last_serial = ticket_counters.last_serial + 1
    RETURNING last_serial

- PostgreSQL: the upsert takes the row lock of the counter (like `SELECT … FOR UPDATE`); a second
  transaction asking for a number waits on that lock until the first commits or rolls back, then
  reads the committed value. Rolling back undoes the increment, so no serial is lost.
- SQLite: `store.db.make_engine` starts every transaction with `BEGIN IMMEDIATE`, so one writer at
  a time holds the database's write lock from its first statement to its commit; the others wait
  (busy timeout). The same upsert then sees the last committed value.

Call it inside the transaction that creates the ticket: the number is consumed only if that
transaction commits.
"""

from __future__ import annotations

from sqlalchemy import Insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ventanilla.store.schema import TicketCounter

SERIAL_DIGITS = 6


def format_ticket_number(prefix: str, year: int, serial: int) -> str:
    """`SAACG-2026-000123`: the serial has at least six digits, more once it outgrows them."""
    return f"{prefix}-{year}-{serial:0{SERIAL_DIGITS}d}"


def next_ticket_number(session: Session, prefix: str, year: int) -> tuple[str, int]:
    """Take the next serial for (prefix, year) in the session's transaction; return (number, serial)."""
    values = {"prefix": prefix, "year": year, "last_serial": 1}
    stmt: Insert
    if session.get_bind().dialect.name == "postgresql":
        pg = postgresql.insert(TicketCounter).values(values)
        stmt = pg.on_conflict_do_update(
            index_elements=["prefix", "year"], set_={"last_serial": TicketCounter.last_serial + 1}
        )
    else:
        lite = sqlite.insert(TicketCounter).values(values)
        stmt = lite.on_conflict_do_update(
            index_elements=["prefix", "year"], set_={"last_serial": TicketCounter.last_serial + 1}
        )
    serial = session.execute(stmt.returning(TicketCounter.last_serial)).scalar_one()
    return format_ticket_number(prefix, year, serial), serial
