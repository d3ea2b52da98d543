"""`exchange audit`: verify the log offline, export it, reconcile the tables against it,
manage the signing keys, and lift a halt after inspection."""

from __future__ import annotations

import asyncio
import base64
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TextIO

import typer
from rich.console import Console
from rich.table import Table

from exchange.audit.verifier.checker import DEFAULT_PAGE_SIZE
from exchange.cli.lazy import offline

if TYPE_CHECKING:
    from exchange.audit.verifier.report import Report

# Each command imports what it uses when it runs: `verify-file` only the offline verifier,
# `verify` the verifier and httpx, the others the server's audit modules and the database.
app = typer.Typer(
    help="The audit log (审计日志): offline verification, export, signing keys.",
    no_args_is_help=True,
)
console = Console(stderr=True)

Url = Annotated[
    str, typer.Option("--url", help="Base URL of the exchange, e.g. http://127.0.0.1:8000")
]
ApiKey = Annotated[
    str,
    typer.Option(
        "--key", envvar="EXCHANGE_AUDIT_API_KEY", help="A regulator's (or admin's) API key."
    ),
]
PublicKeysOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--public-key",
        help="Pin a signing key: C2SP verifier key name+id+base64, or base64 of the 32 bytes "
        "(repeatable). Without it: the keys this installation publishes.",
    ),
]


def print_report(report: Report, *, title: str) -> None:
    """A short report: what was checked and, on failure, the first bad index and problems."""
    table = Table(title=title, show_header=False)
    table.add_column("what", style="bold")
    table.add_column("value", overflow="fold")
    table.add_row("result", "[green]OK[/]" if report.ok else "[red]FAILED[/]")
    table.add_row("origin", report.origin or "-")
    table.add_row("checkpoint size", str(report.size))
    table.add_row("root (hex)", report.root.hex() or "-")
    table.add_row("entries checked", str(report.entries))
    if report.proofs_checked:
        table.add_row("inclusion proofs checked", str(report.proofs_checked))
    if report.keys:
        table.add_row("signing keys", "\n".join(report.keys))
    if report.trusted_size is not None:
        consistent = "[green]yes[/]" if report.consistent_with_trusted else "[red]NO[/]"
        table.add_row(
            "consistent with trusted", f"{consistent} (trusted size {report.trusted_size})"
        )
    if not report.ok:
        first = report.first_bad_index
        table.add_row("first bad index", "[red]unknown[/]" if first is None else f"[red]{first}[/]")
        if report.first_bad_range and report.first_bad_range[1] - report.first_bad_range[0] > 1:
            start, end = report.first_bad_range
            table.add_row("first changed entry", f"[red]somewhere in [{start}, {end})[/]")
    console.print(table)
    for problem in report.problems[:20]:
        where = "-" if problem.index is None else str(problem.index)
        console.print(f"  [red]✗[/] [{problem.kind}] index {where}: {problem.detail}")
    if report.problem_count > 20:
        console.print(f"  … and {report.problem_count - 20} more problems")


def _exit_for(report: Report, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(report.as_json(), ensure_ascii=False, indent=2))
    raise typer.Exit(0 if report.ok else 1)


