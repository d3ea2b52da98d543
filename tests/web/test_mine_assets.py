"""My data assets in the console: register through the form, review in the queue, publicity on
the market clock, the certificate; strangers, wrong roles, forged and invalid forms."""

from __future__ import annotations

import hashlib
import json
import re

import httpx
from support_mine import (
    FINGERPRINT,
    PACKAGE,
    PUBLICITY,
    apply,
    approve,
    as_,
    footprint,
    people,
    refused,
    register,
    registration,
    text_of,
)
from support_web import csrf_of, post_form

from exchange.clock import ManualClock
from exchange.context import Runtime
from exchange.markettime import duework
from exchange.vocabulary import Role
from support import MakeParticipant

TILE = r'data-tile="([^"]+)">\s*<span class="muted">[^<]*</span><br>\s*<span class="stat">(\d+)'


async def test_a_holder_registers_through_the_form_and_follows_it_to_its_certificate(
    client: httpx.AsyncClient,
    runtime: Runtime,
    clock: ManualClock,
    make_participant: MakeParticipant,
) -> None:
    p = await people(make_participant)
    csrf = await as_(client, p.holder)
    form = await client.get("/me/assets/new")
    assert form.status_code == 200
    for name in ("name", "product_form", "grade", "scenario", "source_legality", "package"):
        assert f'name="{name}"' in form.text
    answer = await client.post(
        "/me/assets",
        data={"csrf_token": csrf, **registration()},
        files={"package": ("用电指数.csv", PACKAGE, "text/csv")},
    )
    assert answer.status_code == 303, answer.text
    location = answer.headers["location"]
    assert location.startswith("/me/assets/") and location.endswith("?done=applied")
    asset_id = location.split("/")[3].split("?")[0]
    page = await client.get(location)
    assert page.status_code == 200
    text = text_of(page.text)
    assert "广州市企业用电指数数据产品" in text and "登记申请已提交" in text
    assert 'data-step="review" data-step-state="current"' in page.text
    assert FINGERPRINT in page.text  # the fingerprint is the chosen file's SHA-256
    listed = await client.get("/me/assets")
    assert f'data-asset-id="{asset_id}"' in listed.text and "登记申请中" in listed.text
    download = await client.get(f"/me/assets/{asset_id}/package")
    assert download.status_code == 200 and download.content == PACKAGE
    assert download.headers["x-content-sha256"] == FINGERPRINT

    # The two reviewers approve in their queue: publicity starts.
    for reviewer in p.reviewers:
        csrf = await as_(client, reviewer)
        queue = await client.get("/me/reviews")
        assert asset_id in queue.text and "广州市企业用电指数数据产品" in queue.text
        decided = await post_form(
            client, f"/me/reviews/{asset_id}", csrf, decision="approve", reason="材料齐全，来源合法"
        )
        assert decided.status_code == 303, decided.text
        assert decided.headers["location"] == "/me/reviews?done=reviewed"

    await as_(client, p.holder)
    page = await client.get(f"/me/assets/{asset_id}")
    assert 'data-step="publicity" data-step-state="current"' in page.text
    text = text_of(page.text)
    assert "异议期至" in text and "剩余 " in text  # the window and what is left of it
    assert "完成登记" not in text  # not before the window ends

    # The market clock passes the end of publicity; the due-work runner certifies.
    clock.advance(PUBLICITY)
    report = await duework.run(runtime)
    assert report.registered_asset_ids == [asset_id]
    page = await client.get(f"/me/assets/{asset_id}")
    assert 'data-step="certificate" data-step-state="done"' in page.text
    assert "已登记" in page.text
    certificate = await client.get(f"/me/assets/{asset_id}/certificate")
    assert certificate.status_code == 200
    assert f'<p class="mono" id="certificate-fingerprint">{FINGERPRINT}</p>' in certificate.text
    assert 'data-verification="valid"' in certificate.text
    saved = await client.get(f"/me/assets/{asset_id}/certificate.json")
    body = json.loads(saved.content)
    assert body["document"]["fingerprint"]["value"] == FINGERPRINT
    assert body["document"]["asset"]["id"] == asset_id


