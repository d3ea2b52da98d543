"""Bad input (issue 16): acting outside a remit (403 naming it), for no agency, on a case one
does not own, dismissing without a reason, unfreezing twice, responding late, facts beyond
the log, a second freeze — each its own problem type, nothing half-written."""

from __future__ import annotations

from datetime import timedelta

from conftest import Supervision
from support_supervision import impose, open_case, wash_pair
from trading.support_trading import refused_unchanged, tier

from support import MakeParticipant, assert_problem


async def test_an_agency_acts_only_within_its_remit_and_the_refusal_names_it(
    sv: Supervision,
) -> None:
    m = sv.m
    listing = await m.list("electricity", ["szdex"])
    opened = await refused_unchanged(
        m.runtime,
        lambda: sv.post(
            "/cases",
            sv.cac,
            {
                "remit": "trading_conduct",
                "subject_type": "listing",
                "subject_id": listing["id"],
                "title": "越权立案",
                "summary": "越权",
            },
        ),
        403,
        "outside-remit",
    )
    assert "trading_conduct" in opened["detail"] and opened["needed_remits"] == ["trading_conduct"]
    case = await open_case(sv, sv.amr, "listing", listing["id"])
    await sv.ok(
        sv.post(
            f"/cases/{case['id']}/referrals",
            sv.amr,
            {"to_agency_id": "gd-cac", "remit": "cross_border", "part": "出境", "reason": "出境"},
        ),
        201,
    )
    # On the case now, the cyberspace agency still cannot suspend a listing.
    body = await refused_unchanged(
        m.runtime,
        lambda: sv.post(
            f"/cases/{case['id']}/measures",
            sv.cac,
            {"kind": "suspend_listing", "subject_id": listing["id"], "reason": "越权"},
        ),
        403,
        "outside-remit",
    )
    assert "trading_conduct" in body["detail"] and "gd-cac" in body["detail"]
    # ... but may require a compliance re-review of the asset (its remit).
    rereview = await impose(sv, sv.cac, case, "require_rereview", listing["asset_id"])
    assert rereview["measure"]["agency_id"] == "gd-cac"
    refused = assert_problem(await m.order(m.buyer, listing), 409, "measure-in-force")
    assert refused["measure_kind"] == "require_rereview" and refused["case_id"] == case["id"]
    # Finance holds no surveillance remit; a regulator of no agency acts for none.
    assert_problem(await sv.post("/alerts/scan", sv.finance, {}), 403, "outside-remit")
    assert_problem(await sv.post("/alerts/scan", sv.stray, {}), 403, "not-agency-member")
    # Other roles are refused at the route.
    assert_problem(await sv.post("/alerts/scan", m.buyer, {}), 403)
    assert_problem(await sv.get("/alerts", m.buyer), 403)


async def test_a_measure_on_a_case_the_agency_does_not_own_is_refused(sv: Supervision) -> None:
    m = sv.m
    case = await open_case(sv, sv.amr, "participant", m.buyer.id)
    body = await refused_unchanged(
        m.runtime,
        lambda: sv.post(
            f"/cases/{case['id']}/measures",
            sv.finance,
            {"kind": "freeze_account", "subject_id": m.buyer.id, "reason": "不是我的案件"},
        ),
        403,
        "case-not-owned",
    )
    assert "gd-amr" in body["detail"] and "gd-nfra" in body["detail"]
    frozen = await impose(sv, sv.amr, case, "freeze_account", m.buyer.id)
    await refused_unchanged(
        m.runtime,
        lambda: sv.post(
            f"/measures/{frozen['measure']['id']}/lift", sv.finance, {"reason": "越权解冻"}
        ),
        403,
        "case-not-owned",
    )
    # A joint decision names only agencies on the case.
    await refused_unchanged(
        m.runtime,
        lambda: sv.post(
            f"/cases/{case['id']}/measures",
            sv.amr,
            {
                "kind": "suspend_trading",
                "subject_id": m.buyer.id,
                "reason": "联合",
                "joint_with": ["gd-nfra"],
            },
        ),
        422,
        "joint-partner-not-on-case",
    )


