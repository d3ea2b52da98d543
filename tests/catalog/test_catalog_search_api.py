"""Search over names, descriptions and field names, facets, paging, and the open list."""

from __future__ import annotations

import csv
import io
from typing import Any

import httpx
import pytest
from catalog_helpers import bound_department, create_department, create_elements, publish

from support import Actor, MakeParticipant, assert_problem


def body(name_zh: str, **kw: Any) -> dict[str, Any]:
    item: dict[str, Any] = {
        "name_zh": name_zh,
        "name_en": kw.pop("name_en", ""),
        "description": kw.pop("description", ""),
        "source_system": "业务系统",
        "update_frequency": "monthly",
        "update_method": "full",
        "usage_methods": kw.pop("usage_methods", ["api"]),
        "grade": kw.pop("grade", "general"),
        "personal_information": kw.pop("personal_information", False),
        "sharing": kw.pop("sharing", "unconditional"),
        "opening": kw.pop("opening", "unconditional"),
        "fields": kw.pop("fields", [{"code": "code", "name_zh": "编码"}]),
    }
    item.update(kw)
    return item


@pytest.fixture
async def catalog(
    client: httpx.AsyncClient, admin: Actor, make_participant: MakeParticipant
) -> dict[str, Any]:
    province, prov = await bound_department(
        client, admin, make_participant, code="P-HRSS", name="广东省人力资源和社会保障厅"
    )
    gz, gz_dept = await bound_department(
        client,
        admin,
        make_participant,
        code="GZ-HRSS",
        name="广州市人力资源和社会保障局",
        division="440100",
        parent_id=prov["id"],
    )
    th = await create_department(
        client,
        admin,
        code="TH-HRSS",
        name="广州市天河区人力资源和社会保障局",
        division="440106",
        parent_id=gz_dept["id"],
    )
    sz, _ = await bound_department(
        client,
        admin,
        make_participant,
        code="SZ-HSA",
        name="深圳市医疗保障局",
        division="440300",
    )
    await create_elements(client, admin)
    items = {
        "enrol": await publish(
            client,
            province,
            body(
                "社保参保登记信息",
                name_en="Social insurance enrolment",
                grade="important",
                personal_information=True,
                sharing="conditional",
                sharing_conditions="经办使用",
                opening="not_open",
                usage_methods=["api", "file"],
            ),
        ),
        "pay": await publish(
            client,
            gz,
            body(
                "社保缴费记录",
                name_en="Social insurance contribution",
                opening="conditional",
                opening_conditions="签订协议",
                usage_methods=["file"],
            ),
        ),
        "settle": await publish(
            client,
            sz,
            body(
                "医保结算明细",
                name_en="Medical insurance settlement",
                personal_information=True,
                sharing="conditional",
                sharing_conditions="医保经办",
                opening="not_open",
            ),
        ),
        "pharmacy": await publish(
            client,
            sz,
            body(
                "定点药店名单",
                name_en="Designated pharmacies",
                description="深圳市医保定点零售药店的名单与地址。",
                usage_methods=["query"],
            ),
        ),
        "card": await publish(
            client,
            admin,
            body(
                "人员基础信息",
                department_id=th["id"],
                name_en="Person records",
                fields=[{"code": "ss_card_no", "name_zh": "社保卡号"}],
            ),
        ),
        "license": await publish(
            client,
            admin,
            body(
                "电子证照目录",
                department_id=prov["id"],
                name_en="E-licence directory",
                description="License types, numbers and issuers.",
            ),
        ),
    }
    return {"items": items, "admin": admin, "th": th}


def ids(result: dict[str, Any]) -> list[str]:
    return [i["id"] for i in result["items"]]


def facet(result: dict[str, Any], name: str) -> dict[str, int]:
    return {f["value"]: f["count"] for f in result["facets"][name]}


async def search(client: httpx.AsyncClient, actor: Actor, **params: Any) -> dict[str, Any]:
    r = await client.get("/v1/catalog/search", params=params, headers=actor.auth)
    assert r.status_code == 200, r.text
    result: dict[str, Any] = r.json()
    return result


