"""Deliveries under a transfer (交付): each operation runs its own units of work, so that a
refused use is recorded apart from the work it refused (`usage.recorded`).

- `request_transfer` and `move_transfer`: the transfer process itself;
- `start_download`: checks and counts a download, then the caller streams the package;
- `serve_rows`: a metered call (计量接口) serving rows of the registered table, committed
  with the calls that arrive with it (`metering`);
- `run_computation`: an aggregate query (可用不可见), its noisy answer released only when the
  privacy budget it spends commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from exchange.assets.packages import service as packages_service
from exchange.context import Principal, Runtime
from exchange.trading.policies.errors import UsageRefused
from exchange.trading.policies.terms import MICRO, Access, Purpose
from exchange.trading.transfers import compute, service, usage
from exchange.trading.transfers.metering import Rows, meter_of
from exchange.trading.transfers.models import Transfer, UsageKind


async def request_transfer(
    runtime: Runtime, principal: Principal, *, licence_id: str, purpose: Purpose | None
) -> Transfer:
    """The licensee requests a transfer; a refusal by the policy is recorded."""

    async def work() -> Transfer:
        async with runtime.unit_of_work() as session:
            return await service.request(
                runtime.context(session, principal), licence_id=licence_id, purpose=purpose
            )

    return await usage.recorded(runtime, principal, work)


async def move_transfer(
    runtime: Runtime, principal: Principal, *, transfer_id: str, step: str, reason: str
) -> Transfer:
    """Suspend, resume, complete or terminate; a resume the term refuses is recorded."""

    async def work() -> Transfer:
        async with runtime.unit_of_work() as session:
            return await service.move(
                runtime.context(session, principal),
                transfer_id=transfer_id,
                step=step,
                reason=reason,
            )

    return await usage.recorded(runtime, principal, work)


@dataclass(frozen=True, slots=True)
class Download:
    """What a counted download streams: the package and what the response says of it."""

    asset_id: str
    sha256: str
    filename: str
    media_type: str
    size: int
    certificate_number: str
    expires_at: datetime
    attribution: str | None


async def start_download(runtime: Runtime, principal: Principal, *, transfer_id: str) -> Download:
    """Check and count one download (committed before a byte is sent)."""

    async def work() -> Download:
        async with runtime.unit_of_work() as session:
            ctx = runtime.context(session, principal)
            use = await usage.authorize(ctx, transfer_id=transfer_id, access=Access.DOWNLOAD)
            package = await packages_service.delivery_package(
                ctx, asset_id=use.listing.asset_id, sha256=use.listing.fingerprint
            )
            await usage.spend(ctx, use, kind=UsageKind.DOWNLOAD, units=1)
            return Download(
                asset_id=use.listing.asset_id,
                sha256=use.listing.fingerprint,
                filename=use.listing.delivery_filename,
                media_type=use.listing.delivery_media_type,
                size=package.size,
                certificate_number=use.listing.certificate_number,
                expires_at=use.licence.expires_at,
                attribution=use.policy.attribution,
            )

    return await usage.recorded(runtime, principal, work)


async def serve_rows(
    runtime: Runtime, principal: Principal, *, transfer_id: str, offset: int, limit: int
) -> Rows:
    """One metered call: rows [offset, offset+limit) of the registered table, counted, in the
    next group commit (`metering`); a refusal is recorded there."""
    return await meter_of(runtime).call(
        principal, transfer_id=transfer_id, offset=offset, limit=limit
    )


@dataclass(frozen=True, slots=True)
class Computed:
    """A computation's released answer and the budget left."""

    answer: dict[str, Any]
    epsilon_spent: float
    epsilon_budget: float


async def run_computation(
    runtime: Runtime, principal: Principal, *, transfer_id: str, query: compute.ComputationCreate
) -> Computed:
    """One aggregate query: planned and checked, computed over the whole table in a read-only
    unit of work, noised, then released only if its ε is spent (compare-and-set)."""

    async def work() -> Computed:
        async with runtime.unit_of_work(write=False) as session:
            ctx = runtime.context(session, principal)
            use = await usage.authorize(ctx, transfer_id=transfer_id, access=Access.COMPUTE)
            terms = use.policy.compute
            assert terms is not None
            plan = _plan(use, query)
            usage.precheck(ctx, use, epsilon_micro=terms.per_query_micro)
            acc = await usage.aggregate(ctx, use, plan)
        answer = compute.release(
            acc, k=terms.k_threshold, epsilon=terms.epsilon_per_query, rng=usage.noise_rng(runtime)
        )
        async with runtime.unit_of_work() as session:
            ctx = runtime.context(session, principal)
            use = await usage.authorize(ctx, transfer_id=transfer_id, access=Access.COMPUTE)
            await usage.spend(
                ctx,
                use,
                kind=UsageKind.COMPUTATION,
                units=1,
                epsilon_micro=terms.per_query_micro,
                query=plan.document(),
                result=answer,
            )
            return Computed(answer, use.licence.epsilon_spent_micro / MICRO, terms.epsilon_budget)

    return await usage.recorded(runtime, principal, work)


def _plan(use: usage.Use, query: compute.ComputationCreate) -> compute.Plan:
    terms = use.policy.compute
    assert terms is not None
    try:
        return compute.plan(query, terms)
    except UsageRefused as refusal:
        raise service.annotate(refusal, use.licence, use.transfer) from None
