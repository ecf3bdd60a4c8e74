"""Who writes: the person's name, cargo and ente, read from a signature part or an inline phrase
("le escribe ... del H. Ayuntamiento de ...", "soy la tesorera de ...")."""

from __future__ import annotations

import re

from ventanilla.classifier.entity import (
    ABBREVIATIONS,
    ENTE_HEAD,
    ENTE_WORDS,
    LOOSE_STOP,
    Found,
    next_is_entity,
    word_key,
)
from ventanilla.classifier.lexicon import CARGO_HEADS, CLOSINGS, STATE_NAMES, TITLES
from ventanilla.classifier.normalise import alternation, clean_text, fold, strip_titles, word_matches

_PARTICLES = frozenset({"de", "del", "la", "las", "los", "y", "van", "von", "di", "da", "e"})
_NOT_NAME = frozenset(
    {"soporte", "sistema", "contabilidad", "departamento", "area", "direccion", "tesoreria", "municipal",
     "gobierno", "saacg", "saacg.net", "gracias", "saludos", "atentamente", "buenos", "buenas", "dias",
     "tardes", "hola", "estimado", "estimada", "licencia", "modulo", "presupuesto", "nomina", "ayuntamiento",
     "municipio", "secretaria", "contraloria", "oficina", "presidencia", "administracion", "finanzas",
     "egresos", "ingresos", "recursos", "humanos", "cuenta", "publica", "general", "jefatura", "unidad",
     "coordinacion", "subdireccion", "ciudad", "estado", "mexico", "tel", "telefono", "correo", "c.p",
     "teamviewer", "version", "usuario", "equipo", "urgente", "problema", "error", "favor", "cordial",
     "cordiales", "atte", "obra", "bienes", "patrimonio", "auxiliar", "juridico", "servicios", "agua",
     "alcaldia", "buen", "dia", "noches", "que", "tal", "saludo", "espero", "datos", "nombre", "cargo",
     "ente", "soy", "el", "mi", "su", "los", "las", "por", "para", "con", "sin", "en", "no", "si", "ya",
     "me", "le", "les", "nos", "se", "una", "un", "al", "lo", "es", "son", "muchas", "mil", "pero",
     "a", "sus", "comentarios", "curso", "cursos", "diplomado", "taller", "capacitacion", "fechas",
     "informacion", "respuesta", "espera", "pendiente", "atento", "atenta", "quedo", "nueva", "nuevo",
     "samsung", "galaxy", "iphone", "android", "outlook", "windows", "excel", "word", "office"}
)  # fmt: skip
_TITLE_WORDS = frozenset(t.replace(".", "") for t in TITLES)
CARGO_WORDS = frozenset(h.split()[0] for h in CARGO_HEADS)
_STATE_WORDS = frozenset(STATE_NAMES)
CARGO_HEAD = re.compile(r"(?:" + alternation(CARGO_HEADS) + r")\b")
_CLOSING_RE = re.compile(r"^(?:" + alternation(CLOSINGS) + r")\b")


_NOT_NAME_CHAR = re.compile(r"[\d@:?¿!¡=<>/\\$%&*+#_]")
_UPPER_START = re.compile(r"(?:^|\s)[A-ZÁÉÍÓÚÑÜ]")


def is_name_word(word: str) -> bool:
    bare = word.replace("'", "").replace("-", "").replace("’", "")
    return bool(bare) and bare.isalpha() and word[0].isupper()


def person_name(raw: str, min_words: int = 2, lowercase: bool = False) -> str | None:
    """`raw` as a person's name without titles, if it reads as one (capitalised words unless
    `lowercase`, no cargo/ente/common words)."""
    if len(raw) > 70 or _NOT_NAME_CHAR.search(raw) or not (lowercase or _UPPER_START.search(raw)):
        return None
    words = strip_titles(raw).split()
    while words and fold(words[-1]) in _PARTICLES:
        words.pop()
    if not words or fold(words[0]) in _PARTICLES or len(words) > 7:
        return None
    count = 0
    for word in words:
        key = word_key(word)
        if key in _PARTICLES:
            continue
        ok = is_name_word(word) or (lowercase and word.replace("-", "").isalpha())
        if not ok or key in _NOT_NAME or key in CARGO_WORDS or key in ENTE_WORDS or key in _TITLE_WORDS:
            return None
        count += 1
    name = " ".join(words)
    if count < min_words or fold(name) in _STATE_WORDS or _CLOSING_RE.match(fold(name)):
        return None
    return name


def name_at(text: str, start: int, min_words: int = 2, lowercase: bool = False) -> str | None:
    """The name that starts at `start` (articles and titles skipped), up to punctuation."""
    words: list[str] = []
    for match in re.finditer(r"[^\s,;:()|/]+", text[start : start + 120]):
        if match.start() and "\n" in text[start : start + match.start()]:
            break
        word = match.group(0)
        key = word_key(word)
        if not words and key in ("el", "la"):
            continue
        if words and lowercase and key in ("de", "del") and next_is_entity(text, start + match.end()):
            break
        if words and lowercase and (key in LOOSE_STOP or key in _NOT_NAME) and not word[0].isupper():
            break
        if word.endswith(".") and key not in ABBREVIATIONS and key not in _TITLE_WORDS and words:
            words.append(word.rstrip("."))
            break
        words.append(word)
        if start + match.end() < len(text) and text[start + match.end()] in ",;:()|/":
            break
    for size in range(min(len(words), 8), 0, -1):
        name = person_name(" ".join(words[:size]), min_words, lowercase)
        if name:
            return name
    return None


