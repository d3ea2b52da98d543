"""Request and response models of the market clock and the due work it sets off."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

from pydantic import Field, model_validator

from exchange.kit.fields import MarketDateTime
from exchange.schemas import RequestModel, ResponseModel, StrictInt


class ClockRead(ResponseModel):
    """The market clock: market time, real time, and how far the market runs ahead."""

    now: datetime = Field(description="Market time: every deadline of the sandbox reads it.")
    real_now: datetime = Field(description="The server's real time (UTC).")
    offset_us: int = Field(description="How far market time runs ahead, in microseconds.")
    mode: Literal["market", "real"] = Field(
        description="`real` when the deployment pins the clock (EXCHANGE_CLOCK=real)."
    )
    moved_at: datetime | None = Field(description="Market time just before the last move.")
    moved_by: str | None = Field(description="Who made the last move (participant id).")


class ClockAdvance(RequestModel):
    """Move market time forward: by a duration, to an instant, or by working days (one of)."""

    by: timedelta | None = Field(
        default=None,
        description="A duration: ISO 8601 (`P5D`, `PT2H30M`) or seconds.",
        examples=["P7D"],
    )
    to: MarketDateTime | None = Field(
        default=None, description="An instant after the current market time (RFC 3339)."
    )
    working_days: StrictInt | None = Field(
        default=None,
        ge=1,
        le=366,
        description="Working days (工作日, Monday to Friday): the same time of day that many "
        "working days later, as publicity (公示期) counts them.",
        examples=[5],
    )

    @model_validator(mode="after")
    def _one_of(self) -> ClockAdvance:
        given = [v for v in (self.by, self.to, self.working_days) if v is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of by, to or working_days")
        return self


class DueWorkRead(ResponseModel):
    """What the due-work runner did (到期事项): each effect is also in the audit log."""

    registered_asset_ids: list[str] = Field(
        description="Assets registered, their publicity over with no open objection."
    )
    certificate_numbers: list[str] = Field(description="Certificates issued to them.")
    auctions_closed: list[str] = Field(description="Auctions closed at their deadline.")
    licences_expired: list[str] = Field(description="Licences whose term ended.")
    mandates_expired: list[str] = Field(description="Broker mandates that expired.")
    shares_overdue: list[str] = Field(
        description="Sharing requests flagged overdue (unanswered past 3 working days)."
    )
    agreements_activated: list[str] = Field(
        default_factory=list,
        description="Approved operating agreements (授权运营协议) whose term began.",
    )
    agreements_expired: list[str] = Field(
        default_factory=list,
        description="Operating agreements whose term ended (their products' listings suspended).",
    )
    failures: list[str] = Field(
        description="Due items the runner could not complete (retried on its next run)."
    )


class ClockAdvanced(ResponseModel):
    """The clock after a move, and the due work the move set off."""

    previous: datetime = Field(description="Market time before the move.")
    clock: ClockRead
    due_work: DueWorkRead
