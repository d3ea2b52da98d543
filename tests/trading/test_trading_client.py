"""The Python client drives the market as a notebook user would: typed answers, typed problems."""

from __future__ import annotations

import hashlib
import uuid

import httpx
import pytest
from support_trading import Market

from exchange.client import AsyncClient, Conflict, NotFound, verify_certificate
from exchange.participants.schemas import ParticipantRead
from exchange.trading.orders.schemas import OrderRead


def client_for(market: Market, key: str) -> AsyncClient:
    return AsyncClient(api_key=key, http=market.client)


async def test_a_buyer_finds_buys_and_downloads_through_the_client(market: Market) -> None:
    listing = await market.list("electricity")
    buyer = client_for(market, market.buyer.key)
    me = await buyer.participants.me()
    assert isinstance(me, ParticipantRead) and me.id == market.buyer.id

    found = [item async for item in buyer.paginate(buyer.trading.listings, limit=1)]
    assert listing["id"] in {item.id for item in found}

    order = await buyer.trading.buy(
        listing_id=listing["id"], tier_id=listing["tiers"][0]["id"], exchange_id="szdex"
    )
    assert isinstance(order, OrderRead) and order.status == "settled"
    assert order.licence is not None
    package = await buyer.trading.download(licence_id=order.licence.id)
    assert isinstance(package, bytes)
    assert hashlib.sha256(package).hexdigest() == market.specs["electricity"].fingerprint

    scraped = await market.client.get("/metrics", headers=market.admin.auth)
    assert 'exchange_settlements_total{mode="posted"}' in scraped.text
    assert "exchange_audit_entries_appended_total" in scraped.text

    cert = await buyer.certificates.get(number=listing["certificate_number"])
    issuer = await buyer.certificates.issuer_key()
    assert verify_certificate(cert.document, cert.signature, issuer.public_key).status == "valid"


async def test_an_order_retried_with_its_key_settles_once(market: Market) -> None:
    listing = await market.list("electricity")
    buyer = client_for(market, market.buyer.key)
    before = await market.balance(market.buyer)
    key = str(uuid.uuid4())
    args = {"listing_id": listing["id"], "tier_id": listing["tiers"][0]["id"]}
    first = await buyer.trading.buy(**args, exchange_id="szdex", idempotency_key=key)
    again = await buyer.trading.buy(**args, exchange_id="szdex", idempotency_key=key)
    assert first.id == again.id
    assert await market.balance(market.buyer) == before - first.total_fen


async def test_refusals_raise_typed_problems(market: Market) -> None:
    poor = client_for(market, market.person.key)
    with pytest.raises(Conflict) as refused:
        await poor.participants.transfer(to_participant_id=market.buyer.id, amount_fen=10**12)
    assert refused.value.slug == "insufficient-funds"
    assert refused.value.status == 409 and refused.value.detail
    with pytest.raises(NotFound):
        await poor.trading.get_listing(listing_id="no-such-listing")
    with pytest.raises(TypeError, match="get_listing"):
        await poor.trading.get_listing(listing_id="x", colour="red")


async def test_every_operation_of_the_service_has_a_method(market: Market) -> None:
    client = client_for(market, market.admin.key)
    spec = (await market.client.get("/openapi.json")).json()
    ids = {op["operationId"] for item in spec["paths"].values() for op in item.values()}
    reachable = {
        getattr(getattr(client, group), name).operation.name
        for group in dir(client)
        if group not in ("paginate", "aclose")
        for name in dir(getattr(client, group))
    }
    assert ids <= reachable
    assert isinstance(market.client, httpx.AsyncClient)
