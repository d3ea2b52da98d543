"""My account in the console: the balance and the statement, newest first, paged."""

from __future__ import annotations

import re

import httpx
from support_mine import as_, principal, refused, text_of

from exchange.context import Runtime
from exchange.participants import service as participants_service
from exchange.vocabulary import Role
from support import MakeParticipant


async def test_the_statement_pages_through_the_postings(
    client: httpx.AsyncClient,
    runtime: Runtime,
    make_participant: MakeParticipant,
) -> None:
    saver = await make_participant(Role.ENTERPRISE, name="东莞电子有限公司", balance_fen=100_000)
    payee = await make_participant(Role.ENTERPRISE, name="佛山制造有限公司")
    async with runtime.unit_of_work() as session:
        ctx = runtime.context(session)
        for i in range(54):
            await participants_service.deposit(
                ctx, participant_id=saver.id, amount_fen=100 + i, memo=f"第{i + 1}笔注资"
            )
    async with runtime.unit_of_work() as session:
        await participants_service.transfer(
            runtime.context(session, principal(saver)),
            to_participant_id=payee.id,
            amount_fen=2_500,
            memo="货款 payment",
        )
    await as_(client, saver)
    first = await client.get("/me/account")
    text = text_of(first.text)
    balance = 100_000 + sum(100 + i for i in range(54)) - 2_500
    assert f'data-balance-fen="{balance}"' in first.text
    assert first.text.count("data-posting=") == 50
    assert "转账" in text and "货款 payment" in text and "-¥25.00" in text  # newest first
    assert "第54笔注资" in text and "第1笔注资" not in text
    older = re.findall(r'href="(/me/account\?before=\d+)"', first.text)[0]
    second = await client.get(older)
    assert second.text.count("data-posting=") == 6  # 4 more deposits, the first one, ...
    assert "第1笔注资" in second.text and "test" in second.text  # ... and the opening deposit
    assert not re.findall(r"/me/account\?before=", second.text)
    refused(await client.get("/me/account?before=0"), 422)
    await as_(client, payee)
    assert "+¥25.00" in (await client.get("/me/account")).text
    client.cookies.clear()
    signed_out = await client.get("/me/account")
    assert signed_out.headers["location"] == "/sign-in?next=/me/account"
