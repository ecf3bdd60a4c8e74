"""Reads the sender's signature block line by line: each line (or each part of a line split on
" | ", " - ", ", ") is a name, a cargo, an ente, a city, or something other extractors handle."""

from __future__ import annotations

import re

from ventanilla.classifier.entity import ENTE_ACRONYM, ENTE_HEAD, Found, ente_here, find_ente
from ventanilla.classifier.layout import Layout, Line
from ventanilla.classifier.normalise import fold, normalise_state
from ventanilla.classifier.places import ADDRESS_WORD, split_city_state
from ventanilla.classifier.sender import CARGO_HEAD, cargo_at, is_name_word, person_name, trailing_name

_PART_SEPARATOR = re.compile(r"\s+[|/–—·•-]\s+|\s*[|·•]\s*|,\s+|\t+|\s{3,}")
_LEAD = re.compile(r"^(?:de la |del |de |en el |en la )")
_POSTCODE = re.compile(r"[.,]?\s*\bC\.?\s?P\.?\s*:?\s*\d{5}\b|\b\d{5}\b", re.IGNORECASE)
_PLACE_WORD = re.compile(r"^(?:[A-ZÁÉÍÓÚÑ][\w'.-]*|de|del|la|las|los|el)$")


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


def _closing_before(layout: Layout, offset: int) -> bool:
    before = layout.folded[max(0, offset - 40) : offset]
    return bool(re.search(r"(?:saludos|atentamente|atte?\.?|gracias|cordialmente)[\s,.!]*$", before))


def read_signature(layout: Layout) -> dict[str, Found]:
    """name / cargo / ente / city found in the signature (or, without one, at the end of the
    last line), first of each kind."""
    text = layout.text
    found: dict[str, Found] = {}
    lines = layout.signature or _last_line(layout)
    for index, line in enumerate(lines):
        if any(line.start <= start <= line.end for _, start, _ in layout.labelled):
            continue
        parts = _parts(text, line.start, line.end)
        if not layout.signature:
            kept = _trailing_parts(layout, parts)
            lead_end = kept[0][0] if kept else line.end
            name = trailing_name(text, line.start, lead_end) if lead_end > line.start else None
            if name:
                found["name"] = name
            parts = kept
        for start, end in parts:
            while start < end and text[start] in " \t-*•>":
                start += 1
            if start < end:
                _classify(layout, line, start, end, index, found)
    if "name" not in found:
        name = _name_near_signature(layout)
        if name:
            found["name"] = name
    _prefer_municipality(layout, found, lines)
    return found


LETTERHEAD_LINES = 3
# Entes of a whole municipality, preferred to a department written on an earlier signature line.
_MUNICIPAL = re.compile(
    r"(?:h\.?\s?|r\.?\s?|honorable\s+)?(?:[xlvic]{1,7}\.?\s+)?ayuntamiento|municipio|gobierno municipal"
    r"|presidencia municipal"
)
_DEPARTMENT_HEAD = re.compile(r"(?:secretaria|direccion|tesoreria|coordinacion|contraloria|oficialia)\b")


def read_letterhead(layout: Layout) -> Found | None:
    """The ente printed as a letterhead on one of the first lines of an oficio
    ("H. AYUNTAMIENTO CONSTITUCIONAL DE COMALA, COL."): the line is the entity's name and nothing
    else but a state."""
    text, folded = layout.text, layout.folded
    seen = 0
    for line in layout.lines:
        if seen >= LETTERHEAD_LINES or line.start >= layout.signature_start:
            break
        raw = text[line.start : line.end]
        if not raw.strip():
            continue
        seen += 1
        start = line.start + len(raw) - len(raw.lstrip(" \t*•"))
        ente = ente_here(text, folded, start, any_case=False) if ENTE_HEAD.match(folded, start) else None
        if ente is None:
            continue
        rest = text[ente.end : line.end].strip(" \t.,;:-–")
        if not rest or normalise_state(rest, slot=True):
            return ente
    return None


def _prefer_municipality(layout: Layout, found: dict[str, Found], lines: list[Line]) -> None:
    """ "Secretaría de Finanzas y Administración / Municipio de Guadalupe": the department's line
    comes first, the ente is the municipality named on a later line."""
    first = found.get("ente")
    if first is None or not _DEPARTMENT_HEAD.match(layout.folded, first.start):
        return
    for line in lines:
        if line.start <= first.start:
            continue
        start = line.start + len(layout.line_text(line)) - len(layout.line_text(line).lstrip(" \t-*•"))
        if _MUNICIPAL.match(layout.folded, start):
            other = ente_here(layout.text, layout.folded, start, any_case=False)
            if other:
                found["ente"] = other
            return


