"""Negotiating and bidding from the pages: a consumer opens a negotiation on a product page,
the provider counters on its negotiation page, the consumer accepts, the provider agrees and
the consumer settles (once); a sealed bid in an auction, once, and sealed from others."""

from __future__ import annotations

from datetime import timedelta

import httpx
from support_market import (
    TRANSIT,
    api,
    auth,
    demo,
    footprint,
    form_of,
    listing_of,
    marked,
    text_of,
)
from support_web import sign_in

from exchange.context import Runtime


def _other(client: httpx.AsyncClient) -> httpx.AsyncClient:
    """A second browser on the same app (another participant's cookies)."""
    return httpx.AsyncClient(transport=client._transport, base_url=client.base_url)


async def test_a_negotiation_from_request_to_settlement(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    keys = await demo(runtime)
    consumer, provider = keys["individual"], keys["holder"]
    await sign_in(client, consumer.api_key)
    listing = await listing_of(client, consumer, TRANSIT)
    standard = next(t for t in listing["tiers"] if t["name"].startswith("标准版"))
    product = await client.get(f"/market/listings/{listing['id']}")
    form = form_of(product.text, "negotiate-form")
    assert form.values["exchange_id"] == "szdex"
    opened = await client.post(
        form.action,
        data={
            **form.values,
            "tier_id": standard["id"],
            "price": "4,000",
            "message": "希望优惠 <b>",
        },
    )
    assert opened.status_code == 303, opened.text
    path = opened.headers["location"].split("?")[0]
    page = await client.get(opened.headers["location"])
    assert "已向供方发出协议请求。" in page.text
    assert text_of(page.text, "negotiation-price") == "¥4,000.00"
    assert "step-accept" not in page.text and "terminate-form" in page.text

    async with _other(client) as seller:
        await sign_in(seller, provider.api_key)
        mine = await seller.get("/me/negotiations")
        assert marked(mine.text, "negotiation") == [path.rsplit("/", 1)[1]]
        page = await seller.get(path)
        assert "希望优惠 &lt;b&gt;" in page.text  # people's words are shown, never run
        offer = form_of(page.text, "step-offer")
        assert "step-agree" in page.text
        answered = await seller.post(offer.action, data={**offer.values, "price": "4500"})
        assert answered.status_code == 303, answered.text

        page = await client.get(path)
        assert marked(page.text, "state") == ["offered"]
        assert text_of(page.text, "negotiation-price") == "¥4,500.00"
        assert "step-request" in page.text  # the consumer may counter again …
        accept = form_of(page.text, "step-accept")  # … or accept
        assert (await client.post(accept.action, data=accept.values)).status_code == 303

        page = await seller.get(path)
        agree = form_of(page.text, "step-agree")
        assert (await seller.post(agree.action, data=agree.values)).status_code == 303

    page = await client.get(path)
    assert marked(page.text, "state") == ["agreed"]
    settle = form_of(page.text, "settle-form")
    first = await client.post(settle.action, data=settle.values)
    again = await client.post(settle.action, data=settle.values)
    assert first.status_code == again.status_code == 303
    assert first.headers["location"] == again.headers["location"]
    orders = (await api(client, consumer, "/v1/orders"))["items"]
    assert len(orders) == 1 and orders[0]["price_fen"] == 450_000
    assert orders[0]["mode"] == "negotiated" and orders[0]["status"] == "settled"
    page = await client.get(path)
    assert marked(page.text, "state") == ["finalized"]
    assert f'href="/me/orders/{orders[0]["id"]}"' in page.text


async def test_steps_out_of_turn_and_strangers_are_refused_changing_nothing(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    keys = await demo(runtime)
    consumer = keys["individual"]
    listing = await listing_of(client, consumer, TRANSIT)
    opened = await client.post(
        "/v1/negotiations",
        json={
            "listing_id": listing["id"],
            "tier_id": listing["tiers"][0]["id"],
            "exchange_id": "szdex",
            "price_fen": 400_000,
        },
        headers=auth(consumer),
    )
    assert opened.status_code == 201, opened.text
    path = f"/me/negotiations/{opened.json()['id']}"
    csrf = await sign_in(client, consumer.api_key)
    before = await footprint(runtime)
    cases = [
        ({"step": "offer", "price": "4200"}, 403, "wrong-negotiation-party"),
        ({"step": "accept"}, 409, "negotiation-state"),
        ({"step": "haggle"}, 422, "invalid-request"),
        ({"step": "request", "price": "abc"}, 422, "invalid-request"),
    ]
    for fields, status, slug in cases:
        refused = await client.post(f"{path}/step", data={"csrf_token": csrf, **fields})
        assert refused.status_code == status, (fields, refused.text)
        assert marked(refused.text, "problem-type") == [f"/problems/{slug}"]
    assert (await client.post(f"{path}/step", data={"step": "accept"})).status_code == 403
    assert await footprint(runtime) == before

    async with _other(client) as stranger:
        other_csrf = await sign_in(stranger, keys["hk_buyer"].api_key)
        assert (await stranger.get(path)).status_code == 404
        posted = await stranger.post(
            f"{path}/terminate", data={"csrf_token": other_csrf, "reason": "x"}
        )
        assert posted.status_code == 404
        assert marked(posted.text, "problem-type") == ["/problems/negotiation-not-found"]
    assert await footprint(runtime) == before


async def test_a_sealed_bid_is_placed_once_and_stays_sealed(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    keys = await demo(runtime)
    bidder, holder = keys["individual"], keys["holder"]
    listing = await listing_of(client, holder, TRANSIT)
    exclusive = next(t for t in listing["tiers"] if t["exclusive"])
    closes = runtime.clock.now() + timedelta(days=3)
    auction = await client.post(
        "/v1/auctions",
        json={
            "listing_id": listing["id"],
            "tier_id": exclusive["id"],
            "exchange_id": "szdex",
            "rule": "first_price",
            "reserve_fen": 100_000,
            "closes_at": closes.isoformat().replace("+00:00", "Z"),
        },
        headers=auth(holder),
    )
    assert auction.status_code == 201, auction.text
    auction_id = auction.json()["id"]
    await sign_in(client, bidder.api_key)
    product = await client.get(f"/market/listings/{listing['id']}")
    assert marked(product.text, "auction") == [auction_id]
    form = form_of(product.text, "bid-form")
    before = await footprint(runtime)
    low = await client.post(form.action, data={**form.values, "amount": "500"})
    assert low.status_code == 409, low.text
    assert marked(low.text, "problem-type") == ["/problems/bid-below-reserve"]
    assert await footprint(runtime) == before

    first = await client.post(form.action, data={**form.values, "amount": "1500"})
    again = await client.post(form.action, data={**form.values, "amount": "1500"})
    assert first.status_code == again.status_code == 303, first.text
    assert first.headers["location"] == f"/market/listings/{listing['id']}?done=bid#auctions"
    seen = await api(client, bidder, f"/v1/auctions/{auction_id}")
    assert seen["bid_count"] == 1 and seen["bids"][0]["amount_fen"] == 150_000
    product = await client.get(first.headers["location"])
    assert "已提交密封出价" in product.text
    assert "¥1,500.00" in product.text.split('class="flash ok own-bid"', 1)[1]

    async with _other(client) as rival:
        await sign_in(rival, keys["hk_buyer"].api_key)
        theirs = await rival.get(f"/market/listings/{listing['id']}")
        assert "own-bid" not in theirs.text and "¥1,500.00" not in theirs.text
        assert "<dd>1</dd>" in theirs.text.split(f'data-auction="{auction_id}"', 1)[1]
