"""Errors of usage policies (使用策略): refused at listing, in a negotiation, or at use.

Every refusal at use (`UsageRefused`) names the policy clause it enforces (`clause`), and the
transfer service records it in a unit of work of its own, so that a refused call leaves its
trace in the audit log although nothing else of it is kept.
"""

from __future__ import annotations

from typing import ClassVar

from exchange.errors import Conflict, ExchangeError, InvalidInput, NotFound


class PolicyNotEnforceable(Conflict):
    slug = "policy-not-enforceable"
    title = "The platform cannot enforce this usage policy on this product"


class PolicyAllowanceInconsistent(InvalidInput):
    slug = "policy-allowance-inconsistent"
    title = "The policy lies outside the negotiable range it declares"


class PolicyOutsideAllowance(Conflict):
    slug = "policy-outside-allowance"
    title = "The proposed usage policy is outside what the seller allows"


class ResaleProhibited(Conflict):
    slug = "resale-prohibited"
    title = "The package is licensed to you under a no-resale clause (禁止转售)"


class UsageRefused(ExchangeError):
    """A delivery, call or computation the licence's policy refuses (recorded)."""

    clause: ClassVar[str] = "policy"


class UsageTermEnded(UsageRefused, Conflict):
    slug = "usage-term-ended"
    title = "The licence is not in force (term ended, not begun, or revoked)"
    clause = "term"


class PurposeNotDeclared(UsageRefused, Conflict):
    slug = "usage-purpose-not-declared"
    title = "The licence restricts purposes; declare one (使用目的)"
    clause = "purpose"


class PurposeNotAllowed(UsageRefused, Conflict):
    slug = "usage-purpose-not-allowed"
    title = "The declared purpose is not one the licence permits"
    clause = "purpose"


class TerritoryNotAllowed(UsageRefused, Conflict):
    slug = "usage-territory-not-allowed"
    title = "The caller's jurisdiction is outside the licence's territory (使用地域)"
    clause = "territory"


class QuotaExhausted(UsageRefused, Conflict):
    slug = "usage-quota-exhausted"
    title = "The licence's quota for this period is used up (使用次数)"
    clause = "quota"


class AccessNotGranted(UsageRefused, Conflict):
    slug = "usage-access-not-granted"
    title = "The licence does not grant this kind of delivery (交付方式)"
    clause = "access"


class TransferSuspended(UsageRefused, Conflict):
    slug = "transfer-suspended"
    title = "The transfer is suspended; nothing is delivered until it resumes"
    clause = "transfer"


class TransferNotActive(UsageRefused, Conflict):
    slug = "transfer-not-active"
    title = "The transfer has not started or has ended"
    clause = "transfer"


class QueryNotOnMenu(UsageRefused, InvalidInput):
    slug = "computation-not-on-menu"
    title = "The computation is not on the safe menu"
    clause = "menu"


class DimensionNotAllowed(UsageRefused, InvalidInput):
    slug = "computation-dimension-not-allowed"
    title = "The query groups by or measures a column the policy does not allow"
    clause = "dimension"


class BudgetExhausted(UsageRefused, Conflict):
    slug = "privacy-budget-exhausted"
    title = "The licence's differential-privacy budget (ε) is used up"
    clause = "budget"


class TransferNotFound(NotFound):
    slug = "transfer-not-found"
    title = "No such transfer process"


class TransferStateConflict(Conflict):
    slug = "transfer-state-conflict"
    title = "The transfer process is not in a state that allows this"


class DeletionNotDue(Conflict):
    slug = "deletion-not-due"
    title = "The licence carries no deletion duty, or it is not due yet, or it is confirmed"
