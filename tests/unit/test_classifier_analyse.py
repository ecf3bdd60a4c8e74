"""analyse() with the bundled model: labels from the newest part, fields never from history,
bare forwards, confidence and triage, missing data; plus the evaluation arithmetic and training."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ventanilla.bot.model import Channel, Label
from ventanilla.bot.settings import RequiredSettings
from ventanilla.classifier.analyse import Analysis, MessageText, analyse
from ventanilla.classifier.evaluate import Outcome, normalise_value, score
from ventanilla.classifier.pipeline import load_pipeline
from ventanilla.classifier.topic_lexicon import topic_tokens

POLICY = RequiredSettings()

TECHNICAL = (
    "Buenos días, al generar la póliza de egresos en el módulo de Contabilidad el sistema marca "
    "un error y se cierra. Ya reinstalé la actualización y sigue igual. ¿Me pueden apoyar?"
)
NORMATIVE = (
    "Buenas tardes, ¿en qué momento contable se debe registrar el devengado de la nómina y "
    "qué cuenta contable del plan de cuentas del CONAC corresponde a las aportaciones de seguridad social?"
)
ADMINISTRATIVE = (
    "Buen día, ya realizamos el pago de la actualización anual de la licencia. Solicito la factura "
    "y la activación de la licencia para el ejercicio 2025."
)
SIGNATURE = (
    "\n\nAtentamente\nL.C.P. Rosa María Hernández López\nTesorera Municipal\n"
    "H. Ayuntamiento de Tonalá\nTonalá, Jalisco\nTel. (33) 3586-6000 ext. 1234\n"
    "rosa.hernandez@tonala.gob.mx"
)


def _run(message: MessageText, threshold: float = 0.6) -> Analysis:
    return analyse(message, {}, POLICY, threshold)


def _email(subject: str, text: str, quoted: str = "", sender: str = "x@ente.gob.mx") -> MessageText:
    return MessageText(Channel.EMAIL, subject, text, quoted, sender)


@pytest.mark.parametrize(
    ("text", "label"),
    [
        (TECHNICAL, Label.TECHNICAL),
        (NORMATIVE, Label.NORMATIVE),
        (ADMINISTRATIVE, Label.ADMINISTRATIVE),
        ("Muchas gracias por su atención, quedo muy agradecida. Saludos.", Label.OTHER),
        ("gracias!", Label.OTHER),
        ("Estaré fuera de la oficina hasta el lunes 12, con acceso limitado al correo.", Label.OTHER),
    ],
)
def test_clear_requests_get_their_label(text: str, label: Label) -> None:
    result = _run(_email("Consulta", text))
    assert result.label == label
    assert set(result.scores) == {str(x) for x in Label}
    assert result.confidence == pytest.approx(max(result.scores.values()), abs=1e-4)


def test_a_thanks_reply_is_not_labelled_by_the_quoted_request() -> None:
    result = _run(_email("RE: Error al generar póliza", "Muchas gracias, ya quedó. Saludos.", TECHNICAL))
    assert result.label == Label.OTHER


def test_a_bare_forward_takes_the_label_but_not_the_fields_of_the_history() -> None:
    history = "---------- Mensaje reenviado ---------\nDe: Rosa <r@x.mx>\n\n" + NORMATIVE + SIGNATURE
    result = _run(_email("RV: Consulta de registro", "Le reenvío para su atención.", history))
    assert result.label == Label.NORMATIVE
    assert "phone" not in result.fields
    assert "email" not in result.fields
    assert "description" not in result.missing  # the forwarded request describes the problem


def test_a_signature_in_the_newest_part_gives_fields() -> None:
    result = _run(_email("Falla en póliza", TECHNICAL + SIGNATURE))
    assert result.fields.get("email") == "rosa.hernandez@tonala.gob.mx"
    assert result.fields.get("phone") == "3335866000"
    assert "phone" not in result.missing
    assert result.label == Label.TECHNICAL


def test_below_the_threshold_the_label_stays_as_a_suggestion_for_triage() -> None:
    result = _run(_email("Consulta", TECHNICAL), threshold=1.0)
    assert result.needs_triage is True
    assert result.label == Label.TECHNICAL
    assert _run(_email("Consulta", TECHNICAL), threshold=0.0).needs_triage is False


def test_missing_follows_the_policy_and_the_sender_address() -> None:
    by_mail = _run(_email("Falla", TECHNICAL, sender="tesoreria@ente.gob.mx"))
    by_chat = _run(MessageText(Channel.TELEGRAM, "", TECHNICAL, "", "tg:42"))
    assert "email" not in by_mail.missing
    assert "email" in by_chat.missing
    assert {"teamviewer_id", "teamviewer_password"} <= set(by_chat.missing)


def test_known_fields_are_not_missing() -> None:
    known = {"name": "Rosa", "cargo": "Tesorera", "ente": "Tonalá", "phone": "3312345678"}
    result = analyse(_email("Falla", TECHNICAL), known, POLICY, 0.6)
    assert not set(known) & set(result.missing)


def test_empty_message_is_other() -> None:
    result = _run(MessageText(Channel.TELEGRAM, "", "", "", "tg:1"))
    assert result.label == Label.OTHER
    assert result.fields == {}


def test_the_model_is_loaded_once() -> None:
    assert load_pipeline() is load_pipeline()


def test_values_are_compared_after_normalisation() -> None:
    assert normalise_value("  Tesorería   Municipal. ") == normalise_value("tesoreria municipal")
    assert normalise_value("(SAACG-JAL-0457)") == "saacg-jal-0457"


def test_scores_count_labels_and_fields() -> None:
    outcomes = [
        Outcome("technical", {"phone": "3312345678", "name": "Ana"}, "technical", {"phone": "33 1234 5678"}),
        Outcome("normative", {"email": "a@b.mx"}, "technical", {"email": "A@B.MX", "city": "León"}),
    ]
    report = score(outcomes)
    assert report.accuracy == 0.5
    assert report.labels["technical"].precision == 0.5
    assert report.labels["normative"].recall == 0.0
    # digits are normalised by the extractor, not by the evaluation: "33 1234 5678" is wrong here
    assert (report.fields["phone"].fp, report.fields["phone"].fn) == (1, 1)
    assert report.fields["email"].tp == 1
    assert report.fields["name"].fn == 1
    assert report.fields["city"].fp == 1
    assert report.fields_micro.tp + report.fields_micro.fn == 3


def test_training_is_reproducible(tmp_path: Path) -> None:
    from ventanilla.classifier.train import train

    rows = [
        {"id": i, "channel": "email", "subject": "s", "body": body, "from": "a@b.mx", "label": label}
        for i, (body, label) in enumerate(
            [(TECHNICAL, "technical"), (NORMATIVE, "normative"), (ADMINISTRATIVE, "administrative")] * 4
            + [("Gracias, saludos.", "other")] * 4
        )
    ]
    corpus = tmp_path / "train.jsonl"
    corpus.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    corrections = tmp_path / "corrections.jsonl"
    corrections.write_text(json.dumps(rows[0]), encoding="utf-8")
    first = train(corpus, corrections, tmp_path / "a", epochs=3)
    train(corpus, corrections, tmp_path / "b", epochs=3)
    assert first.corrections == 1
    weights_a = (tmp_path / "a" / "textcat" / "model").read_bytes()
    assert weights_a == (tmp_path / "b" / "textcat" / "model").read_bytes()
    message = _email("s", NORMATIVE)
    assert analyse(message, {}, POLICY, 0.6, nlp=load_pipeline(tmp_path / "a")).label == Label.NORMATIVE


def test_a_reply_that_closes_a_technical_matter_and_asks_a_normative_question() -> None:
    text = (
        "Ya quedó lo del sistema, gracias. Ahora una duda contable: ¿el resultado del ejercicio se debe "
        "traspasar a resultados de ejercicios anteriores en la póliza de apertura?"
    )
    assert _run(_email("RE: Consulta", text)).label == Label.NORMATIVE


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("les confirmo de recibido", "topicothe"),
        ("acuso de recibo de su oficio", "topicothe"),
        ("el resultado del ejercicio se debe traspasar", "topicnorm"),
        ("dice licencia no vigente", "topicadmi"),
    ],
)
def test_topic_lexicon_knows_acknowledgements_and_closing_entries(text: str, topic: str) -> None:
    assert topic in topic_tokens(text).split()
