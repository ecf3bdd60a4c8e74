"""Finds the state and the city of the sender: "City, State" slots of addresses and signatures,
then unambiguous state names anywhere ("México" alone and abbreviations only in a slot)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ventanilla.classifier.lexicon import STATE_ABBREVIATIONS, STATE_NAMES
from ventanilla.classifier.normalise import alternation, at_word_start, clean_text, fold, normalise_state

# Surnames and street names that are also states: only in a slot or after "Estado de".
_AMBIGUOUS_STATES = frozenset({"hidalgo", "guerrero", "morelos", "veracruz"})
_STATE_ANYWHERE = re.compile(r"(" + alternation(STATE_NAMES) + r")(?![\w@])")
_SLOT_SEPARATOR = re.compile(r",|\(|\s[-–|]\s")
_SLOT_END = re.compile(r"[,;()\n|·•]")
_CLEAN_REST = re.compile(r"^(?:$|[.\s]*$|[.\s]*(?:c\.?\s?p\b|\d{5}|mexico\b|mex\b|tel|cp\b|\)))")
_ESTADO_DE = re.compile(r"(?:estado|edo\.?)\s+(?:libre y soberano\s+)?de\s+$")
_CITY_STOP = frozenset(
    {"col", "colonia", "c.p", "cp", "municipio", "mpio", "ayuntamiento", "municipal", "estatal", "h",
     "domicilio", "direccion", "calle", "av", "avenida", "blvd", "no", "num", "tel", "dif", "sistema",
     "tesoreria", "presidencia", "gobierno", "estado", "ente", "ciudad:", "lugar", "ubicacion"}
)  # fmt: skip
_PARTICLES = frozenset({"de", "del", "la", "las", "los", "el", "y"})
# A time zone as mail clients print it: "(UTC-06:00) Guadalajara, Ciudad de México, Monterrey".
_TIME_ZONE = re.compile(r"\((?:utc|gmt)[^)\n]{0,12}\)[^\n]*")


ADDRESS_WORD = re.compile(
    r"(?:col|colonia|av|avenida|calle|blvd|boulevard|fracc|fraccionamiento|zona|barrio|palacio|centro"
    r"|carretera|km|domicilio|privada|andador|edificio|piso|planta|interior|esquina|plaza|unidad|manzana"
    r"|lote|prol|prolongacion|calz|calzada|paseo|circuito|periferico|libramiento|camino|cerrada|mz|lt"
    r"|conocido|s/n|sin numero|tel|cel|correo|email|mail|www|http|oficina|area|departamento|depto"
    r"|direccion|aviso|este)\b"
)
_BEFORE_POSTCODE = re.compile(
    r",[ \t]*([^,\n\d]{3,40}?)[ \t]*,?[ \t]*\bC\.?[ \t]?P\.?[ \t]*:?[ \t]*\d{5}", re.I
)
_AFTER_POSTCODE = re.compile(
    r"\bC\.?[ \t]?P\.?[ \t]*:?[ \t]*\d{5}[ \t]*[,.]?[ \t]+([^,\n\d]{3,40}?)[ \t]*(?:[,.]|$)", re.I | re.M
)


_FIRST_WORDS = frozenset(
    {k.split()[0].replace(".", "") for k in STATE_NAMES}
    | set(STATE_ABBREVIATIONS)
    | {"b", "q", "s", "n", "d", "c", "estado", "edo", "mexico", "mex", "nvo", "cd"}
)


_SLOT_PATTERN: list[re.Pattern[str]] = []


def _slot_separator() -> re.Pattern[str]:
    """A comma (or "(", " - ") followed by a word that can open a state name: the regex engine
    skips every other comma of the text."""
    if not _SLOT_PATTERN:
        words = sorted(_FIRST_WORDS, key=len, reverse=True)
        dotted = "|".join(r"\.?\s?".join(map(re.escape, word)) for word in words)
        _SLOT_PATTERN.append(re.compile(r"(?:,|\(|\s[-–|]\s)[ \t]*(?=(?:" + dotted + r")(?![a-z]))"))
    return _SLOT_PATTERN[0]


@dataclass(frozen=True)
class Place:
    state: str
    start: int
    end: int
    slot: bool
    separator: int  # offset of the comma before a slot, -1 otherwise
    bare_mexico: bool = False


def _slot_state(segment: str) -> tuple[str, int, bool] | None:
    """The state that opens `segment` (folded text after a comma), with its length."""
    first = segment.split(None, 1)[0].replace(".", "") if segment.strip() else ""
    if first not in _FIRST_WORDS:
        return None
    words = list(re.finditer(r"\S+", segment[:48]))
    for count in range(min(6, len(words)), 0, -1):
        end = words[count - 1].end()
        candidate = segment[:end]
        strict = normalise_state(candidate)
        if strict:
            return strict, end, False
        loose = normalise_state(candidate, slot=True)
        if loose and _CLEAN_REST.match(segment[end:]):
            bare = re.sub(r"[\s.]", "", candidate) in ("mexico", "mex")
            return loose, end, bare
    return None


def find_places(text: str, folded: str) -> list[Place]:
    """Every state mention, in text order: slots first-class, names anywhere second-class."""
    places: list[Place] = []
    for sep in _slot_separator().finditer(folded):
        start = sep.end()
        stop = _SLOT_END.search(folded, start, start + 60)
        segment = folded[start : stop.start() if stop else min(len(folded), start + 60)]
        if not segment or not segment[0].isalpha():
            continue
        found = _slot_state(segment)
        if found:
            state, length, bare = found
            places.append(Place(state, start, start + length, True, sep.start(), bare))
    slotted = {p.start for p in places}
    for match in _STATE_ANYWHERE.finditer(folded):
        key = match.group(1)
        if match.start() in slotted or (match.start() and folded[match.start() - 1] in "@._"):
            continue
        if not at_word_start(folded, match.start()):
            continue
        after_estado = _ESTADO_DE.search(folded[max(0, match.start() - 30) : match.start()])
        if key in _AMBIGUOUS_STATES and not after_estado:
            continue
        places.append(Place(STATE_NAMES[key], match.start(), match.end(), False, -1))
    # "Guadalajara, Jalisco, México": the country after a state is not a state.
    kept = []
    zones = [m.span() for m in _TIME_ZONE.finditer(folded)] if "(utc" in folded or "(gmt" in folded else []
    for place in places:
        if any(start <= place.start < end for start, end in zones):
            continue
        if place.bare_mexico and any(
            other is not place and not other.bare_mexico and abs(other.start - place.start) < 60
            for other in places
        ):
            continue
        kept.append(place)
    return kept


def city_before(text: str, folded: str, separator: int) -> str | None:
    """The city written just before the comma of a "City, State" slot, as written."""
    line_start = text.rfind("\n", 0, separator) + 1
    chunk_start = max(line_start, separator - 80)
    before = text[chunk_start:separator]
    cut = max(before.rfind(mark) for mark in ",;:(|·•")
    if cut >= 0:
        before = before[cut + 1 :]
    words = before.split()
    taken: list[str] = []
    for word in reversed(words):
        key = fold(word).rstrip(".").strip("\"'")
        if not word[0].isalpha() or any(ch.isdigit() for ch in word) or key in _CITY_STOP:
            break
        if key in _PARTICLES and taken:
            taken.append(word)
            continue
        if not word[0].isupper():
            break
        taken.append(word)
        if len(taken) >= 6:
            break
    while (
        taken
        and fold(taken[-1]) in _PARTICLES
        and (fold(taken[-1]) in ("de", "del", "y") or not taken[-1][0].isupper())
    ):
        taken.pop()
    city = clean_text(" ".join(reversed(taken)))
    return city if len(city) >= 3 else None


def pick_state(places: list[Place], prefer_from: int) -> Place | None:
    """Slots in the signature first, then any slot, then a name in the signature, then any name."""
    order = (
        [p for p in places if p.slot and p.start >= prefer_from],
        [p for p in places if p.slot],
        [p for p in places if p.start >= prefer_from],
        places,
    )
    for group in order:
        if group:
            return group[0]
    return None


def city_by_postcode(text: str) -> tuple[str | None, str | None]:
    """The city (and a state glued to it) written next to a postal code in an address
    ("..., Poza Rica, C.P. 93000", "Yautepec Mor., C.P. 62730")."""
    for pattern in (_BEFORE_POSTCODE, _AFTER_POSTCODE):
        for match in pattern.finditer(text):
            city, state = split_city_state(clean_text(match.group(1)))
            if city is None:
                continue
            words = city.split()
            if not words or ADDRESS_WORD.match(fold(city)) or normalise_state(city, slot=True):
                continue
            if all(w[0].isupper() or fold(w) in _PARTICLES for w in words) and words[0][0].isupper():
                return city, state
    return None, None


def state_in_ente(ente: str) -> str | None:
    """ "Universidad Tecnológica de Guerrero", "Sistema DIF Estatal Hidalgo": the state that ends
    the name of an entity."""
    words = ente.split()
    for size in (3, 2, 1):
        if len(words) <= size:
            continue
        before = fold(words[-size - 1])
        tail = " ".join(words[-size:])
        sure = before in ("estatal", "edo.", "estado") or fold(" ".join(words[-size - 3 : -size])) in (
            "del estado de",
            "del edo. de",
        )
        if before == "de" or sure:
            state = normalise_state(tail, slot=True)
            if state and (sure or fold(tail) not in _AMBIGUOUS_STATES):
                return state
    return None


def split_city_state(part: str) -> tuple[str | None, str | None]:
    """ "Cajeme Son." -> ("Cajeme", "Sonora"); "Zapopan" -> ("Zapopan", None); "Jalisco" -> (None, None)."""
    words = part.split()
    for size in range(min(4, len(words) - 1), 0, -1):
        state = normalise_state(" ".join(words[-size:]), slot=True)
        if state and fold(words[-size - 1]) not in _PARTICLES:
            return clean_text(" ".join(words[:-size])) or None, state
    if normalise_state(part, slot=True):
        return None, None
    return clean_text(part) or None, None
