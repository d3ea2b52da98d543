"""Helpers for the catalog's API tests: departments, bound participants, elements, items."""

from __future__ import annotations

from typing import Any

import httpx

from exchange.vocabulary import Role
from support import Actor, MakeParticipant

ELEMENTS: dict[str, dict[str, Any]] = {
    "name": {
        "code": "T.NAME",
        "name_zh": "姓名",
        "name_en": "Name",
        "data_type": "string",
        "max_length": 20,
        "masking": "name",
    },
    "id": {
        "code": "T.ID",
        "name_zh": "公民身份号码",
        "name_en": "Citizen ID number",
        "data_type": "string",
        "pattern": r"^\d{17}[\dX]$",
        "required": True,
        "masking": "id_number",
    },
    "phone": {
        "code": "T.PHONE",
        "name_zh": "手机号码",
        "name_en": "Mobile phone",
        "data_type": "string",
        "pattern": r"^1[3-9]\d{9}$",
        "masking": "phone",
    },
    "kind": {
        "code": "T.KIND",
        "name_zh": "险种类型",
        "name_en": "Insurance type",
        "data_type": "string",
        "enum_values": ["养老", "医疗", "失业"],
    },
    "updated": {
        "code": "T.UPDATED",
        "name_zh": "更新时间",
        "name_en": "Last updated",
        "data_type": "datetime",
    },
}


async def create_department(
    client: httpx.AsyncClient,
    admin: Actor,
    *,
    code: str,
    name: str,
    division: str = "440000",
    parent_id: str | None = None,
    participant_id: str | None = None,
) -> dict[str, Any]:
    """Register a department as the admin."""
    body: dict[str, Any] = {"code": code, "name": name, "division_code": division}
    if parent_id is not None:
        body["parent_id"] = parent_id
    if participant_id is not None:
        body["participant_id"] = participant_id
    r = await client.post("/v1/departments", json=body, headers=admin.auth)
    assert r.status_code == 201, r.text
    result: dict[str, Any] = r.json()
    return result


async def bound_department(
    client: httpx.AsyncClient,
    admin: Actor,
    make_participant: MakeParticipant,
    *,
    code: str,
    name: str,
    division: str = "440000",
    parent_id: str | None = None,
) -> tuple[Actor, dict[str, Any]]:
    """A department participant and the catalog department it is linked to."""
    actor = await make_participant(Role.DEPARTMENT, name=name)
    department = await create_department(
        client,
        admin,
        code=code,
        name=name,
        division=division,
        parent_id=parent_id,
        participant_id=actor.id,
    )
    return actor, department


async def create_elements(client: httpx.AsyncClient, actor: Actor) -> dict[str, dict[str, Any]]:
    """The standard test elements, by short name."""
    out = {}
    for key, body in ELEMENTS.items():
        r = await client.post("/v1/data-elements", json=body, headers=actor.auth)
        assert r.status_code == 201, r.text
        out[key] = r.json()
    return out


def item_body(**overrides: Any) -> dict[str, Any]:
    """A valid item publishing social-insurance enrolment (its ID field is the source)."""
    body: dict[str, Any] = {
        "name_zh": "社保参保登记信息",
        "name_en": "Social insurance enrolment",
        "description": "社会保险参保登记的基础信息。",
        "source_system": "广东省人社一体化信息平台",
        "update_frequency": "daily",
        "update_method": "incremental",
        "usage_methods": ["api", "file"],
        "grade": "important",
        "personal_information": True,
        "sharing": "conditional",
        "sharing_conditions": "仅限社会保障经办使用",
        "opening": "not_open",
        "fields": [
            {"code": "person_name", "name_zh": "姓名", "element_code": "T.NAME", "required": True},
            {
                "code": "id_number",
                "name_zh": "公民身份号码",
                "element_code": "T.ID",
                "role": "source",
            },
            {"code": "mobile", "name_zh": "手机号码", "element_code": "T.PHONE"},
            {"code": "insurance_type", "name_zh": "险种类型", "element_code": "T.KIND"},
            {"code": "updated_at", "name_zh": "更新时间", "element_code": "T.UPDATED"},
        ],
        "unique_key": ["id_number"],
        "completeness_min_pct": 80,
        "timeliness_field": "updated_at",
    }
    body.update(overrides)
    return body


def reference_fields() -> list[dict[str, Any]]:
    """Fields that consume the ID element instead of claiming to be its source."""
    return [
        {"code": "person_name", "name_zh": "姓名", "element_code": "T.NAME"},
        {
            "code": "id_number",
            "name_zh": "公民身份号码",
            "element_code": "T.ID",
            "role": "reference",
        },
    ]


async def publish(client: httpx.AsyncClient, actor: Actor, body: dict[str, Any]) -> dict[str, Any]:
    """Publish an item and return it."""
    r = await client.post("/v1/catalog/items", json=body, headers=actor.auth)
    assert r.status_code == 201, r.text
    result: dict[str, Any] = r.json()
    return result
