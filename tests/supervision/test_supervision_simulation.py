"""Done when (issue 16), on both databases: a wash-trading pair in a simulation raises an
alert → the trading agency opens a case → refers the cross-border part to the cyberspace
agency → suspends the listing and freezes one account → the participant's next order is
refused naming the measure → the measures are lifted → the report for the period lists all of
it and its signature verifies."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx

from exchange.client.verify import verify_supervision_report
from exchange.clock import ManualClock
from exchange.context import Runtime
from exchange.participants import service as participants_service
from exchange.simulation import engine, loader
from exchange.simulation.services_market import ServiceMarket
from exchange.vocabulary import Role
from support import Actor, MakeParticipant, assert_problem

SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "manipulation.toml"


async def _key_of(runtime: Runtime, participant_id: str) -> dict[str, str]:
    """An API key for a simulated participant (the run's keys are not kept)."""
    async with runtime.unit_of_work() as session:
        issued = await participants_service.issue_key(
            runtime.context(session), participant_id=participant_id, label="test"
        )
    return {"Authorization": f"Bearer {issued.secret}"}


async def _ok(response: Any, status: int = 200) -> Any:
    r = await response
    assert r.status_code == status, r.text
    return r.json()


async def test_a_simulated_wash_pair_is_caught_sanctioned_released_and_reported(
    runtime: Runtime,
    clock: ManualClock,
    client: httpx.AsyncClient,
    make_participant: MakeParticipant,
    admin: Actor,
) -> None:
    start = clock.now()
    variant = loader.load(
        SCENARIO,
        overrides=[
            ("start", start),
            ("rounds", 3),
            ("products.exclusive", False),
            ("agents.buyers.modes", {"posted": 1}),
            ("agents.manipulators.rings", 0),
        ],
    )
    market = ServiceMarket(variant.scenario, runtime=runtime, clock=clock)
    record, _ = await engine.run(variant, market)
    (wash,) = [a for a in record.alerts if a.kind == "wash_trade"]
    assert wash.parties == ("wash_trader-0001", "wash_trader-0002") and wash.trades == 6
    pair = [market.participant_id(k) for k in wash.parties]

    amr = await make_participant(Role.REGULATOR, name="市场监管 监管员")
    cac = await make_participant(Role.REGULATOR, name="网信 监管员")
    for who, agency in ((amr, "gd-amr"), (cac, "gd-cac")):
        url = f"/v1/supervision/agencies/{agency}/members/{who.id}"
        await _ok(client.put(url, headers=admin.auth))
    alert = await _ok(client.get(f"/v1/supervision/alerts/{wash.alert_id}", headers=cac.auth))
    assert alert["state"] == "new" and sorted(alert["parties"]) == sorted(pair)
    assert set(alert["figures"]["signals"]) == {"back_and_forth", "common_control"}
    first = await _ok(
        client.get(f"/v1/trades/{alert['evidence']['trade_ids'][0]}", headers=amr.auth)
    )
    seller, buyer = first["seller_id"], first["buyer_id"]

    clock.advance(timedelta(hours=1))
    case = await _ok(
        client.post(
            "/v1/supervision/cases",
            json={
                "remit": "trading_conduct",
                "subject_type": "listing",
                "subject_id": first["listing_id"],
                "title": "仿真对敲 wash trades in the simulation",
                "summary": "一对关联企业互相购买对方数据产品。",
                "alert_id": alert["id"],
            },
            headers=amr.auth,
        ),
        201,
    )
    assert case["notified"] == [seller]
    await _ok(
        client.post(
            f"/v1/supervision/cases/{case['id']}/referrals",
            json={
                "to_agency_id": "gd-cac",
                "remit": "cross_border",
                "part": "涉及境外买方的交易 the trades with buyers abroad",
                "reason": "数据出境 export of data",
            },
            headers=amr.auth,
        ),
        201,
    )
    measures = {}
    for kind, subject in (("suspend_listing", first["listing_id"]), ("freeze_account", buyer)):
        decided = await _ok(
            client.post(
                f"/v1/supervision/cases/{case['id']}/measures",
                json={"kind": kind, "subject_id": subject, "reason": "调查期间"},
                headers=amr.auth,
            ),
            201,
        )
        measures[kind] = decided["measure"]["id"]

    # The frozen participant's next order — an honest provider's listing — is refused.
    listings = await _ok(client.get("/v1/listings", headers=amr.auth, params={"limit": 100}))
    honest = next(item for item in listings["items"] if item["holder_id"] not in pair)
    order = {
        "listing_id": honest["id"],
        "tier_id": honest["tiers"][0]["id"],
        "exchange_id": "szdex",
    }
    buyer_auth = await _key_of(runtime, buyer)
    refused = assert_problem(
        await client.post("/v1/orders", json=order, headers=buyer_auth), 409, "account-frozen"
    )
    assert refused["measure_id"] == measures["freeze_account"]
    assert refused["case_id"] == case["id"] and measures["freeze_account"] in refused["detail"]
    rival_auth = await _key_of(runtime, market.participant_id("buyer-0001"))
    suspended = {
        "listing_id": first["listing_id"],
        "tier_id": (await _ok(client.get(f"/v1/listings/{first['listing_id']}", headers=amr.auth)))[
            "tiers"
        ][0]["id"],
        "exchange_id": "szdex",
    }
    blocked = assert_problem(
        await client.post("/v1/orders", json=suspended, headers=rival_auth), 409, "measure-in-force"
    )
    assert blocked["measure_id"] == measures["suspend_listing"] and blocked["case_id"] == case["id"]

    # Lifted, the orders go through.
    clock.advance(timedelta(hours=1))
    for measure_id in measures.values():
        await _ok(
            client.post(
                f"/v1/supervision/measures/{measure_id}/lift",
                json={"reason": "调查结束 investigation over"},
                headers=amr.auth,
            ),
            201,
        )
    await _ok(client.post("/v1/orders", json=order, headers=buyer_auth), 201)
    await _ok(client.post("/v1/orders", json=suspended, headers=rival_auth), 201)

    # The period's report lists all of it, and its signature verifies.
    clock.advance(timedelta(minutes=1))
    report = await _ok(
        client.get(
            "/v1/supervision/reports/gd-amr",
            params={"since": start.isoformat(), "until": clock.now().isoformat()},
            headers=cac.auth,
        )
    )
    doc = report["document"]
    kinds = {a["kind"]: a for a in doc["alerts"]["items"]}
    assert kinds["wash_trade"]["id"] == alert["id"]
    assert kinds["wash_trade"]["state"] == "case_opened"
    assert kinds["wash_trade"]["case_id"] == case["id"]
    (listed,) = doc["cases"]["items"]
    assert listed["id"] == case["id"]
    assert [r["to_agency_id"] for r in listed["referrals"]] == ["gd-cac"]
    assert {m["id"]: m["kind"] for m in doc["measures"]["items"]} == {
        v: k for k, v in measures.items()
    }
    assert doc["measures"]["taken"] == doc["measures"]["lifted"] == 2
    assert doc["market"]["trades"] == len(record.trades) + 2
    issuer = (await _ok(client.get("/v1/certificates/issuer-key")))["public_key"]
    check = verify_supervision_report(doc, report["signature"], issuer)
    assert check.valid, check.detail
    doc["alerts"]["items"][0]["state"] = "dismissed"
    assert not verify_supervision_report(doc, report["signature"], issuer).valid