async def test_an_alert_is_dismissed_only_with_a_reason(
    sv: Supervision, make_participant: MakeParticipant
) -> None:
    start = sv.m.clock.now()
    await wash_pair(sv, make_participant)
    scan = await sv.ok(sv.post("/alerts/scan", sv.amr, {"since": start.isoformat()}), 201)
    alert = scan["raised"][0]
    path = f"/alerts/{alert['id']}/dismissal"
    for body in ({}, {"reason": None}, {"reason": "   "}):
        await refused_unchanged(
            sv.m.runtime, lambda b=body: sv.post(path, sv.amr, b), 422, "dismissal-reason-required"
        )
    # Another remit may not dismiss it either.
    await refused_unchanged(
        sv.m.runtime, lambda: sv.post(path, sv.data, {"reason": "不归我管"}), 403, "outside-remit"
    )
    reviewed = await sv.ok(sv.post(f"/alerts/{alert['id']}/review", sv.amr))
    assert reviewed["state"] == "under_review"
    dismissed = await sv.ok(sv.post(path, sv.amr, {"reason": "系关联企业正常结算"}))
    assert dismissed["state"] == "dismissed"
    assert dismissed["dismissal_reason"] == "系关联企业正常结算"
    assert_problem(await sv.post(path, sv.amr, {"reason": "再次排除"}), 409, "alert-handled")
    # A dismissed alert grounds no case.
    assert_problem(
        await sv.post(
            "/cases",
            sv.amr,
            {
                "remit": "trading_conduct",
                "subject_type": "participant",
                "subject_id": sv.m.buyer.id,
                "title": "x",
                "summary": "x",
                "alert_id": alert["id"],
            },
        ),
        409,
        "alert-handled",
    )


async def test_unfreezing_twice_and_freezing_twice_are_their_own_problems(
    sv: Supervision,
) -> None:
    m = sv.m
    case = await open_case(sv, sv.amr, "participant", m.buyer.id)
    frozen = await impose(sv, sv.amr, case, "freeze_account", m.buyer.id)
    twice = await refused_unchanged(
        m.runtime,
        lambda: sv.post(
            f"/cases/{case['id']}/measures",
            sv.amr,
            {"kind": "freeze_account", "subject_id": m.buyer.id, "reason": "再冻结"},
        ),
        409,
        "measure-already-in-force",
    )
    assert twice["measure_id"] == frozen["measure"]["id"]
    path = f"/measures/{frozen['measure']['id']}/lift"
    await sv.ok(sv.post(path, sv.amr, {"reason": "解冻"}), 201)
    again = await refused_unchanged(
        m.runtime,
        lambda: sv.post(path, sv.amr, {"reason": "再解冻"}),
        409,
        "measure-already-lifted",
    )
    assert again["case_id"] == case["id"]


async def test_the_subject_responds_within_the_deadline_in_working_days(
    sv: Supervision,
) -> None:
    m = sv.m
    listing = await m.list("electricity", ["szdex"])
    case = await open_case(sv, sv.amr, "listing", listing["id"])
    # Opened on a Monday with 5 working days: due the next Monday, same time.
    assert case["respond_by"][:10] == (m.clock.now() + timedelta(days=7)).date().isoformat()
    assert_problem(await sv.get(f"/cases/{case['id']}", m.buyer), 404)
    mine = await sv.ok(sv.get("/cases", m.seller))
    assert [c["id"] for c in mine["items"]] == [case["id"]]
    assert_problem(
        await sv.post(f"/cases/{case['id']}/responses", m.buyer, {"text": "与我无关"}), 404
    )
    m.clock.advance(timedelta(days=7, minutes=1))
    late = await refused_unchanged(
        m.runtime,
        lambda: sv.post(f"/cases/{case['id']}/responses", m.seller, {"text": "迟到的申辩"}),
        409,
        "response-deadline-passed",
    )
    assert late["respond_by"] == case["respond_by"].replace("+00:00", "Z")


async def test_facts_must_be_entries_of_the_log(sv: Supervision) -> None:
    m = sv.m
    case = await open_case(sv, sv.amr, "participant", m.buyer.id)
    await refused_unchanged(
        m.runtime,
        lambda: sv.post(
            f"/cases/{case['id']}/facts", sv.amr, {"entry_index": 10**9, "note": "不存在"}
        ),
        422,
        "fact-entry-out-of-range",
    )
    fact = await sv.ok(
        sv.post(f"/cases/{case['id']}/facts", sv.amr, {"entry_index": 0, "note": "第一条"}), 201
    )
    assert fact["entry_index"] == 0
    await refused_unchanged(
        m.runtime,
        lambda: sv.post(
            "/cases",
            sv.amr,
            {
                "remit": "trading_conduct",
                "subject_type": "trade",
                "subject_id": "no-such-trade",
                "title": "x",
                "summary": "x",
            },
        ),
        422,
        "case-subject-not-found",
    )


