"""Computation without disclosure (可用不可见): a compute-only licence answers aggregate queries
from the safe menu, with small-cell suppression and Laplace noise, until its privacy budget
ends; raw rows never leave; two queries racing for the last of the budget: exactly one wins."""

from __future__ import annotations

import asyncio
import random
import statistics
from typing import Any

import pytest
from support_policies import licence_for, licence_row, refused_and_recorded, register_more, transfer
from support_trading import AssetSpec, Market, audit_actions

from exchange.trading.transfers import delivery, usage
from exchange.trading.transfers.usage import NOISE_RNG
from support import MakeParticipant, assert_problem

CITIES = {"广州": 60, "深圳": 50, "佛山": 40, "东莞": 30, "韶关": 3}
MEASURE = "贷款余额（万元）"


def loan_table() -> tuple[bytes, list[tuple[str, str, float]]]:
    """A small loan book: city, industry, balance; 韶关 has fewer rows than k."""
    rng = random.Random(96)
    rows = []
    for city, n in CITIES.items():
        for i in range(n):
            industry = "制造业" if i % 3 else "批发零售"
            rows.append((city, industry, round(rng.uniform(20, 800), 2)))
    text = (
        "地市,行业,客户编号,"
        + MEASURE
        + "\n"
        + "".join(f"{c},{ind},C{i:05d},{v}\n" for i, (c, ind, v) in enumerate(rows))
    )
    return text.encode(), rows


POLICY: dict[str, Any] = {
    "access": "compute",
    "purposes": ["credit_assessment", "research"],
    "compute": {
        "dimensions": ["地市", "行业"],
        "measures": {MEASURE: {"lower": 0, "upper": 1000}},
        "k_threshold": 5,
        "epsilon_per_query": 1.0,
        "epsilon_budget": 4.0,
    },
}


async def compute_licence(
    m: Market, make_participant: MakeParticipant, policy: dict[str, Any]
) -> tuple[dict[str, Any], list[tuple[str, str, float]]]:
    package, rows = loan_table()
    spec = AssetSpec("小微企业贷款样本（隐私计算）", package)
    (asset_id,) = await register_more(m, make_participant, [spec])
    m.assets["loans"], m.specs["loans"] = asset_id, spec
    _, licence = await licence_for(m, "loans", policy)
    m.runtime.cache.set(NOISE_RNG, random.Random(15))
    return await transfer(m, licence, "research"), rows


