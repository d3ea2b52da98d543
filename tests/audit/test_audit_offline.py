"""The offline verifier end to end: trusted checkpoints, forks, exports checked offline."""

from __future__ import annotations

import ast
import asyncio
import base64
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import httpx
import pytest
from audit_log_helpers import Market, build_market, fresh_checkpoint
from typer.testing import CliRunner

from exchange.audit import merkle, verifier
from exchange.audit.note import sign_checkpoint
from exchange.audit.transparency import service as transparency
from exchange.audit.verifier.files import read_checkpoint_file
from exchange.audit.verifier.remote import verify_remote
from exchange.cli import app as cli
from exchange.clock import ManualClock
from exchange.context import Runtime
from support import MakeParticipant

# Every module of the verifier package (it is read, and could be rewritten, on its own).
VERIFIER_SOURCES = {
    path.name: path.read_text(encoding="utf-8")
    for path in sorted(Path(verifier.__file__).parent.glob("*.py"))
}


@pytest.fixture
async def market(
    client: httpx.AsyncClient, make_participant: MakeParticipant, clock: ManualClock
) -> Market:
    market = await build_market(client, make_participant)
    await fresh_checkpoint(client, clock)
    return market


def test_the_verifier_depends_only_on_the_contract() -> None:
    assert {"checker.py", "remote.py", "files.py"} <= set(VERIFIER_SOURCES)
    imported = set()
    own = set()
    for source in VERIFIER_SOURCES.values():
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                assert node.level == 0 and node.module, "the verifier spells out its imports"
                names = [node.module]
            else:
                continue
            for name in names:
                if name.split(".")[0] == "exchange":
                    own.add(name)
                else:
                    imported.add(name.split(".")[0])
    # Of this repository, only the verifier's own modules: nothing of the server.
    assert all(name.startswith("exchange.audit.verifier.") for name in own), own
    third_party = {name for name in imported if name not in sys.stdlib_module_names}
    assert third_party == {"httpx", "cryptography"}


def test_importing_the_verifier_loads_nothing_of_the_server() -> None:
    code = (
        "import json, sys\n"
        "import exchange.audit.verifier.files, exchange.audit.verifier.remote\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] == 'exchange')))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(verifier.__file__).parents[3],
    )
    loaded = set(json.loads(done.stdout))
    server = {m for m in loaded if not m.startswith("exchange.audit.verifier")}
    assert server == {"exchange", "exchange.audit"}, server


async def test_a_trusted_checkpoint_is_stored_then_extended(
    client: httpx.AsyncClient,
    market: Market,
    make_participant: MakeParticipant,
    clock: ManualClock,
    tmp_path: Path,
) -> None:
    trusted = tmp_path / "trusted.txt"
    first = await verify_remote(client, market.regulator.key, trusted=trusted)
    assert first.ok and first.trusted_size is None and first.consistent_with_trusted is None
    await build_market(client, make_participant, transfers=5)
    await fresh_checkpoint(client, clock)
    second = await verify_remote(client, market.regulator.key, trusted=trusted)
    assert second.ok, second.as_json()
    assert (second.trusted_size, second.consistent_with_trusted) == (first.size, True)
    assert read_checkpoint_file(trusted).size == second.size > first.size


async def test_a_fork_against_the_trusted_checkpoint_is_refused(
    client: httpx.AsyncClient, market: Market, runtime: Runtime, tmp_path: Path
) -> None:
    # A checkpoint the log's own key signed for another history (a split view): same key,
    # size 20, but a root no prefix of this log has.
    key = transparency.keyring_for(runtime.settings).active()[0]
    forked = sign_checkpoint(
        runtime.settings.audit_origin, 20, merkle.leaf_hash(b"other"), [(key.name, key.private_key)]
    )
    trusted = tmp_path / "trusted.txt"
    trusted.write_text(forked, encoding="utf-8")
    report = await verify_remote(client, market.regulator.key, trusted=trusted)
    assert not report.ok and report.consistent_with_trusted is False
    assert any("consistency proof" in p.detail for p in report.problems)
    assert any("history was rewritten" in p.detail for p in report.problems)
    assert trusted.read_text(encoding="utf-8") == forked  # a failed run keeps the old trust


