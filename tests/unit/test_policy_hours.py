"""The first-level schedule with a frozen clock (PRODUCT.md section 4, issue 7): Friday just before
and just after closing, an official holiday, the configured December break, and the next opening
told in words in the acknowledgement ("el lunes 7 de diciembre a las 8:00")."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from ventanilla.bot.clock import FrozenClock
from ventanilla.bot.hours import BusinessHours, closed_dates
from ventanilla.bot.model import Channel
from ventanilla.bot.replies import Reply, make_environment, render
from ventanilla.bot.settings import HoursSettings

MX = ZoneInfo("America/Mexico_City")
BREAK = HoursSettings(closed_days=("2026-12-21..2027-01-01",))


def at(year: int, month: int, day: int, hour: int, minute: int = 0) -> FrozenClock:
    return FrozenClock(datetime(year, month, day, hour, minute, tzinfo=MX))


def opening_sentence(clock: FrozenClock, settings: HoursSettings = BREAK) -> str:
    """The out-of-hours sentence of the acknowledgement of a request received at `clock`."""
    hours = BusinessHours.from_settings(settings, MX)
    now = clock.now()
    assert not hours.is_open(now)
    reply = Reply(
        "acknowledgement",
        {
            "ticket_number": "SAACG-2026-000001",
            "out_of_hours": True,
            "next_opening": hours.next_opening(now),
            "received_at": now,
        },
    )
    text = " ".join(render(make_environment(MX, settings), reply, Channel.EMAIL).text.split())
    start = text.index("Su mensaje llegó fuera")
    return text[start : text.index(".", text.index("apertura:")) + 1]


def test_friday_at_1559_is_open_and_the_acknowledgement_has_no_out_of_hours_note() -> None:
    hours = BusinessHours.from_settings(BREAK, MX)
    clock = at(2026, 12, 4, 15, 59)
    assert hours.is_open(clock.now())
    assert hours.next_opening(clock.now()) == clock.now()


def test_friday_at_1601_waits_for_monday_at_eight_in_words() -> None:
    clock = at(2026, 12, 4, 16, 1)
    assert opening_sentence(clock) == (
        "Su mensaje llegó fuera de nuestro horario de atención, que es de lunes a viernes de 8:00 a "
        "16:00 h (hora del centro de México). Atenderemos su solicitud a partir de nuestra próxima "
        "apertura: el lunes 7 de diciembre a las 8:00."
    )


def test_an_official_holiday_waits_for_the_next_working_day() -> None:
    # Monday 16 November 2026: Revolution Day (third Monday of November).
    clock = at(2026, 11, 16, 10, 0)
    assert opening_sentence(clock).endswith("apertura: el martes 17 de noviembre a las 8:00.")


def test_the_day_before_a_holiday_after_closing_skips_it() -> None:
    # Tuesday 15 September 2026 at 17:00; the 16th is Independence Day.
    clock = at(2026, 9, 15, 17, 0)
    assert opening_sentence(clock).endswith("el jueves 17 de septiembre a las 8:00.")


@pytest.mark.parametrize("day", [21, 24, 28, 31])
def test_the_december_break_opens_in_january_and_says_the_year(day: int) -> None:
    clock = at(2026, 12, day, 11, 0)
    # 1 January is a holiday too; Saturday 2 and Sunday 3 are weekend: Monday 4 January 2027.
    assert opening_sentence(clock).endswith("apertura: el lunes 4 de enero de 2027 a las 8:00.")


def test_friday_before_the_break_after_closing_goes_straight_to_january() -> None:
    clock = at(2026, 12, 18, 16, 1)
    assert opening_sentence(clock).endswith("el lunes 4 de enero de 2027 a las 8:00.")


def test_closed_day_ranges_and_single_days() -> None:
    days = closed_dates(["2026-12-21..2026-12-23", "2027-01-06"])
    assert sorted(d.isoformat() for d in days) == ["2026-12-21", "2026-12-22", "2026-12-23", "2027-01-06"]


def test_always_open_never_adds_the_note() -> None:
    hours = BusinessHours.from_settings(HoursSettings(always_open=True), MX)
    assert hours.is_open(at(2026, 12, 25, 23, 0).now())


def test_open_seconds_count_business_time_only() -> None:
    hours = BusinessHours.from_settings(HoursSettings(), MX)
    friday_1550 = datetime(2026, 12, 4, 15, 50, tzinfo=MX)
    # Ten minutes on Friday and ten on Monday morning: twenty business minutes over a weekend.
    assert hours.open_seconds(friday_1550, datetime(2026, 12, 7, 8, 10, tzinfo=MX)) == 20 * 60
    assert hours.open_seconds(friday_1550, friday_1550 - timedelta(minutes=1)) == 0
    # A holiday counts nothing.
    holiday = datetime(2026, 11, 16, 9, 0, tzinfo=MX)
    assert hours.open_seconds(holiday, holiday + timedelta(hours=3)) == 0
