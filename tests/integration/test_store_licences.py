"""The licence register: CSV import (from a file or text), replacement of known licences,
case-insensitive lookup, and errors that name the line of the bad row and write nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from ventanilla.bot.errors import InvalidInput
from ventanilla.store.db import session_scope
from ventanilla.store.licences import find_licence, import_csv, licence_dict, list_licences

AT = datetime(2026, 3, 4, 16, 0, tzinfo=UTC)
HEADER = "licence,entity,type,updates_until,holder_name,holder_email\n"
GOOD = (
    HEADER
    + "saacg-jal-0457,H. Ayuntamiento de Zapopan,purchased,2026-12-31,Ana López,Tesoreria@Zapopan.gob.mx\n"
    + "\n"
    + 'MX-0934,"DIF Municipal de Colima, Col.",trial,2026-06-30,,\n'
)


def test_import_from_a_file_and_look_up(session_factory: sessionmaker[Session], tmp_path: Path) -> None:
    path = tmp_path / "licences.csv"
    path.write_text("\ufeff" + GOOD, encoding="utf-8")  # as Excel saves it
    with session_scope(session_factory) as session:
        assert import_csv(session, path, now=AT) == 2
    with session_scope(session_factory) as session:
        found = find_licence(session, "  SAACG-jal-0457 ")
        assert found is not None and licence_dict(found) == {
            "licence": "SAACG-JAL-0457",
            "entity": "H. Ayuntamiento de Zapopan",
            "type": "purchased",
            "updates_until": "2026-12-31",
            "holder_name": "Ana López",
            "holder_email": "tesoreria@zapopan.gob.mx",
            "imported_at": "2026-03-04T16:00:00+00:00",
        }
        assert [row.licence for row in list_licences(session)] == ["MX-0934", "SAACG-JAL-0457"]
        assert find_licence(session, "nope") is None


def test_a_new_import_replaces_known_licences(session_factory: sessionmaker[Session]) -> None:
    with session_scope(session_factory) as session:
        import_csv(session, GOOD, now=AT)
    with session_scope(session_factory) as session:
        assert import_csv(session, HEADER + "MX-0934,DIF Colima,purchased,2027-06-30,,\n", now=AT) == 1
    with session_scope(session_factory) as session:
        row = find_licence(session, "mx-0934")
        assert row is not None and (row.type, row.updates_until) == ("purchased", date(2027, 6, 30))
        assert len(list_licences(session)) == 2


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("licence,entity,kind,updates_until,holder_name,holder_email\n", "line 1: header"),
        (HEADER + "A-1,Ente,purchased,2026-12-31,,\nA-2,Ente,gift,2026-12-31,,\n", "line 3: type"),
        (HEADER + "A-1,Ente,purchased,31/12/2026,,\n", "line 2: updates_until"),
        (HEADER + "A-1,Ente,purchased,2026-12-31\n", "line 2: expected 6 columns"),
        (HEADER + ",Ente,trial,2026-12-31,,\n", "line 2: licence is empty"),
        (HEADER + "A-1,,trial,2026-12-31,,\n", "line 2: entity is empty"),
        (HEADER + "A-1,Ente,trial,2026-12-31,,no-es-correo\n", "line 2: holder_email"),
        (
            HEADER + "A-1,Ente,trial,2026-12-31,,\n\na-1,Otro,trial,2026-12-31,,\n",
            "line 4: licence A-1 appears",
        ),
    ],
)
def test_bad_rows_name_their_line_and_write_nothing(
    session_factory: sessionmaker[Session], text: str, message: str
) -> None:
    with pytest.raises(InvalidInput, match=message), session_scope(session_factory) as session:
        import_csv(session, text, now=AT)
    with session_scope(session_factory) as session:
        assert list_licences(session) == []


def test_an_unreadable_file_is_invalid_input(session_factory: sessionmaker[Session], tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="cannot read"), session_scope(session_factory) as session:
        import_csv(session, tmp_path / "missing.csv")
