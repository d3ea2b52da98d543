"""Reconciliation (对账) of every derived table: a clean market has no difference; each edit
made behind the platform's back is named with its table, row and the entry that made it."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select, text
from typer.testing import CliRunner

from exchange.audit.log.models import AuditEntry
from exchange.cli import app as cli
from exchange.clock import ManualClock
from exchange.context import Runtime
from exchange.database import create_engine
from exchange.seed.demo import seed_demo
from exchange.vocabulary import Role
from support import Actor, MakeParticipant


@dataclass
class Demo:
    """The demo market after a day of trading, and the ids the tamper tests edit."""

    client: httpx.AsyncClient
    runtime: Runtime
    regulator: dict[str, str]
    transfer_journal: str
    licence: dict[str, Any]
    listing_id: str
    certificate: str
    mandate: str
    customs_case: str


def _auth(key: dict[str, str] | Actor) -> dict[str, str]:
    secret = key.api_key if isinstance(key, Actor) else key["api_key"]
    return {"Authorization": f"Bearer {secret}"}


async def _ok(response: Awaitable[httpx.Response], status: int = 200) -> Any:
    r = await response
    assert r.status_code == status, r.text
    return r.json()


@pytest.fixture
async def demo(
    client: httpx.AsyncClient,
    runtime: Runtime,
    clock: ManualClock,
    make_participant: MakeParticipant,
) -> Demo:
    """Seed the demo market, then trade: a transfer, a purchase, a cross-border purchase
    (a customs case), a mandate, a pledged certificate and a suspended, resumed listing."""
    seeded = await seed_demo(runtime)  # once: seeding again without the keys rotates them
    keys = {k.role: k.as_json() for k in reversed(seeded)}
    hk = next(k.as_json() for k in seeded if k.name.startswith("香港"))
    enterprise, person = keys[Role.ENTERPRISE], keys[Role.INDIVIDUAL]
    post = client.post
    transfer = await _ok(
        post(
            "/v1/transfers",
            json={"to_participant_id": person["id"], "amount_fen": 12_345, "memo": "对账测试"},
            headers=_auth(enterprise),
        ),
        201,
    )
    listings = (await _ok(client.get("/v1/listings", headers=_auth(person))))["items"]
    product = next(i for i in listings if len(i["venues"]) == 2)
    trial = next(t for t in product["tiers"] if t["term_days"] == 30)
    order = {"listing_id": product["id"], "tier_id": trial["id"], "exchange_id": "szdex"}
    bought = await _ok(post("/v1/orders", json=order, headers=_auth(person)), 201)
    exported = await _ok(post("/v1/orders", json=order, headers=_auth(hk)), 201)
    assert exported["customs_case"] is not None, exported
    mandate = await _ok(
        post(
            "/v1/mandates",
            json={
                "broker_id": keys[Role.BROKER]["id"],
                "exchange_ids": ["gzde"],
                "actions": ["buy"],
                "spending_limit_fen": 500_000,
                "commission_bp": 150,
                "expires_at": (clock.now() + timedelta(days=30)).isoformat(),
            },
            headers=_auth(enterprise),
        ),
        201,
    )
    certificate = (await _ok(client.get("/v1/certificates", headers=_auth(enterprise))))["items"][
        0
    ]["number"]
    pledge = await _ok(
        post(
            "/v1/pledges",
            json={"certificate_number": certificate, "loan_reference": "L-1", "amount_fen": 100},
            headers=_auth(keys[Role.LENDER]),
        ),
        201,
    )
    await _ok(post(f"/v1/pledges/{pledge['id']}/confirm", headers=_auth(enterprise)))
    for move in ("suspend", "resume"):
        await _ok(
            post(
                f"/v1/listings/{product['id']}/{move}",
                json={"reason": "对账测试"},
                headers=_auth(enterprise),
            )
        )
    return Demo(
        client,
        runtime,
        keys[Role.REGULATOR],
        transfer["id"],
        bought["licence"],
        product["id"],
        certificate,
        mandate["id"],
        exported["customs_case"]["id"],
    )


async def _reconcile(demo: Demo) -> dict[str, Any]:
    r = await demo.client.get("/v1/audit/reconcile", headers=_auth(demo.regulator))
    assert r.status_code == 200, r.text
    report: dict[str, Any] = r.json()
    return report


async def _entry(runtime: Runtime, subject_type: str, subject_id: str, action: str) -> int:
    """The index of the entry about a subject with this action."""
    async with runtime.sessionmaker() as session:
        found = (
            await session.scalars(
                select(AuditEntry.seq).where(
                    AuditEntry.subject_type == subject_type,
                    AuditEntry.subject_id == subject_id,
                    AuditEntry.action == action,
                )
            )
        ).all()
    [seq] = found
    return int(seq)


async def _sql(runtime: Runtime, statement: str, **params: Any) -> None:
    async with runtime.engine.begin() as conn:
        result = await conn.execute(text(statement), params)
        assert result.rowcount >= 1, statement  # type: ignore[attr-defined]


def _named(report: dict[str, Any]) -> set[tuple[str, str, str | None, int | None]]:
    return {(d["table"], d["row_id"], d["column"], d["entry_index"]) for d in report["differences"]}


async def test_a_clean_market_reconciles_every_table(demo: Demo) -> None:
    report = await _reconcile(demo)
    assert report["ok"] is True, report["differences"]
    assert report["differences"] == [] and report["differences_total"] == 0
    assert report["unreadable_entries"] == []
    # Every table it rebuilds was compared, row by row.
    assert all(n > 0 for n in report["rows_checked"].values()), report["rows_checked"]
    assert set(report["rows_checked"]) >= {
        "accounts",
        "journals",
        "postings",
        "trading_licences",
        "trading_listings",
        "trading_listing_venues",
        "trading_licence_tiers",
        "asset_certificates",
        "trading_mandates",
        "trading_customs_cases",
    }
    assert report["accounts_checked"] == report["rows_checked"]["accounts"]


async def test_tripled_postings_are_named_though_balances_still_agree(demo: Demo) -> None:
    journal = demo.transfer_journal
    await _sql(
        demo.runtime,
        "UPDATE postings SET amount_fen = amount_fen * 3 WHERE journal_id = :j",
        j=journal,
    )
    report = await _reconcile(demo)
    assert report["ok"] is False
    index = await _entry(demo.runtime, "journal", journal, "ledger.posted")
    async with demo.runtime.engine.connect() as conn:
        postings = (
            await conn.execute(
                text("SELECT id, amount_fen FROM postings WHERE journal_id = :j ORDER BY id"),
                {"j": journal},
            )
        ).all()
    assert _named(report) == {
        ("postings", str(posting_id), "amount_fen", index) for posting_id, _ in postings
    }
    for difference in report["differences"]:
        assert difference["kind"] == "changed"
        assert difference["live_value"] == 3 * difference["log_value"]


async def test_a_licence_given_to_another_participant_is_named(demo: Demo) -> None:
    licence = demo.licence
    other = demo.regulator["id"]
    await _sql(
        demo.runtime,
        "UPDATE trading_licences SET licensee_id = :who WHERE id = :id",
        who=other,
        id=licence["id"],
    )
    report = await _reconcile(demo)
    index = await _entry(demo.runtime, "trade", licence["trade_id"], "trading.trade_settled")
    assert _named(report) == {("trading_licences", licence["id"], "licensee_id", index)}
    [difference] = report["differences"]
    assert difference["live_value"] == other
    assert difference["log_value"] == licence["licensee_id"]


async def test_a_listing_state_changed_is_named_with_the_entry_that_set_it(demo: Demo) -> None:
    await _sql(
        demo.runtime,
        "UPDATE trading_listing_venues SET status = 'delisted' "
        "WHERE listing_id = :id AND exchange_id = 'szdex'",
        id=demo.listing_id,
    )
    report = await _reconcile(demo)
    # The resume set it last (after the suspension and the listing itself).
    index = await _entry(demo.runtime, "listing", demo.listing_id, "trading.listing_resumed")
    assert _named(report) == {
        ("trading_listing_venues", f"{demo.listing_id}/szdex", "status", index)
    }
    [difference] = report["differences"]
    assert (difference["log_value"], difference["live_value"]) == ("active", "delisted")


async def test_a_certificate_status_changed_is_named(demo: Demo) -> None:
    number = demo.certificate
    await _sql(
        demo.runtime,
        "UPDATE asset_certificates SET state = 'revoked', pledge_id = NULL WHERE number = :n",
        n=number,
    )
    report = await _reconcile(demo)
    issued = await _entry(demo.runtime, "certificate", number, "certificate.issued")
    async with demo.runtime.sessionmaker() as session:
        pledged = (
            await session.scalars(
                select(AuditEntry.seq).where(AuditEntry.action == "pledge.confirmed")
            )
        ).one()
    assert _named(report) == {
        ("asset_certificates", number, "state", issued),
        ("asset_certificates", number, "pledge_id", pledged),
    }


async def test_an_edited_mandate_is_named(demo: Demo) -> None:
    await _sql(
        demo.runtime,
        "UPDATE trading_mandates SET spending_limit_fen = 99000000, commission_bp = 0 "
        "WHERE id = :id",
        id=demo.mandate,
    )
    report = await _reconcile(demo)
    index = await _entry(demo.runtime, "mandate", demo.mandate, "trading.mandate_granted")
    assert _named(report) == {
        ("trading_mandates", demo.mandate, "spending_limit_fen", index),
        ("trading_mandates", demo.mandate, "commission_bp", index),
    }


async def test_a_flipped_customs_decision_is_named(demo: Demo) -> None:
    case = demo.customs_case
    await _sql(
        demo.runtime,
        "UPDATE trading_customs_cases SET status = 'refused', decision = 'rejected' WHERE id = :id",
        id=case,
    )
    report = await _reconcile(demo)
    index = await _entry(demo.runtime, "customs_case", case, "customs.case_opened")
    assert _named(report) == {
        ("trading_customs_cases", case, "status", index),
        ("trading_customs_cases", case, "decision", index),
    }


async def test_rows_without_entries_and_entries_without_rows_are_named(demo: Demo) -> None:
    journal = demo.transfer_journal
    # A journal slipped in with no entry, and a posting deleted from a logged one.
    await _sql(
        demo.runtime,
        "INSERT INTO journals (id, kind, memo, initiated_by, created_at) "
        "SELECT 'forged', kind, memo, initiated_by, created_at FROM journals WHERE id = :j",
        j=journal,
    )
    await _sql(
        demo.runtime,
        "DELETE FROM postings WHERE id = (SELECT max(id) FROM postings WHERE journal_id = :j)",
        j=journal,
    )
    report = await _reconcile(demo)
    index = await _entry(demo.runtime, "journal", journal, "ledger.posted")
    named = {(d["table"], d["row_id"], d["kind"], d["entry_index"]) for d in report["differences"]}
    assert named == {
        ("postings", f"{journal}#1", "missing", index),
        ("journals", "forged", "unlogged", None),
    }
    assert report["differences"][-1]["row_id"] == "forged"  # unlogged rows come last


async def test_a_damaged_payload_is_reported_never_half_counted(demo: Demo) -> None:
    async with demo.runtime.sessionmaker() as session:
        seq, leaf = (
            await session.execute(
                select(AuditEntry.seq, AuditEntry.leaf).where(
                    AuditEntry.action == "trading.trade_settled"
                )
            )
        ).first()  # type: ignore[misc]
    entry = json.loads(leaf)
    entry["payload"]["licence"]["exclusive"] = "yes"
    async with demo.runtime.engine.begin() as conn:
        await conn.execute(
            text("UPDATE audit_entries SET leaf = :leaf WHERE seq = :seq"),
            {"leaf": json.dumps(entry, separators=(",", ":")).encode(), "seq": seq},
        )
    report = await _reconcile(demo)
    assert report["ok"] is False
    assert report["unreadable_entries"] == [seq]
    # Its licence is then a row no readable entry made.
    [difference] = report["differences"]
    assert (difference["table"], difference["kind"]) == ("trading_licences", "unlogged")


async def _cli(*args: str) -> tuple[int, str]:
    result = await asyncio.to_thread(CliRunner().invoke, cli, list(args))
    return result.exit_code, result.output


async def test_the_reconcile_command_names_each_difference(
    empty_database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EXCHANGE_DATABASE_URL", empty_database_url)
    monkeypatch.setenv("EXCHANGE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("COLUMNS", "250")
    code, output = await _cli("demo", "--no-serve")
    assert code == 0, output
    code, output = await _cli("audit", "reconcile")
    assert code == 0, output
    assert "OK" in output and "trading_listings" in output
    engine = create_engine(empty_database_url)
    try:
        async with engine.begin() as conn:
            await conn.execute(text("UPDATE trading_licence_tiers SET price_fen = 1"))
            tiers = (await conn.execute(text("SELECT id FROM trading_licence_tiers"))).all()
    finally:
        await engine.dispose()
    code, output = await _cli("audit", "reconcile", "--json")
    assert code == 1, output
    assert "DIFFERENCES" in output
    report = json.loads(output[output.index("\n{") :])
    assert {(d["table"], d["row_id"], d["column"]) for d in report["differences"]} == {
        ("trading_licence_tiers", tier_id, "price_fen") for (tier_id,) in tiers
    }
    assert all(d["entry_index"] is not None for d in report["differences"])
