"""Refusals of the market clock."""

from __future__ import annotations

from exchange.errors import Conflict

CLOCK_SETTING = "EXCHANGE_CLOCK"


class ClockPinned(Conflict):
    slug = "clock-pinned"
    title = "The clock is pinned to real time"


class ClockBackwards(Conflict):
    slug = "clock-backwards"
    title = "Market time only moves forward"


class ClockMoved(Conflict):
    slug = "clock-moved"
    title = "The clock was moved meanwhile"
