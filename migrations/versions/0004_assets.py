"""assets: registrations, reviews, objections, valuations, certificates, pledges

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22 07:12:47.981524
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import exchange.database

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    sequences = op.create_table(
        "asset_sequences",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_asset_sequences")),
    )
    # Certificate numbers count from 1 (GDDA-<year>-00000001).
    op.bulk_insert(sequences, [{"name": "certificate", "value": 0}])
    op.create_table(
        "assets",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("holder_id", sa.String(length=36), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("product_form", sa.String(length=16), nullable=False),
        sa.Column("data_right", sa.String(length=24), nullable=False),
        sa.Column("scenario", sa.String(length=500), nullable=False),
        sa.Column("grade", sa.String(length=16), nullable=False),
        sa.Column("personal_information", sa.Boolean(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("source_catalog_item_ids", sa.JSON(), nullable=False),
        sa.Column("source_legality", sa.Text(), nullable=False),
        sa.Column("personal_information_basis", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", exchange.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("published_at", exchange.database.UTCDateTime(timezone=True), nullable=True),
        sa.Column("registered_at", exchange.database.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closed_at", exchange.database.UTCDateTime(timezone=True), nullable=True),
        sa.Column("close_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["holder_id"], ["participants.id"], name=op.f("fk_assets_holder_id_participants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assets")),
    )
    with op.batch_alter_table("assets", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_assets_holder_id"), ["holder_id"], unique=False)
        batch_op.create_index("ix_assets_status_created_at", ["status", "created_at"], unique=False)

    op.create_table(
        "asset_applications",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("asset_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("submitted_by", sa.String(length=80), nullable=False),
        sa.Column("submitted_at", exchange.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("proposed", sa.JSON(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("approvals", sa.Integer(), nullable=False),
        sa.Column("rejections", sa.Integer(), nullable=False),
        sa.Column("approved_at", exchange.database.UTCDateTime(timezone=True), nullable=True),
        sa.Column("publicity_ends_at", exchange.database.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decided_at", exchange.database.UTCDateTime(timezone=True), nullable=True),
        sa.Column("outcome_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["asset_id"], ["assets.id"], name=op.f("fk_asset_applications_asset_id_assets")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_asset_applications")),
    )
    with op.batch_alter_table("asset_applications", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_asset_applications_asset_id"), ["asset_id"], unique=False
        )
        batch_op.create_index(
            "ix_asset_applications_status_publicity_ends_at",
            ["status", "publicity_ends_at"],
            unique=False,
        )
        batch_op.create_index(
            "ix_asset_applications_status_submitted_at", ["status", "submitted_at"], unique=False
        )

    op.create_table(
        "asset_certificates",
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("asset_id", sa.String(length=36), nullable=False),
        sa.Column("holder_id", sa.String(length=36), nullable=False),
        sa.Column("document", sa.LargeBinary(), nullable=False),
        sa.Column("signature", sa.LargeBinary(length=64), nullable=False),
        sa.Column("key_id", sa.String(length=16), nullable=False),
        sa.Column("issued_at", exchange.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", exchange.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("revoked_at", exchange.database.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revocation_reason", sa.Text(), nullable=True),
        sa.Column("pledge_id", sa.String(length=36), nullable=True),
        sa.ForeignKeyConstraint(
            ["asset_id"], ["assets.id"], name=op.f("fk_asset_certificates_asset_id_assets")
        ),
        sa.ForeignKeyConstraint(
            ["holder_id"],
            ["participants.id"],
            name=op.f("fk_asset_certificates_holder_id_participants"),
        ),
        sa.PrimaryKeyConstraint("number", name=op.f("pk_asset_certificates")),
    )
    with op.batch_alter_table("asset_certificates", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_asset_certificates_asset_id"), ["asset_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_asset_certificates_holder_id"), ["holder_id"], unique=False
        )

    op.create_table(
        "asset_valuations",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("asset_id", sa.String(length=36), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=False),
        sa.Column("value_fen", sa.BigInteger(), nullable=True),
        sa.Column("conclusion", sa.String(length=32), nullable=False),
        sa.Column("inputs", sa.JSON(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("valued_by", sa.String(length=80), nullable=False),
        sa.Column("created_at", exchange.database.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["asset_id"], ["assets.id"], name=op.f("fk_asset_valuations_asset_id_assets")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_asset_valuations")),
    )
    with op.batch_alter_table("asset_valuations", schema=None) as batch_op:
        batch_op.create_index(
            "ix_asset_valuations_asset_id_created_at", ["asset_id", "created_at"], unique=False
        )

    op.create_table(
        "asset_objections",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("application_id", sa.String(length=36), nullable=False),
        sa.Column("asset_id", sa.String(length=36), nullable=False),
        sa.Column("objector_id", sa.String(length=36), nullable=False),
        sa.Column("grounds", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", exchange.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.String(length=80), nullable=True),
        sa.Column("decided_at", exchange.database.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["asset_applications.id"],
            name=op.f("fk_asset_objections_application_id_asset_applications"),
        ),
        sa.ForeignKeyConstraint(
            ["asset_id"], ["assets.id"], name=op.f("fk_asset_objections_asset_id_assets")
        ),
        sa.ForeignKeyConstraint(
            ["objector_id"],
            ["participants.id"],
            name=op.f("fk_asset_objections_objector_id_participants"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_asset_objections")),
    )
    with op.batch_alter_table("asset_objections", schema=None) as batch_op:
        batch_op.create_index(
            "ix_asset_objections_application_id_status", ["application_id", "status"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_asset_objections_asset_id"), ["asset_id"], unique=False
        )

    op.create_table(
        "asset_pledges",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("certificate_number", sa.String(length=32), nullable=False),
        sa.Column("asset_id", sa.String(length=36), nullable=False),
        sa.Column("lender_id", sa.String(length=36), nullable=False),
        sa.Column("holder_id", sa.String(length=36), nullable=False),
        sa.Column("loan_reference", sa.String(length=100), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", exchange.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("confirmed_at", exchange.database.UTCDateTime(timezone=True), nullable=True),
        sa.Column("ended_at", exchange.database.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint("amount_fen > 0", name=op.f("ck_asset_pledges_amount_positive")),
        sa.ForeignKeyConstraint(
            ["asset_id"], ["assets.id"], name=op.f("fk_asset_pledges_asset_id_assets")
        ),
        sa.ForeignKeyConstraint(
            ["certificate_number"],
            ["asset_certificates.number"],
            name=op.f("fk_asset_pledges_certificate_number_asset_certificates"),
        ),
        sa.ForeignKeyConstraint(
            ["holder_id"], ["participants.id"], name=op.f("fk_asset_pledges_holder_id_participants")
        ),
        sa.ForeignKeyConstraint(
            ["lender_id"], ["participants.id"], name=op.f("fk_asset_pledges_lender_id_participants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_asset_pledges")),
    )
    with op.batch_alter_table("asset_pledges", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_asset_pledges_certificate_number"), ["certificate_number"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_asset_pledges_holder_id"), ["holder_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_asset_pledges_lender_id"), ["lender_id"], unique=False)

    op.create_table(
        "asset_reviews",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("application_id", sa.String(length=36), nullable=False),
        sa.Column("asset_id", sa.String(length=36), nullable=False),
        sa.Column("reviewer_id", sa.String(length=36), nullable=False),
        sa.Column("decision", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", exchange.database.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["asset_applications.id"],
            name=op.f("fk_asset_reviews_application_id_asset_applications"),
        ),
        sa.ForeignKeyConstraint(
            ["asset_id"], ["assets.id"], name=op.f("fk_asset_reviews_asset_id_assets")
        ),
        sa.ForeignKeyConstraint(
            ["reviewer_id"],
            ["participants.id"],
            name=op.f("fk_asset_reviews_reviewer_id_participants"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_asset_reviews")),
        sa.UniqueConstraint(
            "application_id",
            "reviewer_id",
            name=op.f("uq_asset_reviews_application_id_reviewer_id"),
        ),
    )


def downgrade() -> None:
    op.drop_table("asset_reviews")
    with op.batch_alter_table("asset_pledges", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_asset_pledges_lender_id"))
        batch_op.drop_index(batch_op.f("ix_asset_pledges_holder_id"))
        batch_op.drop_index(batch_op.f("ix_asset_pledges_certificate_number"))

    op.drop_table("asset_pledges")
    with op.batch_alter_table("asset_objections", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_asset_objections_asset_id"))
        batch_op.drop_index("ix_asset_objections_application_id_status")

    op.drop_table("asset_objections")
    with op.batch_alter_table("asset_valuations", schema=None) as batch_op:
        batch_op.drop_index("ix_asset_valuations_asset_id_created_at")

    op.drop_table("asset_valuations")
    with op.batch_alter_table("asset_certificates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_asset_certificates_holder_id"))
        batch_op.drop_index(batch_op.f("ix_asset_certificates_asset_id"))

    op.drop_table("asset_certificates")
    with op.batch_alter_table("asset_applications", schema=None) as batch_op:
        batch_op.drop_index("ix_asset_applications_status_submitted_at")
        batch_op.drop_index("ix_asset_applications_status_publicity_ends_at")
        batch_op.drop_index(batch_op.f("ix_asset_applications_asset_id"))

    op.drop_table("asset_applications")
    with op.batch_alter_table("assets", schema=None) as batch_op:
        batch_op.drop_index("ix_assets_status_created_at")
        batch_op.drop_index(batch_op.f("ix_assets_holder_id"))

    op.drop_table("assets")
    op.drop_table("asset_sequences")
