"""Usage policies (使用策略) in the market: the policy a licence carries, the no-resale clause
checked when a licensee tries to list licensed bytes, and the territory checked when a buyer
orders."""

from __future__ import annotations

from typing import Any, Literal

from exchange.context import Context
from exchange.trading.licences import repository as licences_repository
from exchange.trading.licences.models import Licence, LicenceStatus
from exchange.trading.policies.errors import DeletionNotDue, ResaleProhibited
from exchange.trading.policies.rules import CLAUSE_LABELS, check_territory
from exchange.trading.policies.terms import Prohibition, UsagePolicy, read_policy

# A licence from before policies (scope text only) is a plain download licence.
UNRESTRICTED = UsagePolicy()


def licence_policy(licence: Licence) -> UsagePolicy:
    """The policy a licence is enforced under."""
    return read_policy(licence.policy) or UNRESTRICTED


async def check_no_resale(ctx: Context, *, lister_id: str, sha256: str) -> None:
    """Refuse a listing of bytes the lister holds a licence to under a no-resale clause."""
    found = await licences_repository.licensed_with_policy(
        ctx.session, licensee_id=lister_id, sha256=sha256
    )
    for licence in found:
        if Prohibition.RESALE in licence_policy(licence).prohibitions:
            raise ResaleProhibited(
                f"Refused under the clause {CLAUSE_LABELS['resale']}: these bytes "
                f"(SHA-256 {sha256}) are licensed to you by licence {licence.id}, which "
                "prohibits resale.",
                clause="resale",
                licence_id=licence.id,
            )


def check_buyer_territory(stored: dict[str, Any] | None, jurisdiction: str) -> None:
    """A buyer registered outside a policy's territory cannot buy (it could never use it)."""
    policy = read_policy(stored)
    if policy is not None:
        check_territory(policy, jurisdiction)


def deletion_state(
    ctx: Context, licence: Licence, policy: UsagePolicy
) -> Literal["none", "not_due", "due", "confirmed"]:
    """Where a licence's deletion duty (到期删除) stands: none, not due yet (the licence is in
    force), due (ended, not confirmed) or confirmed by the licensee."""
    if not policy.delete_at_expiry:
        return "none"
    if licence.deletion_confirmed_at is not None:
        return "confirmed"
    ended = licence.status != LicenceStatus.ACTIVE or ctx.clock.now() >= licence.expires_at
    return "due" if ended else "not_due"


async def confirm_deletion(ctx: Context, *, licence: Licence) -> Licence:
    """The licensee confirms it deleted the data once the licence ended (its duty), audited."""
    policy = licence_policy(licence)
    state = deletion_state(ctx, licence, policy)
    if state != "due":
        raise DeletionNotDue(
            f"Licence {licence.id}'s deletion duty is {state}; a confirmation is recorded "
            "once, after the licence has ended.",
            state=state,
        )
    licence.deletion_confirmed_at = ctx.clock.now()
    ctx.audit(
        "trading.licence_deletion_confirmed",
        subject_type="licence",
        subject_id=licence.id,
        payload={"licensee_id": licence.licensee_id, "listing_id": licence.listing_id},
    )
    return licence
