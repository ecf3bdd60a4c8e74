"""Trains the text classifier of the bundled pipeline from the corpus (plus staff corrections),
with a fixed seed so the same inputs always give the same model."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from ventanilla.bot.model import Label
from ventanilla.classifier.analyse import NEARLY_EMPTY_WORDS
from ventanilla.classifier.forwards import looks_forwarded, word_count
from ventanilla.classifier.pipeline import MODEL_DIR, TEXTCAT_PIPE, build_pipeline
from ventanilla.classifier.records import Record, read_labelled
from ventanilla.classifier.textcat_text import classifier_text, textcat_doc

if TYPE_CHECKING:
    from spacy.language import Language

T = TypeVar("T")
DATA_DIR = Path(__file__).parent / "data"
TRAIN_CORPUS = DATA_DIR / "train.jsonl"
SEED = 1729
MODEL_VERSION = "1.0.0"
EPOCHS = 6
DROPOUT = 0.2
# Share of email examples also shown without their subject, so that chat messages (no subject)
# and terse subjects do not throw the classifier.
NO_SUBJECT_SHARE = 0.3


@dataclass(frozen=True)
class TrainReport:
    output: Path
    examples: int
    corrections: int
    by_label: dict[str, int]
    final_loss: float


def training_texts(record: Record, rng: random.Random) -> list[str]:
    """The classifier texts one labelled record teaches, built as `analyse` builds them."""
    msg = record.message
    bare_forward = looks_forwarded(msg.subject, msg.text, msg.quoted) and (
        word_count(msg.text) <= NEARLY_EMPTY_WORDS
    )
    if record.label != Label.OTHER and bare_forward:
        # the forwarded request carries the label
        return [classifier_text(msg.subject, msg.quoted, history=True)]
    texts = [classifier_text(msg.subject, msg.text)]
    if msg.subject.strip() and msg.text.strip() and rng.random() < NO_SUBJECT_SHARE:
        texts.append(classifier_text("", msg.text))
    return texts


def train(
    corpus: Path = TRAIN_CORPUS,
    corrections: Path | None = None,
    output: Path = MODEL_DIR,
    seed: int = SEED,
    epochs: int = EPOCHS,
) -> TrainReport:
    """Train on `corpus` (+ `corrections`, same JSON Lines shape) and write the pipeline to `output`."""
    records = read_labelled(corpus)
    extra = read_labelled(corrections) if corrections else []
    nlp, loss = train_pipeline([*records, *extra], seed=seed, epochs=epochs)
    nlp.meta.update(
        name="ventanilla_classifier",
        version=MODEL_VERSION,
        description="Request labels and fields for ventanilla; built by `ventanilla train`.",
        license="Apache-2.0",
    )
    output.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(output)
    return TrainReport(
        output=output,
        examples=len(records),
        corrections=len(extra),
        by_label=dict(Counter(str(r.label) for r in [*records, *extra])),
        final_loss=loss,
    )


def train_pipeline(
    records: Sequence[Record],
    seed: int = SEED,
    epochs: int = EPOCHS,
    textcat_model: dict[str, Any] | None = None,
) -> tuple[Language, float]:
    """A trained pipeline (averaged weights) and the last epoch's loss."""
    from spacy.training import Example
    from thinc.api import fix_random_seed

    fix_random_seed(seed)
    rng = random.Random(seed)
    nlp = build_pipeline(textcat_model)
    examples = []
    for record in records:
        cats = {str(label): float(label == record.label) for label in Label}
        for text in training_texts(record, rng):
            if not any(ch.isalnum() for ch in text):
                continue  # analyse() labels a text without letters or digits `other` by rule
            examples.append(Example.from_dict(textcat_doc(nlp.vocab, text), {"cats": cats}))
    if not examples:
        raise ValueError("no training examples")
    optimizer = nlp.initialize(lambda: examples)
    loss = 0.0
    with nlp.select_pipes(enable=[TEXTCAT_PIPE]):
        for _ in range(epochs):
            rng.shuffle(examples)
            losses: dict[str, float] = {}
            for batch in _batches(examples):
                nlp.update(batch, sgd=optimizer, drop=DROPOUT, losses=losses)
            loss = losses.get(TEXTCAT_PIPE, 0.0)
    if optimizer.averages:
        _apply_averages(nlp, optimizer.averages)
    return nlp, loss


def _batches(items: Sequence[T]) -> Iterator[Sequence[T]]:
    """Consecutive batches of growing size (8 up to 64), as spaCy's compounding schedule."""
    start, size = 0, 8.0
    while start < len(items):
        yield items[start : start + int(size)]
        start += int(size)
        size = min(size * 1.01, 64.0)


def _apply_averages(nlp: Language, averages: Mapping[tuple[int, str], Any]) -> None:
    """Keep the averaged weights (what `use_params` would swap in for a moment) for good."""
    textcat: Any = nlp.get_pipe(TEXTCAT_PIPE)
    for node in textcat.model.walk():
        for name in node.param_names:
            if (node.id, name) in averages:
                node.set_param(name, averages[(node.id, name)])
