"""The missing-fields policy: what a request still has to provide, per label and cue."""

from __future__ import annotations

from ventanilla.bot.settings import RequiredSettings
from ventanilla.classifier.cues import Cues, detect_cues
from ventanilla.classifier.policy import missing_fields, required_fields

POLICY = RequiredSettings()
CONTACT = {"name": "Ana", "cargo": "Tesorera", "ente": "Municipio de Colima", "phone": "3121234567"}
PLACE = {"city": "Colima", "state": "Colima"}
NO_CUES = Cues()
DESCRIBED = Cues(has_description=True)


def test_other_requires_nothing() -> None:
    assert missing_fields("other", {}, {}, None, DESCRIBED, POLICY) == ()


def test_a_new_requester_with_nothing_gets_every_field_of_its_label_in_policy_order() -> None:
    assert missing_fields("administrative", {}, {}, None, NO_CUES, POLICY) == (
        "name", "cargo", "ente", "phone", "city", "state", "email",
    )  # fmt: skip
    assert missing_fields("technical", {}, {}, None, NO_CUES, POLICY) == (
        "name", "cargo", "ente", "phone", "city", "state", "email",
        "licence", "module", "version", "description", "teamviewer_id", "teamviewer_password",
    )  # fmt: skip
    assert missing_fields("normative", {}, {}, None, NO_CUES, POLICY) == (
        "name", "cargo", "ente", "phone", "city", "state", "email", "licence", "module", "description",
    )  # fmt: skip


def test_administrative_activation_asks_for_the_licence() -> None:
    activation = Cues(activation=True)
    full = {**CONTACT, **PLACE}
    assert missing_fields("administrative", full, {}, "ana@colima.gob.mx", activation, POLICY) == ("licence",)
    assert missing_fields("administrative", full, {}, "ana@colima.gob.mx", NO_CUES, POLICY) == ()
    assert missing_fields("technical", full, {}, "a@b.mx", activation, POLICY).count("licence") == 1


def test_technical_database_asks_for_the_backup() -> None:
    database = Cues(database=True, has_description=True)
    given = {
        **CONTACT,
        **PLACE,
        "licence": "X-1",
        "module": "Contabilidad",
        "version": "2025",
        "teamviewer_id": "123456789",
        "teamviewer_password": "ab12",
    }
    assert missing_fields("technical", given, {}, "a@b.mx", database, POLICY) == ("backup_done",)
    assert missing_fields("technical", {**given, "backup_done": "true"}, {}, "a@b.mx", database, POLICY) == ()
    assert missing_fields("normative", given, {}, "a@b.mx", database, POLICY) == ()


def test_description_is_present_only_when_the_cues_say_so() -> None:
    given = {**CONTACT, **PLACE, "licence": "X-1", "module": "Nómina"}
    assert missing_fields("normative", given, {}, "a@b.mx", NO_CUES, POLICY) == ("description",)
    assert missing_fields("normative", given, {}, "a@b.mx", DESCRIBED, POLICY) == ()


def test_known_contact_data_and_sender_email_count_as_present() -> None:
    known = {**CONTACT, "city": "Colima"}
    assert missing_fields("administrative", {"state": "Colima"}, known, None, NO_CUES, POLICY) == ("email",)
    assert (
        missing_fields("administrative", {"state": "Colima"}, known, "ana@colima.gob.mx", NO_CUES, POLICY)
        == ()
    )
    assert missing_fields("administrative", {"state": "Colima"}, known, "", NO_CUES, POLICY) == ("email",)
    assert missing_fields("administrative", {}, {**known, "state": ""}, "a@b.mx", NO_CUES, POLICY) == (
        "state",
    )


def test_custom_policy_lists_are_deduplicated_in_order() -> None:
    policy = RequiredSettings(
        all=("email", "name"),
        administrative=("name", "licence"),
        administrative_activation=("licence", "version"),
    )
    assert required_fields("administrative", Cues(activation=True), policy) == (
        "email",
        "name",
        "licence",
        "version",
    )
    assert missing_fields("administrative", {"name": "Ana"}, {}, None, Cues(activation=True), policy) == (
        "email",
        "licence",
        "version",
    )


def test_cues_from_text() -> None:
    activation = detect_cues("Buenos días, solicito la activación de la licencia 100245. Saludos")
    assert activation.activation and not activation.database
    database = detect_cues("Al restaurar la base de datos en SQL Server marca error de permisos")
    assert database.database and database.has_description and not database.activation
    assert detect_cues("Ya pagamos la actualización anual, ¿cuándo la activan?").activation
    assert not detect_cues("Tengo un problema, mi licencia es SAACG-JAL-0457").has_description
    assert not detect_cues(
        "Hola buenas tardes\n\nNombre: Ana Ruiz\nTel: 3312345678\n\nSaludos"
    ).has_description
    assert detect_cues("No puedo timbrar la nómina de marzo").has_description
    assert detect_cues("no abre el saacg").has_description
    assert detect_cues("") == Cues()
