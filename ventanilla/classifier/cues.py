"""Topic cues of a request that the policy needs: licence activation/updates, a database problem,
and whether the newest part describes a problem at all once greeting, data and signature are gone."""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.tokens import Doc

from ventanilla.classifier.layout import Layout, build_layout

_ACTIVATION = re.compile(
    r"\bactiva(?:r|cion|ciones|da|do|mos|n|ron)?\b|\bactive\b|\breactiv\w*|\brenova\w*|\brenuev\w*"
    r"|\bactualizacion(?:es)?\b|\bactualizar (?:la|mi|nuestra) licencia|\bvigencia\b|\bclave de activacion"
    r"|\bcodigo de activacion|\baportacion extraordinaria|\blicencia (?:vencida|expirada|caducada)"
    r"|\b(?:vencio|expiro|caduco) (?:la|mi|nuestra) licencia"
)
_DATABASE = re.compile(
    r"\bbases? de datos\b|\bbd\b|\bbdd\b|\bsql\b|sql\s?server|\brestaur\w*|\brespald\w*|\bbackups?\b"
    r"|\bmigra(?:r|cion|mos)\b[^.\n]{0,40}\bservidor|\bcambi\w* de servidor|\bnuevo servidor|\.mdf\b|\.bak\b"
    r"|\binstancia\b|\bcadena de conexion|\bservidor de datos|\bdepura\w* (?:la )?base"
)
# Mentions of data that are not a description ("mi licencia es X", "ID 123 ...", phones, mails).
_FIELD_MENTION = re.compile(
    r"(?:\b(?:mi|el|la|nuestra|su)\s+)?(?:numero de |no\.? de )?\b(?:licencia|version|id|teamviewer|tv"
    r"|contrasena|password|clave|telefono|tel|cel|celular|correo|email|extension|ext)\b[^\n,;]{0,40}?"
    r"(?:\S*\d\S*|\S+@\S+)"
    r"|\S+@\S+|\+?\d[\d\s().\-]{5,}\d|\b(?:mi nombre es|me llamo|soy)\b[^,.\n]{0,60}"
)
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
MIN_DESCRIPTION_WORDS = 3


@dataclass(frozen=True)
class Cues:
    activation: bool = False
    database: bool = False
    has_description: bool = False


def detect_cues(doc_or_text: Doc | str) -> Cues:
    """The cues of a request, from its spaCy Doc or its text (the newest part)."""
    text = doc_or_text.text if isinstance(doc_or_text, Doc) else doc_or_text
    layout = build_layout(text)
    folded = layout.folded
    return Cues(
        activation=bool(_ACTIVATION.search(folded)),
        database=bool(_DATABASE.search(folded)),
        has_description=description_words(layout) >= MIN_DESCRIPTION_WORDS,
    )


def description_words(layout: Layout) -> int:
    """Content words of the body once greeting, labelled data, signature and field mentions go."""
    end = layout.signature_start if layout.signature else len(layout.text)
    chars = list(layout.folded[layout.body_start : end])
    for _field, start, stop in layout.labelled:
        for i in range(max(start, layout.body_start) - layout.body_start, min(stop, end) - layout.body_start):
            chars[i] = " "
    body = _FIELD_MENTION.sub(" ", "".join(chars))
    return sum(1 for word in _WORD.findall(body) if word not in _STOPWORDS)
