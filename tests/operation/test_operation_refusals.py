"""Bad input to authorized operation: each refusal has its own problem type and changes
nothing (the audit log, agreements, derivations, shares, assets and balances)."""

from __future__ import annotations

from collections.abc import Awaitable
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from support_operation import Province, count, item_body, refused_unchanged

from exchange.audit.log.models import AuditEntry
from exchange.operation.agreements.models import Agreement
from exchange.vocabulary import Role
from support import MakeParticipant, assert_problem

AGREEMENTS = "/v1/operation/agreements"


def _proposal(p: Province, **overrides: Any) -> Awaitable[httpx.Response]:
    return p.call("POST", AGREEMENTS, p.operator, p.agreement_body(**overrides))


@pytest.mark.parametrize("share_bp", [-1, 10_001, 1_000_000])
async def test_a_share_outside_0_to_100_percent_is_refused(
    province: Province, share_bp: int
) -> None:
    p = province
    problem = await refused_unchanged(
        p.runtime,
        lambda: _proposal(p, revenue_share_bp=share_bp),
        422,
        "revenue-share-out-of-range",
    )
    assert problem["revenue_share_bp"] == share_bp and "0–10000" in problem["detail"]


async def test_shares_of_0_and_100_percent_are_accepted(province: Province) -> None:
    p = province
    for share_bp in (0, 10_000):
        agreement = await p.propose(revenue_share_bp=share_bp)
        assert agreement["revenue_share_bp"] == share_bp


async def test_what_an_agreement_may_cover(province: Province, admin: Any) -> None:
    p = province
    closed, conditional = p.closed_item["id"], p.conditional_item["id"]
    cases: list[tuple[dict[str, Any], int, str]] = [
        # Raw records of data that is not open never leave (不予开放数据不得原样运营).
        ({"forms": ["dataset", "report"]}, 409, "raw-records-not-open"),
        # Data open to all needs no agreement.
        (
            {"items": [{"item_id": p.open_item["id"], "fields": ["district"]}]},
            409,
            "item-unconditionally-open",
        ),
        (
            {"items": [{"item_id": "no-such-item", "fields": ["district"]}]},
            422,
            "operating-agreement-items-invalid",
        ),
        (
            {"items": [{"item_id": closed, "fields": ["salary"]}]},
            422,
            "operating-agreement-items-invalid",
        ),
        (
            {"items": [{"item_id": closed, "fields": ["district"]}] * 2},
            422,
            "operating-agreement-items-invalid",
        ),
    ]
    now = p.clock.now()
    for start, end in [(now, now), (now - timedelta(days=30), now - timedelta(days=1))]:
        cases.append(
            (
                {"starts_at": start.isoformat(), "ends_at": end.isoformat()},
                422,
                "operating-agreement-term-invalid",
            )
        )
    for overrides, status, slug in cases:

        def call(overrides: dict[str, Any] = overrides) -> Awaitable[httpx.Response]:
            return _proposal(p, **overrides)

        await refused_unchanged(p.runtime, call, status, slug)
    # A conditionally open item may be operated as a dataset (under its conditions).
    accepted = await p.propose(
        items=[{"item_id": conditional, "fields": ["district", "reg_month"]}],
        forms=["dataset"],
    )
    assert accepted["items"][0]["opening"] == "conditional"


async def test_a_department_without_an_account_cannot_be_paid_so_is_refused(
    province: Province,
) -> None:
    p = province
    r = await p.call(
        "POST",
        "/v1/departments",
        p.admin,
        {"code": "OP-440000-HSA", "name": "广东省医疗保障局", "division_code": "440000"},
    )
    unbound = r.json()["id"]
    r = await p.call(
        "POST", "/v1/catalog/items", p.admin, item_body(unbound, "医保参保信息", opening="not_open")
    )
    item = r.json()["id"]
    await refused_unchanged(
        p.runtime,
        lambda: _proposal(p, items=[{"item_id": item, "fields": ["district"]}]),
        409,
        "department-without-account",
    )


