"""Annotated field types shared by the catalog's request and response models."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import Field, StringConstraints

from exchange.schemas import StrictInt

Id = Annotated[str, StringConstraints(min_length=1, max_length=36)]


DivisionCode = Annotated[str, Field(pattern=r"^\d{6}$", examples=["440300"])]


DepartmentCode = Annotated[
    str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$", examples=["440300-012"])
]


ElementCode = Annotated[
    str, Field(pattern=r"^[A-Za-z][A-Za-z0-9._-]{0,39}$", examples=["DE.GD.0002"])
]


FieldCode = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,63}$", examples=["id_number"])]


NameZh = Annotated[str, StringConstraints(min_length=1, max_length=200)]


ShortText = Annotated[str, StringConstraints(max_length=500)]


LongText = Annotated[str, StringConstraints(max_length=4000)]


Length = Annotated[StrictInt, Field(ge=0, le=100_000)]


Bound = Annotated[Decimal, Field(allow_inf_nan=False, max_digits=30)]
