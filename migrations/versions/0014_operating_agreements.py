"""operating agreements: authorized operation of public data (公共数据授权运营)

Departments may be designated data authority (数据主管部门) of their division; operators propose
operating agreements over catalog items, the authority decides them; assets record the purpose
of a product derived under one, which items they drew on under which grant, and settlements
record the departments' revenue shares.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-08 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import exchange.database

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _time(name: str, *, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, exchange.database.UTCDateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    with op.batch_alter_table("catalog_departments", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("data_authority", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    with op.batch_alter_table("assets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("purpose", sa.String(length=32), nullable=True))

    op.create_table(
        "operation_agreements",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("operator_id", sa.String(length=36), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("purposes", sa.JSON(), nullable=False),
        sa.Column("forms", sa.JSON(), nullable=False),
        _time("starts_at"),
        _time("ends_at"),
        sa.Column("revenue_share_bp", sa.Integer(), nullable=False),
        sa.Column("security_duties", sa.Text(), nullable=False),
        sa.Column("exclusive", sa.Boolean(), nullable=False),
        sa.Column("proposed_by", sa.String(length=80), nullable=False),
        _time("proposed_at"),
        sa.Column("authority_department_id", sa.String(length=36), nullable=True),
        sa.Column("decided_by", sa.String(length=80), nullable=True),
        _time("decided_at", nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        _time("updated_at"),
        sa.CheckConstraint(
            "revenue_share_bp >= 0 AND revenue_share_bp <= 10000",
            name=op.f("ck_operation_agreements_share_in_range"),
        ),
        sa.CheckConstraint(
            "ends_at > starts_at", name=op.f("ck_operation_agreements_term_positive")
        ),
        sa.ForeignKeyConstraint(
            ["operator_id"],
            ["participants.id"],
            name=op.f("fk_operation_agreements_operator_id_participants"),
        ),
        sa.ForeignKeyConstraint(
            ["authority_department_id"],
            ["catalog_departments.id"],
            name=op.f("fk_operation_agreements_authority_department_id_catalog_departments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_operation_agreements")),
    )
    op.create_index(
        op.f("ix_operation_agreements_operator_id"), "operation_agreements", ["operator_id"]
    )
    op.create_index(
        "ix_operation_agreements_status_ends_at", "operation_agreements", ["status", "ends_at"]
    )
    op.create_index(
        "ix_operation_agreements_status_starts_at", "operation_agreements", ["status", "starts_at"]
    )

    op.create_table(
        "operation_agreement_items",
        sa.Column("agreement_id", sa.String(length=36), nullable=False),
        sa.Column("item_id", sa.String(length=36), nullable=False),
        sa.Column("department_id", sa.String(length=36), nullable=False),
        sa.Column("division_code", sa.String(length=6), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("opening", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["operation_agreements.id"],
            name=op.f("fk_operation_agreement_items_agreement_id_operation_agreements"),
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["catalog_items.id"],
            name=op.f("fk_operation_agreement_items_item_id_catalog_items"),
        ),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["catalog_departments.id"],
            name=op.f("fk_operation_agreement_items_department_id_catalog_departments"),
        ),
        sa.PrimaryKeyConstraint(
            "agreement_id", "item_id", name=op.f("pk_operation_agreement_items")
        ),
    )
    for column in ("item_id", "department_id", "division_code"):
        op.create_index(
            op.f(f"ix_operation_agreement_items_{column}"), "operation_agreement_items", [column]
        )

    op.create_table(
        "operation_derivations",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("asset_id", sa.String(length=36), nullable=False),
        sa.Column("item_id", sa.String(length=36), nullable=False),
        sa.Column("holder_id", sa.String(length=36), nullable=False),
        sa.Column("asset_name", sa.String(length=200), nullable=False),
        sa.Column("product_form", sa.String(length=16), nullable=False),
        sa.Column("purpose", sa.String(length=32), nullable=True),
        sa.Column("grant_kind", sa.String(length=16), nullable=False),
        sa.Column("agreement_id", sa.String(length=36), nullable=True),
        sa.Column("share_request_id", sa.String(length=36), nullable=True),
        _time("derived_at"),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["catalog_items.id"],
            name=op.f("fk_operation_derivations_item_id_catalog_items"),
        ),
        sa.ForeignKeyConstraint(
            ["holder_id"],
            ["participants.id"],
            name=op.f("fk_operation_derivations_holder_id_participants"),
        ),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["operation_agreements.id"],
            name=op.f("fk_operation_derivations_agreement_id_operation_agreements"),
        ),
        sa.ForeignKeyConstraint(
            ["share_request_id"],
            ["catalog_share_requests.id"],
            name=op.f("fk_operation_derivations_share_request_id_catalog_share_requests"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_operation_derivations")),
        sa.UniqueConstraint(
            "asset_id", "item_id", name=op.f("uq_operation_derivations_asset_id_item_id")
        ),
    )
    op.create_index(
        op.f("ix_operation_derivations_asset_id"), "operation_derivations", ["asset_id"]
    )
    op.create_index(
        "ix_operation_derivations_agreement_id_derived_at",
        "operation_derivations",
        ["agreement_id", "derived_at"],
    )

    op.create_table(
        "operation_revenue_shares",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("agreement_id", sa.String(length=36), nullable=False),
        sa.Column("department_id", sa.String(length=36), nullable=False),
        sa.Column("participant_id", sa.String(length=36), nullable=False),
        sa.Column("trade_id", sa.String(length=36), nullable=False),
        sa.Column("asset_id", sa.String(length=36), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("journal_id", sa.String(length=36), nullable=False),
        _time("paid_at"),
        sa.CheckConstraint(
            "amount_fen > 0", name=op.f("ck_operation_revenue_shares_amount_positive")
        ),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["operation_agreements.id"],
            name=op.f("fk_operation_revenue_shares_agreement_id_operation_agreements"),
        ),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["catalog_departments.id"],
            name=op.f("fk_operation_revenue_shares_department_id_catalog_departments"),
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name=op.f("fk_operation_revenue_shares_participant_id_participants"),
        ),
        sa.ForeignKeyConstraint(
            ["journal_id"],
            ["journals.id"],
            name=op.f("fk_operation_revenue_shares_journal_id_journals"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_operation_revenue_shares")),
    )
    op.create_index(
        op.f("ix_operation_revenue_shares_department_id"),
        "operation_revenue_shares",
        ["department_id"],
    )
    op.create_index(
        op.f("ix_operation_revenue_shares_trade_id"), "operation_revenue_shares", ["trade_id"]
    )
    op.create_index(
        "ix_operation_revenue_shares_agreement_id_paid_at",
        "operation_revenue_shares",
        ["agreement_id", "paid_at"],
    )


def downgrade() -> None:
    op.drop_table("operation_revenue_shares")
    op.drop_table("operation_derivations")
    op.drop_table("operation_agreement_items")
    op.drop_table("operation_agreements")
    with op.batch_alter_table("assets", schema=None) as batch_op:
        batch_op.drop_column("purpose")
    with op.batch_alter_table("catalog_departments", schema=None) as batch_op:
        batch_op.drop_column("data_authority")
