"""Response models of the catalog search."""

from __future__ import annotations

from exchange.catalog.items.schemas import ItemSummary
from exchange.schemas import ResponseModel


class FacetValue(ResponseModel):
    """One value of a facet and how many results have it."""

    value: str
    label: str
    count: int


class SearchResult(ResponseModel):
    """A page of search results with facet counts."""

    query: str
    total: int
    page: int
    page_size: int
    items: list[ItemSummary]
    facets: dict[str, list[FacetValue]]
    notes: list[str]
