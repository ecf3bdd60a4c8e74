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

from ventanilla.bot.errors import PermanentDeliveryError
from ventanilla.intake.subjects import strip_reply_prefixes

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
# Only what we validated goes into a header: one plain address, message ids of printable ASCII.
_RECIPIENT = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}@[A-Za-z0-9-]{1,63}(\.[A-Za-z0-9-]{1,63})+$")
_MESSAGE_ID = re.compile(r"^[!-;=?-~]{1,250}@[!-;=?-~]{1,250}$")
# Python's email package decodes RFC 2047 words in a value it is given and writes what they hide
# (CR LF included) into the output (CVE-2024-6923, fixed after Python 3.11.7): none may reach it.
_ENCODED_WORD_START = re.compile(r"=\?")
_GENERATED = frozenset(
    {
        b"from",
        b"to",
        b"subject",
        b"date",
        b"message-id",
        b"auto-submitted",
        b"x-auto-response-suppress",
        b"in-reply-to",
        b"references",
        b"mime-version",
        b"content-type",
        b"content-transfer-encoding",
    }
)
_BRACKETED = re.compile(r"<([^<>]*)>")
MAX_SUBJECT_CHARS = 200  # longer subjects are cut at a word and end with "…"
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


def valid_message_id(value: str) -> bool:
    return bool(_MESSAGE_ID.match(value or "")) and "=?" not in value


def valid_recipient(address: str) -> bool:
    """A single plain ASCII address: no display name, no list, no comment, no line break."""
    return bool(_RECIPIENT.match(address or "")) and "=?" not in address


def threading_headers(in_reply_to: str | None, references: Sequence[str]) -> dict[str, str]:
    """`In-Reply-To` and `References` (ids without brackets in, bracketed out); an id that is not
    printable ASCII of the form left@right (e.g. a hostile one) is left out."""
    headers: dict[str, str] = {}
    refs = [r for r in references if valid_message_id(r)][-MAX_REFERENCES:]
    if in_reply_to and valid_message_id(in_reply_to):
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
    """The MIME message for one outbox row. Only the requester is a recipient: `recipient` must be
    one plain address (PermanentDeliveryError otherwise); nothing else from a received message
    reaches a header but the subject (one line, capped) and validated message ids."""
    if not valid_recipient(recipient):
        raise PermanentDeliveryError("recipient is not one plain email address; not sent")
    msg = EmailMessage()
    msg["From"] = formataddr((_one_line(from_name), from_address))
    msg["To"] = recipient
    msg["Subject"] = capped_subject(subject)
    msg["Date"] = format_datetime(date)
    msg["Message-ID"] = f"<{message_id}>"
    msg["Auto-Submitted"] = "auto-replied"
    msg["X-Auto-Response-Suppress"] = "All"
    in_reply_to = _ids(headers.get("In-Reply-To", ""))[:1]
    references = _ids(headers.get("References", ""))[-MAX_REFERENCES:]
    if in_reply_to:
        msg["In-Reply-To"] = f"<{in_reply_to[0]}>"
    if references:
        msg["References"] = " ".join(f"<{r}>" for r in references)
    msg.set_content(body_text, subtype="plain", charset="utf-8")
    if body_html:
        msg.add_alternative(body_html, subtype="html", charset="utf-8")
    _check_generated(msg)
    return msg


def _check_generated(msg: EmailMessage) -> None:
    """The last guard: the header block as it will be written has our headers only, once each."""
    try:
        head = msg.as_bytes().split(b"\n\n", 1)[0].split(b"\n")
    except Exception as error:  # the email package fails on some odd values: never retried forever
        raise PermanentDeliveryError(f"the reply cannot be written: {type(error).__name__}") from error
    names = [line.split(b":", 1)[0].strip().lower() for line in head if line[:1] not in (b" ", b"\t")]
    if any(b"\r" in line for line in head) or not set(names) <= _GENERATED or len(names) != len(set(names)):
        raise PermanentDeliveryError("the reply's headers failed the injection check; not sent")


def capped_subject(subject: str) -> str:
    """One line of at most MAX_SUBJECT_CHARS characters, cut at a word."""
    line = " ".join(_one_line(subject).split())
    if len(line) <= MAX_SUBJECT_CHARS:
        return line
    cut = line[: MAX_SUBJECT_CHARS - 1]
    if " " in cut[MAX_SUBJECT_CHARS // 2 :]:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip() + "…"


def _ids(value: object) -> list[str]:
    text = str(value or "")
    tokens = _BRACKETED.findall(text) if "<" in text else text.split()
    return [t for t in tokens if valid_message_id(t)]


def _one_line(text: str) -> str:
    """One line, and no RFC 2047 encoded word (`=?` becomes `= ?`) for the email package to decode."""
    return _ENCODED_WORD_START.sub("= ?", _CONTROL.sub(" ", text or "")).strip()
