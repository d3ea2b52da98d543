"""The catalog pages: Chinese full-text search with facets and paging, and an item's page
with its 一数一源一标准 attributes, grade, sharing and opening attributes and versions."""

from __future__ import annotations

import re
from typing import Any

import httpx
from support_market import api, auth, demo, marked, text_of
from support_web import sign_in

from exchange.context import Runtime
from exchange.seed.demo import DemoKey

ENROLMENT = "社保参保登记信息"
MEDICAL = "医保参保信息"


async def _item_id(client: httpx.AsyncClient, key: DemoKey, name: str) -> str:
    found = await api(client, key, "/v1/catalog/search", q=name)
    return next(str(i["id"]) for i in found["items"] if i["name_zh"] == name)


def _rows(text: str) -> list[str]:
    return re.findall(r'<a href="/market/catalog/([^"]+)">', text.split("<tbody>", 1)[1])


async def test_a_two_character_term_finds_its_items_with_the_api_s_facet_counts(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    keys = await demo(runtime)
    await sign_in(client, keys["individual"].api_key)
    page = await client.get("/market/catalog", params={"q": "社保"})
    assert page.status_code == 200
    expected = await api(client, keys["individual"], "/v1/catalog/search", q="社保")
    assert int(text_of(page.text, "result-total")) == expected["total"] >= 1
    assert ENROLMENT in page.text
    assert _rows(page.text) == [i["id"] for i in expected["items"]]
    for facet, param in (("grade", "grade"), ("sharing", "sharing"), ("usage_method", "usage")):
        for value in expected["facets"][facet]:
            link = re.search(
                rf'<a href="([^"]*)"[^>]*data-value="{value["value"]}">[^<]*</a>'
                rf'<span class="count">(\d+)</span>',
                page.text.split(f'data-facet="{param}"', 1)[1],
            )
            assert link is not None, (facet, value)
            assert int(link.group(2)) == value["count"]


async def test_a_facet_link_filters_and_its_chip_removes_the_filter(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    keys = await demo(runtime)
    await sign_in(client, keys["individual"].api_key)
    everything = await client.get("/market/catalog")
    total = int(text_of(everything.text, "result-total"))
    grades = everything.text.split('data-facet="grade"', 1)[1].split("</section>", 1)[0]
    href, value, count = re.findall(
        r'<a href="([^"]+)"[^>]*data-value="([^"]+)">[^<]*</a><span class="count">(\d+)</span>',
        grades,
    )[0]
    assert int(count) < total
    filtered = await client.get(href.replace("&amp;", "&"))
    assert int(text_of(filtered.text, "result-total")) == int(count)
    chosen = filtered.text.split('data-facet="grade"', 1)[1].split("</section>", 1)[0]
    assert f'aria-current="true" data-value="{value}"' in chosen
    expected = await api(client, keys["individual"], "/v1/catalog/search", grade=value)
    assert _rows(filtered.text) == [i["id"] for i in expected["items"]]
    chip = re.search(r'<a class="badge" href="([^"]+)"', filtered.text)
    assert chip is not None
    again = await client.get(chip.group(1).replace("&amp;", "&"))
    assert int(text_of(again.text, "result-total")) == total


async def test_results_are_paged(client: httpx.AsyncClient, runtime: Runtime) -> None:
    keys = await demo(runtime)
    admin = keys["admin"]
    enrolment = await api(
        client, admin, f"/v1/catalog/items/{await _item_id(client, admin, ENROLMENT)}"
    )
    for n in range(25):
        made = await client.post(
            "/v1/catalog/items", json=_item(enrolment["department"]["id"], n), headers=auth(admin)
        )
        assert made.status_code == 201, made.text
    await sign_in(client, keys["individual"].api_key)
    first = await client.get("/market/catalog", params={"q": "社保"})
    assert int(text_of(first.text, "result-total")) == 26
    assert len(_rows(first.text)) == 20
    assert "第 1 / 2 页" in first.text
    following = re.search(r'<a href="([^"]+)" rel="next">', first.text)
    assert following is not None and "page=2" in following.group(1)
    second = await client.get(following.group(1).replace("&amp;", "&"))
    assert len(_rows(second.text)) == 6
    assert not set(_rows(first.text)) & set(_rows(second.text))
    assert 'rel="prev"' in second.text


def _item(department_id: str, n: int) -> dict[str, Any]:
    return {
        "department_id": department_id,
        "name_zh": f"社保补充目录{n:02d}",
        "description": "测试用的社会保险补充目录",
        "source_system": "测试系统",
        "update_frequency": "monthly",
        "update_method": "full",
        "usage_methods": ["file"],
        "grade": "general",
        "personal_information": False,
        "sharing": "unconditional",
        "opening": "unconditional",
        "fields": [{"code": "note", "name_zh": "备注"}],
    }


async def test_odd_input_is_answered_not_refused(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    keys = await demo(runtime)
    await sign_in(client, keys["individual"].api_key)
    for params in ({"q": "%%%"}, {"grade": "bogus"}, {"q": "社保", "page": "abc"}):
        page = await client.get("/market/catalog", params=params)
        assert page.status_code == 200, params
    odd = await client.get("/market/catalog", params={"grade": "bogus"})
    assert "unknown grade value" in odd.text and int(text_of(odd.text, "result-total")) == 0


async def test_an_item_shows_its_standard_sources_grade_sharing_opening_and_versions(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    keys = await demo(runtime)
    reader = keys["individual"]
    await sign_in(client, reader.api_key)
    medical_id = await _item_id(client, reader, MEDICAL)
    enrolment_id = await _item_id(client, reader, ENROLMENT)
    item = await api(client, reader, f"/v1/catalog/items/{medical_id}")
    page = await client.get(f"/market/catalog/{medical_id}")
    assert page.status_code == 200
    assert "一数一源一标准" in page.text
    attributes = page.text.split('id="attributes"', 1)[1].split("</section>", 1)[0]
    grade = attributes.split('class="item-grade"', 1)[1].split("</dd>", 1)[0]
    assert item["grade_label"] in grade
    sharing = attributes.split('class="item-sharing"', 1)[1].split("</dd>", 1)[0]
    assert item["sharing_label"] in sharing and item["sharing_conditions"] in sharing
    assert item["opening_label"] in attributes.split('class="item-opening"', 1)[1]
    # The person's name is sourced by the social-insurance department's enrolment item.
    person = page.text.split('data-field="person_name"', 1)[1].split("</tr>", 1)[0]
    element = next(f["element_code"] for f in item["fields"] if f["code"] == "person_name")
    assert element in person
    assert f'href="/market/catalog/{enrolment_id}"' in person
    assert "广东省人力资源和社会保障厅" in person
    source = await api(client, reader, f"/v1/data-elements/{element}")
    assert source["source"]["item_id"] == enrolment_id

    revised = await client.patch(
        f"/v1/catalog/items/{medical_id}",
        json={"description": "修订后的描述", "note": "补充说明"},
        headers=auth(keys["admin"]),
    )
    assert revised.status_code == 200, revised.text
    page = await client.get(f"/market/catalog/{medical_id}")
    assert "修订后的描述" in page.text and "补充说明" in page.text
    assert re.search(r"v2 <span class=\"badge ok\">当前</span>", page.text)
    assert "<td>v1</td>" in page.text


async def test_an_unknown_item_is_a_404_page_and_a_malformed_id_a_422(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    keys = await demo(runtime)
    await sign_in(client, keys["individual"].api_key)
    missing = await client.get("/market/catalog/00000000-0000-0000-0000-000000000000")
    assert missing.status_code == 404 and "text/html" in missing.headers["content-type"]
    assert marked(missing.text, "problem-type") == ["/problems/catalog-item-not-found"]
    odd = await client.get("/market/catalog/no%20such")
    assert odd.status_code == 422
    assert marked(odd.text, "problem-type") == ["/problems/invalid-request"]
