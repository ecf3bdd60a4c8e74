"""The steps of the worker pipeline, in order (see STEPS at the end). Each does one thing to one
Job; they share the transaction of the Context's session."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import timedelta

from ventanilla.bot import chat_steps
from ventanilla.bot import decide as deciding
from ventanilla.bot.conversation import (
    BOT,
    dead_letter,
    message_of,
    queue_to_sender,
    record_incoming,
    status_reply,
)
from ventanilla.bot.errors import MalformedMessage
from ventanilla.bot.hours import supported_versions
from ventanilla.bot.model import (
    CONTACT_FIELDS,
    DESCRIPTION,
    SECRET_FIELDS,
    Channel,
    InboundMessage,
    Label,
    TicketState,
)
from ventanilla.bot.pipeline import Context, Job, Step
from ventanilla.bot.policy import apply_policy
from ventanilla.bot.replies import Reply
from ventanilla.bot.undeliverable import record_bounce
from ventanilla.bot.views import mask_text
from ventanilla.classifier.analyse import MessageText
from ventanilla.classifier.cues import Cues
from ventanilla.classifier.policy import missing_fields
from ventanilla.classifier.request_cues import asked_ticket_number, asks_status
from ventanilla.intake.automatic import automatic_reason
from ventanilla.intake.email_parse import parse_email
from ventanilla.intake.subjects import find_ticket_tag, strip_reply_prefixes
from ventanilla.store import intake, outbox, tickets
from ventanilla.store.schema import Ticket

log = logging.getLogger("ventanilla.worker")


def parse(ctx: Context, job: Job) -> None:
    if job.message is not None:  # parsed ahead, outside the write lock (Worker.prepare)
        return
    if job.source == "telegram":
        chat_steps.parse_chat(ctx, job)
        return
    if job.source not in ("smtp", "imap"):
        raise MalformedMessage(f"no parser for source {job.source!r}")
    job.message = parse_email(
        job.data,
        source=job.source,
        received_at=job.received_at,
        envelope_from=job.envelope.get("mail_from"),
        raw_id=job.raw_id,
    )


def deduplicate(ctx: Context, job: Job) -> None:
    msg = message_of(job)
    kind = intake.KIND_TELEGRAM if msg.channel == Channel.TELEGRAM else intake.KIND_MESSAGE_ID
    if not intake.record_external_id(ctx.session, kind, msg.external_id, raw_id=job.raw_id):
        job.done = "duplicate"
        job.log.update(event="duplicate", source_id=msg.external_id)


def load_context(ctx: Context, job: Job) -> None:
    """Thread the message: our Message-IDs, then the subject tag (requester or CC only)."""
    msg = message_of(job)
    if msg.channel == Channel.TELEGRAM:  # by chat: bot/chat_steps.py
        chat_steps.load_chat_context(ctx, job)
        return
    bounced = msg.bounce.message_ids if msg.bounce is not None else ()  # a report on our reply
    ticket = tickets.ticket_by_message_ids(ctx.session, [*msg.references, *msg.in_reply_to, *bounced])
    if ticket is None:
        number = find_ticket_tag(msg.subject, ctx.settings.tickets.prefix)
        tagged = tickets.find_ticket(ctx.session, number) if number else None
        if tagged is not None and tickets.requester_matches(tagged, msg.sender):
            ticket = tagged
    if ticket is not None and ticket.state in (TicketState.RESOLVED, TicketState.CLOSED):
        closed_at = ticket.closed_at or ticket.resolved_at or ticket.updated_at
        window = timedelta(days=ctx.settings.tickets.reopen_window_days)
        if ctx.clock.now() - closed_at > window:
            job.previous_ticket, ticket = ticket, None
    job.ticket = ticket
    job.is_new = ticket is None
    if ticket is not None:
        job.sender_role = _sender_role(ticket, msg.sender)
    job.contact = (
        tickets.find_contact(ctx.session, email=msg.sender) if msg.channel == Channel.EMAIL else None
    )
    if job.is_new:
        job.status_asked = asked_ticket_number(msg.text, msg.subject, ctx.settings.tickets.prefix)
    elif asks_status(msg.text, msg.subject):
        job.status_asked = ticket.number if ticket else None


def lock_ticket(ctx: Context, job: Job) -> None:
    """Several workers (PostgreSQL): lock the ticket's row and re-read it, so that two messages of one
    ticket are handled one after the other and neither's data is lost (SQLite: one writer anyway)."""
    if job.ticket is not None and ctx.session.get_bind().dialect.name != "sqlite":
        ctx.session.refresh(job.ticket, with_for_update=True)


