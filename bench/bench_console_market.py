"""The market console's pages with something in them: server time of each (target < 100 ms).

`bench_console.py` crawls the links each demo participant's pages offer; a fresh demo market
has no licence, order or negotiation of the demo individual, so those pages are not reached
there. This run first buys the trial tier on Shenzhen through the product page's form and
opens a negotiation, then measures every market page, the detail pages included, by the
server's own time (`Server-Timing`).

    python bench/bench_console_market.py [--repeat 20] [--postgres URL]
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from _server import pct, postgres_database, running_server
from bench_console import CSRF, TARGET_MS, server_ms, sign_in

KEY = re.compile(r'name="idempotency_key" value="([^"]+)"')


def _pages(client: httpx.Client) -> list[str]:
    """Every market page, with a real object behind each detail page."""
    listings = client.get("/market/listings", params={"exchange": "szdex"})
    product = "/market/listings/" + re.findall(r'data-listing="([^"]+)"', listings.text)[-1]
    page = client.get(product)
    tiers = re.findall(r'name="tier_id" value="([^"]+)"', page.text)
    csrf = CSRF.findall(page.text)[0]
    bought = client.post(
        f"{product}/buy",
        data={
            "csrf_token": csrf,
            "idempotency_key": KEY.findall(page.text)[0],
            "tier_id": tiers[0],
            "exchange_id": "szdex",
        },
    )
    assert bought.status_code == 303, bought.text
    opened = client.post(
        f"{product}/negotiate",
        data={"csrf_token": csrf, "tier_id": tiers[-1], "exchange_id": "szdex", "price": "1000"},
    )
    assert opened.status_code == 303, opened.text
    licence = re.findall(r'data-licence="([^"]+)"', client.get("/me/licences").text)[0]
    catalog = client.get("/market/catalog", params={"q": "社保"})
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
        bought.headers["location"].split("?")[0],
        "/me/negotiations",
        opened.headers["location"].split("?")[0],
    ]


def run(database_url: str | None, repeat: int) -> bool:
    with (
        running_server(database_url) as server,
        httpx.Client(base_url=server.url, timeout=30) as client,
    ):
        sign_in(client, next(k["api_key"] for k in server.keys if k["handle"] == "individual"))
        print(f"database: {'PostgreSQL' if database_url else 'SQLite'}; repeat {repeat}")
        print(f"{'page':<60} {'p50 ms':>7} {'p95 ms':>7}")
        within = True
        for path in _pages(client):
            client.get(path)  # warm this page's caches
            times = []
            for _ in range(repeat):
                answer = client.get(path)
                assert answer.status_code == 200, (path, answer.status_code)
                times.append(server_ms(answer))
            p50, p95 = statistics.median(times), pct(times, 95)
            within &= p50 < TARGET_MS
            flag = "  OVER" if p95 > TARGET_MS else ""
            print(f"{path[:60]:<60} {p50:7.2f} {p95:7.2f}{flag}")
        return within


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--postgres", default="")
    args = parser.parse_args()
    if args.postgres:
        with postgres_database(args.postgres) as url:
            ok = run(url, args.repeat)
    else:
        ok = run(None, args.repeat)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
