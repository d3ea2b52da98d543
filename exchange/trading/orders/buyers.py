"""Who buys (买方): the buyer itself, or a licensed broker under a live mandate that covers the
order; and the rulebook clause that makes a kind of participant trade through a broker."""

from __future__ import annotations

from dataclasses import dataclass

from exchange.clock import rfc3339
from exchange.context import Context, Slot
from exchange.errors import Forbidden, InvalidInput
from exchange.kit.measures import refuse_restricted
from exchange.participants import service as participants_service
from exchange.trading import rules
from exchange.trading.brokerage import repository as brokerage_repository
from exchange.trading.brokerage.errors import (
    BrokerNotLicensed,
    BrokerRequired,
    MandateExpired,
    MandateNotFound,
    MandateRequired,
    MandateRevoked,
    MandateScope,
)
from exchange.trading.brokerage.models import BrokerLicenceStatus, Mandate
from exchange.trading.brokerage.service import check_commission_cap
from exchange.trading.orders.errors import RoleMayNotTrade
from exchange.trading.venues.models import Exchange, Rulebook
from exchange.trading.venues.service import BUYER_ROLES, actor_of, rule_of
from exchange.vocabulary import (
    MandateAction,
    MandateSide,
    MandateStatus,
    ParticipantStatus,
    Restricted,
    Role,
)

_ACCOUNT_IDS: Slot[dict[str, str]] = Slot("trading.account_ids")


@dataclass(frozen=True, slots=True)
class Buyer:
    """Who buys (the client) and who acts for it (itself, or a broker under a mandate)."""

    participant_id: str
    jurisdiction: str
    placed_by: str
    broker_id: str | None = None
    mandate: Mandate | None = None

    @property
    def commission_bp(self) -> int:
        return self.mandate.commission_bp if self.mandate is not None else 0

    def split(self, *, price_fen: int, rulebook: Rulebook) -> rules.Split:
        """How a purchase at `price_fen` divides; the buyer pays its own broker's commission."""
        return rules.split(
            price_fen=price_fen,
            buyer_fee_bp=rulebook.buyer_fee_bp,
            seller_fee_bp=rulebook.seller_fee_bp,
            commission_bp=self.commission_bp,
            commission_payer=MandateSide.BUYER,
        )


def check_mandate_live(ctx: Context, mandate: Mandate) -> None:
    """Refuse a revoked or expired mandate."""
    if mandate.status == MandateStatus.REVOKED:
        raise MandateRevoked(f"Mandate {mandate.id} was revoked by the client.")
    if mandate.status == MandateStatus.EXPIRED or ctx.clock.now() >= mandate.expires_at:
        raise MandateExpired(
            f"Mandate {mandate.id} expired at {rfc3339(mandate.expires_at)}.",
            expired_at=rfc3339(mandate.expires_at),
        )


async def resolve_buyer(
    ctx: Context,
    *,
    mandate_id: str | None,
    action: MandateAction,
    exchange: Exchange,
    rulebook: Rulebook,
) -> Buyer:
    """The buyer of a request: the caller itself, or the client of a broker's live mandate."""
    actor = actor_of(ctx)
    if actor.role is Role.BROKER:
        if mandate_id is None:
            raise MandateRequired("A broker must name the client's mandate (mandate_id).")
        mandate = await brokerage_repository.get_mandate(ctx.session, mandate_id)
        if mandate is None or mandate.broker_id != actor.id:
            raise MandateNotFound(f"No mandate {mandate_id!r} for this broker.")
        await check_mandate_covers(
            ctx, mandate, action=action, exchange=exchange, rulebook=rulebook
        )
        client = await participants_service.get(ctx, mandate.client_id)
        if client.status != ParticipantStatus.ACTIVE:
            raise Forbidden("The mandate's client is suspended.")
        await refuse_restricted(
            ctx, (Restricted.PARTICIPANT, client.id), (Restricted.PARTICIPANT, actor.id)
        )
        return Buyer(client.id, client.jurisdiction, actor.id, actor.id, mandate)
    if mandate_id is not None:
        raise InvalidInput("Only brokers act under a mandate; leave mandate_id out.")
    if actor.role not in BUYER_ROLES:
        raise RoleMayNotTrade(f"A {actor.role.value} does not buy data products.")
    rule = broker_required_rule(exchange, rulebook, actor.role)
    if rule is not None:
        raise BrokerRequired(f"Direct orders are refused under the rule {rule}.", rule=rule)
    await refuse_restricted(ctx, (Restricted.PARTICIPANT, actor.id))
    return Buyer(actor.id, actor.jurisdiction, actor.id)


def broker_required_rule(exchange: Exchange, rulebook: Rulebook, role: Role) -> str | None:
    """The rulebook clause that makes this kind of participant trade through a broker, if any."""
    if not rules.broker_required(role.value, rulebook.broker_required_for):
        return None
    return rule_of(
        exchange,
        rulebook,
        f"{role.value} participants trade through a licensed data broker (须通过数据经纪人交易)",
    )


async def check_mandate_covers(
    ctx: Context, mandate: Mandate, *, action: MandateAction, exchange: Exchange, rulebook: Rulebook
) -> None:
    """Refuse unless the mandate is live, covers this exchange and action, and fits the cap."""
    check_mandate_live(ctx, mandate)
    if mandate.side != MandateSide.BUYER:
        raise MandateScope(
            f"Mandate {mandate.id} lets the broker act for a {mandate.side}; it does not buy."
        )
    if exchange.id not in mandate.exchange_ids:
        raise MandateScope(f"Mandate {mandate.id} does not cover {exchange.name} ({exchange.id}).")
    if action.value not in mandate.actions:
        raise MandateScope(f"Mandate {mandate.id} does not allow the action {action.value!r}.")
    licence = await brokerage_repository.get_broker_licence(
        ctx.session, mandate.broker_id, exchange.id
    )
    if licence is None or licence.status != BrokerLicenceStatus.ACTIVE:
        raise BrokerNotLicensed(f"The broker holds no licence from {exchange.name}.")
    await refuse_restricted(ctx, (Restricted.BROKER_LICENCE, licence.id))
    check_commission_cap(exchange, rulebook, mandate.commission_bp)
    client = await participants_service.get(ctx, mandate.client_id)
    if Role(client.role) not in BUYER_ROLES:
        raise RoleMayNotTrade(f"A {client.role} does not buy data products.")
