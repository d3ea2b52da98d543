"""The regulator's desk: who gets in, and the log's state on its front page."""

from __future__ import annotations

import re

from sqlalchemy import select, update
from support_desk import Desk, desk_fixture  # noqa: F401  (the `desk` fixture)
from support_web import csrf_of, post_form, sign_in

from exchange.audit.log.models import AuditEntry
from exchange.audit.note import parse_checkpoint, parse_note
from exchange.audit.transparency.models import AuditCheckRun

PAGES = ["/desk", "/desk/entries", "/desk/entries/0", "/desk/customs", "/desk/objections",
         "/desk/stats"]  # fmt: skip


async def test_signed_out_readers_are_sent_to_sign_in(desk: Desk) -> None:
    for path in PAGES:
        answer = await desk.client.get(path)
        assert answer.status_code == 303, path
        assert answer.headers["location"] == f"/sign-in?next={path}"


async def test_other_roles_get_403_on_every_desk_page(desk: Desk) -> None:
    for handle in ("holder", "broker", "individual", "reviewer1"):
        desk.client.cookies.clear()
        await sign_in(desk.client, desk.key(handle))
        for path in PAGES:
            answer = await desk.client.get(path)
            assert answer.status_code == 403, (handle, path)
            assert "forbidden" in answer.text and "regulator" in answer.text


async def test_the_front_page_shows_the_signed_checkpoint_and_the_queues(desk: Desk) -> None:
    await sign_in(desk.client, desk.key("regulator"))
    page = await desk.client.get("/desk")
    assert page.status_code == 200
    html = page.text
    note = re.search(r'<pre class="note mono" id="checkpoint-note">(.*?)</pre>', html, re.S)
    assert note is not None
    text = note.group(1).replace("&#34;", '"').replace("&amp;", "&")
    body, signatures = parse_note(text)
    checkpoint = parse_checkpoint(body)
    assert checkpoint.size == await desk.log_size()  # the fresh checkpoint covers the log
    assert checkpoint.root.hex() in html
    keys = (await desk.client.get("/v1/audit/public-key")).json()["keys"]
    assert signatures[0].key_name == keys[0]["key_name"]
    assert signatures[0].key_id.hex() == keys[0]["key_id"] in html
    assert "published key" in html or "已公布密钥" in html
    assert f'id="log-size">{checkpoint.size}<' in html
    assert '<a href="/desk/customs">1</a>' in html  # the demo's order waiting at customs
    assert '<a href="/desk/objections">0</a>' in html
    assert "运行中：无停机" in html
    assert html.count("尚未运行") == 2  # neither check has run in this market yet


async def test_running_the_checks_from_the_desk_keeps_their_results(desk: Desk) -> None:
    csrf = await sign_in(desk.client, desk.key("regulator"))
    refused = await desk.client.post("/desk/verify", data={})
    assert refused.status_code == 403
    async with desk.runtime.sessionmaker() as session:
        assert list(await session.scalars(select(AuditCheckRun))) == []
    ran = await post_form(desk.client, "/desk/verify", csrf)
    assert ran.status_code == 303 and ran.headers["location"].startswith("/desk?done=verify")
    ran = await post_form(desk.client, "/desk/reconcile", csrf)
    assert ran.status_code == 303
    html = (await desk.client.get("/desk?done=reconcile")).text
    assert "已完成对账" in html
    verification = html.split('id="verification"', 1)[1].split("</section>", 1)[0]
    reconciliation = html.split('id="reconciliation"', 1)[1].split("</section>", 1)[0]
    for section in (verification, reconciliation):
        assert "✓ 通过" in section and "console" in section
        assert desk.keys["regulator"].id in section
    assert f"<dd>{await desk.log_size()}</dd>" in verification


async def test_a_damaged_log_shows_the_halt_and_the_first_bad_entry(desk: Desk) -> None:
    csrf = await sign_in(desk.client, desk.key("admin"))
    async with desk.runtime.engine.begin() as conn:
        leaf = bytes(
            (await conn.execute(select(AuditEntry.leaf).where(AuditEntry.seq == 3))).scalar_one()
        )
        await conn.execute(
            update(AuditEntry)
            .where(AuditEntry.seq == 3)
            .values(leaf=leaf.replace(b'"v":1', b'"v":2'))
        )
    assert (await post_form(desk.client, "/desk/verify", csrf)).status_code == 303
    html = (await desk.client.get("/desk")).text
    halt = html.split('id="halt"', 1)[1].split("</section>", 1)[0]
    assert "停机中" in halt and '<a href="/desk/entries/3">#3</a>' in halt
    verification = html.split('id="verification"', 1)[1].split("</section>", 1)[0]
    assert "✗ 未通过" in verification and '<a href="/desk/entries/3">#3</a>' in verification


async def test_admins_read_the_desk_but_get_no_decision_forms(desk: Desk) -> None:
    await sign_in(desk.client, desk.key("admin"))
    page = await desk.client.get("/desk/customs")
    assert page.status_code == 200
    assert "管理员只读" in page.text
    assert "/decision" not in page.text
    case = (await desk.cases())[0]
    csrf = csrf_of(page.text)
    refused = await post_form(
        desk.client, f"/desk/customs/{case.id}/decision", csrf, decision="approve", reason="ok"
    )
    assert refused.status_code == 403
    assert (await desk.cases())[0].status == "pending"
