"""Field normalisers: each turns what a requester wrote into the field's normal form, or refuses it."""

from __future__ import annotations

import pytest

from ventanilla.classifier.lexicon import STATES
from ventanilla.classifier.normalise import (
    clean_text,
    fold,
    normalise_email,
    normalise_extension,
    normalise_licence,
    normalise_module,
    normalise_phone,
    normalise_state,
    normalise_teamviewer_id,
    normalise_version,
    strip_titles,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Jalisco", "jalisco"),
        ("ESTADO DE MÉXICO", "estado de mexico"),
        (
            "Nuevo León, Querétaro, Yucatán, San Luis Potosí",
            "nuevo leon, queretaro, yucatan, san luis potosi",
        ),
        ("Ñuñoa Ü", "nunoa u"),
        ("İstanbul", "istanbul"),
    ],
)
def test_fold_removes_case_and_accents_keeping_offsets(text: str, expected: str) -> None:
    assert fold(text) == expected
    assert len(fold(text)) == len(text)


@pytest.mark.parametrize(
    "raw",
    [
        "3336695551",
        "33 3669 5551",
        "(33) 3669-5551",
        "33-3669-5551",
        "+52 33 3669 5551",
        "+52 1 33 3669 5551",
        "+521 (33) 3669.5551",
        "01 33 3669 5551",
        "044 33 3669 5551",
    ],
)
def test_phone_in_any_usual_shape_becomes_ten_digits(raw: str) -> None:
    assert normalise_phone(raw) == "3336695551"


@pytest.mark.parametrize(
    "raw",
    ["12345", "333669555", "33366955512345", "+1 415 555 0100", "0123456789", "1234567890", "$12,345.67"],
)
def test_not_a_mexican_phone(raw: str) -> None:
    assert normalise_phone(raw) is None


def test_extension_digits() -> None:
    assert normalise_extension("ext. 123") == "123"
    assert normalise_extension("1234567") is None
    assert normalise_extension("ext.") is None


@pytest.mark.parametrize(
    ("raw", "state"),
    [
        ("Jalisco", "Jalisco"),
        ("JALISCO", "Jalisco"),
        ("Estado de México", "México"),
        ("Edo. de Méx.", "México"),
        ("Edo Mex", "México"),
        ("EDOMEX", "México"),
        ("Edomex", "México"),
        ("CDMX", "Ciudad de México"),
        ("Ciudad de Mexico", "Ciudad de México"),
        ("Nuevo Leon", "Nuevo León"),
        ("Michoacan de Ocampo", "Michoacán"),
        ("Coahuila de Zaragoza", "Coahuila"),
        ("Veracruz de Ignacio de la Llave", "Veracruz"),
        ("Quintana Roo", "Quintana Roo"),
        ("Baja California Sur", "Baja California Sur"),
        ("Baja California", "Baja California"),
        ("Estado de Jalisco", "Jalisco"),
    ],
)
def test_state_names_anywhere(raw: str, state: str) -> None:
    assert normalise_state(raw) == state


@pytest.mark.parametrize(
    ("raw", "state"),
    [
        ("Jal.", "Jalisco"),
        ("Gto.", "Guanajuato"),
        ("Qro.", "Querétaro"),
        ("S.L.P.", "San Luis Potosí"),
        ("BCS", "Baja California Sur"),
        ("B.C.", "Baja California"),
        ("Q. Roo", "Quintana Roo"),
        ("N.L.", "Nuevo León"),
        ("D.F.", "Ciudad de México"),
        ("Mich.", "Michoacán"),
        ("Ver.", "Veracruz"),
        ("Chih.", "Chihuahua"),
        ("Chis.", "Chiapas"),
        ("Tamps.", "Tamaulipas"),
        ("Méx.", "México"),
        ("México", "México"),
        ("Col.", "Colima"),
        ("Sin.", "Sinaloa"),
        ("Son.", "Sonora"),
    ],
)
def test_abbreviations_and_mexico_only_in_a_state_slot(raw: str, state: str) -> None:
    assert normalise_state(raw, slot=True) == state
    assert normalise_state(raw) is None


def test_unknown_state_and_every_normal_form_is_official() -> None:
    assert normalise_state("León") is None
    assert normalise_state("Texas", slot=True) is None
    assert normalise_state("") is None
    for state in STATES:
        assert normalise_state(state) == state or state == "México"


@pytest.mark.parametrize(
    ("raw", "module"),
    [
        ("módulo de contabilidad", "Contabilidad"),
        ("presupuesto de egresos", "Presupuesto"),
        ("egresos", "Presupuesto"),
        ("patrimonio", "Bienes Patrimoniales"),
        ("activo fijo", "Bienes Patrimoniales"),
        ("obra publica", "Obra Pública"),
        ("bancos", "Tesorería"),
        ("recaudación", "Ingresos"),
        ("NOMINA", "Nómina"),
        ("compras", "Adquisiciones"),
        ("LDF", "Disciplina Financiera"),
        ("usuarios y permisos", "Configuración"),
        ("Cuenta Pública", "Cuenta Pública"),
    ],
)
def test_module_variants(raw: str, module: str) -> None:
    assert normalise_module(raw) == module


def test_unknown_module() -> None:
    assert normalise_module("módulo de recursos humanos") is None


@pytest.mark.parametrize(
    ("raw", "licence"),
    [
        ("saacg-jal-0457", "SAACG-JAL-0457"),
        (" LIC-2019-00871.", "LIC-2019-00871"),
        ("a7f3-22k9-q1w8", "A7F3-22K9-Q1W8"),
        ("100245", "100245"),
    ],
)
def test_licence_upper_case(raw: str, licence: str) -> None:
    assert normalise_licence(raw) == licence


@pytest.mark.parametrize("raw", ["SAACG", "2025", "es", "", "ab@cd"])
def test_not_a_licence(raw: str) -> None:
    assert normalise_licence(raw) is None


def test_teamviewer_id_and_email_and_version() -> None:
    assert normalise_teamviewer_id("1 234 567 890") == "1234567890"
    assert normalise_teamviewer_id("987 654 321") == "987654321"
    assert normalise_teamviewer_id("12345678") is None
    assert normalise_email("Ana.Lopez@SAPAL.gob.MX.") == "ana.lopez@sapal.gob.mx"
    assert normalise_email("not an address") is None
    assert normalise_version("versión 2025") == "2025"
    assert normalise_version("20251") is None


@pytest.mark.parametrize(
    ("raw", "name"),
    [
        ("Lic. Juan Pérez", "Juan Pérez"),
        ("C.P. Ana María López", "Ana María López"),
        ("L.C.P. María Guadalupe Hernández", "María Guadalupe Hernández"),
        ("Mtra. Rosa Díaz", "Rosa Díaz"),
        ("Ing. Dr. Luis Gómez", "Luis Gómez"),
        ("C. Pedro Ruiz", "Pedro Ruiz"),
        ("Dora Cruz", "Dora Cruz"),
    ],
)
def test_titles_are_stripped_from_names(raw: str, name: str) -> None:
    assert strip_titles(raw) == name


def test_clean_text_trims_punctuation_but_keeps_acronym_parenthesis() -> None:
    assert clean_text("  Tesorero Municipal, ") == "Tesorero Municipal"
    assert clean_text("Sistema de Agua Potable (SAPAL).") == "Sistema de Agua Potable (SAPAL)"
