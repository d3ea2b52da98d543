"""Data elements, catalog items and their versions, and one authoritative source per datum."""

from __future__ import annotations

import asyncio
import json

import httpx
from catalog_helpers import (
    bound_department,
    create_elements,
    item_body,
    publish,
    reference_fields,
)
from sqlalchemy import func, select

from exchange.audit.log.models import AuditEntry
from exchange.catalog.elements.models import ElementSource
from exchange.catalog.items.models import CatalogItem
from exchange.context import Runtime
from exchange.vocabulary import Role
from support import Actor, MakeParticipant, assert_problem


async def count(runtime: Runtime, model: type) -> int:
    async with runtime.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_data_elements_with_constraints(client: httpx.AsyncClient, admin: Actor) -> None:
    elements = await create_elements(client, admin)
    assert elements["id"]["pattern"] == r"^\d{17}[\dX]$"
    assert elements["kind"]["enum_values"] == ["养老", "医疗", "失业"]
    ranged = await client.post(
        "/v1/data-elements",
        json={
            "code": "T.AMOUNT",
            "name_zh": "金额（元）",
            "data_type": "decimal",
            "minimum": 0,
            "maximum": "99999999.99",
        },
        headers=admin.auth,
    )
    assert ranged.status_code == 201
    assert ranged.json()["maximum"] == "99999999.99"
    by_code = await client.get("/v1/data-elements/T.ID", headers=admin.auth)
    assert by_code.json()["id"] == elements["id"]["id"] and by_code.json()["source"] is None
    revised = await client.patch(
        "/v1/data-elements/T.NAME", json={"max_length": 30}, headers=admin.auth
    )
    assert revised.json()["version"] == 2 and revised.json()["max_length"] == 30
    found = await client.get("/v1/data-elements", params={"name": "身份"}, headers=admin.auth)
    assert [e["code"] for e in found.json()["items"]] == ["T.ID"]


async def test_bad_patterns_and_constraints_are_named(
    client: httpx.AsyncClient, admin: Actor, runtime: Runtime
) -> None:
    before = await count(runtime, AuditEntry)
    base = {"code": "T.BAD", "name_zh": "坏", "data_type": "string"}
    r = await client.post("/v1/data-elements", json={**base, "pattern": "[0-9"}, headers=admin.auth)
    problem = assert_problem(r, 422, "invalid-pattern")
    assert problem["pattern"] == "[0-9" and "'[0-9'" in problem["detail"]
    assert "unterminated character set" in problem["detail"]
    r = await client.post(
        "/v1/data-elements", json={**base, "pattern": "^(a+)+$"}, headers=admin.auth
    )
    assert "exponential" in assert_problem(r, 422, "invalid-pattern")["detail"]
    r = await client.post(
        "/v1/data-elements", json={**base, "min_length": 5, "max_length": 2}, headers=admin.auth
    )
    assert "min_length 5" in assert_problem(r, 422, "invalid-constraints")["detail"]
    r = await client.post("/v1/data-elements", json={**base, "minimum": 1}, headers=admin.auth)
    assert_problem(r, 422, "invalid-constraints")
    assert await count(runtime, AuditEntry) == before


