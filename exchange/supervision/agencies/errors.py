"""Errors of supervisory agencies: membership, remits and thresholds."""

from __future__ import annotations

from exchange.errors import Conflict, Forbidden, InvalidInput, NotFound


class AgencyNotFound(NotFound):
    slug = "agency-not-found"
    title = "No such supervisory agency"


class NotAgencyMember(Forbidden):
    slug = "not-agency-member"
    title = "This regulator acts for no supervisory agency (or not for this one)"


class OutsideRemit(Forbidden):
    slug = "outside-remit"
    title = "The agency's remit does not cover this act"


class AgencyExists(Conflict):
    slug = "agency-exists"
    title = "An agency with this id exists already"


class UnknownThreshold(InvalidInput):
    slug = "unknown-threshold"
    title = "No such surveillance threshold, or a value outside its range"


class UnknownDivision(InvalidInput):
    slug = "unknown-division"
    title = "No such province or city"
