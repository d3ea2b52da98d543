"""Every shipped scenario at seed 42 writes the audit log it wrote when its roots were recorded.

The roots in `scenario_roots.json` were recorded with `exchange simulate scenarios/X.toml
--seed 42` before the code was reorganised: a refactoring that changes one byte of any audit
entry of any treatment fails here. A rule change that is meant to move a root updates the file in
the same commit and says which scenario moved and why.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from exchange.simulation import engine, loader, runner

ROOT = Path(__file__).resolve().parents[2]
RECORDED: dict[str, dict[str, str]] = json.loads(
    (Path(__file__).with_name("scenario_roots.json")).read_text(encoding="utf-8")
)
CASES = [
    (scenario, directory.removeprefix("treatment="))
    for scenario, treatments in sorted(RECORDED.items())
    for directory in treatments
]


def test_every_shipped_scenario_is_recorded() -> None:
    shipped = {p.stem for p in (ROOT / "scenarios").glob("*.toml")}
    assert shipped == set(RECORDED)


@pytest.mark.parametrize(("scenario", "treatment"), CASES)
async def test_seed_42_writes_the_recorded_audit_root(
    scenario: str, treatment: str, tmp_path: Path
) -> None:
    variant = loader.load(
        ROOT / "scenarios" / f"{scenario}.toml",
        overrides=[(loader.TREATMENT_KEY, treatment)],
        seed=42,
    )
    market = runner.make_market(variant, tmp_path, "services")
    record, _stats = await engine.run(variant, market)
    assert record.audit_root == RECORDED[scenario][f"treatment={treatment}"]
