"""Figures for `ventanilla stats` and the HTML report: volumes by label, channel, state, level and
area; the share of requests complete on their first message; the time to the first human answer
in business hours against the first-level target; resolution times. `ticket_facts` reads the
store once; everything after it is pure."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ventanilla.bot.hours import BusinessHours
from ventanilla.bot.model import Label, TicketState
from ventanilla.store.schema import Ticket

# Staff events that answer the requester as a person (each notifies them): the first-level target.
HUMAN_ANSWERS = frozenset({"reply", "assign", "escalate", "route", "close"})
ABANDONED = "abandoned"


@dataclass(frozen=True)
class TicketFacts:
    """One ticket as the figures see it (times in seconds; None when it has not happened)."""

    number: str
    created_at: datetime
    label: str
    channel: str
    state: str
    level: int
    area: str
    complete_on_arrival: bool
    first_answer_seconds: float | None  # any reply (the acknowledgement included), wall clock
    human_answer_seconds: float | None  # first staff answer, business hours only
    resolution_seconds: float | None  # to resolved/closed, wall clock (abandoned ones excluded)
    resolution_business_seconds: float | None
    abandoned: bool


def ticket_facts(
    session: Session, hours: BusinessHours, since: datetime | None = None, until: datetime | None = None
) -> list[TicketFacts]:
    """The facts of the tickets created in [since, until), oldest first."""
    stmt = select(Ticket).options(selectinload(Ticket.events)).order_by(Ticket.id)
    if since is not None:
        stmt = stmt.where(Ticket.created_at >= since)
    if until is not None:
        stmt = stmt.where(Ticket.created_at < until)
    return [facts_of(t, hours) for t in session.scalars(stmt)]


def facts_of(ticket: Ticket, hours: BusinessHours) -> TicketFacts:
    created = ticket.created_at
    states = [e for e in ticket.events if e.kind == "state"]
    # A new ticket gets its first state without an event: the first change tells what it was.
    first_state = states[0].data.get("from") if states else ticket.state
    human = next(
        (e.at for e in ticket.events if e.actor.startswith("staff:") and e.kind in HUMAN_ANSWERS), None
    )
    abandoned = any(e.kind == ABANDONED for e in ticket.events)
    done = None if abandoned else ticket.resolved_at or ticket.closed_at
    return TicketFacts(
        number=ticket.number,
        created_at=created,
        label=ticket.label or "",
        channel=ticket.channel,
        state=ticket.state,
        level=ticket.level,
        area=ticket.area or "",
        complete_on_arrival=first_state != TicketState.AWAITING_INFO,
        first_answer_seconds=_seconds(created, ticket.first_answer_at),
        human_answer_seconds=hours.open_seconds(created, human) if human else None,
        resolution_seconds=_seconds(created, done),
        resolution_business_seconds=hours.open_seconds(created, done) if done else None,
        abandoned=abandoned,
    )


def summarise(facts: Sequence[TicketFacts], target_minutes: int = 20) -> dict[str, Any]:
    """The JSON document of `ventanilla stats` (PRODUCT.md section 9 keys, and more)."""
    requests = [f for f in facts if f.label != Label.OTHER]
    complete = sum(1 for f in requests if f.complete_on_arrival)
    human = [f.human_answer_seconds / 60 for f in facts if f.human_answer_seconds is not None]
    within = sum(1 for minutes in human if minutes <= target_minutes)
    return {
        "tickets": len(facts),
        "by_label": _count(f.label for f in facts),
        "by_state": _count(f.state for f in facts),
        "by_channel": _count(f.channel for f in facts),
        "by_level": _count(str(f.level) for f in facts),
        "by_area": _count(f.area or "first_level" for f in facts),
        "complete_on_first_message": {
            "requests": len(requests),
            "complete": complete,
            "share": round(complete / len(requests), 3) if requests else None,
        },
        "first_answer_seconds": _summary([f.first_answer_seconds for f in facts]),
        "first_human_answer_business_minutes": _summary(human)
        | {
            "target_minutes": target_minutes,
            "within_target": within,
            "within_target_share": round(within / len(human), 3) if human else None,
        },
        "resolution_seconds": _summary([f.resolution_seconds for f in facts]),
        "resolution_business_hours": _summary(
            [s / 3600 for f in facts if (s := f.resolution_business_seconds) is not None]
        ),
        "abandoned": sum(1 for f in facts if f.abandoned),
    }


def _seconds(start: datetime, end: datetime | None) -> float | None:
    return (end - start).total_seconds() if end is not None else None


def _count(values: Iterable[str]) -> dict[str, int]:
    return dict(sorted(Counter(values).items()))


def _summary(values: Iterable[float | None]) -> dict[str, float | int | None]:
    present = [v for v in values if v is not None]
    if not present:
        return {"count": 0, "mean": None, "median": None, "max": None}
    return {
        "count": len(present),
        "mean": round(statistics.fmean(present), 1),
        "median": round(statistics.median(present), 1),
        "max": round(max(present), 1),
    }
