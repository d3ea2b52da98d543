"""Usage policies on licence tiers: validated at listing, shown, negotiated within the seller's
allowance, copied into the licence, exported as ODRL JSON-LD that a JSON-LD processor reads."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from pyld import jsonld
from sqlalchemy import update
from support_policies import CN_CREDIT, licence_for, register_more
from support_trading import AssetSpec, Market, audit_size, file_delivery, register_assets, tier

from exchange.trading.licences.models import Licence
from exchange.vocabulary import Role
from support import MakeParticipant, assert_problem

ODRL = "http://www.w3.org/ns/odrl/2/"


def _offline(url: str, options: Any = None) -> Any:
    raise AssertionError(f"the ODRL export must not need a remote document: {url}")


def triples(document: dict[str, Any]) -> set[tuple[str, str, str]]:
    """The document's RDF as a real JSON-LD processor reads it (no network)."""
    dataset = jsonld.to_rdf(document, {"documentLoader": _offline})
    out = set()
    for triple in dataset["@default"]:
        out.add(
            (triple["subject"]["value"], triple["predicate"]["value"], triple["object"]["value"])
        )
    return out


def objects(found: set[tuple[str, str, str]], subject: str, predicate: str) -> set[str]:
    return {o for s, p, o in found if s == subject and p == predicate}


def constraint_values(found: set[tuple[str, str, str]], left: str) -> set[str]:
    """Right operands of every constraint on `left` (an ODRL left operand IRI)."""
    nodes = {s for s, p, o in found if p == ODRL + "leftOperand" and o == left}
    return {o for s, p, o in found if s in nodes and p == ODRL + "rightOperand"}


async def test_listing_shows_the_policy_and_exports_it_as_an_odrl_offer(market: Market) -> None:
    m = market
    listing = await m.list("electricity", ("szdex",), [{**tier("策略版"), "policy": CN_CREDIT}])
    shown = listing["tiers"][0]
    assert shown["policy"]["purposes"] == ["credit_assessment", "risk_control"]
    assert "使用目的：信贷评估、风险控制" in shown["policy_labels"]
    assert (
        "禁止转售" in shown["policy_labels"] and "使用次数：每日至多 2 次" in shown["policy_labels"]
    )
    # Anyone browsing sees it too.
    browsed = await m.ok(m.get(f"/v1/listings/{listing['id']}", m.rival))
    assert browsed["tiers"][0]["policy"] == shown["policy"]

    r = await m.get(f"/v1/listings/{listing['id']}/tiers/{shown['id']}/policy", m.rival)
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/ld+json")
    found = triples(r.json())
    uid = r.json()["uid"]
    assert objects(found, uid, "http://www.w3.org/1999/02/22-rdf-syntax-ns#type") == {
        ODRL + "Offer"
    }
    assert constraint_values(found, ODRL + "purpose") == {
        "urn:gdx:purpose:credit_assessment",
        "urn:gdx:purpose:risk_control",
    }
    assert constraint_values(found, ODRL + "spatial") == {"CN"}
    assert constraint_values(found, ODRL + "count") == {"2"}
    assert constraint_values(found, ODRL + "elapsedTime") == {"P365D"}
    prohibited = {
        o
        for s, p, o in found
        if p == ODRL + "action" and s in objects(found, uid, ODRL + "prohibition")
    }
    assert prohibited == {ODRL + "sell", ODRL + "grantUse"}


