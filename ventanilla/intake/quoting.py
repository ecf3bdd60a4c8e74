"""Separate the part a sender just wrote from the quoted replies and forwarded history below it,
for Spanish and English mail clients (Outlook, Gmail, Apple Mail, Thunderbird, Yahoo).

Pure and linear in the size of the text: it is also used on JSON input by the classifier.
"""

from __future__ import annotations

import re

import quotequail

# An attribution line that starts with a date phrase: "El lun., 3 mar. 2025 a las 10:12, Juan
# <j@x.mx> escribió:", "On Mon, Mar 3, 2025 at 10:12 AM X wrote:", Yahoo's "En lunes, 3 de …".
_ATTRIBUTION_START = re.compile(r"^(el|on|en|am|le)\s", re.IGNORECASE)
_ATTRIBUTION = re.compile(
    r"^(el|on|en)\s.{0,400}?\d.{0,400}?(escribió|escribio|wrote|a écrit)\s*:\s*$", re.IGNORECASE
)
# "Juan Pérez <j@x.mx> escribió:" (Thunderbird without a date), one line only.
_ADDRESS_ATTRIBUTION = re.compile(r"^.{0,200}@.{0,200}\s(escribió|escribio|wrote)\s*:\s*$", re.IGNORECASE)
_SEPARATOR = re.compile(
    r"^-{2,}\s*(mensaje original|original message|forwarded message|mensaje reenviado|"
    r"message d'origine|message transféré|correo reenviado)\s*-{2,}\s*$",
    re.IGNORECASE,
)
_FORWARD_INTRO = re.compile(
    r"^(begin forwarded message|inicio del mensaje reenviado|mensaje reenviado|forwarded message)\s*:\s*$",
    re.IGNORECASE,
)
_RULE = re.compile(r"^(_{8,}|-{8,}|={8,}|\* \* \*)$")
_HEADER = re.compile(r"^\*{0,2}([a-zñ ]{2,12}?)\s*:\*{0,2}(\s|$)", re.IGNORECASE)
_FROM = frozenset({"de", "from"})
_HEADER_KINDS = {
    "enviado": "date", "enviado el": "date", "sent": "date", "fecha": "date", "date": "date",
    "para": "to", "to": "to", "asunto": "subject", "subject": "subject", "cc": "cc", "cco": "cc",
}  # fmt: skip
_ONE_LINE_HEADERS = re.compile(
    r"^\*{0,2}(de|from):.{1,300}\b(enviado|sent|fecha|date):.{1,200}\b(para|to|asunto|subject):",
    re.IGNORECASE,
)
_HEADER_WINDOW = 10
_QUOTEQUAIL_MAX_LINES = 400


def _plain(line: str) -> str:
    return line.strip().strip("*").strip() if line.startswith("*") else line.strip()


def _is_outlook_header(lines: list[str], index: int, plain: str) -> bool:
    if _ONE_LINE_HEADERS.match(plain):
        return True
    match = _HEADER.match(plain)
    if match is None or match.group(1).strip().lower() not in _FROM:
        return False
    kinds: set[str] = set()
    for line in lines[index + 1 : index + 1 + _HEADER_WINDOW]:
        header = _HEADER.match(_plain(line))
        if header is not None:
            kind = _HEADER_KINDS.get(header.group(1).strip().lower())
            if kind is not None:
                kinds.add(kind)
    return len(kinds & {"date", "to", "subject"}) >= 2


def _back_over_rule(lines: list[str], index: int) -> int:
    """Include a separator rule (and blank lines) just above an Outlook header block."""
    probe = index - 1
    while probe >= 0 and not lines[probe].strip():
        probe -= 1
    if probe >= 0 and _RULE.match(lines[probe].strip()):
        return probe
    return index


def _is_attribution(lines: list[str], index: int, plain: str) -> bool:
    if _ADDRESS_ATTRIBUTION.match(plain):
        return True
    if not _ATTRIBUTION_START.match(plain) or len(plain) > 800:
        return False
    joined = plain
    for extra in range(3):
        if extra:
            if index + extra >= len(lines):
                return False
            joined = f"{joined} {lines[index + extra].strip()}"
        if _ATTRIBUTION.match(joined):
            return True
    return False


def _is_quote_block(lines: list[str], index: int) -> bool:
    following = [line for line in lines[index + 1 : index + 3] if line.strip()]
    return not following or following[0].lstrip().startswith(">")


def find_quote_start(lines: list[str]) -> int | None:
    """Index of the first line of quoted or forwarded history, or None."""
    for index, line in enumerate(lines):
        plain = _plain(line)
        if not plain:
            continue
        if plain.startswith(">"):
            if _is_quote_block(lines, index):
                return index
            continue
        if _SEPARATOR.match(plain) or _FORWARD_INTRO.match(plain) or _is_attribution(lines, index, plain):
            return index
        if _is_outlook_header(lines, index, plain):
            return _back_over_rule(lines, index)
    return None


def _quotequail_start(lines: list[str]) -> int | None:
    """quotequail's patterns (other languages, Apple Mail forwards) on the head of the text."""
    head = "\n".join(lines[:_QUOTEQUAIL_MAX_LINES])
    parts = quotequail.quote(head, limit=_QUOTEQUAIL_MAX_LINES + 1, quote_intro_line=True)
    if len(parts) < 2:
        return None
    top = str(parts[0][1])
    return top.count("\n") + 1 if top else 0


def _bottom_posted(lines: list[str], start: int) -> tuple[str, str] | None:
    """When nothing precedes the quote, the sender answered below or between quoted lines."""
    first = start
    if not lines[first].lstrip().startswith(">"):
        if not _is_attribution(lines, first, _plain(lines[first])):
            return None
        first += 1
    rest = lines[first:]
    if not any(line.lstrip().startswith(">") for line in rest[:3]):
        return None
    new = [line for line in rest if line.strip() and not line.lstrip().startswith(">")]
    if not new:
        return None
    quoted = lines[start:first] + [line for line in rest if line.lstrip().startswith(">")]
    return "\n".join(new).strip(), "\n".join(quoted).strip()


def split_quoted(text: str) -> tuple[str, str]:
    """Split a plain-text body into (newest part, quoted history); the signature stays in the newest.

    Line ends come back as "\n"; the newest part is a prefix of the (stripped) input, except for an
    answer written below the quote, which is then the unquoted lines after it."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    start = find_quote_start(lines)
    if start is None:
        start = _quotequail_start(lines)
    if start is None:
        return "\n".join(lines).strip(), ""
    newest = "\n".join(lines[:start]).strip()
    if not newest:
        bottom = _bottom_posted(lines, start)
        if bottom is not None:
            return bottom
    return newest, "\n".join(lines[start:]).strip()
