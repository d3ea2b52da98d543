"""Errors of supervision cases: visibility, ownership, deadlines, decisions."""

from __future__ import annotations

from exchange.errors import Conflict, Forbidden, InvalidInput, NotFound


class CaseNotFound(NotFound):
    slug = "case-not-found"
    title = "No such supervision case"


class CaseNotOwned(Forbidden):
    slug = "case-not-owned"
    title = "The case is not this agency's: it neither leads it nor was referred it"


class CaseClosed(Conflict):
    slug = "case-closed"
    title = "The case is closed"


class SubjectNotFound(InvalidInput):
    slug = "case-subject-not-found"
    title = "The case's subject does not exist"


class EntryOutOfRange(InvalidInput):
    slug = "fact-entry-out-of-range"
    title = "A fact names an audit entry beyond the log"


class AlreadyReferred(Conflict):
    slug = "already-referred"
    title = "The agency is on the case already"


class ResponseDeadlinePassed(Conflict):
    slug = "response-deadline-passed"
    title = "The deadline to respond to the case has passed"


class NotNotified(Forbidden):
    slug = "not-notified"
    title = "Only the case's notified parties respond to it"


class DecisionNotFound(NotFound):
    slug = "decision-not-found"
    title = "No such decision"


class NotJointPartner(Forbidden):
    slug = "not-joint-partner"
    title = "The decision does not wait for this agency's concurrence"


class DecisionSettled(Conflict):
    slug = "decision-settled"
    title = "The decision has taken effect already"


class JointPartnerNotOnCase(InvalidInput):
    slug = "joint-partner-not-on-case"
    title = "A joint decision's partners must be agencies on the case"


class ReferralRemitMismatch(InvalidInput):
    slug = "referral-remit-mismatch"
    title = "The agency referred to does not hold the remit of the part referred"
