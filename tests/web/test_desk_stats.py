"""The desk's market statistics: the numbers the trading statistics service gives, drawn as
server-side SVG charts, by exchange and period."""

from __future__ import annotations

import re
from typing import Any

from support_desk import Desk, desk_fixture  # noqa: F401  (the `desk` fixture)
from support_web import post_form, sign_in


async def _buy_in_shenzhen(desk: Desk) -> dict[str, Any]:
    """The demo individual buys a product's 30-day trial at Shenzhen (a domestic trade)."""
    auth = {"Authorization": f"Bearer {desk.key('individual')}"}
    listed = (await desk.client.get("/v1/listings", headers=auth)).json()
    product = next(i for i in listed["items"] if len(i["venues"]) == 2)
    trial = next(t for t in product["tiers"] if t["term_days"] == 30)
    order = await desk.client.post(
        "/v1/orders",
        json={"listing_id": product["id"], "tier_id": trial["id"], "exchange_id": "szdex"},
        headers=auth,
    )
    assert order.status_code == 201, order.text
    result: dict[str, Any] = order.json()
    return result


def desc(svg_html: str, kind: str) -> str:
    found = re.search(rf'<svg class="chart chart-{kind}".*?<desc id="[^"]+">(.*?)</desc>', svg_html)
    assert found is not None, kind
    return found.group(1)


async def test_turnover_shares_and_the_index_by_exchange(desk: Desk) -> None:
    bought = await _buy_in_shenzhen(desk)
    price = bought["trade"]["price_fen"]
    csrf = await sign_in(desk.client, desk.key("regulator"))
    (case,) = await desk.cases()
    await post_form(
        desk.client, f"/desk/customs/{case.id}/decision", csrf, decision="approve", reason="合规"
    )
    api = (
        await desk.client.get(
            "/v1/market/stats", headers={"Authorization": f"Bearer {desk.key('regulator')}"}
        )
    ).json()
    page = await desk.client.get("/desk/stats")
    assert page.status_code == 200
    html = page.text
    assert 'id="total-trades">2<' in html
    whole = api["overall"]["turnover_fen"]
    assert f"¥{whole // 100:,}.{whole % 100:02d}" in html
    turnover = desc(html, "bar")
    by_id = {s["exchange_id"]: s["turnover_fen"] for s in api["exchanges"]}
    assert by_id["szdex"] == price
    assert f"深圳数据交易所: ¥{price / 100:,.0f}" in turnover
    assert f"广州数据交易所: ¥{by_id['gzde'] / 100:,.0f}" in turnover
    share = desc(html, "share")
    assert f"{by_id['szdex'] / whole:.1%}" in share
    assert "全市场" in desc(html, "line") and "100" in desc(html, "line")
    assert "<script" not in html.split("<main>", 1)[1].split("</main>", 1)[0]

    only = await desk.client.get("/desk/stats", params={"exchange_id": "szdex"})
    assert 'id="total-trades">1<' in only.text
    future = await desk.client.get("/desk/stats", params={"since": "2031-01-01"})
    assert 'id="total-trades">0<' in future.text and "暂无成交" in future.text


async def test_english_labels_and_bad_filters(desk: Desk) -> None:
    await sign_in(desk.client, desk.key("admin"))
    desk.client.cookies.set("gdx_lang", "en")
    page = await desk.client.get("/desk/stats")
    assert page.status_code == 200
    assert "Market statistics" in page.text and "Turnover by exchange" in page.text
    assert "No trades yet" in page.text
    unknown = await desk.client.get("/desk/stats", params={"exchange_id": "nowhere"})
    assert unknown.status_code == 404
    bad = await desk.client.get("/desk/stats", params={"since": "31/12/2026"})
    assert bad.status_code == 422
