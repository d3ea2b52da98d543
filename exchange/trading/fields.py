"""Field types the trading schemas share: ids, names, texts, amounts in fen, basis points."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, StringConstraints

from exchange.schemas import StrictInt

MAX_AMOUNT_FEN = 10**15

Id = Annotated[str, StringConstraints(min_length=1, max_length=36)]
Name = Annotated[str, StringConstraints(min_length=1, max_length=200)]
ShortName = Annotated[str, StringConstraints(min_length=1, max_length=100)]
Text = Annotated[str, StringConstraints(max_length=4000)]
Reason = Annotated[str, StringConstraints(min_length=1, max_length=1000)]
Note = Annotated[str, StringConstraints(max_length=1000)]
AmountFen = Annotated[StrictInt, Field(gt=0, le=MAX_AMOUNT_FEN, description="Amount in fen (分)")]
BasisPoints = Annotated[
    StrictInt, Field(ge=0, le=10_000, description="Rate in basis points (1 bp = 0.01%)")
]
BuyerKind = Literal["enterprise", "individual", "department"]


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("a time zone is required (e.g. 2026-12-01T00:00:00Z)")
    return value


AwareDatetime = Annotated[datetime, AfterValidator(_aware)]
