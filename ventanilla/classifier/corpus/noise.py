"""Seeded noise that real senders add: stripped accents, case changes, typos and stray blank
lines. Character-wise changes are mirrored on the gold values that are kept "as written"."""

from __future__ import annotations

import random
import re
import unicodedata
from collections.abc import Callable

# Gold fields whose normal form is the text as written, so a character-wise change applies to them.
AS_WRITTEN: frozenset[str] = frozenset({"name", "cargo", "ente", "city", "teamviewer_password"})

# Word stems typos must not touch: the cues the field extractors rely on.
PROTECTED_STEMS: tuple[str, ...] = (
    "versi",
    "saacg",
    "licen",
    "teamv",
    "contrase",
    "clave",
    "respald",
    "backup",
    "base",
    "modul",
    "módul",
    "contab",
    "presupuest",
    "egreso",
    "ingreso",
    "tesorer",
    "banco",
    "caja",
    "obra",
    "públic",
    "public",
    "nómin",
    "nomin",
    "patrimon",
    "inventa",
    "bienes",
    "activo",
    "compra",
    "requisic",
    "adquisic",
    "cuenta",
    "disciplin",
    "financ",
    "configur",
    "usuario",
    "permiso",
    "recaud",
    "extens",
    "correo",
    "teléf",
    "telef",
)
_WORD = re.compile(r"[A-Za-zÁÉÍÓÚÜÑáéíóúüñ]{5,}")
_NEIGHBOURS = {
    "a": "sq",
    "e": "wr",
    "i": "uo",
    "o": "ip",
    "u": "yi",
    "s": "ad",
    "n": "bm",
    "r": "et",
    "t": "ry",
    "l": "kñ",
    "c": "xv",
    "d": "sf",
    "m": "n",
    "p": "o",
}


def strip_accents(text: str) -> str:
    """Remove diacritics but keep ñ/Ñ, as people typing without accents do."""
    out: list[str] = []
    for char in text:
        if char in "ñÑ":
            out.append(char)
            continue
        decomposed = unicodedata.normalize("NFD", char)
        out.append("".join(c for c in decomposed if unicodedata.category(c) != "Mn"))
    return "".join(out)


def charwise(change: Callable[[str], str], text: str, fields: dict[str, str]) -> tuple[str, dict[str, str]]:
    """Apply a character-wise change to a text and to its as-written gold values."""
    return change(text), {k: change(v) if k in AS_WRITTEN else v for k, v in fields.items()}


def _typo(rng: random.Random, word: str) -> str:
    i = rng.randrange(1, len(word) - 1)
    op = rng.randrange(4)
    if op == 0:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if op == 1:
        return word[:i] + word[i + 1 :]
    if op == 2:
        return word[:i] + word[i] + word[i:]
    near = _NEIGHBOURS.get(word[i].lower())
    return word if near is None else word[:i] + rng.choice(near) + word[i + 1 :]


def typos(rng: random.Random, text: str, fields: dict[str, str], count: int) -> str:
    """Misspell up to `count` ordinary words, never a cue word nor a word of a gold value."""
    protected = {w.lower() for value in fields.values() for w in re.findall(r"\w+", value)}
    candidates = [
        m
        for m in _WORD.finditer(text)
        if m.group().lower() not in protected and not m.group().lower().startswith(PROTECTED_STEMS)
    ]
    chosen = rng.sample(candidates, min(count, len(candidates)))
    for match in sorted(chosen, key=lambda m: m.start(), reverse=True):
        text = text[: match.start()] + _typo(rng, match.group()) + text[match.end() :]
    return text


def loosen_lines(rng: random.Random, text: str) -> str:
    """Add stray blank lines between some paragraphs, and trailing spaces."""
    parts = text.split("\n\n")
    out = parts[0]
    for part in parts[1:]:
        out += ("\n\n\n" if rng.random() < 0.5 else "\n \n") + part
    return out
