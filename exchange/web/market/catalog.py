"""The catalog pages (公共数据目录): Chinese full-text search with facets, and an item's page
with its 一数一源一标准 attributes (data elements, authoritative sources), grade, sharing and
opening attributes, quality reports and versions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import HTMLResponse

from exchange.catalog.departments import service as departments_service
from exchange.catalog.dependencies import Ref
from exchange.catalog.elements import service as elements_service
from exchange.catalog.items import service as items_service
from exchange.catalog.search import service as search_service
from exchange.catalog.search.schemas import FacetValue
from exchange.web.market import labels
from exchange.web.market.common import PAGE_SIZE, page, page_number, with_query
from exchange.web.pages import PageRoute, SignedIn

router = APIRouter(route_class=PageRoute, include_in_schema=False)

# Facets as the search names them, the query parameter that filters by each, and the kind of
# label the page gives its values (None: the search's own label, a department or a city).
FACETS: tuple[tuple[str, str, str | None], ...] = (
    ("department", "department", None),
    ("city", "city", None),
    ("level", "level", "level"),
    ("grade", "grade", "grade"),
    ("sharing", "sharing", "sharing"),
    ("opening", "opening", "opening"),
    ("usage_method", "usage", "usage"),
)
FILTERS = tuple(param for _, param, _ in FACETS)
Values = Annotated[list[str] | None, Query()]


@dataclass(frozen=True, slots=True)
class FacetLink:
    """One clickable value of a facet: its label, count, whether it is chosen, and the
    address that toggles it."""

    value: str
    label: str
    count: int
    chosen: bool
    href: str


def _facet_links(
    facets: dict[str, list[FacetValue]], chosen: dict[str, list[str]], q: str, lab: Any
) -> list[tuple[str, str, list[FacetLink]]]:
    out = []
    for facet, param, kind in FACETS:
        links = []
        for value in facets.get(facet, []):
            picked = value.value in chosen[param]
            others = [v for v in chosen[param] if v != value.value]
            toggled = {**chosen, param: others if picked else [*chosen[param], value.value]}
            label = lab(kind, value.value) if kind else value.label
            href = with_query("/market/catalog", {"q": q, **toggled})
            links.append(FacetLink(value.value, label, value.count, picked, href))
        out.append((facet, param, links))
    return out


@router.get("/market/catalog", response_class=HTMLResponse)
async def catalog_search(
    request: Request,
    viewer: SignedIn,
    q: Annotated[str, Query(max_length=400)] = "",
    department: Values = None,
    city: Values = None,
    level: Values = None,
    grade: Values = None,
    sharing: Values = None,
    opening: Values = None,
    usage: Values = None,
    page_no: Annotated[str | None, Query(alias="page")] = None,
) -> Response:
    """Search names, descriptions and field names (社保, 医保 …) with facet counts."""
    chosen = {
        "department": department or [],
        "city": city or [],
        "level": level or [],
        "grade": grade or [],
        "sharing": sharing or [],
        "opening": opening or [],
        "usage": usage or [],
    }
    number = page_number(page_no)
    params = search_service.SearchParams(q=q, **{k: tuple(v) for k, v in chosen.items()})
    async with viewer.read() as ctx:
        result = await search_service.search(
            ctx, params=params, limit=PAGE_SIZE, offset=(number - 1) * PAGE_SIZE
        )
    facets = _facet_links(result.facets, chosen, q, labels.labeller(viewer.lang))
    named = {(param, link.value): link.label for _, param, links in facets for link in links}
    active = [
        (
            named.get((param, value), value),
            with_query(
                "/market/catalog",
                {"q": q, **chosen, param: [v for v in chosen[param] if v != value]},
            ),
        )
        for param in FILTERS
        for value in chosen[param]
    ]
    return page(
        request,
        viewer,
        "market/catalog.html",
        q=q,
        result=result,
        facets=facets,
        active=active,
        page_no=number,
        size=PAGE_SIZE,
        page_link=lambda n: with_query("/market/catalog", {"q": q, **chosen, "page": n}),
    )


@router.get("/market/catalog/{item_id}", response_class=HTMLResponse)
async def catalog_item(request: Request, viewer: SignedIn, item_id: Ref) -> Response:
    """An item: its 一数一源一标准 attributes, grade, sharing, opening, quality and versions."""
    async with viewer.read() as ctx:
        item = await items_service.get_item(ctx, item_id)
        history = await items_service.item_versions(ctx, item.id)
        codes = [f.element_code for f in item.fields if f.element_code]
        elements = await elements_service.elements_by_codes(ctx, codes)
        sources = await elements_service.sources_of(ctx, [e.id for e in elements.values()])
        departments = {}
        for department_id in dict.fromkeys(s.department_id for s in sources.values()):
            departments[department_id] = await departments_service.get_department(
                ctx, department_id
            )
    return page(
        request,
        viewer,
        "market/item.html",
        item=item,
        versions=list(reversed(history.versions)),
        elements=elements,
        sources={code: sources.get(e.id) for code, e in elements.items()},
        departments=departments,
    )
