"""Subject helpers for threading: strip reply/forward prefixes and caution tags before comparing
subjects, and find a ticket tag such as `[Ticket#SAACG-2026-000123]`."""

from __future__ import annotations

import re

SERIAL_WIDTH = 6  # SAACG-2026-000123

# Reply and forward prefixes of Spanish, English and Portuguese clients: RE, RV (reenviar), FW, FWD,
# RES, ENC, REENV, AW/WG/SV (German and Nordic Outlook), optionally counted ("Re[2]:", "RE (3):").
_PREFIX = re.compile(
    r"^\s*(re|rv|fw|fwd|res|enc|reenv|reenviar|aw|wg|sv|tr)\s*(\[\d{1,3}\]|\(\d{1,3}\))?\s*[:：]\s*",
    re.IGNORECASE,
)
# Leading caution or list tags without digits: "[EXTERNAL]", "[EXTERNO]", "[Correo externo]", "*EXTERNAL*".
_TAG = re.compile(r"^\s*(\[[^\[\]\d]{1,40}\]|\*{1,2}[A-Za-zÁÉÍÓÚáéíóúÑñ ]{2,30}\*{1,2})\s*")
_SPACES = re.compile(r"\s+")
_MAX_ROUNDS = 64


def strip_reply_prefixes(subject: str) -> str:
    """The subject without leading reply/forward prefixes and tags ("RE: RV: Fwd: [EXTERNAL] x" → "x")."""
    text = _SPACES.sub(" ", subject).strip()
    for _ in range(_MAX_ROUNDS):
        stripped = _TAG.sub("", _PREFIX.sub("", text, count=1), count=1)
        if stripped == text:
            break
        text = stripped
    return text.strip()


def _tag_pattern(prefix: str) -> re.Pattern[str]:
    dash = r"\s*[-–—_ ]\s*"
    number = rf"(?P<prefix>{re.escape(prefix.strip())}){dash}(?P<year>\d{{4}}){dash}(?P<serial>\d{{1,9}})"
    ticket = r"\bticket\s*(?:#|n[oº°.]*|num\.?|número)?\s*:?\s*"
    return re.compile(rf"(?:[\[【(]\s*(?:{ticket})?|{ticket}){number}(?!\d)", re.IGNORECASE)


def find_ticket_tag(subject: str, prefix: str) -> str | None:
    """The canonical ticket number tagged in `subject` (e.g. "SAACG-2026-000123"), or None.

    Tolerates case, spaces, a missing "Ticket#" inside the brackets and "Ticket#" without brackets.
    """
    if not prefix.strip():
        return None
    match = _tag_pattern(prefix).search(subject)
    if match is None:
        return None
    serial = match.group("serial").lstrip("0") or "0"
    return f"{match.group('prefix').upper()}-{match.group('year')}-{serial.zfill(SERIAL_WIDTH)}"
