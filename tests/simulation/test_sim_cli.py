"""`exchange simulate`: runs, refusals before running, and sweeps in parallel processes."""

from __future__ import annotations

import csv
import pickle
import re
from pathlib import Path

import pytest
from support_simulation import SMALL, write
from typer.testing import CliRunner

from exchange.cli import app
from exchange.migrate import ROOT
from exchange.simulation import loader
from exchange.simulation.loader import ScenarioError
from exchange.simulation.scenario import Scenario
from exchange.simulation.services_base import SetupRefused

runner = CliRunner()


def test_a_scenario_runs_to_a_report_and_prints_its_audit_root(tmp_path: Path) -> None:
    path = write(tmp_path, SMALL)
    out = tmp_path / "out"
    result = runner.invoke(
        app,
        [
            "simulate",
            str(path),
            "--out",
            str(out),
            "--set",
            "treatment=lenient",
            "--set",
            "rounds=2",
            "--seed",
            "5",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "audit root" in result.output
    root = (out / "summary.json").read_text(encoding="utf-8").split('"audit_root": "')[1][:64]
    assert root in result.output.replace("\n", "")
    assert (out / "report.html").is_file()


def test_a_bad_scenario_is_refused_before_anything_runs(tmp_path: Path) -> None:
    path = write(tmp_path, SMALL.replace("count = 12", "count = -12"))
    out = tmp_path / "never"
    result = runner.invoke(app, ["simulate", str(path), "--out", str(out)])
    assert result.exit_code == 2
    assert str(path) in result.output.replace("\n", "")
    assert "agents.buyers.count" in result.output
    assert not out.exists()
    bad_set = runner.invoke(
        app,
        [
            "simulate",
            str(write(tmp_path, SMALL, "ok.toml")),
            "--out",
            str(out),
            "--set",
            "agents.buyers.budget=5",
        ],
    )
    assert bad_set.exit_code == 2 and "no field 'budget'" in bad_set.output
    assert not out.exists()


def test_a_sweep_runs_in_parallel_and_compares_the_values(tmp_path: Path) -> None:
    path = write(tmp_path, SMALL)
    out = tmp_path / "sweep"
    result = runner.invoke(
        app,
        [
            "simulate",
            str(path),
            "--out",
            str(out),
            "--set",
            "rounds=2",
            "--sweep",
            "exchanges.szdex.buyer_fee_bp=0,900",
            "--jobs",
            "2",
        ],
    )
    assert result.exit_code == 0, result.output
    with (out / "comparison.csv").open(encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["value"] for r in rows] == ["0", "900"]
    assert float(rows[0]["share_szdex"]) > float(rows[1]["share_szdex"])
    assert (out / "comparison.png").read_bytes().startswith(b"\x89PNG")
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "exchanges.szdex.buyer_fee_bp" in index
    for row in rows:
        assert (out / row["dir"] / "report.html").is_file()


def test_a_sweep_value_that_breaks_a_rulebook_is_refused_before_anything_runs(
    tmp_path: Path,
) -> None:
    out = tmp_path / "never"
    result = runner.invoke(
        app,
        [
            "simulate",
            str(write(tmp_path, SMALL)),
            "--out",
            str(out),
            "--set",
            "agents.buyers.role=individual",
            "--sweep",
            "agents.brokers.commission_bp=200,600",
        ],
    )
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)  # a message, not a traceback
    text = result.output.replace("\n", "")
    assert "agents.brokers.commission_bp" in text and "commission cap of gzde" in text
    assert not out.exists()


def test_a_sweep_run_the_market_refuses_at_set_up_fails_cleanly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A rule the validator does not know: the market itself refuses the set-up of one run.
    monkeypatch.setattr(Scenario, "_fits_the_rulebooks", lambda self: None)
    result = runner.invoke(
        app,
        [
            "simulate",
            str(write(tmp_path, SMALL)),
            "--out",
            str(tmp_path / "sweep"),
            "--set",
            "agents.buyers.role=individual",
            "--set",
            "rounds=1",
            "--sweep",
            "agents.brokers.commission_bp=600,200",
        ],
    )
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)
    text = result.output.replace("\n", "")
    assert "agents.brokers.commission_bp: the market refused" in text
    assert "commission-above-cap" in text and "commission_bp=600" in text
    # Worker processes hand the refusal back pickled: it keeps its field and reason.
    refused = pickle.loads(pickle.dumps(SetupRefused("agents.brokers", "over the cap")))
    assert (refused.path, refused.reason) == ("agents.brokers", "over the cap")
    scenario_error = pickle.loads(pickle.dumps(ScenarioError("f.toml", "rounds", "too few")))
    assert str(scenario_error) == "f.toml: rounds: too few"


SHIPPED = sorted((ROOT / "scenarios").glob("*.toml"))
FEW = 4  # agents per role at most: every shipped scenario, kept quick


def shrunk(path: Path) -> list[str]:
    """--set options that keep a scenario's shape with two rounds and a few agents per role."""
    agents = loader.validate(loader.read_toml(path), str(path)).agents
    sets = ["treatment=base", "rounds=2"]
    for role in ("providers", "buyers", "cross_border_buyers", "brokers"):
        count = getattr(agents, role).count
        if count > FEW:
            sets.append(f"agents.{role}.count={FEW}")
    return [option for item in sets for option in ("--set", item)]


@pytest.mark.parametrize("scenario", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_each_shipped_scenario_runs_from_the_command_line_to_a_report(
    scenario: Path, tmp_path: Path
) -> None:
    out = tmp_path / scenario.stem
    result = runner.invoke(app, ["simulate", str(scenario), "--out", str(out), *shrunk(scenario)])
    assert result.exit_code == 0, result.output
    printed = re.search(
        r"audit root \(SHA-256 Merkle root of [\d,]+ entries\): ([0-9a-f]{64})",
        result.output.replace("\n", ""),
    )
    assert printed is not None, result.output
    report = (out / "report.html").read_text(encoding="utf-8")
    assert printed.group(1) in report
