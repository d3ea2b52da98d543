"""asset packages: the registry keeps the bytes behind a fingerprint; listings deliver them

The delivery packages of listings move into `asset_packages` (one row per asset and SHA-256),
so that a holder downloads its own registered package and a licensee receives the same bytes
from one place.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-24 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import exchange.database

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "asset_packages",
        sa.Column("asset_id", sa.String(length=36), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("stored_at", exchange.database.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["asset_id"], ["assets.id"], name=op.f("fk_asset_packages_asset_id_assets")
        ),
        sa.PrimaryKeyConstraint("asset_id", "sha256", name=op.f("pk_asset_packages")),
    )
    # Each asset's package once per digest: the earliest listing that delivers it.
    op.execute(
        """
        INSERT INTO asset_packages
            (asset_id, sha256, filename, media_type, size, body, stored_at)
        SELECT l.asset_id, l.fingerprint, l.delivery_filename, l.delivery_media_type,
               l.delivery_size, p.body, l.created_at
        FROM trading_listings l
        JOIN trading_delivery_packages p ON p.listing_id = l.id
        WHERE l.id = (
            SELECT MIN(o.id) FROM trading_listings o
            WHERE o.asset_id = l.asset_id AND o.fingerprint = l.fingerprint
        )
        """
    )
    op.drop_table("trading_delivery_packages")


def downgrade() -> None:
    op.create_table(
        "trading_delivery_packages",
        sa.Column("listing_id", sa.String(length=36), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["listing_id"],
            ["trading_listings.id"],
            name=op.f("fk_trading_delivery_packages_listing_id_trading_listings"),
        ),
        sa.PrimaryKeyConstraint("listing_id", name=op.f("pk_trading_delivery_packages")),
    )
    op.execute(
        """
        INSERT INTO trading_delivery_packages (listing_id, body)
        SELECT l.id, p.body
        FROM trading_listings l
        JOIN asset_packages p ON p.asset_id = l.asset_id AND p.sha256 = l.fingerprint
        """
    )
    op.drop_table("asset_packages")
