"""A student's class page: role, budget, private values, buying, pricing, payoff and rank."""

from __future__ import annotations

import re

import httpx
from sqlalchemy import func, select
from support_class_pages import browser, instructor, join, join_code, open_class, signed_in
from support_web import post_form

from exchange.classroom.sandbox import registry
from exchange.context import Runtime
from exchange.trading.orders.models import Order
from exchange.vocabulary import Role
from exchange.web.class_student import fen_of_yuan
from support import Actor, MakeParticipant

__all__ = ["instructor"]  # the fixture

BUY_FORM = re.compile(
    r'name="listing_id" value="([^"]+)">\s*<input type="hidden" name="tier_id" value="([^"]+)">'
    r'\s*<input type="hidden" name="exchange_id" value="([^"]+)">'
)


def money(text: str, element: str) -> str:
    found = re.search(rf'id="{element}"[^>]*>([^<]+)<', text)
    assert found is not None, element
    return found.group(1)


async def orders_in_class(runtime: Runtime, class_id: str) -> int:
    session = registry(runtime).sessions[class_id]
    async with session.runtime.unit_of_work(write=False) as db:
        return await db.scalar(select(func.count()).select_from(Order)) or 0


async def test_a_student_joins_trades_in_a_round_and_sees_payoff_and_rank(
    client: httpx.AsyncClient, runtime: Runtime, instructor: Actor
) -> None:
    csrf = await signed_in(client, instructor)
    class_id = await open_class(client, csrf)
    code = join_code((await client.get(f"/classroom/{class_id}")).text)
    async with browser(runtime) as zhang, browser(runtime) as li:
        zhang_csrf = await join(zhang, code, "张三")
        li_csrf = await join(li, code, "李四")
        waiting = (await zhang.get("/class")).text
        assert "等待老师开始" in waiting and "数据需方" in money(waiting, "my-role")
        assert money(waiting, "my-balance") == "¥20,000.00"
        state = (await zhang.get("/class/state")).json()
        assert state == {"status": "open", "round": 0, "rounds": 3, "round_ends_at": None}
        # The instructor sees who joined.
        live = (await client.get(f"/classroom/{class_id}/live")).text
        assert "张三" in live and "李四" in live and 'id="students-joined">2<' in live
        # Nobody trades before round 1.
        early = await post_form(
            zhang, "/class/buy", zhang_csrf, listing_id="x", tier_id="y", exchange_id="szdex"
        )
        assert early.status_code == 409 and "class-state" in early.text

        await post_form(client, f"/classroom/{class_id}/start", csrf)
        assert (await zhang.get("/class/state")).json()["round"] == 1
        page = (await zhang.get("/class")).text
        assert 'id="my-need"' in page and "数据集" in page and "一般数据" in page
        listing_id, tier_id, exchange_id = BUY_FORM.findall(page)[0]
        bought = await post_form(
            zhang,
            "/class/buy",
            zhang_csrf,
            listing_id=listing_id,
            tier_id=tier_id,
            exchange_id=exchange_id,
        )
        assert bought.status_code == 303 and "done=settled" in bought.headers["location"]
        after = (await zhang.get(bought.headers["location"])).text
        assert "买入成功" in after and 'id="my-trades"' in after
        assert money(after, "my-balance") != "¥20,000.00"
        # The instructor's live view shows the student's trade.
        live = (await client.get(f"/classroom/{class_id}/live")).text
        recent = live.split('id="recent-trades"', 1)[1].split("</table>", 1)[0]
        assert "张三" in recent

        # The provider student sees its costs and lists at a new price.
        mine = (await li.get("/class")).text
        assert "数据提供方" in money(mine, "my-role") and "单位成本" in mine
        relisted = await post_form(
            li,
            "/class/relist",
            li_csrf,
            product_key="provider-0001/1",
            price="188.50",
            venues="szdex",
        )
        assert relisted.status_code == 303, relisted.text
        repriced = (await li.get(relisted.headers["location"])).text
        assert "已按新价格重新挂牌" in repriced and "¥188.50" in repriced
        # …which a buyer sees on the market.
        assert "¥188.50" in (await zhang.get("/class")).text

        await post_form(client, f"/classroom/{class_id}/end", csrf)
        results = (await zhang.get("/class")).text
        assert 'id="my-result"' in results and 'id="my-need"' not in results
        payoff = money(results, "my-payoff")
        rank = re.search(r'id="my-rank">.*?<strong>(\d+)</strong> / (\d+)', results, re.S)
        assert rank is not None
        assert 1 <= int(rank.group(1)) <= int(rank.group(2)) == 3  # three buyers in the class
        # The same payoff the instructor's results give this student.
        sheet = (await client.get(f"/classroom/{class_id}/activity.csv")).text
        zhang_rows = [r for r in sheet.splitlines() if ",张三," in r]
        assert zhang_rows
        payoff_fen = int(zhang_rows[0].rsplit(",", 1)[1])
        assert payoff == f"¥{payoff_fen // 100:,}.{payoff_fen % 100:02d}"
        # Trading is over; signing out still works.
        closed = await post_form(
            zhang,
            "/class/buy",
            zhang_csrf,
            listing_id=listing_id,
            tier_id=tier_id,
            exchange_id=exchange_id,
        )
        assert closed.status_code == 409 and "class-finished" in closed.text
        out = await post_form(zhang, "/sign-out", zhang_csrf)
        assert out.status_code == 303
        assert (await zhang.get("/class")).status_code == 303  # to the sign-in page


