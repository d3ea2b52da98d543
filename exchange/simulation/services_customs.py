"""What a market played through the services reports, and the regulators' customs rulings.

Each placed order and settled trade becomes a record of the run's results; at the end of a
round regulator agents decide every open data-customs case by their policy.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from exchange.simulation import agents as strategy
from exchange.simulation.market import (
    RoundOutcome,
)
from exchange.simulation.results import CustomsRecord, OrderRecord, TradeRecord
from exchange.simulation.services_base import (
    MarketBase,
)
from exchange.trading.customs import service as customs_service
from exchange.trading.orders.settlement import Placed
from exchange.vocabulary import CustomsStatus, OrderStatus


class MarketRecords(MarketBase):
    """Results records of what the services answered, and customs decided by policy."""

    def _spend(self, buyer: str, broker: str | None, amount_fen: int) -> None:
        """Count money a buyer committed (refunds are never counted back: a safe estimate)."""
        self.cash[buyer] = self.cash.get(buyer, 0) - amount_fen
        if broker is not None:
            self.mandate_room[buyer] = self.mandate_room.get(buyer, 0) - amount_fen

    def _record(self, round_no: int, placed: Placed, outcome: RoundOutcome, *, value: int) -> None:
        order = placed.order
        buyer = self.key_of[order.buyer_id]
        broker = self.key_of.get(order.broker_id) if order.broker_id else None
        case = placed.customs_case
        if case is not None:
            outcome.customs.append(
                CustomsRecord(
                    round_no,
                    order.exchange_id,
                    buyer,
                    case.grade,
                    case.personal_information,
                    case.legal_basis,
                    str(case.decision) if case.decision is not None else "pending",
                )
            )
        status = OrderStatus(order.status)
        if status is OrderStatus.AWAITING_CUSTOMS:
            self.pending[order.id] = (buyer, value)
        if status in (OrderStatus.AWAITING_CUSTOMS, OrderStatus.SETTLED) and not order.auction_id:
            self._spend(buyer, broker, order.price_fen + order.buyer_fee_fen)
        outcome.orders.append(
            OrderRecord(
                round_no,
                buyer,
                order.exchange_id,
                str(order.mode),
                order.price_fen,
                str(status),
                order.reason[:80] if status is OrderStatus.REFUSED else "",
                broker,
            )
        )
        if placed.trade is not None:
            self._trade(round_no, placed, outcome, value)

    def _trade(self, round_no: int, placed: Placed, outcome: RoundOutcome, value: int) -> None:
        trade = placed.trade
        assert trade is not None
        product_key = self.product_of_listing.get(trade.listing_id, "")
        outcome.trades.append(
            TradeRecord(
                round=round_no,
                trade_id=trade.id,
                exchange_id=trade.exchange_id,
                mode=str(trade.mode),
                product=product_key,
                form=trade.product_form,
                grade=trade.grade,
                cross_border=trade.cross_border,
                buyer=self.key_of.get(trade.buyer_id, trade.buyer_id),
                seller=self.key_of.get(trade.seller_id, trade.seller_id),
                broker=self.key_of.get(trade.broker_id) if trade.broker_id else None,
                price_fen=trade.price_fen,
                buyer_fee_fen=trade.buyer_fee_fen,
                seller_fee_fen=trade.seller_fee_fen,
                commission_fen=trade.commission_fen,
                value_fen=value,
                unit_cost_fen=self.unit_cost.get(product_key, 0),
                restriction=self.restriction.get(product_key, "open"),
            )
        )

    async def _decide_customs(
        self, session: AsyncSession, round_no: int, outcome: RoundOutcome
    ) -> None:
        """Regulators decide every open customs case by policy, taking them in turn.

        Every case, not only the bots' orders: in a live class students' cross-border orders
        wait for the same regulator bots (the regulator seat is never a student's).
        """
        if not self.regulators:
            return
        policy = self.scenario.agents.regulators.customs_policy
        ctx = self._ctx(session, self.regulators[0])
        cases, _ = await customs_service.list_customs_cases(
            ctx,
            status=CustomsStatus.PENDING,
            jurisdiction=None,
            exchange_id=None,
            limit=10_000,
            offset=0,
        )
        for i, case in enumerate(cases):
            regulator = self.regulators[i % len(self.regulators)]
            ruling = strategy.customs_ruling(
                policy,
                grade=case.grade,
                personal_information=case.personal_information,
                legal_basis=case.legal_basis,
            )
            placed = await customs_service.decide_customs_case(
                self._ctx(session, regulator),
                case_id=case.id,
                approve=ruling.approve,
                reason=ruling.reason,
            )
            buyer, value = self.pending.pop(
                case.order_id, (self.key_of.get(case.buyer_id, case.buyer_id), 0)
            )
            outcome.customs.append(
                CustomsRecord(
                    round_no,
                    case.exchange_id,
                    buyer,
                    case.grade,
                    case.personal_information,
                    case.legal_basis,
                    "approved" if ruling.approve else "rejected",
                )
            )
            outcome.orders.append(
                OrderRecord(
                    round_no,
                    buyer,
                    case.exchange_id,
                    str(placed.order.mode),
                    placed.order.price_fen,
                    str(OrderStatus(placed.order.status)),
                    "customs" if not ruling.approve else "",
                    self.key_of.get(placed.order.broker_id) if placed.order.broker_id else None,
                )
            )
            if placed.trade is not None:
                self._trade(round_no, placed, outcome, value)
