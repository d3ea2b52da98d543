"""Review queues: compliance reviewers decide registration applications (合规审查), exchange
operators decide listings on their exchange (上架审核). Both call the services the API's
review endpoints call, with the same request models."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from exchange.assets.registry import service as registry_service
from exchange.assets.registry.models import ApplicationStatus
from exchange.assets.review import service as review_service
from exchange.assets.review.schemas import ReviewCreate
from exchange.kit.paging import Offset
from exchange.participants import service as participants_service
from exchange.trading.listings import service as listings_service
from exchange.trading.listings.schemas import ListingReviewCreate
from exchange.trading.venues import service as venues_service
from exchange.web.mine.assets import described
from exchange.web.mine.common import PAGE_SIZE, Operator, Reviewer, checked, page
from exchange.web.pages import Form, PageRoute, field, see_other

router = APIRouter(route_class=PageRoute, include_in_schema=False)

QUEUE_STATUSES = (ApplicationStatus.UNDER_REVIEW, ApplicationStatus.IN_PUBLICITY)


@router.get("/me/reviews", response_class=HTMLResponse)
async def review_queue(
    request: Request,
    viewer: Reviewer,
    status: ApplicationStatus = ApplicationStatus.UNDER_REVIEW,
    offset: Offset = 0,
    done: str = "",
) -> HTMLResponse:
    """Applications waiting for review, oldest first, with what I decided on each."""
    async with viewer.read() as ctx:
        views, total = await registry_service.application_queue(
            ctx, status=status, limit=PAGE_SIZE, offset=offset
        )
        assets = await registry_service.asset_rows(ctx, [v.application.asset_id for v in views])
        holders = await participants_service.get_many(ctx, [a.holder_id for a in assets])
        quorum = ctx.settings.asset_review_quorum
    return page(
        request,
        "mine/reviews.html",
        viewer,
        done=done,
        rows=[
            (view, asset, holders.get(asset.holder_id))
            for view, asset in zip(views, assets, strict=True)
        ],
        total=total,
        offset=offset,
        limit=PAGE_SIZE,
        chosen=status.value,
        statuses=QUEUE_STATUSES,
        quorum=quorum,
    )


@router.get("/me/reviews/{asset_id}", response_class=HTMLResponse)
async def review_page(request: Request, asset_id: str, viewer: Reviewer) -> HTMLResponse:
    """An application to decide: the asset, what it asks to register, the reviews so far."""
    async with viewer.read() as ctx:
        view = await registry_service.asset_view(ctx, asset_id)
        applications = await registry_service.list_applications(ctx, asset_id=asset_id)
        objections = await review_service.list_objections(ctx, asset_id=asset_id)
        quorum = ctx.settings.asset_review_quorum
    open_id = view.open_application.id if view.open_application is not None else None
    current = next((a for a in applications if a.application.id == open_id), None)
    return page(
        request,
        "mine/review.html",
        viewer,
        view=view,
        asset=view.asset,
        current=current,
        applications=applications,
        objections=objections,
        quorum=quorum,
        registered=described(view.asset),
        mine=current is not None and any(r.reviewer_id == viewer.id for r in current.reviews),
    )


@router.post("/me/reviews/{asset_id}")
async def decide(asset_id: str, viewer: Reviewer, form: Form) -> Response:
    """Approve or reject the open application, with reasons."""
    body = checked(ReviewCreate, decision=field(form, "decision"), reason=field(form, "reason"))
    async with viewer.write() as ctx:
        await review_service.review_application(
            ctx, asset_id=asset_id, decision=body.decision, reason=body.reason
        )
    return see_other("/me/reviews?done=reviewed")


@router.get("/me/listing-reviews", response_class=HTMLResponse)
async def listing_queue(
    request: Request, viewer: Operator, offset: Offset = 0, done: str = ""
) -> HTMLResponse:
    """Listings waiting for review on my exchange, oldest first, each with its decision form."""
    async with viewer.read() as ctx:
        exchange_id, views, total = await listings_service.review_queue(
            ctx, limit=PAGE_SIZE, offset=offset
        )
        holders = await participants_service.get_many(ctx, [v.listing.holder_id for v in views])
    return page(
        request,
        "mine/listing_reviews.html",
        viewer,
        done=done,
        exchange_id=exchange_id,
        views=views,
        holders=holders,
        total=total,
        offset=offset,
        limit=PAGE_SIZE,
    )


@router.post("/me/listing-reviews/{listing_id}")
async def decide_listing(listing_id: str, viewer: Operator, form: Form) -> Response:
    """Approve or refuse a listing on my exchange (上架审核), with a reason."""
    decision = field(form, "decision")
    body = checked(
        ListingReviewCreate,
        approve={"approve": True, "reject": False}.get(decision, decision),
        reason=field(form, "reason"),
    )
    async with viewer.write() as ctx:
        exchange_id = await venues_service.operator_exchange(ctx) or ""
        await listings_service.review_listing(
            ctx,
            listing_id=listing_id,
            exchange_id=exchange_id,
            approve=body.approve,
            reason=body.reason,
        )
    return see_other("/me/listing-reviews?done=listing-reviewed")
