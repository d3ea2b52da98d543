"""Errors of trading: each rule of the market that can refuse a request has its own type."""

from __future__ import annotations

from exchange.errors import Conflict, Forbidden, InvalidInput, NotFound

CORE_DATA_RULE = "核心数据不得上架交易: core data (核心数据) is never listed or traded"
COMPLIANCE_RULE = "无合规不上架: the delivery package must be what was registered"
SELF_DEALING_RULE = "不得自买自卖: a participant cannot buy its own listing"
EXCLUSIVE_RULE = "独占许可只售一次: an exclusive licence is sold once"
AGENCY_RULE = (
    "委托代理: a negotiation a broker opened under a client's mandate is conducted by that "
    "broker alone on the client's side; the client reads it"
)
CUSTOMS_RULE = "数据出境须经数据海关: data leaving mainland China passes data customs"


class ExchangeNotFound(NotFound):
    slug = "exchange-not-found"
    title = "No such exchange or service base"


class ListingNotFound(NotFound):
    slug = "listing-not-found"
    title = "No such listing"


class TierNotFound(NotFound):
    slug = "tier-not-found"
    title = "No such licence tier on this listing"


class OrderNotFound(NotFound):
    slug = "order-not-found"
    title = "No such order"


class TradeNotFound(NotFound):
    slug = "trade-not-found"
    title = "No such trade"


class LicenceNotFound(NotFound):
    slug = "licence-not-found"
    title = "No such licence"


class NegotiationNotFound(NotFound):
    slug = "negotiation-not-found"
    title = "No such negotiation"


class AuctionNotFound(NotFound):
    slug = "auction-not-found"
    title = "No such auction"


class MandateNotFound(NotFound):
    slug = "mandate-not-found"
    title = "No such mandate"


class BrokerLicenceNotFound(NotFound):
    slug = "broker-licence-not-found"
    title = "No such broker licence"


class CustomsCaseNotFound(NotFound):
    slug = "customs-case-not-found"
    title = "No such customs case"


class NotExchangeOperator(Forbidden):
    slug = "not-exchange-operator"
    title = "Only an operator of this exchange may do this"


class RoleMayNotTrade(Forbidden):
    slug = "role-may-not-trade"
    title = "This participant's role does not buy data products"


class WrongNegotiationParty(Forbidden):
    slug = "wrong-negotiation-party"
    title = "This step belongs to the other side of the negotiation"


class BrokerConductsNegotiation(Forbidden):
    slug = "broker-conducts-negotiation"
    title = "A broker conducts this negotiation for its client; the client only reads it"


class AlreadyBound(Conflict):
    slug = "operator-already-bound"
    title = "The operator is already bound to an exchange"


class AlreadyLicensed(Conflict):
    slug = "broker-already-licensed"
    title = "The broker already holds a licence from this exchange"


class CoreDataNotListable(Conflict):
    slug = "core-data-not-listable"
    title = "Core data (核心数据) is never listed"


class DeliveryFingerprintMismatch(Conflict):
    slug = "delivery-fingerprint-mismatch"
    title = "The delivery package is not what was registered (无合规不上架)"


class PriceOutOfLimits(Conflict):
    slug = "price-out-of-limits"
    title = "The price is outside the exchange's price limits"


class TradeModeClosed(Conflict):
    slug = "trade-mode-closed"
    title = "The exchange's rulebook does not open this trade mode"


class ListingNotActive(Conflict):
    slug = "listing-not-active"
    title = "The listing is not active on this exchange"


class VenueStateConflict(Conflict):
    slug = "listing-venue-state"
    title = "The listing's state on this exchange does not allow this"


class OwnListing(Conflict):
    slug = "own-listing"
    title = "A participant cannot buy its own listing"


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


class LicenceUnavailable(Conflict):
    slug = "licence-unavailable"
    title = "The exclusive licence is sold or reserved (独占许可只售一次)"


class LegalBasisRequired(InvalidInput):
    slug = "legal-basis-required"
    title = "Export of important data or personal information needs a declared legal basis"


class NegotiationStateConflict(Conflict):
    slug = "negotiation-state"
    title = "The negotiation's state does not allow this step"


class AuctionNeedsExclusiveTier(Conflict):
    slug = "auction-needs-exclusive-tier"
    title = "Only exclusive licences are auctioned"


class AuctionClosed(Conflict):
    slug = "auction-closed"
    title = "The auction no longer takes bids"


class AuctionNotOver(Conflict):
    slug = "auction-not-over"
    title = "The auction's deadline has not passed"


class AlreadyBid(Conflict):
    slug = "already-bid"
    title = "This bidder already placed its sealed bid"


class BidBelowReserve(Conflict):
    slug = "bid-below-reserve"
    title = "The bid is below the reserve price"


class LicenceNotLive(Conflict):
    slug = "licence-not-live"
    title = "The licence has expired or was revoked"


class LicenceRevoked(Conflict):
    slug = "licence-already-revoked"
    title = "The licence was already revoked"


class CustomsCaseDecided(Conflict):
    slug = "customs-case-decided"
    title = "The customs case has already been decided"


class IdempotencyKeyReused(InvalidInput):
    slug = "idempotency-key-reused"
    title = "The Idempotency-Key was used with a different request"


class IdempotencyKeyInUse(Conflict):
    slug = "idempotency-key-in-use"
    title = "A request with this Idempotency-Key was in progress; retry"
