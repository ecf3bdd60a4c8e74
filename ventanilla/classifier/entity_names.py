"""Whether two written names of a public entity are the same entity ("H. Ayuntamiento de Zapopan"
and "Municipio de Zapopan, Jal."): the words that tell entities apart, without the generic ones.
The generic Spanish words live here, as a lexicon."""

from __future__ import annotations

import re
import unicodedata

# Words every kind of entity name shares; they say nothing about which entity it is.
_GENERIC = frozenset(
    (
        "h", "honorable", "ayuntamiento", "ayto", "municipio", "municipal", "mpio", "constitucional",
        "gobierno", "gob", "del", "de", "la", "las", "el", "los", "y", "en", "estado", "edo",
        "libre", "soberano", "ente", "publico", "entidad",
    )
)  # fmt: skip
_WORD = re.compile(r"[a-z0-9]+")


def entity_words(name: str) -> frozenset[str]:
    """The distinguishing words of an entity name, folded (lower case, no accents)."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return frozenset(w for w in _WORD.findall(folded) if w not in _GENERIC)


def same_entity(a: str, b: str) -> bool:
    """True when the names `a` and `b` plausibly name the same entity: the distinguishing words of
    one are all in the other (an abbreviation or a longer official name still matches)."""
    first, second = entity_words(a), entity_words(b)
    if not first or not second:
        return True  # nothing to tell them apart: never accuse a requester on that
    return first <= second or second <= first
