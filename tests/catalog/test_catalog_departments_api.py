"""Departments in the province → city → county hierarchy, and who may act for them."""

from __future__ import annotations

import httpx
from catalog_helpers import bound_department, create_department, create_elements, item_body
from sqlalchemy import func, select

from exchange.audit.log.models import AuditEntry
from exchange.context import Runtime
from exchange.vocabulary import Role
from support import Actor, MakeParticipant, assert_problem


async def audit_size(runtime: Runtime) -> int:
    async with runtime.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(AuditEntry)) or 0)


async def test_divisions_are_seeded_with_gb2260_codes(
    client: httpx.AsyncClient, admin: Actor
) -> None:
    r = await client.get("/v1/divisions", params={"parent_code": "440000"}, headers=admin.auth)
    cities = {d["code"]: d["name"] for d in r.json()["items"]}
    assert len(cities) == 21
    assert cities["440100"] == "广州市" and cities["440300"] == "深圳市"
    assert cities["440600"] == "佛山市" and cities["445300"] == "云浮市"
    r = await client.get("/v1/divisions", params={"parent_code": "440100"}, headers=admin.auth)
    assert "天河区" in {d["name"] for d in r.json()["items"]}


async def test_hierarchy_province_city_county(client: httpx.AsyncClient, admin: Actor) -> None:
    province = await create_department(
        client, admin, code="P-HRSS", name="广东省人力资源和社会保障厅"
    )
    city = await create_department(
        client,
        admin,
        code="GZ-HRSS",
        name="广州市人力资源和社会保障局",
        division="440100",
        parent_id=province["id"],
    )
    county = await create_department(
        client,
        admin,
        code="TH-HRSS",
        name="广州市天河区人力资源和社会保障局",
        division="440106",
        parent_id=city["id"],
    )
    assert (province["level"], city["level"], county["level"]) == ("province", "city", "county")
    assert county["city_code"] == "440100" and county["city_name"] == "广州市"
    assert province["city_code"] == "440000"
    listed = await client.get(
        "/v1/departments", params={"parent_id": city["id"]}, headers=admin.auth
    )
    assert [d["name"] for d in listed.json()["items"]] == ["广州市天河区人力资源和社会保障局"]
    # A Shenzhen bureau cannot sit under a Guangzhou one: the parent must contain the child.
    r = await client.post(
        "/v1/departments",
        json={
            "code": "SZ",
            "name": "深圳市人力资源和社会保障局",
            "division_code": "440300",
            "parent_id": city["id"],
        },
        headers=admin.auth,
    )
    problem = assert_problem(r, 422, "invalid-hierarchy")
    assert "440100" in problem["detail"] and "440300" in problem["detail"]


async def test_circular_hierarchy_is_refused_and_nothing_changes(
    client: httpx.AsyncClient, admin: Actor, runtime: Runtime
) -> None:
    a = await create_department(client, admin, code="A", name="甲局")
    b = await create_department(client, admin, code="B", name="乙局", parent_id=a["id"])
    c = await create_department(client, admin, code="C", name="丙局", parent_id=b["id"])
    before = await audit_size(runtime)
    r = await client.patch(
        f"/v1/departments/{a['id']}", json={"parent_id": c["id"]}, headers=admin.auth
    )
    problem = assert_problem(r, 422, "circular-hierarchy")
    assert "丙局 → 乙局 → 甲局" in problem["detail"]
    assert_problem(
        await client.patch(
            f"/v1/departments/{a['id']}", json={"parent_id": a["id"]}, headers=admin.auth
        ),
        422,
        "circular-hierarchy",
    )
    assert await audit_size(runtime) == before
    again = await client.get(f"/v1/departments/{a['id']}", headers=admin.auth)
    assert again.json()["parent_id"] is None
    # Moving within the hierarchy without a cycle works, and detaching with null too.
    moved = await client.patch(
        f"/v1/departments/{c['id']}", json={"parent_id": a["id"]}, headers=admin.auth
    )
    assert moved.status_code == 200 and moved.json()["parent_id"] == a["id"]
    detached = await client.patch(
        f"/v1/departments/{c['id']}", json={"parent_id": None}, headers=admin.auth
    )
    assert detached.json()["parent_id"] is None
    assert await audit_size(runtime) == before + 2


