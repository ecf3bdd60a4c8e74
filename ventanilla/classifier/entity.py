"""Names of public entities (the `ente` field): where one starts ("H. Ayuntamiento", "Sistema",
"DIF" ...), how far it runs, and whether the text says it is the sender's own."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ventanilla.classifier.lexicon import ENTE_HEADS
from ventanilla.classifier.normalise import alternation, clean_text, fold, word_search


@dataclass(frozen=True)
class Found:
    value: str
    start: int
    end: int


ENTE_WORDS = frozenset(h.split()[0].rstrip(".") for h in ENTE_HEADS) | {"alcaldia"}
# "H. XLII Ayuntamiento de Tepic": the number of the administration may stand before the head.
_NUMBERED_AYUNTAMIENTO = r"(?:h\.?\s?|honorable\s+)?[xlvic]{1,7}\.?\s+ayuntamiento"
ENTE_HEAD = re.compile(r"(?:" + _NUMBERED_AYUNTAMIENTO + "|" + alternation(ENTE_HEADS) + r")\b")
ENTE_ACRONYM = re.compile(
    r"(?:SAPA\w*|SIAPA|SIMAPA\w*|JAPAM|JUMAPA|JMAS|COMAPA\w*|OOAPAS|CEAS?|DIF|CAPA\w*|OPD)\b"
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
    r"(?<![a-z])(?:soy|trabajo|laboro|pertenezco|somos|de parte|escrib\w*|saluda|nombre es|me llamo|atte"
    r"|atentamente|desde|aqui|comunico|comunicamos|hablo|habla|suscrib\w*|suscrit[oa])\b"
)
_CLAUSE_BREAK = re.compile(r"[\n.;?!]")
_ENTE_CONNECTORS = frozenset({"de", "del", "la", "las", "los", "y", "el", "e", "para", "en"})
LOOSE_STOP = frozenset(
    {"que", "dice", "tengo", "tenemos", "no", "me", "nos", "le", "les", "porque", "pero", "quiero",
     "necesito", "solicito", "con", "por", "y", "ya", "para", "sobre", "mi", "nuestro", "tiene", "hay", "al"}
)  # fmt: skip
_GREETING_WORDS = frozenset(
    {"hola", "buen", "buenos", "buenas", "gracias", "saludos", "atentamente", "favor"}
)
ABBREVIATIONS = frozenset(
    {"h", "mpal", "mpio", "edo", "cd", "gral", "depto", "dir", "adm", "admva", "admvo", "sria", "coord",
     "mun", "no", "ing", "lic", "c", "sta", "sto", "jal", "gto", "mich", "ver", "dpto", "tec", "int", "fed",
     "prof", "aux"}
)  # fmt: skip


def is_abbreviation(word: str) -> bool:
    """ "H.", "Mpal.", an initial "P." - a dot that does not end the phrase."""
    key = word_key(word)
    return key in ABBREVIATIONS or (len(key) == 1 and word[0].isupper())


def word_key(word: str) -> str:
    return fold(word).strip(".,;:()\"'")


def next_is_entity(text: str, pos: int) -> bool:
    after = fold(text[pos : pos + 40]).lstrip()
    after = re.sub(r"^(?:la|el|los)\s+", "", after)
    return bool(ENTE_HEAD.match(after) or ENTE_ACRONYM.match(text[pos : pos + 40].lstrip()))


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
        if end > start and text[end - 1] == "." and not is_abbreviation(text[start:end].split()[-1]):
            break
        word = match.group(0)
        key = word_key(word)
        first = word.lstrip("(\"'")[:1]
        if key in _ENTE_CONNECTORS and end > start:
            end = word_start + len(word)
            continue
        capital = first.isupper() or first.isdigit()
        if not (
            capital
            or end == start
            or (content < 2 and key in ENTE_WORDS)
            or (loose and key not in LOOSE_STOP)
        ):
            break
        if (loose and key in LOOSE_STOP) or key in _GREETING_WORDS:
            break
        content += 1
        end = word_start + len(word.rstrip(",;:|"))
        if word.endswith(")") or word[-1] in ",;:|":
            break
    words = text[start:end].split()
    while words and word_key(words[-1]) in _ENTE_CONNECTORS:
        words.pop()
    value = clean_text(" ".join(words))
    if (content < 2 and not ENTE_ACRONYM.match(value)) or _NOT_SENDER_ENTE.match(fold(value)):
        return None
    return Found(value, start, start + len(" ".join(words))) if value else None


def ente_here(text: str, folded: str, pos: int, any_case: bool = True) -> Found | None:
    """The entity whose name starts exactly at `pos` (a signature part, or right after the
    sender's name or cargo); unless `any_case`, common-word heads need a capital."""
    head = ENTE_HEAD.match(folded, pos)
    if head is None and ENTE_ACRONYM.match(text, pos) is None:
        return None
    if head is not None and not any_case and head.group() in _CAPITAL_ONLY and not text[pos].isupper():
        return None
    found = ente_at(text, folded, pos)
    return _with_department(text, found) if found else None


def _sender_cued(folded: str, pos: int) -> bool:
    """Whether the clause before `pos` says the entity is the sender's own."""
    window = folded[max(0, pos - 90) : pos]
    breaks = list(_CLAUSE_BREAK.finditer(window))
    clause = window[breaks[-1].end() :] if breaks else window
    return bool(_SENDER_CUE.search(clause))


def find_ente(text: str, folded: str, start: int, end: int, mode: str = "line") -> Found | None:
    """The first entity named between `start` and `end`. `mode` says how sure the context is:
    "line" (a signature part: common-word heads need a capital), "anchored" (right after the
    sender's name or cargo: any case), "body" (free text: a capital and a first-person cue before)."""
    pos = start
    while pos < end:
        head = word_search(ENTE_HEAD, folded, pos, end)
        acronym = word_search(ENTE_ACRONYM, text, pos, end)
        candidates = [m for m in (head, acronym) if m]
        if not candidates:
            return None
        match = min(candidates, key=lambda m: m.start())
        pos = match.end()
        capital = text[match.start()].isupper()
        if mode == "body" and not (capital and _sender_cued(folded, match.start())):
            continue
        key = folded[match.start() : match.end()]
        if mode == "line" and match is head and key in _CAPITAL_ONLY and not capital:
            continue
        found = ente_at(text, folded, match.start())
        if found:
            return _with_department(text, found)
    return None


_DEPARTMENT = re.compile(
    r",[ \t]*((?:Direcci[oó]n|Subdirecci[oó]n|Tesorer[ií]a|Coordinaci[oó]n|Departamento|Jefatura|Unidad|"
    r"[AÁ]rea|Oficina|Contralor[ií]a)\s(?:de|del|General|Municipal)[^,\n;]{0,50})"
)


def _with_department(text: str, found: Found) -> Found:
    """ "Alcaldía Coyoacán, Dirección de Finanzas": the department is part of how the ente is named."""
    match = _DEPARTMENT.match(text, found.end)
    if not match:
        return found
    department = ente_at(text, fold(text), match.start(1))
    if department is None or department.start != match.start(1):
        return found
    return Found(text[found.start : department.end], found.start, department.end)
