"""The listings pages: filters by exchange, form, grade and price; a product page with its
tiers, venues and certificate, the certificate checked on the server as outsiders check it."""

from __future__ import annotations

import base64
import json
import re
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from support_market import LOGISTICS, TRANSIT, api, auth, demo, listing_of, marked, text_of
from support_web import sign_in

from exchange.context import Runtime


def _ids(text: str) -> list[str]:
    return marked(text, "listing")


@pytest.mark.parametrize(
    ("page_params", "api_params"),
    [
        ({"exchange": "gzde"}, {"exchange_id": "gzde"}),
        ({"exchange": "szdex"}, {"exchange_id": "szdex"}),
        ({"form": "indicator"}, {"product_form": "indicator"}),
        ({"grade": "important"}, {"grade": "important"}),
        (
            {"min_price": "1000", "max_price": "5000"},
            {"min_price_fen": 100_000, "max_price_fen": 500_000},
        ),
        ({"max_price": "¥100.00"}, {"max_price_fen": 10_000}),
        (
            {"exchange": "szdex", "form": "dataset", "q": "医保"},
            {"exchange_id": "szdex", "product_form": "dataset", "q": "医保"},
        ),
    ],
)
async def test_filters_show_what_the_api_lists(
    client: httpx.AsyncClient,
    runtime: Runtime,
    page_params: dict[str, str],
    api_params: dict[str, Any],
) -> None:
    keys = await demo(runtime)
    await sign_in(client, keys["individual"].api_key)
    page = await client.get("/market/listings", params=page_params)
    assert page.status_code == 200
    expected = await api(client, keys["individual"], "/v1/listings", **api_params)
    assert _ids(page.text) == [item["id"] for item in expected["items"]]
    assert int(text_of(page.text, "listing-total")) == expected["total"]
    everything = await api(client, keys["individual"], "/v1/listings")
    assert 0 < expected["total"] < everything["total"]


@pytest.mark.parametrize(
    "params",
    [
        {"min_price": "abc"},
        {"min_price": "-5"},
        {"max_price": "1.001"},
        {"min_price": "9", "max_price": "1"},
        {"exchange": "nowhere"},
    ],
)
async def test_bad_filters_are_a_422_page(
    client: httpx.AsyncClient, runtime: Runtime, params: dict[str, str]
) -> None:
    keys = await demo(runtime)
    await sign_in(client, keys["individual"].api_key)
    page = await client.get("/market/listings", params=params)
    assert page.status_code == 422
    assert marked(page.text, "problem-type") == ["/problems/invalid-request"]


async def test_a_product_page_shows_tiers_venues_and_its_checked_certificate(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    keys = await demo(runtime)
    reader = keys["individual"]
    await sign_in(client, reader.api_key)
    listing = await listing_of(client, reader, TRANSIT)
    page = await client.get(f"/market/listings/{listing['id']}")
    assert page.status_code == 200
    assert marked(page.text, "tier") == [t["id"] for t in listing["tiers"]]
    for tier in listing["tiers"]:
        assert tier["name"] in page.text
    assert "¥100.00" in page.text and "¥200,000.00" in page.text
    assert marked(page.text, "venue") == ["gzde", "szdex"]
    assert "广州数据交易所佛山服务基地" in page.text
    assert text_of(page.text, "certificate-number") == listing["certificate_number"]
    assert marked(page.text, "sha256") == [listing["delivery"]["sha256"]]
    assert marked(page.text, "result")[:2] == ["valid", "valid"]  # offline, then the register
    assert 'class="verdict ok fingerprint-check"' in page.text
    # What the page's own script checks: the registry's signature over the signed bytes.
    key = await client.get("/v1/certificates/issuer-key")
    signed = base64.b64decode(marked(page.text, "document")[0])
    signature = base64.b64decode(marked(page.text, "signature")[0])
    assert marked(page.text, "public-key") == [key.json()["public_key"]]
    Ed25519PublicKey.from_public_bytes(base64.b64decode(key.json()["public_key"])).verify(
        signature, signed
    )
    assert json.loads(signed)["fingerprint"]["value"] == listing["delivery"]["sha256"]
    certificate = await api(client, reader, f"/v1/certificates/{listing['certificate_number']}")
    assert marked(page.text, "signature") == [certificate["signature"]]
    # Guangzhou has individuals trade through a broker: Shenzhen is offered first.
    buy = page.text.split('id="buy-exchange"', 1)[1].split("</select>", 1)[0]
    assert re.search(r'value="szdex" selected', buy)
    assert "您须经经纪人交易" in buy.split('value="gzde"', 1)[1].split("</option>", 1)[0]


async def test_a_revoked_certificate_fails_both_checks(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    keys = await demo(runtime)
    listing = await listing_of(client, keys["individual"], TRANSIT)
    revoked = await client.post(
        f"/v1/assets/{listing['asset_id']}/revocation",
        json={"reason": "来源材料失实"},
        headers=auth(keys["regulator"]),
    )
    assert revoked.status_code == 200, revoked.text
    await sign_in(client, keys["individual"].api_key)
    page = await client.get(f"/market/listings/{listing['id']}")
    assert page.status_code == 200
    assert marked(page.text, "result")[:2] == ["revoked", "revoked"]
    assert 'class="verdict bad offline-check"' in page.text
    assert "来源材料失实" in page.text
    assert marked(page.text, "status") == ["revoked"]


async def test_an_unknown_listing_is_a_404_page(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    keys = await demo(runtime)
    await sign_in(client, keys["individual"].api_key)
    missing = await client.get("/market/listings/00000000-0000-0000-0000-000000000000")
    assert missing.status_code == 404
    assert marked(missing.text, "problem-type") == ["/problems/listing-not-found"]
    too_long = await client.get("/market/listings/" + "x" * 37)
    assert too_long.status_code == 422


async def test_holders_see_their_own_product_without_trading_forms(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    keys = await demo(runtime)
    listing = await listing_of(client, keys["holder"], LOGISTICS)
    await sign_in(client, keys["holder"].api_key)
    page = await client.get(f"/market/listings/{listing['id']}")
    assert page.status_code == 200
    assert "buy-form" not in page.text and "negotiate-form" not in page.text
    assert "您是该产品的持有方" in page.text
