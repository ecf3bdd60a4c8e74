"""Any text at all - empty, huge, binary-ish, control characters, emoji - gives a dict of valid,
normalised field values and cues, and never raises."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ventanilla.bot.model import FIELDS
from ventanilla.classifier.cues import Cues, detect_cues
from ventanilla.classifier.fields import extract_fields
from ventanilla.classifier.lexicon import MODULES, STATES
from ventanilla.classifier.normalise import fold

VALID: dict[str, re.Pattern[str]] = {
    "phone": re.compile(r"[2-9]\d{9}"),
    "phone_ext": re.compile(r"\d{1,6}"),
    "teamviewer_id": re.compile(r"\d{9,10}"),
    "version": re.compile(r"20\d\d"),
    "backup_done": re.compile(r"true"),
    "email": re.compile(r"[^A-Z\s]+@[^A-Z\s]+\.[a-z]{2,}"),
    "licence": re.compile(r"[A-Z0-9][A-Z0-9\-/. ]*[A-Z0-9]"),
}

PIECES = st.sampled_from(
    [
        "Saludos\n", "Atentamente\n", "Lic. ", "C.P. ", "Juan Pérez López\n", "Tesorero Municipal\n",
        "H. Ayuntamiento de Zapopan\n", "Zapopan, Jal.\n", ", México", "Tel. (33) 3669-5551 ext. 12\n",
        "+52 1 ", "01 ", "licencia ", "SAACG-JAL-0457", "ID de TeamViewer: ", "1 234 567 890",
        "contraseña: ", "8jk2m4", "versión 2025", "módulo de nómina", "ya hice un respaldo", "no ",
        "folio 45873", "RFC MZA850101AB3", "$12,345.67", "C.P. 45100", "Nombre: ", "Cargo: ", "Estado: ",
        "Municipio - ", "Correo: ana@x.mx", "@", "—", "\u200b", "\x00", "\r", "\t", "🙂", "İ", "ß", "ǅ",
        "-----Mensaje original-----\n", "> ", "\n\n",
    ]
)  # fmt: skip
TEXTS = st.one_of(
    st.text(max_size=400),
    st.lists(st.one_of(PIECES, st.text(max_size=12)), max_size=40).map("".join),
    st.binary(max_size=400).map(lambda raw: raw.decode("latin-1")),
)


def assert_valid(fields: dict[str, str]) -> None:
    assert isinstance(fields, dict)
    for name, value in fields.items():
        assert name in FIELDS, name
        assert isinstance(value, str) and value, name
        assert value == value.strip(), name
        if name in VALID:
            assert VALID[name].fullmatch(value), (name, value)
        elif name == "state":
            assert value in STATES
        elif name == "module":
            assert value in set(MODULES.values())


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXTS)
def test_any_text_gives_valid_fields_and_cues(text: str) -> None:
    assert_valid(extract_fields(text))
    assert isinstance(detect_cues(text), Cues)


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_folding_keeps_every_offset(text: str) -> None:
    assert len(fold(text)) == len(text)


def test_huge_binary_ish_text() -> None:
    noise = bytes(range(256)).decode("latin-1")
    body = ("Saludos\nJuan Pérez López\nTesorero\n" + noise + "🙂\x00\x07" * 50) * 5_000
    huge = body[:2_000_000] + "\nAtentamente\nAna Ruiz Soto\nContadora General\nTel. 33 1234 5678\n"
    assert len(huge) > 2_000_000
    fields = extract_fields(huge)
    assert_valid(fields)
    assert fields["phone"] == "3312345678"
    assert isinstance(detect_cues(huge), Cues)


def test_empty_and_whitespace() -> None:
    for text in ("", " ", "\n\n\n", "\x00\x00", "\r\n\r\n"):
        assert extract_fields(text) == {}
        assert detect_cues(text) == Cues()