async def test_thresholds_are_the_agency_s_own_and_audited(sv: Supervision) -> None:
    m = sv.m
    path = "/agencies/gd-amr/thresholds"
    changed = await sv.ok(
        m.client.put(
            f"/v1/supervision{path}",
            json={"values": {"wash_min_round_trips": 3}},
            headers=sv.amr.auth,
        )
    )
    assert changed["values"]["wash_min_round_trips"] == 3
    for who, values, status, slug in (
        (sv.amr, {"customs_pending_working_days": 9}, 403, "outside-remit"),
        (sv.amr, {"no_such_threshold": 1}, 422, "unknown-threshold"),
        (sv.amr, {"wash_net_flow_bp": 20_000}, 422, "unknown-threshold"),
        (sv.cac, {"wash_min_round_trips": 1}, 403, "not-agency-member"),
    ):
        await refused_unchanged(
            m.runtime,
            lambda w=who, v=values: m.client.put(
                f"/v1/supervision{path}", json={"values": v}, headers=w.auth
            ),
            status,
            slug,
        )
    read = await sv.ok(sv.get(path, sv.data))
    assert read["values"]["wash_min_round_trips"] == 3


async def test_a_city_agency_reports_on_its_city_only(sv: Supervision) -> None:
    m = sv.m
    await sv.ok(
        sv.post(
            "/agencies",
            m.admin,
            {
                "id": "gz-amr",
                "name": "广州市市场监督管理局",
                "name_en": "Guangzhou Administration for Market Regulation",
                "remits": ["trading_conduct"],
                "division_code": "440100",
            },
        ),
        201,
    )
    gz = await sv.ok(sv.get("/reports/gz-amr", sv.amr))
    assert gz["document"]["division"]["code"] == "440100"
    assert_problem(
        await sv.get("/reports/gz-amr", sv.amr, division_code="440300"),
        422,
        "division-outside-agency",
    )
    province = await sv.ok(sv.get("/reports/gd-amr", sv.amr, division_code="440300"))
    assert province["document"]["division"]["name"].startswith("深圳")
    assert_problem(
        await sv.get("/reports/gd-amr", sv.amr, since=m.clock.now().isoformat()),
        422,
        "report-period-invalid",
    )
    assert_problem(
        await sv.post(
            "/agencies",
            m.admin,
            {
                "id": "x-1",
                "name": "x",
                "name_en": "x",
                "remits": ["finance"],
                "division_code": "999999",
            },
        ),
        422,
        "unknown-division",
    )


async def test_trading_measures_bind_buyers_sellers_and_brokers(sv: Supervision) -> None:
    m = sv.m
    listing = await m.list("traffic", ["szdex"], [tier(price_fen=30_000)])
    case = await open_case(sv, sv.amr, "participant", m.seller.id)
    stopped = await impose(sv, sv.amr, case, "suspend_trading", m.seller.id)
    as_seller = assert_problem(await m.order(m.buyer, listing), 409, "measure-in-force")
    assert as_seller["measure_id"] == stopped["measure"]["id"]
    assert_problem(
        await m.post("/v1/listings", m.seller, m.listing_body("electricity", ["szdex"])),
        409,
        "measure-in-force",
    )
    await sv.ok(
        sv.post(f"/measures/{stopped['measure']['id']}/lift", sv.amr, {"reason": "恢复"}), 201
    )
    await m.buy(m.buyer, listing)

    mandate = await m.mandate(m.person)
    licence = m.broker_licences["szdex"]
    suspended = await impose(sv, sv.amr, case, "suspend_broker_licence", licence)
    brokered = assert_problem(
        await m.order(m.broker, listing, mandate_id=mandate["id"]), 409, "measure-in-force"
    )
    assert brokered["measure_id"] == suspended["measure"]["id"]
    assert "Broker licence" in brokered["detail"]
