"""The Telegram side of the worker pipeline: threading by chat (the chat's current ticket; /nuevo
starts another), the commands (/start, /ayuda, /estado, /nuevo), group chats (one polite line),
voice notes (please write), files sent (their ids on the ticket) and the advice to delete a message
that held a password. The email steps of bot/steps.py call in here for chat messages."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from sqlalchemy import select

from ventanilla.bot.conversation import (
    BOT,
    dead_letter,
    message_of,
    queue_to_sender,
    record_incoming,
    status_reply,
)
from ventanilla.bot.model import OPEN_STATES, SECRET_FIELDS, Channel, TicketState
from ventanilla.bot.pipeline import Context, Job
from ventanilla.bot.replies import Reply
from ventanilla.bot.views import mask_text
from ventanilla.intake.telegram_parse import ChatDetails, chat_details, parse_update
from ventanilla.store import tickets
from ventanilla.store.channel_state import get_state, set_state
from ventanilla.store.schema import Ticket

NEW_TICKET = "new"  # value of `tg-current:<chat>` after /nuevo: the next message opens a ticket
SUBJECT_LENGTH = 80
HELP_COMMANDS = {"start": "welcome", "ayuda": "help", "help": "help"}


def current_key(chat_id: int) -> str:
    return f"tg-current:{chat_id}"


def parse_chat(ctx: Context, job: Job) -> None:
    job.message = parse_update(job.data, received_at=job.received_at, raw_id=job.raw_id)


def current_ticket(ctx: Context, chat_id: int, sender: str) -> Ticket | None:
    """The chat's current ticket: the one it last opened, unless /nuevo was sent since."""
    value = get_state(ctx.session, current_key(chat_id))
    if value == NEW_TICKET:
        return None
    if value:
        ticket = tickets.find_ticket(ctx.session, value)
        if ticket is not None and ticket.requester == sender:
            return ticket
    return newest_ticket(ctx, sender)


def newest_ticket(ctx: Context, sender: str) -> Ticket | None:
    return ctx.session.scalars(
        select(Ticket).where(Ticket.requester == sender).order_by(Ticket.id.desc()).limit(1)
    ).first()


def load_chat_context(ctx: Context, job: Job) -> None:
    """Thread a chat message: the chat's current ticket (reopened within the window, like an email
    reply), or a new one; the contact is the chat's."""
    msg = message_of(job)
    details = chat_details(job.data)
    assert msg.chat_id is not None
    if not details.private:
        _group_chat(ctx, job, details)
        return
    job.contact = tickets.get_or_create_contact(ctx.session, ctx.clock.now(), chat_id=msg.chat_id)
    ticket = None if msg.command == "nuevo" else current_ticket(ctx, msg.chat_id, msg.sender)
    if ticket is not None and ticket.state in (TicketState.RESOLVED, TicketState.CLOSED):
        closed_at = ticket.closed_at or ticket.resolved_at or ticket.updated_at
        if ctx.clock.now() - closed_at > timedelta(days=ctx.settings.tickets.reopen_window_days):
            job.previous_ticket, ticket = ticket, None
    job.ticket, job.is_new, job.sender_role = ticket, ticket is None, "requester"


def screen_chat(ctx: Context, job: Job) -> None:
    """Nothing automatic writes in a private chat (bots cannot talk to bots) and a dialogue needs
    every answer: no loop screening, no per-recipient reply limit."""
    job.automatic, job.rate_limited = None, False


def answer_command(ctx: Context, job: Job) -> None:
    """Commands and voice notes, which open no ticket; anything else goes on down the pipeline."""
    msg = message_of(job)
    if msg.channel != Channel.TELEGRAM:
        return
    command = msg.command
    if command in HELP_COMMANDS:
        name = str((job.contact.fields if job.contact else {}).get("name") or msg.sender_name)
        _answer(ctx, job, None, Reply(HELP_COMMANDS[command], {"requester_name": name}), command)
    elif command == "estado":
        _status(ctx, job)
    elif command == "nuevo" and not msg.text:
        assert msg.chat_id is not None
        set_state(ctx.session, current_key(msg.chat_id), NEW_TICKET, now=ctx.clock.now())
        _answer(ctx, job, None, Reply("new_request", {}), command)
    elif command is not None and command != "nuevo":
        _answer(ctx, job, None, Reply("help", {}), "unknown command")
    elif not msg.text and chat_details(job.data).spoken:
        ticket = job.ticket if job.ticket is not None and job.ticket.state in OPEN_STATES else None
        if ticket is not None:
            record_incoming(ctx, job, ticket)
            _record_files(ctx, ticket, chat_details(job.data))
        _answer(ctx, job, ticket, Reply("voice_note", {}), "voice note")


