"""Checks that a rendered message's gold fields can be read in its newest part, the way the
labelling rules of fields_spec.md say they are written."""

from __future__ import annotations

import re

from ventanilla.classifier.corpus.model import Message
from ventanilla.classifier.corpus.noise import strip_accents
from ventanilla.classifier.corpus.places import STATE_VARIANTS
from ventanilla.classifier.corpus.wrappers import newest_part

# Canonical module → lower-case, accent-free stems that name it in a text.
MODULE_CUES: dict[str, tuple[str, ...]] = {
    "Contabilidad": ("contab",),
    "Presupuesto": ("presupuest", "egreso"),
    "Ingresos": ("ingreso", "recaudacion"),
    "Tesorería": ("tesoreria", "banco", "caja"),
    "Obra Pública": ("obra",),
    "Bienes Patrimoniales": ("patrimoni", "inventario", "activo fijo", "bienes"),
    "Nómina": ("nomina",),
    "Adquisiciones": ("adquisicion", "compras", "requisicion"),
    "Cuenta Pública": ("cuenta publica",),
    "Disciplina Financiera": ("ldf", "disciplina financiera"),
    "Configuración": ("configuracion", "usuarios y permisos", "permisos"),
}
_PLAIN = ("name", "cargo", "ente", "city", "teamviewer_password")


def _fold(text: str) -> str:
    return strip_accents(text).lower()


def missing_gold(message: Message) -> list[str]:
    """Gold fields of `message` whose value (or a written form of it) is not in its newest part."""
    newest = newest_part(message.body)
    folded = _fold(newest)
    digits = re.sub(r"\D", "", newest)
    missing: list[str] = []
    for key, value in message.fields.items():
        if key in _PLAIN:
            ok = value in newest
        elif key in ("email", "licence"):
            ok = value.lower() in newest.lower()
        elif key in ("phone", "phone_ext", "teamviewer_id", "version"):
            ok = value.isdigit() and value in digits
        elif key == "state":
            ok = any(
                re.search(rf"(?<!\w){re.escape(_fold(v))}(?!\w)", folded)
                for v, name in STATE_VARIANTS.items()
                if name == value
            )
        elif key == "module":
            ok = any(re.search(rf"\b{cue}", folded) for cue in MODULE_CUES.get(value, ()))
        elif key == "backup_done":
            ok = value == "true" and re.search(r"respald|backup|copia de seguridad", folded) is not None
        else:
            ok = False
        if not ok:
            missing.append(key)
    return missing
