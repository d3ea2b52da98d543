"""audit check runs: the last verification and reconciliation of the whole log, per kind

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import exchange.database

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_check_runs",
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("log_size", sa.BigInteger(), nullable=False),
        sa.Column("root", sa.String(length=64), nullable=True),
        sa.Column("first_bad_index", sa.BigInteger(), nullable=True),
        sa.Column("findings", sa.Integer(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("trigger", sa.String(length=40), nullable=False),
        sa.Column("run_by", sa.String(length=80), nullable=False),
        sa.Column("ran_at", exchange.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("kind", name=op.f("pk_audit_check_runs")),
    )


def downgrade() -> None:
    op.drop_table("audit_check_runs")
