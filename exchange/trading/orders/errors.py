"""Errors of posted-price orders (挂牌交易) and the trades they settle."""

from __future__ import annotations

from exchange.errors import Conflict, Forbidden, InvalidInput, NotFound

SELF_DEALING_RULE = "不得自买自卖: a participant cannot buy its own listing"


class OrderNotFound(NotFound):
    slug = "order-not-found"
    title = "No such order"


class TradeNotFound(NotFound):
    slug = "trade-not-found"
    title = "No such trade"


class RoleMayNotTrade(Forbidden):
    slug = "role-may-not-trade"
    title = "This participant's role does not buy data products"


class OwnListing(Conflict):
    slug = "own-listing"
    title = "A participant cannot buy its own listing"


class IdempotencyKeyReused(InvalidInput):
    slug = "idempotency-key-reused"
    title = "The Idempotency-Key was used with a different request"


class IdempotencyKeyInUse(Conflict):
    slug = "idempotency-key-in-use"
    title = "A request with this Idempotency-Key was in progress; retry"
