"""Table of derivations (加工来源): which asset was derived from which catalog item under which
grant (an operating agreement, or a department's approved sharing request)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from exchange.database import Base, UTCDateTime
from exchange.operation.vocabulary import GrantKind


class Derivation(Base):
    """An asset's application drew on a catalog item under a grant (recorded when it applied)."""

    __tablename__ = "operation_derivations"
    __table_args__ = (
        UniqueConstraint("asset_id", "item_id"),
        Index("ix_operation_derivations_agreement_id_derived_at", "agreement_id", "derived_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    # No foreign key to assets: the registry sits above this domain and refers to it.
    asset_id: Mapped[str] = mapped_column(String(36), index=True)
    item_id: Mapped[str] = mapped_column(ForeignKey("catalog_items.id"))
    holder_id: Mapped[str] = mapped_column(ForeignKey("participants.id"))
    asset_name: Mapped[str] = mapped_column(String(200))
    product_form: Mapped[str] = mapped_column(String(16))
    purpose: Mapped[str | None] = mapped_column(String(32), nullable=True)
    grant_kind: Mapped[GrantKind] = mapped_column(String(16))
    agreement_id: Mapped[str | None] = mapped_column(
        ForeignKey("operation_agreements.id"), nullable=True
    )
    share_request_id: Mapped[str | None] = mapped_column(
        ForeignKey("catalog_share_requests.id"), nullable=True
    )
    derived_at: Mapped[datetime] = mapped_column(UTCDateTime)
