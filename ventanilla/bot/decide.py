"""What to do with a message once its ticket, label and missing data are known: the new state of
the ticket and the reply to queue, as data. Pure: everything it needs comes in `Situation`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ventanilla.bot.model import Label, TicketState
from ventanilla.bot.replies import Reply

REOPENABLE = frozenset({TicketState.RESOLVED, TicketState.CLOSED})


@dataclass(frozen=True)
class Situation:
    """Everything the decision depends on, gathered by the worker."""

    ticket_number: str
    is_new: bool
    state: TicketState | None  # the ticket's state before this message (None when new)
    label: str
    needs_triage: bool
    missing: tuple[str, ...]
    requester_name: str = ""
    automatic: str | None = None  # why this is automatic mail (never answered)
    rate_limited: bool = False
    out_of_hours: bool = False
    next_opening: datetime | None = None
    received_at: datetime | None = None  # when the message came (the next opening is told from it)
    unsupported_version: str | None = None
    supported_versions: tuple[str, ...] = ()
    licence_problem: str | None = None
    accreditation_needed: bool = False


@dataclass(frozen=True)
class Decision:
    state: TicketState
    reply: Reply | None
    why: str  # one short English phrase for the decision log line
    reopened: bool = False


def decide(s: Situation) -> Decision:
    """The ticket's next state and the reply (if any) for one incoming message."""
    state = s.state or TicketState.AWAITING_INFO
    if s.automatic:
        return Decision(s.state or TicketState.QUEUED, None, f"automatic mail ({s.automatic}), not answered")
    if s.is_new:
        return _decide_new(s)
    if s.label == Label.OTHER:
        return Decision(state, None, "follow-up without a request (thanks, greetings), not answered")
    if state in REOPENABLE:
        new_state = TicketState.AWAITING_INFO if s.missing else TicketState.QUEUED
        return _reply(s, Decision(new_state, Reply("reopened", _common(s)), "ticket reopened", reopened=True))
    if state == TicketState.AWAITING_INFO:
        if not s.missing:
            variables = _common(s) | _hours(s) | _policy(s)
            return _reply(s, Decision(TicketState.QUEUED, Reply("data_complete", variables), "data complete"))
        variables = _common(s) | {"missing": list(s.missing), "reminder": 0} | _policy(s)
        return _reply(s, Decision(state, Reply("missing_data", variables), "data still missing"))
    if state == TicketState.QUEUED:
        variables = _common(s) | _policy(s)
        return _reply(s, Decision(state, Reply("message_added", variables), "follow-up added"))
    # in_progress / escalated: a specialist is in the conversation; no automatic reply.
    return Decision(state, None, "follow-up added for the specialist")


def reminder(s: Situation, number: int) -> Decision:
    """A reminder for a ticket still awaiting data (sent by the worker's reminder sweep)."""
    variables = _common(s) | {"missing": list(s.missing), "reminder": number}
    return _reply(
        s, Decision(TicketState.AWAITING_INFO, Reply("missing_data", variables), f"reminder {number}")
    )


def abandoned(s: Situation, reopen_days: int) -> Decision:
    """Closing a ticket whose requester never sent the data after every reminder (reminder sweep)."""
    variables = _common(s) | {"reopen_days": reopen_days, "abandoned": True, "missing": list(s.missing)}
    return _reply(
        s, Decision(TicketState.CLOSED, Reply("closure", variables), "abandoned: data never received")
    )


def _decide_new(s: Situation) -> Decision:
    if s.label == Label.OTHER:
        return Decision(TicketState.QUEUED, None, "not a request (label other): waits for staff triage")
    state = TicketState.AWAITING_INFO if s.missing else TicketState.QUEUED
    variables = _common(s) | _hours(s) | _policy(s) | {"missing": list(s.missing), "triage": s.needs_triage}
    return _reply(s, Decision(state, Reply("acknowledgement", variables), "new ticket acknowledged"))


def _reply(s: Situation, decision: Decision) -> Decision:
    if s.rate_limited and decision.reply is not None:
        return Decision(
            decision.state, None, decision.why + "; reply suppressed by rate limit", decision.reopened
        )
    return decision


def _common(s: Situation) -> dict[str, Any]:
    return {
        "ticket_number": s.ticket_number,
        "label": "" if s.needs_triage else s.label,
        "requester_name": s.requester_name,
    }


def _hours(s: Situation) -> dict[str, Any]:
    return {"out_of_hours": s.out_of_hours, "next_opening": s.next_opening, "received_at": s.received_at}


def _policy(s: Situation) -> dict[str, Any]:
    """The policy notes (PRODUCT.md section 4) that go into whichever reply answers the message."""
    return {
        "unsupported_version": s.unsupported_version,
        "supported_versions": list(s.supported_versions),
        "accreditation_needed": s.accreditation_needed,
        "licence_problem": s.licence_problem,
    }
