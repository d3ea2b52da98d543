"""The regulators' walk over HTTP (issue 16): a wash-trading pair raises an alert → the
trading agency opens a case from it → refers the cross-border part to the cyberspace agency →
suspends the listing and freezes one account → the participant's next order is refused
naming the measure → the measures are lifted → the period's report lists all of it and its
signature verifies (and, with the log's keys and a later checkpoint, its log state too)."""

from __future__ import annotations

from datetime import timedelta

from conftest import Supervision
from support_supervision import wash_pair
from trading.support_trading import money_invariants, tier

from exchange.client.verify import verify_supervision_report
from support import MakeParticipant, assert_problem


async def test_wash_pair_alert_case_referral_measures_refusals_lift_and_signed_report(
    sv: Supervision, make_participant: MakeParticipant
) -> None:
    m = sv.m
    start = m.clock.now()
    made = await wash_pair(sv, make_participant)
    m.clock.advance(timedelta(minutes=5))

    # Surveillance: the market-regulation agency scans and finds the pair.
    scan = await sv.ok(sv.post("/alerts/scan", sv.amr, {"since": start.isoformat()}), 201)
    wash = [a for a in scan["raised"] if a["kind"] == "wash_trade"]
    assert len(wash) == 1, scan
    alert = wash[0]
    assert sorted(alert["parties"]) == sorted([m.seller.id, m.buyer.id])
    assert set(alert["figures"]["signals"]) == {"back_and_forth", "common_control"}
    assert alert["severity"] == "high" and alert["state"] == "new"
    traded = {o["trade"]["id"] for o in made["orders"]}
    assert set(alert["evidence"]["trade_ids"]) == traded
    assert len(alert["evidence"]["entry_indexes"]) >= len(traded) + 1  # trades + the transfer
    again = await sv.ok(sv.post("/alerts/scan", sv.amr, {"since": start.isoformat()}), 201)
    assert again["raised"] == [] and again["known"] >= 1

    # The trading agency opens a case on the seller's listing from the alert.
    listing = made["seller_listing"]
    case = await sv.ok(
        sv.post(
            "/cases",
            sv.amr,
            {
                "remit": "trading_conduct",
                "subject_type": "listing",
                "subject_id": listing["id"],
                "title": "涉嫌对敲交易 suspected wash trading",
                "summary": "两家企业互相购买对方数据产品并有资金往来。",
                "alert_id": alert["id"],
            },
        ),
        201,
    )
    assert case["lead_agency_id"] == "gd-amr" and case["notified"] == [m.seller.id]
    assert {f["entry_index"] for f in case["facts"]} == set(alert["evidence"]["entry_indexes"])
    seen = await sv.ok(sv.get(f"/alerts/{alert['id']}", sv.cac))
    assert seen["state"] == "case_opened" and seen["case_id"] == case["id"]

    # ... refers the cross-border part to the cyberspace agency, which joins the case.
    await sv.ok(
        sv.post(
            f"/cases/{case['id']}/referrals",
            sv.amr,
            {
                "to_agency_id": "gd-cac",
                "remit": "cross_border",
                "part": "境外买方购买的部分 the sales to buyers abroad",
                "reason": "涉及数据出境 data export",
            },
        ),
        201,
    )
    # ... suspends the listing and freezes the buyer's account.
    suspended = await sv.ok(
        sv.post(
            f"/cases/{case['id']}/measures",
            sv.amr,
            {"kind": "suspend_listing", "subject_id": listing["id"], "reason": "调查期间暂停"},
        ),
        201,
    )
    frozen = await sv.ok(
        sv.post(
            f"/cases/{case['id']}/measures",
            sv.amr,
            {"kind": "freeze_account", "subject_id": m.buyer.id, "reason": "冻结涉案资金"},
        ),
        201,
    )
    assert suspended["measure"]["state"] == frozen["measure"]["state"] == "in_force"

    # The participant's next order is refused, naming the measure and the case.
    other = await m.list("traffic", ["szdex"], [tier(price_fen=30_000)])
    before = await m.balance(m.buyer)
    refused = assert_problem(await m.order(m.buyer, other), 409, "account-frozen")
    assert refused["measure_id"] == frozen["measure"]["id"]
    assert refused["case_id"] == case["id"] and case["id"] in refused["detail"]
    assert await m.balance(m.buyer) == before
    # Bound by a measure, the buyer is notified of the case: it reads it and may respond.
    seen_by_buyer = await sv.ok(sv.get(f"/cases/{refused['case_id']}", m.buyer))
    assert m.buyer.id in seen_by_buyer["notified"]
    assert {x["id"] for x in seen_by_buyer["measures"]} == {
        suspended["measure"]["id"],
        frozen["measure"]["id"],
    }
    blocked = assert_problem(await m.order(m.rival, listing), 409, "measure-in-force")
    assert blocked["measure_id"] == suspended["measure"]["id"]
    assert blocked["case_id"] == case["id"] and suspended["measure"]["id"] in blocked["detail"]
    # A frozen account still receives: the rival buys the buyer's own listing.
    await m.buy(m.rival, made["buyer_listing"])
    assert await m.balance(m.buyer) > before
    me = await m.ok(m.get("/v1/accounts/me", m.buyer))
    assert me["frozen_by_measure"] == frozen["measure"]["id"]

    # The seller, notified, responds within the deadline.
    await sv.ok(
        sv.post(f"/cases/{case['id']}/responses", m.seller, {"text": "系正常业务往来。"}), 201
    )

    # The measures are lifted; trading resumes.
    m.clock.advance(timedelta(hours=2))
    for measure in (frozen["measure"], suspended["measure"]):
        lifted = await sv.ok(
            sv.post(f"/measures/{measure['id']}/lift", sv.amr, {"reason": "调查结束"}), 201
        )
        assert lifted["measure"]["state"] == "lifted"
    await m.buy(m.buyer, other)
    await m.buy(m.rival, listing)
    await money_invariants(m.runtime)
    # The log still rebuilds every balance and journal (a freeze moved no money).
    reconciled = await m.ok(m.get("/v1/audit/reconcile", sv.amr))
    assert reconciled["ok"], reconciled["differences"]

    # The period's report lists all of it, and its signature verifies.
    m.clock.advance(timedelta(minutes=1))
    report = await sv.ok(
        sv.get("/reports/gd-amr", sv.cac, since=start.isoformat(), until=m.clock.now().isoformat())
    )
    doc = report["document"]
    assert [a["id"] for a in doc["alerts"]["items"]] == [alert["id"]]
    assert doc["alerts"]["by_state"] == {"case_opened": 1}
    (listed,) = doc["cases"]["items"]
    assert listed["id"] == case["id"] and listed["alert_id"] == alert["id"]
    assert [r["to_agency_id"] for r in listed["referrals"]] == ["gd-cac"]
    measures = {x["id"]: x for x in doc["measures"]["items"]}
    assert set(measures) == {suspended["measure"]["id"], frozen["measure"]["id"]}
    assert doc["measures"]["taken"] == doc["measures"]["lifted"] == 2
    assert doc["measures"]["in_force_at_end"] == 0
    assert doc["market"]["trades"] == len(traded) + 3
    issuer = (await m.ok(m.get("/v1/certificates/issuer-key", sv.cac)))["public_key"]
    assert report["public_key"] == issuer
    check = verify_supervision_report(doc, report["signature"], issuer)
    assert check.valid, check.detail
    tampered = {**doc, "measures": {**doc["measures"], "taken": 0}}
    assert not verify_supervision_report(tampered, report["signature"], issuer).valid

    # With the log's keys, the report's checkpoint verifies; a later checkpoint and a
    # consistency proof show the log the report saw was not rewritten since.
    m.clock.advance(timedelta(seconds=5))
    keys = await m.ok(m.client.get("/v1/audit/public-key"))
    log_keys = [k["public_key"] for k in keys["keys"]]
    later = (await m.client.get("/v1/audit/checkpoint")).text
    later_size = int(later.split("\n")[1])
    proof = await m.ok(
        m.get("/v1/audit/proof/consistency", sv.amr, first=doc["log"]["size"], second=later_size)
    )
    full = verify_supervision_report(
        doc,
        report["signature"],
        issuer,
        log_keys=log_keys,
        later_checkpoint=later,
        consistency_proof=proof["proof"],
    )
    assert full.valid and full.checkpoint_verified, full.detail
    assert full.consistent_with_size == later_size

    csv = await m.client.get(
        "/v1/supervision/reports/gd-amr",
        params={"since": start.isoformat(), "format": "csv"},
        headers=sv.data.auth,
    )
    assert csv.headers["content-type"].startswith("text/csv")
    assert f"cases,items[0].id,{case['id']}" in csv.text
    page = await m.client.get(
        "/v1/supervision/reports/gd-amr",
        params={"since": start.isoformat(), "format": "html"},
        headers=sv.finance.auth,
    )
    assert page.headers["content-type"].startswith("text/html")
    assert "冻结账户" in page.text and "<script" not in page.text and "http" not in page.text