async def test_two_character_chinese_queries(
    client: httpx.AsyncClient, catalog: dict[str, Any]
) -> None:
    items, admin = catalog["items"], catalog["admin"]
    social = await search(client, admin, q="社保")
    # Names first (in publication order), then the field-name match.
    assert ids(social) == [items["enrol"]["id"], items["pay"]["id"], items["card"]["id"]]
    assert social["total"] == 3
    medical = await search(client, admin, q="医保")
    assert ids(medical) == [items["settle"]["id"], items["pharmacy"]["id"]]  # name, description
    assert (await search(client, admin, q="社会保险"))["total"] == 0  # a phrase, not bigrams
    assert ids(await search(client, admin, q="缴费记录")) == [items["pay"]["id"]]
    # One character: inside a run (药 → 药店) or ending one (单 in 名单).
    assert ids(await search(client, admin, q="药")) == [items["pharmacy"]["id"]]
    assert ids(await search(client, admin, q="单")) == [items["pharmacy"]["id"]]
    assert ids(await search(client, admin, q="卡")) == [items["card"]["id"]]


async def test_english_words_and_prefixes(
    client: httpx.AsyncClient, catalog: dict[str, Any]
) -> None:
    items, admin = catalog["items"], catalog["admin"]
    insurance = await search(client, admin, q="Insurance")
    assert set(ids(insurance)) == {items["enrol"]["id"], items["pay"]["id"], items["settle"]["id"]}
    assert set(ids(await search(client, admin, q="insur"))) == set(ids(insurance))
    both = await search(client, admin, q="social insurance")
    assert set(ids(both)) == {items["enrol"]["id"], items["pay"]["id"]}
    assert ids(await search(client, admin, q="issuers")) == [items["license"]["id"]]
    assert ids(await search(client, admin, q="社保 contribution")) == [items["pay"]["id"]]
    assert (await search(client, admin, q="insurances"))["total"] == 0


async def test_facets_filters_and_paging(
    client: httpx.AsyncClient, catalog: dict[str, Any]
) -> None:
    items, admin = catalog["items"], catalog["admin"]
    social = await search(client, admin, q="社保")
    assert facet(social, "city") == {"440000": 1, "440100": 2}
    assert facet(social, "level") == {"province": 1, "city": 1, "county": 1}
    assert facet(social, "grade") == {"important": 1, "general": 2}
    assert facet(social, "usage_method") == {"api": 2, "file": 2}
    labels = {f["value"]: f["label"] for f in social["facets"]["city"]}
    assert labels == {"440000": "广东省（省直）", "440100": "广州市"}
    departments = {f["label"]: f["count"] for f in social["facets"]["department"]}
    assert departments["广州市人力资源和社会保障局"] == 1
    guangzhou = await search(client, admin, q="社保", city="440100")
    assert set(ids(guangzhou)) == {items["pay"]["id"], items["card"]["id"]}
    assert ids(await search(client, admin, q="社保", level="county")) == [items["card"]["id"]]
    assert ids(await search(client, admin, q="社保", usage="file", grade="general")) == [
        items["pay"]["id"]
    ]
    assert ids(await search(client, admin, q="社保", department=catalog["th"]["id"])) == [
        items["card"]["id"]
    ]
    everything = await search(client, admin)
    assert everything["total"] == 6
    assert facet(everything, "city") == {"440000": 2, "440100": 2, "440300": 2}
    assert facet(everything, "opening") == {"unconditional": 3, "conditional": 1, "not_open": 2}
    assert sum(facet(everything, "department").values()) == 6
    conditional = await search(client, admin, sharing="conditional", city="440300")
    assert ids(conditional) == [items["settle"]["id"]]
    assert facet(conditional, "department") == {items["settle"]["department"]["id"]: 1}
    page_two = await search(client, admin, q="社保", limit=1, offset=1)
    assert page_two["total"] == 3 and ids(page_two) == [items["pay"]["id"]]
    # Pages run through the name matches, then the rest.
    assert ids(await search(client, admin, q="社保", limit=2, offset=2)) == [items["card"]["id"]]
    assert ids(await search(client, admin, q="社保", limit=2, city="440100")) == [
        items["pay"]["id"],
        items["card"]["id"],
    ]
    beyond = await search(client, admin, q="社保", offset=980)
    assert beyond["items"] == [] and beyond["total"] == 3