@app.command("verify")
@offline
def verify(
    url: Url,
    key: ApiKey,
    trusted: Annotated[
        Path | None,
        typer.Option(
            help="Checkpoint file from an earlier run: check consistency, then update it "
            "(and FILE.leaves beside it, the leaf hashes it covers, which locate any later "
            "change to those entries)."
        ),
    ] = None,
    public_key: PublicKeysOpt = None,
    all_proofs: Annotated[
        bool,
        typer.Option(
            "--all-proofs/--spot-checks",
            help="Check every entry's inclusion proof (covers every stored subtree hash), "
            "or only one per page (faster on a very large log).",
        ),
    ] = True,
    page_size: Annotated[int, typer.Option(min=1, max=1000)] = DEFAULT_PAGE_SIZE,
    as_json: Annotated[bool, typer.Option("--json", help="Also print the report as JSON.")] = False,
) -> None:
    """Verify the live log against its signed checkpoint, from the contract alone."""
    import httpx
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    from exchange.audit.verifier.remote import verify_remote

    async def run() -> Report:
        columns = (TextColumn("entries"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
        with Progress(*columns, console=console, transient=True) as bar:
            task = bar.add_task("download", total=None)

            def progress(done: int, total: int) -> None:
                bar.update(task, completed=done, total=max(done, total))

            async with httpx.AsyncClient(base_url=url, timeout=60) as client:
                return await verify_remote(
                    client,
                    key,
                    trusted=trusted,
                    public_keys=public_key or (),
                    all_proofs=all_proofs,
                    page_size=page_size,
                    progress=progress,
                )

    report = asyncio.run(run())
    print_report(report, title=f"Audit log at {url}")
    _exit_for(report, as_json)


@contextmanager
def _output(path: Path | None) -> Iterator[TextIO]:
    if path is None:
        yield sys.stdout
        return
    with path.open("w", encoding="utf-8") as fh:
        yield fh


async def _export_database(out: TextIO) -> tuple[int, str]:
    """Write every entry from the database; returns the count and the latest checkpoint."""
    from exchange.audit.transparency import service as transparency
    from exchange.config import get_settings
    from exchange.context import Runtime

    runtime = Runtime.from_settings(get_settings())
    count = 0
    try:
        async with runtime.sessionmaker() as session:
            # The checkpoint first: everything it covers is then in the export.
            note = (await transparency.latest_checkpoint(runtime.context(session))).note
            async for line in transparency.export_lines(session):
                out.write(line + "\n")
                count += 1
    finally:
        await runtime.engine.dispose()
    return count, note


async def _export_remote(url: str, key: str, out: TextIO) -> tuple[int, str]:
    """Write every entry a server lists; returns the count and its checkpoint."""
    import httpx

    from exchange.audit.verifier.remote import API_PREFIX, iter_entry_pages

    count = 0
    async with httpx.AsyncClient(base_url=url, timeout=60) as client:
        response = await client.get(API_PREFIX + "/checkpoint")
        response.raise_for_status()
        async for page in iter_entry_pages(client, key):
            for entry in page:
                out.write(json.dumps(entry, ensure_ascii=False) + "\n")
                count += 1
    return count, response.text


@app.command("export")
def export(
    out: Annotated[
        Path | None, typer.Option(help="JSON Lines file (default: standard output).")
    ] = None,
    url: Annotated[
        str | None, typer.Option(help="Export from a server (else from EXCHANGE_DATABASE_URL).")
    ] = None,
    key: Annotated[
        str | None,
        typer.Option("--key", envvar="EXCHANGE_AUDIT_API_KEY", help="API key for --url."),
    ] = None,
    checkpoint_out: Annotated[
        Path | None, typer.Option(help="Also save the latest signed checkpoint here.")
    ] = None,
) -> None:
    """Export the log as JSON Lines of {"index", "leaf", "leaf_hash"} (leaves verbatim)."""
    import httpx

    from exchange.audit.verifier.errors import VerificationError

    with _output(out) as fh:
        try:
            if url is not None:
                if not key:
                    raise typer.BadParameter("--url needs --key", param_hint="--key")
                count, note = asyncio.run(_export_remote(url, key, fh))
            else:
                count, note = asyncio.run(_export_database(fh))
        except (httpx.HTTPError, VerificationError) as exc:
            console.print(f"[red]export failed:[/] {exc}")
            raise typer.Exit(2) from exc
    if checkpoint_out is not None:
        checkpoint_out.write_text(note, encoding="utf-8")
    console.print(f"[green]exported[/] {count} entries" + (f" to {out}" if out else ""))


@app.command("verify-file")
@offline
def verify_file(
    file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="An export (JSON Lines).")
    ],
    checkpoint: Annotated[
        Path | None, typer.Option(exists=True, dir_okay=False, help="A signed checkpoint note.")
    ] = None,
    public_key: PublicKeysOpt = None,
    origin: Annotated[
        str | None, typer.Option(help="The log's origin (default: from the data).")
    ] = None,
    trusted: Annotated[
        Path | None,
        typer.Option(
            exists=True,
            dir_okay=False,
            help="A checkpoint file kept by `verify --trusted` (with its .leaves witness): "
            "entries it covers are compared with what that run saw.",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Also print the report as JSON.")] = False,
) -> None:
    """Verify an export offline: every leaf, the chain and (with a checkpoint) the signed root."""
    from exchange.audit.verifier import files as verifier_files

    note = checkpoint.read_text(encoding="utf-8") if checkpoint else None
    keys = list(public_key or ())
    if note is not None and not keys:
        # The keys this installation publishes (GET /v1/audit/public-key serves the same).
        from exchange.audit.transparency import service as transparency
        from exchange.config import get_settings

        keys = [_verifier_key(k) for k in transparency.keyring_for(get_settings()).all_keys()]
        if not keys:
            console.print("[red]no signing keys here:[/] pass the log's keys with --public-key")
            raise typer.Exit(2)
    report = verifier_files.verify_file(
        file, checkpoint_note=note, public_keys=keys, origin=origin, trusted=trusted
    )
    print_report(report, title=f"Audit log export {file}")
    _exit_for(report, as_json)


async def _reconcile_database() -> dict[str, Any]:
    """Reconcile the database EXCHANGE_DATABASE_URL names (read-only)."""
    from exchange.audit.transparency.reconcile import reconcile as run_reconcile
    from exchange.config import get_settings
    from exchange.context import Runtime

    runtime = Runtime.from_settings(get_settings())
    try:
        async with runtime.sessionmaker() as session:
            report = await run_reconcile(runtime.context(session))
    finally:
        await runtime.engine.dispose()
    return report.model_dump(mode="json")


async def _reconcile_remote(url: str, key: str) -> dict[str, Any]:
    """Ask a server to reconcile (a regulator's or admin's key)."""
    import httpx

    from exchange.audit.verifier.remote import API_PREFIX

    async with httpx.AsyncClient(base_url=url, timeout=600) as client:
        response = await client.get(
            API_PREFIX + "/reconcile", headers={"Authorization": f"Bearer {key}"}
        )
        response.raise_for_status()
        report: dict[str, Any] = response.json()
        return report


def _value(value: object) -> str:
    return "-" if value is None else json.dumps(value, ensure_ascii=False)


def print_reconciliation(report: dict[str, Any], *, title: str, shown: int = 50) -> None:
    """The summary, then each difference: table, row, column, the entry that made it."""
    summary = Table(title=title, show_header=False)
    summary.add_column("what", style="bold")
    summary.add_column("value", overflow="fold")
    summary.add_row("result", "[green]OK[/]" if report["ok"] else "[red]DIFFERENCES[/]")
    summary.add_row("log size", str(report["log_size"]))
    summary.add_row("entries replayed", str(report["entries_replayed"]))
    checked = report.get("rows_checked", {})
    summary.add_row("rows checked", ", ".join(f"{t} {n}" for t, n in checked.items()))
    summary.add_row("differences", str(report.get("differences_total", 0)))
    if report["unreadable_entries"]:
        unreadable = ", ".join(map(str, report["unreadable_entries"]))
        summary.add_row("unreadable entries", f"[red]{unreadable}[/]")
    console.print(summary)
    differences = report["differences"]
    if not differences:
        return
    table = Table(title="Differences 差异 (in entry order)")
    for column in ("entry", "table", "row", "column", "kind", "log", "live"):
        table.add_column(column, overflow="fold")
    for d in differences[:shown]:
        entry = "-" if d["entry_index"] is None else str(d["entry_index"])
        table.add_row(
            entry,
            d["table"],
            d["row_id"],
            d["column"] or "(row)",
            d["kind"],
            _value(d["log_value"]),
            _value(d["live_value"]),
        )
    console.print(table)
    if report.get("differences_total", 0) > shown:
        console.print(f"  … and {report['differences_total'] - shown} more differences")


@app.command("reconcile")
def reconcile(
    url: Annotated[
        str | None, typer.Option(help="Ask a server (else read EXCHANGE_DATABASE_URL).")
    ] = None,
    key: Annotated[
        str | None,
        typer.Option("--key", envvar="EXCHANGE_AUDIT_API_KEY", help="API key for --url."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Also print the report as JSON.")] = False,
) -> None:
    """Replay the log's payloads and compare every derived table with the live one (对账):
    balances, journals and postings, licences, listings, certificates, mandates, customs
    cases. Exits 1 if anything differs, naming its table, row and entry index."""
    import httpx

    try:
        if url is not None:
            if not key:
                raise typer.BadParameter("--url needs --key", param_hint="--key")
            report = asyncio.run(_reconcile_remote(url, key))
        else:
            report = asyncio.run(_reconcile_database())
    except httpx.HTTPError as exc:
        console.print(f"[red]reconcile failed:[/] {exc}")
        raise typer.Exit(2) from exc
    print_reconciliation(report, title=f"Reconciliation of {url or 'the database'}")
    if as_json:
        typer.echo(json.dumps(report, ensure_ascii=False, indent=2))
    raise typer.Exit(0 if report["ok"] else 1)


def _verifier_key(key: Any) -> str:
    """A signing key as a C2SP verifier key: name+hex id+base64(0x01 || public key)."""
    encoded = base64.b64encode(b"\x01" + key.public_key).decode()
    return f"{key.name}+{key.key_id.hex()}+{encoded}"


@app.command("keys")
def keys() -> None:
    """List the signing keys (active ones sign every new checkpoint)."""
    from exchange.audit.transparency import service as transparency
    from exchange.config import get_settings

    table = Table(title="Checkpoint signing keys 签名密钥")
    for column in ("file", "key name", "key id", "public key (base64)", "state"):
        table.add_column(column, overflow="fold")
    for k in transparency.keyring_for(get_settings()).all_keys():
        table.add_row(
            f"audit-{k.number}.pem",
            k.name,
            k.key_id.hex(),
            base64.b64encode(k.public_key).decode(),
            "retired" if k.retired else "[green]active[/]",
        )
    console.print(table)


@app.command("rotate-key")
def rotate_key() -> None:
    """Add a new signing key; it signs alongside the current ones until they are retired."""
    from exchange.audit.transparency import service as transparency
    from exchange.config import get_settings

    added = transparency.keyring_for(get_settings()).rotate()
    console.print(
        f"[green]added[/] signing key audit-{added.number}.pem (key id {added.key_id.hex()}); "
        "new checkpoints carry its signature next to the old key's."
    )


@app.command("retire-key")
def retire_key(
    key_id: Annotated[
        str | None, typer.Option(help="Hex key ID to retire (default: the oldest active key).")
    ] = None,
) -> None:
    """Stop signing with a key (kept on disk as .retired); the last active key stays."""
    from exchange.audit.transparency import service as transparency
    from exchange.config import get_settings
    from exchange.errors import ExchangeError

    try:
        retired = transparency.keyring_for(get_settings()).retire(key_id)
    except ExchangeError as exc:
        console.print(f"[red]refused:[/] {exc.detail}")
        raise typer.Exit(1) from exc
    console.print(
        f"[green]retired[/] signing key audit-{retired.number}.pem ({retired.key_id.hex()})"
    )


async def _acknowledge() -> dict[str, object]:
    from exchange.audit.transparency import halts
    from exchange.config import get_settings
    from exchange.context import Runtime

    runtime = Runtime.from_settings(get_settings())
    try:
        async with runtime.unit_of_work() as session:
            done = await halts.acknowledge(runtime.context(session))
        return done.model_dump(mode="json")
    finally:
        await runtime.engine.dispose()


@app.command("acknowledge")
def acknowledge(
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """After inspecting a damaged log: verify it again and, if it passes, lift the halt."""
    from exchange.errors import ExchangeError

    try:
        done = asyncio.run(_acknowledge())
    except ExchangeError as exc:
        console.print(f"[red]refused:[/] {exc.detail}")
        raise typer.Exit(1) from exc
    if as_json:
        typer.echo(json.dumps(done, ensure_ascii=False, indent=2))
    console.print(
        f"[green]halt lifted[/]: the log verifies ({done['verified_size']} entries); "
        "state changes are accepted again."
    )
