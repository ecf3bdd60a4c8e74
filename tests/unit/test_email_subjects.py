"""Subject threading helpers: reply/forward prefixes and ticket tags."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ventanilla.intake.subjects import find_ticket_tag, strip_reply_prefixes


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("RE: Activación de licencia", "Activación de licencia"),
        ("RV: Activación de licencia", "Activación de licencia"),
        ("Fwd: Activación", "Activación"),
        ("FW: Activación", "Activación"),
        ("RES: Activación", "Activación"),
        ("Re: RV: Activación", "Activación"),
        ("RE: RV: Fwd: Activación", "Activación"),
        ("re:re:fw:  Activación ", "Activación"),
        ("RE：Activación", "Activación"),
        ("Re[2]: Activación", "Activación"),
        ("[EXTERNAL] RE: Activación", "Activación"),
        ("RE: [EXTERNO] RV: Activación", "Activación"),
        ("RE: [Ticket#SAACG-2026-000123] Activación", "[Ticket#SAACG-2026-000123] Activación"),
        ("Recibo de pago", "Recibo de pago"),
        ("Revisión de la póliza", "Revisión de la póliza"),
        ("Reenvío de factura", "Reenvío de factura"),
        ("RE:", ""),
    ],
)
def test_strip_reply_prefixes(subject: str, expected: str) -> None:
    assert strip_reply_prefixes(subject) == expected


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("RE: [Ticket#SAACG-2026-000123] Activación", "SAACG-2026-000123"),
        ("[ticket#saacg-2026-000123]", "SAACG-2026-000123"),
        ("[ Ticket # SAACG - 2026 - 000123 ]", "SAACG-2026-000123"),
        ("[SAACG-2026-000123] RV: hola", "SAACG-2026-000123"),
        ("Seguimiento Ticket#SAACG-2026-000123", "SAACG-2026-000123"),
        ("[Ticket#SAACG-2026-123]", "SAACG-2026-000123"),
        ("[Ticket#OTRO-2026-000123]", None),
        ("SAACG-2026-000123 sin corchetes", None),
        ("Factura 2026-000123", None),
        ("", None),
    ],
)
def test_find_ticket_tag(subject: str, expected: str | None) -> None:
    assert find_ticket_tag(subject, "SAACG") == expected


@given(st.text(max_size=300))
def test_stripping_never_grows_and_is_idempotent(subject: str) -> None:
    once = strip_reply_prefixes(subject)
    assert len(once) <= len(subject)
    assert strip_reply_prefixes(once) == once


@given(st.text(max_size=300))
def test_find_ticket_tag_never_raises(subject: str) -> None:
    found = find_ticket_tag(subject, "SAACG")
    assert found is None or found.startswith("SAACG-")
