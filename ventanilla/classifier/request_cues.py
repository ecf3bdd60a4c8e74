"""Cues about the request itself rather than its data: a question about a ticket's status
("¿cuál es el estatus del ticket SAACG-2026-000123?") and the number it names, and a requester
who needs an oficio de acreditación (external advisors, people operating several licences).
Spanish cue words live here, as a lexicon."""

from __future__ import annotations

import re

from ventanilla.classifier.normalise import fold

_STATUS_CUES = re.compile(
    r"\b(estatus|status|estado (del|de mi|de su|de la)|seguimiento|como va|avance|ya (lo )?revisaron|"
    r"alguna respuesta|en que va|que paso con)\b"
)
MAX_WORDS = 80


def ticket_number_pattern(prefix: str) -> re.Pattern[str]:
    """A ticket number of `prefix` anywhere in a text, e.g. SAACG-2026-000123 (case-insensitive)."""
    return re.compile(rf"\b{re.escape(prefix)}\s*-\s*(\d{{4}})\s*-\s*(\d{{1,9}})\b", re.IGNORECASE)


def asked_ticket_number(text: str, subject: str, prefix: str) -> str | None:
    """The ticket number a short status question names, canonical upper-case; else None."""
    body = text[:4000]
    if len(body.split()) > MAX_WORDS:
        return None
    folded = fold(f"{subject}\n{body}")
    if not _STATUS_CUES.search(folded):
        return None
    match = ticket_number_pattern(prefix).search(f"{subject}\n{body}")
    if match is None:
        return None
    return f"{prefix.upper()}-{match.group(1)}-{int(match.group(2)):06d}"


def asks_status(text: str, subject: str = "") -> bool:
    """True when a short message asks how its request is going."""
    body = text[:4000]
    return len(body.split()) <= MAX_WORDS and bool(_STATUS_CUES.search(fold(f"{subject}\n{body}")))


_ACCREDITATION_CUES = re.compile(
    r"\b(asesor(es|a)? extern[oa]s?|despacho (contable|de asesoria|externo)|consultor(a|es)? extern[oa]s?|"
    r"(varias|diversas|distintas|\d+) licencias|varios (municipios|entes|ayuntamientos)|"
    r"(asesoramos|asesoro|damos asesoria|llevamos la contabilidad) (a|de) (varios|diversos|\d+))\b"
)


def needs_accreditation(text: str) -> bool:
    """True when the requester says they are an external advisor or operate several licences."""
    return bool(_ACCREDITATION_CUES.search(fold(text[:20000])))


_OFICIO_CUES = re.compile(r"(oficio|acreditaci|acredita\b|acreditamos|carta (de )?autorizaci|autorizaci[o]n)")


def looks_like_accreditation(text: str, filenames: list[str]) -> bool:
    """True when a message carries the oficio de acreditación: an attachment named like one
    ("Oficio acreditación.pdf"), or an attachment sent with a text that speaks of the oficio."""
    if not filenames:
        return False
    if any(_OFICIO_CUES.search(fold(name)) for name in filenames):
        return True
    return bool(_OFICIO_CUES.search(fold(text[:20000])))
