"""Brokers' clients and clients' mandates in the console: grant and revoke a mandate, a broker
buys for its client (once, however often the form is sent); the statement shows the money."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
from support_mine import Market, as_, count, footprint, listing_form, market, refused
from support_web import post_form

from exchange.clock import ManualClock
from exchange.context import Runtime
from exchange.trading.orders.models import Order
from exchange.vocabulary import Role
from support import MakeParticipant


async def _listed(client: httpx.AsyncClient, m: Market) -> str:
    """The holder lists its asset on Shenzhen (active at once); the listing id."""
    csrf = await as_(client, m.people.holder)
    created = await post_form(client, "/me/listings", csrf, **listing_form(m.asset_id, "szdex"))
    assert created.status_code == 303, created.text
    return created.headers["location"].split("/")[3].split("?")[0]


def _grant(broker_id: str, expires_on: str, **overrides: str) -> dict[str, object]:
    fields: dict[str, object] = {
        "broker_id": broker_id,
        "side": "buyer",
        "exchange_ids": ["szdex"],
        "actions": ["buy"],
        "spending_limit": "5000",
        "commission_bp": "300",
        "expires_on": expires_on,
    }
    fields.update(overrides)
    return fields


async def test_a_client_grants_a_mandate_and_the_broker_buys_for_it_once(
    client: httpx.AsyncClient,
    runtime: Runtime,
    clock: ManualClock,
    make_participant: MakeParticipant,
) -> None:
    m = await market(runtime, clock, make_participant)
    listing_id = await _listed(client, m)
    next_year = (clock.now() + timedelta(days=365)).date().isoformat()
    csrf = await as_(client, m.people.buyer)
    form = await client.get("/me/mandates")
    assert f'<option value="{m.broker.id}">' in form.text and "粤数经纪有限公司" in form.text
    granted = await post_form(client, "/me/mandates", csrf, **_grant(m.broker.id, next_year))
    assert granted.status_code == 303, granted.text
    page = await client.get(granted.headers["location"])
    assert "委托已授予" in page.text and 'data-state="active"' in page.text
    mandate_id = re.findall(r'data-mandate="([^"]+)"', page.text)[0]

    csrf = await as_(client, m.broker)
    clients = await client.get("/me/clients")
    assert f'data-mandate="{mandate_id}"' in clients.text and "陈小明" in clients.text
    mandate_page = await client.get(f"/me/clients/{mandate_id}")
    assert listing_id in mandate_page.text
    offer = re.findall(r'<option value="([^"]+\|szdex)"', mandate_page.text)[0]
    key = re.findall(r'name="idempotency_key" value="([^"]+)"', mandate_page.text)[0]
    for _ in range(2):  # the form sent twice (a double click, a reload) buys once
        bought = await post_form(
            client, f"/me/clients/{mandate_id}/orders", csrf, offer=offer, idempotency_key=key
        )
        assert bought.status_code == 303, bought.text
    assert await count(runtime, Order) == 1
    page = await client.get(bought.headers["location"])
    assert "已代客户下单" in page.text and 'data-state="settled"' in page.text
    assert page.text.count("data-order=") == 1

    # The client's statement shows the settlement; so does the holder's.
    await as_(client, m.people.buyer)
    statement = await client.get("/me/account")
    assert "交易结算" in statement.text
    paid = [int(a) for a in re.findall(r'data-amount-fen="(-?\d+)"', statement.text)]
    assert paid[0] < -120_050  # price, buyer fee and the broker's commission
    await as_(client, m.people.holder)
    statement = await client.get("/me/account")
    assert "交易结算" in statement.text
    assert int(re.findall(r'data-amount-fen="(-?\d+)"', statement.text)[0]) > 0

    # The client revokes: the broker can no longer buy.
    csrf = await as_(client, m.people.buyer)
    revoked = await post_form(client, f"/me/mandates/{mandate_id}/revoke", csrf)
    assert revoked.status_code == 303
    assert "委托已撤回" in (await client.get(revoked.headers["location"])).text
    csrf = await as_(client, m.broker)
    page = await client.get(f"/me/clients/{mandate_id}")
    assert 'data-state="revoked"' in page.text and "/orders" not in page.text
    late = await post_form(
        client, f"/me/clients/{mandate_id}/orders", csrf, offer=offer, idempotency_key="k" * 20
    )
    refused(late, 409, "mandate-revoked")


async def test_mandate_forms_refuse_strangers_roles_forgeries_and_bad_input(
    client: httpx.AsyncClient,
    runtime: Runtime,
    clock: ManualClock,
    make_participant: MakeParticipant,
) -> None:
    m = await market(runtime, clock, make_participant)
    other_broker = await make_participant(Role.BROKER, name="另一经纪人")
    next_year = (clock.now() + timedelta(days=365)).date().isoformat()
    csrf = await as_(client, m.people.buyer)
    before = await footprint(runtime)
    forged = await client.post("/me/mandates", data=_grant(m.broker.id, next_year))
    refused(forged, 403, "csrf-token-invalid")
    for fields in (
        _grant(m.broker.id, next_year, commission_bp="三百"),
        _grant(m.broker.id, "next year"),
        _grant(m.broker.id, next_year, spending_limit="-5"),
        _grant(m.broker.id, next_year, actions=[]),
        _grant(m.broker.id, next_year, side="both"),
    ):
        refused(await post_form(client, "/me/mandates", csrf, **fields), 422)
    refused(
        await post_form(
            client, "/me/mandates", csrf, **_grant(m.broker.id, next_year, commission_bp="900")
        ),
        409,
        "commission-above-cap",
    )
    refused(
        await post_form(client, "/me/mandates", csrf, **_grant(other_broker.id, next_year)),
        409,
        "broker-not-licensed",
    )
    assert await footprint(runtime) == before
    granted = await post_form(client, "/me/mandates", csrf, **_grant(m.broker.id, next_year))
    mandate_id = re.findall(
        r'data-mandate="([^"]+)"', (await client.get(granted.headers["location"])).text
    )[0]
    # Another broker, and the client itself, do not reach the broker's page of it.
    await as_(client, other_broker)
    refused(await client.get(f"/me/clients/{mandate_id}"), 404, "mandate-not-found")
    assert mandate_id not in (await client.get("/me/clients")).text
    csrf = await as_(client, m.people.buyer)
    refused(await client.get("/me/clients"), 403, "forbidden")
    # Only the client revokes; a forged revocation changes nothing.
    before = await footprint(runtime)
    refused(await client.post(f"/me/mandates/{mandate_id}/revoke"), 403, "csrf-token-invalid")
    await as_(client, m.broker)
    refused(await client.get("/me/mandates"), 403, "forbidden")
    assert await footprint(runtime) == before
    csrf = await as_(client, m.people.holder)
    stranger = await post_form(client, f"/me/mandates/{mandate_id}/revoke", csrf)
    refused(stranger, 404, "mandate-not-found")
    assert await footprint(runtime) == before