async def test_a_log_that_shrank_below_the_trusted_size_is_refused(
    client: httpx.AsyncClient, market: Market, runtime: Runtime, tmp_path: Path
) -> None:
    key = transparency.keyring_for(runtime.settings).active()[0]
    bigger = sign_checkpoint(
        runtime.settings.audit_origin, 500, merkle.leaf_hash(b"x"), [(key.name, key.private_key)]
    )
    trusted = tmp_path / "trusted.txt"
    trusted.write_text(bigger, encoding="utf-8")
    report = await verify_remote(client, market.regulator.key, trusted=trusted)
    assert not report.ok
    assert any("shrank" in p.detail for p in report.problems)


async def test_pinned_keys_must_have_signed_the_checkpoint(
    client: httpx.AsyncClient, market: Market
) -> None:
    published = (await client.get("/v1/audit/public-key")).json()["keys"][0]["public_key"]
    ok = await verify_remote(client, market.regulator.key, public_keys=[published])
    assert ok.ok
    stranger = base64.b64encode(bytes(range(32))).decode()
    refused = await verify_remote(client, market.regulator.key, public_keys=[stranger])
    assert not refused.ok and refused.first_bad_index is None
    assert "not signed by any known key" in refused.problems[0].detail


async def test_the_verifier_needs_a_regulator_key(
    client: httpx.AsyncClient, market: Market
) -> None:
    report = await verify_remote(client, "gdx_0000000000000000_nope")
    assert not report.ok
    assert "401" in report.problems[0].detail


async def _cli(*args: str) -> tuple[int, str]:
    result = await asyncio.to_thread(CliRunner().invoke, cli, ["audit", *args])
    return result.exit_code, result.output


async def test_export_then_verify_the_file_offline(
    client: httpx.AsyncClient,
    market: Market,
    runtime: Runtime,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("EXCHANGE_DATABASE_URL", runtime.settings.database_url)
    monkeypatch.setenv("EXCHANGE_DATA_DIR", str(runtime.settings.data_dir))
    export, checkpoint = tmp_path / "log.jsonl", tmp_path / "checkpoint.txt"
    code, output = await _cli("export", "--out", str(export), "--checkpoint-out", str(checkpoint))
    assert code == 0, output
    lines = export.read_text(encoding="utf-8").splitlines()
    listing = (
        await client.get("/v1/audit/entries", params={"limit": 1000}, headers=market.regulator.auth)
    ).json()["entries"]
    assert [json.loads(line) for line in lines] == listing  # the same records, verbatim
    key = (await client.get("/v1/audit/public-key")).json()["keys"][0]["public_key"]

    code, output = await _cli(
        "verify-file", str(export), "--checkpoint", str(checkpoint), "--public-key", key
    )
    assert code == 0, output
    assert "OK" in output

    # Without --public-key the keys this installation publishes are used (as its help says).
    code, output = await _cli("verify-file", str(export), "--checkpoint", str(checkpoint))
    assert code == 0 and "OK" in output, output

    # The export may be a pipe: `verify-file <(exchange audit export)` reads it once.
    fifo = tmp_path / "log.fifo"
    os.mkfifo(fifo)

    def feed() -> None:
        with fifo.open("w", encoding="utf-8") as fh:
            fh.write(export.read_text(encoding="utf-8"))

    writer = threading.Thread(target=feed)
    writer.start()
    code, output = await _cli("verify-file", str(fifo), "--checkpoint", str(checkpoint))
    writer.join(10)
    assert code == 0 and "OK" in output, output

    record = json.loads(lines[9])
    record["leaf"] = record["leaf"].replace('"seq":9', '"seq":8')
    lines[9] = json.dumps(record, ensure_ascii=False)
    export.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, output = await _cli(
        "verify-file", str(export), "--checkpoint", str(checkpoint), "--public-key", key, "--json"
    )
    assert code == 1
    report = json.loads(output[output.index("{\n") :])
    assert report["first_bad_index"] == 9
