"""Contact data of the sender: the phone and its extension, the email address, and whether a line
opens a signature."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ventanilla.classifier.normalise import (
    is_support_phone,
    normalise_email,
    normalise_extension,
    normalise_phone,
)

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
    r"|transferencia|deposito|c\.\s?p|codigo postal|reporte|numero de cliente)[^\n]{0,22}\Z"
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
