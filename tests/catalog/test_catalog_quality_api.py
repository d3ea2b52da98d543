"""Quality checks of uploaded samples, stored reports, and the desensitized preview."""

from __future__ import annotations

import json
from datetime import timedelta

import httpx
from catalog_helpers import bound_department, create_elements, item_body, publish
from sqlalchemy import func, select

from exchange.audit.log.models import AuditEntry
from exchange.catalog.quality.models import QualityReport
from exchange.clock import ManualClock
from exchange.context import Runtime
from exchange.vocabulary import Role
from support import Actor, MakeParticipant, assert_problem

GOOD = [
    {
        "person_name": "陈小明",
        "id_number": "440106199001011234",
        "mobile": "13812345678",
        "insurance_type": "养老",
        "updated_at": "2026-11-23T08:00:00+08:00",
    },
    {
        "person_name": "李华",
        "id_number": "44030519851212002X",
        "mobile": "13900001111",
        "insurance_type": "医疗",
        "updated_at": "2026-11-22T20:00:00+08:00",
    },
]
CSV = (
    "姓名,公民身份号码,mobile,insurance_type,updated_at\n"
    "陈小明,440106199001011234,13812345678,养老,2026-11-23T08:00:00+08:00\n"
    "陈小明,440106199001011234,1381234,工伤,2026-10-01T08:00:00+08:00\n"
    ",9999,,,\n"
)


async def reports(runtime: Runtime) -> int:
    async with runtime.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(QualityReport)) or 0)


async def setup(
    client: httpx.AsyncClient, admin: Actor, make_participant: MakeParticipant
) -> tuple[Actor, dict[str, object]]:
    hrss, _ = await bound_department(
        client, admin, make_participant, code="HRSS", name="广东省人力资源和社会保障厅"
    )
    await create_elements(client, hrss)
    return hrss, await publish(client, hrss, item_body())


async def test_json_sample_passes_and_the_report_shows_with_the_item(
    client: httpx.AsyncClient, admin: Actor, make_participant: MakeParticipant
) -> None:
    hrss, item = await setup(client, admin, make_participant)
    r = await client.post(
        f"/v1/catalog/items/{item['id']}/quality-checks", json=GOOD, headers=hrss.auth
    )
    assert r.status_code == 201, r.text
    report = r.json()
    assert report["passed"] is True and report["score"] == 100
    assert report["completeness_pct"] == 100.0 and report["timeliness_pct"] == 100.0
    assert report["report"]["timeliness"]["max_age_days"] == 2
    shown = (await client.get(f"/v1/catalog/items/{item['id']}", headers=hrss.auth)).json()
    assert [q["id"] for q in shown["quality_reports"]] == [report["id"]]
    full = await client.get(
        f"/v1/catalog/items/{item['id']}/quality-reports/{report['id']}", headers=hrss.auth
    )
    assert full.json()["report"] == report["report"]


async def test_csv_sample_report_names_each_failure(
    client: httpx.AsyncClient,
    admin: Actor,
    make_participant: MakeParticipant,
    runtime: Runtime,
    clock: ManualClock,
) -> None:
    hrss, item = await setup(client, admin, make_participant)
    r = await client.post(
        f"/v1/catalog/items/{item['id']}/quality-checks",
        content=CSV.encode(),
        headers={**hrss.auth, "content-type": "text/csv; charset=utf-8"},
    )
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["source_format"] == "csv" and body["record_count"] == 3
    assert body["passed"] is False
    rules = {(x["field"], x["rule"]): x for x in body["report"]["validity"]["rules"]}
    assert rules[("id_number", "pattern")]["examples"] == [3]
    assert rules[("mobile", "pattern")]["examples"] == [2]
    assert rules[("insurance_type", "enum")]["failed"] == 1
    assert rules[("person_name", "required")]["examples"] == [3]
    assert body["duplicate_records"] == 1
    assert body["report"]["duplicates"]["examples"] == [[1, 2]]
    timeliness = body["report"]["timeliness"]
    assert (timeliness["within"], timeliness["stale"], timeliness["unparseable"]) == (1, 1, 1)
    assert body["completeness_pct"] == round(11 / 15 * 100, 1)
    # Reports are kept: a later check adds another, newest first.
    clock.advance(timedelta(hours=1))
    await client.post(
        f"/v1/catalog/items/{item['id']}/quality-checks", json=GOOD, headers=hrss.auth
    )
    listed = (
        await client.get(f"/v1/catalog/items/{item['id']}/quality-reports", headers=hrss.auth)
    ).json()
    assert listed["total"] == 2 and [q["passed"] for q in listed["items"]] == [True, False]
    async with runtime.sessionmaker() as session:
        leaf = (
            await session.scalars(
                select(AuditEntry.leaf)
                .where(AuditEntry.action == "catalog.quality_checked")
                .order_by(AuditEntry.seq)
            )
        ).first()
    assert leaf is not None and json.loads(leaf)["payload"]["report"]["record_count"] == 3


