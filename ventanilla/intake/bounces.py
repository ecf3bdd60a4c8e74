"""Read a delivery report (RFC 3464 `multipart/report` with `message/delivery-status`, or a
mailer-daemon's plain-text bounce) into a Bounce: the Message-ID of the message it reports on, taken
from the returned message or its headers, and what became of it. Pure; never raises."""

from __future__ import annotations

import re
from collections.abc import Iterator
from email.message import Message
from typing import cast

from ventanilla.bot.model import Bounce
from ventanilla.intake.text_decode import clean_line, decode_bytes

SYSTEM_LOCALPARTS = frozenset({"mailer-daemon", "postmaster", "mail-daemon", "maildaemon"})
MAX_IDS = 5
MAX_PARTS = 200
MAX_SCAN_BYTES = 200_000
MAX_DIAGNOSTIC_CHARS = 300
_STATUS_TYPES = frozenset({"message/delivery-status", "message/global-delivery-status"})
_HEADER_TYPES = frozenset({"text/rfc822-headers", "message/global-headers"})
_RETURNED_TYPES = frozenset({"message/rfc822", "message/global"})
_ACTIONS = frozenset({"failed", "delayed", "delivered", "relayed", "expanded"})
_MESSAGE_ID_LINE = re.compile(r"(?im)^message-id:[ \t]*(?:\r?\n[ \t]+)?<([!-;=?-~]{1,250})>")
_FIELD = re.compile(r"(?m)^([A-Za-z-]{1,40}):[ \t]*(.*(?:\r?\n[ \t].*)*)")
_UNFOLD = re.compile(r"\r?\n[ \t]+")
_STATUS_CODE = re.compile(r"\b([245]\.\d{1,3}\.\d{1,3})\b")


def _parts(root: Message) -> Iterator[Message]:
    """Every part of `root`, depth first, at most MAX_PARTS; a broken tree ends the walk early."""
    stack, seen = [root], 0
    while stack and seen < MAX_PARTS:
        part = stack.pop()
        seen += 1
        yield part
        try:
            payload: object = part.get_payload()
        except Exception:
            continue
        if isinstance(payload, list):
            stack.extend(reversed([p for p in payload if isinstance(p, Message)]))


def _type(part: Message) -> str:
    try:
        return str(part.get_content_type()).lower()
    except Exception:
        return "application/octet-stream"


def _text(part: Message) -> str:
    """The part's content as text, whether the parser made it a string, bytes or header blocks."""
    try:
        payload: object = part.get_payload()
        if isinstance(payload, list):  # message/delivery-status and message/rfc822 become blocks
            blocks = [p for p in payload if isinstance(p, Message)]
            return "\n\n".join("\n".join(f"{k}: {v}" for k, v in block.raw_items()) for block in blocks)
        data = cast(object, part.get_payload(decode=True))
        if isinstance(data, bytes):
            return decode_bytes(data[:MAX_SCAN_BYTES], None, truncated=len(data) > MAX_SCAN_BYTES)
        return str(payload)[:MAX_SCAN_BYTES]
    except Exception:
        return ""


def _ids_in(text: str) -> list[str]:
    return _MESSAGE_ID_LINE.findall(text[:MAX_SCAN_BYTES])


def _returned_ids(part: Message) -> list[str]:
    """The Message-ID of a returned message (message/rfc822: its first header block)."""
    try:
        payload: object = part.get_payload()
    except Exception:
        return []
    if isinstance(payload, list):
        inner = next((p for p in payload if isinstance(p, Message)), None)
        try:
            values = [str(v) for k, v in inner.raw_items() if k.lower() == "message-id"] if inner else []
        except Exception:
            values = []
        return _ids_in("".join(f"Message-ID: {_UNFOLD.sub(' ', v).strip()}\n" for v in values[:1]))
    return _ids_in(_text(part))


def _status_fields(text: str) -> dict[str, str]:
    """Action, Status, Final-Recipient and Diagnostic-Code of the first recipient that has an Action."""
    blocks = re.split(r"\r?\n[ \t]*\r?\n", text)
    for block in blocks:
        fields = {m.group(1).lower(): clean_line(m.group(2)) for m in _FIELD.finditer(block)}
        if "action" in fields:
            return fields
    return {}


def _recipient(value: str) -> str:
    address = value.split(";", 1)[-1].strip().strip("<>").lower()
    return address if "@" in address and " " not in address else ""


def find_bounce(root: Message, *, plain_text_bounce: bool = False) -> Bounce | None:
    """The Bounce `root` carries, or None when it is no delivery report. `plain_text_bounce` (the
    sender is a mailer-daemon or the return path is empty) also reads a bounce written as plain
    text with the returned message's headers inline, as qmail and some Exchange servers send."""
    try:
        parts = list(_parts(root))
    except Exception:
        return None
    status_text = notice = ""
    ids: list[str] = []
    report = _type(root) == "multipart/report"
    for part in parts[1:] if len(parts) > 1 else parts:
        kind = _type(part)
        if kind in _STATUS_TYPES and not status_text:
            status_text, report = _text(part), True
        elif kind in _HEADER_TYPES:
            ids.extend(_ids_in(_text(part)))
        elif kind in _RETURNED_TYPES and (report or plain_text_bounce):
            ids.extend(_returned_ids(part))
        elif kind == "text/plain" and plain_text_bounce and not report:
            text = _text(part)
            ids.extend(_ids_in(text))
            notice = notice or text
    if not (report or plain_text_bounce) or not ids:
        return None
    fields = _status_fields(status_text)
    action = fields.get("action", "failed").split()[0].lower() if fields.get("action") else "failed"
    status_match = _STATUS_CODE.search(fields.get("status", "") or notice[:MAX_SCAN_BYTES])
    return Bounce(
        message_ids=tuple(dict.fromkeys(ids))[:MAX_IDS],
        action=action if action in _ACTIONS else "failed",
        status=status_match.group(1) if status_match else "",
        recipient=_recipient(fields.get("final-recipient", fields.get("original-recipient", ""))),
        diagnostic=fields.get("diagnostic-code", "")[:MAX_DIAGNOSTIC_CHARS],
    )