def _sender_role(ticket: Ticket, sender: str) -> str:
    """ "requester", "cc" (was on the ticket's CC) or "other" (anyone else in the thread)."""
    if sender.lower() == ticket.requester.lower():
        return "requester"
    return "cc" if tickets.requester_matches(ticket, sender) else "other"


def screen(ctx: Context, job: Job) -> None:
    """Automatic mail is recorded but never answered; replies to one recipient are rate-limited."""
    msg = message_of(job)
    if msg.channel == Channel.TELEGRAM:
        chat_steps.screen_chat(ctx, job)
        return
    own = {ctx.settings.outbound.from_address, *ctx.settings.smtp_intake.addresses}
    job.automatic = automatic_reason(msg, own)
    if job.automatic and msg.bounce is not None:
        job.log["undeliverable"] = record_bounce(ctx.session, msg.bounce, ctx.clock.now())
    if job.automatic and job.is_new:
        dead_letter(ctx, job, f"automatic mail not linked to any ticket ({job.automatic})")
        return
    window = timedelta(minutes=ctx.settings.outbound.auto_reply_window_minutes)
    recent = outbox.count_recent_auto_replies(ctx.session, msg.sender, ctx.clock.now() - window)
    job.rate_limited = recent >= ctx.settings.outbound.max_auto_replies_per_recipient


def answer_status(ctx: Context, job: Job) -> None:
    """A message asking for a ticket's status gets it — only when it is the requester's ticket."""
    if job.status_asked is None or job.automatic:
        return
    msg = message_of(job)
    asked = tickets.find_ticket(ctx.session, job.status_asked)
    if asked is not None and asked.requester.lower() == msg.sender.lower():
        job.ticket, job.is_new = asked, False
        reply = status_reply(asked)
        record_incoming(ctx, job, asked)
        queue_to_sender(ctx, job, asked, reply)
        job.done = "status"
        return
    if not job.is_new:
        return  # a status question inside the thread of another ticket: handled as a follow-up
    dead_letter(ctx, job, f"status asked for a ticket not of this sender ({job.status_asked})")
    queue_to_sender(ctx, job, None, Reply("status_unknown", {"asked_number": job.status_asked}))


def classify(ctx: Context, job: Job) -> None:
    """Label and fields of the text alone (pure; may run ahead, outside the write lock). What is
    missing depends on what the store knows and is worked out in `open_or_update`."""
    if job.automatic or job.analysis is not None:
        return
    msg = message_of(job)
    # A reply's subject is the thread's topic, not what this message asks ("gracias" answering
    # "RE: Error al generar la balanza" is no new request): replies are labelled by their text.
    is_reply = strip_reply_prefixes(msg.subject) != msg.subject.strip() or bool(
        find_ticket_tag(msg.subject, ctx.settings.tickets.prefix)
    )
    subject = "" if is_reply and msg.text.strip() else msg.subject
    text = MessageText(msg.channel, subject, msg.text, msg.quoted, msg.sender)
    job.analysis = ctx.classify(text, {})
    secrets = [v for k, v in job.analysis.fields.items() if k in SECRET_FIELDS and v]
    if secrets and mask_text(msg.subject, secrets) != msg.subject:
        # A secret typed in the subject is never stored in clear nor quoted back in a reply subject.
        job.message = replace(msg, subject=mask_text(msg.subject, secrets))


def open_or_update(ctx: Context, job: Job) -> None:
    """Create the ticket of a new request; store the message and the fields it brought."""
    msg, now = message_of(job), ctx.clock.now()
    if job.contact is None and msg.channel == Channel.EMAIL:
        job.contact = tickets.get_or_create_contact(ctx.session, now, email=msg.sender)
    if job.is_new:
        analysis = job.analysis
        assert analysis is not None and job.contact is not None
        year = now.astimezone(ctx.settings.tz).year
        job.ticket = tickets.create_ticket(
            ctx.session,
            prefix=ctx.settings.tickets.prefix,
            year=year,
            now=now,
            channel=msg.channel,
            contact=job.contact,
            requester=msg.sender,
            subject=msg.subject,
            state=TicketState.QUEUED,
            label=analysis.label,
            confidence=analysis.confidence,
            needs_triage=analysis.needs_triage,
        )
        job.ticket.cc = list(msg.cc)
        job.ticket.reply_to = list(msg.reply_to)
        job.ticket.linked_ticket = job.previous_ticket
        tickets.add_event(
            ctx.session,
            job.ticket,
            at=now,
            actor=BOT,
            kind="created",
            data={
                "label": analysis.label,
                "confidence": round(analysis.confidence, 3),
                "needs_triage": analysis.needs_triage,
                "linked_to": job.previous_ticket.number if job.previous_ticket else None,
            },
        )
    ticket = job.ticket
    assert ticket is not None
    record_incoming(ctx, job, ticket)
    if job.analysis is not None and job.sender_role != "other":
        # Someone outside the ticket (neither its requester nor on its CC) may write in the thread:
        # the message is kept for staff, but it changes no data of the ticket.
        found = dict(job.analysis.fields)
        if job.analysis.cues is not None and job.analysis.cues.has_description:
            found.setdefault(DESCRIPTION, "true")
        changed = tickets.merge_fields(
            ctx.session,
            ctx.box,
            ticket,
            job.contact,
            found,
            at=now,
            actor="requester",
            contact_fields=CONTACT_FIELDS,
        )
        job.changed_fields = sorted(changed)
        job.log["fields"] = job.changed_fields
        if job.is_new:
            ticket.missing = list(_missing_for_new(ctx, job, found))
        else:
            provided = set(found) | ({"email"} if msg.channel == Channel.EMAIL else set())
            ticket.missing = [name for name in ticket.missing or [] if name not in provided]


