"""Time as an object, so tests can freeze it (all datetimes are timezone-aware UTC)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    """The real clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass
class FrozenClock:
    """A clock for tests: it says `at` until moved with `advance`."""

    at: datetime = field(default_factory=lambda: datetime(2026, 3, 4, 16, 0, tzinfo=UTC))

    def now(self) -> datetime:
        return self.at

    def advance(self, **delta: float) -> None:
        self.at = self.at + timedelta(**delta)
