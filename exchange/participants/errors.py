"""Errors of participants, keys and the ledger."""

from __future__ import annotations

from exchange.errors import Conflict, Forbidden, NotFound


class ParticipantNotFound(NotFound):
    slug = "participant-not-found"
    title = "No such participant"


class ApiKeyNotFound(NotFound):
    slug = "api-key-not-found"
    title = "No such API key"


class InsufficientFunds(Conflict):
    slug = "insufficient-funds"
    title = "Balance too low"


class BalanceLimitExceeded(Conflict):
    slug = "balance-limit-exceeded"
    title = "Balance would exceed its limit"


class SelfTransfer(Conflict):
    slug = "self-transfer"
    title = "Cannot transfer to oneself"


class LastKeyRevocation(Conflict):
    slug = "last-key"
    title = "Cannot revoke the last active key"


class UnbalancedJournal(Conflict):
    slug = "unbalanced-journal"
    title = "Postings must sum to zero"


class FundingRefused(Forbidden):
    slug = "funding-refused"
    title = "Instructors fund only the participants of their own classes"


class AccountFrozen(Conflict):
    slug = "account-frozen"
    title = (
        "The account is frozen by a supervision measure (账户冻结): it receives but does not pay"
    )


class AccountAlreadyFrozen(Conflict):
    slug = "account-already-frozen"
    title = "The account is already frozen by another supervision measure"


class AccountNotFrozen(Conflict):
    slug = "account-not-frozen"
    title = "The account is not frozen by this measure (解冻两次)"
