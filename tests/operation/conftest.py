"""Fixtures of the authorized-operation tests: a province ready for operating agreements."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from support_operation import Province, item_body

from exchange.clock import ManualClock
from exchange.context import Runtime
from exchange.vocabulary import Role
from support import Actor, MakeParticipant


async def _created(r: httpx.Response) -> dict[str, Any]:
    assert r.status_code in (200, 201), r.text
    body: dict[str, Any] = r.json()
    return body


@pytest.fixture
async def province(
    client: httpx.AsyncClient,
    runtime: Runtime,
    clock: ManualClock,
    make_participant: MakeParticipant,
    admin: Actor,
) -> Province:
    """The province's data administration designated data authority (数据主管部门), the HR
    department with a closed (不予开放), a conditionally open and an open item, Guangzhou's
    data authority, an operator and others."""
    authority = await make_participant(Role.DEPARTMENT, name="广东省政务服务数据管理局")
    hr = await make_participant(Role.DEPARTMENT, name="广东省人力资源和社会保障厅")
    city = await make_participant(Role.DEPARTMENT, name="广州市政务服务数据管理局")

    async def department(code: str, name: str, division: str, participant: Actor) -> str:
        body = {
            "code": code,
            "name": name,
            "division_code": division,
            "participant_id": participant.id,
        }
        r = await client.post("/v1/departments", json=body, headers=admin.auth)
        return str((await _created(r))["id"])

    authority_id = await department("OP-440000-GSDA", authority.name, "440000", authority)
    hr_id = await department("OP-440000-HRSS", hr.name, "440000", hr)
    city_id = await department("OP-440100-GZDA", city.name, "440100", city)
    for department_id in (authority_id, city_id):
        designated = await _created(
            await client.patch(
                f"/v1/departments/{department_id}",
                json={"data_authority": True},
                headers=admin.auth,
            )
        )
        assert designated["data_authority"] is True

    async def item(name: str, opening: str) -> dict[str, Any]:
        r = await client.post(
            "/v1/catalog/items", json=item_body(hr_id, name, opening=opening), headers=admin.auth
        )
        return await _created(r)

    return Province(
        client=client,
        runtime=runtime,
        clock=clock,
        admin=admin,
        regulator=await make_participant(Role.REGULATOR, name="广东省数据流通监管"),
        authority=authority,
        hr=hr,
        city_authority=city,
        operator=await make_participant(Role.ENTERPRISE, name="广东数据资产运营有限公司"),
        rival=await make_participant(Role.ENTERPRISE, name="深圳某数据公司"),
        buyer=await make_participant(
            Role.ENTERPRISE, name="粤信小额贷款有限公司", balance_fen=50_000_000
        ),
        reviewers=(
            await make_participant(Role.COMPLIANCE_REVIEWER, name="合规委员甲"),
            await make_participant(Role.COMPLIANCE_REVIEWER, name="合规委员乙"),
        ),
        hr_department_id=hr_id,
        authority_department_id=authority_id,
        closed_item=await item("全省社会保险参保登记信息", "not_open"),
        conditional_item=await item("全省社会保险参保统计信息", "conditional"),
        open_item=await item("全省社会保险经办机构名录", "unconditional"),
    )