async def test_only_the_data_authority_of_the_division_decides(
    province: Province, make_participant: MakeParticipant
) -> None:
    p = province
    agreement = await p.propose()
    # The department holding the data is not the data authority; a regulator or an operator
    # never decides (403 at the route); Guangzhou's authority does not reach a provincial
    # department's items, so it does not even see the agreement.
    for who, status, slug in [
        (p.hr, 403, "not-data-authority"),
        (p.regulator, 403, "forbidden"),
        (p.operator, 403, "forbidden"),
        (p.city_authority, 404, "operating-agreement-not-found"),
    ]:

        def call(who: Any = who) -> Awaitable[httpx.Response]:
            return p.decide(agreement["id"], who=who)

        await refused_unchanged(p.runtime, call, status, slug)
    # A department outside the agreement's view does not learn it exists.
    stranger = await make_participant(Role.DEPARTMENT, name="无关部门")
    await refused_unchanged(
        p.runtime,
        lambda: p.decide(agreement["id"], who=stranger),
        404,
        "operating-agreement-not-found",
    )
    assert (await p.ok(p.decide(agreement["id"])))["status"] == "active"
    # Decided once: a second decision is a state conflict.
    await refused_unchanged(
        p.runtime, lambda: p.decide(agreement["id"]), 409, "operating-agreement-state"
    )


async def test_state_and_reason_rules_of_the_agreement(province: Province) -> None:
    p = province
    proposed = await p.propose()
    refusal = {"decision": "refuse", "reason": ""}
    url = f"{AGREEMENTS}/{proposed['id']}"
    await refused_unchanged(
        p.runtime,
        lambda: p.call("POST", f"{url}/decision", p.authority, refusal),
        422,
        "invalid-input",
    )
    for step in ("suspension", "resumption"):

        def call(step: str = step) -> Awaitable[httpx.Response]:
            return p.move(proposed["id"], step)

        await refused_unchanged(p.runtime, call, 409, "operating-agreement-state")
    # Another enterprise neither sees nor ends it.
    await refused_unchanged(
        p.runtime,
        lambda: p.move(proposed["id"], "termination", p.rival),
        404,
        "operating-agreement-not-found",
    )
    # Its operator withdraws it; ended, it stays ended.
    withdrawn = await p.ok(p.move(proposed["id"], "termination", p.operator))
    assert withdrawn["status"] == "terminated" and withdrawn["reason"]
    await refused_unchanged(
        p.runtime,
        lambda: p.move(proposed["id"], "termination", p.operator),
        409,
        "operating-agreement-state",
    )
    refused = await p.propose()
    r = await p.call(
        "POST",
        f"{AGREEMENTS}/{refused['id']}/decision",
        p.authority,
        {"decision": "refuse", "reason": "安全责任不明确"},
    )
    assert r.json()["status"] == "refused" and r.json()["status_label"] == "未获批准"


async def test_who_sees_agreements(province: Province, make_participant: MakeParticipant) -> None:
    p = province
    agreement = await p.approved()
    for who in (p.operator, p.hr, p.authority, p.regulator, p.admin):
        listed = await p.ok(p.call("GET", AGREEMENTS, who))
        assert [a["id"] for a in listed["items"]] == [agreement["id"]], who.name
    for who in (p.rival, p.city_authority):
        assert (await p.ok(p.call("GET", AGREEMENTS, who)))["total"] == 0, who.name
        for path in ("", "/derivations", "/revenue"):
            r = await p.call("GET", f"{AGREEMENTS}/{agreement['id']}{path}", who)
            assert_problem(r, 404, "operating-agreement-not-found")
    # People, brokers, lenders and reviewers never list agreements: 403 at the route.
    person = await make_participant(Role.INDIVIDUAL)
    assert_problem(await p.call("GET", AGREEMENTS, person), 403, "forbidden")
    # The enterprise's filter cannot widen its view.
    mine = await p.ok(p.call("GET", AGREEMENTS, p.rival, params={"operator_id": p.operator.id}))
    assert mine["total"] == 0
    purposes = await p.ok(p.call("GET", "/v1/operation/purposes", person))
    assert {"code": "enterprise_credit", "label": "企业信贷"} in purposes["items"]