async def test_publish_read_and_version_history(
    client: httpx.AsyncClient, admin: Actor, make_participant: MakeParticipant
) -> None:
    hrss, department = await bound_department(
        client, admin, make_participant, code="440000-HRSS", name="广东省人力资源和社会保障厅"
    )
    await create_elements(client, hrss)
    item = await publish(client, hrss, item_body())
    assert item["code"] == "440000-HRSS-00001" and item["version"] == 1
    assert item["level"] == "province" and item["grade_label"] == "重要数据"
    assert item["sharing_label"] == "有条件共享" and item["opening_label"] == "不予开放"
    assert item["usage_methods"] == ["api", "file"]
    assert item["authoritative_for"] == ["T.ID"]
    fields = {f["code"]: f for f in item["fields"]}
    assert fields["id_number"]["required"] is True  # from the element
    assert fields["id_number"]["masking"] == "id_number"  # the element's default rule
    rules = {r["field"]: r["rules"] for r in item["quality_standard"]["fields"]}
    assert {"rule": "pattern", "value": r"^\d{17}[\dX]$"} in rules["id_number"]
    assert {"rule": "enum", "value": ["养老", "医疗", "失业"]} in rules["insurance_type"]
    assert item["quality_standard"]["unique_key"] == ["id_number"]
    assert item["quality_standard"]["max_age_days"] == 2

    revised = await client.patch(
        f"/v1/catalog/items/{item['id']}",
        json={
            "base_version": 1,
            "note": "改为每周更新",
            "update_frequency": "weekly",
            "name_zh": "社保参保登记信息（全省）",
        },
        headers=hrss.auth,
    )
    assert revised.status_code == 200, revised.text
    assert revised.json()["version"] == 2
    assert revised.json()["update_frequency"] == "weekly"
    stale = await client.patch(
        f"/v1/catalog/items/{item['id']}",
        json={"base_version": 1, "description": "新的描述"},
        headers=hrss.auth,
    )
    assert assert_problem(stale, 409, "stale-version")["current_version"] == 2
    history = (
        await client.get(f"/v1/catalog/items/{item['id']}/versions", headers=hrss.auth)
    ).json()
    assert history["current_version"] == 2
    assert [v["version"] for v in history["versions"]] == [1, 2]
    assert history["versions"][0]["document"]["update_frequency"] == "daily"
    assert history["versions"][0]["document"]["name_zh"] == "社保参保登记信息"
    assert history["versions"][1]["document"]["name_zh"] == "社保参保登记信息（全省）"
    assert history["versions"][1]["note"] == "改为每周更新"
    one = await client.get(f"/v1/catalog/items/{item['id']}/versions/1", headers=hrss.auth)
    assert one.json()["document"]["fields"][1]["element_code"] == "T.ID"
    assert_problem(
        await client.get(f"/v1/catalog/items/{item['id']}/versions/9", headers=hrss.auth),
        404,
        "catalog-item-version-not-found",
    )
    # Any participant reads the catalog; only the department (or an admin) revises.
    company = await make_participant(Role.ENTERPRISE)
    assert (await client.get(f"/v1/catalog/items/{item['id']}", headers=company.auth)).json()[
        "department"
    ]["name"] == department["name"]
    assert_problem(
        await client.patch(
            f"/v1/catalog/items/{item['id']}", json={"description": "x"}, headers=company.auth
        ),
        403,
    )


async def test_bad_items_are_refused_naming_the_problem(
    client: httpx.AsyncClient, admin: Actor, make_participant: MakeParticipant, runtime: Runtime
) -> None:
    hrss, _ = await bound_department(
        client, admin, make_participant, code="HRSS", name="广东省人力资源和社会保障厅"
    )
    await create_elements(client, hrss)
    before = (await count(runtime, AuditEntry), await count(runtime, CatalogItem))
    fields = [
        *item_body()["fields"],
        {"code": "ss_card", "name_zh": "社保卡号", "element_code": "T.NOPE"},
    ]
    r = await client.post("/v1/catalog/items", json=item_body(fields=fields), headers=hrss.auth)
    problem = assert_problem(r, 422, "unknown-data-element")
    assert problem["unknown_elements"] == ["T.NOPE"] and problem["fields"] == ["ss_card"]
    r = await client.post(
        "/v1/catalog/items", json=item_body(unique_key=["nope"]), headers=hrss.auth
    )
    assert "unique_key names unknown fields: nope" in assert_problem(r, 422)["detail"]
    r = await client.post(
        "/v1/catalog/items", json=item_body(sharing_conditions=""), headers=hrss.auth
    )
    assert "sharing_conditions" in assert_problem(r, 422, "invalid-catalog-item")["detail"]
    r = await client.post(
        "/v1/catalog/items", json=item_body(timeliness_field="mobile"), headers=hrss.auth
    )
    assert "dates or date-times" in assert_problem(r, 422)["detail"]
    r = await client.post(
        "/v1/catalog/items",
        json=item_body(grade="core", opening="unconditional"),
        headers=hrss.auth,
    )
    assert "core data" in assert_problem(r, 409, "classification-rule")["detail"]
    r = await client.post(
        "/v1/catalog/items",
        json=item_body(grade="general", opening="unconditional"),
        headers=hrss.auth,
    )
    assert "personal information" in assert_problem(r, 409, "classification-rule")["detail"]
    r = await client.post("/v1/catalog/items", json=item_body(usage_methods=[]), headers=hrss.auth)
    assert_problem(r, 422, "invalid-request")
    assert (await count(runtime, AuditEntry), await count(runtime, CatalogItem)) == before


