"""The corpus generator: deterministic output, gold fields readable in the newest part of every
message, dev cores never in train, valid labels and a balanced, large enough corpus."""

from __future__ import annotations

import json
import re
import shutil
import unicodedata
from collections import Counter
from pathlib import Path

import pytest

from ventanilla.bot.model import FIELDS, LABELS
from ventanilla.classifier.corpus import build
from ventanilla.classifier.corpus.model import Core, Message, load_cores
from ventanilla.classifier.corpus.places import STATE_VARIANTS
from ventanilla.classifier.corpus.verify import MODULE_CUES

CORES_DIR = build.DEFAULT_CORES
DATA_DIR = build.DEFAULT_OUT
HISTORY = re.compile(
    r"^(?:-+\s*Mensaje original|-+\s*Forwarded message|-+\s*Mensaje reenviado|_{20,}$|El .+ escribió:$|>)",
    re.MULTILINE,
)
Corpus = tuple[list[Core], list[Message], list[Message]]
PLACEHOLDERS = {
    "administrative": ("¿Cuánto cuesta la actualización anual de la licencia {i}?", "any"),
    "normative": ("¿Qué cuenta se usa para registrar el anticipo número {i} a proveedores?", "formal"),
    "other": ("Muchas gracias por la atención número {i}.", "chat"),
}


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.lower())
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn")


def _newest(body: str) -> str:
    match = HISTORY.search(body)
    return body if match is None else body[: match.start()]


def _present(key: str, value: str, newest: str) -> bool:
    digits = re.sub(r"\D", "", newest)
    if key in ("phone", "phone_ext", "teamviewer_id", "version"):
        return value.isdigit() and value in digits
    if key in ("email", "licence"):
        return value.lower() in newest.lower()
    if key == "state":
        return any(
            re.search(rf"(?<!\w){re.escape(_fold(v))}(?!\w)", _fold(newest))
            for v, name in STATE_VARIANTS.items()
            if name == value
        )
    if key == "module":
        return any(re.search(rf"\b{cue}", _fold(newest)) for cue in MODULE_CUES[value])
    if key == "backup_done":
        return value == "true" and re.search(r"respald|backup", _fold(newest)) is not None
    return value in newest


def _with_placeholders(tmp_path: Path) -> Path:
    """The real technical cores plus a few placeholder cores of each other label."""
    shutil.copy(CORES_DIR / "technical.jsonl", tmp_path / "technical.jsonl")
    for label, (text, register) in PLACEHOLDERS.items():
        lines = [
            json.dumps(
                {
                    "id": f"{label[:3]}-{i:04d}",
                    "label": label,
                    "register": register,
                    "subject": "",
                    "text": text.format(i=i),
                    "fields": {},
                    "whole": False,
                },
                ensure_ascii=False,
            )
            for i in range(1, 101)
        ]
        (tmp_path / f"{label}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return tmp_path


@pytest.fixture(scope="module")
def corpus() -> tuple[list[Core], list[Message], list[Message]]:
    cores = load_cores(CORES_DIR)
    train, dev = build.build(cores)
    return cores, train, dev


def test_build_writes_identical_files_every_time(tmp_path: Path) -> None:
    (tmp_path / "cores").mkdir()
    cores_dir = _with_placeholders(tmp_path / "cores")
    outputs = []
    for run in ("a", "b"):
        assert build.main(["--cores", str(cores_dir), "--out", str(tmp_path / run)]) == 0
        outputs.append([(tmp_path / run / name).read_bytes() for name in ("train.jsonl", "dev.jsonl")])
    assert outputs[0] == outputs[1]
    assert all(outputs[0])


def test_committed_corpus_is_up_to_date_with_the_cores(corpus: Corpus) -> None:
    _, train, dev = corpus
    for name, messages in (("train.jsonl", train), ("dev.jsonl", dev)):
        expected = "".join(m.to_json() + "\n" for m in messages)
        assert (DATA_DIR / name).read_text(encoding="utf-8") == expected, f"rebuild {name}"


def test_every_gold_field_is_in_the_newest_part(corpus: Corpus) -> None:
    _, train, dev = corpus
    problems = []
    for message in train + dev:
        newest = _newest(message.body)
        for key, value in message.fields.items():
            assert key in FIELDS
            if not _present(key, value, newest):
                problems.append((message.id, key, value))
    assert problems == []


def test_history_is_never_the_newest_part(corpus: Corpus) -> None:
    _, train, dev = corpus
    wrapped = [m for m in train + dev if _newest(m.body) != m.body]
    assert len(wrapped) > 100
    assert all(_newest(m.body).strip() for m in wrapped)


def test_no_dev_core_is_in_train(corpus: Corpus) -> None:
    cores, train, dev = corpus
    core_of = {c.id for c in cores}

    def core_ids(messages: list[Message]) -> set[str]:
        ids = {m.id.rsplit("-", 1)[0] for m in messages}
        assert ids <= core_of
        return ids

    assert core_ids(train).isdisjoint(core_ids(dev))
    assert core_ids(train) | core_ids(dev) == core_of
    for label in {c.label for c in cores}:
        total = sum(c.label == label for c in cores)
        in_dev = sum(c.label == label for c in cores if c.id in core_ids(dev))
        assert abs(in_dev - 0.2 * total) <= 1


def test_labels_are_the_four_valid_ones_and_roughly_balanced(corpus: Corpus) -> None:
    _, train, dev = corpus
    messages = train + dev
    assert {m.label for m in messages} <= {str(label) for label in LABELS}
    assert {m.channel for m in messages} == {"email", "telegram"}
    assert all(m.sender == "" and m.subject == "" for m in messages if m.channel == "telegram")
    counts = Counter(m.label for m in messages)
    if len(counts) == len(LABELS):
        assert len(messages) >= 1200
        for label, share in build.LABEL_SHARE.items():
            assert abs(counts[label] / len(messages) - share) < 0.05, counts


def test_technical_cores_are_many_and_different() -> None:
    cores = [c for c in load_cores(CORES_DIR) if c.label == "technical"]
    assert len(cores) >= 170
    assert len({_fold(c.text) for c in cores}) == len(cores)
    assert all(set(c.fields) <= set(FIELDS) for c in cores)


def test_placeholder_labels_build_with_dev_split(tmp_path: Path) -> None:
    train, dev = build.build(load_cores(_with_placeholders(tmp_path)))
    assert {m.label for m in dev} == {str(label) for label in LABELS}
    assert len(train) + len(dev) >= 1200


def test_whole_messages_are_used_as_they_are(corpus: Corpus) -> None:
    cores, train, dev = corpus
    whole = {c.id: c for c in cores if c.whole}
    rendered = [m for m in train + dev if m.id.rsplit("-", 1)[0] in whole]
    for message in rendered:
        core = whole[message.id.rsplit("-", 1)[0]]
        assert _fold(message.body) == _fold(core.text)
        assert set(message.fields) == set(core.fields)


def test_an_invalid_core_file_fails_with_a_one_line_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = '{"id": "oth-1", "label": "spam", "text": "hola"}\n'
    (tmp_path / "other.jsonl").write_text(bad, encoding="utf-8")
    assert build.main(["--cores", str(tmp_path), "--out", str(tmp_path / "out")]) == 1
    assert "unknown label 'spam'" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()
