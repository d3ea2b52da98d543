"""Imports every domain's tables so that Alembic and tests see the whole schema."""

from __future__ import annotations


def register_all() -> None:
    """Import all model modules (each registers its tables on Base.metadata)."""
    import exchange.audit.models
    import exchange.participants.models  # noqa: F401
