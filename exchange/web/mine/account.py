"""My account (我的账户): the balance and the statement, newest first, paged by posting id
exactly as the API's `GET /v1/accounts/me` pages it (`before`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from exchange.kit.params import RowId
from exchange.participants import service as participants_service
from exchange.web.mine.common import Mine, page
from exchange.web.pages import PageRoute

router = APIRouter(route_class=PageRoute, include_in_schema=False)

STATEMENT_PAGE = 50


@router.get("/me/account", response_class=HTMLResponse)
async def my_account(
    request: Request,
    viewer: Mine,
    before: Annotated[RowId | None, Query(description="Postings older than this id")] = None,
) -> HTMLResponse:
    """My balance and a page of my postings with the journal each belongs to."""
    async with viewer.read() as ctx:
        account, rows = await participants_service.statement(
            ctx, owner_id=viewer.id, limit=STATEMENT_PAGE, before_id=before
        )
    return page(
        request,
        "mine/account.html",
        viewer,
        account=account,
        rows=rows,
        before=before,
        next_before=rows[-1][0].id if len(rows) == STATEMENT_PAGE else None,
    )
