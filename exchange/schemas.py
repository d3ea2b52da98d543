"""Shared schema bases: strict request bodies and response models."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Strict

# "100" or 100.0 where an integer is expected is a client bug worth a 422, not a guess.
StrictInt = Annotated[int, Strict()]
StrictBool = Annotated[bool, Strict()]


class RequestModel(BaseModel):
    """A request body: unknown fields are refused; numbers use the strict aliases below."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ResponseModel(BaseModel):
    """A response body built from ORM objects or plain values."""

    model_config = ConfigDict(from_attributes=True)