async def test_a_policy_the_platform_cannot_enforce_is_refused_at_listing(
    market: Market, make_participant: MakeParticipant
) -> None:
    m = market
    before = await audit_size(m.runtime)
    compute = {
        "access": "compute",
        "compute": {"dimensions": ["区县"], "measures": {"指数": {"lower": 0, "upper": 200}}},
    }
    # Computation over an API description (JSON), not a CSV table.
    body = m.listing_body("credit", ("szdex",), [{**tier(), "policy": compute}])
    body["delivery"].update(media_type="application/json", filename="接口说明.json")
    r = await m.post("/v1/listings", m.seller, body)
    problem = assert_problem(r, 409, "policy-not-enforceable")
    assert problem["clause"] == "access"
    # A dimension that is not a column of the table.
    bad = {**compute, "compute": {"dimensions": ["城市"], "measures": {}}}
    r = await m.post(
        "/v1/listings",
        m.seller,
        m.listing_body("electricity", ("szdex",), [{**tier(), "policy": bad}]),
    )
    assert "城市" in assert_problem(r, 409, "policy-not-enforceable")["detail"]
    # A measure that does not hold numbers.
    words = {
        **compute,
        "compute": {"dimensions": [], "measures": {"行业": {"lower": 0, "upper": 1}}},
    }
    r = await m.post(
        "/v1/listings",
        m.seller,
        m.listing_body("electricity", ("szdex",), [{**tier(), "policy": words}]),
    )
    assert "行业" in assert_problem(r, 409, "policy-not-enforceable")["detail"]
    # Metered rows of a non-table; an unknown purpose; compute terms without compute access.
    metered = m.listing_body("credit", ("szdex",), [{**tier(), "policy": {"access": "metered"}}])
    metered["delivery"].update(media_type="application/json", filename="接口说明.json")
    r = await m.post("/v1/listings", m.seller, metered)
    assert assert_problem(r, 409, "policy-not-enforceable")["clause"] == "access"
    for policy in (
        {"purposes": ["gambling"]},
        {"purposes": []},
        {"access": "download", "compute": compute["compute"]},
        {"quota": {"limit": 0, "period": "day"}},
        {"territories": ["china"]},
        {"purposes": ["research"], "negotiable": {"purposes": ["marketing"]}},
        {"compute": {"epsilon_per_query": 2.0, "epsilon_budget": 1.0}, "access": "compute"},
    ):
        r = await m.post(
            "/v1/listings",
            m.seller,
            m.listing_body("electricity", ("szdex",), [{**tier(), "policy": policy}]),
        )
        assert_problem(r, 422)
    assert await audit_size(m.runtime) == before


async def test_the_licence_carries_the_policy_and_exports_an_odrl_agreement(
    market: Market,
) -> None:
    m = market
    listing, licence = await licence_for(m, "electricity", CN_CREDIT)
    assert licence["policy"] == listing["tiers"][0]["policy"]
    assert licence["usage"]["quota_limit"] == 2 and licence["usage"]["used_in_period"] == 0
    assert licence["usage"]["deletion"] == "not_due"

    r = await m.get(f"/v1/licences/{licence['id']}/policy", m.buyer)
    assert r.status_code == 200
    document = r.json()
    found = triples(document)
    uid = document["uid"]
    assert objects(found, uid, "http://www.w3.org/1999/02/22-rdf-syntax-ns#type") == {
        ODRL + "Agreement"
    }
    assert objects(found, uid, ODRL + "assignee") == {
        f"http://testserver/v1/participants/{m.buyer.id}"
    }
    assert objects(found, uid, ODRL + "assigner") == {
        f"http://testserver/v1/participants/{m.seller.id}"
    }
    # Deletion at expiry is an obligation after the licence's end; attribution a duty.
    deletion = objects(found, uid, ODRL + "obligation")
    assert {o for s, p, o in found if s in deletion and p == ODRL + "action"} == {ODRL + "delete"}
    assert licence["expires_at"].replace("Z", "") in " ".join(
        constraint_values(found, ODRL + "dateTime")
    ).replace("Z", "")
    duties = {o for s, p, o in found if p == ODRL + "duty"}
    assert {o for s, p, o in found if s in duties and p == ODRL + "action"} == {ODRL + "attribute"}
    # The licensor and regulators read it; others get 404.
    assert (await m.get(f"/v1/licences/{licence['id']}/policy", m.seller)).status_code == 200
    assert (await m.get(f"/v1/licences/{licence['id']}/policy", m.regulator)).status_code == 200
    assert_problem(await m.get(f"/v1/licences/{licence['id']}/policy", m.rival), 404)


