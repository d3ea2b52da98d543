"""Field types the trading schemas share: ids, names, texts, amounts in fen, basis points."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from exchange.kit.fields import AmountFen as AmountFen
from exchange.schemas import StrictInt

Id = Annotated[str, StringConstraints(min_length=1, max_length=36)]
Name = Annotated[str, StringConstraints(min_length=1, max_length=200)]
ShortName = Annotated[str, StringConstraints(min_length=1, max_length=100)]
Text = Annotated[str, StringConstraints(max_length=4000)]
Reason = Annotated[str, StringConstraints(min_length=1, max_length=1000)]
Note = Annotated[str, StringConstraints(max_length=1000)]
BasisPoints = Annotated[
    StrictInt, Field(ge=0, le=10_000, description="Rate in basis points (1 bp = 0.01%)")
]
BuyerKind = Literal["enterprise", "individual", "department"]
