"""Ticket data that only counts after its cue: licence number, TeamViewer ID and password, the
installed version, and whether a database backup was made. Works on the folded text."""

from __future__ import annotations

import re

from ventanilla.classifier.normalise import normalise_licence, normalise_teamviewer_id, word_matches

_LICENCE_CUE = re.compile(r"lic(?:encias?)?\b\.?")
_LICENCE_FILLER = frozenset(
    {"no", "no.", "num", "num.", "numero", "nro", "nro.", "n", "n.", "#", "de", "del", "es", "la", "mi", "su",
     "nuestra", "saacg", "saacg.net", "sistema", "el", "actual", "asignada", "vigente", "registrada",
     "con", "numero:", "es:", ":", "n°", "nº", "no:", "que", "tenemos", "tengo", "uso", "sera", "clave",
     "-", "=", "net", "saacgnet", "(", "ss", "sist", "sist."}
)  # fmt: skip
_SHORT_FILLER = frozenset({"no", "num", "numero", "#", "n", ":"})
_TOKEN = re.compile(r"\S+")


def find_licence(text: str, folded: str) -> str | None:
    """The code that follows a licence cue ("No. de licencia: SAACG-JAL-0457")."""
    if "lic" not in folded:
        return None
    for cue in word_matches(_LICENCE_CUE, folded):
        short = folded[cue.start() : cue.start() + 3] == "lic" and not folded.startswith(
            "licencia", cue.start()
        )
        pos = cue.end()
        for index, token in enumerate(_TOKEN.finditer(folded, pos, min(len(folded), pos + 80))):
            if index >= 7 or "\n\n" in folded[pos : token.start()]:
                break
            word = token.group(0)
            bare = word.strip(".,;:()[]\"'")
            if not bare or (bare in _LICENCE_FILLER and (not short or bare in _SHORT_FILLER)):
                continue
            raw = text[token.start() : token.end()]
            code = normalise_licence(raw)
            if code is not None:
                return code
            break
    return None


_TV_CUE = re.compile(r"(?:team\s?viewer|tv|id|anydesk)\b")
_TV_VALUE = re.compile(
    r"(?:\s*(?:[:#=\-.]|(?:de|del|mi|el|es|id|teamviewer|team viewer|tv|numero|no|usuario|equipo|su|la|para"
    r"|acceso|remoto|conexion|asistencia|remota|y)\b))*"
    r"(?:\s+(?!tel|cel|movil|whats|fax|ext)[a-z]{1,12}){0,4}?"  # "... del servidor nuevo es"
    r"\s*[:#=]?\s*(\d(?:[ \-.]?\d){8,9})(?!\d)"
)
_TV_CONTEXT = re.compile(
    r"team\s?viewer|\btv\b|\bid\b|asistencia remota|acceso remoto|conexion remota|anydesk"
)
_PASSWORD_CUE = re.compile(r"\bcontrasena\b|\bpassword\b|\bpass\b|\bpwd\b|\bpsw\b|\bclave\b")
_PASSWORD_FILLER = frozenset(
    {"de", "del", "es", "mi", "la", "el", "teamviewer", "tv", "team", "viewer", "acceso", "y", "su", ":", "=",
     "-", "temporal", "actual", "para", "id", "que", "aparece", "del tv", "con", "sesion"}
)  # fmt: skip


def find_teamviewer_id(folded: str) -> tuple[str, int] | None:
    for cue in word_matches(_TV_CUE, folded):
        match = _TV_VALUE.match(folded, cue.end())
        if match:
            digits = normalise_teamviewer_id(match.group(1))
            if digits:
                return digits, match.end()
    return None


