"""HTTP endpoint of the catalog search."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from exchange.catalog.search import service
from exchange.catalog.search.schemas import SearchResult
from exchange.security import ActorContext

router = APIRouter()


def _page_number(value: str | None, default: int, top: int) -> int:
    try:
        number = int((value or "").strip() or default)
    except ValueError:
        return default
    return max(1, min(number, top))


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
    page: str | None = None,
    page_size: str | None = None,
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
        page=_page_number(page, 1, 100_000),
        page_size=_page_number(page_size, 20, 100),
    )
