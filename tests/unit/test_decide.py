"""`decide`: the next state of a ticket and the reply to queue, for every kind of incoming message
(new request, follow-up, reply to a closed ticket, automatic mail, rate limit) and the reminder."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from ventanilla.bot.decide import Decision, Situation, decide, reminder
from ventanilla.bot.model import Channel, Label, TicketState
from ventanilla.bot.replies import make_environment, render

NUMBER = "SAACG-2026-000042"
MISSING = ("licence", "teamviewer_id", "teamviewer_password")
OPENING = datetime(2026, 3, 5, 14, 0, tzinfo=UTC)


def new(label: str = Label.TECHNICAL, missing: tuple[str, ...] = MISSING, **more: object) -> Situation:
    return Situation(
        ticket_number=NUMBER, is_new=True, state=None, label=label, needs_triage=False, missing=missing,
        requester_name="Juan Pérez", **more,  # type: ignore[arg-type]
    )  # fmt: skip


def follow_up(state: TicketState, label: str = Label.TECHNICAL, missing: tuple[str, ...] = ()) -> Situation:
    return replace(new(label, missing), is_new=False, state=state)


def rendered_text(decision: Decision) -> str:
    """What the requester would read (email text), proving the reply honours its template contract."""
    assert decision.reply is not None
    return render(make_environment(), decision.reply, Channel.EMAIL).text


def test_new_request_with_missing_data_waits_for_it_and_asks_in_the_acknowledgement() -> None:
    decision = decide(new())
    assert decision.state == TicketState.AWAITING_INFO
    assert decision.reply is not None and decision.reply.template == "acknowledgement"
    assert decision.reply.variables["missing"] == list(MISSING)
    assert decision.reply.variables["label"] == Label.TECHNICAL
    assert not decision.reopened
    text = rendered_text(decision)
    assert NUMBER in text
    assert "TeamViewer" in text


def test_new_request_with_all_data_is_queued_and_asks_for_nothing() -> None:
    decision = decide(new(missing=()))
    assert decision.state == TicketState.QUEUED
    assert decision.reply is not None and decision.reply.template == "acknowledgement"
    assert decision.reply.variables["missing"] == []
    assert NUMBER in rendered_text(decision)


def test_new_message_labelled_other_gets_no_reply_and_waits_for_triage() -> None:
    decision = decide(new(Label.OTHER, missing=()))
    assert decision.reply is None
    assert decision.state == TicketState.QUEUED


def test_triage_hides_the_label_suggestion_from_the_requester() -> None:
    decision = decide(replace(new(Label.NORMATIVE), needs_triage=True))
    assert decision.reply is not None
    assert decision.reply.variables["label"] == ""
    assert decision.reply.variables["triage"] is True
    sure = rendered_text(decide(new(Label.NORMATIVE)))
    unsure = rendered_text(decision)
    assert "Tipo de solicitud" in sure
    assert "Tipo de solicitud" not in unsure


def test_out_of_hours_acknowledgement_says_when_it_will_be_seen() -> None:
    decision = decide(new(out_of_hours=True, next_opening=OPENING))
    assert decision.reply is not None
    assert decision.reply.variables["out_of_hours"] is True
    assert decision.reply.variables["next_opening"] == OPENING
    assert rendered_text(decision) != rendered_text(decide(new()))


def test_new_request_carries_version_licence_and_accreditation_notes() -> None:
    decision = decide(
        new(
            unsupported_version="2019",
            supported_versions=("2025", "2026"),
            licence_problem="trial",
            accreditation_needed=True,
        )
    )
    assert decision.reply is not None
    variables = decision.reply.variables
    assert variables["unsupported_version"] == "2019"
    assert variables["supported_versions"] == ["2025", "2026"]
    assert variables["licence_problem"] == "trial"
    assert variables["accreditation_needed"] is True
    assert "2019" in rendered_text(decision)


def test_follow_up_completing_the_data_queues_the_ticket_and_says_so() -> None:
    decision = decide(follow_up(TicketState.AWAITING_INFO, missing=()))
    assert decision.state == TicketState.QUEUED
    assert decision.reply is not None and decision.reply.template == "data_complete"
    assert NUMBER in rendered_text(decision)


def test_follow_up_still_missing_data_asks_again_for_what_is_left() -> None:
    decision = decide(follow_up(TicketState.AWAITING_INFO, missing=("licence",)))
    assert decision.state == TicketState.AWAITING_INFO
    assert decision.reply is not None and decision.reply.template == "missing_data"
    assert decision.reply.variables["missing"] == ["licence"]
    assert decision.reply.variables["reminder"] == 0


def test_follow_up_on_a_queued_ticket_is_acknowledged_as_added() -> None:
    decision = decide(follow_up(TicketState.QUEUED))
    assert decision.state == TicketState.QUEUED
    assert decision.reply is not None and decision.reply.template == "message_added"
    assert NUMBER in rendered_text(decision)


@pytest.mark.parametrize("state", [TicketState.IN_PROGRESS, TicketState.ESCALATED])
def test_follow_up_while_a_specialist_works_gets_no_automatic_reply(state: TicketState) -> None:
    decision = decide(follow_up(state))
    assert decision.reply is None
    assert decision.state == state
    assert not decision.reopened


@pytest.mark.parametrize("state", [TicketState.AWAITING_INFO, TicketState.QUEUED, TicketState.IN_PROGRESS])
def test_thanks_on_an_open_ticket_gets_no_reply_and_changes_nothing(state: TicketState) -> None:
    decision = decide(follow_up(state, Label.OTHER, missing=("licence",)))
    assert decision.reply is None
    assert decision.state == state


@pytest.mark.parametrize("state", [TicketState.CLOSED, TicketState.RESOLVED])
def test_thanks_on_a_closed_ticket_gets_no_reply_and_does_not_reopen_it(state: TicketState) -> None:
    decision = decide(follow_up(state, Label.OTHER))
    assert decision.reply is None
    assert decision.state == state
    assert not decision.reopened


@pytest.mark.parametrize("state", [TicketState.CLOSED, TicketState.RESOLVED])
@pytest.mark.parametrize(
    ("missing", "reopened_as"), [((), TicketState.QUEUED), (("licence",), TicketState.AWAITING_INFO)]
)
def test_a_request_replying_to_a_closed_ticket_reopens_it(
    state: TicketState, missing: tuple[str, ...], reopened_as: TicketState
) -> None:
    decision = decide(follow_up(state, missing=missing))
    assert decision.reopened
    assert decision.state == reopened_as
    assert decision.reply is not None and decision.reply.template == "reopened"
    assert NUMBER in rendered_text(decision)


@pytest.mark.parametrize(
    "situation",
    [
        new(automatic="auto-submitted: auto-replied"),
        follow_up(TicketState.AWAITING_INFO, missing=()),
        follow_up(TicketState.QUEUED),
        follow_up(TicketState.CLOSED),
    ],
    ids=["new", "completing", "queued", "closed"],
)
def test_automatic_mail_is_never_answered_and_never_moves_the_ticket(situation: Situation) -> None:
    decision = decide(replace(situation, automatic="auto-submitted: auto-replied"))
    assert decision.reply is None
    assert decision.state == (situation.state or TicketState.QUEUED)
    assert not decision.reopened


@pytest.mark.parametrize(
    ("situation", "state"),
    [
        (new(), TicketState.AWAITING_INFO),
        (follow_up(TicketState.AWAITING_INFO, missing=()), TicketState.QUEUED),
        (follow_up(TicketState.QUEUED), TicketState.QUEUED),
        (follow_up(TicketState.CLOSED), TicketState.QUEUED),
    ],
    ids=["new", "completing", "queued", "reopening"],
)
def test_rate_limited_requester_gets_no_reply_but_the_ticket_still_moves(
    situation: Situation, state: TicketState
) -> None:
    unlimited = decide(situation)
    decision = decide(replace(situation, rate_limited=True))
    assert decision.reply is None
    assert decision.state == state == unlimited.state
    assert decision.reopened == unlimited.reopened
    assert "rate limit" in decision.why


@pytest.mark.parametrize("number", [1, 2])
def test_reminder_asks_again_for_what_is_missing_and_counts(number: int) -> None:
    decision = reminder(follow_up(TicketState.AWAITING_INFO, missing=("licence", "module")), number)
    assert decision.state == TicketState.AWAITING_INFO
    assert decision.reply is not None and decision.reply.template == "missing_data"
    assert decision.reply.variables["missing"] == ["licence", "module"]
    assert decision.reply.variables["reminder"] == number
    assert NUMBER in rendered_text(decision)


def test_reminder_is_suppressed_by_the_rate_limit() -> None:
    limited = replace(follow_up(TicketState.AWAITING_INFO, missing=("licence",)), rate_limited=True)
    assert reminder(limited, 1).reply is None
