"""Recognises a bare forward: a message whose newest part only passes on the forwarded history
("FYI", "le reenvío"), so that the history, not the cover note, gives the request its label."""

from __future__ import annotations

import re

from ventanilla.classifier.textcat_text import fold_for_textcat

# Lexicon (folded: lower-case, no accents). Subject prefixes that mark a forward.
_FORWARD_SUBJECT = re.compile(
    r"^\s*(?:(?:re|rv|fw|fwd|tr|reenv|reenviado)\s*:\s*)*(?:rv|fw|fwd|tr|reenv|reenviado)\s*:"
)
# Phrases of a cover note that passes something on.
_FORWARD_PHRASES = (
    "reenv",
    "fyi",
    "para su atencion",
    "para su conocimiento",
    "para su seguimiento",
    "para su apoyo",
    "para tu atencion",
    "para atencion",
    "para atender",
    "te paso el correo",
    "le paso el correo",
    "les paso el correo",
    "comparto el correo",
    "comparto este correo",
    "envio el correo",
    "ver correo",
    "ver abajo",
    "ver mensaje",
    "mensaje de abajo",
    "correo de abajo",
    "correo anterior",
    "forwarded",
)
# A cover note longer than this (in words) says something of its own.
MAX_COVER_WORDS = 40

_WORD = re.compile(r"[^\W\d_]{2,}")


def word_count(text: str) -> int:
    """Words of two letters or more in `text` (the first few thousand characters)."""
    return len(_WORD.findall(text[:20_000]))


def looks_forwarded(subject: str, new: str, quoted: str) -> bool:
    """True when the message passes on `quoted` with at most a short cover note: the note says
    so ("le reenvío", "FYI"), or it is empty under a forward subject ("RV:", "Fwd:")."""
    if not quoted.strip():
        return False
    words = word_count(new)
    if words > MAX_COVER_WORDS:
        return False
    if words == 0 and _FORWARD_SUBJECT.match(fold_for_textcat(subject[:200])):
        return True
    note = fold_for_textcat(new[:2_000])
    return any(phrase in note for phrase in _FORWARD_PHRASES)
