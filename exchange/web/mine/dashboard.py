"""My dashboard (我的): who I am, my balance, and what waits for me in my role."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from exchange.assets.registry import service as registry_service
from exchange.assets.registry.models import ApplicationStatus, AssetStatus
from exchange.context import Context
from exchange.participants import service as participants_service
from exchange.trading.brokerage import service as brokerage_service
from exchange.trading.licences import service as licences_service
from exchange.trading.listings import service as listings_service
from exchange.trading.orders import service as orders_service
from exchange.trading.orders.filters import TradeFilter
from exchange.trading.venues import service as venues_service
from exchange.vocabulary import MandateStatus, Role
from exchange.web.mine.common import BUYER_ROLES, HOLDER_ROLES, Mine, page
from exchange.web.pages import PageRoute

router = APIRouter(route_class=PageRoute, include_in_schema=False)

TRADER_ROLES = HOLDER_ROLES | BUYER_ROLES | {Role.BROKER}


@dataclass(frozen=True, slots=True)
class Tile:
    """A count on the dashboard and the page that lists it."""

    zh: str
    en: str
    count: int
    href: str


async def _tiles(ctx: Context, role: Role, me: str) -> list[Tile]:
    """The counts this role cares about, each one paged query's total."""
    tiles: list[Tile] = []
    if role in HOLDER_ROLES:
        _, assets = await registry_service.list_assets(
            ctx, status=None, holder_id=me, text=None, limit=1, offset=0
        )
        _, registered = await registry_service.list_assets(
            ctx, status=AssetStatus.REGISTERED, holder_id=me, text=None, limit=1, offset=0
        )
        _, listings = await listings_service.list_listings(
            ctx,
            exchange_id=None,
            product_form=None,
            grade=None,
            holder_id=me,
            text=None,
            include_inactive=True,
            limit=1,
            offset=0,
        )
        tiles += [
            Tile("我的数据资产", "My data assets", assets, "/me/assets"),
            Tile("已登记", "Registered", registered, "/me/assets?status=registered"),
            Tile("我的挂牌", "My listings", listings, "/me/listings"),
        ]
    if role in TRADER_ROLES:
        _, orders = await orders_service.list_orders(
            ctx, TradeFilter(), status=None, limit=1, offset=0
        )
        tiles.append(Tile("我的订单", "My orders", orders, "/me/orders"))
    if role in BUYER_ROLES:
        _, licences = await licences_service.list_licences(
            ctx, licensee_id=me, licensor_id=None, listing_id=None, limit=1, offset=0
        )
        _, mandates = await brokerage_service.list_mandates(
            ctx, client_id=me, broker_id=None, status=None, limit=1, offset=0
        )
        tiles += [
            Tile("我的数据许可", "My licences", licences, "/me/licences"),
            Tile("我授予的委托", "Mandates I granted", mandates, "/me/mandates"),
        ]
    if role is Role.BROKER:
        _, clients = await brokerage_service.list_mandates(
            ctx, client_id=None, broker_id=me, status=MandateStatus.ACTIVE, limit=1, offset=0
        )
        tiles.append(Tile("有效客户委托", "Active client mandates", clients, "/me/clients"))
    if role is Role.COMPLIANCE_REVIEWER:
        _, waiting = await registry_service.application_queue(
            ctx, status=ApplicationStatus.UNDER_REVIEW, limit=1, offset=0
        )
        tiles.append(Tile("待合规审查", "Awaiting compliance review", waiting, "/me/reviews"))
    if role is Role.EXCHANGE_OPERATOR and await venues_service.operator_exchange(ctx):
        _, _, pending = await listings_service.review_queue(ctx, limit=1, offset=0)
        tiles.append(Tile("待上架审核", "Listings awaiting review", pending, "/me/listing-reviews"))
    return tiles


@router.get("/me", response_class=HTMLResponse)
async def dashboard(request: Request, viewer: Mine) -> HTMLResponse:
    """Who I am, my balance and my role's counts."""
    async with viewer.read() as ctx:
        me = await participants_service.get(ctx, viewer.id)
        account = await participants_service.account_of(ctx, viewer.id)
        tiles = await _tiles(ctx, viewer.role, viewer.id)
        exchange_id = (
            await venues_service.operator_exchange(ctx)
            if viewer.role is Role.EXCHANGE_OPERATOR
            else None
        )
        licences = (
            await brokerage_service.list_broker_licences(ctx, exchange_id=None, broker_id=me.id)
            if viewer.role is Role.BROKER
            else []
        )
        now = ctx.clock.now()
    return page(
        request,
        "mine/dashboard.html",
        viewer,
        me=me,
        account=account,
        tiles=tiles,
        operates=exchange_id,
        broker_licences=licences,
        now=now,
        holder=viewer.role in HOLDER_ROLES,
    )
