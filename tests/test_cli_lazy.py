"""The command line loads a command's module only when that command runs (issue 17)."""

from __future__ import annotations

import inspect
import json
import subprocess
import sys
from pathlib import Path

import typer

from exchange.cli import _Root, app

ROOT = Path(__file__).resolve().parent.parent


def test_each_listed_help_line_is_the_commands_own() -> None:
    group = typer.main.get_command(app)
    assert isinstance(group, _Root)
    assert [entry.name for entry in _Root.lazy] == group.list_commands(None)  # type: ignore[arg-type]
    for entry in _Root.lazy:
        command = group.load(entry.name)
        own = inspect.cleandoc(command.short_help or command.help or "").split("\n\n")[0]
        assert entry.help == own.replace("\n", " "), entry.name


def _modules_loaded(*args: str) -> set[str]:
    code = (
        "import sys, json, runpy\n"
        f"sys.argv = ['exchange', *{list(args)!r}]\n"
        "try:\n"
        "    runpy.run_module('exchange.cli', run_name='__main__')\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(json.dumps(sorted(sys.modules)), file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    )
    return set(json.loads(done.stderr.strip().splitlines()[-1]))


def test_help_imports_no_command() -> None:
    loaded = _modules_loaded("--help")
    ours = {name for name in loaded if name.startswith("exchange")}
    assert ours == {"exchange", "exchange.cli", "exchange.cli.lazy"}


def test_verify_file_imports_the_verifier_and_nothing_of_the_server() -> None:
    loaded = _modules_loaded("audit", "verify-file", "--help")
    assert "exchange.cli.audit" in loaded
    server = {"sqlalchemy", "fastapi", "httpx", "exchange.config", "exchange.wiring"}
    assert not loaded & server
    assert not {name for name in loaded if name.startswith("exchange.audit.log")}
    assert not {name for name in loaded if name.startswith("exchange.audit.transparency")}