async def test_a_second_authoritative_source_is_refused_with_a_pointer(
    client: httpx.AsyncClient,
    admin: Actor,
    make_participant: MakeParticipant,
    runtime: Runtime,
) -> None:
    hrss, _ = await bound_department(
        client, admin, make_participant, code="HRSS", name="广东省人力资源和社会保障厅"
    )
    hsa, hsa_department = await bound_department(
        client, admin, make_participant, code="HSA", name="广东省医疗保障局"
    )
    await create_elements(client, hrss)
    source = await publish(client, hrss, item_body())
    items_before = await count(runtime, CatalogItem)
    second = item_body(name_zh="医保参保信息", sharing_conditions="仅限医保经办")
    r = await client.post("/v1/catalog/items", json=second, headers=hsa.auth)
    problem = assert_problem(r, 409, "second-authoritative-source")
    pointer = problem["existing_source"]
    assert pointer["item_id"] == source["id"]
    assert pointer["url"] == f"/v1/catalog/items/{source['id']}"
    assert pointer["element_code"] == "T.ID"
    assert source["id"] in problem["detail"] and "reference" in problem["detail"]
    conflict_id = problem["conflicts"][0]["conflict_id"]
    assert await count(runtime, CatalogItem) == items_before  # nothing half-saved

    # The refusal is on record: regulators (and admins) list refused and pending conflicts.
    regulator = await make_participant(Role.REGULATOR)
    listed = await client.get("/v1/catalog/conflicts", headers=regulator.auth)
    assert listed.status_code == 200
    [conflict] = listed.json()["items"]
    assert conflict["id"] == conflict_id and conflict["status"] == "refused"
    assert conflict["claimant_department_id"] == hsa_department["id"]
    assert conflict["existing_source"]["item_id"] == source["id"]
    async with runtime.sessionmaker() as session:
        actions = (
            await session.scalars(
                select(AuditEntry.leaf).where(
                    AuditEntry.action == "catalog.source_conflict_refused"
                )
            )
        ).all()
    assert json.loads(actions[0])["payload"]["conflict_id"] == conflict_id
    company = await make_participant(Role.ENTERPRISE)
    assert_problem(await client.get("/v1/catalog/conflicts", headers=company.auth), 403)

    # Consuming the element instead is fine; the element lists its source and consumers.
    consumer = await publish(
        client,
        hsa,
        item_body(
            name_zh="医保参保信息",
            sharing_conditions="仅限医保经办",
            fields=reference_fields(),
            unique_key=["id_number"],
            timeliness_field=None,
        ),
    )
    element = (await client.get("/v1/data-elements/T.ID", headers=hsa.auth)).json()
    assert element["source"]["item_id"] == source["id"]
    consumers = (await client.get("/v1/data-elements/T.ID/consumers", headers=hsa.auth)).json()[
        "items"
    ]
    assert [(c["item_id"], c["role"]) for c in consumers] == [
        (source["id"], "source"),
        (consumer["id"], "reference"),
    ]
    # A revision that claims the source is refused the same way and recorded too.
    claim = [{**f, "role": "source"} if f["code"] == "id_number" else f for f in reference_fields()]
    r = await client.patch(
        f"/v1/catalog/items/{consumer['id']}", json={"fields": claim}, headers=hsa.auth
    )
    assert_problem(r, 409, "second-authoritative-source")
    after = (await client.get(f"/v1/catalog/items/{consumer['id']}", headers=hsa.auth)).json()
    assert after["version"] == 1

    # Escalation makes the conflict pending; the admin's decision can move the source.
    escalated = await client.post(
        f"/v1/catalog/conflicts/{conflict_id}/escalate",
        json={"reason": "医保参保登记以医保局为准", "claimant_item_id": consumer["id"]},
        headers=hsa.auth,
    )
    assert escalated.json()["status"] == "pending", escalated.text
    pending = await client.get(
        "/v1/catalog/conflicts", params={"status": "pending"}, headers=regulator.auth
    )
    assert [c["id"] for c in pending.json()["items"]] == [conflict_id]
    assert_problem(
        await client.post(
            f"/v1/catalog/conflicts/{conflict_id}/resolve",
            json={"outcome": "transfer", "note": "裁决"},
            headers=regulator.auth,
        ),
        403,
    )
    resolved = await client.post(
        f"/v1/catalog/conflicts/{conflict_id}/resolve",
        json={"outcome": "transfer", "note": "数据源头移交医保局"},
        headers=admin.auth,
    )
    assert resolved.json()["status"] == "resolved" and resolved.json()["outcome"] == "transfer"
    element = (await client.get("/v1/data-elements/T.ID", headers=hsa.auth)).json()
    assert element["source"]["item_id"] == consumer["id"]
    old = (await client.get(f"/v1/catalog/items/{source['id']}", headers=hsa.auth)).json()
    new = (await client.get(f"/v1/catalog/items/{consumer['id']}", headers=hsa.auth)).json()
    assert old["authoritative_for"] == [] and old["version"] == 2
    assert new["authoritative_for"] == ["T.ID"] and new["version"] == 2
    assert_problem(
        await client.post(
            f"/v1/catalog/conflicts/{conflict_id}/resolve",
            json={"outcome": "keep_existing", "note": "again"},
            headers=admin.auth,
        ),
        409,
        "source-conflict-state",
    )


