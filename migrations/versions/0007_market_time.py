"""market time: the market clock's stored offset; sharing requests flagged overdue

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import exchange.database

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    clock = op.create_table(
        "market_clock",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("offset_us", sa.BigInteger(), nullable=False),
        sa.Column("moved_at", exchange.database.UTCDateTime(timezone=True), nullable=True),
        sa.Column("moved_by", sa.String(length=80), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_market_clock")),
    )
    op.bulk_insert(clock, [{"id": 1, "offset_us": 0, "moved_at": None, "moved_by": None}])
    with op.batch_alter_table("catalog_share_requests", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "overdue_flagged_at", exchange.database.UTCDateTime(timezone=True), nullable=True
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("catalog_share_requests", schema=None) as batch_op:
        batch_op.drop_column("overdue_flagged_at")
    op.drop_table("market_clock")
