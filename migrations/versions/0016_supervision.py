"""supervision: agencies and remits, cases, referrals, decisions, measures, alerts, account
freezes; the four provincial agencies seeded

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05 09:00:00.000000
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import exchange.database

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

Time = exchange.database.UTCDateTime
SEEDED_AT = datetime(2026, 1, 1, tzinfo=UTC)
# The four authorities that share the supervision of data circulation in Guangdong.
AGENCIES = [
    {
        "id": "gd-cac",
        "name": "广东省委网络安全和信息化委员会办公室（省网信办）",
        "name_en": "Cyberspace Administration of Guangdong",
        "remits": ["cross_border"],
        "level": "province",
        "division_code": "440000",
        "created_at": SEEDED_AT,
    },
    {
        "id": "gd-amr",
        "name": "广东省市场监督管理局",
        "name_en": "Guangdong Administration for Market Regulation",
        "remits": ["trading_conduct"],
        "level": "province",
        "division_code": "440000",
        "created_at": SEEDED_AT,
    },
    {
        "id": "gd-gsdma",
        "name": "广东省政务服务和数据管理局",
        "name_en": "Guangdong Government Service and Data Management Administration",
        "remits": ["public_data"],
        "level": "province",
        "division_code": "440000",
        "created_at": SEEDED_AT,
    },
    {
        "id": "gd-nfra",
        "name": "国家金融监督管理总局广东监管局",
        "name_en": "NFRA Guangdong Office (financial regulation)",
        "remits": ["finance"],
        "level": "province",
        "division_code": "440000",
        "created_at": SEEDED_AT,
    },
]


def _fk(table: str, column: str, target: str, target_column: str = "id") -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.{target_column}"], name=op.f(f"fk_{table}_{column}_{target}")
    )


def _index(table: str, *columns: str, name: str | None = None) -> None:
    op.create_index(name or op.f(f"ix_{table}_{columns[0]}"), table, list(columns))


def upgrade() -> None:
    agencies = op.create_table(
        "supervision_agencies",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("remits", sa.JSON(), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("division_code", sa.String(length=12), nullable=False),
        sa.Column("created_at", Time(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supervision_agencies")),
    )
    op.create_table(
        "supervision_members",
        sa.Column("participant_id", sa.String(length=36), nullable=False),
        sa.Column("agency_id", sa.String(length=32), nullable=False),
        sa.Column("assigned_by", sa.String(length=80), nullable=False),
        sa.Column("assigned_at", Time(timezone=True), nullable=False),
        _fk("supervision_members", "agency_id", "supervision_agencies"),
        _fk("supervision_members", "participant_id", "participants"),
        sa.PrimaryKeyConstraint("participant_id", name=op.f("pk_supervision_members")),
    )
    _index("supervision_members", "agency_id")
    op.create_table(
        "supervision_thresholds",
        sa.Column("agency_id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.Column("changed_by", sa.String(length=80), nullable=False),
        sa.Column("changed_at", Time(timezone=True), nullable=False),
        _fk("supervision_thresholds", "agency_id", "supervision_agencies"),
        sa.PrimaryKeyConstraint("agency_id", "name", name=op.f("pk_supervision_thresholds")),
    )
    op.create_table(
        "supervision_alerts",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("remit", sa.String(length=32), nullable=False),
        sa.Column("severity", sa.String(length=8), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("fingerprint", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=400), nullable=False),
        sa.Column("parties", sa.JSON(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.Column("window_since", Time(timezone=True), nullable=False),
        sa.Column("window_until", Time(timezone=True), nullable=False),
        sa.Column("raised_by", sa.String(length=32), nullable=False),
        sa.Column("raised_at", Time(timezone=True), nullable=False),
        sa.Column("handled_by", sa.String(length=32), nullable=True),
        sa.Column("dismissal_reason", sa.Text(), nullable=True),
        sa.Column("case_id", sa.String(length=36), nullable=True),
        sa.Column("updated_at", Time(timezone=True), nullable=False),
        _fk("supervision_alerts", "raised_by", "supervision_agencies"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supervision_alerts")),
        sa.UniqueConstraint("fingerprint", name=op.f("uq_supervision_alerts_fingerprint")),
    )
    _index("supervision_alerts", "state", "raised_at", name="ix_supervision_alerts_state_raised_at")
    op.create_table(
        "supervision_cases",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("lead_agency_id", sa.String(length=32), nullable=False),
        sa.Column("remit", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("subject_type", sa.String(length=16), nullable=False),
        sa.Column("subject_id", sa.String(length=36), nullable=False),
        sa.Column("notified", sa.JSON(), nullable=False),
        sa.Column("respond_by", Time(timezone=True), nullable=False),
        sa.Column("alert_id", sa.String(length=36), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("finding", sa.Text(), nullable=True),
        sa.Column("opened_by", sa.String(length=80), nullable=False),
        sa.Column("opened_at", Time(timezone=True), nullable=False),
        sa.Column("closed_at", Time(timezone=True), nullable=True),
        _fk("supervision_cases", "lead_agency_id", "supervision_agencies"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supervision_cases")),
    )
    _index("supervision_cases", "lead_agency_id")
    _index("supervision_cases", "subject_id")
    _index("supervision_cases", "state", "opened_at", name="ix_supervision_cases_state_opened_at")
    op.create_table(
        "supervision_case_facts",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("entry_index", sa.BigInteger(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("added_by", sa.String(length=80), nullable=False),
        sa.Column("added_at", Time(timezone=True), nullable=False),
        _fk("supervision_case_facts", "case_id", "supervision_cases"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supervision_case_facts")),
        sa.UniqueConstraint(
            "case_id", "entry_index", name=op.f("uq_supervision_case_facts_case_id_entry_index")
        ),
    )
    _index("supervision_case_facts", "case_id")
    op.create_table(
        "supervision_referrals",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("from_agency_id", sa.String(length=32), nullable=False),
        sa.Column("to_agency_id", sa.String(length=32), nullable=False),
        sa.Column("remit", sa.String(length=32), nullable=False),
        sa.Column("part", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("referred_by", sa.String(length=80), nullable=False),
        sa.Column("referred_at", Time(timezone=True), nullable=False),
        _fk("supervision_referrals", "case_id", "supervision_cases"),
        _fk("supervision_referrals", "from_agency_id", "supervision_agencies"),
        _fk("supervision_referrals", "to_agency_id", "supervision_agencies"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supervision_referrals")),
        sa.UniqueConstraint(
            "case_id", "to_agency_id", name=op.f("uq_supervision_referrals_case_id_to_agency_id")
        ),
    )
    _index("supervision_referrals", "case_id")
    _index("supervision_referrals", "to_agency_id")
    op.create_table(
        "supervision_responses",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("participant_id", sa.String(length=36), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("responded_at", Time(timezone=True), nullable=False),
        _fk("supervision_responses", "case_id", "supervision_cases"),
        _fk("supervision_responses", "participant_id", "participants"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supervision_responses")),
    )
    _index("supervision_responses", "case_id")
    op.create_table(
        "supervision_decisions",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("agency_id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("measure_id", sa.String(length=36), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("joint_with", sa.JSON(), nullable=False),
        sa.Column("concurred_by", sa.JSON(), nullable=False),
        sa.Column("decided_by", sa.String(length=80), nullable=False),
        sa.Column("decided_at", Time(timezone=True), nullable=False),
        sa.Column("effective_at", Time(timezone=True), nullable=True),
        _fk("supervision_decisions", "agency_id", "supervision_agencies"),
        _fk("supervision_decisions", "case_id", "supervision_cases"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supervision_decisions")),
    )
    _index("supervision_decisions", "case_id")
    op.create_table(
        "supervision_measures",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("agency_id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("subject_type", sa.String(length=16), nullable=False),
        sa.Column("subject_id", sa.String(length=36), nullable=False),
        sa.Column("restricts", sa.String(length=16), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("imposed_by", sa.String(length=36), nullable=False),
        sa.Column("lifted_by", sa.String(length=36), nullable=True),
        sa.Column("imposed_at", Time(timezone=True), nullable=True),
        sa.Column("lifted_at", Time(timezone=True), nullable=True),
        _fk("supervision_measures", "agency_id", "supervision_agencies"),
        _fk("supervision_measures", "case_id", "supervision_cases"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supervision_measures")),
    )
    _index("supervision_measures", "case_id")
    _index(
        "supervision_measures",
        "subject_id",
        "state",
        name="ix_supervision_measures_subject_id_state",
    )
    op.add_column("accounts", sa.Column("frozen_by", sa.String(length=36), nullable=True))
    op.add_column("accounts", sa.Column("frozen_case", sa.String(length=36), nullable=True))
    op.bulk_insert(agencies, AGENCIES)


def downgrade() -> None:
    # Plain ALTER TABLE (SQLite 3.35+ drops columns in place): a batch copy of `accounts`
    # would drop the table that postings and everything else refer to.
    op.drop_column("accounts", "frozen_case")
    op.drop_column("accounts", "frozen_by")
    for table in (
        "supervision_measures",
        "supervision_decisions",
        "supervision_responses",
        "supervision_referrals",
        "supervision_case_facts",
        "supervision_cases",
        "supervision_alerts",
        "supervision_thresholds",
        "supervision_members",
        "supervision_agencies",
    ):
        op.drop_table(table)
