"""Business hours and supported versions: when first-level support is open, when it next opens,
and which SAACG.NET versions are supported. Pure: every answer is a function of the instant passed in."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

from ventanilla.bot.errors import ConfigError
from ventanilla.bot.settings import HoursSettings

# Far enough for any real schedule (a year of holidays plus weekends); guards odd configurations.
_MAX_DAYS_AHEAD = 400


@lru_cache(maxsize=32)
def mexican_holidays(year: int) -> frozenset[date]:
    """The official rest days of the Ley Federal del Trabajo for `year` (observed dates)."""
    return frozenset(holidays.country_holidays("MX", years=year).keys())


@dataclass(frozen=True)
class BusinessHours:
    """The first-level schedule in the service time zone: open on `weekdays` from `opens` to
    `closes` (end excluded), closed on Mexican official holidays (when `observe_holidays`) and on
    `closed_days`. `always_open` short-circuits everything."""

    tz: ZoneInfo
    opens: time = time(8, 0)
    closes: time = time(16, 0)
    weekdays: frozenset[int] = frozenset({0, 1, 2, 3, 4})
    observe_holidays: bool = True
    closed_days: frozenset[date] = frozenset()
    always_open: bool = False

    def __post_init__(self) -> None:
        if self.always_open:
            return
        if self.closes <= self.opens:
            raise ConfigError("hours.closes", "must be later than hours.opens")
        if not self.weekdays:
            raise ConfigError("hours.weekdays", "needs at least one day unless hours.always_open is true")

    @classmethod
    def from_settings(cls, hours: HoursSettings, tz: ZoneInfo) -> BusinessHours:
        return cls(
            tz=tz,
            opens=_hh_mm(hours.opens),
            closes=_hh_mm(hours.closes),
            weekdays=frozenset(hours.weekdays),
            observe_holidays=hours.holidays,
            closed_days=closed_dates(hours.closed_days),
            always_open=hours.always_open,
        )

    def is_working_day(self, day: date) -> bool:
        """True when `day` (a date in the service time zone) has opening hours."""
        if day.weekday() not in self.weekdays or day in self.closed_days:
            return False
        return not (self.observe_holidays and day in mexican_holidays(day.year))

    def is_open(self, at: datetime) -> bool:
        if self.always_open:
            return True
        local = self._local(at)
        return self.is_working_day(local.date()) and self.opens <= local.time() < self.closes

    def next_opening(self, at: datetime) -> datetime:
        """The instant support is next open, in the service time zone; `at` itself (converted to
        the service zone) when it is open now."""
        local = self._local(at)
        if self.is_open(local):
            return local
        day = local.date()
        if self.is_working_day(day) and local.time() < self.opens:
            return self._at_opening(day)
        for _ in range(_MAX_DAYS_AHEAD):
            day += timedelta(days=1)
            if self.is_working_day(day):
                return self._at_opening(day)
        raise ConfigError("hours", f"no opening within {_MAX_DAYS_AHEAD} days of {day.isoformat()}")

    def open_seconds(self, start: datetime, end: datetime) -> float:
        """Seconds of opening time between `start` and `end` (0 when `end` is not later): what
        the first-level targets are measured in. With `always_open`, the plain elapsed time."""
        if end <= start:
            return 0.0
        if self.always_open:
            return (end - start).total_seconds()
        first, last = self._local(start), self._local(end)
        total, day = 0.0, first.date()
        while day <= last.date():
            if self.is_working_day(day):
                opens, closes = self._at_opening(day), datetime.combine(day, self.closes, tzinfo=self.tz)
                overlap = min(closes, last) - max(opens, first)
                total += max(overlap.total_seconds(), 0.0)
            day += timedelta(days=1)
        return total

    def _at_opening(self, day: date) -> datetime:
        return datetime.combine(day, self.opens, tzinfo=self.tz)

    def _local(self, at: datetime) -> datetime:
        if at.tzinfo is None or at.utcoffset() is None:
            raise ValueError("business hours need an aware datetime")
        return at.astimezone(self.tz)


def _hh_mm(value: str) -> time:
    """`"8:00"` or `"08:00"` as a time (settings validation already checked the shape)."""
    hh, _, mm = value.partition(":")
    return time(int(hh), int(mm))


def closed_dates(values: Iterable[str]) -> frozenset[date]:
    """The dates of `hours.closed_days`: "YYYY-MM-DD" items and "YYYY-MM-DD..YYYY-MM-DD" ranges
    (both ends included), e.g. the December break."""
    days: set[date] = set()
    for value in values:
        first, _, last = value.partition("..")
        day, end = date.fromisoformat(first.strip()), date.fromisoformat((last or first).strip())
        while day <= end:
            days.add(day)
            day += timedelta(days=1)
    return frozenset(days)


def supported_versions(at: datetime, tz: tzinfo, previous: int = 1) -> tuple[str, ...]:
    """The supported versions as four-digit years, newest first: the current exercise (the year of
    `at` in `tz`) and the `previous` years before it (policy.previous_versions)."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("supported_versions needs an aware datetime")
    year = at.astimezone(tz).year
    return tuple(str(year - back) for back in range(previous + 1))


def is_supported_version(version: str, at: datetime, tz: tzinfo, previous: int = 1) -> bool:
    """True when `version` (the four-digit exercise year of the installed version) is supported."""
    return version.strip() in supported_versions(at, tz, previous)


def version_status(version: str | None, at: datetime, tz: tzinfo, previous: int = 1) -> str | None:
    """None when no version was given or it is not a year; else "supported", "old" (older than the
    supported ones: the unsupported-version reply) or "future" (later than the current exercise:
    most likely a typo, flagged for staff, not answered)."""
    text = (version or "").strip()
    if len(text) != 4 or not text.isdigit():
        return None
    supported = supported_versions(at, tz, previous)
    if text in supported:
        return "supported"
    return "old" if int(text) < int(supported[-1]) else "future"
