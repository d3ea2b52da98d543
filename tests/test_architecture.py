"""The layers hold: import-linter's contracts in pyproject.toml (docs/architecture.md)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_import_contracts_are_kept() -> None:
    """Core below kit below domains below applications; pure modules do no I/O; the verifier
    imports nothing of the server; no domain reads another's tables or queries."""
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from importlinter.cli import lint_imports; "
            "sys.exit(lint_imports(no_cache=True, no_logo=True))",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_module_holds_more_than_one_concept_by_size() -> None:
    """No module over ~600 lines, except data files and the verifier's pure checker."""
    allowed = {"exchange/audit/verifier/checker.py"}
    too_long = {
        str(path.relative_to(ROOT)): n
        for path in (ROOT / "exchange").rglob("*.py")
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > 620
        and str(path.relative_to(ROOT)) not in allowed
    }
    assert not too_long, too_long
