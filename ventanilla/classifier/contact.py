"""Contact data of the sender: phone and extension, email, and the name, cargo and ente read from
a signature line, a labelled data block or an inline phrase ("soy ..., tesorera del ...")."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ventanilla.classifier.lexicon import CARGO_HEADS, CLOSINGS, ENTE_HEADS, STATE_NAMES
from ventanilla.classifier.normalise import (
    clean_text,
    fold,
    is_support_phone,
    normalise_email,
    normalise_extension,
    normalise_phone,
    strip_titles,
)


def _alternation(words: tuple[str, ...] | list[str]) -> str:
    return "|".join(sorted((re.escape(w) for w in words), key=len, reverse=True))


_PHONE = re.compile(r"(?<![\w@$/.,\-])(?:\+\s?)?\(?\d[\d \t().\-]{7,24}\d(?![\w@/%]|[.,]\d)")
_PHONE_CUE = re.compile(
    r"(?:\btel[eé]?f?o?n?o?s?\b\.?|\btels?\b\.?|\bcel(?:ular)?\b\.?|\bmovil\b|\bwhats?app\b|\bwa\b|\blada\b"
    r"|\boficina\b|\bfax\b|\bcontacto\b|\bllamar(?:me)? al\b|\bmarcar al\b|\bcomunicarse al\b"
    r"|\bt\b\.?|\bm\b\.?)"
    r"[^\n\d]{0,18}$"
)
_PHONE_NEGATIVE = re.compile(
    r"(?:folio|factura|cuenta|cta|clabe|tarjeta|oficio|licencia|\blic\b|\bid\b|teamviewer|\btv\b|rfc|curp"
    r"|referencia|convenio|pedido|orden|ticket|expediente|poliza|contrasena|clave|serie|importe|monto|\$"
    r"|transferencia|deposito|c\.\s?p|codigo postal|reporte|numero de cliente)[^\n]{0,22}$"
)
_SUPPORT_CONTEXT = re.compile(r"soporte|indetec|opcion|conmutador|llam|marq|comuni|al 555")
_EXTENSION_AFTER = re.compile(r"^[\s,;/]*(?:ext|extension|exten|anexo|x)\b\.?\s*[:#.]?\s*(\d{1,6})\b")
_EXTENSION = re.compile(r"(?<![\w.])(?:ext|extension|exten)\b\.?\s*[:#.]?\s*(\d{1,6})\b")
_EMAIL = re.compile(r"[A-Za-z0-9][A-Za-z0-9._%+\-]*@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")
_SYSTEM_MAILBOX = re.compile(r"^(?:no-?reply|mailer-daemon|postmaster|donotreply)@")


@dataclass(frozen=True)
class Found:
    value: str
    start: int
    end: int


def find_phones(text: str, folded: str, signature_start: int) -> tuple[Found | None, str | None]:
    """The sender's phone (cued ones first, then those in the signature, then any) and extension."""
    ranked: list[tuple[int, int, Found]] = []
    for match in _PHONE.finditer(text):
        digits = normalise_phone(match.group(0))
        if digits is None:
            continue
        before = folded[max(0, match.start() - 40) : match.start()]
        cued = bool(_PHONE_CUE.search(before))
        if not cued and _PHONE_NEGATIVE.search(before):
            continue
        if is_support_phone(digits) and _SUPPORT_CONTEXT.search(
            folded[max(0, match.start() - 80) : match.end() + 40]
        ):
            continue
        rank = 0 if cued else (1 if match.start() >= signature_start else 2)
        ranked.append((rank, match.start(), Found(digits, match.start(), match.end())))
    if not ranked:
        ext = _EXTENSION.search(folded)
        return None, normalise_extension(ext.group(1)) if ext and not _after_number_word(
            folded, ext.start()
        ) else None
    ranked.sort(key=lambda item: (item[0], item[1]))
    best = ranked[0][2]
    ext_match = _EXTENSION_AFTER.match(folded[best.end : best.end + 30])
    extension = normalise_extension(ext_match.group(1)) if ext_match else None
    if extension is None:
        ext = _EXTENSION.search(folded)
        if ext and not _after_number_word(folded, ext.start()):
            extension = normalise_extension(ext.group(1))
    return best, extension


def _after_number_word(folded: str, start: int) -> bool:
    """ "No. Ext. 45" of a street address is not a phone extension."""
    return bool(re.search(r"(?:\bno|\bnum|\bnumero|#)\.?\s*$", folded[max(0, start - 8) : start]))


