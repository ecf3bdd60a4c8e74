"""Topic cues of a request that the policy needs: licence activation/updates, a database problem,
and whether the newest part describes a problem at all once greeting, data and signature are gone."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ventanilla.classifier.layout import Layout, build_layout
from ventanilla.classifier.normalise import word_search

if TYPE_CHECKING:
    from spacy.tokens import Doc

_ACTIVATION = re.compile(
    r"(?:activa(?:r|cion|ciones|da|do|mos|n|ron)?\b|active\b|reactiv\w*|renova\w*|renuev\w*"
    r"|actualizacion(?:es)?\b|actualizar (?:la|mi|nuestra) licencia|vigencia\b|clave de activacion"
    r"|codigo de activacion|aportacion extraordinaria|licencia (?:vencida|expirada|caducada)"
    r"|(?:vencio|expiro|caduco) (?:la|mi|nuestra) licencia)"
)
_DATABASE = re.compile(
    r"(?:bases? de datos\b|bdd?\b|sql\b|sql\s?server|restaur\w*|respald\w*|backups?\b"
    r"|migra(?:r|cion|mos)\b[^.\n]{0,40}\bservidor|cambi\w* de servidor|nuevo servidor|instancia\b"
    r"|cadena de conexion|servidor de datos|depura\w* (?:la )?base"
    r"|cierre (?:del? |anual del? )?ejercicio|cierre anual|apertura (?:del? )?ejercicio"
    r"|corrup\w*|corromp\w*|da[nñ]ad[ao]s? (?:la |el |los |las )?(?:base|informacion|archivo)\w*"
    r"|(?:archivo|informacion|base)\w* da[nñ]ad[ao]s?"
    r"|migra(?:r|cion|mos)\b[^.\n]{0,30}\b(?:informacion|datos|equipo))"
)
# Mentions of data that are not a description ("mi licencia es X", "ID 123 ...", phones, mails).
_FIELD_MENTION = re.compile(
    r"(?:licencia|version|id|teamviewer|tv|contrasena|password|clave|telefono|tel|cel|celular|correo"
    r"|email|extension|ext)\b[^\n,;]{0,40}?(?:[^\s\d]*\d\S*)"
    r"|[+\d][\d\s().\-]{5,}\d|(?:mi nombre es|me llamo|soy)\b[^,.\n]{0,60}"
)
# "no abre", "no me deja": a failure said in two words.
_NEGATED_VERB = re.compile(r"(?<![a-z])no\s+(?:me\s+|se\s+|nos\s+|le\s+|lo\s+|la\s+)?[a-z]{3,}")
_BACKUP_FILE = re.compile(r"\.(?:mdf|ldf|bak)\b")
_EMAIL = re.compile(r"[\w.+\-]*@\S*")
_WORD = re.compile(r"[a-z\u00f1]{3,}")
_STOPWORDS = frozenset(
    (
        "que", "los", "las", "del", "por", "con", "para", "una", "uno", "unos", "unas", "este",
        "esta", "estos", "estas", "ese", "esa", "eso", "esto", "como", "pero", "mas", "sus", "les",
        "nos", "muy", "ser", "son", "fue", "era", "han", "hay", "sin", "sobre", "entre", "cuando",
        "donde", "cual", "quien", "tiene", "tengo", "tenemos", "tienen", "estoy", "estamos",
        "estan", "favor", "buen", "buenos", "buenas", "dias", "tardes", "noches", "hola", "gracias",
        "saludos", "atentamente", "cordiales", "cordial", "muchas", "mil", "saludo", "quedo",
        "atento", "atenta", "ordenes", "usted", "ustedes", "ante", "mano", "antemano", "apoyo",
        "ayuda", "ayudar", "ayudan", "solicito", "solicitamos", "requiero", "requerimos",
        "necesito", "necesitamos", "problema", "problemas", "sistema", "saacg", "net", "soporte",
        "tecnico", "urgente", "consulta", "duda", "dudas", "pregunta", "caso", "ticket",
        "seguimiento", "respuesta", "comentarios", "datos", "dato", "envio", "envian", "envie",
        "registro", "informacion", "adjunto", "anexo", "estimado", "estimada", "estimados", "puedo",
        "pueden", "podria", "podrian", "quisiera", "gustaria", "mismo", "misma", "todo", "todos",
        "toda", "todas", "algun", "alguna", "tambien", "solo", "aqui", "ahi", "bien", "asi", "ello",
        "ella", "ellos", "cuales", "sea", "estar", "parte", "area", "licencia", "numero", "version",
        "contrasena", "correo", "telefono", "nombre", "cargo", "ente", "ciudad", "estado", "espera",
        "pendiente", "comento", "comunico", "escribo", "mucho", "poco", "otra", "otro", "siguiente",
        "pronto", "posible", "mensaje", "llamada", "atencion", "indicar", "indique",
    )
)  # fmt: skip
MIN_DESCRIPTION_WORDS = 2
_TEXT_KEY = "ventanilla_text"  # set by the field extractor on the docs it saw


@dataclass(frozen=True)
class Cues:
    activation: bool = False
    database: bool = False
    has_description: bool = False


def detect_cues(doc_or_text: Doc | str) -> Cues:
    """The cues of a request, from its spaCy Doc or its text (the newest part)."""
    if isinstance(doc_or_text, str):
        text = doc_or_text
    else:  # a spaCy Doc (spaCy is not imported here: policy users need no pipeline)
        cached = doc_or_text.user_data.get(_TEXT_KEY)
        text = cached if isinstance(cached, str) else doc_or_text.text
    layout = build_layout(text)
    folded = layout.folded
    return Cues(
        activation=word_search(_ACTIVATION, folded) is not None,
        database=word_search(_DATABASE, folded) is not None or _BACKUP_FILE.search(folded) is not None,
        has_description=description_words(layout) >= MIN_DESCRIPTION_WORDS,
    )


def description_words(layout: Layout) -> int:
    """Content words of the body once greeting, labelled data, signature and field mentions go."""
    end = layout.signature_start if layout.signature else len(layout.text)
    pieces: list[str] = []
    pos = layout.body_start
    for _field, start, stop in sorted(layout.labelled, key=lambda item: item[1]):
        if stop <= pos or start >= end:
            continue
        pieces.append(layout.folded[pos:start])
        pos = stop
    pieces.append(layout.folded[pos:end])
    body = " ".join(pieces)
    if "@" in body:
        body = _EMAIL.sub(" ", body)
    body = _FIELD_MENTION.sub(" ", body)
    words = sum(1 for word in _WORD.findall(body) if word not in _STOPWORDS)
    return words + len(_NEGATED_VERB.findall(body))
