"""The desk's entry browser and an entry's page: filters, paging, and the proof data the
page's script checks (here checked again in Python, against the published key)."""

from __future__ import annotations

import base64
import json
import re
from typing import Any

import httpx
from support_desk import Desk, desk_fixture  # noqa: F401  (the `desk` fixture)
from support_web import sign_in

from exchange.audit import merkle
from exchange.audit.note import public_key_from_raw, verify_checkpoint

ROW = re.compile(r'<tr data-index="(\d+)">')


def indexes(html: str) -> list[int]:
    return [int(i) for i in ROW.findall(html)]


def proof_data(html: str) -> dict[str, Any]:
    found = re.search(r'<script type="application/json" id="proof-data">(.*?)</script>', html)
    assert found is not None
    data: dict[str, Any] = json.loads(found.group(1))
    return data


async def test_entries_filter_by_action_subject_actor_and_time(desk: Desk) -> None:
    await sign_in(desk.client, desk.key("regulator"))
    everything = await desk.client.get("/desk/entries", params={"limit": 100})
    assert everything.status_code == 200
    assert indexes(everything.text) == list(range(100))
    opened = await desk.client.get("/desk/entries", params={"action": "customs.case_opened"})
    (index,) = indexes(opened.text)
    case = (await desk.cases())[0]
    assert "customs.case_opened" in opened.text and case.id in opened.text
    by_subject = await desk.client.get(
        "/desk/entries", params={"subject_type": "customs_case", "subject_id": case.id}
    )
    assert indexes(by_subject.text) == [index]
    foreign = desk.keys["foreign_buyer"]
    mine = await desk.client.get("/desk/entries", params={"actor": foreign.id})
    assert index in indexes(mine.text) and foreign.name in mine.text
    later = await desk.client.get("/desk/entries", params={"since": "2030-01-01T00:00"})
    assert indexes(later.text) == [] and "没有符合条件的条目" in later.text
    earlier = await desk.client.get(
        "/desk/entries", params={"until": "2030-01-01T00:00", "action": "customs.case_opened"}
    )
    assert indexes(earlier.text) == [index]


async def test_entries_page_forward_and_keep_their_filters(desk: Desk) -> None:
    await sign_in(desk.client, desk.key("admin"))
    first = await desk.client.get("/desk/entries", params={"limit": 25, "actor": "system"})
    shown = indexes(first.text)
    assert len(shown) == 25
    next_link = re.search(r'<a href="([^"]+)" rel="next">', first.text)
    assert next_link is not None
    href = next_link.group(1).replace("&amp;", "&")
    assert "actor=system" in href and "limit=25" in href and f"start={shown[-1] + 1}" in href
    second = await desk.client.get(href)
    assert indexes(second.text)[0] > shown[-1]


async def test_bad_filters_are_a_422_page(desk: Desk) -> None:
    await sign_in(desk.client, desk.key("regulator"))
    for params in ({"since": "yesterday"}, {"limit": "5000"}, {"start": "-1"},
                   {"action": "x" * 300}, {"until": "0001-01-01T00:00+01:00"}):  # fmt: skip
        answer = await desk.client.get("/desk/entries", params=params)
        assert answer.status_code == 422, params
        assert "<h1>422" in answer.text


async def test_an_entry_carries_its_bytes_path_and_signed_checkpoint(desk: Desk) -> None:
    await sign_in(desk.client, desk.key("regulator"))
    case = (await desk.cases())[0]
    opened = await desk.client.get("/desk/entries", params={"subject_id": case.id})
    (index,) = indexes(opened.text)
    page = await desk.client.get(f"/desk/entries/{index}")
    assert page.status_code == 200, page.text
    assert '<script src="/static/desk-proof.js" defer></script>' in page.text
    data = proof_data(page.text)
    leaf = data["leaf"].encode()
    assert json.loads(leaf)["subject"] == {"type": "customs_case", "id": case.id}
    assert merkle.leaf_hash(leaf).hex() == data["leaf_hash"]
    keys = [
        (k["key_name"], public_key_from_raw(base64.b64decode(k["public_key"])))
        for k in data["keys"]
    ]
    checkpoint = verify_checkpoint(data["checkpoint"], keys)
    assert checkpoint.size == data["tree_size"] == await desk.log_size()
    path = [bytes.fromhex(h) for h in data["audit_path"]]
    assert merkle.verify_inclusion(
        merkle.leaf_hash(leaf), index, checkpoint.size, path, checkpoint.root
    )
    assert f'value="{data["keys"][0]["public_key"]}"' in page.text  # the key the form starts with


async def test_entries_beyond_the_log_or_not_yet_signed(desk: Desk) -> None:
    await sign_in(desk.client, desk.key("regulator"))
    size = await desk.log_size()
    missing = await desk.client.get(f"/desk/entries/{size + 5}")
    assert missing.status_code == 404 and "audit-entry-not-found" in missing.text
    assert (await desk.client.get("/desk/entries/abc")).status_code == 422
    await desk.client.get("/desk")  # signs the checkpoint over everything so far
    await _transfer(desk.client, desk, "holder", "individual")  # one entry more
    fresh = await desk.client.get(f"/desk/entries/{size}")
    assert fresh.status_code == 200
    assert 'data-state="not-covered"' in fresh.text
    assert proof_data(fresh.text)["audit_path"] is None
    desk.settle()
    covered = await desk.client.get(f"/desk/entries/{size}")
    assert 'data-state="pending"' in covered.text
    assert proof_data(covered.text)["tree_size"] == size + 1


async def _transfer(client: httpx.AsyncClient, desk: Desk, payer: str, payee: str) -> None:
    r = await client.post(
        "/v1/transfers",
        json={"to_participant_id": desk.keys[payee].id, "amount_fen": 1, "memo": "测试"},
        headers={"Authorization": f"Bearer {desk.key(payer)}"},
    )
    assert r.status_code == 201, r.text