def _department_then_ente(layout: Layout, start: int, end: int) -> Found | None:
    """ "Tesorería Ayuntamiento de Cocula", "Contabilidad - DIF Municipal": a short department name
    before the ente on the same signature part."""
    ente = find_ente(layout.text, layout.folded, start, end, mode="line")
    if ente is None or ente.start == start or ADDRESS_WORD.match(layout.folded, start):
        return None
    if not ENTE_HEAD.match(layout.folded, ente.start):  # a bare acronym is too weak here
        return None
    before = layout.text[start : ente.start].split()
    if len(before) > 3 or not all(w[:1].isupper() for w in before):
        return None
    return ente


def _classify(layout: Layout, line: Line, start: int, end: int, index: int, found: dict[str, Found]) -> None:
    text, folded = layout.text, layout.folded
    part = text[start:end]
    if "name" not in found:
        single = index == 0 and _closing_before(layout, start)
        name = person_name(part, 1 if single else 2)
        if name:
            offset = start + part.find(name.split()[0])
            found["name"] = Found(name, offset, offset + len(name))
            return
    if "cargo" not in found:
        cargo = cargo_at(text, folded, start)
        if cargo:
            found["cargo"] = cargo
            if "ente" not in found and cargo.end < end:
                lead = _LEAD.match(folded, cargo.end + 1)
                ente = find_ente(text, folded, lead.end() if lead else cargo.end, end)
                if ente:
                    found["ente"] = ente
            return
    if "ente" not in found:
        lead = _LEAD.match(folded, start)
        skip = lead.end() if lead else start
        while skip < end and text[skip] in " \t\"'(":
            skip += 1
        ente = ente_here(text, folded, skip, any_case=False) or _department_then_ente(layout, skip, end)
        if ente:
            found["ente"] = ente
            return
    whole = _POSTCODE.sub("", layout.line_text(line)).strip(" .,")
    first_part = layout.text[line.start : start].strip(" \t-*•>") == ""
    named = "name" in found and found["name"].value in part
    if (
        "city" not in found
        and ("name" in found or index > 0)
        and first_part
        and not named
        and _place_line(whole, fold(whole))
    ):
        city, state = split_city_state(whole)
        if city:
            found["city"] = Found(city, start, end)
            if state:
                found["state"] = Found(state, start, end)


def _place_line(part: str, key: str) -> bool:
    """A short line of capitalised words that is only a place ("Taxco de Alarcón", "Cajeme Son.")."""
    words = part.split()
    if not 1 <= len(words) <= 6 or any(ch.isdigit() for ch in part) or "@" in part or ":" in part:
        return False
    if CARGO_HEAD.match(key) or ENTE_HEAD.match(key) or not is_name_word(words[0].rstrip(".")):
        return False
    if ADDRESS_WORD.match(key) or normalise_state(part, slot=True):
        return False
    return all(_PLACE_WORD.match(w) for w in words)


def _last_line(layout: Layout) -> list[Line]:
    for line in reversed(layout.lines):
        if layout.line_text(line).strip():
            return [line]
    return []


def _trailing_parts(layout: Layout, parts: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The comma-separated parts at the end of a line that read as signature parts."""
    kept: list[tuple[int, int]] = []
    for start, end in reversed(parts[1:]):
        part = layout.text[start:end].strip(" .")
        key = layout.folded[start:end].strip()
        if person_name(part) or CARGO_HEAD.match(key) or ENTE_HEAD.match(key) or ENTE_ACRONYM.match(part):
            kept.insert(0, (start, end))
            continue
        break
    return kept


def _name_near_signature(layout: Layout) -> Found | None:
    """A name at the end of the line just before the signature, or of the last line."""
    if layout.signature:
        start = layout.signature_start
        before = [ln for ln in layout.lines if ln.end <= start and layout.line_text(ln).strip()]
        candidates = before[-1:] + layout.signature[:1]
    else:
        candidates = _last_line(layout)
    for line in candidates:
        found = trailing_name(layout.text, line.start, line.end)
        if found:
            return found
    return None


__all__ = ["fold", "read_signature"]