def find_teamviewer_password(text: str, folded: str, id_end: int | None) -> str | None:
    """The password after its cue, only near a TeamViewer / remote-access context."""
    if not any(cue in folded for cue in ("contrasena", "pass", "pwd", "psw", "clave")):
        return None
    for cue in _PASSWORD_CUE.finditer(folded):
        near_id = id_end is not None and 0 <= cue.start() - id_end <= 60
        window = folded[max(0, cue.start() - 200) : cue.end() + 100]
        if not near_id and not _TV_CONTEXT.search(window):
            continue
        pos = cue.end()
        for index, token in enumerate(_TOKEN.finditer(folded, pos, min(len(folded), pos + 60))):
            if index >= 5 or ("\n" in folded[pos : token.start()] and index > 0):
                break
            word = token.group(0).strip(",;:()\"'")
            if not word or word in _PASSWORD_FILLER:
                continue
            value = text[token.start() : token.end()].strip(",;:()\"'")
            value = value.rstrip(".")
            if _looks_like_password(value):
                return value
            break
    return None


def _looks_like_password(value: str) -> bool:
    if not 3 <= len(value) <= 40 or not value.isprintable() or " " in value:
        return False
    has_digit = any(c.isdigit() for c in value)
    has_symbol = any(not c.isalnum() for c in value)
    mixed = any(c.isupper() for c in value) and any(c.islower() for c in value) and not value[1:].islower()
    return has_digit or has_symbol or mixed


_VERSION = re.compile(
    r"(?:version(?:es)?|ver\.|v\.?|saacg(?:\.net|\s+net)?)"
    r"(?:\s+(?:del\s+sistema|de(?:l)?\s+saacg(?:\.net)?|instalada|actual|que\s+tenemos|que\s+tengo|es|la"
    r"|del|sistema|:|#|no\.?))*\s*[:#\-–]?\s*(20\d\d)(?![\d\-/]|\.\d\d\d)"
)


def find_version(folded: str) -> str | None:
    for match in word_matches(_VERSION, folded):
        if match.start() == 0 or folded[match.start() - 1] != "-":
            return match.group(1)
    return None


_BACKUP_NOUN = r"(?:respaldos?|backups?|copias? de seguridad)"
_BACKUP = re.compile(
    r"(?:hice|hicimos|he hecho|hemos hecho|realice|realizamos|he realizado|hemos realizado|genere|generamos"
    r"|saque|sacamos|tengo|tenemos|cuento con|contamos con|se hizo|se realizo|se genero|se saco|ya hay|guarde"
    r"|guardamos|cree|creamos|dispongo de|disponemos de|ya existe|existe)\s+(?:ya\s+)?(?:un|el|los|una|la|mi"
    r"|nuestro|su|sus|nuestros)?\s*"
    + _BACKUP_NOUN
    + r"|(?:respalde|respaldamos|se respaldo|se respaldaron|ya respald\w*|he respaldado|hemos respaldado"
    r"|esta respaldad[ao]|estan respaldad[ao]s|fue respaldad[ao]|ha sido respaldad[ao]|quedo respaldad[ao])\b"
    r"|" + _BACKUP_NOUN + r"\s+(?:\w+\s+){0,4}?(?:ya\s+)?(?:esta|fue|quedo)\s+"
    r"(?:hecho|realizado|listo|generado|guardado|terminado)"
    r"|quedo\s+(?:listo\s+)?(?:lo\s+del|el)\s+" + _BACKUP_NOUN
)
_NEGATION = re.compile(
    r"(?:\bno\b|\bsin\b|\bnunca\b|\bni\b|\bfalta\b|\bnecesito\b|\bdebo\b|\bpuedo\b|\bse\b|\bque\b)"
    r"[^.;\n?!]{0,30}$"
)
_SENTENCE_BREAK = re.compile(r"[.;\n?!]")


def find_backup_done(folded: str) -> bool:
    """Whether the requester says a backup was made; negated or asked-about ones do not count."""
    if "respald" not in folded and "backup" not in folded and "copia" not in folded:
        return False
    for match in word_matches(_BACKUP, folded):
        before = folded[max(0, match.start() - 40) : match.start()]
        breaks = list(_SENTENCE_BREAK.finditer(folded, max(0, match.start() - 200), match.start()))
        sentence_start = breaks[-1].end() if breaks else max(0, match.start() - 200)
        if _NEGATION.search(before) or "¿" in folded[sentence_start : match.start()]:
            continue
        return True
    return False
