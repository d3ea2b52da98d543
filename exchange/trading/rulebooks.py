"""Pure: the exchanges and rulebooks the market starts with.

Migration 0005 seeds these rows as they are (the two exchanges, their first rulebooks, the
Foshan service base and the exchanges' fee and escrow accounts); the simulation derives from
them the clauses a scenario's set-up depends on. Change a rulebook with a new version through
the trading service, never here: these are the rows of an applied migration.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

OPENED = datetime(2022, 11, 15, tzinfo=UTC)
EXCHANGES: list[dict[str, Any]] = [
    {
        "id": "gzde",
        "name": "广州数据交易所",
        "name_en": "Guangzhou Data Exchange",
        "city": "广州 Guangzhou",
        "fee_account_id": "exchange-gzde",
        "escrow_account_id": "escrow-gzde",
        "rulebook_version": 1,
        "created_at": OPENED,
    },
    {
        "id": "szdex",
        "name": "深圳数据交易所",
        "name_en": "Shenzhen Data Exchange",
        "city": "深圳 Shenzhen",
        "fee_account_id": "exchange-szdex",
        "escrow_account_id": "escrow-szdex",
        "rulebook_version": 1,
        "created_at": OPENED,
    },
]
# 协同错位发展: Guangzhou reviews every listing and has individuals trade through brokers;
# Shenzhen lists on a valid certificate alone, with lower fees and a wider commission cap.
RULEBOOKS: list[dict[str, Any]] = [
    {
        "exchange_id": "gzde",
        "version": 1,
        "buyer_fee_bp": 50,
        "seller_fee_bp": 100,
        "max_commission_bp": 500,
        "broker_required_for": ["individual"],
        "trade_modes": ["posted", "negotiated", "auction"],
        "listing_review": "operator",
        "min_price_fen": 100,
        "max_price_fen": 10_000_000_000,
        "note": "广州数据交易所交易规则（试行）",
        "changed_by": "system",
        "created_at": OPENED,
    },
    {
        "exchange_id": "szdex",
        "version": 1,
        "buyer_fee_bp": 30,
        "seller_fee_bp": 80,
        "max_commission_bp": 800,
        "broker_required_for": [],
        "trade_modes": ["posted", "negotiated", "auction"],
        "listing_review": "none",
        "min_price_fen": 1_000,
        "max_price_fen": 5_000_000_000,
        "note": "深圳数据交易所数据交易规则（试行）",
        "changed_by": "system",
        "created_at": OPENED,
    },
]
BASES: list[dict[str, Any]] = [
    {
        "id": "gzde-foshan",
        "exchange_id": "gzde",
        "name": "广州数据交易所佛山服务基地",
        "name_en": "Guangzhou Data Exchange Foshan service base",
        "city": "佛山 Foshan",
        "created_at": OPENED,
    },
]
ACCOUNT_IDS = ["exchange-gzde", "escrow-gzde", "exchange-szdex", "escrow-szdex"]
