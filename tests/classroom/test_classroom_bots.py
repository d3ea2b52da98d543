"""A class's bots play in any process: rebuilt from the class's database for every round."""

from __future__ import annotations

import csv
import io
import json

import httpx
from sqlalchemy import select
from support_classroom import TINY, control, open_class

from exchange.classroom.classes import load_variant
from exchange.classroom.sandbox import registry
from exchange.context import Runtime
from exchange.simulation import agents as strategy
from exchange.simulation.world import build_world, product_name
from exchange.trading.listings.models import LicenceTier, Listing
from exchange.trading.orders.models import Trade
from support import Actor

SIX_ROUNDS = TINY.replace("rounds = 3\n", "rounds = 6\n")
ADAPTIVE = TINY.replace("markup_bp = 5000\n", 'markup_bp = 5000\npricing = "adaptive"\n')


async def activity(client: httpx.AsyncClient, instructor: Actor, class_id: str) -> list[str]:
    """Every order and trade of a class as the instructor's CSV lists them (ids aside), sorted."""
    results = await client.get(f"/v1/classroom/classes/{class_id}/results", headers=instructor.auth)
    assert results.status_code == 200, results.text
    sheet = await client.get(results.json()["csv_url"], headers=instructor.auth)
    rows = list(csv.DictReader(io.StringIO(sheet.content.decode("utf-8-sig"))))
    return sorted(
        json.dumps({k: v for k, v in row.items() if not k.endswith("id")}, ensure_ascii=False)
        for row in rows
    )


async def forget(runtime: Runtime, class_id: str) -> None:
    """Drop what this process holds of a class, as a worker that never saw it (or restarted)."""
    session = registry(runtime).sessions.pop(class_id, None)
    if session is not None:
        await session.runtime.engine.dispose()


async def test_a_class_plays_the_same_when_every_round_runs_in_a_fresh_process(
    client: httpx.AsyncClient, instructor: Actor, runtime: Runtime
) -> None:
    # Twin classes, same scenario and seed: this process forgets one before every step, as if
    # each step ran in a worker that never saw it; the other stays where it was opened.
    kept = await open_class(client, instructor, scenario_toml=SIX_ROUNDS)
    fresh = await open_class(client, instructor, scenario_toml=SIX_ROUNDS)
    for step in ["start"] + ["advance"] * 6:
        await control(client, instructor, kept["id"], step)
        await forget(runtime, fresh["id"])
        answer = await control(client, instructor, fresh["id"], step)
    assert answer["status"] == "finished"

    played = await activity(client, instructor, fresh["id"])
    trades = [json.loads(r) for r in played if '"trade:buyer"' in r]
    assert {int(t["round"]) for t in trades} == {1, 2, 3, 4, 5, 6}  # bots traded every round
    assert played == await activity(client, instructor, kept["id"])


async def test_adaptive_bots_price_from_what_they_sold_last_round(
    client: httpx.AsyncClient, instructor: Actor, runtime: Runtime
) -> None:
    cls = await open_class(client, instructor, scenario_toml=ADAPTIVE)
    await control(client, instructor, cls["id"], "start")
    first = await _prices_and_sales(runtime, cls["id"])
    await forget(runtime, cls["id"])  # the next round runs in a process of its own
    await control(client, instructor, cls["id"], "advance")
    second = await _prices_and_sales(runtime, cls["id"])

    scenario = load_variant(
        scenario=None, scenario_toml=ADAPTIVE, treatment=None, overrides={}, seed=None
    ).scenario
    costs = {product_name(p): p.unit_cost_fen for p in build_world(scenario).products}
    assert any(sold for _, sold in first.values()), "somebody bought in round 1"
    for name, (price, sold) in first.items():
        # A product that sold goes up a step; one that did not comes down one.
        expected = strategy.next_price(
            "adaptive", price_fen=price, unit_cost_fen=costs[name], sold=sold, step_bp=500
        )
        assert second[name][0] == expected, (name, price, sold, second[name])


async def _prices_and_sales(runtime: Runtime, class_id: str) -> dict[str, tuple[int, int]]:
    """Each product's newest listed price and its trades so far, from the class's database."""
    class_runtime = registry(runtime).session(class_id, 0).runtime
    async with class_runtime.sessionmaker() as session:
        rows = (
            await session.execute(
                select(Listing.title, LicenceTier.price_fen, Listing.id)
                .join(LicenceTier, LicenceTier.listing_id == Listing.id)
                .order_by(Listing.created_at, Listing.id)
            )
        ).all()
        trades = (await session.scalars(select(Trade.listing_id))).all()
    newest = {title: (price, listing_id) for title, price, listing_id in rows}
    titles = {listing_id: title for title, _, listing_id in rows}
    sold = {title: 0 for title in newest}
    for listing_id in trades:
        sold[titles[listing_id]] += 1
    return {title: (price, sold[title]) for title, (price, _) in newest.items()}
