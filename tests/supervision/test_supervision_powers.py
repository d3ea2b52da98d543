"""Powers as decisions on a case (issue 16): joint decisions wait for concurrence; a refund is
a reversing journal (even from a frozen account) and lifting it charges the trade again; a
case with referred parts closes jointly; every agency reads, and the demo seeds them."""

from __future__ import annotations

from datetime import timedelta

from conftest import Supervision
from support_supervision import impose, open_case
from trading.support_trading import money_invariants, tier

from support import assert_problem


async def test_a_joint_decision_binds_only_once_every_partner_concurs(sv: Supervision) -> None:
    m = sv.m
    listing = await m.list("credit", ["szdex"])
    case = await open_case(sv, sv.cac, "listing", listing["id"], remit="cross_border")
    await sv.ok(
        sv.post(
            f"/cases/{case['id']}/referrals",
            sv.cac,
            {
                "to_agency_id": "gd-amr",
                "remit": "trading_conduct",
                "part": "挂牌与定价 the listing and its price",
                "reason": "个人信息出境与交易行为交织 where the remits meet",
            },
        ),
        201,
    )
    # The cyberspace agency cannot delist alone; jointly with market regulation it may.
    assert_problem(
        await sv.post(
            f"/cases/{case['id']}/measures",
            sv.cac,
            {"kind": "delist_listing", "subject_id": listing["id"], "reason": "单独下架"},
        ),
        403,
        "outside-remit",
    )
    proposed = await impose(
        sv, sv.cac, case, "delist_listing", listing["id"], joint_with=["gd-amr"]
    )
    decision = proposed["decision"]
    assert decision["state"] == "proposed" and proposed["measure"]["state"] == "proposed"
    await m.buy(m.buyer, listing)  # not binding yet
    assert_problem(
        await sv.post(f"/measures/{proposed['measure']['id']}/lift", sv.cac, {"reason": "x"}),
        409,
        "measure-not-in-force",
    )
    assert_problem(
        await sv.post(f"/decisions/{decision['id']}/concurrence", sv.cac), 403, "not-joint-partner"
    )
    concurred = await sv.ok(sv.post(f"/decisions/{decision['id']}/concurrence", sv.amr))
    assert concurred["decision"]["state"] == "effective"
    assert concurred["decision"]["concurred_by"] == ["gd-amr"]
    assert concurred["measure"]["state"] == "in_force"
    refused = assert_problem(await m.order(m.rival, listing), 409, "measure-in-force")
    assert refused["measure_kind"] == "delist_listing"
    assert_problem(
        await sv.post(f"/decisions/{decision['id']}/concurrence", sv.amr), 409, "decision-settled"
    )

    # The case had a referred part: it closes only when that agency concurs too.
    m.clock.advance(timedelta(hours=1))
    closing = await sv.ok(
        sv.post(
            f"/cases/{case['id']}/closure",
            sv.cac,
            {"outcome": "sanctioned", "finding": "违规出境，已下架"},
        ),
        201,
    )
    assert closing["decision"]["state"] == "proposed"
    assert (await sv.ok(sv.get(f"/cases/{case['id']}", sv.data)))["state"] == "open"
    await sv.ok(sv.post(f"/decisions/{closing['decision']['id']}/concurrence", sv.amr))
    closed = await sv.ok(sv.get(f"/cases/{case['id']}", sv.finance))
    assert closed["state"] == "closed" and closed["outcome"] == "sanctioned"
    assert [d["kind"] for d in closed["decisions"]] == ["impose", "close"]
    assert_problem(
        await sv.post(
            f"/cases/{case['id']}/measures",
            sv.amr,
            {"kind": "suspend_trading", "subject_id": m.seller.id, "reason": "结案后"},
        ),
        409,
        "case-closed",
    )
    # A measure outlives its case, and a later decision still lifts it.
    lifted = await sv.ok(
        sv.post(f"/measures/{proposed['measure']['id']}/lift", sv.amr, {"reason": "整改完成"}),
        201,
    )
    assert lifted["measure"]["state"] == "lifted"
    await m.buy(m.rival, listing)