async def test_bad_department_input(
    client: httpx.AsyncClient, admin: Actor, make_participant: MakeParticipant
) -> None:
    assert_problem(
        await client.post(
            "/v1/departments",
            json={"code": "X", "name": "某局", "division_code": "110000"},
            headers=admin.auth,
        ),
        422,
        "unknown-division",
    )
    await create_department(client, admin, code="DUP", name="某局")
    assert_problem(
        await client.post(
            "/v1/departments",
            json={"code": "DUP", "name": "另一局", "division_code": "440000"},
            headers=admin.auth,
        ),
        409,
        "duplicate-code",
    )
    company = await make_participant(Role.ENTERPRISE)
    r = await client.post(
        "/v1/departments",
        json={
            "code": "Y",
            "name": "企业冒充",
            "division_code": "440000",
            "participant_id": company.id,
        },
        headers=admin.auth,
    )
    assert "role 'enterprise'" in assert_problem(r, 422, "invalid-hierarchy")["detail"]
    assert_problem(
        await client.post(
            "/v1/departments",
            json={"code": "Z", "name": "某局", "division_code": "440000"},
            headers=company.auth,
        ),
        403,
        "forbidden",
    )


async def test_a_participant_is_linked_to_one_department(
    client: httpx.AsyncClient, admin: Actor, make_participant: MakeParticipant
) -> None:
    actor, first = await bound_department(
        client, admin, make_participant, code="D1", name="广东省医疗保障局"
    )
    second = await create_department(client, admin, code="D2", name="广东省卫生健康委员会")
    r = await client.patch(
        f"/v1/departments/{second['id']}", json={"participant_id": actor.id}, headers=admin.auth
    )
    problem = assert_problem(r, 409, "participant-already-bound")
    assert problem["department_id"] == first["id"]


async def test_a_department_publishes_for_its_own_department_only(
    client: httpx.AsyncClient, admin: Actor, make_participant: MakeParticipant, runtime: Runtime
) -> None:
    hrss, own = await bound_department(
        client, admin, make_participant, code="HRSS", name="广东省人力资源和社会保障厅"
    )
    other = await create_department(client, admin, code="HSA", name="广东省医疗保障局")
    await create_elements(client, hrss)
    before = await audit_size(runtime)
    r = await client.post(
        "/v1/catalog/items", json=item_body(department_id=other["id"]), headers=hrss.auth
    )
    problem = assert_problem(r, 403, "not-your-department")
    assert other["id"] in problem["detail"]
    assert await audit_size(runtime) == before
    ok = await client.post("/v1/catalog/items", json=item_body(), headers=hrss.auth)
    assert ok.status_code == 201 and ok.json()["department"]["id"] == own["id"]
    # An unlinked department participant cannot publish at all.
    loose = await make_participant(Role.DEPARTMENT)
    assert_problem(
        await client.post("/v1/catalog/items", json=item_body(), headers=loose.auth),
        403,
        "department-not-bound",
    )
    # Admins publish for any department; enterprises and regulators for none.
    by_admin = await client.post(
        "/v1/catalog/items",
        json=item_body(
            department_id=other["id"],
            name_zh="医保参保信息",
            fields=[{"code": "id_number", "name_zh": "公民身份号码", "element_code": "T.ID"}],
            unique_key=[],
            timeliness_field=None,
        ),
        headers=admin.auth,
    )
    assert by_admin.status_code == 201, by_admin.text
    assert by_admin.json()["department"]["id"] == other["id"]
    regulator = await make_participant(Role.REGULATOR)
    assert_problem(
        await client.post("/v1/catalog/items", json=item_body(), headers=regulator.auth), 403
    )
