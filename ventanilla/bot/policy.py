"""The support policy of PRODUCT.md section 4 applied to one incoming message: supported versions,
the licence register, the oficio de acreditación. `assess` is pure; `apply_policy` gathers its
inputs from the store, records flags and events on the ticket and returns the notes of the reply."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from ventanilla.bot.conversation import BOT
from ventanilla.bot.hours import supported_versions, version_status
from ventanilla.bot.model import Attachment, Label
from ventanilla.bot.pipeline import Context, Job
from ventanilla.classifier.request_cues import looks_like_accreditation, needs_accreditation
from ventanilla.store import tickets
from ventanilla.store.licences import licence_problem
from ventanilla.store.schema import Ticket, TicketEvent

ACCREDITATION = "accreditation"  # pseudo-field of `missing`: the oficio de acreditación
ACCREDITATION_RECEIVED = "accreditation_received"  # event kind
# Labels whose requests are support proper (need a supported version and, when it applies, the oficio).
SUPPORT_LABELS = frozenset({Label.TECHNICAL, Label.NORMATIVE})
FLAGS = (
    "version_old",
    "version_future",
    "licence_unknown",
    "licence_trial",
    "licence_expired",
    "licence_other_entity",
    "accreditation_needed",
    "accreditation_received",
)
_DOCUMENT_TYPES = ("application/pdf", "application/msword", "application/vnd.openxmlformats")
_MIN_IMAGE_BYTES = 20_000  # smaller images are logos and signatures, not a scanned oficio


@dataclass(frozen=True)
class Facts:
    """What the policy looks at for one message of a ticket."""

    label: str
    version: str | None  # the ticket's version field, when this message brought it (else None)
    version_status: str | None  # hours.version_status of `version`, in the service time zone
    licence_check: str | None  # licence_problem() of the licence this message brought
    accreditation_cue: bool  # the text says: external advisor, several licences
    several_licences: bool  # the contact has used more than one licence number
    accreditation_on_file: bool  # an oficio was received from this contact already
    accreditation_pending: bool  # the ticket is waiting for the oficio
    oficio_attached: bool  # this message carries what looks like the oficio


@dataclass(frozen=True)
class Assessment:
    """The notes for the reply and what changes on the ticket."""

    unsupported_version: str | None = None
    licence_problem: str | None = None
    accreditation_needed: bool = False  # ask for the oficio now (first time)
    accreditation_received: bool = False
    add_flags: tuple[str, ...] = ()
    drop_flags: tuple[str, ...] = ()


def assess(f: Facts) -> Assessment:
    """The policy notes of one message and the flags they set for staff."""
    add: list[str] = []
    drop: list[str] = []
    unsupported = None
    if f.label == Label.TECHNICAL and f.version_status in ("old", "future"):
        add.append(f"version_{f.version_status}")
        unsupported = f.version if f.version_status == "old" else None
    if f.licence_check:
        add.append(f"licence_{f.licence_check}")
    needed = received = False
    if f.accreditation_pending and f.oficio_attached:
        received = True
        add.append("accreditation_received")
        drop.append("accreditation_needed")
    elif (
        f.label in SUPPORT_LABELS
        and not f.accreditation_pending
        and not f.accreditation_on_file
        and (f.accreditation_cue or f.several_licences)
    ):
        needed = True
        add.append("accreditation_needed")
    return Assessment(unsupported, f.licence_check, needed, received, tuple(add), tuple(drop))


def apply_policy(ctx: Context, job: Job, ticket: Ticket, label: str) -> Assessment:
    """Assess the message of `job` on `ticket` and record the outcome: flags, events, and the
    oficio in `missing`. Checks run on the data this message brought (all of it when new)."""
    assert job.message is not None
    msg, now, session = job.message, ctx.clock.now(), ctx.session
    if job.automatic or job.sender_role == "other":
        return Assessment()
    fields = ticket.fields or {}
    brought = set(job.changed_fields) | (set(fields) if job.is_new else set())
    contact = job.contact
    entity = str(fields.get("ente") or (contact.fields or {}).get("ente") or "") if contact else ""
    licence = fields.get("licence") if "licence" in brought else None
    check = None
    if licence:
        today = now.astimezone(ctx.settings.tz).date()
        check = licence_problem(session, str(licence), today, entity=entity, requester=ticket.requester)
    version = str(fields["version"]) if "version" in brought and fields.get("version") else None
    previous = ctx.settings.policy.previous_versions
    facts = Facts(
        label=label,
        version=version,
        version_status=version_status(version, now, ctx.settings.tz, previous),
        licence_check=check,
        accreditation_cue=needs_accreditation(msg.text),
        several_licences=_several_licences(ctx, ticket),
        accreditation_on_file=_accreditation_on_file(ctx, ticket),
        accreditation_pending=ACCREDITATION in (ticket.missing or []),
        oficio_attached=looks_like_accreditation(msg.text, _documents(msg.attachments)),
    )
    outcome = assess(facts)
    flags = [f for f in ticket.flags or [] if f not in outcome.drop_flags]
    ticket.flags = flags + [f for f in outcome.add_flags if f not in flags]
    if outcome.add_flags or outcome.drop_flags:
        data = {"added": list(outcome.add_flags), "removed": list(outcome.drop_flags)}
        tickets.add_event(session, ticket, at=now, actor=BOT, kind="policy", data=data)
    if outcome.accreditation_needed:
        ticket.missing = [*(ticket.missing or []), ACCREDITATION]
    if outcome.accreditation_received:
        ticket.missing = [name for name in ticket.missing or [] if name != ACCREDITATION]
        names = _documents(msg.attachments)
        tickets.add_event(
            session, ticket, at=now, actor="requester", kind=ACCREDITATION_RECEIVED, data={"files": names}
        )
    return outcome


def notes(outcome: Assessment, now: datetime, ctx: Context) -> dict[str, Any]:
    """The reply variables of `outcome` (acknowledgement, missing_data, data_complete …)."""
    previous = ctx.settings.policy.previous_versions
    return {
        "unsupported_version": outcome.unsupported_version,
        "supported_versions": list(supported_versions(now, ctx.settings.tz, previous)),
        "licence_problem": outcome.licence_problem,
        "accreditation_needed": outcome.accreditation_needed,
    }


def _documents(attachments: tuple[Attachment, ...]) -> list[str]:
    """Names of the attachments that can be a scanned or typed document."""
    return [
        a.filename or a.content_type
        for a in attachments
        if a.content_type.startswith(_DOCUMENT_TYPES)
        or (a.content_type.startswith("image/") and a.size >= _MIN_IMAGE_BYTES)
    ]


def _several_licences(ctx: Context, ticket: Ticket) -> bool:
    """True when the requester has written about more than one licence number (on any ticket)."""
    others: list[dict[str, Any]] = [ticket.fields or {}]  # this ticket as it is now, maybe unflushed
    if ticket.contact_id is not None:
        with ctx.session.no_autoflush:  # the other tickets are committed already: no flush needed
            others += ctx.session.scalars(
                select(Ticket.fields).where(Ticket.contact_id == ticket.contact_id, Ticket.id != ticket.id)
            )
    numbers = {str((fields or {}).get("licence", "")).strip().upper() for fields in others}
    return len(numbers - {""}) > 1


def _accreditation_on_file(ctx: Context, ticket: Ticket) -> bool:
    if ticket.contact_id is None:
        return False
    with ctx.session.no_autoflush:  # this message adds its own oficio event only after the check
        found = ctx.session.scalars(
            select(TicketEvent.id)
            .join(Ticket, Ticket.id == TicketEvent.ticket_id)
            .where(Ticket.contact_id == ticket.contact_id, TicketEvent.kind == ACCREDITATION_RECEIVED)
            .limit(1)
        ).first()
    return found is not None