async def test_a_compute_only_licence_answers_with_suppression_and_noise_until_its_budget_ends(
    market: Market, make_participant: MakeParticipant
) -> None:
    m = market
    t, rows = await compute_licence(m, make_participant, POLICY)
    url = f"/v1/transfers/{t['id']}/computations"

    counted = await m.ok(m.post(url, m.buyer, {"aggregate": "count", "group_by": ["地市"]}))
    answer = counted["answer"]
    cells = {c["group"]["地市"]: c["value"] for c in answer["cells"]}
    assert set(cells) == {"广州", "深圳", "佛山", "东莞"}  # 韶关 (3 rows < k=5) is not released
    assert answer["suppressed_cells"] == 1 and "韶关" not in str(counted)
    assert all(abs(cells[c] - CITIES[c]) <= 12 for c in cells)
    assert any(cells[c] != CITIES[c] for c in cells)  # noise, not the true counts
    assert counted["epsilon_spent"] == 1.0 and counted["epsilon_budget"] == 4.0

    mean = await m.ok(
        m.post(url, m.buyer, {"aggregate": "mean", "measure": MEASURE, "group_by": ["行业"]})
    )
    for cell in mean["answer"]["cells"]:
        true = statistics.mean(v for _, ind, v in rows if ind == cell["group"]["行业"])
        assert abs(cell["value"] - true) < 0.25 * true

    median = await m.ok(
        m.post(url, m.buyer, {"aggregate": "quantiles", "measure": MEASURE, "quantiles": [0.5]})
    )
    true_median = statistics.median(v for *_, v in rows)
    assert abs(median["answer"]["cells"][0]["value"][0] - true_median) < 0.2 * true_median

    histogram = await m.ok(
        m.post(
            url,
            m.buyer,
            {"aggregate": "histogram", "measure": MEASURE, "group_by": ["地市"], "bins": 4},
        )
    )
    assert histogram["answer"]["bin_edges"] == [0.0, 250.0, 500.0, 750.0, 1000.0]
    dongguan = next(c for c in histogram["answer"]["cells"] if c["group"]["地市"] == "东莞")
    true_bins = [0, 0, 0, 0]
    for city, _, v in rows:
        if city == "东莞":
            true_bins[min(3, int(v // 250))] += 1
    for noisy, true in zip(dongguan["value"], true_bins, strict=True):
        assert (noisy is None) == (true < 5)
    assert histogram["epsilon_spent"] == 4.0

    # The budget is spent: the next query is refused, recorded, and nothing is released.
    body = await refused_and_recorded(
        m, m.post(url, m.buyer, {"aggregate": "count"}), 409, "privacy-budget-exhausted", "budget"
    )
    assert body["epsilon_spent"] == 4.0
    licence = await licence_row(m, t["licence_id"])
    assert licence.epsilon_spent_micro == 4_000_000

    # Seller and regulator see every computation and the budget it spent — never a row.
    for who in (m.seller, m.regulator):
        seen = await m.ok(m.get(f"/v1/licences/{t['licence_id']}/usage", who, kind="computation"))
        assert seen["total"] == 4 and {r["epsilon"] for r in seen["items"]} == {1.0}
        assert seen["items"][-1]["query"] == {"aggregate": "count", "group_by": ["地市"]}
        assert "C00001" not in str(seen)
    assert (await audit_actions(m.runtime)).count("trading.computation_run") == 4


async def test_off_menu_queries_and_raw_rows_are_refused_and_recorded(
    market: Market, make_participant: MakeParticipant
) -> None:
    m = market
    t, _ = await compute_licence(m, make_participant, POLICY)
    url = f"/v1/transfers/{t['id']}/computations"
    for query, slug, clause in (
        ({"aggregate": "max", "measure": MEASURE}, "computation-not-on-menu", "menu"),
        (
            {"aggregate": "count", "group_by": ["客户编号"]},
            "computation-dimension-not-allowed",
            "dimension",
        ),
        ({"aggregate": "sum", "measure": "地市"}, "computation-dimension-not-allowed", "dimension"),
        (
            {"aggregate": "count", "group_by": ["地市", "行业", "地市"]},
            "computation-not-on-menu",
            "menu",
        ),
        (
            {"aggregate": "histogram", "measure": MEASURE, "bins": 500},
            "computation-not-on-menu",
            "menu",
        ),
        (
            {"aggregate": "quantiles", "measure": MEASURE, "quantiles": [1.5]},
            "computation-not-on-menu",
            "menu",
        ),
    ):
        await refused_and_recorded(m, m.post(url, m.buyer, query), 422, slug, clause)
    for path in ("data", "rows"):
        await refused_and_recorded(
            m,
            m.client.get(f"/v1/transfers/{t['id']}/{path}", headers=m.buyer.auth),
            409,
            "usage-access-not-granted",
            "access",
        )
    # None of it spent budget; a query the menu allows still runs.
    assert (await licence_row(m, t["licence_id"])).epsilon_spent_micro == 0
    done = await m.ok(m.post(url, m.buyer, {"aggregate": "sum", "measure": MEASURE}))
    assert done["epsilon_spent"] == 1.0
    # Only the licensee computes.
    assert_problem(await m.post(url, m.seller, {"aggregate": "count"}), 403)


async def test_two_queries_racing_for_the_last_of_the_budget_exactly_one_wins(
    market: Market, make_participant: MakeParticipant, monkeypatch: pytest.MonkeyPatch
) -> None:
    m = market
    policy = {**POLICY, "compute": {**POLICY["compute"], "epsilon_budget": 1.0}}
    t, _ = await compute_licence(m, make_participant, policy)
    url = f"/v1/transfers/{t['id']}/computations"
    # Both queries have passed every check and computed before either spends its ε.
    both_computed = asyncio.Barrier(2)
    run = usage.aggregate

    async def aggregate_then_wait(*args: Any, **kwargs: Any) -> Any:
        acc = await run(*args, **kwargs)
        await both_computed.wait()
        return acc

    monkeypatch.setattr(usage, "aggregate", aggregate_then_wait)
    assert delivery.usage.aggregate is aggregate_then_wait
    answers = await asyncio.wait_for(
        asyncio.gather(
            m.post(url, m.buyer, {"aggregate": "count"}),
            m.post(url, m.buyer, {"aggregate": "count", "group_by": ["地市"]}),
        ),
        timeout=60,
    )
    statuses = sorted(r.status_code for r in answers)
    assert statuses == [200, 409], [r.text for r in answers]
    loser = next(r for r in answers if r.status_code == 409)
    assert_problem(loser, 409, "privacy-budget-exhausted")
    assert (await licence_row(m, t["licence_id"])).epsilon_spent_micro == 1_000_000
    usage_page = await m.ok(m.get(f"/v1/licences/{t['licence_id']}/usage", m.seller))
    assert sorted(r["kind"] for r in usage_page["items"]) == ["computation", "refused"]
