"""`ventanilla classify`, `evaluate` and `train` as a user runs them: JSON Lines in and out,
one line per input in order, malformed lines reported by number, exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from ventanilla.bot.cli import _register, cli

TECHNICAL = (
    "Buenos días, al generar la póliza de egresos en el módulo de Contabilidad el sistema marca un error "
    "y se cierra. Ya reinstalé la actualización 2025 y sigue igual."
)
NORMATIVE = (
    "¿En qué momento contable se registra el devengado de la nómina y qué cuenta del plan de cuentas "
    "del CONAC corresponde a las aportaciones de seguridad social?"
)
SIGNATURE = "\n\nSaludos\nJuan Pérez López\nTesorero Municipal\nTel. 33 1234 5678\njuan.perez@zapopan.gob.mx"


@pytest.fixture(scope="module", autouse=True)
def _commands() -> None:
    _register()


def _invoke(args: list[str], stdin: str | None = None) -> Result:
    return CliRunner().invoke(cli, args, input=stdin, catch_exceptions=False)


def _lines(result: Result) -> list[dict[str, object]]:
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


def test_classify_answers_each_line_in_order_and_reports_bad_lines() -> None:
    rows = [
        json.dumps({"id": "a", "channel": "email", "subject": "Falla", "body": TECHNICAL + SIGNATURE,
                    "from": "otra@ente.gob.mx"}),
        "{not json",
        "[1, 2]",
        json.dumps({"id": "no-body", "channel": "email"}),
        "",
        json.dumps({"id": 7, "channel": "telegram", "subject": "", "body": NORMATIVE, "from": "tg:9"}),
    ]  # fmt: skip
    result = _invoke(["classify"], "\n".join(rows) + "\n")
    assert result.exit_code == 0
    out = _lines(result)
    assert [o["id"] for o in out] == ["a", None, None, None, 7]
    assert [o.get("line") for o in out[1:4]] == [2, 3, 4]
    assert all("error" in o for o in out[1:4])
    first, last = out[0], out[4]
    assert set(first) == {"id", "label", "confidence", "fields", "missing"}
    assert first["label"] == "technical"
    assert first["fields"]["email"] == "juan.perez@zapopan.gob.mx"  # type: ignore[index]
    assert "email" not in first["missing"]  # type: ignore[operator]
    assert last["label"] == "normative"
    assert "email" in last["missing"]  # type: ignore[operator]


def test_classify_reads_a_file(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text(json.dumps({"id": 1, "channel": "email", "subject": "", "body": "Gracias!"}) + "\n")
    result = _invoke(["classify", str(path)])
    assert result.exit_code == 0
    assert _lines(result)[0]["id"] == 1


def test_classify_of_an_unreadable_file_fails_with_a_reason(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from ventanilla.bot.cli import main; main()",
            "classify",
            str(tmp_path / "no"),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "cannot read" in result.stderr


def _labelled(tmp_path: Path) -> Path:
    rows = [
        {"id": 1, "channel": "email", "subject": "Falla", "body": TECHNICAL + SIGNATURE, "from": "a@b.mx",
         "label": "technical", "fields": {"email": "juan.perez@zapopan.gob.mx", "phone": "3312345678"}},
        {"id": 2, "channel": "telegram", "subject": "", "body": NORMATIVE, "from": "tg:1",
         "label": "normative", "fields": {}},
    ]  # fmt: skip
    path = tmp_path / "dev.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    return path


def test_evaluate_prints_label_and_field_figures(tmp_path: Path) -> None:
    result = _invoke(["evaluate", str(_labelled(tmp_path))])
    assert result.exit_code == 0
    text = result.stdout
    for word in ("accuracy", "macro-F1", "administrative", "normative", "email", "micro"):
        assert word in text


def test_evaluate_json_is_one_document(tmp_path: Path) -> None:
    result = _invoke(["evaluate", str(_labelled(tmp_path)), "--json"])
    report = json.loads(result.stdout)
    assert report["count"] == 2
    assert report["accuracy"] == 1.0
    assert report["fields"]["email"]["tp"] == 1
    assert set(report["labels"]) == {"administrative", "technical", "normative", "other"}


def test_train_writes_a_model_that_classify_uses(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus.jsonl"
    rows = [
        {"id": i, "channel": "email", "subject": "", "body": body, "from": "", "label": label, "fields": {}}
        for i, (body, label) in enumerate(
            [(TECHNICAL, "technical"), (NORMATIVE, "normative"), ("Gracias, saludos", "other"),
             ("Solicito la factura del pago de la licencia", "administrative")] * 3
        )
    ]  # fmt: skip
    corpus.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    model = tmp_path / "model"
    trained = _invoke(["train", "--corpus", str(corpus), "--output", str(model)])
    assert trained.exit_code == 0
    assert "12 examples" in trained.stdout
    config = tmp_path / "config.toml"
    config.write_text(f'[classifier]\nmodel = "{model}"\n', encoding="utf-8")
    line = json.dumps({"id": "x", "channel": "email", "subject": "", "body": NORMATIVE})
    result = _invoke(["--config", str(config), "classify"], line + "\n")
    assert _lines(result)[0]["label"] == "normative"
