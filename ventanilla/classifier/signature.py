"""Reads the sender's signature block line by line: each line (or each part of a line split on
" | ", " - ", ", ") is a name, a cargo, an ente, or something the other extractors handle."""

from __future__ import annotations

import re

from ventanilla.classifier.contact import (
    Found,
    cargo_at,
    ente_at,
    find_ente,
    name_at,
    person_name,
)
from ventanilla.classifier.layout import Layout
from ventanilla.classifier.normalise import clean_text, strip_titles

_PART_SEPARATOR = re.compile(r"\s+[|/–—-]\s+|\s*\|\s*|,\s+|\t+|\s{3,}")
_LEAD = re.compile(r"^(?:de la |del |de |en el |en la )")


def _parts(text: str, start: int, end: int) -> list[tuple[int, int]]:
    parts: list[tuple[int, int]] = []
    pos = start
    for sep in _PART_SEPARATOR.finditer(text, start, end):
        if sep.start() > pos:
            parts.append((pos, sep.start()))
        pos = sep.end()
    if pos < end:
        parts.append((pos, end))
    return parts


def read_signature(layout: Layout) -> dict[str, Found]:
    """name / cargo / ente found in the signature lines, first of each kind."""
    text, folded = layout.text, layout.folded
    found: dict[str, Found] = {}
    for line_index, line in enumerate(layout.signature):
        for start, end in _parts(text, line.start, line.end):
            while start < end and text[start] in " \t-*•>":
                start += 1
            part = text[start:end]
            if not part.strip():
                continue
            key = folded[start:end].strip()
            if "name" not in found:
                name = person_name(part, 1 if line_index == 0 and _single_word_ok(layout) else 2)
                if name:
                    offset = start + part.find(name.split()[0])
                    found["name"] = Found(name, offset, offset + len(name))
                    continue
            if "cargo" not in found:
                cargo = cargo_at(text, folded, start)
                if cargo:
                    found["cargo"] = cargo
                    rest = cargo.end
                    lead = _LEAD.match(folded, rest + 1) if rest < end else None
                    if "ente" not in found and rest < end:
                        ente = find_ente(text, folded, (lead.end() if lead else rest), end)
                        if ente:
                            found["ente"] = ente
                    continue
            if "ente" not in found:
                lead = _LEAD.match(key)
                skip = (
                    start
                    + (len(folded[start:end]) - len(folded[start:end].lstrip()))
                    + (lead.end() if lead else 0)
                )
                ente = find_ente(text, folded, skip, end)
                if ente and ente.start <= skip + 2:
                    found["ente"] = ente
                    continue
                if ente is None and _all_caps_entity(part):
                    entity = ente_at(text, folded, skip)
                    if entity:
                        found["ente"] = entity
    return found


def _single_word_ok(layout: Layout) -> bool:
    """A lone first name is accepted right after a closing ("Saludos, Juan")."""
    first = layout.signature[0] if layout.signature else None
    if first is None:
        return False
    before = layout.folded[max(0, first.start - 40) : first.start]
    return bool(re.search(r"(?:saludos|atentamente|atte\.?|gracias|cordialmente)[\s,.!]*$", before))


def _all_caps_entity(part: str) -> bool:
    letters = [c for c in part if c.isalpha()]
    return len(letters) >= 8 and all(c.isupper() for c in letters) and len(part.split()) >= 3


def labelled_values(layout: Layout) -> dict[str, list[tuple[str, int, int]]]:
    """Raw values of a "Nombre: ... / Cargo: ..." block, per field, in order."""
    values: dict[str, list[tuple[str, int, int]]] = {}
    for name, start, end in layout.labelled:
        raw = clean_text(layout.text[start:end])
        if raw:
            values.setdefault(name, []).append((raw, start, end))
    return values


def labelled_name(raw: str) -> str | None:
    """A "Nombre:" value: titles stripped, kept as written even when not capitalised."""
    if len(raw) > 70 or "@" in raw or any(ch.isdigit() for ch in raw):
        return None
    return person_name(raw, 1) or strip_titles(raw) or None


__all__ = ["labelled_name", "labelled_values", "name_at", "read_signature"]
