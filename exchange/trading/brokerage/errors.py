"""Errors of data brokers' licences (数据经纪人) and their clients' mandates (授权委托)."""

from __future__ import annotations

from exchange.errors import Conflict, InvalidInput, NotFound

AGENCY_RULE = (
    "委托代理: a negotiation a broker opened under a client's mandate is conducted by that "
    "broker alone on the client's side; the client reads it"
)


class MandateNotFound(NotFound):
    slug = "mandate-not-found"
    title = "No such mandate"


class BrokerLicenceNotFound(NotFound):
    slug = "broker-licence-not-found"
    title = "No such broker licence"


class AlreadyLicensed(Conflict):
    slug = "broker-already-licensed"
    title = "The broker already holds a licence from this exchange"


class BrokerRequired(Conflict):
    slug = "broker-required"
    title = "The exchange's rulebook requires this participant to trade through a broker"


class BrokerNotLicensed(Conflict):
    slug = "broker-not-licensed"
    title = "The broker holds no licence from this exchange"


class MandateRequired(InvalidInput):
    slug = "mandate-required"
    title = "A broker acts only under a client's mandate (授权委托)"


class MandateExpired(Conflict):
    slug = "mandate-expired"
    title = "The mandate has expired"


class MandateRevoked(Conflict):
    slug = "mandate-revoked"
    title = "The mandate has been revoked"


class MandateScope(Conflict):
    slug = "mandate-scope"
    title = "The mandate does not cover this exchange or action"


class MandateLimitExceeded(Conflict):
    slug = "mandate-limit-exceeded"
    title = "The purchase would exceed the mandate's spending limit"


class CommissionAboveCap(Conflict):
    slug = "commission-above-cap"
    title = "The mandate's commission is above the exchange's cap"