async def test_a_counter_offer_moves_the_policy_only_within_the_sellers_allowance(
    market: Market,
) -> None:
    m = market
    policy = {
        **CN_CREDIT,
        "purposes": ["credit_assessment"],
        "negotiable": {
            "purposes": ["credit_assessment", "risk_control", "research"],
            "quota_limit_max": 10,
        },
    }
    listing = await m.list("traffic", ("szdex",), [{**tier("策略版"), "policy": policy}])
    base = {
        "listing_id": listing["id"],
        "tier_id": listing["tiers"][0]["id"],
        "exchange_id": "szdex",
    }
    # Outside the allowance: marketing, and a quota above ten; or a clause the seller fixed.
    for wanted in (
        {**policy, "purposes": ["marketing"]},
        {**policy, "quota": {"limit": 11, "period": "day"}},
        {**policy, "prohibitions": ["sublicensing"]},
    ):
        r = await m.post(
            "/v1/negotiations", m.buyer, {**base, "price_fen": 90_000, "policy": wanted}
        )
        assert_problem(r, 409, "policy-outside-allowance")
    wanted = {**policy, "purposes": ["research"], "quota": {"limit": 5, "period": "day"}}
    n = await m.ok(
        m.post("/v1/negotiations", m.buyer, {**base, "price_fen": 90_000, "policy": wanted}), 201
    )
    assert n["policy"]["purposes"] == ["research"]
    # The provider offers a higher price and moves the quota back down; the buyer accepts.
    offered = {**wanted, "quota": {"limit": 3, "period": "day"}}
    n = await m.ok(
        m.post(
            f"/v1/negotiations/{n['id']}/offer", m.seller, {"price_fen": 95_000, "policy": offered}
        )
    )
    assert n["policy"]["quota"]["limit"] == 3
    assert_problem(
        await m.post(f"/v1/negotiations/{n['id']}/accept", m.buyer, {"policy": wanted}), 409
    )
    await m.ok(m.post(f"/v1/negotiations/{n['id']}/accept", m.buyer, {}))
    await m.ok(m.post(f"/v1/negotiations/{n['id']}/agree", m.seller, {}))
    order = await m.ok(m.post(f"/v1/negotiations/{n['id']}/settle", m.buyer, {}), 201)
    licence = order["licence"]
    assert licence["policy"]["purposes"] == ["research"]
    assert licence["policy"]["quota"]["limit"] == 3
    # A tier without a policy has nothing to negotiate.
    plain = await m.list("logistics", ("szdex",))
    r = await m.post(
        "/v1/negotiations",
        m.buyer,
        {
            "listing_id": plain["id"],
            "tier_id": plain["tiers"][0]["id"],
            "exchange_id": "szdex",
            "price_fen": 90_000,
            "policy": wanted,
        },
    )
    assert_problem(r, 409, "policy-outside-allowance")


async def test_a_buyer_outside_the_territory_cannot_buy(market: Market) -> None:
    m = market
    listing = await m.list("traffic", ("szdex",), [{**tier("策略版"), "policy": CN_CREDIT}])
    problem = assert_problem(await m.order(m.hk_buyer, listing), 409, "usage-territory-not-allowed")
    assert problem["clause"] == "territory" and problem["jurisdiction"] == "HK"


