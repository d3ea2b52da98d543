"""My listings in the console: list a certified asset from the page, an operator's review
queue, suspend/resume/delist; strangers, roles, forged and invalid forms."""

from __future__ import annotations

import httpx
from support_mine import (
    FINGERPRINT,
    PACKAGE,
    as_,
    footprint,
    listing_form,
    market,
    refused,
    register,
    text_of,
)
from support_web import post_form

from exchange.clock import ManualClock
from exchange.context import Runtime
from exchange.vocabulary import Role
from support import MakeParticipant


async def test_a_holder_lists_from_the_page_and_the_operator_approves_it(
    client: httpx.AsyncClient,
    runtime: Runtime,
    clock: ManualClock,
    make_participant: MakeParticipant,
) -> None:
    m = await market(runtime, clock, make_participant)
    csrf = await as_(client, m.people.holder)
    form = await client.get(f"/me/listings/new?asset_id={m.asset_id}")
    assert form.status_code == 200
    assert f'<option value="{m.asset_id}" selected>' in form.text
    assert "用电指数.csv" in form.text  # the registered package is offered for delivery
    assert 'value="gzde"' in form.text and 'value="szdex"' in form.text
    created = await post_form(
        client, "/me/listings", csrf, **listing_form(m.asset_id, "gzde", "szdex")
    )
    assert created.status_code == 303, created.text
    location = created.headers["location"]
    listing_id = location.split("/")[3].split("?")[0]
    page = await client.get(location)
    text = text_of(page.text)
    assert "挂牌已创建" in text and "广州市企业用电指数（月度）" in text
    assert "¥1,200.50" in text and FINGERPRINT in page.text
    assert 'data-venue="gzde"' in page.text
    gz_row = page.text.split('data-venue="gzde"')[1].split("</tr>")[0]
    sz_row = page.text.split('data-venue="szdex"')[1].split("</tr>")[0]
    assert 'data-state="pending_review"' in gz_row and 'data-state="active"' in sz_row
    assert listing_id in (await client.get("/me/listings")).text

    # Guangzhou's operator finds it in the queue and approves it; Shenzhen's sees nothing.
    await as_(client, m.sz_operator)
    assert listing_id not in (await client.get("/me/listing-reviews")).text
    csrf = await as_(client, m.gz_operator)
    queue = await client.get("/me/listing-reviews")
    assert f'data-pending-listing="{listing_id}"' in queue.text
    decided = await post_form(
        client, f"/me/listing-reviews/{listing_id}", csrf, decision="approve", reason="材料齐全"
    )
    assert decided.status_code == 303, decided.text
    assert listing_id not in (await client.get(decided.headers["location"])).text

    # The holder suspends on Shenzhen, resumes, and delists on Guangzhou.
    csrf = await as_(client, m.people.holder)
    for move, exchange_id, state in (
        ("suspend", "szdex", "suspended"),
        ("resume", "szdex", "active"),
        ("delist", "gzde", "delisted"),
    ):
        moved = await post_form(
            client, f"/me/listings/{listing_id}/move", csrf, move=move, exchange_id=exchange_id
        )
        assert moved.status_code == 303, moved.text
        page = await client.get(moved.headers["location"])
        row = page.text.split(f'data-venue="{exchange_id}"')[1].split("</tr>")[0]
        assert f'data-state="{state}"' in row
    again = await post_form(
        client, f"/me/listings/{listing_id}/move", csrf, move="resume", exchange_id="gzde"
    )
    refused(again, 409, "listing-venue-state")


async def test_a_chosen_file_is_the_delivery_and_must_match_the_fingerprint(
    client: httpx.AsyncClient,
    runtime: Runtime,
    clock: ManualClock,
    make_participant: MakeParticipant,
) -> None:
    m = await market(runtime, clock, make_participant)
    csrf = await as_(client, m.people.holder)
    before = await footprint(runtime)
    wrong = await client.post(
        "/me/listings",
        data={"csrf_token": csrf, **listing_form(m.asset_id, "szdex")},
        files={"package": ("其他.csv", b"not the registered bytes", "text/csv")},
    )
    refused(wrong, 409, "delivery-fingerprint-mismatch")
    assert await footprint(runtime) == before
    right = await client.post(
        "/me/listings",
        data={"csrf_token": csrf, **listing_form(m.asset_id, "szdex")},
        files={"package": ("交付.csv", PACKAGE, "text/csv")},
    )
    assert right.status_code == 303, right.text
    assert "交付.csv" in (await client.get(right.headers["location"])).text


