"""Pure: whether the platform can enforce a policy on a product (checked at listing).

Purposes, territories, quotas, the term, prohibitions and duties are enforced by the transfer
process whatever the product. Metered calls and computations are different: the platform
serves rows and computes aggregates only from a registered CSV table, and a computation's
dimensions and measures must be columns of it, its measures numbers. A policy that asks for
more than that is refused, naming the clause (409 `policy-not-enforceable`).
"""

from __future__ import annotations

from exchange.trading.policies.errors import PolicyAllowanceInconsistent, PolicyNotEnforceable
from exchange.trading.policies.terms import Access, UsagePolicy, allowance_misses
from exchange.trading.transfers.tables import header_of, number, sample_of

SAMPLE_BYTES = 256 * 1024  # how much of a package is read to check its table


def is_csv(media_type: str, filename: str) -> bool:
    """Whether a package is a CSV table by its media type (or, failing that, its name)."""
    kind = media_type.split(";", 1)[0].strip().lower()
    return kind == "text/csv" or (
        kind in ("application/octet-stream", "text/plain") and filename.lower().endswith(".csv")
    )


def _refuse(tier: str, clause: str, why: str) -> PolicyNotEnforceable:
    return PolicyNotEnforceable(
        f"Tier {tier!r}: the platform cannot enforce the clause {clause}: {why}.",
        clause=clause,
        tier=tier,
    )


def check_enforceable(
    policy: UsagePolicy, *, tier: str, media_type: str, filename: str, prefix: bytes
) -> None:
    """Refuse a policy the platform cannot enforce on a package (its first bytes given)."""
    if policy.negotiable is not None:
        outside = allowance_misses(policy.negotiable, policy)
        if outside:
            raise PolicyAllowanceInconsistent(
                f"Tier {tier!r}: the policy lies outside its own negotiable range: {outside[0]}.",
                tier=tier,
            )
    if policy.access is Access.DOWNLOAD:
        return
    if not is_csv(media_type, filename):
        raise _refuse(
            tier,
            "access",
            f"{policy.access.value} access serves rows or aggregates of a registered CSV "
            f"table, and this package is {media_type}",
        )
    header = header_of(prefix)
    if not header or any(not name for name in header) or len(set(header)) != len(header):
        raise _refuse(tier, "access", "the package has no header line of distinct, named columns")
    terms = policy.compute
    if terms is None:
        return
    for column in (*terms.dimensions, *terms.measures):
        if column not in header:
            raise _refuse(
                tier,
                "compute",
                f"{column!r} is not a column of the table (columns: {', '.join(header)})",
            )
    rows = sample_of(prefix)[1:]
    for measure in terms.measures:
        at = header.index(measure)
        cells = [row[at] for row in rows if at < len(row) and row[at].strip()]
        if not cells or any(number(cell) is None for cell in cells):
            raise _refuse(
                tier, "compute", f"the measure {measure!r} does not hold numbers in the table"
            )
