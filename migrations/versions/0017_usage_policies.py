"""usage policies: policies on tiers, negotiations, orders and licences; transfer processes;
usage records; packages kept in chunks

Licence tiers carry a usage policy (modelled on ODRL 2.2), which negotiations may move within
the seller's allowance and orders copy into the licence. A licence counts its uses in the
current quota period and the differential-privacy budget it has spent. Transfer processes
(REQUESTED, STARTED, SUSPENDED, COMPLETED, TERMINATED) deliver under a licence, and every
use or refusal is a usage record. Package bytes move from one column into 1 MiB chunks so
that a package of any size is stored and streamed in constant memory.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-08 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import exchange.database

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_POLICY_TABLES = ("trading_licence_tiers", "trading_negotiations", "trading_orders")


_BODIES = sa.table(
    "_package_bodies",
    sa.column("asset_id", sa.String),
    sa.column("sha256", sa.String),
    sa.column("body", sa.LargeBinary),
)


def _create_bodies() -> None:
    # Bytes in transit between the two layouts: SQLite rebuilds `asset_packages` to change
    # its columns, which it cannot do while chunks refer to it.
    op.create_table(
        "_package_bodies",
        sa.Column("asset_id", sa.String(length=36), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
    )


def _create_chunks() -> None:
    op.create_table(
        "asset_package_chunks",
        sa.Column("asset_id", sa.String(length=36), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["asset_id", "sha256"],
            ["asset_packages.asset_id", "asset_packages.sha256"],
            name=op.f("fk_asset_package_chunks_asset_id_asset_packages"),
        ),
        sa.PrimaryKeyConstraint("asset_id", "sha256", "seq", name=op.f("pk_asset_package_chunks")),
    )


def upgrade() -> None:
    # The packages kept so far came through a request body (at most a few MiB): one chunk each.
    _create_bodies()
    op.execute(
        "INSERT INTO _package_bodies (asset_id, sha256, body) "
        "SELECT asset_id, sha256, body FROM asset_packages"
    )
    with op.batch_alter_table("asset_packages", schema=None) as batch_op:
        batch_op.drop_column("body")
    _create_chunks()
    op.execute(
        "INSERT INTO asset_package_chunks (asset_id, sha256, seq, data) "
        "SELECT asset_id, sha256, 0, body FROM _package_bodies"
    )
    op.drop_table("_package_bodies")

    for table in _POLICY_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("policy", sa.JSON(), nullable=True))
    with op.batch_alter_table("trading_licences", schema=None) as batch_op:
        batch_op.add_column(sa.Column("policy", sa.JSON(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "usage_period_start",
                exchange.database.UTCDateTime(timezone=True),
                nullable=True,
            )
        )
        batch_op.add_column(
            sa.Column("usage_count", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column("epsilon_spent_micro", sa.BigInteger(), server_default="0", nullable=False)
        )
        batch_op.add_column(
            sa.Column(
                "deletion_confirmed_at",
                exchange.database.UTCDateTime(timezone=True),
                nullable=True,
            )
        )

    op.create_table(
        "trading_transfers",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("licence_id", sa.String(length=36), nullable=False),
        sa.Column("consumer_id", sa.String(length=36), nullable=False),
        sa.Column("provider_id", sa.String(length=36), nullable=False),
        sa.Column("access", sa.String(length=16), nullable=False),
        sa.Column("purpose", sa.String(length=32), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("suspended_by", sa.String(length=80), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", exchange.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", exchange.database.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["licence_id"],
            ["trading_licences.id"],
            name=op.f("fk_trading_transfers_licence_id_trading_licences"),
        ),
        sa.ForeignKeyConstraint(
            ["consumer_id"],
            ["participants.id"],
            name=op.f("fk_trading_transfers_consumer_id_participants"),
        ),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["participants.id"],
            name=op.f("fk_trading_transfers_provider_id_participants"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trading_transfers")),
    )
    op.create_index(op.f("ix_trading_transfers_licence_id"), "trading_transfers", ["licence_id"])
    op.create_index(
        "ix_trading_transfers_consumer_id_created_at",
        "trading_transfers",
        ["consumer_id", "created_at"],
    )
    op.create_index(
        "ix_trading_transfers_provider_id_created_at",
        "trading_transfers",
        ["provider_id", "created_at"],
    )

    op.create_table(
        "trading_usage_records",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.INTEGER(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("licence_id", sa.String(length=36), nullable=False),
        sa.Column("transfer_id", sa.String(length=36), nullable=True),
        sa.Column("actor_id", sa.String(length=80), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("purpose", sa.String(length=32), nullable=True),
        sa.Column("clause", sa.String(length=16), nullable=True),
        sa.Column("problem", sa.String(length=64), nullable=True),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("units", sa.Integer(), nullable=False),
        sa.Column("epsilon_micro", sa.BigInteger(), nullable=False),
        sa.Column("query", sa.JSON(), nullable=True),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("created_at", exchange.database.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["licence_id"],
            ["trading_licences.id"],
            name=op.f("fk_trading_usage_records_licence_id_trading_licences"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trading_usage_records")),
    )
    op.create_index(
        "ix_trading_usage_records_licence_id_id", "trading_usage_records", ["licence_id", "id"]
    )


def downgrade() -> None:
    op.drop_index("ix_trading_usage_records_licence_id_id", table_name="trading_usage_records")
    op.drop_table("trading_usage_records")
    op.drop_index("ix_trading_transfers_provider_id_created_at", table_name="trading_transfers")
    op.drop_index("ix_trading_transfers_consumer_id_created_at", table_name="trading_transfers")
    op.drop_index(op.f("ix_trading_transfers_licence_id"), table_name="trading_transfers")
    op.drop_table("trading_transfers")
    with op.batch_alter_table("trading_licences", schema=None) as batch_op:
        for column in (
            "deletion_confirmed_at",
            "epsilon_spent_micro",
            "usage_count",
            "usage_period_start",
            "policy",
        ):
            batch_op.drop_column(column)
    for table in reversed(_POLICY_TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("policy")

    # Packages whole again: each one's chunks joined, one package at a time.
    _create_bodies()
    bind = op.get_bind()
    chunks = sa.table(
        "asset_package_chunks",
        sa.column("asset_id", sa.String),
        sa.column("sha256", sa.String),
        sa.column("seq", sa.Integer),
        sa.column("data", sa.LargeBinary),
    )
    keys = bind.execute(sa.select(chunks.c.asset_id, chunks.c.sha256).distinct()).all()
    for asset_id, sha256 in keys:
        parts = bind.execute(
            sa.select(chunks.c.data)
            .where(chunks.c.asset_id == asset_id, chunks.c.sha256 == sha256)
            .order_by(chunks.c.seq)
        ).scalars()
        bind.execute(
            _BODIES.insert().values(
                asset_id=asset_id, sha256=sha256, body=b"".join(bytes(p) for p in parts)
            )
        )
    op.drop_table("asset_package_chunks")
    with op.batch_alter_table("asset_packages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("body", sa.LargeBinary(), nullable=True))
    op.execute(
        "UPDATE asset_packages SET body = (SELECT b.body FROM _package_bodies b "
        "WHERE b.asset_id = asset_packages.asset_id AND b.sha256 = asset_packages.sha256)"
    )
    with op.batch_alter_table("asset_packages", schema=None) as batch_op:
        batch_op.alter_column("body", existing_type=sa.LargeBinary(), nullable=False)
    op.drop_table("_package_bodies")
