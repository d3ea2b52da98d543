"""asset locks: one lock row per listed asset (listings and exclusive licences per asset)

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-23 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "trading_asset_locks",
        sa.Column("asset_id", sa.String(length=36), nullable=False),
        sa.PrimaryKeyConstraint("asset_id", name=op.f("pk_trading_asset_locks")),
    )


def downgrade() -> None:
    op.drop_table("trading_asset_locks")
