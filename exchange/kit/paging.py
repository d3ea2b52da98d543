"""One paging style for every list: `limit` and `offset` in, `{items, total}` out."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Generic, Self, TypeVar

from fastapi import Query

from exchange.schemas import ResponseModel

MAX_PAGE = 500
MAX_OFFSET = 2**53 - 1
T = TypeVar("T")

Limit = Annotated[int, Query(ge=1, le=MAX_PAGE)]
"""How many items a page holds (1 to 500)."""
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET)]
"""How many items to skip before the page starts."""


class Page(ResponseModel, Generic[T]):
    """A page of a list: the items in order, and how many match in all."""

    items: list[T]
    total: int

    @classmethod
    def window(cls, rows: Sequence[T], *, limit: int, offset: int) -> Self:
        """A page cut from a short list read whole (one parent's children, a fixed table)."""
        return cls(items=list(rows[offset : offset + limit]), total=len(rows))