async def test_no_resale_refuses_a_licensee_listing_the_bytes_it_licensed(
    market: Market, make_participant: MakeParticipant
) -> None:
    m = market
    _, licence = await licence_for(m, "electricity", CN_CREDIT)
    # The buyer registers the very bytes it licensed as an asset of its own and lists them.
    spec = m.specs["electricity"]
    own = await register_more_for(m, make_participant, spec)
    body = {
        "asset_id": own,
        "title": "转售的用电指数",
        "venues": ["szdex"],
        "tiers": [tier()],
        "delivery": file_delivery(spec.package),
    }
    problem = assert_problem(await m.post("/v1/listings", m.buyer, body), 409, "resale-prohibited")
    assert problem["licence_id"] == licence["id"] and problem["clause"] == "resale"


async def register_more_for(m: Market, make_participant: MakeParticipant, spec: AssetSpec) -> str:
    """The buyer registers an asset of its own with these bytes."""
    reviewers = [await make_participant(Role.COMPLIANCE_REVIEWER) for _ in range(2)]
    (asset_id,) = await register_assets(
        m.runtime, m.clock, holder=m.buyer, reviewers=reviewers, specs=[spec]
    )
    return asset_id


async def test_the_deletion_duty_is_confirmed_once_after_expiry(market: Market) -> None:
    m = market
    _, licence = await licence_for(m, "electricity", CN_CREDIT, term_days=10)
    url = f"/v1/licences/{licence['id']}/deletion"
    assert_problem(await m.post(url, m.buyer, {}), 409, "deletion-not-due")
    assert_problem(await m.post(url, m.seller, {}), 403)
    m.clock.advance(timedelta(days=11))
    read = await m.ok(m.get(f"/v1/licences/{licence['id']}", m.seller))
    assert read["usage"]["deletion"] == "due"
    confirmed = await m.ok(m.post(url, m.buyer, {}))
    assert confirmed["usage"]["deletion"] == "confirmed"
    assert_problem(await m.post(url, m.buyer, {}), 409, "deletion-not-due")


async def test_a_listing_delivers_a_package_deposited_before_without_carrying_it(
    market: Market, make_participant: MakeParticipant
) -> None:
    m = market
    package = "月份,指数\n".encode() + b"".join(
        f"2026-{i:02d},{i}\n".encode() for i in range(1, 13)
    )
    (asset_id,) = await register_more(m, make_participant, [AssetSpec("存量数据包", package)])
    url = f"/v1/assets/{asset_id}/package"
    body = {"asset_id": asset_id, "title": "先存后挂", "venues": ["szdex"], "tiers": [tier()]}
    delivery = {"kind": "file", "filename": "指数.csv", "media_type": "text/csv"}
    assert_problem(
        await m.post("/v1/listings", m.seller, {**body, "delivery": delivery}),
        404,
        "asset-package-not-stored",
    )
    r = await m.client.put(
        url, params={"filename": "指数.csv"}, content=package, headers=m.seller.auth
    )
    assert r.status_code == 200, r.text
    listing = await m.ok(m.post("/v1/listings", m.seller, {**body, "delivery": delivery}), 201)
    assert listing["delivery"]["size"] == len(package)
    bought = await m.buy(m.buyer, listing)
    got = await m.client.get(
        f"/v1/licences/{bought['licence']['id']}/delivery", headers=m.buyer.auth
    )
    assert got.status_code == 200 and got.content == package


async def test_a_policy_changed_behind_the_platforms_back_is_found_by_reconciliation(
    market: Market,
) -> None:
    m = market
    _, licence = await licence_for(m, "electricity", CN_CREDIT)
    report = await m.ok(m.get("/v1/audit/reconcile", m.regulator))
    assert report["ok"] is True, report["differences"]
    # Someone with database access lifts the quota and the territory of a licence.
    loosened = {**licence["policy"], "quota": None, "territories": None}
    async with m.runtime.engine.begin() as conn:
        await conn.execute(
            update(Licence).where(Licence.id == licence["id"]).values(policy=loosened)
        )
    report = await m.ok(m.get("/v1/audit/reconcile", m.regulator))
    found = {(d["table"], d["row_id"], d["column"]) for d in report["differences"]}
    assert found == {("trading_licences", licence["id"], "policy")}
