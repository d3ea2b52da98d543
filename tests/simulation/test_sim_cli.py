"""`exchange simulate`: runs, refusals before running, and sweeps in parallel processes."""

from __future__ import annotations

import csv
from pathlib import Path

from support_simulation import SMALL, write
from typer.testing import CliRunner

from exchange.cli import app

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
