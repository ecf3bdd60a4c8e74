"""Business hours in America/Mexico_City: day boundaries, weekends, official holidays, closed days,
New Year's Eve in UTC versus local time, and the supported SAACG.NET versions."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ventanilla.bot.errors import ConfigError
from ventanilla.bot.hours import BusinessHours, is_supported_version, supported_versions
from ventanilla.bot.settings import HoursSettings

MX = ZoneInfo("America/Mexico_City")


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=MX)


@pytest.fixture
def hours() -> BusinessHours:
    return BusinessHours.from_settings(HoursSettings(), MX)


def test_open_from_eight_to_four_local_on_a_weekday(hours: BusinessHours) -> None:
    # Monday 5 January 2026; Mexico City is UTC-6 all year (no DST since 2022).
    assert not hours.is_open(local(2026, 1, 5, 7, 59, 59))
    assert hours.is_open(local(2026, 1, 5, 8, 0))
    assert hours.is_open(local(2026, 1, 5, 15, 59, 59))
    assert not hours.is_open(local(2026, 1, 5, 16, 0))
    # The same instants given in UTC.
    assert hours.is_open(datetime(2026, 1, 5, 14, 0, tzinfo=UTC))
    assert not hours.is_open(datetime(2026, 1, 5, 13, 59, tzinfo=UTC))
    assert not hours.is_open(datetime(2026, 1, 5, 22, 0, tzinfo=UTC))


def test_next_opening_when_open_is_the_same_instant_in_the_service_zone(hours: BusinessHours) -> None:
    at = datetime(2026, 1, 5, 15, 30, tzinfo=UTC)
    opening = hours.next_opening(at)
    assert opening == at
    assert opening.tzinfo == MX
    assert opening.hour == 9


def test_before_opening_waits_for_eight_the_same_day(hours: BusinessHours) -> None:
    assert hours.next_opening(local(2026, 1, 6, 6, 15)) == local(2026, 1, 6, 8, 0)


def test_after_closing_on_friday_waits_for_monday(hours: BusinessHours) -> None:
    # Friday 9 January 2026 at 16:00 local = 22:00 UTC.
    opening = hours.next_opening(datetime(2026, 1, 9, 22, 0, tzinfo=UTC))
    assert opening == local(2026, 1, 12, 8, 0)
    assert opening.tzinfo == MX
    assert not hours.is_open(local(2026, 1, 10, 10, 0))  # Saturday
    assert not hours.is_open(local(2026, 1, 11, 10, 0))  # Sunday


@pytest.mark.parametrize(
    ("holiday", "next_day"),
    [
        (date(2026, 2, 2), date(2026, 2, 3)),  # Constitution Day, first Monday of February
        (date(2026, 3, 16), date(2026, 3, 17)),  # Benito Juárez, third Monday of March
        (date(2026, 5, 1), date(2026, 5, 4)),  # Labour Day (Friday) -> Monday
        (date(2026, 9, 16), date(2026, 9, 17)),  # Independence Day
        (date(2026, 11, 16), date(2026, 11, 17)),  # Revolution Day, third Monday of November
        (date(2026, 12, 25), date(2026, 12, 28)),  # Christmas (Friday) -> Monday
    ],
)
def test_official_holidays_are_closed(hours: BusinessHours, holiday: date, next_day: date) -> None:
    at = datetime.combine(holiday, datetime.min.time(), tzinfo=MX).replace(hour=10)
    assert not hours.is_open(at)
    assert hours.next_opening(at) == datetime.combine(next_day, datetime.min.time(), tzinfo=MX).replace(
        hour=8
    )


def test_constitution_day_weekend_is_closed_through_monday(hours: BusinessHours) -> None:
    # Friday 30 January 2026 after hours: Saturday, Sunday and Monday 2 February are closed.
    assert hours.next_opening(local(2026, 1, 30, 17, 0)) == local(2026, 2, 3, 8, 0)


def test_the_statutory_date_of_a_moved_holiday_is_a_working_day(hours: BusinessHours) -> None:
    # 5 February 2026 is a Thursday: the holiday was observed on Monday 2 February.
    assert hours.is_open(local(2026, 2, 5, 10, 0))


def test_new_years_eve_is_still_the_old_year_locally_while_utc_is_already_january(
    hours: BusinessHours,
) -> None:
    at = datetime(2026, 1, 1, 5, 30, tzinfo=UTC)  # 23:30 on 31 December 2025 in Mexico City
    assert at.astimezone(MX).date() == date(2025, 12, 31)
    # 1 January (Thursday) is a holiday; support opens on Friday 2 January.
    assert hours.next_opening(at) == local(2026, 1, 2, 8, 0)
    assert supported_versions(at, MX) == ("2025", "2024")
    assert supported_versions(at, UTC) == ("2026", "2025")
    assert is_supported_version("2024", at, MX)
    assert not is_supported_version("2026", at, MX)


def test_closed_days_from_the_settings() -> None:
    hours = BusinessHours.from_settings(HoursSettings(closed_days=("2026-01-06",)), MX)
    assert not hours.is_open(local(2026, 1, 6, 10, 0))
    assert hours.next_opening(local(2026, 1, 5, 16, 30)) == local(2026, 1, 7, 8, 0)


def test_holidays_can_be_worked_when_configured() -> None:
    hours = BusinessHours.from_settings(HoursSettings(holidays=False), MX)
    assert hours.is_open(local(2026, 9, 16, 10, 0))


def test_custom_schedule_from_the_settings() -> None:
    settings = HoursSettings(opens="9:30", closes="14:00", weekdays=(0, 1, 2, 3, 4, 5))
    hours = BusinessHours.from_settings(settings, MX)
    assert hours.is_open(local(2026, 1, 10, 9, 30))  # Saturday
    assert not hours.is_open(local(2026, 1, 10, 14, 0))
    assert hours.next_opening(local(2026, 1, 10, 14, 0)) == local(2026, 1, 12, 9, 30)


def test_always_open_short_circuits_weekends_and_holidays() -> None:
    hours = BusinessHours.from_settings(HoursSettings(always_open=True), MX)
    christmas_night = local(2026, 12, 25, 23, 0)
    assert hours.is_open(christmas_night)
    assert hours.next_opening(christmas_night) == christmas_night


def test_bad_schedules_are_config_errors() -> None:
    with pytest.raises(ConfigError, match=r"hours\.closes"):
        BusinessHours.from_settings(HoursSettings(opens="16:00", closes="08:00"), MX)
    with pytest.raises(ConfigError, match=r"hours\.weekdays"):
        BusinessHours.from_settings(HoursSettings(weekdays=()), MX)


def test_naive_datetimes_are_refused(hours: BusinessHours) -> None:
    with pytest.raises(ValueError, match="aware"):
        hours.is_open(datetime(2026, 1, 5, 10, 0))
    with pytest.raises(ValueError, match="aware"):
        supported_versions(datetime(2026, 1, 5, 10, 0), MX)


def test_supported_versions_are_this_exercise_and_the_previous_one() -> None:
    at = local(2026, 6, 1, 12, 0)
    assert supported_versions(at, MX) == ("2026", "2025")
    assert is_supported_version("2026", at, MX)
    assert is_supported_version(" 2025 ", at, MX)
    assert not is_supported_version("2024", at, MX)
    assert not is_supported_version("2027", at, MX)
    assert not is_supported_version("", at, MX)


instants = st.datetimes(
    min_value=datetime(2024, 1, 1), max_value=datetime(2031, 12, 31), timezones=st.just(UTC)
)


@given(instants)
def test_next_opening_is_the_first_open_minute(at: datetime) -> None:
    hours = BusinessHours.from_settings(HoursSettings(), MX)
    opening = hours.next_opening(at)
    assert opening.tzinfo == MX
    assert opening >= at
    assert hours.is_open(opening)
    if opening != at:
        assert not hours.is_open(at)
        assert not hours.is_open(opening - timedelta(minutes=1))
        assert (opening.hour, opening.minute) == (8, 0)
        assert opening - at < timedelta(days=6)