async def test_unknown_ids_are_404(client: httpx.AsyncClient, admin: Actor) -> None:
    for path, slug in (
        ("/v1/catalog/items/nope", "catalog-item-not-found"),
        ("/v1/departments/nope", "department-not-found"),
        ("/v1/data-elements/NOPE", "data-element-not-found"),
        ("/v1/catalog/conflicts/nope", "source-conflict-not-found"),
        ("/v1/share-requests/nope", "share-request-not-found"),
    ):
        assert_problem(await client.get(path, headers=admin.auth), 404, slug)


async def test_concurrent_claims_to_one_source_leave_exactly_one(
    client: httpx.AsyncClient,
    admin: Actor,
    make_participant: MakeParticipant,
    runtime: Runtime,
) -> None:
    publishers = [
        await bound_department(
            client, admin, make_participant, code=f"CITY{i}", name=f"第{i}号数据责任部门"
        )
        for i in range(6)
    ]
    await create_elements(client, publishers[0][0])

    async def claim(i: int, actor: Actor) -> httpx.Response:
        body = item_body(name_zh=f"参保信息{i}", sharing_conditions=f"仅限第{i}号经办")
        return await client.post("/v1/catalog/items", json=body, headers=actor.auth)

    answers = await asyncio.gather(*(claim(i, a) for i, (a, _) in enumerate(publishers)))
    codes = sorted(r.status_code for r in answers)
    assert codes == [201, 409, 409, 409, 409, 409], [r.text for r in answers]
    [winner] = [r.json() for r in answers if r.status_code == 201]
    for r in answers:
        if r.status_code == 409:
            assert (
                assert_problem(r, 409, "second-authoritative-source")["existing_source"]["item_id"]
                == winner["id"]
            )
    async with runtime.sessionmaker() as session:
        sources = (await session.execute(select(ElementSource.item_id))).scalars().all()
    assert sources == [winner["id"]]
    assert await count(runtime, CatalogItem) == 1


async def test_personal_information_is_one_name_across_the_api(
    client: httpx.AsyncClient, admin: Actor, make_participant: MakeParticipant
) -> None:
    hrss, _department = await bound_department(
        client, admin, make_participant, code="440000-HRSS", name="广东省人力资源和社会保障厅"
    )
    await create_elements(client, hrss)
    old_name = {k: v for k, v in item_body().items() if k != "personal_information"}
    r = await client.post(
        "/v1/catalog/items", json={**old_name, "personal_info": True}, headers=hrss.auth
    )
    assert_problem(r, 422)
    item = await publish(client, hrss, item_body())
    assert item["personal_information"] is True and "personal_info" not in item
    r = await client.patch(
        f"/v1/catalog/items/{item['id']}",
        json={"personal_information": False, "grade": "general"},
        headers=hrss.auth,
    )
    assert r.status_code == 200, r.text
    assert r.json()["personal_information"] is False
    found = (await client.get("/v1/catalog/search", headers=hrss.auth)).json()["items"]
    assert [i["personal_information"] for i in found] == [False]
    spec = (await client.get("/openapi.json")).json()
    names = {p for s in spec["components"]["schemas"].values() for p in s.get("properties", {})}
    assert "personal_information" in names and "personal_info" not in names
