"""The text classifier's model, registered with spaCy: a bag of words, word n-grams and word stems
(the first letters of longer words, so "instalar", "instalación" and "instalé" share a feature)
into a sparse linear layer with a softmax. As fast as spaCy's TextCatBOW, a little more general."""

from __future__ import annotations

from functools import partial
from typing import Any

import numpy
from spacy.attrs import ORTH
from spacy.strings import get_string_id
from spacy.util import registry
from thinc.api import Logistic, Model, SparseLinear_v2, chain, resizable, softmax_activation, with_cpu
from thinc.layers.resizable import resize_linear_weighted, resize_model

ARCHITECTURE = "ventanilla.TextCatStemBOW.v1"
NEG_VALUE = -5000
_CACHE_LIMIT = 500_000
# orth id -> stem feature key (0: the word is too short or not a word); shared by all models,
# since both ids are plain string hashes.
_stem_keys: dict[int, int] = {}


def _stem_key(text: str, stem_size: int) -> int:
    if len(text) <= stem_size or not text.isalpha():
        return 0
    return int(get_string_id("~" + text[:stem_size]))


def extract_features(ngram_size: int, stem_size: int) -> Model[Any, Any]:
    """Docs -> (keys, counts, lengths) for SparseLinear: n-grams of ORTH plus stem keys."""
    return Model(
        "extract_stem_ngrams",
        _forward,
        attrs={"ngram_size": ngram_size, "stem_size": stem_size},
    )


def _forward(model: Model[Any, Any], docs: list[Any], is_train: bool) -> tuple[Any, Any]:
    ops = model.ops
    ngram_size = int(model.attrs["ngram_size"])
    stem_size = int(model.attrs["stem_size"])
    batch_keys = []
    batch_vals = []
    for doc in docs:
        orths: Any = numpy.ascontiguousarray(doc.to_array(ORTH), dtype="uint64").reshape(-1)
        parts: list[Any] = [orths]
        for n in range(2, ngram_size + 1):
            if len(orths) >= n:
                parts.append(ops.ngrams(n, orths))
        stems = [key for key in _stems(doc, orths, stem_size) if key]
        if stems:
            parts.append(numpy.asarray(stems, dtype="uint64"))
        keys, vals = numpy.unique(numpy.concatenate(parts), return_counts=True)
        batch_keys.append(keys)
        batch_vals.append(vals)
    lengths = ops.asarray1i([len(keys) for keys in batch_keys])
    all_keys = numpy.concatenate(batch_keys) if batch_keys else numpy.zeros((0,), dtype="uint64")
    counts: Any = numpy.concatenate(batch_vals) if batch_vals else numpy.zeros((0,), dtype="f")
    all_vals = ops.asarray1f(counts.astype("float32"))

    def backprop(d_output: Any) -> list[Any]:
        return []

    return (all_keys, all_vals, lengths), backprop


def _stems(doc: Any, orths: Any, stem_size: int) -> list[int]:
    cache = _stem_keys
    if len(cache) > _CACHE_LIMIT:
        cache.clear()
    keys = []
    for orth in orths.tolist():
        key = cache.get(orth)
        if key is None:
            key = cache[orth] = _stem_key(doc.vocab.strings[orth], stem_size)
        keys.append(key)
    return keys


def build_stem_bow(
    exclusive_classes: bool,
    ngram_size: int,
    stem_size: int,
    length: int,
    nO: int | None = None,
) -> Model[Any, Any]:
    """spaCy's TextCatBOW.v3 with `extract_features` in front (exclusive classes: softmax)."""
    length = 2 ** (length - 1).bit_length()
    sparse_linear = SparseLinear_v2(nO=nO, length=length)
    fill_defaults = {"b": NEG_VALUE, "W": 0}
    resizable_layer: Model[Any, Any] = resizable(
        sparse_linear, resize_layer=partial(resize_linear_weighted, fill_defaults=fill_defaults)
    )
    model: Model[Any, Any] = chain(extract_features(ngram_size, stem_size), resizable_layer)
    model = with_cpu(model, model.ops)
    output = softmax_activation() if exclusive_classes else Logistic()
    model = chain(model, with_cpu(output, output.ops))
    if nO is not None:
        model.set_dim("nO", nO)
    model.set_ref("output_layer", sparse_linear)
    model.attrs["multi_label"] = not exclusive_classes
    model.attrs["resize_output"] = partial(_resize, resizable_layer=resizable_layer)
    return model


registry.architectures.register(ARCHITECTURE, func=build_stem_bow)


def _resize(model: Model[Any, Any], new_nO: int, resizable_layer: Model[Any, Any]) -> Model[Any, Any]:
    resizable_layer = resize_model(resizable_layer, new_nO)
    model.set_ref("output_layer", resizable_layer.layers[0])
    model.set_dim("nO", new_nO, force=True)
    return model