def _status(ctx: Context, job: Job) -> None:
    """/estado [número]: only tickets of this chat; any other number gets the answer of a number
    that does not exist."""
    msg = message_of(job)
    words = msg.text.split()
    asked = words[0] if words else ""
    if asked:
        ticket = tickets.find_ticket(ctx.session, asked)
    else:
        ticket = job.ticket or job.previous_ticket or newest_ticket(ctx, msg.sender)
    if ticket is not None and ticket.requester == msg.sender:
        job.message = replace(msg, text=f"/estado {msg.text}".strip())
        job.ticket, job.is_new = ticket, False
        record_incoming(ctx, job, ticket)
        _answer(ctx, job, ticket, status_reply(ticket), "status")
        return
    if asked:  # recorded and explained, like an email asking about a ticket not of its sender
        dead_letter(ctx, job, f"status asked for a ticket not of this sender ({asked[:40]})")
    _answer(ctx, job, None, Reply("status_unknown", {"asked_number": asked}), "status unknown")


def _answer(ctx: Context, job: Job, ticket: Ticket | None, reply: Reply, why: str) -> None:
    queue_to_sender(ctx, job, ticket, reply)
    job.done = job.done or why
    job.log.update(event="chat", why=why)


def _group_chat(ctx: Context, job: Job, details: ChatDetails) -> None:
    """A group: one polite line (once per group), nothing recorded as a ticket."""
    key = f"tg-group:{details.chat_id}"
    if get_state(ctx.session, key) is None:
        set_state(ctx.session, key, "told", now=ctx.clock.now())
        queue_to_sender(ctx, job, None, Reply("private_only", {}))
    job.done = "group chat"
    job.log.update(event="group chat", chat_type=details.chat_type)


def after_chat(ctx: Context, job: Job) -> None:
    """After the decision: the chat's current ticket, a subject for a new one, the ids of the
    files sent, a word when only files came, the advice to delete a password."""
    msg = message_of(job)
    ticket = job.ticket
    if msg.channel != Channel.TELEGRAM or ticket is None or msg.chat_id is None:
        return
    found = job.analysis.fields if job.analysis is not None else {}
    secrets = [str(v) for k, v in found.items() if k in SECRET_FIELDS and v]
    if job.is_new:
        set_state(ctx.session, current_key(msg.chat_id), ticket.number, now=ctx.clock.now())
        if not ticket.subject:
            first = next((line.strip() for line in msg.text.splitlines() if line.strip()), "")
            ticket.subject = mask_text(first, secrets)[:SUBJECT_LENGTH]
    details = chat_details(job.data)
    if details.files:
        _record_files(ctx, ticket, details)
        if not job.outbox_ids and job.sender_role == "requester":
            queue_to_sender(ctx, job, ticket, Reply("message_added", {"ticket_number": ticket.number}))
    if secrets:
        queue_to_sender(ctx, job, ticket, Reply("secret_received", {}))


def _record_files(ctx: Context, ticket: Ticket, details: ChatDetails) -> None:
    files = [
        {
            "kind": f.kind,
            "file_id": f.file_id,
            "file_unique_id": f.file_unique_id,
            "filename": f.filename,
            "content_type": f.content_type,
            "size": f.size,
        }
        for f in details.files
    ]
    if files:
        data = {"update": f"tg:{details.update_id}", "files": files}
        now = ctx.clock.now()
        tickets.add_event(ctx.session, ticket, at=now, actor=BOT, kind="telegram_files", data=data)
