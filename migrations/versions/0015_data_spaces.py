"""data spaces: records about people and companies, their consents and consent requests;
a data asset's structured lawful basis for personal information and the consents it uses

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-08 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import exchange.database

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "dataspace_records",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("subject_id", sa.String(length=36), nullable=False),
        sa.Column("record_type", sa.String(length=24), nullable=False),
        sa.Column("source_item_id", sa.String(length=36), nullable=False),
        sa.Column("source_department_id", sa.String(length=36), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("period", sa.String(length=16), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("recorded_at", exchange.database.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["subject_id"],
            ["participants.id"],
            name=op.f("fk_dataspace_records_subject_id_participants"),
        ),
        sa.ForeignKeyConstraint(
            ["source_item_id"],
            ["catalog_items.id"],
            name=op.f("fk_dataspace_records_source_item_id_catalog_items"),
        ),
        sa.ForeignKeyConstraint(
            ["source_department_id"],
            ["catalog_departments.id"],
            name=op.f("fk_dataspace_records_source_department_id_catalog_departments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dataspace_records")),
    )
    op.create_index(
        "ix_dataspace_records_subject_type", "dataspace_records", ["subject_id", "record_type"]
    )
    op.create_table(
        "dataspace_consents",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("subject_id", sa.String(length=36), nullable=False),
        sa.Column("grantee_id", sa.String(length=36), nullable=False),
        sa.Column("record_ids", sa.JSON(), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("purposes", sa.JSON(), nullable=False),
        sa.Column("certificates", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("granted_at", exchange.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", exchange.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", exchange.database.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revocation_reason", sa.Text(), nullable=True),
        sa.Column("request_id", sa.String(length=36), nullable=True),
        sa.Column("receipt", sa.LargeBinary(), nullable=False),
        sa.Column("signature", sa.LargeBinary(length=64), nullable=False),
        sa.Column("key_id", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["subject_id"],
            ["participants.id"],
            name=op.f("fk_dataspace_consents_subject_id_participants"),
        ),
        sa.ForeignKeyConstraint(
            ["grantee_id"],
            ["participants.id"],
            name=op.f("fk_dataspace_consents_grantee_id_participants"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dataspace_consents")),
    )
    op.create_index(
        "ix_dataspace_consents_subject_granted", "dataspace_consents", ["subject_id", "granted_at"]
    )
    op.create_index(
        "ix_dataspace_consents_grantee_granted", "dataspace_consents", ["grantee_id", "granted_at"]
    )
    op.create_table(
        "dataspace_consent_requests",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("requester_id", sa.String(length=36), nullable=False),
        sa.Column("subject_id", sa.String(length=36), nullable=False),
        sa.Column("record_types", sa.JSON(), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("purposes", sa.JSON(), nullable=False),
        sa.Column("certificates", sa.Boolean(), nullable=False),
        sa.Column("expires_at", exchange.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", exchange.database.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_at", exchange.database.UTCDateTime(timezone=True), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.Column("consent_id", sa.String(length=36), nullable=True),
        sa.ForeignKeyConstraint(
            ["requester_id"],
            ["participants.id"],
            name=op.f("fk_dataspace_consent_requests_requester_id_participants"),
        ),
        sa.ForeignKeyConstraint(
            ["subject_id"],
            ["participants.id"],
            name=op.f("fk_dataspace_consent_requests_subject_id_participants"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dataspace_consent_requests")),
    )
    op.create_index(
        "ix_dataspace_consent_requests_subject_created",
        "dataspace_consent_requests",
        ["subject_id", "created_at"],
    )
    op.create_index(
        "ix_dataspace_consent_requests_requester_created",
        "dataspace_consent_requests",
        ["requester_id", "created_at"],
    )
    # Assets registered before: no structured basis (one with personal information must
    # state one by a change application before it is listed or sold again), no consents.
    with op.batch_alter_table("assets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("lawful_basis", sa.String(length=24), nullable=True))
        batch_op.add_column(
            sa.Column("consent_ids", sa.JSON(), server_default=sa.text("'[]'"), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("assets", schema=None) as batch_op:
        batch_op.drop_column("consent_ids")
        batch_op.drop_column("lawful_basis")
    op.drop_index(
        "ix_dataspace_consent_requests_requester_created", table_name="dataspace_consent_requests"
    )
    op.drop_index(
        "ix_dataspace_consent_requests_subject_created", table_name="dataspace_consent_requests"
    )
    op.drop_table("dataspace_consent_requests")
    op.drop_index("ix_dataspace_consents_grantee_granted", table_name="dataspace_consents")
    op.drop_index("ix_dataspace_consents_subject_granted", table_name="dataspace_consents")
    op.drop_table("dataspace_consents")
    op.drop_index("ix_dataspace_records_subject_type", table_name="dataspace_records")
    op.drop_table("dataspace_records")
