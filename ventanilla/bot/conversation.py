"""What the steps record in the store for one message: the incoming message on its ticket, a
reply queued to its sender, a dead letter. Shared by the steps of bot/steps.py."""

from __future__ import annotations

from ventanilla.bot.model import Channel, InboundMessage
from ventanilla.bot.notify import Addressing, queue_reply
from ventanilla.bot.pipeline import Context, Job
from ventanilla.bot.replies import Reply
from ventanilla.store import intake, tickets
from ventanilla.store.schema import Ticket

BOT = "bot"


def record_incoming(ctx: Context, job: Job, ticket: Ticket) -> None:
    msg = message_of(job)
    headers = {
        "from": msg.sender,
        "to": list(msg.to),
        "cc": list(msg.cc),
        "reply_to": list(msg.reply_to),
        "in_reply_to": list(msg.in_reply_to),
        "references": list(msg.references),
        "attachments": [
            {"filename": a.filename, "content_type": a.content_type, "size": a.size} for a in msg.attachments
        ],
    }
    stored = tickets.add_message(
        ctx.session,
        ctx.box,
        ticket,
        direction="in",
        channel=msg.channel,
        source_id=msg.external_id,
        at=msg.received_at,
        subject=msg.subject,
        body=msg.text if not msg.quoted else f"{msg.text}\n\n{msg.quoted}",
        headers=headers,
        raw_id=job.raw_id,
        automatic=job.automatic,
    )
    job.stored = stored
    kind = intake.KIND_TELEGRAM if msg.channel == Channel.TELEGRAM else intake.KIND_MESSAGE_ID
    intake.link_external_id(ctx.session, kind, msg.external_id, stored.id)
    if job.automatic:
        tickets.add_event(
            ctx.session,
            ticket,
            at=ctx.clock.now(),
            actor=BOT,
            kind="automatic",
            data={"reason": job.automatic},
        )


def queue_to_sender(
    ctx: Context,
    job: Job,
    ticket: Ticket | None,
    reply: Reply,
    *,
    in_reply_to: str | None = None,
    references: tuple[str, ...] = (),
) -> None:
    """Render `reply` and write it to the outbox (and the conversation) in this transaction."""
    msg = message_of(job)
    if job.rate_limited:
        job.log["suppressed"] = reply.template
        return
    to = Addressing(
        channel=msg.channel,
        recipient=msg.sender,
        subject=msg.subject,
        in_reply_to=in_reply_to or msg.external_id,
        references=references or msg.references,
    )
    row = queue_reply(
        ctx.session,
        templates=ctx.templates,
        box=ctx.box,
        from_address=ctx.settings.outbound.from_address,
        now=ctx.clock.now(),
        ticket=ticket,
        reply=reply,
        to=to,
    )
    job.outbox_ids.append(row.id)
    job.log["reply"] = reply.template


def dead_letter(ctx: Context, job: Job, reason: str) -> None:
    source_id = job.message.external_id if job.message is not None else None
    intake.mark_dead(ctx.session, ctx.box, job.raw_id, reason, now=ctx.clock.now(), source_id=source_id)
    job.done = "dead letter"
    job.log.update(event="dead letter", reason=reason)


def message_of(job: Job) -> InboundMessage:
    assert job.message is not None
    return job.message


def status_reply(ticket: Ticket) -> Reply:
    """The `status` reply for `ticket` (email or chat); tell it only to the ticket's requester."""
    return Reply(
        "status",
        {
            "ticket_number": ticket.number,
            "label": ticket.label or "",
            "state": ticket.state,
            "assignee": ticket.assignee or "",
            "missing": list(ticket.missing or []),
            "created_at": ticket.created_at,
        },
    )