async def test_bad_uploads_get_clear_problems_and_store_nothing(
    client: httpx.AsyncClient, admin: Actor, make_participant: MakeParticipant, runtime: Runtime
) -> None:
    hrss, item = await setup(client, admin, make_participant)
    url = f"/v1/catalog/items/{item['id']}/quality-checks"
    gbk = CSV.encode("gbk")
    r = await client.post(url, content=gbk, headers={**hrss.auth, "content-type": "text/csv"})
    problem = assert_problem(r, 422, "bad-encoding")
    assert "not UTF-8" in problem["detail"] and "GBK" in problem["detail"]
    wrong = "姓名,身份证,工资\n张三,1,2\n".encode()
    r = await client.post(url, content=wrong, headers={**hrss.auth, "content-type": "text/csv"})
    problem = assert_problem(r, 422, "wrong-columns")
    assert problem["unknown_columns"] == ["身份证", "工资"]
    assert "id_number" in problem["missing_columns"]
    r = await client.post(url, json=[{"person_name": "张三", "salary": 1}], headers=hrss.auth)
    assert assert_problem(r, 422, "wrong-columns")["unknown_columns"] == ["salary"]
    r = await client.post(url, json={"not": "a list"}, headers=hrss.auth)
    assert_problem(r, 422, "bad-sample")
    r = await client.post(
        url, content=b"<xml/>", headers={**hrss.auth, "content-type": "application/xml"}
    )
    assert_problem(r, 415, "unsupported-sample-format")
    other = await make_participant(Role.DEPARTMENT)
    assert_problem(await client.post(url, json=GOOD, headers=other.auth), 403)
    assert await reports(runtime) == 0


async def test_a_sample_record_that_breaks_a_rule_is_refused_then_masked_preview(
    client: httpx.AsyncClient, admin: Actor, make_participant: MakeParticipant
) -> None:
    hrss, item = await setup(client, admin, make_participant)
    url = f"/v1/catalog/items/{item['id']}/sample"
    bad = [GOOD[0], {**GOOD[1], "mobile": "12345"}]
    r = await client.put(url, json=bad, headers=hrss.auth)
    problem = assert_problem(r, 422, "record-breaks-rule")
    assert problem["detail"].startswith("Record 2, field mobile (手机号码) does not match")
    assert problem["violations"] == [
        {
            "record": 2,
            "field": "mobile",
            "rule": "pattern",
            "message": r"does not match the pattern ^1[3-9]\d{9}$",
        }
    ]
    assert "12345" not in problem["detail"]  # never echo the value itself
    assert_problem(await client.get(url, headers=hrss.auth), 404, "sample-not-found")
    stored = await client.put(url, json=GOOD, headers=hrss.auth)
    assert stored.status_code == 200 and stored.json()["masked"] is False
    # The department sees its raw sample; other departments see it masked (shared item).
    raw = (await client.get(url, params={"raw": "true"}, headers=hrss.auth)).json()
    assert raw["records"][0]["id_number"] == "440106199001011234"
    other_department, _ = await bound_department(
        client, admin, make_participant, code="HSA", name="广东省医疗保障局"
    )
    preview = (await client.get(url, headers=other_department.auth)).json()
    assert preview["masked"] is True
    first = preview["records"][0]
    assert first["person_name"] == "陈**"
    assert first["id_number"] == "440106********1234"
    assert first["mobile"] == "138****5678"
    assert first["insurance_type"] == "养老"
    assert_problem(
        await client.get(url, params={"raw": "true"}, headers=other_department.auth),
        403,
        "sample-not-visible",
    )
    # Not open and not shared with companies: not even the masked sample.
    company = await make_participant(Role.ENTERPRISE)
    assert_problem(await client.get(url, headers=company.auth), 403, "sample-not-visible")
    regulator = await make_participant(Role.REGULATOR)
    assert (await client.get(url, headers=regulator.auth)).json()["masked"] is True