async def test_the_holder_completes_a_registration_whose_publicity_is_over(
    client: httpx.AsyncClient,
    runtime: Runtime,
    clock: ManualClock,
    make_participant: MakeParticipant,
) -> None:
    p = await people(make_participant)
    asset_id = await apply(runtime, p.holder)
    await approve(runtime, asset_id, p.reviewers)
    csrf = await as_(client, p.holder)
    early = await post_form(client, f"/me/assets/{asset_id}/finalize", csrf)
    refused(early, 409, "publicity-not-over")
    clock.advance(PUBLICITY)
    page = await client.get(f"/me/assets/{asset_id}")
    assert "完成登记" in page.text
    done = await post_form(client, f"/me/assets/{asset_id}/finalize", csrf)
    assert done.status_code == 303 and done.headers["location"].endswith("done=finalized")
    page = await client.get(done.headers["location"])
    assert "登记完成，数据资产凭证已签发" in page.text
    assert f"/me/assets/{asset_id}/certificate" in page.text
    # The package is deposited after the fact, and must match the fingerprint.
    wrong = await client.post(
        f"/me/assets/{asset_id}/package",
        data={"csrf_token": csrf},
        files={"package": ("x.csv", b"other bytes", "text/csv")},
    )
    refused(wrong, 409, "asset-package-fingerprint-mismatch")
    right = await client.post(
        f"/me/assets/{asset_id}/package",
        data={"csrf_token": csrf},
        files={"package": ("用电.csv", PACKAGE, "text/csv")},
    )
    assert right.status_code == 303
    assert (await client.get(f"/me/assets/{asset_id}/package")).content == PACKAGE


async def test_change_and_cancellation_applications_from_the_asset_page(
    client: httpx.AsyncClient,
    runtime: Runtime,
    clock: ManualClock,
    make_participant: MakeParticipant,
) -> None:
    p = await people(make_participant)
    asset_id = await register(runtime, clock, p.holder, p.reviewers, "珠三角物流景气报告")
    csrf = await as_(client, p.holder)
    form = await client.get(f"/me/assets/{asset_id}/change")
    assert 'value="珠三角物流景气报告"' in form.text  # filled with the registered description
    same = await client.post(
        f"/me/assets/{asset_id}/change",
        data={
            "csrf_token": csrf,
            **registration(
                name="珠三角物流景气报告",
                description="珠三角物流景气报告（测试）",
                product_form="dataset",
                scenario="城市交通规划",
                source_legality="企业授权采集，来源合法",
                fingerprint=FINGERPRINT,
            ),
            "reason": "无变化",
        },
    )
    refused(same, 409, "no-change")
    changed = await client.post(
        f"/me/assets/{asset_id}/change",
        data={
            "csrf_token": csrf,
            **registration(
                name="珠三角物流景气报告（季度版）",
                description="珠三角物流景气报告（测试）",
                product_form="dataset",
                scenario="城市交通规划",
                source_legality="企业授权采集，来源合法",
                fingerprint=FINGERPRINT,
            ),
            "reason": "更名为季度版",
        },
    )
    assert changed.status_code == 303, changed.text
    page = await client.get(changed.headers["location"])
    assert "变更登记申请已提交" in page.text and "变更登记" in page.text
    # An open change application: no second application, so no cancellation form.
    assert f"/me/assets/{asset_id}/cancellation" not in page.text
    refused(
        await post_form(client, f"/me/assets/{asset_id}/cancellation", csrf, reason="停止运营"),
        409,
        "application-open",
    )


async def test_a_strangers_asset_answers_404_even_once_published(
    client: httpx.AsyncClient,
    runtime: Runtime,
    clock: ManualClock,
    make_participant: MakeParticipant,
) -> None:
    p = await people(make_participant)
    asset_id = await register(runtime, clock, p.holder, p.reviewers, "深圳市交通流量指标")
    await as_(client, p.other)
    for path in ("", "/certificate", "/certificate.json", "/package", "/change"):
        refused(await client.get(f"/me/assets/{asset_id}{path}"), 404, "asset-not-found")
    assert asset_id not in (await client.get("/me/assets")).text


async def test_wrong_roles_are_refused_and_strangers_sent_to_sign_in(
    client: httpx.AsyncClient, make_participant: MakeParticipant
) -> None:
    p = await people(make_participant)
    signed_out = await client.get("/me/assets")
    assert signed_out.status_code == 303
    assert signed_out.headers["location"] == "/sign-in?next=/me/assets"
    await as_(client, p.buyer)
    refused(await client.get("/me/assets"), 403, "forbidden")
    refused(await client.get("/me/assets/new"), 403, "forbidden")
    refused(await client.get("/me/reviews"), 403, "forbidden")
    await as_(client, p.regulator)
    refused(await client.get("/me"), 403, "forbidden")
    await as_(client, p.reviewers[0])
    refused(await client.get("/me/assets"), 403, "forbidden")
    assert (await client.get("/me")).status_code == 200


