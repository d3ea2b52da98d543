"""Authorized operation end to end (issue 14): the data authority approves an agreement → the
operator registers a derived asset → certificate → listing → a purchase pays the department its
share in the same journal → the agreement is suspended → the listing is suspended, the reason
shown to buyers and the holder; the due-work runner starts and ends agreements by the clock."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from support_operation import PACKAGE, Province, money_invariants

from exchange.audit.log.models import AuditEntry
from exchange.participants.models import Posting
from exchange.trading.orders.models import Trade
from exchange.vocabulary import Role
from support import MakeParticipant, assert_problem


async def test_agreement_to_derived_sale_pays_the_department_and_suspension_stops_it(
    province: Province,
) -> None:
    p = province
    agreement = await p.approved()
    assert agreement["status"] == "active" and agreement["status_label"] == "运营中"
    assert agreement["authority_department_id"] == p.authority_department_id
    assert agreement["items"][0]["department"]["id"] == p.hr_department_id
    assert [x["label"] for x in agreement["purposes"]] == ["企业信贷", "惠民保险"]

    asset = await p.register()
    assert asset["purpose"] == "enterprise_credit" and asset["purpose_label"] == "企业信贷"
    listing = await p.list_asset(asset["id"])
    assert listing["venues"][0]["status"] == "active"

    hr_before, seller_before = await p.balance(p.hr), await p.balance(p.operator)
    order = await p.ok(p.order(listing), 201)
    assert order["status"] == "settled"
    proceeds = order["price_fen"] - order["seller_fee_fen"]
    share = proceeds * 2000 // 10_000
    assert share > 0
    assert await p.balance(p.hr) == hr_before + share
    assert await p.balance(p.operator) == seller_before + proceeds - share
    # One journal: the department's share is a leg of the trade's own settlement.
    async with p.runtime.sessionmaker() as session:
        journal_id = await session.scalar(
            select(Trade.journal_id).where(Trade.id == order["trade"]["id"])
        )
        legs = (
            await session.execute(
                select(Posting.account_id, Posting.amount_fen).where(
                    Posting.journal_id == journal_id
                )
            )
        ).all()
    assert sum(amount for _, amount in legs) == 0
    assert (p.hr.account_id, share) in legs
    await money_invariants(p.runtime)
    delivery = f"/v1/licences/{order['licence']['id']}/delivery"
    assert (await p.call("GET", delivery, p.buyer)).content == PACKAGE

    # Regulators and the data authority read the agreement, what was derived, what was paid.
    for who in (p.regulator, p.authority, p.hr):
        read = await p.agreement(agreement["id"], who)
        assert read["derived_assets"] == 1 and read["revenue_paid_fen"] == share
    derived = await p.ok(
        p.call("GET", f"/v1/operation/agreements/{agreement['id']}/derivations", p.authority)
    )
    assert derived["total"] == 1 and derived["items"][0]["asset_id"] == asset["id"]
    assert derived["items"][0]["catalog_item_id"] == p.closed_item["id"]
    revenue = await p.ok(
        p.call("GET", f"/v1/operation/agreements/{agreement['id']}/revenue", p.regulator)
    )
    assert revenue["paid_fen"] == share and revenue["total"] == 1
    paid = revenue["items"][0]
    assert paid["trade_id"] == order["trade"]["id"] and paid["participant_id"] == p.hr.id
    assert paid["journal_id"] == journal_id

    # The data authority suspends the agreement: the listing is suspended, with the reason.
    suspended = await p.ok(p.move(agreement["id"], "suspension"))
    assert suspended["status"] == "suspended"
    for who in (p.buyer, p.operator):
        seen = await p.ok(p.call("GET", f"/v1/listings/{listing['id']}", who))
        venue = seen["venues"][0]
        assert venue["status"] == "suspended", who.name
        assert agreement["id"] in venue["reason"] and "授权运营协议" in venue["reason"]
    assert_problem(await p.order(listing), 409, "listing-not-active")
    # Nor is the product delivered any more, even to the licensee who bought it before.
    stopped = assert_problem(
        await p.call("GET", delivery, p.buyer), 409, "operating-agreement-not-live"
    )
    assert stopped["agreement_id"] == agreement["id"]
    # The holder cannot resume what the agreement's suspension stopped.
    resumed = await p.call(
        "POST", f"/v1/listings/{listing['id']}/resume", p.operator, {"reason": "恢复"}
    )
    assert_problem(resumed, 409, "listing-venue-state")
    async with p.runtime.sessionmaker() as session:
        actions = list(await session.scalars(select(AuditEntry.action).order_by(AuditEntry.seq)))
    tail = actions[actions.index("operation.agreement_suspended") :]
    assert tail[:2] == ["operation.agreement_suspended", "trading.listing_suspended"]
    assert "operation.revenue_shared" in actions and "operation.asset_derived" in actions

    # The audit log's payloads rebuild the derived tables: the suspension and the share legs.
    report = await p.ok(p.call("GET", "/v1/audit/reconcile", p.regulator))
    assert report["ok"] is True, report["differences"]


async def test_a_resumed_agreement_lets_the_exchange_reopen_its_products(
    province: Province, make_participant: MakeParticipant
) -> None:
    p = province
    exchange_operator = await make_participant(Role.EXCHANGE_OPERATOR, name="深圳数据交易所运营方")
    await p.ok(
        p.call(
            "POST",
            "/v1/exchanges/szdex/operators",
            p.admin,
            {"participant_id": exchange_operator.id},
        ),
        201,
    )
    agreement = await p.approved()
    listing = await p.list_asset((await p.register())["id"])
    await p.ok(p.move(agreement["id"], "suspension"))
    reopen = {"exchange_id": "szdex", "reason": "恢复挂牌"}
    url = f"/v1/listings/{listing['id']}/resume"
    # While the agreement is suspended, not even the exchange reopens the product.
    problem = assert_problem(
        await p.call("POST", url, exchange_operator, reopen), 409, "operating-agreement-not-live"
    )
    assert problem["agreement_id"] == agreement["id"]
    # Only the data authority resumes the agreement (the department holding the data cannot).
    assert_problem(await p.move(agreement["id"], "resumption", p.hr), 403, "not-data-authority")
    assert (await p.ok(p.move(agreement["id"], "resumption")))["status"] == "active"
    reopened = await p.ok(p.call("POST", url, exchange_operator, reopen))
    assert reopened["venues"][0]["status"] == "active"
    assert (await p.ok(p.order(listing), 201))["status"] == "settled"


async def test_the_clock_starts_and_ends_agreements_and_the_end_suspends_listings(
    province: Province,
) -> None:
    p = province
    start = p.clock.now() + timedelta(days=1)
    later = await p.approved(
        starts_at=start.isoformat(), ends_at=(start + timedelta(days=30)).isoformat()
    )
    assert later["status"] == "approved"
    # Before its term begins, nothing may be derived under it.
    problem = assert_problem(await p.apply(), 409, "operating-agreement-not-live")
    assert problem["agreement_id"] == later["id"] and problem["agreement_status"] == "approved"

    moved = await p.ok(p.call("POST", "/v1/clock/advance", p.admin, {"by": "P2D"}))
    assert moved["due_work"]["agreements_activated"] == [later["id"]]
    assert (await p.agreement(later["id"]))["status"] == "active"
    asset = await p.register()  # publicity moves the clock another week
    listing = await p.list_asset(asset["id"])

    moved = await p.ok(p.call("POST", "/v1/clock/advance", p.admin, {"by": "P30D"}))
    assert moved["due_work"]["agreements_expired"] == [later["id"]]
    ended = await p.agreement(later["id"])
    assert ended["status"] == "expired" and ended["status_label"] == "已到期"
    venue = (await p.ok(p.call("GET", f"/v1/listings/{listing['id']}", p.buyer)))["venues"][0]
    assert venue["status"] == "suspended" and "已到期" in venue["reason"]
    assert_problem(await p.order(listing), 409, "listing-not-active")
    # Registering under the expired agreement is refused, naming it.
    problem = assert_problem(
        await p.apply(name="另一参保指数", fingerprint="a" * 64),
        409,
        "operating-agreement-not-live",
    )
    assert problem["agreement_status"] == "expired"
    # A second run finds nothing more to do.
    again = await p.ok(p.call("POST", "/v1/clock/advance", p.admin, {"by": "PT1M"}))
    assert again["due_work"]["agreements_expired"] == []