async def test_invalid_listing_forms_are_422_pages_and_write_nothing(
    client: httpx.AsyncClient,
    runtime: Runtime,
    clock: ManualClock,
    make_participant: MakeParticipant,
) -> None:
    m = await market(runtime, clock, make_participant)
    csrf = await as_(client, m.people.holder)
    before = await footprint(runtime)
    for fields in (
        listing_form(m.asset_id, "szdex", tier0_price="十二元"),  # not an amount
        listing_form(m.asset_id, "szdex", tier0_price="12.345"),  # below a fen
        listing_form(m.asset_id, "szdex", tier0_term_days="a year"),  # not a number
        listing_form(m.asset_id, "szdex", tier0_name="", tier0_scope="", tier0_price=""),  # none
        listing_form(m.asset_id),  # no venue
        listing_form(m.asset_id, "szdex", title=""),  # no title
        listing_form("", "szdex"),  # no asset
    ):
        answer = await post_form(client, "/me/listings", csrf, **fields)
        refused(answer, 422)
    cheap = await post_form(
        client, "/me/listings", csrf, **listing_form(m.asset_id, "szdex", tier0_price="1")
    )
    refused(cheap, 409, "price-out-of-limits")  # Shenzhen's floor is ¥10
    nowhere = await post_form(client, "/me/listings", csrf, **listing_form(m.asset_id, "nowhere"))
    refused(nowhere, 404, "exchange-not-found")
    assert await footprint(runtime) == before


async def test_strangers_roles_and_forged_forms_are_refused(
    client: httpx.AsyncClient,
    runtime: Runtime,
    clock: ManualClock,
    make_participant: MakeParticipant,
) -> None:
    m = await market(runtime, clock, make_participant)
    unbound = await make_participant(Role.EXCHANGE_OPERATOR, name="未绑定运营方")
    csrf = await as_(client, m.people.holder)
    created = await post_form(client, "/me/listings", csrf, **listing_form(m.asset_id, "szdex"))
    listing_id = created.headers["location"].split("/")[3].split("?")[0]
    # Another holder: the listing is active and public, but not theirs.
    csrf = await as_(client, m.people.other)
    refused(await client.get(f"/me/listings/{listing_id}"), 404, "listing-not-found")
    before = await footprint(runtime)
    moved = await post_form(client, f"/me/listings/{listing_id}/move", csrf, move="delist")
    refused(moved, 404, "listing-not-found")
    # Their own asset is someone else's to list: 404, not a listing of a stranger's asset.
    refused(
        await post_form(client, "/me/listings", csrf, **listing_form(m.asset_id, "gzde")),
        404,
        "asset-not-found",
    )
    assert await footprint(runtime) == before
    # Buyers hold no listings; holders review none; operators list nothing.
    await as_(client, m.people.buyer)
    refused(await client.get("/me/listings"), 403, "forbidden")
    refused(await client.get("/me/listing-reviews"), 403, "forbidden")
    await as_(client, m.gz_operator)
    refused(await client.get("/me/listings/new"), 403, "forbidden")
    await as_(client, unbound)
    refused(await client.get("/me/listing-reviews"), 403, "not-exchange-operator")
    # No CSRF token: refused, nothing changes.
    await as_(client, m.people.holder)
    forged = await client.post("/me/listings", data=listing_form(m.asset_id, "gzde"))
    refused(forged, 403, "csrf-token-invalid")
    forged_move = await client.post(f"/me/listings/{listing_id}/move", data={"move": "delist"})
    refused(forged_move, 403, "csrf-token-invalid")
    assert await footprint(runtime) == before
    page = await client.get(f"/me/listings/{listing_id}")
    assert 'data-state="active"' in page.text


async def test_the_listing_form_offers_only_registered_assets(
    client: httpx.AsyncClient,
    runtime: Runtime,
    clock: ManualClock,
    make_participant: MakeParticipant,
) -> None:
    m = await market(runtime, clock, make_participant)
    other_asset = await register(runtime, clock, m.people.other, m.people.reviewers, "深圳交通")
    await as_(client, m.people.holder)
    form = await client.get("/me/listings/new")
    assert m.asset_id in form.text and other_asset not in form.text
