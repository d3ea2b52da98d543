"""mandate side: which side of a trade the broker acts for (existing mandates: buyer)

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-23 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("trading_mandates", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("side", sa.String(length=8), server_default="buyer", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("trading_mandates", schema=None) as batch_op:
        batch_op.drop_column("side")
