"""split_quoted: the newest part (signature included) apart from replies and forwards of many clients."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ventanilla.intake.quoting import split_quoted

NEW = "Buenas tardes, anexo la licencia SAACG-JAL-0457.\n\nSaludos\nLic. Ana Pérez\nTesorera Municipal"

HISTORIES = {
    "gmail_es": (
        "El lun., 3 mar. 2025 a las 10:12, Juan Pérez (<j@x.mx>) escribió:\n\n> ¿Me envía su licencia?"
    ),
    "gmail_es_wrapped": (
        "El lun., 3 mar. 2025 a las 10:12, Soporte SAACG (<\nsoporte@saacg.example>) escribió:\n> hola"
    ),
    "gmail_en": (
        "On Mon, Mar 3, 2025 at 10:12 AM Soporte SAACG <soporte@saacg.example> wrote:\n\n> Please send it."
    ),
    "apple_es": "El 3 mar 2025, a las 10:12, Juan <j@x.mx> escribió:\n\n> texto",
    "thunderbird_es": "El 03/03/25 a las 10:12, Juan Pérez escribió:\n> texto",
    "yahoo_es": "En lunes, 3 de marzo de 2025 10:12:01 a. m. CST, Juan <j@x.mx> escribió:\n\ntexto",
    "outlook_original_es": (
        "-----Mensaje original-----\nDe: Juan\nEnviado el: lunes\nPara: Ana\nAsunto: x\n\ntexto"
    ),
    "outlook_original_en": (
        "-----Original Message-----\nFrom: Juan\nSent: Monday\nTo: Ana\nSubject: x\n\ntexto"
    ),
    "outlook_block_es": (
        "________________________________\nDe: Soporte SAACG <soporte@saacg.example>\n"
        "Enviado: lunes, 3 de marzo de 2025 10:12\nPara: Ana Pérez\nAsunto: RE: Licencia\n\ntexto"
    ),
    "outlook_block_no_rule": (
        "De: Juan <j@x.mx>\nFecha: lunes\nPara: Ana <a@x.mx>\nCC: b@x.mx\nAsunto: RE: x\n\nt"
    ),
    "outlook_block_en": (
        "From: Juan <j@x.mx>\nSent: Monday, March 3, 2025 10:12 AM\nTo: Ana\nSubject: RE: x\n\nt"
    ),
    "outlook_html_bold": "**De:** Juan <j@x.mx>\n**Enviado:** lunes\n**Para:** Ana\n**Asunto:** x\n\ntexto",
    "outlook_one_line": "From: Juan [mailto:j@x.mx] Sent: Monday, March 3 To: Ana Subject: RE: x\n\ntexto",
    "gmail_forward_en": (
        "---------- Forwarded message ---------\nFrom: Juan <j@x.mx>\nDate: Mon\nSubject: x\nTo: a@x"
    ),
    "gmail_forward_es": (
        "---------- Mensaje reenviado ---------\nDe: Juan <j@x.mx>\nDate: lun\nSubject: x\nTo: a@x"
    ),
    "apple_forward_es": (
        "Inicio del mensaje reenviado:\n\nDe: Juan <j@x.mx>\nAsunto: x\nFecha: 3 mar\nPara: a@x"
    ),
    "angle_quotes": "> ¿Me envía su licencia?\n> Gracias\n>\n> Soporte",
}


@pytest.mark.parametrize("client", sorted(HISTORIES))
def test_new_part_and_signature_are_separated_from_history(client: str) -> None:
    history = HISTORIES[client]
    newest, quoted = split_quoted(f"{NEW}\n\n{history}\n")
    assert newest == NEW
    assert quoted == history.strip()


def test_text_without_history_is_all_new() -> None:
    text = "Nombre: Ana\nCargo: Tesorera\nDe lunes a viernes estamos de 8 a 16.\nPara: la contadora\n"
    assert split_quoted(text) == (text.strip(), "")


def test_sentence_starting_with_el_is_not_an_attribution() -> None:
    text = "El sistema escribió: error de conexión al guardar la póliza.\nSaludos"
    assert split_quoted(text) == (text, "")


def test_a_lone_rule_before_a_disclaimer_keeps_the_signature_new() -> None:
    text = "Gracias.\n\nAna Pérez\nTesorera\n\n" + "_" * 32 + "\nAVISO DE CONFIDENCIALIDAD: este correo..."
    newest, _ = split_quoted(text)
    assert newest.endswith("Ana Pérez\nTesorera")


def test_bottom_posted_answer_below_the_quote_is_the_new_part() -> None:
    text = "El lun, 3 mar 2025 a las 10:12, Soporte <s@x.mx> escribió:\n> ¿Su licencia?\n\nEs la MX-0934.\n"
    newest, quoted = split_quoted(text)
    assert newest == "Es la MX-0934."
    assert quoted.startswith("El lun, 3 mar 2025") and "> ¿Su licencia?" in quoted


def test_crlf_text_is_split_too() -> None:
    newest, quoted = split_quoted("Hola\r\n\r\n-----Original Message-----\r\nFrom: x\r\n")
    assert (newest, quoted) == ("Hola", "-----Original Message-----\nFrom: x")


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=3000))
def test_any_text_splits_into_a_newest_part_taken_from_the_input(text: str) -> None:
    newest, quoted = split_quoted(text)
    assert isinstance(newest, str) and isinstance(quoted, str)
    normalised = text.replace("\r\n", "\n").replace("\r", "\n")
    if normalised.strip().startswith(newest):
        return
    # bottom-posting: every new line is a line of the input that is not a quoted line
    lines = normalised.split("\n")
    assert all(line in lines and not line.lstrip().startswith(">") for line in newest.split("\n"))


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from([*HISTORIES.values(), NEW, "", "> x", "De: y", "El 3 escribió:"]), max_size=8)
)
def test_mixtures_of_real_fragments_never_lose_text(parts: list[str]) -> None:
    text = "\n".join(parts)
    newest, quoted = split_quoted(text)
    assert len(newest) + len(quoted) <= len(text)
    assert set(newest.split()) | set(quoted.split()) <= set(text.split())