async def test_a_registration_without_its_csrf_token_is_refused_and_writes_nothing(
    client: httpx.AsyncClient, runtime: Runtime, make_participant: MakeParticipant
) -> None:
    p = await people(make_participant)
    await as_(client, p.holder)
    before = await footprint(runtime)
    answer = await client.post(
        "/me/assets",
        data=registration(),
        files={"package": ("用电指数.csv", PACKAGE, "text/csv")},
    )
    refused(answer, 403, "csrf-token-invalid")
    forged = await client.post("/me/assets", data={"csrf_token": "x" * 43, **registration()})
    refused(forged, 403, "csrf-token-invalid")
    assert await footprint(runtime) == before


async def test_invalid_registration_forms_are_422_pages_and_write_nothing(
    client: httpx.AsyncClient, runtime: Runtime, make_participant: MakeParticipant
) -> None:
    p = await people(make_participant)
    csrf = await as_(client, p.holder)
    before = await footprint(runtime)
    cases = [
        registration(name="", fingerprint=FINGERPRINT),  # no name
        registration(fingerprint="not-a-sha-256"),  # not a fingerprint
        registration(fingerprint=FINGERPRINT, product_form="hologram"),  # no such form
        registration(fingerprint=FINGERPRINT, source_legality=""),  # no statement
        registration(),  # neither a file nor a fingerprint
    ]
    for fields in cases:
        answer = await client.post("/me/assets", data={"csrf_token": csrf, **fields})
        refused(answer, 422)
        assert "form" in text_of(answer.text).lower() or "fingerprint" in answer.text
    mismatch = await client.post(
        "/me/assets",
        data={"csrf_token": csrf, **registration(fingerprint="0" * 64)},
        files={"package": ("用电指数.csv", PACKAGE, "text/csv")},
    )
    refused(mismatch, 422)
    core = await client.post(
        "/me/assets",
        data={"csrf_token": csrf, **registration(fingerprint=FINGERPRINT, grade="core")},
    )
    refused(core, 409, "core-data-refused")
    no_scenario = await client.post(
        "/me/assets",
        data={"csrf_token": csrf, **registration(fingerprint=FINGERPRINT, scenario="")},
    )
    refused(no_scenario, 422, "scenario-required")
    assert await footprint(runtime) == before
    # The same form, valid, goes through: the refusals were the fields, not the form.
    ok = await client.post(
        "/me/assets", data={"csrf_token": csrf, **registration(fingerprint=FINGERPRINT.upper())}
    )
    assert ok.status_code == 303, ok.text
    assert hashlib.sha256(PACKAGE).hexdigest() in (await client.get(ok.headers["location"])).text


async def test_the_dashboard_shows_who_i_am_my_balance_and_my_counts(
    client: httpx.AsyncClient,
    runtime: Runtime,
    clock: ManualClock,
    make_participant: MakeParticipant,
) -> None:
    p = await people(make_participant)
    await register(runtime, clock, p.holder, p.reviewers, "深圳市交通流量指标")
    await apply(runtime, p.holder, "广州市企业用电指数")
    funded = await make_participant(
        Role.ENTERPRISE, name="佛山制造有限公司", balance_fen=12_345_678
    )
    await as_(client, p.holder)
    page = await client.get("/me")
    text = text_of(page.text)
    assert "广州数联科技有限公司" in text and "企业" in text and "CN" in text
    assert 'data-tile="/me/assets"' in page.text
    tiles = dict(re.findall(TILE, page.text))
    assert tiles["/me/assets"] == "2" and tiles["/me/assets?status=registered"] == "1"
    assert tiles["/me/listings"] == "0"
    await as_(client, funded)
    page = await client.get("/me")
    assert 'data-balance-fen="12345678"' in page.text and "¥123,456.78" in page.text
    await as_(client, p.reviewers[0])
    page = await client.get("/me")
    assert 'data-tile="/me/reviews"' in page.text
    assert "/me/assets/new" not in page.text  # reviewers hold no assets
    assert csrf_of(page.text)
