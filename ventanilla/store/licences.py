"""The licence register: imported from CSV (`licence,entity,type,updates_until,holder_name,
holder_email`), validated whole before anything is written, and looked up by licence number."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ventanilla.bot.errors import InvalidInput
from ventanilla.classifier.entity_names import same_entity
from ventanilla.store.schema import Licence

HEADER = ("licence", "entity", "type", "updates_until", "holder_name", "holder_email")
TYPES = ("purchased", "trial")


@dataclass(frozen=True)
class LicenceRow:
    licence: str
    entity: str
    type: str
    updates_until: date
    holder_name: str
    holder_email: str


def normalise_licence(value: str) -> str:
    """Licence numbers are compared trimmed and upper-case."""
    return value.strip().upper()


def parse_csv(text: str) -> list[LicenceRow]:
    """The rows of a licence CSV; InvalidInput names the line (1 = header) of the first bad row."""
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise InvalidInput("licence CSV is empty; expected the header " + ",".join(HEADER))
    reader = csv.reader(io.StringIO(text))
    header = next(reader)
    if tuple(h.strip().lower() for h in header) != HEADER:
        raise InvalidInput(
            f"line {reader.line_num}: header must be {','.join(HEADER)}, got {','.join(header)}"
        )
    rows: dict[str, LicenceRow] = {}
    for cells in reader:
        line = reader.line_num
        if not any(c.strip() for c in cells):
            continue
        row = _parse_row(cells, line)
        if row.licence in rows:
            raise InvalidInput(f"line {line}: licence {row.licence} appears twice")
        rows[row.licence] = row
    return list(rows.values())


def _parse_row(cells: list[str], line: int) -> LicenceRow:
    if len(cells) != len(HEADER):
        raise InvalidInput(f"line {line}: expected {len(HEADER)} columns, got {len(cells)}")
    licence, entity, kind, until, name, email = (c.strip() for c in cells)
    if not licence:
        raise InvalidInput(f"line {line}: licence is empty")
    if not entity:
        raise InvalidInput(f"line {line}: entity is empty")
    if kind.lower() not in TYPES:
        raise InvalidInput(f"line {line}: type must be purchased or trial, got {kind!r}")
    try:
        updates_until = date.fromisoformat(until)
    except ValueError:
        raise InvalidInput(f"line {line}: updates_until {until!r} is not an ISO date (YYYY-MM-DD)") from None
    if email and ("@" not in email or any(c.isspace() for c in email)):
        raise InvalidInput(f"line {line}: holder_email {email!r} is not an email address")
    return LicenceRow(normalise_licence(licence), entity, kind.lower(), updates_until, name, email.lower())


def import_csv(session: Session, path_or_text: str | Path, *, now: datetime | None = None) -> int:
    """Import a licence CSV (a Path, a path string, or the CSV text itself), adding new licences and
    replacing known ones; returns the number of rows imported. Nothing is written if a row is bad."""
    if isinstance(path_or_text, Path) or ("\n" not in path_or_text and Path(path_or_text).is_file()):
        try:
            text = Path(path_or_text).read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise InvalidInput(f"cannot read licence file {path_or_text}: {exc}") from None
    else:
        text = str(path_or_text)
    rows = parse_csv(text)
    at = now or datetime.now(UTC)
    for row in rows:
        existing = session.get(Licence, row.licence)
        target = existing or Licence(licence=row.licence)
        target.entity = row.entity
        target.type = row.type
        target.updates_until = row.updates_until
        target.holder_name = row.holder_name
        target.holder_email = row.holder_email
        target.imported_at = at
        if existing is None:
            session.add(target)
    session.flush()
    return len(rows)


def find_licence(session: Session, licence: str) -> Licence | None:
    """The register row of `licence` (any case, surrounding spaces ignored), or None."""
    return session.get(Licence, normalise_licence(licence))


def list_licences(session: Session) -> list[Licence]:
    """Every licence, by number."""
    return list(session.scalars(select(Licence).order_by(Licence.licence)))


def licence_dict(row: Licence) -> dict[str, Any]:
    """A licence as JSON: the CSV columns, `updates_until` and `imported_at` in ISO 8601."""
    return {
        "licence": row.licence,
        "entity": row.entity,
        "type": row.type,
        "updates_until": row.updates_until.isoformat(),
        "holder_name": row.holder_name,
        "holder_email": row.holder_email,
        "imported_at": row.imported_at.isoformat(),
    }


def register_loaded(session: Session) -> bool:
    """True when a licence register was imported (the licence checks apply only then)."""
    return session.scalars(select(Licence.licence).limit(1)).first() is not None


def licence_problem(
    session: Session,
    licence: str | None,
    today: date,
    *,
    entity: str | None = None,
    requester: str | None = None,
) -> str | None:
    """Why `licence` does not qualify for support: "unknown" (not in the register), "trial",
    "expired" (updates ended before `today`) or "other_entity" (registered to an entity other than
    `entity`, the requester's, and `requester` is not its holder's address); None when it
    qualifies, when no licence was given, or when no register was imported at all."""
    if not licence or not register_loaded(session):
        return None
    row = find_licence(session, licence)
    if row is None:
        return "unknown"
    if row.type == "trial":
        return "trial"
    if row.updates_until < today:
        return "expired"
    holder = bool(row.holder_email) and (requester or "").lower() == row.holder_email
    if entity and not holder and not same_entity(entity, row.entity):
        return "other_entity"
    return None