async def test_a_refund_reverses_the_trade_even_from_a_frozen_account_and_can_be_undone(
    sv: Supervision,
) -> None:
    m = sv.m
    listing = await m.list("traffic", ["szdex"], [tier(price_fen=100_000)])
    placed = await m.buy(m.buyer, listing)
    trade = placed["trade"]
    buyer, seller = await m.balance(m.buyer), await m.balance(m.seller)
    case = await open_case(sv, sv.amr, "trade", trade["id"])
    assert sorted(case["notified"]) == sorted([m.buyer.id, m.seller.id])
    await impose(sv, sv.amr, case, "freeze_account", m.seller.id)
    refund = await impose(sv, sv.amr, case, "order_refund", trade["id"])
    paid = trade["price_fen"] + trade["buyer_fee_fen"]
    assert await m.balance(m.buyer) == buyer + paid
    assert await m.balance(m.seller) == seller - (trade["price_fen"] - trade["seller_fee_fen"])
    assert refund["measure"]["detail"]["refund_journal_id"]
    statement = await m.ok(m.get("/v1/accounts/me", m.buyer))
    assert statement["postings"][0]["kind"] == "supervision_refund"
    # Never an edit: the trade stands as it was settled.
    again = await m.ok(m.get(f"/v1/trades/{trade['id']}", sv.amr))
    assert again["price_fen"] == trade["price_fen"]
    assert_problem(
        await sv.post(
            f"/cases/{case['id']}/measures",
            sv.amr,
            {"kind": "order_refund", "subject_id": trade["id"], "reason": "再退一次"},
        ),
        409,
        "measure-already-in-force",
    )
    # Undoing the refund charges the buyer again (the seller, frozen, still receives).
    await sv.ok(
        sv.post(f"/measures/{refund['measure']['id']}/lift", sv.amr, {"reason": "复议撤销"}), 201
    )
    assert await m.balance(m.buyer) == buyer
    assert await m.balance(m.seller) == seller
    await money_invariants(m.runtime)
    reconciled = await m.ok(m.get("/v1/audit/reconcile", sv.amr))
    assert reconciled["ok"], reconciled["differences"]


async def test_every_agency_reads_and_the_seeded_agencies_hold_their_remits(
    sv: Supervision,
) -> None:
    page = await sv.ok(sv.get("/agencies", sv.stray))
    remits = {a["id"]: [r["code"] for r in a["remits"]] for a in page["items"]}
    assert remits == {
        "gd-cac": ["cross_border"],
        "gd-amr": ["trading_conduct"],
        "gd-gsdma": ["public_data"],
        "gd-nfra": ["finance"],
    }
    amr = await sv.ok(sv.get("/agencies/gd-amr", sv.finance))
    assert amr["members"] == [sv.amr.id] and amr["level"] == "province"
    assert_problem(
        await sv.m.client.put(
            f"/v1/supervision/agencies/gd-amr/members/{sv.m.buyer.id}", headers=sv.m.admin.auth
        ),
        422,
    )
    assert_problem(
        await sv.m.client.put(
            f"/v1/supervision/agencies/gd-amr/members/{sv.stray.id}", headers=sv.amr.auth
        ),
        403,
    )


async def test_a_suspended_listing_takes_no_bids_and_its_auction_closes_without_a_sale(
    sv: Supervision,
) -> None:
    m = sv.m
    listing = await m.list("traffic", ["szdex"], [tier(price_fen=100_000, exclusive=True)])
    auction = await m.open_auction(listing)
    bid = {"amount_fen": 80_000}
    await m.ok(m.post(f"/v1/auctions/{auction['id']}/bids", m.buyer, bid), 201)
    case = await open_case(sv, sv.amr, "listing", listing["id"])
    suspended = await impose(sv, sv.amr, case, "suspend_listing", listing["id"])
    refused = assert_problem(
        await m.post(f"/v1/auctions/{auction['id']}/bids", m.rival, bid), 409, "measure-in-force"
    )
    assert refused["measure_id"] == suspended["measure"]["id"]
    before = await m.balance(m.buyer)
    m.clock.advance(timedelta(hours=3))
    closed = await m.ok(m.post(f"/v1/auctions/{auction['id']}/close", m.seller))
    assert closed["order"] is None
    assert await m.balance(m.buyer) == before + 80_000 + 240  # the escrow comes back
    await money_invariants(m.runtime)
