"""Errors of pledges (质押)."""

from __future__ import annotations

from exchange.errors import Conflict, NotFound


class PledgeNotFound(NotFound):
    slug = "pledge-not-found"
    title = "No such pledge"


class PledgeStateConflict(Conflict):
    slug = "pledge-state"
    title = "The pledge's state does not allow this"
