"""HTTP endpoint of the catalog search."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from exchange.catalog.search import service
from exchange.catalog.search.schemas import SearchResult
from exchange.kit.paging import MAX_OFFSET
from exchange.security import ActorContext

router = APIRouter()


def _bounded(value: str | None, default: int, low: int, high: int) -> int:
    # The search answers any input: an odd paging value falls back or clamps, never a 422.
    try:
        number = int((value or "").strip() or default)
    except ValueError:
        return default
    return max(low, min(number, high))


@router.get("/catalog/search", tags=["catalog"], operation_id="search_catalog")
async def search_catalog(
    ctx: ActorContext,
    q: str | None = None,
    department: Annotated[list[str] | None, Query()] = None,
    level: Annotated[list[str] | None, Query()] = None,
    city: Annotated[list[str] | None, Query()] = None,
    grade: Annotated[list[str] | None, Query()] = None,
    sharing: Annotated[list[str] | None, Query()] = None,
    opening: Annotated[list[str] | None, Query()] = None,
    usage: Annotated[list[str] | None, Query()] = None,
    limit: Annotated[str | None, Query(description="Items per page, 1 to 100 (20)")] = None,
    offset: Annotated[str | None, Query(description="Items to skip (0)")] = None,
) -> SearchResult:
    """Search names, descriptions and field names (社保, 医保, license ...) with facets.

    Filters repeat for alternatives (`city=440100&city=440300`). Any input is answered:
    odd values are noted in `notes` and match nothing.
    """
    params = service.SearchParams(
        q=q,
        department=tuple(department or ()),
        level=tuple(level or ()),
        city=tuple(city or ()),
        grade=tuple(grade or ()),
        sharing=tuple(sharing or ()),
        opening=tuple(opening or ()),
        usage=tuple(usage or ()),
    )
    return await service.search(
        ctx,
        params=params,
        limit=_bounded(limit, 20, 1, 100),
        offset=_bounded(offset, 0, 0, MAX_OFFSET),
    )
