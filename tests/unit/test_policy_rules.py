"""The policy rules as pure functions: which versions are supported (configurable), what a licence
check and the oficio de acreditación make of a request, whether two entity names are the same
entity, and the reminder schedule — each case with the reply text the requester reads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from ventanilla.bot.hours import supported_versions, version_status
from ventanilla.bot.model import Channel, Label
from ventanilla.bot.policy import Assessment, Facts, assess
from ventanilla.bot.reminders import Timeline, next_step
from ventanilla.bot.replies import Reply, make_environment, render
from ventanilla.classifier.entity_names import same_entity

MX = ZoneInfo("America/Mexico_City")
JUNE_2026 = datetime(2026, 6, 1, 12, 0, tzinfo=MX)
ENV = make_environment(MX)


def facts(**changes: object) -> Facts:
    base: dict[str, object] = {
        "label": Label.TECHNICAL,
        "version": None,
        "version_status": None,
        "licence_check": None,
        "accreditation_cue": False,
        "several_licences": False,
        "accreditation_on_file": False,
        "accreditation_pending": False,
        "oficio_attached": False,
    }
    return Facts(**(base | changes))  # type: ignore[arg-type]


def acknowledgement(outcome: Assessment, previous: int = 1) -> str:
    variables = {
        "ticket_number": "SAACG-2026-000001",
        "label": "technical",
        "unsupported_version": outcome.unsupported_version,
        "supported_versions": list(supported_versions(JUNE_2026, MX, previous)),
        "licence_problem": outcome.licence_problem,
        "accreditation_needed": outcome.accreditation_needed,
    }
    return " ".join(render(ENV, Reply("acknowledgement", variables), Channel.EMAIL).text.split())


# ----- versions


@pytest.mark.parametrize(
    ("version", "previous", "status"),
    [
        ("2026", 1, "supported"),
        ("2025", 1, "supported"),
        ("2024", 1, "old"),
        ("2019", 1, "old"),
        ("2027", 1, "future"),
        ("2024", 2, "supported"),
        ("2025", 0, "old"),
        ("", 1, None),
        ("v25", 1, None),
        (None, 1, None),
    ],
)
def test_version_cases(version: str | None, previous: int, status: str | None) -> None:
    assert version_status(version, JUNE_2026, MX, previous) == status


def test_the_current_exercise_is_taken_in_the_service_time_zone() -> None:
    new_year_utc = datetime(2027, 1, 1, 3, 0, tzinfo=UTC)  # still 31 December 2026 in Mexico City
    assert version_status("2025", new_year_utc, MX) == "supported"
    assert version_status("2025", new_year_utc, UTC) == "old"


def test_an_old_version_gets_the_polite_unsupported_version_note_with_what_to_do() -> None:
    outcome = assess(facts(version="2023", version_status="old"))
    assert outcome.unsupported_version == "2023" and outcome.add_flags == ("version_old",)
    text = acknowledgement(outcome)
    assert "Nos indica que utiliza la versión 2023 del SAACG.NET." in text
    assert "la versión del ejercicio en curso y la del año inmediato anterior" in text
    assert "(en este momento, las versiones 2026 y 2025)" in text
    assert "Le recomendamos actualizar su sistema a la versión 2026" in text
    assert "responda a este mensaje" in text


def test_three_supported_versions_are_listed_when_configured() -> None:
    outcome = assess(facts(version="2022", version_status="old"))
    text = acknowledgement(outcome, previous=2)
    assert "las de los 2 años anteriores (en este momento, las versiones 2026, 2025 y 2024)" in text


def test_a_future_version_is_flagged_for_staff_but_not_answered() -> None:
    outcome = assess(facts(version="2027", version_status="future"))
    assert outcome.unsupported_version is None and outcome.add_flags == ("version_future",)


def test_versions_matter_only_for_technical_requests() -> None:
    for label in (Label.NORMATIVE, Label.ADMINISTRATIVE):
        assert assess(facts(label=label, version="2020", version_status="old")) == Assessment()


# ----- licence register


@pytest.mark.parametrize(
    ("check", "words"),
    [
        ("unknown", "No nos fue posible localizar en nuestro registro el número de licencia"),
        ("trial", "es una licencia de prueba"),
        ("expired", "las actualizaciones de su licencia no se encuentran vigentes"),
        ("other_entity", "está a nombre de un ente público distinto del que usted nos señala"),
    ],
)
def test_each_licence_case_gets_its_reply_and_a_flag(check: str, words: str) -> None:
    outcome = assess(facts(licence_check=check))
    assert outcome.licence_problem == check
    assert outcome.add_flags == (f"licence_{check}",)
    assert words in acknowledgement(outcome)


def test_a_licence_in_order_says_nothing() -> None:
    text = acknowledgement(assess(facts()))
    assert "licencia de prueba" not in text and "registro" not in text


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("H. Ayuntamiento de Zapopan", "Municipio de Zapopan", True),
        ("H. Ayuntamiento Constitucional de Zapopan, Jalisco", "Ayuntamiento de Zapopan", True),
        ("Sistema de Agua Potable de León (SAPAL)", "SAPAL", True),
        ("Municipio de Tlaquepaque", "H. Ayuntamiento de Zapopan", False),
        ("Secretaría de Finanzas de Jalisco", "Secretaría de Finanzas de Colima", False),
        ("Municipio", "H. Ayuntamiento de Tonalá", True),  # nothing to tell them apart
    ],
)
def test_entity_names(a: str, b: str, same: bool) -> None:
    assert same_entity(a, b) is same


# ----- oficio de acreditación


def test_an_external_advisor_is_asked_for_the_oficio() -> None:
    outcome = assess(facts(accreditation_cue=True))
    assert outcome.accreditation_needed and outcome.add_flags == ("accreditation_needed",)
    assert "necesitamos su oficio de acreditación como persona autorizada" in acknowledgement(outcome)


def test_someone_who_wrote_about_several_licences_is_asked_for_the_oficio() -> None:
    assert assess(facts(label=Label.NORMATIVE, several_licences=True)).accreditation_needed


def test_the_oficio_is_not_asked_again_once_on_file_or_pending_or_for_administrative_requests() -> None:
    assert not assess(facts(accreditation_cue=True, accreditation_on_file=True)).accreditation_needed
    assert not assess(facts(accreditation_cue=True, accreditation_pending=True)).accreditation_needed
    assert not assess(facts(label=Label.ADMINISTRATIVE, accreditation_cue=True)).accreditation_needed


def test_the_oficio_attached_to_a_pending_ticket_is_recorded() -> None:
    outcome = assess(facts(accreditation_pending=True, oficio_attached=True))
    assert outcome.accreditation_received
    assert outcome.add_flags == ("accreditation_received",)
    assert outcome.drop_flags == ("accreditation_needed",)


# ----- reminder schedule


@pytest.mark.parametrize(
    ("hours_since", "reminders", "maximum", "due"),
    [
        (23.9, 0, 2, None),
        (24, 0, 2, "reminder"),
        (24, 1, 2, "reminder"),
        (24, 2, 2, "abandon"),
        (23, 2, 2, None),
        (24, 0, 1, "reminder"),
        (24, 1, 1, "abandon"),
    ],
)
def test_the_reminder_schedule(hours_since: float, reminders: int, maximum: int, due: str | None) -> None:
    sent = datetime(2026, 12, 1, 9, 0, tzinfo=MX)
    line = Timeline(last_sent=sent, reminders=reminders)
    assert next_step(line, sent + timedelta(hours=hours_since), timedelta(hours=24), maximum) == due
