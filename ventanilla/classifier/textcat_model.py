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
# (stem size, char sizes) -> orth id -> subword feature keys; shared by all models,
# since both ids are plain string hashes.
_subword_cache: dict[tuple[int, tuple[int, ...]], dict[int, Any]] = {}


def _subword_keys(text: str, stem_size: int, char_sizes: tuple[int, ...]) -> Any:
    """Feature keys of one word: its stem (first `stem_size` letters of a longer word) and its
    character n-grams (of "<word>") for each size in `char_sizes`; none for non-words."""
    keys: list[int] = []
    if not text.isalpha():
        return numpy.zeros((0,), dtype="uint64")
    if stem_size and len(text) > stem_size:
        keys.append(get_string_id("~" + text[:stem_size]))
    marked = f"<{text}>"
    for n in char_sizes:
        keys.extend(get_string_id(f"#{marked[i : i + n]}") for i in range(len(marked) - n + 1))
    return numpy.asarray(sorted(set(keys)), dtype="uint64")


def extract_features(ngram_size: int, stem_size: int, char_sizes: tuple[int, ...]) -> Model[Any, Any]:
    """Docs -> (keys, counts, lengths) for SparseLinear: n-grams of ORTH plus subword keys."""
    return Model(
        "extract_subword_ngrams",
        _forward,
        attrs={"ngram_size": ngram_size, "stem_size": stem_size, "char_sizes": char_sizes},
    )


def _forward(model: Model[Any, Any], docs: list[Any], is_train: bool) -> tuple[Any, Any]:
    ops = model.ops
    ngram_size = int(model.attrs["ngram_size"])
    stem_size = int(model.attrs["stem_size"])
    char_sizes = tuple(model.attrs["char_sizes"])
    batch_keys = []
    batch_vals = []
    for doc in docs:
        orths: Any = numpy.ascontiguousarray(doc.to_array(ORTH), dtype="uint64").reshape(-1)
        parts: list[Any] = [orths]
        for n in range(2, ngram_size + 1):
            if len(orths) >= n:
                parts.append(ops.ngrams(n, orths))
        parts.extend(_subwords(doc, orths, stem_size, char_sizes))
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


def _subwords(doc: Any, orths: Any, stem_size: int, char_sizes: tuple[int, ...]) -> list[Any]:
    cache = _subword_cache.setdefault((stem_size, char_sizes), {})
    if len(cache) > _CACHE_LIMIT:
        cache.clear()
    arrays = []
    for orth in orths.tolist():
        keys = cache.get(orth)
        if keys is None:
            keys = cache[orth] = _subword_keys(doc.vocab.strings[orth], stem_size, char_sizes)
        arrays.append(keys)
    return arrays


def build_stem_bow(
    exclusive_classes: bool,
    ngram_size: int,
    stem_size: int,
    length: int,
    char_sizes: list[int] | tuple[int, ...] = (),
    nO: int | None = None,
) -> Model[Any, Any]:
    """spaCy's TextCatBOW.v3 with `extract_features` in front (exclusive classes: softmax)."""
    length = 2 ** (length - 1).bit_length()
    sparse_linear = SparseLinear_v2(nO=nO, length=length)
    fill_defaults = {"b": NEG_VALUE, "W": 0}
    resizable_layer: Model[Any, Any] = resizable(
        sparse_linear, resize_layer=partial(resize_linear_weighted, fill_defaults=fill_defaults)
    )
    model: Model[Any, Any] = chain(
        extract_features(ngram_size, stem_size, tuple(char_sizes)), resizable_layer
    )
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
