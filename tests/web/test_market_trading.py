"""Buying on a product page: the posted-price form settles through the orders service, once
per form however often it is sent; refusals (no CSRF token, a foreign tier, the rulebook's
broker rule, data customs) are pages with nothing bought; the package downloads as the API
serves it, its bytes the certificate's fingerprint."""

from __future__ import annotations

import asyncio
import hashlib

import httpx
import pytest
from support_market import (
    LOGISTICS,
    TRANSIT,
    FormSeen,
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
from exchange.seed.demo import DemoKey


async def _buy_form(client: httpx.AsyncClient, listing_id: str) -> FormSeen:
    page = await client.get(f"/market/listings/{listing_id}")
    assert page.status_code == 200, page.text
    return form_of(page.text, "buy-form")


def _trial(listing: dict[str, object]) -> str:
    tiers = listing["tiers"]
    assert isinstance(tiers, list)
    return str(next(t["id"] for t in tiers if t["name"].startswith("试用版")))


async def _orders(client: httpx.AsyncClient, key: DemoKey) -> list[dict[str, object]]:
    return list((await api(client, key, "/v1/orders"))["items"])


async def test_buy_at_the_posted_price_then_download_the_package(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    keys = await demo(runtime)
    buyer = keys["individual"]
    await sign_in(client, buyer.api_key)
    listing = await listing_of(client, buyer, TRANSIT)
    product = await client.get(f"/market/listings/{listing['id']}")
    fingerprint = marked(product.text, "sha256")[0]
    form = form_of(product.text, "buy-form")
    assert form.values["exchange_id"] == "szdex"
    before = (await api(client, buyer, "/v1/accounts/me"))["balance_fen"]

    bought = await client.post(form.action, data={**form.values, "tier_id": _trial(listing)})
    assert bought.status_code == 303, bought.text
    assert bought.headers["location"].endswith("?done=bought")
    order_page = await client.get(bought.headers["location"])
    assert "已下单购买。" in order_page.text
    assert text_of(order_page.text, "order-status") == "已结算"
    [order] = await _orders(client, buyer)
    assert bought.headers["location"] == f"/me/orders/{order['id']}?done=bought"
    assert order["tier_id"] == _trial(listing) and order["exchange_id"] == "szdex"
    after = (await api(client, buyer, "/v1/accounts/me"))["balance_fen"]
    assert before - after == order["total_fen"] == 10_030  # ¥100 and Shenzhen's 0.30% fee
    assert text_of(order_page.text, "order-total") == "¥100.30"

    licence = order["licence"]
    assert isinstance(licence, dict)
    page = await client.get(f"/me/licences/{licence['id']}")
    assert text_of(page.text, "package-sha256") == fingerprint
    download = await client.get(f"/me/licences/{licence['id']}/download")
    assert download.status_code == 200
    assert hashlib.sha256(download.content).hexdigest() == fingerprint
    served = await client.get(f"/v1/licences/{licence['id']}/delivery", headers=auth(buyer))
    assert download.content == served.content
    for header in ("content-type", "content-disposition", "x-content-sha256", "x-certificate"):
        assert download.headers[header] == served.headers[header]
    assert "%E5%AE%A2%E6%B5%81" in download.headers["content-disposition"]  # 客流指标样例.csv


async def test_sending_the_buy_form_twice_buys_once(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    keys = await demo(runtime)
    buyer = keys["individual"]
    await sign_in(client, buyer.api_key)
    listing = await listing_of(client, buyer, TRANSIT)
    form = await _buy_form(client, listing["id"])
    fields = {**form.values, "tier_id": _trial(listing)}
    first = await client.post(form.action, data=fields)
    again = await client.post(form.action, data=fields)
    assert first.status_code == again.status_code == 303
    assert first.headers["location"] == again.headers["location"]
    assert len(await _orders(client, buyer)) == 1
    # Two clicks in flight at once: still one order, both answers lead to it.
    form = await _buy_form(client, listing["id"])
    fields = {**form.values, "tier_id": _trial(listing)}
    both = await asyncio.gather(*(client.post(form.action, data=fields) for _ in range(2)))
    assert [b.status_code for b in both] == [303, 303]
    assert both[0].headers["location"] == both[1].headers["location"]
    assert len(await _orders(client, buyer)) == 2
    # A fresh form (a new key) is a new purchase.
    assert first.headers["location"] != both[0].headers["location"]


async def test_a_buy_without_the_csrf_token_is_refused_and_buys_nothing(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    keys = await demo(runtime)
    buyer = keys["individual"]
    await sign_in(client, buyer.api_key)
    listing = await listing_of(client, buyer, TRANSIT)
    form = await _buy_form(client, listing["id"])
    before = await footprint(runtime)
    for token in (None, "forged-" + "x" * 36):
        fields = {**form.values, "tier_id": _trial(listing)}
        fields.pop("csrf_token")
        if token is not None:
            fields["csrf_token"] = token
        refused = await client.post(form.action, data=fields)
        assert refused.status_code == 403
        assert marked(refused.text, "problem-type") == ["/problems/csrf-token-invalid"]
    assert await footprint(runtime) == before


@pytest.mark.parametrize(
    ("change", "status", "slug"),
    [
        ({"tier_id": "FOREIGN"}, 404, "tier-not-found"),
        ({"tier_id": ""}, 422, "invalid-request"),
        ({"exchange_id": "nowhere"}, 404, "listing-not-found"),
        ({"exchange_id": "gzde"}, 409, "broker-required"),
        ({"idempotency_key": ""}, 422, "invalid-request"),
        ({"legal_basis": "because"}, 422, "invalid-request"),
        ({"mandate_id": "x" * 37}, 422, "invalid-request"),
    ],
)
async def test_bad_buy_forms_are_refused_with_nothing_bought(
    client: httpx.AsyncClient,
    runtime: Runtime,
    change: dict[str, str],
    status: int,
    slug: str,
) -> None:
    keys = await demo(runtime)
    buyer = keys["individual"]
    await sign_in(client, buyer.api_key)
    listing = await listing_of(client, buyer, TRANSIT)
    other = await listing_of(client, buyer, LOGISTICS)
    form = await _buy_form(client, listing["id"])
    fields = {**form.values, "tier_id": _trial(listing), **change}
    if fields["tier_id"] == "FOREIGN":  # a tier of another listing
        fields["tier_id"] = other["tiers"][0]["id"]
    before = await footprint(runtime)
    refused = await client.post(form.action, data=fields)
    assert refused.status_code == status, refused.text
    assert "text/html" in refused.headers["content-type"]
    assert marked(refused.text, "problem-type") == [f"/problems/{slug}"]
    assert await footprint(runtime) == before


async def test_the_holder_cannot_buy_its_own_product(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    keys = await demo(runtime)
    holder = keys["holder"]
    listing = await listing_of(client, holder, TRANSIT)
    csrf = await sign_in(client, holder.api_key)
    before = await footprint(runtime)
    refused = await client.post(
        f"/market/listings/{listing['id']}/buy",
        data={
            "csrf_token": csrf,
            "idempotency_key": "own-listing-try",
            "tier_id": _trial(listing),
            "exchange_id": "szdex",
        },
    )
    assert refused.status_code == 409
    assert marked(refused.text, "problem-type") == ["/problems/own-listing"]
    assert await footprint(runtime) == before


async def test_a_buyer_abroad_declares_a_legal_basis_and_waits_for_data_customs(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    keys = await demo(runtime)
    buyer = keys["hk_buyer"]
    await sign_in(client, buyer.api_key)
    listing = await listing_of(client, buyer, LOGISTICS)
    form = await _buy_form(client, listing["id"])
    assert "security_assessment" in form.choices["legal_basis"]
    fields = {**form.values, "tier_id": listing["tiers"][0]["id"], "exchange_id": "gzde"}
    before = await footprint(runtime)
    refused = await client.post(form.action, data={**fields, "legal_basis": ""})
    assert refused.status_code == 422
    assert marked(refused.text, "problem-type") == ["/problems/legal-basis-required"]
    assert await footprint(runtime) == before
    held = await client.post(form.action, data={**fields, "legal_basis": "security_assessment"})
    assert held.status_code == 303, held.text
    page = await client.get(held.headers["location"])
    assert text_of(page.text, "order-status") == "待数据海关审查"
    assert "数据海关" in page.text
