"""Injectable time: aware UTC with microseconds, and working-day arithmetic."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    """Anything that tells the current aware UTC time."""

    def now(self) -> datetime: ...


class SystemClock:
    """The wall clock, in UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock:
    """A clock that tests and simulations set and advance by hand."""

    def __init__(self, start: datetime) -> None:
        self._now = as_utc(start)

    def now(self) -> datetime:
        return self._now

    def set(self, when: datetime) -> None:
        self._now = as_utc(when)

    def advance(self, delta: timedelta) -> datetime:
        self._now = self._now + delta
        return self._now


class MarketClock:
    """The sandbox's market clock (沙盒时钟): a base clock plus an offset that only grows.

    The offset is stored in the database; every unit of work adopts the stored value before it
    runs (`adopt`), so a move made by one process is seen by the next request of every other,
    and `now()` itself never queries.
    """

    def __init__(self, base: Clock, offset: timedelta = timedelta(0)) -> None:
        self.base = base
        self._offset = offset

    def now(self) -> datetime:
        return self.base.now() + self._offset

    @property
    def offset(self) -> timedelta:
        """How far the market runs ahead of the base clock."""
        return self._offset

    def adopt(self, offset_us: int) -> None:
        """Take a stored offset (microseconds) if it is ahead of the one held: never move back."""
        stored = timedelta(microseconds=offset_us)
        if stored > self._offset:
            self._offset = stored


def as_utc(when: datetime) -> datetime:
    """Return `when` as aware UTC; naive values are taken to be UTC already."""
    if when.tzinfo is None:
        return when.replace(tzinfo=UTC)
    return when.astimezone(UTC)


def rfc3339(when: datetime) -> str:
    """RFC 3339 UTC with exactly six fractional digits and `Z` (the audit contract's form)."""
    return as_utc(when).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def is_working_day(day: date) -> bool:
    """Working days (工作日) skip Saturdays and Sundays."""
    return day.weekday() < 5


def add_working_days(start: date, days: int) -> date:
    """The date `days` working days after `start` (start itself not counted)."""
    if days < 0:
        raise ValueError("days must be non-negative")
    current = start
    remaining = days
    while remaining:
        current += timedelta(days=1)
        if is_working_day(current):
            remaining -= 1
    return current


def after_working_days(start: datetime, days: int) -> datetime:
    """The same time of day `days` working days after `start` (its UTC date not counted)."""
    start = as_utc(start)
    return datetime.combine(add_working_days(start.date(), days), start.timetz())


def working_days_between(start: date, end: date) -> int:
    """Working days elapsed after `start` up to and including `end` (0 if end <= start)."""
    if end <= start:
        return 0
    total_days = (end - start).days
    weeks, rest = divmod(total_days, 7)
    count = weeks * 5
    for offset in range(1, rest + 1):
        if is_working_day(start + timedelta(days=weeks * 7 + offset)):
            count += 1
    return count
