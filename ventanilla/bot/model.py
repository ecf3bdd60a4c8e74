"""The vocabulary shared by every part: channels, labels, states, field names and the
one immutable message type every channel produces."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Channel(StrEnum):
    EMAIL = "email"
    TELEGRAM = "telegram"


class Label(StrEnum):
    ADMINISTRATIVE = "administrative"
    TECHNICAL = "technical"
    NORMATIVE = "normative"
    OTHER = "other"


LABELS: tuple[Label, ...] = tuple(Label)


class TicketState(StrEnum):
    AWAITING_INFO = "awaiting_info"
    QUEUED = "queued"
    IN_PROGRESS = "in_progress"
    ESCALATED = "escalated"
    RESOLVED = "resolved"
    CLOSED = "closed"


OPEN_STATES: frozenset[TicketState] = frozenset(
    {TicketState.AWAITING_INFO, TicketState.QUEUED, TicketState.IN_PROGRESS, TicketState.ESCALATED}
)

# Fields of PRODUCT.md section 3, in the order a reply lists them.
CONTACT_FIELDS: tuple[str, ...] = ("name", "cargo", "ente", "phone", "phone_ext", "city", "state", "email")
TICKET_FIELDS: tuple[str, ...] = (
    "licence",
    "module",
    "version",
    "teamviewer_id",
    "teamviewer_password",
    "backup_done",
)
FIELDS: tuple[str, ...] = CONTACT_FIELDS + TICKET_FIELDS
# Pseudo-field: the request itself says what the problem or question is.
DESCRIPTION = "description"
SECRET_FIELDS: frozenset[str] = frozenset({"teamviewer_password"})


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    size: int  # decoded bytes
    note: str = ""  # e.g. why the contents were not looked into (Outlook TNEF)


@dataclass(frozen=True)
class Bounce:
    """A delivery report (RFC 3464 or a mailer-daemon's text) about a message: which one it reports on
    (its Message-IDs, without angle brackets) and what became of it."""

    message_ids: tuple[str, ...]
    action: str = "failed"  # RFC 3464 Action: failed, delayed, delivered, relayed, expanded
    status: str = ""  # e.g. "5.1.1"
    recipient: str = ""  # the final recipient the report names
    diagnostic: str = ""  # one line, capped

    @property
    def failed(self) -> bool:
        return self.action == "failed"


@dataclass(frozen=True)
class InboundMessage:
    """What any channel received, once parsed. Nothing downstream knows the channel's wire format.

    `external_id` is the Message-ID for email (angle brackets stripped) and `tg:<update_id>`
    for Telegram. `sender` is the lower-case email address, or `tg:<chat_id>` for Telegram.
    `text` is the new part only; `quoted` is the quoted or forwarded history.
    """

    channel: Channel
    source: str  # "smtp", "imap" or "telegram"
    external_id: str
    sender: str
    subject: str
    text: str
    received_at: datetime
    sender_name: str = ""
    quoted: str = ""
    html: bool = False
    raw_id: int | None = None
    to: tuple[str, ...] = ()
    cc: tuple[str, ...] = ()
    reply_to: tuple[str, ...] = ()
    in_reply_to: tuple[str, ...] = ()
    references: tuple[str, ...] = ()
    # Headers that matter for loop detection (lower-case name, value), in message order.
    headers: tuple[tuple[str, str], ...] = ()
    attachments: tuple[Attachment, ...] = ()
    return_path: str | None = None  # SMTP envelope MAIL FROM ("" for the null sender)
    bounce: Bounce | None = None  # a delivery report: what it says about which message
    chat_id: int | None = None
    command: str | None = None  # Telegram: "start", "nuevo", "estado", "ayuda"