def find_email(text: str, labelled: list[tuple[int, int]], signature_start: int) -> str | None:
    ranked: list[tuple[int, int, str]] = []
    for match in _EMAIL.finditer(text):
        address = normalise_email(match.group(0))
        if address is None or _SYSTEM_MAILBOX.match(address):
            continue
        in_label = any(start <= match.start() < end for start, end in labelled)
        rank = 0 if in_label else (1 if match.start() >= signature_start else 2)
        ranked.append((rank, match.start(), address))
    return min(ranked)[2] if ranked else None


# --- name, cargo, ente -------------------------------------------------------------------------

_PARTICLES = frozenset({"de", "del", "la", "las", "los", "y", "van", "von", "di", "da", "e"})
_NOT_NAME = frozenset(
    {"soporte", "sistema", "contabilidad", "departamento", "area", "direccion", "tesoreria", "municipal",
     "gobierno", "saacg", "saacg.net", "gracias", "saludos", "atentamente", "buenos", "buenas", "dias",
     "tardes", "hola", "estimado", "estimada", "licencia", "modulo", "presupuesto", "nomina", "ayuntamiento",
     "municipio", "secretaria", "contraloria", "oficina", "presidencia", "administracion", "finanzas",
     "egresos", "ingresos", "recursos", "humanos", "cuenta", "publica", "general", "jefatura", "unidad",
     "coordinacion", "subdireccion", "ciudad", "estado", "mexico", "tel", "telefono", "correo", "c.p",
     "teamviewer", "version", "usuario", "equipo", "urgente", "problema", "error", "favor", "cordial",
     "cordiales", "atte", "obra", "bienes", "patrimonio", "auxiliar", "juridico", "servicios", "agua"}
)  # fmt: skip
_CARGO_WORDS = frozenset(h.split()[0] for h in CARGO_HEADS)
_ENTE_WORDS = frozenset(h.split()[0].rstrip(".") for h in ENTE_HEADS)
_STATE_WORDS = frozenset(STATE_NAMES)
_CARGO_HEAD = re.compile(r"(?:" + _alternation(CARGO_HEADS) + r")\b")
_ENTE_HEAD = re.compile(r"(?<![\w.])(?:" + _alternation(ENTE_HEADS) + r")\b")
_ENTE_ACRONYM = re.compile(
    r"\b(?:SAPA\w*|SIAPA|SIMAPA\w*|JAPAM|JUMAPA|JMAS|COMAPA\w*|OOAPAS|CEAS?|DIF|CAPA\w*|OPD)\b"
)
# Heads that are common words: they open an ente only when written with a capital.
_CAPITAL_ONLY = frozenset(
    {"sistema", "organismo", "comision", "junta", "instituto", "secretaria de", "universidad", "consejo",
     "fideicomiso", "patronato", "tribunal", "fiscalia", "colegio de", "comite", "centro de", "unidad de",
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
_ENTE_CONNECTORS = frozenset({"de", "del", "la", "las", "los", "y", "el", "e", "para", "en"})
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


def person_name(raw: str, min_words: int = 2) -> str | None:
    """`raw` as a person's name without titles, if it reads as one (2-6 capitalised words)."""
    if any(ch.isdigit() for ch in raw) or "@" in raw or ":" in raw or len(raw) > 70:
        return None
    name = strip_titles(raw)
    words = name.split()
    if not words or fold(words[0]) in _PARTICLES or len(words) > 7:
        return None
    count = 0
    for word in words:
        key = _word_key(word)
        if key in _PARTICLES:
            continue
        if not is_name_word(word) or key in _NOT_NAME or key in _CARGO_WORDS or key in _ENTE_WORDS:
            return None
        count += 1
    if count < min_words or fold(name) in _STATE_WORDS or _CLOSING_RE.match(fold(name)):
        return None
    return name


def name_at(text: str, start: int, min_words: int = 2) -> str | None:
    """The capitalised name that starts at `start` (titles skipped), up to punctuation."""
    words: list[str] = []
    for match in re.finditer(r"[^\s,;:()|/]+", text[start : start + 120]):
        if match.start() and "\n" in text[start : start + match.start()]:
            break
        word = match.group(0)
        if word.endswith(".") and _word_key(word) not in _ABBREVIATIONS and len(words) >= 1:
            words.append(word.rstrip("."))
            break
        words.append(word)
        gap_end = start + match.end()
        if gap_end < len(text) and text[gap_end : gap_end + 1] in ",;:()|/":
            break
    # Keep the longest prefix that reads as a name.
    for size in range(min(len(words), 8), 0, -1):
        name = person_name(" ".join(words[:size]), min_words)
        if name:
            return name
    return None


def cargo_at(text: str, folded: str, start: int) -> Found | None:
    """The cargo that starts at `start` ("Tesorero Municipal", "Jefa del Depto. de ..."), cut before
    the ente it belongs to ("... del H. Ayuntamiento de ...")."""
    if not _CARGO_HEAD.match(folded, start):
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
        rest = folded[word_start:limit]
        if word in ("de", "del", "en", "para", "al", "-", "–") and end > start:
            after = re.sub(r"^(?:de|del|en|para|al|-|–)\s+(?:la\s+|el\s+|los\s+)?", "", rest)
            if _ENTE_HEAD.match(after) or _ENTE_ACRONYM.match(text, limit - len(after)):
                break
        if word in ("y", "que", "me", "le", "les", "tengo", "tenemos", "no", "con", "quien", "solicito"):
            break
        end = word_start + len(word.rstrip(",;:|"))
        if word[-1] in ",;:|":
            break
    value = clean_text(text[start:end])
    return Found(value, start, end) if value else None


def ente_at(text: str, folded: str, start: int) -> Found | None:
    """The name of a public entity that starts at `start`, up to where capitalised words end."""
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
        if key in _ENTE_CONNECTORS and end > start:
            end = word_start + len(word)
            continue
        if not (first.isupper() or first.isdigit() or (end == start) or (content < 2 and key in _ENTE_WORDS)):
            break
        content += 1
        end = word_start + len(word.rstrip(",;:|"))
        if word.endswith(")") or word[-1] in ",;:|":
            break
    words = text[start:end].split()
    while words and _word_key(words[-1]) in _ENTE_CONNECTORS:
        words.pop()
    value = clean_text(" ".join(words))
    if content < 2 and not _ENTE_ACRONYM.match(value):
        return None
    if _NOT_SENDER_ENTE.match(fold(value)):
        return None
    return Found(value, start, start + len(" ".join(words))) if value else None


def find_ente(text: str, folded: str, start: int, end: int) -> Found | None:
    """The first entity named between `start` and `end`."""
    pos = start
    while pos < end:
        head = _ENTE_HEAD.search(folded, pos, end)
        acronym = _ENTE_ACRONYM.search(text, pos, end)
        candidates = [m for m in (head, acronym) if m]
        if not candidates:
            return None
        match = min(candidates, key=lambda m: m.start())
        pos = match.end()
        key = folded[match.start() : match.end()]
        if match is head and key in _CAPITAL_ONLY and not text[match.start()].isupper():
            continue
        found = ente_at(text, folded, match.start())
        if found:
            return found
    return None


def find_cargo(text: str, folded: str, start: int, end: int) -> Found | None:
    """A cargo introduced by "soy", "como", "cargo de" or following a name and a comma."""
    for match in _CARGO_CUE.finditer(folded, start, end):
        found = cargo_at(text, folded, match.end())
        if found:
            return found
    return None


_NAME_CUE = re.compile(
    r"(?:\bmi nombre es|\bme llamo|\ble saluda|\bles saluda|\ble escribe|\bsoy|\batte\b\.?"
    r"|\batentamente\b,?|\bde parte de)[ \t:]+"
)
_CARGO_CUE = re.compile(
    r"(?:\bsoy|\bcomo|\bcargo de|\bpuesto de|\bfunjo como|\bdesempeno como|\bcalidad de)"
    r"\s+(?:el\s+|la\s+)?"
)


def find_inline_name(text: str, folded: str, start: int, end: int) -> Found | None:
    for match in _NAME_CUE.finditer(folded, start, end):
        cue = match.group(0)
        one_word_ok = cue.startswith(("mi nombre", "me llamo"))
        name = name_at(text, match.end(), 1 if one_word_ok else 2)
        if name:
            return Found(name, match.end(), match.end() + len(name))
    return None


_SIGNATURE_PART = re.compile(r"\s+[|/–—-]\s+|\s*\|\s*|,\s+")


def opens_signature(line: str, folded: str) -> bool:
    """True for a line that reads as the start of a signature."""
    stripped = folded.strip(" \t-*•>")
    if "@" in line or _CARGO_HEAD.match(stripped) or _ENTE_HEAD.match(stripped):
        return True
    first = _SIGNATURE_PART.split(line.strip(" \t-*•>"))[0]
    return person_name(first, 2) is not None or _PHONE_CUE_LINE.match(stripped) is not None


_PHONE_CUE_LINE = re.compile(r"(?:tel|cel|movil|whatsapp|oficina)\w*\.?\s*[:.]?\s*[+(\d]")