async def test_registering_outside_the_grant_is_refused_each_with_its_own_type(
    province: Province,
) -> None:
    p = province
    # No agreement at all (a proposal is no grant).
    agreement = await p.propose()
    problem = await refused_unchanged(p.runtime, p.apply, 409, "operation-grant-required")
    assert problem["missing_grant"] == {
        "holder_id": p.operator.id,
        "catalog_item_id": p.closed_item["id"],
        "purpose": "enterprise_credit",
        "product_form": "indicator",
    }
    assert "授权运营" in problem["rule"]
    await p.ok(p.decide(agreement["id"]))
    cases: list[tuple[dict[str, Any], int, str]] = [
        ({"purpose": None}, 422, "operation-purpose-required"),
        ({"purpose": "personal_credit"}, 409, "operation-purpose-not-granted"),
        ({"product_form": "api"}, 409, "operation-form-not-granted"),
        ({"product_form": "dataset"}, 409, "operation-form-not-granted"),
    ]
    for overrides, status, slug in cases:

        def call(overrides: dict[str, Any] = overrides) -> Awaitable[httpx.Response]:
            return p.apply(**overrides)

        body = await refused_unchanged(p.runtime, call, status, slug)
        assert agreement["id"] in body["detail"], slug
    # Another enterprise holds no grant under the operator's agreement.
    await refused_unchanged(p.runtime, lambda: p.apply(p.rival), 409, "operation-grant-required")
    # Suspended: registering under it is refused, naming it.
    await p.ok(p.move(agreement["id"], "suspension"))
    problem = await refused_unchanged(p.runtime, p.apply, 409, "operating-agreement-not-live")
    assert problem["agreement_id"] == agreement["id"]
    assert problem["agreement_status"] == "suspended"
    # A product of data open to all needs no grant.
    open_source = await p.apply(p.rival, source_catalog_item_ids=[p.open_item["id"]])
    assert open_source.status_code == 201, open_source.text


async def test_a_change_application_is_held_to_the_same_grant(province: Province) -> None:
    p = province
    asset = await p.register(p.rival, source_catalog_item_ids=[p.open_item["id"]], purpose=None)
    url = f"/v1/assets/{asset['id']}/applications"
    body = {
        "kind": "change",
        "reason": "补充数据来源",
        "source_catalog_item_ids": [p.open_item["id"], p.closed_item["id"]],
        "purpose": "enterprise_credit",
    }
    await refused_unchanged(
        p.runtime, lambda: p.call("POST", url, p.rival, body), 409, "operation-grant-required"
    )


async def test_an_exclusive_agreement_holds_its_items_for_its_term(province: Province) -> None:
    p = province
    exclusive = await p.approved(exclusive=True)
    problem = await refused_unchanged(
        p.runtime,
        lambda: p.call("POST", AGREEMENTS, p.rival, p.agreement_body()),
        409,
        "exclusive-operation-conflict",
    )
    assert problem["agreement_id"] == exclusive["id"]
    assert problem["catalog_item_id"] == p.closed_item["id"] and "独家" in problem["rule"]
    # After its term, another operator may hold the item.
    after = p.clock.now() + timedelta(days=365)
    later = await p.propose(
        p.rival,
        starts_at=after.isoformat(),
        ends_at=(after + timedelta(days=30)).isoformat(),
        exclusive=True,
    )
    assert later["status"] == "proposed"
    # Other items stay free for anyone.
    other = await p.propose(
        p.rival, items=[{"item_id": p.conditional_item["id"], "fields": ["district"]}]
    )
    assert other["status"] == "proposed"


async def test_designating_the_data_authority(province: Province) -> None:
    p = province
    r = await p.call(
        "POST",
        "/v1/departments",
        p.admin,
        {"code": "OP-440000-OTHER", "name": "广东省另一部门", "division_code": "440000"},
    )
    other = r.json()["id"]
    url = f"/v1/departments/{other}"
    # One data authority per division; only an admin designates.
    problem = await refused_unchanged(
        p.runtime,
        lambda: p.call("PATCH", url, p.admin, {"data_authority": True}),
        409,
        "data-authority-taken",
    )
    assert problem["department_id"] == p.authority_department_id
    await refused_unchanged(
        p.runtime,
        lambda: p.call("PATCH", url, p.authority, {"data_authority": True}),
        403,
        "forbidden",
    )
    before = await count(p.runtime, AuditEntry)
    withdrawn = await p.ok(
        p.call(
            "PATCH",
            f"/v1/departments/{p.authority_department_id}",
            p.admin,
            {"data_authority": False},
        )
    )
    assert withdrawn["data_authority"] is False
    async with p.runtime.sessionmaker() as session:
        entry = (
            await session.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(1))
        ).one()
    assert await count(p.runtime, AuditEntry) == before + 1
    assert entry.action == "catalog.department_updated"
    # Withdrawn, it no longer decides, nor sees agreements over other departments' items.
    agreement = await p.propose()
    assert_problem(await p.decide(agreement["id"]), 404, "operating-agreement-not-found")
    assert await count(p.runtime, Agreement) == 1
