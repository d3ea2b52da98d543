"""console sessions: browsers signed in to the web console, held server-side

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05 08:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import exchange.database

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "console_sessions",
        sa.Column("token_digest", sa.String(length=64), nullable=False),
        sa.Column("participant_id", sa.String(length=36), nullable=False),
        sa.Column("key_id", sa.String(length=16), nullable=False),
        sa.Column("class_id", sa.String(length=36), nullable=True),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", exchange.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", exchange.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ended_at", exchange.database.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("token_digest", name=op.f("pk_console_sessions")),
    )
    op.create_index(
        op.f("ix_console_sessions_participant_id"), "console_sessions", ["participant_id"]
    )
    op.create_index(op.f("ix_console_sessions_key_id"), "console_sessions", ["key_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_console_sessions_key_id"), table_name="console_sessions")
    op.drop_index(op.f("ix_console_sessions_participant_id"), table_name="console_sessions")
    op.drop_table("console_sessions")
