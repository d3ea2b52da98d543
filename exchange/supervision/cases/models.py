"""Tables of supervision cases (监管案件): facts linked to audit entries, referrals between
agencies (协同), the subject's responses, and decisions (joint ones wait for concurrence)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from exchange.database import Base, UTCDateTime


class Case(Base):
    """A case one agency leads, about a participant, listing, trade or agreement."""

    __tablename__ = "supervision_cases"
    __table_args__ = (Index("ix_supervision_cases_state_opened_at", "state", "opened_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    lead_agency_id: Mapped[str] = mapped_column(ForeignKey("supervision_agencies.id"), index=True)
    remit: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text)
    subject_type: Mapped[str] = mapped_column(String(16))
    subject_id: Mapped[str] = mapped_column(String(36), index=True)
    # Who is notified and may respond: the subject's parties (participant ids).
    notified: Mapped[list[str]] = mapped_column(JSON)
    respond_by: Mapped[datetime] = mapped_column(UTCDateTime)
    alert_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    state: Mapped[str] = mapped_column(String(16))
    outcome: Mapped[str | None] = mapped_column(String(16), nullable=True)
    finding: Mapped[str | None] = mapped_column(Text, nullable=True)
    opened_by: Mapped[str] = mapped_column(String(80))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class CaseFact(Base):
    """A fact of a case: an audit log entry, by its index, with what it shows."""

    __tablename__ = "supervision_case_facts"
    __table_args__ = (UniqueConstraint("case_id", "entry_index"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("supervision_cases.id"), index=True)
    entry_index: Mapped[int] = mapped_column(BigInteger)
    note: Mapped[str] = mapped_column(Text)
    added_by: Mapped[str] = mapped_column(String(80))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CaseReferral(Base):
    """A part of a case referred to another agency (移送/协同), which joins the case."""

    __tablename__ = "supervision_referrals"
    __table_args__ = (UniqueConstraint("case_id", "to_agency_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("supervision_cases.id"), index=True)
    from_agency_id: Mapped[str] = mapped_column(ForeignKey("supervision_agencies.id"))
    to_agency_id: Mapped[str] = mapped_column(ForeignKey("supervision_agencies.id"), index=True)
    remit: Mapped[str] = mapped_column(String(32))
    part: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    referred_by: Mapped[str] = mapped_column(String(80))
    referred_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CaseResponse(Base):
    """What a notified party answered (陈述申辩), within the deadline."""

    __tablename__ = "supervision_responses"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("supervision_cases.id"), index=True)
    participant_id: Mapped[str] = mapped_column(ForeignKey("participants.id"))
    text: Mapped[str] = mapped_column(Text)
    responded_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Decision(Base):
    """A decision on a case: impose or lift a measure, or close the case. A joint decision
    (联合决定) names partner agencies and takes effect when each has concurred (会签)."""

    __tablename__ = "supervision_decisions"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("supervision_cases.id"), index=True)
    agency_id: Mapped[str] = mapped_column(ForeignKey("supervision_agencies.id"))
    kind: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16))
    measure_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    outcome: Mapped[str | None] = mapped_column(String(16), nullable=True)
    reason: Mapped[str] = mapped_column(Text)
    joint_with: Mapped[list[str]] = mapped_column(JSON)
    concurred_by: Mapped[list[str]] = mapped_column(JSON)
    decided_by: Mapped[str] = mapped_column(String(80))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime)
    effective_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
