"""Builds the email the bot sends: subject with the ticket tag, threading headers, RFC 3834
`Auto-Submitted`, text and HTML parts. Pure; the outbox stores its parts and the sender
rebuilds the MIME message from them."""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr

from ventanilla.intake.subjects import strip_reply_prefixes

_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
_ANY_TAG = re.compile(r"\[\s*Ticket\s*#[^\[\]]{1,60}\]", re.IGNORECASE)
MAX_REFERENCES = 20


def new_message_id(from_address: str) -> str:
    """A fresh Message-ID (without angle brackets) in the domain of our sender address."""
    domain = from_address.rpartition("@")[2] or "ventanilla.invalid"
    return f"{uuid.uuid4().hex}@{domain}"


def ticket_tag(number: str) -> str:
    return f"[Ticket#{number}]"


def reply_subject(number: str, original_subject: str, fallback: str) -> str:
    """`[Ticket#N] RE: <original subject without prefixes or tag>`, one line."""
    base = strip_reply_prefixes(_one_line(original_subject))
    # "RE: [Ticket#N] RE: x": the prefixes after a tag go too, or each round trip adds one; any
    # other ticket's tag goes (a stranger's subject must not carry two tags).
    base = strip_reply_prefixes(_ANY_TAG.sub(" ", base.replace(ticket_tag(number), " ")))
    if not base:
        return f"{ticket_tag(number)} {fallback}"
    return f"{ticket_tag(number)} RE: {base}"


def threading_headers(in_reply_to: str | None, references: Sequence[str]) -> dict[str, str]:
    """`In-Reply-To` and `References` (ids without brackets in, bracketed out)."""
    headers: dict[str, str] = {}
    refs = [r for r in references if r][-MAX_REFERENCES:]
    if in_reply_to:
        headers["In-Reply-To"] = f"<{in_reply_to}>"
        if in_reply_to not in refs:
            refs.append(in_reply_to)
    if refs:
        headers["References"] = " ".join(f"<{r}>" for r in refs)
    return headers


def build_email(
    *,
    from_address: str,
    from_name: str,
    recipient: str,
    subject: str,
    message_id: str,
    body_text: str,
    body_html: str | None,
    headers: Mapping[str, str],
    date: datetime,
) -> EmailMessage:
    """The MIME message for one outbox row. Only the requester is a recipient."""
    msg = EmailMessage()
    msg["From"] = formataddr((from_name, from_address))
    msg["To"] = recipient
    msg["Subject"] = _one_line(subject)
    msg["Date"] = format_datetime(date)
    msg["Message-ID"] = f"<{message_id}>"
    msg["Auto-Submitted"] = "auto-replied"
    msg["X-Auto-Response-Suppress"] = "All"
    for name in ("In-Reply-To", "References"):
        if headers.get(name):
            msg[name] = _one_line(headers[name])
    msg.set_content(body_text, subtype="plain", charset="utf-8")
    if body_html:
        msg.add_alternative(body_html, subtype="html", charset="utf-8")
    return msg


def _one_line(text: str) -> str:
    return _CONTROL.sub(" ", text or "").strip()
