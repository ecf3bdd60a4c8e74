"""The worker pipeline as data: an ordered list of small named steps, each doing one thing to one
received message (a `Job`). The whole list runs inside one transaction; a step that fails
shunts the message to the dead letters with its bytes and the reason."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from jinja2 import Environment
from sqlalchemy.orm import Session

from ventanilla.bot.clock import Clock
from ventanilla.bot.decide import Decision
from ventanilla.bot.hours import BusinessHours
from ventanilla.bot.model import InboundMessage
from ventanilla.bot.settings import Settings
from ventanilla.store.crypto import SecretBox

if TYPE_CHECKING:
    from ventanilla.classifier.analyse import Analysis
    from ventanilla.store.schema import Contact, Message, Ticket


@dataclass
class Context:
    """What every step may use: the open session and the long-lived collaborators."""

    session: Session
    settings: Settings
    clock: Clock
    box: SecretBox
    templates: Environment
    hours: BusinessHours
    classify: Callable[..., Analysis]  # ventanilla.classifier.analyse.analyse with the loaded model


@dataclass
class Job:
    """One received message on its way through the pipeline (typed: no loose dicts)."""

    raw_id: int
    source: str
    data: bytes
    envelope: dict[str, Any]
    received_at: datetime
    message: InboundMessage | None = None
    ticket: Ticket | None = None
    contact: Contact | None = None
    is_new: bool = False
    sender_role: str = "requester"  # of a follow-up: "requester", "cc" or "other"
    previous_ticket: Ticket | None = None  # closed ticket a new one is linked to
    status_asked: str | None = None  # a ticket number whose status the message asks for
    automatic: str | None = None
    rate_limited: bool = False
    analysis: Analysis | None = None
    changed_fields: list[str] = field(default_factory=list)  # data this message added or changed
    decision: Decision | None = None
    stored: Message | None = None
    outbox_ids: list[int] = field(default_factory=list)
    malformed: str | None = None  # parsing ahead failed with this reason
    done: str | None = None  # why the pipeline stopped early (duplicate, dead letter…)
    log: dict[str, Any] = field(default_factory=dict)  # the decision log line


Step = Callable[[Context, Job], None]


def run_steps(steps: list[tuple[str, Step]], ctx: Context, job: Job) -> None:
    """Run `steps` in order until one marks the job done."""
    for _name, step in steps:
        step(ctx, job)
        if job.done:
            return
