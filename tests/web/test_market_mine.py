"""A participant's licences, orders and negotiations: its own only; another's object is a
404 page as in the API; the licensor reads a licence but only the licensee downloads, and
only while the licence is live."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
from support_market import LOGISTICS, TRANSIT, api, auth, demo, listing_of, marked, text_of
from support_web import sign_in

from exchange.clock import ManualClock
from exchange.context import Runtime
from exchange.seed.demo import DemoKey


async def _buy(client: httpx.AsyncClient, buyer: DemoKey, tier_prefix: str) -> dict[str, Any]:
    listing = await listing_of(client, buyer, TRANSIT)
    tier = next(t for t in listing["tiers"] if t["name"].startswith(tier_prefix))
    bought = await client.post(
        "/v1/orders",
        json={"listing_id": listing["id"], "tier_id": tier["id"], "exchange_id": "szdex"},
        headers=auth(buyer),
    )
    assert bought.status_code == 201, bought.text
    return dict(bought.json())


async def test_my_licences_and_orders_list_mine_with_their_products(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    keys = await demo(runtime)
    buyer = keys["individual"]
    orders = [await _buy(client, buyer, "试用版"), await _buy(client, buyer, "标准版")]
    await sign_in(client, buyer.api_key)
    licences = await client.get("/me/licences")
    assert licences.status_code == 200
    expected = await api(client, buyer, "/v1/licences")
    assert marked(licences.text, "licence") == [item["id"] for item in expected["items"]]
    assert {o["licence"]["id"] for o in orders} == set(marked(licences.text, "licence"))
    assert licences.text.count(TRANSIT) == 2
    assert licences.text.count("/download") == 2

    listed = await client.get("/me/orders")
    assert set(marked(listed.text, "order")) == {o["id"] for o in orders}
    assert "买方" in listed.text and "¥5,015.00" in listed.text  # ¥5,000 and 0.30%
    settled = await client.get("/me/orders", params={"status": "settled"})
    assert len(marked(settled.text, "order")) == 2
    waiting = await client.get("/me/orders", params={"status": "awaiting_customs"})
    assert marked(waiting.text, "order") == []
    for bad in ({"status": "lost"}, {"page": "2", "status": "x"}):
        assert (await client.get("/me/orders", params=bad)).status_code == 422

    async with httpx.AsyncClient(transport=client._transport, base_url=client.base_url) as seller:
        await sign_in(seller, keys["holder"].api_key)
        granted = await seller.get("/me/licences", params={"as": "licensor"})
        assert set(marked(granted.text, "licence")) == {o["licence"]["id"] for o in orders}
        assert "/download" not in granted.text  # the licensor does not download
        held = await seller.get("/me/licences")
        assert marked(held.text, "licence") == []
        sold = await seller.get("/me/orders")
        theirs = await api(seller, keys["holder"], "/v1/orders")
        assert marked(sold.text, "order") == [o["id"] for o in theirs["items"]]
        assert {o["id"] for o in orders} < set(marked(sold.text, "order"))  # and one at customs
        assert "卖方" in sold.text
        assert (await seller.get("/me/licences", params={"as": "owner"})).status_code == 422


@pytest.mark.parametrize("who", ["hk_buyer", "foreign_buyer"])
async def test_another_participant_s_licence_and_order_are_404_pages(
    client: httpx.AsyncClient, runtime: Runtime, who: str
) -> None:
    keys = await demo(runtime)
    order = await _buy(client, keys["individual"], "试用版")
    licence_id = order["licence"]["id"]
    stranger = keys[who]
    await sign_in(client, stranger.api_key)
    for path, slug in (
        (f"/me/licences/{licence_id}", "licence-not-found"),
        (f"/me/licences/{licence_id}/download", "licence-not-found"),
        (f"/me/orders/{order['id']}", "order-not-found"),
    ):
        answer = await client.get(path)
        assert answer.status_code == 404, path
        assert marked(answer.text, "problem-type") == [f"/problems/{slug}"]
        assert TRANSIT not in answer.text
    mine = await client.get("/me/licences")
    assert marked(mine.text, "licence") == []


async def test_the_licensor_reads_the_licence_but_only_the_licensee_downloads(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    keys = await demo(runtime)
    order = await _buy(client, keys["individual"], "试用版")
    await sign_in(client, keys["holder"].api_key)
    page = await client.get(f"/me/licences/{order['licence']['id']}")
    assert page.status_code == 200
    assert "download" not in page.text.split('class="card delivery"', 1)[1]
    refused = await client.get(f"/me/licences/{order['licence']['id']}/download")
    assert refused.status_code == 403


async def test_an_expired_licence_no_longer_downloads(
    client: httpx.AsyncClient, runtime: Runtime, clock: ManualClock
) -> None:
    keys = await demo(runtime)
    order = await _buy(client, keys["individual"], "试用版")  # a thirty-day trial
    await sign_in(client, keys["individual"].api_key)
    path = f"/me/licences/{order['licence']['id']}"
    assert text_of((await client.get(path)).text, "licence-state") == "有效"
    clock.advance(timedelta(days=31))
    page = await client.get(path)
    assert text_of(page.text, "licence-state") == "已到期"
    assert "许可已失效" in page.text and f"{path}/download" not in page.text
    refused = await client.get(f"{path}/download")
    assert refused.status_code == 409
    assert marked(refused.text, "problem-type") == ["/problems/licence-not-live"]


async def test_negotiations_list_only_those_i_take_part_in(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    keys = await demo(runtime)
    listing = await listing_of(client, keys["individual"], TRANSIT)
    opened = await client.post(
        "/v1/negotiations",
        json={
            "listing_id": listing["id"],
            "tier_id": listing["tiers"][0]["id"],
            "exchange_id": "szdex",
            "price_fen": 400_000,
        },
        headers=auth(keys["individual"]),
    )
    assert opened.status_code == 201, opened.text
    await sign_in(client, keys["individual"].api_key)
    mine = await client.get("/me/negotiations")
    assert marked(mine.text, "negotiation") == [opened.json()["id"]]
    assert TRANSIT in mine.text
    assert marked((await client.get("/me/negotiations?state=agreed")).text, "negotiation") == []
    assert (await client.get("/me/negotiations?state=haggling")).status_code == 422
    async with httpx.AsyncClient(transport=client._transport, base_url=client.base_url) as other:
        await sign_in(other, keys["hk_buyer"].api_key)
        theirs = await other.get("/me/negotiations")
        assert marked(theirs.text, "negotiation") == []
    assert LOGISTICS not in mine.text


async def test_regulators_have_their_desk_not_these_pages(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    keys = await demo(runtime)
    await sign_in(client, keys["regulator"].api_key)
    for path in ("/me/licences", "/me/orders", "/me/negotiations"):
        answer = await client.get(path)
        assert answer.status_code == 403, path
        assert marked(answer.text, "problem-type") == ["/problems/forbidden"]
