"""Field types the supervision schemas share."""

from __future__ import annotations

from typing import Annotated

from pydantic import StringConstraints

AgencyId = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]{1,31}$")]
Id = Annotated[str, StringConstraints(min_length=1, max_length=36)]
Title = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Text = Annotated[str, StringConstraints(min_length=1, max_length=4000)]
Reason = Annotated[str, StringConstraints(min_length=1, max_length=1000)]
DivisionCode = Annotated[str, StringConstraints(pattern=r"^[0-9]{6}$")]