def trailing_name(text: str, start: int, end: int) -> Found | None:
    """A name written at the end of a sentence line ("... no abre el reporte Ana Ruiz Soto")."""
    end = start + len(text[start:end].rstrip(" \t-–—|,;:"))
    start = max(start, end - 90)
    words = list(re.finditer(r"\S+", text[start:end]))
    run: list[re.Match[str]] = []
    for match in reversed(words):
        word = match.group(0).rstrip(".,;")
        if is_name_word(word) or (run and fold(word) in _PARTICLES):
            run.insert(0, match)
            continue
        break
    while run and fold(run[0].group(0)) in _PARTICLES:
        run.pop(0)
    if len(run) < 2 or len(run) == len(words):
        return None
    raw = text[start + run[0].start() : start + run[-1].end()]
    name = person_name(raw, 2)
    if name is None:
        return None
    offset = start + run[0].start()
    return Found(name, offset, offset + len(raw))


def cargo_at(text: str, folded: str, start: int) -> Found | None:
    """The cargo that starts at `start` ("Tesorero Municipal", "Jefa del Depto. de ..."), cut before
    the ente it belongs to ("... del H. Ayuntamiento de ...")."""
    if not CARGO_HEAD.match(folded, start):
        return None
    end = start
    limit = min(len(text), start + 90)
    for match in re.finditer(r"\S+", folded[start:limit]):
        word_start = start + match.start()
        word = match.group(0)
        between = folded[end:word_start]
        if end > start and ("\n" in between or any(c in between for c in ",;|")):
            break
        if (
            end > start
            and folded[end - 1] == "."
            and word_key(folded[start:end].split()[-1]) not in ABBREVIATIONS
        ):
            break
        if (
            word in ("de", "del", "en", "para", "al", "-", "–")
            and end > start
            and next_is_entity(text, word_start + len(word))
        ):
            break
        if word in ("y", "e") and _joins_areas(text, folded, start, end, word_start + len(word)):
            continue
        if word in _QUANTIFIERS and folded[end - 3 : end] == " de":
            end -= 3
            break
        if word in _CARGO_STOP:
            break
        end = word_start + len(word.rstrip(",;:|"))
        if word[-1] in ",;:|":
            break
    value = clean_text(text[start:end])
    return Found(value, start, end) if value else None


_CARGO_STOP = frozenset(
    {"y", "e", "que", "me", "le", "les", "tengo", "tenemos", "no", "con", "quien", "solicito"}
)
# "asesor externo de varios municipios": a quantifier after "de" leaves the cargo.
_QUANTIFIERS = frozenset(
    {"varios", "varias", "algunos", "algunas", "diversos", "diversas", "distintos", "distintas", "muchos",
     "muchas", "un", "una", "unos", "unas", "todos", "todas"}
)  # fmt: skip


def _joins_areas(text: str, folded: str, start: int, end: int, after: int) -> bool:
    """ "Director de Obras y Servicios Públicos": a "y" between two capitalised areas of a cargo
    that already names one ("... de X"), not one that goes on with a sentence."""
    if " de " not in folded[start:end] and " del " not in folded[start:end]:
        return False
    following = re.match(r"\s*(\S+)", text[after : after + 40])
    if following is None or "\n" in text[end : after + following.start(1)]:
        return False
    word = following.group(1)
    key = fold(word).strip(".,;:")
    return word[:1].isupper() and key.isalpha() and key not in _CARGO_STOP and key not in LOOSE_STOP


_CARGO_CUE = re.compile(
    r"(?:soy|como|cargo de|puesto de|funjo como|desempeno como|calidad de|caracter de)"
    r"\s+(?:el\s+|la\s+)?"
)


def find_cargo(text: str, folded: str, start: int, end: int) -> Found | None:
    """A cargo introduced by "soy", "como", "cargo de" ..."""
    for match in word_matches(_CARGO_CUE, folded, start, end):
        found = cargo_at(text, folded, match.end())
        if found:
            return found
    return None


# Typos are common in chat ("mi nobre es", "le escirbe"): the cues allow a letter or two off.
_NAME_CUE = re.compile(
    r"(?:\b(?P<strong>mi\s+n[om][a-z]{2,5}\s+es|me\s+llamo|les?\s+e[a-z]{3,6}e|les?\s+saluda)"
    r"|\bsoy|\bhabla|\batte?\b\.?|\batentamente\b,?|\bde parte de|\bmis datos\s*:|\byo,"
    r"|\b(?:el|la|quien)\s+(?:que\s+)?suscribe,?|\b(?:el|la)\s+suscrit[oa],?)[ \t:]+"
)


def find_inline_name(text: str, folded: str, start: int, end: int) -> Found | None:
    for match in _NAME_CUE.finditer(folded, start, end):
        strong = match.group("strong") is not None
        lowercase = strong or match.group(0).startswith("soy")
        name = name_at(text, match.end(), 1 if strong else 2, lowercase=lowercase)
        if name and (name[0].isupper() or len(name.split()) >= 2):
            offset = text.find(name.split()[0], match.end())
            return Found(name, offset, offset + len(name))
    return None


_SIGNATURE_PART = re.compile(r"\s+[|/–—-]\s+|\s*\|\s*|,\s+")
_PHONE_CUE_LINE = re.compile(r"(?:tel|cel|movil|whatsapp|oficina)\w*\.?\s*[:.]?\s*[+(\d]")


def opens_signature(line: str, folded: str) -> bool:
    """True for a line that reads as the start of a signature."""
    stripped = folded.strip(" \t-*•>")
    if "@" in line or CARGO_HEAD.match(stripped) or ENTE_HEAD.match(stripped):
        return True
    first = _SIGNATURE_PART.split(line.strip(" \t-*•>"))[0]
    return person_name(first, 2) is not None or _PHONE_CUE_LINE.match(stripped) is not None
