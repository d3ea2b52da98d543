"""classroom: live classes, their seats (students and bots), rounds and presence

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22 07:30:37.361561
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import exchange.database

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "classroom_classes",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("instructor_id", sa.String(length=36), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("scenario_name", sa.String(length=64), nullable=False),
        sa.Column("scenario", sa.JSON(), nullable=False),
        sa.Column("seed", sa.BigInteger(), nullable=False),
        sa.Column("join_code", sa.String(length=16), nullable=False),
        sa.Column("join_expires_at", exchange.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("student_roles", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("rounds", sa.Integer(), nullable=False),
        sa.Column("round_seconds", sa.Integer(), nullable=True),
        sa.Column("round_ends_at", exchange.database.UTCDateTime(timezone=True), nullable=True),
        sa.Column("paused_at", exchange.database.UTCDateTime(timezone=True), nullable=True),
        sa.Column("clock_offset_us", sa.BigInteger(), nullable=False),
        sa.Column("created_at", exchange.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("started_at", exchange.database.UTCDateTime(timezone=True), nullable=True),
        sa.Column("finished_at", exchange.database.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["instructor_id"],
            ["participants.id"],
            name=op.f("fk_classroom_classes_instructor_id_participants"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_classroom_classes")),
        sa.UniqueConstraint("join_code", name=op.f("uq_classroom_classes_join_code")),
    )
    with op.batch_alter_table("classroom_classes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_classroom_classes_instructor_id"), ["instructor_id"], unique=False
        )

    op.create_table(
        "classroom_rounds",
        sa.Column("class_id", sa.String(length=36), nullable=False),
        sa.Column("round", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("started_at", exchange.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ended_at", exchange.database.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["class_id"],
            ["classroom_classes.id"],
            name=op.f("fk_classroom_rounds_class_id_classroom_classes"),
        ),
        sa.PrimaryKeyConstraint("class_id", "round", name=op.f("pk_classroom_rounds")),
    )
    op.create_table(
        "classroom_seats",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("class_id", sa.String(length=36), nullable=False),
        sa.Column("seat_no", sa.Integer(), nullable=False),
        sa.Column("agent_key", sa.String(length=48), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("participant_id", sa.String(length=36), nullable=False),
        sa.Column("occupant", sa.String(length=16), nullable=False),
        sa.Column("student_name", sa.String(length=100), nullable=True),
        sa.Column("assigned_name", sa.String(length=100), nullable=True),
        sa.Column("key_id", sa.String(length=24), nullable=True),
        sa.Column("joined_at", exchange.database.UTCDateTime(timezone=True), nullable=True),
        sa.Column("removed_at", exchange.database.UTCDateTime(timezone=True), nullable=True),
        sa.Column("removal_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["class_id"],
            ["classroom_classes.id"],
            name=op.f("fk_classroom_seats_class_id_classroom_classes"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_classroom_seats")),
        sa.UniqueConstraint(
            "class_id", "agent_key", name=op.f("uq_classroom_seats_class_id_agent_key")
        ),
        sa.UniqueConstraint(
            "class_id", "seat_no", name=op.f("uq_classroom_seats_class_id_seat_no")
        ),
        sa.UniqueConstraint("key_id", name=op.f("uq_classroom_seats_key_id")),
    )
    with op.batch_alter_table("classroom_seats", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_classroom_seats_class_id"), ["class_id"], unique=False)

    op.create_table(
        "classroom_presence",
        sa.Column("seat_id", sa.String(length=36), nullable=False),
        sa.Column("last_seen_at", exchange.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("requests", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["seat_id"],
            ["classroom_seats.id"],
            name=op.f("fk_classroom_presence_seat_id_classroom_seats"),
        ),
        sa.PrimaryKeyConstraint("seat_id", name=op.f("pk_classroom_presence")),
    )


def downgrade() -> None:
    op.drop_table("classroom_presence")
    with op.batch_alter_table("classroom_seats", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_classroom_seats_class_id"))

    op.drop_table("classroom_seats")
    op.drop_table("classroom_rounds")
    with op.batch_alter_table("classroom_classes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_classroom_classes_instructor_id"))

    op.drop_table("classroom_classes")