async def test_a_paused_class_refuses_purchases_and_csrf_less_posts_change_nothing(
    client: httpx.AsyncClient, runtime: Runtime, instructor: Actor
) -> None:
    csrf = await signed_in(client, instructor)
    class_id = await open_class(client, csrf)
    code = join_code((await client.get(f"/classroom/{class_id}")).text)
    async with browser(runtime) as student:
        student_csrf = await join(student, code, "王五")
        await post_form(client, f"/classroom/{class_id}/start", csrf)
        page = (await student.get("/class")).text
        listing_id, tier_id, exchange_id = BUY_FORM.findall(page)[0]
        fields = {"listing_id": listing_id, "tier_id": tier_id, "exchange_id": exchange_id}
        before = await orders_in_class(runtime, class_id)
        assert (await student.post("/class/buy", data=fields)).status_code == 403
        forged = await student.post("/class/buy", data={**fields, "csrf_token": "forged"})
        assert forged.status_code == 403 and "csrf-token-invalid" in forged.text
        assert await orders_in_class(runtime, class_id) == before

        await post_form(client, f"/classroom/{class_id}/pause", csrf)
        paused_page = (await student.get("/class")).text
        assert "暂停" in paused_page
        paused = await post_form(student, "/class/buy", student_csrf, **fields)
        assert paused.status_code == 409 and "class-paused" in paused.text
        assert await orders_in_class(runtime, class_id) == before

        await post_form(client, f"/classroom/{class_id}/resume", csrf)
        wrong = await post_form(student, "/class/buy", student_csrf, **{**fields, "tier_id": ""})
        assert wrong.status_code == 422
        unknown = await post_form(
            student, "/class/buy", student_csrf, **{**fields, "listing_id": "no-such-listing"}
        )
        assert unknown.status_code == 404
        # A buyer holds no product to price.
        relist = await post_form(
            student,
            "/class/relist",
            student_csrf,
            product_key="provider-0001/1",
            price="100",
            venues="szdex",
        )
        assert relist.status_code == 404 and "class-product-not-found" in relist.text
        assert await orders_in_class(runtime, class_id) == before


async def test_a_providers_bad_price_or_venue_is_refused_and_the_listing_stays(
    client: httpx.AsyncClient, runtime: Runtime, instructor: Actor
) -> None:
    csrf = await signed_in(client, instructor)
    class_id = await open_class(client, csrf)
    code = join_code((await client.get(f"/classroom/{class_id}")).text)
    async with browser(runtime) as buyer, browser(runtime) as provider:
        await join(buyer, code, "买方同学")
        provider_csrf = await join(provider, code, "卖方同学")
        await post_form(client, f"/classroom/{class_id}/start", csrf)
        before = (await provider.get("/class")).text
        price = re.search(r'name="price" inputmode="decimal" required value="([^"]+)"', before)
        assert price is not None
        for bad_price, status in (("abc", 422), ("-5", 422), ("1.234", 422), ("0.01", 409)):
            refused = await post_form(
                provider,
                "/class/relist",
                provider_csrf,
                product_key="provider-0001/1",
                price=bad_price,
                venues="szdex",
            )
            assert refused.status_code == status, (bad_price, refused.text)
        assert "price-out-of-limits" in refused.text  # the exchange's floor: the delist undone
        elsewhere = await post_form(
            provider,
            "/class/relist",
            provider_csrf,
            product_key="provider-0001/1",
            price="150",
            venues="gzde",
        )
        assert elsewhere.status_code == 422 and "class-venue-not-offered" in elsewhere.text
        after = (await provider.get("/class")).text
        assert f'required value="{price.group(1)}"' in after  # still listed at its old price


async def test_the_class_page_is_for_students_only(
    client: httpx.AsyncClient,
    runtime: Runtime,
    instructor: Actor,
    make_participant: MakeParticipant,
) -> None:
    await signed_in(client, instructor)
    assert (await client.get("/class")).status_code == 403
    assert (await client.get("/class/state")).status_code == 403
    holder = await make_participant(Role.ENTERPRISE, balance_fen=1_000_000)
    async with browser(runtime) as enterprise:
        holder_csrf = await signed_in(enterprise, holder)
        assert (await enterprise.get("/class")).status_code == 403
        refused = await post_form(
            enterprise, "/class/buy", holder_csrf, listing_id="x", tier_id="y", exchange_id="szdex"
        )
        assert refused.status_code == 403 and "not-a-student" in refused.text
    async with browser(runtime) as stranger:
        away = await stranger.get("/class")
        assert away.status_code == 303 and away.headers["location"].startswith("/sign-in")


def test_prices_are_typed_in_yuan_and_kept_in_fen() -> None:
    assert fen_of_yuan("188.50") == 18_850
    assert fen_of_yuan("¥1,200") == 120_000
    assert fen_of_yuan("0.01") == 1
