"""The public market page (/): exchanges, latest products, price index and the latest signed
checkpoint, for strangers and participants alike; the other market pages need a sign-in."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import httpx
import pytest
from support_market import TRANSIT, api, auth, demo, listing_of, marked, text_of
from support_web import sign_in

from exchange.audit.note import parse_checkpoint, parse_note
from exchange.clock import ManualClock
from exchange.context import Runtime


async def test_a_stranger_sees_exchanges_products_and_the_signed_checkpoint(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    keys = await demo(runtime)
    page = await client.get("/")
    assert page.status_code == 200
    assert "广州数据交易所" in page.text and "深圳数据交易所" in page.text
    assert "广州数据交易所佛山服务基地" in page.text  # Guangzhou's service base
    listed = await api(client, keys["individual"], "/v1/listings", limit=6)
    shown = [href.split("/")[-1] for href in _product_links(page.text)]
    assert shown == [item["id"] for item in listed["items"]]
    assert f'<span class="muted">({listed["total"]})</span>' in page.text
    assert "尚无成交" in page.text  # no trade yet: no index to draw

    note = (await client.get("/v1/audit/checkpoint")).text
    checkpoint = parse_checkpoint(parse_note(note)[0])
    assert int(text_of(page.text, "checkpoint-size")) == checkpoint.size
    assert text_of(page.text, "checkpoint-root") == checkpoint.root.hex()
    assert html.escape(note, quote=False) in page.text
    assert "gdx_session" not in page.headers.get("set-cookie", "")


def _product_links(text: str) -> list[str]:
    section = text.split('id="latest"', 1)[1].split("</section>", 1)[0]
    return re.findall(r'href="(/market/listings/[^"?]+)"', section)


async def test_the_price_index_is_drawn_from_the_market_statistics(
    client: httpx.AsyncClient, runtime: Runtime, clock: ManualClock
) -> None:
    keys = await demo(runtime)
    buyer = keys["individual"]
    listing = await listing_of(client, buyer, TRANSIT)
    tiers = {t["name"]: t for t in listing["tiers"]}
    for tier in ("试用版 trial", "标准版 standard"):
        bought = await client.post(
            "/v1/orders",
            json={
                "listing_id": listing["id"],
                "tier_id": tiers[tier]["id"],
                "exchange_id": "szdex",
            },
            headers=auth(buyer),
        )
        assert bought.status_code == 201, bought.text
        clock.advance(timedelta(days=1))
    stats = await api(client, buyer, "/v1/market/stats")
    assert len(stats["price_index"]) == 2
    page = await client.get("/")
    assert '<svg class="chart chart-line"' in page.text
    assert text_of(page.text, "index-latest") == f"{stats['price_index'][-1]['index']:.2f}"
    assert stats["price_index"][-1]["index"] != 100  # the second day's price moved it
    assert page.text.count("<circle ") == 2
    exchange_card = page.text.split('data-exchange="szdex"', 1)[1].split("</article>", 1)[0]
    assert "2 · ¥5,100.00" in exchange_card  # Shenzhen's trades and turnover


async def test_a_signed_in_participant_sees_it_too_in_english(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    keys = await demo(runtime)
    await sign_in(client, keys["hk_buyer"].api_key)
    page = await client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert page.status_code == 200
    assert '<h2 id="exchanges">Exchanges</h2>' in page.text
    assert "Shenzhen Data Exchange" in page.text
    assert keys["hk_buyer"].name in page.text  # the header says who is signed in
    assert marked(page.text, "exchange") == ["gzde", "szdex"]


@pytest.mark.parametrize(
    "path",
    [
        "/market/catalog?q=社保",
        "/market/catalog/anything",
        "/market/listings",
        "/market/listings/anything",
        "/me/licences",
        "/me/orders",
        "/me/negotiations",
    ],
)
async def test_the_other_market_pages_send_strangers_to_sign_in(
    client: httpx.AsyncClient, path: str
) -> None:
    answer = await client.get(path)
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/sign-in?next=")
