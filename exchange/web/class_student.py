"""A student's class (我的课堂), phone first: role, budget, private values, trading, result.

The student signed in by join code (`/join`), so `viewer.read()` and `viewer.write()` run on
the class's own market: the listings are the class's, a purchase is the ordinary posted-price
order (`orders.service.place_order`, as `POST /v1/orders` with the student's key), and a
provider's new price is `classroom.relisting.relist`. The page asks `/class/state` every two
seconds and reloads when the round or the class's status changes.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import ValidationError

from exchange.classroom import relisting, reports, seats
from exchange.classroom.models import ClassStatus
from exchange.clock import rfc3339
from exchange.trading.listings import service as listings_service
from exchange.trading.orders import service as orders_service
from exchange.trading.orders.filters import TradeFilter
from exchange.trading.orders.schemas import OrderCreate
from exchange.vocabulary import LegalBasis, OrderStatus
from exchange.web.class_views import Names
from exchange.web.classroom import invalid
from exchange.web.pages import Form, InvalidForm, PageRoute, SignedIn, field, render, see_other

router = APIRouter(route_class=PageRoute, include_in_schema=False)
BUYING_ROLES = ("buyer", "cross_border_buyer")
MAX_FEN = 2**53 - 1
LISTINGS_SHOWN = 60
LEGAL_BASES = {
    LegalBasis.SECURITY_ASSESSMENT: ("数据出境安全评估", "Security assessment"),
    LegalBasis.STANDARD_CONTRACT: ("个人信息出境标准合同", "Standard contract"),
    LegalBasis.CERTIFICATION: ("个人信息保护认证", "Certification"),
}
DONE = {
    "settled": ("买入成功，已结算。", "Bought: the trade has settled."),
    "awaiting_customs": (
        "订单已提交，等待数据海关审查（资金已托管）。",
        "Order placed: it waits for data customs (the money is held in escrow).",
    ),
    "refused": ("数据海关未放行，未扣款。", "Data customs refused the order; nothing was charged."),
    "relisted": ("已按新价格重新挂牌。", "Listed again at the new price."),
}


def fen_of_yuan(text: str) -> int:
    """A price typed in yuan (up to two decimals) as integer fen; 422 for anything else."""
    try:
        yuan = Decimal(text.replace(",", "").replace("¥", "").strip())
    except InvalidOperation:
        raise InvalidForm(
            f"price: enter a price in yuan, e.g. 1200.50, not {text[:20]!r}."
        ) from None
    fen = yuan * 100
    if not yuan.is_finite() or fen != fen.to_integral_value() or not 0 < fen <= MAX_FEN:
        raise InvalidForm("price: a positive price in yuan with at most two decimals.")
    return int(fen)


@router.get("/class", response_class=HTMLResponse)
async def class_page(request: Request, viewer: SignedIn, done: str = "") -> Response:
    """The student's class: round, role, money, private values, the market, the result."""
    names = Names(viewer.lang)
    context: dict[str, Any] = {"names": names, "listings": [], "own_listings": {}}
    async with viewer.read() as ctx:
        state = await seats.student_view(ctx)  # 403 for anyone not seated as a student
        trading = state.cls.status == ClassStatus.RUNNING
        if state.need is not None and trading and state.seat.role in BUYING_ROLES:
            context["listings"], _ = await listings_service.list_listings(
                ctx,
                exchange_id=None,
                product_form=state.need["form"],
                grade=None,
                holder_id=None,
                text=None,
                include_inactive=False,
                limit=LISTINGS_SHOWN,
                offset=0,
            )
        if state.products:
            mine, _ = await listings_service.list_listings(
                ctx,
                exchange_id=None,
                product_form=None,
                grade=None,
                holder_id=viewer.id,
                text=None,
                include_inactive=False,
                limit=500,
                offset=0,
            )
            context["own_listings"] = {v.listing.id: v for v in mine}
        trades, traded = await orders_service.list_trades(
            ctx, TradeFilter(party_id=viewer.id), limit=20, offset=0
        )
        standing = None
        if state.cls.status == ClassStatus.FINISHED:
            standing = await reports.student_standing(ctx)
    return render(
        request,
        "classroom/student.html",
        viewer=viewer,
        state=state,
        cls=state.cls,
        trading=trading,
        trades=trades,
        traded=traded,
        standing=standing,
        legal_bases=LEGAL_BASES,
        flash=names.text(*DONE[done]) if done in DONE else None,
        flash_kind="warn" if done == "refused" else "ok",
        **context,
    )


@router.get("/class/state")
async def class_state(viewer: SignedIn) -> Response:
    """The class's round and status, for the page to notice a change (polled)."""
    async with viewer.read() as ctx:
        cls, _ = await seats.student_seat(ctx)
    return JSONResponse(
        {
            "status": cls.status,
            "round": cls.round,
            "rounds": cls.rounds,
            "round_ends_at": rfc3339(cls.round_ends_at) if cls.round_ends_at else None,
        },
        headers={"Cache-Control": "no-store"},
    )


@router.post("/class/buy")
async def buy(viewer: SignedIn, form: Form) -> Response:
    """Buy a licence tier at its posted price on one exchange (the class's market)."""
    try:
        body = OrderCreate(
            listing_id=field(form, "listing_id"),
            tier_id=field(form, "tier_id"),
            exchange_id=field(form, "exchange_id"),
            legal_basis=field(form, "legal_basis") or None,
        )
    except ValidationError as exc:
        raise invalid(exc) from None
    async with viewer.write() as ctx:
        await seats.student_seat(ctx)  # students only: the console's main-market buying is not here
        placed = await orders_service.place_order(
            ctx,
            listing_id=body.listing_id,
            tier_id=body.tier_id,
            exchange_id=body.exchange_id,
            mandate_id=None,
            legal_basis=body.legal_basis,
        )
    outcome = OrderStatus(placed.order.status).value
    return see_other(f"/class?done={outcome}#market")


@router.post("/class/relist")
async def relist(viewer: SignedIn, form: Form) -> Response:
    """A provider lists one of its products again at a new price."""
    product_key = field(form, "product_key")
    if not product_key or len(product_key) > 64:
        raise InvalidForm("product_key: choose one of your products.")
    price_fen = fen_of_yuan(field(form, "price"))
    venues = [v for v in form.getlist("venues") if isinstance(v, str)][:8]
    async with viewer.write() as ctx:
        await relisting.relist(ctx, product_key=product_key, price_fen=price_fen, venues=venues)
    return see_other("/class?done=relisted#products")
