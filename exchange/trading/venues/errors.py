"""Errors of exchanges (数据交易所), rulebooks (交易规则), bases, operators."""

from __future__ import annotations

from exchange.errors import Conflict, Forbidden, NotFound


class ExchangeNotFound(NotFound):
    slug = "exchange-not-found"
    title = "No such exchange or service base"


class NotExchangeOperator(Forbidden):
    slug = "not-exchange-operator"
    title = "Only an operator of this exchange may do this"


class AlreadyBound(Conflict):
    slug = "operator-already-bound"
    title = "The operator is already bound to an exchange"


class VenueStateConflict(Conflict):
    slug = "listing-venue-state"
    title = "The listing's state on this exchange does not allow this"
