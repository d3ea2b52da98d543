"""The command line's speed (issue 17): `exchange --help` and `exchange audit verify-file`.

Usage: python bench/bench_cli.py [--entries N] [--runs R]

1. `exchange --help` wall time (`python -m exchange.cli --help` as a subprocess), median of R
   runs, against a two-command typer app's `--help` with rich on the same interpreter (written
   here as a temporary file), the two interleaved run by run.
2. `exchange audit verify-file` on an exported N-entry log (default 1,000,000) with its signed
   checkpoint, as a subprocess: leaves per second, wall clock including start-up, against the
   bare loop on one core in process: SHA-256 of every leaf (RFC 6962 leaf prefix) and the
   root over those hashes. The export is written directly in the export format with the real
   entry and leaf code (`leaf_bytes`, `export_line`), so it verifies.
Figures are printed as ratios to the anchors measured in the same run, never asserted.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from _rows import Row, print_rows
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from exchange.audit import merkle, note
from exchange.audit.log.entry import EntryDraft, leaf_bytes
from exchange.audit.verifier.files import export_line
from exchange.config import Settings

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ANCHOR_APP = textwrap.dedent(
    '''
    import typer

    app = typer.Typer(help="A two-command app (the anchor of `exchange --help`).")


    @app.command()
    def hello(name: str) -> None:
        """Say hello."""
        typer.echo(f"hello {name}")


    @app.command()
    def goodbye(name: str) -> None:
        """Say goodbye."""
        typer.echo(f"goodbye {name}")


    if __name__ == "__main__":
        app()
    '''
)


def _env() -> dict[str, str]:
    """This tree first on the path (the installed package may point at another checkout)."""
    path = os.environ.get("PYTHONPATH", "")
    return dict(os.environ, PYTHONPATH=ROOT + (os.pathsep + path if path else ""))


def _wall(args: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(args, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def help_times(runs: int = 15) -> tuple[float, float]:
    """Median wall seconds of `exchange --help` and of the anchor app's `--help`."""
    env = _env()
    with tempfile.TemporaryDirectory() as tmp:
        anchor = Path(tmp) / "anchor_app.py"
        anchor.write_text(ANCHOR_APP, encoding="utf-8")
        ours = [sys.executable, "-m", "exchange.cli", "--help"]
        theirs = [sys.executable, str(anchor), "--help"]
        _wall(ours, env), _wall(theirs, env)  # warm the file cache and the bytecode
        exchange_times, anchor_times = [], []
        for _ in range(runs):
            exchange_times.append(_wall(ours, env))
            anchor_times.append(_wall(theirs, env))
    return statistics.median(exchange_times), statistics.median(anchor_times)


def payload(i: int) -> dict[str, object]:
    """A typical entry: a transfer's ledger posting, with a Chinese memo (as bench_audit)."""
    return {
        "kind": "transfer",
        "memo": f"数据产品许可费 licence fee {i}",
        "postings": [
            {"account_id": "6f1e2d4c-1111-4222-8333-444455556666", "amount_fen": -100 - i},
            {"account_id": "9a1e2d4c-1111-4222-8333-444455556666", "amount_fen": 100 + i},
        ],
    }


def write_export(path: Path, entries: int, origin: str) -> list[bytes]:
    """Write an export of `entries` chained entries (one every millisecond from 1 January
    2025, so at most 31 days' worth); returns the leaves."""
    prev = bytes(32)
    leaves = []
    with path.open("w", encoding="utf-8") as fh:
        for i in range(entries):
            seconds, ms = divmod(i, 1000)
            minutes, second = divmod(seconds, 60)
            hours, minute = divmod(minutes, 60)
            day, hour = divmod(hours, 24)
            stamp = f"2025-01-{day + 1:02d}T{hour:02d}:{minute:02d}:{second:02d}.{ms:03d}000Z"
            draft = EntryDraft("bench", "ledger.posted", "journal", f"journal-{i}", payload(i))  # type: ignore[arg-type]
            leaf = leaf_bytes(origin=origin, seq=i, stamp=stamp, draft=draft, prev_hex=prev.hex())
            prev = merkle.leaf_hash(leaf)
            fh.write(export_line(i, leaf, prev) + "\n")
            leaves.append(leaf)
    return leaves


def sign(origin: str, size: int, root: bytes) -> tuple[str, str]:
    """A signed checkpoint note for the export and its C2SP verifier key."""
    private = Ed25519PrivateKey.generate()
    raw = note.public_key_raw(private)
    encoded = base64.b64encode(b"\x01" + raw).decode()
    key = f"{origin}+{note.key_id(origin, raw).hex()}+{encoded}"
    return note.sign_checkpoint(origin, size, root, [(origin, private)]), key


def bare_rate(leaves: list[bytes]) -> float:
    """Leaves per second of the bare loop: every leaf hash, then the root over them."""
    sha256 = hashlib.sha256
    start = time.perf_counter()
    merkle.root_from_leaf_hashes([sha256(b"\x00" + leaf).digest() for leaf in leaves])
    return len(leaves) / (time.perf_counter() - start)


def verify_file_rate(export: Path, checkpoint: Path, key: str, entries: int) -> float:
    """Leaves per second of `exchange audit verify-file` (a subprocess, start-up included)."""
    args = [sys.executable, "-m", "exchange.cli", "audit", "verify-file", str(export),
            "--checkpoint", str(checkpoint), "--public-key", key]  # fmt: skip
    start = time.perf_counter()
    done = subprocess.run(args, env=_env(), capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"verify-file failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return entries / elapsed


def verify_rates(entries: int, runs: int = 1) -> tuple[float, float]:
    """verify-file's leaves/s and the bare loop's (best of runs each, interleaved)."""
    origin = Settings().audit_origin
    with tempfile.TemporaryDirectory() as tmp:
        export = Path(tmp) / "export.jsonl"
        leaves = write_export(export, entries, origin)
        root = merkle.root_from_leaf_hashes([merkle.leaf_hash(leaf) for leaf in leaves])
        signed, key = sign(origin, entries, root)
        checkpoint = Path(tmp) / "checkpoint.txt"
        checkpoint.write_text(signed, encoding="utf-8")
        ours, bare = [], []
        for _ in range(runs):
            ours.append(verify_file_rate(export, checkpoint, key, entries))
            bare.append(bare_rate(leaves))
    return statistics.median(ours), statistics.median(bare)


def rows(entries: int = 1_000_000, runs: int = 15) -> list[Row]:
    """The two command-line rows of the speed table."""
    exchange_help, anchor_help = help_times(runs)
    verify, bare = verify_rates(entries)
    return [
        Row(
            "exchange --help wall time",
            "-",
            exchange_help,
            anchor_help,
            "s",
            "two-command typer app --help",
            "<= 1.5x",
            f"median of {runs}, interleaved",
        ),
        Row(
            f"verify-file, {entries / 1e6:g}M entries",
            "-",
            verify,
            bare,
            "leaves/s",
            "bare SHA-256 leaf + root, 1 core",
            ">= 0.5x",
            f"subprocess wall clock, {os.cpu_count()} CPUs",
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    print_rows(rows(args.entries, args.runs))


if __name__ == "__main__":
    main()
