"""Imports every domain's tables so that Alembic and tests see the whole schema."""

from __future__ import annotations


def register_all() -> None:
    """Import all model modules (each registers its tables on Base.metadata)."""
    import exchange.assets.certificates.models
    import exchange.assets.packages.models
    import exchange.assets.pledges.models
    import exchange.assets.registry.models
    import exchange.assets.review.models
    import exchange.assets.valuation.models
    import exchange.audit.log.models
    import exchange.audit.transparency.models
    import exchange.catalog.conflicts.models
    import exchange.catalog.departments.models
    import exchange.catalog.elements.models
    import exchange.catalog.items.models
    import exchange.catalog.quality.models
    import exchange.catalog.search.models
    import exchange.catalog.sharing.models
    import exchange.classroom.models
    import exchange.dataspaces.consents.models
    import exchange.dataspaces.records.models
    import exchange.dataspaces.requests.models
    import exchange.markettime.models
    import exchange.operation.agreements.models
    import exchange.operation.grants.models
    import exchange.operation.revenue.models
    import exchange.participants.models
    import exchange.supervision.agencies.models
    import exchange.supervision.cases.models
    import exchange.supervision.measures.models
    import exchange.supervision.surveillance.models
    import exchange.trading.auctions.models
    import exchange.trading.brokerage.models
    import exchange.trading.customs.models
    import exchange.trading.licences.models
    import exchange.trading.listings.models
    import exchange.trading.negotiations.models
    import exchange.trading.orders.models
    import exchange.trading.transfers.models
    import exchange.trading.venues.models
    import exchange.web.models  # noqa: F401
