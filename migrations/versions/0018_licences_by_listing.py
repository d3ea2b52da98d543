"""licences by listing: an index on trading_licences.listing_id

Every sale asks whether an exclusive licence of the asset is in force (its listings' licences).
Without this index that question read every licence ever sold, so a sale cost more as the
market grew (a 1,000-agent, 100-round simulation slowed from 169 to 43 trades/s).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-05 12:45:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_trading_licences_listing_id", "trading_licences", ["listing_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_trading_licences_listing_id", table_name="trading_licences")
