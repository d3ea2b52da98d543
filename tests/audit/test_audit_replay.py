"""The pure replay behind reconciliation: what each action's payload rebuilds, and how a
live row that differs is named."""

from __future__ import annotations

from typing import Any

import pytest

from exchange.audit.transparency import compare
from exchange.audit.transparency.replay import Finding, Replay, Unreadable


def entry(action: str, subject_id: str, payload: dict[str, Any], actor: str = "p1") -> Any:
    return {
        "action": action,
        "actor": actor,
        "subject": {"type": "x", "id": subject_id},
        "payload": payload,
    }


def cells(replay: Replay, table: str, row_id: str) -> dict[str, tuple[Any, int | None]]:
    return replay.tables[table][row_id].cells


def test_postings_follow_account_order_and_carry_running_balances() -> None:
    replay = Replay()
    legs = [{"account_id": "b", "amount_fen": 5}, {"account_id": "a", "amount_fen": -5}]
    payload = {"kind": "transfer", "memo": "m", "postings": legs}
    replay.apply(0, entry("ledger.posted", "j0", payload))
    journal = replay.apply(1, entry("ledger.posted", "j1", payload, actor="p2"))
    assert journal is not None
    assert journal.postings == (("a", -5, -10), ("b", 5, 10))
    assert (journal.entry_index, journal.initiated_by) == (1, "p2")
    assert cells(replay, "accounts", "a")["balance_fen"] == (-10, 1)
    live = {
        "kind": "transfer",
        "memo": "m",
        "initiated_by": "p2",
        "postings": [
            {"id": "7", "account_id": "a", "amount_fen": -15, "balance_after_fen": -10},
            {"id": "8", "account_id": "b", "amount_fen": 5, "balance_after_fen": 10},
            {"id": "9", "account_id": "c", "amount_fen": 10, "balance_after_fen": 10},
        ],
    }
    assert compare.compare_journal(journal, live) == [
        Finding("postings", "7", "amount_fen", "changed", 1, -5, -15),
        Finding(
            "postings",
            "9",
            None,
            "unlogged",
            None,
            None,
            {"journal_id": "j1", **live["postings"][2]},
        ),
    ]


