"""The departments' revenue share (收益分成): when a trade of a product derived under operating
agreements settles, trading asks `shares_of_sale` for the departments' parts of the seller's
proceeds, posts them in the trade's own journal, and records them here (`record_paid`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from exchange.catalog.departments import service as departments_service
from exchange.context import Context
from exchange.operation import rules
from exchange.operation.agreements import repository as agreements_repository
from exchange.operation.agreements import service as agreements_service
from exchange.operation.errors import DepartmentWithoutAccount
from exchange.operation.grants import repository as grants_repository
from exchange.operation.revenue import repository
from exchange.operation.revenue.models import RevenueShare
from exchange.operation.revenue.schemas import RevenuePage, RevenueShareRead


@dataclass(frozen=True, slots=True)
class Payout:
    """One department's share of one sale under one agreement, and who is paid."""

    agreement_id: str
    department_id: str
    participant_id: str
    amount_fen: int


async def shares_of_sale(
    ctx: Context, *, asset_id: str, item_ids: Sequence[str], proceeds_fen: int
) -> list[Payout]:
    """The departments' shares of a sale's proceeds, for every agreement the product draws on
    through its current source items (none for products derived under no agreement)."""
    wanted = set(item_ids)
    by_agreement: dict[str, set[str]] = {}
    for derivation in await grants_repository.of_asset(ctx.session, asset_id):
        if derivation.agreement_id is not None and derivation.item_id in wanted:
            by_agreement.setdefault(derivation.agreement_id, set()).add(derivation.item_id)
    if not by_agreement:
        return []
    agreements = await agreements_repository.get_many(ctx.session, by_agreement)
    items = await agreements_repository.items_of(ctx.session, list(by_agreement))
    grants = [
        rules.ShareGrant(
            agreement_id=agreement_id,
            share_bp=agreements[agreement_id].revenue_share_bp,
            department_ids=tuple(
                row.department_id for row in items[agreement_id] if row.item_id in drawn
            ),
        )
        for agreement_id, drawn in by_agreement.items()
    ]
    payments = rules.split_shares(proceeds_fen, grants)
    departments = await departments_service.departments_by_id(
        ctx, sorted({p.department_id for p in payments})
    )
    payouts = []
    for payment in payments:
        department = departments[payment.department_id]
        if department.participant_id is None:
            raise DepartmentWithoutAccount(
                f"{department.name} is owed a share under agreement {payment.agreement_id} but "
                "has no participant bound, so no account: the sale cannot settle until an "
                "admin binds one.",
                department_id=department.id,
            )
        payouts.append(
            Payout(
                payment.agreement_id,
                payment.department_id,
                department.participant_id,
                payment.amount_fen,
            )
        )
    return payouts


async def record_paid(
    ctx: Context, *, trade_id: str, asset_id: str, journal_id: str, payouts: Sequence[Payout]
) -> None:
    """Record the shares a settlement journal paid, with their audit entry."""
    if not payouts:
        return
    now = ctx.clock.now()
    rows = [
        RevenueShare(
            id=ctx.ids.new(),
            agreement_id=p.agreement_id,
            department_id=p.department_id,
            participant_id=p.participant_id,
            trade_id=trade_id,
            asset_id=asset_id,
            amount_fen=p.amount_fen,
            journal_id=journal_id,
            paid_at=now,
        )
        for p in payouts
    ]
    ctx.session.add_all(rows)
    ctx.audit(
        "operation.revenue_shared",
        subject_type="trade",
        subject_id=trade_id,
        payload={
            "asset_id": asset_id,
            "journal_id": journal_id,
            "shares": [
                {
                    "revenue_share_id": r.id,
                    "agreement_id": r.agreement_id,
                    "department_id": r.department_id,
                    "participant_id": r.participant_id,
                    "amount_fen": r.amount_fen,
                }
                for r in rows
            ],
        },
    )


async def paid_for_trade(ctx: Context, trade_id: str) -> list[tuple[str, int]]:
    """The departments' shares a trade's settlement paid: (participant id, fen); none for a
    product not derived under an operating agreement."""
    return await repository.paid_for_trade(ctx.session, trade_id)


async def list_paid(ctx: Context, *, agreement_id: str, limit: int, offset: int) -> RevenuePage:
    """The revenue shares paid under an agreement (those who may see the agreement)."""
    agreement = await agreements_service.visible_agreement(ctx, agreement_id)
    rows, total, paid = await repository.paid_under(
        ctx.session, agreement.id, limit=limit, offset=offset
    )
    return RevenuePage(
        items=[RevenueShareRead.model_validate(r) for r in rows], total=total, paid_fen=paid
    )
