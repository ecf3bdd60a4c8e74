"""Who writes: the person's name, cargo and ente, read from a signature part or an inline phrase
("le escribe ... del H. Ayuntamiento de ...", "soy la tesorera de ...")."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ventanilla.classifier.lexicon import CARGO_HEADS, CLOSINGS, ENTE_HEADS, STATE_NAMES, TITLES
from ventanilla.classifier.normalise import clean_text, fold, strip_titles


def _alternation(words: tuple[str, ...] | list[str]) -> str:
    return "|".join(sorted((re.escape(w) for w in words), key=len, reverse=True))


@dataclass(frozen=True)
class Found:
    value: str
    start: int
    end: int


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
     "me", "le", "les", "nos", "se", "una", "un", "al", "lo", "es", "son", "muchas", "mil", "pero"}
)  # fmt: skip
_TITLE_WORDS = frozenset(t.replace(".", "") for t in TITLES)
CARGO_WORDS = frozenset(h.split()[0] for h in CARGO_HEADS)
ENTE_WORDS = frozenset(h.split()[0].rstrip(".") for h in ENTE_HEADS) | {"alcaldia"}
_STATE_WORDS = frozenset(STATE_NAMES)
CARGO_HEAD = re.compile(r"(?:" + _alternation(CARGO_HEADS) + r")\b")
ENTE_HEAD = re.compile(r"(?<![\w.])(?:" + _alternation(ENTE_HEADS) + r")\b")
ENTE_ACRONYM = re.compile(
    r"\b(?:SAPA\w*|SIAPA|SIMAPA\w*|JAPAM|JUMAPA|JMAS|COMAPA\w*|OOAPAS|CEAS?|DIF|CAPA\w*|OPD)\b"
)
# Heads that are common words: they open an ente only when written with a capital.
_CAPITAL_ONLY = frozenset(
    {"sistema", "organismo", "comision", "junta", "instituto", "secretaria de", "universidad", "consejo",
     "fideicomiso", "patronato", "tribunal", "fiscalia", "colegio de", "comite", "centro de",
     "hospital", "museo", "radio", "televisora", "parque", "zoologico", "congreso", "procuraduria",
     "coordinacion general", "tesoreria de", "tesoreria municipal", "agua potable", "desarrollo integral",
     "servicios de salud", "direccion de pensiones", "auditoria superior", "gobierno del estado",
     "gobierno municipal", "presidencia municipal", "poder judicial", "poder legislativo"}
)  # fmt: skip
# Bodies that are not the sender's ente: the vendor, the regulators, the system itself.
_NOT_SENDER_ENTE = re.compile(
    r"^(?:sistema automatizado|sistema saacg|sistema de contabilidad gubernamental"
    r"|consejo nacional de armoniz|servicio de administracion tributaria|secretaria de hacienda y credito"
    r"|instituto para el desarrollo tecnico"
    r"|auditoria superior de la federacion|sistema de alertas|sistema nacional)"
)
# Words before an ente in the body that say it is the sender's own.
_SENDER_CUE = re.compile(
    r"(?:\bsoy\b|\btrabajo\b|\blaboro\b|\bpertenezco\b|\bsomos\b|\bde parte\b|\bescrib\w*|\bsaluda\b"
    r"|\bnombre es\b|\bme llamo\b|\batte\b|\batentamente\b|\bnuestro\b|\bnuestra\b|\bdesde\b|\baqui\b|"
    + _alternation([h for h in CARGO_HEADS if " " not in h])
    + r")[^\n.;?!]{0,70}$"
)
_ENTE_CONNECTORS = frozenset({"de", "del", "la", "las", "los", "y", "el", "e", "para", "en"})
_LOOSE_STOP = frozenset(
    {"que", "dice", "tengo", "tenemos", "no", "me", "nos", "le", "les", "porque", "pero", "quiero", "necesito",
     "solicito", "con", "por", "y", "ya", "para", "sobre", "mi", "nuestro", "tiene", "hay", "al"}
)  # fmt: skip
_ABBREVIATIONS = frozenset(
    {"h", "mpal", "edo", "cd", "gral", "depto", "dir", "adm", "admva", "admvo", "sria", "coord", "mun", "no",
     "ing", "lic", "c", "sta", "sto", "jal", "gto", "mich", "ver", "dpto", "tec", "int", "fed", "prof"}
)  # fmt: skip
_CLOSING_RE = re.compile(r"^(?:" + _alternation(CLOSINGS) + r")\b")


def _word_key(word: str) -> str:
    return fold(word).strip(".,;:()\"'")


def is_name_word(word: str) -> bool:
    bare = word.replace("'", "").replace("-", "").replace("’", "")
    return bool(bare) and bare.isalpha() and word[0].isupper()


def person_name(raw: str, min_words: int = 2, lowercase: bool = False) -> str | None:
    """`raw` as a person's name without titles, if it reads as one (capitalised words unless
    `lowercase`, no cargo/ente/common words)."""
    if any(ch.isdigit() for ch in raw) or "@" in raw or ":" in raw or len(raw) > 70:
        return None
    words = strip_titles(raw).split()
    while words and fold(words[-1]) in _PARTICLES:
        words.pop()
    if not words or fold(words[0]) in _PARTICLES or len(words) > 7:
        return None
    count = 0
    for word in words:
        key = _word_key(word)
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
        key = _word_key(word)
        if not words and key in ("el", "la"):
            continue
        if words and lowercase and key in ("de", "del") and _next_is_entity(text, start + match.end()):
            break
        if words and lowercase and (key in _LOOSE_STOP or key in _NOT_NAME) and not word[0].isupper():
            break
        if word.endswith(".") and key not in _ABBREVIATIONS and key not in _TITLE_WORDS and words:
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


def _next_is_entity(text: str, pos: int) -> bool:
    after = fold(text[pos : pos + 40]).lstrip()
    after = re.sub(r"^(?:la|el|los)\s+", "", after)
    return bool(ENTE_HEAD.match(after) or ENTE_ACRONYM.match(text[pos : pos + 40].lstrip()))


def trailing_name(text: str, start: int, end: int) -> Found | None:
    """A name written at the end of a sentence line ("... no abre el reporte Ana Ruiz Soto")."""
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
            and _word_key(folded[start:end].split()[-1]) not in _ABBREVIATIONS
        ):
            break
        if (
            word in ("de", "del", "en", "para", "al", "-", "–")
            and end > start
            and _next_is_entity(text, word_start + len(word))
        ):
            break
        if word in ("y", "que", "me", "le", "les", "tengo", "tenemos", "no", "con", "quien", "solicito"):
            break
        end = word_start + len(word.rstrip(",;:|"))
        if word[-1] in ",;:|":
            break
    value = clean_text(text[start:end])
    return Found(value, start, end) if value else None


def ente_at(text: str, folded: str, start: int) -> Found | None:
    """The name of a public entity that starts at `start`: capitalised words and connectors, or, when
    the head is written in lower case, words up to punctuation or a verb-like stop word."""
    loose = text[start : start + 1].islower()
    end = start
    content = 0
    limit = min(len(text), start + 140)
    for match in re.finditer(r"\S+", text[start:limit]):
        word_start = start + match.start()
        if end > start and ("\n" in text[end:word_start] or text[end - 1] in ",;:|"):
            break
        if (
            end > start
            and text[end - 1] == "."
            and _word_key(text[start:end].split()[-1]) not in _ABBREVIATIONS
        ):
            break
        word = match.group(0)
        key = _word_key(word)
        first = word.lstrip("(\"'")[:1]
        if key in _ENTE_CONNECTORS and end > start and not (loose and key == "y"):
            end = word_start + len(word)
            continue
        capital = first.isupper() or first.isdigit()
        if not (
            capital
            or end == start
            or (content < 2 and key in ENTE_WORDS)
            or (loose and key not in _LOOSE_STOP)
        ):
            break
        if loose and key in _LOOSE_STOP:
            break
        content += 1
        end = word_start + len(word.rstrip(",;:|"))
        if word.endswith(")") or word[-1] in ",;:|":
            break
    words = text[start:end].split()
    while words and _word_key(words[-1]) in _ENTE_CONNECTORS:
        words.pop()
    value = clean_text(" ".join(words))
    if (content < 2 and not ENTE_ACRONYM.match(value)) or _NOT_SENDER_ENTE.match(fold(value)):
        return None
    return Found(value, start, start + len(" ".join(words))) if value else None


def find_ente(text: str, folded: str, start: int, end: int, sender_only: bool = False) -> Found | None:
    """The first entity named between `start` and `end`; with `sender_only`, only one introduced as
    the sender's own ("soy ... del", "trabajo en", a cargo before it)."""
    pos = start
    while pos < end:
        head = ENTE_HEAD.search(folded, pos, end)
        acronym = ENTE_ACRONYM.search(text, pos, end)
        candidates = [m for m in (head, acronym) if m]
        if not candidates:
            return None
        match = min(candidates, key=lambda m: m.start())
        pos = match.end()
        cued = not sender_only or _SENDER_CUE.search(folded[max(0, match.start() - 90) : match.start()])
        if not cued:
            continue
        key = folded[match.start() : match.end()]
        if match is head and key in _CAPITAL_ONLY and not text[match.start()].isupper() and not sender_only:
            continue
        found = ente_at(text, folded, match.start())
        if found:
            return found
    return None


_CARGO_CUE = re.compile(
    r"(?:\bsoy|\bcomo|\bcargo de|\bpuesto de|\bfunjo como|\bdesempeno como|\bcalidad de)"
    r"\s+(?:el\s+|la\s+)?"
)


def find_cargo(text: str, folded: str, start: int, end: int) -> Found | None:
    """A cargo introduced by "soy", "como", "cargo de" ..."""
    for match in _CARGO_CUE.finditer(folded, start, end):
        found = cargo_at(text, folded, match.end())
        if found:
            return found
    return None


_NAME_CUE = re.compile(
    r"(?:\bmi nombre es|\bme llamo|\ble saluda|\bles saluda|\ble escribe|\bles escribe|\bsoy|\batte?\b\.?"
    r"|\batentamente\b,?|\bde parte de)[ \t:]+"
)


def find_inline_name(text: str, folded: str, start: int, end: int) -> Found | None:
    for match in _NAME_CUE.finditer(folded, start, end):
        cue = match.group(0)
        strong = cue.startswith(("mi nombre", "me llamo", "le escribe", "les escribe", "le saluda"))
        name = name_at(text, match.end(), 1 if strong else 2, lowercase=strong)
        if name:
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