def test_each_action_moves_the_rows_it_names() -> None:
    replay = Replay()
    venues = [{"exchange_id": "gzde", "base_id": None, "status": "pending_review"}]
    tier = {
        "tier_id": "t1",
        "name": "n",
        "scope": "s",
        "term_days": 30,
        "price_fen": 9,
        "exclusive": False,
    }
    listing = {
        "asset_id": "a1",
        "holder_id": "h",
        "certificate_number": "c1",
        "title": "t",
        "product_form": "dataset",
        "grade": "general",
        "personal_information": False,
        "delivery": {"kind": "file", "filename": "f", "media_type": "m", "size": 3, "sha256": "d"},
        "venues": venues,
        "tiers": [tier],
    }
    replay.apply(0, entry("trading.listing_created", "L", listing, actor="h"))
    review = {"exchange_id": "gzde", "approved": False, "reason": "no"}
    replay.apply(1, entry("trading.listing_reviewed", "L", review, actor="op"))
    assert cells(replay, "trading_listing_venues", "L/gzde")["status"] == ("rejected", 1)
    assert cells(replay, "trading_listing_venues", "L/gzde")["updated_by"] == ("op", 1)
    assert cells(replay, "trading_licence_tiers", "t1")["position"] == (0, 0)
    moved = {"exchange_ids": ["gzde"], "reason": "r"}
    replay.apply(2, entry("trading.listing_delisted", "L", moved))
    assert cells(replay, "trading_listing_venues", "L/gzde")["status"] == ("delisted", 2)

    settled = {
        "listing_id": "L",
        "tier_id": "t1",
        "seller_id": "h",
        "licence": {
            "licence_id": "lic",
            "licensee_id": "b",
            "scope": "s",
            "exclusive": True,
            "starts_at": "2026-01-01T00:00:00.000000Z",
            "expires_at": "2027-01-01T00:00:00.000000Z",
        },
    }
    replay.apply(3, entry("trading.trade_settled", "T", settled))
    replay.apply(4, entry("trading.licence_revoked", "lic", {"reason": "r"}, actor="reg"))
    licence = cells(replay, "trading_licences", "lic")
    assert licence["trade_id"] == ("T", 3) and licence["licensor_id"] == ("h", 3)
    assert licence["status"] == ("revoked", 4) and licence["revoked_by"] == ("reg", 4)

    issued = {
        "asset_id": "a1",
        "holder_id": "h",
        "key_id": "k",
        "expires_at": "x",
        "document_sha256": "d",
        "asset_version": 1,
    }
    replay.apply(5, entry("certificate.issued", "C1", issued))
    pledge = {"certificate_number": "C1", "status": "active"}
    replay.apply(6, entry("pledge.confirmed", "P", pledge))
    assert cells(replay, "asset_certificates", "C1")["pledge_id"] == ("P", 6)
    replay.apply(7, entry("pledge.released", "P", {**pledge, "status": "released"}))
    replay.apply(8, entry("certificate.revoked", "C1", {"asset_id": "a1", "reason": "r"}))
    certificate = cells(replay, "asset_certificates", "C1")
    assert certificate["pledge_id"] == (None, 7) and certificate["state"] == ("revoked", 8)

    opened = {
        "order_id": "o",
        "buyer_id": "b",
        "jurisdiction": "HK",
        "asset_id": "a1",
        "grade": "important",
        "personal_information": True,
        "legal_basis": "contract",
        "status": "pending",
        "decision": None,
        "reason": "",
    }
    replay.apply(9, entry("customs.case_opened", "K", opened))
    assert cells(replay, "trading_customs_cases", "K")["decided_by"] == (None, 9)
    decided = {"order_id": "o", "decision": "rejected", "legal_basis": "contract", "reason": "r"}
    replay.apply(10, entry("customs.case_decided", "K", decided, actor="reg"))
    case = cells(replay, "trading_customs_cases", "K")
    assert case["status"] == ("refused", 10) and case["decided_by"] == ("reg", 10)

    granted = {
        "client_id": "c",
        "broker_id": "br",
        "exchange_ids": ["gzde"],
        "actions": ["buy"],
        "spending_limit_fen": 10,
        "commission_bp": 5,
        "expires_at": "x",
    }
    replay.apply(11, entry("trading.mandate_granted", "M", granted))
    replay.apply(12, entry("trading.mandate_revoked", "M", {"client_id": "c", "broker_id": "br"}))
    assert cells(replay, "trading_mandates", "M")["status"] == ("revoked", 12)
    assert replay.replayed == 13


@pytest.mark.parametrize(
    ("action", "payload"),
    [
        ("ledger.posted", {"kind": "k", "memo": "", "postings": [{"account_id": "a"}]}),
        ("ledger.posted", {"kind": "k", "memo": "", "postings": []}),
        (
            "ledger.posted",
            {"kind": "k", "memo": "", "postings": [{"account_id": "a", "amount_fen": "1"}]},
        ),
        ("trading.trade_settled", {"listing_id": "L", "tier_id": "t", "seller_id": "s"}),
        ("customs.case_decided", {"decision": "maybe", "reason": "r"}),
        ("trading.listing_suspended", {"exchange_ids": [1], "reason": "r"}),
        ("account.opened", {"owner_id": "o", "kind": True, "currency": "CNY"}),
    ],
)
def test_a_payload_of_the_wrong_shape_is_unreadable_and_changes_nothing(
    action: str, payload: dict[str, Any]
) -> None:
    replay = Replay()
    with pytest.raises(Unreadable):
        replay.apply(0, entry(action, "s", payload))
    assert replay.tables == {} and replay.replayed == 0


def test_unlogged_rows_and_json_types() -> None:
    live = {"id": "x", "balance_fen": 3}
    assert compare.compare_row("accounts", None, live) == [
        Finding("accounts", "x", "balance_fen", "changed", None, 0, 3)
    ]
    assert compare.compare_row("accounts", None, {"id": "y", "balance_fen": 0}) == []
    [unlogged] = compare.compare_row("trading_mandates", None, {"id": "m"})
    assert (unlogged.kind, unlogged.entry_index) == ("unlogged", None)
    assert not compare.same(True, 1) and not compare.same(1, "1")
    assert compare.same(["a", "b"], ["a", "b"]) and not compare.same(["a"], ["b"])


def test_only_replayed_actions_are_parsed() -> None:
    assert compare.ACTION_MARK.search(b'{"action":"ledger.posted","actor":"x"}')
    assert compare.ACTION_MARK.search(b'{"action":"catalog.item_created","actor":"x"}') is None
    assert Replay().apply(0, entry("catalog.item_created", "s", {})) is None
