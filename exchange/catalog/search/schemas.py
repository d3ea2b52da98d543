"""Response models of the catalog search."""

from __future__ import annotations

from exchange.catalog.items.schemas import ItemSummary
from exchange.kit.paging import Page
from exchange.schemas import ResponseModel


class FacetValue(ResponseModel):
    """One value of a facet and how many results have it."""

    value: str
    label: str
    count: int


class SearchResult(Page[ItemSummary]):
    """A page of search results with facet counts; `limit` and `offset` as applied."""

    query: str
    limit: int
    offset: int
    facets: dict[str, list[FacetValue]]
    notes: list[str]
