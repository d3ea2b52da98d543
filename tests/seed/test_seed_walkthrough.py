"""The printed walkthrough: one template, printed by `exchange demo`, kept in docs/."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from exchange.cli import app
from exchange.seed.products import WALKTHROUGH_PACKAGE
from exchange.seed.walkthrough import CLOCK_ADVANCE_CLI, CLOCK_ADVANCE_HTTP

DOC = Path(__file__).resolve().parents[2] / "docs" / "walkthrough.md"


def test_docs_walkthrough_is_what_exchange_demo_prints() -> None:
    printed = CliRunner().invoke(app, ["demo", "--walkthrough"])
    assert printed.exit_code == 0, printed.output
    # Regenerate with: exchange demo --walkthrough > docs/walkthrough.md
    assert DOC.read_text(encoding="utf-8") == printed.output
    text = printed.output
    for step in ("catalog/search", "/v1/assets", "/reviews", "/finalize", "/v1/listings",
                 "Idempotency-Key", "/delivery", "sha256sum", "legal_basis",
                 "/decision", "/v1/operation/agreements", "/revenue", "/suspension",
                 "hr_department", "/dataspaces/me", "/reads", "verify_consent_receipt",
                 "/revoke", "/dataspaces/me/usage", "/consent-requests", "/accept",
                 "exchange audit verify"):  # fmt: skip
        assert step in text, step
    assert CLOCK_ADVANCE_CLI in text and CLOCK_ADVANCE_HTTP in text
    assert WALKTHROUGH_PACKAGE in text
    numbered = [line for line in text.splitlines() if line.startswith("## ")]
    assert [line.split(".")[0] for line in numbered] == [f"## {n}" for n in range(len(numbered))]
