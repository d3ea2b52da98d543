"""Imports every domain's tables so that Alembic and tests see the whole schema."""

from __future__ import annotations


def register_all() -> None:
    """Import all model modules (each registers its tables on Base.metadata)."""
    import exchange.assets.models
    import exchange.audit.models
    import exchange.catalog.models
    import exchange.classroom.models
    import exchange.participants.models
    import exchange.trading.auctions.models
    import exchange.trading.brokerage.models
    import exchange.trading.customs.models
    import exchange.trading.licences.models
    import exchange.trading.listings.models
    import exchange.trading.negotiations.models
    import exchange.trading.orders.models
    import exchange.trading.venues.models  # noqa: F401