async def test_facet_counts_follow_revisions(
    client: httpx.AsyncClient, catalog: dict[str, Any]
) -> None:
    items, admin = catalog["items"], catalog["admin"]
    r = await client.patch(
        f"/v1/catalog/items/{items['enrol']['id']}",
        json={"grade": "general", "name_zh": "参保登记信息", "name_en": "Enrolment"},
        headers=admin.auth,
    )
    assert r.status_code == 200, r.text
    assert (await search(client, admin, q="社保", grade="important"))["total"] == 0
    assert ids(await search(client, admin, q="参保")) == [items["enrol"]["id"]]
    assert items["enrol"]["id"] not in ids(await search(client, admin, q="社保"))
    everything = await search(client, admin)
    assert facet(everything, "grade") == {"general": 6}


@pytest.mark.parametrize(
    "params",
    [
        {"q": "社保" * 2000},
        {"q": "社保 😀 \u202e\t"},
        {"q": "'; DROP TABLE catalog_items; --"},
        {"q": "%_%\\"},
        {"q": "！？。、"},
        {"q": "x", "offset": "abc", "limit": "100000"},
        {"q": "社保", "offset": "-3", "limit": "0"},
        {"city": "\u3000", "grade": "secret"},
        {"usage": "telepathy"},
        {"department": "x" * 500, "level": ["province", "planet"]},
    ],
)
async def test_any_search_input_is_answered(
    client: httpx.AsyncClient, catalog: dict[str, Any], params: dict[str, Any]
) -> None:
    # Against a populated catalog, so the term, prefix and facet queries really run.
    result = await search(client, catalog["admin"], **params)
    assert result["total"] >= 0 and 1 <= result["limit"] <= 100 and result["offset"] >= 0
    if params.get("q") in ("%_%\\", "！？。、", "'; DROP TABLE catalog_items; --"):
        assert result["total"] == 0  # wildcards, quotes and punctuation match nothing
    assert (await search(client, catalog["admin"], q="社保"))["total"] > 0


@pytest.mark.parametrize("params", [{"q": "\x00\x01 社保"}, {"city": "\x00"}])
async def test_control_characters_in_a_search_are_refused_alike_on_both_databases(
    client: httpx.AsyncClient, catalog: dict[str, Any], params: dict[str, Any]
) -> None:
    r = await client.get("/v1/catalog/search", params=params, headers=catalog["admin"].auth)
    assert_problem(r, 422, "invalid-request")


async def test_unknown_filter_values_match_nothing_and_say_so(
    client: httpx.AsyncClient, catalog: dict[str, Any]
) -> None:
    result = await search(client, catalog["admin"], q="社保", grade="secret")
    assert result["total"] == 0
    assert "unknown grade value(s) 'secret'" in result["notes"][0]


async def test_open_list_is_public_json_and_csv(
    client: httpx.AsyncClient, catalog: dict[str, Any]
) -> None:
    items = catalog["items"]
    r = await client.get("/v1/catalog/open-list")
    assert r.status_code == 200
    listed = r.json()
    open_ids = {items[k]["id"] for k in ("pay", "pharmacy", "card", "license")}
    assert listed["total"] == 4 and {i["id"] for i in listed["items"]} == open_ids
    assert {i["opening_label"] for i in listed["items"]} == {"无条件开放", "有条件开放"}
    conditional = await client.get("/v1/catalog/open-list", params={"opening": "conditional"})
    assert [i["id"] for i in conditional.json()["items"]] == [items["pay"]["id"]]
    shenzhen = await client.get("/v1/catalog/open-list", params={"city": "440300"})
    assert [i["id"] for i in shenzhen.json()["items"]] == [items["pharmacy"]["id"]]
    text = (await client.get("/v1/catalog/open-list", params={"format": "csv"})).text
    assert text.startswith("\ufeff目录编码,数据名称")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert len(rows) == 5 and "社保缴费记录" in {row[1] for row in rows}
