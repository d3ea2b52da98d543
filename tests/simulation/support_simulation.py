"""Helpers of the simulation tests: small scenario files."""

from __future__ import annotations

from pathlib import Path

SMALL = """
name = "small"
title = "小市场 A small market"
note = "A two-exchange market small enough for tests."
seed = 42
rounds = 4

[exchanges.gzde]
buyer_fee_bp = 50
[exchanges.szdex]
buyer_fee_bp = 30

[products]
per_provider = 2
forms = { dataset = 1, api = 1 }
grades = { general = 3, important = 1 }
personal_information_bp = 2000

[agents.providers]
count = 3
pricing = "adaptive"

[agents.buyers]
count = 12
strategy = "zi_c"
demand_bp = 6000

[agents.cross_border_buyers]
count = 3
jurisdictions = ["HK"]
legal_basis = "standard_contract"
demand_bp = 6000

[agents.brokers]
count = 1
commission_bp = 200

[agents.regulators]
count = 1
customs_policy = "strict"

[treatments.lenient]
"agents.regulators.customs_policy" = "lenient"
"""


def write(tmp: Path, text: str, name: str = "scenario.toml") -> Path:
    """Write a scenario file and return its path."""
    path = tmp / name
    path.write_text(text, encoding="utf-8")
    return path
