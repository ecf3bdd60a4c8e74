"""Status questions and accreditation cues."""

from __future__ import annotations

import pytest

from ventanilla.classifier.request_cues import asked_ticket_number, asks_status, needs_accreditation


@pytest.mark.parametrize(
    "text",
    [
        "Buen día, ¿me puede decir el estatus del ticket SAACG-2026-000123?",
        "que paso con mi reporte saacg-2026-123",
        "Solicito seguimiento al ticket SAACG - 2026 - 000123, gracias",
    ],
)
def test_a_short_status_question_names_the_ticket(text: str) -> None:
    assert asked_ticket_number(text, "", "SAACG") == "SAACG-2026-000123"


def test_a_request_that_only_mentions_a_number_is_not_a_status_question() -> None:
    assert (
        asked_ticket_number("Tengo otro error en la póliza, antes abrí el SAACG-2026-000123", "", "SAACG")
        is None
    )
    assert not asks_status("No genera la balanza de comprobación")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Somos un despacho contable y asesoramos a varios municipios", True),
        ("Soy asesor externo del municipio de Tonalá", True),
        ("Manejo 3 licencias de distintos organismos", True),
        ("No me deja timbrar la nómina", False),
    ],
)
def test_accreditation_cue(text: str, expected: bool) -> None:
    assert needs_accreditation(text) is expected
