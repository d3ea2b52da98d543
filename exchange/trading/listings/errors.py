"""Errors of listings (挂牌): venues on each exchange, licence tiers, delivery packages."""

from __future__ import annotations

from exchange.errors import Conflict, NotFound

CORE_DATA_RULE = "核心数据不得上架交易: core data (核心数据) is never listed or traded"
COMPLIANCE_RULE = "无合规不上架: the delivery package must be what was registered"
EXCLUSIVE_RULE = "独占许可只售一次: an exclusive licence is sold once"
EXCLUSIVE_SCOPE_RULE = (
    "独占许可排他: one exclusive licence per asset and scope at a time, "
    "and no other licence of that scope while it is in force"
)
ONE_LISTING_RULE = "一场所一挂牌: an asset is listed at most once on each exchange"


class ListingNotFound(NotFound):
    slug = "listing-not-found"
    title = "No such listing"


class TierNotFound(NotFound):
    slug = "tier-not-found"
    title = "No such licence tier on this listing"


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


class LicenceUnavailable(Conflict):
    slug = "licence-unavailable"
    title = "The exclusive licence is sold or reserved (独占许可只售一次)"


class ExclusiveLicenceInForce(Conflict):
    slug = "exclusive-licence-in-force"
    title = "An exclusive licence of this asset and scope is in force or reserved"


class AssetAlreadyListed(Conflict):
    slug = "asset-already-listed"
    title = "The asset is already listed on this exchange"
