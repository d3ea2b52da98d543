"""`exchange migrate`, `serve`, `demo` and `participants`: the market itself."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from exchange.config import Settings, get_settings
from exchange.context import Runtime
from exchange.database import is_sqlite
from exchange.migrate import upgrade
from exchange.participants import service as participants_service
from exchange.vocabulary import Role

if TYPE_CHECKING:
    from exchange.seed.demo import DemoKey

participants_app = typer.Typer(help="Participants (参与者).", no_args_is_help=True)
console = Console()


def _prepare_data_dir(settings: Settings) -> None:
    if is_sqlite(settings.resolved_database_url()):
        settings.data_dir.mkdir(parents=True, exist_ok=True)


async def _migrate(settings: Settings) -> None:
    _prepare_data_dir(settings)
    runtime = Runtime.from_settings(settings)
    try:
        await upgrade(runtime.engine)
    finally:
        await runtime.engine.dispose()


def migrate() -> None:
    """Upgrade the database (EXCHANGE_DATABASE_URL) to the latest schema."""
    settings = get_settings()
    asyncio.run(_migrate(settings))
    console.print(f"[green]migrated[/] {_safe_url(settings.resolved_database_url())}")


def _safe_url(url: str) -> str:
    scheme, sep, rest = url.partition("://")
    if "@" in rest:
        rest = "…@" + rest.split("@", 1)[1]
    return scheme + sep + rest


def _run_server(host: str, port: int, workers: int, log_level: str) -> None:
    import uvicorn

    settings = get_settings()
    if workers > 1 and is_sqlite(settings.resolved_database_url()):
        console.print(
            "[yellow]note:[/] several workers share one SQLite file; writes queue on "
            "its lock. Use PostgreSQL (EXCHANGE_DATABASE_URL) to scale out."
        )
    console.print(
        f"serving on http://{host}:{port} (docs at /docs), database "
        f"{_safe_url(settings.resolved_database_url())}"
    )
    console.print(
        f"web console 控制台: [bold]http://{host}:{port}/[/] — sign in with an API key "
        f"(/sign-in), or join a class with its code (/join)",
        soft_wrap=True,
    )
    # Workers read the level from the environment: the app logs JSON lines with request ids,
    # so uvicorn's own access log would only repeat them.
    os.environ["EXCHANGE_LOG_LEVEL"] = log_level
    uvicorn.run(
        "exchange.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=log_level,
        access_log=False,
    )


Host = Annotated[str, typer.Option(help="Interface to listen on.")]
Port = Annotated[int, typer.Option(help="TCP port.")]
Workers = Annotated[int, typer.Option(min=1, help="Worker processes (use PostgreSQL for > 1).")]
LogLevel = Annotated[str, typer.Option(help="uvicorn log level.")]


def serve(
    host: Host = "127.0.0.1", port: Port = 8000, workers: Workers = 1, log_level: LogLevel = "info"
) -> None:
    """Migrate the database, then serve the API."""
    asyncio.run(_migrate(get_settings()))
    _run_server(host, port, workers, log_level)


async def _seed_demo(settings: Settings, saved: dict[str, str]) -> list[DemoKey]:
    from exchange.seed.demo import seed_demo

    runtime = Runtime.from_settings(settings)
    try:
        return await seed_demo(runtime, saved_keys=saved)
    finally:
        await runtime.engine.dispose()


def _saved_keys(path: Path) -> dict[str, str]:
    """Participant id -> key from an earlier run's keys file (empty if none or unreadable)."""
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))
        return {str(r["id"]): str(r["api_key"]) for r in rows}
    except FileNotFoundError:
        return {}
    except (OSError, ValueError, TypeError, KeyError):
        console.print(f"[yellow]note:[/] {path} is not a demo keys file; keys are rotated.")
        return {}


def demo(
    host: Host = "127.0.0.1",
    port: Port = 8000,
    workers: Workers = 1,
    log_level: LogLevel = "info",
    keys_out: Annotated[
        Path | None,
        typer.Option(
            help="The demo API keys file (JSON, mode 0600; default: demo-keys.json in the "
            "data directory). A re-run keeps the keys in it that still work."
        ),
    ] = None,
    no_serve: Annotated[bool, typer.Option("--no-serve", help="Seed, then exit.")] = False,
    walkthrough: Annotated[
        bool, typer.Option("--walkthrough", help="Only print the walkthrough (Markdown).")
    ] = False,
) -> None:
    """Migrate, seed the demo market, print its keys and a walkthrough, then serve.

    Keys are stored hashed: the keys file is their only copy. Re-running on the same
    database keeps every key in the file that still authenticates and prints it again; a
    demo participant without one (no file, or a revoked key) has its keys rotated: a new
    key is issued, its older ones are revoked, and the file is rewritten.
    """
    from exchange.seed.walkthrough import render

    if walkthrough:
        typer.echo(render(), nl=False)
        return
    settings = get_settings()
    asyncio.run(_migrate(settings))
    path = keys_out if keys_out is not None else settings.data_dir / "demo-keys.json"
    keys = asyncio.run(_seed_demo(settings, _saved_keys(path)))
    _write_secret_json(path, [k.as_json() for k in keys])
    # One key per line, never wrapped, so that it can be copied from the terminal.
    typer.echo("Demo participants 演示参与者 (handle, role, API key, name):")
    for k in keys:
        typer.echo(f"  {k.handle:<14} {k.role:<20} {k.api_key}  {k.name}")
    counts = {s: sum(k.status == s for k in keys) for s in ("kept", "rotated", "new")}
    console.print(
        f"[green]wrote[/] {len(keys)} keys to {path} ({counts['kept']} kept, "
        f"{counts['rotated']} rotated, {counts['new']} new)"
    )
    typer.echo("")
    typer.echo(render(), nl=False)
    if not no_serve:
        _run_server(host, port, workers, log_level)


def _write_secret_json(path: Path, data: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(data, fh, ensure_ascii=False, indent=2)
        fh.write("\n")


async def _create_participant(name: str, role: Role, jurisdiction: str) -> dict[str, str]:
    settings = get_settings()
    runtime = Runtime.from_settings(settings)
    try:
        async with runtime.unit_of_work() as session:
            participant, account, key = await participants_service.register(
                runtime.context(session), name=name, role=role, jurisdiction=jurisdiction
            )
        return {
            "id": participant.id,
            "name": participant.name,
            "role": role.value,
            "account_id": account.id,
            "api_key": key.secret,
        }
    finally:
        await runtime.engine.dispose()


@participants_app.command("create")
def participants_create(
    name: Annotated[str, typer.Option(help="Display name (Chinese welcome).")],
    role: Annotated[Role, typer.Option(help="The participant's role.")],
    jurisdiction: Annotated[str, typer.Option(help="CN, HK, MO or an ISO country code.")] = "CN",
) -> None:
    """Register a participant and print its first API key (shown once) as JSON."""
    if len(jurisdiction) != 2 or not jurisdiction.isalpha() or not jurisdiction.isupper():
        raise typer.BadParameter(
            "jurisdiction must be two capital letters", param_hint="--jurisdiction"
        )
    asyncio.run(_migrate(get_settings()))
    result = asyncio.run(_create_participant(name.strip(), role, jurisdiction))
    typer.echo(json.dumps(result, ensure_ascii=False))
