"""Builds and loads the spaCy pipeline: a blank Spanish pipeline with the rule-based field
extractor and a trained exclusive text classifier; the bundled model is loaded once per process."""

from __future__ import annotations

import importlib
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ventanilla.bot.errors import ModelError
from ventanilla.bot.model import LABELS
from ventanilla.classifier.layout import HEAD_CHARS, TAIL_CHARS, cap_text

if TYPE_CHECKING:
    from spacy.language import Language

MODEL_DIR = Path(__file__).parent / "model"
FIELDS_PIPE = "ventanilla_fields"
TEXTCAT_PIPE = "textcat"
# spaCy refuses texts over nlp.max_length (1,000,000 chars); nothing a person writes is this long,
# so longer texts are cut (head and tail) before they reach the pipeline.
MAX_FIELDS_CHARS = HEAD_CHARS + TAIL_CHARS

TEXTCAT_MODEL: dict[str, Any] = {
    "@architectures": "ventanilla.TextCatStemBOW.v1",
    "exclusive_classes": True,
    "ngram_size": 1,
    "stem_size": 5,
    "length": 2**17,
}


def clip_for_fields(text: str) -> str:
    """The text handed to the field extractor, capped so spaCy never refuses it: the head and
    the tail (where the signature is) of a long text."""
    return cap_text(text) if len(text) > MAX_FIELDS_CHARS else text


def _register_components() -> None:
    """Register the `ventanilla_fields` factory and the textcat architecture with spaCy."""
    importlib.import_module("ventanilla.classifier.fields")
    importlib.import_module("ventanilla.classifier.textcat_model")


def build_pipeline(textcat_model: dict[str, Any] | None = None) -> Language:
    """A fresh, untrained pipeline: blank Spanish, the field extractor and an exclusive textcat
    (`textcat_model`: its spaCy model config, default TEXTCAT_MODEL)."""
    import spacy

    _register_components()
    nlp = spacy.blank("es")
    nlp.add_pipe(FIELDS_PIPE)
    config = {"model": textcat_model or TEXTCAT_MODEL}
    textcat: Any = nlp.add_pipe(TEXTCAT_PIPE, config=config)
    for label in LABELS:
        textcat.add_label(str(label))
    return nlp


_cache: dict[str, Language] = {}
_lock = threading.Lock()


def load_pipeline(path: str | Path | None = None) -> Language:
    """The trained pipeline at `path` (default: the bundled model), loaded once per process."""
    directory = Path(path) if path else MODEL_DIR
    key = str(directory.resolve())
    with _lock:
        cached = _cache.get(key)
        if cached is None:
            cached = _load(directory)
            _cache[key] = cached
        return cached


def _load(directory: Path) -> Language:
    import spacy

    if not (directory / "config.cfg").is_file():
        raise ModelError(f"no classifier model in {directory}; run `ventanilla train`")
    _register_components()
    try:
        nlp = spacy.load(directory)
    except (OSError, ValueError, KeyError) as exc:
        raise ModelError(f"the classifier model in {directory} cannot be loaded: {exc}") from exc
    missing = {FIELDS_PIPE, TEXTCAT_PIPE} - set(nlp.pipe_names)
    if missing:
        raise ModelError(f"the classifier model in {directory} lacks {sorted(missing)}")
    return nlp
