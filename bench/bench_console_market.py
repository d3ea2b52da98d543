"""The market console's pages on the demo market: each must answer in under 100 ms.

Usage: python bench/bench_console_market.py [--requests N] [--postgres URL]
Seeds and serves the demo market, signs a browser-like client in as the demo individual
through the sign-in form, buys the trial tier on Shenzhen through the product page's form (so
the licence, order and negotiation pages have something to show), then requests each market
page N times, one at a time, and prints its median and 95th-percentile time over loopback.
Exits non-zero if a page's median is 100 ms or more.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import sys

import httpx

sys.path.insert(0, os.path.dirname(__file__))
from _server import Server, pct, postgres_database, running_server

BUDGET_S = 0.100
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
KEY = re.compile(r'name="idempotency_key" value="([^"]+)"')


def _key(server: Server, handle: str) -> str:
    return next(k["api_key"] for k in server.keys if k["handle"] == handle)


async def _signed_in(client: httpx.AsyncClient, api_key: str) -> None:
    page = await client.get("/sign-in")
    token = CSRF.search(page.text)
    assert token is not None
    answer = await client.post("/sign-in", data={"api_key": api_key, "csrf_token": token[1]})
    assert answer.status_code == 303, answer.text


async def _pages(client: httpx.AsyncClient) -> list[str]:
    """Every market page, with a real object behind each one."""
    listings = await client.get("/market/listings", params={"exchange": "szdex"})
    ids = re.findall(r'data-listing="([^"]+)"', listings.text)
    product = f"/market/listings/{ids[-1]}"
    page = await client.get(product)
    tier = re.findall(r'name="tier_id" value="([^"]+)"', page.text)
    negotiate_tier = tier[-1]
    bought = await client.post(
        f"{product}/buy",
        data={
            "csrf_token": CSRF.findall(page.text)[0],
            "idempotency_key": KEY.findall(page.text)[0],
            "tier_id": tier[0],
            "exchange_id": "szdex",
        },
    )
    assert bought.status_code == 303, bought.text
    order = bought.headers["location"].split("?")[0]
    opened = await client.post(
        f"{product}/negotiate",
        data={
            "csrf_token": CSRF.findall(page.text)[0],
            "tier_id": negotiate_tier,
            "exchange_id": "szdex",
            "price": "1000",
        },
    )
    assert opened.status_code == 303, opened.text
    licences = await client.get("/me/licences")
    licence = re.findall(r'data-licence="([^"]+)"', licences.text)[0]
    catalog = await client.get("/market/catalog", params={"q": "社保"})
    item = re.findall(r'<a href="(/market/catalog/[^"?]+)">', catalog.text)[0]
    return [
        "/",
        "/market/catalog",
        "/market/catalog?q=社保",
        "/market/catalog?q=医保&grade=general",
        item,
        "/market/listings",
        "/market/listings?exchange=gzde&min_price=100&max_price=50000",
        product,
        "/me/licences",
        f"/me/licences/{licence}",
        "/me/orders",
        order,
        "/me/negotiations",
        opened.headers["location"].split("?")[0],
    ]


async def measure(server: Server, requests: int) -> bool:
    async with httpx.AsyncClient(base_url=server.url, timeout=60) as client:
        await _signed_in(client, _key(server, "individual"))
        within = True
        for path in await _pages(client):
            times = []
            for _ in range(requests):
                t0 = asyncio.get_running_loop().time()
                answer = await client.get(path)
                times.append(asyncio.get_running_loop().time() - t0)
                assert answer.status_code == 200, (path, answer.status_code)
            median = sorted(times)[len(times) // 2]
            ok = median < BUDGET_S
            within &= ok
            print(
                f"{'ok ' if ok else 'SLOW'} {median * 1000:6.1f} ms median "
                f"{pct(times, 95) * 1000:6.1f} ms p95  {path}"
            )
        return within


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--postgres", help="a PostgreSQL URL to run on instead of SQLite")
    args = parser.parse_args()
    if args.postgres:
        with postgres_database(args.postgres) as url, running_server(url) as server:
            ok = asyncio.run(measure(server, args.requests))
    else:
        with running_server(None) as server:
            ok = asyncio.run(measure(server, args.requests))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