def _missing_for_new(ctx: Context, job: Job, found: dict[str, str]) -> tuple[str, ...]:
    analysis, msg = job.analysis, message_of(job)
    assert analysis is not None
    known = {k: str(v) for k, v in (job.contact.fields if job.contact else {}).items()}
    sender = msg.sender if msg.channel == Channel.EMAIL else None
    cues = analysis.cues or Cues(has_description=DESCRIPTION in found)
    return missing_fields(analysis.label, analysis.fields, known, sender, cues, ctx.settings.required)


def decide(ctx: Context, job: Job) -> None:
    ticket, msg, now = job.ticket, message_of(job), ctx.clock.now()
    assert ticket is not None
    policy = apply_policy(ctx, job, ticket, "" if ticket.needs_triage else ticket.label or "")
    situation = deciding.Situation(
        ticket_number=ticket.number,
        is_new=job.is_new,
        state=None if job.is_new else TicketState(ticket.state),
        label=_situation_label(job, ticket),
        needs_triage=ticket.needs_triage,
        missing=tuple(ticket.missing or []),
        requester_name=str((job.contact.fields if job.contact else {}).get("name", "")),
        automatic=job.automatic,
        rate_limited=job.rate_limited,
        out_of_hours=not ctx.hours.is_open(now),
        next_opening=ctx.hours.next_opening(now),
        received_at=now,
        unsupported_version=policy.unsupported_version,
        supported_versions=supported_versions(now, ctx.settings.tz, ctx.settings.policy.previous_versions),
        accreditation_needed=policy.accreditation_needed,
        licence_problem=policy.licence_problem,
    )
    decision = deciding.decide(situation)
    if job.sender_role == "other":
        decision = deciding.Decision(TicketState(ticket.state), None, "message from outside the ticket, kept")
    elif job.sender_role == "cc" and decision.reply is not None:
        decision = replace(decision, reply=None, why=decision.why + "; sender on CC is not answered")
    job.decision = decision
    if decision.reopened:
        tickets.add_event(ctx.session, ticket, at=now, actor="requester", kind="reopen", data={})
    new_state = decision.state
    if job.is_new:
        ticket.state = new_state
        ticket.missing = list(situation.missing)
    else:
        tickets.set_state(ctx.session, ticket, new_state, at=now, actor=BOT, why=decision.why)
    job.log.update(ticket=ticket.number, state=ticket.state, why=decision.why, new=job.is_new)
    if decision.reply is not None:
        queue_to_sender(
            ctx, job, ticket, decision.reply, in_reply_to=msg.external_id, references=msg.references
        )


def _situation_label(job: Job, ticket: Ticket) -> str:
    """New ticket: its label. Follow-up: "other" when this message is no request and brings no
    data (thanks…), else the ticket's label (or this message's when the ticket was no request)."""
    this = job.analysis.label if job.analysis is not None else ""
    if job.is_new:
        return ticket.label or ""
    if this == Label.OTHER and not job.changed_fields:
        return this  # a message that only brings data ("Licencia: …") is no mere thanks
    if ticket.label and ticket.label != Label.OTHER:
        return ticket.label
    return this


def _msg(job: Job) -> InboundMessage:
    assert job.message is not None
    return job.message


# Pure steps the worker runs ahead on the next message, outside the database write lock.
PREPARE: list[tuple[str, Step]] = [("parse", parse), ("classify", classify)]
STEPS: list[tuple[str, Step]] = [
    ("parse", parse),
    ("deduplicate", deduplicate),
    ("load_context", load_context),
    ("lock_ticket", lock_ticket),
    ("screen", screen),
    ("chat_command", chat_steps.answer_command),
    ("answer_status", answer_status),
    ("classify", classify),
    ("open_or_update", open_or_update),
    ("decide", decide),
    ("chat_followup", chat_steps.after_chat),
]
